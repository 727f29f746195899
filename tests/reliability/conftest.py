"""Reliability tests: every test gets its own data and log folders (never the user's).
(The tiny full disk, ``tiny_disk``, is in tests/conftest.py.)"""


import pytest


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path_factory, monkeypatch):
    data = tmp_path_factory.mktemp("hygis_data")
    logs = tmp_path_factory.mktemp("hygis_logs")
    monkeypatch.setenv("HYGIS_DATA_DIR", str(data))
    monkeypatch.setenv("HYGIS_LOG_DIR", str(logs))
    return data, logs
