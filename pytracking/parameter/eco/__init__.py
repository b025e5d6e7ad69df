"""ECO parameter sets: ``default`` (upstream, deep features) and ``hc`` (hand-crafted, no network file)."""
