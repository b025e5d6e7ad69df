"""Which refiner checkpoint to use when none is named: one lookup for the arena, run_video, the demo and
the benchmarks.

Order: an explicit path (used as given), a configured path that exists (``common_path.refine_path``),
the official AR34c+m at the README location
``<workspace_dir>/checkpoints/ltr/SEx_beta/SEcm_r34/SEcmnet_ep0040-c.pth.tar``, the latest checkpoint
of a local run of the demo's recipe (its two stages ``SEx_beta SEcm_lite0_synthetic`` then
``SEx_beta SEcm_lite0_synthetic_s8``, what ``make demo-train`` runs: the second stage's checkpoint), and
last the demo refiner shipped in the repository (``pytracking/refine_modules/weights/SEcm_lite0_synthetic.pth.tar``,
MODEL_ZOO.md).
"""
from __future__ import annotations

import os
from typing import Any, Dict, Optional, Tuple

__all__ = ['OFFICIAL_REFINER', 'SYNTHETIC_STAGES', 'SYNTHETIC_RECIPE', 'SHIPPED_REFINER',
           'TRAIN_HINT', 'find_refiner', 'refiner_identity', 'train_synthetic_refiner']

OFFICIAL_REFINER = os.path.join('checkpoints', 'ltr', 'SEx_beta', 'SEcm_r34', 'SEcmnet_ep0040-c.pth.tar')
# the demo refiner's recipe: the coarse network, then its stride-8 corner refinement fine-tuned from it
SYNTHETIC_STAGES = (('SEx_beta', 'SEcm_lite0_synthetic'), ('SEx_beta', 'SEcm_lite0_synthetic_s8'))
SYNTHETIC_RECIPE = SYNTHETIC_STAGES[-1]
SHIPPED_REFINER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'refine_modules',
                               'weights', 'SEcm_lite0_synthetic.pth.tar')
TRAIN_HINT = ' then '.join('python ltr/run_training.py ' + ' '.join(stage) for stage in SYNTHETIC_STAGES)


def train_synthetic_refiner(overrides: Optional[Dict[str, Any]] = None):
    """Train (or resume) the demo refiner's stages in order with the same `overrides`; the last stage's trainer."""
    from ltr.run_training import run_training
    trainer = None
    for stage in SYNTHETIC_STAGES:
        print(f"training the demo refiner: {' '.join(stage)} (resumable; hours on a CPU)", flush=True)
        trainer = run_training(*stage, overrides=overrides)
    return trainer


def find_refiner(explicit: Optional[str] = None, configured: Optional[str] = None,
                 workspace_dir: Optional[str] = None) -> Tuple[Optional[str], str]:
    """(checkpoint path or None, one line saying which refiner it is or what to do when there is none)."""
    from ltr.admin.loading import latest_checkpoint, recipe_checkpoint_dir
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
    trained = latest_checkpoint(recipe_checkpoint_dir(*SYNTHETIC_RECIPE, workspace_dir or ''))
    if trained:
        return trained, f"refiner: locally trained {SYNTHETIC_RECIPE[1]} ({trained})"
    if os.path.isfile(SHIPPED_REFINER):
        return SHIPPED_REFINER, f"refiner: shipped demo refiner {SYNTHETIC_RECIPE[1]} ({SHIPPED_REFINER})"
    return None, (f"no refiner checkpoint: place the official AR34c+m at {official} (or set ARENA_REFINE_PATH), "
                  f"or train one with: {TRAIN_HINT}")


def refiner_identity(source: Any) -> str:
    """A string that changes when the refiner changes (path, size, modification time; or a module's class)."""
    if isinstance(source, (str, os.PathLike)):
        path = os.path.abspath(os.fspath(source))
        st = os.stat(path)
        return f"{path}|{st.st_size}|{st.st_mtime_ns}"
    return f"module:{type(source).__name__}"
