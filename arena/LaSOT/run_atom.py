"""ATOM (default parameters) on LaSOT: ``python arena/LaSOT/run_atom.py [--dataset-root DIR] [--save-dir DIR] ...``.

Network: ``atom_default.pth`` in ``network_path`` (MODEL_ZOO.md). Thin script over ``arena/runner.py``
(doc/arena.md).
"""
import sys

import common_path  # the script's folder comes first on sys.path

from arena.runner import main

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:], 'LaSOT', common_path, tracker='atom', param='default', refine=False))
