"""The shared per-frame step (RefinedTracker): clipping, fall-backs, counts, feed-back; result files; resume."""
import os

import numpy as np
import pytest

from ltr.data.annotations import read_boxes
from pytracking.evaluation.data import Sequence, SequenceList
from pytracking.evaluation.running import RefinedTracker, is_finished, run_dataset, run_sequences, track_frames, usable_box
from pytracking.parameter import load_parameters
from pytracking.utils.refinement import Refinement
from pytracking.tracker import load_tracker_class

H, W = 120, 160


class ScriptedTracker:
    """Returns the scripted boxes in turn and records what is fed back."""

    def __init__(self, boxes):
        self.boxes = [np.asarray(b, dtype=np.float64) for b in boxes]
        self.fed_back = []
        self.initialised = 0

    def initialize(self, image, info):
        self.initialised += 1

    def track(self, image, info=None):
        return {'target_bbox': self.boxes.pop(0).tolist()}

    def set_target_box(self, box):
        self.fed_back.append(np.asarray(box, dtype=np.float64).copy())


class ScriptedRefiner:
    """Refines to `outputs` in turn, checked as RefineModule checks its output (None: falls back and says so),
    and records its inputs."""

    def __init__(self, outputs):
        self.outputs = list(outputs)
        self.inputs = []

    def initialize(self, frame, box):
        self.init_box = np.asarray(box).copy()

    def refine_frame(self, frame, box, mode='all', with_mask=False):
        self.inputs.append(np.asarray(box, dtype=np.float64).copy())
        out = self.outputs.pop(0)
        if out is None:
            return Refinement(np.asarray(box, dtype=np.float64), 'scripted fall-back')
        return Refinement.checked(out, box, frame.shape[:2])


def frames(n):
    rng = np.random.default_rng(0)
    return [rng.integers(0, 255, (H, W, 3), dtype=np.uint8) for _ in range(n)]


def test_usable_box_cases():
    assert usable_box([10, 10, 20, 20], (H, W))
    assert not usable_box([np.nan, 10, 20, 20], (H, W))
    assert not usable_box([10, 10, 0, 20], (H, W))
    assert not usable_box([W + 5, 10, 20, 20], (H, W))       # right of the frame
    assert not usable_box([-40, 10, 30, 20], (H, W))          # left of the frame
    assert not usable_box([1, 2, 3], (H, W))
    assert usable_box([-5, -5, 20, 20], (H, W))               # partly outside is usable (it gets clipped)


def test_bad_base_boxes_are_replaced_counted_and_reset_the_tracker():
    tracker = ScriptedTracker([[np.nan, 0, 10, 10], [20, 20, 0, 5], [500, 500, 30, 30], [30, 40, 20, 10]])
    step = RefinedTracker(tracker)
    result = track_frames(frames(5), [10, 10, 30, 20], step)
    assert result.counts.bad_base == 3 and result.counts.frames == 5
    np.testing.assert_allclose(result.boxes[:4], [[10, 10, 30, 20]] * 4)   # last good box kept
    np.testing.assert_allclose(result.boxes[4], [30, 40, 20, 10])
    assert len(tracker.fed_back) == 3  # only the poisoned states were reset (base-only run)
    np.testing.assert_allclose(tracker.fed_back[0], [10, 10, 30, 20])


def test_refiner_input_is_clipped_and_the_clipped_refined_box_is_fed_back_and_written():
    tracker = ScriptedTracker([[-20, 100, 50, 40]])          # partly outside (left and bottom)
    refiner = ScriptedRefiner([[150, 5, 30, 30]])             # partly outside (right)
    step = RefinedTracker(tracker, refiner)
    result = track_frames(frames(2), [10, 10, 30, 20], step)
    # upstream bbox_clip, min size 10: x1 in [0, W-10], x2 in [10, W]
    np.testing.assert_allclose(refiner.inputs[0], [0, 100, 30, 20])
    np.testing.assert_allclose(result.boxes[1], [150, 5, 10, 30])
    np.testing.assert_allclose(tracker.fed_back[0], [150, 5, 10, 30])
    assert result.counts.refine_fallback == 0


@pytest.mark.parametrize('bad, reason', [([np.nan, 1, 2, 3], 'finite'), ([10, 10, -4, 5], 'w > 0'),
                                         ([1000, 1000, 10, 10], 'outside'), (None, 'scripted fall-back')])
def test_failed_refinement_falls_back_to_the_base_box_and_says_why(bad, reason):
    tracker = ScriptedTracker([[40, 30, 20, 20]])
    step = RefinedTracker(tracker, ScriptedRefiner([bad]))
    result = track_frames(frames(2), [10, 10, 30, 20], step)
    np.testing.assert_allclose(result.boxes[1], [40, 30, 20, 20])
    assert result.counts.refine_fallback == 1 and reason in result.counts.first_fallback
    np.testing.assert_allclose(tracker.fed_back[0], [40, 30, 20, 20])


def test_a_refinement_equal_to_its_input_is_not_a_fall_back():
    # the step learns of a fall-back from the refiner, not by comparing boxes
    tracker = ScriptedTracker([[40, 30, 20, 20]])
    result = track_frames(frames(2), [10, 10, 30, 20], RefinedTracker(tracker, ScriptedRefiner([[40, 30, 20, 20]])))
    assert result.counts.refine_fallback == 0 and result.counts.first_fallback is None


def test_nan_base_box_with_refiner_refines_the_last_box():
    tracker = ScriptedTracker([[np.nan] * 4])
    refiner = ScriptedRefiner([[12, 12, 28, 18]])
    result = track_frames(frames(2), [10, 10, 30, 20], RefinedTracker(tracker, refiner))
    np.testing.assert_allclose(refiner.inputs[0], [10, 10, 30, 20])
    np.testing.assert_allclose(result.boxes[1], [12, 12, 28, 18])
    assert (result.counts.bad_base, result.counts.refine_fallback) == (1, 0)


