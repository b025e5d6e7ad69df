"""TensorList for pytracking: a re-export of the single implementation in ``ltr.data.tensordict``.

``ltr`` never imports ``pytracking``, so the class lives there; this module keeps upstream's import
path (``pytracking.libs.tensorlist``) working. ``TensorList`` is a list whose arithmetic (``+ - * / **
@ %``, the in-place forms, ``abs``, comparisons) and tensor methods act element-wise;
``tensor_operation`` maps a function over a TensorList given as first argument.
"""
from ltr.data.tensordict import TensorList, tensor_operation

__all__ = ['TensorList', 'tensor_operation']
