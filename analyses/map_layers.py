"""The layers of an exported map: folium overlays and legend entries built from GeoDataFrames.

One builder per kind of input layer (coverage grid, service areas, gaps, zones, districts,
facilities, sites) turns a GeoDataFrame into overlays, legend sections and display bounds
(:class:`_Built`); :func:`build_layers` runs them in drawing order and :func:`legend_sections`
orders their legend. Geometry is prepared for display only (:func:`_prepare`: copied,
simplified in EPSG:4548, shifted to the display datum, rounded); the inputs are never
changed. The page around the layers is :mod:`jinan_gis.analyses.map_page`; the public entry
point is :func:`jinan_gis.analyses.maps.export_map`.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> from jinan_gis.analyses.map_page import _Text
>>> fac = gpd.GeoDataFrame({"category": ["chc", "chc", "library"]},
...     geometry=[Point(117.0, 36.6), Point(117.1, 36.7), Point(117.2, 36.6)], crs="EPSG:4326")
>>> ctx = LayerContext(t=_Text("en"), simplify_m=5.0, datum="wgs84", cluster_above=50)
>>> built = build_layers({"facilities": fac}, ctx)
>>> [len(b.layers) for b in built.values()], [h for h, *_ in legend_sections(built, ctx.t)]
([2], ['Facility categories', 'Facility tier (marker shape)'])
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..geo.crs import ANALYSIS_CRS
from ..geo.errors import JinanGISError
from ..geo.missing import is_missing
from ..layers import taxonomy
from .map_display import (
    Bounds,
    _bounds_of,
    _Display,
    _feature_collection,
    _prepare,
    _shape_svg,
)
from .map_page import (
    _entry,
    _esc,
    _fmt_int,
    _fmt_km2,
    _fmt_m,
    _line,
    _num_label,
    _PointLayer,
    _PolygonLayer,
    _popup,
    _swatch,
    _Text,
)

__all__ = ["COVERAGE_BREAKS_M", "COVERAGE_MAX_CELLS", "LAYER_ORDER", "LayerContext",
           "build_layers", "legend_sections"]

log = logging.getLogger(__name__)

COVERAGE_BREAKS_M: tuple[float, ...] = (300.0, 500.0, 1000.0, 1500.0)
"""Default class breaks (metres) of the coverage surface: 5-, 10-, 15-minute walks and beyond."""

COVERAGE_MAX_CELLS = 5000
"""Coverage grids with more cells than this are merged by distance class for display."""

_PALETTE = (
    "#e41a1c", "#377eb8", "#4daf4a", "#ff7f00", "#a65628", "#17becf",
    "#f781bf", "#1b9e77", "#d95f02", "#e6ab02", "#66a61e", "#666666",
)  # fmt: skip  (no purple: that is the gaps' colour)
_GAP_FILL, _GAP_LINE = "#6a3d9a", "#3f007d"  # as export_qgis.GAP_COLOUR: no other layer's
_TIER_SHAPES: dict[str, str] = {
    "centre": "square",
    "station": "diamond",
    "community": "triangle",
    "village": "triangle_down",
}
_SPARE_SHAPES = ("hexagon", "pentagon", "cross")
_TIER_LABELS: dict[str, tuple[str, str]] = {
    "centre": ("中心级", "centre"),
    "station": ("站点级", "station"),
    "community": ("社区级", "community"),
    "village": ("村级", "village"),
}
_RAMP = ("#1a9850", "#a6d96a", "#fee08b", "#fdae61", "#d73027")
_UNREACHABLE = "#8c8c8c"
_SA_RAMP = ("#08519c", "#4292c6", "#9ecae1")
_ICON_PX = 14
_SITE_PX = 24


# ----------------------------------------------------------------------------- labels


def _ramp(stops: Sequence[str], n: int) -> list[str]:
    """``n`` colours interpolated (in RGB) along the hex colour ``stops``."""
    rgb = np.array([[int(s[i : i + 2], 16) for i in (1, 3, 5)] for s in stops], dtype=float)
    if n == 1:
        return [stops[0]]
    pos = np.linspace(0.0, len(stops) - 1.0, n)
    out = []
    for p in pos:
        i = min(int(p), len(stops) - 2)
        f = p - i
        c = rgb[i] * (1 - f) + rgb[i + 1] * f
        out.append("#" + "".join(f"{round(x):02x}" for x in c))
    return out


def _category_label(category: Any, t: _Text) -> tuple[str, int]:
    """Escaped bilingual label of a facility category and its sort rank (taxonomy order)."""
    text = _clean_str(category) or ""
    for rank, cat in enumerate(taxonomy.CATEGORIES):
        if cat.id == text:
            return _esc(t(cat.name_zh, cat.name_en)), rank
    if text in ("", taxonomy.UNKNOWN):
        return _esc(t("未分类", "unclassified")), len(taxonomy.CATEGORIES) + 1
    return _esc(text), len(taxonomy.CATEGORIES)


def _tier_label(tier: str | None, t: _Text) -> str:
    if tier is None:
        return _esc(t("未分级", "no tier"))
    if tier in _TIER_LABELS:
        return _esc(t(*_TIER_LABELS[tier]))
    return _esc(tier)


def _clean_str(v: Any) -> str | None:
    """``v`` as stripped text; None when missing or blank."""
    if is_missing(v):
        return None
    s = str(v).strip()
    return s or None


# -------------------------------------------------------------------------------- layers

@dataclass(frozen=True)
class LayerContext:
    """What every layer builder needs: labels, display simplification and datum, clustering.

    Attributes
    ----------
    t : _Text
        Bilingual labels in the page's language.
    simplify_m : float
        Display simplification tolerance, metres (EPSG:4548).
    datum : str
        Display datum, "wgs84" or "gcj02".
    cluster_above : int
        Cluster a facility category's markers when it has more points than this.
    """

    t: _Text
    simplify_m: float
    datum: str
    cluster_above: int


@dataclass
class _Built:
    """Overlays built from one input layer, their legend sections and display bounds."""

    layers: list[folium.map.Layer]
    legend: list[tuple[str, list[str]]]
    bounds: Bounds | None
    cluster: bool = False


def _polygon_overlay(
    disp: _Display,
    *,
    name: str,
    key: str,
    styles: list[dict[str, Any]],
    style_idx: Sequence[int] | None = None,
    tooltips: Sequence[str] | None = None,
    popups: Sequence[str] | None = None,
) -> _PolygonLayer:
    n = len(disp.geoms)
    data = _feature_collection(
        disp.geoms,
        [0] * n if style_idx is None else style_idx,
        [""] * n if tooltips is None else tooltips,
        [""] * n if popups is None else popups,
    )
    return _PolygonLayer(name, key, data, styles)


def _build_coverage(cov: gpd.GeoDataFrame, ctx: LayerContext, breaks: Sequence[float]) -> _Built:
    t = ctx.t
    b = np.asarray(sorted({float(x) for x in breaks}), dtype=float)
    if len(b) == 0 or not np.all(np.isfinite(b)) or b[0] <= 0:
        raise JinanGISError(
            "coverage_breaks_m must be one or more positive distances in metres, "
            "e.g. (300, 500, 1000, 1500)."
        )
    d_all = pd.to_numeric(cov["dist_m"], errors="coerce").to_numpy(dtype=float)
    cls_all = np.where(np.isfinite(d_all), np.searchsorted(b, d_all, side="left"), len(b) + 1)
    labels = [f"≤ {_num_label(b[0])} m"]
    labels += [f"{_num_label(lo)}–{_num_label(hi)} m" for lo, hi in itertools.pairwise(b)]
    labels += [f"> {_num_label(b[-1])} m", t("不可达", "unreachable")]
    colors = [*_ramp(_RAMP, len(b) + 1), _UNREACHABLE]
    styles = [{"stroke": False, "fillColor": c, "fillOpacity": 0.5} for c in colors]
    head = _esc(t("距最近设施", "To nearest facility"))
    if len(cov) > COVERAGE_MAX_CELLS:
        log.info(
            "coverage has %d cells (> %d): merged by distance class for display",
            len(cov),
            COVERAGE_MAX_CELLS,
        )
        cells = gpd.GeoSeries(cov.geometry.to_numpy(), crs=cov.crs).to_crs(ANALYSIS_CRS)
        cells_arr = cells.to_numpy()
        ok = ~(shapely.is_missing(cells_arr) | shapely.is_empty(cells_arr))
        merged, merged_cls = [], []
        for k in np.unique(cls_all[ok]):
            part = cells_arr[ok & (cls_all == k)]
            try:
                union = shapely.coverage_union_all(part)
            except shapely.errors.GEOSException:  # pragma: no cover - overlapping cells
                union = shapely.union_all(part)
            merged.append(union)
            merged_cls.append(int(k))
        frame = gpd.GeoDataFrame({"_cls": merged_cls}, geometry=merged, crs=ANALYSIS_CRS)
        disp = _prepare(frame, columns=["_cls"], simplify_m=ctx.simplify_m, datum=ctx.datum)
        cls = disp.attrs["_cls"].to_numpy(dtype=int)
        tips = [f"{head}: {_esc(labels[k])}" for k in cls]
    else:
        with_pop = "population" in cov.columns
        frame = cov.assign(_cls=cls_all)
        cols = ["_cls", "dist_m", "population"] if with_pop else ["_cls", "dist_m"]
        disp = _prepare(frame, columns=cols, simplify_m=ctx.simplify_m, datum=ctx.datum)
        cls = disp.attrs["_cls"].to_numpy(dtype=int)
        dist = pd.to_numeric(disp.attrs["dist_m"], errors="coerce").to_numpy(dtype=float)
        pop_label = _esc(t("人口", "Population"))
        tips = []
        for i, (k, dv) in enumerate(zip(cls, dist, strict=True)):
            txt = f"{head}: {_fmt_m(dv) if math.isfinite(dv) else _esc(labels[k])}"
            if with_pop:
                txt += f"<br>{pop_label}: {_fmt_int(disp.attrs['population'].iloc[i])}"
            tips.append(txt)
    present = set(np.unique(cls_all).tolist())
    entries = [
        _entry(_swatch(colors[k], 0.7), _esc(labels[k]))
        for k in range(len(labels))
        if k <= len(b) or k in present
    ]
    heading = _esc(t("距最近设施距离", "Distance to nearest facility"))
    layer = _polygon_overlay(
        disp, name=heading, key="coverage", styles=styles, style_idx=cls.tolist(), tooltips=tips
    )
    return _Built([layer], [(heading, entries)], disp.bounds)


def _build_service_areas(
    sa: gpd.GeoDataFrame, ctx: LayerContext, facility_names: dict[str, str]
) -> _Built:
    t = ctx.t
    disp = _prepare(
        sa,
        columns=["max_dist_m", "source_label", "street_m"],
        simplify_m=ctx.simplify_m,
        datum=ctx.datum,
        extra=lambda g: {"_area_km2": shapely.area(g) / 1e6},
    )
    dist = pd.to_numeric(disp.attrs["max_dist_m"], errors="coerce").to_numpy(dtype=float)
    thresholds = sorted({float(d) for d in dist if math.isfinite(d)})
    colors = dict(zip(thresholds, _ramp(_SA_RAMP, len(thresholds)), strict=True))
    layers: list[folium.map.Layer] = []
    for d in sorted(thresholds, reverse=True):  # largest first: drawn below the smaller ones
        sel = np.flatnonzero(dist == d)
        dl = _num_label(d)
        head = _esc(t(f"{dl} m 服务范围", f"{dl} m service area"))
        tips, pops = [], []
        for i in sel:
            row = disp.attrs.iloc[i]
            src = _clean_str(row.get("source_label"))
            who = _esc(facility_names.get(src, src)) if src is not None else None
            tips.append(f"{head} — {who}" if who else head)
            rows = [(_esc(t("设施", "Facility")), who)] if who else []
            if "street_m" in row.index:
                rows.append((_esc(t("可达街道长度", "Street reached")), _fmt_m(row["street_m"])))
            rows.append((_esc(t("面积", "Area")), _fmt_km2(row["_area_km2"])))
            pops.append(_popup(head, rows))
        color = colors[d]
        style = {"color": color, "weight": 1, "opacity": 0.8, "fillColor": color,
                 "fillOpacity": 0.18}  # fmt: skip
        part = _Display(disp.attrs.iloc[sel], disp.geoms[sel], _bounds_of(disp.geoms[sel]))
        name = _esc(t(f"服务范围 {dl} m", f"Service area {dl} m")) + f" ({len(sel)})"
        layers.append(
            _polygon_overlay(
                part, name=name, key=f"service_area:{dl}", styles=[style], tooltips=tips,
                popups=pops,
            )
        )
    entries = [
        _entry(
            _swatch(colors[d], 0.45, colors[d]),
            _esc(t(f"步行 {_num_label(d)} m 可达", f"within {_num_label(d)} m walk")),
        )
        for d in thresholds
    ]
    heading = _esc(t("服务范围（步行网络距离）", "Service areas (walking network distance)"))
    return _Built(layers, [(heading, entries)], disp.bounds)


def _build_gaps(gaps: gpd.GeoDataFrame, ctx: LayerContext) -> _Built:
    t = ctx.t
    disp = _prepare(
        gaps,
        columns=["gap_id", "name", "zone_name", "population", "gap_population"],
        simplify_m=ctx.simplify_m,
        datum=ctx.datum,
        extra=lambda g: {"_area_km2": shapely.area(g) / 1e6},
    )
    head = _esc(t("服务盲区", "Service gap"))
    pop_label = _esc(t("人口", "Population"))
    tips, pops = [], []
    for _, row in disp.attrs.iterrows():
        label = _clean_str(row.get("name")) or _clean_str(row.get("zone_name"))
        title_html = head + (f" — {_esc(label)}" if label else "")
        rows = []
        if _clean_str(row.get("gap_id")) is not None:
            rows.append(("ID", _esc(row["gap_id"])))
        tip = title_html
        if "population" in row.index:
            pop = _fmt_int(row["population"])
            rows.append((pop_label, pop))
            tip += f"<br>{pop_label}: {pop}"
        rows.append((_esc(t("面积", "Area")), _fmt_km2(row["_area_km2"])))
        if "gap_population" in row.index:  # a piece of a larger gap (analyses.gaps)
            rows.append((_esc(t("整片盲区人口", "Whole gap's people")),
                         _fmt_int(row["gap_population"])))
        tips.append(tip)
        pops.append(_popup(title_html, rows))
    style = {"color": _GAP_LINE, "weight": 1.5, "dashArray": "4 3", "fillColor": _GAP_FILL,
             "fillOpacity": 0.45}  # fmt: skip
    heading = _esc(t("服务盲区", "Service gaps"))
    layer = _polygon_overlay(
        disp, name=f"{heading} ({len(tips)})", key="gaps", styles=[style], tooltips=tips,
        popups=pops,
    )
    entry = _entry(
        _swatch(_GAP_FILL, 0.6, _GAP_LINE),
        _esc(t("服务范围外的居民（含人口）", "residents outside the service areas")),
    )
    return _Built([layer], [(heading, [entry])], disp.bounds)


def _build_zones(zones: gpd.GeoDataFrame, ctx: LayerContext) -> _Built:
    t = ctx.t
    disp = _prepare(
        zones, columns=["zone_name", "name"], simplify_m=ctx.simplify_m, datum=ctx.datum
    )
    names = [
        _esc(_clean_str(r.get("zone_name")) or _clean_str(r.get("name")) or "—")
        for _, r in disp.attrs.iterrows()
    ]
    style = {"color": "#555555", "weight": 1.2, "dashArray": "3 3", "fill": False}
    return _outlines(
        disp, names, style,
        name=_esc(t("统计分区（街道/社区）", "Zones (sub-districts/communities)")), key="zones",
        key_html=_line("#555555", 1.5, True), label=_esc(t("统计分区", "reporting zone")),
    )


def _build_districts(districts: gpd.GeoDataFrame, ctx: LayerContext) -> _Built:
    t = ctx.t
    disp = _prepare(
        districts, columns=["name_zh", "name_en", "name"], simplify_m=ctx.simplify_m,
        datum=ctx.datum,
    )
    names = []
    for _, r in disp.attrs.iterrows():
        zh, en = _clean_str(r.get("name_zh")), _clean_str(r.get("name_en"))
        names.append(_esc(t(zh, en) if zh and en else zh or en or _clean_str(r.get("name")) or "—"))
    style = {"color": "#222222", "weight": 2.5, "fill": False}
    return _outlines(
        disp, names, style, name=_esc(t("区界", "District boundaries")), key="districts",
        key_html=_line("#222222", 2.5, False), label=_esc(t("区界", "district boundary")),
    )


def _outlines(
    disp: _Display, names: list[str], style: dict[str, Any], *, name: str, key: str,
    key_html: str, label: str,
) -> _Built:
    """An outline overlay (districts, zones) with one untitled legend entry."""
    layer = _polygon_overlay(disp, name=name, key=key, styles=[style], tooltips=names)
    return _Built([layer], [("", [_entry(key_html, label)])], disp.bounds)


def _build_facilities(fac: gpd.GeoDataFrame, ctx: LayerContext) -> _Built:
    t = ctx.t
    disp = _prepare(
        fac,
        columns=["facility_id", "name", "category", "tier", "source"],
        simplify_m=ctx.simplify_m,
        datum=ctx.datum,
        points=True,
    )
    a = disp.attrs
    cats = [_clean_str(c) or taxonomy.UNKNOWN for c in a["category"]]
    tiers = [_clean_str(v) for v in a["tier"]] if "tier" in a else [None] * len(a)
    cat_info = {c: _category_label(c, t) for c in set(cats)}
    order = sorted(cat_info, key=lambda c: (cat_info[c][1], c))
    colors = {c: _PALETTE[i % len(_PALETTE)] for i, c in enumerate(order)}
    spare = itertools.cycle(_SPARE_SHAPES)
    shapes: dict[str | None, str] = {None: "circle"}
    for tier in sorted({x for x in tiers if x is not None}):
        shapes[tier] = _TIER_SHAPES.get(tier) or next(spare)
    lat, lon = shapely.get_y(disp.geoms), shapely.get_x(disp.geoms)
    layers: list[folium.map.Layer] = []
    cat_entries: list[str] = []
    clustered = False
    for c in order:
        label = cat_info[c][0]
        icon_of: dict[str | None, int] = {}
        icons: list[dict[str, Any]] = []
        rows: list[list[Any]] = []
        for i in (i for i, x in enumerate(cats) if x == c):
            tier = tiers[i]
            if tier not in icon_of:
                icon_of[tier] = len(icons)
                icons.append({"html": _shape_svg(shapes[tier], colors[c], _ICON_PX),
                              "px": _ICON_PX})  # fmt: skip
            r = a.iloc[i]
            name = _clean_str(r.get("name"))
            shown = _esc(name) if name else label
            prow = [(_esc(t("类别", "Category")), label),
                    (_esc(t("等级", "Tier")), _tier_label(tier, t))]  # fmt: skip
            if _clean_str(r.get("facility_id")) is not None:
                prow.append(("ID", _esc(r["facility_id"])))
            if _clean_str(r.get("source")) is not None:
                prow.append((_esc(t("数据来源", "Source")), _esc(r["source"])))
            rows.append([float(lat[i]), float(lon[i]), icon_of[tier], shown, _popup(shown, prow)])
        cluster = len(rows) > ctx.cluster_above
        clustered |= cluster
        dot = f'<span style="color:{colors[c]}">&#9679;</span>'
        layers.append(
            _PointLayer(
                f"{dot} {label} ({len(rows)})",
                f"facilities:{c}",
                rows,
                icons,
                {"cluster": cluster, "color": colors[c]},
            )
        )
        cat_entries.append(_entry(_swatch(colors[c], 0.9), f"{label} ({len(rows)})"))
    tier_entries = [
        _entry(_shape_svg(shapes[x], "#666666", _ICON_PX), _tier_label(x, t))
        for x in sorted(set(tiers), key=lambda v: (v is None, str(v)))
    ]
    legend = [
        (_esc(t("设施类别", "Facility categories")), cat_entries),
        (_esc(t("设施等级（标记形状）", "Facility tier (marker shape)")), tier_entries),
    ]
    return _Built(layers, legend, disp.bounds, cluster=clustered)


_SITE_POP_COLUMNS: dict[str, tuple[str, str]] = {
    "gain_people": ("新增覆盖人口", "People newly covered"),  # analyses.sites.propose_sites
    "covered_people": ("累计覆盖人口", "People covered (cumulative)"),
    "population": ("覆盖人口", "Population served"),
    "added_population": ("新增覆盖人口", "Population newly covered"),
    "population_gain": ("新增覆盖人口", "Population newly covered"),
    "pop_gain": ("新增覆盖人口", "Population newly covered"),
}


_SITE_WHERE_COLUMNS: dict[str, tuple[str, str]] = {  # analyses.sites.locate_sites
    "zone_name": ("所在街道", "Sub-district"),
    "street_name": ("最近道路", "Nearest street"),
}
_SITE_LONLAT: dict[tuple[str, str], tuple[str, str]] = {
    ("lon_wgs84", "lat_wgs84"): ("经纬度 WGS84（GPS）", "Lon, lat WGS84 (GPS)"),
    ("lon_gcj02", "lat_gcj02"): ("经纬度 GCJ-02（高德）", "Lon, lat GCJ-02 (Amap)"),
}


def _build_sites(sites: gpd.GeoDataFrame, ctx: LayerContext) -> _Built:
    t = ctx.t
    disp = _prepare(
        sites,
        columns=["site_id", "name", "rank", *_SITE_POP_COLUMNS, *_SITE_WHERE_COLUMNS,
                 *(c for pair in _SITE_LONLAT for c in pair)],
        simplify_m=ctx.simplify_m,
        datum=ctx.datum,
        points=True,
    )
    a = disp.attrs
    lat, lon = shapely.get_y(disp.geoms), shapely.get_x(disp.geoms)
    head = _esc(t("建议选址", "Proposed site"))
    rows: list[list[Any]] = []
    for i in range(len(a)):
        r = a.iloc[i]
        rank, name = _clean_str(r.get("rank")), _clean_str(r.get("name"))
        shown = head + (f" #{_esc(rank)}" if rank else "") + (f" — {_esc(name)}" if name else "")
        prow = [("ID", _esc(r["site_id"]))] if _clean_str(r.get("site_id")) is not None else []
        prow += [
            (_esc(t(*labels)), _fmt_int(r[col]))
            for col, labels in _SITE_POP_COLUMNS.items()
            if col in r.index
        ]
        prow += [
            (_esc(t(*labels)), _esc(r[col]))
            for col, labels in _SITE_WHERE_COLUMNS.items()
            if col in r.index and _clean_str(r[col]) is not None
        ]
        for (lon_c, lat_c), labels in _SITE_LONLAT.items():
            if lon_c in r.index and lat_c in r.index and pd.notna(r[lon_c]):
                prow.append((_esc(t(*labels)), f"{float(r[lon_c]):.6f}, {float(r[lat_c]):.6f}"))
        rows.append([float(lat[i]), float(lon[i]), 0, shown, _popup(shown, prow)])
    icons = [{"html": _shape_svg("star", "#ffd400", _SITE_PX, stroke="#5c4400"), "px": _SITE_PX}]
    heading = _esc(t("建议选址", "Proposed sites"))
    layer = _PointLayer(
        f"{heading} ({len(rows)})", "sites", rows, icons, {"cluster": False, "z": 1000}
    )
    entry = _entry(
        _shape_svg("star", "#ffd400", 16, stroke="#5c4400"),
        _esc(t("建议新增设施位置", "proposed new facility")),
    )
    return _Built([layer], [(heading, [entry])], disp.bounds)


def _facility_names(fac: gpd.GeoDataFrame | None) -> dict[str, str]:
    if fac is None or "facility_id" not in fac.columns or "name" not in fac.columns:
        return {}
    out = {}
    for fid, nm in zip(fac["facility_id"], fac["name"], strict=True):
        k, v = _clean_str(fid), _clean_str(nm)
        if k is not None and v is not None:
            out[k] = v
    return out


LAYER_ORDER: tuple[str, ...] = (
    "coverage", "service_areas", "gaps", "zones", "districts", "facilities", "sites",
)
"""The input layers, bottom to top (drawing order)."""


def build_layers(
    given: Mapping[str, gpd.GeoDataFrame],
    ctx: LayerContext,
    *,
    coverage_breaks_m: Sequence[float] = COVERAGE_BREAKS_M,
    facilities: gpd.GeoDataFrame | None = None,
) -> dict[str, _Built]:
    """Build the overlays of every given layer (keys from :data:`LAYER_ORDER`), in drawing
    order.

    ``facilities`` (default ``given["facilities"]``) names the facilities in service-area
    tooltips; ``coverage_breaks_m`` are the coverage classes. The frames are not changed.
    """
    if facilities is None:
        facilities = given.get("facilities")
    builders: dict[str, Callable[[gpd.GeoDataFrame], _Built]] = {
        "coverage": lambda g: _build_coverage(g, ctx, coverage_breaks_m),
        "service_areas": lambda g: _build_service_areas(g, ctx, _facility_names(facilities)),
        "gaps": lambda g: _build_gaps(g, ctx),
        "zones": lambda g: _build_zones(g, ctx),
        "districts": lambda g: _build_districts(g, ctx),
        "facilities": lambda g: _build_facilities(g, ctx),
        "sites": lambda g: _build_sites(g, ctx),
    }
    return {what: builders[what](given[what]) for what in LAYER_ORDER if what in given}


def legend_sections(
    built: Mapping[str, _Built], t: _Text
) -> list[tuple[str, list[str], list[str]]]:
    """Legend sections (escaped heading, entry HTML, keys of the layers they describe):
    facilities, sites, service areas, coverage, gaps, then one "boundaries" section for
    districts and zones."""
    legend: list[tuple[str, list[str], list[str]]] = []
    for what in ("facilities", "sites", "service_areas", "coverage", "gaps"):
        if what in built:
            keys = [layer.key for layer in built[what].layers]
            legend += [(h, entries, keys) for h, entries in built[what].legend if entries]
    outlines = [e for w in ("districts", "zones") if w in built for e in built[w].legend[0][1]]
    if outlines:
        keys = [layer.key for w in ("districts", "zones") if w in built
                for layer in built[w].layers]
        legend.append((_esc(t("边界", "Boundaries")), outlines, keys))
    return legend
