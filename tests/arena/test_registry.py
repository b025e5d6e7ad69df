"""Everything the arena knows, discovered and run (timm's tests/test_models.py style): a new tracker, parameter
set or arena script is tested by existing.

* every tracker x parameter set (``tests/arena/random_trackers.py``: pytracking/tracker x pytracking/parameter,
  plus the builders of ``arena.trackers.BUILDERS``) tracks two frames of a synthetic sequence with seeded
  random weights, alone and with a random-weight refiner;
* every ``arena/<Benchmark>/run_*.py`` script (and ``eval_got10k.py`` for each of its tracker names) runs as
  ``__main__`` on a synthetic benchmark of two two-frame sequences, with the tracker and refiner it asks for swapped for their
  random-weight stand-ins, and writes one two-line result file.
"""
import functools
import glob
import os
import runpy
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from random_trackers import all_tracker_params, random_siammask_refiner, tracker_factory  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# the scripts of the shared runner (arena/runner.py); arena/VOT2020's talk to the VOT toolkit instead and are tested there
SCRIPTS = sorted(os.path.relpath(p, REPO) for p in glob.glob(os.path.join(REPO, 'arena', '*', 'run_*.py'))
                 if os.sep + 'VOT2020' + os.sep not in p)

pytestmark = pytest.mark.usefixtures('one_torch_thread')  # tests/conftest.py


def got10k_names():
    from arena.trackers import GOT10K_TRACKERS
    return sorted(GOT10K_TRACKERS)


@functools.lru_cache(maxsize=None)
def random_factory(tracker, param):
    """One random-weight network per (tracker, parameter set) for the whole module."""
    return tracker_factory(tracker, param, seed=0)


@pytest.fixture(scope='module')
def sequence(synthetic_lasot):
    from pytracking.evaluation.datasets import read_layout
    return read_layout('lasot', synthetic_lasot(1, 2, size=(96, 72)))[0]


@pytest.mark.parametrize('tracker, param', all_tracker_params())
def test_every_tracker_and_parameter_set_tracks_two_frames(tracker, param, sequence, tiny_refiner):
    from pytracking.evaluation.running import RefinedTracker, track_sequence
    make = random_factory(tracker, param)
    for refiner in (None, tiny_refiner):
        result = track_sequence(sequence, RefinedTracker(make(), refiner))
        assert result.boxes.shape == (2, 4) and np.all(np.isfinite(result.boxes))
        assert np.all(result.boxes[:, 2:] > 0)


def test_discovery_finds_the_upstream_trackers_and_scripts():
    pairs = set(all_tracker_params())
    assert {('kcf', 'default'), ('eco', 'default'), ('atom', 'default'), ('dimp', 'super_dimp'),
            ('siamrpn', 'siamrpn_r50_l234_dwxcorr'), ('rtmdnet', 'default')} <= pairs
    assert len(SCRIPTS) >= 30 and os.path.join('arena', 'LaSOT', 'run_siamrpn_RFm2b.py') in SCRIPTS
    upstream = ['run_RF_RF.py', 'run_dimp_RF_mask.py', 'run_siamrpn_SiamMask.py'] + \
        [f'run_{t}_oracle.py' for t in ('dimp', 'atom', 'eco', 'siamrpn', 'RTMDNet')]
    assert {os.path.join('arena', 'LaSOT', s) for s in upstream} <= set(SCRIPTS)


