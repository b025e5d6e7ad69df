"""Defaults shared by the arena's ``common_path.py`` files (upstream names, values from configuration)."""
from __future__ import annotations

import os
from typing import NamedTuple

from arena import ARENA_DIR

RF_TYPE = 'AR_CrsM_R34SR20_pixCorr_woPr_woNL_corner'
REFINER_FILE = 'SEcmnet_ep0040-c.pth.tar'


def save_dir() -> str:
    """Where arena results and reports go: ``$ARENA_SAVE_DIR`` or ``arena/analysis`` (git-ignored)."""
    return os.environ.get('ARENA_SAVE_DIR') or os.path.join(ARENA_DIR, 'analysis')


def refine_path() -> str:
    """The refiner checkpoint: ``$ARENA_REFINE_PATH`` or ``<network_path>/SEcmnet_ep0040-c.pth.tar``."""
    if os.environ.get('ARENA_REFINE_PATH'):
        return os.environ['ARENA_REFINE_PATH']
    from pytracking.utils.environment import env_settings
    net = env_settings().network_path
    net = net[0] if isinstance(net, (list, tuple)) and net else net
    return os.path.join(net or '', REFINER_FILE)


def dataset_root(attr: str) -> str:
    """A benchmark root from ``pytracking/evaluation/local.py`` / ``PYTRACKING_<ATTR>`` ('' when unset)."""
    from pytracking.utils.environment import env_settings
    return getattr(env_settings(), attr, '') or ''


_SYNTHETIC_ENV = {'ARENA_SYNTHETIC_SEQUENCES': 'num_sequences', 'ARENA_SYNTHETIC_FRAMES': 'frames',
                  'ARENA_SYNTHETIC_SEED': 'seed', 'ARENA_SYNTHETIC_SIZE': 'size'}


def synthetic_params() -> dict:
    """Generator parameters of the synthetic fallback benchmark that differ from the generator's
    defaults: ``$ARENA_SYNTHETIC_SEQUENCES``, ``$ARENA_SYNTHETIC_FRAMES``, ``$ARENA_SYNTHETIC_SEED``
    (integers) and ``$ARENA_SYNTHETIC_SIZE`` (``WxH``). A malformed value is a ValueError naming it."""
    params = {}
    for var, key in _SYNTHETIC_ENV.items():
        value = os.environ.get(var, '').strip()
        if not value:
            continue
        try:
            params[key] = tuple(int(v) for v in value.lower().split('x')) if key == 'size' else int(value)
        except ValueError:
            raise ValueError(f"${var}={value!r}: expected {'WxH' if key == 'size' else 'an integer'}") from None
        if key == 'size' and len(params[key]) != 2:
            raise ValueError(f"${var}={value!r}: expected WxH")
    return params


class ScriptDefaults(NamedTuple):
    """Upstream's ``common_path.py`` names, in the order the ``common_path.py`` files unpack them."""
    refine_path: str
    RF_type: str
    selector_path: int
    sr: float
    input_sz: int
    dataset_root_: str
    save_dir: str


def script_defaults(benchmark: str) -> ScriptDefaults:
    """The ``common_path.py`` values of the scripts of `benchmark` (a key of ``arena.benchmarks.BENCHMARKS``):
    refiner file, upstream's RF_type, selector 0, search factor 2.0 and input 256 (upstream's values), the
    benchmark's configured root ('' = not configured: synthetic fallback) and the results folder."""
    from arena.benchmarks import BENCHMARKS
    sr = 2.0
    return ScriptDefaults(refine_path(), RF_TYPE, 0, sr, int(128 * sr), dataset_root(BENCHMARKS[benchmark].root_attr),
                          save_dir())
