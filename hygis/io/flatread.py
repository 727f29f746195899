"""Reading a layer for drawing: GDAL's Arrow stream → attributes + :class:`FlatGeometry`.

No shapely geometry is built (see :mod:`hygis.layers.flat`): the WKB buffer of every batch is
decoded with numpy (:mod:`hygis.io.wkb`), numeric attributes are taken from the Arrow buffers
and the other attributes come from one attribute-only GDAL read.  The stream is read with
nanoarrow (Apache Arrow's small C library: ~10 ms to import where pyarrow takes ~0.5 s).
Returns None when the layer is not one of the handled cases; the caller then reads the
ordinary way (:func:`hygis.io.readers.read_vector`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hygis.core.errors import HygisError
from hygis.geo import crs as hcrs
from hygis.io import wkb
from hygis.layers.flat import FlatGeometry, FlatVectorLayer

FLAT_FORMATS = (".gpkg", ".fgb")
_ARROW_NUMERIC = {"c": "i1", "C": "u1", "s": "<i2", "S": "<u2", "i": "<i4", "I": "<u4", "l": "<i8", "L": "<u8",
                  "f": "<f4", "g": "<f8"}


def read_flat_layer(path: Path, layer: str | None, name: str, source: str = "",
                    lazy_attributes: bool = False) -> FlatVectorLayer | None:
    """The layer ``layer`` of ``path`` as a :class:`FlatVectorLayer` named ``name`` (WGS84), or None.

    ``lazy_attributes``: text (and other non-numeric) attributes are read when first needed, not
    now (for a process drawing the file once: a single-symbol map never needs them, and the
    process then never imports pandas); the app reads them at once (the file may change later).
    """
    import pyogrio

    from hygis.io.readers import gdal_errors

    if path.suffix.lower() not in FLAT_FORMATS:
        return None
    with gdal_errors(path):
        info = pyogrio.read_info(path, layer=layer)
        if not info.get("crs"):
            return None
        got = _read_stream(path, layer)
        if got is None:
            return None
        flat, numeric, n = got
        fields = [str(f) for f in info["fields"]]
        lazy = lazy_attributes and int(info.get("features", -1)) == n  # the count is checked now

        def attributes():
            import pandas as pd

            attrs = pd.DataFrame(index=pd.RangeIndex(n))
            other = [f for f in fields if f not in numeric]
            if other:
                with gdal_errors(path):
                    more = pyogrio.read_dataframe(path, layer=layer, columns=other, read_geometry=False)
                if len(more) != n:
                    return None
                more.index = attrs.index
            for f in fields:
                attrs[f] = numeric[f] if f in numeric else more[f]
            return attrs

        attrs = _checked(attributes, path) if lazy else attributes()
        if attrs is None:
            return None
    if not _to_wgs84(flat, info["crs"]):
        return None
    return FlatVectorLayer(name, attrs, flat, source=source, fields=fields)


def _checked(read, path: Path):
    """``read`` as a callable that raises (a one-line error) instead of returning None."""
    def attributes():
        frame = read()
        if frame is None:
            raise HygisError("{file}: the attributes changed while the layer was open", file=path.name)
        return frame
    return attributes


def _to_wgs84(flat: FlatGeometry, crs: str) -> bool:
    """Reproject the flat coordinates to WGS84 in place (False when the CRS is unusable)."""
    try:
        src = hcrs.parse_crs(crs)
    except Exception:
        return False
    if src.equals(hcrs.parse_crs(hcrs.WGS84)):
        return True
    t = hcrs.transformer(src.to_wkt(), hcrs.WGS84)
    t.transform(flat.x, flat.y, inplace=True)
    return bool(np.isfinite(flat.x).all() or not len(flat.x))


def _read_stream(path: Path, layer):
    """(FlatGeometry, {numeric column: array}, rows) from GDAL's Arrow stream, or None."""
    import nanoarrow as na
    import pyogrio

    geoms, n = [], 0
    with pyogrio.open_arrow(path, layer=layer, use_pyarrow=False) as (meta, stream):
        batches = na.c_array_stream(stream)
        schema = batches.get_schema()
        cols = [(schema.child(i).name, schema.child(i).format) for i in range(schema.n_children)]
        geom_name = meta.get("geometry_name") or "wkb_geometry"
        names = [c for c, _ in cols]
        if geom_name not in names or cols[names.index(geom_name)][1] not in ("z", "Z"):
            return None
        gi = names.index(geom_name)
        odt = "<i4" if cols[gi][1] == "z" else "<i8"  # binary / large binary
        wanted = {i: _ARROW_NUMERIC[f] for i, (c, f) in enumerate(cols) if f in _ARROW_NUMERIC and i != gi}
        parts: dict[int, list | None] = {i: [] for i in wanted}
        for batch in batches:
            if batch.offset != 0:
                return None
            g = _batch_geometry(batch.child(gi), odt)
            if g is None:
                return None
            geoms.append((*g, batch))  # its buffers are read below, while the layer is open (GDAL's rule)
            n += batch.length
            for i, dt in wanted.items():
                c = batch.child(i)
                if parts[i] is None or c.null_count != 0:
                    parts[i] = None  # nulls: this column comes from GDAL
                    continue
                parts[i].append(np.frombuffer(c.view().buffer(1), dt)[c.offset:c.offset + c.length])
        numeric = {cols[i][0]: np.concatenate(chunks) if chunks else np.zeros(0, wanted[i])
                   for i, chunks in parts.items() if chunks is not None}
        parts = batch = None
        # coordinates gathered from every batch's WKB straight into the layer's arrays, each batch
        # handed back to GDAL once read (its memory then serves the arrays made next)
        flat = wkb.assemble(geoms)
        if flat is None:
            return None
    return flat, numeric, n


def _batch_geometry(col, odt: str) -> tuple[np.ndarray, wkb.Walked] | None:
    view = col.view()
    start, n = col.offset, col.length
    offsets = np.frombuffer(view.buffer(1), odt)[start:start + n + 1].astype(np.int64)
    valid = None
    if col.null_count:
        bits = np.frombuffer(view.buffer(0), np.uint8)
        valid = np.unpackbits(bits, bitorder="little")[start:start + n].astype(bool)
    data = np.frombuffer(view.buffer(2), np.uint8)
    walked = wkb.walk(data, offsets, valid)
    return None if walked is None else (data, walked)
