"""Record how a network was built so a checkpoint can rebuild it (the upstream ``NetConstructor``).

A function decorated with :func:`model_constructor` returns a network whose ``constructor``
attribute is a :class:`NetConstructor` holding the function's module, name and arguments. The
checkpoint pickles that object; :meth:`NetConstructor.get` calls the function again. Only
functions in ``ltr.models`` that carry the decorator may be called this way, so a checkpoint
cannot make the loader import or run anything else.
"""
from __future__ import annotations

import functools
import importlib
from typing import Any, Callable

ALLOWED_MODULE_PREFIX = 'ltr.models.'
LEGACY_PREFIX = 'dlframework.'


class ConstructorError(ValueError):
    """A pickled constructor names something that is not an ltr network constructor."""


class NetConstructor:
    """Module path, function name and arguments of a network constructor call."""

    def __init__(self, fun_name: str, fun_module: str, args: tuple, kwds: dict):
        self.fun_name = fun_name
        self.fun_module = fun_module
        self.args = args
        self.kwds = kwds

    def resolve(self) -> Callable:
        """The constructor function, after checking it is a decorated function inside ``ltr.models``."""
        module = self.fun_module
        if module.startswith(LEGACY_PREFIX):  # old pytracking files name dlframework.* modules
            module = module[len(LEGACY_PREFIX):]
        if not module.startswith(ALLOWED_MODULE_PREFIX) or not isinstance(self.fun_name, str):
            raise ConstructorError(f"constructor {self.fun_module}.{self.fun_name} is not in {ALLOWED_MODULE_PREFIX}*")
        try:
            fun = getattr(importlib.import_module(module), self.fun_name)
        except (ImportError, AttributeError) as e:
            raise ConstructorError(f"constructor {module}.{self.fun_name} not found: {e}") from None
        if not getattr(fun, 'is_model_constructor', False):
            raise ConstructorError(f"{module}.{self.fun_name} is not a network constructor (@model_constructor)")
        return fun

    def get(self) -> Any:
        """Build the network again by calling the recorded constructor with the recorded arguments."""
        return self.resolve()(*self.args, **self.kwds)

    def __repr__(self) -> str:
        return f"NetConstructor({self.fun_module}.{self.fun_name}, args={self.args}, kwds={self.kwds})"


def model_constructor(f: Callable) -> Callable:
    """Decorator: the returned network gets a ``constructor`` attribute recording this call."""

    @functools.wraps(f)
    def wrapper(*args, **kwds):
        net = f(*args, **kwds)
        net.constructor = NetConstructor(f.__name__, f.__module__, tuple(args), dict(kwds))
        return net

    wrapper.is_model_constructor = True
    return wrapper
