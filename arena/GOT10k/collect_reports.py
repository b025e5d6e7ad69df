"""Print every report written by ``eval_got10k.py`` / ``eval_other.py`` (upstream's script name):
``python arena/GOT10k/collect_reports.py [--report_dir DIR] [--dataset GOT10k] [--prefix dimp]``.

One line per ``<report_dir>/<Benchmark>/reports/<tracker>/performance.json``: AUC / Prec / NPrec or AO / SR.
Thin script over ``arena/suites.py`` (doc/arena.md).
"""
import sys

import common_path  # the script's folder comes first on sys.path

from arena.suites import main_collect

if __name__ == '__main__':
    sys.exit(main_collect(sys.argv[1:], common_path))
