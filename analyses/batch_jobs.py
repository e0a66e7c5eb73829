"""Batch jobs: what one coverage question asks, its what-if, and batch files.

A :class:`Job` asks for the coverage of one **area** (a district code, a sub-district
``zone_id`` or a polygon WKT in EPSG:4548) by one **metric** (a catalogue id of kind
``"coverage"``, or ``categories`` + ``max_dist_m``) under one :class:`WhatIf` (proposed sites
added, or another threshold).  :func:`job_grid` spells out every combination;
:func:`load_batch_file` reads jobs and run settings from JSON; :func:`plan_job` resolves a
job's metric into the categories and distances the runner computes.

(A *scenario file*, :class:`jinan_gis.analyses.inputs.Scenario`, is something else: where a
whole run's layers come from and what it writes.  In a batch file a job's what-if is still
written under the key ``"scenario"`` and a grid's under ``"scenarios"``.)

Examples
--------
>>> job = Job("j1", "370103", metric="L-CLINIC-1000", scenario=WhatIf("d800", max_dist_m=800))
>>> plan_job(job)
JobPlan(label='L-CLINIC-1000', categories=('chc', 'township_health_centre', 'chs_station'), max_dist_m=800.0, rural_max_dist_m=None)
"""  # noqa: E501

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..geo.crs import ANALYSIS_CRS
from ..geo.errors import BatchError
from .catalogue import get_metric
from .coverage import coverage, select_facilities

if TYPE_CHECKING:
    from .batch_partition import AreaInputs

__all__ = [
    "BASELINE",
    "REPORT_COLUMNS",
    "RUN_KEYS",
    "Job",
    "JobPlan",
    "WhatIf",
    "empty_report",
    "is_area_wkt",
    "job_grid",
    "job_table",
    "load_batch_file",
    "normalise_report",
    "parse_area_wkt",
    "plan_job",
]

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+@-]{0,149}$")

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
:func:`~jinan_gis.analyses.coverage.coverage`; ``scenario`` is the name of the job's
:class:`~jinan_gis.analyses.batch_jobs.WhatIf`; ``group`` is the value of the job's ``by``
column, ``"all"`` without one; ``n_facilities``: facilities of the metric within reach of the
area, proposed sites included)."""

_COVERAGE_COLUMNS = ("population", "covered_network", "share_network", "covered_straight",
                     "share_straight", "not_placed", "share_not_placed", "moved", "share_moved",
                     "n_points")
RUN_KEYS: tuple[str, ...] = (
    "scheduler", "n_workers", "threads_per_worker", "memory_limit", "processes", "mode",
    "max_snap_m", "min_component_nodes", "max_jobs_per_task", "layers", "quiet",
    "store_path", "results_path",
)
"""The :func:`~jinan_gis.analyses.batch_runner.run_batch` keywords a batch file may set."""


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


def is_area_wkt(area: str) -> bool:
    """Whether a job's area is a polygon WKT (else a district code or zone id).

    Examples
    --------
    >>> is_area_wkt(" polygon ((0 0, 1 0, 1 1, 0 0))"), is_area_wkt("370103")
    (True, False)
    """
    return area.lstrip().upper().startswith(("POLYGON", "MULTIPOLYGON"))


def parse_area_wkt(area: str, job_id: str) -> shapely.Geometry:
    """The polygon of a WKT area (made valid), or a :class:`BatchError` naming ``job_id``.

    Examples
    --------
    >>> parse_area_wkt("POLYGON ((0 0, 2 0, 2 2, 0 0))", "j").area
    2.0
    >>> parse_area_wkt("POINT (0 0)", "j")
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.BatchError: job 'j': the area WKT must be a non-empty POLYGON or ...
    """
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
class WhatIf:
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
    >>> WhatIf("two-new", add_sites_xy=[(500100, 4060000), (501000, 4061000.5)])
    WhatIf(name='two-new', add_sites_xy=((500100.0, 4060000.0), (501000.0, 4061000.5)), max_dist_m=None)
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
    def from_dict(cls, data: Mapping[str, Any] | str) -> WhatIf:
        """A what-if from a dict (or just its name)."""
        if isinstance(data, str):
            return cls(data)
        return cls(**_known(data, cls, "scenario"))


BASELINE = WhatIf()
"""No change to the stored layers."""


@dataclass(frozen=True)
class Job:
    """One coverage question: an area, a metric and a what-if.

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
    scenario : WhatIf
        The what-if of this job (a dict or a name is read with :meth:`WhatIf.from_dict`).
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
    scenario: WhatIf = BASELINE
    by: str | None = None

    def __post_init__(self) -> None:
        _check_id(self.job_id, what="job_id")
        if not isinstance(self.area, str) or not self.area.strip():
            raise BatchError(f"job {self.job_id!r}: give the area as a district code, a zone id "
                             "or a polygon WKT (EPSG:4548).")
        if is_area_wkt(self.area):
            parse_area_wkt(self.area, self.job_id)
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
            object.__setattr__(self, "scenario", WhatIf.from_dict(self.scenario))
        if not isinstance(self.scenario, WhatIf):
            raise BatchError(f"job {self.job_id!r}: scenario must be a WhatIf.")

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
            kw["scenario"] = WhatIf.from_dict(kw["scenario"])
        return cls(**kw)


