"""UAV123 reader: the sequence table ``data/uav123.csv`` (sequence, frame folder, frame range, class),
as pytracking's UAV123 reader.

Layout: ``<root>/data_seq/UAV123/<folder>/%06d.jpg`` and ``<root>/anno/UAV123/<sequence>.txt``
(comma separated, one box per frame of the range). Long videos are split into sub-sequences that
share a folder with their own frame ranges (``car1_2``: frames 751..1627 of ``car1``). Rows of NaN
mark frames where the target is absent: ``target_visible`` is False there. Sequences are named
``uav_<sequence>``. Only annotation files are read.
"""
from __future__ import annotations

import os
from typing import Dict, Optional

import numpy as np

from ltr.data.annotations import read_boxes
from pytracking.evaluation.data import Sequence, SequenceList, frame_paths
from pytracking.evaluation.readers_common import packaged_table, require_file, require_rows, resolve_root

TABLE = 'uav123.csv'


def read_uav_sequence(root: str, row: Dict[str, str], dataset: str = 'uav') -> Sequence:
    """One (sub-)sequence of the table (`row`)."""
    start, end = int(row['start_frame']), int(row['end_frame'])
    anno = require_file(os.path.join(root, 'anno', 'UAV123', row['sequence'] + '.txt'))
    gt = require_rows(anno, read_boxes(anno), end - start + 1)
    frames = frame_paths(os.path.join(root, 'data_seq', 'UAV123', row['folder']), gt.shape[0], first=start, digits=6)
    return Sequence(name='uav_' + row['sequence'], frames=frames, dataset=dataset, ground_truth_rect=gt,
                    object_class=row['object_class'], target_visible=~np.isnan(gt).any(axis=1))


def uav_dataset(root: Optional[str] = None, dataset: str = 'uav') -> SequenceList:
    """The 123 UAV123 sequences; `root` defaults to ``env_settings().uav_path``."""
    root = resolve_root(root, 'uav_path')
    return SequenceList(read_uav_sequence(root, row, dataset) for row in packaged_table(TABLE))
