"""The arena: scripts that run trackers with and without Alpha-Refine on the benchmarks and
evaluate them. Shared logic lives in modules of this package (e.g. :mod:`arena.evaluate`); the
per-benchmark folders hold thin scripts and ``common_path.py`` defaults."""
import os

ARENA_DIR = os.path.dirname(os.path.abspath(__file__))
