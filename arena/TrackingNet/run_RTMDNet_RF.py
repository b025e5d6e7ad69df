"""RT-MDNet (default options) + Alpha-Refine, refined box fed back every frame on TrackingNet: ``python arena/TrackingNet/run_RTMDNet_RF.py [--dataset-root DIR] [--save-dir DIR] ...``.

Thin script over the shared runner (``arena/runner.py``, see ``doc/arena.md``); defaults from
``common_path.py``. Without a configured TrackingNet root it runs on the synthetic benchmark and says so first.
The model file rt-mdnet.pth goes where ``RT_MDNet/README.md`` says.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common_path  # noqa: E402  (also puts the repository root on sys.path)

from arena.runner import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:], 'TrackingNet', common_path, tracker='rtmdnet', param='default', refine=True))
