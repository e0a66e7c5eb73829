"""Evaluate the plans' metric catalogue on a set of layers: values, targets, pass/fail, gaps.

:func:`evaluate` takes an :class:`AnalysisInputs` (districts, streets, facilities,
population, optional sub-district zones and old-town zone) and returns a :class:`Report`: one
row per (metric, district) with the value, the target, the status (``pass``, ``fail``,
``no numeric target`` or ``needs layer: ...``), the plan source and quote, the scope used, and
whether any input layer is synthetic; plus tables (coverage per zone, presence per zone) and
places (gap polygons, service areas, a coverage grid) for maps and GeoPackages.

Whether the inputs are synthetic is decided by one rule,
:func:`jinan_gis.layers.provenance.is_synthetic`, over the layers and the provenance the
loaders gave (:attr:`AnalysisInputs.provenance`); when they are, every table and place of the
report carries a ``data_note`` column holding
:data:`~jinan_gis.layers.provenance.SYNTHETIC_MARK`.

What is measured is stated in every report (:data:`MEASURE_NOTES`, plus which layer is the
demand): see :meth:`Report.method_lines`.

Everything is measured in one metric CRS, the network's (``inputs.network.crs``, or the CRS
of ``inputs.streets`` when it is metric; EPSG:4548 when nothing says otherwise): the other
layers are reprojected to it, so a network and layers all in UTM zone 50N (EPSG:32650) give
the same answer as the same data in EPSG:4548.  Each metric's nearest-facility search runs
once (:func:`~jinan_gis.geo.reach.nearest_tree`) and feeds its coverage tables, gaps and
coverage grid in every district.  :class:`AnalysisInputs` and :class:`Report` live in
:mod:`jinan_gis.analyses.report_model` and are re-exported here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from tqdm.auto import tqdm

from ..geo.crs import ANALYSIS_CRS, metric_crs_or_default, to_analysis_crs
from ..geo.network import Network, build_network
from ..geo.reach import NearestTree, nearest_source, nearest_tree
from ..geo.service_area import service_areas
from ..geo.street_nodes import unique_int_rows
from ..layers.provenance import mark_synthetic
from ..layers.zones import label_points
from .catalogue import CATALOGUE, Metric
from .coverage import (
    PlacedPopulation,
    coverage,
    nearest_distances,
    place_population,
    select_facilities,
)
from .gaps import find_gaps
from .inventory import inventory_table
from .progress_targets import progress_table
from .report_model import (
    COVERAGE_COLUMN_ORDER,
    DEMAND_LABELS,
    MEASURE_NOTES,
    PLAN_SCOPE_NOTE,
    AnalysisInputs,
    Report,
    order_coverage_columns,
)
from .report_needs import needs_status
from .report_rows import (
    area_share_metric,
    count_metric,
    life_circle_metric,
    metric_row,
    overview_table,
    per_capita_count_metric,
    per_capita_metric,
    presence_metric,
    status_of,
    subset,
    unit_share_metric,
)

__all__ = [
    "COVERAGE_COLUMN_ORDER",
    "GRID_MAX_DIST_M",
    "MEASURE_NOTES",
    "PLAN_SCOPE_NOTE",
    "AnalysisInputs",
    "Report",
    "district_of",
    "evaluate",
    "zone_of",
]

log = logging.getLogger(__name__)

DENSITY_URBAN_PER_KM2 = 1500.0
"""Density rule (toolkit rule) for urban/rural when no zone says: residents per km² in the
person's 1 km grid cell at or above this are urban."""

GRID_MAX_DIST_M = 5000.0
"""How far the coverage grid looks for the nearest facility (cells beyond: ``inf``)."""


