"""SiamRPN++ (siamrpn_r50_l234_dwxcorr) refined by SiamMask instead of Alpha-Refine, on LaSOT (upstream
``run_siamrpn_SiamMask.py``): each frame SiamMask is set to SiamRPN++'s box and its mask's box (threshold
``--thres``, default 0.5) is fed back: ``python arena/LaSOT/run_siamrpn_SiamMask.py [--thres 0.5] ...``.

Model files: ``pysot/experiments/siamrpn_r50_l234_dwxcorr/model.pth`` and ``pysot/experiments/siammask_r50_l3/model.pth``
(``--siammask`` picks another SiamMask experiment). Results: ``siamrpn_siamrpn_r50_l234_dwxcorr_smask_m2b_<thres>``.
Thin script over ``arena/runner.py`` (doc/arena.md).
"""
import sys

import common_path  # the script's folder comes first on sys.path

from arena.runner import main

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:], 'LaSOT', common_path, tracker='siamrpn', param='siamrpn_r50_l234_dwxcorr',
                  experiment='siammask'))
