"""Build the sample project ``sample_projects/hangzhou_ningbo.hygis`` from ``tools/sample_data``.

The facts come from ``assets/reference/REFERENCE.md`` (a copy of the shared reference, with
sources); every feature carries its ``source``. Output is deterministic: fixed layer ids,
features in a fixed order, shapes computed by fixed-iteration numerics.

Usage::

    python tools/build_sample_project.py [--out PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
TOOLS = Path(__file__).resolve().parent
for p in (str(ROOT), str(TOOLS)):
    if p not in sys.path:
        sys.path.insert(0, p)

from hygis.geo import crs as hcrs  # noqa: E402
from hygis.layers.vector import VectorLayer  # noqa: E402
from hygis.project import Project  # noqa: E402
from hygis.project.scenarios import Scenario  # noqa: E402
from hygis.project.targets import PlanTarget  # noqa: E402
from hygis.project.fileformat import save_project
from sample_data.coastline import COASTLINE  # noqa: E402
from sample_data.corridors import CORRIDORS  # noqa: E402
from sample_data.enclaves import ENCLAVES  # noqa: E402
from sample_data.ftz import FTZ  # noqa: E402
from sample_data.heritage import HERITAGE  # noqa: E402
from sample_data.scenarios import BAY_EXTENT, SCENARIOS  # noqa: E402
from sample_data.shapes import build_geometry  # noqa: E402
from sample_data.targets import TARGETS  # noqa: E402

DEFAULT_OUT = ROOT / "sample_projects" / "hangzhou_ningbo.hygis"
TITLE = "杭甬“双城记”2025 规划示范项目"
REFERENCE = "assets/reference/REFERENCE.md"

#: (layer id = kind, layer name, features, default filter), in draw order (bottom first).
LAYERS = (
    ("corridor", "科创走廊", CORRIDORS, "superseded is None"),
    ("ftz", "自贸片区", FTZ, ""),
    ("coastline", "生态海岸带", COASTLINE, ""),
    ("heritage", "运河遗产", HERITAGE, ""),
    ("enclave", "飞地", ENCLAVES, ""),
)
LAYER_IDS = tuple(row[0] for row in LAYERS)
#: Extra (non-schema) integer fields kept as nullable integers.
INT_FIELDS = ("plan_year", "superseded", "year", "year_opened")


def features_frame(features: list[dict]) -> gpd.GeoDataFrame:
    """A WGS84 GeoDataFrame of plain-data features (attributes + ``shape`` spec)."""
    rows = [{k: v for k, v in f.items() if k != "shape"} for f in features]
    geoms = [build_geometry(f["shape"]) for f in features]
    frame = pd.DataFrame(rows)
    for col in INT_FIELDS:
        if col in frame.columns:
            frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=hcrs.WGS84), crs=hcrs.WGS84)


def build_project() -> Project:
    """The sample project in memory (layers, scenarios, targets, extent)."""
    project = Project(title=TITLE)
    for kind, name, features, default_filter in LAYERS:
        layer = VectorLayer(name, features_frame(features), kind=kind, filter=default_filter,
                            source=f"{REFERENCE}; built by tools/build_sample_project.py", layer_id=kind)
        project.layers.append(layer)
    for spec in SCENARIOS:
        project.scenarios.add(Scenario.from_dict(spec))
    project.set_targets([PlanTarget.from_dict(t) for t in TARGETS])
    project.extent = BAY_EXTENT
    return project


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    project = build_project()
    path = save_project(project, args.out)
    counts = ", ".join(f"{layer.name} {layer.feature_count}" for layer in project.layers)
    print(f"wrote {path} ({path.stat().st_size / 1e3:.0f} kB): {counts}; "
          f"{len(project.scenarios)} scenarios, {len(project.targets)} targets")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
