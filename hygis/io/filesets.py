"""Replacing an exported file -- or a Shapefile's set of parts -- only when the new one is complete.

An export is written into a staging folder beside the target (same file system), flushed to
disk, then moved over the target.  A Shapefile is several files that belong together, so its
parts are replaced as one unit, even if the process is killed half-way:

1. each old part is hard-linked into a backup folder (no copy, no extra space);
2. a journal ``.<name>.shp.hygis-journal`` naming every move is written (fsynced, renamed into place);
3. the new parts are moved in one by one, stale parts of an older Shapefile (``.qix .sbn .sbx
   .cpg`` ...) removed, the folder fsynced;
4. the journal is removed.

A journal found later (the exporting process was killed during step 3) is finished first --
the moves not yet made are made (roll forward) -- by the next export to that path and by the
next read of it (:func:`recover`), under the path's lock, so a reader sees the old set or the
new one, never a mix.  If a move fails with an error (a ``.dbf`` held open by another program, a
full disk) the journal is switched to "roll back" and every part is put back as it was.
Read-only targets are refused before anything is written.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path

from hygis.core.atomic import copy_mode, fsync_dir, fsync_file
from hygis.core.errors import HygisError

STAGING_SUFFIX = ".hygis-export"
JOURNAL_SUFFIX = ".hygis-journal"


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
        raise HygisError("No such folder: {folder}", folder=folder)
    for part in parts:
        if part.is_dir():
            raise HygisError("Cannot export to {target_name}: {part_name} is a folder",
                             target_name=target.name, part_name=part.name)
        if part.exists() and _is_read_only(part):
            raise HygisError("Cannot export to {target_name}: {part_name} is read-only; the file is unchanged (make it "
                             "writable or choose another name)",
                             target_name=target.name, part_name=part.name)
    if not os.access(folder, os.W_OK):
        raise HygisError("Cannot export to {target_name}: the folder {folder} is read-only",
                         target_name=target.name, folder=folder)


def write_error(target: Path, exc: BaseException) -> HygisError:
    """A one-line message for a failed write; the previous file is unchanged by construction."""
    if isinstance(exc, HygisError):
        if "unchanged" in str(exc):
            return exc
        return HygisError("{reason}. The previous file is unchanged.", reason=exc)
    from hygis.core.atomic import space_reason

    reason = space_reason(target.parent, exc)
    if reason is None and isinstance(exc, OSError) and exc.errno is not None:
        reason = exc.strerror or str(exc)
    elif reason is None:  # GDAL/pyarrow report write failures in their own words
        reason = str(exc).split("\n")[0][:200].replace(str(target.parent), "")
    return HygisError("Cannot export to {target_name}: {reason}. The previous file is unchanged.",
                      target_name=target.name, reason=reason)


def _temp_prefix(target: Path) -> str:
    """The start of a temporary's name beside ``target``: hidden, the target's name, the writer's PID
    (``.map.4242.k3j9x1.hygis-export.png``), so a later write can tell a killed writer's leftovers."""
    return f".{target.stem[:40]}.{os.getpid()}."