def test_raw_output_mode_writes_the_tracker_box_unclipped():
    tracker = ScriptedTracker([[-20, 100, 50, 40]])
    result = track_frames(frames(2), [10, 10, 30, 20], RefinedTracker(tracker, clip_output=False))
    np.testing.assert_allclose(result.boxes[1], [-20, 100, 50, 40])
    assert tracker.fed_back == []


def textured_scene(n, box=(40, 40, 32, 24), velocity=(2, 1)):
    """A textured target moving over a textured background: frames and ground-truth boxes."""
    import cv2
    rng = np.random.default_rng(1)
    smooth = lambda h, w, g: cv2.resize(rng.uniform(0, 255, (h // g, w // g, 3)).astype(np.float32), (w, h))
    background, target = smooth(H, W, 8), smooth(box[3], box[2], 4)
    images, gt = [], []
    for t in range(n):
        x, y = box[0] + velocity[0] * t, box[1] + velocity[1] * t
        img = background.copy()
        img[y:y + box[3], x:x + box[2]] = target
        images.append(img.astype(np.uint8))
        gt.append([x, y, box[2], box[3]])
    return images, np.asarray(gt, dtype=np.float64)


def test_feedback_moves_the_kcf_search_region_to_the_refined_box():
    images, gt = textured_scene(3)
    kcf = load_tracker_class('kcf')(load_parameters('kcf', 'default'))
    refined = np.array([70.0, 50.0, 40.0, 20.0])
    step = RefinedTracker(kcf, ScriptedRefiner([refined]))
    step.initialize(images[0], gt[0])
    before = kcf.search_region()
    step.track(images[1])
    region = kcf.search_region()
    centre = region[:2] + region[2:] / 2
    np.testing.assert_allclose(centre, refined[:2] + refined[2:] / 2)
    assert not np.allclose(region, before)
    # the search window scales with the refined box: sqrt(area ratio to the initial box)
    np.testing.assert_allclose(region[2] / before[2], np.sqrt(40 * 20 / (32 * 24)), rtol=1e-9)
    out = kcf.track(images[2])['target_bbox']
    assert abs(out[2] / out[3] - 2.0) < 1e-9  # the refined aspect is kept by KCF's scale search


def _fake_sequences(tmp_path, n=2, frames_per_seq=4):
    import cv2
    seqs = SequenceList()
    for k in range(n):
        folder = tmp_path / 'data' / f'seq{k}'
        folder.mkdir(parents=True)
        paths = []
        for i, img in enumerate(frames(frames_per_seq)):
            p = str(folder / f'{i + 1:08d}.png')
            cv2.imwrite(p, img)
            paths.append(p)
        gt = np.tile([[10.0, 10.0, 30.0, 20.0]], (frames_per_seq, 1))
        seqs.append(Sequence(name=f'seq{k}', frames=paths, dataset='fake', ground_truth_rect=gt))
    return seqs


def test_result_files_are_comma_4_decimals_with_the_init_box_first(tmp_path):
    seqs = _fake_sequences(tmp_path, n=1)
    make = lambda seq: RefinedTracker(ScriptedTracker([[11.123456, 12, 30, 20]] * 3))
    run_sequences(seqs, str(tmp_path / 'out'), make, progress=False)
    text = (tmp_path / 'out' / 'seq0.txt').read_text().splitlines()
    assert text[0] == '10.0000,10.0000,30.0000,20.0000'
    assert text[1] == '11.1235,12.0000,30.0000,20.0000'
    times = (tmp_path / 'out' / 'seq0_time.txt').read_text().split()
    assert len(text) == len(times) == 4


def test_run_sequences_resumes_without_recomputing(tmp_path):
    seqs = _fake_sequences(tmp_path, n=2)
    out = str(tmp_path / 'out')
    built = []

    def make_failing(seq):
        if seq.name == 'seq1':
            raise KeyboardInterrupt  # interrupted before seq1 finished
        built.append(seq.name)
        return RefinedTracker(ScriptedTracker([[10, 10, 30, 20]] * 3))

    with pytest.raises(KeyboardInterrupt):
        run_sequences(seqs, out, make_failing, progress=False)
    assert is_finished(out, 'seq0') and not is_finished(out, 'seq1')
    mtime = os.path.getmtime(os.path.join(out, 'seq0.txt'))
    built.clear()
    new = run_sequences(seqs, out, lambda s: (built.append(s.name), RefinedTracker(ScriptedTracker([[10, 10, 30, 20]] * 3)))[1],
                        progress=False)
    assert built == ['seq1'] and list(new) == ['seq1']
    assert os.path.getmtime(os.path.join(out, 'seq0.txt')) == mtime
    assert read_boxes(os.path.join(out, 'seq1.txt')).shape == (4, 4)


def test_run_dataset_writes_pytracking_layout_and_skips_finished(tmp_path):
    from pytracking.tracker_factory import Tracker
    seqs = _fake_sequences(tmp_path, n=2, frames_per_seq=3)
    tracker = Tracker('kcf', 'default', 7, results_path=str(tmp_path / 'results'))
    run_dataset(seqs, [tracker])
    folder = tmp_path / 'results' / 'kcf' / 'default_007'
    assert sorted(os.listdir(folder)) == ['seq0.txt', 'seq0_time.txt', 'seq1.txt', 'seq1_time.txt']
    stamp = os.path.getmtime(folder / 'seq0.txt')
    run_dataset(seqs, [tracker])
    assert os.path.getmtime(folder / 'seq0.txt') == stamp
