"""Vector layer renderers: one per geometry family (polygon, line, point; mixed draws all three).

A renderer observes its layer (data/style/filter events invalidate its caches) and
draws a :class:`~hygis.ui.render.view.MapView` in bulk: projected geometry is cached
once, then each frame culls by bbox arrays, splats sub-pixel features as single
pixels, decimates vertices to the pixel size and fills one path per colour class.
"""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen

from hygis.layers.style import ILLUSTRATIVE_FIELD, class_symbol, feature_classes, parse_color
from hygis.ui.render import featurelabels, geometry, paths, pixels, symbols

TINY_PX = 1.5  # features smaller than this (pixels) are drawn as one pixel
DOT_PX = 3.0  # features smaller than this are drawn as 2×2 pixel dots (level of detail)
SMALL_PX = 6.0  # features smaller than this are filled / outlined without antialiasing (Qt's AA fill of
# paths with thousands of subpaths is ~30× slower; at this size the difference is invisible)
AA_OUTLINE_PX = 16.0  # raster devices: outlines of smaller polygons are 1-pixel numpy lines (Qt's antialiased
# strokes of a million small rings cost ~1 s; at this size the difference is slight)
OUTLINE_PX = 3.0  # raster devices: smaller polygons get no outline, one pixel colour (fill + outline look)
CULL_DEPTH = 2.0  # raster devices: polygons hidden under later opaque fills are skipped when their boxes
# add up to more than this many times the image
ORDER_LAYERS = 12  # raster devices: outlined polygons are drawn in this many layers (÷ colour classes)
PATH_PX = 256.0  # raster devices: polygons this big are filled as antialiased Qt paths, smaller ones by
# the scanline filler (hygis.ui.render.scanfill), their edges covered by the outline
CHUNK_RINGS = 150  # antialiased paths are split into chunks of this many rings (same reason)
CHUNK_RINGS_NOAA = 20_000  # non-antialiased paths are built in chunks too (a 3 M-vertex path's
# QDataStream copies cost twice as much as 20 small ones), then drawn fills first, outlines second
AA_LINE_PX = 48.0  # raster devices: thin solid lines shorter than this (bbox, pixels) are 1-pixel numpy
# strokes, longer ones antialiased Qt paths
CHUNK_LINES = 20_000  # line parts per path: strokes, unlike antialiased fills, do not slow down with
# many subpaths, and fewer paths cost fewer QDataStream copies
PARALLEL_ROWS = 50_000  # raster devices: from this many filled polygons up, the fills and thin outlines of the
# draw layers are computed in worker threads (numpy releases the GIL), then drawn in order — when a core is
# free for them (geometry.use_threads)
MARKER_LIMIT = 20_000  # more visible points than this are splatted, not drawn as vector markers
SPLAT_ALPHA_MIN = 160


