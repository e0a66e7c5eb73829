"""Self-contained, datum-correct, bilingual HTML maps of coverage results: :func:`export_map`.

The exported page is what the public sees, so it is built to be

* **self-contained** - Leaflet 1.9.4 and Leaflet.markercluster 1.5.3 are inlined from the
  vendored copies in ``analyses/assets`` (see ``scripts/vendor_map_assets.py``); the
  page loads no script, style sheet, font or image from the network. Only the base-map tiles
  need it; offline, every data layer still draws.
* **datum-correct** - OpenStreetMap tiles (``basemap="osm"``, default) show WGS84 data as it is;
  on Amap/Gaode tiles (``basemap="amap"``/``"amap_satellite"``, GCJ-02) every data layer is
  shifted WGS84 -> GCJ-02 for display with :func:`jinan_gis.geo.datum.from_wgs84`. The display
  datum is written on the map ("坐标：GCJ-02（高德底图）"), in ``window.JINAN_GIS.displayDatum``,
  a ``<meta name="jinan-gis:display-datum">`` and ``data-display-datum`` attributes.
* **light** - geometry is simplified for display only (in EPSG:4548, ``simplify_m``, topology
  preserved), coordinates are rounded to 6 decimals (about 0.1 m), only what popups show is
  kept, and large coverage grids are merged by distance class.
* **safe** - every string from the data or the caller (names, categories, title, metric,
  target) is HTML-escaped before it reaches the page, and embedded JSON cannot close its
  ``<script>``: a facility called ``<img src=x onerror=alert(1)>`` shows as that text.
* **honest** - a banner "合成样例数据 / SYNTHETIC SAMPLE DATA" tops the map whenever a layer has
  ``source == "synthetic"`` (or ``synthetic=True``); labels are Chinese with English.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> fac = gpd.GeoDataFrame(
...     {"facility_id": ["f1"], "name": ["<b>洪家楼</b>"], "category": ["chc"],
...      "group": ["health"], "tier": ["centre"], "source": ["synthetic"]},
...     geometry=[Point(117.07, 36.68)], crs="EPSG:4326")
>>> with tempfile.TemporaryDirectory() as tmp:
...     out = export_map(Path(tmp) / "map.html", facilities=fac, metric="CHC 1000 m")
...     html = out.read_text(encoding="utf-8")
>>> "洪家楼" in html, "<b>洪家楼" in html, 'class="jg-banner jg-synthetic-banner"' in html
(True, False, True)
>>> "<script src=" in html or "<link " in html
False
"""

from __future__ import annotations

import html as _html
import itertools
import json
import logging
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import jinja2
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement

from ..geo.crs import ANALYSIS_CRS, WEB_CRS, require_crs
from ..geo.datum import from_wgs84
from ..geo.errors import JinanGISError, LayerError
from ..layers import taxonomy
from ..layers.provenance import is_synthetic
from ._map_assets import inline_assets