# ----------------------------------------------------------------------------- helpers
def district_of(points: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> np.ndarray:
    """District code of every point: its ``district_code`` column, else the district it lies in.

    Parameters
    ----------
    points : GeoDataFrame
        Points (e.g. the population); not changed.
    districts : GeoDataFrame
        District polygons with a ``code`` column, in the CRS of ``points``.

    Returns
    -------
    numpy.ndarray of object
        One code per point; None for points inside no district.

    Examples
    --------
    >>> from shapely.geometry import Point, box
    >>> d = gpd.GeoDataFrame({"code": ["370112", "370103"]},
    ...     geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs="EPSG:4548")
    >>> p = gpd.GeoDataFrame(geometry=[Point(5, 5), Point(15, 5), Point(50, 5)],
    ...                      crs="EPSG:4548")
    >>> district_of(p, d).tolist()
    ['370112', '370103', None]
    """
    if "district_code" in points.columns:
        return points["district_code"].astype(object).to_numpy()
    return label_points(points, districts, "code")


def zone_of(points: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> np.ndarray:
    """Sub-district (``zone_id``, as text) every point lies in; None outside every zone.

    Parameters
    ----------
    points : GeoDataFrame
        Points (e.g. the population); not changed.
    zones : GeoDataFrame
        Sub-district polygons with a ``zone_id`` column, in the CRS of ``points``.

    Returns
    -------
    numpy.ndarray of object

    Examples
    --------
    >>> from shapely.geometry import Point, box
    >>> z = gpd.GeoDataFrame({"zone_id": [7, 8]},
    ...     geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs="EPSG:4548")
    >>> p = gpd.GeoDataFrame(geometry=[Point(15, 5), Point(50, 5)], crs="EPSG:4548")
    >>> zone_of(p, z).tolist()
    ['8', None]
    """
    return label_points(points, zones.assign(zone_id=zones["zone_id"].astype(str)), "zone_id")


def _urban_flags(
    placed: PlacedPopulation, zones: gpd.GeoDataFrame | None
) -> tuple[np.ndarray, str]:
    if zones is not None and "urban" in zones.columns and "zone" in placed.population.columns:
        z = zones.set_index(zones["zone_id"].astype(str))["urban"]
        flags = placed.population["zone"].astype(str).map(z)
        if flags.notna().all():
            return flags.to_numpy(dtype=bool), "urban/rural from the zone layer's 'urban' column"
    cells = np.floor(placed.xy / 1000.0).astype(np.int64)
    _, inv = unique_int_rows(cells)
    dens = np.bincount(inv, weights=placed.weight)[inv]
    return dens >= DENSITY_URBAN_PER_KM2, (
        f"urban/rural by the density rule: >= {DENSITY_URBAN_PER_KM2:g} residents per km² in "
        "the person's 1 km grid cell = urban (toolkit rule)"
    )


# ----------------------------------------------------------------------------- evaluate
def evaluate(
    inputs: AnalysisInputs,
    *,
    metrics: Sequence[Metric] = CATALOGUE,
    districts: Iterable[str] | None = None,
    gap_cell_m: float = 500.0,
    service_area_metric: str | None = "L-CLINIC-1000",
    grid_cell_m: float = 500.0,
    progress: bool = True,
    evaluation_year: int | None = None,
) -> Report:
    """Evaluate every metric the layers allow; mark the others ``needs layer: ...``.

    Parameters
    ----------
    inputs : AnalysisInputs
    metrics : sequence of Metric
        Default: the whole :data:`~jinan_gis.analyses.catalogue.CATALOGUE`.
    districts : district codes, optional
        Default: every district in ``inputs.districts``.
    gap_cell_m : float
        Cell size for gap polygons.
    service_area_metric : str or None
        Metric whose facilities get service-area polygons (300/500/1000 m) for maps.
    grid_cell_m : float
        Cell size of the coverage grid (distance to the nearest facility of that metric).
    progress : bool
        Show a progress bar.
    evaluation_year : int, optional
        The year the layers' values stand for, in the progress table (default: this year).

    Returns
    -------
    Report
        In the network's CRS (see the module docstring). Its first tables are the overview
        (``"overview"``: targets met, failed, not measurable, per plan), the progress toward
        the dated targets (``"progress"``, :mod:`~jinan_gis.analyses.progress_targets`) and
        the inventory check of each district (``"inventory <code>"``,
        :mod:`~jinan_gis.analyses.inventory`).
    """
    t0 = time.perf_counter()
    ctx = _prepare(inputs)
    codes = list(ctx.dist["code"]) if districts is None else [str(c) for c in districts]
    if service_area_metric and ctx.network is not None and ctx.fac is not None:
        m = next((x for x in metrics if x.id == service_area_metric), None)
        if m is not None and m.categories:  # one search for this metric: coverage, gaps, grid
            ctx.tree(m.categories, max(GRID_MAX_DIST_M, _limit_m(m)))
    rows: list[dict] = []
    tables: dict[str, pd.DataFrame] = {}
    places: dict[str, gpd.GeoDataFrame] = {}
    gap_frames: list[gpd.GeoDataFrame] = []
    todo = [(m, c) for m in metrics for c in codes if c in m.scope]
    bar = tqdm(todo, desc="metrics", disable=not progress, leave=False)
    for m, code in bar:
        bar.set_postfix_str(m.id)
        t = time.perf_counter()
        needs = needs_status(m, code, ctx)
        if needs:
            rows.append(metric_row(m, code, status=needs))
            continue
        if m.kind == "coverage":
            rows.append(_coverage_metric(m, code, ctx, tables, gap_frames, gap_cell_m))
        elif m.kind == "zone_presence":
            rows.append(presence_metric(m, code, ctx.fac, ctx.zones, tables,
                                         synthetic_zones=inputs.layer_synthetic("zones")))
        elif m.kind == "per_capita_area":
            rows.append(per_capita_metric(m, code, ctx.fac, ctx.dist, ctx.population()))
        elif m.kind == "life_circle":
            rows.append(life_circle_metric(m, code, ctx.network, ctx.fac, ctx.placed, tables,
                                           reach=ctx.life_reach))
        elif m.kind == "count":
            rows.append(count_metric(m, code, ctx.fac, ctx.dist))
        elif m.kind == "per_capita_count":
            rows.append(per_capita_count_metric(m, code, ctx.fac, ctx.dist, ctx.population()))
        elif m.kind == "area_share":
            rows.append(area_share_metric(m, code, ctx.dist, ctx.extra_layers(m.needs)))
        elif m.kind == "unit_share":
            units = ctx.extra_layers((m.unit_layer,))[m.unit_layer]
            rows.append(unit_share_metric(m, code, ctx.fac, ctx.dist, units, tables))
        ctx.timings[f"{m.id} {code}"] = time.perf_counter() - t
    if gap_frames:
        places["gaps"] = pd.concat(gap_frames, ignore_index=True)
    if service_area_metric and ctx.network is not None and ctx.fac is not None:
        t = time.perf_counter()
        m = next((x for x in metrics if x.id == service_area_metric), None)
        if m is not None and m.categories:  # an area or count target has no facilities to map
            places.update(_service_area_places(m, ctx, grid_cell_m))
        ctx.timings["service areas + grid"] = time.perf_counter() - t
    t = time.perf_counter()
    tables = {**_plan_tables(rows, metrics, ctx, evaluation_year), **tables}
    ctx.timings["overview, progress, inventory"] = time.perf_counter() - t
    ctx.timings["evaluate (all metrics)"] = time.perf_counter() - t0
    return _finish(inputs, rows, tables, places, ctx)


def _plan_tables(rows: list[dict], metrics: Sequence[Metric], ctx: _Context,
                 evaluation_year: int | None) -> dict[str, pd.DataFrame]:
    """The overview, the progress table and each district's inventory check."""
    if not rows:
        return {}
    frame = pd.DataFrame(rows)
    out = {"overview": overview_table(frame),
           "progress": progress_table(frame, catalogue=metrics,
                                      evaluation_year=evaluation_year)}
    inv = inventory_table(ctx.fac, ctx.dist)
    for code, g in inv.groupby("district", sort=False):
        out[f"inventory {code}"] = g.reset_index(drop=True)
    return out


@dataclass
class _Context:
    """The layers of one :func:`evaluate`, in its one CRS, and the searches it has run."""

    inputs: AnalysisInputs
    crs: str
    dist: gpd.GeoDataFrame
    fac: gpd.GeoDataFrame | None
    zones: gpd.GeoDataFrame | None
    network: Network | None
    placed: PlacedPopulation | None
    have: set[str]
    pop_codes: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    trees: dict[tuple[str, ...], NearestTree] = field(default_factory=dict)
    extras: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    life_reach: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict)

    def layer(self, gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
        """``gdf`` in the analysis CRS (the object itself when already there: read only)."""
        return to_analysis_crs(gdf, what=what, crs=self.crs)

    def population(self) -> gpd.GeoDataFrame:
        """The population layer as given (with its own columns), in the analysis CRS."""
        return self.layer(self.inputs.population, "population layer")

    def extra_layers(self, names: Iterable[str]) -> dict[str, gpd.GeoDataFrame]:
        """The ``extra`` layers among ``names``, in the analysis CRS (each converted once)."""
        out = {}
        for n in names:
            if n in self.inputs.extra:
                if n not in self.extras:
                    self.extras[n] = self.layer(self.inputs.extra[n], f"{n} layer")
                out[n] = self.extras[n]
        return out

    def tree(self, categories: Sequence[str], limit_m: float) -> NearestTree:
        """The nearest-facility search of ``categories`` reaching ``limit_m``: run once,
        reused by every district, the gaps and the grid (rerun only to reach farther)."""
        key = tuple(categories)
        tree = self.trees.get(key)
        if tree is None or tree.max_dist_m < limit_m:
            tree = nearest_tree(self.network, select_facilities(self.fac, categories),
                                max_dist_m=limit_m, max_snap_m=self.inputs.max_snap_m)
            self.trees[key] = tree
        return tree


def _prepare(inputs: AnalysisInputs) -> _Context:
    """Build the network and put every layer in its CRS; place the population once."""
    timings: dict[str, float] = {}
    have = inputs.available()
    network = inputs.network
    if network is None and "streets" in have:
        t = time.perf_counter()
        streets = to_analysis_crs(inputs.streets, what="street layer",
                                  crs=metric_crs_or_default(inputs.streets))
        network = build_network(streets, mode=inputs.mode)
        timings["network"] = time.perf_counter() - t
    crs = network.crs if network is not None else ANALYSIS_CRS
    ctx = _Context(inputs, crs, to_analysis_crs(inputs.districts, what="district layer", crs=crs),
                   None, None, network, None, have, timings=timings)
    if inputs.facilities is not None:
        ctx.fac = ctx.layer(inputs.facilities, "facility layer")
    if inputs.zones is not None:
        ctx.zones = ctx.layer(inputs.zones, "zone layer")
    if network is not None and "population" in have:
        t = time.perf_counter()
        pop = ctx.population()
        pop = pop.copy() if pop is inputs.population else pop  # columns are added below
        pop["district_code"] = district_of(pop, ctx.dist)
        if ctx.zones is not None:
            pop["zone"] = zone_of(pop, ctx.zones)
        ctx.placed = place_population(network, pop, max_snap_m=inputs.max_snap_m)
        ctx.pop_codes = set(pop["district_code"].dropna().astype(str))
        timings["snap population"] = time.perf_counter() - t
        ctx.notes += _placement_notes(ctx.placed)
    return ctx


def _placement_notes(placed: PlacedPopulation) -> list[str]:
    """Report notes on the people moved to the main network and those not placed."""
    notes = []
    ok = np.asarray(placed.snapped.ok, dtype=bool)
    status = np.asarray(placed.snapped.status).astype(str)
    not_ok = {str(k): int(v) for k, v in zip(*np.unique(status[~ok], return_counts=True),
                                             strict=True)}
    moved = {str(k): int(v) for k, v in zip(*np.unique(status[ok & (status != "ok")],
                                                     return_counts=True), strict=True)}
    if moved:
        extra = getattr(placed.snapped, "moved_m", None)
        walk = ""
        if extra is not None:
            sel = ok & (status != "ok")
            w = placed.weight[sel]
            e = np.nan_to_num(np.asarray(extra, dtype=float)[sel])
            if w.sum() > 0:
                walk = f", walking {float((w * e).sum() / w.sum()):.0f} m more on average"
        notes.append(f"population points moved to the main network: {moved}{walk} "
                     "(placed and counted; reported per metric in 'moved')")
    if not_ok:
        notes.append(f"population points not placed on the network: {not_ok} "
                     "(reported per metric in 'not placed', never counted as covered)")
    return notes


def _service_area_places(m: Metric, ctx: _Context, grid_cell_m: float
                         ) -> dict[str, gpd.GeoDataFrame]:
    """Service-area polygons (300/500/1000 m) and the coverage grid of metric ``m``."""
    sel = select_facilities(ctx.fac, m.categories)
    if not len(sel):
        return {}
    sa = service_areas(ctx.network, sel, max_dist_m=[300.0, 500.0, 1000.0],
                       max_snap_m=ctx.inputs.max_snap_m, dissolve=True)
    sa["metric_id"] = m.id
    grid = _coverage_grid(ctx.network, ctx.tree(m.categories, GRID_MAX_DIST_M), ctx.dist,
                          grid_cell_m, ctx.inputs.max_snap_m)
    grid["metric_id"] = m.id
    return {"service_areas": sa, "coverage_grid": grid}


def _finish(inputs: AnalysisInputs, rows: list[dict], tables: dict[str, pd.DataFrame],
            places: dict[str, gpd.GeoDataFrame], ctx: _Context) -> Report:
    """The :class:`Report`, marked synthetic throughout when the inputs are."""
    notes = ctx.notes
    if not rows:  # an area outside the catalogue's districts: an empty table, same columns
        codes = ", ".join(str(c) for c in inputs.districts.get("code", [])) if \
            inputs.districts is not None else ""
        notes.append(f"no plan metric applies to the area ({codes or 'no district code'}): the "
                     "catalogue's targets are for 历城区 370112 and 市中区 370103; use "
                     "coverage(...) or jinan-gis coverage for other areas.")
    columns = list(metric_row(CATALOGUE[0], "").keys())
    metrics_df = order_coverage_columns(pd.DataFrame(rows, columns=None if rows else columns))
    layers = inputs.layer_table()
    synthetic = inputs.synthetic
    metrics_df["synthetic_inputs"] = synthetic
    if synthetic:
        notes.insert(0, "SYNTHETIC inputs: results illustrate the method, not Jinan.")
        metrics_df = mark_synthetic(metrics_df, True)
        layers = mark_synthetic(layers, True)
        tables = {k: mark_synthetic(v, True) for k, v in tables.items()}
        places = {k: mark_synthetic(v, True) for k, v in places.items()}
    return Report(metrics_df, tables, places, layers, ctx.timings, notes,
                  synthetic_inputs=synthetic,
                  provenance={k: dict(v) for k, v in inputs.provenance.items()},
                  method=[*MEASURE_NOTES, inputs.demand_note()])


def _limit_m(m: Metric) -> float:
    """The farthest a coverage metric looks (its rural distance when it has one)."""
    if m.kind != "coverage":
        return 0.0
    return max(m.distance_m(), m.distance_m(rural=True) if m.rural_walk_min is not None else 0.0)


def _coverage_metric(m: Metric, code: str, ctx: _Context, tables: dict[str, pd.DataFrame],
                     gap_frames: list[gpd.GeoDataFrame], gap_cell_m: float) -> dict:
    """One coverage metric in one district: its row, its per-zone table and its gaps, all
    from one nearest-facility measure of its residents."""
    placed, zones, inputs = ctx.placed, ctx.zones, ctx.inputs
    pop = placed.population
    in_d = (pop["district_code"] == code).to_numpy().copy()
    scope = f"residents of {code}; facilities and streets on both sides of the border"
    if m.within_zone_type == "old_town":
        ot = ctx.layer(inputs.old_town, "old-town layer")
        inside = shapely.contains_xy(shapely.union_all(ot.geometry.to_numpy()),
                                     placed.xy[:, 0], placed.xy[:, 1])
        in_d &= inside
        scope += "; only residents inside the old-town zone (二环路以内)"
        if inputs.layer_synthetic("old_town"):
            scope += " (synthetic old-town outline)"
    sub = subset(placed, in_d)
    if m.demand != "population":  # e.g. people aged 60+: each point weighted by that column
        w = pd.to_numeric(sub.population[m.demand], errors="coerce").fillna(0.0).to_numpy()
        sub = PlacedPopulation(sub.population, sub.snapped, sub.xy, w.astype(float))
        scope += f"; demand: {DEMAND_LABELS[m.demand]}"
    thr = None
    detail = ""
    if m.rural_walk_min is not None:
        urban, how = _urban_flags(sub, zones)
        thr = np.where(urban, m.distance_m(), m.distance_m(rural=True))
        detail = how
    cols = ["zone"] if "zone" in pop.columns else None
    dmax = m.distance_m()
    lim = thr if thr is not None else dmax
    limit = float(np.max(thr)) if thr is not None and len(thr) else dmax
    sel = select_facilities(ctx.fac, m.categories)
    d = nearest_distances(ctx.network, sel, sub, max_dist_m=limit, max_snap_m=inputs.max_snap_m,
                          tree=ctx.tree(m.categories, limit))
    kw = {"max_dist_m": dmax, "categories": m.categories, "max_snap_m": inputs.max_snap_m,
          "dist_max_dist_m": thr, "distances": d}
    tab = coverage(ctx.network, ctx.fac, sub, by=cols, **kw)
    tot = coverage(ctx.network, ctx.fac, sub, **kw).iloc[0]
    if cols:
        tab = tab.reset_index()
        if zones is not None:
            names = zones.set_index(zones["zone_id"].astype(str))["zone_name"]
            tab.insert(1, "zone_name", tab["zone"].astype(str).map(names))
    extra = _moved_extra_m(sub, cols)
    if extra is not None and "moved" in tab.columns:
        tab["moved_extra_m"] = (tab["zone"].astype(str).map(extra).to_numpy() if cols
                                else extra.get("", np.nan))
    if m.demand != "population":  # its 'population' columns count these people
        tab.insert(0, "demand", DEMAND_LABELS[m.demand])
    tab.insert(0, "district", code)
    tab.insert(0, "metric_id", m.id)
    tables[f"coverage {m.id} {code}"] = order_coverage_columns(tab)
    # gaps: uncovered placed people
    covered = (d["dist_network_m"].to_numpy() <= lim) | ~sub.snapped.ok
    g = find_gaps(sub.population, covered, cell_m=gap_cell_m)
    if len(g):
        g.insert(0, "district", code)
        g.insert(0, "metric_id", m.id)
        gap_frames.append(g)
    return _coverage_row(m, code, tot, sub, scope, detail)


def _coverage_row(m: Metric, code: str, tot: pd.Series, sub: PlacedPopulation, scope: str,
                  detail: str) -> dict:
    """The report row of a coverage metric from its total coverage ``tot``."""
    value = float(tot["share_network"])
    moved = {c: float(tot[c]) for c in ("moved", "share_moved") if c in tot.index}
    walk = (_moved_extra_m(sub, None) or {}).get("")
    moved_text = ""
    if "moved" in moved:
        if walk is not None:
            moved["moved_extra_m"] = walk
        moved_text = (f"{moved['moved']:.0f} residents moved off small street pieces to the "
                      "main network (placed and counted"
                      + (f", walking {walk:.0f} m more on average" if walk is not None else "")
                      + "); ")
    return metric_row(
        m, code, value=value, unit="", status=status_of(value, m.target),
        scope_used=scope,
        detail=(f"{tot['covered_network']:.0f} of {tot['population'] - tot['not_placed']:.0f} "
                f"placed residents covered by network; straight line would say "
                f"{tot['share_straight']:.1%}; {moved_text}{tot['not_placed']:.0f} residents "
                f"not placed on the network. " + detail).strip(),
        value_straight=float(tot["share_straight"]),
        population=float(tot["population"]),
        **moved,
        not_placed=float(tot["not_placed"]),
    )


def _moved_extra_m(placed: PlacedPopulation, by: list[str] | None) -> dict[str, float] | None:
    """Mean extra metres walked by the moved people (weighted), per zone (or ``""``); None
    when the placement does not record moves."""
    snapped = placed.snapped
    moved = getattr(snapped, "moved", None)
    extra = getattr(snapped, "moved_m", None)
    if moved is None or extra is None:
        return None
    moved = np.asarray(moved, dtype=bool)
    e = np.nan_to_num(np.asarray(extra, dtype=float))
    key = (placed.population["zone"].astype(str).to_numpy() if by
           else np.full(len(moved), "", dtype=object))
    frame = pd.DataFrame({"k": key[moved], "w": placed.weight[moved],
                          "we": placed.weight[moved] * e[moved]})
    g = frame.groupby("k").sum()
    return {str(k): float(r.we / r.w) if r.w > 0 else np.nan for k, r in g.iterrows()}


def _coverage_grid(network: Network, tree: NearestTree, districts: gpd.GeoDataFrame,
                   cell_m: float, max_snap_m: float) -> gpd.GeoDataFrame:
    """Distance from the centre of every ``cell_m`` cell of each district to the nearest
    facility, read off the facilities' search ``tree`` (run once for every district)."""
    frames = []
    for d in districts.itertuples():
        minx, miny, maxx, maxy = d.geometry.bounds
        xs = np.arange(minx + cell_m / 2, maxx, cell_m)
        ys = np.arange(miny + cell_m / 2, maxy, cell_m)
        gx, gy = np.meshgrid(xs, ys)
        c = np.stack([gx.ravel(), gy.ravel()], axis=1)
        c = c[shapely.contains_xy(d.geometry, c[:, 0], c[:, 1])]
        res = nearest_source(network, tree, c, max_dist_m=GRID_MAX_DIST_M,
                             max_snap_m=max_snap_m)
        boxes = shapely.box(c[:, 0] - cell_m / 2, c[:, 1] - cell_m / 2,
                            c[:, 0] + cell_m / 2, c[:, 1] + cell_m / 2)
        frames.append(gpd.GeoDataFrame(
            {"district": d.code, "dist_m": res["dist_m"].to_numpy(),
             "status": res["status"].to_numpy()},
            geometry=boxes, crs=network.crs))
    return pd.concat(frames, ignore_index=True)
