"""A pytracking tracker (``--tracker_name dimp|atom|eco|kcf --tracker_param ...``, default atom default) +
Alpha-Refine masks (``--mask_thres``, default 0.65) for VOT2020.

Launched by the VOT toolkit over TraX (a ``trackers.ini`` entry written by ``arena/VOT2020/eval.py``,
doc/vot2020.md); flags: ``--help``.
"""
import sys

import common_path  # the script's folder comes first on sys.path

from arena.VOT2020.tracking import main

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:], common_path, tracker=common_path._tracker_name, param=common_path._tracker_param,
                  alphaseg=True, choose_tracker=True))
