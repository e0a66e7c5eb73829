"""Batch coverage runs (area x metric x scenario), serially or on Dask, with the same answers.

A :class:`Job` asks for the coverage of one **area** (a district code, a sub-district
``zone_id`` or a polygon WKT in EPSG:4548) by one **metric** (a catalogue id of kind
``"coverage"``, or ``categories`` + ``max_dist_m``) under one :class:`WhatIf` (proposed
sites added, or another threshold).  :func:`run_batch` groups the jobs by area into tasks;
each task reads *only what it needs* from the layer store (a GeoPackage, read with bounding-box
filters inside the task, so large layers never ride through the scheduler), computes, and
returns small tables; the runner gathers them into one report table.  Tasks run in-process
(``scheduler="serial"``), on a fresh ``LocalCluster`` (``"local"``), on an existing Dask
cluster (``"tcp://host:8786"``) or on a ``distributed.Client`` you pass in.  The same jobs give
the same table, to the last digit, whichever way they run.

Partitions have no edge effects: a task reads the streets and facilities around its area
within the reach plus snap margins, the people inside it, and uses the islands decided once on
the whole street layer (:mod:`~jinan_gis.analyses.batch_partition` gives the argument).

Results are stored per job under ``results_path`` and a re-run computes only the jobs that are
not stored with the same settings; a failed job is reported with its error and traceback
(:attr:`BatchResult.failures`), the others complete, and it is retried on the next run
(:mod:`~jinan_gis.analyses.batch_runner`).

This module is the public face; the work is done in :mod:`~jinan_gis.analyses.batch_jobs`
(jobs, what-ifs, batch files), :mod:`~jinan_gis.analyses.batch_partition` (an area's polygon
and inputs, islands) and :mod:`~jinan_gis.analyses.batch_runner` (scheduling, storage).

Dask is optional (``pip install 'jinan-gis[cluster]'``); it is imported only when a scheduler
other than ``"serial"`` is asked for.  From the command line, with the jobs and settings in a
JSON file (:func:`load_batch_file`) and options overriding them::

    python -m jinan_gis.analyses.batch batch.json --store out/sample.gpkg \
        --results out/batch --scheduler tcp://10.0.0.5:8786

Examples
--------
A 2 km street with a clinic at its east end, split into two areas at x = 1000:

>>> import tempfile, pathlib, geopandas as gpd
>>> from shapely.geometry import LineString, Point
>>> store = pathlib.Path(tempfile.mkdtemp()) / "store.gpkg"
>>> crs = "EPSG:4548"
>>> gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1000, 0)]), LineString([(1000, 0),
...     (2000, 0)])], crs=crs).to_file(store, layer="streets")
>>> gpd.GeoDataFrame({"category": ["chc"]}, geometry=[Point(1300, 0)],
...     crs=crs).to_file(store, layer="facilities")
>>> gpd.GeoDataFrame({"population": [5.0, 7.0]}, geometry=[Point(900, 10), Point(100, 10)],
...     crs=crs).to_file(store, layer="population")
>>> west = "POLYGON ((0 -50, 1000 -50, 1000 50, 0 50, 0 -50))"
>>> jobs = [Job("west", west, categories=("chc",), max_dist_m=500),
...         Job("west-2km", west, categories=("chc",), max_dist_m=500,
...             scenario=WhatIf("2km", max_dist_m=2000))]
>>> res = run_batch(jobs, store_path=store, quiet=True)
>>> res.table[["job_id", "population", "covered_network"]].to_dict("records")
[{'job_id': 'west', 'population': 12.0, 'covered_network': 5.0}, {'job_id': 'west-2km', 'population': 12.0, 'covered_network': 12.0}]
"""  # noqa: E501

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Sequence

from ..geo.errors import BatchError
from .batch_jobs import BASELINE, REPORT_COLUMNS, Job, WhatIf, job_grid, load_batch_file
from .batch_partition import DEFAULT_LAYERS, island_parts
from .batch_runner import BatchResult, run_batch

__all__ = [
    "BASELINE",
    "DEFAULT_LAYERS",
    "REPORT_COLUMNS",
    "BatchError",
    "BatchResult",
    "Job",
    "WhatIf",
    "island_parts",
    "job_grid",
    "load_batch_file",
    "main",
    "run_batch",
]


def _memory(value: str) -> str | float:
    try:
        return float(value)
    except ValueError:
        return value


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m jinan_gis.analyses.batch BATCH.json [options]``.

    Options override the file's settings.  Prints the report table's size and any failures;
    exits 1 when a job failed.
    """
    ap = argparse.ArgumentParser(prog="python -m jinan_gis.analyses.batch",
                                 description="Run batch coverage jobs (see load_batch_file).")
    ap.add_argument("batch", help="JSON batch file (jobs/grid + settings)")
    ap.add_argument("--store", dest="store_path", help="layer store GeoPackage (EPSG:4548)")
    ap.add_argument("--results", dest="results_path", help="folder for stored results")
    ap.add_argument("--scheduler", help="serial | local | tcp://host:8786")
    ap.add_argument("--n-workers", type=int, dest="n_workers")
    ap.add_argument("--threads-per-worker", type=int, dest="threads_per_worker")
    ap.add_argument("--memory-limit", type=_memory, dest="memory_limit",
                    help="per worker, e.g. 2GiB (LocalCluster)")
    ap.add_argument("--quiet", action="store_true", default=None)
    ns = ap.parse_args(argv)
    jobs, settings = load_batch_file(ns.batch)
    settings.update({k: v for k, v in vars(ns).items() if k != "batch" and v is not None})
    if "store_path" not in settings:
        ap.error("give the layer store with --store or 'store_path' in the batch file")
    if not settings.get("quiet"):  # our progress at INFO, Dask's chatter at WARNING
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        for name in ("jinan_gis", __name__):
            logging.getLogger(name).setLevel(logging.INFO)
    if settings.get("scheduler", "serial") != "serial":
        with contextlib.suppress(ImportError):
            import distributed  # its import sets its loggers to INFO; quieten them here

            logging.getLogger(distributed.__name__).setLevel(logging.WARNING)
    res = run_batch(jobs, **settings)
    print(f"{len(res.table)} rows from {len(jobs)} jobs ({len(res.skipped)} stored, "
          f"{len(res.failures)} failed) in {res.wall_s:.1f} s on {res.scheduler}")
    for r in res.failures.itertuples():
        print(f"FAILED {r.job_id}: {r.error}", file=sys.stderr)
    return 0 if res.ok else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
