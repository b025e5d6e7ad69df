"""Atomic file writes: write to a temporary file in the same folder, then rename over the target.

A reader never sees a half-written file, and an interrupted write leaves the old file intact. A process
killed in the middle of a write (``kill -9``, a cluster job's time limit) leaves only its temporary file,
``.<name>.<host>-<pid>.<random>.tmp``, which no reader takes for a result (readers look for ``<name>``);
:func:`remove_stale_temporaries` deletes those of dead processes when a run resumes. A write that fails
(full disk, read-only folder) raises an OSError naming the target file, and the old file stays as it was.
"""
from __future__ import annotations

import contextlib
import errno as _errno
import os
import re
import socket
import tempfile
import time
from typing import Iterator, List

_UMASK = os.umask(0)
os.umask(_UMASK)

_HOST = re.sub(r'[^A-Za-z0-9-]', '-', socket.gethostname() or 'host')[:40] or 'host'
# .<target name>.<host>-<pid>.<8 random characters>.tmp[.<ext>]
_TEMP_NAME = re.compile(r'^\.(?P<target>.+)\.(?P<host>[A-Za-z0-9-]+)-(?P<pid>\d+)\.[A-Za-z0-9_]{8}\.tmp(\.\w+)?$')


class OutputError(OSError):
    """An output that cannot be written (folder, result file); the message is one line naming it, meant for the
    user (command-line entry points print it without a traceback)."""


class FolderNotWritableError(OutputError):
    """An output folder that cannot be created or written; the message is one line naming it."""


def _os_error(cls: type, errno: int, message: str) -> OSError:
    """``cls(message)`` with ``errno`` set (a one-argument OSError prints just the message)."""
    err = cls(message)
    err.errno = errno
    return err


def _write_error(path: str, err: OSError) -> OSError:
    """`err` as an OSError of the same errno whose message names the target `path` (not the temporary)."""
    return _os_error(OutputError, err.errno, f"cannot write {path}: {err.strerror or err}")


@contextlib.contextmanager
def atomic_path(path: str, suffix: str = '.tmp') -> Iterator[str]:
    """Yield a temporary path next to `path`; on success it is renamed to `path`, on error removed.

    `suffix` ends the temporary name (e.g. ``'.tmp.mp4'`` for writers that choose the format by extension).
    """
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f'.{os.path.basename(path)}.{_HOST}-{os.getpid()}.', suffix=suffix,
                                   dir=folder)
        os.close(fd)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; the final file gets the usual permissions
    except OSError as e:
        raise _write_error(path, e) from e
    try:
        yield tmp
        try:
            os.replace(tmp, path)
        except OSError as e:
            raise _write_error(path, e) from e
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_text(path: str, text: str) -> None:
    """Write `text` to `path` atomically (OSError naming `path` when it cannot be written; the old file stays)."""
    with atomic_path(path) as tmp:
        try:
            with open(tmp, 'w') as f:
                f.write(text)
        except OSError as e:
            raise _write_error(path, e) from e


def atomic_write_bytes(path: str, data: bytes) -> None:
    """Write `data` to `path` atomically (OSError naming `path` when it cannot be written; the old file stays)."""
    with atomic_path(path) as tmp:
        try:
            with open(tmp, 'wb') as f:
                f.write(data)
        except OSError as e:
            raise _write_error(path, e) from e


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_stale_temporaries(folder: str, max_age_s: float = 3600.0) -> List[str]:
    """Delete the temporary files of :func:`atomic_path` in `folder` that no live writer owns: those of dead
    processes of this host, and those of other hosts (a shared folder) older than `max_age_s`. Returns the
    removed paths. Temporaries of live processes (another shard writing now) are left alone."""
    removed: List[str] = []
    if not os.path.isdir(folder):
        return removed
    for name in os.listdir(folder):
        m = _TEMP_NAME.match(name)
        if m is None:
            continue
        path = os.path.join(folder, name)
        pid = int(m.group('pid'))
        if m.group('host') == _HOST:
            stale = pid != os.getpid() and not _process_alive(pid)
        else:
            try:
                stale = time.time() - os.path.getmtime(path) > max_age_s
            except OSError:
                continue
        if stale:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
                removed.append(path)
    return removed


def ensure_writable_folder(folder: str, what: str = 'results folder') -> str:
    """Create `folder` when absent and check that files can be written in it (before hours of work, not after);
    returns it. FolderNotWritableError, one line naming the folder, when it cannot be created or written (a
    read-only mount, missing permissions, a file in the way)."""
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as e:
        message = f"{what} {folder} cannot be created ({e.strerror or e}); choose another folder"
        raise _os_error(FolderNotWritableError, e.errno, message) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        message = f"{what} {folder} is not writable (permission denied); fix its permissions or choose another folder"
        raise _os_error(FolderNotWritableError, _errno.EACCES, message)
    try:  # a read-only mount or a full quota shows only when writing
        fd, probe = tempfile.mkstemp(prefix=f'.write-check.{_HOST}-{os.getpid()}.', suffix='.tmp', dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        message = f"{what} {folder} is not writable ({e.strerror or e}); fix it or choose another folder"
        raise _os_error(FolderNotWritableError, e.errno, message) from None
    return folder
