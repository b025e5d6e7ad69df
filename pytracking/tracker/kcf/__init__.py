"""KCF: the weights-free base tracker (numpy FFT correlation filter with hand-crafted features)."""
from pytracking.tracker.kcf.kcf import KCF


def get_tracker_class() -> type:
    """The tracker class of this package (pytracking's lookup convention)."""
    return KCF
