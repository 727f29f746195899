"""Engines that run hygis analyses outside the desktop process.

* :mod:`hygis.analysis.engines.partitions` -- partitioned inputs: a GeoParquet directory or a
  PostGIS table split by primary-key ranges, each partition with its bounding box.
* :mod:`hygis.analysis.engines.dask_engine` -- coverage and adjacency on dask.distributed,
  one task per group of zones (coverage) or per partition (adjacency); every task calls the
  in-process analysis on the features near it, so the numbers are the in-process ones.
* :mod:`hygis.analysis.engines.postgis_engine` -- coverage as one SQL query when targets and
  zones are tables of one PostGIS database.

All optional (``pip install 'hygis[team]'``), imported lazily.
"""
