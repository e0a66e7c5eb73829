"""What a report is made of: its inputs (:class:`AnalysisInputs`) and its result (:class:`Report`).

Split from :mod:`jinan_gis.analyses.report` (which computes a report with
:func:`~jinan_gis.analyses.report.evaluate` and re-exports every name here), so that each
module does one job: this one holds the data and the words every report states
(:data:`MEASURE_NOTES`, :data:`PLAN_SCOPE_NOTE`), that one the computation.

Examples
--------
>>> from jinan_gis.analyses.report import AnalysisInputs as A
>>> A is AnalysisInputs
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from ..geo.errors import JinanGISError
from ..geo.network import Network
from ..layers.provenance import SYNTHETIC_MARK, is_synthetic
from .catalogue import MODE_NOTE, get_metric

__all__ = [
    "AGE_COLUMNS",
    "COVERAGE_COLUMN_ORDER",
    "DEMAND_LABELS",
    "MEASURE_NOTES",
    "PLAN_SCOPE_NOTE",
    "AnalysisInputs",
    "Report",
    "district_label",
    "order_coverage_columns",
    "percent",
]

PLAN_SCOPE_NOTE = (
    "Licheng plan scope: the 14 sub-districts the plan administers "
    "「不含南山管委会和高新区托管部分」 (535.3 km²); "
    "the legal district has 21 sub-districts over 1298.6 km²"
)

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

AGE_COLUMNS = ("pop_60plus", "pop_0_2")
"""Population columns a target's demand may use (people aged 60+, children aged 0-2)."""

DEMAND_LABELS: dict[str, str] = {
    "population": "all residents (population)",
    "pop_60plus": "residents aged 60+ (pop_60plus)",
    "pop_0_2": "children aged 0-2 (pop_0_2, census-based estimate)",
}
"""What each demand column counts, as every report row says it."""


