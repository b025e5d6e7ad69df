"""Registry of evaluation datasets: one reader per on-disk layout, and pytracking's dataset names over them.

:data:`LAYOUTS` maps a layout (``lasot``, ``got10k``, ``trackingnet``, ``otb``, ``nfs``, ``uav``, ``tcolor128``) to its reader
and default split; :func:`read_layout` reads any tree in one of them (the arena's benchmark layer and the
named datasets both go through it). :func:`get_dataset` takes pytracking's names: ``lasot`` (280 test),
``lasot_full``, ``lasot_train``, ``got10k_val``, ``got10k_test``, ``got10k_train``, ``trackingnet`` (TEST),
``trackingnet_train`` (TRAIN_0..11), ``otb`` (OTB-100), ``nfs`` (NFS-30), ``uav`` (UAV123), ``tcolor128``
(Temple-Color-128; alias ``tpl``),
``synthetic_lasot``, ``synthetic_got10k_val``, ``synthetic_got10k_test``. Roots default to
``pytracking/evaluation/local.py`` / ``PYTRACKING_*`` (synthetic sets need `root`).
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Tuple

from pytracking.evaluation.data import SequenceList
from pytracking.evaluation.got10kdataset import got10k_dataset
from pytracking.evaluation.lasotdataset import lasot_dataset
from pytracking.evaluation.nfsdataset import nfs_dataset
from pytracking.evaluation.otbdataset import otb_dataset
from pytracking.evaluation.tcolor128dataset import tcolor128_dataset
from pytracking.evaluation.trackingnetdataset import trackingnet_dataset
from pytracking.evaluation.uavdataset import uav_dataset

__all__ = ['LAYOUTS', 'DATASETS', 'read_layout', 'get_dataset']

# layout -> (reader, default split; None: the layout has no splits)
LAYOUTS: Dict[str, Tuple[Callable[..., SequenceList], Any]] = {
    'lasot': (lasot_dataset, 'test'),
    'got10k': (got10k_dataset, 'val'),
    'trackingnet': (trackingnet_dataset, 'TEST'),
    'otb': (otb_dataset, None),
    'nfs': (nfs_dataset, None),
    'uav': (uav_dataset, None),
    'tcolor128': (tcolor128_dataset, None),
}

# pytracking's dataset name -> (layout, split, Sequence.dataset label; None: the reader's own)
DATASETS: Dict[str, Tuple[str, Any, Optional[str]]] = {
    'lasot': ('lasot', 'test', None),
    'lasot_full': ('lasot', 'full', None),
    'lasot_train': ('lasot', 'train', None),
    'got10k_val': ('got10k', 'val', None),
    'got10k_test': ('got10k', 'test', None),
    'got10k_train': ('got10k', 'train', None),
    'trackingnet': ('trackingnet', 'TEST', None),
    'trackingnet_train': ('trackingnet', [f'TRAIN_{i}' for i in range(12)], None),
    'otb': ('otb', None, None),
    'nfs': ('nfs', None, None),
    'uav': ('uav', None, None),
    'tcolor128': ('tcolor128', None, None),
    'tpl': ('tcolor128', None, None),
    'synthetic_lasot': ('lasot', 'test', 'synthetic_lasot'),
    'synthetic_got10k_val': ('got10k', 'val', 'synthetic_got10k'),
    'synthetic_got10k_test': ('got10k', 'test', 'synthetic_got10k'),
}


def read_layout(layout: str, root: Optional[str] = None, split: Any = None, dataset: Optional[str] = None) -> SequenceList:
    """The sequences of a tree in `layout` at `root` (default: the configured root of that layout).

    `split` defaults to the layout's (LaSOT ``test``, GOT-10k ``val``, TrackingNet ``TEST``; a TrackingNet
    split is a chunk name or a list of them); layouts without splits take none. `dataset` labels the
    sequences (``Sequence.dataset``; default: the reader's name for the layout).
    """
    if layout not in LAYOUTS:
        raise KeyError(f"unknown dataset layout '{layout}' (known: {', '.join(LAYOUTS)})")
    reader, default_split = LAYOUTS[layout]
    label = {} if dataset is None else {'dataset': dataset}
    if default_split is None:
        if split is not None:
            raise ValueError(f"the {layout} layout has no splits (got split {split!r})")
        return reader(root, **label)
    return reader(root, default_split if split is None else split, **label)


def get_dataset(name: str, root: Optional[str] = None) -> SequenceList:
    """The sequences of dataset `name` (see the module docstring); unknown names are an error."""
    if name not in DATASETS:
        raise KeyError(f"unknown dataset '{name}' (known: {', '.join(sorted(DATASETS))})")
    layout, split, label = DATASETS[name]
    return read_layout(layout, root, split, label)