def _writer_gone(path: Path, target: Path, now: float, age_seconds: float) -> bool | None:
    """Whether the process that made temporary ``path`` (beside ``target``) no longer runs: the PID in
    its name is not a live process, or the live process of that number started after the file was
    made (the number was reused).  A name without a PID (older hygis) counts as gone once older than
    ``age_seconds``; None if ``path`` is not a temporary of ``target`` at all."""
    import re

    rest = path.name[len(f".{target.stem[:40]}."):]
    tail = re.escape(STAGING_SUFFIX) + r"(-old|\..*)?"
    match = re.fullmatch(r"(\d+)\.[a-z0-9_]+" + tail, rest)
    made = path.lstat().st_mtime
    if match is None:
        return now - made > age_seconds if re.fullmatch(r"[a-z0-9_]+" + tail, rest) else None
    pid = int(match.group(1))
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive (another user's process), or no way to ask: only a long age decides
        return now - made > max(age_seconds, 24 * 3600)
    state, started = _process_state(pid)
    # ended but not yet reaped; or the number now belongs to a process started after the file was last
    # written (``started`` errs early, never late: a writer's own temporaries are always kept)
    return state == "Z" or (started is not None and started > made)


def _process_state(pid: int) -> tuple[str | None, float | None]:
    """Process ``pid``'s state letter ('Z' = ended, not yet reaped) and start time (seconds since the
    epoch, rounded down: /proc/stat's boot time is whole seconds), from /proc on Linux; (None, None)
    elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        boot = next(float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
        return fields[0], boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None, None


def remove_stale_staging(target: Path, age_seconds: float = 600) -> None:
    """Remove the temporary files and staging/backup folders a killed export or render left beside
    ``target`` -- those whose writer process is gone (the PID in their name; very old ones of older
    versions).  A temporary of a writer still running, in any process, is never touched."""
    import glob
    import time

    now = time.time()
    try:
        leftovers = list(target.parent.glob(f".{glob.escape(target.stem[:40])}.*{STAGING_SUFFIX}*"))
    except OSError:
        return
    needed = _journal_folders(target.parent)
    for leftover in leftovers:
        with contextlib.suppress(OSError):
            if leftover.name in needed or not _writer_gone(leftover, target, now, age_seconds):
                continue
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
            elif leftover.name.endswith(STAGING_SUFFIX + target.suffix):  # a file of this target's kind
                leftover.unlink()


@contextlib.contextmanager
def staging(target: Path):
    """A fresh folder beside ``target`` for the new file(s); removed afterwards, whatever happens."""
    remove_stale_staging(target)
    try:
        folder = Path(tempfile.mkdtemp(prefix=_temp_prefix(target), suffix=STAGING_SUFFIX, dir=target.parent))
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


def journal_path(target: Path) -> Path:
    return target.with_name("." + target.name + JOURNAL_SUFFIX)


def _journal_folders(folder: Path) -> set[str]:
    """Names of the staging/backup folders an unfinished journal in ``folder`` still needs."""
    names = set()
    try:
        journals = list(folder.glob(f".*{JOURNAL_SUFFIX}"))
    except OSError:
        return names
    for journal in journals:
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
            doc = json.loads(journal.read_text(encoding="utf-8"))
            names.add(Path(doc["backup"]).name)
            names.update(Path(staged).parent.name for _, staged in doc["parts"])
    return names


def _write_journal(journal: Path, doc: dict) -> None:
    tmp = journal.with_name(journal.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, journal)
    fsync_dir(journal.parent)


def _finish(doc: dict) -> None:
    """Carry out a journal (idempotent: a step already made is skipped).  "forward": move in the
    staged parts not yet moved and delete the stale ones; "back": put the backed-up old parts
    back and remove new parts that had no old version."""
    backup = Path(doc["backup"])
    targets = [Path(t) for t, _ in doc["parts"]] + [Path(t) for t in doc["stale"]]
    if doc["mode"] == "forward":
        for target, staged in doc["parts"]:
            if Path(staged).exists():
                os.replace(staged, target)
        for target in doc["stale"]:
            Path(target).unlink(missing_ok=True)
    else:
        had_old = set(doc["had_old"])
        for target in targets:
            old = backup / target.name
            if old.exists():
                if not (target.exists() and os.path.samefile(old, target)):  # never replaced: leave it be
                    os.replace(old, target)
            elif str(target) not in had_old:
                target.unlink(missing_ok=True)
    fsync_dir(targets[0].parent)


def _close_journal(journal: Path, doc: dict) -> None:
    journal.unlink(missing_ok=True)
    fsync_dir(journal.parent)
    shutil.rmtree(doc["backup"], ignore_errors=True)
    for _, staged in doc["parts"]:
        if Path(staged).parent.name.endswith(STAGING_SUFFIX):
            shutil.rmtree(Path(staged).parent, ignore_errors=True)


def recover(target: Path) -> None:
    """Finish an export into ``target`` that was killed while replacing its parts (see the module
    notes); nothing to do in the usual case.  Called before exporting to or reading a Shapefile."""
    journal = journal_path(target)
    if not journal.exists():
        return
    from hygis.project.lock import project_lock

    with project_lock(target):
        _recover_locked(target, journal)


def _recover_locked(target: Path, journal: Path) -> None:
    try:
        doc = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return  # another process finished it meanwhile
    except (OSError, ValueError) as exc:
        raise HygisError("{target_name}: an interrupted export left an unreadable journal {journal_name} "
                         "({reason}); the files may be a mix of two exports",
                         target_name=target.name, journal_name=journal.name, reason=exc) from None
    try:
        _finish(doc)
        _close_journal(journal, doc)
    except OSError as exc:
        raise HygisError("{target_name}: an export into it was interrupted and cannot be finished here ({value}); "
                         "make the folder writable and try again",
                         target_name=target.name, value=exc.strerror or exc) from None


def replace_parts(new_parts: dict[Path, Path], stale: list[Path] = ()) -> None:
    """Move each staged file onto its target and delete ``stale`` parts, all or nothing, also
    when the process is killed half-way (a journal; see the module notes).

    ``new_parts`` maps target → staged file (same folder tree, so moves are renames).  If a
    move or delete fails, the targets already replaced get their old bytes back, new parts
    without an old version are removed, and the error is raised as a HygisError.
    """
    from hygis.project.lock import project_lock

    first = next(iter(new_parts))
    for staged in new_parts.values():
        fsync_file(staged)
    for target, staged in new_parts.items():
        copy_mode(target, staged)
    journal = journal_path(first)
    with project_lock(first):
        _recover_locked(first, journal)
        backup = Path(tempfile.mkdtemp(prefix=_temp_prefix(first), suffix=STAGING_SUFFIX + "-old",
                                       dir=first.parent))
        doc = {"mode": "forward", "backup": str(backup), "parts": [[str(t), str(s)] for t, s in new_parts.items()],
               "stale": [str(t) for t in stale], "had_old": []}
        try:
            for target in [*new_parts, *stale]:
                if target.exists():
                    _backup(target, backup)
                    doc["had_old"].append(str(target))
            fsync_dir(backup)
            _write_journal(journal, doc)
        except OSError as exc:
            journal.unlink(missing_ok=True)
            shutil.rmtree(backup, ignore_errors=True)
            raise write_error(first, exc) from exc
        try:
            _finish(doc)
        except OSError as exc:
            doc["mode"] = "back"
            try:
                _write_journal(journal, doc)
                _finish(doc)
            except OSError:
                pass  # the journal stays: the next export or read finishes the roll-back
            else:
                _close_journal(journal, doc)
            raise write_error(first, exc) from exc
        _close_journal(journal, doc)


#: How a complete file of each format ends (a writer that ran out of disk leaves a file without it).
_COMPLETE_TAILS = {".png": (b"IEND\xaeB`\x82",), ".pdf": (b"%%EOF",), ".jpg": (b"\xff\xd9",), ".jpeg": (b"\xff\xd9",),
                   ".svg": (b"</svg>",)}


def _complete(tmp: Path, suffix: str) -> bool:
    try:
        size = tmp.stat().st_size
        if size == 0:
            return False
        if suffix in (".pptx", ".docx", ".xlsx"):
            import zipfile

            with zipfile.ZipFile(tmp) as zf:
                return zf.testzip() is None
        tails = _COMPLETE_TAILS.get(suffix)
        if tails is None:
            return True
        with open(tmp, "rb") as fh:
            fh.seek(max(0, size - 64))
            end = fh.read().rstrip()
        return any(t in end for t in tails)
    except Exception:  # noqa: BLE001 - unreadable, or a damaged zip (BadZipFile, EOFError ...)
        return False


@contextlib.contextmanager
def atomic_output(target):
    """Write one output file (an image, PDF, slide deck) so that ``target`` is replaced only by a
    complete new file: yields a temporary path beside it (same suffix, so writers choosing the
    format by name still do); when the block ends without error the file is checked complete
    (non-empty, its format's closing bytes), fsynced and moved over ``target``.  On any failure
    the temporary file is removed and ``target`` is untouched.  A read-only target, a folder of
    that name or a read-only / missing folder is refused before anything is written."""
    target = Path(target)
    check_writable(target, [target])
    suffix = target.suffix.lower()
    remove_stale_staging(target)  # what a killed render/export of this target left behind
    try:
        fd, name = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=f"{STAGING_SUFFIX}{target.suffix}",
                                    dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise write_error(target, exc) from exc
    tmp = Path(name)
    try:
        try:
            yield tmp
            if not _complete(tmp, suffix):
                raise HygisError("Cannot write {target_name}: the file came out incomplete",
                                 target_name=target.name)
            copy_mode(target, tmp)
            fsync_file(tmp)
            os.replace(tmp, target)
            fsync_dir(target.parent)
        except HygisError as exc:
            from hygis.core.atomic import space_reason

            reason = space_reason(target.parent, exc)
            if reason and reason not in str(exc):
                raise HygisError("Cannot write {target_name}: {reason}. The previous file is unchanged.",
                                 target_name=target.name, reason=reason) from exc
            raise write_error(target, exc) from exc
        except OSError as exc:
            raise write_error(target, exc) from exc
    finally:
        tmp.unlink(missing_ok=True)
