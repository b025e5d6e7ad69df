"""Experiments for ``pytracking/run_experiment.py``: modules of functions returning ``(trackers, dataset)``."""
