"""Catalogue entries of the Licheng plans: the 2023 evaluation report (000) and the plan (002).

Data only (see :class:`~jinan_gis.analyses.catalogue_metric.Metric`), in each plan's own
order (by where the quote stands in the file; ``tests/test_catalogue.py`` checks it).
专栏1 rows quote the indicator's name; the row's 2020 / 2025 / 2035 columns are ``baseline``
and the targets. Achieved values of the 2023 evaluation report are ``reported``.

Examples
--------
>>> [m.id for m in LICHENG_ENTRIES][:2]
['L-5G-PER-10K', 'L-BUS-STOP-500']
"""

from __future__ import annotations

from .catalogue_metric import LICHENG, Metric

__all__ = ["CLINIC_CATEGORIES", "FITNESS_CATEGORIES", "LICHENG_ENTRIES"]

CLINIC_CATEGORIES = ("chc", "township_health_centre", "chs_station")
FITNESS_CATEGORIES = (
    "fitness_centre", "sports_park", "fitness_trail", "pitch", "fitness_equipment",
)

_E = "000_13695917f30c47f9.txt"
_P = "002_248ac38be71e6bc0.txt"
_E1 = "一、《规划》实施完成情况"
_P1 = "第一章 精准研判发展趋势 科学制定目标要求"
_P3 = "第三章 深入推进智慧城镇化 打造科技强区数智历城"
_P4 = "第四章 深入推进绿色城镇化 绘就宜居宜业生态历城"
_P5 = "第五章 深入推进均衡城镇化建设协同发展品质历城"
_SUB = ("facilities", "zones")
_L = (LICHENG,)
_PLAN_SCOPE_SUBS = "the 14 sub-districts of the plan's scope (「不含南山管委会和高新区托管部分」)"

