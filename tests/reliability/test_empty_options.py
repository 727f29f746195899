"""Every text option and argument of every sub-command refuses an empty or blank value in one line
naming it (exit 1) before anything runs -- ``hygis render p.hygis --scenario ''`` used to render
the default view.  The list is derived from the argparse parsers, so new options are covered."""

from __future__ import annotations

import argparse

import pytest

from hygis.cli import build_parser, main, text_actions


def _cases():
    parser = build_parser()
    cases = []
    for path, action in text_actions(parser):
        if not path:
            continue
        name = "/".join(action.option_strings) or action.dest
        for blank in ("", "  "):
            cases.append(pytest.param(path, action.dest, blank, id=f"{' '.join(path)} {name} {blank!r}"))
    return cases


def _argv(path, dest: str, blank: str, tmp_path) -> list[str]:
    """The sub-command with every required argument and option filled in (plausible values) and
    the one under test blank."""
    parser = build_parser()
    for name in path:  # walk down to the sub-command's parser
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[name]
    positionals, options = [], []
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        target = action.dest == dest
        if not (target or action.required or not action.option_strings):
            continue
        n = action.nargs if isinstance(action.nargs, int) else 1
        filled = [blank if target else (action.choices and list(action.choices)[0]) or _plausible(action, tmp_path)
                  for _ in range(n)]
        if target and n > 1:
            filled[0] = "name"  # --rename OLD NEW: one of them blank
        if action.option_strings:
            options += [action.option_strings[0], *filled]
        else:
            positionals += filled
    return [*path, *positionals, *options]


def _plausible(action, tmp_path) -> str:
    dest = action.dest
    if dest in ("project", "path", "a", "target"):
        return str(tmp_path / "p.hygis")
    if dest in ("out", "file"):
        return str(tmp_path / "out.png")
    if dest == "url":
        return "postgresql://localhost/db"
    return "x"


@pytest.mark.parametrize("path,dest,blank", _cases())
def test_blank_text_option_is_refused_in_one_line(path, dest, blank, tmp_path, capsys):
    argv = _argv(path, dest, blank, tmp_path)
    assert main(argv) == 1, argv
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "is empty" in err and "internal error" not in err, (argv, err)
    action = next(a for p, a in text_actions(build_parser()) if p == tuple(path) and a.dest == dest)
    assert (action.option_strings[0] if action.option_strings else action.metavar or action.dest) in err, (argv, err)
    assert not list(tmp_path.iterdir())  # nothing was written


def test_the_list_covers_the_options_of_the_issue():
    names = {(" ".join(p), o) for p, a in text_actions(build_parser()) for o in a.option_strings}
    for case in [("render", "--scenario"), ("render", "--bookmark"), ("render", "--tiles"), ("export", "--crs"),
                 ("layout", "--tiles"), ("slides", "--tiles"), ("import", "--encoding")]:
        assert case in names
