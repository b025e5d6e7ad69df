"""keep_freed_memory: large numpy temporaries reuse heap pages instead of page-faulting fresh mappings."""
import subprocess
import sys

import pytest

CHILD = r"""
import resource, sys
import numpy as np
if sys.argv[1] == '1':
    from pytracking.utils.heap import keep_freed_memory
    assert keep_freed_memory()
a = np.ones(2_000_000)  # 16 MB, as an evaluation's per-frame columns


def step():  # several live temporaries, freed together (as the IoU of two boxes' columns)
    return ((a * 2 + a * 3) * (a * 4 - a) + (a * 5) * (a * 6)).sum()


step()  # the first pass touches its pages either way
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(keep: bool) -> int:
    out = subprocess.run([sys.executable, '-c', CHILD, '1' if keep else '0'], capture_output=True, text=True,
                         check=True)
    return int(out.stdout.strip())


@pytest.mark.skipif(not sys.platform.startswith('linux'), reason='glibc heap setting')
def test_repeated_large_temporaries_stop_page_faulting():
    plain, kept = _faults(False), _faults(True)
    assert plain > 20 * 500  # glibc gives the freed temporaries back; later passes touch fresh pages again
    assert kept * 100 < plain
