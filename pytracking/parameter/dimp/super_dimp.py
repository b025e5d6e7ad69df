"""SuperDiMP (upstream ``pytracking/parameter/dimp/super_dimp.py``): network ``super_dimp.pth.tar``, the base
tracker of ARDiMP (``arena/LaSOT/run_dimp_RF.py``)."""
from pytracking.parameter.dimp import LARGE_SEARCH, RELATIVE_IOUNET, dimp_parameters
from pytracking.utils.params import TrackerParams


def parameters() -> TrackerParams:
    """DiMP scores (hinge classifier) with PrDiMP's search region and relative IoU-Net refinement."""
    return dimp_parameters('super_dimp.pth.tar', "SuperDiMP, 'super_dimp.pth.tar'", **LARGE_SEARCH, **RELATIVE_IOUNET)
