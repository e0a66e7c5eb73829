"""Default QGIS styles (QML) of the layers :func:`~jinan_gis.analyses.export.write_geopackage`
writes, stored in the GeoPackage's ``layer_styles`` table so that QGIS opens each layer styled.

- the coverage grid: a graduated renderer on ``dist_class_m`` (green near, dark red far;
  cells with no street within reach grey), with the class of each cell in ``dist_class``;
- coverage per sub-district: a graduated renderer on ``share_network`` (red low, blue high);
- facilities: a categorised renderer on ``category`` with the taxonomy's names (Chinese and
  English, :data:`~jinan_gis.layers.taxonomy.CATEGORIES`): one colour per group, one shape
  per category within it;
- the placed population: categorised by placement ``status``;
- districts and sub-districts outline only, service areas translucent, gaps in a colour no
  other layer uses (:data:`GAP_COLOUR`), proposed sites as stars, streets as thin lines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd

__all__ = ["DIST_CLASSES_M", "GAP_COLOUR", "SHARE_CLASSES", "STYLE_TABLE", "add_dist_class",
           "categorized_qml", "graduated_qml", "layer_qml", "single_qml", "write_styles"]

GAP_COLOUR = "106,61,154,150"
"""Fill of the gap polygons: a purple no other layer's style uses."""

DIST_CLASSES_M: tuple[tuple[float, float, str, str], ...] = (
    (0, 300, "0,104,55,150", "≤ 300 m (5 分钟步行 5 min walk)"),
    (300, 500, "49,163,84,150", "300–500 m"),
    (500, 1000, "173,221,142,150", "500–1000 m (15 分钟 15 min)"),
    (1000, 2000, "254,224,139,150", "1000–2000 m"),
    (2000, 5000, "244,109,67,150", "2000–5000 m"),
    (5000, 99999, "165,0,38,150", "> 5000 m 或不可达 or not reached"),
    (-1, -1, "189,189,189,150", "附近无道路 no street within the snap limit"),
)
"""Classes of the coverage grid: (lower, upper, RGBA, legend label); the class value
(``dist_class_m``) is the upper bound, 99999 beyond the last distance, -1 without a street."""

SHARE_CLASSES: tuple[tuple[float, float, str, str], ...] = (
    (0.0, 0.2, "215,48,39,170", "< 20 %"),
    (0.2, 0.4, "252,141,89,170", "20–40 %"),
    (0.4, 0.6, "254,224,144,170", "40–60 %"),
    (0.6, 0.8, "145,191,219,170", "60–80 %"),
    (0.8, 1.0, "69,117,180,170", "80–100 %"),
)
"""Classes of the coverage share per sub-district (red low, blue high)."""

_GROUP_COLOURS = {
    "health": "227,26,28", "clinic": "227,26,28", "culture": "31,120,180",
    "fitness": "255,127,0", "elderly": "177,89,40", "education": "51,160,44",
    "convenience": "0,139,139", "transit": "80,80,80", "park": "27,120,55",
}
_SHAPES = ("circle", "square", "triangle", "diamond", "pentagon", "star", "hexagon",
           "cross_fill")
_STATUS = (
    ("ok", "150,150,150,140", "circle", "1.0", "接入路网 placed on the network"),
    ("moved", "253,141,60,230", "circle", "1.6", "移至主路网 moved to the main network"),
    ("island", "128,0,38,230", "triangle", "1.8", "孤立路段 on a small disconnected piece"),
    ("beyond_snap_limit", "0,0,0,230", "cross_fill", "1.8",
     "距道路过远 farther than the snap limit from any street"),
    ("invalid_geometry", "255,255,51,230", "diamond", "1.8", "坐标无效 invalid geometry"),
)


# ------------------------------------------------------------------------------ symbols
def _opts(**kv: str) -> str:
    return "".join(f'<Option name="{k}" type="QString" value={quoteattr(v)}/>'
                   for k, v in kv.items())


def _symbol(kind: str, name: str, rgba: str, *, outline: str = "35,35,35,255",
            size: str = "2.0", shape: str = "circle", width: str = "0.3",
            fill_style: str = "solid", outline_style: str = "solid") -> str:
    """One QGIS symbol: ``kind`` "point", "line" or "polygon"."""
    if kind == "point":
        layer, stype = "SimpleMarker", "marker"
        opts = _opts(color=rgba, outline_color=outline, outline_width="0.2",
                     outline_width_unit="MM", size=size, size_unit="MM", name=shape)
    elif kind == "line":
        layer, stype = "SimpleLine", "line"
        opts = _opts(line_color=rgba, line_width=width, line_width_unit="MM",
                     line_style=outline_style, capstyle="round", joinstyle="round")
    else:
        layer, stype = "SimpleFill", "fill"
        opts = _opts(color=rgba, style=fill_style, outline_color=outline,
                     outline_width=width, outline_width_unit="MM",
                     outline_style=outline_style)
    return (f'<symbol type="{stype}" name="{name}" alpha="1" clip_to_extent="1" '
            f'force_rhr="0"><layer class="{layer}" enabled="1" pass="0" locked="0">'
            f'<Option type="Map">{opts}</Option></layer></symbol>')


