"""PrDiMP-18 (upstream ``pytracking/parameter/dimp/prdimp18.py``): network ``prdimp18.pth.tar``."""
from pytracking.parameter.dimp import PRDIMP_CONSTRUCTORS, PRDIMP_SCORES, RELATIVE_IOUNET, dimp_parameters
from pytracking.utils.params import TrackerParams


def parameters() -> TrackerParams:
    """PrDiMP (softmax scores, relative IoU-Net refinement) with DiMP-18's search region."""
    return dimp_parameters('prdimp18.pth.tar', "PrDiMP18, 'prdimp18.pth.tar'", PRDIMP_CONSTRUCTORS,
                           **PRDIMP_SCORES, **RELATIVE_IOUNET)
