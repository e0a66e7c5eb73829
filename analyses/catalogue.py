"""The plans' measurable targets, in one place, each traced to its document and quote.

Every :class:`Metric` names the facility categories, the threshold (distance or minutes, and
the speed used to turn minutes into metres), the target and its year, the scope, the source
file in ``shared/plans/``, the chapter and the verbatim quote, the ids of
``shared/plans/METRICS.md`` it answers (``refs``) and the measurement rule
(:attr:`Metric.rule_text`). ``basis`` says whether the target and threshold come from a plan
(``"plan"``), a plan's target with a toolkit threshold, or a national-standard default
(``"national standard"``, GB 50180-2018) that no plan states. No plan states a travel mode:
walking at :data:`~jinan_gis.geo.reach.WALK_SPEED_KMH` (15 min = 1000 m) is the toolkit
default and every metric says so.

:data:`CATALOGUE` holds every entry, grouped by plan (000 ... 004, then the national
standard) and, within a plan, in the plan's own order; the data are in
:mod:`~jinan_gis.analyses.catalogue_licheng`, :mod:`~jinan_gis.analyses.catalogue_shizhong`
and :mod:`~jinan_gis.analyses.catalogue_city`; the METRICS.md targets that are not entries,
with the reason, in :data:`~jinan_gis.analyses.catalogue_exclusions.EXCLUSIONS`.

Examples
--------
>>> m = get_metric("L-CLINIC-1000")
>>> m.max_dist_m, m.target, m.source_file
(1000.0, 1.0, '000_13695917f30c47f9.txt')
>>> len(CATALOGUE) >= 40, CATALOGUE[0].source_file
(True, '000_13695917f30c47f9.txt')
>>> chapter_title(get_metric("S-CULTURE-15-30"))[1]
'Chapter 11: Shared development, a better life'
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import asdict

import pandas as pd

from ..geo.errors import JinanGISError
from .catalogue_city import CITY_ENTRIES, CONVENIENCE_CATEGORIES, LIFE_CIRCLES
from .catalogue_exclusions import EXCLUSIONS
from .catalogue_licheng import CLINIC_CATEGORIES, FITNESS_CATEGORIES, LICHENG_ENTRIES
from .catalogue_metric import LICHENG, MODE_NOTE, SHIZHONG, Metric, needs_text
from .catalogue_shizhong import CULTURE_CATEGORIES, SHIZHONG_ENTRIES

__all__ = [
    "CATALOGUE",
    "CHAPTERS_EN",
    "CLINIC_CATEGORIES",
    "CONVENIENCE_CATEGORIES",
    "CULTURE_CATEGORIES",
    "EXCLUSIONS",
    "FITNESS_CATEGORIES",
    "LICHENG",
    "LIFE_CIRCLES",
    "MODE_NOTE",
    "PLAN_ORDER",
    "PLAN_TITLES",
    "SHIZHONG",
    "Metric",
    "catalogue_table",
    "chapter_title",
    "get_metric",
    "needs_text",
    "plan_title",
]

log = logging.getLogger(__name__)

PLAN_ORDER: tuple[str, ...] = (
    "000_13695917f30c47f9.txt", "001_42cd662d68b88e93.txt", "002_248ac38be71e6bc0.txt",
    "003_e346c132f88ab10b.txt", "004_75a06550513ebb48.txt", "GB 50180-2018",
)
"""The order of the plans in reports (the files' order in ``shared/plans/``, then the
national standard)."""


def _in_plan_order(entries: tuple[Metric, ...]) -> tuple[Metric, ...]:
    """Entries grouped by plan in :data:`PLAN_ORDER`, each plan's entries in data order."""
    rank = {f: i for i, f in enumerate(PLAN_ORDER)}
    return tuple(sorted(entries, key=lambda m: rank.get(m.source_file, len(rank))))


CATALOGUE: tuple[Metric, ...] = _in_plan_order(
    (*LICHENG_ENTRIES, *SHIZHONG_ENTRIES, *CITY_ENTRIES))
"""Every metric jinan-gis evaluates, by plan and in each plan's order."""

