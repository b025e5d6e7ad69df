"""Registry of evaluation datasets: ``get_dataset(name, root=None)`` -> SequenceList.

Names (pytracking's): ``lasot`` (280 test), ``lasot_full``, ``lasot_train``, ``got10k_val``,
``got10k_test``, ``got10k_train``, ``trackingnet`` (TEST), ``trackingnet_train`` (TRAIN_0..11),
``otb`` (OTB-100), ``nfs`` (NFS-30), ``uav`` (UAV123), ``synthetic_lasot``, ``synthetic_got10k_val``,
``synthetic_got10k_test``. Roots default to ``pytracking/evaluation/local.py`` / ``PYTRACKING_*``
(synthetic sets need `root`).
"""
from __future__ import annotations

from functools import partial
from typing import Callable, Dict, Optional

from pytracking.evaluation.data import SequenceList
from pytracking.evaluation.got10kdataset import got10k_dataset
from pytracking.evaluation.lasotdataset import lasot_dataset
from pytracking.evaluation.nfsdataset import nfs_dataset
from pytracking.evaluation.otbdataset import otb_dataset
from pytracking.evaluation.syntheticdataset import synthetic_got10k_dataset, synthetic_lasot_dataset
from pytracking.evaluation.trackingnetdataset import trackingnet_dataset
from pytracking.evaluation.uavdataset import uav_dataset

DATASETS: Dict[str, Callable[..., SequenceList]] = {
    'lasot': partial(lasot_dataset, split='test'),
    'lasot_full': partial(lasot_dataset, split='full'),
    'lasot_train': partial(lasot_dataset, split='train'),
    'got10k_val': partial(got10k_dataset, split='val'),
    'got10k_test': partial(got10k_dataset, split='test'),
    'got10k_train': partial(got10k_dataset, split='train'),
    'trackingnet': partial(trackingnet_dataset, chunks='TEST'),
    'trackingnet_train': partial(trackingnet_dataset, chunks=[f'TRAIN_{i}' for i in range(12)]),
    'otb': otb_dataset,
    'nfs': nfs_dataset,
    'uav': uav_dataset,
    'synthetic_lasot': partial(synthetic_lasot_dataset, split='test'),
    'synthetic_got10k_val': partial(synthetic_got10k_dataset, split='val'),
    'synthetic_got10k_test': partial(synthetic_got10k_dataset, split='test'),
}


def get_dataset(name: str, root: Optional[str] = None) -> SequenceList:
    """The sequences of dataset `name` (see the module docstring); unknown names are an error."""
    if name not in DATASETS:
        raise KeyError(f"unknown dataset '{name}' (known: {', '.join(sorted(DATASETS))})")
    return DATASETS[name](root=root)
