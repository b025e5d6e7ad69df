"""The RT-MDNet tracker: online classifier, feed-back hook, arena runs with/without the refiner, model-file errors.

Random conv weights (no model file here); sample counts and iterations are reduced through the options
to keep the suite fast on CPU (the algorithm is unchanged).
"""
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from ltr.data.bounding_box_utils import iou_xywh
from RT_MDNet.modules.model import accuracy, precision
from RT_MDNet.modules.sample_generator import SampleGenerator, gen_samples
from RT_MDNet.options import opts, parameters
from RT_MDNet.tracker import RTMDNet

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, 'tests', 'pytracking', 'tracker'))
from conftest import moving_target_scene  # noqa: E402  (the tracker tests' scene generator)

FAST = dict(device='cpu', jitter=False, replicate_num=2, n_pos_init=100, n_neg_init=400, n_bbreg=100,
            batch_neg_cand=256, n_samples=64, maxiter_update=3, n_pos_update=20, n_neg_update=60)


pytestmark = pytest.mark.usefixtures('one_torch_thread')  # tests/conftest.py


@pytest.fixture(scope='module')
def scene():
    return moving_target_scene(6, (120, 160), (40, 40, 32, 24), (2.0, 1.0), seed=0)


@pytest.fixture(scope='module')
def trained(scene):
    """Initialised on frame 1. With random (not pretrained) conv features upstream's lr_init 1e-4 needs far more
    than 50 iterations; 1e-3 separates in upstream's 50."""
    frames, gt = scene
    tracker = RTMDNet(parameters(**FAST, lr_init=1e-3))
    tracker.initialize(frames[0], {'init_bbox': gt[0]})
    return tracker


def test_options_are_upstreams():
    assert (opts['img_size'], opts['padding'], opts['n_samples'], opts['trans_f'], opts['scale_f']) == (107, 1.2, 256, 0.6, 1.05)
    assert (opts['maxiter_init'], opts['n_pos_init'], opts['n_neg_init'], opts['lr_init']) == (50, 500, 5000, 1e-4)
    assert (opts['long_interval'], opts['n_frames_short'], opts['n_frames_long'], opts['lr_mult']) == (10, 20, 100, {'fc6': 10})
    with pytest.raises(AttributeError, match='n_sample'):
        parameters(n_sample=10)


def test_initial_training_separates_target_from_background(scene, trained):
    frames, gt = scene
    rng = np.random.default_rng(5)
    wh = (frames[1].shape[1], frames[1].shape[0])
    pos = gen_samples(SampleGenerator('gaussian', wh, 0.1, 1.2, rng=rng), gt[1], 40, (0.7, 1))
    neg = gen_samples(SampleGenerator('uniform', wh, 1, 2, 1.1, rng=rng), gt[1], 120, (0, 0.3))
    trained.target_bbox = gt[1].copy()  # score in the next frame at the true scale
    scores = trained.score_boxes(frames[1], np.concatenate([pos, neg]))
    pos_s, neg_s = scores[:len(pos)], scores[len(pos):]
    assert precision(pos_s, neg_s) >= 0.95
    assert float(pos_s[:, 1].mean()) > float(neg_s[:, 1].mean()) + 1.0
    assert np.mean(accuracy(pos_s, neg_s)) >= 0.9
    assert trained.last_losses[-1] < trained.last_losses[0]


def test_untrained_branch_does_not_separate(scene):
    frames, gt = scene
    tracker = RTMDNet(parameters(**dict(FAST, maxiter_init=0, lr_init=1e-3)))
    tracker.initialize(frames[0], {'init_bbox': gt[0]})
    rng = np.random.default_rng(5)
    wh = (frames[1].shape[1], frames[1].shape[0])
    pos = gen_samples(SampleGenerator('gaussian', wh, 0.1, 1.2, rng=rng), gt[1], 40, (0.7, 1))
    neg = gen_samples(SampleGenerator('uniform', wh, 1, 2, 1.1, rng=rng), gt[1], 120, (0, 0.3))
    tracker.target_bbox = gt[1].copy()
    scores = tracker.score_boxes(frames[1], np.concatenate([pos, neg]))
    assert precision(scores[:len(pos)], scores[len(pos):]) < 0.9


