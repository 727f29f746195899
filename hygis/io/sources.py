"""Files that are not one plain GDAL file: zipped Shapefiles, File Geodatabase folders, GeoParquet,
and rasters placed by a world file.

* A Shapefile whose ``.shx`` and ``.dbf`` counts differ is refused (GDAL drops shapes silently).
* A ``.zip`` / ``.shp.zip`` is unpacked into a private temporary folder (sizes bounded, no
  path may leave the folder) so its Shapefile goes through the same encoding detection and
  checks as an unzipped one.
* A ``.gdb`` folder is an Esri File Geodatabase, read by GDAL's OpenFileGDB driver.
* A ``.parquet`` file must carry GeoParquet's ``geo`` metadata; it is read with pyarrow.
* A GeoTIFF with a world file (``.tfw``/``.tifw``/``.wld``) beside it, or no CRS of its own
  when the user gives one, is rewritten in memory with that placement: the project embeds
  the raster's bytes, so a sidecar would be lost.
"""

from __future__ import annotations

import contextlib
import shutil
import struct
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

import geopandas as gpd

from hygis.core.errors import HygisError

MAX_UNZIPPED_BYTES = 2 * 1024**3
MAX_ZIP_MEMBERS = 10_000
WORLD_FILE_SUFFIXES = (".tfw", ".tifw", ".tiffw", ".wld")


def _member_path(name: str) -> PurePosixPath | None:
    p = PurePosixPath(name.replace("\\", "/"))
    if p.is_absolute() or ".." in p.parts or not p.parts:
        return None
    return p


@contextlib.contextmanager
def unzipped_shapefiles(path: Path):
    """Unpack a zipped Shapefile: yields the list of ``.shp`` paths (temporary; removed afterwards)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise HygisError("{file} is not a readable zip file ({reason})", file=path.name, reason=exc) from None
    folder = Path(tempfile.mkdtemp(prefix="hygis-unzip-"))
    try:
        with archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
                raise HygisError("{file}: the zip file unpacks to more than {value} GiB or {MAX_ZIP_MEMBERS} files",
                                 file=path.name, value=MAX_UNZIPPED_BYTES // 1024 ** 3, MAX_ZIP_MEMBERS=MAX_ZIP_MEMBERS)
            for m in members:
                rel = _member_path(m.filename)
                if rel is None or rel.parts[0] == "__MACOSX":
                    continue
                target = folder.joinpath(*rel.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    with archive.open(m) as src, open(target, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as exc:
                    raise HygisError("{file}: cannot unpack {filename} ({reason})",
                                     file=path.name, filename=m.filename, reason=exc) from None
        shps = sorted(p for p in folder.rglob("*") if p.suffix.lower() == ".shp" and not p.name.startswith("."))
        if not shps:
            raise HygisError("{file} holds no Shapefile (.shp); hygis imports zipped Shapefiles",
                             file=path.name)
        yield shps
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _sidecar(path: Path, ext: str) -> Path:
    return path.with_suffix(ext) if path.with_suffix(ext).exists() else path.with_suffix(ext.upper())


def check_record_counts(path: Path) -> None:
    """Refuse a Shapefile whose .shx (shapes) and .dbf (attribute records) counts differ: GDAL would
    silently drop the shapes beyond the records, or pair shapes with the wrong attributes."""
    try:
        shapes = (_sidecar(path, ".shx").stat().st_size - 100) // 8
        with open(_sidecar(path, ".dbf"), "rb") as f:
            head = f.read(8)
    except OSError:
        return
    if len(head) < 8 or shapes < 0:
        return
    records = struct.unpack("<I", head[4:8])[0]
    if records != shapes:
        raise HygisError("{file}: {shapes} shapes (.shx) but {records} attribute records (.dbf); the files do not "
                         "belong together or one is truncated, so features would be lost or mismatched",
                         file=path.name, shapes=shapes, records=records)


def check_geodatabase(path: Path) -> None:
    """Refuse a ``.gdb`` that is not a File Geodatabase folder."""
    if not path.is_dir():
        raise HygisError("{file}: a File Geodatabase is a folder (.gdb); this is a file", file=path.name)
    if not any(p.suffix.lower() == ".gdbtable" for p in path.iterdir()):
        raise HygisError("{file} is not a File Geodatabase (no .gdbtable files inside)", file=path.name)


def read_geoparquet(path: Path, max_features: int | None = None) -> gpd.GeoDataFrame:
    """A GeoParquet file as a GeoDataFrame (nullable integers stay integers)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        raise HygisError("reading GeoParquet needs the pyarrow package") from None
    try:
        meta = pq.read_schema(path).metadata or {}
    except Exception as exc:  # pyarrow raises its own ArrowInvalid/OSError for broken files
        raise HygisError("Cannot read {file} as GeoParquet: {value}",
                         file=path.name, value=str(exc).splitlines()[0][:200]) from None
    if b"geo" not in meta:
        raise HygisError("{file} is a Parquet table without geometry metadata (not GeoParquet)",
                         file=path.name)
    try:
        gdf = gpd.read_parquet(path, to_pandas_kwargs={"types_mapper": _nullable_ints()})
    except Exception as exc:  # noqa: BLE001 - pyarrow/geopandas errors become one line
        raise HygisError("Cannot read {file} as GeoParquet: {value}",
                         file=path.name, value=str(exc).splitlines()[0][:200]) from None
    gdf = gdf.reset_index(drop=True)
    return gdf.head(max_features) if max_features is not None else gdf