def _document(renderer: str) -> str:
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"
            '<qgis version="3.22.0" styleCategories="Symbology">'
            f"{renderer}<blendMode>0</blendMode><featureBlendMode>0</featureBlendMode>"
            "<layerOpacity>1</layerOpacity></qgis>")


def single_qml(kind: str, rgba: str, **style: str) -> str:
    """QML of a single-symbol renderer.

    Examples
    --------
    >>> 'type="singleSymbol"' in single_qml("polygon", "0,0,0,0", fill_style="no")
    True
    """
    return _document('<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" '
                     f'forceraster="0"><symbols>{_symbol(kind, "0", rgba, **style)}</symbols>'
                     "</renderer-v2>")


def graduated_qml(attr: str, kind: str,
                  classes: Sequence[tuple[float, float, str, str]], **style: str) -> str:
    """QML of a graduated renderer on ``attr``: one (lower, upper, RGBA, label) per class.

    Examples
    --------
    >>> q = graduated_qml("share", "polygon", SHARE_CLASSES)
    >>> 'type="graduatedSymbol"' in q and 'attr="share"' in q, q.count("<range ")
    (True, 5)
    """
    ranges = "".join(
        f'<range lower="{lo:.6f}" upper="{hi:.6f}" symbol="{i}" label={quoteattr(label)} '
        'render="true"/>' for i, (lo, hi, _, label) in enumerate(classes))
    symbols = "".join(_symbol(kind, str(i), rgba, **style)
                      for i, (_, _, rgba, _) in enumerate(classes))
    return _document(
        f'<renderer-v2 type="graduatedSymbol" attr={quoteattr(attr)} '
        'graduatedMethod="GraduatedColor" symbollevels="0" enableorderby="0" forceraster="0">'
        f"<ranges>{ranges}</ranges><symbols>{symbols}</symbols>"
        f'<source-symbol>{_symbol(kind, "0", classes[0][2], **style)}</source-symbol>'
        '<mode name="manual"/><rotation/><sizescale/></renderer-v2>')


def categorized_qml(attr: str, kind: str,
                    categories: Sequence[tuple[str, str, str, dict[str, str]]],
                    other: tuple[str, str] | None = None) -> str:
    """QML of a categorised renderer on ``attr``: one (value, RGBA, label, symbol options)
    per category, and ``other`` (RGBA, label) for every other value.

    Examples
    --------
    >>> q = categorized_qml("category", "point", [("a", "1,2,3,255", "甲 A", {})])
    >>> 'type="categorizedSymbol"' in q and 'label="甲 A"' in q
    True
    """
    cats = list(categories) + ([("", other[0], other[1], {})] if other else [])
    body = "".join(
        f'<category value={quoteattr(v)} symbol="{i}" label={quoteattr(label)} '
        'render="true" type="string"/>' for i, (v, _, label, _) in enumerate(cats))
    symbols = "".join(_symbol(kind, str(i), rgba, **opts)
                      for i, (_, rgba, _, opts) in enumerate(cats))
    return _document(
        f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(attr)} symbollevels="0" '
        f'enableorderby="0" forceraster="0"><categories>{body}</categories>'
        f"<symbols>{symbols}</symbols>"
        f'<source-symbol>{_symbol(kind, "0", cats[0][1])}</source-symbol>'
        "<rotation/><sizescale/></renderer-v2>")


# ------------------------------------------------------------------------------ layers
def _facilities_qml() -> str:
    from ..layers.taxonomy import CATEGORIES

    seen: dict[str, int] = {}
    cats = []
    for c in CATEGORIES:
        n = seen.get(c.group, 0)
        seen[c.group] = n + 1
        rgb = _GROUP_COLOURS.get(c.group, "31,120,180")
        cats.append((c.id, f"{rgb},255", f"{c.name_zh} {c.name_en}",
                     {"shape": _SHAPES[n % len(_SHAPES)], "size": "2.2"}))
    return categorized_qml("category", "point", cats, other=("120,120,120,255", "其他 other"))


