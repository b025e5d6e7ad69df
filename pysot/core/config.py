"""pysot configuration: yacs defaults, overridden by ``experiments/<name>/config.yaml``.

Same keys and defaults as STVIR/pysot ``pysot/core/config.py`` (so upstream experiment files load
unchanged). Usage as upstream::

    from pysot.core.config import cfg
    cfg.merge_from_file('pysot/experiments/siamrpn_r50_l234_dwxcorr/config.yaml')

or, without touching the global ``cfg`` (several experiments in one process)::

    config = load_config('pysot/experiments/siamrpn_r50_l234_dwxcorr_lt/config.yaml')

Difference from upstream: a yaml key that has no default, a value of the wrong type and an
unreadable yaml file are a :class:`ConfigError` naming the key AND the file (yacs alone raises a
bare ``KeyError('Non-existent config key: ...')`` that does not say which file).
"""
from __future__ import annotations

import os
from typing import Union

import yaml
from yacs.config import CfgNode

__all__ = ['ConfigError', 'PysotConfig', 'cfg', 'default_config', 'load_config']


class ConfigError(ValueError):
    """A pysot config file that cannot be merged: unknown key, wrong value type, bad yaml (one line)."""


class PysotConfig(CfgNode):
    """The root config node; :meth:`merge_from_file` names the file in its errors."""

    def merge_from_file(self, cfg_filename: Union[str, os.PathLike]) -> None:
        """Merge the yaml file `cfg_filename`; ConfigError naming the file and the offending key."""
        path = os.fspath(cfg_filename)
        if not os.path.isfile(path):
            raise ConfigError(f"{path}: no such pysot config file")
        try:
            super().merge_from_file(path)
        except KeyError as e:
            message = str(e.args[0]) if e.args else str(e)
            key = message.split(':', 1)[1].strip() if ':' in message else message
            raise ConfigError(f"{path}: unknown config key '{key}' (pysot/core/config.py has no such default)") from None
        except ValueError as e:  # yacs type mismatch: 'Type mismatch (...) for config key: X'
            raise ConfigError(f"{path}: {' '.join(str(e).split())}") from None
        except (yaml.YAMLError, AssertionError) as e:
            raise ConfigError(f"{path}: not a valid pysot config ({' '.join(str(e).split())[:200]})") from None


