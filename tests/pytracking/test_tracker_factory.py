"""Tracker(name, parameter_name, run_id): lookup, results folder layout, running a sequence; run_tracker CLI;
upstream's import path pytracking.evaluation.Tracker."""
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest

from pytracking.evaluation.data import Sequence
from pytracking.tracker_factory import Tracker, trackerlist

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_upstream_import_path_resolves_without_importing_trackers_with_the_package():
    code = ("import sys; import pytracking.evaluation as ev; assert 'pytracking.tracker' not in sys.modules; "
            "from pytracking.evaluation import Tracker, trackerlist, get_dataset; "
            "import pytracking.tracker_factory as f; assert Tracker is f.Tracker and trackerlist is f.trackerlist")
    done = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_results_dir_layout(tmp_path):
    root = str(tmp_path)
    assert Tracker('kcf', 'default', results_path=root).results_dir == os.path.join(root, 'kcf', 'default')
    assert Tracker('kcf', 'default', 3, results_path=root).results_dir == os.path.join(root, 'kcf', 'default_003')
    assert [t.display_name for t in trackerlist('kcf', 'default', range(2))] == ['kcf_default_000', 'kcf_default_001']


def test_default_results_path_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv('PYTRACKING_RESULTS_PATH', str(tmp_path / 'res'))
    assert Tracker('kcf', 'default').results_dir == os.path.join(str(tmp_path / 'res'), 'kcf', 'default')


@pytest.mark.parametrize('name, param, words', [('nope', 'default', ['nope', 'kcf']),
                                                ('kcf', 'nope', ['nope', 'default'])])
def test_unknown_names_are_clear_errors(name, param, words):
    with pytest.raises(ValueError) as err:
        Tracker(name, param, results_path='x')
    assert all(w in str(err.value) for w in words)


def test_bad_run_id():
    with pytest.raises(ValueError, match='run_id'):
        Tracker('kcf', 'default', -1, results_path='x')


def test_run_sequence_returns_one_box_per_frame_starting_with_the_init_box(tmp_path):
    rng = np.random.default_rng(0)
    paths = []
    for i in range(5):
        p = str(tmp_path / f'{i + 1:08d}.png')
        cv2.imwrite(p, rng.integers(0, 255, (96, 128, 3), dtype=np.uint8))
        paths.append(p)
    gt = np.tile([[30.0, 20.0, 24.0, 16.0]], (5, 1))
    out = Tracker('kcf', 'default', results_path=str(tmp_path)).run_sequence(Sequence('s', paths, 'fake', gt))
    assert len(out['target_bbox']) == len(out['time']) == 5
    assert out['target_bbox'][0] == [30.0, 20.0, 24.0, 16.0]
    assert all(len(b) == 4 and np.all(np.isfinite(b)) for b in out['target_bbox'])


def test_run_tracker_cli_on_a_synthetic_tree(tmp_path):
    from ltr.dataset.synthetic import ensure_synthetic_benchmark
    root = ensure_synthetic_benchmark(layout='lasot', split='test', num_sequences=1, frames=6, size=(96, 72),
                                      root=str(tmp_path / 'tree'), progress=False)
    env = dict(os.environ, PYTHONPATH=REPO)
    cmd = [sys.executable, os.path.join(REPO, 'pytracking', 'run_tracker.py'), 'kcf', 'default', '--dataset',
           'synthetic_lasot', '--dataset-root', root, '--results-path', str(tmp_path / 'res'), '--runid', '2']
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=120)
    assert done.returncode == 0, done.stderr
    folder = tmp_path / 'res' / 'kcf' / 'default_002'
    names = sorted(n for n in os.listdir(folder) if n != 'run_info.json')  # run_info.json: frames, broken frames
    assert len(names) == 2 and names[1].endswith('_time.txt')
    assert len((folder / names[0]).read_text().splitlines()) == 6
    bad = subprocess.run(cmd + ['--sequence', 'nosuch'], capture_output=True, text=True, env=env, cwd=str(tmp_path),
                         timeout=120)
    assert bad.returncode == 1 and 'Traceback' not in bad.stderr
    assert bad.stderr.strip().count('\n') == 0 and 'nosuch' in bad.stderr
