"""Population from buildings (dasymetric): each zone's total spread over its homes' floor area.

:func:`population_from_buildings` takes building footprints (an OSM extract, a cadastre) and
people per zone (district, sub-district, census tract) and puts the people where the homes
are: **one point per residential building**, at a point on its surface
(``representative_point``), carrying the zone's total × the building's share of the zone's
residential floor area.

Rules (also written to the result's provenance):

* **floor area** = footprint area (m², in the working metric CRS) × levels, where levels are
  ``building:levels`` when it is a positive number, else ``height`` (metres; ``"12"``,
  ``"12 m"``) / ``metres_per_level`` (at least 1), else ``default_levels``. Defaults:
  ``default_levels=3.0``, ``metres_per_level=3.0``. ``levels_from`` says which was used.
* **residential**: ``building`` in :data:`RESIDENTIAL_TYPES` counts fully; untyped buildings
  (``building=yes``, missing, or no ``building`` column) count with ``untyped="count"``
  (the default) and are rejected with ``untyped="skip"``; **every other value** is
  non-residential (:data:`NON_RESIDENTIAL_EXAMPLES` lists the usual ones): 0 people, and a
  row in the rejection table with reason ``"non-residential building"``.
* **zone** of a building: the zone containing its representative point (the first in
  ``zones`` order if zones overlap). Buildings outside every zone are rejected
  (``"outside every zone"``), as are buildings in a zone without a total
  (``"zone has no total"``) and unusable geometry (``"empty geometry"``,
  ``"not a polygon (...)"``; invalid polygons are repaired with ``make_valid``).
* **totals are exact per zone**. With ``people="integer"`` (the default) each total must be a
  whole number and is split by largest-remainder rounding (ties go to the earlier building),
  so every point holds a whole number of people (possibly 0) and each zone's points sum to
  its total exactly. With ``people="float"`` points hold total × share, the float residue
  being put on the zone's largest home (totals checked to 1e-9).
* **zones without homes**: a zone with people but no residential building keeps its people
  as **one point at the zone's representative point** with ``status`` ``"no residential
  building"`` (a warning is logged, and the zone is listed in
  ``provenance["zones_without_homes"]``): never dropped.
* **age groups** (``age_shares={zone: {"60plus": 0.21, ...}}``) travel with the points as
  columns ``pop_60plus`` = population × share (NaN in zones without shares).

Row accounting: ``n_input`` = buildings + zones-without-homes points (``input_row`` of such
a point is ``len(buildings) + k``); every building is a point or a rejection row.

The layer has the population columns (:data:`~jinan_gis.layers.schema.POPULATION_COLUMNS`)
then ``building``, ``levels``, ``levels_from``, ``footprint_m2``, ``floor_area_m2``,
``status`` and the age columns, in the buildings' own CRS when it is metric, else EPSG:4548
(or ``crs=``).

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> zone = gpd.GeoDataFrame({"code": ["A"]}, geometry=[box(0, 0, 100, 100)], crs="EPSG:4548")
>>> b = gpd.GeoDataFrame({"building": ["house", "apartments", "school"],
...                       "building:levels": [None, "2", "2"]},
...                      geometry=[box(0, 0, 10, 10), box(20, 0, 30, 10), box(40, 0, 60, 20)],
...                      crs="EPSG:4548")
>>> res = population_from_buildings(b, {"A": 50}, zones=zone)
>>> res["population"].tolist(), res["levels_from"].tolist(), res.rejected["reason"].tolist()
([30.0, 20.0], ['default', 'building:levels'], ['non-residential building'])
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS

from ..geo.crs import metric_crs_or_default, require_metric_crs, to_analysis_crs
from ..geo.errors import InputDataError
from ..geo.missing import is_missing
from .population_layer import check_totals, finish_population
from .result import LoadResult
from .tables import usable_polygon

__all__ = [
    "NON_RESIDENTIAL_EXAMPLES",
    "RESIDENTIAL_TYPES",
    "UNTYPED_VALUES",
    "population_from_buildings",
]

log = logging.getLogger("jinan_gis.layers.population")

RESIDENTIAL_TYPES: frozenset[str] = frozenset(
    "residential apartments house detached semidetached_house terrace dormitory bungalow farm "
    "cabin houseboat static_caravan".split()
)
"""``building`` values that are homes (OSM wiki, "Key:building", accommodation)."""

UNTYPED_VALUES: frozenset[str] = frozenset({"yes", ""})
"""``building`` values meaning "a building of unknown use" (missing values count too)."""

NON_RESIDENTIAL_EXAMPLES: frozenset[str] = frozenset(
    "commercial industrial retail office school hospital church warehouse garage garages shed "
    "public university kindergarten civic government hotel college chapel mosque temple "
    "cathedral supermarket service parking train_station transportation stadium sports_hall "
    "barn greenhouse roof carport hut construction ruins".split()
)
"""Usual non-residential ``building`` values: for documentation only, since every value
neither in :data:`RESIDENTIAL_TYPES` nor untyped is non-residential."""

_NUMBER = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(?:m|metres|meters)?\s*$", re.IGNORECASE)
_OUTSIDE = "outside every zone"
_NON_RES = "non-residential building"
_NO_TOTAL = "zone has no total"
_UNTYPED_SKIPPED = "untyped building (untyped='skip')"
NO_HOME = "no residential building"


def _number(value: Any) -> float:
    """A positive finite number from ``"3"``, ``"12 m"``, 3.0; NaN otherwise.

    Examples
    --------
    >>> _number("12 m"), _number(4), _number("3;4"), _number(None), _number("0")
    (12.0, 4.0, nan, nan, nan)
    """
    if value is None or isinstance(value, bool):
        return math.nan
    if isinstance(value, int | float | np.integer | np.floating):
        out = float(value)
    else:
        m = _NUMBER.match(str(value))
        if m is None:
            return math.nan
        out = float(m.group(1))
    return out if math.isfinite(out) and out > 0 else math.nan


def _levels(
    frame: pd.DataFrame, *, default_levels: float, metres_per_level: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.object_]]:
    """Levels per building and where they came from (``building:levels``/``height``/default)."""
    n = len(frame)
    nan = np.full(n, np.nan)
    tagged = (
        frame["building:levels"].map(_number).to_numpy(float) if "building:levels" in frame else nan
    )
    height = frame["height"].map(_number).to_numpy(float) if "height" in frame else nan
    levels = np.where(
        np.isfinite(tagged),
        tagged,
        np.where(np.isfinite(height), np.maximum(height / metres_per_level, 1.0), default_levels),
    )
    source = np.where(
        np.isfinite(tagged), "building:levels", np.where(np.isfinite(height), "height", "default")
    ).astype(object)
    return levels.astype(np.float64), source


def _kinds(frame: pd.DataFrame) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.object_]]:
    """The ``building`` value (str or None) and its kind: residential / untyped / other."""
    raw = frame["building"] if "building" in frame else [None] * len(frame)
    values = np.array([None if is_missing(v) else str(v).strip() for v in raw], dtype=object)
    low = [None if v is None else v.lower() for v in values]
    kind = ["untyped" if v is None or v in UNTYPED_VALUES else "other" for v in low]
    kind = [
        k if v not in RESIDENTIAL_TYPES else "residential" for k, v in zip(kind, low, strict=True)
    ]
    return values, np.array(kind, dtype=object)


def _zones_and_totals(
    totals: Mapping[str, float] | pd.Series | gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame | None,
    *,
    zone_column: str,
    total_column: str,
    crs: Any,
) -> tuple[list[str], list[Any], dict[str, float]]:
    """Zone codes, zone polygons (in ``crs``) and totals per code, checked."""
    if isinstance(totals, gpd.GeoDataFrame):
        if zones is not None:
            raise InputDataError(
                "totals is a GeoDataFrame (zones with totals): do not pass zones too."
            )
        if total_column not in totals:
            raise InputDataError(
                f"totals has no column {total_column!r} (total_column). Columns: "
                f"{[c for c in totals.columns if c != totals.geometry.name]}."
            )
        zones = totals
        table = dict(zip(totals[zone_column].astype(str), totals[total_column], strict=True))
    else:
        table = {str(k): v for k, v in dict(totals).items()}
        if zones is None:
            from .districts import load_districts

            zones = load_districts()
    if zone_column not in zones:
        raise InputDataError(
            f"zones has no column {zone_column!r} (zone_column). Columns: "
            f"{[c for c in zones.columns if c != zones.geometry.name]}."
        )
    codes = zones[zone_column].astype(str).tolist()
    if len(set(codes)) != len(codes):
        dup = sorted({c for c in codes if codes.count(c) > 1})
        raise InputDataError(f"zones: {zone_column} values must be unique; repeated: {dup[:10]}.")
    missing = sorted(set(table) - set(codes))
    if missing:
        raise InputDataError(
            f"totals name zone(s) {missing[:10]} that are not in zones[{zone_column!r}]: their "
            "people could not be placed. Pass the zones that hold them."
        )
    clean: dict[str, float] = {}
    for code, value in table.items():
        v = float(value) if isinstance(value, int | float | np.integer | np.floating) else math.nan
        if not (math.isfinite(v) and v >= 0):
            raise InputDataError(f"total for zone {code!r} is {value!r}: need a number >= 0.")
        clean[code] = v
    geoms = to_analysis_crs(zones, what="zones", crs=crs).geometry.to_numpy()
    return codes, list(geoms), clean


def _largest_remainder(total: int, weights: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Split the whole number ``total`` in proportion to ``weights``, exactly.

    Examples
    --------
    >>> _largest_remainder(10, np.array([1.0, 1.0, 1.0])).tolist()
    [4.0, 3.0, 3.0]
    """
    quota = total * (weights / weights.sum())
    out = np.floor(quota)
    order = np.argsort(-(quota - out), kind="stable")
    k = total - int(out.sum())
    while k != 0:  # k is in [0, n) but for float rounding; loop anyway to be exact
        step = order[: min(abs(k), len(order))]
        if k < 0:
            step = [i for i in order[::-1] if out[i] > 0][:-k]
        out[step] += 1 if k > 0 else -1
        k = total - int(out.sum())
    return out


