"""SiamRPN++ (siamrpn_r50_l234_dwxcorr) + Alpha-Refine mask -> box (``mask2bbox`` at ``--thres``, default 0.5) on LaSOT: ``python arena/LaSOT/run_siamrpn_RFm2b.py [--thres 0.5] ...``.

Thin script over the shared runner (``arena/runner.py``, see ``doc/arena.md`` and ``pysot/README.md``);
defaults from ``common_path.py``. The model file goes to ``pysot/experiments/siamrpn_r50_l234_dwxcorr/model.pth``.
Without a configured LaSOT root it runs on the synthetic benchmark and says so first.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common_path  # noqa: E402  (also puts the repository root on sys.path)

from arena.runner import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:], 'LaSOT', common_path, tracker='siamrpn', param='siamrpn_r50_l234_dwxcorr', refine=True,
                  mode='mask'))
