"""Necks fusing reference and test features."""
