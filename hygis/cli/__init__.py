"""The ``hygis`` command line: the same operations the GUI uses, for batch work and tests.

Sub-commands are registered by their modules (``register(subparsers)``) so each
concern keeps its own CLI code; none of them imports PySide6 at import time
(``info``/``import``/``export``/``analyze`` run on servers without a display).

Exit codes: 0 success, 1 bad input (one clear line on stderr), 2 usage error.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import re
import sys
import traceback

from hygis import __version__
from hygis.core.errors import HygisError
from hygis.core.logs import FILE_ONLY, setup_logging

log = logging.getLogger(__name__)

#: Modules providing ``register(subparsers)``; a missing one is skipped.
COMMAND_MODULES = (
    "hygis.cli.info",
    "hygis.cli.import_",
    "hygis.cli.export",
    "hygis.cli.analyze",
    "hygis.cli.render",
    "hygis.cli.slides",
    "hygis.cli.layout",
    "hygis.cli.desktop",
    "hygis.cli.db",
    "hygis.cli.update",
    "hygis.cli.bookmark",
)
SUBCOMMANDS = ("info", "import", "export", "analyze", "render", "slides", "layout", "desktop", "db", "update",
               "bookmark")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors: exit 2 with one line
        self.print_usage(sys.stderr)
        self.exit(2, f"hygis: error: {message}\n")


def command_group(subparsers, name: str, help: str, description: str, dest: str, metavar: str):
    """A sub-command with its own required sub-commands (``hygis analyze coverage``, ``hygis db sync``):
    adds ``name`` to ``subparsers`` and returns the sub-parsers its modules add their commands to."""
    parser = subparsers.add_parser(name, help=help, description=description)
    sub = parser.add_subparsers(dest=dest, metavar=metavar, parser_class=type(parser))
    sub.required = True
    return sub


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser, or with ``only`` (a sub-command name) just that command's: the other
    command modules (and what they import) are then never loaded (a lean start-up)."""
    parser = _Parser(prog="hygis", description="hygis: desktop GIS for the Hangzhou–Ningbo dual city (杭甬双城记)")
    parser.add_argument("--version", action="version", version=f"hygis {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks and debug logging")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    for name, command in zip(COMMAND_MODULES, SUBCOMMANDS):
        if only is not None and command != only:
            continue
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if not exc.name or not name.startswith(exc.name):  # a missing dependency, not a missing module
                raise
            continue
        module.register(sub)
    return parser


def _gui_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="hygis", description="Open the hygis desktop app (sub-commands: "
                     + ", ".join(SUBCOMMANDS) + "; see hygis info --help)")
    parser.add_argument("--version", action="version", version=f"hygis {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks and debug logging")
    parser.add_argument("--lang", choices=("zh_CN", "en"), help="user interface language")
    parser.add_argument("project", nargs="?", help="a .hygis project (or any vector/raster file) to open")
    return parser


#: Set by a command that leaves nothing needing an orderly shutdown (no open files, threads,
#: servers, connections or temporaries): :func:`run` then ends the process at once.
_quick_exit = False


def allow_quick_exit() -> None:
    """The running command leaves nothing to clean up: the ``hygis`` script may skip freeing
    every object at exit (100k polygons: ~0.05-0.08 s of a 1.5 s ``analyze coverage``)."""
    global _quick_exit
    _quick_exit = True


def run() -> None:
    """The ``hygis`` script and ``python -m hygis``: :func:`main`, then exit with its code --
    after flushing the output and the log, without the interpreter's teardown when the command
    allowed it (:func:`allow_quick_exit`)."""
    code = main()
    if _quick_exit:
        sys.stdout.flush()
        sys.stderr.flush()
        logging.shutdown()
        os._exit(code)
    raise SystemExit(code)


