"""ATOM parameter sets."""