LICHENG_ENTRIES: tuple[Metric, ...] = (
    # ------------------------------------------------------------------ 000 (2023 report)
    Metric(
        id="L-5G-PER-10K", name_zh="每万人拥有5G基站数", name_en="5G base stations per "
        "10,000 residents", kind="per_capita_count", categories=("base_station_5g",),
        per_people=10_000.0, unit=" per 10,000", target=45.0,
        target_text="> 45 per 10,000 people (reported as achieved)", year="2023 (achieved)",
        scope=_L, source_file=_E, chapter=_E1, needs=("facilities", "population"),
        quote="「累计建成5G基站5125个,每万人拥有5G基站数超过45个」", refs=("D1",), plan_scope="L",
        reported=45.0, reported_year=2023,
    ),
    Metric(
        id="L-BUS-STOP-500", name_zh="公交站点500米覆盖率（城乡公交线网覆盖广度）",
        name_en="Residents within 500 m of a bus stop (reach of the urban-rural bus network)",
        kind="coverage", categories=("bus_stop",), max_dist_m=500.0, target=None,
        target_text="no numeric target (「逐步提升覆盖广度、通达深度」); 500 m is a toolkit "
        "default", year="2023 (direction)", scope=_L, source_file=_E, chapter=_E1,
        quote="「优化城乡客运(公交)线网布局,结合每条线路实际确定运营方式,逐步提升覆盖广度、通达"
        "深度」",
        refs=("T2",), plan_scope="L", basis="plan target, toolkit threshold (500 m)",
    ),
    Metric(
        id="L-MEDINS-POINT-PER-VILLAGE", name_zh="村(社区)医保工作点覆盖率",
        name_en="Villages / communities with a medical-insurance service point",
        kind="unit_share", categories=("medins_point",), unit_layer="communities",
        target=1.0, target_text="implied: every village / community (383 reported in 2023)",
        year="2023 (achieved)", scope=_L, source_file=_E, chapter=_E1,
        needs=("facilities", "communities"),
        quote="「全区383个村(社区)建立了医保工作点,在街道、医药机构建立了39家医保工作站」",
        refs=("B26",), plan_scope="L",
    ),
    Metric(
        id="L-CLINIC-1000",
        name_zh="居民距社区卫生服务中心/街道卫生院/社区卫生服务站1000米以内比例",
        name_en="Residents within 1000 m of a community health centre, sub-district health "
        "centre or health station",
        kind="coverage", categories=CLINIC_CATEGORIES, max_dist_m=1000.0, target=1.0,
        target_text="implied 100 %: stations set up wherever residents are > 1000 m from a "
        "centre (reported as met)",
        year="2023 (achieved)", scope=_L, source_file=_E, chapter=_E1,
        quote="「每个街道都设置了社区卫生服务中心(街道卫生院),对于距离街道社区卫生服务中心相对较远"
        "难以覆盖的或者超过1000m以上距离的设置了社区卫生服务站」",
        refs=("A1",), plan_scope="L",
    ),
    Metric(
        id="L-CHC-PER-SUBDISTRICT", name_zh="每个街道设置社区卫生服务中心(街道卫生院)",
        name_en="Sub-districts with a community health centre or sub-district health centre",
        kind="zone_presence", categories=("chc", "township_health_centre"), target=1.0,
        target_text="every sub-district (reported as achieved)", year="2023 (achieved)",
        scope=_L,
        source_file=_E, chapter=_E1, quote="「每个街道都设置了社区卫生服务中心(街道卫生院)」",
        zones_in_plan_scope_only=True, needs=_SUB, refs=("B24",), plan_scope="L",
    ),
    Metric(
        id="L-QUANCHENG-BOOKHOUSE-7", name_zh="泉城书屋数量", name_en="Quancheng book houses",
        kind="count", categories=("quancheng_bookhouse",), unit=" 个", target=7.0,
        target_text="7 built (reported in 2023)", year="2023 (achieved)", scope=_L,
        source_file=_E, chapter=_E1, needs=("facilities",),
        quote="「新建成7家泉城书屋、68个亲子阅读空间、60个数字阅读空间」", refs=("B33",),
        plan_scope="L",
    ),
    Metric(
        id="L-OPERA-PER-SUBDISTRICT", name_zh="每个街道设有百姓戏曲大舞台",
        name_en="Sub-districts with a public opera stage (14 stages = one per sub-district)",
        kind="zone_presence", categories=("opera_stage",), target=1.0,
        target_text="14 stages in the sub-districts (one each; reported in 2023)",
        year="2023 (achieved)", scope=_L, source_file=_E, chapter=_E1, needs=_SUB,
        zones_in_plan_scope_only=True, quote="「街道设立了14处百姓戏曲大舞台」", refs=("B32",),
        plan_scope="L",
    ),
    # ------------------------------------------------------------------ 002 (the plan)
    Metric(
        id="L-MEDINS-STATION-PER-SUBDISTRICT", name_zh="街道医保工作站覆盖率",
        name_en="Sub-districts with a medical-insurance service station", kind="zone_presence",
        categories=("medins_station",), target=1.0, target_text="every sub-district (全覆盖)",
        year="2020 (achieved, 13th FYP)", scope=_L, source_file=_P,
        chapter=_P1, needs=_SUB, zones_in_plan_scope_only=True,
        quote="「实现基层卫生服务网络和街道医保工作站全覆盖」", refs=("B25",), plan_scope="L",
    ),
    Metric(
        id="L-5G-COUNT", name_zh="建成5G基站数量", name_en="5G base stations built",
        kind="count", categories=("base_station_5g",), unit=" 个", target=5000.0,
        target_text="0.5 万个 (5,000) by 2025", year="2025", target_year=2025, scope=_L,
        source_file=_P, chapter=_P1, needs=("facilities",),
        quote="专栏1 row 1: 「建成 5G 基站数量」 万个 — 0.5 (2025)",
        reported_quote="「累计建成5G基站5125个」",
        refs=("D2",), plan_scope="L", reported=5125.0, reported_year=2023,
    ),
    Metric(
        id="L-5G-URBAN", name_zh="城市5G覆盖率", name_en="Urban area covered by 5G signal",
        kind="area_share", categories=(), area_layer="coverage_5g", target=1.0,
        target_text="100 % (2025)", year="2025", target_year=2025, scope=_L, source_file=_P,
        chapter=_P1, needs=("coverage_5g",), quote="专栏1 row 2: 「城市 5G 覆盖率」 % — 100 (2025)",
        refs=("D2",), plan_scope="L",
        rule="share of the district's area inside the 5G coverage polygons (the urban part, "
        "when the polygons are clipped to it).",
    ),
    Metric(
        id="L-CCTV-KEY-AREAS", name_zh="重点公共区域高清以上视频监控覆盖率",
        name_en="Key public areas with an HD+ surveillance camera", kind="unit_share",
        categories=("cctv",), unit_layer="key_areas", target=1.0, target_text="100 % (2025)",
        year="2025", target_year=2025, scope=_L, source_file=_P, chapter=_P1,
        needs=("facilities", "key_areas"),
        quote="专栏1 row 6: 「重点公共区域高清以上视频监控覆盖率」 % — 100 (2025)", refs=("D14",),
        plan_scope="L",
    ),
    Metric(
        id="L-FOREST", name_zh="森林覆盖率", name_en="Forest cover", kind="area_share",
        categories=(), area_layer="forest", target=None, unit="",
        target_text="target to be set after the 2020 forest survey and the Third Land Survey "
        "(「带*的指标…科学制定目标值」); 2020: 23.16 %", year="2020 (baseline)", scope=_L,
        source_file=_P, chapter=_P1, needs=("forest",), baseline=0.2316, baseline_year=2020,
        quote="专栏1 row 9: 「森林覆盖率」 % — 23.16* (2020)", refs=("G2",), plan_scope="L",
    ),
    Metric(
        id="L-PARK-2025", name_zh="人均公园绿地面积（2025）",
        name_en="Park green space per resident (2025 target)", kind="per_capita_area",
        categories=("park",), target=12.7, target_text="12.7 m² per resident", year="2025",
        target_year=2025, scope=_L, source_file=_P, chapter=_P1, unit=" m²",
        quote="专栏1 row 10: 「人均公园绿地面积」 平方米 — 12.7 (2025) 14.2 (2035)",
        needs=("facilities", "population", "park areas"), refs=("G1",), plan_scope="L",
    ),
    Metric(
        id="L-PARK-2035", name_zh="人均公园绿地面积（2035）",
        name_en="Park green space per resident (2035 target)", kind="per_capita_area",
        categories=("park",), target=14.2, target_text="14.2 m² per resident", year="2035",
        target_year=2035, scope=_L, source_file=_P, chapter=_P1, unit=" m²",
        quote="专栏1 row 10: 「人均公园绿地面积」 平方米 — 12.7 (2025) 14.2 (2035)",
        needs=("facilities", "population", "park areas"), refs=("G1",), plan_scope="L",
    ),
    Metric(
        id="L-ELDERLY-NEW-COMMUNITY", name_zh="新建社区养老服务设施配建达标率",
        name_en="New communities whose elderly-care facilities meet the provision standard",
        kind="unit_share", categories=(), unit_layer="new_communities",
        flag_column="meets_provision", target=1.0, target_text="100 % (2025 and 2035)",
        year="2025/2035", target_year=2025, scope=_L, source_file=_P, chapter=_P1,
        needs=("new_communities",),
        quote="专栏1 row 15: 「新建社区养老服务设施配建达标率」 % — 100 (2025) 100 (2035)",
        refs=("B7",), plan_scope="L",
        rule="share of new communities whose provided elderly-care floor area meets the "
        "required one (`meets_provision` column).",
    ),
    Metric(
        id="L-CHILDCARE-5", name_zh="每千人口拥有3岁以下婴幼儿托位",
        name_en="Childcare places for under-3s per 1,000 residents", kind="per_capita_count",
        categories=("childcare",), count_column="capacity", per_people=1000.0, unit=" per 1,000",
        target=5.0, target_text="5 places per 1,000 residents (2025)", year="2025",
        target_year=2025, scope=_L, source_file=_P, chapter=_P1,
        needs=("facilities", "population"), reported=4.9, reported_year=2023,
        quote="专栏1 row 16: 「每千人口拥有 3 岁以下婴幼儿托位」 个 — 5 (2025)",
        reported_quote="「2023年全区可提供托位数5516个,千人口托位数已达到4.9个」",
        refs=("H3", "H4"), plan_scope="L",
        notes="the plan's denominator is all residents (5,516 places / 4.9 per 1,000 = "
        "1.13 million people, the district's population); L-CHILDCARE-PER-UNDER3 gives the "
        "demand-matched view",
    ),
    Metric(
        id="L-CHILDCARE-PER-UNDER3", name_zh="每千名3岁以下婴幼儿拥有托位（需求口径）",
        name_en="Childcare places per 1,000 children under 3 (demand-matched view)",
        kind="per_capita_count", categories=("childcare",), count_column="capacity",
        per_people=1000.0, unit=" per 1,000 under-3s", target=None,
        target_text="no plan target (toolkit view of row 16 with the under-3 population)",
        year="—", scope=_L, source_file=_P, chapter=_P1, demand="pop_0_2",
        needs=("facilities", "population", "pop_0_2"), basis="toolkit (demand-matched view)",
        quote="专栏1 row 16: 「每千人口拥有 3 岁以下婴幼儿托位」", refs=("H3",), plan_scope="L",
    ),
    Metric(
        id="L-PHYSICIANS-2025", name_zh="每千人口拥有执业（助理）医师（2025）",
        name_en="Licensed (assistant) physicians per 1,000 residents (2025)",
        kind="per_capita_count", categories=("chc", "township_health_centre", "chs_station",
                                             "village_clinic", "hospital", "clinic_other"),
        count_column="physicians", per_people=1000.0, unit=" per 1,000", target=4.5,
        target_text="4.5 (2025)", year="2025", target_year=2025, scope=_L, source_file=_P,
        chapter=_P1, needs=("facilities", "population"), baseline=3.8, baseline_year=2020,
        reported=4.96, reported_year=2023, refs=("H1", "H2"), plan_scope="L",
        quote="专栏1 row 17: 「每千人口拥有执业（助理）医师」 人 — "
        "3.8 (2020) 4.5 (2025) 6.2 (2035)",
        reported_quote="「截至目前执业医师(助理)每千人口拥有执业医师(助理)4.96」",
    ),
    Metric(
        id="L-PHYSICIANS-2035", name_zh="每千人口拥有执业（助理）医师（2035）",
        name_en="Licensed (assistant) physicians per 1,000 residents (2035)",
        kind="per_capita_count", categories=("chc", "township_health_centre", "chs_station",
                                             "village_clinic", "hospital", "clinic_other"),
        count_column="physicians", per_people=1000.0, unit=" per 1,000", target=6.2,
        target_text="6.2 (2035)", year="2035", target_year=2035, scope=_L, source_file=_P,
        chapter=_P1, needs=("facilities", "population"), baseline=3.8, baseline_year=2020,
        reported=4.96, reported_year=2023, refs=("H1",), plan_scope="L",
        quote="专栏1 row 17: 「每千人口拥有执业（助理）医师」 人 — "
        "3.8 (2020) 4.5 (2025) 6.2 (2035)",
    ),
    Metric(
        id="L-LOGISTICS-VILLAGE", name_zh="具备条件行政村农村物流服务覆盖率",
        name_en="Qualified administrative villages with a rural logistics / express point",
        kind="unit_share", categories=("express_point",), unit_layer="villages",
        flag_column=None, target=1.0, target_text="100 % (2025)", year="2025",
        target_year=2025, scope=_L, source_file=_P, chapter=_P1,
        needs=("facilities", "villages"),
        quote="专栏1 row 22: 「具备条件行政村农村物流服务覆盖率」 % — 100 (2025)", refs=("B22",),
        plan_scope="L",
        rule="share of the qualified administrative villages (`qualified` column, all when "
        "absent) holding an express / logistics point.",
    ),
    Metric(
        id="L-FITNESS-15", name_zh="15分钟健身圈覆盖率",
        name_en="Residents inside the 15-minute fitness circle", kind="coverage",
        categories=FITNESS_CATEGORIES, walk_min=15.0, target=None,
        target_text="no numeric target (「构建“15分钟智慧健身圈”」)", year="plan period 2021-2035",
        scope=_L,
        source_file=_P, chapter=_P3, quote="「推进全民健身智慧化建设，构建“15分钟智慧健身圈”」",
        refs=("A3",), plan_scope="L",
    ),
    Metric(
        id="L-5G-VILLAGES", name_zh="行政村5G覆盖率", name_en="Administrative villages "
        "covered by 5G", kind="unit_share", categories=(), unit_layer="villages",
        flag_column="covered_5g", target=1.0, target_text="all administrative villages "
        "(基本实现全覆盖) by 2025", year="2025", target_year=2025, scope=_L, source_file=_P,
        chapter=_P3, needs=("villages",), quote="「到2025年，所有行政村基本实现5G全覆盖」",
        refs=("D3",), plan_scope="L",
    ),
    Metric(
        id="L-RURAL-SEWAGE-80", name_zh="农村生活污水治理率", name_en="Villages with rural "
        "domestic sewage treated", kind="unit_share", categories=(), unit_layer="villages",
        flag_column="sewage_treated", target=0.8, target_text=">= 80 % of villages (2025)",
        year="2025", target_year=2025, scope=_L, source_file=_P, chapter=_P4,
        needs=("villages",), reported=0.532, reported_year=2023,
        quote="「到2025年农村生活污水治理率达到80%」",
        reported_quote="「已完成82个村生活污水治理任务,完成治理率53.2%」",
        refs=("E1", "E2"), plan_scope="L",
    ),
    Metric(
        id="L-BEAUTIFUL-VILLAGE-40", name_zh="美丽乡村示范村覆盖率",
        name_en="Villages that are beautiful-village demonstration villages",
        kind="unit_share", categories=(), unit_layer="villages",
        flag_column="beautiful_village_demo", target=0.4, target_text=">= 40 % (2025)",
        year="2025", target_year=2025, scope=_L, source_file=_P, chapter=_P5,
        needs=("villages",), quote="「到2025年美丽乡村示范村覆盖率达到40%以上」", refs=("B34",),
        plan_scope="L",
    ),
    Metric(
        id="L-TANGYE-HOSPITAL", name_zh="唐冶片区三级综合性医院", name_en="A tertiary general "
        "hospital in the Tangye area", kind="unit_share", categories=("hospital",),
        unit_layer="tangye_area", target=1.0, target_text="1 hospital (plan period)",
        year="plan period 2021-2035", scope=_L, source_file=_P, chapter=_P5,
        needs=("facilities", "tangye_area"), quote="「加快唐冶片区三级综合性医院建设」",
        refs=("B29",), plan_scope="L",
        rule="whether the 唐冶片区 outline holds a hospital (its grade, 三级, is not in any "
        "layer: check it by hand).",
    ),
    Metric(
        id="L-CULTURE-THREE-TIER", name_zh="街道级综合文化站覆盖率（三级公共文化服务体系）",
        name_en="Sub-districts with a culture station (the sub-district tier of the "
        "three-tier public-culture system)", kind="zone_presence",
        categories=("culture_station",), target=None,
        target_text="no numeric target (「完善区、街道、村（社区）三级公共文化服务体系」)",
        year="plan period 2021-2035", scope=_L, source_file=_P, chapter=_P5, needs=_SUB,
        zones_in_plan_scope_only=True,
        quote="「优化公共文化设施布局，完善区、街道、村（社区）三级公共文化服务体系」", refs=("B"
        "14",),
        plan_scope="L",
        notes="the village / community tier needs a communities layer",
    ),
    Metric(
        id="L-QUANCHENG-STUDY-5", name_zh="泉城书房数量", name_en="Quancheng study rooms",
        kind="count", categories=("quancheng_study",), unit=" 个", target=5.0,
        target_text="5 by 2025", year="2025", target_year=2025, scope=_L, source_file=_P,
        chapter=_P5, needs=("facilities",),
        quote="「到 2025 年，建设泉城书房 5 个，利用社会资源，探索推进泉城书屋建设」", refs=("B1"
        "3",),
        plan_scope="L",
    ),
    Metric(
        id="L-ELDERLY-60", name_zh="街道综合养老服务中心覆盖率",
        name_en="Share of sub-districts with a comprehensive elderly-care centre",
        kind="zone_presence", categories=("elderly_care_centre",), target=0.6,
        target_text=">= 60 % of sub-districts", year="2025", target_year=2025, scope=_L,
        source_file=_P, chapter=_P5,
        quote="「到 2025 年，街道综合养老服务中心覆盖率达到 60% 以上，实现城乡社区日间照料服务全"
        "覆盖」",
        zones_in_plan_scope_only=True, needs=_SUB, refs=("B5",), plan_scope="L",
    ),
    Metric(
        id="L-DAYCARE-COMMUNITY", name_zh="城乡社区日间照料服务覆盖率",
        name_en="Urban and rural communities with a day-care service", kind="unit_share",
        categories=("day_care_centre", "elderly_care_centre", "rural_happiness_home"),
        unit_layer="communities", target=1.0, target_text="every urban and rural community "
        "(全覆盖) by 2025", year="2025", target_year=2025, scope=_L, source_file=_P,
        chapter=_P5, needs=("facilities", "communities"),
        quote="「到 2025 年，街道综合养老服务中心覆盖率达到 60% 以上，实现城乡社区日间照料服务全"
        "覆盖」",
        refs=("B5",), plan_scope="L",
    ),
    Metric(
        id="L-RUKANG-PER-SUBDISTRICT", name_zh="街道“如康家园”覆盖率",
        name_en="Sub-districts with a Rukang Home (disability service site)",
        kind="zone_presence", categories=("rukang_home",), target=1.0,
        target_text="every sub-district (全覆盖); no explicit year", year="plan period",
        scope=_L, source_file=_P, chapter=_P5, needs=_SUB, zones_in_plan_scope_only=True,
        quote="「在全区所有街道和有条件的村（社区）普遍建立“如康家园”，实现基层残疾人服务阵地全"
        "覆盖」",
        refs=("B6",), plan_scope="L", notes=_PLAN_SCOPE_SUBS,
    ),
)
"""The Licheng entries (000 then 002), each plan in its own order."""
