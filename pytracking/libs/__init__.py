"""pytracking's numerical libraries: TensorList, complex/Fourier helpers, DCF helpers and optimisers.

Shared by the DCF trackers (ECO, ATOM, DiMP): one implementation of each helper, imported from here.
Complex numbers are torch's native complex dtype (upstream used a trailing real/imag dimension of 2).
"""
from pytracking.libs.tensorlist import TensorList, tensor_operation
from ltr.data.tensordict import TensorDict

__all__ = ['TensorList', 'TensorDict', 'tensor_operation']
