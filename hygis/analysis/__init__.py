"""The plan analyses as pure functions (GeoDataFrames in, DataFrames out; no Qt).

* :mod:`~hygis.analysis.coverage` — ``coverage_by_zone``: share of each zone covered by targets.
* :mod:`~hygis.analysis.adjacency` — ``adjacency_pairs``: touching / overlapping / nearby pairs.
* :mod:`~hygis.analysis.contiguity` — ``zone_contiguity`` (libpysal queen/rook), ``adjacency_matrix``
  and the example questions (``districts_hosting``, ``ftz_near_corridors``, ``heritage_near_coastline``).
* :mod:`~hygis.analysis.enclaves` — ``enclave_counts`` against the 50-by-2025 target.
* :mod:`~hygis.analysis.targets` — ``targets_table``, ``road_network_density``.
* :mod:`~hygis.analysis.registry` — declarations the GUI panels and the CLI wrap.

Long analyses take optional ``progress(fraction)`` and ``cancelled()`` callbacks and raise
:class:`hygis.core.errors.CancelledError` when cancelled.
"""
