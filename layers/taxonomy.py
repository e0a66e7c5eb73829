"""The facility taxonomy: every category the plans name, in one table.

Each :class:`Category` has an ``id`` (used in every facility layer's ``category`` column), Chinese
and English names, its parent ``group`` ("health", "culture", "fitness", "elderly",
"education", "convenience", "transit", "park"), an optional service ``tier``, the Chinese name
``keywords`` that :func:`classify_name` looks for, and the OpenStreetMap tag matchers that
:func:`classify_osm_tags` applies. :data:`GROUPS` names the groups analyses ask for; a group may
be narrower than a parent group (``"clinic"`` = community health service centres, sub-district /
town health centres and community health service stations: the primary-care network of plan
000, metric A1).

Classification rules (never a guess: what matches nothing stays ``None``, and loaders keep it
as ``"unknown"``):

* :func:`classify_name` strips bracketed parts (``（洪家楼店）``, ``(公交站)``), then takes the
  keyword whose match **ends last** in the name (a Chinese name ends with what the place is:
  ``...社区卫生服务中心山大社区卫生服务站`` is a station), ties going to the **longest** keyword
  (``体育公园`` before ``公园``). If the stripped name matches nothing, the full name is tried.
* :func:`classify_osm_tags` tries the matchers with the most tags first (``railway=station`` +
  ``station=subway`` before anything with one tag). :func:`classify_osm` then lets a Chinese name
  refine the tag category *within the same group* (an ``amenity=clinic`` named
  ``...社区卫生服务中心`` is a community health service centre), and uses the name alone when no
  tag matches.

Examples
--------
>>> cat, kw = classify_name("历城区洪家楼街道社区卫生服务中心")
>>> cat.id, cat.tier, kw
('chc', 'centre', '社区卫生服务中心')
>>> classify_name("洪家楼街道社区卫生服务中心山大社区卫生服务站")[0].id
'chs_station'
>>> classify_name("某某物流公司")
(None, None)
>>> categories_in_group("clinic")
('chc', 'township_health_centre', 'chs_station')
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..geo.errors import InputDataError

__all__ = [
    "CATEGORIES",
    "GROUPS",
    "UNKNOWN",
    "Category",
    "categories_in_group",
    "categories_table",
    "classify_name",
    "classify_osm",
    "classify_osm_tags",
    "get_category",
    "group_of",
    "resolve_categories",
    "resolve_category",
    "vocabulary_table",
]

log = logging.getLogger(__name__)

UNKNOWN = "unknown"
"""The ``category`` of a facility that no rule classifies (kept, listed, never guessed)."""

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
        ("养老院", "敬老院", "老年公寓", "养老服务站", "幸福院", "颐养院", "护理院"),
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
}
"""Group id -> (Chinese name, English name)."""

_EXTRA_GROUP_MEMBERS: dict[str, tuple[str, ...]] = {
    "clinic": ("chc", "township_health_centre", "chs_station"),
}
"""Groups that are not a parent group: their member categories."""

_BRACKETS = re.compile(r"[（(【\[][^（()）【】\[\]]*[)）】\]]")


# ---------------------------------------------------------------------------- look-ups


def get_category(category_id: str) -> Category:
    """Return the :class:`Category` with id ``category_id``.

    Raises :class:`~jinan_gis.geo.errors.InputDataError` listing the valid ids otherwise.

    Examples
    --------
    >>> get_category("library").name_zh
    '图书馆'
    >>> get_category("clinc")
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.InputDataError: unknown facility category 'clinc'. ...
    """
    for cat in CATEGORIES:
        if cat.id == category_id:
            return cat
    raise InputDataError(
        f"unknown facility category {category_id!r}. Use one of: "
        f"{', '.join(c.id for c in CATEGORIES)} (see jinan_gis.layers.taxonomy.categories_table())."
    )


def resolve_category(value: Any) -> Category | None:
    """Resolve a category column value: a category id, a Chinese/English name, or a keyword.

    Returns ``None`` for empty values and values that match nothing (never a guess).

    Examples
    --------
    >>> resolve_category("chc").id, resolve_category("社区卫生服务站").id
    ('chc', 'chs_station')
    >>> resolve_category("Public Library").id, resolve_category(None)
    ('library', None)
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    if not text:
        return None
    low = text.casefold()
    for cat in CATEGORIES:
        if low in (cat.id, cat.name_en.casefold(), cat.name_zh.casefold()):
            return cat
    return classify_name(text)[0]


def group_of(category_id: str) -> str | None:
    """Return the parent group of ``category_id`` (None for ``"unknown"``).

    Examples
    --------
    >>> group_of("chs_station"), group_of("unknown")
    ('health', None)
    """
    if category_id == UNKNOWN:
        return None
    return get_category(category_id).group


