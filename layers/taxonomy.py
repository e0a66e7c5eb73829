"""The facility taxonomy: every category the plans name, in one table.

Each :class:`Category` has an ``id`` (used in every facility layer's ``category`` column),
Chinese and English names, its parent ``group`` ("health", "culture", "fitness", "elderly",
"education", "convenience", "transit", "park", and for the types the catalogue's other targets
name: "childcare", "social", "logistics", "digital", "safety", "utility"), an optional service
``tier``, the Chinese name ``keywords`` that :func:`classify_name` looks for, and the
OpenStreetMap tag matchers that :func:`classify_osm_tags` applies. :data:`GROUPS` names the
groups analyses ask for; a group may be narrower than a parent group (``"clinic"`` = community
health service centres, sub-district / town health centres and community health service
stations: the primary-care network of plan 000, metric A1). The data (:class:`Category`,
:data:`CATEGORIES`, :data:`GROUPS`) lives in :mod:`jinan_gis.layers.taxonomy_table`; this module
holds the look-ups and classifiers and re-exports the data's names.

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
from typing import Any

import pandas as pd

from ..geo.errors import InputDataError
from ..geo.missing import is_missing
from .taxonomy_table import CATEGORIES, GROUPS, Category, OsmMatcher
from .taxonomy_table import EXTRA_GROUP_MEMBERS as _EXTRA_GROUP_MEMBERS

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
    if is_missing(value):
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
    >>> categories_in_group("culture")[:6]
    ('culture_station', 'library', 'cultural_centre', 'quancheng_study', 'culture_square',
     'farm_bookhouse')
    >>> categories_in_group("social")
    ('rukang_home', 'medins_station', 'medins_point', 'community_service_centre',
     'city_management_station')
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
    if is_missing(name):
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
        if is_missing(got):
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
