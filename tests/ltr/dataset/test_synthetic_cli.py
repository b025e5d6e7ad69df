"""Synthetic benchmark command line and tree guard: bad input, manifest, resume, atomic sequences."""
import json
import os
import shutil

import pytest

from ltr.dataset.synthetic import SyntheticTreeError, generate_tree, sequence_dir
from ltr.dataset.synthetic import writers
from ltr.dataset.synthetic.__main__ import main
from ltr.dataset.synthetic.config import FORMAT_VERSION
from ltr.dataset.synthetic.tree import MANIFEST, default_tree_name, ensure_synthetic_benchmark

TINY = ['--num-sequences', '2', '--frames', '4', '--size', '48x32', '--seed', '1', '--quiet', '--workers', '1']


def _run(capsys, argv):
    code = main(argv)
    err = capsys.readouterr().err.strip()
    return code, err


@pytest.mark.parametrize('bad', [
    ['--size', '0x10'], ['--size', '64x-3'], ['--size', 'big'], ['--layout', 'trackingnet'],
    ['--layout', 'vot', '--split', 'train'], ['--num-sequences', '0'],
    ['--frames', '-2'], ['--split', 'dev'], ['--set', 'no_such_knob=1'], ['--set', 'scale_change=-1'],
    ['--seed', '-1'],
])
def test_bad_arguments_exit_nonzero_with_one_line_and_write_nothing(tmp_path, capsys, bad):
    out = tmp_path / 'tree'
    args = ['--out', str(out), '--layout', 'lasot'] + TINY
    for i in range(0, len(bad), 2):  # later flags override the defaults
        args += bad[i:i + 2]
    code, err = _run(capsys, args)
    assert code != 0
    assert len(err.splitlines()) == 1 and 'error' in err and 'Traceback' not in err
    assert not out.exists()


def test_lasot_layout_has_no_val_split(tmp_path, capsys):
    code, err = _run(capsys, ['--out', str(tmp_path / 't'), '--layout', 'lasot', '--split', 'val'] + TINY)
    assert code != 0 and 'val' in err and not (tmp_path / 't').exists()


def test_output_that_is_a_file_is_refused(tmp_path, capsys):
    f = tmp_path / 'afile'
    f.write_text('x')
    code, err = _run(capsys, ['--out', str(f), '--layout', 'got10k'] + TINY)
    assert code != 0 and 'not a directory' in err and f.read_text() == 'x'
    code, err = _run(capsys, ['--out', str(f / 'sub'), '--layout', 'got10k'] + TINY)
    assert code != 0 and len(err.splitlines()) == 1


def test_unwritable_output_is_refused(tmp_path, capsys, monkeypatch):
    locked = tmp_path / 'locked'
    locked.mkdir()
    # root ignores permission bits, so the access check itself is what is exercised here
    real_access = os.access
    monkeypatch.setattr(os, 'access', lambda p, mode: False if os.path.abspath(p) == str(locked) else real_access(p, mode))
    code, err = _run(capsys, ['--out', str(locked / 'tree'), '--layout', 'got10k'] + TINY)
    assert code != 0 and 'not writable' in err
    assert os.listdir(locked) == []


def test_non_empty_folder_without_manifest_is_refused(tmp_path, capsys):
    (tmp_path / 'mine.txt').write_text('keep')
    code, err = _run(capsys, ['--out', str(tmp_path), '--layout', 'got10k'] + TINY)
    assert code != 0 and MANIFEST in err
    assert sorted(os.listdir(tmp_path)) == ['mine.txt']


def test_regenerating_with_other_parameters_is_an_error(tmp_path, capsys):
    out = str(tmp_path / 't')
    assert _run(capsys, ['--out', out, '--layout', 'got10k'] + TINY)[0] == 0
    code, err = _run(capsys, ['--out', out, '--layout', 'got10k'] + TINY + ['--seed', '2'])
    assert code != 0 and 'seed' in err and len(err.splitlines()) == 1
    code, err = _run(capsys, ['--out', out, '--layout', 'got10k'] + TINY + ['--frames', '5'])
    assert code != 0 and 'frames' in err
    code, err = _run(capsys, ['--out', out, '--layout', 'lasot'] + TINY)
    assert code != 0 and 'layout' in err
    # another split with the same tree parameters is allowed and listed next to the first
    assert _run(capsys, ['--out', out, '--layout', 'got10k', '--split', 'train'] + TINY)[0] == 0
    assert sorted(os.listdir(out)) == sorted([MANIFEST, 'test', 'train'])


