"""Evaluate VOT2020 trackers with the VOT toolkit: ``python arena/VOT2020/eval.py [--tracker kcf] [--tracker
dimp:super_dimp] [--sequences DIR] [--workspace DIR] [--refiner PATH] ...``.

Sets up a VOT workspace (``config.yaml``, ``stack.yaml``, ``trackers.ini`` with an ``_alphaseg`` and a ``_box``
entry per tracker), lets the ``vot`` command evaluate the trackers (``vot evaluate``: it launches our entry points
over TraX) and analyse them (``vot analysis``), checks that every run finished and prints accuracy, robustness,
EAO and the median time per frame. Without ``--sequences`` (or ``vot_path`` configured) it runs on the synthetic
VOT2020 set, generated on first use (first output line says so). Needs the ``[vot]`` extra; doc/vot2020.md.
"""
import sys

import common_path  # the script's folder comes first on sys.path

from arena.VOT2020.evaluate import main

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:], common_path))
