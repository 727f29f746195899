"""``hygis analyze``: coverage, adjacency, enclave counts and plan targets from the command line.

Thin wrappers over :mod:`hygis.analysis.registry`; no Qt anywhere (runs on a
server without a display).  Examples::

    hygis analyze coverage plan.hygis --layer 自贸片区 --zones basemap:district --format csv
    hygis analyze adjacency plan.hygis --layer 自贸片区 --with plan.hygis --with-layer 科创走廊 --distance 5000
    hygis analyze enclaves plan.hygis --as-of 2025 --target 50
    hygis analyze targets plan.hygis --format json
"""

from __future__ import annotations

import argparse

from hygis.cli import command_group
from hygis.core.errors import HygisError

# Start-up: nothing heavy here.  The analyses, their readers and pandas load inside the
# command functions, so ``hygis analyze ...`` parses its arguments before any of them.
FORMATS = ("table", "csv", "json")  # = hygis.analysis.output.FORMATS (a test checks)


def register(subparsers) -> None:
    """Add the ``analyze`` command and its sub-commands to the hygis CLI."""
    sub = command_group(subparsers, "analyze", help="run an analysis (coverage, adjacency, enclaves, targets)",
                        description="Run one of hygis's plan analyses and print the result.",
                        dest="analysis", metavar="ANALYSIS")

    cov = sub.add_parser("coverage", help="share of each zone covered by the target features")
    cov.add_argument("target", metavar="TARGET", help="a .hygis project or any vector file")
    cov.add_argument("--layer", help="layer of TARGET (by name)")
    cov.add_argument("--zones", required=True, help="basemap:district, basemap:city, a .hygis or a vector file")
    cov.add_argument("--zones-layer", help="layer of ZONES (by name)")
    cov.add_argument("--by", help="zone field naming the zones (default: name)")
    cov.add_argument("--buffer", type=float, default=0.0, metavar="METRES", help="buffer the targets (metres)")
    cov.add_argument("--weights", help="population weights: a numeric zone field or a raster file")
    cov.add_argument("--denominator", choices=("drawn", "official"), default="drawn",
                     help="divide shares by the drawn zone polygon (incl. tidal flats; default) or by the "
                          "official land area where known (assets/reference/official_land_areas.csv)")
    _engine_options(cov)
    _format_option(cov)
    cov.set_defaults(func=_coverage)

    adj = sub.add_parser("adjacency", help="pairs that touch, overlap or lie within a distance")
    adj.add_argument("a", metavar="A", help="a .hygis project or any vector file")
    adj.add_argument("--layer", help="layer of A (by name)")
    adj.add_argument("--with", dest="b", metavar="B", help="second layer's file (default: pairs within A)")
    adj.add_argument("--with-layer", dest="b_layer", help="layer of B (by name)")
    adj.add_argument("--distance", type=float, metavar="METRES", help="also pairs within this distance (metres)")
    _engine_options(adj, postgis=False)
    _format_option(adj)
    adj.set_defaults(func=_adjacency)

    enc = sub.add_parser("enclaves", help="enclave counts against the target (50 by 2025)")
    enc.add_argument("project", metavar="PROJECT", help="a .hygis project (its enclave layers are counted)")
    enc.add_argument("--as-of", metavar="YEAR", help="count enclaves operating in this year")
    enc.add_argument("--target", help="target number (default: the project's, else 50)")
    enc.add_argument("--count-hangzhou-ningbo", choices=("yes", "no"),
                     help="count 杭州↔宁波 enclaves (default: the project's setting, normally no)")
    enc.add_argument("--by-pair", action="store_true",
                     help="count per origin → host city pair (互设飞地) instead of the report")
    _format_option(enc)
    enc.set_defaults(func=_enclaves)

    tgt = sub.add_parser("targets", help="the plan targets dashboard (baseline, latest, target, progress)")
    tgt.add_argument("project", metavar="PROJECT", help="a .hygis project")
    tgt.add_argument("--as-of", metavar="YEAR", help="year of the enclave count")
    _format_option(tgt)
    tgt.set_defaults(func=_targets)


