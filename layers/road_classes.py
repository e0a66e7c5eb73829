"""Road classes and one-way flags of centreline files, as OSM ``highway`` values and directions.

:data:`CLASS_MAP` maps Chinese road classes (CJJ 37 and administrative classes), OSM
``highway`` values and Geofabrik ``fclass`` values to OSM ``highway`` classes, so that the
mode rules of :mod:`jinan_gis.layers.osm` apply to centreline files
(:mod:`jinan_gis.layers.centreline`) as to OSM data.

Examples
--------
>>> map_class(["主干路", "支路", "footway", "track_grade2", "人行道", None])
['primary', 'residential', 'footway', 'track', 'footway', 'unknown']
>>> [parse_oneway(v) for v in ("yes", "是", 0, "-1", "TF", None)]
[1, 1, 0, -1, -1, 0]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from ..geo.missing import is_missing

__all__ = ["CLASS_MAP", "map_class", "parse_oneway"]

_OSM_CLASSES = (
    "motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential",
    "living_street", "service", "pedestrian", "track", "footway", "path", "cycleway", "steps",
    "bridleway", "road", "motorway_link", "trunk_link", "primary_link", "secondary_link",
    "tertiary_link", "busway", "corridor", "construction",
)

CLASS_MAP: dict[str, str] = {
    **{c: c for c in _OSM_CLASSES},
    **{f"track_grade{i}": "track" for i in range(1, 6)},
    "高速公路": "motorway",
    "高速": "motorway",
    "匝道": "motorway_link",
    "城市快速路": "trunk",
    "快速路": "trunk",
    "国道": "trunk",
    "省道": "primary",
    "主干路": "primary",
    "主干道": "primary",
    "城市主干路": "primary",
    "次干路": "secondary",
    "次干道": "secondary",
    "城市次干路": "secondary",
    "县道": "secondary",
    "乡道": "tertiary",
    "支路": "residential",
    "城市支路": "residential",
    "街巷": "residential",
    "小巷": "residential",
    "胡同": "residential",
    "村道": "unclassified",
    "乡村道路": "unclassified",
    "农村道路": "unclassified",
    "内部道路": "service",
    "小区道路": "service",
    "单位内部道路": "service",
    "步行街": "pedestrian",
    "步行道": "footway",
    "步道": "footway",
    "人行道": "footway",
    "人行天桥": "footway",
    "地下通道": "footway",
    "台阶": "steps",
    "自行车道": "cycleway",
    "非机动车道": "cycleway",
    "机耕路": "track",
    "机耕道": "track",
    "在建道路": "construction",
}
"""Road class (Chinese, OSM ``highway`` or Geofabrik ``fclass``) -> OSM ``highway`` class.

Chinese urban classes follow CJJ 37 (快速路 trunk, 主干路 primary, 次干路 secondary, 支路
residential); highway administrative classes follow their usual OSM tagging in China (国道
trunk, 省道 primary, 县道 secondary, 乡道 tertiary, 村道 unclassified)."""

_ONEWAY_FWD = {"yes", "true", "1", "y", "f", "ft", "是", "单行", "单向", "正向"}
_ONEWAY_REV = {"-1", "reverse", "t", "tf", "反向", "逆向"}


def map_class(values: Iterable[object], class_map: Mapping[str, str] | None = None) -> list[str]:
    """Map road class values to OSM ``highway`` classes (``"unknown"`` when not mapped).

    ``class_map`` entries take precedence over :data:`CLASS_MAP`; matching ignores case and
    surrounding spaces.

    Examples
    --------
    >>> map_class(["快速路", "3", "Residential"], class_map={"3": "tertiary"})
    ['trunk', 'tertiary', 'residential']
    """
    table = {k.lower(): v for k, v in CLASS_MAP.items()}
    if class_map:
        table.update({str(k).strip().lower(): v for k, v in class_map.items()})
    out = []
    for v in values:
        if is_missing(v):
            out.append("unknown")
            continue
        key = str(v).strip().lower()
        if key.endswith(".0") and key[:-2].lstrip("-").isdigit():
            key = key[:-2]
        out.append(table.get(key, "unknown"))
    return out


def parse_oneway(value: object) -> int:
    """One-way flag of a centreline: 1 digitised direction, -1 against it, 0 both ways.

    Accepts OSM values (``yes``, ``-1``), numbers (1, 0, -1), ESRI-style ``FT``/``TF`` and
    Chinese ``是``/``单行``/``反向``; anything else is two-way.
    """
    if is_missing(value):
        return 0
    if isinstance(value, bool | np.bool_):
        return 1 if value else 0
    key = str(value).strip().lower()
    if key.endswith(".0"):
        key = key[:-2]
    if key in _ONEWAY_FWD:
        return 1
    if key in _ONEWAY_REV:
        return -1
    return 0
