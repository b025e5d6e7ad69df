"""Defaults of the OTB arena scripts under upstream's names, values from configuration (arena/paths.py, doc/arena.md)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))  # uninstalled checkout

from arena.paths import script_defaults  # noqa: E402

refine_path, RF_type, selector_path, sr, input_sz, dataset_root_, save_dir = script_defaults('OTB100')
