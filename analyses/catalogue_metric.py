"""One catalogue entry (:class:`Metric`), the study districts, and how to supply each layer.

The data of the catalogue is in :mod:`jinan_gis.analyses.catalogue_city` (001, 004 and the
national standard), :mod:`jinan_gis.analyses.catalogue_licheng` (000, 002) and
:mod:`jinan_gis.analyses.catalogue_shizhong` (003); :mod:`jinan_gis.analyses.catalogue`
assembles it in the plans' order. :data:`LAYER_HOWTO` says, for every layer an entry may
need, how a user supplies it: every ``needs layer: ...`` status quotes it.

Examples
--------
>>> needs_text(["communities"])[:39]
'needs layer: communities (社区/村 polygons'
>>> KIND_RULES["count"][:30]
'number of facilities of the ca'
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..geo.reach import WALK_SPEED_KMH, minutes_to_metres
from ..layers.districts import DISTRICT_CODES, DISTRICTS

__all__ = [
    "KIND_RULES",
    "LAYER_HOWTO",
    "LICHENG",
    "MODE_NOTE",
    "NEED_NAMES",
    "SHIZHONG",
    "Metric",
    "needs_text",
]

LICHENG, SHIZHONG = (next(c for c in DISTRICT_CODES if DISTRICTS[c][1].startswith(name))
                     for name in ("Licheng", "Shizhong"))
"""The two study districts' codes (历城区 370112, 市中区 370103), from
:data:`~jinan_gis.layers.districts.DISTRICT_CODES`."""

MODE_NOTE = (
    f"no plan states the travel mode: walking at {WALK_SPEED_KMH:g} km/h (15 min = 1000 m, "
    "the upper end of GB 50180-2018's 800-1000 m) is the toolkit default"
)

_PY = ("`jinan-gis import FILE --as {name}` (polygons; in Python: "
       "AnalysisInputs(..., extra={{'{name}': gdf}}))")

LAYER_HOWTO: dict[str, str] = {
    "streets": "`jinan-gis import streets.gpkg --as streets` (or `--as osm`)",
    "population": "`jinan-gis import people.csv --as population` (or `--as osm` with the "
                  "2020 census totals)",
    "facilities": "`jinan-gis import facilities.csv --as facilities` (or `--as osm`)",
    "zones": "sub-district polygons: `jinan-gis import subdistricts.gpkg --as zones`",
    "old_town": "the area inside the 2nd ring road (二环路以内区域) as layer 'old_town': "
                "`jinan-gis import ring2.gpkg --as zones --name old_town`",
    "park areas": "parks with an `area_m2` column (`--as osm` gives their polygons' area)",
    "pop_60plus": "a `pop_60plus` column on the population points (`jinan-gis import "
                  "X.osm.pbf --as osm` with the 2020 census totals adds it)",
    "pop_0_2": "a `pop_0_2` column on the population points (`jinan-gis import X.osm.pbf "
               "--as osm` with the 2020 census totals adds it)",
    "capacity": "a `capacity` column (places) on these facilities: `jinan-gis import FILE "
                "--as facilities --capacity-column 托位数` (Python: capacity_column=) or "
                "OSM's capacity tag",
    "physicians": "a `physicians` column (licensed (assistant) physicians) on these "
                  "facilities, e.g. from the health commission's register: `jinan-gis import FILE "
                  "--as facilities --physicians-column 医师数`",
    "communities": "社区/村 polygons with `zone_id`, `zone_name` and `urban` (True = 城市社区, "
                   "False = 村); " + _PY.format(name="communiti"
                   "es"),
    "new_communities": "new residential communities (社区) with the elderly-care floor area "
                       "required and provided (`required_m2`, `provided_m2`); "
                       + _PY.format(name="new_communities"),
    "residential_compounds": "住宅小区 polygons with a `property_managed` (bool) column; "
                             + _PY.format(name="residential_compounds"),
    "forest": "forest polygons (landuse=forest / natural=wood): `jinan-gis import X.osm.pbf "
              "--as osm` writes a 'forest' layer; " + _PY.format(name="forest"),
    "built_up": "the built-up area (建成区) outline; " + _PY.format(name="built_up"),
    "green_space": "green-space polygons (绿地, land cover); " + _PY.format(name="green_space"),
    "coverage_5g": "5G signal-coverage polygons from the operators; "
                   + _PY.format(name="coverage_5g"),
    "key_areas": "重点公共区域 polygons (squares, stations, schools...); "
                 + _PY.format(name="key_areas"),
    "tangye_area": "the 唐冶片区 outline; " + _PY.format(name="tangye_area"),
    "regional_network": "a drive / transit network of the whole metropolitan area with "
                        "speeds; 1-hour commuting times are not computed by the toolkit yet",
    "villages": "行政村 polygons with the plan's flags (e.g. `beautiful_village_demo`, "
                "`sewage_treated`, `four_good_road`, `qualified` for logistics); "
                + _PY.format(name="villages"),
}
"""Layer name -> how a user supplies it (quoted in every ``needs layer: ...`` status)."""

KIND_RULES: dict[str, str] = {
    "coverage": "share of the district's residents (weighted by the demand column) whose "
                "network distance to the nearest facility of the categories is within the "
                "threshold",
    "zone_presence": "share of the district's sub-districts (街道) holding at least "
                     "min_per_zone facilities of the categories inside their polygon",
    "per_capita_area": "m² of the categories' polygons inside the district per resident",
    "life_circle": "share of residents with every facility type of the GB 50180-2018 circle "
                   "within its walking distance",
    "count": "number of facilities of the categories inside the district polygon",
    "per_capita_count": "facilities (or the sum of their count column) of the categories "
                        "inside the district per `per_people` people of the demand column",
    "area_share": "share of the district's area covered by the layer's polygons",
    "unit_share": "share of the unit layer's polygons in the district (after its filter) that "
                  "hold a facility of the categories, or whose flag column is true",
    "travel_time": "share of residents within the travel time of the centre on a regional "
                   "network (not computed by the toolkit yet)",
}
"""How each kind of entry is measured, in one sentence (an entry may say more in ``rule``)."""


NEED_NAMES: dict[str, str] = {
    "pop_60plus": "population with age columns (people aged 60+)",
    "pop_0_2": "population with age columns (children aged 0-2)",
}
"""How a need is named in a status when its key is not a layer's name."""


