"""Defaults of the VOT2020 entry points under upstream's names (``arena/VOT2020/common_path.py``), values from
configuration (``arena/paths.py``, doc/vot2020.md)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))  # uninstalled checkout

from arena.paths import RF_TYPE, refine_path as _refine_path  # noqa: E402
from arena.VOT2020.tracking import MASK_THRESHOLD  # noqa: E402

refine_path = _refine_path()
RF_type = RF_TYPE
selector_path = 0
sr = 2.0
input_sz = int(128 * sr)  # 256
_tracker_name = 'atom'  # run_pytracking*.py defaults, as upstream
_tracker_param = 'default'
_mask_thres = MASK_THRESHOLD
