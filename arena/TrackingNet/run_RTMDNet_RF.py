"""RT-MDNet (default options) + Alpha-Refine, refined box fed back every frame on TrackingNet: ``python arena/TrackingNet/run_RTMDNet_RF.py [--dataset-root DIR] [--save-dir DIR] ...``.

The model file rt-mdnet.pth goes where ``RT_MDNet/README.md`` says. Thin script over ``arena/runner.py``
(doc/arena.md).
"""
import sys

import common_path  # the script's folder comes first on sys.path

from arena.runner import main

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:], 'TrackingNet', common_path, tracker='rtmdnet', param='default', refine=True))
