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
    state = trained.rng.bit_generator.state
    out = trained.track(frames[2])
    # candidates are drawn around the given box: the result stays near it, not at the target (~44, 42)
    centre = np.array(out['target_bbox'][:2]) + np.array(out['target_bbox'][2:]) / 2
    assert np.all(np.abs(centre - [110, 78]) < 20)
    assert state != trained.rng.bit_generator.state
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
