"""Test-time image sampling, augmentation and feature extraction for the pytracking trackers.

``preprocessing`` (patch sampling, from ``ltr.data.processing_utils``) and ``augmentation``
(init-frame transforms) are shared by DiMP, ATOM and ECO.
"""
