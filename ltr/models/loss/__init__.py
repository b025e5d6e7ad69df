"""Training losses of the base trackers (upstream ``ltr/models/loss``): ``LBHinge`` for the DiMP classifier,
``KLRegression`` / ``MLRegression`` / ``KLRegressionGrid`` for PrDiMP's probabilistic IoU-Net and classifier."""
from ltr.models.loss.kl_regression import KLRegression, KLRegressionGrid, MLRegression
from ltr.models.loss.target_classification import LBHinge

__all__ = ['LBHinge', 'KLRegression', 'KLRegressionGrid', 'MLRegression']