def test_rerun_skips_complete_sequences_and_finishes_interrupted_ones(tmp_path):
    root = str(tmp_path / 't')
    generate_tree(root, 'lasot', 'test', 3, 4, (48, 32), 1, progress=False)
    kept, removed = sequence_dir(root, 'lasot', 'test', 0), sequence_dir(root, 'lasot', 'test', 1)
    stamp = os.stat(os.path.join(kept, 'groundtruth.txt')).st_mtime_ns
    with open(os.path.join(removed, 'groundtruth.txt')) as f:
        original = f.read()
    shutil.rmtree(removed)
    stale = os.path.join(os.path.dirname(removed), writers.TMP_PREFIX + 'leftover')
    os.makedirs(os.path.join(stale, 'img'))
    generate_tree(root, 'lasot', 'test', 3, 4, (48, 32), 1, progress=False)
    assert os.stat(os.path.join(kept, 'groundtruth.txt')).st_mtime_ns == stamp
    with open(os.path.join(removed, 'groundtruth.txt')) as f:
        assert f.read() == original
    assert not os.path.exists(stale)


def test_a_failing_sequence_leaves_no_partial_folder(tmp_path, monkeypatch):
    root = str(tmp_path / 't')
    calls = {'n': 0}
    real = writers.render_frame

    def flaky(plan, t):
        calls['n'] += 1
        if calls['n'] == 3:
            raise RuntimeError('disk on fire')
        return real(plan, t)

    monkeypatch.setattr(writers, 'render_frame', flaky)
    with pytest.raises(RuntimeError):
        generate_tree(root, 'got10k', 'test', 2, 4, (48, 32), 1, progress=False)
    split_dir = os.path.join(root, 'test')
    assert [e for e in os.listdir(split_dir) if not e.startswith('.')] == []
    assert not any(e.startswith(writers.TMP_PREFIX) for e in os.listdir(split_dir))
    monkeypatch.setattr(writers, 'render_frame', real)
    generate_tree(root, 'got10k', 'test', 2, 4, (48, 32), 1, progress=False)
    assert len(os.listdir(sequence_dir(root, 'got10k', 'test', 0))) == 4 + 1 + 5  # frames, masks/, 5 files


def test_ensure_generates_under_the_workspace_once(tmp_path, monkeypatch):
    monkeypatch.setenv('LTR_WORKSPACE_DIR', str(tmp_path / 'ws'))
    root = ensure_synthetic_benchmark('got10k', 'val', 2, 3, (48, 32), seed=4, progress=False)
    assert root.startswith(str(tmp_path / 'ws' / 'synthetic'))
    assert os.path.isfile(os.path.join(root, 'val', 'list.txt'))
    seq = sequence_dir(root, 'got10k', 'val', 1)
    stamp = os.stat(os.path.join(seq, 'groundtruth.txt')).st_mtime_ns
    assert ensure_synthetic_benchmark('got10k', 'val', 2, 3, (48, 32), seed=4, progress=False) == root
    assert os.stat(os.path.join(seq, 'groundtruth.txt')).st_mtime_ns == stamp


def test_generate_tree_raises_clear_errors_for_api_callers(tmp_path):
    with pytest.raises(SyntheticTreeError, match='not a directory'):
        f = tmp_path / 'f'
        f.write_text('')
        generate_tree(str(f), 'lasot', 'test', 1, 2, (48, 32), 0, progress=False)


def test_a_tree_of_another_format_version_is_refused_with_one_line(tmp_path, capsys):
    out = tmp_path / 't'
    assert _run(capsys, ['--out', str(out), '--layout', 'lasot'] + TINY)[0] == 0
    manifest = json.loads((out / MANIFEST).read_text())
    manifest['format_version'] = FORMAT_VERSION - 1  # as written by the previous generator
    (out / MANIFEST).write_text(json.dumps(manifest))
    before = sorted(os.listdir(out))
    code, err = _run(capsys, ['--out', str(out), '--layout', 'lasot'] + TINY)
    assert code != 0 and len(err.splitlines()) == 1
    assert f'format version {FORMAT_VERSION - 1}' in err and f'version {FORMAT_VERSION}' in err
    assert sorted(os.listdir(out)) == before


def test_default_tree_folders_of_other_format_versions_never_collide(tmp_path, monkeypatch):
    name = default_tree_name('lasot', 'test', 8, 150, (640, 480), 0)
    assert name == f'lasot_test_640x480_n8_f150_seed0_v{FORMAT_VERSION}'
    monkeypatch.setenv('LTR_WORKSPACE_DIR', str(tmp_path / 'ws'))
    root = ensure_synthetic_benchmark('lasot', 'test', 1, 2, (48, 32), seed=0, progress=False)
    assert os.path.basename(root).endswith(f'_v{FORMAT_VERSION}')
    assert json.loads(open(os.path.join(root, MANIFEST)).read())['format_version'] == FORMAT_VERSION
