"""Fault tests of the arena (issue 22, part 3): runs killed with SIGKILL in the middle of atomic writes and
resumed, a full disk, a read-only results folder.

Figures (printed by the kill test, run with ``-s`` to see them): runs killed 4, sequences lost 0.
"""
import builtins
import errno
import json
import os
import signal
import subprocess
import sys
import types

import pytest

import ltr.admin.fileio as fileio
from arena.runner import TrackerBuilder, load_arena_benchmark, main as arena_main, run_arena

pytestmark = pytest.mark.usefixtures('one_torch_thread')  # tests/conftest.py

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(REPO, 'arena', 'LaSOT', 'run_kcf.py')
FRAMES = 6

# The real arena script, with every atomic write traced on stdout; the write named by FAULT_PAUSE
# ('<kind>:<n>:<before|after>': the n-th write of a result, time or info file, before its content is written
# or after, before the rename) prints PAUSED and waits to be killed.
TRACED_SCRIPT = r"""
import contextlib, os, runpy, sys, time
import ltr.admin.fileio as fileio
script = sys.argv[1]
sys.path.insert(0, os.path.dirname(script))
pause = os.environ.get('FAULT_PAUSE', '')
counts = {}
real_atomic_path = fileio.atomic_path

@contextlib.contextmanager
def traced(path, suffix='.tmp'):
    kind = 'info' if path.endswith('.json') else 'time' if path.endswith('_time.txt') else 'result'
    counts[kind] = counts.get(kind, 0) + 1
    with real_atomic_path(path, suffix) as tmp:
        if pause == f'{kind}:{counts[kind]}:before':
            print('PAUSED', path, flush=True)
            time.sleep(120)
        yield tmp
        if pause == f'{kind}:{counts[kind]}:after':
            print('PAUSED', path, flush=True)
            time.sleep(120)
    print('WROTE', kind, path, flush=True)

fileio.atomic_path = traced
sys.argv = [script] + sys.argv[2:]
runpy.run_path(script, run_name='__main__')
"""


def _env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(('LTR_', 'PYTRACKING_', 'ARENA_'))}
    env.update(PYTHONPATH=REPO, LTR_WORKSPACE_DIR=str(tmp_path / 'ws'), PYTRACKING_NETWORK_PATH=str(tmp_path / 'nets'))
    return env


