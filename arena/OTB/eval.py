"""Evaluate OTB-style results: ``python arena/OTB/eval.py [-d OTB100|NFS30|UAV123|TColor128] [--convention pysot] ...``.

With no arguments: every tracker under ``<save_dir>/OTB100`` on the configured OTB root; ``-d`` picks NFS30,
UAV123 or TColor128 (on their configured roots). ``--convention pysot`` scores as upstream's pysot-based ``eval.py``. With no
root configured, the synthetic benchmark (``Synthetic-<dataset>``) is evaluated. Thin script over
``arena/evaluate.py`` (doc/evaluation.md).
"""
import sys

import common_path  # the script's folder comes first on sys.path

from arena.evaluate import run

if __name__ == '__main__':
    sys.exit(run(sys.argv[1:], 'OTB100', common_path, layout='otb'))
