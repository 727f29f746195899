import os
import shutil
import subprocess
import tempfile

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never write logs, recovery files or settings into the real user folders.
_sandbox = tempfile.mkdtemp(prefix="hygis-tests-")
os.environ.setdefault("HYGIS_LOG_DIR", os.path.join(_sandbox, "logs"))
os.environ.setdefault("HYGIS_DATA_DIR", os.path.join(_sandbox, "data"))
os.environ.setdefault("XDG_CONFIG_HOME", os.path.join(_sandbox, "config"))  # QSettings' INI file (Linux)
os.environ.setdefault("XDG_DATA_HOME", os.path.join(_sandbox, "share"))  # hygis desktop-install


def pytest_runtest_teardown(item):
    """Each test starts in English: a test that switches the UI language must not leak it."""
    import sys

    if "hygis.ui.i18n" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication

    from hygis.ui import i18n

    app = QCoreApplication.instance()
    if app is not None and i18n.current_language() != "en":
        i18n.install_translator(app, "en")


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