def test_tracks_the_generated_sequence_and_is_reproducible(scene):
    frames, gt = scene
    runs = []
    for _ in range(2):
        tracker = RTMDNet(parameters(**FAST, lr_init=1e-3))  # lr: see the `trained` fixture
        tracker.initialize(frames[0], {'init_bbox': gt[0]})
        runs.append([tracker.track(f)['target_bbox'] for f in frames[1:4]])
    boxes = np.array(runs[0])
    assert np.array_equal(boxes, np.array(runs[1]))  # same seed, same boxes; global RNG untouched
    assert np.all(np.isfinite(boxes))
    assert np.mean(iou_xywh(boxes, gt[1:4])) > 0.5


def test_set_target_box_changes_the_search(scene, trained):
    frames, gt = scene
    trained.set_target_box([100, 70, 20, 16])
    assert trained.get_target_box().tolist() == [100, 70, 20, 16]
    _, keys, pos, _, _ = trained.rng.get_state()
    keys = keys.copy()
    out = trained.track(frames[2])
    # candidates are drawn around the given box: the result stays near it, not at the target (~44, 42)
    centre = np.array(out['target_bbox'][:2]) + np.array(out['target_bbox'][2:]) / 2
    assert np.all(np.abs(centre - [110, 78]) < 20)
    _, keys_after, pos_after, _, _ = trained.rng.get_state()
    assert pos_after != pos or not np.array_equal(keys_after, keys)       # candidates were drawn
    with pytest.raises(ValueError, match='width and height'):
        trained.set_target_box([1, 2, 0, 3])
    # a near-empty refined box is widened to the sampler's 5 px about its centre (else the crop explodes)
    trained.set_target_box([40, 50, 1, 0.01])
    assert trained.get_target_box() == pytest.approx([38, 47.505, 5, 5])


def test_track_before_initialize_and_bad_box_are_errors():
    tracker = RTMDNet(parameters(**FAST))
    with pytest.raises(RuntimeError, match='initialize'):
        tracker.track(np.zeros((20, 20, 3), np.uint8))
    with pytest.raises(ValueError, match='init_bbox'):
        tracker.initialize(np.zeros((20, 20, 3), np.uint8), {'init_bbox': [0, 0, -1, 5]})


# -- the arena ---------------------------------------------------------------------------------
def fabricated_model(path):
    from RT_MDNet.modules.model import MDNet
    torch.manual_seed(0)
    torch.save({'shared_layers': MDNet().layers.state_dict()}, path)


def test_tracker_factory_loads_the_model_once_and_gives_fresh_trackers(tmp_path, monkeypatch):
    from arena.trackers import tracker_factory
    nets = tmp_path / 'nets'
    nets.mkdir()
    monkeypatch.setenv('PYTRACKING_NETWORK_PATH', str(nets))
    with pytest.raises(FileNotFoundError, match='rt-mdnet.pth not found: put it in .*nets'):
        tracker_factory('rtmdnet', 'default')
    fabricated_model(nets / 'rt-mdnet.pth')
    make = tracker_factory('rtmdnet', 'default')
    a, b = make(), make()
    assert a is not b and a.model is not b.model
    assert a.params.model_path == str(nets / 'rt-mdnet.pth')
    assert torch.equal(a.model.layers.conv1[0].weight, b.model.layers.conv1[0].weight)
    with pytest.raises(ValueError, match="no parameter set 'fast'"):
        tracker_factory('rtmdnet', 'fast')


