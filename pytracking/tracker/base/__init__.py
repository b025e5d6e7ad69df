"""The base-tracker interface (``BaseTracker``) and its input checks."""
from pytracking.tracker.base.basetracker import BaseTracker, check_box, check_image, check_init_box

__all__ = ['BaseTracker', 'check_box', 'check_image', 'check_init_box']
