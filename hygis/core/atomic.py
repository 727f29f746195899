"""Crash-safe file replacement helpers for :mod:`hygis.project.fileformat` (POSIX and Windows).

A save writes a temporary file beside the target (``.<stem>.<random>.hygis-saving``),
fsyncs it, replaces the target with :func:`os.replace` and fsyncs the folder.  These
helpers keep permissions, remove temporaries (also those a killed save left) and tell
a full disk from other write errors.
"""

from __future__ import annotations

import glob
import os
import shutil
import time
from pathlib import Path

from hygis.core.text import Label

TEMP_SUFFIX = ".hygis-saving"
STALE_TEMP_SECONDS = 600


def disk_nearly_full(directory: Path) -> bool:
    try:
        return shutil.disk_usage(directory).free < 16 * 1024 * 1024
    except OSError:
        return False


def _file_size_limited() -> bool:
    """True if this process may only write files up to a size (``ulimit -f``, RLIMIT_FSIZE)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return False
    soft = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    return soft != resource.RLIM_INFINITY


def space_reason(directory: Path, exc: BaseException) -> str | None:
    """Why a write failed if it ran out of room, in the user's words, else None: "the disk is full",
    or the file size limit (EFBIG: the file system's largest file or ``ulimit -f``).  GDAL and
    SQLite often report such failures vaguely ("Cannot write feature", "disk I/O error")."""
    import errno

    code = getattr(exc, "errno", None)
    low = str(exc).lower()
    if code in (errno.ENOSPC, errno.EDQUOT) or "no space" in low or "disk full" in low or "disk is full" in low:
        return Label("the disk is full")
    if code == errno.EFBIG or "file too large" in low or _file_size_limited():
        return Label("the file is larger than this process may write (file size limit, ulimit -f)")
    if disk_nearly_full(directory):
        return Label("the disk is full")
    return None


def remove_temp(tmp: Path) -> None:
    for p in (tmp, Path(str(tmp) + "-journal"), Path(str(tmp) + "-wal"), Path(str(tmp) + "-shm")):
        try:
            p.unlink(missing_ok=True)
        except OSError:
            pass


def remove_stale_temps(directory: Path, stem: str) -> None:
    """Delete temporary files a killed save left beside the project (older than a few minutes:
    a save still running in another process is never touched)."""
    now = time.time()
    try:
        candidates = list(directory.glob(f".{glob.escape(stem)}.*{TEMP_SUFFIX}*"))
    except OSError:
        return
    for p in candidates:
        try:
            if now - p.stat().st_mtime > STALE_TEMP_SECONDS:
                p.unlink()
        except OSError:
            pass


def copy_mode(target: Path, tmp: Path) -> None:
    """Keep the saved file's permissions (mkstemp creates 0600; a shared project stays shared)."""
    try:
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode | 0o600)
    except OSError:
        pass


def _umask() -> int:
    """The process umask (read from /proc on Linux: changing it, even briefly, races with threads)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        fh.flush()
        os.fsync(fh.fileno())


def fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
