"""``hygis layout PROJECT --paper A3 --orientation landscape --scale 50000 --out map.pdf``: a print map.

Draws the project on a page of the chosen paper at a fixed scale (or ``--scale fit``)
with title, legend, scale bar, north arrow, overview inset, data-source note and
审图号; vector PDF whose page is exactly the paper, or PNG at ``--dpi``.  A layout
saved in the project (``--layout NAME``) supplies the defaults; the options
override it.  Qt is imported only when the command runs.
"""

from __future__ import annotations

from pathlib import Path

from hygis.core.errors import HygisError

FORMATS = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")


def register(subparsers) -> None:
    from hygis.cli.render import TILES_HELP
    from hygis.present.layout import ORIENTATIONS, PAPERS_MM

    p = subparsers.add_parser("layout", help="print map at a fixed scale on A4–A0 paper (vector PDF or PNG)",
                              description="Lay the project's map out on paper at a fixed scale with title, legend, "
                                          "scale bar, north arrow, overview inset, source note and 审图号.")
    p.add_argument("project", help="a .hygis project (or any vector/raster file)")
    p.add_argument("--out", required=True, help="the file to write: .pdf (vector) or .png")
    p.add_argument("--layout", help="start from this layout saved in the project")
    p.add_argument("--paper", choices=tuple(PAPERS_MM), help="paper size (default A3)")
    p.add_argument("--orientation", choices=ORIENTATIONS, help="default landscape")
    p.add_argument("--scale", help="1:N scale, e.g. 50000 or 1:50,000, or 'fit' (default: fit the extent)")
    p.add_argument("--center", help="map centre as LON,LAT (default: the centre of the project or scenario)")
    p.add_argument("--dpi", type=int, help="PNG resolution (default 300)")
    p.add_argument("--scenario", help="draw the project in this scenario's state and extent")
    p.add_argument("--title", help="title at the top of the page")
    p.add_argument("--subtitle", help="subtitle under the title")
    p.add_argument("--source-note", help="data-source note in the footer")
    p.add_argument("--approval-number", help="审图号 (map approval number) printed in the footer")
    p.add_argument("--no-legend", action="store_true")
    p.add_argument("--no-overview", action="store_true", help="no overview inset")
    p.add_argument("--tiles", help=TILES_HELP)
    p.add_argument("--lang", choices=("zh_CN", "en"), default="zh_CN", help="language of the page texts")
    p.set_defaults(func=run)


def build_layout(project, args):
    """The layout to print: the saved one named ``--layout`` (or a default), with the options applied."""
    from dataclasses import replace

    from hygis.present.layout import Layout, parse_scale

    base = Layout(title=project.title or "")
    if args.layout:
        saved = {lay.name: lay for lay in getattr(project, "layouts", [])}
        if args.layout not in saved:
            raise HygisError(f"No layout named '{args.layout}'; layouts: {', '.join(saved) or '(none)'}")
        base = saved[args.layout]
    changes = {}
    for key in ("paper", "orientation", "dpi", "scenario", "title", "subtitle", "source_note", "approval_number"):
        value = getattr(args, key, None)
        if value is not None:
            changes[key] = value
    if args.scale is not None:
        changes["scale"] = parse_scale(args.scale)
    if args.center:
        try:
            lon, lat = (float(v) for v in args.center.replace("，", ",").split(","))
        except ValueError:
            raise HygisError(f"--center '{args.center}': use LON,LAT, e.g. 120.2,30.25") from None
        changes["center"] = (lon, lat)
    if args.no_legend:
        changes["legend"] = False
    if args.no_overview:
        changes["overview"] = False
    if args.scenario and not args.title and not args.layout:
        scenario = project.scenarios[args.scenario] if args.scenario in project.scenarios.names else None
        if scenario is not None:
            changes["title"] = scenario.title or scenario.name
    return replace(base, **changes)


def run(args) -> int:
    from hygis.cli.render import ensure_gui_app, load_project, report_tiles, use_tiles

    out = Path(args.out)
    if out.suffix.lower() not in FORMATS:
        raise HygisError(f"Unsupported output '{out.suffix}': use .pdf or .png")
    project = load_project(Path(args.project))
    layout = build_layout(project, args)
    app = ensure_gui_app(args.lang)  # noqa: F841 (kept alive while painting)
    use_tiles(project, args.tiles)
    from hygis.present.layout import format_scale
    from hygis.ui.layout_render import export_layout

    path, plan = export_layout(project, layout, out)
    report_tiles(project)
    w, h = layout.paper_mm
    print(path)
    import sys

    print(f"{layout.paper} {layout.orientation} ({w:g}×{h:g} mm), {format_scale(plan.scale)}", file=sys.stderr)
    return 0
