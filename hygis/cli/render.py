"""``hygis render PATH --out FILE [--layer NAME] [--scenario NAME] [--size WxH]``: a map image.

Draws a project (or any vector/raster file GDAL reads) over its whole extent with
legend, scale bar and north arrow, using the canvas's renderers, with no display
needed.  PNG/JPEG, SVG or PDF by the output suffix.  Qt is imported only when the
command runs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hygis.core.errors import HygisError

#: Packages a render of a plain data file does not need: deferred (imported on first use) when
#: ``hygis render`` is the whole process (:func:`hygis.core.lazyimport.defer`; ~0.5 s of CPU).
DEFERRED = ("pandas", "geopandas", "shapely", "pyarrow")

FORMATS = (".png", ".jpg", ".jpeg", ".svg", ".pdf")
TILES_HELP = ("tile basemap under the layers: osm, amap (高德), baidu (百度), tianditu (天地图, token from the "
              "settings or HYGIS_TIANDITU_TOKEN), an XYZ URL template with {z}/{x}/{y} (#gcj02 / #bd09 for tiles in "
              "GCJ-02 / Baidu's BD-09 grid), a WMTS capabilities document as wmts:URL-or-file[#layer=L&set=S], "
              "or an .mbtiles file")


def register(subparsers) -> None:
    p = subparsers.add_parser("render", help="draw a project or data file to PNG/SVG/PDF (no display needed)",
                              description="Draw a .hygis project or a vector/raster file over its whole extent, "
                                          "with legend, scale bar and north arrow.")
    p.add_argument("path", help="a .hygis project or a GeoPackage/Shapefile/GeoJSON/GeoTIFF/... file")
    p.add_argument("--out", required=True, help="the image to write (.png, .jpg, .svg or .pdf)")
    p.add_argument("--layer", action="append", help="draw only this layer (by name; repeatable)")
    p.add_argument("--scenario", help="apply this scenario of the project before drawing")
    p.add_argument("--bookmark", help="draw the view of this spatial bookmark of the project (see hygis bookmark)")
    p.add_argument("--size", default="1920x1080", help="image size in pixels, WIDTHxHEIGHT (default 1920x1080)")
    p.add_argument("--title", help="a title drawn at the top of the map")
    p.add_argument("--no-basemap", action="store_true", help="do not draw the administrative basemap")
    p.add_argument("--tiles", help=TILES_HELP)
    p.add_argument("--lang", choices=("zh_CN", "en"), help="language of legend labels (default: the system locale)")
    p.set_defaults(func=run)


def load_project(path: Path, layer_names=None, lazy_attributes: bool = False):
    """A Project from a .hygis file or from the layers of any data file (``lazy_attributes``: see
    :func:`read_layers`)."""
    from hygis.project import Project

    if not path.exists():
        raise HygisError(f"No such file: {path}")
    if path.suffix.lower() == ".hygis":
        from hygis.project.fileformat import open_project  # only for projects: a data file needs none of it

        project = open_project(path)
    else:
        project = Project(title=path.stem)
        for layer in read_layers(path, layer_names, lazy_attributes):
            project.layers.append(layer)
    if layer_names:
        keep = set(layer_names)
        missing = keep - {lyr.name for lyr in project.layers}
        if missing:
            raise HygisError(f"No layer named {', '.join(sorted(missing))}; layers: {', '.join(project.layers.names)}")
        for layer in list(project.layers):
            if layer.name not in keep:
                project.layers.remove(layer)
    return project


FAST_VECTOR = (".gpkg", ".shp", ".geojson", ".json", ".fgb")


def read_layers(path: Path, layer_names=None, lazy_attributes: bool = False) -> list:
    """Layers of a data file for drawing.

    GeoPackage/Shapefile/GeoJSON/FlatGeobuf layers are read straight into generic vector
    layers (text encodings handled by ``hygis.io``; no geometry validity pass: drawing does
    not need one and it costs seconds on a million features).  Layers of simple polygons
    of one geometry family come as flat arrays (:func:`hygis.io.flatread.read_flat_layer`: GDAL's Arrow
    stream, no shapely objects until something needs them).  Everything else goes through
    ``hygis.io.load_layers``.  ``lazy_attributes``: flat layers read their text attributes when
    first needed (a process that draws the file once; see :func:`hygis.io.flatread.read_flat_layer`).
    """
    from hygis.io import load_layers
    from hygis.io.flatread import read_flat_layer
    from hygis.io.readers import read_vector, read_vector_arrow, vector_layer_names
    from hygis.layers.vector import VectorLayer

    wanted = layer_names[0] if layer_names and len(layer_names) == 1 else None
    if path.suffix.lower() not in FAST_VECTOR:
        return load_layers(path, layer=wanted)
    names = vector_layer_names(path)
    if layer_names:
        missing = sorted(set(layer_names) - set(names))
        if missing and path.suffix.lower() == ".gpkg":
            raise HygisError(f"No layer named {', '.join(missing)}; layers: {', '.join(names)}")
        names = [n for n in names if n in layer_names] or names
    layers = []
    for name in names:
        label = name if len(names) > 1 or path.suffix.lower() == ".gpkg" else path.stem
        # None unless GPKG/FGB of one family
        flat = read_flat_layer(path, name, label, source=path.name, lazy_attributes=lazy_attributes)
        if flat is not None:
            layers.append(flat)
            continue
        gdf = read_vector_arrow(path, layer=name)  # None unless GPKG/FGB
        if gdf is None:
            gdf = read_vector(path, layer=name)
        if gdf.crs is None:
            raise HygisError(f"{path.name}: layer '{name}' has no coordinate reference system")
        layers.append(VectorLayer(label, gdf, kind="vector", source=path.name, validate=False))
    return layers


def apply_scenario(project, name: str):
    """Apply the scenario ``name`` to the project; returns it (HygisError listing the names if unknown)."""
    from hygis.project import scenarios

    if name not in project.scenarios.names:
        names = ", ".join(project.scenarios.names) or "(none)"
        raise HygisError(f"No scenario named '{name}'; scenarios: {names}")
    scenario = project.scenarios[name]
    scenarios.apply(project, scenario)
    return scenario


def ensure_gui_app(lang: str | None = None):
    """A QGuiApplication, offscreen when there is no display, speaking ``lang`` (default: the locale)."""
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # A QApplication rather than a QGuiApplication, so that widgets created later in the
    # same process (tests, the desktop app) still work.
    from PySide6.QtWidgets import QApplication

    from hygis.ui.i18n import install_translator, resolve_language

    existing = QApplication.instance()
    app = existing or QApplication(["hygis"])
    if existing is None or lang:
        install_translator(app, resolve_language(cli=lang))
    return app


def use_tiles(project, spec: str | None) -> None:
    """``--tiles SPEC``: draw this tile basemap (the project's own otherwise); a source that cannot
    be opened is one line on stderr, exit 1.  Needs the Qt application (the token is a user setting)."""
    if spec:
        project.tile_source = spec
    if getattr(project, "tile_source", None):
        from hygis.ui.render.tiles import source_for

        source_for(project.tile_source)


def report_tiles(project) -> None:
    """One line on stderr if the tile server did not answer (the offline basemap was drawn instead)."""
    if getattr(project, "tile_source", None):
        from hygis.ui.render.tiles import source_for

        source = source_for(project.tile_source)
        if source.offline:
            print(f"hygis: tile server unreachable ({getattr(source, 'last_error', '')}): drew cached tiles "
                  "and the offline basemap", file=sys.stderr)


def run(args) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in FORMATS:
        raise HygisError(f"Unsupported output '{out.suffix}': use {', '.join(FORMATS)}")
    if _own_process():
        from hygis.core.lazyimport import defer

        from hygis.core.memory import keep_freed_memory, no_hugepage_advice

        defer(*DEFERRED)
        no_hugepage_advice()  # ~0.35 s less system time on 1M polygons (hygis.core.memory)
        keep_freed_memory()
    from hygis.present.slides import parse_size  # one WIDTHxHEIGHT parser for render and slides

    size = parse_size(args.size)
    project = load_project(Path(args.path), args.layer, lazy_attributes=_own_process())
    extent, title, view = None, args.title, {}
    if args.scenario:
        scenario = apply_scenario(project, args.scenario)
        extent = scenario.extent or None
        title = title or getattr(scenario, "title", None) or scenario.name
    if args.bookmark:
        from hygis.geo.crs import MAP_CRS
        from hygis.project.bookmarks import find

        mark = find(project, args.bookmark)
        if mark.crs == MAP_CRS:  # a view saved in the app: exactly its extent, no margin
            view = {"map_bounds": mark.extent, "margin": 0.0}
        else:
            extent = mark.extent
    app = ensure_gui_app(args.lang)  # noqa: F841 (kept alive while painting)
    if not args.no_basemap:
        use_tiles(project, args.tiles)
    from hygis.ui.render import export_map

    export_map(project, out, size, extent=extent, title=title, basemap=not args.no_basemap, **view)
    report_tiles(project)
    print(out)
    if _own_process():
        # The process ends now: keep the garbage collector from walking and freeing a million
        # geometries at exit (~0.3 s); the OS takes the memory back at once.
        import gc

        gc.freeze()
    return 0


def _own_process() -> bool:
    """True when this command is the whole process (``hygis render`` / ``python -m hygis``), not a call
    from tests or another program."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return (spec is not None and spec.name == "hygis.__main__") or Path(sys.argv[0]).stem == "hygis"
