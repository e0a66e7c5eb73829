"""Batch coverage runs (area x metric x scenario), serially or on Dask, with the same answers.

A :class:`Job` asks for the coverage of one **area** (a district code, a sub-district
``zone_id`` or a polygon WKT in EPSG:4548) by one **metric** (a catalogue id of kind
``"coverage"``, or ``categories`` + ``max_dist_m``) under one :class:`Scenario` (proposed
sites added, or another threshold).  :func:`run_batch` groups the jobs by area into tasks;
each task reads *only what it needs* from the layer store (a GeoPackage, read with bounding-box
filters inside the task, so large layers never ride through the scheduler), computes, and
returns small tables; the runner gathers them into one report table.  Tasks run in-process
(``scheduler="serial"``), on a fresh ``LocalCluster`` (``"local"``), on an existing Dask
cluster (``"tcp://host:8786"``) or on a ``distributed.Client`` you pass in.  The same jobs give
the same table, to the last digit, whichever way they run.

Partitions have no edge effects.  With reach ``R`` (the largest threshold of the task) and
snap limit ``s`` (``max_snap_m``), a task for area ``A`` uses

- the streets whose bounding box meets ``A``'s bounding box grown by ``R + 3 s``,
- the facilities in ``A``'s bounding box grown by ``R + 2 s``,
- the people **inside** ``A`` only (points on its boundary count in every area touching them).

A person in ``A`` is joined to a street within ``s``; every route of length ``<= R`` from
there stays within ``R + s`` of ``A``; a facility whose street position lies there is within
``R + 2 s``, and every street it could be joined to within ``R + 3 s``.  So a person near the
border sees the facilities across it exactly as in the unpartitioned run.  Islands (street
pieces smaller than ``min_component_nodes``; people nearest to one are moved to the main
network or, with no main street in reach, not placed) are decided once on the
*whole* street layer, by a first small task, so that cutting the network never turns a
through street into an island.  (Lines crossing the outer edge of the cut keep a vertex
unsplit where a left-out line met them; that changes distances only in the last bit, far
from anyone in ``A``.)

Results are stored per job in ``results_path/jobs/<job_id>.parquet`` (atomic writes, with the
job and run settings in the file's metadata); a re-run loads the stored jobs whose settings are
unchanged and computes only the rest.  A failed job is reported with its error and traceback
(:attr:`BatchResult.failures`), the others complete, and it is retried on the next run.

Dask is optional (``pip install 'jinan-gis[batch]'``); it is imported only when a scheduler
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
...             scenario=Scenario("2km", max_dist_m=2000))]
>>> res = run_batch(jobs, store_path=store, quiet=True)
>>> res.table[["job_id", "population", "covered_network"]].to_dict("records")
[{'job_id': 'west', 'population': 12.0, 'covered_network': 5.0}, {'job_id': 'west-2km', 'population': 12.0, 'covered_network': 12.0}]
"""  # noqa: E501

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from tqdm.auto import tqdm

from ..geo.crs import ANALYSIS_CRS
from ..geo.errors import BatchError
from ..geo.network import MODES, Network, build_network
from .catalogue import get_metric
from .coverage import PlacedPopulation, coverage, place_population, select_facilities

if TYPE_CHECKING:
    from distributed import Client

__all__ = [
    "BASELINE",
    "DEFAULT_LAYERS",
    "REPORT_COLUMNS",
    "BatchError",
    "BatchResult",
    "Job",
    "Scenario",
    "island_parts",
    "job_grid",
    "load_batch_file",
    "main",
    "run_batch",
]

log = logging.getLogger(__name__)

DEFAULT_LAYERS: dict[str, str] = {
    "streets": "streets",
    "facilities": "facilities",
    "population": "population",
    "districts": "districts",
    "zones": "zones",
}
"""Layer names in the store (as :meth:`jinan_gis.layers.sample.Sample.write` writes them).
Districts are found by their ``code`` column, zones by ``zone_id``."""

REPORT_COLUMNS: dict[str, str] = {
    "job_id": "str",
    "area": "str",
    "metric": "str",
    "categories": "str",
    "scenario": "str",
    "max_dist_m": "float64",
    "rural_max_dist_m": "float64",
    "group": "str",
    "population": "float64",
    "covered_network": "float64",
    "share_network": "float64",
    "covered_straight": "float64",
    "share_straight": "float64",
    "not_placed": "float64",
    "share_not_placed": "float64",
    "moved": "float64",
    "share_moved": "float64",
    "n_points": "int64",
    "n_facilities": "int64",
}
"""Columns of the report table and their dtypes (coverage columns as in
:func:`~jinan_gis.analyses.coverage.coverage`; ``group`` is the value of the job's ``by``
column, ``"all"`` without one; ``n_facilities``: facilities of the metric within reach of the
area, proposed sites included)."""

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+@-]{0,149}$")
_SNAP_MARGINS = (3, 2)  # streets, facilities: reach + k * max_snap_m
_RUN_KEYS = (
    "scheduler", "n_workers", "threads_per_worker", "memory_limit", "processes", "mode",
    "max_snap_m", "min_component_nodes", "max_jobs_per_task", "layers", "quiet",
    "store_path", "results_path",
)



# ----------------------------------------------------------------------------- jobs
def _check_id(value: object, *, what: str) -> None:
    if not isinstance(value, str) or not _ID.match(value):
        raise BatchError(f"{what} {value!r} is not usable: use 1-150 letters, digits or "
                         "'_ . + @ -', starting with a letter or digit.")


def _positive(value: object, owner: str) -> float:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        v = float("nan")
    if not (np.isfinite(v) and v > 0):
        raise BatchError(f"{owner!r}: max_dist_m must be a positive number of metres, "
                         f"got {value!r}.")
    return v


