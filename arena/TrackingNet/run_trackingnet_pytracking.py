"""DiMP (super_dimp by default; --param selects another DiMP set), no refiner, on TrackingNet (upstream name ``run_trackingnet_pytracking.py``): ``python arena/TrackingNet/run_trackingnet_pytracking.py [--param NAME] [--dataset-root DIR] [--save-dir DIR] ...``.

Thin script over the shared runner (``arena/runner.py``, see ``doc/arena.md``); defaults from
``common_path.py``. Without a configured TrackingNet root it runs on the synthetic benchmark and says so first.
The network file comes from ``network_path`` (``pytracking/evaluation/local.py``, see MODEL_ZOO.md).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common_path  # noqa: E402  (also puts the repository root on sys.path)

from arena.runner import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:], 'TrackingNet', common_path, tracker='dimp', param='super_dimp', refine=False))
