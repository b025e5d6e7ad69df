"""Tracker parameter objects whose knobs are declared once, with defaults; unknown names are errors.

Upstream pytracking's ``TrackerParams`` accepts any attribute, so a misspelled knob in a parameter
file (``dispalcement_scale``) is silently ignored and the tracker runs with its built-in default.
Here every knob is declared with its default (and an optional one-line description) before it can be
set; setting or reading an undeclared name raises :class:`UnknownParameterError`, which names it and
suggests the closest declared names.

A parameter file (``pytracking/parameter/<tracker>/<name>.py``) builds one with ``parameters()``::

    params = TrackerParams({'padding': (2.5, 'search area / target size - 1'), 'lambda_': 1e-4})
    params.padding = 2.0        # fine: declared
    params.pading = 2.0         # UnknownParameterError: unknown tracker parameter 'pading' (did you mean 'padding'?)
"""
from __future__ import annotations

import difflib
from typing import Any, Dict, Iterator, Mapping, Optional, Tuple

__all__ = ['TrackerParams', 'UnknownParameterError', 'COMMON_KNOBS']

# Knobs every tracker has: the evaluation runner sets them on any parameter object (upstream's
# Tracker.run_sequence writes params.debug and params.visualization), so they are declared here once.
COMMON_KNOBS: Dict[str, Tuple[Any, str]] = {
    'debug': (0, 'debug level (0 = off)'),
    'visualization': (False, 'show frames while tracking'),
    'device': (None, "torch device for network trackers; None = CUDA if available, else CPU"),
}

_INTERNAL = ('_values', '_defaults', '_docs')


class UnknownParameterError(AttributeError):
    """A tracker parameter name that was never declared (AttributeError, so ``hasattr`` is False)."""


class TrackerParams:
    """Parameters of one tracker run: declared knobs with defaults, current values, strict names.

    ``declared`` maps a knob name to its default or to ``(default, description)`` (a default that is
    itself a 2-tuple ending in a string must be declared with :meth:`declare`). The knobs of
    :data:`COMMON_KNOBS` are always declared. ``overrides`` set values of declared knobs.
    """

    def __init__(self, declared: Optional[Mapping[str, Any]] = None, **overrides: Any) -> None:
        object.__setattr__(self, '_values', {})
        object.__setattr__(self, '_defaults', {})
        object.__setattr__(self, '_docs', {})
        for name, spec in COMMON_KNOBS.items():
            self.declare(name, *spec)
        for name, spec in (declared or {}).items():
            default, doc = spec if _is_spec_pair(spec) else (spec, '')
            self.declare(name, default, doc)
        self.update(overrides)

    # -- declaring -------------------------------------------------------------------------------
    def declare(self, name: str, default: Any, doc: str = '') -> None:
        """Declare knob `name` with its `default`; declaring a name twice is a ValueError."""
        if not isinstance(name, str) or not name.isidentifier() or name.startswith('_'):
            raise ValueError(f"tracker parameter name must be a public identifier, got {name!r}")
        if name in self._defaults:
            raise ValueError(f"tracker parameter {name!r} is already declared (default {self._defaults[name]!r})")
        if name in dir(type(self)):
            raise ValueError(f"tracker parameter name {name!r} clashes with a TrackerParams method")
        self._defaults[name] = default
        self._docs[name] = str(doc)
        self._values[name] = default

    # -- strict attribute access -----------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails, i.e. for knob names (and for unknown names).
        values = self.__dict__.get('_values')
        if values is not None and name in values:
            return values[name]
        if name.startswith('__') or values is None:
            raise AttributeError(name)
        raise UnknownParameterError(self._unknown_message(name))

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._values:
            raise UnknownParameterError(self._unknown_message(name))
        self._values[name] = value

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"tracker parameter {name!r} cannot be deleted (reset it with params.reset({name!r}))")

    def _unknown_message(self, name: str) -> str:
        close = difflib.get_close_matches(name, list(self._defaults), n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ''
        return (f"unknown tracker parameter {name!r}{hint}; declared: {', '.join(sorted(self._defaults))}")

    # -- upstream-compatible queries -----------------------------------------------------------
    def get(self, name: str, *default: Any) -> Any:
        """Value of `name`; for an undeclared name the single `default` if given (upstream ``get``), else error."""
        if len(default) > 1:
            raise TypeError(f"TrackerParams.get takes at most one default, got {len(default)}")
        if name in self._values:
            return self._values[name]
        if default:
            return default[0]
        raise UnknownParameterError(self._unknown_message(name))

    def has(self, name: str) -> bool:
        """True when `name` is a declared knob."""
        return name in self._values

    # -- bulk operations -----------------------------------------------------------------------
    def update(self, values: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> 'TrackerParams':
        """Set several declared knobs at once (all names are checked before anything changes); returns self."""
        merged = dict(values or {})
        merged.update(kwargs)
        unknown = [n for n in merged if n not in self._values]
        if unknown:
            raise UnknownParameterError(self._unknown_message(unknown[0]))
        self._values.update(merged)
        return self

    def reset(self, name: str) -> None:
        """Put knob `name` back to its declared default."""
        if name not in self._defaults:
            raise UnknownParameterError(self._unknown_message(name))
        self._values[name] = self._defaults[name]

    def declared(self) -> Tuple[str, ...]:
        """Names of all declared knobs, in declaration order."""
        return tuple(self._defaults)

    def defaults(self) -> Dict[str, Any]:
        """Declared defaults, ``{name: default}``."""
        return dict(self._defaults)

    def to_dict(self) -> Dict[str, Any]:
        """Current values, ``{name: value}``."""
        return dict(self._values)

    def changed(self) -> Dict[str, Any]:
        """The knobs whose value differs from the default, ``{name: value}``."""
        return {n: v for n, v in self._values.items() if not _same(v, self._defaults[n])}

    def describe(self) -> str:
        """One line per knob: ``name = value  (default ...)  # description``."""
        lines = []
        for name, value in self._values.items():
            default = self._defaults[name]
            text = f"{name} = {value!r}"
            if not _same(value, default):
                text += f"  (default {default!r})"
            if self._docs[name]:
                text += f"  # {self._docs[name]}"
            lines.append(text)
        return '\n'.join(lines)

    def copy(self) -> 'TrackerParams':
        """A new object with the same declarations and values (values are not deep-copied)."""
        other = TrackerParams.__new__(TrackerParams)
        object.__setattr__(other, '_values', dict(self._values))
        object.__setattr__(other, '_defaults', dict(self._defaults))
        object.__setattr__(other, '_docs', dict(self._docs))
        return other

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TrackerParams):
            return NotImplemented
        return self._defaults.keys() == other._defaults.keys() and all(
            _same(v, other._values[n]) for n, v in self._values.items())

    def __repr__(self) -> str:
        changed = ', '.join(f"{n}={v!r}" for n, v in self.changed().items())
        return f"TrackerParams({len(self._defaults)} knobs{'; ' + changed if changed else ''})"

    def __getstate__(self) -> Dict[str, Any]:
        return {k: self.__dict__[k] for k in _INTERNAL}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        for k in _INTERNAL:
            object.__setattr__(self, k, state[k])


def _is_spec_pair(spec: Any) -> bool:
    """``(default, 'description')`` form of a declaration."""
    return isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[1], str)


def _same(a: Any, b: Any) -> bool:
    """Equality that never raises (arrays and tensors compare by identity when ``==`` is ambiguous)."""
    if a is b:
        return True
    try:
        return bool(a == b)
    except (ValueError, TypeError, RuntimeError):  # ambiguous truth value (arrays, tensors): 'different'
        return False