def _spread(
    total: float, weights: npt.NDArray[np.float64], *, people: str, code: str
) -> npt.NDArray[np.float64]:
    """One zone's total over its homes' floor areas (integers or floats)."""
    if people == "integer":
        if not float(total).is_integer():
            raise InputDataError(
                f"total for zone {code!r} is {total!r}, not a whole number: pass "
                "people='float' to spread fractional people."
            )
        return _largest_remainder(int(total), weights)
    out = total * (weights / weights.sum())
    out[int(np.argmax(weights))] += total - math.fsum(out.tolist())
    return out


def _assign(points: npt.NDArray[np.object_], zone_geoms: list[Any]) -> npt.NDArray[np.int64]:
    """Index of the first zone containing each point (-1: none)."""
    zone_of = np.full(len(points), -1, dtype=np.int64)
    if not len(points) or not zone_geoms:
        return zone_of
    tree = shapely.STRtree(np.asarray(zone_geoms, dtype=object))
    pt, zi = tree.query(points, predicate="intersects")
    first = np.full(len(points), len(zone_geoms), dtype=np.int64)
    np.minimum.at(first, pt, zi)  # the first zone in ``zones`` order
    zone_of[first < len(zone_geoms)] = first[first < len(zone_geoms)]
    return zone_of


def _geometries(
    gdf: gpd.GeoDataFrame, reason: npt.NDArray[np.object_]
) -> tuple[npt.NDArray[np.object_], int]:
    """Usable polygons (invalid ones repaired; None where rejected) and the number repaired."""
    geoms = gdf.geometry.to_numpy().copy()
    types = shapely.get_type_id(geoms)
    ok = np.isin(types, [3, 6]) & shapely.is_valid(geoms)
    repaired = 0
    for i in np.flatnonzero(~ok):
        geom, why, problem = usable_polygon(geoms[i])
        geoms[i] = geom
        reason[i] = why
        repaired += problem is not None and why is None
    return geoms, repaired


