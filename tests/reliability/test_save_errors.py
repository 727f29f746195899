"""Saving when things go wrong: disk full, read-only targets; odd names, permissions, links.

Every failure is a HygisError with a clear message, the previous file is byte-identical and
no temporary file is left beside it.
"""

from __future__ import annotations

import errno
import os
import resource
import signal
import stat
import tempfile
import time
from pathlib import Path

import pytest

from hygis.project import fileformat as projectfile
from hygis.project.commands import AddLayer
from hygis.core.errors import HygisError
from hygis.project.fileformat import open_project, save_project, write_snapshot
from tests.reliability.helpers import polygon_layer, small_project


def _leftovers(folder: Path, keep=()) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


@pytest.fixture
def saved(tmp_path):
    project = small_project("旧")
    path = save_project(project, tmp_path / "规划.hygis")
    project.title = "新"
    project.execute(AddLayer(project, polygon_layer(300, "新增", seed=5)))
    return project, path, path.read_bytes()


def test_disk_full_half_way_gives_clear_error_and_keeps_old_file(saved, monkeypatch):
    project, path, before = saved
    real = projectfile._write_layers

    def write_then_fill_disk(p, tmp):
        real(p, tmp)  # the temporary file is half written ...
        raise OSError(errno.ENOSPC, "No space left on device")  # ... then the disk is full

    monkeypatch.setattr(projectfile, "_write_layers", write_then_fill_disk)
    with pytest.raises(HygisError, match="disk is full.*previous file is unchanged"):
        save_project(project, path)
    assert path.read_bytes() == before
    assert _leftovers(path.parent) == ["规划.hygis"]
    assert project.dirty and project.title == "新"  # the edits are still there to save elsewhere


