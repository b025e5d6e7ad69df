"""NFS reader (the 30 fps version, 100 sequences): the sequence table ``data/nfs.csv`` (sequence,
last frame, class, occlusion flag), as pytracking's NFS reader.

Layout: ``<root>/sequences/<sequence>/%05d.jpg`` from 1 and ``<root>/anno/nfs_<sequence>.txt``
(``x y w h`` per frame, tab separated in the converted annotations; any separator is accepted).
Sequences are named ``nfs_<sequence>``. Only annotation files are read.
"""
from __future__ import annotations

import os
from typing import Dict, Optional

from ltr.data.annotations import read_boxes
from pytracking.evaluation.data import Sequence, SequenceList, frame_paths
from pytracking.evaluation.readers_common import packaged_table, require_file, require_rows, resolve_root

TABLE = 'nfs.csv'


def read_nfs_sequence(root: str, row: Dict[str, str], dataset: str = 'nfs') -> Sequence:
    """One sequence of the table (`row`); attribute ``occlusion`` from the table."""
    seq, count = row['sequence'], int(row['end_frame'])
    anno = require_file(os.path.join(root, 'anno', f'nfs_{seq}.txt'))
    gt = require_rows(anno, read_boxes(anno), count)
    return Sequence(name=f'nfs_{seq}', frames=frame_paths(os.path.join(root, 'sequences', seq), count, digits=5),
                    dataset=dataset, ground_truth_rect=gt, object_class=row['object_class'],
                    attributes={'occlusion': int(row['occlusion'])})


def nfs_dataset(root: Optional[str] = None, dataset: str = 'nfs') -> SequenceList:
    """The 100 NFS (30 fps) sequences; `root` defaults to ``env_settings().nfs_path``."""
    root = resolve_root(root, 'nfs_path')
    return SequenceList(read_nfs_sequence(root, row, dataset) for row in packaged_table(TABLE))
