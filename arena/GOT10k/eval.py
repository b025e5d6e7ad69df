"""Evaluate GOT-10k val results: ``python arena/GOT10k/eval.py [--results-dir DIR] [--convention pysot] ...``.

With no arguments: every tracker under ``<save_dir>/GOT10k`` on the configured GOT-10k root (val split), or the
synthetic benchmark (``Synthetic-GOT10k``) when none is configured. See ``doc/evaluation.md``.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common_path  # noqa: E402

from arena.evaluate import run  # noqa: E402

if __name__ == '__main__':
    sys.exit(run(sys.argv[1:], 'GOT10k', common_path, layout='got10k'))
