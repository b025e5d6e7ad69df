"""SiamRPN++ (siamrpn_r50_l234_dwxcorr) + Alpha-Refine mask -> box (``mask2bbox`` at ``--thres``, default 0.5) on LaSOT: ``python arena/LaSOT/run_siamrpn_RFm2b.py [--thres 0.5] ...``.

The model file goes to ``pysot/experiments/siamrpn_r50_l234_dwxcorr/model.pth``. Thin script over
``arena/runner.py`` (doc/arena.md).
"""
import sys

import common_path  # the script's folder comes first on sys.path

from arena.runner import main

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:], 'LaSOT', common_path, tracker='siamrpn', param='siamrpn_r50_l234_dwxcorr', refine=True,
                  mode='mask'))