def test_missing_model_file_is_one_line_from_the_arena_scripts(tmp_path):
    env = dict(os.environ, PYTRACKING_NETWORK_PATH=str(tmp_path), LTR_WORKSPACE_DIR=str(tmp_path / 'ws'))
    for script in ('arena/LaSOT/run_RTMDNet_RF.py',):
        out = subprocess.run([sys.executable, os.path.join(REPO, script)], capture_output=True, text=True, env=env,
                             cwd=str(tmp_path))
        assert out.returncode == 1
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and 'rt-mdnet.pth not found' in lines[0] and str(tmp_path) in lines[0]
    out = subprocess.run([sys.executable, os.path.join(REPO, 'arena', 'GOT10k', 'eval_got10k.py'), '--tracker',
                          'RTMDNet_RF'], capture_output=True, text=True, env=env, cwd=str(tmp_path))
    assert out.returncode == 1 and len(out.stderr.strip().splitlines()) == 1 and 'rt-mdnet.pth' in out.stderr


def test_runs_a_synthetic_sequence_with_and_without_the_refiner(synthetic_lasot, tiny_refiner, tmp_path):
    from arena.paths import RF_TYPE
    from arena.runner import load_arena_benchmark, result_name, run_arena
    from ltr.data.annotations import read_boxes
    bench = load_arena_benchmark('LaSOT', synthetic_root=synthetic_lasot(num_sequences=1, frames=5))
    make = lambda: RTMDNet(parameters(**dict(FAST, maxiter_init=10)))  # noqa: E731
    save = str(tmp_path / 'save')
    seq = bench.sequences[0]
    for name, refiner_for in ((result_name('rtmdnet', 'default'), None),
                              (result_name('rtmdnet', 'default', RF_TYPE, 0), lambda s: tiny_refiner)):
        summary = run_arena(bench, save, name, make, refiner_for, progress=False, log=lambda s: None)
        assert summary.ran == [seq.name]
        boxes = read_boxes(os.path.join(save, bench.name, name, seq.name + '.txt'))
        assert boxes.shape == (5, 4) and np.all(np.isfinite(boxes)) and np.all(boxes[:, 2:] > 0)


# maxiter_init 10: the training needs extra permutations of both positives (80 > 60) and negatives (320 > 150)
ORDER = dict(device='cpu', jitter=True, replicate_num=3, n_pos_init=30, n_neg_init=120, n_bbreg=30, maxiter_init=10,
             batch_pos=8, batch_neg=16, batch_neg_cand=32, batch_test=32, n_samples=40, n_pos_update=20,
             n_neg_update=40)