@pytest.fixture(scope='module')
def arena_env(tmp_path_factory, tiny_refiner):
    """Environment of the script runs: a synthetic fallback of two two-frame sequences, results in a temporary folder, and the
    runner's tracker and refiner lookups answering with random-weight stand-ins."""
    import arena.runner as runner
    root = tmp_path_factory.mktemp('registry')
    env = {'LTR_WORKSPACE_DIR': str(root / 'workspace'), 'ARENA_SAVE_DIR': str(root / 'save'),
           'ARENA_SYNTHETIC_SEQUENCES': '2', 'ARENA_SYNTHETIC_FRAMES': '2', 'ARENA_SYNTHETIC_SIZE': '96x72'}
    saved_env = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    asked = []
    patches = {'tracker_factory': lambda tracker, param, debug=0: asked.append((tracker, param)) or
               random_factory(tracker, param),
               'find_refiner': lambda *a: ('random', 'refiner: random weights (tests/arena/test_registry.py)'),
               'refiner_identity': lambda path: path,
               'load_refiner': lambda *a, **k: tiny_refiner,
               'load_siammask_refiner': lambda experiment, thres, device=None: random_siammask_refiner(thres)}
    saved = {name: getattr(runner, name) for name in patches}
    for name, value in patches.items():
        setattr(runner, name, value)
    yield root / 'save', asked
    for name, value in saved.items():
        setattr(runner, name, value)
    for k, v in saved_env.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def run_script(script, argv):
    """Run `script` as ``python <script> <argv>`` would (its folder first on sys.path); returns the exit code."""
    folder = os.path.join(REPO, os.path.dirname(script))
    sys.modules.pop('common_path', None)  # each benchmark folder has its own
    old_argv, old_path = sys.argv, list(sys.path)
    sys.argv, sys.path[:0] = [script] + argv, [folder]
    try:
        runpy.run_path(os.path.join(REPO, script), run_name='__main__')
    except SystemExit as e:
        return e.code
    finally:
        sys.argv, sys.path[:] = old_argv, old_path
        sys.modules.pop('common_path', None)
    raise AssertionError(f"{script} did not exit")


def finished_results(save_dir, benchmark):
    """Result box files (not timing files) under ``<save_dir>/Synthetic-<benchmark>``, by tracker folder."""
    found = {}
    for path in glob.glob(os.path.join(str(save_dir), f'Synthetic-{benchmark}', '*', '*.txt')):
        if not path.endswith('_time.txt'):
            found.setdefault(os.path.basename(os.path.dirname(path)), []).append(path)
    return found


def check_two_frame_results(files):
    from ltr.data.annotations import read_boxes
    assert len(files) == 2  # both sequences
    for path in files:
        boxes = read_boxes(path)
        assert boxes.shape == (2, 4) and np.all(np.isfinite(boxes))


@pytest.mark.parametrize('script', SCRIPTS)
def test_every_arena_script_runs_two_frames(script, arena_env, capsys):
    save_dir, asked = arena_env
    benchmark = script.split(os.sep)[1]
    before = set(finished_results(save_dir, benchmark))
    assert run_script(script, ['--quiet', '--overwrite']) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert out.startswith(f'no {benchmark} root configured') and asked
    name = out.strip().splitlines()[-1].split(os.sep)[-1]  # 'results: <save_dir>/<Benchmark>/<tracker_name>'
    results = finished_results(save_dir, benchmark)
    assert name in results, (name, sorted(set(results) - before))
    check_two_frame_results(results[name])


@pytest.mark.parametrize('name', got10k_names())
def test_eval_got10k_runs_and_scores_every_named_tracker(name, arena_env, capsys):
    save_dir, asked = arena_env
    assert run_script(os.path.join('arena', 'GOT10k', 'eval_got10k.py'), ['--tracker', name, '--quiet']) == 0, \
        capsys.readouterr().err
    out = capsys.readouterr().out
    assert 'AO' in out and asked[-1][0] in out


def test_eval_other_runs_every_other_benchmark_and_collect_reports_lists_them(arena_env, capsys):
    save_dir, _ = arena_env
    status = run_script(os.path.join('arena', 'GOT10k', 'eval_other.py'), ['--tracker', 'KCF', '--quiet'])
    out = capsys.readouterr()
    assert status == 0, out.err
    for bench in ('OTB100', 'UAV123', 'NFS30', 'TColor128'):
        assert f'== {bench}' in out.out and f'no {bench} root configured' in out.out
        assert os.path.isfile(os.path.join(str(save_dir), f'Synthetic-{bench}', 'reports', 'kcf_default',
                                           'performance.json'))
    assert run_script(os.path.join('arena', 'GOT10k', 'collect_reports.py'), ['--prefix', 'kcf_default']) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    benches = {line.split()[0] for line in lines if line.split()[1] == 'kcf_default'}
    assert {f'Synthetic-{b}' for b in ('OTB100', 'UAV123', 'NFS30', 'TColor128')} <= benches
    assert all('AUC' in line or 'AO' in line for line in lines)
