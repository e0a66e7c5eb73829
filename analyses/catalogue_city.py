"""Catalogue entries of the city plan (001), the province's 2022 action plan (004) and the
national standard GB 50180-2018 (life circles; labelled ``national standard``).

Data only, each plan in its own order. City- and province-wide targets are evaluated for the
two districts where the wording holds for each of them (every 镇(街道), every community,
every 区县); a city-wide total (50 泉城书房, the built-up area's green ratio) is shown per
district as its contribution (``applies="city_total"``, status ``no district target``).

Examples
--------
>>> [m.id for m in CITY_ENTRIES][:2]
['JN-COMMUTE-1H', 'JN-CONVENIENCE-15-OLDTOWN']
>>> sorted({m.plan_scope for m in CITY_ENTRIES})
['GB', 'JN', 'SD']
"""

from __future__ import annotations

from .catalogue_metric import LICHENG, SHIZHONG, Metric

__all__ = ["CITY_ENTRIES", "CONVENIENCE_CATEGORIES", "ELDERLY_FACILITIES", "LIFE_CIRCLES"]

CONVENIENCE_CATEGORIES = ("market", "supermarket", "convenience_store")
ELDERLY_FACILITIES = ("elderly_care_centre", "day_care_centre", "elderly_canteen",
                      "elderly_facility", "rural_happiness_home")

_C = "001_42cd662d68b88e93.txt"
_S = "004_75a06550513ebb48.txt"
_C3 = "第三章 加快优化城镇化布局健全完善现代城镇体系"
_C5 = "第五章 深入推进绿色城镇化全力建设美丽宜居泉城"
_C6 = "第六章 深入推进均衡城镇化扎实推进全民共同富裕"
_S2 = "二、主要任务"
_BOTH = (LICHENG, SHIZHONG)
_SUB = ("facilities", "zones")
_EVERY = "the wording holds for every 镇(街道) of both districts"
_EVERY_C = "the wording holds for every community of both districts"

LIFE_CIRCLES: dict[str, dict] = {
    # GB 50180-2018 城市居住区规划设计标准: 5/10/15-minute life circles, walking distances
    # 300 / 500 / 800-1000 m.  Mapping of the standard's facility types to the toolkit's
    # categories is a toolkit choice (national standard, not a plan target).
    "5min": {
        "max_dist_m": 300.0,
        "types": {
            "kindergarten": ("kindergarten",),
            "outdoor fitness": ("fitness_equipment", "pitch", "fitness_trail"),
            "convenience store": ("convenience_store", "supermarket"),
            "elderly day care": ("day_care_centre",),
        },
    },
    "10min": {
        "max_dist_m": 500.0,
        "types": {
            "primary school": ("school",),
            "fresh-food market": ("market", "supermarket"),
            "mid-size sports ground": ("pitch", "sports_park", "fitness_centre"),
        },
    },
    "15min": {
        "max_dist_m": 1000.0,
        "types": {
            "secondary school": ("school",),
            "health service centre": ("chc", "township_health_centre"),
            "culture centre": ("culture_station", "cultural_centre", "library"),
            "large sports ground": ("fitness_centre", "sports_park"),
            "elderly-care centre": ("elderly_care_centre",),
        },
    },
}
"""GB 50180-2018 life circles (national standard) mapped to the toolkit's categories."""

_GB = (
    "GB 50180-2018 《城市居住区规划设计标准》: 5/10/15-minute life circles = 300/500/800-1000 m "
    "walking; national standard, not a target of the five plans"
)