def needs_text(layers: list[str] | tuple[str, ...]) -> str:
    """The ``needs layer: ...`` status naming each missing layer and how to supply it.

    Examples
    --------
    >>> needs_text(["streets"])
    'needs layer: streets (`jinan-gis import streets.gpkg --as streets` (or `--as osm`))'
    >>> needs_text(["pop_60plus"])[:60]
    'needs layer: population with age columns (people aged 60+) ('
    """
    parts = [f"{NEED_NAMES.get(n, n)} ({LAYER_HOWTO[n]})" if n in LAYER_HOWTO else n
             for n in layers]
    return "needs layer: " + "; ".join(parts)


@dataclass(frozen=True)
class Metric:
    """One measurable target of a plan (or a national-standard default, labelled so).

    ``kind`` is one of :data:`KIND_RULES`. ``scope`` holds the district codes the entry is
    evaluated for; ``plan_scope`` is the plan's own scope (``L``, ``S``, ``JN``, ``SD`` or
    ``GB``); ``applies`` is ``"district"`` when the target holds for each district and
    ``"city_total"`` when it is a city- or province-wide total (each district's value is then
    its contribution, with the status ``no district target``). ``refs`` are the ids in
    ``shared/plans/METRICS.md``; ``chapter`` is the plan's heading above the quote.
    ``baseline``/``baseline_year`` are 专栏1's 2020 column, ``reported``/``reported_year`` an
    achieved value of the 2023 evaluation report (000) with its verbatim ``reported_quote``,
    ``target_year`` the year of
    ``target`` (for the progress table). ``demand`` is the population column people are
    weighted by (``population``, ``pop_60plus``, ``pop_0_2``).
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
    refs: tuple[str, ...] = ()
    chapter: str = ""
    plan_scope: str = ""
    applies: str = "district"
    unit: str = ""
    rule: str = ""
    baseline: float | None = None
    baseline_year: int | None = None
    reported: float | None = None
    reported_year: int | None = None
    reported_quote: str = ""
    target_year: int | None = None
    demand: str = "population"
    count_column: str | None = None
    per_people: float = 1000.0
    unit_layer: str | None = None
    unit_filter: bool | None = None
    flag_column: str | None = None
    area_layer: str | None = None

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

    @property
    def rule_text(self) -> str:
        """The measurement rule in one sentence (the entry's own, else its kind's)."""
        if self.rule:
            return self.rule
        base = KIND_RULES.get(self.kind, self.kind)
        if self.kind == "coverage":
            base = base.replace("the threshold", self.threshold_text)
        return base + "."

    def distance_m(self, *, rural: bool = False) -> float | None:
        """The network distance of the threshold (rural threshold when ``rural``)."""
        if rural and self.rural_walk_min is not None:
            return minutes_to_metres(self.rural_walk_min)
        if self.walk_min is not None:
            return minutes_to_metres(self.walk_min)
        return self.max_dist_m
