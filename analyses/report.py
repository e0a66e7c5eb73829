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
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from tqdm.auto import tqdm

from ..geo.crs import ANALYSIS_CRS, to_analysis_crs
from ..geo.network import Network, build_network
from ..geo.reach import nearest_source
from ..geo.service_area import service_areas
from ..layers.provenance import SYNTHETIC_MARK, is_synthetic, mark_synthetic
from .catalogue import CATALOGUE, LIFE_CIRCLES, MODE_NOTE, Metric
from .coverage import PlacedPopulation, coverage, place_population, select_facilities
from .gaps import find_gaps
from .life_circle import life_circle

__all__ = [
    "COVERAGE_COLUMN_ORDER",
    "MEASURE_NOTES",
    "PLAN_SCOPE_NOTE",
    "AnalysisInputs",
    "Report",
    "evaluate",
]

log = logging.getLogger(__name__)

PLAN_SCOPE_NOTE = (
    "Licheng plan scope: the 14 sub-districts the plan administers "
    "「不含南山管委会和高新区托管部分」 (535.3 km²); "
    "the legal district has 21 sub-districts over 1298.6 km²"
)

DENSITY_URBAN_PER_KM2 = 1500.0
"""Density rule (toolkit rule) for urban/rural when no zone says: residents per km² in the
person's 1 km grid cell at or above this are urban."""


MEASURE_NOTES: tuple[str, ...] = (
    "Distances run along the streets, from the main-network street point nearest to the "
    "home point to the main-network street point nearest to the facility, and include the "
    "access legs (home to street, street to facility) by default.",
    "People whose nearest street is a small disconnected piece of street are moved to the "
    "main network: they are placed and counted, in their own column 'moved' "
    "('share_moved'), with the extra metres they walk.",
    "People beyond the snap limit from any street, or only near streets on islands, are not "
    "placed: they are reported in their own column 'not placed', never counted as covered "
    "or uncovered; 'share (network)' is over the placed residents.",
)
"""What a coverage number measures; stated in summary.md, the Excel notes sheet and
:meth:`Report.summary_markdown`."""

COVERAGE_COLUMN_ORDER: tuple[str, ...] = ("moved", "share_moved", "not_placed",
                                          "share_not_placed")
"""Columns of a coverage table kept together, in this order, when present (``moved`` and
``share_moved`` come from :func:`~jinan_gis.analyses.coverage.coverage` when it reports
people moved off small street pieces; tables without them are left as they are)."""

_LAYER_NAMES = ("districts", "streets", "facilities", "population", "zones", "old_town")