def _known(data: Mapping[str, Any], cls: type, what: str) -> dict[str, Any]:
    names = set(cls.__dataclass_fields__)
    extra = set(data) - names
    if extra:
        raise BatchError(f"unknown {what} key(s) {sorted(extra)}; use {sorted(names)}.")
    return dict(data)


def _is_wkt(area: str) -> bool:
    return area.lstrip().upper().startswith(("POLYGON", "MULTIPOLYGON"))


def _parse_area_wkt(area: str, job_id: str) -> shapely.Geometry:
    try:
        geom = shapely.from_wkt(area)
    except shapely.errors.GEOSException as exc:
        raise BatchError(f"job {job_id!r}: the area is not valid WKT ({exc}); give a POLYGON "
                         "or MULTIPOLYGON in EPSG:4548 metres.") from exc
    if geom is None or geom.is_empty or shapely.get_type_id(geom) not in (3, 6):
        raise BatchError(f"job {job_id!r}: the area WKT must be a non-empty POLYGON or "
                         "MULTIPOLYGON in EPSG:4548 metres.")
    return shapely.make_valid(geom) if not geom.is_valid else geom


@dataclass(frozen=True)
class Scenario:
    """A what-if applied to the stored layers for one job.

    Parameters
    ----------
    name : str
        Letters, digits and ``_ . + @ -`` (it goes into file names and job ids).
    add_sites_xy : sequence of (x, y)
        Proposed facilities in EPSG:4548; they count as facilities of the job's metric.
    max_dist_m : float, optional
        Another threshold (replaces the metric's, urban and rural alike).

    Examples
    --------
    >>> Scenario("two-new", add_sites_xy=[(500100, 4060000), (501000, 4061000.5)])
    Scenario(name='two-new', add_sites_xy=((500100.0, 4060000.0), (501000.0, 4061000.5)), max_dist_m=None)
    """  # noqa: E501

    name: str = "baseline"
    add_sites_xy: tuple[tuple[float, float], ...] = ()
    max_dist_m: float | None = None

    def __post_init__(self) -> None:
        _check_id(self.name, what="scenario name")
        xy = np.asarray(self.add_sites_xy, dtype=np.float64).reshape(-1, 2)
        if not np.isfinite(xy).all():
            raise BatchError(f"scenario {self.name!r}: add_sites_xy must be finite (x, y) pairs.")
        object.__setattr__(self, "add_sites_xy", tuple(map(tuple, xy.tolist())))
        if self.max_dist_m is not None:
            object.__setattr__(self, "max_dist_m", _positive(self.max_dist_m, self.name))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (:meth:`from_dict` reads it back)."""
        return {"name": self.name, "add_sites_xy": [list(p) for p in self.add_sites_xy],
                "max_dist_m": self.max_dist_m}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | str) -> Scenario:
        """A scenario from a dict (or just its name)."""
        if isinstance(data, str):
            return cls(data)
        return cls(**_known(data, cls, "scenario"))


BASELINE = Scenario()
"""No change to the stored layers."""


@dataclass(frozen=True)
class Job:
    """One coverage question: an area, a metric and a scenario.

    Parameters
    ----------
    job_id : str
        Unique in the batch; letters, digits and ``_ . + @ -`` (it names the stored result).
    area : str
        A district code (``"370112"``, looked up in the districts layer's ``code``), a
        sub-district id (the zones layer's ``zone_id``) or a polygon WKT in EPSG:4548.
        People are counted inside it; streets and facilities are used around it.
    metric : str, optional
        A catalogue metric id of kind ``"coverage"`` (e.g. ``"L-CLINIC-1000"``; an unknown
        or unsuitable id is reported as a failed job when the batch runs) ...
    categories, max_dist_m : optional
        ... or facility categories (or groups) and a network distance in metres.
    scenario : Scenario
    by : str, optional
        A population column to group the result by (e.g. ``"zone"``); one row otherwise.

    Examples
    --------
    >>> Job("j1", "370103", metric="L-CLINIC-1000").metric
    'L-CLINIC-1000'
    >>> Job("j2", "370103", categories="library", max_dist_m=800).categories
    ('library',)
    """

    job_id: str
    area: str
    metric: str | None = None
    categories: tuple[str, ...] = ()
    max_dist_m: float | None = None
    scenario: Scenario = BASELINE
    by: str | None = None

    def __post_init__(self) -> None:
        _check_id(self.job_id, what="job_id")
        if not isinstance(self.area, str) or not self.area.strip():
            raise BatchError(f"job {self.job_id!r}: give the area as a district code, a zone id "
                             "or a polygon WKT (EPSG:4548).")
        if _is_wkt(self.area):
            _parse_area_wkt(self.area, self.job_id)
        cats = (self.categories,) if isinstance(self.categories, str) else self.categories
        object.__setattr__(self, "categories", tuple(str(c) for c in cats))
        if self.max_dist_m is not None:
            object.__setattr__(self, "max_dist_m", _positive(self.max_dist_m, self.job_id))
        if self.metric is not None and (self.categories or self.max_dist_m is not None):
            raise BatchError(f"job {self.job_id!r}: give either metric or (categories, "
                             "max_dist_m), not both.")
        if self.metric is None and not (self.categories and self.max_dist_m is not None):
            raise BatchError(f"job {self.job_id!r}: give a catalogue metric id (metric=...) or "
                             "both categories=... and max_dist_m=....")
        if isinstance(self.scenario, Mapping | str):
            object.__setattr__(self, "scenario", Scenario.from_dict(self.scenario))
        if not isinstance(self.scenario, Scenario):
            raise BatchError(f"job {self.job_id!r}: scenario must be a Scenario.")

    @property
    def metric_label(self) -> str:
        """The metric id, or ``"<categories>@<max_dist_m>m"`` for a custom metric."""
        if self.metric is not None:
            return self.metric
        return f"{'+'.join(self.categories)}@{self.max_dist_m:g}m"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (:meth:`from_dict` reads it back)."""
        return {"job_id": self.job_id, "area": self.area, "metric": self.metric,
                "categories": list(self.categories), "max_dist_m": self.max_dist_m,
                "scenario": self.scenario.to_dict(), "by": self.by}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Job:
        """A job from a dict as written by :meth:`to_dict` (missing keys take defaults)."""
        kw = _known(data, cls, "job")
        if "categories" in kw and not isinstance(kw["categories"], str):
            kw["categories"] = tuple(kw["categories"] or ())
        if "scenario" in kw:
            kw["scenario"] = Scenario.from_dict(kw["scenario"])
        return cls(**kw)


def job_grid(
    areas: Iterable[str],
    metrics: Iterable[str | tuple[Sequence[str] | str, float]],
    scenarios: Iterable[Scenario] = (BASELINE,),
    *,
    by: str | None = None,
) -> list[Job]:
    """Every (area, metric, scenario) combination as a :class:`Job`.

    Job ids are ``"<area>.<metric>.<scenario>"`` (a custom metric ``(categories, max_dist_m)``
    is written ``"<cat+cat>@<d>m"``); areas given as WKT need explicit :class:`Job` objects.

    Examples
    --------
    >>> jobs = job_grid(["370103", "370112"], ["L-CLINIC-1000", (("library",), 800)],
    ...                 [BASELINE, Scenario("d500", max_dist_m=500)])
    >>> len(jobs), jobs[0].job_id, jobs[-1].job_id
    (8, '370103.L-CLINIC-1000.baseline', '370112.library@800m.d500')
    """
    out = []
    scen = list(scenarios)
    mets = list(metrics)
    for area in areas:
        if _is_wkt(area):
            raise BatchError("job_grid names jobs after their area; give WKT areas as Job(...) "
                             "with a job_id of your choice.")
        for m in mets:
            for sc in scen:
                if isinstance(m, str):
                    job = Job("x", area, metric=m, scenario=sc, by=by)
                else:
                    cats, dist = m
                    job = Job("x", area, categories=cats, max_dist_m=dist, scenario=sc, by=by)
                jid = f"{area}.{job.metric_label}.{sc.name}"
                out.append(Job(jid, area, job.metric, job.categories, job.max_dist_m, sc, by))
    return out


# ----------------------------------------------------------------------------- result
@dataclass(frozen=True)
class BatchResult:
    """What :func:`run_batch` returns.

    Attributes
    ----------
    table : pandas.DataFrame
        The report: one row per (job, group), in job order, columns :data:`REPORT_COLUMNS`.
    jobs : pandas.DataFrame
        One row per job: ``job_id``, ``status`` (``"done"``: computed now, ``"stored"``:
        loaded from ``results_path``, ``"failed"``), ``seconds`` (the job's own compute),
        ``load_s`` (reading and network building, shared by the jobs of a task), ``worker``,
        ``error`` and ``traceback``.
    wall_s : float
    scheduler : str
    worker_peak_rss_mib : dict
        Peak resident memory of each worker process (of this process when serial).
    """

    table: pd.DataFrame
    jobs: pd.DataFrame
    wall_s: float
    scheduler: str
    worker_peak_rss_mib: dict[str, float] = field(default_factory=dict)

    @property
    def failures(self) -> pd.DataFrame:
        """The failed jobs with their error and traceback."""
        return self.jobs[self.jobs["status"] == "failed"].reset_index(drop=True)

    @property
    def executed(self) -> list[str]:
        """Ids of the jobs computed in this run (failed ones included)."""
        return self.jobs.loc[self.jobs["status"] != "stored", "job_id"].tolist()

    @property
    def skipped(self) -> list[str]:
        """Ids of the jobs whose stored results were reused."""
        return self.jobs.loc[self.jobs["status"] == "stored", "job_id"].tolist()

    @property
    def ok(self) -> bool:
        """True when no job failed."""
        return bool((self.jobs["status"] != "failed").all())


@dataclass
class _Outcome:
    job_id: str
    table: pd.DataFrame | None = None
    error: str = ""
    traceback: str = ""
    seconds: float = 0.0
    load_s: float = 0.0
    worker: str = ""


@dataclass(frozen=True)
class _Area:
    network: Network
    facilities: gpd.GeoDataFrame
    placed: PlacedPopulation
    zones_urban: pd.Series | None


@dataclass(frozen=True)
class _Options:
    store_path: str
    layers: dict[str, str]
    mode: str
    max_snap_m: float


# ----------------------------------------------------------------------------- helpers
def _grow(bounds: Sequence[float], margin_m: float) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = bounds
    return (minx - margin_m, miny - margin_m, maxx + margin_m, maxy + margin_m)


def _layer_info(path: str, layer: str) -> dict[str, Any]:
    try:
        info = pyogrio.read_info(path, layer=layer)
    except Exception as exc:  # pyogrio raises DataLayerError / DataSourceError
        raise BatchError(
            f"{path}: cannot read layer {layer!r} ({exc}); write it into the store "
            "(Sample.write or LayerStore.write) or map the name with layers=."
        ) from exc
    crs = info.get("crs")
    if crs is None or not _same_crs(crs):
        raise BatchError(f"{path}: layer {layer!r} is in {crs}, the batch runner reads "
                         f"{ANALYSIS_CRS} with bounding boxes; reproject the store "
                         "(jinan_gis.geo.crs.to_analysis_crs) and write it again.")
    return info


def _same_crs(crs: str) -> bool:
    from pyproj import CRS

    return CRS.from_user_input(crs).equals(CRS.from_user_input(ANALYSIS_CRS))


def _read(path: str, layer: str, *, keep_fid: bool = False, **kw: Any) -> gpd.GeoDataFrame:
    """Read a layer in feature-id order (bbox reads come in R-tree order otherwise, and the
    order of the rows decides the last digit of sums)."""
    _layer_info(path, layer)
    gdf = pyogrio.read_dataframe(path, layer=layer, fid_as_index=True, **kw).sort_index()
    if not keep_fid:
        gdf = gdf.reset_index(drop=True)
    if gdf.crs is None:
        gdf = gdf.set_crs(ANALYSIS_CRS)
    return gdf


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _area_polygon(opts: _Options, area: str) -> shapely.Geometry:
    if _is_wkt(area):
        return _parse_area_wkt(area, area[:30])
    tried = []
    for role, column in (("districts", "code"), ("zones", "zone_id")):
        layer = opts.layers[role]
        try:
            info = pyogrio.read_info(opts.store_path, layer=layer)
        except Exception:  # layer missing: try the next one
            continue
        if column not in set(info["fields"]):
            continue
        tried.append(f"{layer}.{column}")
        hit = _read(opts.store_path, layer, where=f"{column} = {_sql_text(area)}")
        if len(hit):
            geom = shapely.union_all(hit.geometry.to_numpy())
            return shapely.make_valid(geom) if not geom.is_valid else geom
    raise BatchError(
        f"unknown area {area!r}: not found in {', '.join(tried) or 'the districts/zones layers'}"
        f" of {opts.store_path}; give a district code, a zone_id or a polygon WKT (EPSG:4548)."
    )


def _explode(streets: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Single-part lines and their keys ``(fid, part)`` as one int64 array (fid * 2**20 + part)."""
    parts = streets.explode(index_parts=True)
    fid = parts.index.get_level_values(0).to_numpy(dtype=np.int64)
    part = parts.index.get_level_values(1).to_numpy(dtype=np.int64)
    return parts.reset_index(drop=True), fid * (1 << 20) + part


def island_parts(
    store_path: str | Path,
    *,
    layer: str = "streets",
    mode: str = "walk",
    min_component_nodes: int = 100,
) -> np.ndarray:
    """Keys of the street parts that are islands of the *whole* network.

    Builds the network of the whole street layer once (islands are a global property: a
    piece cut out of a large component must not become an island in a partition).

    Returns
    -------
    ndarray of int64
        Sorted keys ``fid * 2**20 + part`` (``part``: index within a multi-part line).

    Examples
    --------
    >>> import tempfile, pathlib, geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.gpkg"
    >>> gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1, 0), (2, 0)]),
    ...     LineString([(5, 5), (6, 5)])], crs="EPSG:4548").to_file(p, layer="streets")
    >>> island_parts(p, min_component_nodes=3).tolist()  # line 2 (fid 2) is an island
    [2097152]
    """
    path = str(store_path)
    info = _layer_info(path, layer)
    cols = [c for c in (mode,) if c in set(info["fields"])]
    streets = _read(path, layer, columns=cols, keep_fid=True)
    parts, keys = _explode(streets)
    if len(parts) == 0:
        return np.empty(0, dtype=np.int64)
    net = build_network(parts, mode=mode, min_component_nodes=min_component_nodes)
    rows = np.unique(net.edge_source_row[net.edge_is_island])
    return np.sort(keys[rows])


def _load_area(opts: _Options, area: str, *, reach_m: float, islands: np.ndarray | None,
               need_urban: bool) -> _Area:
    poly = _area_polygon(opts, area)
    s = opts.max_snap_m
    bounds = poly.bounds
    st_layer = opts.layers["streets"]
    info = _layer_info(opts.store_path, st_layer)
    cols = [c for c in (opts.mode, "oneway") if c in set(info["fields"])]
    streets = _read(opts.store_path, st_layer, columns=cols, keep_fid=True,
                    bbox=_grow(bounds, reach_m + _SNAP_MARGINS[0] * s))
    parts, keys = _explode(streets)
    island_rows = (np.flatnonzero(np.isin(keys, islands)) if islands is not None
                   else np.zeros(0, dtype=np.int64))
    if len(parts) == len(island_rows):
        raise BatchError(
            f"area {area!r} has no streets within {reach_m + _SNAP_MARGINS[0] * s:g} m in layer "
            f"{st_layer!r} of {opts.store_path}; check the area (EPSG:4548 metres?) or the store."
        )
    # islands were decided on the whole network: the cut keeps them as islands (people near
    # them are "moved" exactly as in the unpartitioned run), and nothing else is one
    net = build_network(parts, mode=opts.mode, island_rows=island_rows)
    fac = _read(opts.store_path, opts.layers["facilities"],
                bbox=_grow(bounds, reach_m + _SNAP_MARGINS[1] * s))
    pop = _read(opts.store_path, opts.layers["population"], bbox=bounds)
    inside = shapely.intersects_xy(poly, *shapely.get_coordinates(pop.geometry.to_numpy()).T) \
        if len(pop) else np.zeros(0, dtype=bool)
    pop = pop[inside].reset_index(drop=True)
    placed = place_population(net, pop, max_snap_m=s)
    urban = None
    if need_urban:
        zl = opts.layers["zones"]
        zinfo = _layer_info(opts.store_path, zl)
        if not {"zone_id", "urban"} <= set(zinfo["fields"]) or "zone" not in pop.columns:
            raise BatchError(
                f"a metric with a rural threshold needs urban/rural per person: give layer "
                f"{zl!r} 'zone_id' and 'urban' columns and the population a 'zone' column, or "
                "set Scenario(max_dist_m=...) for one threshold."
            )
        z = pyogrio.read_dataframe(opts.store_path, layer=zl, columns=["zone_id", "urban"],
                                   read_geometry=False)
        urban = z.set_index(z["zone_id"].astype(str))["urban"]
    return _Area(net, fac, placed, urban)


@dataclass(frozen=True)
class _Plan:
    label: str
    categories: tuple[str, ...] | None
    max_dist_m: float
    rural_max_dist_m: float | None

    @property
    def reach_m(self) -> float:
        return max(self.max_dist_m, self.rural_max_dist_m or 0.0)


def _plan(job: Job) -> _Plan:
    if job.metric is None:
        plan = _Plan(job.metric_label, job.categories, float(job.max_dist_m), None)
    else:
        m = get_metric(job.metric)
        if m.kind != "coverage":
            raise BatchError(
                f"metric {m.id!r} is a {m.kind!r} metric; the batch runner computes coverage "
                "metrics only: use jinan_gis.analyses.report.evaluate for it."
            )
        dist = m.distance_m()
        if dist is None:
            raise BatchError(f"metric {m.id!r} has no distance; give categories and max_dist_m.")
        rural = m.distance_m(rural=True) if m.rural_walk_min is not None else None
        plan = _Plan(m.id, tuple(m.categories), float(dist), rural)
    if job.scenario.max_dist_m is not None:
        plan = _Plan(plan.label, plan.categories, job.scenario.max_dist_m, None)
    return plan


def _job_table(job: Job, plan: _Plan, area: _Area, *, max_snap_m: float) -> pd.DataFrame:
    fac = select_facilities(area.facilities, plan.categories)
    sites = job.scenario.add_sites_xy
    if sites:
        xy = np.asarray(sites, dtype=np.float64)
        new = gpd.GeoDataFrame(
            {"category": ["proposed"] * len(xy), "source": ["scenario"] * len(xy)},
            geometry=shapely.points(xy), crs=ANALYSIS_CRS,
        )
        fac = pd.concat([fac[["category", "geometry"]], new[["category", "geometry"]]],
                        ignore_index=True)
        fac = gpd.GeoDataFrame(fac, geometry="geometry", crs=ANALYSIS_CRS)
    thr = None
    if plan.rural_max_dist_m is not None:
        assert area.zones_urban is not None
        flags = area.placed.population["zone"].astype(str).map(area.zones_urban)
        if flags.isna().any():
            raise BatchError(f"job {job.job_id!r}: some people's zone is not in the zones layer; "
                             "fix the population's 'zone' column.")
        thr = np.where(flags.to_numpy(dtype=bool), plan.max_dist_m, plan.rural_max_dist_m)
    t = coverage(area.network, fac, area.placed, max_dist_m=plan.max_dist_m, by=job.by,
                 max_snap_m=max_snap_m, dist_max_dist_m=thr)
    group = t.index.map(str).tolist() if job.by else ["all"] * len(t)
    out = pd.DataFrame({
        "job_id": job.job_id,
        "area": job.area,
        "metric": plan.label,
        "categories": ",".join(plan.categories or ()),
        "scenario": job.scenario.name,
        "max_dist_m": plan.max_dist_m,
        "rural_max_dist_m": np.nan if plan.rural_max_dist_m is None else plan.rural_max_dist_m,
        "group": group,
    }, index=pd.RangeIndex(len(t)))
    for col in ("population", "covered_network", "share_network", "covered_straight",
                "share_straight", "not_placed", "share_not_placed", "moved", "share_moved",
                "n_points"):
        out[col] = t[col].to_numpy()
    out["n_facilities"] = len(fac)
    return _normalise(out)


def _normalise(table: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({c: table[c].astype(d) for c, d in REPORT_COLUMNS.items()})
    return out.reset_index(drop=True)


def _empty_report() -> pd.DataFrame:
    return _normalise(pd.DataFrame({c: pd.Series([], dtype=d) for c, d in REPORT_COLUMNS.items()}))


def _worker_name() -> str:
    dist = sys.modules.get("distributed")  # never imported here: serial runs stay Dask-free
    if dist is None:
        return "serial"
    try:
        return str(dist.get_worker().address)
    except ValueError:  # not inside a worker
        return "serial"


def _run_task(
    area: str, jobs: list[Job], islands: np.ndarray | None, opts: _Options
) -> list[_Outcome]:
    """One task: read the area's inputs once, then compute each job (errors kept per job)."""
    worker = _worker_name()
    outcomes: dict[str, _Outcome] = {j.job_id: _Outcome(j.job_id, worker=worker) for j in jobs}
    plans: dict[str, _Plan] = {}
    for job in jobs:
        try:
            plans[job.job_id] = _plan(job)
        except Exception as exc:
            _fail(outcomes[job.job_id], exc)
    if not plans:
        return list(outcomes.values())
    t0 = time.perf_counter()
    try:
        reach = max(p.reach_m for p in plans.values())
        need_urban = any(p.rural_max_dist_m is not None for p in plans.values())
        loaded = _load_area(opts, area, reach_m=reach, islands=islands, need_urban=need_urban)
    except Exception as exc:
        for jid in plans:
            _fail(outcomes[jid], exc)
        return list(outcomes.values())
    load_s = time.perf_counter() - t0
    for job in jobs:
        if job.job_id not in plans:
            continue
        o = outcomes[job.job_id]
        o.load_s = load_s
        t1 = time.perf_counter()
        try:
            o.table = _job_table(job, plans[job.job_id], loaded, max_snap_m=opts.max_snap_m)
        except Exception as exc:
            _fail(o, exc)
        o.seconds = time.perf_counter() - t1
    return list(outcomes.values())