def _defaults() -> PysotConfig:
    """A fresh node holding upstream's defaults (STVIR/pysot ``pysot/core/config.py``)."""
    c = PysotConfig()  # every node is a PysotConfig: yacs re-creates merged nodes with the root's class
    c.META_ARC = "siamrpn_r50_l234_dwxcorr"
    c.CUDA = True  # kept for config compatibility; the device is an argument here, never read from cfg

    # -- training (kept so that upstream training configs merge) --
    c.TRAIN = PysotConfig()
    c.TRAIN.THR_HIGH = 0.6
    c.TRAIN.THR_LOW = 0.3
    c.TRAIN.NEG_NUM = 16
    c.TRAIN.POS_NUM = 16
    c.TRAIN.TOTAL_NUM = 64
    c.TRAIN.EXEMPLAR_SIZE = 127
    c.TRAIN.SEARCH_SIZE = 255
    c.TRAIN.BASE_SIZE = 8
    c.TRAIN.OUTPUT_SIZE = 25
    c.TRAIN.RESUME = ''
    c.TRAIN.PRETRAINED = ''
    c.TRAIN.LOG_DIR = './logs'
    c.TRAIN.SNAPSHOT_DIR = './snapshot'
    c.TRAIN.EPOCH = 20
    c.TRAIN.START_EPOCH = 0
    c.TRAIN.BATCH_SIZE = 32
    c.TRAIN.NUM_WORKERS = 1
    c.TRAIN.MOMENTUM = 0.9
    c.TRAIN.WEIGHT_DECAY = 0.0001
    c.TRAIN.CLS_WEIGHT = 1.0
    c.TRAIN.LOC_WEIGHT = 1.2
    c.TRAIN.MASK_WEIGHT = 1
    c.TRAIN.PRINT_FREQ = 20
    c.TRAIN.LOG_GRADS = False
    c.TRAIN.GRAD_CLIP = 10.0
    c.TRAIN.BASE_LR = 0.005
    c.TRAIN.LR = PysotConfig()
    c.TRAIN.LR.TYPE = 'log'
    c.TRAIN.LR.KWARGS = PysotConfig(new_allowed=True)
    c.TRAIN.LR_WARMUP = PysotConfig()
    c.TRAIN.LR_WARMUP.WARMUP = True
    c.TRAIN.LR_WARMUP.TYPE = 'step'
    c.TRAIN.LR_WARMUP.EPOCH = 5
    c.TRAIN.LR_WARMUP.KWARGS = PysotConfig(new_allowed=True)

    # -- datasets --
    c.DATASET = PysotConfig(new_allowed=True)
    c.DATASET.TEMPLATE = PysotConfig()
    c.DATASET.TEMPLATE.SHIFT = 4
    c.DATASET.TEMPLATE.SCALE = 0.05
    c.DATASET.TEMPLATE.BLUR = 0.0
    c.DATASET.TEMPLATE.FLIP = 0.0
    c.DATASET.TEMPLATE.COLOR = 1.0
    c.DATASET.SEARCH = PysotConfig()
    c.DATASET.SEARCH.SHIFT = 64
    c.DATASET.SEARCH.SCALE = 0.18
    c.DATASET.SEARCH.BLUR = 0.0
    c.DATASET.SEARCH.FLIP = 0.0
    c.DATASET.SEARCH.COLOR = 1.0
    c.DATASET.NEG = 0.2
    c.DATASET.GRAY = 0.0
    c.DATASET.NAMES = ('VID', 'COCO', 'DET', 'YOUTUBEBB')
    for name, root, anno, frame_range, num_use in (
            ('VID', 'vid/crop511', 'vid/train.json', 100, 100000),
            ('YOUTUBEBB', 'yt_bb/crop511', 'yt_bb/train.json', 3, -1),
            ('COCO', 'coco/crop511', 'coco/train2017.json', 1, -1),
            ('DET', 'det/crop511', 'det/train.json', 1, -1)):
        node = PysotConfig()
        node.ROOT = 'training_dataset/' + root
        node.ANNO = 'training_dataset/' + anno
        node.FRAME_RANGE = frame_range
        node.NUM_USE = num_use
        c.DATASET[name] = node
    c.DATASET.VIDEOS_PER_EPOCH = 600000

    # -- backbone --
    c.BACKBONE = PysotConfig()
    c.BACKBONE.TYPE = 'res50'
    c.BACKBONE.KWARGS = PysotConfig(new_allowed=True)
    c.BACKBONE.PRETRAINED = ''
    c.BACKBONE.TRAIN_LAYERS = ['layer2', 'layer3', 'layer4']
    c.BACKBONE.LAYERS_LR = 0.1
    c.BACKBONE.TRAIN_EPOCH = 10

    # -- adjust (neck) --
    c.ADJUST = PysotConfig()
    c.ADJUST.ADJUST = True
    c.ADJUST.KWARGS = PysotConfig(new_allowed=True)
    c.ADJUST.TYPE = 'AdjustAllLayer'

    # -- RPN head --
    c.RPN = PysotConfig()
    c.RPN.TYPE = 'MultiRPN'
    c.RPN.KWARGS = PysotConfig(new_allowed=True)

    # -- mask (SiamMask; not built here) --
    c.MASK = PysotConfig()
    c.MASK.MASK = False
    c.MASK.TYPE = 'MaskCorr'
    c.MASK.KWARGS = PysotConfig(new_allowed=True)
    c.REFINE = PysotConfig()
    c.REFINE.REFINE = False
    c.REFINE.TYPE = 'Refine'

    # -- anchors --
    c.ANCHOR = PysotConfig()
    c.ANCHOR.STRIDE = 8
    c.ANCHOR.RATIOS = [0.33, 0.5, 1, 2, 3]
    c.ANCHOR.SCALES = [8]
    c.ANCHOR.ANCHOR_NUM = len(c.ANCHOR.RATIOS) * len(c.ANCHOR.SCALES)

    # -- tracker --
    c.TRACK = PysotConfig()
    c.TRACK.TYPE = 'SiamRPNTracker'
    c.TRACK.PENALTY_K = 0.04          # scale/aspect change penalty
    c.TRACK.WINDOW_INFLUENCE = 0.44   # cosine window weight
    c.TRACK.LR = 0.4                  # size interpolation rate
    c.TRACK.EXEMPLAR_SIZE = 127
    c.TRACK.INSTANCE_SIZE = 255
    c.TRACK.BASE_SIZE = 8
    c.TRACK.CONTEXT_AMOUNT = 0.5
    c.TRACK.LOST_INSTANCE_SIZE = 831  # long-term: search size while lost
    c.TRACK.CONFIDENCE_LOW = 0.85     # long-term: below -> lost
    c.TRACK.CONFIDENCE_HIGH = 0.998   # long-term: above -> found again
    c.TRACK.MASK_THERSHOLD = 0.30     # (sic, upstream key name)
    c.TRACK.MASK_OUTPUT_SIZE = 127
    return c


def default_config() -> PysotConfig:
    """A fresh copy of the defaults (independent of the global ``cfg``)."""
    return _defaults()


def load_config(path: Union[str, os.PathLike]) -> PysotConfig:
    """The defaults merged with the yaml file `path` (ConfigError naming the file and key on a bad file)."""
    config = _defaults()
    config.merge_from_file(path)
    return config


# The global config of upstream's API (``from pysot.core.config import cfg``).
cfg = _defaults()
