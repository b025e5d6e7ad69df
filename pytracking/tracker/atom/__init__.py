"""ATOM (Danelljan et al., CVPR 2019): online factorised-convolution classifier + IoU-Net box refinement."""
from pytracking.tracker.atom.atom import ATOM


def get_tracker_class() -> type:
    """The tracker class of this package (pytracking's lookup convention)."""
    return ATOM