def upstream_draws(wh, target, p):
    """Upstream's sequence of np.random calls on the first frame and the next frame's candidates (AlphaRefine
    external/RT_MDNet, written from its code order), on the global legacy RNG after np.random.seed(seed).
    Returns the drawn boxes in order and the RNG state after the first frame."""
    from RT_MDNet.modules.sample_generator import SampleGenerator as SG
    np.random.seed(p.seed)
    R = np.random.mtrand._rand
    drawn = [gen_samples(SG('gaussian', wh, 0.1, 1.2, rng=R), target, p.n_pos_init, p.overlap_pos_init)]
    drawn.append(gen_samples(SG('uniform', wh, 1, 2, 1.1, rng=R), target, p.n_neg_init, p.overlap_neg_init))
    np.random.permutation(drawn[1])                                       # neg_examples = permutation(...)
    drawn.append(gen_samples(SG('uniform', wh, 0.3, 1.5, 1.1, rng=R), target, p.n_bbreg, p.overlap_bbreg, p.scale_bbreg))
    counts = []
    for ex, n in zip(drawn, (p.n_pos_init, p.n_neg_init, p.n_bbreg)):    # subsets of the 7 scene copies
        idx = np.asarray(range(7 * len(ex)))
        if len(idx) > n:
            np.random.shuffle(idx)
        counts.append(len(idx[:n]))
    reps = p.replicate_num
    for _ in range(reps):                                                 # the extra crops
        np.clip(2. * np.random.randn(2), -4, 4)
        np.clip(np.random.randn(1), -2, 2)
        extra = [gen_samples(SG('gaussian', wh, 0.1, 1.2, rng=R), target, p.n_pos_init // reps, p.overlap_pos_init),
                 gen_samples(SG('uniform', wh, 0.3, 2, 1.1, rng=R), target, p.n_neg_init / reps // 4, p.overlap_neg_init),
                 gen_samples(SG('uniform', wh, 0.3, 1.5, 1.1, rng=R), target, p.n_bbreg / reps // 4, p.overlap_bbreg,
                             p.scale_bbreg)]
        drawn += extra
        counts = [c + len(e) for c, e in zip(counts, extra)]
    n_pos, n_neg, n_bb = counts
    pos_idx, neg_idx = np.random.permutation(n_pos), np.random.permutation(n_neg)    # train()
    while len(pos_idx) < p.batch_pos * p.maxiter_init:
        pos_idx = np.concatenate([pos_idx, np.random.permutation(n_pos)])
    while len(neg_idx) < max(p.batch_neg_cand, p.batch_neg) * p.maxiter_init:
        neg_idx = np.concatenate([neg_idx, np.random.permutation(n_neg)])
    for total, n in ((n_bb, p.n_bbreg), (n_pos, p.n_pos_update), (n_neg, p.n_neg_update)):
        if total > n:
            np.random.shuffle(np.asarray(range(total)))
    state = np.random.get_state()
    drawn.append(gen_samples(SG('gaussian', wh, p.trans_f, p.scale_f, valid=True, rng=R), target, p.n_samples))
    return drawn, state


def test_first_frame_and_candidates_draw_upstreams_numbers_in_upstreams_order(scene, monkeypatch):
    import RT_MDNet.tracker as tracker_module
    frames, gt = scene
    recorded = []

    def recording(*args, **kwargs):
        out = gen_samples(*args, **kwargs)
        recorded.append(out)
        return out

    monkeypatch.setattr(tracker_module, 'gen_samples', recording)
    params = parameters(**ORDER)
    global_state = np.random.get_state()
    tracker = RTMDNet(params)
    tracker.initialize(frames[0], {'init_bbox': gt[0]})
    target, after_first_frame = tracker.target_bbox.copy(), tracker.rng.get_state()
    num_first = len(recorded)
    tracker.track(frames[1])
    now = np.random.get_state()
    assert now[2] == global_state[2] and np.array_equal(now[1], global_state[1])    # global RNG untouched
    drawn, state = upstream_draws((frames[0].shape[1], frames[0].shape[0]), target, params)
    np.random.set_state(global_state)
    assert num_first == len(drawn) - 1 and len(recorded) >= len(drawn)
    for ours, theirs in zip(recorded, drawn):
        np.testing.assert_array_equal(ours, theirs)
    assert np.array_equal(after_first_frame[1], state[1]) and after_first_frame[2:] == state[2:]


def test_scene_copy_subset_is_stacked_in_upstreams_order():
    """Upstream keeps feats[idx[:n]] with idx = shuffle(range(copies * examples)); the tracker extracts only
    those rows copy by copy (increasing example index) and reorders them. Rows here are their flat indices."""
    tracker = RTMDNet(parameters(device='cpu', seed=4))
    per_copy, order = tracker._pick(3, 5, 6)
    idx = np.asarray(range(15))
    np.random.RandomState(4).shuffle(idx)
    stacked = np.concatenate([b * 5 + ex for b, ex in enumerate(per_copy)])
    np.testing.assert_array_equal(stacked[order], idx[:6])
    per_copy, order = tracker._pick(2, 3, 6)                  # not more pairs than wanted: all, no draw
    np.testing.assert_array_equal(np.concatenate([b * 3 + ex for b, ex in enumerate(per_copy)])[order], np.arange(6))
