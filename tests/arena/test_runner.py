"""The arena runner on a 2-sequence synthetic set: both result sets, resume, settings guard, oracle, scripts."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from arena.paths import RF_TYPE
from arena.refiners import GtSizeOracle
from arena.runner import ArenaError, load_arena_benchmark, oracle_name, result_name, run_arena
from ltr.data.annotations import read_boxes
from pytracking.parameter import load_parameters
from pytracking.tracker import load_tracker_class

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


pytestmark = pytest.mark.usefixtures('one_torch_thread')  # tests/conftest.py


@pytest.fixture(scope='module')
def tree(synthetic_lasot):
    return synthetic_lasot(num_sequences=2, frames=10)


def assert_clipped(boxes, W, H):
    """Upstream bbox_clip (min_sz 10): x1 in [0, W - 10], x2 in [10, W], same for y."""
    eps = 1e-4  # 4 decimals in the files
    assert np.all(boxes[:, 0] >= 0) and np.all(boxes[:, 0] <= W - 10 + eps)
    assert np.all(boxes[:, 1] >= 0) and np.all(boxes[:, 1] <= H - 10 + eps)
    assert np.all(boxes[:, 0] + boxes[:, 2] >= 10 - eps) and np.all(boxes[:, 0] + boxes[:, 2] <= W + eps)
    assert np.all(boxes[:, 1] + boxes[:, 3] >= 10 - eps) and np.all(boxes[:, 1] + boxes[:, 3] <= H + eps)


class CountingKCF:
    """KCF factory that counts initialisations (sequences actually tracked)."""

    def __init__(self, interrupt_at=None):
        self.started, self.interrupt_at = [], interrupt_at

    def __call__(self):
        outer = self
        base = load_tracker_class('kcf')

        class Tracker(base):
            def initialize(self, image, info):
                outer.started.append(tuple(info['init_bbox']))
                return super().initialize(image, info)

            def track(self, image, info=None):
                if outer.interrupt_at is not None and len(outer.started) == outer.interrupt_at and self.frame_num == 4:
                    raise KeyboardInterrupt  # interruption in the middle of a sequence
                return super().track(image, info)

        return Tracker(load_parameters('kcf', 'default'))


def test_names_keep_upstream_style():
    assert result_name('kcf', 'default') == 'kcf_default'
    assert result_name('kcf', 'default', RF_TYPE, 0) == 'kcf_defaultAR_CrsM_R34SR20_pixCorr_woPr_woNL_corner-0'
    assert oracle_name('kcf', 'default') == 'kcf_default_gtsize'


def test_synthetic_fallback_is_named_and_noted(tree):
    bench = load_arena_benchmark('LaSOT', synthetic_root=tree)
    assert bench.name == 'Synthetic-LaSOT' and len(bench.sequences) == 2
    assert bench.note.startswith('no LaSOT root configured') and 'synthetic' in bench.note
    assert bench.manifest['split_entry'] == {'num_sequences': 2, 'frames': 10}
    real = load_arena_benchmark('LaSOT', dataset_root=tree)  # a given root is read as the real benchmark
    assert real.name == 'LaSOT' and real.note is None


def test_base_and_refined_runs_write_both_result_sets_and_resume(tree, tmp_path, tiny_refiner):
    bench = load_arena_benchmark('LaSOT', synthetic_root=tree)
    save = str(tmp_path / 'save')
    names = bench.sequences.names()
    rf_name = result_name('kcf', 'default', RF_TYPE, 0)

    base = CountingKCF()
    run_arena(bench, save, 'kcf_default', base, progress=False, log=lambda s: None)
    # interrupted in the middle of the second sequence
    rf = CountingKCF(interrupt_at=2)
    with pytest.raises(KeyboardInterrupt):
        run_arena(bench, save, rf_name, rf, lambda seq: tiny_refiner, {'refiner': 'tiny'}, progress=False,
                  log=lambda s: None)
    rf_dir = os.path.join(save, 'Synthetic-LaSOT', rf_name)
    assert os.path.isfile(os.path.join(rf_dir, names[0] + '.txt'))
    assert not os.path.exists(os.path.join(rf_dir, names[1] + '.txt'))
    finished_mtime = os.path.getmtime(os.path.join(rf_dir, names[0] + '.txt'))

    resumed = CountingKCF()
    lines = []
    summary = run_arena(bench, save, rf_name, resumed, lambda seq: tiny_refiner, {'refiner': 'tiny'}, progress=False,
                        log=lines.append)
    assert len(resumed.started) == 1 and summary.ran == [names[1]] and summary.skipped == [names[0]]
    assert os.path.getmtime(os.path.join(rf_dir, names[0] + '.txt')) == finished_mtime
    assert 'base boxes replaced' in lines[-1] and 'fallen back' in lines[-1]

    for folder in ('kcf_default', rf_name):
        for seq in bench.sequences:
            boxes = read_boxes(os.path.join(save, 'Synthetic-LaSOT', folder, seq.name + '.txt'))
            assert boxes.shape == (len(seq), 4)
            np.testing.assert_allclose(boxes[0], seq.ground_truth_rect[0], atol=5e-5)  # frame 1 = init box
            assert_clipped(boxes[1:], 160, 120)
    info = json.load(open(os.path.join(rf_dir, 'run_info.json')))
    assert set(info['sequences']) == set(names)
    assert {'bad_base', 'refine_fallback', 'fps', 'base_s', 'refine_s'} <= set(info['sequences'][names[1]])
    manifest = json.load(open(os.path.join(save, 'Synthetic-LaSOT', 'synthetic_manifest.json')))
    assert manifest['split_entry'] == {'num_sequences': 2, 'frames': 10}

    # the evaluator reads this layout
    from arena.evaluate import run as evaluate

    class Defaults:
        dataset_root_, save_dir = tree, save
    assert evaluate(['--dataset-root', tree, '--results-dir', os.path.join(save, 'Synthetic-LaSOT'), '--no-plots'],
                    'LaSOT', Defaults) == 0


def test_resuming_with_other_settings_is_refused_or_restarts(tree, tmp_path):
    bench = load_arena_benchmark('LaSOT', synthetic_root=tree)
    save = str(tmp_path / 'save')
    run_arena(bench, save, 'x', CountingKCF(), settings={'refiner': 'a'}, progress=False, log=lambda s: None)
    with pytest.raises(ArenaError, match='other settings'):
        run_arena(bench, save, 'x', CountingKCF(), settings={'refiner': 'b'}, progress=False, log=lambda s: None)
    again = CountingKCF()
    run_arena(bench, save, 'x', again, settings={'refiner': 'b'}, restart_on_change=True, progress=False,
              log=lambda s: None)
    assert len(again.started) == 2


def test_bad_base_tracker_does_not_crash_and_is_counted(tree, tmp_path, tiny_refiner):
    bench = load_arena_benchmark('LaSOT', synthetic_root=tree)
    kcf = load_tracker_class('kcf')
    outputs = iter([[np.nan] * 4, [5, 5, 0, 0], [1e4, 1e4, 20, 20]] * 10)

    class Broken(kcf):
        def track(self, image, info=None):
            super().track(image, info)
            return {'target_bbox': next(outputs)}

    lines = []
    summary = run_arena(bench, str(tmp_path), 'broken', lambda: Broken(load_parameters('kcf', 'default')),
                        lambda seq: tiny_refiner, progress=False, log=lines.append)
    assert summary.counts.bad_base == summary.counts.frames - 2  # every frame but the two first ones
    assert f'base boxes replaced (NaN/empty/outside): {summary.counts.bad_base}' in lines[-1]
    assert f'fallen back to the base box: {summary.counts.refine_fallback}' in lines[-1]
    for seq in bench.sequences:
        boxes = read_boxes(os.path.join(str(tmp_path), 'Synthetic-LaSOT', 'broken', seq.name + '.txt'))
        assert np.all(np.isfinite(boxes))
        assert_clipped(boxes[1:], 160, 120)


def test_gt_size_oracle_keeps_the_centre_and_takes_the_ground_truth_size():
    gt = np.array([[0, 0, 10, 10], [50, 50, 40, 20], [0, 0, 0, 0]], dtype=float)
    oracle = GtSizeOracle(gt)
    oracle.initialize(None, gt[0])
    refined = oracle.refine_frame(None, [10, 20, 30, 30])
    np.testing.assert_allclose(refined.box, [5, 25, 40, 20])  # centre (25, 35)
    assert refined.fallback is None
    absent = oracle.refine_frame(None, [10, 20, 30, 30])
    np.testing.assert_allclose(absent.box, [10, 20, 30, 30])  # absent target: unchanged, a fall-back
    assert absent.fallback == 'no ground-truth box for this frame'


def _script_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(('LTR_', 'PYTRACKING_', 'ARENA_'))}
    env.update(PYTHONPATH=REPO, LTR_WORKSPACE_DIR=str(tmp_path / 'ws'), ARENA_SAVE_DIR=str(tmp_path / 'save'),
               PYTRACKING_LASOT_PATH='', PYTRACKING_NETWORK_PATH=str(tmp_path / 'nets'),
               ARENA_SYNTHETIC_SEQUENCES='1', ARENA_SYNTHETIC_FRAMES='6', ARENA_SYNTHETIC_SIZE='96x72')
    return env


def test_scripts_fall_back_to_synthetic_and_work_from_any_folder(tmp_path):
    env = _script_env(tmp_path)
    script = os.path.join('arena', 'LaSOT', 'run_kcf.py')
    done = subprocess.run([sys.executable, script, '--quiet'], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith('no LaSOT root configured: running on the synthetic benchmark')
    again = subprocess.run([sys.executable, 'run_kcf.py', '--quiet'], cwd=os.path.join(REPO, 'arena', 'LaSOT'),
                           env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert '0 sequences run, 1 already done' in again.stdout
    results = os.listdir(tmp_path / 'save' / 'Synthetic-LaSOT' / 'kcf_default')
    assert sum(f.endswith('.txt') and not f.endswith('_time.txt') for f in results) == 1


def test_dimp_script_says_what_is_missing_in_one_line(tmp_path):
    done = subprocess.run([sys.executable, os.path.join(REPO, 'arena', 'LaSOT', 'run_dimp_RF.py')], cwd=str(tmp_path),
                          env=_script_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert done.stderr.count('\n') == 1 and 'dimp' in done.stderr and 'Traceback' not in done.stderr


def test_refined_script_with_a_missing_refiner_is_a_one_line_error(tmp_path):
    missing = str(tmp_path / 'missing.pth.tar')
    done = subprocess.run([sys.executable, os.path.join(REPO, 'arena', 'GOT10k', 'run_kcf_RF.py'), '--quiet',
                           '--refine-path', missing],
                          cwd=str(tmp_path), env=_script_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout
    assert done.stdout.splitlines()[0].startswith('no GOT10k root configured')
    assert done.stderr.count('\n') == 1 and missing in done.stderr
