"""WMTS tile sources from a GetCapabilities document (天地图's WMTS first of all).

A source spec names the capabilities document and, after ``#``, what to take from it::

    wmts:https://t0.tianditu.gov.cn/vec_c/wmts?request=GetCapabilities&service=wmts#layer=vec&set=c
    wmts:/data/WMTSCapabilities.xml#layer=img&set=w
    https://example.org/wmts?SERVICE=WMTS&REQUEST=GetCapabilities     (recognised without "wmts:")

Fragment keys: ``layer`` (default: the first layer), ``set`` (TileMatrixSet identifier;
default: the layer's Web Mercator set if it has one, else its first), ``style``,
``format`` and ``datum`` (``gcj02`` for tiles drawn in GCJ-02).  Query parameters of the
capabilities URL that are not WMTS's own (天地图's ``tk`` token) are carried over to every
GetTile request; a 天地图 URL without ``tk`` gets the user's token, which never enters the
project file or a cache folder name (``{token}`` stays a placeholder in the template).

The document is parsed with OWSLib; the grid of the chosen TileMatrixSet is a
:class:`hygis.geo.tilegrids.WmtsGrid` in the set's CRS (EPSG:4490/4326 ``c`` sets are
drawn through pyproj like any other CRS).  A fetched document is kept in the tile cache
folder, so a project opens offline with the capabilities it read last.
"""

from __future__ import annotations

import hashlib
import logging
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from hygis.core.errors import HygisError
from hygis.geo import tilegrids

log = logging.getLogger(__name__)
#: WMTS's own request parameters (everything else in a capabilities URL is carried to GetTile).
_OWN_PARAMS = {"service", "request", "version", "acceptversions", "sections", "updatesequence", "acceptformats"}
#: CRS names PROJ does not know that mean Web Mercator.
_WEB_MERCATOR_NAMES = ("900913", "102100", "102113", "3785", "google")
_PREFERRED_FORMATS = ("image/png", "image/jpeg", "image/jpg", "tiles", "image/webp")


def is_wmts_spec(spec: str) -> bool:
    """True for ``wmts:…`` and for URLs/files that are evidently WMTS capabilities documents."""
    low = str(spec).strip().lower()
    if low.startswith("wmts:"):
        return True
    body = low.split("#", 1)[0]
    if "{z}" in body:
        return False
    if "getcapabilities" in body and "wmts" in body:
        return True
    return body.endswith(".xml") and "wmts" in body.rsplit("/", 1)[-1]


def split_spec(spec: str) -> tuple[str, dict]:
    """``(document URL or path, {fragment key: value})`` of a WMTS spec."""
    spec = str(spec).strip()
    if spec.lower().startswith("wmts:"):
        spec = spec[5:]
    options = {}
    if "#" in spec:
        spec, frag = spec.rsplit("#", 1)
        for key, value in urllib.parse.parse_qsl(frag, keep_blank_values=True):
            options[key.strip().lower()] = value.strip()
    unknown = set(options) - {"layer", "set", "matrixset", "tilematrixset", "style", "format", "datum"}
    if unknown:
        raise HygisError("WMTS option(s) {value}: use layer=, set=, style=, format=, datum=",
                         value=', '.join(sorted(unknown)))
    for alias in ("matrixset", "tilematrixset"):
        if alias in options:
            options["set"] = options.pop(alias)
    return spec, options


def _is_tianditu(url: str) -> bool:
    return urllib.parse.urlsplit(url).hostname is not None and \
        urllib.parse.urlsplit(url).hostname.endswith("tianditu.gov.cn")


def _with_token(url: str, token: str | None) -> str:
    """The capabilities URL with ``{token}`` filled in (天地图 URLs get ``tk`` if they lack it)."""
    if _is_tianditu(url) and "tk=" not in url.lower():
        url += ("&" if "?" in url else "?") + "tk={token}"
    if "{token}" in url:
        if not token:
            raise HygisError("this tile service needs a token (天地图: set it in Preferences ▸ Tile basemap token)")
        url = url.replace("{token}", token)
    return url


