"""DiMP / PrDiMP / SuperDiMP base tracker (upstream ``pytracking/tracker/dimp``)."""
from pytracking.tracker.dimp.dimp import DiMP


def get_tracker_class() -> type:
    """The tracker class of this package (pytracking's lookup convention)."""
    return DiMP
