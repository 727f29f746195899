"""Shared pieces of the team-layer tests: a corridor project, edits through commands, DB queries."""

from __future__ import annotations

import geopandas as gpd
import psycopg
import shapely

from hygis.cli import main
from hygis.layers.vector import VectorLayer
from hygis.project import Project
from hygis.project.commands import AddLayer
from hygis.project.fileformat import open_project, save_project

LAYER = "科创走廊"
EVERYWHERE = (119, 29, 123, 31)  # a view window holding every corridor of corridor_project


def corridor_project(path, n=6):
    rows = [dict(name=f"走廊{i}", name_en=f"C{i}", city="杭州市" if i % 2 else "宁波市", source="test")
            for i in range(n)]
    geoms = [shapely.box(120 + 0.1 * i, 30, 120.05 + 0.1 * i, 30.05) for i in range(n)]
    p = Project("团队")
    p.execute(AddLayer(p, VectorLayer(LAYER, gpd.GeoDataFrame(rows, geometry=geoms, crs=4326), kind="corridor")))
    save_project(p, path)
    return path


def run(*argv) -> int:
    return main([str(a) for a in argv])


def link_in_window(qtbot, window, url, tmp_path, name="共享走廊"):
    """The team table plan.corridor linked into the main window's project (saved to tmp_path first),
    with the view on every corridor, once its first window of rows has been applied."""
    from hygis.db import live

    save_project(window.project, tmp_path / "window.hygis")
    with qtbot.waitSignal(window.team.live.windowApplied, timeout=60_000):
        layer = live.link_layer(window.project, url, "plan.corridor", name=name)
        window.canvas.set_extent(EVERYWHERE)
    return layer


def layer_of(path, name=LAYER):
    return next(lyr for lyr in open_project(path).layers if lyr.name == name)


def fid_of(layer, name):
    return int(layer.data.index[layer.data["name"] == name][0])


def edit(path, *commands_for):
    """Open ``path``, run the commands made by each ``f(project, layer)``, save."""
    p = open_project(path)
    layer = next(lyr for lyr in p.layers if lyr.name == LAYER)
    for make in commands_for:
        p.execute(make(p, layer))
    save_project(p)


def db_rows(url, table="plan.corridor"):
    schema, name = table.split(".")
    with psycopg.connect(url) as con:
        cur = con.execute(psycopg.sql.SQL("SELECT name, name_en, city, hygis_version, ST_AsText(geom) FROM {} "
                                          "ORDER BY name").format(psycopg.sql.Identifier(schema, name)))
        return {r[0]: r[1:] for r in cur}


def db_values(url, *columns, table="plan.corridor"):
    """``{name: (columns…)}`` of the team table, read straight from the server."""
    schema, name = table.split(".")
    query = psycopg.sql.SQL("SELECT {} FROM {}").format(
        psycopg.sql.SQL(", ").join(map(psycopg.sql.Identifier, ("name",) + columns)),
        psycopg.sql.Identifier(schema, name))
    with psycopg.connect(url) as con:
        return {r[0]: r[1:] for r in con.execute(query)}
