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
  ``source == "synthetic"`` (or ``synthetic=True``); labels are Chinese or English (toggle).

The work is split by job: :mod:`jinan_gis.analyses.map_layers` builds the overlays and legend
entries from the GeoDataFrames, :mod:`jinan_gis.analyses.map_page` makes the page (base maps,
text, CSS/JS, banner, title, legend, template), :mod:`jinan_gis.analyses._map_assets` inlines
the vendored Leaflet files; this module checks the inputs and writes the file.

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

import logging
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd

from ..geo.crs import require_crs
from ..geo.errors import JinanGISError, LayerError
from ..geo.files import write_text_atomic
from ..layers.provenance import is_synthetic
from .map_layers import (
    COVERAGE_BREAKS_M,
    COVERAGE_MAX_CELLS,
    LAYER_ORDER,
    LayerContext,
    build_layers,
    legend_sections,
)
from .map_page import (
    BASEMAPS,
    DEFAULT_TITLE,
    LANGS,
    Basemap,
    _strip_cdn_assets,
    _Text,
    add_page_parts,
    figure,
    render_page,
)

__all__ = [
    "BASEMAPS",
    "COVERAGE_BREAKS_M",
    "COVERAGE_MAX_CELLS",
    "DEFAULT_TITLE",
    "LANGS",
    "THEME_LAYERS",
    "Basemap",
    "export_map",
    "make_map",
]

log = logging.getLogger(__name__)


