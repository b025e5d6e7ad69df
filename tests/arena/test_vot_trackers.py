"""The VOT2020 trackers in-process (arena/VOT2020/tracking.py): start from a mask, report a mask per frame through
the arena's step; mask threshold, feed-back, empty masks; the entry points' flags and one-line errors."""
import os
import runpy
import subprocess
import sys

import numpy as np
import pytest

from arena.trackers import tracker_factory
from arena.VOT2020.tracking import MASK_THRESHOLD, VOTTracker, VotMaskRefiner, build_parser
from ltr.data.image_loader import default_image_loader
from ltr.data.vot_region import VotRegionError, mask_of_box, read_regions
from ltr.dataset.synthetic import generate_tree
from pytracking.utils.refinement import Refinement

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VOT_DIR = os.path.join(REPO, 'arena', 'VOT2020')
H, W = 60, 80
BASE = np.array([20.0, 15.0, 24.0, 18.0])  # what the stub tracker reports every frame

pytestmark = pytest.mark.usefixtures('one_torch_thread')  # tests/conftest.py


class StubTracker:
    """A base tracker that always reports BASE and records the boxes fed back."""

    def __init__(self):
        self.fed_back = []

    def initialize(self, image, info):
        self.box = np.asarray(info['init_bbox'], dtype=np.float64)

    def track(self, image, info=None):
        return {'target_bbox': BASE.copy()}

    def set_target_box(self, box):
        self.fed_back.append(np.asarray(box, dtype=np.float64))


class StubRefiner:
    """A refiner with a mask head: refines any box to REFINED; its mask probabilities are a ramp over the columns."""
    heads = ('corner', 'mask')
    REFINED = np.array([22.0, 16.0, 20.0, 16.0])

    def __init__(self):
        self.calls = []
        self.prob = np.tile(np.linspace(0.0, 1.0, W), (H, 1))

    def initialize(self, frame, box):
        self.calls.append('initialize')

    def refine_frame(self, frame, box, mode='all', with_mask=False):
        self.calls.append('refine_frame')
        return Refinement(self.REFINED.copy(), None, self.prob.copy() if with_mask else None)

    def mask_frame(self, frame, box):
        self.calls.append('mask_frame')
        return Refinement(np.asarray(box, dtype=np.float64).copy(), None, self.prob.copy())


def start_mask():
    m = np.zeros((H, W), np.uint8)
    m[15:33, 20:44] = 1
    return m


def frame():
    return np.full((H, W, 3), 128, np.uint8)


def vot_tracker(refiner=None):
    made = []
    tracker = VOTTracker(lambda: made.append(StubTracker()) or made[-1], refiner)
    tracker.initialize(frame(), start_mask())
    return tracker, made


def test_starts_from_the_box_of_the_mask():
    tracker, made = vot_tracker()
    assert made[0].box.tolist() == [20, 15, 24, 18]


def one_pixel():
    m = np.zeros((H, W), np.uint8)
    m[4, 7] = 1
    return m


@pytest.mark.parametrize('mask, message', [(np.zeros((H, W), np.uint8), 'empty mask'),
                                           (one_pixel(), '1 target pixels')])
def test_empty_or_one_pixel_initial_mask_is_a_clear_error(mask, message):
    with pytest.raises(VotRegionError, match=message):
        VOTTracker(StubTracker).initialize(frame(), mask)


def test_box_only_reports_the_mask_of_the_written_box():
    tracker, _ = vot_tracker()
    mask = tracker.track(frame())
    assert mask.dtype == np.uint8 and mask.shape == (H, W)
    assert np.array_equal(mask, mask_of_box(BASE, (H, W)))


@pytest.mark.parametrize('threshold', [MASK_THRESHOLD, 0.3])
def test_alphaseg_reports_the_refiner_mask_above_the_threshold(threshold):
    refiner = StubRefiner()
    tracker, made = vot_tracker(VotMaskRefiner(refiner, threshold))
    mask = tracker.track(frame())
    assert np.array_equal(mask, (refiner.prob > threshold).astype(np.uint8))  # strictly above, as upstream
    assert refiner.calls == ['initialize', 'refine_frame']
    np.testing.assert_array_equal(made[0].fed_back[-1], StubRefiner.REFINED)  # the refined box goes back


def test_a_probability_equal_to_the_threshold_is_background():
    refiner = StubRefiner()
    refiner.prob = np.full((H, W), MASK_THRESHOLD)
    refiner.prob[0, 0] = np.nextafter(MASK_THRESHOLD, 1)
    tracker, _ = vot_tracker(VotMaskRefiner(refiner))
    assert np.argwhere(tracker.track(frame())).tolist() == [[0, 0]]


