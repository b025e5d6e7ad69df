"""Which refiner checkpoint to use when none is named: one lookup for the arena, run_video and the demo.

Order: an explicit path (used as given), a configured path that exists (``common_path.refine_path``),
the official AR34c+m at the README location
``<workspace_dir>/checkpoints/ltr/SEx_beta/SEcm_r34/SEcmnet_ep0040-c.pth.tar``, the latest checkpoint
of the synthetic training recipe (``python ltr/run_training.py SEx_beta SEcm_synthetic``).
"""
from __future__ import annotations

import os
from typing import Any, Optional, Tuple

__all__ = ['OFFICIAL_REFINER', 'SYNTHETIC_REFINER_DIR', 'TRAIN_HINT', 'find_refiner', 'refiner_identity']

OFFICIAL_REFINER = os.path.join('checkpoints', 'ltr', 'SEx_beta', 'SEcm_r34', 'SEcmnet_ep0040-c.pth.tar')
SYNTHETIC_REFINER_DIR = os.path.join('checkpoints', 'ltr', 'SEx_beta', 'SEcm_synthetic')
TRAIN_HINT = 'python ltr/run_training.py SEx_beta SEcm_synthetic'


def find_refiner(explicit: Optional[str] = None, configured: Optional[str] = None,
                 workspace_dir: Optional[str] = None) -> Tuple[Optional[str], str]:
    """(checkpoint path or None, one line saying which refiner it is or what to do when there is none)."""
    from ltr.admin.loading import latest_checkpoint
    if explicit:
        return explicit, f"refiner: {explicit}"
    if configured and os.path.isfile(configured):
        return configured, f"refiner: {configured}"
    if workspace_dir is None:
        from ltr.admin.environment import env_settings
        workspace_dir = env_settings().workspace_dir
    official = os.path.join(workspace_dir or '', OFFICIAL_REFINER)
    if os.path.isfile(official):
        return official, f"refiner: official AR34c+m ({official})"
    trained = latest_checkpoint(os.path.join(workspace_dir or '', SYNTHETIC_REFINER_DIR))
    if trained:
        return trained, f"refiner: synthetic-trained SEcm_synthetic ({trained})"
    return None, (f"no refiner checkpoint: place the official AR34c+m at {official} (or set ARENA_REFINE_PATH), "
                  f"or train one with: {TRAIN_HINT}")


def refiner_identity(source: Any) -> str:
    """A string that changes when the refiner changes (path, size, modification time; or a module's class)."""
    if isinstance(source, (str, os.PathLike)):
        path = os.path.abspath(os.fspath(source))
        st = os.stat(path)
        return f"{path}|{st.st_size}|{st.st_mtime_ns}"
    return f"module:{type(source).__name__}"