def read_capabilities(location: str, *, token: str | None = None, cache=None, timeout: float = 10.0) -> bytes:
    """The capabilities XML of a local file or URL; a fetched copy is kept for offline use
    under ``cache.folder`` (a :class:`hygis.geo.tiles.TileCache`; the user cache folder by default)."""
    path = Path(location).expanduser()
    if not location.lower().startswith(("http://", "https://")):
        if not path.is_file():
            raise HygisError("No such WMTS capabilities file: {location}", location=location)
        return path.read_bytes()
    url = _with_token(location, token)
    folder = Path(cache.folder) if cache is not None else _default_cache_folder()
    keep = folder / "wmts" / (hashlib.sha1(location.encode("utf-8")).hexdigest()[:16] + ".xml")
    try:
        req = urllib.request.Request(url, headers={"User-Agent": "hygis/0.1 (desktop GIS)"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            data = resp.read(20 * 1024 * 1024)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        if keep.is_file():
            log.warning("WMTS capabilities unreachable (%s): using the copy from %s", exc, keep)
            return keep.read_bytes()
        raise HygisError("WMTS capabilities not reachable: {value}",
                         value=getattr(exc, 'reason', exc)) from None
    try:
        keep.parent.mkdir(parents=True, exist_ok=True)
        keep.write_bytes(data)
    except OSError as exc:
        log.warning("WMTS capabilities not kept: %s", exc)
    return data


def _default_cache_folder() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("hygis")) / "tiles"


def _crs_of(name: str) -> str:
    text = str(name or "").strip()
    if any(text.lower().endswith(n) or f":{n}" in text.lower() for n in _WEB_MERCATOR_NAMES):
        return "EPSG:3857"
    return text


def _top_left(corner, crs) -> tuple[float, float]:
    """(x east, y north) of a TopLeftCorner written in the CRS's axis order (lat first for EPSG:4326/4490)."""
    a, b = corner
    if crs.is_geographic and abs(a) > 90.0:  # written lon first although the CRS says lat first
        return a, b
    first = crs.axis_info[0].direction.lower() if crs.axis_info else "east"
    return (b, a) if first in ("north", "south") else (a, b)


def _snap_global(m: tilegrids.TileMatrix, crs) -> tilegrids.TileMatrix:
    """A matrix that covers the whole globe (within 10 %), snapped to it exactly.

    天地图 writes its ScaleDenominators for 96-dpi pixels (0.2646 mm) where OGC says 0.28 mm,
    so read literally its tiles would be 5.8 % too large; and its ``w`` set gives the
    TopLeftCorner as (20037508, −20037508).  A global matrix has only one sensible
    origin and pixel size, which is what every client of 天地图 uses."""
    per_unit = tilegrids.WMTS_METRES_PER_DEGREE if crs.is_geographic else 1.0
    width = m.scale_denominator * tilegrids.WMTS_PIXEL_M / per_unit * m.tile_width * m.matrix_width
    if crs.is_geographic:
        world, left, top = 360.0, -180.0, 90.0
    elif crs.to_epsg() == 3857:
        world = 2 * tilegrids.math.pi * tilegrids.EARTH_R
        left, top = -world / 2, world / 2
    else:
        return m
    if abs(width / world - 1.0) > 0.1:
        return m
    if crs.is_geographic and (abs(m.left - left) > 1e-6 or abs(m.top - top) > 1e-6):
        return m  # a regional set in degrees: taken as written
    m.left, m.top, m.pixel = left, top, world / (m.tile_width * m.matrix_width)
    return m


def grid_of(matrix_set, datum: str = "wgs84") -> tilegrids.WmtsGrid:
    """The :class:`~hygis.geo.tilegrids.WmtsGrid` of an OWSLib TileMatrixSet."""
    from hygis.geo.crs import parse_crs

    crs = parse_crs(_crs_of(matrix_set.crs))
    matrices = []
    for m in matrix_set.tilematrix.values():
        left, top = _top_left(m.topleftcorner, crs)
        matrices.append(_snap_global(tilegrids.TileMatrix(m.identifier, m.scaledenominator, left, top, m.tilewidth,
                                                          m.tileheight, m.matrixwidth, m.matrixheight), crs))
    return tilegrids.WmtsGrid(crs.to_string(), matrices, datum=datum, identifier=matrix_set.identifier)


def _choose_set(layer, sets, wanted: str | None) -> str:
    linked = [s for s in getattr(layer, "tilematrixsetlinks", {}) or {} if s in sets] or list(sets)
    if wanted:
        if wanted not in sets:
            raise HygisError("WMTS TileMatrixSet '{wanted}' not found: the layer has {value}",
                             wanted=wanted, value=', '.join(linked))
        return wanted
    if not linked:
        raise HygisError("the WMTS document has no TileMatrixSet")
    mercator = [s for s in linked if _crs_of(sets[s].crs).endswith("3857")]
    return (mercator or linked)[0]


def _tile_template(service, layer, set_id: str, style: str, fmt: str, location: str, token) -> str:
    """A URL template with {z} (TileMatrix), {x} (TileCol), {y} (TileRow) and {token}."""
    for res in getattr(layer, "resourceURLs", []) or []:
        if res.get("resourceType") == "tile" and (not fmt or res.get("format") in (fmt, None)):
            t = res["template"]
            for name, value in (("{TileMatrixSet}", set_id), ("{Style}", style), ("{TileMatrix}", "{z}"),
                                ("{TileRow}", "{y}"), ("{TileCol}", "{x}")):
                t = t.replace(name, value).replace(name.lower(), value)
            return t
    base = ""
    try:
        base = service.getOperationByName("GetTile").methods[0]["url"]
    except (KeyError, IndexError, AttributeError):
        pass
    base = base or location.split("?", 1)[0]
    carried = [(k, v) for k, v in urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query)
               if k.lower() not in _OWN_PARAMS]
    if _is_tianditu(location) and not any(k.lower() == "tk" for k, _ in carried):
        carried.append(("tk", "{token}"))
    base_params = {k.lower() for k, _ in urllib.parse.parse_qsl(urllib.parse.urlsplit(base).query)}
    params = [("SERVICE", "WMTS"), ("REQUEST", "GetTile"), ("VERSION", "1.0.0"), ("LAYER", layer.id),
              ("STYLE", style), ("TILEMATRIXSET", set_id), ("FORMAT", fmt)]
    query = "&".join(f"{k}={urllib.parse.quote(v, safe='/:')}" for k, v in params)
    query += "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
    for k, v in carried:
        if k.lower() in base_params:
            continue
        v = "{token}" if (token and v == token) or v == "{token}" else urllib.parse.quote(v, safe="")
        query += f"&{k}={v}"
    sep = "" if base.endswith(("?", "&")) else ("&" if "?" in base else "?")
    return base + sep + query


