"""DiMP (super_dimp by default; --param selects another DiMP set), no refiner, on TrackingNet (upstream name ``run_trackingnet_pytracking.py``): ``python arena/TrackingNet/run_trackingnet_pytracking.py [--param NAME] [--dataset-root DIR] [--save-dir DIR] ...``.

The network file comes from ``network_path`` (``pytracking/evaluation/local.py``, see MODEL_ZOO.md). Thin
script over ``arena/runner.py`` (doc/arena.md).
"""
import sys

import common_path  # the script's folder comes first on sys.path

from arena.runner import main

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:], 'TrackingNet', common_path, tracker='dimp', param='super_dimp', refine=False))