def job_grid(
    areas: Iterable[str],
    metrics: Iterable[str | tuple[Sequence[str] | str, float]],
    scenarios: Iterable[WhatIf] = (BASELINE,),
    *,
    by: str | None = None,
) -> list[Job]:
    """Every (area, metric, what-if) combination as a :class:`Job`.

    Job ids are ``"<area>.<metric>.<what-if>"`` (a custom metric ``(categories, max_dist_m)``
    is written ``"<cat+cat>@<d>m"``); areas given as WKT need explicit :class:`Job` objects.

    Examples
    --------
    >>> jobs = job_grid(["370103", "370112"], ["L-CLINIC-1000", (("library",), 800)],
    ...                 [BASELINE, WhatIf("d500", max_dist_m=500)])
    >>> len(jobs), jobs[0].job_id, jobs[-1].job_id
    (8, '370103.L-CLINIC-1000.baseline', '370112.library@800m.d500')
    """
    out = []
    scen = list(scenarios)
    mets = list(metrics)
    for area in areas:
        if is_area_wkt(area):
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


@dataclass(frozen=True)
class JobPlan:
    """What the runner computes for a job: its label, categories and threshold(s).

    ``rural_max_dist_m`` is set for catalogue metrics with a rural threshold (people in
    non-urban zones use it); ``categories`` is ``None`` for every facility.
    """

    label: str
    categories: tuple[str, ...] | None
    max_dist_m: float
    rural_max_dist_m: float | None

    @property
    def reach_m(self) -> float:
        """The farthest threshold: how far around the area the inputs are needed."""
        return max(self.max_dist_m, self.rural_max_dist_m or 0.0)


def plan_job(job: Job) -> JobPlan:
    """Resolve a job's metric and what-if into a :class:`JobPlan`.

    Raises
    ------
    BatchError
        The metric is not a coverage metric, or has no distance.  (An unknown metric id
        raises the catalogue's error.)

    Examples
    --------
    >>> plan_job(Job("j", "370103", categories="library", max_dist_m=800)).reach_m
    800.0
    """
    if job.metric is None:
        plan = JobPlan(job.metric_label, job.categories, float(job.max_dist_m), None)
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
        plan = JobPlan(m.id, tuple(m.categories), float(dist), rural)
    if job.scenario.max_dist_m is not None:
        plan = JobPlan(plan.label, plan.categories, job.scenario.max_dist_m, None)
    return plan


def load_batch_file(path: str | Path) -> tuple[list[Job], dict[str, Any]]:
    """Jobs and run settings from a JSON file.

    The file holds ``"jobs"`` (a list of :meth:`Job.to_dict` dicts) and/or ``"grid"``
    (``{"areas": [...], "metrics": [...], "scenarios": [...], "by": ...}``, see
    :func:`job_grid`; a custom metric is ``[[categories...], max_dist_m]``, a what-if a
    :meth:`WhatIf.to_dict` dict), plus any :func:`~jinan_gis.analyses.batch_runner.run_batch`
    keyword (:data:`RUN_KEYS`: ``store_path``, ``scheduler``, ``n_workers``,
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
        scen = [WhatIf.from_dict(s) for s in grid.get("scenarios", [BASELINE.to_dict()])]
        jobs += job_grid(grid.get("areas", []), metrics, scen, by=grid.get("by"))
    extra = set(data) - set(RUN_KEYS)
    if extra:
        raise BatchError(f"{path}: unknown setting(s) {sorted(extra)}; use {', '.join(RUN_KEYS)}.")
    if not jobs:
        raise BatchError(f"{path}: no jobs; give 'jobs' or 'grid'.")
    return jobs, data


# ----------------------------------------------------------------------------- answers
def _with_sites(fac: gpd.GeoDataFrame, sites: Sequence[tuple[float, float]]) -> gpd.GeoDataFrame:
    """The metric's facilities plus the what-if's proposed sites (category ``"proposed"``)."""
    if not sites:
        return fac
    xy = np.asarray(sites, dtype=np.float64)
    new = gpd.GeoDataFrame(
        {"category": ["proposed"] * len(xy), "source": ["scenario"] * len(xy)},
        geometry=shapely.points(xy), crs=ANALYSIS_CRS,
    )
    out = pd.concat([fac[["category", "geometry"]], new[["category", "geometry"]]],
                    ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=ANALYSIS_CRS)


def job_table(job: Job, plan: JobPlan, area: AreaInputs, *, max_snap_m: float) -> pd.DataFrame:
    """The answer to ``job``: its rows of the report (:data:`REPORT_COLUMNS`), computed on
    the inputs of its area (:func:`~jinan_gis.analyses.batch_partition.load_area`)."""
    fac = _with_sites(select_facilities(area.facilities, plan.categories),
                      job.scenario.add_sites_xy)
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
    for col in _COVERAGE_COLUMNS:
        out[col] = t[col].to_numpy()
    out["n_facilities"] = len(fac)
    return normalise_report(out)


def normalise_report(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with exactly the columns and dtypes of :data:`REPORT_COLUMNS`, in order."""
    out = pd.DataFrame({c: table[c].astype(d) for c, d in REPORT_COLUMNS.items()})
    return out.reset_index(drop=True)


def empty_report() -> pd.DataFrame:
    """A report table with no rows.

    Examples
    --------
    >>> list(empty_report().columns) == list(REPORT_COLUMNS), len(empty_report())
    (True, 0)
    """
    empty = {c: pd.Series([], dtype=d) for c, d in REPORT_COLUMNS.items()}
    return normalise_report(pd.DataFrame(empty))