def _run_script(tmp_path, root, save, pause=None):
    """(killed, stdout lines, stderr) of one traced arena run; killed when it reached the `pause` write."""
    env = dict(_env(tmp_path), FAULT_PAUSE=pause or '')
    proc = subprocess.Popen([sys.executable, '-c', TRACED_SCRIPT, SCRIPT, '--dataset-root', root, '--save-dir', save,
                             '--quiet'], env=env, cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    lines, killed = [], False
    for line in proc.stdout:
        lines.append(line.rstrip('\n'))
        if line.startswith('PAUSED'):
            os.killpg(proc.pid, signal.SIGKILL)
            killed = True
            break
    try:
        _, err = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    return killed, lines, err


def _results(folder, names):
    """{sequence: bytes of its result file} for the result files present."""
    return {n: open(os.path.join(folder, n + '.txt'), 'rb').read() for n in names
            if os.path.isfile(os.path.join(folder, n + '.txt'))}


def _temporaries(folder):
    return [n for n in os.listdir(folder) if '.tmp' in n] if os.path.isdir(folder) else []


@pytest.fixture(scope='module')
def tree(synthetic_lasot):
    return synthetic_lasot(num_sequences=4, frames=FRAMES, size=(96, 72))


@pytest.fixture(scope='module')
def reference(tree, tmp_path_factory):
    """Result bytes of an uninterrupted run (in this process, the same step as the script's)."""
    bench = load_arena_benchmark('LaSOT', dataset_root=tree)
    summary = run_arena(bench, str(tmp_path_factory.mktemp('reference')), 'kcf_default',
                        TrackerBuilder('kcf', 'default'), progress=False, log=lambda line: None)
    return _results(summary.out_dir, bench.sequences.names())


def test_runs_killed_during_atomic_writes_resume_without_partial_files_or_duplicate_work(tree, reference, tmp_path):
    names = sorted(reference)
    save = str(tmp_path / 'save')
    out = os.path.join(save, 'LaSOT', 'kcf_default')
    pauses = ['result:2:after',   # the 2nd result file written to its temporary, killed before the rename
              'info:2:before',    # run_info.json update after a finished sequence, killed before its content
              'time:1:before',    # a time file's temporary created, killed before its content
              'result:1:after']   # the next result file complete in its temporary, killed before the rename
    runs_killed, wrote = 0, {n: 0 for n in names}
    for pause in pauses + [None]:
        killed, lines, err = _run_script(tmp_path, tree, save, pause)
        runs_killed += killed
        assert killed == (pause is not None), (pause, lines, err)
        for line in lines:
            if line.startswith('WROTE result '):
                wrote[os.path.basename(line.split(' ', 2)[2])[:-4]] += 1
        present = _results(out, names)
        for name, data in present.items():  # whatever eval.py would read is complete and right
            assert data == reference[name], (pause, name)
            assert len(data.decode().splitlines()) == FRAMES
        if killed:
            assert _temporaries(out), f"{pause}: the kill did not land in a write"
        json.load(open(os.path.join(out, 'run_info.json')))  # never half-written
    assert _temporaries(out) == []  # the killed writers' temporaries are gone after the resume
    final = _results(out, names)
    lost = [n for n in names if final.get(n) != reference[n]]
    duplicated = [n for n, k in wrote.items() if k != 1]
    print(f"\nfault test: runs killed {runs_killed}, sequences lost {len(lost)}, sequences written twice "
          f"{len(duplicated)}")
    assert runs_killed == 4 and lost == [] and duplicated == []
    assert 'kcf_default: 2 sequences run, 2 already done' in '\n'.join(lines)


# -- full disk ---------------------------------------------------------------------------------------------
class FullDisk:
    """``open`` for ltr.admin.fileio that lets `allowed` files be opened for writing, then fails with ENOSPC."""

    def __init__(self, allowed):
        self.allowed, self.opened = allowed, 0

    def __call__(self, path, mode='r', *args, **kwargs):
        if 'w' in mode:
            self.opened += 1
            if self.opened > self.allowed:
                raise OSError(errno.ENOSPC, 'No space left on device', path)
        return builtins.open(path, mode, *args, **kwargs)


# writes of a run: run_info.json at the start, then per sequence <seq>_time.txt, <seq>.txt, run_info.json
@pytest.mark.parametrize('allowed, failing', [(7, '_time.txt'), (6, 'run_info.json'), (5, '.txt')])
def test_a_full_disk_stops_the_run_in_one_line_and_loses_nothing_written(tree, reference, tmp_path, monkeypatch,
                                                                         capsys, allowed, failing):
    names = sorted(reference)
    defaults = types.SimpleNamespace(save_dir=str(tmp_path / 'save'), dataset_root_='')
    out = tmp_path / 'save' / 'LaSOT' / 'kcf_default'
    monkeypatch.setattr(fileio, 'open', FullDisk(allowed), raising=False)
    assert arena_main(['--dataset-root', tree, '--quiet'], 'LaSOT', defaults, 'kcf') == 1
    err = capsys.readouterr().err
    assert err.count('\n') == 1 and 'No space left on device' in err and 'Traceback' not in err
    assert err.split('No space')[0].rstrip(': ').endswith(failing), err
    written = _results(str(out), names)
    expected = 2 if failing != '.txt' else 1
    assert len(written) == expected and all(written[n] == reference[n] for n in written)
    assert _temporaries(str(out)) == []
    monkeypatch.undo()  # space freed: the resume skips what was written
    assert arena_main(['--dataset-root', tree, '--quiet'], 'LaSOT', defaults, 'kcf') == 0
    assert f'{4 - expected} sequences run, {expected} already done' in capsys.readouterr().out
    assert _results(str(out), names) == reference


# -- read-only results folder ------------------------------------------------------------------------------
def test_a_read_only_results_folder_is_one_line_before_anything_is_loaded(tree, tmp_path, monkeypatch, capsys):
    import arena.runner as runner
    save = tmp_path / 'save'
    save.mkdir()
    monkeypatch.setattr(runner, '_plan', lambda *a: pytest.fail('trackers were built for an unwritable folder'))
    real_access = os.access
    # os.access is what the check asks first; patched, so that the test means the same when run as root
    # (root may write into a chmod 0555 folder)
    monkeypatch.setattr(os, 'access', lambda p, m, **k: False if os.path.abspath(p) == str(save) else real_access(p, m))
    defaults = types.SimpleNamespace(save_dir=str(save), dataset_root_='')
    assert arena_main(['--dataset-root', tree, '--quiet'], 'LaSOT', defaults, 'kcf') == 1
    err = capsys.readouterr().err
    assert err.count('\n') == 1 and f'results folder {save} is not writable' in err


@pytest.mark.skipif(hasattr(os, 'geteuid') and os.geteuid() == 0,
                    reason='root writes into a chmod 0555 folder; the patched-os.access test and the file-in-the-way '
                           'test cover this case for root')
def test_a_chmod_read_only_results_folder_is_one_line(tree, tmp_path):
    save = tmp_path / 'save'
    save.mkdir()
    os.chmod(save, 0o555)
    try:
        done = subprocess.run([sys.executable, SCRIPT, '--dataset-root', tree, '--save-dir', str(save), '--quiet'],
                              env=_env(tmp_path), capture_output=True, text=True, timeout=300)
    finally:
        os.chmod(save, 0o755)
    assert done.returncode == 1 and done.stderr.count('\n') == 1 and str(save) in done.stderr
    assert 'sequences run' not in done.stdout


def test_results_folder_under_a_file_is_one_line_in_every_entry_point(tree, tmp_path, capsys):
    blocker = tmp_path / 'a_file'
    blocker.write_text('not a folder\n')
    under = str(blocker / 'results')
    env = _env(tmp_path)
    arena = subprocess.run([sys.executable, SCRIPT, '--dataset-root', tree, '--save-dir', under, '--quiet'], env=env,
                           capture_output=True, text=True, timeout=300)
    tracker = subprocess.run([sys.executable, os.path.join(REPO, 'pytracking', 'run_tracker.py'), 'kcf', 'default',
                              '--dataset', 'lasot', '--dataset-root', tree, '--results-path', under, '--quiet'],
                             env=env, capture_output=True, text=True, timeout=300)
    for done in (arena, tracker):
        assert done.returncode == 1, done.stderr
        assert done.stderr.count('\n') == 1 and 'cannot be created' in done.stderr and str(blocker) in done.stderr
        assert 'Traceback' not in done.stderr
    from pytracking import refine_results as rr
    from pytracking.run_video import run_video
    seqs = rr.load_sequences('lasot', tree, 'test')
    raw = tmp_path / 'raw'
    from ltr.data.annotations import write_boxes
    for seq in seqs:
        write_boxes(str(raw / 'kcf' / f'{seq.name}.txt'), seq.ground_truth_rect)
    with pytest.raises(fileio.FolderNotWritableError, match='cannot be created'):
        rr.refine_results(object(), seqs, str(raw), under, progress=False)
    with pytest.raises(fileio.FolderNotWritableError, match='output folder .* cannot be created'):
        run_video(os.path.dirname(seqs[0].frames[0]), seqs[0].ground_truth_rect[0], os.path.join(under, 'v'),
                  progress=False)
