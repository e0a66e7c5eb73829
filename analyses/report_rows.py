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
from .catalogue import LIFE_CIRCLES, Metric, plan_title
from .coverage import PlacedPopulation, select_facilities
from .life_circle import life_circle
from .report_model import PLAN_SCOPE_NOTE

__all__ = [
    "life_circle_metric",
    "metric_row",
    "per_capita_metric",
    "presence_metric",
    "status_of",
    "subset",
]


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
        "plan": " / ".join(dict.fromkeys(plan_title(m.source_file))),
        "source_file": m.source_file,
        "quote": m.quote,
        "scope_used": "",
        "detail": "",
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
                       placed: PlacedPopulation, tables: dict[str, pd.DataFrame]) -> dict:
    """Row of a ``life_circle`` metric (share of residents with a complete circle); the
    share per facility type goes into ``tables``."""
    in_d = (placed.population["district_code"] == code).to_numpy()
    sub = subset(placed, in_d)
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
    return metric_row(m, code, value=share, status=status_of(share, m.target),
                scope_used=f"residents of {code}; {spec['max_dist_m']:g} m walking",
                detail=f"mean completeness {score:.1%}; per type: "
                + ", ".join(f"{k} {v:.0%}" for k, v in per_type.items()))
