"""Precise RoI Pooling (Jiang et al., ECCV 2018), importable under pytracking's upstream path.

``ltr.external.PreciseRoIPooling.pytorch.prroi_pool.PrRoIPool2D`` is what the IoU-Net box
regressors use. This version is written in PyTorch only (closed-form bin integrals), so nothing is
compiled on first use.
"""
