"""DiMP (super_dimp) + Alpha-Refine on TrackingNet: ``python arena/TrackingNet/run_dimp_RF.py [--dataset-root DIR] [--save-dir DIR] ...``.

Thin script over ``arena/runner.py`` (doc/arena.md).
"""
import sys

import common_path  # the script's folder comes first on sys.path

from arena.runner import main

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:], 'TrackingNet', common_path, tracker='dimp', param='super_dimp', refine=True))
