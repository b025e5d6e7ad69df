"""ARDiMP = SuperDiMP + Alpha-Refine (as ``run_dimp_RF.py``), also saving the refiner's mask of every frame, on
LaSOT (upstream ``run_dimp_RF_mask.py``, which drew the masks): ``python arena/LaSOT/run_dimp_RF_mask.py ...``.

Masks (from the same network pass as the box, > 0.5): ``<save_dir>/LaSOT/<tracker_name>/masks/<seq>/%08d.png``
(0/255, frames 2..N). Results: ``dimp_super_dimp<RF_type>_mask-<selector>``. Thin script over ``arena/runner.py``
(doc/arena.md).
"""
import sys

import common_path  # the script's folder comes first on sys.path

from arena.runner import main

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:], 'LaSOT', common_path, tracker='dimp', param='super_dimp', experiment='masks'))