def test_feedback_base_runs_the_mask_branch_alone_and_feeds_back_the_clipped_base_box():
    refiner = StubRefiner()
    tracker, made = vot_tracker(VotMaskRefiner(refiner, feedback='base'))
    tracker.track(frame())
    assert refiner.calls == ['initialize', 'mask_frame']
    np.testing.assert_array_equal(made[0].fed_back[-1], BASE)  # inside the frame: clipping leaves it


def test_an_empty_mask_is_replaced_by_the_mask_of_the_box_and_counted():
    refiner = StubRefiner()
    refiner.prob[:] = 0.1
    tracker, _ = vot_tracker(VotMaskRefiner(refiner))
    assert np.array_equal(tracker.track(frame()), mask_of_box(StubRefiner.REFINED, (H, W)))
    assert tracker.empty_masks == 1 and 'empty masks replaced' in tracker.summary()


def test_each_initialisation_gets_a_fresh_base_tracker():
    tracker, made = vot_tracker(VotMaskRefiner(StubRefiner()))
    tracker.track(frame())
    tracker.initialize(frame(), start_mask())
    assert len(made) == 2 and made[1].fed_back == []


def test_alphaseg_needs_a_mask_head_and_a_known_feedback():
    refiner = StubRefiner()
    refiner.heads = ('corner',)
    with pytest.raises(ValueError, match='mask head'):
        VotMaskRefiner(refiner)
    with pytest.raises(ValueError, match='--feedback'):
        VotMaskRefiner(StubRefiner(), feedback='none')


def test_kcf_with_a_random_refiner_tracks_synthetic_frames(tiny_refiner, tmp_path):
    root = generate_tree(str(tmp_path / 'seq'), 'vot', 'test', 1, 4, (96, 72), seed=1, progress=False)
    seq = os.path.join(root, 'rectangle-1')
    images = [default_image_loader(os.path.join(seq, 'color', f'{i:08d}.jpg')) for i in range(1, 5)]
    first = read_regions(os.path.join(seq, 'groundtruth.txt'))[0].full_size(images[0].shape[:2])
    for feedback in ('refined', 'base'):
        tracker = VOTTracker(tracker_factory('kcf', 'default'), VotMaskRefiner(tiny_refiner, feedback=feedback))
        tracker.initialize(images[0], first)
        for image in images[1:]:
            mask = tracker.track(image)
            assert mask.shape == (72, 96) and mask.dtype == np.uint8 and set(np.unique(mask)) <= {0, 1}
        assert tracker.frames == 3 and tracker.refine_time > 0


SCRIPTS = sorted(f for f in os.listdir(VOT_DIR) if f.startswith('run_') and f.endswith('.py'))


def test_upstream_entry_names_exist():
    assert {'run_pytracking_alphaseg.py', 'run_pytracking.py', 'run_siamrpn_alphaseg.py', 'run_siamrpn.py',
            'run_rtmdnet_alphaseg.py', 'run_rtmdnet.py', 'run_kcf_alphaseg.py', 'run_kcf.py'} == set(SCRIPTS)


@pytest.mark.parametrize('script', SCRIPTS)
def test_entry_points_take_upstream_flags(script, capsys):
    old_argv, old_path = sys.argv, list(sys.path)
    sys.argv, sys.path[:0] = [script, '--help'], [VOT_DIR]
    sys.modules.pop('common_path', None)
    try:
        with pytest.raises(SystemExit) as done:
            runpy.run_path(os.path.join(VOT_DIR, script), run_name='__main__')
    finally:
        sys.argv, sys.path[:] = old_argv, old_path
        sys.modules.pop('common_path', None)
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert ('--mask_thres' in text and '--refiner' in text and '--feedback' in text) == ('alphaseg' in script)
    assert ('--tracker_name' in text) == ('pytracking' in script)


def test_pytracking_defaults_are_upstreams():
    args = build_parser('atom', 'default', True, True).parse_args([])
    flags = (args.tracker_name, args.tracker_param, args.mask_thres, args.feedback)
    assert flags == ('atom', 'default', 0.65, 'refined')


def test_a_missing_refiner_is_one_line_and_exit_1(tmp_path):
    missing = str(tmp_path / 'no_such_refiner.pth.tar')
    done = subprocess.run([sys.executable, os.path.join(VOT_DIR, 'run_kcf_alphaseg.py'), '--refiner', missing],
                          cwd=str(tmp_path), capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 1 and done.stdout == ''  # stdout is the TraX channel: nothing written there
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith('run_kcf_alphaseg.py: error:') and 'no_such_refiner' in lines[-1]
    assert 'Traceback' not in done.stderr
