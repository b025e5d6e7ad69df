"""Submission archives for the evaluation servers, validated against the sequence list.

- GOT-10k test: ``<seq>/<seq>_001.txt`` (boxes) and ``<seq>/<seq>_time.txt`` (when the results hold
  a ``<seq>_time.txt``), zipped;
- TrackingNet: ``<seq>.txt``, zipped.
A missing or short result file is an error naming the sequence; longer files are truncated.
"""
from __future__ import annotations

import os
import zipfile
from typing import Sequence

from ltr.admin.fileio import atomic_path
from ltr.data.annotations import format_boxes
from pytracking.analysis.results import ResultError, read_result, result_path


def _write_zip(out_zip: str, members: dict) -> str:
    with atomic_path(out_zip) as tmp:
        with zipfile.ZipFile(tmp, 'w', zipfile.ZIP_DEFLATED) as zf:
            for arcname, text in members.items():
                zf.writestr(arcname, text)
    return out_zip


def pack_got10k(results_dir: str, tracker: str, seq_names: Sequence[str], num_frames: Sequence[int],
                out_zip: str) -> str:
    """Zip one tracker's GOT-10k results in the server layout; `num_frames` per sequence."""
    members = {}
    for seq, n in zip(seq_names, num_frames):
        boxes = read_result(results_dir, tracker, seq, n)
        members[f'{seq}/{seq}_001.txt'] = format_boxes(boxes, decimals=4)
        time_file = result_path(results_dir, tracker, seq)[:-4] + '_time.txt'
        if os.path.isfile(time_file):
            with open(time_file, 'r') as f:
                members[f'{seq}/{seq}_time.txt'] = f.read()
    return _write_zip(out_zip, members)


def pack_trackingnet(results_dir: str, tracker: str, seq_names: Sequence[str], num_frames: Sequence[int],
                     out_zip: str) -> str:
    """Zip one tracker's TrackingNet results (``<seq>.txt`` at the archive root)."""
    members = {f'{seq}.txt': format_boxes(read_result(results_dir, tracker, seq, n), decimals=4)
               for seq, n in zip(seq_names, num_frames)}
    return _write_zip(out_zip, members)


def count_frames(frames_dir: str, ext: str = '.jpg') -> int:
    """Number of frame files in a folder (the length of a test sequence whose ground truth has one box)."""
    if not os.path.isdir(frames_dir):
        raise ResultError(f"{frames_dir}: no such frames folder")
    return sum(1 for f in os.listdir(frames_dir) if f.endswith(ext))