def categories_in_group(group: str) -> tuple[str, ...]:
    """Return the ids of the categories in ``group`` (a key of :data:`GROUPS`).

    Examples
    --------
    >>> categories_in_group("culture")
    ('culture_station', 'library', 'cultural_centre', 'quancheng_study', 'culture_square',
     'farm_bookhouse')
    >>> categories_in_group("clinics")
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.InputDataError: unknown facility group 'clinics'. ...
    """
    if group not in GROUPS:
        raise InputDataError(f"unknown facility group {group!r}. Use one of: {', '.join(GROUPS)}.")
    if group in _EXTRA_GROUP_MEMBERS:
        return _EXTRA_GROUP_MEMBERS[group]
    return tuple(c.id for c in CATEGORIES if c.group == group)


def _vocabulary() -> dict[str, tuple[str, ...]]:
    """Every name a planner may ask for (casefolded) -> the category ids it means."""
    vocab: dict[str, tuple[str, ...]] = {}
    for cat in CATEGORIES:
        for name in (cat.id, cat.name_zh, cat.name_en):
            vocab.setdefault(name.casefold(), (cat.id,))
    for group, (zh, en) in GROUPS.items():
        ids = categories_in_group(group)
        for name in (group, zh):
            vocab[name.casefold()] = ids
        vocab.setdefault(en.casefold(), ids)
    return vocab


def resolve_categories(names: str | Any) -> tuple[str, ...]:
    """Resolve what a planner asks for into category ids, or fail listing the valid names.

    Each name may be a category id (``"chc"``), a group (``"clinic"``: the primary-care
    network of metric L-CLINIC-1000 = CHC + sub-district health centre + CHS station;
    ``"culture"``...), or a category's / group's Chinese or English name
    (``"社区卫生服务中心"``, ``"基层医疗卫生机构"``, ``"Public Library"``). Matching ignores case
    and surrounding spaces. The ids come back in taxonomy order, without repeats.

    Raises
    ------
    InputDataError
        A name matches nothing; the message lists the valid groups and categories
        (``jinan-gis categories`` prints them with their Chinese names).

    Examples
    --------
    >>> resolve_categories("clinic")
    ('chc', 'township_health_centre', 'chs_station')
    >>> resolve_categories(["library", "社区卫生服务中心", "chc"])
    ('chc', 'library')
    >>> resolve_categories("clinics")
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.InputDataError: unknown facility category or group 'clinics'. ...
    """
    items = [names] if isinstance(names, str) else list(names)
    if not items:
        raise InputDataError(
            "no facility category given; name a group (e.g. clinic, culture, fitness) or a "
            "category id (e.g. chc, library): `jinan-gis categories` lists them all."
        )
    vocab = _vocabulary()
    wanted: set[str] = set()
    for item in items:
        key = str(item).strip().casefold()
        if key not in vocab:
            raise InputDataError(
                f"unknown facility category or group {str(item)!r}. Groups: "
                f"{', '.join(GROUPS)}. Categories: {', '.join(c.id for c in CATEGORIES)}. "
                "Chinese and English names work too; `jinan-gis categories` lists them all."
            )
        wanted.update(vocab[key])
    return tuple(c.id for c in CATEGORIES if c.id in wanted)


def vocabulary_table() -> pd.DataFrame:
    """The names :func:`resolve_categories` accepts: groups first, then categories.

    Columns ``name`` (what to type), ``kind`` ("group" or "category"), ``name_zh``,
    ``name_en`` and ``categories`` (the ids it selects, comma-separated).

    Examples
    --------
    >>> t = vocabulary_table()
    >>> t.loc[t["name"] == "clinic", "categories"].item()
    'chc,township_health_centre,chs_station'
    """
    rows = [
        {"name": g, "kind": "group", "name_zh": zh, "name_en": en,
         "categories": ",".join(categories_in_group(g))}
        for g, (zh, en) in GROUPS.items()
    ]
    rows += [
        {"name": c.id, "kind": "category", "name_zh": c.name_zh, "name_en": c.name_en,
         "categories": c.id}
        for c in CATEGORIES
    ]
    return pd.DataFrame(rows)


