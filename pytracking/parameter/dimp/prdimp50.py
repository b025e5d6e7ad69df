"""PrDiMP-50 (upstream ``pytracking/parameter/dimp/prdimp50.py``): network ``prdimp50.pth.tar``."""
from pytracking.parameter.dimp import (LARGE_SEARCH, PRDIMP_CONSTRUCTORS, PRDIMP_SCORES, RELATIVE_IOUNET,
                                       dimp_parameters)
from pytracking.utils.params import TrackerParams


def parameters() -> TrackerParams:
    """PrDiMP (softmax scores, relative IoU-Net refinement) with the larger 22*16 search region."""
    return dimp_parameters('prdimp50.pth.tar', "PrDiMP50, 'prdimp50.pth.tar'", PRDIMP_CONSTRUCTORS,
                           **LARGE_SEARCH, **PRDIMP_SCORES, **RELATIVE_IOUNET)
