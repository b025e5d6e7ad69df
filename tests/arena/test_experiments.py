"""Upstream's extra arena experiments through the one runner, on a 2-sequence synthetic set: the refiner alone
(run_RF_RF.py), the ground-truth-centre oracle (run_<tracker>_oracle.py), saved masks (run_dimp_RF_mask.py),
SiamMask as the refiner (run_siamrpn_SiamMask.py); names, files and what each step does."""
import json
import os
import sys

import cv2
import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from random_trackers import random_siammask_refiner  # noqa: E402

from arena.experiments import GtCentreOracle, IteratedRefiner, PreviousBoxTracker, mask_file  # noqa: E402
from arena.runner import TrackerBuilder, load_arena_benchmark, main, run_arena  # noqa: E402
from ltr.data.annotations import read_boxes  # noqa: E402
from pytracking.evaluation.running import RefinedTracker, track_frames  # noqa: E402
from pytracking.utils.refinement import Refinement  # noqa: E402

pytestmark = pytest.mark.usefixtures('one_torch_thread')
H, W = 60, 80


class Shrinking:
    """A refiner that halves the box around its centre (and records its inputs)."""
    heads = ()

    def __init__(self):
        self.inputs = []

    def initialize(self, frame, box):
        pass

    def refine_frame(self, frame, box, mode='all', with_mask=False):
        self.inputs.append(np.asarray(box, float).copy())
        x, y, w, h = box
        return Refinement(np.array([x + w / 4, y + h / 4, w / 2, h / 2]))


class Recorder:
    """A base tracker answering scripted boxes and recording the states it is set to."""

    def __init__(self, boxes):
        self.boxes, self.states = list(boxes), []

    def initialize(self, image, info):
        pass

    def track(self, image, info=None):
        return {'target_bbox': self.boxes.pop(0)}

    def set_target_box(self, box):
        self.states.append(np.asarray(box, float))


def frames(n):
    return [np.zeros((H, W, 3), np.uint8) for _ in range(n)]


def test_refiner_alone_refines_its_previous_box_n_times_with_clipping():
    refiner = Shrinking()
    step = RefinedTracker(PreviousBoxTracker(), IteratedRefiner(refiner, n_iter=2))
    result = track_frames(frames(3), [20, 20, 40, 40], step)
    np.testing.assert_allclose(result.boxes[1], [35, 35, 10, 10])  # 40 -> 20 -> 10, centred at 40
    np.testing.assert_allclose(refiner.inputs[1], [30, 30, 20, 20])  # pass 2 refines pass 1's output
    np.testing.assert_allclose(refiner.inputs[2], result.boxes[1])  # frame 3 starts from frame 2's box
    np.testing.assert_allclose(result.boxes[2], [38.75, 38.75, 2.5, 2.5])  # the clip keeps it inside, no w/h floor


def test_gt_centre_oracle_resets_the_state_and_writes_the_trackers_own_box():
    gt = np.array([[10, 10, 20, 20], [30, 20, 10, 10], [np.nan] * 4])
    inner = Recorder([[12, 14, 16, 8], [50, 30, 10, 6]])
    step = RefinedTracker(GtCentreOracle(inner, gt))
    result = track_frames(frames(3), gt[0], step)
    np.testing.assert_allclose(result.boxes[1], [12, 14, 16, 8])  # written: the tracker's own (clipped) box
    np.testing.assert_allclose(inner.states[0], [35 - 8, 25 - 4, 16, 8])  # GT centre (35, 25), own size
    np.testing.assert_allclose(inner.states[1], [50, 30, 10, 6])  # no ground truth: own centre kept