def _parse(location: str, xml: bytes):
    from owslib.wmts import WebMapTileService

    try:
        return WebMapTileService(location.split("?", 1)[0] or "file", xml=xml)
    except Exception as exc:  # lxml/OWSLib raise many kinds for a broken document
        raise HygisError("not a WMTS capabilities document ({location}): {reason}",
                         location=location, reason=exc) from None


def describe(location: str, *, token: str | None = None, cache=None) -> list[tuple[str, str, list]]:
    """What a capabilities document offers: ``[(layer id, title, [(set id, CRS name), …]), …]``."""
    location, _ = split_spec(location)
    service = _parse(location, read_capabilities(location, token=token, cache=cache))
    sets = service.tilematrixsets
    out = []
    for name, layer in service.contents.items():
        linked = [s for s in (getattr(layer, "tilematrixsetlinks", {}) or {}) if s in sets] or list(sets)
        out.append((name, getattr(layer, "title", None) or name,
                    [(s, _crs_label(_crs_of(sets[s].crs))) for s in linked]))
    return out


def _crs_label(name: str) -> str:
    try:
        from hygis.geo.crs import parse_crs

        crs = parse_crs(name)
        code = crs.to_epsg()
        return f"EPSG:{code} {crs.name}" if code else crs.name
    except HygisError:
        return name


def resolve(spec: str, *, token: str | None = None, cache=None) -> dict:
    """What :class:`hygis.geo.tiles.WebSource` needs for the layer and TileMatrixSet ``spec`` names:
    ``template`` ({z} = TileMatrix, {x} = TileCol, {y} = TileRow), ``grid``, ``datum``, ``max_zoom``,
    ``attribution`` and ``token`` (None when the service needs none)."""
    location, options = split_spec(spec)
    if not location:
        raise HygisError("WMTS source without a capabilities URL or file")
    datum = options.get("datum", "wgs84").lower()
    if datum not in ("wgs84", "gcj02", "cgcs2000"):
        raise HygisError("WMTS datum '{datum}': use wgs84 or gcj02", datum=datum)
    datum = "wgs84" if datum == "cgcs2000" else datum
    service = _parse(location, read_capabilities(location, token=token, cache=cache))
    layers = list(service.contents)
    if not layers:
        raise HygisError("the WMTS document lists no layer")
    name = options.get("layer") or layers[0]
    if name not in service.contents:
        raise HygisError("WMTS layer '{name}' not found: the document has {value}",
                         name=name, value=', '.join(layers))
    layer = service.contents[name]
    set_id = _choose_set(layer, service.tilematrixsets, options.get("set"))
    styles = getattr(layer, "styles", {}) or {}
    style = options.get("style") or next((k for k, v in styles.items() if v.get("isDefault")), None) \
        or next(iter(styles), "default")
    formats = list(getattr(layer, "formats", []) or [])
    fmt = options.get("format") or next((f for f in _PREFERRED_FORMATS if f in formats), formats[0] if formats
                                       else "image/png")
    grid = grid_of(service.tilematrixsets[set_id], datum)
    if not grid.matrices:
        raise HygisError("WMTS TileMatrixSet '{set_id}' has no TileMatrix", set_id=set_id)
    template = _tile_template(service, layer, set_id, style, fmt, location, token)
    title = getattr(service.identification, "title", None) or name
    return {"template": template, "grid": grid, "datum": datum, "max_zoom": len(grid.matrices) - 1,
            "attribution": str(title), "token": token if "{token}" in template else None}
