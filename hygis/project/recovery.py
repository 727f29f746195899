"""Recovery files: unsaved work written aside so a crash or a kill loses at most a minute.

Qt-free; :mod:`hygis.ui.autosave` calls :meth:`RecoveryStore.write` on a timer while
the project has unsaved changes and offers :meth:`RecoveryStore.list` at start.

Layout under ``<data dir>/recovery/`` (data dir: ``$HYGIS_DATA_DIR`` or
``platformdirs.user_data_dir('hygis')``), one pair of files per project::

    <key>.hygis   a complete project file (same atomic writer as a normal save)
    <key>.json    sidecar: original path (null for a never-saved project), title,
                  time, layer and feature counts, writer's pid

The project itself is never touched: its path and clean state stay as they are,
and nothing is written beside or over the user's file.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import tempfile
import time
import uuid
import weakref
from dataclasses import dataclass
from pathlib import Path

from hygis.core.errors import HygisError
from hygis.project.model import Project

ENV_DATA_DIR = "HYGIS_DATA_DIR"
#: project → its recovery key; shared by all stores so a restored project keeps its entry
_KEYS: "weakref.WeakKeyDictionary[Project, str]" = weakref.WeakKeyDictionary()
SIDECAR_VERSION = 1
MAX_SIDECAR_BYTES = 64 * 1024


def data_dir() -> Path:
    """The user's hygis data folder (``$HYGIS_DATA_DIR`` overrides, for tests)."""
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("hygis", appauthor=False))


@dataclass(frozen=True)
class RecoveryEntry:
    """One recoverable project, as described by its sidecar."""

    key: str
    project_file: Path
    original: Path | None  # the project's own file; None for a project never saved
    title: str
    saved_at: float  # seconds since the epoch
    layer_count: int
    feature_count: int
    pid: int

    @property
    def saved_at_text(self) -> str:
        """Local time of the recovery write, ``YYYY-MM-DD HH:MM:SS``."""
        return _dt.datetime.fromtimestamp(self.saved_at).strftime("%Y-%m-%d %H:%M:%S")

    @property
    def display_name(self) -> str:
        """What the user knows the project as: its file name, else its title."""
        if self.original is not None:
            return self.original.name
        return self.title or "untitled project"

    def describe(self) -> str:
        """One line: what and from when (English; the UI translates its own wording)."""
        where = str(self.original) if self.original else "never saved"
        return (f"{self.title or self.display_name} ({where}): {self.layer_count} layers, "
                f"{self.feature_count} features, autosaved {self.saved_at_text}")


