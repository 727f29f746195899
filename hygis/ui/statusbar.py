"""The status bar: cursor lon/lat and CGCS2000 3° Gauss–Krüger metres, scale 1:N, CRS, measure result."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QStatusBar

from hygis.geo import crs as hcrs


def format_lonlat(lon: float, lat: float) -> tuple[str, str]:
    """('120.15432°E', '30.27411°N') with hemisphere letters."""
    ew = "E" if lon >= 0 else "W"
    ns = "N" if lat >= 0 else "S"
    return f"{abs(lon):.5f}°{ew}", f"{abs(lat):.5f}°{ns}"


class MapStatusBar(QStatusBar):
    """Permanent labels updated from the canvas signals (``set_cursor``, ``set_scale``, ``set_measure``)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.measure_label = QLabel()
        self.lonlat_label = QLabel()
        self.gk_label = QLabel()
        self.scale_label = QLabel()
        self.crs_label = QLabel()
        for label in (self.measure_label, self.lonlat_label, self.gk_label, self.scale_label, self.crs_label):
            self.addPermanentWidget(label)
        self._cursor: tuple[float, float] | None = None
        self._scale: float | None = None
        self._measure = ""
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.crs_label.setText("EPSG:4549")
        self.crs_label.setToolTip(self.tr("Map projection of the canvas: CGCS2000 / 3-degree Gauss–Krüger CM 120°E"))
        self.gk_label.setToolTip(self.tr("CGCS2000 3-degree Gauss–Krüger coordinates, metres "
                                         "(easting carries the zone number)"))
        metrics = self.fontMetrics()
        samples = ((self.lonlat_label, self.tr("Lon {lon}  Lat {lat}").format(lon="122.88888°E", lat="30.88888°N")),
                   (self.gk_label, self.tr("GK zone {zone}: X {x:,.0f}  Y {y:,.0f} m").format(
                       zone=41, x=41_888_888, y=3_888_888)),
                   (self.scale_label, self.tr("Scale 1:{n:,.0f}").format(n=88_888_888)))
        for label, text in samples:  # fixed widths: the bar neither clips nor jitters while the mouse moves
            label.setMinimumWidth(metrics.horizontalAdvance(text) + 8)
        self._update_cursor()
        self._update_scale()
        self._update_measure()

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # -- slots --------------------------------------------------------------------------------
    def set_cursor(self, lon: float, lat: float) -> None:
        """Cursor position in WGS84 degrees."""
        self._cursor = (float(lon), float(lat))
        self._update_cursor()

    def set_scale(self, denominator: float) -> None:
        """Map scale 1:``denominator``."""
        self._scale = float(denominator)
        self._update_scale()

    def set_measure(self, text: str) -> None:
        self._measure = text or ""
        self._update_measure()

    # -- text ---------------------------------------------------------------------------------
    def _update_cursor(self) -> None:
        if self._cursor is None:
            self.lonlat_label.setText(self.tr("Lon —  Lat —"))
            self.gk_label.setText("")
            return
        lon, lat = self._cursor
        lon_t, lat_t = format_lonlat(lon, lat)
        self.lonlat_label.setText(self.tr("Lon {lon}  Lat {lat}").format(lon=lon_t, lat=lat_t))
        if -180 <= lon <= 180 and -90 < lat < 90:
            zone, east, north = hcrs.gauss_kruger_3deg(lon, lat)
            self.gk_label.setText(self.tr("GK zone {zone}: X {x:,.0f}  Y {y:,.0f} m").format(
                zone=zone, x=east, y=north))
        else:
            self.gk_label.setText("")

    def _update_scale(self) -> None:
        if self._scale is None or not self._scale > 0:
            self.scale_label.setText(self.tr("Scale —"))
        else:
            self.scale_label.setText(self.tr("Scale 1:{n:,.0f}").format(n=self._scale))

    def _update_measure(self) -> None:
        self.measure_label.setText(self.tr("Measure: {value}").format(value=self._measure) if self._measure else "")