def _format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")


def _engine_options(parser: argparse.ArgumentParser, postgis: bool = True) -> None:
    engines = ("local", "dask", "postgis") if postgis else ("local", "dask")
    parser.add_argument("--engine", choices=engines, default="local",
                        help="local (in this process, default); dask: partitioned inputs (a GeoParquet folder or "
                             "postgresql://…#schema.table) on dask.distributed"
                             + ("; postgis: SQL in the database holding both tables" if postgis else ""))
    parser.add_argument("--scheduler", metavar="ADDRESS", help="dask scheduler (tcp://host:8786; default: a local cluster)")


def _coverage(args) -> int:
    if args.engine == "local":  # plain files of polygons: no pandas/geopandas in the process
        from hygis.analysis.lean_coverage import coverage_text

        text = coverage_text(args)
        if text is not None:
            print(text)
            from hygis.cli import allow_quick_exit

            allow_quick_exit()  # (plain arrays and geometries only: nothing to close)
            return 0
    from hygis.analysis import output, registry
    from hygis.analysis.engines import cli as engines

    if args.engine != "local" or engines.is_engine_spec(args.target) or engines.is_engine_spec(args.zones):
        print(output.render_frame(engines.coverage(args), args.format))
        return 0
    from hygis.analysis.sources import load_layer_frame

    targets, _ = load_layer_frame(args.target, args.layer)
    zones, _ = load_layer_frame(args.zones, args.zones_layer)
    result = registry.get("coverage").run(targets=targets, zones=zones, by=args.by, buffer_m=args.buffer,
                                          weights=args.weights, denominator=args.denominator)
    print(output.render_frame(result, args.format))
    return 0


def _adjacency(args) -> int:
    from hygis.analysis import output, registry
    from hygis.analysis.engines import cli as engines

    if args.engine != "local" or engines.is_engine_spec(args.a) or engines.is_engine_spec(args.b):
        print(output.render_frame(engines.adjacency(args), args.format))
        return 0
    from hygis.analysis.sources import load_layer_frame

    a, _ = load_layer_frame(args.a, args.layer)
    b = None
    if args.b is not None or args.b_layer is not None:
        b, _ = load_layer_frame(args.b if args.b is not None else args.a, args.b_layer)
    result = registry.get("adjacency").run(a=a, b=b, distance_m=args.distance)
    print(output.render_frame(result, args.format))
    return 0


def _enclaves(args) -> int:
    from hygis.analysis import output, registry
    from hygis.analysis.enclaves import project_rule
    from hygis.analysis.sources import load_project

    project = load_project(args.project)
    layers = project.layers_of_kind("enclave")
    if not layers:
        raise HygisError(f"{args.project} has no enclave layer")
    rule = project_rule(project)
    if args.by_pair:
        values = dict(enclaves=layers, as_of=args.as_of, target_year=rule["target_year"],
                      count_hangzhou_ningbo=rule["count_hangzhou_ningbo"])
        if args.count_hangzhou_ningbo is not None:
            values["count_hangzhou_ningbo"] = args.count_hangzhou_ningbo == "yes"
        pairs = registry.get("enclave_pairs").run(**values)
        print(output.render_frame(pairs.drop(columns=[c for c in pairs.columns if c.endswith(("_lon", "_lat"))]),
                                  args.format))
        return 0
    values = dict(enclaves=[layer.data for layer in layers], as_of=args.as_of, **rule)
    if args.target is not None:
        values["target"] = args.target
    if args.count_hangzhou_ningbo is not None:
        values["count_hangzhou_ningbo"] = args.count_hangzhou_ningbo == "yes"
    result = registry.get("enclaves").run(**values)
    print(output.render_enclaves(result, args.format))
    return 0


def _targets(args) -> int:
    from hygis.analysis import output, registry
    from hygis.analysis.sources import load_project

    project = load_project(args.project)
    result = registry.get("targets").run(project=project, as_of=args.as_of)
    print(output.render_frame(result, args.format))
    return 0
