"""The TColor-128 reader against the got10k toolkit's TColor128 (the reader upstream's eval_other.py used) on a
small tree in the archive's layout; errors name the file."""

import numpy as np
import pytest

from ltr.admin.local_settings import MissingPathError
from ltr.data.annotations import AnnotationError
from pytracking.evaluation.datasets import get_dataset, read_layout
from pytracking.evaluation.tcolor128dataset import tcolor128_dataset


def make_tree(root, seqs=(('Ball_ce1', 3, 7), ('Airport_ce', 1, 4))):
    rng = np.random.default_rng(0)
    for name, first, last in seqs:
        folder = root / name
        (folder / 'img').mkdir(parents=True)
        for i in range(1, last + 3):  # the archive holds frames outside the annotated range too
            (folder / 'img' / f'{i:04d}.jpg').write_bytes(b'')
        boxes = rng.uniform(1, 50, (last - first + 1, 4)).round(2)
        (folder / f'{name}_gt.txt').write_text(''.join(','.join(f'{v:g}' for v in b) + '\n' for b in boxes))
        (folder / f'{name}_frames.txt').write_text(f'{first},{last}\n')
    (root / 'notes').mkdir()  # a folder without annotations is not a sequence
    return root


def test_reader_matches_the_got10k_toolkit(tmp_path):
    from got10k.datasets import TColor128
    root = make_tree(tmp_path / 'tc')
    ours = tcolor128_dataset(str(root))
    toolkit = TColor128(str(root), download=False)
    assert ours.names() == list(toolkit.seq_names) == ['Airport_ce', 'Ball_ce1']
    for seq in ours:
        img_files, anno = toolkit[seq.name]
        assert list(seq.frames) == img_files
        np.testing.assert_allclose(seq.ground_truth_rect, anno)
    assert read_layout('tcolor128', str(root)).names() == get_dataset('tpl', str(root)).names() == ours.names()


def test_errors_name_the_file(tmp_path):
    root = make_tree(tmp_path / 'tc', seqs=(('A', 1, 3),))
    (root / 'A' / 'A_frames.txt').write_text('1,5\n')
    with pytest.raises(AnnotationError, match='A_gt.txt'):
        tcolor128_dataset(str(root))
    (root / 'A' / 'A_frames.txt').write_text('one,two\n')
    with pytest.raises(AnnotationError, match='A_frames.txt'):
        tcolor128_dataset(str(root))
    with pytest.raises(MissingPathError, match='no TColor-128'):
        tcolor128_dataset(str(tmp_path / 'tc' / 'notes'))
