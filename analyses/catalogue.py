"""The plans' measurable targets, in one place, each traced to its document and quote.

Every :class:`Metric` names the facility categories, the threshold (distance or minutes, and
the speed used to turn minutes into metres), the target and its year, the scope, the source
file in ``shared/plans/`` and the verbatim quote.  ``basis`` says whether the threshold comes
from a plan (``"plan"``) or is a national-standard default (``"national standard"``,
GB 50180-2018) that no plan states.  No plan states a travel mode: walking at
:data:`~jinan_gis.geo.reach.WALK_SPEED_KMH` (15 min = 1000 m) is the toolkit default and every
metric says so.

Examples
--------
>>> m = get_metric("L-CLINIC-1000")
>>> m.max_dist_m, m.target, m.source_file
(1000.0, 1.0, '000_13695917f30c47f9.txt')
>>> sorted({m.basis for m in CATALOGUE})
['national standard', 'plan']
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field

import pandas as pd

from ..geo.errors import JinanGISError
from ..geo.reach import WALK_SPEED_KMH, minutes_to_metres
from ..layers.districts import DISTRICT_CODES, DISTRICTS

__all__ = [
    "CATALOGUE",
    "LICHENG",
    "LIFE_CIRCLES",
    "MODE_NOTE",
    "PLAN_TITLES",
    "SHIZHONG",
    "Metric",
    "catalogue_table",
    "get_metric",
    "plan_title",
]

log = logging.getLogger(__name__)

LICHENG, SHIZHONG = (next(c for c in DISTRICT_CODES if DISTRICTS[c][1].startswith(name))
                     for name in ("Licheng", "Shizhong"))
"""The two study districts' codes (历城区 370112, 市中区 370103), from
:data:`~jinan_gis.layers.districts.DISTRICT_CODES`."""

MODE_NOTE = (
    f"no plan states the travel mode: walking at {WALK_SPEED_KMH:g} km/h (15 min = 1000 m, "
    "the upper end of GB 50180-2018's 800-1000 m) is the toolkit default"
)

CLINIC_CATEGORIES = ("chc", "township_health_centre", "chs_station")
CULTURE_CATEGORIES = (
    "culture_station", "library", "cultural_centre", "quancheng_study", "farm_bookhouse",
    "culture_square",
)
FITNESS_CATEGORIES = (
    "fitness_centre", "sports_park", "fitness_trail", "pitch", "fitness_equipment",
)
CONVENIENCE_CATEGORIES = ("market", "supermarket", "convenience_store")


@dataclass(frozen=True)
class Metric:
    """One measurable target.

    ``kind`` is one of ``"coverage"`` (share of residents within a distance of a category),
    ``"zone_presence"`` (share of sub-districts with at least ``min_per_zone`` facilities),
    ``"per_capita_area"`` (m² of a category per resident) and ``"life_circle"`` (share of
    residents with every facility type of a GB 50180-2018 circle within reach).
    """

    id: str
    name_zh: str
    name_en: str
    kind: str
    categories: tuple[str, ...]
    target: float | None
    target_text: str
    year: str
    scope: tuple[str, ...]
    source_file: str
    quote: str
    basis: str = "plan"
    max_dist_m: float | None = None
    walk_min: float | None = None
    rural_walk_min: float | None = None
    min_per_zone: int = 1
    zones_in_plan_scope_only: bool = False
    needs: tuple[str, ...] = ("streets", "facilities", "population")
    within_zone_type: str | None = None
    notes: str = ""
    circle: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def threshold_text(self) -> str:
        """The threshold in words (with the speed when it is a time)."""
        if self.walk_min is not None:
            m = minutes_to_metres(self.walk_min)
            txt = f"{self.walk_min:g} min walk (= {m:g} m at {WALK_SPEED_KMH:g} km/h)"
            if self.rural_walk_min is not None:
                r = minutes_to_metres(self.rural_walk_min)
                txt = f"urban {txt}; rural {self.rural_walk_min:g} min (= {r:g} m)"
            return txt
        if self.max_dist_m is not None:
            return f"{self.max_dist_m:g} m"
        return "—"

    def distance_m(self, *, rural: bool = False) -> float | None:
        """The network distance of the threshold (rural threshold when ``rural``)."""
        if rural and self.rural_walk_min is not None:
            return minutes_to_metres(self.rural_walk_min)
        if self.walk_min is not None:
            return minutes_to_metres(self.walk_min)
        return self.max_dist_m


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

CATALOGUE: tuple[Metric, ...] = (
    Metric(
        id="L-CLINIC-1000",
        name_zh="居民距社区卫生服务中心/街道卫生院/社区卫生服务站1000米以内比例",
        name_en="Residents within 1000 m of a community health centre, sub-district health "
        "centre or health station",
        kind="coverage",
        categories=CLINIC_CATEGORIES,
        max_dist_m=1000.0,
        target=1.0,
        target_text="implied 100 %: stations set up wherever residents are > 1000 m from a "
        "centre (reported as met)",
        year="2023 (achieved)",
        scope=(LICHENG,),
        source_file="000_13695917f30c47f9.txt",
        quote="「每个街道都设置了社区卫生服务中心(街道卫生院),对于距离街道社区卫生服务中心相对较远"
        "难以覆盖的或者超过1000m以上距离的设置了社区卫生服务站」",
    ),
    Metric(
        id="S-CULTURE-15-30",
        name_zh="城市15分钟、农村30分钟公共文化服务圈覆盖率",
        name_en="Residents inside the 15-minute (urban) / 30-minute (rural) public-culture "
        "service circle",
        kind="coverage",
        categories=CULTURE_CATEGORIES,
        walk_min=15.0,
        rural_walk_min=30.0,
        target=1.0,
        target_text="全覆盖 (100 %)",
        year="2025 (14th five-year plan)",
        scope=(SHIZHONG,),
        source_file="003_e346c132f88ab10b.txt",
        quote="「打造城市15 分钟和农村30 分钟公共文化服务圈新格局」; 「实现公共文化服务活动阵地全覆盖」",
        notes="urban/rural from the zone layer's 'urban' column, else the density rule "
        "(>= 1,500 residents per km² in the person's 1 km grid cell = urban; toolkit rule)",
    ),
    Metric(
        id="L-FITNESS-15",
        name_zh="15分钟健身圈覆盖率",
        name_en="Residents inside the 15-minute fitness circle",
        kind="coverage",
        categories=FITNESS_CATEGORIES,
        walk_min=15.0,
        target=None,
        target_text="no numeric target (「构建“15分钟智慧健身圈”」)",
        year="plan period 2021-2035",
        scope=(LICHENG,),
        source_file="002_248ac38be71e6bc0.txt",
        quote="「推进全民健身智慧化建设，构建“15分钟智慧健身圈”」",
    ),
    Metric(
        id="JN-CONVENIENCE-15-OLDTOWN",
        name_zh="二环路以内一刻钟便民生活圈覆盖率",
        name_en="Residents inside the 2nd ring road within 15 minutes of daily-needs shops "
        "(quarter-hour convenience circle)",
        kind="coverage",
        categories=CONVENIENCE_CATEGORIES,
        walk_min=15.0,
        target=None,
        target_text="no numeric target (「完善一刻钟便民生活圈」)",
        year="plan period 2021-2035",
        scope=(LICHENG, SHIZHONG),
        source_file="001_42cd662d68b88e93.txt",
        quote="「探索推进社区综合服务设施“一点多用”,完善一刻钟便民生活圈」; 老城区 = 「二环路以内区域」",
        needs=("streets", "facilities", "population", "old_town"),
        within_zone_type="old_town",
    ),
    Metric(
        id="JN-ELDERLY-PER-SUBDISTRICT",
        name_zh="每个镇(街道)至少一处综合养老服务中心",
        name_en="Sub-districts with at least one comprehensive elderly-care centre",
        kind="zone_presence",
        categories=("elderly_care_centre",),
        target=1.0,
        target_text="every sub-district (100 %)",
        year="2025",
        scope=(LICHENG, SHIZHONG),
        source_file="001_42cd662d68b88e93.txt",
        quote="「每个镇(街道)至少建设一处综合养老服务中心并实行社会化运营」",
        needs=("facilities", "zones"),
    ),
    Metric(
        id="L-ELDERLY-60",
        name_zh="街道综合养老服务中心覆盖率",
        name_en="Share of sub-districts with a comprehensive elderly-care centre",
        kind="zone_presence",
        categories=("elderly_care_centre",),
        target=0.6,
        target_text=">= 60 % of sub-districts",
        year="2025",
        scope=(LICHENG,),
        source_file="002_248ac38be71e6bc0.txt",
        quote="「到 2025 年，街道综合养老服务中心覆盖率达到 60% 以上，实现城乡社区日间照料服务全覆盖」",
        zones_in_plan_scope_only=True,
        needs=("facilities", "zones"),
    ),
    Metric(
        id="JN-SQUARE-PER-SUBDISTRICT",
        name_zh="每个镇(街道)至少一处文化广场",
        name_en="Sub-districts with at least one cultural square",
        kind="zone_presence",
        categories=("culture_square",),
        target=1.0,
        target_text="every sub-district (100 %)",
        year="2025",
        scope=(LICHENG, SHIZHONG),
        source_file="001_42cd662d68b88e93.txt",
        quote="「加强文化广场建设,到2025年每个镇(街道)至少设置一处文化广场」",
        needs=("facilities", "zones"),
    ),
    Metric(
        id="L-CHC-PER-SUBDISTRICT",
        name_zh="每个街道设置社区卫生服务中心(街道卫生院)",
        name_en="Sub-districts with a community health centre or sub-district health centre",
        kind="zone_presence",
        categories=("chc", "township_health_centre"),
        target=1.0,
        target_text="every sub-district (reported as achieved)",
        year="2023 (achieved)",
        scope=(LICHENG,),
        source_file="000_13695917f30c47f9.txt",
        quote="「每个街道都设置了社区卫生服务中心(街道卫生院)」",
        zones_in_plan_scope_only=True,
        needs=("facilities", "zones"),
    ),
    Metric(
        id="L-PARK-2025",
        name_zh="人均公园绿地面积（2025）",
        name_en="Park green space per resident (2025 target)",
        kind="per_capita_area",
        categories=("park",),
        target=12.7,
        target_text="12.7 m² per resident",
        year="2025",
        scope=(LICHENG,),
        source_file="002_248ac38be71e6bc0.txt",
        quote="专栏1 row 10: 「人均公园绿地面积」 平方米 — 12.7 (2025) 14.2 (2035)",
        needs=("facilities", "population", "park areas"),
    ),
    Metric(
        id="L-PARK-2035",
        name_zh="人均公园绿地面积（2035）",
        name_en="Park green space per resident (2035 target)",
        kind="per_capita_area",
        categories=("park",),
        target=14.2,
        target_text="14.2 m² per resident",
        year="2035",
        scope=(LICHENG,),
        source_file="002_248ac38be71e6bc0.txt",
        quote="专栏1 row 10: 「人均公园绿地面积」 平方米 — 12.7 (2025) 14.2 (2035)",
        needs=("facilities", "population", "park areas"),
    ),
    *(
        Metric(
            id=f"GB-LIFE-{key.upper()}",
            name_zh=f"{key.replace('min', '')}分钟生活圈配套完整率",
            name_en=f"Residents with a complete {key.replace('min', '')}-minute life circle "
            "(all standard facility types within reach)",
            kind="life_circle",
            categories=tuple(sorted({c for cs in spec["types"].values() for c in cs})),
            max_dist_m=spec["max_dist_m"],
            target=None,
            target_text="no plan target (national standard)",
            year="—",
            scope=(LICHENG, SHIZHONG),
            source_file="GB 50180-2018",
            quote=_GB,
            basis="national standard",
            circle=key,
        )
        for key, spec in LIFE_CIRCLES.items()
    ),
)
"""Every metric jinan-gis evaluates."""


def get_metric(metric_id: str) -> Metric:
    """The :class:`Metric` with this id; raises a ``JinanGISError`` listing the ids."""
    for m in CATALOGUE:
        if m.id == metric_id:
            return m
    raise JinanGISError(
        f"unknown metric {metric_id!r}; choose one of: {', '.join(m.id for m in CATALOGUE)}."
    )


def catalogue_table() -> pd.DataFrame:
    """The catalogue as a table (one row per metric), for reports and the README.

    Examples
    --------
    >>> t = catalogue_table()
    >>> {"id", "threshold", "target_text", "source_file", "quote", "basis"} <= set(t.columns)
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
