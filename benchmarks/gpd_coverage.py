"""The geopandas peer of ``hygis analyze coverage``: overlay + dissolve, as a desktop GIS user does it.

``python benchmarks/gpd_coverage.py TARGETS ZONES`` prints ``zone<TAB>covered km²`` per zone
(zones grouped by ``name``; areas in hygis's equal-area CRS, the same definition).
"""

import sys

import geopandas as gpd

EQUAL_AREA = "+proj=aea +lat_0=0 +lon_0=120.5 +lat_1=27 +lat_2=31 +ellps=WGS84 +units=m +no_defs"


def main(targets: str, zones: str) -> None:
    t = gpd.read_file(targets).to_crs(EQUAL_AREA)
    z = gpd.read_file(zones)[["name", "geometry"]].to_crs(EQUAL_AREA)
    pieces = gpd.overlay(t, z, how="intersection")
    for name, km2 in (pieces.dissolve(by="name").area / 1e6).items():
        print(f"{name}\t{km2!r}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
