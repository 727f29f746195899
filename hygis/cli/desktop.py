"""``hygis desktop install|uninstall [--data-home DIR]``: the app in a Linux desktop's menus.

Installs, for the current user (freedesktop.org conventions, under ``$XDG_DATA_HOME``,
default ``~/.local/share``):

* ``applications/hygis.desktop`` — the menu entry; it starts the ``hygis-desktop`` window
  script of this installation and opens the file it is given (``%f``);
* ``mime/packages/hygis.xml`` — the MIME type ``application/x-hygis`` for ``*.hygis``,
  so file managers open projects with hygis;
* ``icons/hicolor/scalable/apps/hygis.svg`` and ``…/mimetypes/application-x-hygis.svg``.

then refreshes the desktop's caches (``update-mime-database``, ``update-desktop-database``,
``gtk-update-icon-cache``) where those tools exist.  The files come from the package
(``hygis/assets/desktop``, ``hygis/assets/icons``).  ``uninstall`` removes them.  No Qt.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from hygis.core.errors import HygisError
from hygis.core.resources import asset_path

MIME_TYPE = "application/x-hygis"


def register(subparsers) -> None:
    p = subparsers.add_parser("desktop", help="add hygis to the desktop menu and open .hygis files with it",
                              description="Install (or remove) the freedesktop menu entry, the icon and the "
                                          "application/x-hygis MIME type for *.hygis, for the current user.")
    p.add_argument("action", choices=("install", "uninstall"))
    p.add_argument("--data-home", help="folder to install into (default $XDG_DATA_HOME or ~/.local/share)")
    p.set_defaults(func=run_desktop)


def data_home(explicit: str | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("XDG_DATA_HOME")
    return Path(env) if env else Path.home() / ".local" / "share"


def targets(home: Path) -> dict[str, Path]:
    """Where each installed file goes under ``home``."""
    return {"desktop": home / "applications" / "hygis.desktop",
            "mime": home / "mime" / "packages" / "hygis.xml",
            "icon": home / "icons" / "hicolor" / "scalable" / "apps" / "hygis.svg",
            "mime_icon": home / "icons" / "hicolor" / "scalable" / "mimetypes" / "application-x-hygis.svg"}


def launcher() -> str:
    """The Exec command of the menu entry: this installation's ``hygis-desktop`` script, else
    ``python -m hygis`` with this interpreter (a source checkout)."""
    script = Path(sys.executable).parent / "hygis-desktop"
    if not script.exists():
        found = shutil.which("hygis-desktop")
        script = Path(found) if found else None
    parts = [str(script)] if script is not None else [sys.executable, "-m", "hygis"]
    return " ".join(_quote(p) for p in parts)


def _quote(arg: str) -> str:
    """Quote an Exec argument as the Desktop Entry spec asks (double quotes, escaped specials)."""
    if not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`'):
        return arg
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return f'"{escaped}"'


def install(home: Path) -> list[Path]:
    """Write the files (see the module docstring); returns their paths."""
    dest = targets(home)
    entry = asset_path("desktop", "hygis.desktop").read_text(encoding="utf-8")
    exec_line = launcher()
    entry = entry.replace("TryExec=@EXEC@\n", "" if " " in exec_line else f"TryExec={exec_line}\n")
    entry = entry.replace("@EXEC@", exec_line.replace("%", "%%"))
    sources = {"mime": asset_path("desktop", "hygis-mime.xml"), "icon": asset_path("icons", "hygis.svg"),
               "mime_icon": asset_path("icons", "application-x-hygis.svg")}
    try:
        for key, path in dest.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            if key == "desktop":
                path.write_text(entry, encoding="utf-8")
            else:
                shutil.copyfile(sources[key], path)
    except OSError as exc:
        raise HygisError(f"Cannot install the desktop files into {home}: {exc.strerror or exc}") from exc
    return list(dest.values())


def uninstall(home: Path) -> list[Path]:
    removed = []
    for path in targets(home).values():
        if path.exists():
            path.unlink()
            removed.append(path)
    return removed


def refresh_caches(home: Path) -> list[str]:
    """Run the desktop's cache tools that exist; returns the names of those that ran."""
    ran = []
    for tool, args in (("update-mime-database", [str(home / "mime")]),
                       ("update-desktop-database", [str(home / "applications")]),
                       ("gtk-update-icon-cache", ["-f", "-t", "-q", str(home / "icons" / "hicolor")])):
        exe = shutil.which(tool)
        if exe is None:
            continue
        try:
            subprocess.run([exe, *args], capture_output=True, timeout=60, check=False)
            ran.append(tool)
        except (OSError, subprocess.SubprocessError):
            continue
    return ran


def run_desktop(args) -> int:
    if sys.platform.startswith(("win", "darwin")):
        raise HygisError("hygis desktop installs freedesktop.org menu files (Linux desktops); on Windows and "
                         "macOS start the window with the hygis-desktop command")
    home = data_home(args.data_home)
    if args.action == "install":
        paths = install(home)
        ran = refresh_caches(home)
        for path in paths:
            print(f"installed {path}")
        print(f"{MIME_TYPE} (*.hygis) opens with: {launcher()}"
              + (f"; refreshed with {', '.join(ran)}" if ran else ""))
    else:
        paths = uninstall(home)
        refresh_caches(home)
        print("\n".join(f"removed {p}" for p in paths) if paths else f"nothing to remove in {home}")
    return 0
