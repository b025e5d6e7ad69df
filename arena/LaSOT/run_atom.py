"""ATOM (default parameters) on LaSOT: ``python arena/LaSOT/run_atom.py [--dataset-root DIR] [--save-dir DIR] ...``.

Thin script over the shared runner (``arena/runner.py``, see ``doc/arena.md``); defaults from
``common_path.py``. Network: ``atom_default.pth`` in ``network_path`` (MODEL_ZOO.md). Without a configured
LaSOT root it runs on the synthetic benchmark and says so first.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common_path  # noqa: E402  (also puts the repository root on sys.path)

from arena.runner import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:], 'LaSOT', common_path, tracker='atom', param='default', refine=False))
