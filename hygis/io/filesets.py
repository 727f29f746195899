"""Replacing an exported file -- or a Shapefile's set of parts -- only when the new one is complete.

An export is written into a staging folder beside the target (same file system), flushed to
disk, then moved over the target.  A Shapefile is several files that belong together, so its
parts are replaced as one unit: each old part is first hard-linked into a backup folder (no
copy, no extra space), the new parts are moved in one by one, stale parts of an older
Shapefile (``.qix .sbn .sbx .cpg`` ...) are removed, and if any step fails (a ``.dbf`` held
open by another program, a full disk) every part is put back as it was.  Read-only targets
are refused before anything is written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from pathlib import Path

from hygis.core.atomic import copy_mode, fsync_dir, fsync_file
from hygis.core.errors import HygisError

STAGING_SUFFIX = ".hygis-export"


def _is_read_only(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    # the write bits, not os.access: root may write anything, but the owner marked it read-only
    return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK)


def check_writable(target: Path, parts: list[Path]) -> None:
    """Refuse an export over read-only files or into a folder we may not write (one clear line)."""
    folder = target.parent
    if not folder.is_dir():
        raise HygisError(f"No such folder: {folder}")
    for part in parts:
        if part.is_dir():
            raise HygisError(f"Cannot export to {target.name}: {part.name} is a folder")
        if part.exists() and _is_read_only(part):
            raise HygisError(f"Cannot export to {target.name}: {part.name} is read-only; "
                             "the file is unchanged (make it writable or choose another name)")
    if not os.access(folder, os.W_OK):
        raise HygisError(f"Cannot export to {target.name}: the folder {folder} is read-only")


def write_error(target: Path, exc: BaseException) -> HygisError:
    """A one-line message for a failed write; the previous file is unchanged by construction."""
    if isinstance(exc, HygisError):
        text = str(exc)
        return HygisError(text if "unchanged" in text else f"{text}. The previous file is unchanged.")
    from hygis.core.atomic import disk_nearly_full

    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        reason = "the disk is full"
    elif isinstance(exc, OSError) and exc.errno is not None:
        reason = exc.strerror or str(exc)
    else:  # GDAL/pyarrow report write failures in their own words
        reason = str(exc).split("\n")[0][:200].replace(str(target.parent), "")
        low = reason.lower()
        if "no space" in low or "disk full" in low or "file too large" in low or disk_nearly_full(target.parent):
            reason = "the disk is full"
    return HygisError(f"Cannot export to {target.name}: {reason}. The previous file is unchanged.")


def remove_stale_staging(target: Path, age_seconds: float = 600) -> None:
    """Remove staging/backup folders a killed export left beside ``target`` (old ones only: an export
    running in another process is never touched)."""
    import glob
    import time

    now = time.time()
    try:
        leftovers = list(target.parent.glob(f".{glob.escape(target.stem[:40])}.*{STAGING_SUFFIX}*"))
    except OSError:
        return
    for folder in leftovers:
        with contextlib.suppress(OSError):
            if folder.is_dir() and now - folder.stat().st_mtime > age_seconds:
                shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def staging(target: Path):
    """A fresh folder beside ``target`` for the new file(s); removed afterwards, whatever happens."""
    remove_stale_staging(target)
    try:
        folder = Path(tempfile.mkdtemp(prefix=f".{target.stem[:40]}.", suffix=STAGING_SUFFIX, dir=target.parent))
    except OSError as exc:
        raise write_error(target, exc) from exc
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _backup(part: Path, folder: Path) -> Path:
    keep = folder / part.name
    try:
        os.link(part, keep)  # a second name for the old bytes: no copy, no space needed
    except OSError:
        shutil.copy2(part, keep)  # file systems without hard links
    return keep


def replace_parts(new_parts: dict[Path, Path], stale: list[Path] = ()) -> None:
    """Move each staged file onto its target and delete ``stale`` parts, all or nothing.

    ``new_parts`` maps target → staged file (same folder tree, so moves are renames).  If a
    move or delete fails, the targets already replaced get their old bytes back, new parts
    without an old version are removed, and the error is raised as a HygisError.
    """
    first = next(iter(new_parts))
    for staged in new_parts.values():
        fsync_file(staged)
    for target, staged in new_parts.items():
        copy_mode(target, staged)
    backup = Path(tempfile.mkdtemp(prefix=f".{first.stem[:40]}.", suffix=STAGING_SUFFIX + "-old", dir=first.parent))
    saved: dict[Path, Path] = {}
    done: list[Path] = []
    try:
        for target in [*new_parts, *stale]:
            if target.exists():
                saved[target] = _backup(target, backup)
        for target, staged in new_parts.items():
            os.replace(staged, target)
            done.append(target)
        for target in stale:
            target.unlink(missing_ok=True)
            done.append(target)
        fsync_dir(first.parent)
    except OSError as exc:
        for target in done:
            with contextlib.suppress(OSError):
                if target in saved:
                    os.replace(saved[target], target)
                else:
                    target.unlink()
        raise write_error(first, exc) from exc
    finally:
        shutil.rmtree(backup, ignore_errors=True)
