"""Atomic writes: all or nothing, usual permissions."""
import os
import stat

import pytest

from ltr.admin.fileio import atomic_path, atomic_write_text


def test_write_replaces_atomically_with_umask_permissions(tmp_path):
    path = tmp_path / 'a' / 'result.txt'
    atomic_write_text(str(path), 'one\n')
    atomic_write_text(str(path), 'two\n')
    assert path.read_text() == 'two\n'
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~umask
    assert os.listdir(path.parent) == ['result.txt']


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / 'result.txt'
    path.write_text('old\n')
    with pytest.raises(RuntimeError):
        with atomic_path(str(path)) as tmp:
            with open(tmp, 'w') as f:
                f.write('half')
            raise RuntimeError('interrupted')
    assert path.read_text() == 'old\n'
    assert os.listdir(tmp_path) == ['result.txt']
