"""Parallel and sharded arena runs (issue: arena at scale): --workers 2 writes the same result files as one
worker, shards 1/3..3/3 together are the unsharded run, a killed parallel run resumes with only the missing
sequences, a sequence that raises is reported while the others finish, GPUs are handed out round-robin."""
import glob
import os
import signal
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from parallel_helpers import DeviceRecorder, FailingOn, SlowKCF, TinyRefiner  # noqa: E402

from arena.runner import (TrackerBuilder, load_arena_benchmark, recorded_sequences, run_arena,  # noqa: E402
                          run_records)
from pytracking.evaluation.running import shard_sequences  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
pytestmark = pytest.mark.usefixtures('one_torch_thread')


@pytest.fixture(scope='module')
def bench(synthetic_lasot):
    return load_arena_benchmark('LaSOT', synthetic_root=synthetic_lasot(4, 8, size=(128, 96)))


def result_bytes(folder):
    """{file name: bytes} of a run's box files (timing files and records excluded)."""
    return {os.path.basename(p): open(p, 'rb').read() for p in glob.glob(os.path.join(folder, '*.txt'))
            if not p.endswith('_time.txt')}


def quiet(*_):
    pass


def test_two_workers_write_the_same_files_as_one(bench, tmp_path):
    outs = {}
    for workers in (1, 2):
        s = run_arena(bench, str(tmp_path / f'w{workers}'), 'kcf_rf', TrackerBuilder('kcf', 'default'), TinyRefiner(),
                      {'refiner': 'tiny'}, workers=workers, threads=1, progress=False, log=quiet)
        assert sorted(s.ran) == sorted(bench.sequences.names()) and not s.failed
        outs[workers] = result_bytes(s.out_dir)
        assert len(recorded_sequences(s.out_dir)) == 4
    assert len(outs[1]) == 4 and outs[1] == outs[2]


def test_shards_together_are_the_unsharded_run(bench, tmp_path):
    whole = run_arena(bench, str(tmp_path / 'whole'), 'kcf', TrackerBuilder('kcf', 'default'), progress=False, log=quiet)
    parts = []
    for i in (1, 2, 3):
        part = load_arena_benchmark('LaSOT', synthetic_root=bench.root)
        part.sequences = shard_sequences(part.sequences, i, 3)
        parts.append(part.sequences.names())
        s = run_arena(part, str(tmp_path / 'sharded'), 'kcf', TrackerBuilder('kcf', 'default'), shard=(i, 3),
                      progress=False, log=quiet)
    assert sorted(sum(parts, [])) == sorted(bench.sequences.names())  # a partition
    assert parts[0] == [bench.sequences.names()[0], bench.sequences.names()[3]]  # k mod 3 == 0
    assert result_bytes(s.out_dir) == result_bytes(whole.out_dir)
    assert sorted(os.path.basename(p) for p in run_records(s.out_dir)) == [
        f'run_info.shard-{i}-of-3.json' for i in (1, 2, 3)]
    assert sorted(recorded_sequences(s.out_dir)) == sorted(bench.sequences.names())


def test_a_sequence_that_raises_is_reported_and_the_others_finish(bench, tmp_path):
    broken = bench.sequences.names()[1]
    lines = []
    s = run_arena(bench, str(tmp_path), 'x', TrackerBuilder('kcf', 'default'), FailingOn([broken]), workers=2,
                  threads=1, progress=False, log=lines.append)
    assert [f.name for f in s.failed] == [broken] and 'broken sequence' in s.failed[0].error
    assert sorted(s.ran) == sorted(n for n in bench.sequences.names() if n != broken)
    assert sum('broken sequence' in line for line in lines) == 1 and '1 failed' in lines[-1]
    assert os.path.isfile(os.path.join(s.out_dir, broken + '_error.log'))
    assert 'Traceback' in open(os.path.join(s.out_dir, broken + '_error.log')).read()
    again = run_arena(bench, str(tmp_path), 'x', TrackerBuilder('kcf', 'default'), FailingOn([]), progress=False,
                      log=quiet)  # the retry runs only the failed sequence; its error log goes
    assert again.ran == [broken] and not os.path.exists(os.path.join(s.out_dir, broken + '_error.log'))


def test_parallel_runs_need_picklable_builders(bench, tmp_path):
    with pytest.raises(ValueError, match='pickle'):
        run_arena(bench, str(tmp_path), 'x', lambda: None, workers=2, progress=False, log=quiet)


def test_gpus_are_handed_out_round_robin(bench, tmp_path, monkeypatch):
    monkeypatch.setenv('CUDA_VISIBLE_DEVICES', '5,6')
    from pytracking.evaluation.running import visible_gpus
    assert visible_gpus() == ['5', '6']
    run_arena(bench, str(tmp_path), 'x', TrackerBuilder('kcf', 'default'), DeviceRecorder(str(tmp_path)), workers=2,
              threads=1, progress=False, log=quiet)
    seen = {open(p).read() for p in glob.glob(str(tmp_path / '*.env'))}
    assert seen and seen <= {'5', '6'}


KILLED_RUN = """
import sys
sys.path.insert(0, {helpers!r})
from parallel_helpers import SlowKCF
from arena.runner import load_arena_benchmark, run_arena
bench = load_arena_benchmark('LaSOT', synthetic_root={root!r})
s = run_arena(bench, {save!r}, 'slow', SlowKCF({delay}), workers=2, threads=1, progress=False)
print('ran', len(s.ran), 'skipped', len(s.skipped))
"""


def test_a_killed_parallel_run_resumes_with_the_missing_sequences(synthetic_lasot, tmp_path):
    root = synthetic_lasot(6, 12, size=(96, 72))
    out = tmp_path / 'save' / 'Synthetic-LaSOT' / 'slow'
    code = KILLED_RUN.format(helpers=os.path.dirname(os.path.abspath(__file__)), root=root, save=str(tmp_path / 'save'),
                             delay=0.15)
    env = dict(os.environ, PYTHONPATH=REPO)
    run = subprocess.Popen([sys.executable, '-c', code], env=env, start_new_session=True, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 240
    while time.time() < deadline and len(result_bytes(str(out))) < 1:
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGKILL)  # the whole run: parent and workers
    run.wait()
    finished = set(result_bytes(str(out)))
    assert 1 <= len(finished) < 6, finished
    done = subprocess.run([sys.executable, '-c', code.replace('0.15', '0')], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1].split()  # 'ran N skipped M'
    ran, skipped = int(last[1]), int(last[3])
    assert skipped == len(finished) and ran == 6 - len(finished)
    assert len(result_bytes(str(out))) == 6
    assert not [p for p in os.listdir(out) if p.endswith('.tmp')]


def test_exit_status_is_the_number_of_failed_sequences(bench, tmp_path, monkeypatch, capsys):
    import arena.runner as runner
    from pytracking.parameter import load_parameters
    from pytracking.tracker import load_tracker_class
    kcf = load_tracker_class('kcf')

    class Broken(kcf):
        def track(self, image, info=None):
            raise RuntimeError('lost its mind')
    monkeypatch.setattr(runner, 'tracker_factory', lambda *a, **k: lambda: Broken(load_parameters('kcf', 'default')))

    class Defaults:
        dataset_root_, save_dir = bench.root, str(tmp_path)
    status = runner.main(['--quiet', '--dataset-root', bench.root, '--first', '3'], 'LaSOT', Defaults, 'kcf')
    out = capsys.readouterr()
    assert status == 3
    assert sum('lost its mind' in line for line in out.out.splitlines()) == 3
    assert out.err.count('\n') == 1 and '3 sequence(s) failed' in out.err
