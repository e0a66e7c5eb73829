"""Report rows: one row per (metric, district), and the rows of the metric kinds other than
coverage (sub-district presence, park area per resident, GB 50180 life circles).

Split from :mod:`jinan_gis.analyses.report` (which computes coverage rows and runs
:func:`~jinan_gis.analyses.report.evaluate`) to keep each module to one job.

Examples
--------
>>> status_of(0.92, 0.9), status_of(0.5, None)
('pass', 'no numeric target')
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..geo.network import Network
from .catalogue import LIFE_CIRCLES, Metric, chapter_title, plan_title
from .coverage import PlacedPopulation, select_facilities
from .life_circle import life_circle, network_distances
from .report_model import DEMAND_LABELS, PLAN_SCOPE_NOTE

__all__ = [
    "NO_DISTRICT_TARGET",
    "OVERVIEW_COLUMNS",
    "area_share_metric",
    "count_metric",
    "life_circle_metric",
    "metric_row",
    "outcome",
    "overview_table",
    "per_capita_count_metric",
    "per_capita_metric",
    "presence_metric",
    "status_of",
    "subset",
    "unit_share_metric",
]

NO_DISTRICT_TARGET = "no district target"
"""Status of a city- or province-wide total shown per district (its contribution)."""

_PEOPLE_KINDS = ("coverage", "per_capita_count", "per_capita_area", "life_circle",
                 "travel_time")


def status_of(value: float, target: float | None, *, lower_is_better: bool = False) -> str:
    """``pass`` / ``fail`` of ``value`` against ``target``; ``no numeric target``, ``no data``.

    Examples
    --------
    >>> status_of(3.0, 5.0, lower_is_better=True), status_of(float("nan"), 0.9)
    ('pass', 'no data')
    """
    if target is None or pd.isna(target):
        return "no numeric target"
    if pd.isna(value):
        return "no data"
    ok = value <= target if lower_is_better else value >= target - 1e-12
    return "pass" if ok else "fail"


def metric_row(m: Metric, district: str, **kw: object) -> dict:
    """The report row of metric ``m`` in ``district``: the catalogue's fields, then ``kw``.

    Examples
    --------
    >>> from jinan_gis.analyses.catalogue import get_metric
    >>> r = metric_row(get_metric("L-CLINIC-1000"), "370112", value=0.5)
    >>> r["metric_id"], r["district"], r["value"]
    ('L-CLINIC-1000', '370112', 0.5)
    """
    base = {
        "metric_id": m.id,
        "plan": " / ".join(dict.fromkeys(plan_title(m.source_file))),
        "chapter": " / ".join(dict.fromkeys(chapter_title(m))),
        "name_zh": m.name_zh,
        "name_en": m.name_en,
        "district": district,
        "kind": m.kind,
        "threshold": m.threshold_text,
        "categories": ", ".join(m.categories),
        "value": np.nan,
        "unit": m.unit,
        "target": m.target if m.target is not None else np.nan,
        "target_text": m.target_text,
        "year": m.year,
        "status": "",
        "basis": m.basis,
        "source_file": m.source_file,
        "quote": m.quote,
        "scope_used": "",
        "detail": "",
        "demand": DEMAND_LABELS.get(m.demand, m.demand) if m.kind in _PEOPLE_KINDS else "—",
        "rule": m.rule_text,
        "refs": ", ".join(m.refs),
        "plan_scope": m.plan_scope,
        "applies": m.applies,
        "notes": m.notes,
    }
    base.update(kw)
    return base


def subset(placed: PlacedPopulation, mask: np.ndarray) -> PlacedPopulation:
    """The placed people where ``mask`` (bool, one per person) holds."""
    return PlacedPopulation(
        placed.population[mask], placed.snapped.subset(mask), placed.xy[mask],
        placed.weight[mask],
    )


def presence_metric(m: Metric, code: str, fac: gpd.GeoDataFrame, zones: gpd.GeoDataFrame,
                    tables: dict[str, pd.DataFrame], *, synthetic_zones: bool) -> dict:
    """Row of a ``zone_presence`` metric (share of sub-districts with enough facilities);
    its per-sub-district table goes into ``tables``."""
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
    return metric_row(m, code, value=value, status=status_of(value, m.target), scope_used=scope
                + ("; SYNTHETIC sub-district boundaries" if synthetic_zones else ""),
                detail=f"{int(tab['meets'].sum())} of {len(tab)} sub-districts meet it"
                + (f"; missing: {', '.join(map(str, missing))}" if missing else ""))


def per_capita_metric(m: Metric, code: str, fac: gpd.GeoDataFrame, dist: gpd.GeoDataFrame,
                      population: gpd.GeoDataFrame) -> dict:
    """Row of a ``per_capita_area`` metric (park m² per resident of the district); all layers
    in one metric CRS."""
    parks = select_facilities(fac, m.categories)
    poly = dist.loc[dist["code"] == code].geometry.iloc[0]
    inside = shapely.contains_xy(poly, *shapely.get_coordinates(parks.geometry.to_numpy()).T)
    area = float(pd.to_numeric(parks.loc[inside, "area_m2"], errors="coerce").sum())
    pop = population
    pin = (pop["district_code"] == code).to_numpy() if "district_code" in pop.columns else (
        shapely.contains_xy(poly, *shapely.get_coordinates(pop.geometry.to_numpy()).T))
    people = float(pd.to_numeric(pop.loc[pin, "population"], errors="coerce").sum())
    value = area / people if people else np.nan
    return metric_row(m, code, value=value, unit=" m²", status=status_of(value, m.target),
                scope_used=f"parks and residents inside {code}",
                detail=f"{area / 1e6:.2f} km² of park for {people:,.0f} residents")


def life_circle_metric(m: Metric, code: str, network: Network, fac: gpd.GeoDataFrame,
                       placed: PlacedPopulation, tables: dict[str, pd.DataFrame], *,
                       reach: dict[tuple[str, ...], np.ndarray] | None = None) -> dict:
    """Row of a ``life_circle`` metric (share of residents with a complete circle); the
    share per facility type goes into ``tables``.

    ``reach``: a store shared by the life-circle rows of one evaluation: per facility type,
    searched once for all of ``placed`` up to the farthest circle (filled here), the smallest
    circle distance each person is within (position in the sorted distances; one byte) - the
    same answers as a search per row."""
    in_d = (placed.population["district_code"] == code).to_numpy()
    sub = subset(placed, in_d)
    known = None
    if reach is not None:
        limits = sorted({float(c["max_dist_m"]) for c in LIFE_CIRCLES.values()})
        k = limits.index(float(LIFE_CIRCLES[m.circle]["max_dist_m"]))
        known = {}
        for name, cats in LIFE_CIRCLES[m.circle]["types"].items():
            if tuple(cats) not in reach:  # d <= limits[i] exactly when position <= i
                d = network_distances(network, select_facilities(fac, cats), placed,
                                      max_dist_m=limits[-1])
                reach[tuple(cats)] = np.searchsorted(limits, d, side="left").astype(np.uint8)
            known[name] = reach[tuple(cats)][in_d] <= k
    lc = life_circle(network, fac, sub, circle=m.circle, reached=known)
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
    return metric_row(m, code, value=share, status=status_of(share, m.target),
                scope_used=f"residents of {code}; {spec['max_dist_m']:g} m walking",
                detail=f"mean completeness {score:.1%}; per type: "
                + ", ".join(f"{k} {v:.0%}" for k, v in per_type.items()))


# ------------------------------------------------------------------ the catalogue's other kinds
def _inside(gdf: gpd.GeoDataFrame, poly: shapely.Geometry) -> np.ndarray:
    """Which rows of ``gdf`` lie in ``poly`` (points as they are, others by a point on them)."""
    geom = gdf.geometry.to_numpy()
    pts = np.where(shapely.get_type_id(geom) == 0, geom, shapely.point_on_surface(geom))
    xy = shapely.get_coordinates(pts)
    return shapely.contains_xy(poly, xy[:, 0], xy[:, 1]) if len(xy) else np.zeros(0, bool)


def _district(dist: gpd.GeoDataFrame, code: str) -> shapely.Geometry:
    return dist.loc[dist["code"].astype(str) == code].geometry.iloc[0]


def _status(m: Metric, value: float) -> str:
    return NO_DISTRICT_TARGET if m.applies == "city_total" else status_of(value, m.target)


def count_metric(m: Metric, code: str, fac: gpd.GeoDataFrame, dist: gpd.GeoDataFrame) -> dict:
    """Row of a ``count`` metric: facilities of the categories inside the district.

    A city-wide total (``applies="city_total"``) shows the district's count as its
    contribution, with the status ``no district target``."""
    sel = select_facilities(fac, m.categories)
    n = int(_inside(sel, _district(dist, code)).sum())
    detail = f"{n} {'/'.join(m.categories)} inside {code}"
    if m.applies == "city_total":
        detail += f"; the target ({m.target_text}) is city-wide: this is {code}'s contribution"
    return metric_row(m, code, value=float(n), unit=m.unit, status=_status(m, n),
                      scope_used=f"facilities inside the district polygon {code}",
                      detail=detail)


def per_capita_count_metric(m: Metric, code: str, fac: gpd.GeoDataFrame,
                            dist: gpd.GeoDataFrame, population: gpd.GeoDataFrame) -> dict:
    """Row of a ``per_capita_count`` metric: facilities (or the sum of their ``count_column``,
    e.g. places or physicians) inside the district per ``per_people`` people of the demand
    column (all residents, people 60+, children 0-2)."""
    poly = _district(dist, code)
    sel = select_facilities(fac, m.categories)
    sel = sel[_inside(sel, poly)]
    if m.count_column:
        vals = pd.to_numeric(sel[m.count_column], errors="coerce")
        amount, unknown = float(vals.sum()), int(vals.isna().sum())
        what = f"{amount:,.0f} {m.count_column} on {len(sel) - unknown} facilities"
        if unknown:
            what += f" ({unknown} without a value, counted as 0)"
    else:
        amount, what = float(len(sel)), f"{len(sel)} facilities"
    pop = population
    pin = (pop["district_code"].astype(str) == code).to_numpy() \
        if "district_code" in pop.columns else _inside(pop, poly)
    people = float(pd.to_numeric(pop.loc[pin, m.demand], errors="coerce").sum())
    value = amount / people * m.per_people if people else np.nan
    return metric_row(m, code, value=value, unit=m.unit, status=_status(m, value),
                      scope_used=f"facilities and {DEMAND_LABELS.get(m.demand, m.demand)} "
                      f"inside {code}",
                      detail=f"{what} for {people:,.0f} people ({m.demand})")


def area_share_metric(m: Metric, code: str, dist: gpd.GeoDataFrame,
                      layers: dict[str, gpd.GeoDataFrame]) -> dict:
    """Row of an ``area_share`` metric: the area of ``m.area_layer`` inside the district (inside
    its built-up area when the entry needs ``built_up``) over that area."""
    base = _district(dist, code)
    where = "the district"
    if "built_up" in m.needs:
        base = shapely.intersection(base, shapely.union_all(layers["built_up"].geometry
                                                            .to_numpy()))
        where = "the district's built-up area"
    cover = shapely.union_all(layers[m.area_layer].geometry.to_numpy())
    area = float(shapely.area(shapely.intersection(cover, base)))
    total = float(shapely.area(base))
    value = area / total if total else np.nan
    return metric_row(m, code, value=value, unit="", status=_status(m, value),
                      scope_used=f"{m.area_layer} polygons inside {where} ({code})",
                      detail=f"{area / 1e6:,.2f} km² of {total / 1e6:,.2f} km²")


def unit_share_metric(m: Metric, code: str, fac: gpd.GeoDataFrame | None,
                      dist: gpd.GeoDataFrame, units: gpd.GeoDataFrame,
                      tables: dict[str, pd.DataFrame]) -> dict:
    """Row of a ``unit_share`` metric: the share of the unit layer's polygons (communities,
    villages, key areas...) in the district that hold a facility of the categories, or whose
    ``flag_column`` is true; the per-unit table goes into ``tables``."""
    u = units
    if "district_code" in u.columns:
        u = u[u["district_code"].astype(str) == code]
    else:
        u = u[_inside(u, _district(dist, code))]
    what = m.unit_layer or "units"
    if m.unit_filter is not None:
        u = u[u["urban"].astype(bool) == m.unit_filter]
        what = ("urban " if m.unit_filter else "rural ") + what
    if "qualified" in u.columns and m.flag_column is None and m.unit_layer == "villages":
        u = u[u["qualified"].astype(bool)]
        what = "qualified " + what
    if not len(u):
        return metric_row(m, code, status=f"needs layer: {what} of {code} (the "
                          f"{m.unit_layer} layer has none inside this district)")
    if m.flag_column:
        ok = u[m.flag_column].fillna(False).astype(bool).to_numpy()
    else:
        sel = select_facilities(fac, m.categories)
        tree = shapely.STRtree(u.geometry.to_numpy())
        _, ui = tree.query(sel.geometry.to_numpy(), predicate="within")
        ok = np.bincount(ui, minlength=len(u)) > 0
    name = u["zone_name"].astype(str).to_numpy() if "zone_name" in u.columns else \
        np.arange(len(u)).astype(str)
    tables[f"units {m.id} {code}"] = pd.DataFrame(
        {"metric_id": m.id, "district": code, "unit_name": name, "meets": ok})
    value = float(ok.mean()) if len(u) else np.nan
    return metric_row(m, code, value=value, unit="", status=_status(m, value),
                      scope_used=f"{len(u)} {what} in {code}",
                      detail=f"{int(ok.sum())} of {len(u)} {what} meet it")


OVERVIEW_COLUMNS = ("plan", "entries", "rows", "met", "failed", "no numeric target",
                    NO_DISTRICT_TARGET, "not measurable")
"""Columns of :func:`overview_table` (counts of (target, district) rows by outcome)."""


def outcome(status: str) -> str:
    """The overview's outcome of a row's status.

    Examples
    --------
    >>> outcome("pass"), outcome("needs layer: forest (...)"), outcome("not computed: x")
    ('met', 'not measurable', 'not measurable')
    """
    s = str(status)
    if s == "pass":
        return "met"
    if s == "fail":
        return "failed"
    if s.startswith(("needs layer", "not computed")):
        return "not measurable"
    return s


def overview_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """How many targets are met, failed, without a numeric or a district target, or not
    measurable with the current layers: one row per plan (in the catalogue's order, Chinese
    title first), then the total.

    Examples
    --------
    >>> t = pd.DataFrame({"metric_id": ["A", "A", "B"], "district": ["1", "2", "1"],
    ...                   "plan": ["p / P", "p / P", "p / P"],
    ...                   "status": ["pass", "needs layer: x", "fail"]})
    >>> o = overview_table(t)
    >>> [int(v) for v in o.iloc[-1][["entries", "rows", "met", "failed", "not measurable"]]]
    [2, 3, 1, 1, 1]
    """
    out = metrics.assign(outcome=metrics["status"].map(outcome))
    rows = []
    for plan, g in [*out.groupby("plan", sort=False), ("合计 total", out)]:
        row = {"plan": plan, "entries": int(g["metric_id"].nunique()), "rows": len(g)}
        for col in OVERVIEW_COLUMNS[3:]:
            row[col] = int((g["outcome"] == col).sum())
        rows.append(row)
    return pd.DataFrame(rows, columns=list(OVERVIEW_COLUMNS))
