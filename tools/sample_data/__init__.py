"""Plain-data features of the Hangzhou–Ningbo sample project (WGS84 coordinates).

Each module holds a list of dicts: the layer's attributes plus a ``shape`` spec
(see :func:`sample_data.shapes.build_geometry`).  Every feature cites its
source from ``assets/reference/REFERENCE.md``; drawn or invented items say
"illustrative".
"""

REF = "REFERENCE.md"
APPROX = f"general knowledge, approximate ({REF})"
