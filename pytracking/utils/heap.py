"""Heap tuning for short-lived, array-heavy processes (the evaluators).

glibc maps every large allocation (numpy's multi-megabyte temporaries) with its own ``mmap`` and
returns it to the kernel when freed, so the next temporary of the same size page-faults all its pages
again; over a benchmark's 685k frames per tracker that is most of the system time of an evaluation
(``benchmarks/eval_speed.py --end-to-end``: ~1.6 s of system time, 0.2 s with the tuning below).
"""
from __future__ import annotations

import ctypes
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20  # the largest value glibc accepts on 64-bit systems
TRIM_THRESHOLD = 1 << 30


def keep_freed_memory() -> bool:
    """Let freed blocks up to 32 MiB stay in the heap (up to 1 GiB of it) for reuse instead of being unmapped.

    Only for processes that end soon after their work (they hold on to what they freed). glibc on Linux
    only; elsewhere nothing changes. Returns True when the setting was applied."""
    if not sys.platform.startswith('linux'):
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and other C libraries without mallopt
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
