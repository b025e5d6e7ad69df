"""``PrRoIPool2D`` module and ``prroi_pool2d`` function (upstream names)."""
from .functional import prroi_pool2d
from .prroi_pool import PrRoIPool2D

__all__ = ['PrRoIPool2D', 'prroi_pool2d']