def single_threaded_blas() -> None:
    """One OpenBLAS thread unless the user says otherwise (before numpy is first imported).

    hygis does no matrix algebra; numpy's OpenBLAS still starts a thread per core at import, and
    those threads cost ~0.15 s of CPU in a short command (``hygis analyze coverage`` of 100k
    polygons: 1.86 → 1.71 s CPU, 1.51 → 1.46 s wall on 2 cores, medians of 7)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def main(argv: list[str] | None = None) -> int:
    single_threaded_blas()
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    positional = [a for a in argv if not a.startswith("-")]
    is_sub = bool(positional) and positional[0] in SUBCOMMANDS
    setup_logging(debug)
    try:
        if not is_sub:
            args = _gui_parser().parse_args(argv)
            from hygis.ui.app import run_app  # only the desktop app imports Qt

            return int(run_app(args.project, lang=args.lang, debug=args.debug) or 0)
        parser = build_parser(only=positional[0])
        args = parser.parse_args(argv)
        log.info("hygis %s: %s", __version__, _redact(" ".join(argv)))
        refuse_empty(parser, args)
        return int(args.func(args) or 0)
    except HygisError as exc:
        return _fail(f"hygis: error: {exc}", debug, details=getattr(exc, "details", None))
    except KeyboardInterrupt:
        print("hygis: interrupted", file=sys.stderr)
        return 130
    except (MemoryError, OSError) as exc:
        return _fail(f"hygis: error: {exc}", debug)
    except Exception as exc:  # a bug: still one line, full traceback with --debug and in the log file
        return _fail(f"hygis: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", debug)


def gui_main(argv: list[str] | None = None) -> int:
    """The ``hygis-desktop`` window script ([project.gui-scripts]; no console window on Windows):
    always the desktop app, never a sub-command."""
    single_threaded_blas()
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    setup_logging(debug)
    args = _gui_parser().parse_args(argv)
    try:
        from hygis.ui.app import run_app

        return int(run_app(args.project, lang=args.lang, debug=args.debug) or 0)
    except HygisError as exc:
        return _fail(f"hygis: error: {exc}", debug)


def text_actions(parser: argparse.ArgumentParser, args=None):
    """(sub-command path, action) of every option and argument taking text, walking into the
    sub-command chosen in ``args`` (every sub-command when ``args`` is None)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            names = action.choices if args is None else [getattr(args, action.dest, None)]
            for name in names:
                if name in action.choices:
                    for path, inner in text_actions(action.choices[name], args):
                        yield (name, *path), inner
        elif isinstance(action, (argparse._StoreAction, argparse._AppendAction)) and action.type in (None, str) \
                and not action.choices:  # a choice list: argparse refuses anything else itself (exit 2)
            yield (), action


def refuse_empty(parser: argparse.ArgumentParser, args) -> None:
    """An empty or blank text value is never a valid choice (``--scenario ''`` used to mean "none"
    and rendered the default view): refused in one line naming the option, before anything runs."""
    for _path, action in text_actions(parser, args):
        value = getattr(args, action.dest, None)
        values = value if isinstance(value, (list, tuple)) else [value]
        if any(isinstance(v, str) and not v.strip() for v in values):
            name = "/".join(action.option_strings) or action.metavar or action.dest
            what = name if action.option_strings else f"the {name} argument"
            raise HygisError(f"{what} is empty: give a value")


def _redact(text: str) -> str:
    """Database passwords typed in a URL (user:PASSWORD@ or password=...) never reach the log."""
    text = re.sub(r"(postgres(?:ql)?://[^:/@\s]*):[^@\s]*@", r"\1:***@", text)
    return re.sub(r"(password=)[^&\s]*", r"\1***", text, flags=re.I)


def _fail(line: str, debug: bool, details: str | None = None) -> int:
    """Report the exception being handled: one line on stderr (the full traceback first with
    ``--debug``); the traceback always goes to the log file."""
    log.error("%s", line, exc_info=True, extra=FILE_ONLY)
    if debug:
        traceback.print_exc(file=sys.stderr)
        if details:
            print(details, file=sys.stderr)
    print(line.replace("\n", " "), file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
