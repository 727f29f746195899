"""Reliability tests: every test gets its own data and log folders (never the user's); a tiny disk."""

import os
import shutil
import subprocess

import pytest


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path_factory, monkeypatch):
    data = tmp_path_factory.mktemp("hygis_data")
    logs = tmp_path_factory.mktemp("hygis_logs")
    monkeypatch.setenv("HYGIS_DATA_DIR", str(data))
    monkeypatch.setenv("HYGIS_LOG_DIR", str(logs))
    return data, logs


@pytest.fixture
def tiny_disk(tmp_path):
    """A 512 KiB tmpfs: a really full disk (needs root and permission to mount; skipped otherwise)."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tiny tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)