def _in_child(fn) -> tuple[int, str]:
    """Run ``fn()`` in a forked child; returns (exit code, text it wrote)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        code = 3
        try:
            msg = fn()
            code = 0
        except HygisError as exc:
            msg, code = str(exc), 1
        except BaseException as exc:  # noqa: BLE001 - report anything to the parent
            msg, code = f"{type(exc).__name__}: {exc}", 2
        finally:
            os.write(w, str(msg if code != 3 else "").encode()[:65000])
            os._exit(code)
    os.close(w)
    chunks = []
    while chunk := os.read(r, 65536):
        chunks.append(chunk)
    os.close(r)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_real_write_failure_in_gdal_and_sqlite_keeps_old_file(saved):
    """A file-size limit makes the real writes (GDAL, SQLite) fail part-way, like a full disk."""
    project, path, before = saved
    project.execute(AddLayer(project, polygon_layer(5000, "大图层", seed=6)))

    def save_with_small_limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (150_000, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
        save_project(project, path)
        return "saved"

    code, msg = _in_child(save_with_small_limit)
    assert code == 1, msg
    assert msg.startswith("Cannot save 规划.hygis:") and msg.endswith("The previous file is unchanged.")
    assert path.read_bytes() == before
    assert _leftovers(path.parent) == ["规划.hygis"]


def _unprivileged(fn):
    """Run ``fn`` where file permissions apply: as 'nobody' in a child when we are root."""
    def run():
        if os.geteuid() == 0:
            os.setgid(65534)
            os.setuid(65534)
        return fn()
    return _in_child(run)


@pytest.fixture
def shared_dir():
    """A folder outside pytest's private tmp (which 'nobody' cannot enter)."""
    folder = Path(tempfile.mkdtemp(prefix="hygis-ro-"))
    os.chmod(folder, 0o755)
    yield folder
    os.chmod(folder, 0o755)
    for p in folder.iterdir():
        p.unlink()
    folder.rmdir()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_read_only_folder_gives_clear_error(shared_dir):
    project = small_project()
    path = save_project(project, shared_dir / "p.hygis")
    os.chmod(path, 0o644)
    before = path.read_bytes()
    os.chmod(shared_dir, 0o555)
    project.title = "changed"
    code, msg = _unprivileged(lambda: str(save_project(project, path)))
    assert code == 1, msg
    assert msg == f"Cannot save: {path} is read-only"
    assert path.read_bytes() == before and _leftovers(shared_dir) == ["p.hygis"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_read_only_file_in_writable_folder_gives_clear_error(shared_dir):
    project = small_project()
    path = save_project(project, shared_dir / "p.hygis")
    os.chmod(path, 0o444)
    os.chmod(shared_dir, 0o777)
    before = path.read_bytes()
    code, msg = _unprivileged(lambda: str(save_project(project, path)))
    assert code == 1, msg
    assert "read-only" in msg
    assert path.read_bytes() == before and _leftovers(shared_dir) == ["p.hygis"]


def test_missing_folder_and_folder_target_are_clear_errors(tmp_path):
    project = small_project()
    with pytest.raises(HygisError, match="does not exist"):
        save_project(project, tmp_path / "nope" / "p.hygis")
    (tmp_path / "dir.hygis").mkdir()
    with pytest.raises(HygisError, match="is a folder"):
        save_project(project, tmp_path / "dir.hygis")
    assert _leftovers(tmp_path) == ["dir.hygis"]


@pytest.mark.parametrize("name", ["规划#1.hygis", "what?.hygis", "100%.hygis", "a b'c\".hygis"])
def test_names_with_uri_characters_round_trip(tmp_path, name):
    """'#', '?', '%' would break a naive SQLite URI (opening another file or failing)."""
    path = save_project(small_project("名字"), tmp_path / name)
    assert open_project(path).title == "名字"


def test_save_keeps_file_permissions(tmp_path):
    project = small_project()
    path = save_project(project, tmp_path / "p.hygis")
    os.chmod(path, 0o640)
    save_project(project, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    fresh = save_project(project, tmp_path / "fresh.hygis")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask  # like any new file, not mkstemp's 0600


def test_save_through_symlink_updates_the_real_file(tmp_path):
    real = save_project(small_project("一"), tmp_path / "real.hygis")
    link = tmp_path / "link.hygis"
    link.symlink_to(real)
    project = open_project(link)
    project.title = "二"
    save_project(project, link)
    assert link.is_symlink() and open_project(real).title == "二"


def test_stale_temp_files_of_killed_saves_are_cleaned_fresh_ones_kept(tmp_path):
    project = small_project()
    path = save_project(project, tmp_path / "p.hygis")
    old = tmp_path / ".p.abc123.hygis-saving"
    old_journal = tmp_path / ".p.abc123.hygis-saving-journal"
    fresh = tmp_path / ".p.def456.hygis-saving"  # maybe another hygis saving right now
    for f in (old, old_journal, fresh):
        f.write_bytes(b"partial")
    hour_ago = time.time() - 3600
    for f in (old, old_journal):
        os.utime(f, (hour_ago, hour_ago))
    save_project(project, path)
    assert _leftovers(tmp_path) == [".p.def456.hygis-saving", "p.hygis"]


def test_write_snapshot_leaves_project_path_and_state(tmp_path):
    project = small_project()
    path = save_project(project, tmp_path / "p.hygis")
    project.title = "未保存"
    project.mark_dirty()
    copy = write_snapshot(project, tmp_path / "copy.hygis")
    assert project.path == path and project.dirty
    assert open_project(copy).title == "未保存" and open_project(path).title == "杭甬双城记"


def test_really_full_disk_keeps_old_file(tiny_disk):
    project = small_project("旧")
    path = save_project(project, tiny_disk / "p.hygis")
    before = path.read_bytes()
    project.execute(AddLayer(project, polygon_layer(3000, "大图层", seed=7)))  # does not fit beside the old file
    with pytest.raises(HygisError, match=r"^Cannot save p.hygis: the disk is full. The previous file is unchanged.$"):
        save_project(project, path)
    assert path.read_bytes() == before
    assert _leftovers(tiny_disk) == ["p.hygis"]
    assert open_project(path).title == "旧"