class RecoveryStore:
    """Recovery files of unsaved projects.

    Parameters
    ----------
    base_dir
        Data folder holding ``recovery/``; default :func:`data_dir`.
    """

    def __init__(self, base_dir: str | os.PathLike | None = None):
        self.dir = Path(base_dir if base_dir is not None else data_dir()) / "recovery"
        self._keys = _KEYS

    # -- writing -----------------------------------------------------------------------------
    def key_for(self, project: Project) -> str:
        """Stable file key: derived from the project's path, or a random one for a new project."""
        if project.path is not None:
            digest = hashlib.sha1(str(Path(project.path).resolve()).encode("utf-8", "surrogatepass")).hexdigest()
            return f"p-{digest[:16]}"
        key = self._keys.get(project)
        if key is None or not key.startswith("new-"):
            key = f"new-{uuid.uuid4().hex[:16]}"
        return key

    def write(self, project: Project) -> RecoveryEntry:
        """Write ``project`` (as it is now) to its recovery file; the project is not changed.

        Raises
        ------
        HygisError
            The recovery folder cannot be written (disk full, read-only).
        """
        from hygis.project.fileformat import write_snapshot

        key = self.key_for(project)
        old = self._keys.get(project)
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HygisError("Cannot create the recovery folder {dir}: {strerror}",
                             dir=self.dir, strerror=exc.strerror) from None
        project_file = self.dir / f"{key}.hygis"
        write_snapshot(project, project_file)
        entry = RecoveryEntry(
            key=key, project_file=project_file,
            original=Path(project.path).resolve() if project.path is not None else None,
            title=project.title, saved_at=time.time(), layer_count=len(project.layers),
            feature_count=sum(int(layer.feature_count) for layer in project.layers), pid=os.getpid())
        self._write_sidecar(entry)
        self._keys[project] = key
        if old is not None and old != key:  # a new project got saved under a name: drop the old entry
            self._remove_files(old)
        return entry

    def _write_sidecar(self, entry: RecoveryEntry) -> None:
        doc = {"version": SIDECAR_VERSION, "key": entry.key,
               "original": str(entry.original) if entry.original else None, "title": entry.title,
               "saved_at": entry.saved_at, "saved_at_text": entry.saved_at_text,
               "layers": entry.layer_count, "features": entry.feature_count, "pid": entry.pid}
        fd, tmp = tempfile.mkstemp(prefix=f".{entry.key}.", suffix=".json-saving", dir=self.dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(doc, fh, ensure_ascii=False)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.dir / f"{entry.key}.json")
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise HygisError("Cannot write the recovery file: {value}", value=exc.strerror or exc) from None

    # -- reading -----------------------------------------------------------------------------
    def list(self, include_running: bool = False) -> list[RecoveryEntry]:
        """Recoverable projects, newest first.

        Entries written by another hygis that is still running are left out unless
        ``include_running`` (they are that instance's live autosave, not a crash).
        """
        if not self.dir.is_dir():
            return []
        entries = []
        for sidecar in self.dir.glob("*.json"):
            entry = self._read_sidecar(sidecar)
            if entry is None:
                continue
            if not include_running and entry.pid != os.getpid() and _pid_alive(entry.pid):
                continue
            entries.append(entry)
        return sorted(entries, key=lambda e: e.saved_at, reverse=True)

    def _read_sidecar(self, sidecar: Path) -> RecoveryEntry | None:
        try:
            if sidecar.stat().st_size > MAX_SIDECAR_BYTES:
                return None
            doc = json.loads(sidecar.read_text(encoding="utf-8"))
            key = doc["key"]
            if not isinstance(key, str) or key != sidecar.stem:
                return None
            project_file = self.dir / f"{key}.hygis"
            if not project_file.is_file():
                return None
            original = doc.get("original")
            return RecoveryEntry(
                key=key, project_file=project_file,
                original=Path(original) if isinstance(original, str) and original else None,
                title=str(doc.get("title") or "")[:500], saved_at=float(doc["saved_at"]),
                layer_count=int(doc.get("layers") or 0), feature_count=int(doc.get("features") or 0),
                pid=int(doc.get("pid") or 0))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None  # a damaged sidecar is not offered (and never crashes the start)

    def entry_for(self, project: Project) -> RecoveryEntry | None:
        """The entry this store wrote for ``project`` (None if none yet)."""
        key = self._keys.get(project)
        return self._read_sidecar(self.dir / f"{key}.json") if key else None

    def restore(self, entry: RecoveryEntry) -> Project:
        """Open the recovered project: path set to the original file (None if never saved),
        marked as having unsaved changes. The entry stays until the project is saved or closed."""
        from hygis.project.fileformat import open_project

        project = open_project(entry.project_file)
        project.path = entry.original
        project.mark_dirty()
        self._keys[project] = entry.key
        return project

    # -- removing ----------------------------------------------------------------------------
    def discard(self, entry: RecoveryEntry) -> None:
        """Delete a recovery entry (the user declined to restore it)."""
        self._remove_files(entry.key)

    def discard_for(self, project: Project) -> None:
        """Delete the project's recovery entry (after a normal save or close)."""
        key = self._keys.pop(project, None)
        if key is not None:
            self._remove_files(key)
        if project.path is not None:  # also an entry left by a crashed earlier session
            self._remove_files(self.key_for(project))

    def _remove_files(self, key: str) -> None:
        for suffix in (".json", ".hygis"):  # sidecar first: a half-removed entry is never listed
            try:
                (self.dir / f"{key}{suffix}").unlink(missing_ok=True)
            except OSError:
                pass


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True
