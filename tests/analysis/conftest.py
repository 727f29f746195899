"""Fixtures with hand-checkable numbers: squares built in the projection the answer is computed in.

Coverage fixtures are drawn in the equal-area CRS (areas exact); adjacency fixtures in
EPSG:4549 near its central meridian 120°E (lengths and distances true to ~1e-5).
"""

import geopandas as gpd
import pytest
import shapely

from hygis.geo import crs as hcrs

KM = 1000.0


def ea_origin():
    """Equal-area coordinates (metres) of 120.5°E, 29.5°N."""
    x, y = hcrs.transformer(hcrs.WGS84, hcrs.EQUAL_AREA).transform(120.5, 29.5)
    return round(x, -3), round(y, -3)


def ea_box(x0, y0, x1, y1):
    """A box given in km relative to :func:`ea_origin`."""
    ox, oy = ea_origin()
    return shapely.box(ox + x0 * KM, oy + y0 * KM, ox + x1 * KM, oy + y1 * KM)


def ea_frame(geoms, **cols):
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs=hcrs.EQUAL_AREA)


@pytest.fixture
def zones3():
    """Three 10 km × 10 km zones side by side: 甲 [0,10], 乙 [10,20], 丙 [20,30] (km); 100 km² each."""
    return ea_frame([ea_box(0, 0, 10, 10), ea_box(10, 0, 20, 10), ea_box(20, 0, 30, 10)],
                    name=["甲区", "乙区", "丙区"], population=[1000.0, 2000.0, 3000.0])


GK_X0, GK_Y0 = 500_000.0, 3_265_000.0  # EPSG:4549 near 120°E, 29.5°N


def gk_box(x0, y0, x1, y1):
    return shapely.box(GK_X0 + x0 * KM, GK_Y0 + y0 * KM, GK_X0 + x1 * KM, GK_Y0 + y1 * KM)


def gk_frame(geoms, **cols):
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs=hcrs.MAP_CRS)


def grid3x3(size_km=10.0):
    """A 3×3 grid of squares (EPSG:4549) named r0c0 … r2c2."""
    cells, names = [], []
    for r in range(3):
        for c in range(3):
            cells.append(gk_box(c * size_km, r * size_km, (c + 1) * size_km, (r + 1) * size_km))
            names.append(f"r{r}c{c}")
    return gk_frame(cells, name=names)
