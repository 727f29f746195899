"""Generate the bad-input corpus ``tests/data/bad/`` (small, deterministic, committed).

    python tools/make_bad_corpus.py [OUT_DIR]

Every file is something a user could be handed: empty or truncated files, wrong
extensions, broken or hostile GeoJSON, shapefiles with missing parts, rasters with no
CRS or absurd sizes, and ``.hygis`` files that are not GeoPackages or carry a damaged
or hostile project table.  ``MANIFEST.json`` records, per file, what it is and what
hygis must do with it:

* ``reject`` -- ``hygis import``/``hygis info``/the GUI refuse it with one clear message;
* ``either`` -- refusing is fine, and so is accepting it, but then the result must be
  sane (valid finite geometries, names kept verbatim, nothing executed).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import struct
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "tests" / "data" / "bad"
MANIFEST: dict[str, dict] = {}


def add(name: str, data: bytes | str, expect: str, what: str, out: Path) -> Path:
    path = out / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    MANIFEST[name] = {"expect": expect, "what": what}
    return path


def feature_collection(*geometries, props=None) -> str:
    feats = [{"type": "Feature", "properties": props or {"name": f"要素{i}"}, "geometry": g}
             for i, g in enumerate(geometries)]
    return json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False, allow_nan=True)


SQUARE = [[120.0, 30.0], [120.1, 30.0], [120.1, 30.1], [120.0, 30.1], [120.0, 30.0]]


# -- GeoJSON -----------------------------------------------------------------------------------
def geojson_files(out: Path) -> None:
    good = feature_collection({"type": "Polygon", "coordinates": [SQUARE]})
    add("empty.geojson", b"", "reject", "0 bytes", out)
    add("truncated.geojson", good[: len(good) // 2], "reject", "valid GeoJSON cut in half", out)
    add("broken_json.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feature",, }]}', "reject",
        "syntax error", out)
    add("not_geojson.geojson", '{"type": "Banana", "peel": true}', "reject", "JSON but not GeoJSON", out)
    add("json_array.geojson", "[1, 2, 3]", "reject", "a JSON array", out)
    add("binary_garbage.geojson", bytes(range(256)) * 4, "reject", "binary bytes", out)
    add("deep_nesting.geojson", '{"type": "FeatureCollection", "features": ' + "[" * 20_000 + "]" * 20_000 + "}",
        "reject", "20 000 nested arrays (recursion bomb)", out)
    add("wrong_geometry_type.geojson", feature_collection({"type": "Circle", "coordinates": [120, 30], "radius": 5}),
        "reject", "geometry type 'Circle'", out)
    add("polygon_with_point_coords.geojson", feature_collection({"type": "Polygon", "coordinates": [120, 30]}),
        "reject", "Polygon whose coordinates are a single point", out)
    add("nan_coords.geojson", feature_collection({"type": "Point", "coordinates": [float("nan"), float("nan")]}),
        "either", "NaN coordinates (may become an empty point)", out)
    add("infinite_coords.geojson", feature_collection({"type": "Point", "coordinates": [float("inf"), 30.0]}),
        "reject", "Infinity coordinates", out)
    add("overflow_coords.geojson", feature_collection({"type": "Point", "coordinates": [120.0, 30.0]}).replace(
        "120.0", "1e400"), "reject", "1e400 (overflows to infinity)", out)
    add("huge_coords.geojson", feature_collection({"type": "Polygon", "coordinates": [[[1e300, 1e300], [-1e300, 1e300],
        [-1e300, -1e300], [1e300, 1e300]]]}), "reject", "coordinates of 1e300 degrees", out)
    add("out_of_range_latitude.geojson", feature_collection({"type": "Point", "coordinates": [120.0, 300.0]}),
        "reject", "latitude 300 degrees", out)
    add("unclosed_ring.geojson", feature_collection({"type": "Polygon", "coordinates": [SQUARE[:-1]]}),
        "either", "polygon ring not closed", out)
    add("self_intersection.geojson", feature_collection({"type": "Polygon", "coordinates": [[[120.0, 30.0], [120.1, 30.1],
        [120.1, 30.0], [120.0, 30.1], [120.0, 30.0]]]}), "either", "bow-tie polygon", out)
    add("two_point_ring.geojson", feature_collection({"type": "Polygon", "coordinates": [[[120, 30], [120, 30]]]}),
        "reject", "ring of 2 points", out)
    add("null_geometries.geojson", feature_collection(None, None), "either", "features without geometry", out)
    add("mixed_garbage_properties.geojson", feature_collection({"type": "Point", "coordinates": [120.2, 30.2]},
        props={"name": {"nested": [1, 2]}, "year_opened": "not a year", "x\"; DROP TABLE t; --": 1}),
        "either", "nested/odd properties and a hostile field name", out)


# -- shapefiles, GeoPackage, TIFF ---------------------------------------------------------------
def vector_files(out: Path, tmp: Path) -> None:
    import geopandas as gpd
    import shapely

    gdf = gpd.GeoDataFrame({"name": ["城西"]}, geometry=[shapely.Polygon(SQUARE)], crs=4326)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf.to_file(tmp / "ok.shp", engine="pyogrio")
        gdf.to_file(tmp / "ok.gpkg", engine="pyogrio", driver="GPKG")
    parts = {ext: (tmp / f"ok{ext}").read_bytes() for ext in (".shp", ".shx", ".dbf", ".prj")}
    for ext in (".shp", ".shx", ".dbf", ".prj"):
        if ext != ".shx":
            add(f"missing_shx/parcels{ext}", parts[ext], "reject" if ext == ".shp" else "part", "shapefile without .shx", out)
        if ext != ".dbf":
            add(f"missing_dbf/parcels{ext}", parts[ext], "either" if ext == ".shp" else "part",
                "shapefile without .dbf", out)
    add("empty.shp", b"", "reject", "0 bytes", out)
    add("truncated_shp/parcels.shp", parts[".shp"][:60], "reject", "shapefile cut inside the header", out)
    for ext in (".shx", ".dbf", ".prj"):
        add(f"truncated_shp/parcels{ext}", parts[ext], "part", "", out)
    gpkg = (tmp / "ok.gpkg").read_bytes()
    add("empty.gpkg", b"", "reject", "0 bytes", out)
    add("truncated.gpkg", gpkg[:2048], "reject", "GeoPackage cut after 2 KB", out)
    add("text_named.gpkg", "hello, this is not a database\n", "reject", "text with a .gpkg extension", out)
    add("geojson_named.shp", feature_collection({"type": "Point", "coordinates": [120.2, 30.2]}), "either",
        "GeoJSON text with a .shp extension", out)
    add("no_extension", b"\x00\x01garbage", "reject", "no extension, garbage", out)
    add("unknown_extension.xyz123", "a,b\n1,2\n", "reject", "unknown extension", out)


def _tiff(width: int, height: int, geo: bool = True) -> bytes:
    """A minimal little-endian TIFF whose header claims ``width``×``height`` 8-bit pixels
    (one strip of 16 bytes: the header may lie about the size)."""
    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
               (273, 4, 1, 0), (277, 3, 1, 1), (278, 4, 1, height), (279, 4, 1, 16)]
    extra = b""
    if geo:
        entries += [(33550, 12, 3, None), (33922, 12, 6, None), (34735, 3, 16, None)]
    n = len(entries)
    ifd_off = 8
    data_off = ifd_off + 2 + 12 * n + 4
    blobs = {33550: struct.pack("<3d", 0.001, 0.001, 0.0),
             33922: struct.pack("<6d", 0, 0, 0, 120.0, 30.5, 0),
             34735: struct.pack("<16H", 1, 1, 0, 3, 1024, 0, 1, 2, 1025, 0, 1, 1, 2048, 0, 1, 4326)}
    out_entries = b""
    blob_bytes = b""
    for tag, typ, count, value in entries:
        if value is None:
            off = data_off + len(blob_bytes)
            blob_bytes += blobs[tag]
            out_entries += struct.pack("<HHII", tag, typ, count, off)
        elif typ == 3:
            out_entries += struct.pack("<HHIHH", tag, typ, count, value, 0)
        else:
            out_entries += struct.pack("<HHII", tag, typ, count, value)
    strip_off = data_off + len(blob_bytes)
    out_entries = out_entries.replace(struct.pack("<HHII", 273, 4, 1, 0), struct.pack("<HHII", 273, 4, 1, strip_off))
    extra = bytes(16)
    return b"II*\x00" + struct.pack("<I", ifd_off) + struct.pack("<H", n) + out_entries + b"\x00" * 4 + blob_bytes + extra


def raster_files(out: Path, tmp: Path) -> dict[str, bytes]:
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with rasterio.open(tmp / "ok.tif", "w", driver="GTiff", width=8, height=8, count=1, dtype="uint8",
                           crs="EPSG:4326", transform=from_origin(120, 30.5, 0.01, 0.01)) as ds:
            ds.write(np.arange(64, dtype="uint8").reshape(8, 8), 1)
        with rasterio.open(tmp / "nocrs.tif", "w", driver="GTiff", width=8, height=8, count=1, dtype="uint8") as ds:
            ds.write(np.zeros((8, 8), dtype="uint8"), 1)
    ok = (tmp / "ok.tif").read_bytes()
    add("empty.tif", b"", "reject", "0 bytes", out)
    add("truncated.tif", ok[:200], "reject", "GeoTIFF cut after 200 bytes", out)
    add("no_crs.tif", (tmp / "nocrs.tif").read_bytes(), "reject", "raster without a CRS", out)
    absurd = _tiff(1_000_000, 1_000_000)
    add("absurd_size.tif", absurd, "reject", "header claims 10^6 x 10^6 pixels", out)
    add("tif_named.geojson", ok, "either", "a GeoTIFF with a .geojson extension", out)
    add("png_named.tif", b"\x89PNG\r\n\x1a\n" + bytes(100), "reject", "PNG signature then zeros, .tif extension", out)
    vrt = ('<VRTDataset rasterXSize="8" rasterYSize="8"><SRS>EPSG:4326</SRS><GeoTransform>120,0.01,0,30.5,0,-0.01'
           '</GeoTransform><VRTRasterBand dataType="Byte" band="1"><SimpleSource><SourceFilename relativeToVRT="0">'
           '/etc/hostname</SourceFilename><SourceBand>1</SourceBand></SimpleSource></VRTRasterBand></VRTDataset>')
    return {"ok": ok, "nocrs": (tmp / "nocrs.tif").read_bytes(), "absurd": absurd, "vrt": vrt.encode()}


# -- .hygis project files --------------------------------------------------------------------------
def _base_project(tmp: Path, raster: bytes) -> Path:
    import geopandas as gpd
    import shapely

    from hygis.project.commands import AddLayer
    from hygis.layers.raster import RasterLayer
    from hygis.layers.vector import VectorLayer
    from hygis.project import Project
    from hygis.project.fileformat import save_project

    p = Project("坏文件")
    rows = [dict(name="城西科创大走廊", name_en="Chengxi", city="杭州市", source="corpus")]
    p.execute(AddLayer(p, VectorLayer("科创走廊", gpd.GeoDataFrame(rows, geometry=[shapely.Polygon(SQUARE)], crs=4326),
                                      kind="corridor")))
    p.execute(AddLayer(p, RasterLayer("高程", raster)))
    return save_project(p, tmp / "base.hygis")


def _variant(base: Path, out: Path, name: str, expect: str, what: str, edit=None, sql: list | None = None) -> None:
    """Copy ``base``, apply ``edit(doc)`` to the project JSON and/or run ``sql``, add to the corpus."""
    tmp = out / name
    tmp.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(base, tmp)
    con = sqlite3.connect(tmp)
    with con:
        if edit is not None:
            doc = json.loads(con.execute("SELECT value FROM hygis_project WHERE key='project'").fetchone()[0])
            new = edit(doc)
            text = new if isinstance(new, (str, bytes)) else json.dumps(doc if new is None else new, ensure_ascii=False)
            con.execute("UPDATE hygis_project SET value=? WHERE key='project'", (text,))
        for stmt in sql or []:
            con.execute(*stmt) if isinstance(stmt, tuple) else con.execute(stmt)
    con.execute("PRAGMA page_size = 512")  # small files for the repository
    con.execute("VACUUM")
    con.close()
    MANIFEST[name] = {"expect": expect, "what": what}


def _set(path, value):
    def edit(doc):
        node = doc
        for k in path[:-1]:
            node = node[k]
        node[path[-1]] = value
    return edit


def hygis_files(out: Path, tmp: Path, rasters: dict[str, bytes]) -> None:
    base = _base_project(tmp, rasters["ok"])
    data = base.read_bytes()
    add("empty.hygis", b"", "reject", "0 bytes", out)
    add("not_gpkg.hygis", "PK\x03\x04 this is a zip, not a GeoPackage", "reject", "not a GeoPackage", out)
    add("truncated.hygis", data[: len(data) // 3], "reject", "project cut to a third", out)
    add("truncated_header.hygis", data[:50], "reject", "only the SQLite header", out)
    damaged = bytearray(data)
    for i in range(4096, len(damaged), 4096):  # overwrite the start of every page after the first
        damaged[i:i + 64] = b"\xff" * 64
    add("damaged_pages.hygis", bytes(damaged), "reject", "every page header overwritten", out)
    con = sqlite3.connect(tmp / "plain.sqlite")
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    add("plain_sqlite.hygis", (tmp / "plain.sqlite").read_bytes(), "reject", "an SQLite file with no GeoPackage tables", out)
    add("gpkg_named.hygis", (tmp / "ok.gpkg").read_bytes(), "reject", "a GeoPackage without a project table", out)
    V = _variant
    V(base, out, "project_not_json.hygis", "reject", "project table holds no JSON", lambda d: "{not json")
    V(base, out, "project_blob.hygis", "reject", "project value is a binary blob", sql=[
        ("UPDATE hygis_project SET value=? WHERE key='project'", (b"\xff\xfe\x00binary",))])
    V(base, out, "project_empty_table.hygis", "reject", "project table without rows", sql=["DELETE FROM hygis_project"])
    V(base, out, "project_table_missing.hygis", "reject", "no hygis_project table", sql=["DROP TABLE hygis_project"])
    V(base, out, "project_list.hygis", "reject", "project JSON is a list", lambda d: [d])
    V(base, out, "wrong_format.hygis", "reject", "format is not hygis-project", _set(["format"], "qgis"))
    V(base, out, "unknown_version.hygis", "reject", "format version 99", _set(["version"], 99))
    V(base, out, "version_zero.hygis", "reject", "format version 0", _set(["version"], 0))
    V(base, out, "version_string.hygis", "reject", "format version '1' (a string)", _set(["version"], "1"))
    V(base, out, "version_bool.hygis", "reject", "format version true", _set(["version"], True))
    V(base, out, "layers_dict.hygis", "reject", "layers is an object", _set(["layers"], {"a": 1}))
    V(base, out, "layers_int.hygis", "reject", "layers is a number", _set(["layers"], 7))
    V(base, out, "layer_string.hygis", "reject", "a layer entry is a string", _set(["layers"], ["科创走廊"]))
    V(base, out, "scenarios_int.hygis", "reject", "scenarios is a number", _set(["scenarios"], 5))
    V(base, out, "targets_string.hygis", "reject", "targets is a string", _set(["targets"], "all"))
    V(base, out, "unknown_kind.hygis", "reject", "layer kind 'python'", _set(["layers", 0, "kind"], "python"))
    V(base, out, "table_sql_injection.hygis", "reject", "table name with quotes and SQL",
      _set(["layers", 0, "table"], 'corridor"; DROP TABLE gpkg_contents; --'))
    V(base, out, "table_sqlite_master.hygis", "reject", "table points at sqlite_master", _set(["layers", 0, "table"], "sqlite_master"))
    V(base, out, "table_gpkg_contents.hygis", "reject", "table points at gpkg_contents", _set(["layers", 0, "table"], "gpkg_contents"))
    V(base, out, "table_project.hygis", "reject", "table points at hygis_project", _set(["layers", 0, "table"], "hygis_project"))
    V(base, out, "table_path_outside.hygis", "reject", "table is a path outside the project",
      _set(["layers", 0, "table"], "../../../../etc/passwd"))
    V(base, out, "table_absolute_path.hygis", "reject", "table is an absolute path", _set(["layers", 0, "table"], "/etc/hostname"))
    V(base, out, "table_number.hygis", "reject", "table is a number", _set(["layers", 0, "table"], 12))
    V(base, out, "hostile_names.hygis", "either", "layer name, title and source with quotes, SQL and a path",
      lambda d: d.update(title='"; DROP TABLE gpkg_contents; --', layers=[dict(d["layers"][0], name="x'); DELETE FROM corridor; --",
                                                                            source="/etc/passwd"), d["layers"][1]]))
    V(base, out, "huge_strings.hygis", "either", "20 000-character title and layer name",
      lambda d: d.update(title="长" * 20_000, layers=[dict(d["layers"][0], name="名" * 20_000), d["layers"][1]]))
    V(base, out, "wrong_types.hygis", "either", "title, opacity, visible, extent of wrong types",
      lambda d: d.update(title=12345, extent="everywhere", show_basemap="no",
                         layers=[dict(d["layers"][0], opacity="opaque", visible=[1]), d["layers"][1]]))
    V(base, out, "negative_sizes.hygis", "either", "negative/huge opacity, width, size, classes",
      lambda d: d.update(layers=[dict(d["layers"][0], opacity=-5e308,
                                      style=dict(d["layers"][0]["style"], width=-1, size=1e308, classes=-3)), d["layers"][1]]))
    V(base, out, "nan_values.hygis", "either", "NaN and Infinity in the project JSON",
      lambda d: json.dumps(dict(d, extent=[float("nan")] * 4, layers=[dict(d["layers"][0], opacity=float("inf")), d["layers"][1]])))
    V(base, out, "deep_nesting.hygis", "reject", "project JSON nested 20 000 levels",
      lambda d: json.dumps(d)[:-1] + ', "x": ' + "[" * 20_000 + "]" * 20_000 + "}")
    V(base, out, "too_many_layers.hygis", "reject", "1001 layer entries", lambda d: d.update(layers=[{"kind": "corridor", "table": "corridor"}] * 1001))
    V(base, out, "duplicate_layer_ids.hygis", "reject", "two layers with the same id",
      lambda d: d.update(layers=[d["layers"][0], dict(d["layers"][0], name="副本")]))
    V(base, out, "bad_scenario.hygis", "reject", "scenario with a filter that is code",
      _set(["scenarios"], [{"name": "s", "layers": {"x": {"filter": "__import__('os').system('id')"}}}]))
    V(base, out, "bad_filter.hygis", "reject", "layer filter that is code",
      _set(["layers", 0, "filter"], "__import__('os').system('touch /tmp/hygis_pwned')"))
    V(base, out, "bad_style.hygis", "reject", "style colour is not a colour", _set(["layers", 0, "style", "fill"], "red; rm -rf /"))
    V(base, out, "raster_missing.hygis", "reject", "raster layer without data", sql=["DELETE FROM hygis_rasters"])
    V(base, out, "raster_vrt_outside.hygis", "reject", "embedded raster is a VRT reading /etc/hostname",
      sql=[("UPDATE hygis_rasters SET data=?", (rasters["vrt"],))])
    V(base, out, "raster_no_crs.hygis", "reject", "embedded raster without CRS", sql=[("UPDATE hygis_rasters SET data=?", (rasters["nocrs"],))])
    V(base, out, "raster_absurd.hygis", "reject", "embedded raster claims 10^6 x 10^6 pixels",
      sql=[("UPDATE hygis_rasters SET data=?", (rasters["absurd"],))])
    V(base, out, "raster_garbage.hygis", "reject", "embedded raster is garbage", sql=[("UPDATE hygis_rasters SET data=?", (b"II*\x00junk",))])
    V(base, out, "layer_table_dropped.hygis", "reject", "layer table listed but dropped",
      sql=["DROP TABLE corridor"])
    V(base, out, "gpkg_contents_hostile.hygis", "reject", "gpkg_contents lists a table named with SQL",
      sql=["INSERT INTO gpkg_contents (table_name, data_type, identifier) VALUES ('x\"; DROP TABLE corridor; --', 'features', 'x')"],
      edit=_set(["layers", 0, "table"], 'x"; DROP TABLE corridor; --'))


#: Readable files whose content is bad: ``hygis info`` may describe them (exit 0) instead of refusing.
INFO_MAY_DESCRIBE = {"nan_coords.geojson", "infinite_coords.geojson", "huge_coords.geojson", "out_of_range_latitude.geojson",
                     "polygon_with_point_coords.geojson", "two_point_ring.geojson", "wrong_geometry_type.geojson",
                     "no_crs.tif", "absurd_size.tif"}


def main(out: Path = OUT) -> int:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    MANIFEST.clear()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        geojson_files(out)
        vector_files(out, tmp)
        rasters = raster_files(out, tmp)
        hygis_files(out, tmp, rasters)
    for name in INFO_MAY_DESCRIBE:
        MANIFEST[name]["info"] = "may describe"
    (out / "MANIFEST.json").write_text(json.dumps(dict(sorted(MANIFEST.items())), ensure_ascii=False, indent=1) + "\n",
                                       encoding="utf-8")
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"{len(MANIFEST)} files, {total / 1024:.0f} KiB in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
