"""KCF that never changes its box size (one scale): the demo's base tracker that cannot adapt to scale or aspect."""
from pytracking.parameter.kcf.default import parameters as default_parameters
from pytracking.utils.params import TrackerParams


def parameters() -> TrackerParams:
    """The default KCF knobs with ``num_scales = 1``: position only, the first frame's size throughout."""
    params = default_parameters()
    params.num_scales = 1
    return params
