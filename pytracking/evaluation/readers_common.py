"""Helpers shared by the benchmark readers: root resolution, packaged sequence lists and tables, flag files."""
from __future__ import annotations

import csv
import os
from typing import Dict, List, Optional

import numpy as np

from ltr.admin.local_settings import MissingPathError
from ltr.data.annotations import AnnotationError, list_file, read_flags
from pytracking.utils.environment import env_settings

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data')


def resolve_root(root: Optional[str], attr: str) -> str:
    """`root` when given (must exist), else the configured ``env_settings().<attr>`` (MissingPathError if unset)."""
    if root:
        if not os.path.isdir(root):
            raise MissingPathError(f"dataset root '{root}' does not exist")
        return root
    return env_settings().require_dir(attr)


def packaged_list(name: str) -> List[str]:
    """A sequence list shipped in ``pytracking/evaluation/data/<name>`` ('#' lines are comments)."""
    return [l for l in list_file(os.path.join(DATA_DIR, name)) if not l.startswith('#')]


def read_flag_file(path: str, length: int) -> np.ndarray:
    """A 0/1 flag file with exactly `length` entries (error names the file when the count differs)."""
    flags = read_flags(path)
    if flags.size != length:
        raise AnnotationError(f"{path}: {flags.size} flags for {length} frames")
    return flags


def require_file(path: str) -> str:
    """`path` when it is a file, else AnnotationError naming it."""
    if not os.path.isfile(path):
        raise AnnotationError(f"{path}: no such file")
    return path


def packaged_table(name: str) -> List[Dict[str, str]]:
    """Rows of a CSV sequence table shipped in ``pytracking/evaluation/data/<name>`` ('#' lines are
    comments; the first other line is the header)."""
    path = os.path.join(DATA_DIR, name)
    with open(path, newline='') as f:
        return list(csv.DictReader(line for line in f if line.strip() and not line.startswith('#')))


def require_rows(path: str, boxes: np.ndarray, count: int) -> np.ndarray:
    """`boxes` when it has exactly `count` rows (one per frame of the sequence), else AnnotationError
    naming the file."""
    if boxes.shape[0] != count:
        raise AnnotationError(f"{path}: {boxes.shape[0]} boxes for the {count} frames of the sequence")
    return boxes