CITY_ENTRIES: tuple[Metric, ...] = (
    # ------------------------------------------------------------------ 001 (Jinan)
    Metric(
        id="JN-COMMUTE-1H", name_zh="1小时通勤圈", name_en="Residents within the 1-hour "
        "commuting circle of the metropolitan area", kind="travel_time", categories=(),
        target=None, target_text="no value (defines the metropolitan area)",
        year="plan period 2021-2035", scope=_BOTH, source_file=_C, chapter=_C3,
        needs=("regional_network",), quote="「以1小时通勤圈为基本范围」", refs=("A5",),
        plan_scope="JN", notes="both districts lie in the core of the circle",
    ),
    Metric(
        id="JN-CONVENIENCE-15-OLDTOWN", name_zh="二环路以内一刻钟便民生活圈覆盖率",
        name_en="Residents inside the 2nd ring road within 15 minutes of daily-needs shops "
        "(quarter-hour convenience circle)", kind="coverage",
        categories=CONVENIENCE_CATEGORIES, walk_min=15.0, target=None,
        target_text="no numeric target (「完善一刻钟便民生活圈」)", year="plan period 2021-2035",
        scope=_BOTH, source_file=_C, chapter=_C3,
        quote="「探索推进社区综合服务设施“一点多用”,完善一刻钟便民生活圈」; 老城区 = 「二环路以"
        "内区域」",
        needs=("streets", "facilities", "population", "old_town"), within_zone_type="old_town",
        refs=("A4",), plan_scope="JN", notes="老城区 covers the inner parts of both districts",
    ),
    Metric(
        id="JN-GREEN-RATIO-37", name_zh="城市建成区绿地率", name_en="Green-space ratio of "
        "the built-up area", kind="area_share", categories=(), area_layer="green_space",
        target=0.37, target_text="37 % of the city's built-up area (2025; city-wide)",
        year="2025", target_year=2025, scope=_BOTH, source_file=_C, chapter=_C5,
        needs=("built_up", "green_space"), quote="「到2025年城市建成区绿地率达到37%」",
        refs=("G5",), plan_scope="JN", applies="city_total",
        notes="a city-wide ratio: each district's built-up green ratio is its contribution",
        rule="green-space area inside the district's built-up area / that built-up area.",
    ),
    Metric(
        id="JN-BEAUTIFUL-VILLAGE-30", name_zh="区县级以上美丽乡村示范村覆盖率",
        name_en="Villages that are district-level-or-higher beautiful-village demonstration "
        "villages", kind="unit_share", categories=(), unit_layer="villages",
        flag_column="beautiful_village_demo", target=0.3, target_text=">= 30 % (2025)",
        year="2025", target_year=2025, scope=_BOTH, source_file=_C, chapter=_C6,
        needs=("villages",), quote="「到2025年区县级以上美丽乡村示范村覆盖率达到30%以上」",
        refs=("B35",), plan_scope="JN", notes="a share of each 区县's villages: holds for both",
    ),
    Metric(
        id="JN-CULTURE-STATION-PER-SUBDISTRICT", name_zh="镇(街道)综合文化站覆盖率",
        name_en="Sub-districts with a comprehensive culture station", kind="zone_presence",
        categories=("culture_station",), target=1.0,
        target_text="every sub-district (基层公共文化服务设施全覆盖)", year="plan period",
        scope=_BOTH, source_file=_C, chapter=_C6, needs=_SUB,
        quote="「完善公共图书馆、文化馆总分馆制和综合文化站(文化服务中心)建设,推动基层公共文化服"
        "务设施全覆盖」",
        refs=("B11",), plan_scope="JN", notes=_EVERY + "; the community tier needs a "
        "communities layer",
    ),
    Metric(
        id="JN-SQUARE-PER-SUBDISTRICT", name_zh="每个镇(街道)至少一处文化广场",
        name_en="Sub-districts with at least one cultural square", kind="zone_presence",
        categories=("culture_square",), target=1.0, target_text="every sub-district (100 %)",
        year="2025", target_year=2025, scope=_BOTH, source_file=_C, chapter=_C6,
        quote="「加强文化广场建设,到2025年每个镇(街道)至少设置一处文化广场」", needs=_SUB,
        refs=("B10",), plan_scope="JN", notes=_EVERY,
    ),
    Metric(
        id="JN-QUANCHENG-STUDY-50", name_zh="市、区县两级高品质泉城书房数量",
        name_en="High-quality Quancheng study rooms (city and districts together)",
        kind="count", categories=("quancheng_study",), unit=" 个", target=50.0,
        target_text="50 city-wide by 2025 (each district's count is its contribution)",
        year="2025", target_year=2025, scope=_BOTH, source_file=_C, chapter=_C6,
        needs=("facilities",), quote="「到2025年市、区县两级高品质泉城书房达到50个」",
        refs=("B12",), plan_scope="JN", applies="city_total",
        notes="a city-wide count: each district's study rooms are its contribution",
    ),
    Metric(
        id="JN-ELDERLY-PER-SUBDISTRICT", name_zh="每个镇(街道)至少一处综合养老服务中心",
        name_en="Sub-districts with at least one comprehensive elderly-care centre",
        kind="zone_presence", categories=("elderly_care_centre",), target=1.0,
        target_text="every sub-district (100 %)", year="2025", target_year=2025, scope=_BOTH,
        source_file=_C, chapter=_C6,
        quote="「每个镇(街道)至少建设一处综合养老服务中心并实行社会化运营」",
        needs=_SUB, refs=("B1",), plan_scope="JN", notes=_EVERY,
    ),
    Metric(
        id="JN-ELDERLY-URBAN-COMMUNITY", name_zh="城市社区养老服务设施覆盖率",
        name_en="Urban communities with an elderly-care facility", kind="unit_share",
        categories=ELDERLY_FACILITIES, unit_layer="communities", unit_filter=True,
        target=1.0, target_text="100 % of urban communities (2025)", year="2025",
        target_year=2025, scope=_BOTH, source_file=_C, chapter=_C6,
        needs=("facilities", "communities"),
        quote="「城市社区养老服务设施覆盖率和配建达标率均达100%」",
        refs=("B2",), plan_scope="JN", notes=_EVERY_C,
    ),
    Metric(
        id="JN-ELDERLY-RURAL-VILLAGE", name_zh="农村养老服务设施覆盖率",
        name_en="Rural communities (villages) with an elderly-care facility", kind="unit_share",
        categories=ELDERLY_FACILITIES, unit_layer="communities", unit_filter=False,
        target=0.8, target_text=">= 80 % of villages (2025)", year="2025", target_year=2025,
        scope=_BOTH, source_file=_C, chapter=_C6, needs=("facilities", "communities"),
        quote="「农村养老服务设施覆盖率不低于80%」", refs=("B3",), plan_scope="JN",
        notes=_EVERY_C,
    ),
    Metric(
        id="JN-DISABLED-CARE-DISTRICT", name_zh="区县级失能照护服务机构",
        name_en="A district-level care institution for disabled (dependent) elderly",
        kind="count", categories=("disabled_elderly_care",), unit=" 个", target=1.0,
        target_text="at least one per 区县 (全覆盖, 2025)", year="2025", target_year=2025,
        scope=_BOTH, source_file=_C, chapter=_C6, needs=("facilities",),
        quote="「区县级失能照护服务机构实现全覆盖」", refs=("B4",), plan_scope="JN",
        notes="per 区县: holds for each of the two districts",
    ),
    Metric(
        id="JN-COMMUNITY-SERVICE-FULL", name_zh="城乡社区综合服务设施覆盖率",
        name_en="Urban and rural communities with a community service complex",
        kind="unit_share", categories=("community_service_centre",), unit_layer="communities",
        target=1.0, target_text="every community (高标准全覆盖, 2025)", year="2025",
        target_year=2025, scope=_BOTH, source_file=_C, chapter=_C6,
        needs=("facilities", "communities"),
        quote="「到2025年,城市社区“一窗受理、全科服务”模式推行率达到100%,城乡社区综合服务设施实"
        "现高标准全覆盖」",
        refs=("B20",), plan_scope="JN", notes=_EVERY_C,
    ),
    # ------------------------------------------------------------------ 004 (Shandong)
    Metric(
        id="SD-ELDERLY-COMPLIANCE", name_zh="社区养老服务设施配建达标率",
        name_en="Communities whose elderly-care facilities meet the provision standard",
        kind="unit_share", categories=(), unit_layer="new_communities",
        flag_column="meets_provision", target=1.0, target_text="100 % (2022)", year="2022",
        target_year=2022, scope=_BOTH, source_file=_S, chapter=_S2,
        needs=("new_communities",), quote="「社区养老服务设施配建达标率100%」", refs=("B8",),
        plan_scope="SD", notes="province-wide rate for every community: holds for both",
    ),
    Metric(
        id="SD-COMMUNITY-MULTIUSE", name_zh="社区综合服务设施“一点多用”",
        name_en="Communities with a multi-use community service complex", kind="unit_share",
        categories=("community_service_centre",), unit_layer="communities", target=None,
        target_text="no numeric target (pilot: 「探索」)", year="2022", scope=_BOTH,
        source_file=_S, chapter=_S2, needs=("facilities", "communities"),
        quote="「探索社区综合服务设施“一点多用”。统筹设立幼儿园、托育点、养老服务站、体育健身设施、"
        "微型消防站、食堂和公共阅读空间」", refs=("B19",), plan_scope="SD",
        notes="a province-wide pilot for every community: holds for both",
    ),
    Metric(
        id="SD-PROPERTY-MGMT-80", name_zh="住宅小区专业化物业服务覆盖率",
        name_en="Residential compounds with professional property management",
        kind="unit_share", categories=(), unit_layer="residential_compounds",
        flag_column="property_managed", target=0.8, target_text=">= 80 % (2022)",
        year="2022", target_year=2022, scope=_BOTH, source_file=_S, chapter=_S2,
        needs=("residential_compounds",), quote="「住宅小区专业化物业服务覆盖率保持在80%以上」",
        refs=("B49",), plan_scope="SD", notes="a province-wide rate of compounds: holds for both",
    ),
    # ------------------------------------------------------------------ GB 50180-2018
    *(
        Metric(
            id=f"GB-LIFE-{key.upper()}",
            name_zh=f"{key.replace('min', '')}分钟生活圈配套完整率",
            name_en=f"Residents with a complete {key.replace('min', '')}-minute life circle "
            "(all standard facility types within reach)",
            kind="life_circle",
            categories=tuple(sorted({c for cs in spec["types"].values() for c in cs})),
            max_dist_m=spec["max_dist_m"], target=None,
            target_text="no plan target (national standard)", year="—", scope=_BOTH,
            source_file="GB 50180-2018", quote=_GB, basis="national standard", circle=key,
            plan_scope="GB", chapter="居住区生活圈 residential life circles",
        )
        for key, spec in LIFE_CIRCLES.items()
    ),
    Metric(
        id="GB-ELDERLY-DAYCARE-60PLUS",
        name_zh="60岁及以上老年人5分钟（300米）可达日间照料中心比例",
        name_en="People aged 60+ within 300 m (5-minute life circle) of an elderly day-care "
        "centre", kind="coverage", categories=("day_care_centre",), max_dist_m=300.0,
        target=None, target_text="no plan target (GB 50180-2018 places 老年人日间照料中心 in the "
        "5-minute circle; supports 002's 「城乡社区日间照料服务全覆盖」)", year="—", scope=_BOTH,
        source_file="GB 50180-2018", quote=_GB, basis="national standard", demand="pop_60plus",
        needs=("streets", "facilities", "population", "pop_60plus"), refs=("B5",),
        plan_scope="GB", chapter="居住区生活圈 residential life circles",
    ),
)
"""The city, province and national-standard entries, each source in its own order."""
