"""Alpha-Refine alone, no base tracker, on LaSOT (upstream ``run_RF_RF.py``): every frame the refiner refines its own
previous box ``--n-iter`` times (default 2), each result clipped: ``python arena/LaSOT/run_RF_RF.py [--n-iter 2] ...``.

Results: ``RF_<RF_type>iter-<n>-<selector>``. Thin script over ``arena/runner.py`` (doc/arena.md).
"""
import sys

import common_path  # the script's folder comes first on sys.path

from arena.runner import main

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:], 'LaSOT', common_path, tracker='refiner', param='alone', experiment='refiner_alone'))
