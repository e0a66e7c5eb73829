"""OpenStreetMap tag rules for street networks: which ways each travel mode may use.

All the rules live here, in :data:`MODE_RULES`, and every street source uses them: OSM files
(``.osm``, ``.osm.bz2``, ``.osm.pbf``), the Overpass download (as a second filter after the
server-side OSMnx filter) and centreline files (through their mapped ``highway`` class).

The rules follow OSMnx's ``network_type`` filters (``walk``, ``bike``, ``drive``) with OSM's
access hierarchy on top, as pyrosm does:

* every mode drops areas (``area=yes``) and ways not in use (``highway=construction``,
  ``proposed``, ``abandoned``, ``platform``, ``raceway``, ``rest_area``, ``services``...);
* **walk** drops motorways (``motorway``, ``motorway_link``), ``cycleway``, ``bus_guideway``,
  ``service=private`` and roads whose sidewalk is mapped as its own way
  (``sidewalk=separate``: the sidewalk itself is walked, not the carriageway);
* **bike** drops motorways, ``footway``, ``steps``, ``corridor``, ``elevator``,
  ``escalator``, ``bus_guideway`` and ``service=private``; a ``footway`` or ``pedestrian``
  way explicitly open to bicycles (``bicycle=yes/designated/permissive``) is kept;
* **drive** drops everything cars cannot use (``footway``, ``path``, ``pedestrian``,
  ``steps``, ``cycleway``, ``track``, ``bridleway``, ``busway``, ``corridor``...) and
  service roads (``highway=service``), as OSMnx's ``drive`` does;
* access tags, most specific first: walk ``foot`` > ``access``; bike ``bicycle`` >
  ``vehicle`` > ``access``; drive ``motorcar`` > ``motor_vehicle`` > ``vehicle`` >
  ``access``.  The most specific tag present decides: ``no`` or ``private`` (also as one of
  several values, ``private;delivery``) closes the way, so ``access=no`` + ``foot=yes`` is
  walkable and ``access=no`` alone is not;
* **all** keeps every way in use, private ones too (for a layer used with its
  ``walk``/``bike``/``drive`` flags).

One-way rules (:func:`oneway_direction`): ``oneway=yes/true/1`` is one-way in the digitised
direction, ``oneway=-1/reverse`` against it (the geometry is then reversed so that the line
always runs in the permitted direction), ``junction=roundabout/circular`` implies one-way.
One-way applies to ``drive`` (and ``all``, which carries the driving restriction) and to
``bike`` (unless ``oneway:bicycle=no``); it never applies to ``walk``.

Examples
--------
>>> way_access({"highway": "motorway"})
{'walk': False, 'bike': False, 'drive': True}
>>> exclusion_reason({"highway": "footway"}, "drive")
'not a drive way: highway=footway'
>>> exclusion_reason({"highway": "residential", "access": "no", "foot": "yes"}, "walk") is None
True
>>> oneway_direction({"highway": "primary", "oneway": "-1"}, "drive")
-1
>>> oneway_direction({"highway": "primary", "oneway": "yes"}, "walk")
0
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from ..geo.errors import JinanGISError
from ..geo.missing import is_missing
from ..geo.modes import MODES

__all__ = [
    "ACCESS_MODES",
    "LOAD_MODES",
    "MODE_RULES",
    "OSMNX_NETWORK_TYPE",
    "RULE_TAG_KEYS",
    "LoadMode",
    "ModeRule",
    "check_load_mode",
    "exclusion_reason",
    "oneway_direction",
    "way_access",
]

log = logging.getLogger(__name__)

LoadMode = Literal["walk", "bike", "drive", "all"]
"""A mode a street layer can be loaded for: a travel mode (:data:`jinan_gis.geo.modes.Mode`)
or ``"all"``."""

ACCESS_MODES: tuple[str, ...] = MODES
"""Modes that get an access flag column in a street layer: the travel modes,
:data:`jinan_gis.geo.modes.MODES`."""

LOAD_MODES: tuple[str, ...] = (*MODES, "all")
"""Modes a street layer can be loaded for: the travel modes, and ``all`` (every way in use,
with the per-mode access flags telling them apart)."""

OSMNX_NETWORK_TYPE: dict[str, str] = {
    "walk": "walk",
    "bike": "bike",
    "drive": "drive",
    "all": "all",
}
"""OSMnx ``network_type`` used to download each mode from Overpass."""

_CLOSED = frozenset({"no", "private"})
_OPEN = frozenset({"yes", "designated", "permissive", "destination", "official"})

_NOT_IN_USE = frozenset(
    {
        "abandoned",
        "construction",
        "disused",
        "no",
        "planned",
        "platform",
        "proposed",
        "raceway",
        "razed",
        "rest_area",
        "services",
    }
)
_MOTOR = frozenset({"motor", "motorway", "motorway_link"})


@dataclass(frozen=True)
class ModeRule:
    """The tag rule of one travel mode.

    Attributes
    ----------
    excluded_highway : frozenset of str
        ``highway`` values the mode never uses.
    soft_excluded_highway : frozenset of str
        ``highway`` values the mode does not use unless its own access tag (the first of
        ``access_keys``) explicitly opens the way (``yes``, ``designated``, ``permissive``).
    access_keys : tuple of str
        The mode's access tags, most specific first; ``access`` is always consulted last.
    excluded_tags : dict
        Other ``key -> values`` that exclude a way (e.g. ``service=private``).
    """

    excluded_highway: frozenset[str]
    soft_excluded_highway: frozenset[str] = frozenset()
    access_keys: tuple[str, ...] = ()
    excluded_tags: Mapping[str, frozenset[str]] = field(default_factory=dict)


MODE_RULES: dict[str, ModeRule] = {
    "walk": ModeRule(
        excluded_highway=_NOT_IN_USE | _MOTOR | {"bus_guideway", "cycleway"},
        access_keys=("foot",),
        excluded_tags={
            "area": frozenset({"yes"}),
            "service": frozenset({"private"}),
            "sidewalk": frozenset({"separate"}),
            "sidewalk:both": frozenset({"separate"}),
            "sidewalk:left": frozenset({"separate"}),
            "sidewalk:right": frozenset({"separate"}),
        },
    ),
    "bike": ModeRule(
        excluded_highway=_NOT_IN_USE
        | _MOTOR
        | {"bus_guideway", "corridor", "elevator", "escalator", "steps"},
        soft_excluded_highway=frozenset({"footway", "pedestrian"}),
        access_keys=("bicycle", "vehicle"),
        excluded_tags={"area": frozenset({"yes"}), "service": frozenset({"private"})},
    ),
    "drive": ModeRule(
        excluded_highway=_NOT_IN_USE
        | {
            "bridleway",
            "bus_guideway",
            "busway",
            "corridor",
            "cycleway",
            "elevator",
            "escalator",
            "footway",
            "ladder",
            "path",
            "pedestrian",
            "service",
            "steps",
            "track",
            "trail",
        },
        access_keys=("motorcar", "motor_vehicle", "vehicle"),
        excluded_tags={
            "area": frozenset({"yes"}),
            "service": frozenset(
                {"alley", "driveway", "emergency_access", "parking", "parking_aisle", "private"}
            ),
        },
    ),
    "all": ModeRule(
        excluded_highway=_NOT_IN_USE,
        excluded_tags={"area": frozenset({"yes"})},
    ),
}
"""The one place where the mode filters are defined (see the module docstring)."""

RULE_TAG_KEYS: tuple[str, ...] = (
    "highway",
    "name",
    "oneway",
    "oneway:bicycle",
    "junction",
    "access",
    "foot",
    "bicycle",
    "vehicle",
    "motor_vehicle",
    "motorcar",
    "service",
    "area",
    "sidewalk",
    "sidewalk:both",
    "sidewalk:left",
    "sidewalk:right",
    "layer",
    "bridge",
    "tunnel",
)
"""Every OSM tag the rules (and the street schema) read; readers must keep these."""

_ONEWAY_FORWARD = frozenset({"yes", "true", "1", "F"})
_ONEWAY_REVERSE = frozenset({"-1", "reverse", "T"})
_ROUNDABOUT = frozenset({"roundabout", "circular"})


def _values(value: object) -> set[str]:
    """The values of a tag, split at ``;`` (OSM multi-values); empty for a missing tag."""
    if is_missing(value):  # None, or NaN from a DataFrame
        return set()
    return {part.strip() for part in str(value).split(";") if part.strip()}


def check_load_mode(mode: str) -> ModeRule:
    """The tag rule of ``mode``; :class:`JinanGISError` naming :data:`LOAD_MODES` otherwise.

    Examples
    --------
    >>> check_load_mode("walk").access_keys
    ('foot',)
    >>> check_load_mode("fly")
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.JinanGISError: unknown mode 'fly': use one of walk, bike, drive, all.
    """
    try:
        return MODE_RULES[mode]
    except KeyError:
        raise JinanGISError(
            f"unknown mode {mode!r}: use one of {', '.join(LOAD_MODES)}."
        ) from None


def exclusion_reason(tags: Mapping[str, object], mode: str) -> str | None:
    """Why ``mode`` cannot use a way with these tags, or None if it can.

    Parameters
    ----------
    tags : mapping
        OSM tags of the way (missing keys, None and NaN mean "not tagged").
    mode : {"walk", "bike", "drive", "all"}

    Returns
    -------
    str or None
        A short reason such as ``"not a walk way: highway=motorway"`` or
        ``"closed to walk: foot=no"``.

    Examples
    --------
    >>> exclusion_reason({"highway": "residential"}, "walk") is None
    True
    >>> exclusion_reason({"highway": "residential", "access": "private"}, "walk")
    'closed to walk: access=private'
    >>> exclusion_reason({"highway": "footway", "bicycle": "designated"}, "bike") is None
    True
    >>> exclusion_reason({"name": "no highway tag"}, "walk")
    'no highway tag'
    """
    rule = check_load_mode(mode)
    highway = _values(tags.get("highway"))
    if not highway:
        return "no highway tag"
    hw = str(tags.get("highway"))
    if highway & rule.excluded_highway:
        return f"not a {mode} way: highway={hw}"
    for key, bad in rule.excluded_tags.items():
        if _values(tags.get(key)) & bad:
            return f"not a {mode} way: {key}={tags.get(key)}"
    decisive = None
    for key in (*rule.access_keys, "access") if mode != "all" else ():
        vals = _values(tags.get(key))
        if vals:
            decisive = (key, vals)
            break
    if decisive is not None and decisive[1] & _CLOSED:
        key = decisive[0]
        return f"closed to {mode}: {key}={tags.get(key)}"
    if highway & rule.soft_excluded_highway:
        own = _values(tags.get(rule.access_keys[0])) if rule.access_keys else set()
        if not own & _OPEN:
            return f"not a {mode} way: highway={hw} (without {rule.access_keys[0]}=yes)"
    return None


def way_access(tags: Mapping[str, object]) -> dict[str, bool]:
    """Access flags ``{"walk": ..., "bike": ..., "drive": ...}`` of a way.

    Examples
    --------
    >>> way_access({"highway": "footway"})
    {'walk': True, 'bike': False, 'drive': False}
    >>> way_access({"highway": "residential", "motor_vehicle": "no"})
    {'walk': True, 'bike': True, 'drive': False}
    """
    return {m: exclusion_reason(tags, m) is None for m in ACCESS_MODES}


def oneway_direction(tags: Mapping[str, object], mode: str) -> int:
    """Permitted direction of travel of ``mode`` along the way's node order.

    Returns
    -------
    int
        ``0`` both directions, ``1`` only in the digitised direction, ``-1`` only against it
        (reverse the geometry to make it ``1``).

    Examples
    --------
    >>> oneway_direction({"highway": "tertiary", "junction": "roundabout"}, "drive")
    1
    >>> oneway_direction({"highway": "tertiary", "oneway": "yes", "oneway:bicycle": "no"}, "bike")
    0
    >>> oneway_direction({"highway": "tertiary", "oneway": "yes"}, "all")
    1
    """
    check_load_mode(mode)
    if mode == "walk":
        return 0
    oneway = tags.get("oneway")
    value = None if is_missing(oneway) else str(oneway).strip()
    if mode == "bike":
        bike = _values(tags.get("oneway:bicycle"))
        if bike & {"no", "false", "0"}:
            return 0
        if bike & {"yes", "true", "1"}:
            return 1
    if value in _ONEWAY_FORWARD:
        return 1
    if value in _ONEWAY_REVERSE:
        return -1
    if value in {"no", "false", "0"}:
        return 0
    if _values(tags.get("junction")) & _ROUNDABOUT:
        return 1
    return 0
