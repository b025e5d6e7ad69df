"""Training settings object passed to a recipe's ``run(settings)`` (upstream name ``Settings``).

Command-line overrides (``--set name=value``) are applied before the recipe runs and then *locked*:
the recipe's own assignment of the same name keeps the user's value. After the recipe has built
its trainer, :meth:`Settings.check_overrides` rejects overrides of names the recipe never set
(typos), so an unknown name is an error instead of a silent no-op.
"""
from __future__ import annotations

import ast
from typing import Dict

from ltr.admin.cli import UserInputError
from ltr.admin.environment import env_settings


def parse_value(text: str):
    """A command-line value as a Python literal when it is one (``4``, ``1e-3``, ``[1, 2]``), else the string."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


class Settings:
    """Attribute bag for one training run; ``env`` holds the machine's paths (ltr/admin/local.py)."""

    def __init__(self):
        object.__setattr__(self, '_locked', {})
        object.__setattr__(self, '_assigned', set())
        self.set_default()

    def set_default(self) -> None:
        self.env = env_settings()
        self.use_gpu = True

    def __setattr__(self, name: str, value) -> None:
        self._assigned.add(name)
        if name in self._locked:
            value = self._locked[name]
        object.__setattr__(self, name, value)

    def lock(self, overrides: Dict[str, object]) -> None:
        """Set and lock `overrides` (name -> value) so the recipe cannot replace them."""
        for name, value in overrides.items():
            self._locked[name] = value
            object.__setattr__(self, name, value)

    def check_overrides(self) -> None:
        """Raise UserInputError for overrides of names the recipe never set."""
        unknown = sorted(set(self._locked) - self._assigned)
        if unknown:
            known = sorted(n for n in self._assigned if not n.startswith('_'))
            raise UserInputError(f"unknown setting(s) {', '.join(unknown)} for this recipe (it sets: {', '.join(known)})")
