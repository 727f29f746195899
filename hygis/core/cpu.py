"""Whether a second thread pays now: the rule shared by drawing and coverage."""

from __future__ import annotations

import os


def core_to_spare() -> bool:
    """True when the machine has a core to spare: at least two cores, and the core count minus
    the other work wanting a core now is at least one.

    On cores busy with other work a second thread wins no wall time (a process gets its share of
    the busy cores however many threads it runs) and costs CPU time; the callers' docstrings give
    the figures.  "Now" is the count of runnable tasks (Linux, :func:`others_running`), not the
    1-minute load average, which lags: for a minute after a heavy job ends it still reports the
    cores busy (a benchmark's 14-s peer process left the load at ~1 on an idle 2-core machine,
    and hygis ran on one thread).  Without that count (macOS), the load average; without either
    (Windows), yes.  ``HYGIS_THREADS=1`` (or ``0``) in the environment decides instead
    (benchmarks compare code at equal settings)."""
    forced = os.environ.get("HYGIS_THREADS", "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    cores = os.cpu_count() or 1
    if cores < 2:
        return False
    others = others_running()
    if others is None:
        try:
            others = os.getloadavg()[0]
        except (AttributeError, OSError):  # no load average
            return True
    return cores - others >= 1.0


def others_running() -> int | None:
    """Tasks of other processes runnable at this moment (Linux: /proc/loadavg's running count
    minus this process's own running threads), or None where the kernel does not say."""
    try:
        with open("/proc/loadavg", "rb") as fh:
            running = int(fh.read().split()[3].split(b"/")[0])
        own = 0
        for tid in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{tid}/stat", "rb") as fh:
                    own += fh.read().rsplit(b")", 1)[1].split()[0] == b"R"
            except OSError:  # (the thread ended meanwhile)
                continue
        return max(running - own, 0)
    except (OSError, ValueError, IndexError):
        return None