def _nullable_ints():
    import pandas as pd
    import pyarrow as pa

    types = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
             pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(),
             pa.uint32(): pd.UInt32Dtype(), pa.uint64(): pd.UInt64Dtype()}
    return types.get


def parquet_info(path: Path) -> dict:
    """What ``hygis info`` shows for a GeoParquet file (GDAL here may have no Parquet driver)."""
    gdf = read_geoparquet(path)
    from hygis.layers.vector import geometry_family

    bounds = gdf.total_bounds if len(gdf) and not gdf.geometry.is_empty.all() else None
    fields = {str(c): str(gdf[c].dtype) for c in gdf.columns if c != gdf.geometry.name}
    layer = {"name": path.stem, "features": len(gdf), "geometry_type": geometry_family(gdf.geom_type),
             "crs": gdf.crs.to_string() if gdf.crs else None,
             "bounds": [float(v) for v in bounds] if bounds is not None else None, "fields": fields}
    return {"type": "vector", "path": str(path), "driver": "GeoParquet", "layers": [layer]}


def parquet_description(path: Path) -> str | None:
    """The ``description`` hygis writes into a GeoParquet's metadata (e.g. a GCJ-02 datum note)."""
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    value = meta.get(b"description")
    return value.decode("utf-8", "replace") if value else None


def world_file(path: Path) -> Path | None:
    for suffix in WORLD_FILE_SUFFIXES:
        for cand in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
            if cand.exists():
                return cand
    return None


def raster_content(path: Path, crs=None) -> tuple[bytes, list[str]]:
    """The GeoTIFF bytes to embed, placed as GDAL places the file on disk (internal georeferencing,
    else its world file) and with ``crs`` when the file has none; (bytes, notes)."""
    import rasterio
    from rasterio.io import MemoryFile

    from hygis.geo import crs as hcrs

    wf = world_file(path)
    if wf is not None:
        with rasterio.Env(GDAL_GEOREF_SOURCES="INTERNAL"), rasterio.open(path) as ds:
            if not ds.transform.is_identity or ds.gcps[0]:
                wf = None  # the file's own georeferencing wins (as in GDAL)
    if wf is None and crs is None:
        return path.read_bytes(), []
    try:
        with rasterio.open(path) as ds:
            own_crs = ds.crs
            if own_crs is not None and crs is not None and wf is None:
                return path.read_bytes(), [f"the raster has its own CRS ({own_crs.to_string()}); --crs ignored"]
            target_crs = own_crs if own_crs is not None else (hcrs.parse_crs(crs) if crs is not None else None)
            if target_crs is None:
                raise HygisError("{file} has no coordinate reference system: say which one it is (CLI: --crs, e.g. --crs "
                                 "EPSG:4549)",
                                 file=path.name)
            profile = ds.profile
            profile.update(driver="GTiff", crs=target_crs, transform=ds.transform)
            data = ds.read()
            with MemoryFile() as mem:
                with mem.open(**profile) as dst:
                    dst.write(data)
                content = mem.read()
    except rasterio.errors.RasterioError as exc:
        raise HygisError("Cannot read {file}: {reason}", file=path.name, reason=exc) from None
    notes = [f"placed by its world file {wf.name}"] if wf is not None else []
    return content, notes
