"""DiMP-50 (upstream ``pytracking/parameter/dimp/dimp50.py``): network ``dimp50.pth``."""
from pytracking.parameter.dimp import dimp_parameters
from pytracking.utils.params import TrackerParams


def parameters() -> TrackerParams:
    """DiMP with a ResNet-50 backbone; all knobs at the DiMP defaults."""
    return dimp_parameters('dimp50.pth', "DiMP50, 'dimp50.pth'")
