"""Defaults of the OTB-style arena scripts (upstream names; values from configuration, never edited here).

``dataset_root_``: ``otb_path`` of ``pytracking/evaluation/local.py`` / ``PYTRACKING_OTB_PATH``;
``dataset_roots``: the root of each set ``eval.py --dataset`` can score (OTB100: ``otb_path``,
NFS30: ``nfs_path``, UAV123: ``uav_path``); '' = not configured: the scripts fall back to the
synthetic benchmark. ``save_dir``: ``$ARENA_SAVE_DIR`` or ``arena/analysis``. ``refine_path``:
``$ARENA_REFINE_PATH`` or ``<network_path>/SEcmnet_ep0040-c.pth.tar``.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from arena import paths  # noqa: E402

refine_path = paths.refine_path()
RF_type = paths.RF_TYPE
selector_path = 0
sr = 2.0
input_sz = int(128 * sr)
dataset_root_ = paths.dataset_root('otb_path')
dataset_roots = {'OTB100': dataset_root_, 'NFS30': paths.dataset_root('nfs_path'),
                 'UAV123': paths.dataset_root('uav_path')}
save_dir = paths.save_dir()
