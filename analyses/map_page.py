"""The page of an exported map: base maps, bilingual text, HTML pieces, CSS/JS, template.

Everything here is text that reaches the browser, and all of it is made safe on the way:
:func:`_esc` escapes every value from the data or the caller, :func:`_js_json` writes JSON
that cannot close its ``<script>``. The folium elements :class:`_PolygonLayer` and
:class:`_PointLayer` are drawn by the helper script ``JINAN_GIS.polygons``/``.points`` written
into the page (``_HELPER_JS``); :func:`figure` makes the folium figure (base tiles, overlays,
layer control, initial view), :func:`add_page_parts` adds the inlined Leaflet assets, banner,
title and legend, and :func:`render_page` renders it, refusing any external script or style
sheet. The layers themselves are built by :mod:`jinan_gis.analyses.map_layers`; the public
entry point is :func:`jinan_gis.analyses.maps.export_map`.

Examples
--------
>>> t = _Text("zh-en")
>>> t("设施", "facilities"), _esc("<b>x</b>")
('设施 / facilities', '&lt;b&gt;x&lt;/b&gt;')
>>> print(_js_json({"a": "</script>"}))
{"a":"\\u003c/script\\u003e"}
>>> sorted(BASEMAPS), BASEMAPS["amap"].datum
(['amap', 'amap_satellite', 'none', 'osm'], 'gcj02')
"""

from __future__ import annotations

import html as _html
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import jinja2
import numpy as np
from branca.element import Element, Figure, MacroElement

from ..geo.errors import JinanGISError
from ..geo.missing import is_missing
from ._map_assets import inline_assets

__all__ = [
    "BASEMAPS",
    "DEFAULT_TITLE",
    "LANGS",
    "Basemap",
    "add_page_parts",
    "figure",
    "render_page",
]


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

LANGS: tuple[str, ...] = ("zh-en", "zh", "en")
"""Label languages: Chinese with English (default), Chinese only, English only."""

_FONT = (
    '"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",'
    '"Source Han Sans SC","WenQuanYi Micro Hei",system-ui,sans-serif'
)


# -------------------------------------------------------------------- text and HTML


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
    if is_missing(value):
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


def _fmt_number(v: Any, fmt: Callable[[float], str]) -> str:
    """``fmt(float(v))``; an em dash for a non-finite number; escaped text for a non-number."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return _esc(v)
    return "—" if not math.isfinite(f) else fmt(f)


def _fmt_int(v: Any) -> str:
    return _fmt_number(v, lambda f: f"{round(f):,}")


def _fmt_m(v: Any) -> str:
    s = _fmt_int(v)
    return s if s == "—" else f"{s} m"


def _fmt_km2(v: Any) -> str:
    return _fmt_number(v, lambda f: f"{f:,.2f} km²")


def _num_label(v: float) -> str:
    return f"{v:g}"


def _popup(title: str, rows: Iterable[tuple[str, str]]) -> str:
    """Popup HTML from an already-escaped title and (label, escaped value) rows."""
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<div class="jg-pop"><b>{title}</b><table>{body}</table></div>'


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



# ------------------------------------------------------------------------ the page


def figure(
    base: Basemap,
    t: _Text,
    *,
    title: str,
    overlays: Iterable[folium.map.Layer],
    bounds: Sequence[tuple[float, float, float, float]],
) -> tuple[Figure, int]:
    """The folium figure: base tiles, ``overlays`` in drawing order, layer control, view.

    The view fits the union of ``bounds`` (``(west, south, east, north)`` in display
    degrees); the map marks itself ready after every layer (``JINAN_GIS.readyMs``).

    Returns
    -------
    fig : branca.element.Figure
    n_overlays : int
        Overlays added (entries in the layer control besides the base map).

    Examples
    --------
    >>> fig, n = figure(BASEMAPS["none"], _Text("en"), title="t", overlays=[], bounds=[])
    >>> n, type(fig).__name__
    (0, 'Figure')
    """
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
    for layer in overlays:
        layer.add_to(fmap)
        n_overlays += 1
    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    box = np.array(bounds, dtype=float).reshape(-1, 4)
    if len(box):
        fmap.fit_bounds([[box[:, 1].min(), box[:, 0].min()], [box[:, 3].max(), box[:, 2].max()]])
    _Ready().add_to(fmap)  # last: after every layer and the initial view
    return fig, n_overlays


_LAYER_WORDS: dict[str, tuple[str, str]] = {
    "districts": ("区界", "districts"),
    "zones": ("分区", "zones"),
    "facilities": ("设施", "facilities"),
    "service_areas": ("服务范围", "service areas"),
    "coverage": ("覆盖面", "coverage"),
    "gaps": ("盲区", "gaps"),
    "sites": ("选址", "sites"),
}


def add_page_parts(
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
    """Inline assets, helper JS and CSS in <head>; banner, title and legend in <body>.

    ``legend`` holds (escaped heading, escaped entry HTML) sections; ``config`` becomes
    ``window.JINAN_GIS``; ``clustered`` also inlines Leaflet.markercluster.

    Examples
    --------
    >>> fig, _ = figure(BASEMAPS["amap"], _Text("en"), title="t", overlays=[], bounds=[])
    >>> add_page_parts(fig, t=_Text("en"), base=BASEMAPS["amap"], title="<T>", metric=None,
    ...                target=None, legend=[], show_banner=True, synthetic_layers=["gaps"],
    ...                config={}, clustered=False)
    >>> page = render_page(fig, "en")
    >>> "&lt;T&gt;" in page, "SYNTHETIC SAMPLE DATA" in page, "Coordinates: GCJ-02" in page
    (True, True, True)
    """
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


def render_page(fig: Figure, lang: str) -> str:
    """The page's HTML (``<html lang=...>``); every asset inline, or :class:`JinanGISError`."""
    _strip_cdn_assets(fig)
    page = fig.render()
    html_lang = {"zh-en": "zh-CN", "zh": "zh-CN", "en": "en"}[lang]
    page = page.replace("<html>", f'<html lang="{html_lang}">', 1)
    bad = _CDN_TAG.search(page)
    if bad:  # pragma: no cover - a bug, not a user error
        start = max(0, bad.start() - 60)
        raise JinanGISError(f"the map would load an external file: ...{page[start:bad.end() + 80]}")
    return page
