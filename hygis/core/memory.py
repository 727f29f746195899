"""Cheaper fresh memory for drawing millions of features (process-wide allocator settings).

Drawing a million features makes a few dozen temporary numpy arrays of 10–50 MB.  numpy asks the
kernel for transparent huge pages on each one (``madvise``); with the kernel's common
``defrag=madvise`` setting that first touch stalls in memory compaction — measured here at
~0.08 s per fresh 40 MB array on a busy machine against ~0.02 s without the advice (huge pages
still come when they are free).  :func:`no_hugepage_advice` turns the advice off for the
process (what ``NUMPY_MADVISE_HUGEPAGE=0`` does, which numpy reads only at import).

:func:`keep_freed_memory` is for a process that ends after one command: glibc serves big
blocks from its heap instead of a fresh ``mmap`` each, and keeps freed memory for reuse, so a
temporary is faulted in once (peak RSS + ~0.1 GB).  All threads share that one heap: worker
threads otherwise get their own malloc arenas, whose heaps glibc gives back to the kernel as
soon as a big block is freed — the drawing threads of a 1M-polygon map then faulted ~200,000
fresh pages (~0.45 s of system time) where the shared heap faults ~20,000.  Not for the desktop
app (a long session would keep its peak): :func:`reuse_freed_memory` is its bounded version
(one heap, big blocks from it, at most 256 MB of freed memory kept; a first draw of 1M
polygons faulted ~140,000 pages with glibc's defaults and ~70,000 with it).
"""

from __future__ import annotations

import sys


def no_hugepage_advice() -> None:
    """Stop numpy from ``madvise(MADV_HUGEPAGE)`` on new arrays (no effect where it cannot)."""
    import numpy as np

    core = getattr(np, "_core", None) or getattr(np, "core", None)  # numpy 2 / 1.x
    set_hugepage = getattr(getattr(core, "multiarray", None), "_set_madvise_hugepage", None)
    if set_hugepage is not None:
        set_hugepage(False)


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_MMAP_MAX, M_ARENA_MAX = -1, -3, -4, -8  # glibc's mallopt parameters


def _mallopt():
    """glibc's ``mallopt`` (None on other systems and C libraries: musl has none)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return None


def keep_freed_memory() -> None:
    """glibc malloc: big blocks from the heap, never handed back (Linux/glibc only; else nothing)."""
    mallopt = _mallopt()
    if mallopt is None:
        return
    mallopt(M_MMAP_MAX, 0)  # big blocks from the heap, not from their own mmap
    mallopt(M_TRIM_THRESHOLD, 2**31 - 1)  # and kept after free
    mallopt(M_ARENA_MAX, 1)  # by every thread (numpy's big blocks are few: no contention to speak of)


def reuse_freed_memory(keep: int = 256 << 20) -> None:
    """glibc malloc for the desktop app: every thread allocates from one heap, blocks up to 1 GB
    come from it (not each from a fresh ``mmap``), and up to ``keep`` bytes of freed memory stay
    for the next draw instead of being faulted in again (no effect where it cannot)."""
    mallopt = _mallopt()
    if mallopt is None:
        return
    mallopt(M_ARENA_MAX, 1)
    mallopt(M_MMAP_THRESHOLD, 1 << 30)
    mallopt(M_TRIM_THRESHOLD, keep)
