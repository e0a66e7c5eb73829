"""The page of an exported map: base maps, bilingual text, HTML pieces, CSS/JS, template.

Everything here is text that reaches the browser, and all of it is made safe on the way:
:func:`_esc` escapes every value from the data or the caller, :func:`_js_json` writes JSON
that cannot close its ``<script>``. The folium elements :class:`_PolygonLayer` and
:class:`_PointLayer` are drawn by the helper script ``JINAN_GIS.polygons``/``.points`` written
into the page (``analyses/assets/page/jinan_gis.js``, styled by ``jinan_gis.css`` beside it);
:func:`figure` makes the folium figure (base tiles, overlays, layer control, initial view),
:func:`add_page_parts` adds the inlined Leaflet assets, banner, title bar and legend, and
:func:`render_page` renders it, refusing any external script or style sheet. The layers
themselves are built by :mod:`jinan_gis.analyses.map_layers`; the public entry point is
:func:`jinan_gis.analyses.maps.export_map`.

Examples
--------
>>> t = _Text("zh-en")
>>> _plain(t("设施", "facilities")), _esc("<b>x</b>")
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
from folium.template import Template as FoliumTemplate

from ..geo.errors import JinanGISError
from ..geo.missing import is_missing
from ..layers.districts import DISTRICTS
from ._map_assets import inline_assets, page_asset
from .catalogue import plan_title

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
        return f"{_ZH}{zh}{_EN}{en}{_END}"


# "zh-en" pages show one language at a time (the toggle switches): t(zh, en) marks both with
# private-use characters, which survive escaping and JSON; the rendered page turns them into
# <span class=jg-zh>..</span><span class=jg-en>..</span>, valid in HTML and in JS strings.
_ZH, _EN, _END = "\ue000", "\ue001", "\ue002"
_LANG_PAIR = re.compile("\ue000([^\ue000-\ue002]*)\ue001([^\ue000-\ue002]*)\ue002")
_LANG_PAIR_JSON = re.compile(r"\\ue000((?:(?!\\ue00[012]).)*)\\ue001((?:(?!\\ue00[012]).)*)\\ue002",
                             re.IGNORECASE)


def _expand_lang(text: str) -> str:
    """``text`` with every marked (zh, en) pair as two spans; stray markers removed.

    >>> _expand_lang(_Text("zh-en")("图例", "Legend"))
    '<span class=jg-zh>图例</span><span class=jg-en>Legend</span>'
    """
    spans = r"<span class=jg-zh>\1</span><span class=jg-en>\2</span>"
    text = _LANG_PAIR_JSON.sub(spans, _LANG_PAIR.sub(spans, text))  # JSON: "\ue000" escapes
    return text.translate({0xE000: None, 0xE001: None, 0xE002: None})


def _plain(text: str) -> str:
    """Marked pairs as "zh / en" (for text-only places: the page's <title>)."""
    return _LANG_PAIR.sub(r"\1 / \2", text)


_CJK = re.compile("[\u3400-\u9fff\uff00-\uffef]")
_ID_PREFIX = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+ ")
_PLAN_FILE = re.compile(r"\b\d{3}_[0-9a-f]{16}\.txt\b")


def _bilingual(text: str, t: _Text) -> str:
    """Escaped ``text``; a caller's "中文 / English" as a language pair (a leading metric id
    and a trailing " — 历城区 34.8 %" kept in both), plan file names as the plans' titles.

    >>> _bilingual("L-X-1 覆盖率 / Coverage — 历城区 35 %", _Text("en"))
    'L-X-1 Coverage — Licheng District 35 %'
    >>> _bilingual("met (000_13695917f30c47f9.txt)", _Text("zh"))
    'met (济南市历城区新型城镇化规划（2021-2035年）实施评估报告)'
    """
    head, sep, tail = text.partition(" / ")
    tail, dash, post = tail.partition(" — ")
    m = _ID_PREFIX.match(head)
    pre = m.group(0) if m else ""
    if not sep or not _CJK.search(head) or _CJK.search(tail) or " / " in tail:
        return _with_plan_titles(text, t)
    post_en = post
    for zh, en in DISTRICTS.values():
        post_en = post_en.replace(zh, en)
    return _esc(pre) + t(_with_plan_titles(head[len(pre):] + dash + post, t),
                         _with_plan_titles(tail + dash + post_en, t))


def _with_plan_titles(text: str, t: _Text) -> str:
    """Escaped ``text`` with every ``shared/plans`` file name replaced by its plan's title."""
    parts = _PLAN_FILE.split(text)
    names = _PLAN_FILE.findall(text)
    out = [_esc(parts[0])]
    for name, part in zip(names, parts[1:], strict=True):
        out += [_esc(t(*plan_title(name))), _esc(part)]
    return "".join(out)


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
        self.key = key
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
        self.key = key
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


class _LayerControl(folium.LayerControl):
    """folium's layer control, collapsed to a button on narrow screens (< 700 px)."""

    _template = FoliumTemplate(
        """{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control.layers(
    { {%- for key, val in this.base_layers.items() %}{{ key|tojson }}: {{ val }},{% endfor %} },
    { {%- for key, val in this.overlays.items() %}{{ key|tojson }}: {{ val }},{% endfor %} },
    Object.assign({{ this.options|tojavascript }}, {collapsed: JINAN_GIS.narrow()})
).addTo({{ this._parent.get_name() }});
JINAN_GIS.control = {{ this.get_name() }};
{% endmacro %}"""
    )


class _Page(Figure):
    """The page; rendering turns the marked language pairs into spans (see :func:`_Text`)."""

    def render(self, **kwargs: Any) -> str:
        return _expand_lang(super().render(**kwargs))



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
    >>> n, isinstance(fig, Figure)
    (0, True)
    """
    fmap = folium.Map(
        location=[36.68, 117.02], zoom_start=11, tiles=None, prefer_canvas=True,
        control_scale=True,
    )
    fig = _Page(title=_esc(_plain(title)))
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
    _LayerControl(collapsed=False, position="topright").add_to(fmap)
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
    legend: Sequence[tuple[str, list[str], Sequence[str]]],
    show_banner: bool,
    synthetic_layers: list[str],
    config: dict[str, Any],
    clustered: bool,
) -> None:
    """Inline assets, helper JS and CSS in <head>; banner, title and legend in <body>.

    ``legend`` holds (escaped heading, escaped entry HTML, layer keys) sections (a section
    shows while one of its layers is on); ``config`` becomes ``window.JINAN_GIS``;
    ``clustered`` also inlines Leaflet.markercluster. ``title``, ``metric`` and ``target``
    may be "中文 / English" (one language is shown at a time) and name plan files (their
    titles are shown). On "zh-en" pages the title bar has a 中文 / English toggle.

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
        "<style>" + page_asset("jinan_gis.css") + "</style>",
        "<script>window.JINAN_GIS = " + _js_json(config) + ";\n"
        + page_asset("jinan_gis.js") + "</script>",  # our own file: no "</script" in it
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
    body.append(_title_bar(t, title, metric, target))
    sections = "".join(
        f'<div class="jg-legend-sec" data-layers="{_esc(" ".join(keys))}"><h4>{heading}</h4>'
        + "".join(entries) + "</div>"
        for heading, entries, keys in legend
    )
    body.append(
        '<details class="jg-box jg-legend" open><summary>'
        + _esc(t("图例", "Legend"))
        + "</summary>"
        + sections
        + f'<div class="jg-note jg-datum-note" data-display-datum="{datum}">{_esc(note)}</div>'
        + "</details>"
        # closed on narrow screens before the first paint (a button; it opens on a tap)
        + "<script>if (window.matchMedia('(max-width: 699px)').matches) {"
        " document.querySelector('.jg-legend').open = false; }</script>"
    )
    fig.html.add_child(Element("\n".join(body)), name="jinan_gis_body", index=0)


def _title_bar(t: _Text, title: str, metric: str | None, target: str | None) -> str:
    """The title bar above the map: title, metric, target, the details and language buttons."""
    lines = [f'<div class="jg-title-main">{_bilingual(title, t)}</div>']
    if metric:
        lines.append(f'<div class="jg-title-metric">{_esc(t("指标", "Metric"))}: '
                     f"{_bilingual(metric, t)}</div>")
    if target:
        lines.append(f'<div class="jg-title-target">{_esc(t("规划目标", "Target"))}: '
                     f"{_bilingual(target, t)}</div>")
    buttons = ""
    if metric or target:
        buttons += ('<button type="button" class="jg-title-more" aria-expanded="false" '
                    f'title="{_esc(_plain(t("指标与目标", "metric and target")))}">ⓘ</button>')
    if t.lang == "zh-en":
        buttons += ('<button type="button" class="jg-lang" aria-pressed="false" '
                    'title="切换语言 / switch language"><span class="jg-lang-zh">中文</span> / '
                    '<span class="jg-lang-en">English</span></button>')
    return ('<div class="jg-title"><div class="jg-title-text">' + "".join(lines) + "</div>"
            + buttons + "</div>")


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
