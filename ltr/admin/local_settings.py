"""Machine-local settings files shared by `ltr` and `pytracking`.

Both packages keep their paths (datasets, networks, results) in a git-ignored ``local.py`` that is
created from a template the first time it is needed and never overwritten afterwards. Every
attribute can be overridden by an environment variable ``<PREFIX>_<ATTR>`` (upper case, e.g.
``LTR_LASOT_DIR`` or ``PYTRACKING_LASOT_PATH``) and by command-line flags of the entry points
(:func:`apply_overrides`). Precedence: file < environment < command line.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from typing import Any, Callable, Dict, Mapping, Optional


class MissingPathError(FileNotFoundError):
    """A configured path (dataset root, network folder, ...) is unset or does not exist."""


class LocalSettings:
    """Attribute bag for the paths of one machine, with clear errors for unset paths.

    Subclasses set ``_local_file`` (the local.py path) and ``_env_prefix`` so the errors can say
    where to set a path.
    """

    _local_file: str = 'local.py'
    _env_prefix: str = ''

    def how_to_set(self, attr: str) -> str:
        """One phrase telling the user where `attr` is configured."""
        return f"set {attr} in {self._local_file} or the environment variable {self._env_prefix}_{attr.upper()}"

    def require_dir(self, attr: str) -> str:
        """Return the directory configured as `attr`, or raise MissingPathError naming where to set it."""
        value = getattr(self, attr, '')
        if isinstance(value, (list, tuple)):
            existing = [v for v in value if v and os.path.isdir(v)]
            if existing:
                return existing[0]
            value = ', '.join(str(v) for v in value)
        elif value and os.path.isdir(value):
            return value
        if not value:
            raise MissingPathError(f"{attr} is not set: {self.how_to_set(attr)}")
        raise MissingPathError(f"{attr} = '{value}' does not exist: {self.how_to_set(attr)}")


def apply_environment(settings: Any, prefix: str, attrs) -> Any:
    """Override each attribute in `attrs` from the environment variable ``<prefix>_<ATTR>`` when set."""
    for attr in attrs:
        value = os.environ.get(f'{prefix}_{attr.upper()}')
        if value is not None:
            setattr(settings, attr, value)
    return settings


def apply_overrides(settings: Any, overrides: Optional[Mapping[str, Any]]) -> Any:
    """Apply command-line overrides (``None`` values are ignored); unknown names are an error."""
    for attr, value in (overrides or {}).items():
        if value is None:
            continue
        if not hasattr(settings, attr):
            raise AttributeError(f"unknown setting '{attr}' (known: {', '.join(sorted(public_attrs(settings)))})")
        setattr(settings, attr, value)
    return settings


def public_attrs(settings: Any) -> Dict[str, Any]:
    """The settings' public attributes as a dict (what a run saves next to its outputs)."""
    return {k: v for k, v in vars(settings).items() if not k.startswith('_')}


def import_local_module(module_name: str, local_file: str, template: Callable[[], str]):
    """Import `module_name` (a local.py), writing it from `template()` first when it is absent.

    An existing file is never overwritten; a syntax or other error inside it propagates unchanged,
    so the user sees the real problem instead of losing their paths.
    """
    if not os.path.exists(local_file):
        tmp = f'{local_file}.tmp{os.getpid()}'
        with open(tmp, 'w') as f:
            f.write(template())
        try:
            os.link(tmp, local_file)  # atomic, and never replaces a file another process just wrote
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    module = sys.modules.get(module_name)
    if module is not None and os.path.abspath(getattr(module, '__file__', '') or '') == os.path.abspath(local_file):
        return module
    spec = importlib.util.spec_from_file_location(module_name, local_file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module
