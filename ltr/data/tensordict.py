"""TensorDict and TensorList: containers that apply tensor operations to every element.

They live in ``ltr`` so both ``ltr`` (processing, loader) and ``pytracking`` can import them
(``ltr`` never imports ``pytracking``).
"""
from __future__ import annotations

import copy
import functools
from collections import OrderedDict
from typing import Callable

import torch


class TensorDict(OrderedDict):
    """An ordered dict whose tensor methods (``.float()``, ``.to(device)``, ...) act on every value."""

    def concat(self, other: 'TensorDict') -> 'TensorDict':
        """A new TensorDict with the items of both (other wins on equal keys)."""
        return TensorDict(self, **other)

    def copy(self) -> 'TensorDict':
        return TensorDict(super().copy())

    def __deepcopy__(self, memodict=None) -> 'TensorDict':
        return TensorDict(copy.deepcopy(list(self.items()), memodict))

    def __getattr__(self, name: str):
        if name.startswith('_') or not hasattr(torch.Tensor, name):
            raise AttributeError(f"'TensorDict' has no attribute '{name}'")

        def apply_attr(*args, **kwargs):
            return TensorDict({k: getattr(v, name)(*args, **kwargs) if hasattr(v, name) else v
                               for k, v in self.items()})
        return apply_attr

    def attribute(self, attr: str, *args):
        """A TensorDict of ``getattr(value, attr, *args)`` for every value."""
        return TensorDict({k: getattr(v, attr, *args) for k, v in self.items()})

    def apply(self, fn: Callable, *args, **kwargs) -> 'TensorDict':
        """A TensorDict of ``fn(value)`` for every value."""
        return TensorDict({k: fn(v, *args, **kwargs) for k, v in self.items()})

    @staticmethod
    def _iterable(a) -> bool:
        return isinstance(a, (TensorDict, list))


class TensorList(list):
    """A list whose tensor methods and arithmetic act element-wise."""

    def __init__(self, list_of_tensors=None):
        super().__init__(list_of_tensors if list_of_tensors is not None else [])

    def __deepcopy__(self, memodict=None) -> 'TensorList':
        return TensorList(copy.deepcopy(list(self), memodict))

    def __getitem__(self, item):
        if isinstance(item, int):
            return super().__getitem__(item)
        if isinstance(item, (tuple, list)):
            return TensorList([super(TensorList, self).__getitem__(i) for i in item])
        return TensorList(super().__getitem__(item))

    def _binary(self, other, op):
        if isinstance(other, TensorList):
            if len(other) != len(self):
                raise ValueError(f"TensorList lengths differ: {len(self)} vs {len(other)}")
            return TensorList([op(a, b) for a, b in zip(self, other)])
        return TensorList([op(a, other) for a in self])

    def __add__(self, other):
        return self._binary(other, lambda a, b: a + b)

    def __radd__(self, other):
        return self._binary(other, lambda a, b: b + a)

    def __sub__(self, other):
        return self._binary(other, lambda a, b: a - b)

    def __rsub__(self, other):
        return self._binary(other, lambda a, b: b - a)

    def __mul__(self, other):
        return self._binary(other, lambda a, b: a * b)

    def __rmul__(self, other):
        return self._binary(other, lambda a, b: b * a)

    def __truediv__(self, other):
        return self._binary(other, lambda a, b: a / b)

    def __rtruediv__(self, other):
        return self._binary(other, lambda a, b: b / a)

    def __neg__(self):
        return TensorList([-a for a in self])

    # Element-wise operators pytracking's optimisers need (libs/optimization.py, tracker/eco, atom).
    # The in-place forms must be defined: list's own += would append elements instead of adding.
    def __pow__(self, other):
        return self._binary(other, lambda a, b: a ** b)

    def __rpow__(self, other):
        return self._binary(other, lambda a, b: b ** a)

    def __mod__(self, other):
        return self._binary(other, lambda a, b: a % b)

    def __matmul__(self, other):
        return self._binary(other, lambda a, b: a @ b)

    def __rmatmul__(self, other):
        return self._binary(other, lambda a, b: b @ a)

    def __abs__(self):
        return TensorList([abs(a) for a in self])

    def __pos__(self):
        return TensorList([+a for a in self])

    def __le__(self, other):
        return self._binary(other, lambda a, b: a <= b)

    def __ge__(self, other):
        return self._binary(other, lambda a, b: a >= b)

    def _inplace(self, other, op):
        if isinstance(other, TensorList):
            if len(other) != len(self):
                raise ValueError(f"TensorList lengths differ: {len(self)} vs {len(other)}")
            for i, b in enumerate(other):
                self[i] = op(self[i], b)
        else:
            for i in range(len(self)):
                self[i] = op(self[i], other)
        return self

    def __iadd__(self, other):
        def op(a, b):
            a += b
            return a
        return self._inplace(other, op)

    def __isub__(self, other):
        def op(a, b):
            a -= b
            return a
        return self._inplace(other, op)

    def __imul__(self, other):
        def op(a, b):
            a *= b
            return a
        return self._inplace(other, op)

    def __itruediv__(self, other):
        def op(a, b):
            a /= b
            return a
        return self._inplace(other, op)

    def concat(self, other) -> 'TensorList':
        """Concatenate as lists (not element-wise)."""
        return TensorList(list(self) + list(other))

    def copy(self) -> 'TensorList':
        return TensorList(list(self))

    def list(self) -> list:
        return list(self)

    def apply(self, fn: Callable) -> 'TensorList':
        """A TensorList of ``fn(element)``."""
        return TensorList([fn(e) for e in self])

    def attribute(self, attr: str, *args) -> 'TensorList':
        return TensorList([getattr(e, attr, *args) for e in self])

    def __getattr__(self, name: str):
        if name.startswith('_') or not hasattr(torch.Tensor, name):
            raise AttributeError(f"'TensorList' has no attribute '{name}'")

        def apply_attr(*args, **kwargs):
            return TensorList([getattr(e, name)(*args, **kwargs) for e in self])
        return apply_attr


def tensor_operation(op: Callable) -> Callable:
    """Decorator: when the first argument is a TensorList, apply `op` to each element; when the
    second is a TensorList too, pair the elements of both (upstream pytracking semantics)."""
    @functools.wraps(op)
    def wrapper(*args, **kwargs):
        if args and isinstance(args[0], TensorList):
            if len(args) >= 2 and isinstance(args[1], TensorList):
                if len(args[0]) != len(args[1]):
                    raise ValueError(f"{op.__name__}: TensorList lengths differ: {len(args[0])} vs {len(args[1])}")
                return TensorList([op(a, b, *args[2:], **kwargs) for a, b in zip(args[0], args[1])])
            return TensorList([op(a, *args[1:], **kwargs) for a in args[0]])
        return op(*args, **kwargs)
    return wrapper