def _age_columns(
    layer: gpd.GeoDataFrame, age_shares: Mapping[str, Mapping[str, float]]
) -> dict[str, npt.NDArray[np.float64]]:
    """``pop_<group>`` = population × share of the point's zone (NaN without shares)."""
    groups = list(dict.fromkeys(g for shares in age_shares.values() for g in shares))
    zone = layer["zone"].astype(str).to_numpy()
    pop = layer["population"].to_numpy(float)
    out: dict[str, npt.NDArray[np.float64]] = {}
    for g in groups:
        share = np.full(len(layer), np.nan)
        for code, shares in age_shares.items():
            if g in shares:
                s = float(shares[g])
                if not (math.isfinite(s) and 0.0 <= s <= 1.0):
                    raise InputDataError(f"age share {g!r} of zone {code!r} is {s!r}: need 0..1.")
                share[zone == str(code)] = s
        out[g if str(g).startswith("pop_") else f"pop_{g}"] = pop * share
    return out


def _classify(
    gdf: gpd.GeoDataFrame,
    zone_geoms: list[Any],
    zone_codes: list[str],
    totals: dict[str, float],
    *,
    untyped: str,
) -> tuple[
    npt.NDArray[np.object_], npt.NDArray[np.object_], list[str | None], npt.NDArray[np.object_], int
]:
    """Per building: its polygon, point on surface, zone code, rejection reason (None: kept)."""
    reason = np.full(len(gdf), None, dtype=object)
    geoms, repaired = _geometries(gdf, reason)
    _, kind = _kinds(gdf)
    free = np.equal(reason, None)
    reason[free & (kind == "other")] = _NON_RES
    if untyped == "skip":
        reason[np.equal(reason, None) & (kind == "untyped")] = _UNTYPED_SKIPPED
    usable = np.flatnonzero(np.not_equal(geoms, None))
    points = np.full(len(gdf), None, dtype=object)
    points[usable] = shapely.point_on_surface(geoms[usable])
    zone_of = np.full(len(gdf), -1, dtype=np.int64)
    zone_of[usable] = _assign(points[usable], zone_geoms)
    zone = [zone_codes[z] if z >= 0 else None for z in zone_of]
    for i in np.flatnonzero(np.equal(reason, None)):
        if zone[i] is None:
            reason[i] = _OUTSIDE
        elif zone[i] not in totals:
            reason[i] = _NO_TOTAL
    return geoms, points, zone, reason, repaired


