"""Spatial bookmarks: project data saved in the .hygis file, undoable, from the command line."""

import pytest

from hygis.cli import main
from hygis.core.errors import HygisError
from hygis.project import Project
from hygis.project import bookmarks as bm
from hygis.project.fileformat import open_project, save_project

WEST_LAKE = (120.10, 30.20, 120.18, 30.27)
NINGBO_PORT = (121.80, 29.85, 122.10, 30.05)


def test_bookmarks_round_trip_through_the_project_file_and_undo(tmp_path):
    p = Project("书签")
    p.execute(bm.AddBookmark(p, bm.Bookmark("西湖", WEST_LAKE)))
    p.execute(bm.AddBookmark(p, bm.Bookmark("宁波舟山港", NINGBO_PORT)))
    p.execute(bm.RenameBookmark(p, "宁波舟山港", "北仑港区"))
    assert [b.name for b in p.bookmarks] == ["西湖", "北仑港区"]
    p.undo()
    assert [b.name for b in p.bookmarks] == ["西湖", "宁波舟山港"]
    p.redo()
    p.execute(bm.AddBookmark(p, bm.Bookmark("西湖", (120.12, 30.22, 120.16, 30.26))))  # replaces, same place
    assert [b.name for b in p.bookmarks] == ["西湖", "北仑港区"] and p.bookmarks[0].extent[0] == 120.12
    p.undo()
    assert p.bookmarks[0].extent == WEST_LAKE
    path = save_project(p, tmp_path / "b.hygis")
    back = open_project(path)
    assert back.bookmarks == p.bookmarks
    back.execute(bm.RemoveBookmark(back, "西湖"))
    assert [b.name for b in back.bookmarks] == ["北仑港区"]
    back.undo()
    assert back.bookmarks == p.bookmarks


def test_bad_bookmarks_are_refused():
    p = Project("x")
    for name, extent in (("", WEST_LAKE), ("a", (120.2, 30.0, 120.1, 30.1)), ("a", (1, 2, 3)),
                         ("a", ("x", 1, 2, 3)), ("a", (120, 30, 200, 31))):
        with pytest.raises(HygisError):
            bm.Bookmark(name, extent)
    with pytest.raises(HygisError, match="No bookmark"):
        bm.RemoveBookmark(p, "none")
    p.execute(bm.AddBookmark(p, bm.Bookmark("a", WEST_LAKE)))
    p.execute(bm.AddBookmark(p, bm.Bookmark("b", WEST_LAKE)))
    with pytest.raises(HygisError, match="exists"):
        bm.RenameBookmark(p, "a", "b")


def test_cli_bookmark_add_list_remove_and_render(tmp_path, capsys):
    import geopandas as gpd
    import shapely

    from hygis.layers.vector import VectorLayer

    project = Project("书签")
    centre = ((WEST_LAKE[0] + WEST_LAKE[2]) / 2, (WEST_LAKE[1] + WEST_LAKE[3]) / 2)
    far = shapely.Point(121.95, 29.95).buffer(0.004)  # 宁波: the full extent would show both small
    project.layers.append(VectorLayer("湖心", gpd.GeoDataFrame(geometry=[shapely.Point(centre).buffer(0.004), far],
                                                               crs=4326)))
    path = save_project(project, tmp_path / "p.hygis")
    assert main(["bookmark", str(path), "--add", "西湖", "--extent", ",".join(map(str, WEST_LAKE))]) == 0
    assert main(["bookmark", str(path), "--add", "港区", "--extent", "121.8,29.85,122.1,30.05"]) == 0
    capsys.readouterr()
    assert main(["bookmark", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split("\t")[0] for ln in lines] == ["西湖", "港区"]
    assert lines[0].split("\t")[1] == "120.100000,30.200000,120.180000,30.270000"
    assert main(["bookmark", str(path), "--remove", "港区"]) == 0
    assert [b.name for b in open_project(path).bookmarks] == ["西湖"]
    before = path.read_bytes()
    for args in (["--remove", "港区"], ["--add", "x"], ["--add", "x", "--extent", "1,2"]):
        assert main(["bookmark", str(path), *args]) == 1
        assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert path.read_bytes() == before  # a refused change leaves the file as it was
    out = tmp_path / "west_lake.png"
    assert main(["render", str(path), "--bookmark", "西湖", "--out", str(out), "--size", "400x300", "--no-basemap"]) == 0
    from PySide6.QtGui import QColor, QImage

    img = QImage(str(out))
    # the bookmark's view: the lake-centre disc (~0.8 km across) fills the middle, not the corners
    assert QColor(img.pixel(200, 150)).getRgb() != QColor(img.pixel(5, 5)).getRgb()
    assert QColor(img.pixel(5, 5)).getRgb() == QColor(img.pixel(395, 295)).getRgb()
    assert main(["render", str(path), "--out", str(out), "--size", "400x300", "--no-basemap"]) == 0
    assert QColor(QImage(str(out)).pixel(200, 150)).getRgb() == QColor(img.pixel(5, 5)).getRgb()  # without it
    assert main(["render", str(path), "--bookmark", "无", "--out", str(out)]) == 1


def test_a_saved_view_round_trips_exactly_through_the_project_file(tmp_path, capsys):
    """A view saved in the app keeps its map-CRS extent bit for bit (no rounding, no lon/lat envelope)."""
    from hygis.geo.crs import MAP_CRS

    view = (509_876.123456789, 3_341_234.987654321, 513_210.000000001, 3_343_987.4242424243)
    p = Project("书签")
    p.execute(bm.AddBookmark(p, bm.Bookmark.of_view("西湖", view)))
    path = tmp_path / "v.hygis"
    for _ in range(3):
        path = save_project(p, path)
        p = open_project(path)
        assert p.bookmarks[0].extent == view and p.bookmarks[0].crs == MAP_CRS
        p.execute(bm.RenameBookmark(p, "西湖", "西湖"))
    lon0, lat0, lon1, lat1 = p.bookmarks[0].wgs84()
    assert 120.0 < lon0 < lon1 < 120.2 and 30.1 < lat0 < lat1 < 30.3
    capsys.readouterr()
    assert main(["bookmark", str(path)]) == 0
    name, lonlat, stored = capsys.readouterr().out.strip().split("\t")
    assert name == "西湖" and stored == "EPSG:4549 " + ",".join(repr(v) for v in view)
    with pytest.raises(HygisError):
        bm.Bookmark("x", (1, 2, 0, 3), MAP_CRS)
    with pytest.raises(HygisError):
        bm.Bookmark("x", view, "EPSG:3857")