def order_coverage_columns(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with the moved / not-placed columns that exist grouped next to each other.

    Other ``moved_*`` columns (e.g. extra metres walked) follow ``share_moved``.

    Examples
    --------
    >>> t = pd.DataFrame(columns=["population", "not_placed", "share_not_placed", "x",
    ...                           "moved", "moved_extra_m", "share_moved"])
    >>> order_coverage_columns(t).columns.tolist()
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
    """The layers a report is computed from.

    :func:`~jinan_gis.analyses.report.evaluate` works in the CRS of ``network`` (or of
    ``streets`` when it is metric; EPSG:4548 otherwise) and reprojects the other layers to
    it on use; the layers themselves are never changed.

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
    extra: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)

    def _layer(self, name: str) -> gpd.GeoDataFrame | None:
        """Layer ``name``: one of the named fields, else one of ``extra``."""
        if name in _LAYER_NAMES:
            return getattr(self, name)
        return self.extra.get(name)

    @property
    def synthetic(self) -> bool:
        """True when any layer or any layer's provenance is synthetic
        (:func:`~jinan_gis.layers.provenance.is_synthetic`, the one rule)."""
        layers = [getattr(self, n) for n in _LAYER_NAMES] + list(self.extra.values())
        return is_synthetic(layers) or is_synthetic(list(self.provenance.values()))

    def layer_synthetic(self, name: str) -> bool:
        """Whether layer ``name`` (or its provenance) is synthetic."""
        return is_synthetic([self._layer(name), self.provenance.get(name)])

    def available(self) -> set[str]:
        """Names of the layers present (with ``extra``'s), ``park areas`` when parks have an
        ``area_m2``, and ``pop_60plus`` / ``pop_0_2`` when the population has those age
        columns (with people in them).

        Examples
        --------
        >>> import geopandas as gpd
        >>> from shapely.geometry import Point, box
        >>> d = gpd.GeoDataFrame({"code": ["370103"]}, geometry=[box(0, 0, 1, 1)],
        ...                      crs="EPSG:4548")
        >>> p = gpd.GeoDataFrame({"population": [5.0], "pop_60plus": [1.0]},
        ...                      geometry=[Point(0, 0)], crs="EPSG:4548")
        >>> sorted(AnalysisInputs(districts=d, population=p, extra={"forest": d}).available())
        ['districts', 'forest', 'pop_60plus', 'population']
        """
        have = {"districts"}
        for name in ("streets", "facilities", "population", "zones", "old_town"):
            if getattr(self, name) is not None and len(getattr(self, name)):
                have.add(name)
        have |= {n for n, g in self.extra.items() if g is not None and len(g)}
        if self.network is not None:
            have.add("streets")
        fac = self.facilities
        if fac is not None and "area_m2" in fac.columns:
            parks = fac[fac["category"] == "park"]
            if len(parks) and parks["area_m2"].notna().any():
                have.add("park areas")
        pop = self.population
        for col in AGE_COLUMNS:
            if pop is not None and col in pop.columns and float(
                    pd.to_numeric(pop[col], errors="coerce").fillna(0).sum()) > 0:
                have.add(col)
        return have

    def layer_source(self, name: str) -> str:
        """The source(s) of layer ``name``: its ``source`` column, else its provenance."""
        gdf = self._layer(name)
        if gdf is not None and "source" in gdf.columns and gdf["source"].notna().any():
            return ", ".join(sorted(map(str, gdf["source"].dropna().unique())))
        prov = self.provenance.get(name) or {}
        return str(prov.get("source", "?"))

    def layer_table(self) -> pd.DataFrame:
        """One row per layer: rows, source(s), when it was loaded / written, synthetic."""
        rows = []
        for name in (*_LAYER_NAMES, *self.extra):
            gdf = self._layer(name)
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
        """Rows per status (``needs layer: ...`` counted together, ``not computed: ...`` too)."""
        s = (self.metrics["status"].str.replace(r"needs layer.*", "needs layer", regex=True)
             .str.replace(r"not computed.*", "not computed", regex=True))
        return {str(k): int(v) for k, v in s.value_counts().items()}

    def summary_markdown(self, *, timings: bool = False) -> str:
        """A short Markdown summary a planner can hand on.

        First the one-page overview (targets met, failed, not measurable with the current
        layers, per plan), then the targets grouped by plan and chapter in the plans' own
        order (Chinese titles first, English second), the progress toward the dated targets,
        the inventory check, the least-served sub-districts. Shares in percent, each district
        and sub-district named beside its code; the seconds each step took only with
        ``timings=True`` (``jinan-gis report --timings``)."""
        lines = ["# jinan-gis report" + (f" — {SYNTHETIC_MARK}" if self.synthetic else ""), ""]
        if self.synthetic:
            lines += [
                "> **SYNTHETIC SAMPLE / 合成样例数据** — streets, facilities, population and "
                "sub-district boundaries are invented (calibrated to the plans' published "
                "counts). The numbers below show how the toolkit works; they are NOT "
                "findings about Jinan.",
                "",
            ]
        lines += _overview_lines(self.tables.get("overview"))
        lines += [f"- {k}: {v}" for k, v in sorted(self.status_counts().items())]
        lines += ["", f"Travel mode: {MODE_NOTE}.", f"Scope: {PLAN_SCOPE_NOTE}.", ""]
        lines += ["What is measured:", *[f"- {n}" for n in self.method_lines()], ""]
        lines += ["Shares are in percent of the residents (coverage) or of the sub-districts "
                  "(one facility per sub-district).", ""]
        lines += _target_lines(self.metrics)
        lines += _progress_lines(self.tables.get("progress"))
        lines += _inventory_lines(self.tables)
        lines += _zone_lines(self.tables)
        if self.notes:
            lines += ["", "Notes:", *[f"- {n}" for n in self.notes]]
        if timings and self.timings:
            lines += ["", "## Timings (s)", "",
                      *[f"- {k}: {v:.2f}" for k, v in self.timings.items()]]
        lines += ["", "Layers: " + "; ".join(
            f"{r.layer} ({r.rows} rows, {r.source})" for r in self.layers.itertuples())]
        return "\n".join(lines) + "\n"


def _overview_lines(overview: pd.DataFrame | None) -> list[str]:
    """The one-page overview: one sentence, then one row per plan and the total."""
    if overview is None or not len(overview):
        return []
    tot = overview.iloc[-1]
    out = ["## 总览 Overview", "",
           f"{tot['rows']} (target, district) rows of {tot['entries']} targets: "
           f"**{tot['met']} met**, **{tot['failed']} failed**, {tot['no numeric target']} "
           f"without a numeric target, {tot['no district target']} city-wide totals without a "
           f"district target, **{tot['not measurable']} not measurable with the current "
           "layers** (each says which layer it needs and how to supply it).", "",
           "| plan 规划 | targets | rows | met | failed | no numeric target | "
           "no district target | not measurable |", "|---|---|---|---|---|---|---|---|"]
    for r in overview.itertuples(index=False):
        out.append("| " + " | ".join(str(v) for v in r[:8]) + " |")
    return [*out, ""]


def _target_lines(metrics: pd.DataFrame) -> list[str]:
    """The metric table, grouped by plan and chapter (the rows come in the plans' order)."""
    out = ["## 规划指标 Targets by plan and chapter"]
    head = ["", "| metric | district | value | target | status | basis | source |",
            "|---|---|---|---|---|---|---|"]
    plan = chapter = None
    for r in metrics.itertuples():
        p = getattr(r, "plan", r.source_file)
        c = getattr(r, "chapter", "")
        if p != plan:
            out += ["", f"### {p}"]
            plan, chapter = p, None
        if c != chapter:
            out += (["", f"#### {c}"] if c else []) + head
            chapter = c
        out.append(
            f"| {r.metric_id} {r.name_zh} | {district_label(r.district)} | "
            f"{_value_text(r.value, r.unit)} | {_value_text(r.target, r.unit)} | "
            f"{r.status} | {r.basis} | {p} |"
        )
    return out


def _progress_lines(progress: pd.DataFrame | None) -> list[str]:
    """Progress toward the dated targets, with the rule."""
    if progress is None or not len(progress):
        return []
    out = ["", "## 进度 Progress toward the dated targets", "",
           f"Rule: {progress['rule'].iloc[0]}.", "",
           "| metric | district | baseline | reported (000) | now | target | verdict |",
           "|---|---|---|---|---|---|---|"]
    for r in progress.itertuples():
        base = (f"{_value_text(r.baseline, r.unit)} ({r.baseline_year:.0f})"
                if not pd.isna(r.baseline) else "—")
        rep = (f"{_value_text(r.reported, r.unit)} ({r.reported_year:.0f}: "
               f"{r.reported_verdict})" if not pd.isna(r.reported) else "—")
        now = (f"{_value_text(r.value, r.unit)} ({r.evaluation_year})"
               if not pd.isna(r.value) else "—")
        out.append(f"| {r.metric_id} {r.name_zh} | {district_label(r.district)} | {base} | "
                   f"{rep} | {now} | {_value_text(r.target, r.unit)} ({r.target_year:.0f}) | "
                   f"{r.verdict} |")
    return out


def _inventory_lines(tables: dict[str, pd.DataFrame]) -> list[str]:
    """The inventory check of each district: the layer's count beside the plan's figure."""
    out = []
    for key, t in tables.items():
        if not key.startswith("inventory ") or not len(t):
            continue
        out += ["", f"## 设施清单核对 Inventory check — {district_label(t['district'].iloc[0])}",
                "", "| facility 设施 | layer | plan | kind | check |", "|---|---|---|---|---|"]
        out += [f"| {r.type_zh} {r.type_en} | {r.layer_count:,.0f} | {r.plan_figure:,.0f} | "
                f"{r.figure_kind} | {r.status} |" for r in t.itertuples()]
    return out


def district_label(code: object) -> str:
    """``历城区 Licheng (370112)`` for a study district's code, else the code as it is.

    Examples
    --------
    >>> district_label("370103"), district_label("999999")
    ('市中区 Shizhong (370103)', '999999')
    """
    from ..layers.districts import DISTRICTS

    names = DISTRICTS.get(str(code))
    if names is None:
        return str(code)
    return f"{names[0]} {names[1].removesuffix(' District')} ({code})"


def percent(share: float) -> str:
    """A share as a percentage: one decimal, two significant digits below 1 %.

    Examples
    --------
    >>> percent(0.348), percent(1.0), percent(0.000278), percent(0.0)
    ('34.8 %', '100 %', '0.028 %', '0 %')
    """
    p = float(share) * 100
    if p == 0:
        return "0 %"
    text = f"{p:.2g}" if abs(p) < 1 else f"{p:.1f}".removesuffix(".0")
    return f"{text} %"


def _value_text(value: object, unit: object) -> str:
    """A metric's value or target: a share (no unit) in percent, else with its unit."""
    if value is None or pd.isna(value):
        return "—"
    unit = "" if unit is None or pd.isna(unit) else str(unit)
    if not unit.strip():
        return percent(float(value))
    return f"{float(value):.3g}{unit}"


_ZONES_SHOWN = 3


def _targets_first(item: tuple[str, pd.DataFrame]) -> int:
    """0 for the tables of a metric with a numeric target, 1 for the others (stable sort)."""
    t = item[1]
    if "metric_id" not in t.columns or not len(t):
        return 1
    try:
        return 0 if get_metric(str(t["metric_id"].iloc[0])).target is not None else 1
    except JinanGISError:
        return 1


def _zone_lines(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Per coverage metric and district (those with a numeric target first), the
    least-served sub-districts (name, code, share
    within the threshold along the streets); per one-per-sub-district metric, those
    without one."""
    least, missing = [], []
    for key, t in sorted(tables.items(), key=_targets_first):
        if "zone_name" not in t.columns or "metric_id" not in t.columns or not len(t):
            continue
        metric, district = str(t["metric_id"].iloc[0]), district_label(t["district"].iloc[0])
        code = "zone" if "zone" in t.columns else "zone_id"
        if key.startswith("coverage") and "share_network" in t.columns:
            worst = t.sort_values("share_network").head(_ZONES_SHOWN)
            parts = [f"{r.zone_name} ({getattr(r, code)}) {percent(r.share_network)}"
                     for r in worst.itertuples()]
            least.append(f"- {metric}, {district}: " + ", ".join(parts))
        elif key.startswith("presence") and "meets" in t.columns:
            lack = t[~t["meets"].astype(bool)]
            names = [f"{r.zone_name} ({getattr(r, code)})" for r in lack.itertuples()]
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5
                                             else "")
            missing.append(f"- {metric}, {district}: {len(lack)} of {len(t)} sub-districts "
                           f"have none" + (f": {shown}" if names else ""))
    out = []
    if least:
        out += ["", f"Least-served sub-districts (lowest {_ZONES_SHOWN}, share within the "
                "threshold along the streets):", *least]
    if missing:
        out += ["", "Sub-districts without the facility a sub-district must have:", *missing]
    return out
