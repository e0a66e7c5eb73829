"""The facility taxonomy's data: the :class:`Category` record, every category, every group.

Data only; the look-ups and classifiers that read it are in
:mod:`jinan_gis.layers.taxonomy`, which re-exports every name here. :data:`CATEGORIES` is the one
table (order matters only for ties between OSM matchers with as many conditions),
:data:`GROUPS` names the groups analyses ask for and :data:`EXTRA_GROUP_MEMBERS` lists the
members of the groups that are not a parent group.

Examples
--------
>>> len(CATEGORIES), len({c.id for c in CATEGORIES}) == len(CATEGORIES)
(56, True)
>>> sorted({c.group for c in CATEGORIES} - set(GROUPS))
[]
>>> EXTRA_GROUP_MEMBERS["clinic"]
('chc', 'township_health_centre', 'chs_station')
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CATEGORIES",
    "EXTRA_GROUP_MEMBERS",
    "GROUPS",
    "Category",
    "OsmMatcher",
]

OsmMatcher = tuple[tuple[str, str], ...]
"""A conjunction of OSM ``(key, value)`` conditions; value ``"*"`` means any value."""


@dataclass(frozen=True)
class Category:
    """One facility category.

    Attributes
    ----------
    id : str
        Short identifier used in layers (``"chc"``, ``"library"``...).
    name_zh, name_en : str
        Chinese and English names.
    group : str
        Parent group (a key of :data:`GROUPS`).
    tier : str or None
        Service tier where the plans distinguish one (``"centre"``, ``"station"``, ``"village"``).
    keywords : tuple of str
        Chinese name fragments that identify the category (see :func:`classify_name`).
    osm : tuple of OsmMatcher
        OSM tag conjunctions that identify the category (see :func:`classify_osm_tags`).
    note : str
        Where the category comes from in the plans, or why it exists.
    """

    id: str
    name_zh: str
    name_en: str
    group: str
    tier: str | None
    keywords: tuple[str, ...]
    osm: tuple[OsmMatcher, ...] = ()
    note: str = ""


# ------------------------------------------------------------------------------------- data
# The one table. Order matters only for ties between OSM matchers with as many conditions.
CATEGORIES: tuple[Category, ...] = (
    # health ------------------------------------------------------------------------------
    Category(
        "chc",
        "社区卫生服务中心",
        "community health service centre",
        "health",
        "centre",
        ("社区卫生服务中心", "社区医院"),
        note="000 A1/B24: one per sub-district; 1000 m threshold",
    ),
    Category(
        "township_health_centre",
        "街道卫生院/镇卫生院",
        "sub-district / town health centre",
        "health",
        "centre",
        ("街道卫生院", "镇卫生院", "乡镇卫生院", "中心卫生院", "卫生院"),
        note="000 A1/B24: stands in for a CHC in some sub-districts",
    ),
    Category(
        "chs_station",
        "社区卫生服务站",
        "community health service station",
        "health",
        "station",
        ("社区卫生服务站", "卫生服务站"),
        note="000 A1: set up where the CHC is more than 1000 m away",
    ),
    Category(
        "village_clinic",
        "村卫生室",
        "village clinic",
        "health",
        "village",
        ("村卫生室", "卫生室"),
        note="001/002 B27/B28",
    ),
    Category(
        "hospital",
        "医院",
        "hospital",
        "health",
        None,
        ("医院", "中医院", "妇幼保健院"),
        osm=((("amenity", "hospital"),), (("healthcare", "hospital"),)),
        note="002 B29",
    ),
    Category(
        "clinic_other",
        "诊所/门诊部/医务室",
        "other clinic (private clinic, outpatient dept.)",
        "health",
        None,
        ("诊所", "门诊部", "医务室"),
        osm=(
            (("amenity", "clinic"),),
            (("amenity", "doctors"),),
            (("healthcare", "centre"),),
            (("healthcare", "clinic"),),
            (("healthcare", "doctor"),),
        ),
        note="not a plan category: where untyped OSM clinics land unless their name says more",
    ),
    # culture -----------------------------------------------------------------------------
    Category(
        "culture_station",
        "综合文化站/文化服务中心",
        "comprehensive culture station",
        "culture",
        None,
        ("综合文化站", "文化服务中心", "文化站", "综合性文化服务中心"),
        osm=((("amenity", "community_centre"),),),
        note="001 B11; OSM community centres default here unless their name says more",
    ),
    Category(
        "library",
        "图书馆",
        "public library",
        "culture",
        None,
        ("图书馆", "图书分馆"),
        osm=((("amenity", "library"),),),
        note="001 B11, 003 A2/B15",
    ),
    Category(
        "cultural_centre",
        "文化馆",
        "cultural centre",
        "culture",
        None,
        ("文化馆", "文化分馆", "群众艺术馆"),
        osm=((("amenity", "arts_centre"),),),
        note="001 B11, 003 A2/B15",
    ),
    Category(
        "quancheng_study",
        "泉城书房",
        "Quancheng study room",
        "culture",
        None,
        ("泉城书房",),
        note="001 B12, 002 B13",
    ),
    Category(
        "culture_square",
        "文化广场",
        "cultural square",
        "culture",
        None,
        ("文化广场",),
        note="001 B10: one per town/sub-district by 2025",
    ),
    Category(
        "farm_bookhouse",
        "农家书屋",
        "village reading room",
        "culture",
        None,
        ("农家书屋",),
        note="003 A2",
    ),
    # fitness -----------------------------------------------------------------------------
    Category(
        "fitness_centre",
        "全民健身中心",
        "public fitness centre",
        "fitness",
        None,
        ("全民健身中心", "健身中心", "体育中心", "体育馆", "体育场"),
        osm=(
            (("leisure", "sports_centre"),),
            (("leisure", "fitness_centre"),),
            (("leisure", "stadium"),),
        ),
        note="004 B17, 002 A3",
    ),
    Category(
        "sports_park",
        "体育公园",
        "sports park",
        "fitness",
        None,
        ("体育公园",),
        note="004 B17",
    ),
    Category(
        "fitness_trail",
        "健身步道",
        "fitness trail",
        "fitness",
        None,
        ("健身步道", "健康步道", "登山步道"),
        osm=((("leisure", "track"),),),
        note="004 B17",
    ),
    Category(
        "pitch",
        "球场",
        "sports pitch",
        "fitness",
        None,
        ("足球场", "篮球场", "排球场", "网球场", "羽毛球场", "乒乓球场", "门球场", "球场"),
        osm=((("leisure", "pitch"),),),
        note="004 B17 (社会足球场地)",
    ),
    Category(
        "fitness_equipment",
        "健身路径/室外健身器材",
        "outdoor fitness equipment",
        "fitness",
        None,
        ("健身路径", "健身器材", "健身广场"),
        osm=((("leisure", "fitness_station"),),),
        note="002 A3 健身设施; not named as a type in the plans",
    ),
    # elderly care ------------------------------------------------------------------------
    Category(
        "elderly_care_centre",
        "综合养老服务中心",
        "comprehensive elderly-care centre",
        "elderly",
        "centre",
        ("综合养老服务中心", "养老服务中心"),
        note="001 B1, 002 B5: one per town/sub-district",
    ),
    Category(
        "day_care_centre",
        "日间照料中心",
        "elderly day-care centre",
        "elderly",
        "community",
        ("老年人日间照料中心", "日间照料中心", "日间照料站", "日间照料"),
        osm=((("social_facility", "day_care"), ("social_facility:for", "senior")),),
        note="002 B5, 004 B9",
    ),
    Category(
        "elderly_canteen",
        "助老食堂",
        "elderly canteen",
        "elderly",
        None,
        ("助老食堂", "长者食堂", "老年食堂", "老年餐桌", "助餐点"),
        note="004 B9",
    ),
    Category(
        "elderly_facility",
        "其他养老服务设施",
        "other elderly-care facility",
        "elderly",
        None,
        ("养老院", "敬老院", "老年公寓", "养老服务站", "颐养院", "护理院", "托老所"),
        osm=(
            (("social_facility:for", "senior"),),
            (("amenity", "nursing_home"),),
            (("social_facility", "nursing_home"),),
            (("social_facility", "assisted_living"),),
        ),
        note="001 B2/B3 社区/农村养老服务设施",
    ),
    # education ---------------------------------------------------------------------------
    Category(
        "school",
        "学校（中学/小学）",
        "school (primary / secondary)",
        "education",
        None,
        ("小学", "中学", "初中", "高中", "学校", "九年一贯制"),
        osm=((("amenity", "school"),),),
        note="003 B38, 002 B40",
    ),
    Category(
        "kindergarten",
        "幼儿园",
        "kindergarten",
        "education",
        None,
        ("幼儿园", "托儿所"),
        osm=((("amenity", "kindergarten"),),),
        note="003 B39, 002 B40",
    ),
    # daily convenience -------------------------------------------------------------------
    Category(
        "market",
        "菜市场/农贸市场",
        "fresh-food market",
        "convenience",
        None,
        ("菜市场", "农贸市场", "便民市场", "菜市"),
        osm=((("amenity", "marketplace"),),),
        note="001 A4 一刻钟便民生活圈, 003 B46",
    ),
    Category(
        "supermarket",
        "超市",
        "supermarket",
        "convenience",
        None,
        ("超市", "购物广场"),
        osm=((("shop", "supermarket"),),),
        note="001 A4",
    ),
    Category(
        "convenience_store",
        "便利店",
        "convenience store",
        "convenience",
        None,
        ("便利店",),
        osm=((("shop", "convenience"),),),
        note="001 A4",
    ),
    # transit -----------------------------------------------------------------------------
    Category(
        "bus_stop",
        "公交站",
        "bus stop",
        "transit",
        None,
        ("公交站", "公交车站", "公交站点", "公交枢纽"),
        osm=(
            (("highway", "bus_stop"),),
            (("public_transport", "platform"), ("bus", "yes")),
        ),
        note="toolkit default (no plan threshold)",
    ),
    Category(
        "metro_station",
        "地铁站",
        "metro station",
        "transit",
        None,
        ("地铁站", "轨道交通", "地铁"),
        osm=(
            (("railway", "station"), ("station", "subway")),
            (("public_transport", "station"), ("subway", "yes")),
        ),
        note="toolkit default (no plan threshold)",
    ),
    # parks -------------------------------------------------------------------------------
    Category(
        "park",
        "公园",
        "park",
        "park",
        None,
        ("公园", "游园", "口袋公园", "山体公园", "郊野公园", "街头绿地"),
        osm=((("leisure", "park"),),),
        note="002 G1/G8, 003 G10",
    ),
    # plan-named types added for the full catalogue (issue 17) ------------------------------
    Category("rural_happiness_home", "农村幸福院",
             "rural happiness home (village elderly centre)", "elderly", "village",
             ("农村幸福院", "幸福院", "农村互助养老"),
             note="003 H7: 19 built in Shizhong (13th FYP); 001 B3 农村养老服务设施"),
    Category("disabled_elderly_care", "失能照护服务机构",
             "care institution for disabled (dependent) elderly", "elderly", "district",
             ("失能照护服务机构", "失能照护中心", "失能照护", "失能老人照护", "失能失智"),
             note="001 B4: district-level full coverage by 2025; no OSM tag"),
    Category("opera_stage", "百姓戏曲大舞台", "public opera stage", "culture", None,
             ("百姓戏曲大舞台", "戏曲大舞台", "百姓大舞台"),
             note="000 B32: 14 in Licheng's sub-districts; no OSM tag (amenity=theatre is "
                  "broader)"),
    Category("quancheng_bookhouse", "泉城书屋", "Quancheng book house", "culture", None,
             ("泉城书屋",),
             note="000 B33: 7 built in Licheng; 002 B13 探索推进泉城书屋建设"),
    Category("parent_child_reading", "亲子阅读空间", "parent-child reading space", "culture", None,
             ("亲子阅读空间", "亲子阅读"),
             note="000 B33: 68 in Licheng"),
    Category("digital_reading", "数字阅读空间", "digital reading space", "culture", None,
             ("数字阅读空间", "数字阅读"),
             note="000 B33: 60 in Licheng"),
    Category("childcare", "托育点/托育机构", "childcare point for under-3s", "childcare", None,
             ("托育点", "托育机构", "托育中心", "托育园", "托育服务中心", "托育"),
             osm=((("amenity", "childcare"),),),
             note="002 H3 每千人口托位 (capacity = places), 000 H4 5516 places, 004 B19 托育点"),
    Category("rukang_home", "如康家园",
             "Rukang Home (grassroots disability service site)", "social", None,
             ("如康家园", "残疾人康复站", "残疾人之家"),
             osm=((("social_facility:for", "disabled"),),),
             note="002 B6: every sub-district (全覆盖)"),
    Category("medins_station", "医保工作站",
             "medical-insurance service station", "social", "station",
             ("医保工作站", "医保服务站", "医疗保障工作站"),
             note="002 B25 every sub-district; 000 B26: 39 stations; no OSM tag"),
    Category("medins_point", "医保工作点",
             "medical-insurance service point (village / community)", "social", "village",
             ("医保工作点", "医保服务点", "医疗保障服务点"),
             note="000 B26: 383 villages/communities; no OSM tag"),
    Category("community_service_centre", "社区综合服务设施",
             "community service complex (党群服务中心 / 便民服务中心)", "social", "community",
             ("社区综合服务设施", "社区综合服务中心", "社区综合服务站", "党群服务中心",
              "便民服务中心", "社区服务中心", "社区服务站"),
             note="001 B20 城乡社区综合服务设施全覆盖; 004 B19 一点多用; OSM community centres "
                  "stay culture stations unless their name says this"),
    Category("city_management_station", "社区城管工作站",
             "community city-management station", "social", None,
             ("社区城管工作站", "城管工作站"),
             note="000 E24: 117 in Licheng"),
    Category("express_point", "快递进村站点/农村物流服务站",
             "express / logistics service point", "logistics", "village",
             ("快递进村", "农村物流服务站", "村级物流服务站", "快递服务站", "快递驿站",
              "菜鸟驿站", "快递超市", "物流服务站"),
             osm=((("amenity", "parcel_locker"),),),
             note="002 B22 具备条件行政村农村物流服务覆盖率 100 %; 004 B23 快递进村"),
    Category("express_hub", "快递共配中心",
             "township express co-distribution centre", "logistics", None,
             ("快递共配中心", "共配中心"),
             note="004 B23"),
    Category("base_station_5g", "5G基站", "5G base station", "digital", None,
             ("5G基站", "5G 基站", "基站"),
             note="000 D1 5125, 002 D2 0.5万 by 2025, 003 D4 近2000; OSM rarely tags mobile "
                  "technology, so a base-station list from the operators is the layer to import"),
    Category("cctv", "公共安全视频监控", "public-security video camera", "safety", None,
             ("视频监控点", "监控点位", "视频监控", "治安监控"),
             osm=((("man_made", "surveillance"),),),
             note="002 D14 重点公共区域高清视频监控覆盖率 100 %; 003 D15 全覆盖"),
    Category("wastewater_plant", "水质净化厂/污水处理厂",
             "wastewater treatment plant", "utility", None,
             ("水质净化厂", "污水处理厂", "净水厂"),
             osm=((("man_made", "wastewater_plant"),),),
             note="000 E3: 8 plants in Licheng"),
    Category("sewage_station", "污水处理站/一体化污水处理设备",
             "sewage treatment station or integrated unit", "utility", None,
             ("污水处理站", "一体化污水处理设备", "一体化污水处理设施", "污水处理设备"),
             note="000 E3: 14 stations (>= 50 t/d) and 12 integrated units (<= 20 t/d)"),
    Category("sewage_tank", "污水收集池", "sewage collection tank", "utility", None,
             ("污水收集池",),
             note="000 E3: 43"),
    Category("pump_station", "提水泵站", "pumping station", "utility", None,
             ("一体化提水泵站", "提水泵站", "泵站"),
             osm=((("man_made", "pumping_station"),),),
             note="000 E3: 7 integrated pumping stations"),
    Category("rural_water_scheme", "农村供水工程",
             "rural water-supply scheme", "utility", "village",
             ("农村供水工程", "单村供水工程", "村级供水站", "供水站"),
             note="000 E16: 84 schemes (83 single-village) in 7 sub-districts"),
    Category("substation", "变电站", "electrical substation", "utility", None,
             ("变电站",),
             osm=((("power", "substation"),),),
             note="002 E26: 13 built in Licheng (13th FYP)"),
    Category("public_toilet", "公厕", "public toilet", "utility", None,
             ("公共厕所", "公厕", "智慧公厕"),
             osm=((("amenity", "toilets"),),),
             note="003 E12: 26 new + 67 smart toilets in Shizhong (13th FYP)"),
    Category("waste_sorting_house", "垃圾分类房", "waste-sorting house", "utility", None,
             ("垃圾分类房", "分类房"),
             note="000 E10: 123 in Licheng"),
    Category("waste_sorting_kiosk", "垃圾分类亭", "waste-sorting kiosk", "utility", None,
             ("垃圾分类亭", "分类亭"),
             note="000 E10: 971 in Licheng; 003 E11: 350 in Shizhong"),
    Category("smart_recycling_bin", "智能可回收箱", "smart recycling bin", "utility", None,
             ("智能可回收箱", "智能回收箱"),
             osm=((("amenity", "recycling"),),),
             note="000 E10: 532 in Licheng"),
    Category("spring", "名泉/泉水", "spring", "park", None,
             ("名泉", "泉群", "泉眼"),
             osm=((("natural", "spring"),),),
             note="002 G21: 11 of Jinan's 72 famous springs flow in Licheng; springs are named "
                  "like 趵突泉, so the OSM tag (or an imported category) finds them, not a "
                  "keyword"),
)
"""Every category, data first: the single source of the taxonomy."""

GROUPS: dict[str, tuple[str, str]] = {
    "health": ("医疗卫生", "health care (all)"),
    "clinic": ("基层医疗卫生机构", "primary care: CHC, sub-district health centre, CHS station"),
    "culture": ("公共文化", "public culture"),
    "fitness": ("全民健身", "fitness and sport"),
    "elderly": ("养老服务", "elderly care"),
    "education": ("教育", "education"),
    "convenience": ("便民生活", "daily convenience"),
    "transit": ("公共交通", "public transport"),
    "park": ("公园绿地", "parks"),
    "childcare": ("托育服务", "childcare for under-3s"),
    "social": ("社区与社会服务", "community and social services"),
    "logistics": ("物流快递", "logistics and express delivery"),
    "digital": ("信息基础设施", "digital infrastructure"),
    "safety": ("公共安全", "public safety"),
    "utility": ("市政环卫设施", "utilities and sanitation"),
}
"""Group id -> (Chinese name, English name)."""

EXTRA_GROUP_MEMBERS: dict[str, tuple[str, ...]] = {
    "clinic": ("chc", "township_health_centre", "chs_station"),
}
"""Groups that are not a parent group: their member categories."""