def _population_qml() -> str:
    cats = [(s, rgba, label, {"shape": shape, "size": size, "outline": "0,0,0,0"})
            for s, rgba, shape, size, label in _STATUS]
    return categorized_qml("status", "point", cats)


_QML: dict[str, Callable[[], str]] = {
    "districts": lambda: single_qml("polygon", "255,255,255,0", fill_style="no",
                                    outline="20,20,20,255", width="0.8"),
    "zones": lambda: single_qml("polygon", "255,255,255,0", fill_style="no",
                                outline="110,110,110,255", width="0.3",
                                outline_style="dash"),
    "facilities": _facilities_qml,
    "service_areas": lambda: single_qml("polygon", "51,160,44,60", outline="51,160,44,180",
                                        width="0.3"),
    "coverage_grid": lambda: graduated_qml("dist_class_m", "polygon", DIST_CLASSES_M,
                                           outline="0,0,0,0", width="0"),
    "coverage_zones": lambda: graduated_qml("share_network", "polygon", SHARE_CLASSES,
                                            outline="60,60,60,255", width="0.2"),
    "gaps": lambda: single_qml("polygon", GAP_COLOUR, outline="63,0,125,255", width="0.5"),
    "sites": lambda: single_qml("point", "255,0,255,255", shape="star", size="4.5",
                                outline="0,0,0,255"),
    "population": _population_qml,
    "streets": lambda: single_qml("line", "110,110,110,255", width="0.25"),
}


def layer_qml(key: str, geometry_type: str | None = None) -> str:
    """The default style of the layer ``key`` (a single symbol for an unknown key, by
    ``geometry_type``).

    Examples
    --------
    >>> 'type="categorizedSymbol"' in layer_qml("facilities")
    True
    >>> 'SimpleLine' in layer_qml("roads", "LineString")
    True
    """
    if key in _QML:
        return _QML[key]()
    g = (geometry_type or "").lower()
    kind = "point" if "point" in g else "line" if "line" in g else "polygon"
    return single_qml(kind, "166,206,227,120")


def add_dist_class(grid: pd.DataFrame) -> pd.DataFrame:
    """A copy of a coverage grid with ``dist_class_m`` (the class the renderer draws, see
    :data:`DIST_CLASSES_M`) and ``dist_class`` (its label) after ``dist_m``.

    Examples
    --------
    >>> g = pd.DataFrame({"dist_m": [120.0, 700.0, float("inf"), float("nan")]})
    >>> add_dist_class(g)["dist_class_m"].tolist()
    [300.0, 1000.0, 99999.0, -1.0]
    """
    out = grid.copy()
    d = pd.to_numeric(out["dist_m"], errors="coerce").to_numpy(dtype=float)
    bounds = np.array([hi for lo, hi, _, _ in DIST_CLASSES_M if lo >= 0])
    idx = np.searchsorted(bounds, np.where(np.isnan(d), 0, d), side="left")
    value = bounds[np.minimum(idx, len(bounds) - 1)]
    value = np.where(np.isnan(d), -1.0, value)
    labels = {hi: label for _, hi, _, label in DIST_CLASSES_M}
    at = out.columns.get_loc("dist_m") + 1
    out.insert(at, "dist_class_m", value)
    out.insert(at + 1, "dist_class", [labels[v] for v in value])
    return out


STYLE_TABLE = "layer_styles"
"""The table QGIS reads default styles from (registered in the GeoPackage as an attributes
table: QGIS reads it through GDAL, which sees only registered tables)."""


def write_styles(gpkg: str | Path, written: Sequence[tuple[str, str, str | None]], *,
                 data_note: str | None = None) -> None:
    """Write the default style of each (key, layer name, geometry type) into ``gpkg``'s
    :data:`STYLE_TABLE` table; ``data_note``: a column holding it (the synthetic mark)."""
    import pyogrio

    if not written:
        return
    now = pd.Timestamp.now(tz="UTC").tz_localize(None).floor("s")
    table = pd.DataFrame({
        "f_table_catalog": "", "f_table_schema": "",
        "f_table_name": [name for _, name, _ in written],
        "f_geometry_column": "geom",
        "styleName": [f"{name} default" for _, name, _ in written],
        "styleQML": [layer_qml(key, gtype) for key, _, gtype in written],
        "styleSLD": "", "useAsDefault": True,
        "description": [f"jinan-gis style for {key}" for key, _, _ in written],
        "owner": "jinan-gis", "ui": "", "update_time": now,
    })
    if data_note is not None:
        table["data_note"] = data_note
    pyogrio.write_dataframe(table, gpkg, layer=STYLE_TABLE, driver="GPKG")
