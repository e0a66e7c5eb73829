"""The steps a run is made of, shared by the ``jinan-gis`` command and the notebooks.

- :func:`check_sources` and :func:`build_inputs`: the layers of a run, from the SYNTHETIC
  sample, a layer store or a scenario file (:class:`~jinan_gis.analyses.inputs.Scenario`);
- :func:`run_report`: evaluate the plans' metrics and write ``report.xlsx``, ``layers.gpkg``,
  one map per mapped metric and ``summary.md``;
- :func:`run_coverage` (+ :func:`write_coverage`): one coverage metric per district (and
  sub-district);
- :func:`run_sites` (+ :func:`write_sites`): k new sites, each with where it is.

Functions take the data first and options by keyword, return what they made (results and
paths) and print nothing: progress only when ``progress=True`` (on stderr, through
:class:`~jinan_gis.analyses.progress.Steps`: a bar in a terminal or notebook, one line per
step in a log), messages through the ``say`` callback where one is taken.

Examples
--------
>>> import tempfile, pathlib
>>> inputs = build_inputs(scale=0.02)
>>> run = run_coverage(inputs, categories=["clinic"], max_dist_m=1000)
>>> run.synthetic, list(run.table.index)
(True, ['370103', '370112'])
>>> write_coverage(run, out_dir=pathlib.Path(tempfile.mkdtemp())).name
'coverage.csv'
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from ..geo.missing import is_missing
from ..geo.network import Network
from ..layers.provenance import is_synthetic
from .catalogue import CATALOGUE, Metric, get_metric
from .inputs import Scenario, check_store, inputs_from_sample, inputs_from_store
from .report import AnalysisInputs, Report, district_of, zone_of

__all__ = [
    "CoverageRun",
    "ReportRun",
    "SitesFiles",
    "SitesRun",
    "build_inputs",
    "check_sources",
    "is_synthetic_run",
    "run_coverage",
    "run_report",
    "run_sites",
    "street_network",
    "write_coverage",
    "write_sites",
]

Say = Callable[[str], None]
"""Where a step's messages go (``print``, a logger's ``info``...)."""

DEFAULT_SEED = 20231
"""Seed of the synthetic sample (the demo's)."""

_LAYER_ROLES = ("streets", "facilities", "population", "zones", "old_town")


# ----------------------------------------------------------------------------- inputs
def check_sources(*, scenario: Scenario | None = None, store: str | Path | None = None,
                  needs: tuple[str, ...] = ()) -> None:
    """Check, before any work, that the layer store a run would read exists and holds
    ``needs`` (the scenario's store when a scenario is given, else ``store``; nothing to
    check for the sample).

    Raises
    ------
    LayerError
        See :func:`~jinan_gis.analyses.inputs.check_store`.

    Examples
    --------
    >>> check_sources()  # the synthetic sample: nothing to check
    >>> check_sources(store="nope.gpkg")
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.LayerError: no layer store at nope.gpkg: ...
    """
    if scenario is not None:
        if not scenario.sample and scenario.store is not None:
            check_store(scenario.store, needs=needs)
    elif store:
        check_store(store, needs=needs)


def build_inputs(*, scenario: Scenario | None = None, store: str | Path | None = None,
                 seed: int = DEFAULT_SEED, scale: float = 1.0) -> AnalysisInputs:
    """The analysis inputs of a run: the scenario's layers, else the store's, else the
    SYNTHETIC sample at ``seed`` and ``scale``.

    Examples
    --------
    >>> build_inputs(scale=0.02).synthetic
    True
    """
    if scenario is not None:
        if scenario.sample:
            return inputs_from_sample(seed=scenario.seed, scale=scenario.scale,
                                      districts=tuple(scenario.districts))
        return inputs_from_store(scenario.store, names=scenario.layer_names,
                                 districts=scenario.districts)
    if store:
        return inputs_from_store(store)
    return inputs_from_sample(seed=seed, scale=scale)


def is_synthetic_run(inputs: AnalysisInputs) -> bool:
    """Whether any layer (or its provenance) is synthetic: the one rule
    (:func:`~jinan_gis.layers.provenance.is_synthetic`) over the run's layers.

    Examples
    --------
    >>> from jinan_gis.layers.districts import load_districts
    >>> is_synthetic_run(AnalysisInputs(districts=load_districts()))  # real polygons only
    False
    """
    layers = [getattr(inputs, n, None) for n in _LAYER_ROLES]
    prov = list((getattr(inputs, "provenance", None) or {}).values())
    return is_synthetic(layers) or is_synthetic(prov)


def _keep_districts(names: Iterable[str] | None) -> set[str] | None:
    if not names:
        return None
    from ..layers.districts import resolve_district

    return {resolve_district(d) for d in names}


# ----------------------------------------------------------------------------- report
@dataclass(frozen=True)
class ReportRun:
    """What :func:`run_report` made: the report and the files it wrote."""

    report: Report
    workbook: Path
    layers: Path
    maps: tuple[Path, ...]
    summary: Path

    @property
    def paths(self) -> list[Path]:
        """Every file written, in the order written (workbook, layers, maps, summary)."""
        return [p for p in (self.workbook, self.layers, *self.maps, self.summary)
                if p is not None]


def _map_file(i: int, metric_id: str) -> str:
    """``map.html`` for the first mapped metric, ``map_<METRIC-ID>.html`` for the others.

    Examples
    --------
    >>> _map_file(0, "L-CLINIC-1000"), _map_file(1, "S-CULTURE-15-30")
    ('map.html', 'map_S-CULTURE-15-30.html')
    """
    return "map.html" if i == 0 else f"map_{metric_id}.html"


def _district_values(report: Report, inputs: AnalysisInputs, metric: Metric) -> str:
    """"历城区 37.0 %, 市中区 58.2 %" from the report's rows of ``metric``."""
    rows = report.metrics[report.metrics["metric_id"] == metric.id]
    names = {}
    d = inputs.districts
    if d is not None and "code" in d.columns:
        col = "name_zh" if "name_zh" in d.columns else ("name" if "name" in d.columns else None)
        if col:
            names = dict(zip(d["code"].astype(str), d[col].astype(str), strict=True))
    parts = []
    for r in rows.itertuples():
        name = names.get(str(r.district), str(r.district))
        unit = getattr(r, "unit", "") or ""
        if is_missing(r.value):
            status = str(r.status)
            shown = "— (" + ("needs layer" if status.startswith("needs layer") else status) + ")"
        elif unit.strip() == "":
            shown = f"{float(r.value) * 100:.1f} %"
        else:
            shown = f"{float(r.value):.3g}{unit}"
        parts.append(f"{name} {shown}")
    return ", ".join(parts)


def _metric_title(report: Report, inputs: AnalysisInputs, metric: Metric) -> str:
    values = _district_values(report, inputs, metric)
    return f"{metric.id} {metric.name_zh} / {metric.name_en}" + (f" — {values}" if values else "")


def street_network(streets: gpd.GeoDataFrame, *, mode: str = "walk") -> Network:
    """The street network of ``streets`` in their own metric CRS (EPSG:4548 when they are in
    degrees or another non-metric CRS): the CRS every analysis of the run then works in.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> s = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (100, 0)])], crs="EPSG:32650")
    >>> street_network(s).crs
    'EPSG:32650'
    """
    from ..geo.crs import metric_crs_or_default, to_analysis_crs
    from ..geo.network import build_network

    return build_network(to_analysis_crs(streets, crs=metric_crs_or_default(streets)),
                         mode=mode)


def _needs_network(inputs: AnalysisInputs) -> bool:
    return inputs.network is None and inputs.streets is not None and len(inputs.streets) > 0


def _with_network(inputs: AnalysisInputs, timings: dict[str, float]) -> AnalysisInputs:
    """``inputs`` with a street network (built once, for the report and the maps)."""
    if not _needs_network(inputs):
        return inputs
    t = time.perf_counter()
    net = street_network(inputs.streets, mode=inputs.mode)
    timings["network"] = time.perf_counter() - t
    return dataclasses.replace(inputs, network=net)


def _kernels_cold() -> bool:
    """Whether the network kernels still have to be compiled (numba's cache is cold)."""
    from ..geo.service_area import kernels_cached

    return not kernels_cached()


def _compile_step() -> str:
    from ..geo.service_area import COMPILE_SECONDS

    return f"compiling the network kernels (first run only, ~{COMPILE_SECONDS} s)"


def _warm_up(timings: dict[str, float]) -> None:
    """Compile the network kernels on a tiny graph, in a step of their own (cold cache)."""
    from ..geo.service_area import warm_up_kernels

    t = time.perf_counter()
    warm_up_kernels()
    timings["compile network kernels (first run)"] = time.perf_counter() - t


def _metric_distances(m: Metric) -> set[float]:
    return {d for d in (m.distance_m(), m.distance_m(rural=True)) if d}


def _extra_service_areas(inputs: AnalysisInputs, metrics: Sequence[Metric]
                         ) -> dict[str, gpd.GeoDataFrame]:
    """Service areas (dissolved, at the metric's own distances) of the further mapped metrics."""
    if inputs.network is None or inputs.facilities is None:
        return {}
    from ..geo.crs import to_analysis_crs
    from ..geo.service_area import service_areas
    from .coverage import select_facilities

    fac = to_analysis_crs(inputs.facilities, crs=inputs.network.crs)
    out = {}
    for m in metrics:
        dists = sorted(_metric_distances(m))
        if not m.categories or not dists:  # an area or count target: nothing to draw around
            continue
        sel = select_facilities(fac, m.categories)
        if not dists or not len(sel):
            continue
        sa = service_areas(inputs.network, sel, max_dist_m=dists, max_snap_m=inputs.max_snap_m,
                           dissolve=True)
        sa["metric_id"] = m.id
        out[m.id] = sa
    return out


def _service_areas(report: Report, inputs: AnalysisInputs, mapped: list[Metric]
                   ) -> dict[str, gpd.GeoDataFrame]:
    """Each further mapped metric's service areas; the first one's missing distances (e.g.
    a rural 2000 m) are added to the report's own service areas."""
    own = report.places.get("service_areas")
    have = set() if own is None else set(own["max_dist_m"])
    first_missing = _metric_distances(mapped[0]) - have
    extra = _extra_service_areas(inputs, mapped[1:] + (mapped[:1] if first_missing else []))
    if mapped[0].id in extra:
        more = extra.pop(mapped[0].id)
        more = more[~more["max_dist_m"].isin(have)]
        report.places["service_areas"] = more if own is None else pd.concat(
            [own, more], ignore_index=True)
    return extra


def _for_metric(frame: pd.DataFrame | None, metric_id: str) -> pd.DataFrame | None:
    if frame is None or "metric_id" not in frame.columns:
        return frame
    sub = frame[frame["metric_id"] == metric_id]
    return sub if len(sub) else None


def _write_map(path: Path, report: Report, inputs: AnalysisInputs, metric: Metric,
               service_areas: gpd.GeoDataFrame | None, *, sites: gpd.GeoDataFrame | None,
               basemap: str) -> Path:
    """One map of ``metric``: its facilities, service areas, gaps, per-district values."""
    from .coverage import select_facilities
    from .maps import export_map

    fac = None
    if inputs.facilities is not None and metric.categories:
        fac = select_facilities(inputs.facilities, metric.categories)
        fac = fac if len(fac) else None
    return export_map(
        path,
        districts=inputs.districts,
        zones=inputs.zones,
        facilities=fac,
        service_areas=_for_metric(service_areas, metric.id),
        coverage=_for_metric(report.places.get("coverage_grid"), metric.id),
        gaps=_for_metric(report.places.get("gaps"), metric.id),
        sites=sites,
        title=_metric_title(report, inputs, metric),
        metric=f"{metric.id} ({metric.threshold_text})",
        target=f"{metric.target_text} ({metric.source_file})",
        basemap=basemap,
        synthetic=True if is_synthetic_run(inputs) else None,
    )


def _layers(report: Report, inputs: AnalysisInputs, extra: dict[str, gpd.GeoDataFrame],
            sites: gpd.GeoDataFrame | None) -> dict[str, Any]:
    sa_all = [f for f in [report.places.get("service_areas"), *extra.values()] if f is not None]
    return {
        "districts": inputs.districts,
        "zones": inputs.zones,
        "facilities": inputs.facilities,
        "service_areas": pd.concat(sa_all, ignore_index=True) if sa_all else None,
        "coverage_grid": report.places.get("coverage_grid"),
        "gaps": report.places.get("gaps"),
        "sites": sites,
    }


def run_report(inputs: AnalysisInputs, *, out_dir: str | Path,
               metrics: Iterable[str] | None = None, basemap: str = "osm",
               sites: gpd.GeoDataFrame | None = None, progress: bool = False,
               timings: bool = False) -> ReportRun:
    """Evaluate the plans' metrics and write ``report.xlsx``, ``layers.gpkg``, the maps and
    ``summary.md`` into ``out_dir``.

    Parameters
    ----------
    inputs : AnalysisInputs
        The layers (:func:`build_inputs`); not changed (a network is built on a copy).
    out_dir : path
        Created if needed.
    metrics : iterable of str, optional
        Metric ids to evaluate, in order (repeats dropped); the first is drawn in
        ``map.html``, each further one in ``map_<ID>.html``. Default: the whole catalogue,
        with ``L-CLINIC-1000`` in ``map.html``.
    basemap : {"osm", "amap"}
    sites : GeoDataFrame, optional
        Proposed sites to draw and store.
    progress : bool
        Show the steps on stderr (:class:`~jinan_gis.analyses.progress.Steps`: a bar in a
        terminal or notebook, one line per step in a log). On a first run (numba's cache
        cold) the network kernels are compiled first, in a step of their own.
    timings : bool
        Also write the seconds each step took into ``summary.md`` (they are always in
        ``report.timings``).

    Returns
    -------
    ReportRun
        The report (with ``timings``) and the paths written.
    """
    from .export import (
        coverage_by_zone,
        input_layers,
        run_metadata,
        write_excel,
        write_geopackage,
        write_summary,
    )
    from .progress import Steps
    from .report import evaluate

    out = Path(out_dir)
    ids = list(dict.fromkeys(metrics or ()))  # requested, in order, without repeats
    chosen = CATALOGUE if not ids else tuple(get_metric(m) for m in ids)
    mapped = [get_metric("L-CLINIC-1000")] if not ids else list(chosen)
    out.mkdir(parents=True, exist_ok=True)
    build = _needs_network(inputs)
    cold = (build or inputs.network is not None) and _kernels_cold()
    steps = Steps(cold + build + 4 + len(mapped), enabled=progress, desc="report")
    t0 = time.perf_counter()
    times: dict[str, float] = {}
    if cold:
        steps.step(_compile_step())
        _warm_up(times)
    if build:
        steps.step("build the street network")
        inputs = _with_network(inputs, times)
    steps.step(f"evaluate {len(chosen)} metrics")
    rep = evaluate(inputs, metrics=chosen, progress=steps.bars,
                   service_area_metric=mapped[0].id)
    for k, v in rep.timings.items():  # evaluate's 'network' is 0 s: it got ours
        times.setdefault(k, v)
    extra_sa = _service_areas(rep, inputs, mapped)

    def step(name: str, write: Callable[[], Path]) -> Path:
        steps.step(f"write {name}")
        t = time.perf_counter()
        path = write()
        times[f"write {name}"] = time.perf_counter() - t
        return path

    xlsx = step("report.xlsx", lambda: write_excel(rep, out / "report.xlsx"))
    gpkg = step("layers.gpkg", lambda: write_geopackage(
        {**_layers(rep, inputs, extra_sa, sites),
         "coverage_zones": coverage_by_zone(rep, inputs.zones), **input_layers(inputs)},
        out / "layers.gpkg", metadata=run_metadata(inputs)))
    maps = []
    for i, m in enumerate(mapped):
        sa = rep.places.get("service_areas") if i == 0 else extra_sa.get(m.id)
        maps.append(step(_map_file(i, m.id), lambda m=m, i=i, sa=sa: _write_map(
            out / _map_file(i, m.id), rep, inputs, m, sa, sites=sites, basemap=basemap)))
    steps.step("write summary.md")
    times["total (evaluate + write)"] = time.perf_counter() - t0
    rep.timings = times
    md = write_summary(rep, out / "summary.md", timings=timings)
    steps.close()
    return ReportRun(rep, xlsx, gpkg, tuple(maps), md)


# ----------------------------------------------------------------------------- coverage
@dataclass(frozen=True)
class CoverageRun:
    """What :func:`run_coverage` computed: the table (one row per district, or per
    district and sub-district) and what it was asked."""

    table: pd.DataFrame
    categories: tuple[str, ...]
    max_dist_m: float
    mode: str
    synthetic: bool


def run_coverage(inputs: AnalysisInputs, *, categories: Sequence[str], max_dist_m: float,
                 mode: str = "walk", districts: Iterable[str] | None = None,
                 by_zone: bool = False) -> CoverageRun:
    """Share of residents within ``max_dist_m`` (network and straight line) of a facility
    of ``categories``, per district (and per sub-district with ``by_zone``).

    Parameters
    ----------
    inputs : AnalysisInputs
        Needs streets, facilities and population; not changed.
    categories : sequence of str
        Groups, category ids or Chinese/English names.
    max_dist_m : float
        Network distance in metres.
    mode : {"walk", "bike", "drive"}
    districts : iterable of str, optional
        District codes or names to keep (default every district).
    by_zone : bool
        One row per sub-district (when the inputs have zones).

    Returns
    -------
    CoverageRun
    """
    from .coverage import coverage

    net = street_network(inputs.streets, mode=mode)
    pop = inputs.population.copy()
    pop["district_code"] = district_of(pop, inputs.districts)
    by = ["district_code"]
    if by_zone and inputs.zones is not None:
        pop["zone"] = zone_of(pop, inputs.zones)
        by.append("zone")
    keep = _keep_districts(districts)
    if keep is not None:
        pop = pop[pop["district_code"].isin(keep)]
    tab = coverage(net, inputs.facilities, pop, max_dist_m=max_dist_m, categories=categories,
                   by=by)
    return CoverageRun(tab, tuple(categories), float(max_dist_m), mode, is_synthetic_run(inputs))


def write_coverage(run: CoverageRun, *, out_dir: str | Path) -> Path:
    """Write ``coverage.csv`` (UTF-8 with BOM, for Excel; marked when synthetic)."""
    from ..geo.files import write_csv_atomic
    from ..layers.provenance import mark_synthetic

    Path(out_dir).mkdir(parents=True, exist_ok=True)
    p = Path(out_dir) / "coverage.csv"
    write_csv_atomic(mark_synthetic(run.table, run.synthetic), p, index=True)
    return p


# ----------------------------------------------------------------------------- sites
@dataclass(frozen=True)
class SitesRun:
    """What :func:`run_sites` computed: the solver's result, the located sites (sub-district,
    nearest street, WGS84 and GCJ-02 coordinates), the existing facilities of the categories
    and the network used."""

    result: Any
    sites: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    network: Any
    categories: tuple[str, ...]
    max_dist_m: float
    synthetic: bool


@dataclass(frozen=True)
class SitesFiles:
    """The files :func:`write_sites` wrote."""

    layers: Path
    map: Path


def run_sites(inputs: AnalysisInputs, *, categories: Sequence[str], k: int = 5,
              max_dist_m: float = 1000.0, method: str = "greedy", bound: bool = False,
              districts: Iterable[str] | None = None, progress: bool = False) -> SitesRun:
    """Propose ``k`` new sites that add the most residents within ``max_dist_m`` (walking;
    existing facilities of ``categories`` kept) and say where each is.

    ``method`` and ``bound`` (greedy: LP bound on the optimum) are passed to
    :func:`~jinan_gis.analyses.sites.propose_sites`; ``districts`` keeps the residents of
    those districts (codes or names).
    """
    from ..geo.crs import to_analysis_crs
    from ..layers.provenance import mark_synthetic
    from .coverage import select_facilities
    from .progress import Steps
    from .sites import locate_sites, propose_sites

    synthetic = is_synthetic_run(inputs)
    cold = _kernels_cold()
    steps = Steps(cold + 3, enabled=progress, desc="sites")
    if cold:
        steps.step(_compile_step())
        _warm_up({})
    steps.step("build the street network")
    net = street_network(inputs.streets, mode="walk")
    pop = to_analysis_crs(inputs.population, crs=net.crs)
    keep = _keep_districts(districts)
    if keep is not None:
        pop = pop[[c in keep for c in district_of(pop, inputs.districts)]]
    fac = to_analysis_crs(select_facilities(inputs.facilities, categories), crs=net.crs)
    steps.step(f"choose {k} sites ({method})")
    res = propose_sites(net, pop, fac, k=k, max_dist_m=max_dist_m, method=method,
                        count_access=True, lp_bound=bound, progress=steps.bars)
    steps.step("locate the sites (sub-district, street, coordinates)")
    sites = locate_sites(res.sites, zones=inputs.zones, streets=inputs.streets)
    steps.close()
    return SitesRun(res, mark_synthetic(sites, synthetic), fac, net, tuple(categories),
                    float(max_dist_m), synthetic)


def write_sites(run: SitesRun, inputs: AnalysisInputs, *, out_dir: str | Path) -> SitesFiles:
    """Write ``sites.gpkg`` (sites, facilities, districts) and ``sites_map.html`` (each
    site's service area)."""
    from ..geo.service_area import service_areas
    from .export import write_geopackage
    from .maps import export_map

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    gpkg = out / "sites.gpkg"
    write_geopackage({"sites": run.sites, "facilities": run.facilities,
                      "districts": inputs.districts}, gpkg)
    sa = None
    if len(run.sites):
        sa = service_areas(run.network, run.sites.set_index("site_id"),
                           max_dist_m=run.max_dist_m, max_snap_m=250.0)
    gain = run.result.summary["gain_people"]
    html = export_map(out / "sites_map.html", districts=inputs.districts, zones=inputs.zones,
                      facilities=run.facilities, sites=run.sites, service_areas=sa,
                      title=f"建议新址 / proposed sites: {', '.join(run.categories)} "
                      f"(+{gain:,.0f} people within {run.max_dist_m:g} m)",
                      synthetic=True if run.synthetic else None)
    return SitesFiles(gpkg, Path(html))
