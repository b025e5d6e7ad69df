"""The DiMP target classifier: feature block, filter initialiser, filter optimiser and ``LinearFilter``.

Module and class names are upstream pytracking's (``ltr/models/target_classifier/``), so official
checkpoints load with their state-dict keys (``classifier.filter_initializer.filter_conv.weight``, ...).
"""
from ltr.models.target_classifier.linear_filter import LinearFilter

__all__ = ['LinearFilter']
