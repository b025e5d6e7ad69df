"""Helpers shared by the benchmark readers: root resolution, packaged sequence lists, flag files."""
from __future__ import annotations

import os
from typing import List, Optional

import numpy as np

from ltr.admin.local_settings import MissingPathError
from ltr.data.annotations import AnnotationError, list_file, read_flags
from pytracking.evaluation.environment import env_settings

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
