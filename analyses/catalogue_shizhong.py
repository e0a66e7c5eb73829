"""Catalogue entries of the Shizhong 14th five-year plan and 2035 outline (003).

Data only, in the plan's own order. The plan has no indicator table: its targets are inline
(「2025 年发展目标」) and its achievements of the 13th five-year plan are in 第一章. Thresholds
that the plan does not state (15 minutes for libraries and sports) are toolkit defaults and
say so in ``basis``.

Examples
--------
>>> [m.id for m in SHIZHONG_ENTRIES][:3]
['S-5G-2000', 'S-CCTV-FULL', 'S-FOREST-34']
"""

from __future__ import annotations

from .catalogue_metric import SHIZHONG, Metric

__all__ = ["CULTURE_CATEGORIES", "SHIZHONG_ENTRIES"]

CULTURE_CATEGORIES = (
    "culture_station", "library", "cultural_centre", "quancheng_study", "farm_bookhouse",
    "culture_square",
)
_FITNESS = ("fitness_centre", "sports_park", "fitness_trail", "pitch", "fitness_equipment")
_F = "003_e346c132f88ab10b.txt"
_S = (SHIZHONG,)
_TOOLKIT_15 = "plan target, toolkit threshold (15 min walk)"

SHIZHONG_ENTRIES: tuple[Metric, ...] = (
    Metric(
        id="S-5G-2000", name_zh="5G基站数量", name_en="5G base stations in use", kind="count",
        categories=("base_station_5g",), unit=" 个", target=2000.0,
        target_text="近2000 (nearly 2,000, achieved by 2020)", year="2020 (achieved, 13th FYP)",
        scope=_S, source_file=_F, chapter="第一章开启全面建设新时代现代化",
        needs=("facilities",), quote="「近2000 座5G 基站投入使用」", refs=("D4",), plan_scope="S",
    ),
    Metric(
        id="S-CCTV-FULL", name_zh="公共安全视频监控覆盖率", name_en="Key public areas with a "
        "public-security camera", kind="unit_share", categories=("cctv",),
        unit_layer="key_areas", target=1.0, target_text="全覆盖 (achieved, 13th FYP)",
        year="2020 (achieved, 13th FYP)", scope=_S, source_file=_F,
        chapter="第一章开启全面建设新时代现代化", needs=("facilities", "key_areas"),
        quote="「全区公共安全视频监控实现全覆盖」", refs=("D15",), plan_scope="S",
        notes="「全覆盖」 of the district read as every key public area (重点公共区域) having a "
        "camera (toolkit reading; the plan names no unit)",
    ),
    Metric(
        id="S-FOREST-34", name_zh="森林覆盖率", name_en="Forest cover", kind="area_share",
        categories=(), area_layer="forest", target=0.34,
        target_text="about 34 % (稳定在34%左右, 2025)", year="2025", target_year=2025,
        scope=_S, source_file=_F, chapter="第二章推动新时代现代化强省会", needs=("forest",),
        quote="「到2025 年,森林覆盖率稳定在34%左右」", refs=("G3",), plan_scope="S",
        notes="「左右」: a value within a few points of 34 % meets the wording; the status "
        "compares with 34 % as a floor",
    ),
    Metric(
        id="S-FOUR-GOOD-ROADS", name_zh="“四好农村路”覆盖率", name_en="Villages reached by a "
        "high-standard Four-Good rural road", kind="unit_share", categories=(),
        unit_layer="villages", flag_column="four_good_road", target=1.0,
        target_text="全覆盖 (14th FYP)", year="2025", target_year=2025, scope=_S,
        source_file=_F, chapter="第六章以城乡融合发展为抓手", needs=("villages",),
        quote="「实现高水平“四好农村路”全覆盖」", refs=("B36",), plan_scope="S",
    ),
    Metric(
        id="S-COMMUTE-1H", name_zh="省会经济圈1小时通勤半径", name_en="Residents within the "
        "1-hour commuting radius of the capital economic circle", kind="travel_time",
        categories=(), target=None, target_text="no value (「圈层联动」)", year="2025",
        scope=_S, source_file=_F, chapter="第七章深化重点领域改革", needs=("regional_network",),
        quote="「落实省会经济圈通勤半径1 小时“圈层联动”」", refs=("A6",), plan_scope="S",
    ),
    Metric(
        id="S-KINDERGARTEN-PER-SUBDISTRICT", name_zh="街道幼儿园覆盖率（学前教育覆盖城乡）",
        name_en="Sub-districts with a kindergarten (pre-school system covering town and "
        "country)", kind="zone_presence", categories=("kindergarten",), target=None,
        target_text="no numeric target (「覆盖城乡、布局合理」)", year="2025", scope=_S,
        source_file=_F, chapter="第十一章贯彻共享发展理念创造美好幸福生活",
        needs=("facilities", "zones"), quote="「构建覆盖城乡、布局合理的学前教育公共体系」",
        refs=("B39",), plan_scope="S",
    ),
    Metric(
        id="S-CULTURE-15-30", name_zh="城市15分钟、农村30分钟公共文化服务圈覆盖率",
        name_en="Residents inside the 15-minute (urban) / 30-minute (rural) public-culture "
        "service circle", kind="coverage", categories=CULTURE_CATEGORIES, walk_min=15.0,
        rural_walk_min=30.0, target=1.0, target_text="全覆盖 (100 %)",
        year="2025 (14th five-year plan)", target_year=2025, scope=_S, source_file=_F,
        chapter="第十一章贯彻共享发展理念创造美好幸福生活",
        quote="「打造城市15 分钟和农村30 分钟公共文化服务圈新格局」; 「实现公共文化服务活动阵地"
        "全覆盖」",
        notes="urban/rural from the zone layer's 'urban' column, else the density rule "
        "(>= 1,500 residents per km² in the person's 1 km grid cell = urban; toolkit rule)",
        refs=("A2",), plan_scope="S",
    ),
    Metric(
        id="S-LIBRARY-15", name_zh="公共图书馆、文化馆15分钟覆盖率",
        name_en="Residents within 15 minutes of a public library or cultural centre",
        kind="coverage", categories=("library", "cultural_centre"), walk_min=15.0,
        target=None, target_text="no numeric target (「提高…覆盖率、利用率」)", year="2025",
        scope=_S, source_file=_F, chapter="第十一章贯彻共享发展理念创造美好幸福生活",
        quote="「提高公共图书馆、文化馆等覆盖率、利用率」", refs=("B15",), plan_scope="S",
        basis=_TOOLKIT_15,
    ),
    Metric(
        id="S-FITNESS-15", name_zh="体育场地和健身设施15分钟覆盖率",
        name_en="Residents within 15 minutes of a sports ground or fitness facility",
        kind="coverage", categories=_FITNESS, walk_min=15.0, target=None,
        target_text="no numeric target (「优化…布局」)", year="2025", scope=_S, source_file=_F,
        chapter="第十一章贯彻共享发展理念创造美好幸福生活",
        quote="「优化大中型体育设施布局,着力完善各类体育场地和健身设施」", refs=("B18",),
        plan_scope="S", basis=_TOOLKIT_15,
    ),
)
"""The Shizhong entries, in the plan's order."""