__all__ = [
    "BASEMAPS",
    "COVERAGE_BREAKS_M",
    "COVERAGE_MAX_CELLS",
    "DEFAULT_TITLE",
    "LANGS",
    "Basemap",
    "export_map",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Basemap:
    """A base map: tile URL template, attribution and the datum its tiles are drawn in.

    Attributes
    ----------
    key : str
        The ``basemap=`` value.
    name_zh, name_en : str
        Name in the layer control.
    url : str or None
        Leaflet tile URL template; None for no tiles.
    attribution : str
        Attribution HTML (fixed text, never user input).
    subdomains : str
        Values of ``{s}``.
    max_zoom : int
    datum : str
        "wgs84" or "gcj02": every data layer is shown in this datum.
    """

    key: str
    name_zh: str
    name_en: str
    url: str | None
    attribution: str
    subdomains: str
    max_zoom: int
    datum: str


BASEMAPS: dict[str, Basemap] = {
    b.key: b
    for b in (
        Basemap(
            "osm",
            "OpenStreetMap 底图",
            "OpenStreetMap",
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
            "contributors",
            "abc",
            19,
            "wgs84",
        ),
        Basemap(
            "amap",
            "高德地图",
            "Amap (Gaode)",
            "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
            "&x={x}&y={y}&z={z}",
            "&copy; 高德地图 AutoNavi",
            "1234",
            18,
            "gcj02",
        ),
        Basemap(
            "amap_satellite",
            "高德卫星影像",
            "Amap satellite",
            "https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}",
            "&copy; 高德地图 AutoNavi",
            "1234",
            18,
            "gcj02",
        ),
        Basemap("none", "无底图", "no base map", None, "", "", 19, "wgs84"),
    )
}
"""The base maps :func:`export_map` offers; Amap tiles are GCJ-02, the others WGS84."""

DEFAULT_TITLE = (
    "历城区、市中区公共服务设施可达性 / Access to public services in Licheng and Shizhong"
)
"""The title used when none is given."""

COVERAGE_BREAKS_M: tuple[float, ...] = (300.0, 500.0, 1000.0, 1500.0)
"""Default class breaks (metres) of the coverage surface: 5-, 10-, 15-minute walks and beyond."""

COVERAGE_MAX_CELLS = 5000
"""Coverage grids with more cells than this are merged by distance class for display."""

LANGS: tuple[str, ...] = ("zh-en", "zh", "en")
"""Label languages: Chinese with English (default), Chinese only, English only."""

_PALETTE = (
    "#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628",
    "#f781bf", "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e",
)  # fmt: skip
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
_FONT = (
    '"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",'
    '"Source Han Sans SC","WenQuanYi Micro Hei",system-ui,sans-serif'
)


# ------------------------------------------------------------------------------- helpers


class _Text:
    """Bilingual labels: ``t(zh, en)`` gives "zh / en", "zh" or "en" by language."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGS:
            raise JinanGISError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}.")
        self.lang = lang

    def __call__(self, zh: str, en: str) -> str:
        if self.lang == "zh":
            return zh
        if self.lang == "en":
            return en
        return f"{zh} / {en}"


def _esc(value: Any) -> str:
    """HTML-escape any value (quotes included); missing values become an em dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if value is pd.NA or value is pd.NaT:
        return "—"
    return _html.escape(str(value), quote=True)


def _js_json(obj: Any) -> str:
    """JSON that is safe inside an inline ``<script>`` (no ``</script>``, ``<!--``, U+2028)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _script_safe(text)


def _script_safe(text: str) -> str:
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _fmt_int(v: Any) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return _esc(v)
    return "—" if not math.isfinite(f) else f"{round(f):,}"


def _fmt_m(v: Any) -> str:
    s = _fmt_int(v)
    return s if s == "—" else f"{s} m"


def _fmt_km2(v: Any) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return _esc(v)
    return "—" if not math.isfinite(f) else f"{f:,.2f} km²"


def _num_label(v: float) -> str:
    return f"{v:g}"


def _popup(title: str, rows: Iterable[tuple[str, str]]) -> str:
    """Popup HTML from an already-escaped title and (label, escaped value) rows."""
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<div class="jg-pop"><b>{title}</b><table>{body}</table></div>'


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


def _shape_svg(shape: str, fill: str, px: int, stroke: str = "#ffffff") -> str:
    """An inline SVG marker (also used in the legend); only fixed shapes and colours."""
    s = float(px)
    m = 1.5
    c = s / 2
    if shape == "circle":
        body = f'<circle cx="{c:g}" cy="{c:g}" r="{c - m:g}"/>'
    elif shape == "square":
        body = f'<rect x="{m:g}" y="{m:g}" width="{s - 2 * m:g}" height="{s - 2 * m:g}"/>'
    else:
        if shape == "star":
            pts = [
                (c + (c - m) * (1 if k % 2 == 0 else 0.45) * math.sin(k * math.pi / 5),
                 c - (c - m) * (1 if k % 2 == 0 else 0.45) * math.cos(k * math.pi / 5))
                for k in range(10)
            ]  # fmt: skip
        else:
            corners = {
                "diamond": [(0.5, 0.0), (1.0, 0.5), (0.5, 1.0), (0.0, 0.5)],
                "triangle": [(0.5, 0.0), (1.0, 0.93), (0.0, 0.93)],
                "triangle_down": [(0.0, 0.07), (1.0, 0.07), (0.5, 1.0)],
                "hexagon": [(0.25, 0.05), (0.75, 0.05), (1.0, 0.5), (0.75, 0.95), (0.25, 0.95),
                            (0.0, 0.5)],
                "pentagon": [(0.5, 0.0), (1.0, 0.38), (0.81, 1.0), (0.19, 1.0), (0.0, 0.38)],
                "cross": [(0.33, 0), (0.67, 0), (0.67, 0.33), (1, 0.33), (1, 0.67), (0.67, 0.67),
                          (0.67, 1), (0.33, 1), (0.33, 0.67), (0, 0.67), (0, 0.33), (0.33, 0.33)],
            }[shape]  # fmt: skip
            pts = [(m + x * (s - 2 * m), m + y * (s - 2 * m)) for x, y in corners]
        body = '<polygon points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts) + '"/>'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{px}" height="{px}" '
        f'viewBox="0 0 {px} {px}" fill="{fill}" stroke="{stroke}" stroke-width="1.5">'
        f"{body}</svg>"
    )


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
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    s = str(v).strip()
    return s or None


# ------------------------------------------------------------------ geometry for display


@dataclass
class _Display:
    """One input layer prepared for display: attributes, display geometries, bounds."""

    attrs: pd.DataFrame
    geoms: np.ndarray
    bounds: tuple[float, float, float, float] | None


def _check_frame(gdf: Any, what: str, required: Sequence[str] = ()) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise LayerError(
            f"{what} must be a GeoDataFrame with a CRS, got {type(gdf).__name__}; "
            "build one with geopandas.GeoDataFrame(..., geometry=..., crs=...)."
        )
    require_crs(gdf, what=what)
    missing = [c for c in required if c not in gdf.columns]
    if missing:
        raise LayerError(
            f"{what} lacks column(s) {', '.join(missing)} "
            f"(has: {', '.join(map(str, gdf.columns))}). Rename the column or compute it first."
        )
    return gdf


def _prepare(
    gdf: gpd.GeoDataFrame,
    *,
    columns: Sequence[str],
    simplify_m: float,
    datum: str,
    points: bool = False,
    extra: Callable[[np.ndarray], dict[str, np.ndarray]] | None = None,
) -> _Display:
    """Copy ``columns`` and the geometry of ``gdf``; simplify in EPSG:4548; shift; round.

    ``extra`` receives the EPSG:4548 geometries (before simplification) and returns extra
    attribute columns (e.g. areas). The input frame is never changed.
    """
    keep = [c for c in dict.fromkeys(columns) if c in gdf.columns and c != gdf.geometry.name]
    attrs = pd.DataFrame({c: gdf[c].to_numpy() for c in keep}, index=pd.RangeIndex(len(gdf)))
    geoms = gpd.GeoSeries(gdf.geometry.to_numpy(), crs=gdf.crs).to_crs(ANALYSIS_CRS).to_numpy()
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    attrs = attrs.loc[ok].reset_index(drop=True)
    geoms = shapely.force_2d(geoms[ok])
    if extra is not None:
        for name, values in extra(geoms).items():
            attrs[name] = values
    if points:
        not_pt = shapely.get_type_id(geoms) != shapely.GeometryType.POINT
        if not_pt.any():
            geoms = geoms.copy()
            geoms[not_pt] = shapely.point_on_surface(geoms[not_pt])
    elif simplify_m > 0:
        geoms = shapely.simplify(geoms, simplify_m, preserve_topology=True)
    ok = ~shapely.is_empty(geoms)
    attrs = attrs.loc[ok].reset_index(drop=True)
    web = gpd.GeoSeries(geoms[ok], crs=ANALYSIS_CRS).to_crs(WEB_CRS)
    if datum != "wgs84":
        web = from_wgs84(web, datum=datum)
    shown = shapely.transform(web.to_numpy(), lambda xy: np.round(xy, 6))
    bounds = None
    if len(shown):
        b = shapely.total_bounds(shown)
        if np.all(np.isfinite(b)):
            bounds = (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
    return _Display(attrs, shown, bounds)


_LONG_FLOAT = re.compile(r"\d+\.\d{7,}")


def _feature_collection(
    geoms: np.ndarray, style: Sequence[int], tooltip: Sequence[str], popup: Sequence[str]
) -> str:
    """Compact GeoJSON (script-safe): properties ``s`` style index, ``t``/``p`` escaped HTML."""
    geo_json = shapely.to_geojson(geoms) if len(geoms) else np.empty(0, dtype=object)
    feats = []
    for g_raw, s, tt, pp in zip(geo_json, style, tooltip, popup, strict=True):
        # GEOS prints some rounded doubles in full (36.538137999999996): shortest form again
        g = _LONG_FLOAT.sub(lambda m: repr(round(float(m.group()), 6)), g_raw)
        props: dict[str, Any] = {"s": int(s)}
        if tt:
            props["t"] = tt
        if pp:
            props["p"] = pp
        feats.append(
            '{"type":"Feature","geometry":' + g + ',"properties":'
            + json.dumps(props, ensure_ascii=False, separators=(",", ":")) + "}"
        )
    return _script_safe('{"type":"FeatureCollection","features":[' + ",".join(feats) + "]}")


# ------------------------------------------------------------------------ page elements

_HELPER_JS = """
(function () {
  var G = window.JINAN_GIS = %(config)s;
  G.layers = {};
  G.readyMs = null;
  G.polygons = function (key, data, styles) {
    var layer = L.geoJSON(data, {
      style: function (f) { return styles[f.properties.s]; },
      onEachFeature: function (f, l) {
        var p = f.properties;
        if (p.t) { l.bindTooltip(p.t, {sticky: true}); }
        if (p.p) { l.bindPopup(p.p, {maxWidth: 340}); }
      }
    });
    G.layers[key] = layer;
    return layer;
  };
  G.points = function (key, rows, icons, opts) {
    var made = icons.map(function (ic) {
      return L.divIcon({html: ic.html, className: 'jg-icon', iconSize: [ic.px, ic.px],
                        iconAnchor: [ic.px / 2, ic.px / 2], popupAnchor: [0, -ic.px / 2],
                        tooltipAnchor: [0, -ic.px / 2]});
    });
    var layer;
    if (opts.cluster) {
      layer = L.markerClusterGroup({
        showCoverageOnHover: false, maxClusterRadius: 40, disableClusteringAtZoom: 16,
        chunkedLoading: true,
        iconCreateFunction: function (c) {
          var n = c.getChildCount(), px = n < 10 ? 26 : (n < 100 ? 32 : 38);
          return L.divIcon({html: '<div style="background:' + opts.color + '">' + n + '</div>',
                            className: 'jg-cluster', iconSize: L.point(px, px)});
        }
      });
    } else {
      layer = L.featureGroup();
    }
    var markers = rows.map(function (r) {
      var m = L.marker([r[0], r[1]], {icon: made[r[2]], keyboard: false, riseOnHover: true,
                                      zIndexOffset: opts.z || 0});
      if (r[3]) { m.bindTooltip(r[3], {direction: 'top'}); }
      if (r[4]) { m.bindPopup(r[4], {maxWidth: 340}); }
      return m;
    });
    if (opts.cluster) { layer.addLayers(markers); }
    else { markers.forEach(function (m) { layer.addLayer(m); }); }
    G.layers[key] = layer;
    return layer;
  };
  G.markReady = function (map) {
    G.map = map;
    requestAnimationFrame(function () {
      G.readyMs = performance.now();
      document.documentElement.setAttribute('data-map-ready', 'true');
    });
  };
})();
"""

_PAGE_CSS = """
.leaflet-container, .jg-box, .jg-banner { font-family: %(font)s; }
.jg-banner { position: absolute; top: 0; left: 0; right: 0; z-index: 1100;
  background: #b71c1c; color: #fff; text-align: center; font-weight: 700;
  font-size: 14px; padding: 5px 8px; letter-spacing: .02em;
  box-shadow: 0 1px 4px rgba(0,0,0,.4); }
.jg-box { position: absolute; z-index: 1000; background: rgba(255,255,255,.94);
  border-radius: 6px; box-shadow: 0 1px 6px rgba(0,0,0,.35); color: #222; }
.jg-title { top: 10px; left: 54px; max-width: calc(100vw - 480px); min-width: 240px;
  padding: 6px 12px; }
.jg-synthetic-banner ~ .jg-title { top: 40px; }
.jg-synthetic-banner ~ .folium-map .leaflet-top { top: 30px; }
.jg-title-main { font-size: 16px; font-weight: 700; }
.jg-title-metric, .jg-title-target { font-size: 13px; margin-top: 2px; }
.leaflet-control-layers { font-size: 13px; line-height: 1.45; }
.jg-legend { bottom: 56px; left: 10px; max-height: calc(100vh - 220px); overflow-y: auto;
  padding: 6px 10px; font-size: 12px; max-width: 340px; }
.jg-legend summary { font-weight: 700; font-size: 13px; cursor: pointer; }
.jg-legend h4 { margin: 6px 0 2px; font-size: 12px; }
.jg-legend-entry { display: flex; align-items: center; gap: 6px; line-height: 18px; }
.jg-key { display: inline-flex; width: 24px; height: 16px; align-items: center;
  justify-content: center; flex: none; }
.jg-swatch { width: 20px; height: 13px; border: 1px solid rgba(0,0,0,.35); }
.jg-line { width: 22px; height: 0; }
.jg-note { margin-top: 6px; padding-top: 4px; border-top: 1px solid #ddd; color: #444; }
.jg-icon { background: none; border: none; }
.jg-icon svg { display: block; filter: drop-shadow(0 0 1px rgba(0,0,0,.8)); }
.jg-cluster div { width: 100%%; height: 100%%; border-radius: 50%%; color: #fff;
  font-weight: 700; font-size: 12px; display: flex; align-items: center;
  justify-content: center; border: 2px solid #fff; box-shadow: 0 0 3px rgba(0,0,0,.6);
  box-sizing: border-box; opacity: .92; }
.jg-pop table { border-collapse: collapse; margin-top: 4px; }
.jg-pop th { text-align: left; font-weight: 400; color: #555; padding: 1px 8px 1px 0;
  vertical-align: top; }
.jg-pop td { padding: 1px 0; }
"""


class _PolygonLayer(folium.map.Layer):
    """A GeoJSON overlay drawn by ``JINAN_GIS.polygons`` (styles by index, escaped HTML)."""

    _template = jinja2.Template(
        """{% macro script(this, kwargs) %}
var {{ this.get_name() }} = JINAN_GIS.polygons({{ this.key_js }}, {{ this.data_js }},
    {{ this.styles_js }});
{% endmacro %}"""
    )

    def __init__(self, name: str, key: str, data_js: str, styles: list[dict[str, Any]]) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "JgPolygons"
        self.key_js = _js_json(key)
        self.data_js = data_js
        self.styles_js = _js_json(styles)


class _PointLayer(folium.map.Layer):
    """Markers (inline-SVG div icons) drawn by ``JINAN_GIS.points``, clustered when many."""

    _template = jinja2.Template(
        """{% macro script(this, kwargs) %}
var {{ this.get_name() }} = JINAN_GIS.points({{ this.key_js }}, {{ this.rows_js }},
    {{ this.icons_js }}, {{ this.opts_js }});
{% endmacro %}"""
    )

    def __init__(
        self,
        name: str,
        key: str,
        rows: list[list[Any]],
        icons: list[dict[str, Any]],
        opts: dict[str, Any],
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "JgPoints"
        self.key_js = _js_json(key)
        self.rows_js = _js_json(rows)
        self.icons_js = _js_json(icons)
        self.opts_js = _js_json(opts)


class _Ready(MacroElement):
    """Marks the map ready (``JINAN_GIS.readyMs``) after the first frame with every layer."""

    _template = jinja2.Template(
        """{% macro script(this, kwargs) %}
JINAN_GIS.markReady({{ this._parent.get_name() }});
{% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "JgReady"


# ------------------------------------------------------------------------------- legend


def _entry(key_html: str, label: str) -> str:
    return (
        f'<div class="jg-legend-entry"><span class="jg-key">{key_html}</span>'
        f"<span>{label}</span></div>"
    )


def _swatch(color: str, opacity: float, border: str | None = None) -> str:
    b = f"border-color:{border};" if border else ""
    return f'<span class="jg-swatch" style="background:{color};opacity:{opacity:g};{b}"></span>'


def _line(color: str, width: float, dashed: bool) -> str:
    style = "dashed" if dashed else "solid"
    return f'<span class="jg-line" style="border-top:{width:g}px {style} {color}"></span>'


# -------------------------------------------------------------------------------- layers

Bounds = tuple[float, float, float, float]


@dataclass(frozen=True)
class _Ctx:
    """What every layer builder needs."""

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


def _build_coverage(cov: gpd.GeoDataFrame, ctx: _Ctx, breaks: Sequence[float]) -> _Built:
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
    sa: gpd.GeoDataFrame, ctx: _Ctx, facility_names: dict[str, str]
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


def _build_gaps(gaps: gpd.GeoDataFrame, ctx: _Ctx) -> _Built:
    t = ctx.t
    disp = _prepare(
        gaps,
        columns=["gap_id", "name", "zone_name", "population"],
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
        tips.append(tip)
        pops.append(_popup(title_html, rows))
    style = {"color": "#b10026", "weight": 1.5, "dashArray": "4 3", "fillColor": "#e31a1c",
             "fillOpacity": 0.35}  # fmt: skip
    heading = _esc(t("服务盲区", "Service gaps"))
    layer = _polygon_overlay(
        disp, name=f"{heading} ({len(tips)})", key="gaps", styles=[style], tooltips=tips,
        popups=pops,
    )
    entry = _entry(
        _swatch("#e31a1c", 0.5, "#b10026"),
        _esc(t("服务范围外的居民（含人口）", "residents outside the service areas")),
    )
    return _Built([layer], [(heading, [entry])], disp.bounds)


def _build_zones(zones: gpd.GeoDataFrame, ctx: _Ctx) -> _Built:
    t = ctx.t
    disp = _prepare(
        zones, columns=["zone_name", "name"], simplify_m=ctx.simplify_m, datum=ctx.datum
    )
    names = [
        _esc(_clean_str(r.get("zone_name")) or _clean_str(r.get("name")) or "—")
        for _, r in disp.attrs.iterrows()
    ]
    style = {"color": "#555555", "weight": 1.2, "dashArray": "3 3", "fill": False}
    layer = _polygon_overlay(
        disp,
        name=_esc(t("统计分区（街道/社区）", "Zones (sub-districts/communities)")),
        key="zones",
        styles=[style],
        tooltips=names,
    )
    entry = _entry(_line("#555555", 1.5, True), _esc(t("统计分区", "reporting zone")))
    return _Built([layer], [("", [entry])], disp.bounds)


def _build_districts(districts: gpd.GeoDataFrame, ctx: _Ctx) -> _Built:
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
    layer = _polygon_overlay(
        disp, name=_esc(t("区界", "District boundaries")), key="districts", styles=[style],
        tooltips=names,
    )
    entry = _entry(_line("#222222", 2.5, False), _esc(t("区界", "district boundary")))
    return _Built([layer], [("", [entry])], disp.bounds)


def _build_facilities(fac: gpd.GeoDataFrame, ctx: _Ctx) -> _Built:
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


def _build_sites(sites: gpd.GeoDataFrame, ctx: _Ctx) -> _Built:
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


def _bounds_of(geoms: np.ndarray) -> Bounds | None:
    if len(geoms) == 0:
        return None
    b = shapely.total_bounds(geoms)
    if not np.all(np.isfinite(b)):
        return None
    return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))


def _facility_names(fac: gpd.GeoDataFrame | None) -> dict[str, str]:
    if fac is None or "facility_id" not in fac.columns or "name" not in fac.columns:
        return {}
    out = {}
    for fid, nm in zip(fac["facility_id"], fac["name"], strict=True):
        k, v = _clean_str(fid), _clean_str(nm)
        if k is not None and v is not None:
            out[k] = v
    return out


# ---------------------------------------------------------------------------- export_map


def export_map(
    path: str | os.PathLike[str],
    *,
    districts: gpd.GeoDataFrame | None = None,
    zones: gpd.GeoDataFrame | None = None,
    facilities: gpd.GeoDataFrame | None = None,
    service_areas: gpd.GeoDataFrame | None = None,
    coverage: gpd.GeoDataFrame | None = None,
    gaps: gpd.GeoDataFrame | None = None,
    sites: gpd.GeoDataFrame | None = None,
    title: str = DEFAULT_TITLE,
    metric: str | None = None,
    target: str | None = None,
    basemap: str = "osm",
    simplify_m: float = 5.0,
    synthetic: bool | None = None,
    lang: str = "zh-en",
    coverage_breaks_m: Sequence[float] = COVERAGE_BREAKS_M,
    cluster_above: int = 50,
) -> Path:
    """Write a self-contained HTML map of coverage results and return its path.

    Every data layer is an optional GeoDataFrame in any CRS (it must have one); none is
    changed. Layers are drawn bottom to top: coverage, service areas, gaps, zones, districts,
    facilities, sites; each is an overlay in the (expanded) layer control, with entries in the
    bilingual legend. The map fits the data.

    Parameters
    ----------
    path : str or os.PathLike
        Output ``.html`` file (parent folders are created; written atomically).
    districts : GeoDataFrame, optional
        District polygons, e.g. :func:`jinan_gis.layers.districts.load_districts`; labels from
        ``name_zh``/``name_en`` (else ``name``).
    zones : GeoDataFrame, optional
        Reporting zones (sub-districts, communities); label from ``zone_name`` (else ``name``).
    facilities : GeoDataFrame, optional
        Facility points with the facility schema: ``category`` (required), ``name``, ``tier``,
        ``facility_id``, ``source``. One overlay per category, coloured by category, marker
        shape by tier (square = centre, diamond = station, triangle = community, circle = no
        tier), clustered when a category has more than ``cluster_above`` points.
    service_areas : GeoDataFrame, optional
        Service-area polygons with ``max_dist_m`` (e.g. from
        :func:`jinan_gis.geo.service_area.service_areas`): one semi-transparent overlay per
        threshold, the smaller drawn over the larger. ``source_label`` is shown, as the
        facility's name when it matches a ``facility_id`` of ``facilities``.
    coverage : GeoDataFrame, optional
        Grid or hexagon cells with ``dist_m`` (distance to the nearest facility; NaN or inf =
        unreachable) and optionally ``population``, coloured by the classes of
        ``coverage_breaks_m``. Grids of more than :data:`COVERAGE_MAX_CELLS` cells are merged
        by class for display (the tooltip then names the class instead of the distance).
    gaps : GeoDataFrame, optional
        Under-served polygons; ``population``, ``name``/``zone_name`` and ``gap_id`` are shown.
    sites : GeoDataFrame, optional
        Proposed sites (points; a polygon is shown at a point inside it), star markers;
        ``rank``, ``name``, ``site_id`` and ``gain_people``/``covered_people`` (as from
        :func:`jinan_gis.analyses.sites.propose_sites`) or ``population``/``added_population``
        are shown.
    title : str
        Map title (plain text; escaped).
    metric, target : str, optional
        The metric shown and its plan target, e.g. ``"社区卫生服务中心 1000 m 覆盖率 /
        Population within 1000 m of a community health centre"`` and ``"全覆盖 / every
        resident (Licheng 2023 evaluation report)"`` (plain text; escaped).
    basemap : {"osm", "amap", "amap_satellite", "none"}
        Base tiles (see :data:`BASEMAPS`). Amap tiles are GCJ-02: every data layer is then
        shifted from WGS84 to GCJ-02 for display, and the page says so.
    simplify_m : float
        Display simplification tolerance in metres (EPSG:4548, topology preserved); 0 keeps
        every vertex. Only the drawing is simplified, never the analysis.
    synthetic : bool, optional
        None (default): show the "合成样例数据 / synthetic sample data" banner when any layer
        has ``source == "synthetic"`` (or ``attrs["synthetic"]``); True: always show it;
        False: declare the data real - a synthetic layer then raises :class:`LayerError`.
    lang : {"zh-en", "zh", "en"}
        Labels in Chinese with English (default), Chinese only or English only.
    coverage_breaks_m : sequence of float
        Class breaks of the coverage colours, metres.
    cluster_above : int
        Cluster a facility category's markers when it has more points than this.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    LayerError
        A layer is not a GeoDataFrame, lacks a required column, or is synthetic while
        ``synthetic=False``.
    CRSError
        A layer has no CRS.
    JinanGISError
        Unknown ``basemap`` or ``lang``, negative ``simplify_m``, bad ``coverage_breaks_m``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from jinan_gis.layers.districts import load_districts
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = export_map(Path(tmp) / "d.html", districts=load_districts(),
    ...                      basemap="amap", title="两区 / Two districts")
    ...     page = out.read_text(encoding="utf-8")
    >>> 'JINAN_GIS = {"displayDatum":"gcj02"' in page, "GCJ-02" in page
    (True, True)
    """
    if basemap not in BASEMAPS:
        raise JinanGISError(
            f"unknown basemap {basemap!r}; use one of {', '.join(BASEMAPS)} "
            "(Baidu tiles use their own projection and are not supported)."
        )
    if not (isinstance(simplify_m, int | float) and math.isfinite(simplify_m) and simplify_m >= 0):
        raise JinanGISError(f"simplify_m must be a distance >= 0 in metres, got {simplify_m!r}.")
    t = _Text(lang)
    base = BASEMAPS[basemap]
    ctx = _Ctx(t=t, simplify_m=float(simplify_m), datum=base.datum, cluster_above=cluster_above)

    given: dict[str, gpd.GeoDataFrame] = {}
    for what, gdf, required in (
        ("coverage", coverage, ("dist_m",)),
        ("service_areas", service_areas, ("max_dist_m",)),
        ("gaps", gaps, ()),
        ("zones", zones, ()),
        ("districts", districts, ()),
        ("facilities", facilities, ("category",)),
        ("sites", sites, ()),
    ):
        if gdf is not None:
            given[what] = _check_frame(gdf, what, required)
    synthetic_layers = [w for w, g in given.items() if is_synthetic(g)]
    if synthetic is False and synthetic_layers:
        raise LayerError(
            f"synthetic=False declares the data real, but {', '.join(synthetic_layers)} "
            "has source == 'synthetic'. Pass synthetic=None to label the map as a sample."
        )
    show_banner = bool(synthetic) or bool(synthetic_layers)

    builders: dict[str, Callable[[gpd.GeoDataFrame], _Built]] = {
        "coverage": lambda g: _build_coverage(g, ctx, coverage_breaks_m),
        "service_areas": lambda g: _build_service_areas(g, ctx, _facility_names(facilities)),
        "gaps": lambda g: _build_gaps(g, ctx),
        "zones": lambda g: _build_zones(g, ctx),
        "districts": lambda g: _build_districts(g, ctx),
        "facilities": lambda g: _build_facilities(g, ctx),
        "sites": lambda g: _build_sites(g, ctx),
    }
    built = {what: builders[what](gdf) for what, gdf in given.items()}

    fmap = folium.Map(
        location=[36.68, 117.02], zoom_start=11, tiles=None, prefer_canvas=True,
        control_scale=True,
    )
    fig = Figure(title=_esc(title))
    fmap.add_to(fig)
    if base.url is not None:
        folium.TileLayer(
            tiles=base.url,
            attr=base.attribution,
            name=_esc(t(base.name_zh, base.name_en)),
            subdomains=base.subdomains,
            max_zoom=base.max_zoom,
            max_native_zoom=base.max_zoom,
            overlay=False,
            control=True,
        ).add_to(fmap)
    n_overlays = 0
    for b in built.values():  # in drawing order
        for layer in b.layers:
            layer.add_to(fmap)
            n_overlays += 1
    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    bounds = np.array([b.bounds for b in built.values() if b.bounds is not None])
    if len(bounds):
        fmap.fit_bounds(
            [[bounds[:, 1].min(), bounds[:, 0].min()], [bounds[:, 3].max(), bounds[:, 2].max()]]
        )
    _Ready().add_to(fmap)  # last: after every layer and the initial view

    legend: list[tuple[str, list[str]]] = []
    for what in ("facilities", "sites", "service_areas", "coverage", "gaps"):
        if what in built:
            legend += [(h, entries) for h, entries in built[what].legend if entries]
    outlines = [e for w in ("districts", "zones") if w in built for e in built[w].legend[0][1]]
    if outlines:
        legend.append((_esc(t("边界", "Boundaries")), outlines))

    config = {
        "displayDatum": base.datum,
        "dataDatum": "wgs84",
        "basemap": basemap,
        "synthetic": show_banner,
        "syntheticLayers": synthetic_layers,
        "overlays": n_overlays,
        "lang": lang,
    }
    _add_page_parts(
        fig,
        t=t,
        base=base,
        title=title,
        metric=metric,
        target=target,
        legend=legend,
        show_banner=show_banner,
        synthetic_layers=synthetic_layers,
        config=config,
        clustered=any(b.cluster for b in built.values()),
    )
    page = _render(fig, lang)
    out_path = Path(path)
    _write_atomic(out_path, page)
    log.info(
        "wrote %s (%.2f MB, %d overlays, display datum %s%s)",
        out_path,
        len(page.encode("utf-8")) / 1e6,
        n_overlays,
        base.datum,
        ", synthetic sample" if show_banner else "",
    )
    return out_path


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)  # a public page: readable by the web server, like any file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_LAYER_WORDS: dict[str, tuple[str, str]] = {
    "districts": ("区界", "districts"),
    "zones": ("分区", "zones"),
    "facilities": ("设施", "facilities"),
    "service_areas": ("服务范围", "service areas"),
    "coverage": ("覆盖面", "coverage"),
    "gaps": ("盲区", "gaps"),
    "sites": ("选址", "sites"),
}


def _add_page_parts(
    fig: Figure,
    *,
    t: _Text,
    base: Basemap,
    title: str,
    metric: str | None,
    target: str | None,
    legend: list[tuple[str, list[str]]],
    show_banner: bool,
    synthetic_layers: list[str],
    config: dict[str, Any],
    clustered: bool,
) -> None:
    """Inline assets, helper JS and CSS in <head>; banner, title and legend in <body>."""
    datum = base.datum
    if datum == "gcj02":
        note = t(
            f"坐标：GCJ-02（{base.name_zh}；数据由 WGS84 转换，仅用于显示）",
            f"Coordinates: GCJ-02 ({base.name_en} base map; data shifted from WGS84 for "
            "display only)",
        )
    else:
        note = t(f"坐标：WGS84（{base.name_zh}）", f"Coordinates: WGS84 ({base.name_en})")
    head = [
        f'<meta name="jinan-gis:display-datum" content="{datum}" />',
        f'<meta name="jinan-gis:synthetic" content="{"true" if show_banner else "false"}" />',
        inline_assets(("leaflet", "markercluster") if clustered else ("leaflet",)),
        "<style>" + _PAGE_CSS % {"font": _FONT} + "</style>",
        "<script>" + _HELPER_JS % {"config": _js_json(config)} + "</script>",
    ]
    fig.header.add_child(Element("\n".join(head)), name="jinan_gis_head", index=1)

    body = []
    if show_banner:
        which = ", ".join(t(*_LAYER_WORDS[w]) for w in synthetic_layers)
        body.append(
            '<div class="jg-banner jg-synthetic-banner" role="alert">'
            + _esc(t("合成样例数据 · 非真实设施与人口，仅供演示",
                     "SYNTHETIC SAMPLE DATA · not real facilities or population"))
            + (f" ({_esc(which)})" if which else "")
            + "</div>"
        )  # fmt: skip
    lines = [f'<div class="jg-title-main">{_esc(title)}</div>']
    if metric:
        lines.append(
            f'<div class="jg-title-metric">{_esc(t("指标", "Metric"))}: {_esc(metric)}</div>'
        )
    if target:
        lines.append(
            f'<div class="jg-title-target">{_esc(t("规划目标", "Target"))}: {_esc(target)}</div>'
        )
    body.append('<div class="jg-box jg-title">' + "".join(lines) + "</div>")
    sections = "".join(f"<h4>{heading}</h4>" + "".join(entries) for heading, entries in legend)
    body.append(
        '<details class="jg-box jg-legend" open><summary>'
        + _esc(t("图例", "Legend"))
        + "</summary>"
        + sections
        + f'<div class="jg-note jg-datum-note" data-display-datum="{datum}">{_esc(note)}</div>'
        + "</details>"
    )
    fig.html.add_child(Element("\n".join(body)), name="jinan_gis_body", index=0)


_CDN_TAG = re.compile(r"<script\b[^>]*\bsrc\s*=|<link\b[^>]*\bhref\s*=", re.IGNORECASE)
_FOLIUM_ASSETS = {"leaflet", "leaflet_css"}
_DROPPED_ASSETS = {
    "jquery", "bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css",
    "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css",
}  # fmt: skip


def _strip_cdn_assets(root: Element) -> None:
    """Clear every element's CDN ``default_js``/``default_css`` (the assets are inlined)."""
    stack = [root]
    while stack:
        el = stack.pop()
        for attr in ("default_js", "default_css"):
            declared = getattr(el, attr, None)
            if not declared:
                continue
            unknown = [n for n, _ in declared if n not in _FOLIUM_ASSETS | _DROPPED_ASSETS]
            if unknown:  # pragma: no cover - guards future folium versions
                raise JinanGISError(
                    f"{type(el).__name__} needs assets {unknown} that are not vendored; "
                    "vendor them in scripts/vendor_map_assets.py before using it in maps."
                )
            setattr(el, attr, [])
        stack.extend(getattr(el, "_children", {}).values())


def _render(fig: Figure, lang: str) -> str:
    _strip_cdn_assets(fig)
    page = fig.render()
    html_lang = {"zh-en": "zh-CN", "zh": "zh-CN", "en": "en"}[lang]
    page = page.replace("<html>", f'<html lang="{html_lang}">', 1)
    bad = _CDN_TAG.search(page)
    if bad:  # pragma: no cover - a bug, not a user error
        start = max(0, bad.start() - 60)
        raise JinanGISError(f"the map would load an external file: ...{page[start:bad.end() + 80]}")
    return page