CHAPTERS_EN: dict[str, str] = {
    "一、《规划》实施完成情况": "Part 1: How the plan has been carried out",
    "第三章 加快优化城镇化布局健全完善现代城镇体系":
        "Chapter 3: A better urbanisation layout and a modern system of towns",
    "第五章 深入推进绿色城镇化全力建设美丽宜居泉城":
        "Chapter 5: Green urbanisation, a beautiful and liveable Spring City",
    "第六章 深入推进均衡城镇化扎实推进全民共同富裕":
        "Chapter 6: Balanced urbanisation and common prosperity",
    "第一章 精准研判发展趋势 科学制定目标要求": "Chapter 1: Trends and targets",
    "第三章 深入推进智慧城镇化 打造科技强区数智历城":
        "Chapter 3: Smart urbanisation, a digital Licheng",
    "第四章 深入推进绿色城镇化 绘就宜居宜业生态历城":
        "Chapter 4: Green urbanisation, an ecological Licheng",
    "第五章 深入推进均衡城镇化建设协同发展品质历城":
        "Chapter 5: Balanced urbanisation, a Licheng of quality",
    "第一章开启全面建设新时代现代化": "Chapter 1: Opening a new era of modernisation",
    "第二章推动新时代现代化强省会": "Chapter 2: A strong, modern provincial capital",
    "第六章以城乡融合发展为抓手": "Chapter 6: Integrated urban and rural development",
    "第七章深化重点领域改革": "Chapter 7: Reform in key fields",
    "第十一章贯彻共享发展理念创造美好幸福生活": "Chapter 11: Shared development, a better life",
    "二、主要任务": "Part 2: Main tasks",
    "居住区生活圈 residential life circles": "Residential life circles",
}
"""A plan's chapter heading (as in the file) -> its English title."""


def chapter_title(m: Metric) -> tuple[str, str]:
    """(Chinese, English) title of the chapter an entry's quote stands in.

    Examples
    --------
    >>> chapter_title(get_metric("L-PARK-2025"))
    ('第一章 精准研判发展趋势 科学制定目标要求', 'Chapter 1: Trends and targets')
    """
    return m.chapter, CHAPTERS_EN.get(m.chapter, m.chapter)


def get_metric(metric_id: str) -> Metric:
    """The :class:`Metric` with this id; raises a ``JinanGISError`` listing the ids, the
    closest to what was typed first.

    Examples
    --------
    >>> get_metric("L-CLINIC-500")
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.JinanGISError: unknown metric 'L-CLINIC-500'; choose one of: L-CLINIC-1000, ...
    """
    for m in CATALOGUE:
        if m.id == metric_id:
            return m
    ids = [m.id for m in CATALOGUE]
    close = difflib.get_close_matches(str(metric_id), ids, n=3, cutoff=0.5)
    ordered = close + [i for i in ids if i not in close]
    raise JinanGISError(f"unknown metric {metric_id!r}; choose one of: {', '.join(ordered)}.")


def catalogue_table() -> pd.DataFrame:
    """The catalogue as a table (one row per metric), for reports and the README.

    Examples
    --------
    >>> t = catalogue_table()
    >>> {"id", "threshold", "target_text", "source_file", "quote", "basis", "rule",
    ...  "chapter_en", "refs"} <= set(t.columns)
    True
    """
    rows = []
    for m in CATALOGUE:
        d = asdict(m)
        d.pop("extra")
        d["threshold"] = m.threshold_text
        d["categories"] = ", ".join(m.categories)
        d["scope"] = ", ".join(m.scope)
        d["needs"] = ", ".join(m.needs)
        d["refs"] = ", ".join(m.refs)
        d["rule"] = m.rule_text
        d["chapter_en"] = chapter_title(m)[1]
        d["mode"] = MODE_NOTE if m.kind in ("coverage", "life_circle") else "—"
        rows.append(d)
    return pd.DataFrame(rows)


PLAN_TITLES: dict[str, tuple[str, str]] = {
    "000_13695917f30c47f9.txt": (
        "济南市历城区新型城镇化规划（2021-2035年）实施评估报告",
        "Licheng New Urbanisation Plan (2021-2035) evaluation report, 2023",
    ),
    "001_42cd662d68b88e93.txt": (
        "济南市新型城镇化规划（2021-2035年）",
        "Jinan New Urbanisation Plan (2021-2035)",
    ),
    "002_248ac38be71e6bc0.txt": (
        "济南市历城区新型城镇化规划（2021-2035年）",
        "Licheng New Urbanisation Plan (2021-2035)",
    ),
    "003_e346c132f88ab10b.txt": (
        "济南市市中区“十四五”规划和2035年远景目标纲要",
        "Shizhong 14th Five-Year Plan and 2035 goals",
    ),
    "004_75a06550513ebb48.txt": (
        "山东省新型城镇化建设2022年行动计划",
        "Shandong New Urbanisation 2022 Action Plan",
    ),
    "GB 50180-2018": (
        "城市居住区规划设计标准（GB 50180-2018）",
        "Standard for urban residential area planning and design (GB 50180-2018)",
    ),
}
"""A metric's ``source_file`` (a file in ``shared/plans/``, or the national standard) ->
(Chinese title, English title) of the plan, to show people instead of the file name."""


def plan_title(source_file: str) -> tuple[str, str]:
    """(Chinese, English) title of the plan in ``source_file``; the file name itself (twice)
    when it is not a known plan.

    Examples
    --------
    >>> plan_title(get_metric("L-CLINIC-1000").source_file)[1]
    'Licheng New Urbanisation Plan (2021-2035) evaluation report, 2023'
    >>> plan_title("x.txt")
    ('x.txt', 'x.txt')
    """
    return PLAN_TITLES.get(source_file, (source_file, source_file))