def _order_coverage_columns(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with the moved / not-placed columns that exist grouped next to each other.

    Other ``moved_*`` columns (e.g. extra metres walked) follow ``share_moved``.

    Examples
    --------
    >>> t = pd.DataFrame(columns=["population", "not_placed", "share_not_placed", "x",
    ...                           "moved", "moved_extra_m", "share_moved"])
    >>> _order_coverage_columns(t).columns.tolist()
    ['population', 'moved', 'share_moved', 'moved_extra_m', 'not_placed', 'share_not_placed', 'x']
    """
    cols = list(table.columns)
    group = [c for c in ("moved", "share_moved") if c in cols]
    group += [c for c in cols if isinstance(c, str) and c.startswith("moved_")]
    group += [c for c in ("not_placed", "share_not_placed") if c in cols]
    if not group:
        return table
    first = min(cols.index(c) for c in group)
    rest = [c for c in cols if c not in group]
    before = [c for c in rest if cols.index(c) < first]
    after = [c for c in rest if cols.index(c) > first]
    return table[before + group + after]


@dataclass
class AnalysisInputs:
    """The layers a report is computed from (all converted to EPSG:4548 on use).

    ``zones``: sub-district polygons with ``zone_id``, ``zone_name`` and optionally
    ``district_code``, ``in_plan_scope`` (bool) and ``urban`` (bool).  ``old_town``: the
    area inside the 2nd ring road.  Facilities of category ``park`` may carry ``area_m2``.

    ``provenance``: layer name -> what its loader said about it (``source``, ``loaded_at``,
    ``crs``, ``datum``...), as filled by :func:`~jinan_gis.analyses.inputs.inputs_from_sample`
    and :func:`~jinan_gis.analyses.inputs.inputs_from_store`; it travels into the report.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> d = gpd.GeoDataFrame({"code": ["370103"], "source": ["test"]},
    ...                      geometry=[box(0, 0, 1, 1)], crs="EPSG:4548")
    >>> AnalysisInputs(districts=d).synthetic
    False
    >>> AnalysisInputs(districts=d, provenance={"population": {"source": "Synthetic "}}).synthetic
    True
    """

    districts: gpd.GeoDataFrame
    streets: gpd.GeoDataFrame | None = None
    facilities: gpd.GeoDataFrame | None = None
    population: gpd.GeoDataFrame | None = None
    zones: gpd.GeoDataFrame | None = None
    old_town: gpd.GeoDataFrame | None = None
    mode: str = "walk"
    max_snap_m: float = 250.0
    network: Network | None = None
    provenance: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def synthetic(self) -> bool:
        """True when any layer or any layer's provenance is synthetic
        (:func:`~jinan_gis.layers.provenance.is_synthetic`, the one rule)."""
        return is_synthetic([getattr(self, n) for n in _LAYER_NAMES]) or is_synthetic(
            list(self.provenance.values()))

    def layer_synthetic(self, name: str) -> bool:
        """Whether layer ``name`` (or its provenance) is synthetic."""
        return is_synthetic([getattr(self, name, None), self.provenance.get(name)])

    def available(self) -> set[str]:
        """Names of the layers present."""
        have = {"districts"}
        for name in ("streets", "facilities", "population", "zones", "old_town"):
            if getattr(self, name) is not None and len(getattr(self, name)):
                have.add(name)
        if self.network is not None:
            have.add("streets")
        fac = self.facilities
        if fac is not None and "area_m2" in fac.columns:
            parks = fac[fac["category"] == "park"]
            if len(parks) and parks["area_m2"].notna().any():
                have.add("park areas")
        return have

    def layer_source(self, name: str) -> str:
        """The source(s) of layer ``name``: its ``source`` column, else its provenance."""
        gdf = getattr(self, name, None)
        if gdf is not None and "source" in gdf.columns and gdf["source"].notna().any():
            return ", ".join(sorted(map(str, gdf["source"].dropna().unique())))
        prov = self.provenance.get(name) or {}
        return str(prov.get("source", "?"))

    def layer_table(self) -> pd.DataFrame:
        """One row per layer: rows, source(s), when it was loaded / written, synthetic."""
        rows = []
        for name in _LAYER_NAMES:
            gdf = getattr(self, name)
            if gdf is None:
                continue
            prov = self.provenance.get(name) or {}
            rows.append({"layer": name, "rows": len(gdf), "source": self.layer_source(name),
                         "loaded_at": str(prov.get("loaded_at", prov.get("written_at", ""))),
                         "synthetic": self.layer_synthetic(name)})
        return pd.DataFrame(rows)

    def demand_note(self) -> str:
        """Which layer the demand (people) comes from, with its source and size."""
        pop = self.population
        if pop is None:
            return "Demand: no residential population layer given (coverage metrics need one)."
        people = (float(pd.to_numeric(pop["population"], errors="coerce").sum())
                  if "population" in pop.columns else float("nan"))
        return (f"Demand: the residential population layer 'population' (source: "
                f"{self.layer_source('population')}; {len(pop):,} points, {people:,.0f} "
                "residents), each point weighted by its 'population' column.")


@dataclass
class Report:
    """All metrics with value, target and status; tables and places behind them."""

    metrics: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    places: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    layers: pd.DataFrame = field(default_factory=pd.DataFrame)
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    synthetic_inputs: bool = False
    provenance: dict[str, dict[str, Any]] = field(default_factory=dict)
    method: list[str] = field(default_factory=lambda: list(MEASURE_NOTES))

    @property
    def synthetic(self) -> bool:
        """True when the inputs were synthetic (:attr:`AnalysisInputs.synthetic`, set by
        :func:`evaluate`) or a layer's provenance is."""
        return bool(self.synthetic_inputs) or is_synthetic(list(self.provenance.values()))

    def method_lines(self) -> list[str]:
        """What is measured (:data:`MEASURE_NOTES`) and which layer is the demand."""
        return list(self.method)

    def status_counts(self) -> dict[str, int]:
        """Rows per status (``needs layer: ...`` counted together)."""
        s = self.metrics["status"].str.replace(r"needs layer.*", "needs layer", regex=True)
        return {str(k): int(v) for k, v in s.value_counts().items()}

    def summary_markdown(self) -> str:
        """A short Markdown summary (what passes, fails, needs a layer; data honesty)."""
        lines = ["# jinan-gis report" + (f" — {SYNTHETIC_MARK}" if self.synthetic else ""), ""]
        if self.synthetic:
            lines += [
                "> **SYNTHETIC SAMPLE / 合成样例数据** — streets, facilities, population and "
                "sub-district boundaries are invented (calibrated to the plans' published "
                "counts). The numbers below show how the toolkit works; they are NOT "
                "findings about Jinan.",
                "",
            ]
        lines += [f"- {k}: {v}" for k, v in sorted(self.status_counts().items())]
        lines += ["", f"Travel mode: {MODE_NOTE}.", f"Scope: {PLAN_SCOPE_NOTE}.", ""]
        lines += ["What is measured:", *[f"- {n}" for n in self.method_lines()], ""]
        lines += ["| metric | district | value | target | status | basis | source |",
                  "|---|---|---|---|---|---|---|"]
        for r in self.metrics.itertuples():
            val = "—" if pd.isna(r.value) else f"{r.value:.3g}{r.unit}"
            tgt = "—" if pd.isna(r.target) else f"{r.target:g}{r.unit}"
            lines.append(
                f"| {r.metric_id} {r.name_zh} | {r.district} | {val} | {tgt} | {r.status} | "
                f"{r.basis} | {r.source_file} |"
            )
        if self.notes:
            lines += ["", "Notes:", *[f"- {n}" for n in self.notes]]
        if self.timings:
            lines += ["", "Timings (s): " + ", ".join(
                f"{k} {v:.2f}" for k, v in self.timings.items())]
        lines += ["", "Layers: " + "; ".join(
            f"{r.layer} ({r.rows} rows, {r.source})" for r in self.layers.itertuples())]
        return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- helpers
def _district_of(points: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> np.ndarray:
    if "district_code" in points.columns:
        return points["district_code"].astype(object).to_numpy()
    out = np.full(len(points), None, dtype=object)
    tree = shapely.STRtree(districts.geometry.to_numpy())
    pi, di = tree.query(points.geometry.to_numpy(), predicate="within")
    out[pi] = districts["code"].to_numpy()[di]
    return out


def _zone_of(points: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> np.ndarray:
    out = np.full(len(points), None, dtype=object)
    tree = shapely.STRtree(zones.geometry.to_numpy())
    pi, zi = tree.query(points.geometry.to_numpy(), predicate="within")
    out[pi] = zones["zone_id"].astype(str).to_numpy()[zi]
    return out


def _status(value: float, target: float | None, *, lower_is_better: bool = False) -> str:
    if target is None or pd.isna(target):
        return "no numeric target"
    if pd.isna(value):
        return "no data"
    ok = value <= target if lower_is_better else value >= target - 1e-12
    return "pass" if ok else "fail"


def _row(m: Metric, district: str, **kw) -> dict:
    base = {
        "metric_id": m.id,
        "name_zh": m.name_zh,
        "name_en": m.name_en,
        "district": district,
        "kind": m.kind,
        "threshold": m.threshold_text,
        "categories": ", ".join(m.categories),
        "value": np.nan,
        "unit": "",
        "target": m.target if m.target is not None else np.nan,
        "target_text": m.target_text,
        "year": m.year,
        "status": "",
        "basis": m.basis,
        "source_file": m.source_file,
        "quote": m.quote,
        "scope_used": "",
        "detail": "",
    }
    base.update(kw)
    return base


def _urban_flags(
    placed: PlacedPopulation, zones: gpd.GeoDataFrame | None
) -> tuple[np.ndarray, str]:
    if zones is not None and "urban" in zones.columns and "zone" in placed.population.columns:
        z = zones.set_index(zones["zone_id"].astype(str))["urban"]
        flags = placed.population["zone"].astype(str).map(z)
        if flags.notna().all():
            return flags.to_numpy(dtype=bool), "urban/rural from the zone layer's 'urban' column"
    cells = np.floor(placed.xy / 1000.0).astype(np.int64)
    _, inv = np.unique(cells, axis=0, return_inverse=True)
    dens = np.bincount(inv.ravel(), weights=placed.weight)[inv.ravel()]
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

    Returns
    -------
    Report
    """
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    dist = to_analysis_crs(inputs.districts, what="district layer")
    codes = list(dist["code"]) if districts is None else [str(c) for c in districts]
    have = inputs.available()
    fac = to_analysis_crs(inputs.facilities) if inputs.facilities is not None else None
    zones = to_analysis_crs(inputs.zones) if inputs.zones is not None else None
    network = inputs.network
    placed = None
    notes: list[str] = []
    if network is None and "streets" in have:
        t = time.perf_counter()
        network = build_network(to_analysis_crs(inputs.streets), mode=inputs.mode)
        timings["network"] = time.perf_counter() - t
    if network is not None and "population" in have:
        t = time.perf_counter()
        pop = to_analysis_crs(inputs.population).copy()
        pop["district_code"] = _district_of(pop, dist)
        if zones is not None:
            pop["zone"] = _zone_of(pop, zones)
        placed = place_population(network, pop, max_snap_m=inputs.max_snap_m)
        timings["snap population"] = time.perf_counter() - t
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
    rows: list[dict] = []
    tables: dict[str, pd.DataFrame] = {}
    places: dict[str, gpd.GeoDataFrame] = {}
    gap_frames = []
    pop_codes = set() if placed is None else set(
        placed.population["district_code"].dropna().astype(str))
    todo = [(m, c) for m in metrics for c in codes if c in m.scope]
    bar = tqdm(todo, desc="metrics", disable=not progress, leave=False)
    for m, code in bar:
        bar.set_postfix_str(m.id)
        t = time.perf_counter()
        missing = [n for n in m.needs if n not in have]
        if m.kind in ("coverage", "life_circle") and (network is None or placed is None):
            missing = sorted(set(missing) | ({"streets", "population"} - have))
        if missing:
            rows.append(_row(m, code, status="needs layer: " + ", ".join(missing)))
            continue
        if fac is not None and len(select_facilities(fac, m.categories)) == 0:
            rows.append(_row(m, code, status="needs layer: facilities of "
                             + "/".join(m.categories)))
            continue
        if "population" in m.needs and placed is not None and code not in pop_codes:
            rows.append(_row(m, code, status=f"needs layer: population of {code} (the "
                             "population layer has no resident inside this district)"))
            continue
        if m.kind == "zone_presence" and zones is not None and "district_code" in zones and not (
                zones["district_code"].astype(str) == code).any():
            rows.append(_row(m, code, status=f"needs layer: zones of {code}"))
            continue
        if m.kind == "coverage":
            rows.append(_coverage_metric(m, code, network, fac, placed, zones, inputs,
                                         tables, gap_frames, gap_cell_m))
        elif m.kind == "zone_presence":
            rows.append(_presence_metric(m, code, fac, zones, tables,
                                         synthetic_zones=inputs.layer_synthetic("zones")))
        elif m.kind == "per_capita_area":
            rows.append(_per_capita_metric(m, code, fac, dist, inputs.population))
        elif m.kind == "life_circle":
            rows.append(_life_circle_metric(m, code, network, fac, placed, tables))
        timings[f"{m.id} {code}"] = time.perf_counter() - t
    if gap_frames:
        places["gaps"] = pd.concat(gap_frames, ignore_index=True)
    if service_area_metric and network is not None and fac is not None:
        t = time.perf_counter()
        m = next((x for x in metrics if x.id == service_area_metric), None)
        if m is not None:
            sel = select_facilities(fac, m.categories)
            if len(sel):
                sa = service_areas(network, sel, max_dist_m=[300.0, 500.0, 1000.0],
                                   max_snap_m=inputs.max_snap_m, dissolve=True)
                sa["metric_id"] = m.id
                places["service_areas"] = sa
                places["coverage_grid"] = _coverage_grid(network, sel, dist, grid_cell_m,
                                                         inputs.max_snap_m)
                places["coverage_grid"]["metric_id"] = m.id
        timings["service areas + grid"] = time.perf_counter() - t
    timings["evaluate (all metrics)"] = time.perf_counter() - t0
    metrics_df = _order_coverage_columns(pd.DataFrame(rows))
    layers = inputs.layer_table()
    synthetic = inputs.synthetic
    metrics_df["synthetic_inputs"] = synthetic
    if synthetic:
        notes.insert(0, "SYNTHETIC inputs: results illustrate the method, not Jinan.")
        metrics_df = mark_synthetic(metrics_df, True)
        layers = mark_synthetic(layers, True)
        tables = {k: mark_synthetic(v, True) for k, v in tables.items()}
        places = {k: mark_synthetic(v, True) for k, v in places.items()}
    return Report(metrics_df, tables, places, layers, timings, notes,
                  synthetic_inputs=synthetic,
                  provenance={k: dict(v) for k, v in inputs.provenance.items()},
                  method=[*MEASURE_NOTES, inputs.demand_note()])


def _coverage_metric(m, code, network, fac, placed, zones, inputs, tables, gap_frames,
                     gap_cell_m) -> dict:
    pop = placed.population
    in_d = (pop["district_code"] == code).to_numpy().copy()
    scope = f"residents of {code}; facilities and streets on both sides of the border"
    if m.within_zone_type == "old_town":
        ot = to_analysis_crs(inputs.old_town)
        inside = shapely.contains_xy(shapely.union_all(ot.geometry.to_numpy()),
                                     placed.xy[:, 0], placed.xy[:, 1])
        in_d &= inside
        scope += "; only residents inside the old-town zone (二环路以内)"
        if inputs.layer_synthetic("old_town"):
            scope += " (synthetic old-town outline)"
    sub = _subset(placed, in_d)
    thr = None
    detail = ""
    if m.rural_walk_min is not None:
        urban, how = _urban_flags(sub, zones)
        thr = np.where(urban, m.distance_m(), m.distance_m(rural=True))
        detail = how
    cols = ["zone"] if "zone" in pop.columns else None
    dmax = m.distance_m()
    tab = coverage(network, fac, sub, max_dist_m=dmax, categories=m.categories, by=cols,
                   max_snap_m=inputs.max_snap_m, dist_max_dist_m=thr)
    tot = coverage(network, fac, sub, max_dist_m=dmax, categories=m.categories,
                   max_snap_m=inputs.max_snap_m, dist_max_dist_m=thr).iloc[0]
    if cols:
        tab = tab.reset_index()
        if zones is not None:
            names = zones.set_index(zones["zone_id"].astype(str))["zone_name"]
            tab.insert(1, "zone_name", tab["zone"].astype(str).map(names))
    extra = _moved_extra_m(sub, cols)
    if extra is not None and "moved" in tab.columns:
        tab["moved_extra_m"] = (tab["zone"].astype(str).map(extra).to_numpy() if cols
                                else extra.get("", np.nan))
    tab.insert(0, "district", code)
    tab.insert(0, "metric_id", m.id)
    tables[f"coverage {m.id} {code}"] = _order_coverage_columns(tab)
    # gaps: uncovered placed people
    from .coverage import nearest_distances

    d = nearest_distances(network, select_facilities(fac, m.categories), sub,
                          max_dist_m=float(np.max(thr)) if thr is not None else dmax,
                          max_snap_m=inputs.max_snap_m)
    lim = thr if thr is not None else dmax
    covered = (d["dist_network_m"].to_numpy() <= lim) | ~sub.snapped.ok
    g = find_gaps(sub.population, covered, cell_m=gap_cell_m)
    if len(g):
        g.insert(0, "district", code)
        g.insert(0, "metric_id", m.id)
        gap_frames.append(g)
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
    return _row(
        m, code, value=value, unit="", status=_status(value, m.target),
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


def _subset(placed: PlacedPopulation, mask: np.ndarray) -> PlacedPopulation:
    return PlacedPopulation(
        placed.population[mask], placed.snapped.subset(mask), placed.xy[mask],
        placed.weight[mask],
    )


def _presence_metric(m, code, fac, zones, tables, *, synthetic_zones: bool) -> dict:
    z = zones
    if "district_code" in z.columns:
        z = z[z["district_code"].astype(str) == code]
    scope = f"sub-districts of {code} ({len(z)})"
    if m.zones_in_plan_scope_only and "in_plan_scope" in z.columns:
        z = z[z["in_plan_scope"].astype(bool)]
        scope = f"{len(z)} sub-districts in the plan's scope; " + PLAN_SCOPE_NOTE
    sel = select_facilities(fac, m.categories)
    tree = shapely.STRtree(z.geometry.to_numpy())
    _, zi = tree.query(sel.geometry.to_numpy(), predicate="within")
    n = np.bincount(zi, minlength=len(z))
    tab = pd.DataFrame({
        "metric_id": m.id, "district": code, "zone_id": z["zone_id"].astype(str).to_numpy(),
        "zone_name": z["zone_name"].to_numpy(), "n_facilities": n,
        "meets": n >= m.min_per_zone,
    })
    tables[f"presence {m.id} {code}"] = tab
    value = float(tab["meets"].mean()) if len(tab) else np.nan
    missing = tab.loc[~tab["meets"], "zone_name"].tolist()
    return _row(m, code, value=value, status=_status(value, m.target), scope_used=scope
                + ("; SYNTHETIC sub-district boundaries" if synthetic_zones else ""),
                detail=f"{int(tab['meets'].sum())} of {len(tab)} sub-districts meet it"
                + (f"; missing: {', '.join(map(str, missing))}" if missing else ""))


def _per_capita_metric(m, code, fac, dist, population) -> dict:
    parks = select_facilities(fac, m.categories)
    poly = dist.loc[dist["code"] == code].geometry.iloc[0]
    inside = shapely.contains_xy(poly, *shapely.get_coordinates(parks.geometry.to_numpy()).T)
    area = float(pd.to_numeric(parks.loc[inside, "area_m2"], errors="coerce").sum())
    pop = to_analysis_crs(population)
    pin = (pop["district_code"] == code).to_numpy() if "district_code" in pop.columns else (
        shapely.contains_xy(poly, *shapely.get_coordinates(pop.geometry.to_numpy()).T))
    people = float(pd.to_numeric(pop.loc[pin, "population"], errors="coerce").sum())
    value = area / people if people else np.nan
    return _row(m, code, value=value, unit=" m²", status=_status(value, m.target),
                scope_used=f"parks and residents inside {code}",
                detail=f"{area / 1e6:.2f} km² of park for {people:,.0f} residents")


def _life_circle_metric(m, code, network, fac, placed, tables) -> dict:
    in_d = (placed.population["district_code"] == code).to_numpy()
    sub = _subset(placed, in_d)
    lc = life_circle(network, fac, sub, circle=m.circle)
    w = sub.weight
    ok = sub.snapped.ok
    share = float((w * lc["complete"]).sum() / w[ok].sum()) if w[ok].sum() else np.nan
    score = float(np.nansum(w * lc["score"].fillna(0)) / w[ok].sum()) if w[ok].sum() else np.nan
    per_type = {c.split(":", 1)[1]: float((w * lc[c]).sum() / w[ok].sum())
                for c in lc.columns if c.startswith("has:")}
    tab = pd.DataFrame([{"metric_id": m.id, "district": code, "type": k, "share": v}
                        for k, v in per_type.items()])
    tables[f"life circle {m.id} {code}"] = tab
    spec = LIFE_CIRCLES[m.circle]
    return _row(m, code, value=share, status=_status(share, m.target),
                scope_used=f"residents of {code}; {spec['max_dist_m']:g} m walking",
                detail=f"mean completeness {score:.1%}; per type: "
                + ", ".join(f"{k} {v:.0%}" for k, v in per_type.items()))


def _coverage_grid(network, facilities, districts, cell_m, max_snap_m) -> gpd.GeoDataFrame:
    frames = []
    for d in districts.itertuples():
        minx, miny, maxx, maxy = d.geometry.bounds
        xs = np.arange(minx + cell_m / 2, maxx, cell_m)
        ys = np.arange(miny + cell_m / 2, maxy, cell_m)
        gx, gy = np.meshgrid(xs, ys)
        c = np.stack([gx.ravel(), gy.ravel()], axis=1)
        c = c[shapely.contains_xy(d.geometry, c[:, 0], c[:, 1])]
        res = nearest_source(network, facilities, c, max_dist_m=5000.0, max_snap_m=max_snap_m)
        boxes = shapely.box(c[:, 0] - cell_m / 2, c[:, 1] - cell_m / 2,
                            c[:, 0] + cell_m / 2, c[:, 1] + cell_m / 2)
        frames.append(gpd.GeoDataFrame(
            {"district": d.code, "dist_m": res["dist_m"].to_numpy(),
             "status": res["status"].to_numpy()},
            geometry=boxes, crs=ANALYSIS_CRS))
    return pd.concat(frames, ignore_index=True)
