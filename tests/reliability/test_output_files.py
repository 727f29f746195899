"""Map images, layouts and slide decks are written like exports (issue 16): into a temporary file
beside the target, replaced only when complete; a read-only target is refused; a full disk leaves
the previous file byte-identical and no temporary file behind.  Real CLI runs on the sample
project, the GUI's Export Map Image function, a real full tmpfs."""

from __future__ import annotations

import os
import shutil
import stat
import zipfile
from pathlib import Path

import pytest

from hygis.cli import main
from hygis.core.errors import HygisError
from tests.ui.fixtures_window import isolated_settings, main_window, small_project  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_projects" / "hangzhou_ningbo.hygis"
OLD = b"the previous output, which must survive a failed write"

# (command, output name, extra options): every file format the three commands write
OUTPUTS = [
    ("render", "map.png", ["--no-basemap", "--size", "800x600"]),
    ("render", "map.jpg", ["--no-basemap", "--size", "800x600"]),
    ("render", "map.pdf", ["--no-basemap", "--size", "800x600"]),
    ("render", "map.svg", ["--no-basemap", "--size", "800x600"]),
    ("layout", "sheet.pdf", []),
    ("layout", "sheet.png", ["--dpi", "72"]),
    ("slides", "deck.pdf", ["--size", "960x540"]),
    ("slides", "deck.pptx", []),
]


def _complete(path: Path) -> bool:
    data = path.read_bytes()
    suffix = path.suffix
    if suffix == ".png":
        return data.startswith(b"\x89PNG") and data.rstrip().endswith(b"IEND\xaeB`\x82")
    if suffix == ".jpg":
        return data.startswith(b"\xff\xd8") and data.endswith(b"\xff\xd9")
    if suffix == ".pdf":
        return data.startswith(b"%PDF") and b"%%EOF" in data[-64:]
    if suffix == ".svg":
        return b"<svg" in data[:2000] and data.rstrip().endswith(b"</svg>")
    if suffix == ".pptx":
        with zipfile.ZipFile(path) as zf:
            return zf.testzip() is None and "ppt/presentation.xml" in zf.namelist()
    raise AssertionError(suffix)


def _run(command: str, out: Path, extra: list[str], capsys) -> tuple[int, str]:
    code = main([command, str(SAMPLE), "--out", str(out), *extra])
    return code, capsys.readouterr().err.strip()


def _listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.mark.parametrize("command,name,extra", OUTPUTS, ids=[f"{c} {n}" for c, n, _ in OUTPUTS])
def test_output_replaces_the_old_file_only_when_complete(command, name, extra, tmp_path, capsys):
    out = tmp_path / name
    out.write_bytes(OLD)
    code, err = _run(command, out, extra, capsys)
    assert code == 0, err
    assert _complete(out)
    assert _listing(tmp_path) == {name}  # no temporary file left beside it


@pytest.mark.parametrize("command,name,extra", OUTPUTS, ids=[f"{c} {n}" for c, n, _ in OUTPUTS])
def test_read_only_output_is_refused_and_unchanged(command, name, extra, tmp_path, capsys):
    out = tmp_path / name
    out.write_bytes(OLD)
    out.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    code, err = _run(command, out, extra, capsys)
    assert code == 1 and len(err.splitlines()) == 1 and "read-only" in err and "internal error" not in err, err
    assert out.read_bytes() == OLD and _listing(tmp_path) == {name}


def _fill(disk: Path, leave: int) -> None:
    """Fill the tmpfs up to ``leave`` free bytes."""
    free = shutil.disk_usage(disk).free
    with open(disk / "filler.bin", "wb") as fh:
        fh.write(b"\0" * max(0, free - leave))


@pytest.mark.parametrize("command,name,extra", [o for o in OUTPUTS if o[1] != "map.svg"] +
                         [("render", "map.svg", ["--size", "800x600"])],
                         ids=[f"{c} {n}" for c, n, _ in OUTPUTS])
def test_full_disk_leaves_the_old_file_and_no_temporary(command, name, extra, tiny_disk, capsys):
    out = tiny_disk / name
    out.write_bytes(OLD)
    _fill(tiny_disk, 12 * 1024)  # every one of these outputs is larger
    before = _listing(tiny_disk)
    code, err = _run(command, out, extra, capsys)
    assert code == 1 and len(err.splitlines()) == 1 and "internal error" not in err, err
    assert "the disk is full" in err and "unchanged" in err, err
    assert out.read_bytes() == OLD and _listing(tiny_disk) == before


def test_slides_png_folder_written_atomically_and_read_only_png_refused(tmp_path, capsys):
    pngs = tmp_path / "pngs"
    pngs.mkdir()
    code, err = _run("slides", tmp_path / "deck.pdf", ["--size", "640x360", "--png-dir", str(pngs)], capsys)
    assert code == 0, err
    names = sorted(_listing(pngs))
    assert names and all(n.endswith(".png") for n in names) and all(_complete(pngs / n) for n in names)
    locked = pngs / names[0]
    locked.write_bytes(OLD)
    locked.chmod(0o444)
    code, err = _run("slides", tmp_path / "deck.pdf", ["--size", "640x360", "--png-dir", str(pngs)], capsys)
    assert code == 1 and "read-only" in err and len(err.splitlines()) == 1, err
    assert locked.read_bytes() == OLD and sorted(_listing(pngs)) == names


def _view_args():
    from hygis.project.fileformat import open_project

    project = open_project(SAMPLE)
    return project, project.full_extent()


@pytest.mark.parametrize("dpi", [96, 192])
def test_gui_export_map_image_is_atomic(dpi, tmp_path, tiny_disk, qapp):
    """Export Map Image (File menu): the same rules through the dialog's writer, both the 96 dpi
    path (export_map) and the high-dpi one."""
    from hygis.ui.export_image_dialog import export_view_image

    project, extent = _view_args()
    folder = tmp_path / "out"
    folder.mkdir()
    good = folder / "view.png"
    good.write_bytes(OLD)
    export_view_image(project, good, (640, 400), extent, dpi=dpi)
    assert _complete(good) and _listing(folder) == {"view.png"}

    good.write_bytes(OLD)
    good.chmod(0o444)
    with pytest.raises(HygisError, match="read-only"):
        export_view_image(project, good, (640, 400), extent, dpi=dpi)
    assert good.read_bytes() == OLD and _listing(folder) == {"view.png"}

    full = tiny_disk / "view.png"
    full.write_bytes(OLD)
    _fill(tiny_disk, 12 * 1024)
    before = _listing(tiny_disk)
    with pytest.raises(HygisError, match=r"the disk is full.*unchanged"):
        export_view_image(project, full, (1600, 1000), extent, dpi=dpi)
    assert full.read_bytes() == OLD and _listing(tiny_disk) == before
    os.remove(tiny_disk / "filler.bin")


def test_export_map_image_dialog_shows_the_whole_refusal(main_window, tmp_path):
    """File ▸ Export Map Image over a read-only file: the dialog stays open, says why in full (the
    wrapped reason is not cut off) and the old file is untouched."""
    w = main_window
    target = tmp_path / "locked.png"
    target.write_bytes(OLD)
    target.chmod(0o444)
    w.act_export_image.trigger()
    dialog = w.export_image_dialog
    dialog.path_edit.setText(str(target))
    dialog.accept()
    label = dialog.error_label
    assert dialog.isVisible() and "read-only" in label.text()
    assert label.height() >= label.heightForWidth(label.width())  # every wrapped line shown
    assert target.read_bytes() == OLD and _listing(tmp_path) == {"locked.png"}
    dialog.reject()
