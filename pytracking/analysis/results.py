"""Finding and reading tracker result files: ``<results_dir>/<tracker>/<seq>.txt`` (tracker names
may contain '/'), one box per line, separators comma, tab or whitespace."""
from __future__ import annotations

import os
import warnings
from typing import Dict, List, Optional, Sequence

import numpy as np

from ltr.data.annotations import AnnotationError, read_boxes


class ResultError(ValueError):
    """A missing, short or malformed result file; the message names tracker, sequence, file and line."""


def find_trackers(results_dir: str, seq_names: Sequence[str], prefix: str = '') -> List[str]:
    """Tracker folders under `results_dir` (at any depth) holding a result file of at least one of
    `seq_names`, as '/'-joined relative names starting with `prefix`, sorted."""
    if not os.path.isdir(results_dir):
        raise ResultError(f"results folder '{results_dir}' does not exist")
    wanted = {s + '.txt' for s in seq_names}
    found = []
    for folder, _, files in os.walk(results_dir):
        if folder != results_dir and wanted.intersection(files):
            name = os.path.relpath(folder, results_dir).replace(os.sep, '/')
            if name.startswith(prefix):
                found.append(name)
    return sorted(found)


def result_path(results_dir: str, tracker: str, seq_name: str) -> str:
    """Path of one result file."""
    return os.path.join(results_dir, *tracker.split('/'), seq_name + '.txt')


def read_result(results_dir: str, tracker: str, seq_name: str, num_frames: int) -> np.ndarray:
    """The ``(num_frames, 4)`` boxes of one result file; longer files are truncated with a warning
    (as the LaSOT toolkit does), a missing file, a short file or a bad line is a ResultError."""
    path = result_path(results_dir, tracker, seq_name)
    where = f"tracker '{tracker}', sequence '{seq_name}'"
    if not os.path.isfile(path):
        raise ResultError(f"{where}: missing result file {path}")
    try:
        boxes = read_boxes(path)
    except AnnotationError as e:
        raise ResultError(f"{where}: {e}") from None
    if boxes.shape[0] < num_frames:
        raise ResultError(f"{where}: {path}, line {boxes.shape[0] + 1}: missing "
                          f"({boxes.shape[0]} boxes for {num_frames} frames)")
    if boxes.shape[0] > num_frames:
        warnings.warn(f"{where}: {path} has {boxes.shape[0]} boxes for {num_frames} frames; truncated")
        boxes = boxes[:num_frames]
    return boxes


def read_tracker_results(results_dir: str, tracker: str, seq_names: Sequence[str],
                         lengths: Sequence[int]) -> List[np.ndarray]:
    """Result boxes of one tracker for every sequence (errors as :func:`read_result`)."""
    return [read_result(results_dir, tracker, s, n) for s, n in zip(seq_names, lengths)]