class VectorRenderer:
    """Base renderer: caches of one vector layer plus the drawing of each family."""

    families: tuple[str, ...] = ("polygon", "line", "point")

    def __init__(self, layer):
        self.layer = layer
        self._lock = threading.RLock()
        self.stale_family = False
        self._clear()
        ev = layer.events
        ev.data.connect(self._on_data)
        ev.style.connect(self._on_style)
        ev.filter.connect(self._on_filter)

    def close(self) -> None:
        ev = self.layer.events
        ev.data.disconnect(self._on_data)
        ev.style.disconnect(self._on_style)
        ev.filter.disconnect(self._on_filter)

    # -- caches -------------------------------------------------------------------------------
    def _clear(self) -> None:
        self._geom: dict[str, object] = {}
        self._classes = None
        self._mask = None
        self._anchors = None

    def _on_data(self, *_) -> None:
        with self._lock:
            self._clear()
            self.stale_family = True  # the layer may now hold another geometry family

    def _on_style(self, *_) -> None:
        with self._lock:
            self._classes = None

    def _on_filter(self, *_) -> None:
        with self._lock:
            self._mask = None

    def geometry(self, family: str):
        """Projected flattened geometry of one family (cached until the layer's data changes)."""
        with self._lock:
            if family not in self._geom:
                flat = getattr(self.layer, "flat", None)
                if flat is not None:  # drawn straight from the reader's arrays: no shapely objects
                    empty = geometry.Rings(np.zeros(0), np.zeros(0), np.zeros(1, np.int64), np.zeros(0, np.int64),
                                           np.full((flat.n, 4), np.nan))
                    if flat.family != family:
                        built = empty if family != "point" else geometry.Points(
                            np.zeros(0), np.zeros(0), np.zeros(0, np.int64), empty.bbox)
                    elif family == "point":
                        built = geometry.points_from_flat(flat)
                    else:
                        built = geometry.rings_from_flat(flat)
                    self._geom[family] = built
                    return built
                geoms = self.layer.data.geometry.to_numpy()
                build = {"polygon": geometry.polygon_rings, "line": geometry.line_parts,
                         "point": geometry.points}[family]
                self._geom[family] = build(geoms)
            return self._geom[family]

    def rows_mask(self) -> np.ndarray:
        """Rows passing the layer filter."""
        with self._lock:
            if self._mask is None:
                n = self.layer.feature_count
                rows = getattr(self.layer, "filters_rows", bool(self.layer.filter))
                self._mask = np.asarray(self.layer.filter_mask(), bool) if rows else np.ones(n, bool)
            return self._mask

    def classes(self) -> tuple[np.ndarray, np.ndarray]:
        """(class code per row, (K, 4) RGBA per class) of the style's colour per feature."""
        with self._lock:
            if self._classes is None:
                style = self.layer.style
                default = style.stroke if self.families == ("line",) else style.fill
                if (style.mode == "single" or not style.field) and \
                        ILLUSTRATIVE_FIELD not in getattr(self.layer, "fields", (ILLUSTRATIVE_FIELD,)):
                    # one class, as feature_classes gives it, without reading the attributes
                    codes, uniques, marks = np.zeros(self.layer.feature_count, np.int64), [default or style.fill], [False]
                else:
                    data = getattr(self.layer, "attributes", None)
                    data = self.layer.data if data is None else data
                    codes, uniques, marks = feature_classes(style, data, default)
                # one tuple: a frame drawn in the render thread while the UI thread changes the style
                # gets codes, colours and marks of one computation
                self._classes = (codes, np.array([parse_color(c) for c in uniques] or [(0, 0, 0, 0)]),
                                 np.asarray(marks or [False], bool))
            return self._classes[:2]

    @property
    def _marks(self) -> np.ndarray:
        """Per class: illustrative (示意)."""
        with self._lock:
            self.classes()
            return self._classes[2]

    def class_symbol(self, k: int) -> tuple[str, str]:
        """(dash, hatch) of class ``k``: illustrative (示意) classes are dashed and hatched."""
        marks = self._marks
        return class_symbol(self.layer.style, bool(marks[k]) if k < len(marks) else False)

    # -- drawing ----------------------------------------------------------------------------
    def draw(self, painter: QPainter, view, labels=None) -> None:
        """Draw the layer's visible features for ``view`` (painter in view pixels)."""
        if self.layer.feature_count == 0:
            return
        ok = self.rows_mask()
        for family in self.families:
            getattr(self, f"_draw_{family}")(painter, view, ok, labels)

    def _split(self, bbox: np.ndarray, ok: np.ndarray, view):
        vis = ok & geometry.visible_rows(bbox, view.bounds)
        size = np.fmax(bbox[:, 2] - bbox[:, 0], bbox[:, 3] - bbox[:, 1]) / view.res
        with np.errstate(invalid="ignore"):
            tiny = vis & (size < TINY_PX)
        return vis, tiny, vis & ~tiny

    def _splat(self, painter, view, bbox, rows, argb, block: int = 1) -> None:
        px, py = view.to_pixels((bbox[rows, 0] + bbox[rows, 2]) / 2, (bbox[rows, 1] + bbox[rows, 3]) / 2)
        img = paths.splat_image(px, py, argb, view.width, view.height, block)
        if img is not None:
            painter.drawImage(paths.full_rect(view.width, view.height), img)

    def _splat_colors(self, colors: np.ndarray, stroke: str) -> np.ndarray:
        """Colour of a sub-pixel feature per class: its fill, or the stroke when the fill is faint."""
        rgba = colors.astype(float).copy()
        faint = rgba[:, 3] < SPLAT_ALPHA_MIN
        if faint.any():
            s = np.array(parse_color(stroke), float)
            rgba[faint] = s if s[3] > 0 else np.append(rgba[faint, :3], SPLAT_ALPHA_MIN)
        return paths.premultiplied(rgba)

    def _class_paths(self, rings, ring_ids, codes, view, chunk: int | None = None):
        """Yield (class, QPainterPath) for the rings ``ring_ids`` grouped by colour class,
        each class split into paths of at most ``chunk`` rings."""
        ring_cls = codes[rings.feature[ring_ids]]
        for k in pixels.present(ring_cls):
            ids = ring_ids if len(ring_cls) and ring_cls.min() == ring_cls.max() else ring_ids[ring_cls == k]
            idx, starts = paths.gather(rings.starts, ids)
            px, py = view.to_pixels(rings.x[idx], rings.y[idx])
            px, py, starts = paths.decimate(px, py, starts, size=(view.width, view.height))
            step = chunk or len(starts)
            for a in range(0, len(starts) - 1, step):
                s = starts[a:min(a + step, len(starts) - 1) + 1]
                yield int(k), paths.rings_path(px[s[0]:s[-1]], py[s[0]:s[-1]], s - s[0])

    def _draw_polygon(self, painter, view, ok, labels) -> None:
        rings = self.geometry("polygon")
        if len(rings.feature) == 0:
            return
        vis, tiny, big = self._split(rings.bbox, ok, view)
        if pixels.pixel_ratio(painter) is not None:
            self._draw_polygon_pixels(painter, view, rings, vis)
        else:
            self._draw_polygon_paths(painter, view, rings, tiny, big)
        if labels is not None:
            self._collect_labels(labels, view, np.flatnonzero(big), "polygon")

    def _draw_polygon_pixels(self, painter, view, rings, vis) -> None:
        """Raster devices: fills of all but the biggest polygons by the scanline filler (exact
        pixel-centre coverage: a tiling shows no holes at any scale), outlines where visible."""
        style = self.layer.style
        with self._lock:
            codes, colors = self.classes()
            marks = self._marks
        size = np.fmax(rings.bbox[:, 2] - rings.bbox[:, 0], rings.bbox[:, 3] - rings.bbox[:, 1]) / view.res
        hatch = symbols.hatch_brush(style.stroke, style.hatch)
        with np.errstate(invalid="ignore"):
            outlined = vis & (size >= OUTLINE_PX)
            dots = vis & ~outlined
            # hatched fills need Qt's pattern brush (so do illustrative 示意 features: dashed and
            # hatched); the biggest polygons keep antialiased edges
            illustrative = marks[codes]  # per row, like ``size``
            by_path = outlined & ((size >= PATH_PX) | (hatch is not None) | illustrative)
        filled = outlined & ~by_path
        parts, masks, outlines, covered = [], [], [], None
        if filled.any():
            fill = colors if not style.stroke_by_class else np.array([parse_color(style.fill)] * len(colors))
            argb = paths.premultiplied(fill)
            # in a few layers of draw order, fills then outlines: later features cover the outlines
            # of earlier ones as in a feature-by-feature drawing (one fill pass per class and layer)
            rows = np.flatnonzero(filled)
            layers = max(1, min(ORDER_LAYERS // len(pixels.present(codes[rows])), len(rows) // 20_000))
            # occlusion: many layers deep, most features lie wholly under what later layers paint
            # opaquely — their fills when opaque, their 1-pixel outlines when the stroke is opaque —
            # and those features are skipped (what is drawn is the same, pixel for pixel; a
            # translucent fill alone would need a dozen layers above it to hide anything)
            parts = np.array_split(rows, layers)
            opaque = bool(np.all((argb[pixels.present(codes[rows])] >> 24) == 255))
            opaque_lines = self._opaque_thin_outlines(colors, codes[rows])
            if (opaque or opaque_lines) and layers > 1:
                boxes = pixels.box_pixels(painter, view, rings.bbox[rows])
                dev, _ = pixels.device_view(painter, view)
                area = np.sum((boxes[:, 2] - boxes[:, 0] + 1) * (boxes[:, 3] - boxes[:, 1] + 1))
                cull = area > CULL_DEPTH * dev.width * dev.height
            else:
                cull = False
            if cull:
                where = np.zeros(len(filled), np.int64)
                where[rows] = np.arange(len(rows))
                sat = np.zeros((dev.height + 1, dev.width + 1), np.int32)  # pixels.hidden's table, reused
            masks, outlines = [None] * len(parts), [None] * len(parts)
            dview = pixels.device_view(painter, view)[0]
            parallel = len(rows) >= PARALLEL_ROWS and geometry.use_threads()
            for i in reversed(range(len(parts))):  # top layer first: what it covers hides the rest
                if cull and covered is not None:
                    parts[i] = parts[i][~pixels.hidden(boxes[where[parts[i]]], covered, sat)]
                ids = np.flatnonzero(_mask(len(filled), parts[i])[rings.feature])
                masks[i] = _job(pixels.masks, dview, rings, ids, codes[rings.feature[ids]])
                # the layer's thin outlines as well (computed in worker threads when parallel, drawn in order below)
                outlines[i] = self._thin_outline_job(dview, rings, _mask(len(filled), parts[i]), size, codes)
                if not cull:
                    continue
                # culling needs the opaque pixels of each layer at once
                for opaque_part, jobs in ((opaque, masks), (opaque_lines, outlines)):
                    if opaque_part and jobs[i] is not None:
                        jobs[i] = _done(jobs[i]())
                        for _, m in jobs[i]():
                            covered = m.copy() if covered is None else np.logical_or(covered, m, out=covered)
            if parallel:
                masks = _in_threads(masks)
                outlines = _in_threads(outlines)
        if dots.any():  # too small for an outline: one colour, as fill + outline would look
            if covered is not None:  # dots are drawn first: hidden under what the layers above paint opaquely
                rows = np.flatnonzero(dots)
                dots = _mask(len(dots), rows[~pixels.hidden(pixels.box_pixels(painter, view, rings.bbox[rows]),
                                                            covered)])
            ids = np.flatnonzero(dots[rings.feature])
            pixels.fill(painter, view, rings, ids, codes[rings.feature[ids]], self._splat_colors(colors, style.stroke),
                        splat=True)
        for part, part_masks, outline in zip(parts, masks, outlines or [None] * len(parts)):
            pixels.blit_masks(painter, part_masks(), argb)
            self._outline_rings(painter, view, rings, _mask(len(filled), part), size, codes, colors, outline)
        if by_path.any():
            aa = painter.testRenderHint(QPainter.RenderHint.Antialiasing)
            self._fill_rings(painter, view, rings, by_path, codes, colors, CHUNK_RINGS)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, aa)

    def _opaque_thin_outlines(self, colors, codes) -> bool:
        """Whether the 1-pixel outlines of features of the class ``codes`` are opaque (they then hide
        what lies under them wholly: see :meth:`_draw_polygon_pixels`)."""
        style = self.layer.style
        if style.width <= 0 or not (style.width <= 1.0 and style.dash in ("solid", "", None)):
            return False
        if style.stroke_by_class:
            return bool(np.all(colors[pixels.present(codes), 3] == 255))
        return parse_color(style.stroke)[3] == 255

    def _thin_outline_job(self, dview, rings, rows_mask, size, codes):
        """A callable giving the masks of what :meth:`_outline_rings` draws as 1-pixel numpy lines for
        ``rows_mask`` (safe in a worker thread), or None when it draws none."""
        style = self.layer.style
        if style.width <= 0 or (not style.stroke_by_class and parse_color(style.stroke)[3] == 0):
            return None
        if not (style.width <= 1.0 and style.dash in ("solid", "", None)):
            return None
        with np.errstate(invalid="ignore"):
            small = rows_mask & (size < AA_OUTLINE_PX)
        ring_ids = np.flatnonzero(small[rings.feature])
        cls = codes[rings.feature[ring_ids]] if style.stroke_by_class else np.zeros(len(ring_ids), np.int64)
        return _job(pixels.stroke_masks, dview, rings, ring_ids, cls)

    def _outline_rings(self, painter, view, rings, rows_mask, size, codes, colors, thin=None) -> None:
        """Outlines (no fill) of the rings of ``rows_mask``: antialiased from :data:`AA_OUTLINE_PX` up
        (``thin``: the masks of the 1-pixel lines, from :meth:`_thin_outline_job`, when made already)."""
        style = self.layer.style
        if style.width <= 0 or (not style.stroke_by_class and parse_color(style.stroke)[3] == 0):
            return
        aa = painter.testRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(QBrush(Qt.BrushStyle.NoBrush))
        with np.errstate(invalid="ignore"):
            small = rows_mask & (size < AA_OUTLINE_PX)
        solid_thin = style.width <= 1.0 and style.dash in ("solid", "", None)
        for part, smooth in ((small, False), (rows_mask & ~small, aa)):
            if not part.any():
                continue
            ring_ids = np.flatnonzero(part[rings.feature])
            if solid_thin and not smooth:  # 1-pixel lines without antialiasing: numpy, ~3× faster than Qt
                argb = paths.premultiplied(colors if style.stroke_by_class else np.array([parse_color(style.stroke)]))
                if thin is not None and part is small:
                    pixels.blit_masks(painter, thin(), argb)
                    continue
                cls = codes[rings.feature[ring_ids]] if style.stroke_by_class else np.zeros(len(ring_ids), np.int64)
                pixels.stroke(painter, view, rings, ring_ids, cls, argb)
                continue
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, smooth)
            for k, path in self._class_paths(rings, ring_ids, codes, view, CHUNK_RINGS_NOAA):
                painter.setPen(symbols.pen(tuple(colors[k]) if style.stroke_by_class else style.stroke,
                                           style.width, style.dash))
                painter.drawPath(path)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, aa)

    def _draw_polygon_paths(self, painter, view, rings, tiny, big) -> None:
        """Vector devices (SVG, PDF): every polygon as a path (sub-pixel ones as splats)."""
        style = self.layer.style
        codes, colors = self.classes()
        size = np.fmax(rings.bbox[:, 2] - rings.bbox[:, 0], rings.bbox[:, 3] - rings.bbox[:, 1]) / view.res
        with np.errstate(invalid="ignore"):
            dots = big & (size < DOT_PX)
            big = big & ~dots
            small = big & (size < SMALL_PX)
        argb = self._splat_colors(colors, style.stroke)
        for mask, block in ((tiny, 1), (dots, 2)):
            if mask.any():
                rows = np.flatnonzero(mask)
                self._splat(painter, view, rings.bbox, rows, argb[codes[rows]], block)
        aa = painter.testRenderHint(QPainter.RenderHint.Antialiasing)
        for part, chunk in ((small, CHUNK_RINGS_NOAA), (big & ~small, CHUNK_RINGS)):
            if part.any():
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, aa and chunk == CHUNK_RINGS)
                self._fill_rings(painter, view, rings, part, codes, colors, chunk)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, aa)

    def _fill_rings(self, painter, view, rings, rows_mask, codes, colors, chunk) -> None:
        style = self.layer.style
        ring_ids = np.flatnonzero(rows_mask[rings.feature])
        groups: dict[int, list] = {}
        for k, path in self._class_paths(rings, ring_ids, codes, view, chunk):
            groups.setdefault(k, []).append(path)
        no_pen, no_brush = QPen(Qt.PenStyle.NoPen), QBrush(Qt.BrushStyle.NoBrush)
        for k, class_paths in groups.items():
            color = tuple(colors[k])
            dash, hatch_name = self.class_symbol(k)
            hatch = symbols.hatch_brush(style.stroke, hatch_name)
            pen = symbols.pen(color if style.stroke_by_class else style.stroke, style.width, dash)
            brush = symbols.brush(style.fill if style.stroke_by_class else color)
            if len(class_paths) == 1 or chunk != CHUNK_RINGS_NOAA:
                for path in class_paths:
                    self._fill_path(painter, path, pen, brush, hatch)
                continue
            # all fills of the class, then all its outlines: the pixels of one big path (whose
            # QDataStream copy alone costs ~0.2 s per million vertices), outlines on top
            for path in class_paths:
                self._fill_path(painter, path, no_pen, brush, hatch)
            painter.setPen(pen)
            painter.setBrush(no_brush)
            for path in class_paths:
                painter.drawPath(path)

    @staticmethod
    def _fill_path(painter, path, pen, brush, hatch) -> None:
        painter.setPen(pen)
        painter.setBrush(brush)
        painter.drawPath(path)
        if hatch is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(hatch)
            painter.drawPath(path)

    def _draw_line(self, painter, view, ok, labels) -> None:
        parts = self.geometry("line")
        if len(parts.feature) == 0:
            return
        style = self.layer.style
        codes, colors = self.classes()
        if self.families != ("line",):  # mixed layer: lines take the stroke unless classified
            colors = colors if style.mode != "single" else np.array([parse_color(style.stroke)])
        vis, tiny, big = self._split(parts.bbox, ok, view)
        if tiny.any():
            rows = np.flatnonzero(tiny)
            rgba = colors.astype(float).copy()
            rgba[:, 3] = np.maximum(rgba[:, 3], SPLAT_ALPHA_MIN)
            self._splat(painter, view, parts.bbox, rows, paths.premultiplied(rgba)[codes[rows]])
        if big.any() and pixels.pixel_ratio(painter) is not None and style.width <= 1.0:
            # short thin lines: 1-pixel numpy strokes (Qt strokes of a million short paths cost seconds);
            # long ones and dashed (illustrative) classes stay antialiased Qt paths
            size = np.fmax(parts.bbox[:, 2] - parts.bbox[:, 0], parts.bbox[:, 3] - parts.bbox[:, 1]) / view.res
            with np.errstate(invalid="ignore"):
                short = big & (size < AA_LINE_PX) & ~self._dashed()[codes]
            if short.any():
                ids = np.flatnonzero(short[parts.feature])
                pixels.stroke(painter, view, parts, ids, codes[parts.feature[ids]], paths.premultiplied(colors))
                big = big & ~short
        if big.any():
            painter.setBrush(Qt.BrushStyle.NoBrush)
            ring_ids = np.flatnonzero(big[parts.feature])
            for k, path in self._class_paths(parts, ring_ids, codes, view, CHUNK_LINES):
                painter.setPen(symbols.pen(tuple(colors[k]), max(style.width, 0.5), self.class_symbol(k)[0]))
                painter.drawPath(path)
        if labels is not None:
            self._collect_labels(labels, view, np.flatnonzero(big), "line")

    def _dashed(self) -> np.ndarray:
        """Per class: whether its pen is not solid (dashed styles, illustrative classes)."""
        return np.array([self.class_symbol(k)[0] not in ("solid", "", None) for k in range(len(self._marks))])

    def _draw_point(self, painter, view, ok, labels) -> None:
        pts = self.geometry("point")
        if len(pts.feature) == 0:
            return
        style = self.layer.style
        codes, colors = self.classes()
        keep = ok[pts.feature] & geometry.visible_rows(
            np.column_stack([pts.x, pts.y, pts.x, pts.y]), view.bounds, style.size * view.res)
        if not keep.any():
            return
        px, py = view.to_pixels(pts.x[keep], pts.y[keep])
        cls = codes[pts.feature[keep]]
        if keep.sum() > MARKER_LIMIT:
            block = max(1, int(style.size / 2))
            img = paths.splat_image(px, py, paths.premultiplied(colors)[cls], view.width, view.height, block)
            if img is not None:
                painter.drawImage(paths.full_rect(view.width, view.height), img)
        else:
            marker = symbols.marker_path(style.marker, style.size)
            for k in pixels.present(cls):
                pen, brush = symbols.marker_symbol(tuple(colors[k]), style.stroke,
                                                   self.class_symbol(k)[0] != style.dash)
                painter.setPen(pen)
                painter.setBrush(brush)
                sel = cls == k
                for x, y in zip(px[sel].tolist(), py[sel].tolist()):
                    painter.drawPath(marker.translated(x, y))
        if labels is not None:  # at the first point of each feature
            rows, first = np.unique(pts.feature[keep], return_index=True)
            self._collect_labels(labels, view, rows, "point", (px[first], py[first]))

    # -- selection and labels --------------------------------------------------------------
    def draw_selection(self, painter: QPainter, view) -> None:
        """Highlight the layer's selected features (yellow outline / ring)."""
        sel = self.layer.selection
        if not sel:
            return
        pos = self.layer.data.index.get_indexer(sorted(sel))
        chosen = np.zeros(len(self.layer.data), bool)
        chosen[pos[pos >= 0]] = True
        yellow = symbols.SELECTION
        for family in self.families:
            if family == "point":
                pts = self.geometry("point")
                keep = chosen[pts.feature]
                px, py = view.to_pixels(pts.x[keep], pts.y[keep])
                painter.setPen(symbols.pen((255, 212, 0, 255), 3.0))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                r = self.layer.style.size / 2 + 3
                for x, y in zip(np.atleast_1d(px).tolist(), np.atleast_1d(py).tolist()):
                    painter.drawEllipse(QPointF(x, y), r, r)
                continue
            rings = self.geometry(family)
            ring_ids = np.flatnonzero(chosen[rings.feature])
            if len(ring_ids) == 0:
                continue
            idx, starts = paths.gather(rings.starts, ring_ids)
            px, py = view.to_pixels(rings.x[idx], rings.y[idx])
            path = paths.rings_path(px, py, starts)
            painter.setPen(symbols.pen((255, 212, 0, 255), 3.0))
            painter.setBrush(QBrush(QColor(yellow.red(), yellow.green(), yellow.blue(), 70))
                             if family == "polygon" else QBrush(Qt.BrushStyle.NoBrush))
            painter.drawPath(path)

    def label_anchors(self, rows: np.ndarray, family: str) -> tuple[np.ndarray, np.ndarray]:
        """Label positions (canvas metres) of ``rows``: point on surface, line middle, or the point."""
        return featurelabels.anchors(self, rows, family)

    def _collect_labels(self, labels, view, rows: np.ndarray, family: str, at=None) -> None:
        featurelabels.collect(self, labels, view, rows, family, at)


def _job(func, *args):
    """``func(*args)`` as a callable (run later, here or in a worker thread)."""
    return lambda: func(*args)


def _done(value):
    return lambda: value


def _in_threads(jobs: list) -> list:
    """Start the callables ``jobs`` (None kept) in the worker threads; getters of their results, in order.
    The jobs are numpy-only (no painter, no Qt), which releases the GIL for its big loops."""
    pool = geometry.worker_pool()
    futures = [pool.submit(job) if job is not None else None for job in jobs]
    return [f.result if f is not None else None for f in futures]


def _mask(n: int, rows: np.ndarray) -> np.ndarray:
    out = np.zeros(n, bool)
    out[rows] = True
    return out


class PolygonRenderer(VectorRenderer):
    families = ("polygon",)


class LineRenderer(VectorRenderer):
    families = ("line",)


class PointRenderer(VectorRenderer):
    families = ("point",)


def renderer_for_family(family: str):
    """The renderer class for a layer's ``geometry_type``."""
    return {"polygon": PolygonRenderer, "line": LineRenderer, "point": PointRenderer}.get(family, VectorRenderer)
