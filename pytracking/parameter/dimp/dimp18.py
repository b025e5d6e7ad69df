"""DiMP-18 (upstream ``pytracking/parameter/dimp/dimp18.py``): network ``dimp18.pth``."""
from pytracking.parameter.dimp import dimp_parameters
from pytracking.utils.params import TrackerParams


def parameters() -> TrackerParams:
    """DiMP with a ResNet-18 backbone; all knobs at the DiMP defaults."""
    return dimp_parameters('dimp18.pth', "DiMP18, 'dimp18.pth'")
