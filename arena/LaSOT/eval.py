"""Evaluate LaSOT results: ``python arena/LaSOT/eval.py [--results-dir DIR] [--convention pysot] ...``.

With no arguments: every tracker under ``<save_dir>/LaSOT`` on the configured LaSOT root, or the synthetic
benchmark (``Synthetic-LaSOT``) when none is configured. Thin script over ``arena/evaluate.py``
(doc/evaluation.md).
"""
import sys

import common_path  # the script's folder comes first on sys.path

from arena.evaluate import run

if __name__ == '__main__':
    sys.exit(run(sys.argv[1:], 'LaSOT', common_path, layout='lasot'))
