"""OTB-100 (OTB-2015) reader: the sequence table ``data/otb100.csv`` (name, folder, frame range,
digits, extension, ground-truth file, frames skipped at the start, class), as pytracking's OTB reader.

Layout: ``<root>/<folder>/img/%04d.jpg`` (``Board``: 5 digits, ``KiteSurf``: png) and
``<root>/<folder>/groundtruth_rect[.k].txt`` with one box per frame of the range (comma, tab or
whitespace separated). Sequences that share a folder (``Jogging_1``/``Jogging_2``) have their own
ground-truth file; ``Tiger1`` skips its first 5 frames. Only annotation files are read.
"""
from __future__ import annotations

import os
from typing import Dict, Optional

from ltr.data.annotations import read_boxes
from pytracking.evaluation.data import Sequence, SequenceList, frame_paths
from pytracking.evaluation.readers_common import packaged_table, require_file, require_rows, resolve_root

TABLE = 'otb100.csv'


def read_otb_sequence(root: str, row: Dict[str, str], dataset: str = 'otb') -> Sequence:
    """One sequence of the table (`row`), ground truth from its file, frames as paths."""
    start, end, omit = int(row['start_frame']), int(row['end_frame']), int(row['init_omit'])
    anno = require_file(os.path.join(root, row['folder'], row['anno_file']))
    gt = require_rows(anno, read_boxes(anno), end - start + 1)[omit:]
    frames = frame_paths(os.path.join(root, row['folder'], 'img'), gt.shape[0], first=start + omit,
                         digits=int(row['digits']), ext=row['ext'])
    return Sequence(name=row['name'], frames=frames, dataset=dataset, ground_truth_rect=gt,
                    object_class=row['object_class'])


def otb_dataset(root: Optional[str] = None, dataset: str = 'otb') -> SequenceList:
    """The 100 OTB-2015 sequences; `root` defaults to ``env_settings().otb_path``."""
    root = resolve_root(root, 'otb_path')
    return SequenceList(read_otb_sequence(root, row, dataset) for row in packaged_table(TABLE))
