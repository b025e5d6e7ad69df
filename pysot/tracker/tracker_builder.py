"""build_tracker: the tracker class named by ``cfg.TRACK.TYPE`` (STVIR/pysot ``tracker_builder.py``)."""
from __future__ import annotations

from typing import Any, Dict, Type

from pysot.core.config import ConfigError, cfg as global_cfg
from pysot.tracker.siammask_tracker import SiamMaskTracker
from pysot.tracker.siamrpn_tracker import SiamRPNTracker
from pysot.tracker.siamrpnlt_tracker import SiamRPNLTTracker

__all__ = ['TRACKS', 'build_tracker']

TRACKS: Dict[str, Type[SiamRPNTracker]] = {
    'SiamRPNTracker': SiamRPNTracker,
    'SiamRPNLTTracker': SiamRPNLTTracker,
    'SiamMaskTracker': SiamMaskTracker,
}


def build_tracker(model: Any, config=None) -> SiamRPNTracker:
    """A ``config.TRACK.TYPE`` tracker around `model` (`config` None = the global ``cfg``)."""
    config = config if config is not None else global_cfg
    name = config.TRACK.TYPE
    if name not in TRACKS:
        raise ConfigError(f"TRACK.TYPE '{name}' is not available (available: {', '.join(TRACKS)})")
    return TRACKS[name](model, config)
