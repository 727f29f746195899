"""Real child processes for the kill tests, without paying Python's start-up and imports per child.

A kill test runs the same command dozens of times (``python -m hygis export ...``) and SIGKILLs it at a
different moment each time; started with ``subprocess``, each run spends ~1 s importing before it does
anything.  :class:`ForkServer` starts one Python process that imports the modules named once, then, per
:meth:`ForkServer.run`, forks a child that runs the module (as ``python -m`` does) or code (as
``python -c`` does) with its own argv, working folder, stdout and stderr files.  The child is a real,
separate process: the test kills it with a real signal, the server (its parent) reports how it ended
(exit code, -signal) and when it stopped itself (SIGSTOP).

The server refuses to fork once a thread is running in it (a fork copies only the forking thread: a
lock another thread held would stay locked in the child), so preload only modules that start none.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_SERVER = r"""
import json, os, runpy, sys, threading, traceback
from importlib import import_module

for name in sys.argv[2:]:
    import_module(name)
namespace = {"__name__": "__main__"}
exec(compile(sys.argv[1], "<setup>", "exec"), namespace)  # what every child starts from (built once)
out = sys.stdout

def child(req):
    fd = os.open(os.devnull, os.O_RDONLY)
    os.dup2(fd, 0)
    for target, path in ((1, req["stdout"]), (2, req["stderr"])):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, target)
    os.chdir(req["cwd"])
    os.environ.update(req["env"])
    code = 0
    try:
        if req["module"]:
            sys.argv = [req["module"], *req["argv"]]
            runpy.run_module(req["module"], run_name="__main__", alter_sys=True)
        else:
            sys.argv = ["-c", *req["argv"]]
            exec(compile(req["code"], "<string>", "exec"), namespace)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if not isinstance(exc.code, int) and exc.code is not None:
            sys.stderr.write(f"{exc.code}\n")
    except BaseException:
        traceback.print_exc()
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)

for line in sys.stdin:
    req = json.loads(line)
    if threading.active_count() != 1:
        out.write(f"error threads running in the fork server: {threading.enumerate()}\n")
        out.flush()
        continue
    pid = os.fork()
    if pid == 0:
        child(req)
    out.write(f"pid {pid}\n")
    out.flush()
    while True:
        _, status = os.waitpid(pid, os.WUNTRACED)
        if os.WIFSTOPPED(status):
            out.write("stopped\n")
            out.flush()
            continue
        out.write(f"exit {os.waitstatus_to_exitcode(status)}\n")
        out.flush()
        break
"""


def _proc_state(pid: int) -> str:
    """What a process is doing, from /proc (Linux): its state and the kernel function it waits in."""
    try:
        state = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("State"))
        return f"{state.split(':', 1)[1].strip()}, waiting in {Path(f'/proc/{pid}/wchan').read_text() or '-'}"
    except (OSError, StopIteration):
        return "no /proc entry"


class Child:
    """One forked run: ``pid``, ``returncode`` once it ended, its stdout/stderr (read back from files)."""

    def __init__(self, server: "ForkServer", pid: int, out: Path, err: Path):
        self.server, self.pid, self._out, self._err = server, pid, out, err
        self.returncode: int | None = None

    def _event(self, timeout: float | None) -> str:
        line = self.server._line(timeout)
        if line is None:
            state = _proc_state(self.pid)
            self.kill()
            raise TimeoutError(f"forked child {self.pid} still running after {timeout} s ({state})")
        if line.startswith("exit "):
            self.returncode = int(line.split()[1])
        return line

    def wait_stopped(self, timeout: float | None = 120) -> bool:
        """True once the child stopped itself (SIGSTOP); False if it ended instead."""
        return self._event(timeout) == "stopped"

    def wait(self, timeout: float | None = 120) -> int:
        while self.returncode is None:
            self._event(timeout)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:  # it ended and the server reaped it; wait() tells how
                pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    @property
    def stdout(self) -> str:
        return self._out.read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return self._err.read_text(errors="replace")


class ForkServer:
    """``with ForkServer(["hygis.cli"], env=...) as fs: fs.run(["export", ...], module="hygis").wait()``."""

    def __init__(self, preload: list[str], env: dict | None = None, cwd=None, setup: str = ""):
        """``preload``: modules to import once; ``setup``: code run once in the server, whose globals every
        ``code`` child starts from (objects built there are the children's, copied by the fork)."""
        self.cwd = str(cwd or os.getcwd())
        self._tmp = tempfile.TemporaryDirectory(prefix="hygis-forkserver-")
        self._n = 0
        self.proc = subprocess.Popen([sys.executable, "-c", _SERVER, setup, *preload], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env, cwd=self.cwd, bufsize=0)
        self._current: Child | None = None
        self._buf = b""  # what the server wrote that no _line has returned yet (select sees only the pipe)

    def _line(self, timeout: float | None) -> str | None:
        """The server's next line, or None after ``timeout`` seconds without one."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            if left is not None and not select.select([self.proc.stdout], [], [], left)[0]:
                return None
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise RuntimeError(f"the fork server ended (exit {self.proc.wait()})")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return line.decode().strip()

    def run(self, argv: list, module: str | None = None, code: str | None = None, env: dict | None = None,
            cwd=None) -> Child:
        """Fork a child running ``python -m module *argv`` (or ``python -c code *argv``); returns at once."""
        assert (module is None) != (code is None), "module or code"
        if self._current is not None and self._current.returncode is None:
            self._current.wait()  # one child at a time: the server reports on the last one first
        self._n += 1
        out, err = Path(self._tmp.name, f"{self._n}.out"), Path(self._tmp.name, f"{self._n}.err")
        req = dict(argv=[str(a) for a in argv], module=module, code=code, env=env or {},
                   cwd=str(cwd or self.cwd), stdout=str(out), stderr=str(err))
        data = (json.dumps(req) + "\n").encode()
        while data:  # an unbuffered pipe may take part of a write
            data = data[self.proc.stdin.write(data):]
        line = self._line(60)
        if line is None or not line.startswith("pid "):
            raise RuntimeError(f"the fork server did not fork: {line}")
        self._current = Child(self, int(line.split()[1]), out, err)
        return self._current

    def close(self) -> None:
        if self._current is not None and self._current.returncode is None:
            self._current.kill()
            self._current.wait()
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()
        self._tmp.cleanup()

    def __enter__(self) -> "ForkServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
