"""KCF (no network weights) + Alpha-Refine masks (``--mask_thres``, default 0.65) for VOT2020: the weights-free path.

Launched by the VOT toolkit over TraX (a ``trackers.ini`` entry written by ``arena/VOT2020/eval.py``,
doc/vot2020.md); flags: ``--help``.
"""
import sys

import common_path  # the script's folder comes first on sys.path

from arena.VOT2020.tracking import main

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:], common_path, tracker='kcf', param='default', alphaseg=True))
