"""Example experiments (upstream's module name): each function returns ``(trackers, dataset)``.

    python pytracking/run_experiment.py myexperiments kcf_synthetic
"""
from __future__ import annotations

from typing import List, Tuple

from pytracking.evaluation.data import SequenceList
from pytracking.tracker_factory import Tracker, trackerlist
from pytracking.run_tracker import load_dataset


def kcf_synthetic() -> Tuple[List[Tracker], SequenceList]:
    """KCF (default parameters) on the default synthetic LaSOT-layout test split."""
    return trackerlist('kcf', 'default'), load_dataset('synthetic_lasot')


def kcf_lasot() -> Tuple[List[Tracker], SequenceList]:
    """KCF (default parameters) on the configured LaSOT test set (280 sequences)."""
    return trackerlist('kcf', 'default'), load_dataset('lasot')
