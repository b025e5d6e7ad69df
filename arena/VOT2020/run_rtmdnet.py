"""RT-MDNet for VOT2020, reporting the mask of its box (box-only baseline).

Launched by the VOT toolkit over TraX (a ``trackers.ini`` entry written by ``arena/VOT2020/eval.py``,
doc/vot2020.md); flags: ``--help``.
"""
import sys

import common_path  # the script's folder comes first on sys.path

from arena.VOT2020.tracking import main

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:], common_path, tracker='rtmdnet', param='default', alphaseg=False))