def _rejections(gdf: gpd.GeoDataFrame, reason: npt.NDArray[np.object_]) -> pd.DataFrame:
    """Rejected buildings: ``input_row``, ``reason``, their original values and ``wkt``."""
    bad = np.flatnonzero(np.not_equal(reason, None))
    attrs = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).iloc[bad].reset_index(drop=True)
    attrs = attrs.rename(columns={c: f"original_{c}" for c in ("input_row", "reason", "wkt")})
    head = pd.DataFrame({"input_row": bad.astype(np.int64), "reason": reason[bad]})
    wkt = pd.Series(shapely.to_wkt(gdf.geometry.to_numpy()[bad]), name="wkt", dtype=object)
    return pd.concat([head, attrs, wkt], axis=1)


def population_from_buildings(
    buildings: gpd.GeoDataFrame,
    totals: Mapping[str, float] | pd.Series | gpd.GeoDataFrame,
    *,
    zones: gpd.GeoDataFrame | None = None,
    zone_column: str = "code",
    total_column: str = "population",
    default_levels: float = 3.0,
    metres_per_level: float = 3.0,
    untyped: Literal["count", "skip"] = "count",
    people: Literal["integer", "float"] = "integer",
    age_shares: Mapping[str, Mapping[str, float]] | None = None,
    crs: Any | None = None,
    source_name: str = "buildings",
) -> LoadResult:
    """Spread each zone's total over its residential buildings' floor area (dasymetric).

    The rules (residential types, levels, rounding, zones without homes, row accounting) are
    in the module notes and in ``provenance["rules"]``.

    Parameters
    ----------
    buildings : geopandas.GeoDataFrame
        Footprints in any CRS, with ``building`` and, when known, ``building:levels`` and
        ``height`` (an OSM extract: ``pyrosm.OSM(path).get_buildings()``). Not changed.
    totals : mapping, pandas.Series or geopandas.GeoDataFrame
        People per zone code (``{"370112": 1_300_000}``), or the zones themselves with
        ``zone_column`` and ``total_column``.
    zones : geopandas.GeoDataFrame, optional
        Zone polygons with ``zone_column`` (default: the study districts,
        :func:`~jinan_gis.layers.districts.load_districts`, by ``code``).
    zone_column, total_column : str
        Zone code column; people column when ``totals`` is a GeoDataFrame.
    default_levels, metres_per_level : float
        Levels of a building with neither ``building:levels`` nor ``height`` (3.0); metres
        per level to turn ``height`` into levels (3.0).
    untyped : {"count", "skip"}
        Whether ``building=yes`` (or missing) counts as a home.
    people : {"integer", "float"}
        Whole people by largest remainder (totals must be whole), or float shares.
    age_shares : mapping, optional
        ``{zone: {group: share}}``: columns ``pop_<group>`` = population × share.
    crs : CRS-like, optional
        Metric CRS to measure and return in (default: the buildings' own when metric, else
        EPSG:4548).
    source_name : str
        The ``source`` value.

    Returns
    -------
    LoadResult
        One point per residential building (+ one per zone without homes); non-residential,
        outside and unusable buildings in ``rejected``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> zones = gpd.GeoDataFrame({"code": ["A", "B"], "population": [7, 5]},
    ...     geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)], crs="EPSG:4548")
    >>> b = gpd.GeoDataFrame({"building": ["yes", "house"], "height": ["6 m", None]},
    ...     geometry=[box(10, 10, 20, 20), box(30, 10, 40, 20)], crs="EPSG:4548")
    >>> res = population_from_buildings(b, zones)
    >>> res["population"].tolist(), res["status"].tolist()[-1], res.n_input
    ([3.0, 4.0, 5.0], 'no residential building', 3)
    """
    if untyped not in ("count", "skip") or people not in ("integer", "float"):
        raise InputDataError(
            f"untyped must be 'count'/'skip', people 'integer'/'float'; "
            f"got {untyped!r}, {people!r}."
        )
    if not (default_levels > 0 and metres_per_level > 0):
        raise InputDataError("default_levels and metres_per_level must be positive.")
    work_crs = metric_crs_or_default(buildings) if crs is None else CRS.from_user_input(crs)
    work_crs = str(require_metric_crs(work_crs, what="crs").to_string())
    gdf = to_analysis_crs(buildings, what=source_name, crs=work_crs)
    codes, zone_geoms, table = _zones_and_totals(
        totals, zones, zone_column=zone_column, total_column=total_column, crs=work_crs
    )
    geoms, points, zone, reason, repaired = _classify(
        gdf, zone_geoms, codes, table, untyped=untyped
    )
    opts = {
        "source": source_name,
        "people": people,
        "untyped": untyped,
        "crs": work_crs,
        "default_levels": default_levels,
        "metres_per_level": metres_per_level,
    }
    layer, homeless = _homes(gdf, geoms, points, zone, reason, codes, table, opts)
    layer = _add_homeless(
        layer, homeless, codes, zone_geoms, table, n_buildings=len(gdf), source=source_name
    )
    if age_shares is not None:
        ages = _age_columns(layer, age_shares)
        layer = layer.assign(**ages)[
            [*[c for c in layer.columns if c != "geometry"], *ages, "geometry"]
        ]
    rejected = _rejections(gdf, reason)
    prov = _provenance(layer, table, homeless, repaired, {**opts, "n_buildings": len(gdf)})
    result = finish_population(layer, rejected, len(gdf) + len(homeless), prov)
    result.provenance["crs"] = work_crs
    return result