def test_experiments_through_the_runner(synthetic_lasot, tmp_path, tiny_refiner):
    bench = load_arena_benchmark('LaSOT', synthetic_root=synthetic_lasot(2, 5, size=(96, 72)))
    quiet = lambda *_: None  # noqa: E731
    kcf = TrackerBuilder('kcf', 'default')
    oracle = run_arena(bench, str(tmp_path), 'kcf_default_oracle', kcf, wrap_tracker=GtCentreOracle, progress=False,
                       log=quiet)
    alone = run_arena(bench, str(tmp_path), 'RF_alone', PreviousBoxTracker,
                      lambda seq: IteratedRefiner(tiny_refiner, 2), progress=False, log=quiet)
    masks = run_arena(bench, str(tmp_path), 'kcf_masks', kcf, lambda seq: tiny_refiner, save_masks=True,
                      progress=False, log=quiet)
    siammask = random_siammask_refiner()
    smask = run_arena(bench, str(tmp_path), 'kcf_smask', kcf, lambda seq: siammask, progress=False, log=quiet)
    for summary in (oracle, alone, masks, smask):
        assert len(summary.ran) == 2 and not summary.failed
        for seq in bench.sequences:
            boxes = read_boxes(os.path.join(summary.out_dir, seq.name + '.txt'))
            assert boxes.shape == (5, 4) and np.all(np.isfinite(boxes))
    seq = bench.sequences[0]
    folder = os.path.join(masks.out_dir, 'masks', seq.name)
    assert sorted(os.listdir(folder)) == [os.path.basename(mask_file(folder, i)) for i in range(1, 5)]
    mask = cv2.imread(mask_file(folder, 1), cv2.IMREAD_UNCHANGED)
    assert mask.shape == (72, 96) and set(np.unique(mask)) <= {0, 255}


def test_script_names_follow_upstream(synthetic_lasot, tmp_path, monkeypatch, tiny_refiner, capsys):
    import arena.runner as runner
    root = synthetic_lasot(1, 3, size=(96, 72))
    monkeypatch.setattr(runner, 'find_refiner', lambda *a: ('tiny', 'refiner: tiny'))
    monkeypatch.setattr(runner, 'refiner_identity', lambda path: path)
    monkeypatch.setattr(runner, 'load_refiner', lambda *a, **k: tiny_refiner)

    class Defaults:
        RF_type, selector_path, dataset_root_, save_dir = 'AR_x', 0, root, str(tmp_path)
    args = ['--quiet', '--dataset-root', root]
    assert main(args + ['--n-iter', '3'], 'LaSOT', Defaults, 'refiner', 'alone', experiment='refiner_alone') == 0
    assert main(args, 'LaSOT', Defaults, 'kcf', 'default', experiment='oracle') == 0
    assert main(args, 'LaSOT', Defaults, 'kcf', 'default', experiment='masks') == 0
    names = [line.split(os.sep)[-1] for line in capsys.readouterr().out.splitlines() if line.startswith('results:')]
    assert names == ['RF_AR_xiter-3-0', 'kcf_default_oracle', 'kcf_defaultAR_x_mask-0']


def test_timer_prints_where_the_time_went(synthetic_lasot, tmp_path, capsys):
    from arena.timing import run as timer
    bench = load_arena_benchmark('LaSOT', synthetic_root=synthetic_lasot(2, 4, size=(96, 72)))
    summary = run_arena(bench, str(tmp_path), 'kcf', TrackerBuilder('kcf', 'default'), progress=False,
                        log=lambda *_: None)
    entry = next(iter(json.load(open(os.path.join(summary.out_dir, 'run_info.json')))['sequences'].values()))
    assert {'build_s', 'read_s', 'init_s', 'base_s', 'refine_s'} <= set(entry)

    class Defaults:
        save_dir = str(tmp_path)
    assert timer([], 'LaSOT', Defaults) == 0  # falls back to <save_dir>/Synthetic-LaSOT
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split(' | ')[:3] == ['tracker', 'seqs', 'frames'] and lines[2].startswith('kcf ')
    assert lines[2].split('|')[1].strip() == '2' and lines[2].split('|')[2].strip() == '8'
    assert timer(['--results-dir', str(tmp_path / 'nothing')], 'LaSOT', Defaults) == 1
