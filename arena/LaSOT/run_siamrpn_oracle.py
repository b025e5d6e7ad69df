"""SiamRPN++ (siamrpn_r50_l234_dwxcorr) with upstream's localisation oracle on LaSOT (upstream ``run_siamrpn_oracle.py``): after every frame the tracker's
state is moved to the ground-truth centre, keeping its own (clipped) size; the tracker's clipped box is written:
``python arena/LaSOT/run_siamrpn_oracle.py [--dataset-root DIR] [--save-dir DIR] ...``.

Results: ``siamrpn_siamrpn_r50_l234_dwxcorr_oracle``. Thin script over ``arena/runner.py`` (doc/arena.md).
"""
import sys

import common_path  # the script's folder comes first on sys.path

from arena.runner import main

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:], 'LaSOT', common_path, tracker='siamrpn', param='siamrpn_r50_l234_dwxcorr', experiment='oracle'))