def categories_table() -> pd.DataFrame:
    """Return the taxonomy as a table, one row per category.

    Columns: ``id``, ``name_zh``, ``name_en``, ``group``, ``groups`` (every group that holds
    it, comma-separated), ``tier``, ``keywords`` (、-separated), ``osm`` (tag matchers, ``;``
    between alternatives, ``+`` between conditions), ``note``.

    Examples
    --------
    >>> t = categories_table()
    >>> t.loc[t["id"] == "chc", ["name_zh", "group", "groups", "tier"]].iloc[0].tolist()
    ['社区卫生服务中心', 'health', 'health,clinic', 'centre']
    """
    rows = []
    for cat in CATEGORIES:
        groups = [cat.group] + [g for g, ids in _EXTRA_GROUP_MEMBERS.items() if cat.id in ids]
        rows.append(
            {
                "id": cat.id,
                "name_zh": cat.name_zh,
                "name_en": cat.name_en,
                "group": cat.group,
                "groups": ",".join(groups),
                "tier": cat.tier,
                "keywords": "、".join(cat.keywords),
                "osm": "; ".join("+".join(f"{k}={v}" for k, v in m) for m in cat.osm),
                "note": cat.note,
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------- classifiers


@functools.cache
def _keyword_index() -> tuple[tuple[str, Category], ...]:
    return tuple((kw, cat) for cat in CATEGORIES for kw in cat.keywords)


@functools.cache
def _osm_matchers() -> tuple[tuple[OsmMatcher, Category], ...]:
    """All matchers, most conditions first (stable: table order among equals)."""
    matchers = [(m, cat) for cat in CATEGORIES for m in cat.osm]
    matchers.sort(key=lambda mc: -len(mc[0]))
    return tuple(matchers)


def _best_keyword(text: str) -> tuple[Category | None, str | None]:
    best: tuple[int, int] | None = None
    found: tuple[Category | None, str | None] = (None, None)
    for kw, cat in _keyword_index():
        pos = text.rfind(kw)
        if pos < 0:
            continue
        key = (pos + len(kw), len(kw))  # ends last, then longest
        if best is None or key > best:
            best = key
            found = (cat, kw)
    return found


def classify_name(name: Any) -> tuple[Category | None, str | None]:
    """Classify a facility by its Chinese name: ``(category, matched keyword)``.

    Bracketed parts are ignored first (then tried if nothing else matched); the keyword whose
    match ends last wins, ties to the longest. No match gives ``(None, None)``.

    Parameters
    ----------
    name : str or None
        The facility name, e.g. ``"历城区洪家楼街道社区卫生服务中心"``.

    Returns
    -------
    (Category or None, str or None)

    Examples
    --------
    >>> classify_name("山大路社区卫生服务站")[0].id
    'chs_station'
    >>> classify_name("泉城公园体育公园")[0].id, classify_name("泉城公园")[0].id
    ('sports_park', 'park')
    >>> classify_name("华联超市（洪家楼便利店）")[0].id
    'supermarket'
    >>> classify_name("洪家楼(公交站)")[0].id
    'bus_stop'
    >>> classify_name(None)
    (None, None)
    """
    if name is None or (isinstance(name, float) and name != name):
        return None, None
    text = "".join(str(name).split())
    if not text:
        return None, None
    stripped = _BRACKETS.sub("", text)
    cat, kw = _best_keyword(stripped)
    if cat is None and stripped != text:
        cat, kw = _best_keyword(text)
    return cat, kw


def _tag_matches(tags: Mapping[str, Any], matcher: OsmMatcher) -> bool:
    for key, value in matcher:
        got = tags.get(key)
        if got is None or (isinstance(got, float) and got != got):
            return False
        values = {v.strip() for v in str(got).split(";")}
        if value != "*" and value not in values:
            return False
    return True


def classify_osm_tags(tags: Mapping[str, Any]) -> tuple[Category | None, str | None]:
    """Classify an OSM feature by its tags: ``(category, "key=value[+key=value]")``.

    Matchers with more conditions are tried first. Multi-valued tags (``a;b``) match any value.

    Examples
    --------
    >>> classify_osm_tags({"railway": "station", "station": "subway"})[0].id
    'metro_station'
    >>> classify_osm_tags({"amenity": "clinic"})
    (Category(id='clinic_other', ...), 'amenity=clinic')
    >>> classify_osm_tags({"amenity": "bench"})
    (None, None)
    """
    for matcher, cat in _osm_matchers():
        if _tag_matches(tags, matcher):
            return cat, "+".join(f"{k}={v}" for k, v in matcher)
    return None, None


def classify_osm(
    tags: Mapping[str, Any], *, name: Any = None
) -> tuple[Category | None, str | None]:
    """Classify an OSM feature from its tags, refined by its (Chinese) name.

    The name refines the tag category only within the same parent group; with no tag match
    the name alone decides. Returns ``(category, how)`` where ``how`` names the rule.

    Examples
    --------
    >>> cat, how = classify_osm({"amenity": "clinic"}, name="王舍人街道社区卫生服务中心")
    >>> cat.id, how
    ('chc', 'amenity=clinic, name 社区卫生服务中心')
    >>> classify_osm({"amenity": "clinic"}, name="泉城公园")[0].id  # other group: tags win
    'clinic_other'
    >>> classify_osm({}, name="历城区图书馆")[0].id
    'library'
    """
    tag_cat, how = classify_osm_tags(tags)
    name_cat, kw = classify_name(name)
    if tag_cat is None:
        return name_cat, (f"name {kw}" if name_cat is not None else None)
    if name_cat is not None and name_cat.group == tag_cat.group and name_cat != tag_cat:
        return name_cat, f"{how}, name {kw}"
    return tag_cat, how
