"""Evaluate OTB-style results: ``python arena/OTB/eval.py [-d OTB100|NFS30|UAV123] [--convention pysot] ...``.

With no arguments: every tracker under ``<save_dir>/OTB100`` on the configured OTB root; ``-d``
picks NFS30 or UAV123 (roots from ``common_path.dataset_roots``). ``--convention pysot`` scores as
upstream's pysot-based ``eval.py``. With no root configured, the synthetic benchmark
(``Synthetic-<dataset>``) is evaluated. See ``doc/evaluation.md``.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common_path  # noqa: E402

from arena.evaluate import run  # noqa: E402

if __name__ == '__main__':
    sys.exit(run(sys.argv[1:], 'OTB100', common_path, layout='otb'))
