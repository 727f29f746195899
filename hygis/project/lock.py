"""One writer at a time: an OS-level lock beside a project file, and "changed on disk" stamps.

``with project_lock(path):`` holds an exclusive lock on ``.<file>.lock`` next to the project
(``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows).  The kernel drops the lock when the
process ends, even when it is killed, so a crashed writer never blocks the next one.  Every
hygis process that writes a project takes it: :func:`hygis.project.fileformat.save_project`
around the write, and the command line around its whole open → change → save, so four
concurrent ``hygis import`` runs add all four layers.  A second writer waits up to
``timeout`` seconds (``HYGIS_LOCK_TIMEOUT``, default 30) and then fails with one clear line.

The lock is re-entrant inside one process (the CLI holds it while ``save_project`` takes it
again).  The sidecar is removed when the last holder releases it; a waiter that locked a
sidecar someone just removed notices (the path no longer names the locked file) and retries.

:func:`disk_stamp` identifies one version of a file (inode, size, modification time): a save
replaces the file, so any other process's save changes the stamp.  The project remembers the
stamp of the file it was opened from or last saved to; a save over a file whose stamp has
changed is refused (:class:`ChangedOnDisk`) unless the user chose to overwrite.
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
import time
import weakref
from pathlib import Path

from hygis.core.errors import HygisError
from hygis.core.text import Label

LOCK_SUFFIX = ".lock"
DEFAULT_TIMEOUT = 30.0
_POLL = 0.05

_held: dict[str, list] = {}  # resolved path → [fd, count, owning thread id]
_held_guard = threading.Lock()
_stamps: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class LockTimeout(HygisError):
    """Another process kept the project locked for longer than the timeout."""


class ChangedOnDisk(HygisError):
    """The project file was replaced by another process since this project was opened or saved."""


def lock_path(path) -> Path:
    path = Path(path)
    return path.with_name("." + path.name + LOCK_SUFFIX)


def default_timeout() -> float:
    try:
        value = float(os.environ.get("HYGIS_LOCK_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value >= 0 else DEFAULT_TIMEOUT


def _key(path) -> str:
    return str(Path(path).resolve())


def _try_lock(fd: int) -> bool:
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _unlock(fd: int) -> None:
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (st.st_ino, st.st_dev) == (mine.st_ino, mine.st_dev)


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="ascii", errors="replace").strip()[:20]
    except OSError:
        return ""
    return Label(" (process {pid})", pid=pid) if pid.isdigit() else ""


def acquire(path, timeout: float | None = None) -> None:
    """Take the write lock of project ``path`` (re-entrant); raise :class:`LockTimeout` after ``timeout`` s."""
    key = _key(path)
    with _held_guard:
        entry = _held.get(key)
        if entry is not None and entry[2] == threading.get_ident():
            entry[1] += 1
            return
    timeout = default_timeout() if timeout is None else timeout
    sidecar = lock_path(key)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fd = os.open(sidecar, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            if not sidecar.parent.is_dir() or exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                return  # a missing or read-only folder: nothing can be written there, the save says so
            raise HygisError("Cannot lock {name} for writing ({value}); check that the folder is writable",
                             name=Path(path).name, value=exc.strerror or exc) from None
        if _try_lock(fd):
            if _same_file(fd, sidecar):
                try:
                    os.ftruncate(fd, 0)
                    os.write(fd, str(os.getpid()).encode("ascii"))
                except OSError:
                    pass
                with _held_guard:
                    _held[key] = [fd, 1, threading.get_ident()]
                return
            _unlock(fd)  # the previous holder removed this sidecar after we opened it: start again
            os.close(fd)
            continue
        os.close(fd)
        if time.monotonic() >= deadline:
            raise LockTimeout("{name} is being saved by another program{value}; waited {timeout:g} s. Try again when it "
                              "has finished.",
                              name=Path(path).name, value=_holder(sidecar), timeout=timeout)
        time.sleep(_POLL)


def release(path) -> None:
    key = _key(path)
    with _held_guard:
        entry = _held.get(key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] > 0:
            return
        del _held[key]
    fd = entry[0]
    try:
        lock_path(key).unlink()  # while still locked: a waiter re-checks the path after locking
    except OSError:
        pass
    try:
        _unlock(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def project_lock(path, timeout: float | None = None):
    """Hold the write lock of project ``path`` for the ``with`` block."""
    acquire(path, timeout)
    try:
        yield
    finally:
        release(path)


def is_locked_here(path) -> bool:
    with _held_guard:
        return _key(path) in _held


# -- "changed on disk" ------------------------------------------------------------------------
def disk_stamp(path) -> tuple | None:
    """(inode, device, size, mtime ns) of ``path``, or None if it does not exist."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns)


def remember(project, path) -> None:
    """Record the stamp of the file ``project`` was just opened from or saved to."""
    remember_stamp(project, path, disk_stamp(path))


def remember_stamp(project, path, stamp) -> None:
    """Record ``stamp`` (taken before reading ``path``) as the version ``project`` knows."""
    try:
        _stamps[project] = (_key(path), stamp)
    except TypeError:  # pragma: no cover - an object that cannot be weakly referenced
        pass


def remembered(project) -> tuple | None:
    return _stamps.get(project)


def changed_on_disk(project) -> bool:
    """True if the file ``project`` was opened from / saved to has been replaced or removed since."""
    known = _stamps.get(project)
    if known is None:
        return False
    key, stamp = known
    return disk_stamp(key) != stamp


def check_not_changed(project, path) -> None:
    """Refuse to write over ``path`` if it is the project's own file and another process replaced it."""
    known = _stamps.get(project)
    if known is None or known[0] != _key(path):
        return
    now = disk_stamp(path)
    if now is not None and now != known[1]:
        raise ChangedOnDisk("{name} was changed on disk by another program since it was opened here; saving would "
                            "overwrite those changes",
                            name=Path(path).name)
