"""Prediction heads (corner, mask)."""