def _fail(outcome: _Outcome, exc: BaseException) -> None:
    outcome.error = f"{type(exc).__name__}: {exc}"
    outcome.traceback = "".join(traceback.format_exception(exc))


def _extent_m2(opts: _Options, areas: Sequence[str]) -> dict[str, float]:
    """Bounding-box area of each area (0 when unknown): a cheap estimate of a task's size."""
    out = dict.fromkeys(areas, 0.0)
    for area in areas:
        if _is_wkt(area):
            with contextlib.suppress(BatchError):
                b = _parse_area_wkt(area, "?").bounds
                out[area] = (b[2] - b[0]) * (b[3] - b[1])
    for role, column in (("districts", "code"), ("zones", "zone_id")):
        try:
            gdf = pyogrio.read_dataframe(opts.store_path, layer=opts.layers[role],
                                         columns=[column])
        except Exception:  # no such layer or column: those areas stay 0
            continue
        b = shapely.bounds(gdf.geometry.to_numpy())
        sizes = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
        for key, size in zip(gdf[column].astype(str), sizes, strict=True):
            if out.get(key) == 0.0 and np.isfinite(size):
                out[key] = float(size)
    return out


def _tasks(jobs: Sequence[Job], max_jobs_per_task: int) -> list[tuple[str, list[Job]]]:
    by_area: dict[str, list[Job]] = {}
    for job in jobs:
        by_area.setdefault(job.area, []).append(job)
    out = []
    for area, js in by_area.items():
        for i in range(0, len(js), max_jobs_per_task):
            out.append((area, js[i : i + max_jobs_per_task]))
    return out


