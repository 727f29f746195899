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

from hygis.analysis.enclave_pairs import flow_layer  # noqa: E402
from hygis.geo import crs as hcrs  # noqa: E402
from hygis.layers.style import ILLUSTRATIVE_FIELD, ILLUSTRATIVE_VALUE, Style  # noqa: E402
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
from sample_data.hubs import HUBS  # noqa: E402
from sample_data.platforms import NEWAREAS, PLATFORMS  # noqa: E402
from sample_data.transport import CANAL_LINE, TRANSPORT  # noqa: E402
from sample_data.scenarios import BAY_EXTENT, SCENARIOS  # noqa: E402
from sample_data.shapes import build_geometry  # noqa: E402
from sample_data.targets import TARGETS  # noqa: E402

DEFAULT_OUT = ROOT / "sample_projects" / "hangzhou_ningbo.hygis"
TITLE = "杭甬“双城记”2025 规划示范项目"
REFERENCE = "assets/reference/REFERENCE.md"

#: (layer id, kind, layer name, features, default filter), in draw order (bottom first).
LAYERS = (
    ("newarea", "newarea", "产业创新带", NEWAREAS, ""),
    ("corridor", "corridor", "科创走廊", CORRIDORS, "superseded is None"),
    ("ftz", "ftz", "自贸片区", FTZ, ""),
    ("coastline", "coastline", "生态海岸带", COASTLINE, ""),
    ("canal", "transport", "浙东运河", CANAL_LINE, ""),
    ("transport", "transport", "通勤圈交通", TRANSPORT, ""),
    ("heritage", "heritage", "运河遗产", HERITAGE, ""),
    ("hub", "hub", "四港联动", HUBS, ""),
    ("platform", "platform", "实验室", PLATFORMS, ""),
    ("enclave", "enclave", "飞地", ENCLAVES, ""),
)
LAYER_IDS = tuple(row[0] for row in LAYERS)
#: Extra (non-schema) integer fields kept as nullable integers.
INT_FIELDS = ("plan_year", "superseded", "year", "year_opened")
#: Extra float fields (None where no figure was published).
FLOAT_FIELDS = ("published_length_km", "published_area_km2")


def features_frame(features: list[dict]) -> gpd.GeoDataFrame:
    """A WGS84 GeoDataFrame of plain-data features (attributes + ``shape`` spec).

    A feature's ``illustrative`` flag becomes the ``data_status`` field ('illustrative' / 'sourced') that
    the renderer, legend, identify and slides mark as 示意.
    """
    rows = []
    for f in features:
        row = {k: v for k, v in f.items() if k not in ("shape", "illustrative")}
        row[ILLUSTRATIVE_FIELD] = ILLUSTRATIVE_VALUE if f.get("illustrative") else "sourced"
        rows.append(row)
    geoms = [build_geometry(f["shape"]) for f in features]
    frame = pd.DataFrame(rows)
    for col in INT_FIELDS:
        if col in frame.columns:
            frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    for col in FLOAT_FIELDS:
        if col in frame.columns:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=hcrs.WGS84), crs=hcrs.WGS84)


def build_project() -> Project:
    """The sample project in memory (layers, scenarios, targets, extent)."""
    project = Project(title=TITLE)
    for layer_id, kind, name, features, default_filter in LAYERS:
        layer = VectorLayer(name, features_frame(features), kind=kind, filter=default_filter,
                            source=f"{REFERENCE}; built by tools/build_sample_project.py", layer_id=layer_id)
        if layer_id == "canal":
            layer.style = Style(stroke="#1f78b4", width=3.5, label_field="name")
        project.layers.append(layer)
    enclaves = project.layers_of_kind("enclave")
    project.layers.insert(len(project.layers) - 1, flow_layer(enclaves, layer_id="flow"))  # under the enclave points
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
