"""Evaluation environment: networks, results and benchmark roots from ``pytracking/evaluation/local.py``
(import path kept by ``pytracking/evaluation/environment.py``, which the ``local.py`` template names).

The file is created from :func:`local_template` on first use (git-ignored, never overwritten).
Every attribute can be overridden with ``PYTRACKING_<ATTR>`` in the environment, e.g.
``PYTRACKING_LASOT_PATH``.
"""
from __future__ import annotations

import os

from ltr.admin.local_settings import LocalSettings, apply_environment, import_local_module, public_attrs

PYTRACKING_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOCAL_FILE = os.path.join(PYTRACKING_DIR, 'evaluation', 'local.py')
ENV_PREFIX = 'PYTRACKING'

# attribute -> (default expression inside the template, comment)
ATTRS = {
    'network_path': ("os.path.join(_PYTRACKING_DIR, 'networks')", 'where network files (*.pth, *.pth.tar) are found'),
    'results_path': ("os.path.join(_PYTRACKING_DIR, 'tracking_results')", 'tracker results'),
    'segmentation_path': ("os.path.join(_PYTRACKING_DIR, 'segmentation_results')", 'segmentation results'),
    'result_plot_path': ("os.path.join(_PYTRACKING_DIR, 'result_plots')", 'plots and tables'),
    'got_packed_results_path': ("os.path.join(_PYTRACKING_DIR, 'tracking_results', 'packed_got10k')", 'GOT-10k submission zips'),
    'got_reports_path': ("''", 'GOT-10k reports'),
    'tn_packed_results_path': ("os.path.join(_PYTRACKING_DIR, 'tracking_results', 'packed_trackingnet')", 'TrackingNet submission zips'),
    'lasot_path': ("''", 'LaSOT root (holds <class>/<class>-<k>/)'),
    'got10k_path': ("''", 'GOT-10k root (holds train/, val/, test/)'),
    'trackingnet_path': ("''", 'TrackingNet root (holds TEST/, TRAIN_0/ ...)'),
    'otb_path': ("''", 'OTB-100 root'),
    'nfs_path': ("''", 'NfS root'),
    'uav_path': ("''", 'UAV123 root'),
    'tpl_path': ("''", 'Temple-Color-128 root'),
    'vot_path': ("''", 'VOT root'),
    'davis_dir': ("''", 'DAVIS root'),
    'youtubevos_dir': ("''", 'YouTube-VOS root'),
}


def local_template() -> str:
    """Text of a fresh ``pytracking/evaluation/local.py`` (upstream form: ``local_env_settings()``)."""
    lines = [
        '"""Machine-local evaluation paths (created from a template; git-ignored; edit freely).',
        '',
        'Every attribute can also be overridden by the environment variable PYTRACKING_<ATTR>,',
        'e.g. PYTRACKING_LASOT_PATH. network_path may be a list of folders, tried in order.',
        '"""',
        'import os',
        '',
        'from pytracking.evaluation.environment import EnvSettings',
        '',
        "_PYTRACKING_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))",
        '',
        '',
        'def local_env_settings():',
        '    settings = EnvSettings()',
    ]
    lines += [f'    settings.{attr} = {default}  # {comment}' for attr, (default, comment) in ATTRS.items()]
    lines += ['    return settings']
    return '\n'.join(lines) + '\n'


class EnvSettings(LocalSettings):
    """Resolved evaluation paths (file, then environment); every attribute starts empty."""

    _local_file = LOCAL_FILE
    _env_prefix = ENV_PREFIX

    def __init__(self):
        for attr in ATTRS:
            setattr(self, attr, '')


def env_settings() -> EnvSettings:
    """Evaluation paths from ``pytracking/evaluation/local.py`` (created on first use) and ``PYTRACKING_*``."""
    module = import_local_module('pytracking.evaluation.local', EnvSettings._local_file, local_template)
    settings = module.local_env_settings()
    return apply_environment(settings, ENV_PREFIX, public_attrs(settings))
