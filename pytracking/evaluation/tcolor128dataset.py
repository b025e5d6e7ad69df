"""Temple-Color-128 (TColor-128) reader, in the layout of the dataset's archive (as the got10k toolkit's
``TColor128``, which upstream Alpha-Refine's ``arena/GOT10k/eval_other.py`` evaluated with):

``<root>/<seq>/img/%04d.jpg``, ``<root>/<seq>/<seq>_gt.txt`` (one ``x,y,w,h`` box per frame; any separator is
accepted) and ``<root>/<seq>/<seq>_frames.txt`` (``first,last``: the annotated frame range). The sequences are
the folders holding a ``<name>_gt.txt``, in sorted order, named by their folder. Only annotation files are read.
"""
from __future__ import annotations

import glob
import os
from typing import Optional

from ltr.admin.local_settings import MissingPathError
from ltr.data.annotations import AnnotationError, read_boxes
from pytracking.evaluation.data import Sequence, SequenceList, frame_paths
from pytracking.evaluation.readers_common import require_file, require_rows, resolve_root


def read_frame_range(path: str) -> tuple:
    """``(first, last)`` of a ``<seq>_frames.txt`` (AnnotationError naming the file when it is not two integers)."""
    with open(require_file(path)) as f:
        text = f.read().replace(',', ' ').split()
    try:
        first, last = (int(v) for v in text)
    except ValueError:
        raise AnnotationError(f"{path}: expected 'first,last' frame numbers, got {' '.join(text)!r}") from None
    if last < first:
        raise AnnotationError(f"{path}: last frame {last} before first frame {first}")
    return first, last


def read_tcolor128_sequence(root: str, name: str, dataset: str = 'tcolor128') -> Sequence:
    """The sequence in ``<root>/<name>/``: frames ``img/%04d.jpg`` of its frame range, one box per frame."""
    folder = os.path.join(root, name)
    first, last = read_frame_range(os.path.join(folder, f'{name}_frames.txt'))
    anno = require_file(os.path.join(folder, f'{name}_gt.txt'))
    gt = require_rows(anno, read_boxes(anno), last - first + 1)
    return Sequence(name=name, frames=frame_paths(os.path.join(folder, 'img'), gt.shape[0], first=first, digits=4),
                    dataset=dataset, ground_truth_rect=gt)


def tcolor128_dataset(root: Optional[str] = None, dataset: str = 'tcolor128') -> SequenceList:
    """The TColor-128 sequences under `root` (default ``env_settings().tpl_path``, pytracking's name for it)."""
    root = resolve_root(root, 'tpl_path')
    names = sorted(os.path.basename(os.path.dirname(p)) for p in glob.glob(os.path.join(root, '*', '*_gt.txt'))
                   if os.path.basename(p) == os.path.basename(os.path.dirname(p)) + '_gt.txt')
    if not names:
        raise MissingPathError(f"{root}: no TColor-128 sequence folders (<seq>/<seq>_gt.txt) found")
    return SequenceList(read_tcolor128_sequence(root, n, dataset) for n in names)
