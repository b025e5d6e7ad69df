"""ECO: pytracking's factorised-convolution DCF tracker (see ``eco.py``)."""
from pytracking.tracker.eco.eco import ECO


def get_tracker_class() -> type:
    """The tracker class of this package (pytracking's lookup convention)."""
    return ECO
