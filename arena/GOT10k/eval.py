"""Evaluate GOT-10k val results: ``python arena/GOT10k/eval.py [--results-dir DIR] [--convention pysot] ...``.

With no arguments: every tracker under ``<save_dir>/GOT10k`` on the configured GOT-10k root (val split), or
the synthetic benchmark (``Synthetic-GOT10k``) when none is configured. Thin script over ``arena/evaluate.py``
(doc/evaluation.md).
"""
import sys

import common_path  # the script's folder comes first on sys.path

from arena.evaluate import run

if __name__ == '__main__':
    sys.exit(run(sys.argv[1:], 'GOT10k', common_path, layout='got10k'))