def _homes(
    gdf: gpd.GeoDataFrame,
    geoms: npt.NDArray[np.object_],
    points: npt.NDArray[np.object_],
    zone: list[str | None],
    reason: npt.NDArray[np.object_],
    codes: list[str],
    table: dict[str, float],
    opts: dict[str, Any],
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """One point per kept building with its share of the zone's people; zones without homes."""
    levels, levels_from = _levels(
        gdf, default_levels=opts["default_levels"], metres_per_level=opts["metres_per_level"]
    )
    values, _ = _kinds(gdf)
    kept = np.flatnonzero(np.equal(reason, None))
    footprint = shapely.area(geoms[kept]).astype(np.float64)
    floor = footprint * levels[kept]
    pop = np.zeros(len(kept))
    kept_zone = np.array([zone[i] for i in kept], dtype=object)
    homeless: list[str] = []
    for code in codes:
        idx = np.flatnonzero(kept_zone == code)
        if code in table and floor[idx].sum() > 0:
            pop[idx] = _spread(table[code], floor[idx], people=opts["people"], code=code)
        elif table.get(code, 0.0) > 0:
            homeless.append(code)
    layer = gpd.GeoDataFrame(
        {
            "pop_id": pd.Series([f"b{i}" for i in kept], dtype=object),
            "population": pop,
            "source": opts["source"],
            "zone": pd.Series(kept_zone, dtype=object),
            "input_row": kept.astype(np.int64),
            "building": pd.Series(values[kept], dtype=object),
            "levels": levels[kept],
            "levels_from": pd.Series(levels_from[kept], dtype=object),
            "footprint_m2": footprint,
            "floor_area_m2": floor,
            "status": "residential building",
        },
        geometry=gpd.GeoSeries(points[kept], crs=opts["crs"]).values,
        crs=opts["crs"],
    )
    return layer, homeless


def _add_homeless(
    layer: gpd.GeoDataFrame,
    homeless: list[str],
    codes: list[str],
    zone_geoms: list[Any],
    totals: dict[str, float],
    *,
    n_buildings: int,
    source: str,
) -> gpd.GeoDataFrame:
    """One point per zone with people but no home, at the zone's representative point."""
    if homeless:
        log.warning(
            "%d zone(s) have people but no residential building; each keeps its people as one "
            "point at its representative point (status %r): %s",
            len(homeless),
            NO_HOME,
            homeless[:10],
        )
    if not homeless:
        return layer
    extra = gpd.GeoDataFrame(
        {
            "pop_id": [f"zone:{c}" for c in homeless],
            "population": [totals[c] for c in homeless],
            "source": source,
            "zone": pd.Series(homeless, dtype=object),
            "input_row": np.arange(n_buildings, n_buildings + len(homeless), dtype=np.int64),
            "building": pd.Series([None] * len(homeless), dtype=object),
            "levels": np.nan,
            "levels_from": pd.Series([None] * len(homeless), dtype=object),
            "footprint_m2": 0.0,
            "floor_area_m2": 0.0,
            "status": NO_HOME,
        },
        geometry=[zone_geoms[codes.index(c)].representative_point() for c in homeless],
        crs=layer.crs,
    )
    if len(layer) == 0:
        return extra
    return gpd.GeoDataFrame(pd.concat([layer, extra], ignore_index=True), crs=layer.crs)


def _provenance(
    layer: gpd.GeoDataFrame,
    totals: dict[str, float],
    homeless: list[str],
    repaired: int,
    opts: dict[str, Any],
) -> dict[str, Any]:
    """What was done, the rules, and the totals per zone (checked)."""
    source, people, untyped = opts["source"], opts["people"], opts["untyped"]
    default_levels, metres_per_level = opts["default_levels"], opts["metres_per_level"]
    out = layer.groupby("zone")["population"].sum()
    for code, total in totals.items():
        got = float(out.get(code, 0.0))
        check_totals(total, got, source=f"{source} zone {code}", exact=people == "integer")
    sum_in = math.fsum(totals.values())
    sum_out = math.fsum(layer["population"].tolist())
    homes = layer["status"] == "residential building"
    return {
        "source": source,
        "method": "dasymetric: zone total x building share of the zone's residential floor area",
        "rules": {
            "floor_area": "footprint area (m2, working CRS) x levels",
            "levels": (
                f"building:levels if a positive number, else height / {metres_per_level:g} m "
                f"per level (at least 1), else default_levels = {default_levels:g}"
            ),
            "residential": f"building in {sorted(RESIDENTIAL_TYPES)}",
            "untyped": f"building=yes or missing: {untyped}",
            "non_residential": "any other building value: 0 people, rejected",
            "zone": "the zone containing the building's representative point (first if several)",
            "people": (
                "whole people, largest-remainder rounding, exact per zone"
                if people == "integer"
                else "float people, total x share, residue on the largest home"
            ),
            "zones_without_homes": f"one point at the zone's representative point: {NO_HOME}",
            "rows": "n_input = buildings + zones-without-homes points",
        },
        "default_levels": float(default_levels),
        "metres_per_level": float(metres_per_level),
        "untyped": untyped,
        "people": people,
        "n_buildings": opts["n_buildings"],
        "n_residential": int(homes.sum()),
        "levels_from": layer.loc[homes, "levels_from"].value_counts().to_dict(),
        "n_repaired": repaired,
        "zones_without_homes": list(homeless),
        "n_zones_without_homes": len(homeless),
        "totals_by_zone": {c: float(out.get(c, 0.0)) for c in totals},
        "population_in": sum_in,
        "population_out": sum_out,
        "totals": check_totals(sum_in, sum_out, source=source, exact=False),
    }
