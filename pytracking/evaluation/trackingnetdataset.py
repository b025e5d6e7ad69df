"""TrackingNet reader: ``<root>/<chunk>/anno/<seq>.txt`` and frames ``<root>/<chunk>/frames/<seq>/<i>.jpg``
(i from 0). ``TEST`` has only the first box; ``TRAIN_<k>`` chunks have full ground truth.
Sequence lists come from the ``anno`` folders (the chunks are the lists).
"""
from __future__ import annotations

import os
from typing import Iterable, Optional, Union

from ltr.admin.local_settings import MissingPathError
from ltr.data.annotations import read_boxes
from pytracking.evaluation.data import frame_paths, Sequence, SequenceList
from pytracking.evaluation.readers_common import resolve_root


def read_trackingnet_sequence(chunk_dir: str, name: str, dataset: str = 'trackingnet') -> Sequence:
    """One TrackingNet sequence (first-box-only for TEST)."""
    gt = read_boxes(os.path.join(chunk_dir, 'anno', name + '.txt'))
    frames_dir = os.path.join(chunk_dir, 'frames', name)
    count = gt.shape[0] if gt.shape[0] > 1 else None  # TEST annotates only frame 0: count the frames
    return Sequence(name=name, frames=frame_paths(frames_dir, count, first=0, digits=0), dataset=dataset,
                    ground_truth_rect=gt)


def trackingnet_dataset(root: Optional[str] = None, chunks: Union[str, Iterable[str]] = 'TEST',
                        dataset: str = 'trackingnet') -> SequenceList:
    """Sequences of the given chunk(s) (``'TEST'``, ``'TRAIN_0'`` ... ``'TRAIN_11'``), sorted by name."""
    root = resolve_root(root, 'trackingnet_path')
    chunks = [chunks] if isinstance(chunks, str) else list(chunks)
    seqs = SequenceList()
    for chunk in chunks:
        anno_dir = os.path.join(root, chunk, 'anno')
        if not os.path.isdir(anno_dir):
            raise MissingPathError(f"{anno_dir}: no such folder (TrackingNet chunk '{chunk}')")
        names = sorted(f[:-4] for f in os.listdir(anno_dir) if f.endswith('.txt'))
        seqs += [read_trackingnet_sequence(os.path.join(root, chunk), n, dataset) for n in names]
    return seqs
