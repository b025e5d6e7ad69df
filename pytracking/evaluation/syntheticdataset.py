"""The synthetic benchmark: the LaSOT and GOT-10k readers pointed at a generated tree.

A LaSOT-layout tree holds ``testing_set.txt``/``training_set.txt`` and ``<class>/<seq>/``; a GOT-10k
layout tree holds ``train/ val/ test/`` with ``list.txt`` (test keeps full ground truth).
"""
from __future__ import annotations

from pytracking.evaluation.data import SequenceList
from pytracking.evaluation.got10kdataset import got10k_dataset
from pytracking.evaluation.lasotdataset import lasot_dataset
from pytracking.evaluation.readers_common import resolve_root


def synthetic_lasot_dataset(root: str, split: str = 'test') -> SequenceList:
    """Sequences of a generated LaSOT-layout tree (`root` is required: it has no configured default here)."""
    return lasot_dataset(resolve_root(root, 'lasot_path'), split, dataset='synthetic_lasot')


def synthetic_got10k_dataset(root: str, split: str = 'val') -> SequenceList:
    """Sequences of a generated GOT-10k-layout tree."""
    return got10k_dataset(resolve_root(root, 'got10k_path'), split, dataset='synthetic_got10k')