def make_map(
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
    show: Sequence[str] | None = None,
) -> folium.Map:
    """The map :func:`export_map` writes, as a :class:`folium.Map` (e.g. to show in a notebook).

    Takes the arguments of :func:`export_map` except ``path``; ``export_map(path, **kw)`` is
    ``make_map(**kw)`` rendered and written. In Jupyter the returned map shows inline (its
    figure holds the inlined Leaflet, page CSS/JS, banner, title and legend);
    ``m.get_root().render()`` gives the page, ``m.jinan_gis_config`` the page's
    ``window.JINAN_GIS`` settings.

    Examples
    --------
    >>> from jinan_gis.layers.districts import load_districts
    >>> m = make_map(districts=load_districts(), basemap="none", lang="en")
    >>> type(m).__name__, m.jinan_gis_config["overlays"], "jg-legend" in m.get_root().render()
    ('Map', 1, True)
    """
    t, base = _check_options(basemap=basemap, simplify_m=simplify_m, lang=lang)
    given = _check_layers(coverage=coverage, service_areas=service_areas, gaps=gaps,
                          zones=zones, districts=districts, facilities=facilities, sites=sites)
    synthetic_layers = [w for w, g in given.items() if is_synthetic(g)]
    if synthetic is False and synthetic_layers:
        raise LayerError(
            f"synthetic=False declares the data real, but {', '.join(synthetic_layers)} "
            "has source == 'synthetic'. Pass synthetic=None to label the map as a sample."
        )
    show_banner = bool(synthetic) or bool(synthetic_layers)

    shown = _shown_layers(given, show)
    ctx = LayerContext(t=t, simplify_m=float(simplify_m), datum=base.datum,
                       cluster_above=cluster_above)
    built = build_layers(given, ctx, coverage_breaks_m=coverage_breaks_m, facilities=facilities)
    for what, b in built.items():
        for layer in b.layers:
            layer.show = what in shown  # the others are one click away in the layer control
    fig, n_overlays = figure(
        base, t, title=title,
        overlays=[layer for b in built.values() for layer in b.layers],  # in drawing order
        bounds=[b.bounds for b in built.values() if b.bounds is not None],
    )
    config = {
        "displayDatum": base.datum,
        "dataDatum": "wgs84",
        "basemap": basemap,
        "synthetic": show_banner,
        "syntheticLayers": synthetic_layers,
        "overlays": n_overlays,
        "shown": [w for w in built if w in shown],
        "lang": lang,
    }
    add_page_parts(
        fig,
        t=t,
        base=base,
        title=title,
        metric=metric,
        target=target,
        legend=legend_sections(built, t),
        show_banner=show_banner,
        synthetic_layers=synthetic_layers,
        config=config,
        clustered=any(b.cluster for b in built.values()),
    )
    fmap = next(c for c in fig._children.values() if isinstance(c, folium.Map))
    fmap.jinan_gis_config = config
    _strip_cdn_assets(fig)
    return fmap


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
    show: Sequence[str] | None = None,
) -> Path:
    """Write a self-contained HTML map of coverage results and return its path.

    Every data layer is an optional GeoDataFrame in any CRS (it must have one); none is
    changed. Layers are drawn bottom to top: coverage, service areas, gaps, zones, districts,
    facilities, sites; each is an overlay in the layer control, with entries in the legend
    (shown while the layer is on). The map opens on one theme layer (``show``) and fits the
    data. The title bar sits above the map (never under a control); below 700 px the legend
    and the layer control are buttons. ``title``, ``metric`` and ``target`` may be
    "中文 / English" and name ``shared/plans`` files (shown as the plans' titles).

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
        "zh-en" (default): Chinese and English, one at a time, with a 中文 / English toggle;
        or Chinese only, English only.
    coverage_breaks_m : sequence of float
        Class breaks of the coverage colours, metres.
    cluster_above : int
        Cluster a facility category's markers when it has more points than this.
    show : sequence of str, optional
        Layers on when the map opens (names from ``districts`` ... ``sites``); default: one
        theme layer (:data:`THEME_LAYERS`: service areas, else coverage, else gaps) with the
        facilities, sites and districts; the others are one click away.

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
    fmap = make_map(
        districts=districts, zones=zones, facilities=facilities, service_areas=service_areas,
        coverage=coverage, gaps=gaps, sites=sites, title=title, metric=metric, target=target,
        basemap=basemap, simplify_m=simplify_m, synthetic=synthetic, lang=lang,
        coverage_breaks_m=coverage_breaks_m, cluster_above=cluster_above, show=show,
    )
    page = render_page(fmap.get_root(), lang)
    out_path = Path(path)
    write_text_atomic(out_path, page)
    cfg = fmap.jinan_gis_config
    log.info(
        "wrote %s (%.2f MB, %d overlays, display datum %s%s)",
        out_path,
        len(page.encode("utf-8")) / 1e6,
        cfg["overlays"],
        cfg["displayDatum"],
        ", synthetic sample" if cfg["synthetic"] else "",
    )
    return out_path


THEME_LAYERS: tuple[str, ...] = ("service_areas", "coverage", "gaps")
"""The theme layers, by priority: only the first one given is on when the map opens."""


def _shown_layers(given: dict[str, gpd.GeoDataFrame], show: Sequence[str] | None) -> set[str]:
    """The layers on when the map opens: ``show``, by default one theme layer (service areas,
    else coverage, else gaps) with the facilities, sites and district boundaries."""
    if show is None:
        theme = next((w for w in THEME_LAYERS if w in given), None)
        return {theme, "facilities", "sites", "districts"} - {None}
    unknown = sorted(set(show) - set(LAYER_ORDER))
    if isinstance(show, str) or unknown:
        raise JinanGISError(f"show must be a list of layers from {', '.join(LAYER_ORDER)}; "
                            f"got {show!r}.")
    return set(show)


def _check_options(*, basemap: str, simplify_m: float, lang: str) -> tuple[_Text, Basemap]:
    """The labels and base map asked for; :class:`JinanGISError` for a bad option."""
    if basemap not in BASEMAPS:
        raise JinanGISError(
            f"unknown basemap {basemap!r}; use one of {', '.join(BASEMAPS)} "
            "(Baidu tiles use their own projection and are not supported)."
        )
    if not (isinstance(simplify_m, int | float) and math.isfinite(simplify_m) and simplify_m >= 0):
        raise JinanGISError(f"simplify_m must be a distance >= 0 in metres, got {simplify_m!r}.")
    return _Text(lang), BASEMAPS[basemap]


_REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "coverage": ("dist_m",),
    "service_areas": ("max_dist_m",),
    "facilities": ("category",),
}


def _check_layers(**layers: gpd.GeoDataFrame | None) -> dict[str, gpd.GeoDataFrame]:
    """The layers given (not None), checked, in the order passed (the drawing order)."""
    return {
        what: _check_frame(gdf, what, _REQUIRED_COLUMNS.get(what, ()))
        for what, gdf in layers.items()
        if gdf is not None
    }


def _check_frame(gdf: Any, what: str, required: Sequence[str] = ()) -> gpd.GeoDataFrame:
    """``gdf`` when it is a GeoDataFrame with a CRS and the ``required`` columns."""
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
