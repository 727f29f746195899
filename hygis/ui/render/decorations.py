"""Legend, scale bar and north arrow (skeleton)."""


def paint_decorations(painter, rect, view, layers, *, legend=True, scalebar=True, north_arrow=True,
                      title=None, dpi=96.0):
    pass
