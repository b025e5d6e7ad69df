"""Tracking networks (pytracking's ``ltr/models/tracking/``): ``dimpnet`` holds DiMP and PrDiMP."""