def _peak_rss_mib() -> float:
    """Peak resident memory of this process in MiB.

    Linux's ``VmHWM`` (reset by ``exec``); ``ru_maxrss`` is not used there because a spawned
    worker inherits its parent's value across ``fork`` + ``exec``.
    """
    with contextlib.suppress(OSError), open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    import resource  # elsewhere: the best we have (KiB on Linux, bytes on macOS)

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024.0


# ----------------------------------------------------------------------------- storage
def _job_file(results: Path, job_id: str) -> Path:
    return results / "jobs" / f"{job_id}.parquet"


def _spec(job: Job, settings: Mapping[str, Any]) -> str:
    return json.dumps({"job": job.to_dict(), "settings": dict(settings)}, sort_keys=True)


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - pyarrow ships with the batch extra
        raise BatchError("storing results needs pyarrow: pip install 'jinan-gis[batch]' (or "
                         "run without results_path).") from exc
    return pa, pq


def _atomic(path: Path, write: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _store_job(results: Path, job: Job, spec: str, table: pd.DataFrame) -> None:
    pa, pq = _pyarrow()
    tbl = pa.Table.from_pandas(table, preserve_index=False)
    meta = dict(tbl.schema.metadata or {})
    meta[b"jinan_gis_batch_job"] = spec.encode()
    tbl = tbl.replace_schema_metadata(meta)
    _atomic(_job_file(results, job.job_id), lambda tmp: pq.write_table(tbl, tmp))


def _stored_job(results: Path, job: Job, spec: str) -> pd.DataFrame | None:
    path = _job_file(results, job.job_id)
    if not path.exists():
        return None
    _, pq = _pyarrow()
    try:
        tbl = pq.read_table(path)
    except Exception as exc:  # a damaged file: compute the job again
        log.warning("%s: unreadable stored result (%s); computing the job again", path, exc)
        return None
    if (tbl.schema.metadata or {}).get(b"jinan_gis_batch_job", b"").decode() != spec:
        log.info("job %s: stored with other settings; computing it again", job.job_id)
        return None
    return _normalise(tbl.to_pandas())


def _store_identity(path: Path) -> dict[str, Any]:
    st = path.stat()
    return {"path": str(path.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


# ----------------------------------------------------------------------------- runner
def _open_client(
    scheduler: Any, *, n_workers: int, threads_per_worker: int, memory_limit: str | float,
    processes: bool,
) -> tuple[Client, list[Any]]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise BatchError("scheduler needs Dask: pip install 'jinan-gis[batch]' (dask"
                         "[distributed]), or run with scheduler='serial'.") from exc
    if isinstance(scheduler, Client):
        return scheduler, []
    if scheduler == "local":
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker,
                               memory_limit=memory_limit, processes=processes,
                               dashboard_address=None)
        client = Client(cluster)
        return client, [client, cluster]
    client = Client(str(scheduler))
    return client, [client]


def _scheduler_name(scheduler: Any) -> str:
    if isinstance(scheduler, str):
        return scheduler
    return f"client:{getattr(getattr(scheduler, 'scheduler', None), 'address', '?')}"


def run_batch(
    jobs: Iterable[Job],
    *,
    store_path: str | Path,
    scheduler: str | Client = "serial",
    results_path: str | Path | None = None,
    n_workers: int = 2,
    threads_per_worker: int = 1,
    memory_limit: str | float = "auto",
    processes: bool = True,
    mode: str = "walk",
    max_snap_m: float = 250.0,
    min_component_nodes: int = 100,
    max_jobs_per_task: int = 16,
    layers: Mapping[str, str] | None = None,
    quiet: bool = False,
) -> BatchResult:
    """Run coverage jobs serially or on Dask and gather one report table.

    Parameters
    ----------
    jobs : iterable of Job
        Unique ``job_id``\\ s.  Jobs for the same area share one task (inputs read once).
    store_path : path
        The layer store: a GeoPackage in EPSG:4548 with the layers of :data:`DEFAULT_LAYERS`
        (as :meth:`~jinan_gis.layers.sample.Sample.write` writes them).  Tasks read it
        themselves, so with a remote cluster it must be readable at this path on the workers.
    scheduler : {"serial", "local"}, a scheduler address or a distributed.Client
        ``"serial"``: in this process, no Dask.  ``"local"``: a ``LocalCluster`` with
        ``n_workers`` x ``threads_per_worker`` (``memory_limit`` per worker, worker processes
        unless ``processes=False``), closed afterwards.  ``"tcp://host:8786"``: an existing
        cluster (its workers need jinan-gis installed).  A ``Client``: used and left open.
    results_path : path, optional
        Folder for per-job results (``jobs/<job_id>.parquet``), the gathered
        ``report.parquet`` and ``failures.json``.  Jobs stored there with the same settings
        are not computed again.
    mode : {"walk", "bike", "drive"}
    max_snap_m : float
        Snap limit for people and facilities (also sets the margins of each partition).
    min_component_nodes : int
        Street pieces with fewer nodes are islands (decided on the whole street layer).
    max_jobs_per_task : int
        Most jobs of one area in one task.
    layers : mapping, optional
        Layer names in the store that differ from :data:`DEFAULT_LAYERS`.
    quiet : bool
        No progress bar.

    Returns
    -------
    BatchResult

    Raises
    ------
    BatchError
        Duplicate job ids, a missing store or a bad setting.  A failing *job* raises nothing:
        it is reported in :attr:`BatchResult.failures`.

    Examples
    --------
    See the module docstring; on a running cluster::

        run_batch(jobs, store_path="/shared/jinan.gpkg", scheduler="tcp://10.0.0.5:8786",
                  results_path="out/batch")
    """
    t0 = time.perf_counter()
    jobs = list(jobs)
    for j in jobs:
        if not isinstance(j, Job):
            raise BatchError(f"run_batch takes Job objects, got {type(j).__name__}; build them "
                             "with Job(...), job_grid(...) or load_batch_file(...).")
    ids = [j.job_id for j in jobs]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise BatchError(f"duplicate job ids {dup[:5]}; give every job its own job_id.")
    store = Path(store_path)
    if not store.is_file():
        raise BatchError(f"layer store {store} not found; write one with Sample.write(path) or "
                         "LayerStore.write(...).")
    if mode not in MODES:
        raise BatchError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}.")
    if max_jobs_per_task < 1:
        raise BatchError("max_jobs_per_task must be at least 1.")
    if not (np.isfinite(max_snap_m) and max_snap_m > 0):
        raise BatchError("max_snap_m must be a positive number of metres (e.g. 250).")
    names = {**DEFAULT_LAYERS, **dict(layers or {})}
    opts = _Options(str(store), names, mode, float(max_snap_m))
    settings = {"store": _store_identity(store), "layers": names, "mode": mode,
                "max_snap_m": float(max_snap_m), "min_component_nodes": int(min_component_nodes)}
    results = Path(results_path) if results_path is not None else None

    tables: dict[str, pd.DataFrame] = {}
    rows: dict[str, dict[str, Any]] = {}
    specs = {j.job_id: _spec(j, settings) for j in jobs}
    pending = []
    for j in jobs:
        stored = _stored_job(results, j, specs[j.job_id]) if results is not None else None
        if stored is not None:
            tables[j.job_id] = stored
            rows[j.job_id] = {"status": "stored"}
        else:
            pending.append(j)
    by_id = {j.job_id: j for j in jobs}
    log.info("batch: %d jobs, %d stored, %d to run on %s", len(jobs), len(jobs) - len(pending),
             len(pending), _scheduler_name(scheduler))

    def accept(o: _Outcome) -> None:
        if o.table is not None:
            tables[o.job_id] = o.table
            if results is not None:
                _store_job(results, by_id[o.job_id], specs[o.job_id], o.table)
        else:
            log.warning("batch job %s failed: %s", o.job_id, o.error)
        rows[o.job_id] = {"status": "done" if o.table is not None else "failed",
                          "seconds": o.seconds, "load_s": o.load_s, "worker": o.worker,
                          "error": o.error, "traceback": o.traceback}

    tasks = _tasks(pending, max_jobs_per_task)
    rss: dict[str, float] = {}
    bar = tqdm(total=len(pending), desc="batch jobs", unit="job", disable=quiet or not pending)
    try:
        if scheduler == "serial":
            _run_serial(tasks, opts, min_component_nodes, accept, bar)
            rss = {"serial": _peak_rss_mib()}
        else:
            rss = _run_dask(scheduler, tasks, opts, min_component_nodes, accept, bar,
                            n_workers=n_workers, threads_per_worker=threads_per_worker,
                            memory_limit=memory_limit, processes=processes)
    finally:
        bar.close()

    order = [j.job_id for j in jobs if j.job_id in tables]
    table = (pd.concat([tables[i] for i in order], ignore_index=True) if order
             else _empty_report())
    table = _normalise(table)
    job_rows = pd.DataFrame([
        {"job_id": i, "status": rows[i]["status"], "seconds": rows[i].get("seconds", 0.0),
         "load_s": rows[i].get("load_s", 0.0), "worker": rows[i].get("worker", ""),
         "error": rows[i].get("error", ""), "traceback": rows[i].get("traceback", "")}
        for i in ids
    ], columns=["job_id", "status", "seconds", "load_s", "worker", "error", "traceback"])
    result = BatchResult(table, job_rows, time.perf_counter() - t0, _scheduler_name(scheduler),
                         rss)
    if results is not None:
        _, pq = _pyarrow()
        import pyarrow as pa

        _atomic(results / "report.parquet",
                lambda tmp: pq.write_table(pa.Table.from_pandas(table, preserve_index=False),
                                           tmp))
        fails = result.failures[["job_id", "error", "traceback"]].to_dict("records")
        _atomic(results / "failures.json", lambda tmp: Path(tmp).write_text(
            json.dumps(fails, ensure_ascii=False, indent=1), encoding="utf-8"))
    n_fail = len(result.failures)
    log.info("batch: %d done, %d stored, %d failed in %.1f s", len(result.executed) - n_fail,
             len(result.skipped), n_fail, result.wall_s)
    return result


def _run_serial(tasks: list[tuple[str, list[Job]]], opts: _Options, min_component_nodes: int,
                accept: Any, bar: Any) -> None:
    try:
        islands = None
        if tasks and min_component_nodes > 0:
            islands = island_parts(opts.store_path, layer=opts.layers["streets"], mode=opts.mode,
                                   min_component_nodes=min_component_nodes)
    except Exception as exc:  # every job needs the islands: all fail with this error
        for _, js in tasks:
            for j in js:
                o = _Outcome(j.job_id, worker="serial")
                _fail(o, exc)
                accept(o)
            bar.update(len(js))
        return
    for area, js in tasks:
        for o in _run_task(area, js, islands, opts):
            accept(o)
        bar.update(len(js))


def _run_dask(scheduler: Any, tasks: list[tuple[str, list[Job]]], opts: _Options,
              min_component_nodes: int, accept: Any, bar: Any, **cluster: Any) -> dict[str, float]:
    client, to_close = _open_client(scheduler, **cluster)
    try:
        from distributed import as_completed

        if tasks:
            token = uuid.uuid4().hex[:8]
            islands = None
            if min_component_nodes > 0:
                islands = client.submit(
                    island_parts, opts.store_path, layer=opts.layers["streets"], mode=opts.mode,
                    min_component_nodes=min_component_nodes, key=f"batch-islands-{token}",
                    pure=False,
                )
            # biggest areas first, so that no large task starts last while workers idle
            size = _extent_m2(opts, [area for area, _ in tasks])
            ranked = sorted(tasks, key=lambda t: -size[t[0]])
            futures = {
                client.submit(_run_task, area, js, islands, opts, priority=len(ranked) - i,
                              key=f"batch-task-{i}-{token}", pure=False): js
                for i, (area, js) in enumerate(ranked)
            }
            for fut in as_completed(list(futures)):
                js = futures[fut]
                try:
                    outcomes = fut.result()
                except Exception as exc:  # the task itself broke (worker lost, islands step...)
                    outcomes = [_Outcome(j.job_id) for j in js]
                    for o in outcomes:
                        _fail(o, exc)
                for o in outcomes:
                    accept(o)
                bar.update(len(js))
                fut.release()
        rss = client.run(_peak_rss_mib)
        return {str(k): float(v) for k, v in rss.items()}
    finally:
        for obj in to_close:
            obj.close()


# ----------------------------------------------------------------------------- files and CLI
def load_batch_file(path: str | Path) -> tuple[list[Job], dict[str, Any]]:
    """Jobs and run settings from a JSON file.

    The file holds ``"jobs"`` (a list of :meth:`Job.to_dict` dicts) and/or ``"grid"``
    (``{"areas": [...], "metrics": [...], "scenarios": [...], "by": ...}``, see
    :func:`job_grid`; a custom metric is ``[[categories...], max_dist_m]``), plus any
    :func:`run_batch` keyword (``store_path``, ``scheduler``, ``n_workers``,
    ``threads_per_worker``, ``memory_limit``, ``results_path``...).

    Examples
    --------
    >>> import tempfile, pathlib, json
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "batch.json"
    >>> _ = p.write_text(json.dumps({"scheduler": "tcp://10.0.0.5:8786", "grid": {
    ...     "areas": ["370103"], "metrics": ["L-CLINIC-1000"],
    ...     "scenarios": [{"name": "d800", "max_dist_m": 800}]}}))
    >>> jobs, settings = load_batch_file(p)
    >>> [j.job_id for j in jobs], settings
    (['370103.L-CLINIC-1000.d800'], {'scheduler': 'tcp://10.0.0.5:8786'})
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BatchError(f"{path}: cannot read the batch file ({exc}); give a JSON object with "
                         "'jobs' or 'grid'.") from exc
    if not isinstance(data, dict):
        raise BatchError(f"{path}: the batch file must hold a JSON object.")
    jobs = [Job.from_dict(d) for d in data.pop("jobs", [])]
    grid = data.pop("grid", None)
    if grid is not None:
        extra = set(grid) - {"areas", "metrics", "scenarios", "by"}
        if extra:
            raise BatchError(f"{path}: unknown grid key(s) {sorted(extra)}; use areas, metrics, "
                             "scenarios, by.")
        metrics = [m if isinstance(m, str) else (m[0], m[1]) for m in grid.get("metrics", [])]
        scen = [Scenario.from_dict(s) for s in grid.get("scenarios", [BASELINE.to_dict()])]
        jobs += job_grid(grid.get("areas", []), metrics, scen, by=grid.get("by"))
    extra = set(data) - set(_RUN_KEYS)
    if extra:
        raise BatchError(f"{path}: unknown setting(s) {sorted(extra)}; use {', '.join(_RUN_KEYS)}.")
    if not jobs:
        raise BatchError(f"{path}: no jobs; give 'jobs' or 'grid'.")
    return jobs, data


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
