import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never write logs, recovery files or settings into the real user folders.
_sandbox = tempfile.mkdtemp(prefix="hygis-tests-")
os.environ.setdefault("HYGIS_LOG_DIR", os.path.join(_sandbox, "logs"))
os.environ.setdefault("HYGIS_DATA_DIR", os.path.join(_sandbox, "data"))
