"""Third-party operators that pytracking's networks import under their upstream module paths.

``PreciseRoIPooling`` is a pure-PyTorch re-implementation of the precise RoI pooling operator: no
compiled extension, the same code on CPU and GPU.
"""
