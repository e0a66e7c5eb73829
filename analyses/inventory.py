"""Inventory check: every facility type a plan counts, the plan's figure beside the user's layer.

The plans report how many facilities exist or were built
(「全区现有社区卫生服务中心12家」, 「新建街道综合养老服务中心13 处」,
「街道设立了14处百姓戏曲大舞台」, 「全区383个村(社区)建立了医保工作点」...).
:data:`PLAN_COUNTS` holds each of these counts of 000, 002 and 003 with its verbatim quote;
:func:`inventory_table` counts the same facility types in a facility layer, per district, so
that GIS staff see at once what their import lacks (``layer: 11 CHCs; 2023 evaluation report:
12``).

A figure is one of three kinds:

- ``existing``: how many there are (the layer should hold as many: fewer means the import lacks
  some; more means duplicates, or that the plan counts a narrower area: Licheng's plans leave
  out 南山管委会 and the parts managed by 高新区, which the legal district polygon holds);
- ``built``: how many were built in a period (a lower bound for the layer);
- ``places``: a capacity (e.g. childcare places), compared with the sum of the layer's
  ``capacity`` column.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import Point, box
>>> d = gpd.GeoDataFrame({"code": ["370112"]}, geometry=[box(0, 0, 10, 10)], crs="EPSG:4548")
>>> f = gpd.GeoDataFrame({"category": ["chc"] * 11}, geometry=[Point(1, 1)] * 11,
...                      crs="EPSG:4548")
>>> t = inventory_table(f, d)
>>> t.loc[t["type_zh"] == "社区卫生服务中心", "check"].item()
'layer: 11 社区卫生服务中心; 2023 evaluation report: 12 (the layer lacks 1)'
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..geo.crs import to_analysis_crs
from .catalogue import LICHENG, SHIZHONG, plan_title

__all__ = ["PLAN_COUNTS", "PlanCount", "inventory_table"]

log = logging.getLogger(__name__)

_E = "000_13695917f30c47f9.txt"
_P = "002_248ac38be71e6bc0.txt"
_S = "003_e346c132f88ab10b.txt"
_REPORT = "2023 evaluation report"
_PLAN = "Licheng plan (2016-2020 achievements)"
_SZ = "Shizhong 14th FYP (2016-2020 achievements)"


@dataclass(frozen=True)
class PlanCount:
    """One count a plan reports: the facility type, the figure, what kind of figure it is,
    and where it comes from (verbatim)."""

    district: str
    type_zh: str
    type_en: str
    categories: tuple[str, ...]
    figure: float
    kind: str
    source_file: str
    quote: str
    said_by: str
    name_keyword: str | None = None


def _pc(district: str, zh: str, en: str, cats: tuple[str, ...], figure: float, kind: str,
        file: str, quote: str, said_by: str, keyword: str | None = None) -> PlanCount:
    return PlanCount(district, zh, en, cats, figure, kind, file, quote, said_by, keyword)


_CLINICS = "「全区现有社区卫生服务中心12家,街道卫生院3家,社区卫生服务站39家」"
_MEDINS = "「全区383个村(社区)建立了医保工作点,在街道、医药机构建立了39家医保工作站」"
_READING = "「新建成7家泉城书屋、68个亲子阅读空间、60个数字阅读空间」"
_WASTE = "「目前我区共有123座分类房,971处分类亭,设置532座智能可回收箱」"
_SEWAGE = ("「已建成8座水质净化厂」; 「已建设14座日处理50吨以上污水处理站、"
           "12座日处理20吨以下一体化小型污水处理设备」; 「建设43座污水收集池及7座一体化提水泵站」")
_ELDERLY = "「新建街道综合养老服务中心13 处,农村幸福院19 处、老年人日间照料中心43 处」"
_TOILETS = "「新建城市公厕26 座,打造智慧公厕67 座」"
_L, _Sz = LICHENG, SHIZHONG

PLAN_COUNTS: tuple[PlanCount, ...] = (
    # Licheng: the 2023 evaluation report (000)
    _pc(_L, "社区卫生服务中心", "community health centres", ("chc",), 12, "existing", _E,
        _CLINICS, _REPORT),
    _pc(_L, "街道卫生院", "sub-district health centres", ("township_health_centre",), 3,
        "existing", _E, _CLINICS, _REPORT),
    _pc(_L, "社区卫生服务站", "community health stations", ("chs_station",), 39, "existing",
        _E, _CLINICS, _REPORT),
    _pc(_L, "医保工作点", "medical-insurance points", ("medins_point",), 383, "existing", _E,
        _MEDINS, _REPORT),
    _pc(_L, "医保工作站", "medical-insurance stations", ("medins_station",), 39, "existing",
        _E, _MEDINS, _REPORT),
    _pc(_L, "百姓戏曲大舞台", "public opera stages", ("opera_stage",), 14, "existing", _E,
        "「街道设立了14处百姓戏曲大舞台」", _REPORT),
    _pc(_L, "泉城书屋", "Quancheng book houses", ("quancheng_bookhouse",), 7, "built", _E,
        _READING, _REPORT),
    _pc(_L, "亲子阅读空间", "parent-child reading spaces", ("parent_child_reading",), 68,
        "built", _E, _READING, _REPORT),
    _pc(_L, "数字阅读空间", "digital reading spaces", ("digital_reading",), 60, "built", _E,
        _READING, _REPORT),
    _pc(_L, "5G基站", "5G base stations", ("base_station_5g",), 5125, "existing", _E,
        "「累计建成5G基站5125个」", _REPORT),
    _pc(_L, "社区城管工作站", "community city-management stations",
        ("city_management_station",), 117, "existing", _E, "「全区共建成117个社区城管工作站」",
        _REPORT),
    _pc(_L, "垃圾分类房", "waste-sorting houses", ("waste_sorting_house",), 123, "existing",
        _E, _WASTE, _REPORT),
    _pc(_L, "垃圾分类亭", "waste-sorting kiosks", ("waste_sorting_kiosk",), 971, "existing",
        _E, _WASTE, _REPORT),
    _pc(_L, "智能可回收箱", "smart recycling bins", ("smart_recycling_bin",), 532, "existing",
        _E, _WASTE, _REPORT),
    _pc(_L, "水质净化厂", "wastewater treatment plants", ("wastewater_plant",), 8, "existing",
        _E, _SEWAGE, _REPORT),
    _pc(_L, "污水处理站及一体化设备", "sewage stations and integrated units (14 + 12)",
        ("sewage_station",), 26, "existing", _E, _SEWAGE, _REPORT),
    _pc(_L, "污水收集池", "sewage collection tanks", ("sewage_tank",), 43, "existing", _E,
        _SEWAGE, _REPORT),
    _pc(_L, "一体化提水泵站", "integrated pumping stations", ("pump_station",), 7, "existing",
        _E, _SEWAGE, _REPORT),
    _pc(_L, "农村供水工程", "rural water-supply schemes", ("rural_water_scheme",), 84,
        "existing", _E, "「现有农村供水工程84处」", _REPORT),
    _pc(_L, "托位", "childcare places (sum of capacity)", ("childcare",), 5516, "places", _E,
        "「2023年全区可提供托位数5516个」", _REPORT),
    # Licheng: the plan's 2016-2020 achievements (002)
    _pc(_L, "中小学、幼儿园", "schools and kindergartens", ("school", "kindergarten"), 60,
        "built", _P, "「建成 60 所中小学、幼儿园」", _PLAN),
    _pc(_L, "变电站", "substations", ("substation",), 13, "built", _P, "「新建变电站 13 座」",
        _PLAN),
    _pc(_L, "公园", "parks", ("park",), 87, "built", _P, "「建成各类公园 87 处」", _PLAN),
    _pc(_L, "名泉", "famous springs", ("spring",), 11, "existing", _P,
        "「济南 72 名泉有 11 处在历城涌流」", _PLAN),
    # Shizhong: the 14th five-year plan's 2016-2020 achievements (003)
    _pc(_Sz, "街道综合养老服务中心", "sub-district elderly-care centres",
        ("elderly_care_centre",), 13, "built", _S, _ELDERLY, _SZ),
    _pc(_Sz, "农村幸福院", "rural happiness homes", ("rural_happiness_home",), 19, "built", _S,
        _ELDERLY, _SZ),
    _pc(_Sz, "老年人日间照料中心", "elderly day-care centres", ("day_care_centre",), 43,
        "built", _S, _ELDERLY, _SZ),
    _pc(_Sz, "图书馆、文化馆分馆及农家书屋", "library / cultural-centre branches and rural "
        "book houses", ("library", "cultural_centre", "farm_bookhouse"), 30, "built", _S,
        "「建成图书馆、文化馆分馆及农家书屋等文化场所30 个」", _SZ),
    _pc(_Sz, "便民市场", "neighbourhood markets (new or renovated)", ("market",), 72, "built",
        _S, "「新建改造便民市场72家」", _SZ),
    _pc(_Sz, "学校、幼儿园", "schools and kindergartens (new or renovated)",
        ("school", "kindergarten"), 70, "built", _S, "「累计新建改造学校、幼儿园70 所」", _SZ),
    _pc(_Sz, "城市公厕", "public toilets (new)", ("public_toilet",), 26, "built", _S, _TOILETS,
        _SZ),
    _pc(_Sz, "智慧公厕", "smart public toilets", ("public_toilet",), 67, "built", _S, _TOILETS,
        _SZ, keyword="智慧公厕"),
    _pc(_Sz, "垃圾分类亭", "waste-sorting kiosks", ("waste_sorting_kiosk",), 350, "built", _S,
        "「垃圾分类亭350 座」", _SZ),
    _pc(_Sz, "山体公园", "mountain parks", ("park",), 10, "built", _S, "「建成山体公园10 座」",
        _SZ, keyword="山体公园"),
    _pc(_Sz, "5G基站", "5G base stations (近 = nearly 2,000)", ("base_station_5g",), 2000,
        "existing", _S,
        "「近2000 座5G 基站投入使用」", _SZ),
)
"""Every facility count of 000, 002 and 003, with its verbatim quote."""

_NOUN = {"existing": "", "built": " built", "places": " places"}


def _check(layer: float, c: PlanCount) -> tuple[str, str]:
    """(status, sentence) comparing the layer's count with the plan's figure."""
    diff = layer - c.figure
    said = f"layer: {layer:,.0f} {c.type_zh}; {c.said_by}: {c.figure:,.0f}{_NOUN[c.kind]}"
    if c.kind == "built":
        if diff >= 0:
            return "consistent", said + " (the layer holds at least as many)"
        return "layer lacks some", said + f" (the layer lacks at least {-diff:,.0f})"
    if diff == 0:
        return "matches", said
    if diff < 0:
        return "layer lacks some", said + f" (the layer lacks {-diff:,.0f})"
    return "layer has more", said + (f" (the layer has {diff:,.0f} more: duplicates, or the "
                                      "plan counts a narrower area)")


def _points_in(gdf: gpd.GeoDataFrame, poly: shapely.Geometry) -> np.ndarray:
    geom = gdf.geometry.to_numpy()
    pts = np.where(shapely.get_type_id(geom) == 0, geom, shapely.point_on_surface(geom))
    xy = shapely.get_coordinates(pts)
    return shapely.contains_xy(poly, xy[:, 0], xy[:, 1]) if len(xy) else np.zeros(0, bool)


def inventory_table(facilities: gpd.GeoDataFrame | None, districts: gpd.GeoDataFrame, *,
                    counts: tuple[PlanCount, ...] = PLAN_COUNTS) -> pd.DataFrame:
    """The inventory check of every district in ``districts`` that a plan count is about.

    Parameters
    ----------
    facilities : GeoDataFrame or None
        A facility layer with a ``category`` column (and ``capacity`` for places; ``name``
        for the counts restricted to a name keyword). ``None`` counts nothing (every row
        then says the layer lacks them). Not changed.
    districts : GeoDataFrame
        District polygons with a ``code`` column; facilities are counted inside them.
    counts : tuple of PlanCount
        The plans' counts (default :data:`PLAN_COUNTS`).

    Returns
    -------
    pandas.DataFrame
        One row per plan count of a district present: ``type_zh``, ``type_en``,
        ``district``, ``categories``, ``layer_count``, ``plan_figure``, ``figure_kind``,
        ``difference`` (layer - plan), ``status`` (``matches``, ``consistent``, ``layer
        lacks some``, ``layer has more``), ``check`` (the sentence), ``said_by``, ``plan``,
        ``source_file``, ``quote``.
    """
    dist = to_analysis_crs(districts, what="district layer")
    fac = None if facilities is None else to_analysis_crs(facilities, what="facility layer")
    rows = []
    for code in dist["code"].astype(str):
        poly = dist.loc[dist["code"].astype(str) == code].geometry.iloc[0]
        inside = None if fac is None else fac[_points_in(fac, poly)]
        for c in counts:
            if c.district != code:
                continue
            layer = 0.0
            if inside is not None and len(inside):
                sel = inside[inside["category"].isin(c.categories)]
                if c.name_keyword is not None:
                    names = sel["name"].astype(str) if "name" in sel.columns else \
                        pd.Series("", index=sel.index)
                    sel = sel[names.str.contains(c.name_keyword, regex=False)]
                if c.kind != "places":
                    layer = float(len(sel))
                elif "capacity" in sel.columns:
                    layer = float(pd.to_numeric(sel["capacity"], errors="coerce").sum())
            status, sentence = _check(layer, c)
            rows.append({
                "district": code, "type_zh": c.type_zh, "type_en": c.type_en,
                "categories": ", ".join(c.categories), "layer_count": layer,
                "plan_figure": float(c.figure), "figure_kind": c.kind,
                "difference": layer - c.figure, "status": status, "check": sentence,
                "said_by": c.said_by, "plan": " / ".join(plan_title(c.source_file)),
                "source_file": c.source_file, "quote": c.quote,
            })
    cols = ["type_zh", "type_en", "district", "categories", "layer_count", "plan_figure",
            "figure_kind", "difference", "status", "check", "said_by", "plan", "source_file",
            "quote"]
    return pd.DataFrame(rows, columns=cols)
