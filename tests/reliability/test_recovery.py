"""RecoveryStore (Qt-free): recovery files beside the user's data, never over the project."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import shapely

from hygis.project.commands import AddFeatures
from hygis.project.fileformat import open_project, save_project
from hygis.project.recovery import RecoveryStore, data_dir
from tests.reliability.helpers import small_project

NEW_ENCLAVE = dict(name="新飞地", host_city="宁波市", origin_city="丽水市", enclave_type="industry",
                   status="planned", year_opened=2030, source="edit")


def _add_enclave(project):
    project.execute(AddFeatures(project.layers["飞地"], [NEW_ENCLAVE], [shapely.Point(121.5, 29.9)]))


def test_data_dir_follows_env(tmp_path, monkeypatch):
    monkeypatch.setenv("HYGIS_DATA_DIR", str(tmp_path))
    assert data_dir() == tmp_path
    assert RecoveryStore().dir == tmp_path / "recovery"


def test_write_list_restore_a_saved_project(tmp_path):
    project = small_project()
    path = save_project(project, tmp_path / "杭甬.hygis")
    before = path.read_bytes()
    _add_enclave(project)
    store = RecoveryStore(tmp_path / "data")
    entry = store.write(project)
    # the project and its file are untouched
    assert project.path == path and project.dirty and path.read_bytes() == before
    sidecar = json.loads((store.dir / f"{entry.key}.json").read_text(encoding="utf-8"))
    assert sidecar["original"] == str(path.resolve()) and sidecar["title"] == "杭甬双城记"
    assert sidecar["layers"] == 2 and sidecar["features"] == 5 + 5 and sidecar["pid"] == os.getpid()

    [listed] = RecoveryStore(tmp_path / "data").list()  # as the next start sees it
    assert listed.original == path.resolve() and listed.feature_count == 10
    assert "杭甬双城记" in listed.describe() and listed.saved_at_text in listed.describe()
    restored = RecoveryStore(tmp_path / "data").restore(listed)
    assert restored.path == path.resolve() and restored.dirty
    assert "新飞地" in set(restored.layers["飞地"].data["name"])


def test_unsaved_new_project_is_covered_and_key_moves_when_saved(tmp_path):
    store = RecoveryStore(tmp_path / "data")
    project = small_project("新项目")
    project.mark_dirty()
    entry = store.write(project)
    assert entry.original is None and entry.key.startswith("new-")
    assert store.write(project).key == entry.key  # same file, rewritten
    [listed] = store.list()
    assert listed.display_name == "新项目" and "never saved" in listed.describe()
    restored = store.restore(listed)
    assert restored.path is None and restored.dirty and restored.title == "新项目"

    save_project(project, tmp_path / "named.hygis")  # now it has a name: the 'new-' entry goes
    project.mark_dirty()
    moved = store.write(project)
    assert moved.key.startswith("p-") and [e.key for e in store.list()] == [moved.key]


def test_discard_for_after_save_or_close_removes_files(tmp_path):
    store = RecoveryStore(tmp_path / "data")
    project = small_project()
    save_project(project, tmp_path / "p.hygis")
    project.mark_dirty()
    store.write(project)
    assert len(store.list()) == 1
    store.discard_for(project)
    assert store.list() == [] and list(store.dir.iterdir()) == []


def test_discard_declined_entry(tmp_path):
    store = RecoveryStore(tmp_path / "data")
    project = small_project()
    project.mark_dirty()
    store.discard(store.write(project))
    assert store.list() == []


def test_damaged_sidecars_are_ignored_not_fatal(tmp_path):
    store = RecoveryStore(tmp_path / "data")
    project = small_project()
    project.mark_dirty()
    good = store.write(project)
    (store.dir / "junk.json").write_text("{not json")
    (store.dir / "wrongkey.json").write_text(json.dumps({"key": "../../etc/passwd", "saved_at": 1}))
    (store.dir / "nofile.json").write_text(json.dumps({"key": "nofile", "saved_at": 1}))
    (store.dir / "types.json").write_text(json.dumps({"key": "types", "saved_at": "yesterday"}))
    (store.dir / "types.hygis").write_bytes(b"")
    assert [e.key for e in store.list()] == [good.key]


def test_entries_of_a_running_hygis_are_not_offered(tmp_path):
    """Another instance's live autosave is not a crash; a dead writer's entry is."""
    store = RecoveryStore(tmp_path / "data")
    project = small_project()
    project.mark_dirty()
    entry = store.write(project)
    sidecar = store.dir / f"{entry.key}.json"
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        doc = json.loads(sidecar.read_text())
        sidecar.write_text(json.dumps(dict(doc, pid=alive.pid)))
        assert store.list() == [] and len(store.list(include_running=True)) == 1
    finally:
        alive.kill()
        alive.wait()
    assert [e.key for e in store.list()] == [entry.key]


def test_recovery_file_is_a_complete_project(tmp_path):
    store = RecoveryStore(tmp_path / "data")
    project = small_project("完整")
    _add_enclave(project)
    entry = store.write(project)
    reopened = open_project(entry.project_file)
    assert reopened.layers.names == ["科创走廊", "飞地"] and reopened.layers["飞地"].feature_count == 5
