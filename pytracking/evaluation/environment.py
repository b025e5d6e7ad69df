"""Upstream's import path of the evaluation environment (``local.py`` files import ``EnvSettings`` from here).

The code lives in :mod:`pytracking.utils.environment` (a lower layer, so that network loading and features
can read ``network_path`` without importing ``pytracking.evaluation``).
"""
from pytracking.utils.environment import (ATTRS, ENV_PREFIX, LOCAL_FILE, PYTRACKING_DIR, EnvSettings, env_settings,
                                          local_template)

__all__ = ['ATTRS', 'ENV_PREFIX', 'LOCAL_FILE', 'PYTRACKING_DIR', 'EnvSettings', 'env_settings', 'local_template']
