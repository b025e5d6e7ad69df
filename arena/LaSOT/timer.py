"""Where the LaSOT runs' time went (upstream's ``timer.py``): ``python arena/LaSOT/timer.py [--results-dir DIR]``.

One line per tracker from the runs' records: seconds building steps, milliseconds per frame reading, tracking
and refining, per sequence initialising, and fps. Thin script over ``arena/timing.py`` (doc/arena.md).
"""
import sys

import common_path  # the script's folder comes first on sys.path

from arena.timing import run

if __name__ == '__main__':
    sys.exit(run(sys.argv[1:], 'LaSOT', common_path))
