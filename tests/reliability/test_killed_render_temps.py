"""A SIGKILLed ``hygis render`` leaves its hidden temporary ``.NAME.<pid>.*.hygis-export.png`` beside
the target; the next write of that target removes it, because its writer is gone.  A temporary of a
writer still running (another process) is never removed, nor a temporary of another target."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_projects" / "hangzhou_ningbo.hygis"
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
PNG_END = b"IEND\xaeB`\x82"

# a writer that holds a temporary of TARGET open until told to finish (a render still running)
HOLDER = """
import sys
from pathlib import Path
from hygis.io.filesets import atomic_output
with atomic_output(Path(sys.argv[1])) as tmp:
    tmp.write_bytes(b"\\x89PNG half a map")
    print(tmp, flush=True)
    sys.stdin.readline()
    tmp.write_bytes(Path(sys.argv[2]).read_bytes())
"""


def _temps(folder: Path, stem: str) -> list[Path]:
    return sorted(folder.glob(f".{stem}.*.hygis-export.png"))


def _render(out: Path, size: str = "640x480") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hygis", "render", str(SAMPLE), "--out", str(out), "--size", size],
                          capture_output=True, text=True, env=ENV, timeout=300)


def _killed_render(out: Path) -> tuple[int, Path]:
    """Start a big render of ``out`` and SIGKILL it as soon as its temporary exists."""
    others = set(_temps(out.parent, out.stem))
    proc = subprocess.Popen([sys.executable, "-m", "hygis", "render", str(SAMPLE), "--out", str(out),
                             "--size", "8000x6000"], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            found = set(_temps(out.parent, out.stem)) - others
            if found:
                os.kill(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.002)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the render finished before it could be killed"
    temps = set(_temps(out.parent, out.stem)) - others
    assert len(temps) == 1
    return proc.pid, temps.pop()


@pytest.mark.skipif(not SAMPLE.exists(), reason="sample project not built")
def test_next_render_removes_a_killed_renders_temporary_not_a_running_ones(tmp_path):
    out = tmp_path / "地图.png"
    pid, leftover = _killed_render(out)
    assert f".{pid}." in leftover.name and not out.exists()

    other = tmp_path / f".另一张.{pid}.abcd1234.hygis-export.png"  # a dead writer, but of another target
    other.write_bytes(b"\x89PNG")
    good = tmp_path / "good.png"
    assert _render(good).returncode == 0
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(out), str(good)], env=ENV, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        running = Path(holder.stdout.readline().strip())
        assert running.exists() and f".{holder.pid}." in running.name
        assert not leftover.exists()  # the holder's write of the same target already removed it

        pid2, leftover2 = _killed_render(out)  # another killed render beside a running writer
        done = _render(out)
        assert done.returncode == 0, done.stderr
        assert out.read_bytes().endswith(PNG_END)
        assert not leftover2.exists()
        assert running.exists() and other.exists()  # a running writer's, another target's: kept
        assert _temps(tmp_path, out.stem) == [running]
        holder.stdin.write("finish\n")
        holder.stdin.flush()
        assert holder.wait(timeout=60) == 0
    finally:
        holder.kill()
        holder.wait()
    assert out.read_bytes() == good.read_bytes() and not running.exists()
    assert _temps(tmp_path, out.stem) == []


def test_reused_pid_and_old_nameless_temporaries(tmp_path):
    """A temporary whose PID now belongs to a process started after it was written is stale; one of an
    older hygis (no PID in its name) goes once it is old; a fresh nameless one stays."""
    from hygis.io.filesets import atomic_output

    target = tmp_path / "map.png"
    reused = tmp_path / f".map.{os.getppid()}.k3j9x1ab.hygis-export.png"  # our parent: alive, started earlier
    reused.write_bytes(b"x")
    os.utime(reused, (1_000_000_000, 1_000_000_000))  # written in 2001: before that process started
    legacy_old = tmp_path / ".map.abc12345.hygis-export.png"
    legacy_new = tmp_path / ".map.def67890.hygis-export.png"
    for p in (legacy_old, legacy_new):
        p.write_bytes(b"x")
    os.utime(legacy_old, (1_000_000_000, 1_000_000_000))
    alive = tmp_path / f".map.{os.getppid()}.zz99yy88.hygis-export.png"  # the live parent's, fresh: kept
    alive.write_bytes(b"x")
    with atomic_output(target) as tmp:
        tmp.write_bytes(b"\x89PNG" + PNG_END)
    assert not reused.exists() and not legacy_old.exists()
    assert legacy_new.exists() and alive.exists() and target.exists()
