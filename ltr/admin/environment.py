"""Training environment: dataset roots and output folders from ``ltr/admin/local.py``.

The file is created from :func:`local_template` on first use (git-ignored, never overwritten).
Every attribute can be overridden with ``LTR_<ATTR>`` in the environment, e.g. ``LTR_LASOT_DIR``.
"""
from __future__ import annotations

import os

from ltr.admin.local_settings import LocalSettings, apply_environment, import_local_module, public_attrs

LTR_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOCAL_FILE = os.path.join(LTR_DIR, 'admin', 'local.py')
ENV_PREFIX = 'LTR'

# attribute -> comment shown in the template; defaults are empty except the output folders.
DATASET_ATTRS = {
    'lasot_dir': 'LaSOT root (holds <class>/<class>-<k>/)',
    'got10k_dir': 'GOT-10k train folder (holds GOT-10k_Train_000001/ ... and list.txt)',
    'trackingnet_dir': 'TrackingNet root (holds TRAIN_0/ ... TRAIN_11/)',
    'coco_dir': 'COCO root (holds images/train2017 or train2017/, annotations/)',
    'lvis_dir': 'LVIS root (holds images/, annotations/)',
    'sbd_dir': 'SBD root',
    'imagenet_dir': 'ImageNet VID root (holds Data/, Annotations/)',
    'imagenetdet_dir': 'ImageNet DET root (holds Data/DET, Annotations/DET)',
    'ecssd_dir': 'ECSSD saliency set',
    'hkuis_dir': 'HKU-IS saliency set',
    'msra10k_dir': 'MSRA10k saliency set',
    'saliency_dir': 'combined saliency set (images/%08d.jpg, gt/%08d.png)',
    'davis_dir': 'DAVIS root',
    'youtubevos_dir': 'YouTube-VOS root (holds train/JPEGImages, train/Annotations)',
}
OUTPUT_ATTRS = ('workspace_dir', 'tensorboard_dir', 'pretrained_networks')
ALL_ATTRS = OUTPUT_ATTRS + tuple(DATASET_ATTRS)


def local_template() -> str:
    """Text of a fresh ``ltr/admin/local.py``: output folders under ``ltr/``, dataset roots empty."""
    lines = [
        '"""Machine-local training paths (created from a template; git-ignored; edit freely).',
        '',
        'Every attribute can also be overridden by the environment variable LTR_<ATTR>, e.g. LTR_LASOT_DIR.',
        '"""',
        'import os',
        '',
        "_LTR_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))",
        '',
        '',
        'class EnvironmentSettings:',
        '    def __init__(self):',
        "        self.workspace_dir = _LTR_DIR  # checkpoints go to <workspace_dir>/checkpoints/",
        "        self.tensorboard_dir = os.path.join(_LTR_DIR, 'tensorboard')",
        "        self.pretrained_networks = os.path.join(_LTR_DIR, 'pretrained_networks')",
    ]
    lines += [f"        self.{attr} = ''  # {comment}" for attr, comment in DATASET_ATTRS.items()]
    return '\n'.join(lines) + '\n'


class EnvSettings(LocalSettings):
    """Resolved training paths (file, then environment)."""

    _local_file = LOCAL_FILE
    _env_prefix = ENV_PREFIX


def env_settings() -> EnvSettings:
    """Training paths from ``ltr/admin/local.py`` (created on first use) overridden by ``LTR_*`` variables."""
    module = import_local_module('ltr.admin.local', EnvSettings._local_file, local_template)
    settings = EnvSettings()
    for attr in ALL_ATTRS:
        setattr(settings, attr, '')
    vars(settings).update(vars(module.EnvironmentSettings()))
    apply_environment(settings, ENV_PREFIX, public_attrs(settings))
    return settings
