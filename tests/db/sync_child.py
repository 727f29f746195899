"""Run ``hygis db sync PROJECT`` in this process, stopping itself (SIGSTOP) at one stage so the
test can SIGKILL it exactly there.  Used only by tests/db/test_kill_during_sync.py.

    python -m tests.db.sync_child STAGE PROJECT

STAGE: none | prepared | before-write | in-transaction | committed | before-replace | after-replace
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys


def _stop():
    os.kill(os.getpid(), signal.SIGSTOP)


def main(stage: str, project: str) -> int:
    import psycopg

    from hygis.cli import main as cli_main
    from hygis.db import sync
    from hygis.project import fileformat

    saves = {"n": 0}
    writing = {"on": False}
    orig_save, orig_write, orig_replace = sync.save_project, sync._write, fileformat.os.replace
    orig_tx = psycopg.Connection.transaction

    def save(project, *a, **k):
        out = orig_save(project, *a, **k)
        saves["n"] += 1
        if stage == "prepared" and saves["n"] == 1:
            _stop()
        return out

    def write(con, info, plan):
        if stage == "before-write":
            _stop()
        writing["on"] = True
        try:
            out = orig_write(con, info, plan)
        finally:
            writing["on"] = False
        if stage == "committed":
            _stop()
        return out

    @contextlib.contextmanager
    def tx(self, *a, **k):
        with orig_tx(self, *a, **k) as t:
            yield t
            if stage == "in-transaction" and writing["on"]:
                _stop()  # every statement ran; COMMIT not yet sent

    replaces = {"n": 0}

    def replace(src, dst):  # the 2nd save is the sync's result (the 1st gave new features their ids)
        replaces["n"] += 1
        if stage == "before-replace" and replaces["n"] == 2:
            _stop()
        orig_replace(src, dst)
        if stage == "after-replace" and replaces["n"] == 2:
            _stop()

    sync.save_project, sync._write = save, write
    psycopg.Connection.transaction = tx
    fileformat.os.replace = replace
    return cli_main(["db", "sync", project])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
