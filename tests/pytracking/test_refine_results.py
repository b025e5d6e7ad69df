"""Offline refinement of saved results (python -m pytracking.refine_results) on a tiny synthetic benchmark."""
import os

import numpy as np
import pytest
import torch

from ltr.admin.loading import save_network_checkpoint
from ltr.data.annotations import read_boxes, write_boxes
from ltr.models.SEx_beta.SEcm_r34 import SEcm_resnet18
from pytracking import refine_results as rr
from pytracking.evaluation.lasotdataset import lasot_dataset


pytestmark = pytest.mark.usefixtures('one_torch_thread')  # tests/conftest.py


@pytest.fixture(scope='module')
def bench(synthetic_lasot):
    return synthetic_lasot(num_sequences=2, frames=10)


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp('net') / 'SEcmnet_ep0001.pth.tar'
    save_network_checkpoint(str(path), SEcm_resnet18(backbone_pretrained=False, input_sz=128).eval(), epoch=1)
    return str(path)


@pytest.fixture(scope='module')
def raw_results(bench, tmp_path_factory):
    """A 'tracker' whose saved boxes are the ground truth jittered, with one NaN row and one empty box."""
    results = tmp_path_factory.mktemp('raw')
    rng = np.random.default_rng(0)
    for seq in lasot_dataset(bench, 'test', dataset='synthetic_lasot'):
        boxes = seq.ground_truth_rect + rng.normal(0, 3, seq.ground_truth_rect.shape)
        boxes[3] = np.nan
        boxes[5, 2:] = 0
        write_boxes(str(results / 'dimp' / 'dimp50' / f'{seq.name}.txt'), boxes)
    return str(results)


def run_cli(bench, raw, out, checkpoint, *extra):
    return rr.main(['--dataset', 'synthetic', '--dataset-root', bench, '--results-dir', raw, '--out-dir', str(out),
                    '--refiner', checkpoint, '--device', 'cpu', *extra])


def test_refined_set_has_input_rows_gt_first_and_batch_16_equals_batch_1(bench, raw_results, checkpoint, tmp_path):
    assert run_cli(bench, raw_results, tmp_path / 'b16', checkpoint, '--batch', '16') == 0
    assert run_cli(bench, raw_results, tmp_path / 'b1', checkpoint, '--batch', '1') == 0
    for seq in lasot_dataset(bench, 'test', dataset='synthetic_lasot'):
        saved = read_boxes(os.path.join(raw_results, 'dimp', 'dimp50', f'{seq.name}.txt'))
        b16 = read_boxes(str(tmp_path / 'b16' / 'dimp' / 'dimp50_RF' / f'{seq.name}.txt'))
        b1 = read_boxes(str(tmp_path / 'b1' / 'dimp' / 'dimp50_RF' / f'{seq.name}.txt'))
        assert b16.shape == saved.shape == b1.shape
        assert np.allclose(b16[0], seq.ground_truth_rect[0], atol=1e-4)
        assert np.abs(b16 - b1).max() <= 1e-4 + 1e-9  # files hold 4 decimals: at most one unit of the last one
        assert np.all(np.isfinite(b16)) and np.all(b16[:, :2] >= 0) and np.all(b16[:, 2:] > 0)
        assert not np.allclose(b16[1:], saved[1:], atol=1e-3)  # the refiner did change the boxes


def test_unusable_saved_boxes_are_replaced_by_the_previous_usable_one(bench, raw_results, checkpoint):
    from pytracking.refine_modules.refine_module import RefineModule
    seq = lasot_dataset(bench, 'test', dataset='synthetic_lasot')[0]
    saved = read_boxes(os.path.join(raw_results, 'dimp', 'dimp50', f'{seq.name}.txt'))
    refiner = RefineModule(checkpoint, device='cpu')
    out = rr.refine_sequence(refiner, seq, saved, batch=4)
    assert np.abs(out - rr.refine_sequence(refiner, seq, saved, batch=1)).max() < 1e-4  # before rounding to the file
    # frame 3 (NaN) and frame 5 (empty) are refined from the saved boxes of frames 2 and 4
    repaired = saved.copy()
    repaired[3], repaired[5] = saved[2], saved[4]
    assert np.array_equal(rr.refine_sequence(refiner, seq, repaired, batch=4), out)


def test_rerun_skips_finished_sequences_and_changed_settings_are_refused(bench, raw_results, checkpoint, tmp_path, capsys):
    out = tmp_path / 'out'
    assert run_cli(bench, raw_results, out, checkpoint, '--batch', '8') == 0
    first = capsys.readouterr().out
    assert '2 sequences refined' in first
    seq_file = next((out / 'dimp' / 'dimp50_RF').glob('*.txt'))
    os.remove(seq_file)  # an interrupted run: one sequence missing
    assert run_cli(bench, raw_results, out, checkpoint, '--batch', '8') == 0
    assert '1 sequences refined' in capsys.readouterr().out and seq_file.exists()
    assert run_cli(bench, raw_results, out, checkpoint, '--mode', 'all') == 1
    err = capsys.readouterr().err.strip()
    assert 'other settings (mode)' in err and '\n' not in err


@pytest.mark.parametrize('extra,message', [(['--batch', '0'], '--batch must be >= 1'),
                                           (['--trackers', 'nobody'], 'missing result file')])
def test_bad_input_is_one_line(bench, raw_results, checkpoint, tmp_path, capsys, extra, message):
    assert run_cli(bench, raw_results, tmp_path / 'o', checkpoint, *extra) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith('refine_results:') and message in err and '\n' not in err
