"""Whether a second thread pays now: the rule shared by drawing and coverage."""

from __future__ import annotations

import os


def core_to_spare() -> bool:
    """True when the machine has a core to spare: at least two cores, and the core count minus
    the 1-minute load average is at least one (where there is no load average -- Windows -- yes).

    On cores busy with other work a second thread wins no wall time (a process gets its share of
    the busy cores however many threads it runs) and costs CPU time; the callers' docstrings give
    the figures.  ``HYGIS_THREADS=1`` (or ``0``) in the environment decides instead (benchmarks
    compare code at equal settings while other, niced, jobs raise the load average)."""
    forced = os.environ.get("HYGIS_THREADS", "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    cores = os.cpu_count() or 1
    if cores < 2:
        return False
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average
        return True
    return cores - load >= 1.0
