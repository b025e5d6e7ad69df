"""LaSOT reader: ``<root>/<class>/<class>-<k>/groundtruth.txt``, ``full_occlusion.txt``, ``out_of_view.txt``.

Splits: ``test`` (Protocol II, 280 sequences: ``<root>/testing_set.txt`` when the tree has one, as
the synthetic generator writes, else the packaged ``data/lasot_test.txt``), ``train``
(``<root>/training_set.txt``, else every sequence not in the test list), ``full`` (every sequence
folder found). Attributes: ``<root>/att/<seq>.txt`` (one comma line of 0/1 in the order of
``data/lasot_attributes.txt``) when present, as in the LaSOT toolkit's ``annos/att``.
"""
from __future__ import annotations

import os
from typing import List, Optional

from ltr.data.annotations import AnnotationError, list_file, read_flags, read_boxes
from pytracking.evaluation.data import Sequence, SequenceList, frame_paths, mask_paths
from pytracking.evaluation.readers_common import packaged_list, read_flag_file, require_file, resolve_root

SPLITS = ('test', 'train', 'full')


def lasot_class(seq_name: str) -> str:
    """Class of a LaSOT sequence name (``'airplane-1'`` -> ``'airplane'``)."""
    return seq_name.rsplit('-', 1)[0]


def _all_sequences(root: str) -> List[str]:
    names = []
    for cls in sorted(os.listdir(root)):
        cdir = os.path.join(root, cls)
        if os.path.isdir(cdir):
            names += [s for s in sorted(os.listdir(cdir))
                      if lasot_class(s) == cls and os.path.isdir(os.path.join(cdir, s))]
    return names


def lasot_sequence_names(root: str, split: str = 'test') -> List[str]:
    """Sequence names of `split` for the tree at `root` (see the module docstring)."""
    if split not in SPLITS:
        raise ValueError(f"LaSOT split must be one of {SPLITS}, got '{split}'")
    if split == 'full':
        return _all_sequences(root)
    own = os.path.join(root, 'testing_set.txt' if split == 'test' else 'training_set.txt')
    if os.path.isfile(own):
        return list_file(own)
    test = packaged_list('lasot_test.txt')
    if split == 'test':
        return test
    test_set = set(test)
    return [s for s in _all_sequences(root) if s not in test_set]


def attribute_names() -> List[str]:
    """The 14 LaSOT attribute abbreviations, in the column order of the toolkit's attribute files."""
    return packaged_list('lasot_attributes.txt')


def read_lasot_sequence(root: str, name: str, dataset: str = 'lasot') -> Sequence:
    """One LaSOT-layout sequence (annotations only; frames are paths ``img/%08d.jpg`` from 1)."""
    seq_dir = os.path.join(root, lasot_class(name), name)
    gt = read_boxes(require_file(os.path.join(seq_dir, 'groundtruth.txt')))
    n = gt.shape[0]
    occlusion = read_flag_file(os.path.join(seq_dir, 'full_occlusion.txt'), n)
    out_of_view = read_flag_file(os.path.join(seq_dir, 'out_of_view.txt'), n)
    attributes = {}
    att_file = os.path.join(root, 'att', name + '.txt')
    if os.path.isfile(att_file):
        names = attribute_names()
        flags = read_flags(att_file)
        if flags.size != len(names):
            raise AnnotationError(f"{att_file}: {flags.size} attributes, expected {len(names)}")
        attributes = {a: int(f) for a, f in zip(names, flags)}
    return Sequence(name=name, frames=frame_paths(os.path.join(seq_dir, 'img'), n), dataset=dataset,
                    ground_truth_rect=gt, object_class=lasot_class(name),
                    target_visible=(occlusion == 0) & (out_of_view == 0),
                    masks=mask_paths(seq_dir, n), attributes=attributes)


def lasot_dataset(root: Optional[str] = None, split: str = 'test', dataset: str = 'lasot') -> SequenceList:
    """LaSOT sequences of `split`; `root` defaults to ``env_settings().lasot_path``."""
    root = resolve_root(root, 'lasot_path')
    return SequenceList(read_lasot_sequence(root, s, dataset) for s in lasot_sequence_names(root, split))
