"""Evaluate LaSOT results: ``python arena/LaSOT/eval.py [--results-dir DIR] [--convention pysot] ...``.

With no arguments: every tracker under ``<save_dir>/LaSOT`` on the configured LaSOT root, or the
synthetic benchmark (``Synthetic-LaSOT``) when none is configured. See ``doc/evaluation.md``.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common_path  # noqa: E402

from arena.evaluate import run  # noqa: E402

if __name__ == '__main__':
    sys.exit(run(sys.argv[1:], 'LaSOT', common_path, layout='lasot'))
