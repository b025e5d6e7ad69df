"""Training settings object passed to a recipe's ``run(settings)`` (upstream name ``Settings``)."""
from __future__ import annotations

from ltr.admin.environment import env_settings


class Settings:
    """Attribute bag for one training run; ``env`` holds the machine's paths (ltr/admin/local.py)."""

    def __init__(self):
        self.set_default()

    def set_default(self) -> None:
        self.env = env_settings()
        self.use_gpu = True
