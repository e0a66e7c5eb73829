"""Population coverage: who lives within a distance (or time) of a facility category.

For each district (and each zone), the population-weighted share and head count within
``max_dist_m`` of the nearest facility, **over the street network** and, side by side, **in
a straight line** (what a buffer analysis would say).  People are counted where they live
(their district / zone), but the facilities and the network they may use extend across the
border, so a clinic just across a district boundary covers the people near it.

What a network distance includes (the default, ``count_access=True``):

1. the person's access leg: a straight line from the home point to the nearest point of the
   nearest **main-network** street;
2. the walk along the streets;
3. the facility's access leg: a straight line from its street to the facility.

``count_access=False`` leaves out both access legs (street point to street point).

Every measure runs in the network's CRS (``network.crs``, EPSG:4548 unless the network was
built in another metric CRS, e.g. UTM zone 50N): population and facility layers in another
CRS are reprojected to it (:func:`~jinan_gis.geo.crs.to_analysis_crs`), and a layer whose CRS
cannot be related to the network's is refused with a message naming both.

People near a small disconnected street piece (an "island": a component with fewer than
``network.min_component_nodes`` nodes) are never routed over it.  If their nearest street is
on such a piece they are *moved*: placed on the nearest main-network street within
``max_snap_m``, their access leg is the straight line to that street, and ``moved_m`` says how
many metres more that is than the way to their nearest street.  They are counted as covered
or not like everyone else (with the extra metres walked) and also reported in ``moved``.
People who cannot be placed at all (nearest street on an island with no main street within
``max_snap_m``, farther than ``max_snap_m`` from any street, or invalid geometry) are reported
in ``not_placed``, never folded into "not covered" or dropped.  :func:`placement_table` shows
every person's placement.

Examples
--------
Three people on a 1 km street, a clinic at its west end; coverage within 300 m:

>>> import geopandas as gpd, numpy as np
>>> from shapely.geometry import Point
>>> from jinan_gis.geo.network import Network
>>> net = Network.from_arrays([[0, 0], [1000, 0]], [0], [1])
>>> people = gpd.GeoDataFrame({"population": [10.0, 20.0, 30.0]},
...     geometry=[Point(100, 5), Point(250, -5), Point(600, 5)], crs="EPSG:4548")
>>> clinics = gpd.GeoDataFrame({"category": ["chc"]}, geometry=[Point(0, 0)], crs="EPSG:4548")
>>> t = coverage(net, clinics, people, max_dist_m=300)
>>> t[["population", "covered_network", "share_network"]].round(3).to_dict("records")
[{'population': 60.0, 'covered_network': 30.0, 'share_network': 0.5}]

The person at x=250 is 250 m along the street plus 5 m of access leg from the clinic:

>>> d = nearest_distances(net, clinics, place_population(net, people), max_dist_m=1000)
>>> d[["dist_network_m", "access_m", "status"]].to_dict("records")[1]
{'dist_network_m': 255.0, 'access_m': 5.0, 'status': 'ok'}
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from ..geo.crs import to_analysis_crs
from ..geo.errors import LayerError, ParameterError
from ..geo.network import Network
from ..geo.numbers import check_number
from ..geo.reach import NearestTree, nearest_source
from ..geo.snap import Snapped, snap_points
from ..layers.taxonomy import resolve_categories

__all__ = [
    "PlacedPopulation",
    "coverage",
    "coverage_areas",
    "coverage_table",
    "nearest_distances",
    "place_population",
    "placement_table",
    "select_facilities",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class PlacedPopulation:
    """Population points joined to the network once, reused by every metric.

    ``count_access`` records whether the metrics of this placement are meant to count the
    access legs (shown by :func:`placement_table`); :func:`coverage` and
    :func:`nearest_distances` take their own ``count_access`` (default True).
    ``population`` is in the network's CRS and may be the caller's layer itself (not a
    copy): do not change it in place.
    """

    population: gpd.GeoDataFrame
    snapped: Snapped
    xy: np.ndarray
    weight: np.ndarray
    count_access: bool = True


def place_population(
    network: Network,
    population: gpd.GeoDataFrame,
    *,
    max_snap_m: float = 250.0,
    count_access: bool = True,
) -> PlacedPopulation:
    """Place population points on the network (do this once; many metrics reuse it).

    Each point is joined to its nearest street, or *moved* to the nearest main-network street
    when its nearest street is on a small disconnected piece (see the module docstring and
    :mod:`jinan_gis.geo.snap`).  ``count_access`` is recorded on the result (see
    :class:`PlacedPopulation`).

    Raises :class:`LayerError` when the layer lacks a ``population`` column.
    """
    if "population" not in population.columns:
        raise LayerError(
            "the population layer has no 'population' column; load it with "
            "jinan_gis.layers.population (weights per point) or add the column."
        )
    pop = to_analysis_crs(population, what="population layer", crs=network.crs)
    xy = shapely.get_coordinates(pop.geometry.to_numpy())
    if len(xy) != len(pop):
        raise LayerError("the population layer must hold one point per row.")
    snapped = snap_points(network, pop, max_snap_m=max_snap_m)
    w = pd.to_numeric(pop["population"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    return PlacedPopulation(pop, snapped, xy, w, bool(count_access))


def placement_table(placed: PlacedPopulation) -> pd.DataFrame:
    """Every person's placement on the network, indexed like the population.

    Columns: ``population`` (weight), ``status`` (``ok``, ``moved``, ``island``,
    ``beyond_snap_limit``, ``invalid_geometry``), ``placed`` (bool), ``nearest_m`` (straight
    distance to the nearest street of any piece), ``access_m`` (the access leg actually used:
    straight line to the main-network street the person is placed on), ``moved_m``
    (``access_m - nearest_m`` for moved people, 0 for ``ok``, NaN when not placed) and
    ``access_counted`` (whether the metrics count the access legs).

    Examples
    --------
    >>> import geopandas as gpd, numpy as np
    >>> from shapely.geometry import Point
    >>> from jinan_gis.geo.network import Network
    >>> net = Network.from_arrays([[0, 0], [100, 0], [200, 0], [0, 80], [100, 80]],
    ...                           [0, 1, 3], [1, 2, 4], min_component_nodes=3)
    >>> people = gpd.GeoDataFrame({"population": [5.0, 7.0]},
    ...     geometry=[Point(50, 60), Point(150, 10)], crs="EPSG:4548")
    >>> t = placement_table(place_population(net, people, max_snap_m=100))
    >>> t[["status", "access_m", "moved_m"]].to_dict("list")
    {'status': ['moved', 'ok'], 'access_m': [60.0, 10.0], 'moved_m': [40.0, 0.0]}
    >>> t["nearest_m"].tolist()
    [20.0, 10.0]
    """
    s = placed.snapped
    return pd.DataFrame(
        {
            "population": placed.weight,
            "status": s.status_column,
            "placed": s.placed,
            "nearest_m": s.nearest_m,
            "access_m": s.access_m,
            "moved_m": s.moved_m,
            "access_counted": np.full(len(s), bool(placed.count_access)),
        },
        index=placed.population.index,
    )


def select_facilities(
    facilities: gpd.GeoDataFrame, categories: Sequence[str] | str | None
) -> gpd.GeoDataFrame:
    """Facilities of the named categories or groups (all facilities if ``categories`` is None).

    Names resolve through the taxonomy (:func:`~jinan_gis.layers.taxonomy.resolve_categories`):
    ``"clinic"`` is the primary-care network of L-CLINIC-1000 (CHC + sub-district health
    centre + CHS station), ``"culture"`` every public-culture category, ``"chc"`` one category.
    An unknown name raises :class:`~jinan_gis.geo.errors.InputDataError` listing the valid ones.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> fac = gpd.GeoDataFrame({"category": ["chc", "chs_station", "library"]},
    ...     geometry=[Point(0, 0)] * 3, crs="EPSG:4548")
    >>> select_facilities(fac, "clinic")["category"].tolist()
    ['chc', 'chs_station']
    """
    if categories is None:
        return facilities
    ids = resolve_categories(categories)
    if "category" not in facilities.columns:
        raise LayerError(
            "the facility layer has no 'category' column; load it with "
            "jinan_gis.layers.facilities.load_facilities (which classifies names) or pass "
            "category= for every row."
        )
    return facilities[facilities["category"].isin(ids)]


def nearest_distances(
    network: Network,
    facilities: gpd.GeoDataFrame,
    placed: PlacedPopulation,
    *,
    max_dist_m: float,
    max_snap_m: float = 250.0,
    count_access: bool = True,
    tree: NearestTree | None = None,
) -> pd.DataFrame:
    """Network and straight-line distance from every person to the nearest facility.

    Returns a frame indexed like the population with ``dist_network_m`` (NaN when the
    person is not placed on the network, inf beyond ``max_dist_m``; with ``count_access``
    it includes both access legs, see the module docstring), ``dist_straight_m`` (inf
    beyond ``max_dist_m``), ``facility`` (label of the nearest facility over the network),
    ``status`` (placement of the person), ``access_m`` (the person's access leg to the
    main-network street) and ``moved_m`` (extra metres of a moved person, 0 for ``ok``, NaN
    when not placed).  With no facilities every distance is inf (nobody covered) and a
    warning is logged.

    ``tree``: the network search from these ``facilities``, already run by
    :func:`~jinan_gis.geo.reach.nearest_tree` (to a bound of at least ``max_dist_m``, with
    the same ``count_access``); it is reused instead of searching again.
    """
    if isinstance(max_dist_m, bool) or not float(max_dist_m) > 0:  # NaN too; inf = unbounded
        raise ParameterError(f"max_dist_m must be a number > 0 (e.g. 1000; inf: no bound), "
                             f"got {max_dist_m!r}.")
    fac = to_analysis_crs(facilities, what="facility layer", crs=network.crs)
    n = len(placed.xy)
    if len(fac) == 0:
        log.warning(
            "no facilities to measure from: nobody is covered (0 people). Check the category "
            "(jinan_gis.layers.taxonomy) and that the facility layer holds it."
        )
        return pd.DataFrame(
            {
                "dist_network_m": np.where(placed.snapped.ok, np.inf, np.nan),
                "dist_straight_m": np.full(n, np.inf),
                "facility": np.full(n, None, dtype=object),
                "status": placed.snapped.status_column,
                "access_m": placed.snapped.access_m,
                "moved_m": placed.snapped.moved_m,
            },
            index=placed.population.index,
        )
    res = nearest_source(network, fac if tree is None else tree, placed.snapped,
                         max_dist_m=max_dist_m,
                         max_snap_m=max_snap_m, count_access=count_access)
    fxy = shapely.get_coordinates(fac.geometry.to_numpy())
    d_line, _ = cKDTree(fxy).query(placed.xy, distance_upper_bound=max_dist_m, workers=-1)
    return pd.DataFrame(
        {
            "dist_network_m": res["dist_m"].to_numpy(),
            "dist_straight_m": d_line,
            "facility": res["source_label"].to_numpy(),
            "status": placed.snapped.status_column,
            "access_m": placed.snapped.access_m,
            "moved_m": placed.snapped.moved_m,
        },
        index=placed.population.index,
    )


def coverage(
    network: Network,
    facilities: gpd.GeoDataFrame,
    population: gpd.GeoDataFrame | PlacedPopulation,
    *,
    max_dist_m: float,
    categories: Sequence[str] | str | None = None,
    by: str | Sequence[str] | None = None,
    max_snap_m: float = 250.0,
    dist_max_dist_m: np.ndarray | None = None,
    count_access: bool = True,
    distances: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Population-weighted coverage within ``max_dist_m`` by network and by straight line.

    Parameters
    ----------
    network : Network
        Streets extending beyond the districts by at least ``max_dist_m``.
    facilities : GeoDataFrame
        All facilities (also those across the border); filtered by ``categories``.
    population : GeoDataFrame with ``population`` or PlacedPopulation
    max_dist_m : float
        Network (and straight-line) distance.
    categories : str or list of str, optional
        Category ids or group names (see :mod:`jinan_gis.layers.taxonomy`).
    by : column name(s) of the population layer, optional
        Group the table (e.g. ``"district_code"``, ``"zone"``); one total row otherwise.
    max_snap_m : float
        Snap limit for facilities.
    dist_max_dist_m : array, optional
        A per-person distance (e.g. 1000 m urban, 2000 m rural); overrides ``max_dist_m``
        for the comparison (the search runs to the largest value).
    count_access : bool
        Count the access legs (home to street, street to facility) in the network distance
        (default; see the module docstring).  ``False``: street to street only.
    distances : DataFrame, optional
        :func:`nearest_distances` of this placed ``population`` to these facilities, already
        measured (to at least the largest threshold): no network search runs again.
        ``population`` must then be a :class:`PlacedPopulation`.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``population``, ``covered_network``, ``share_network``,
        ``covered_straight``, ``share_straight``, ``not_placed`` (people not on the network:
        not counted as covered or uncovered in ``share_network``, whose denominator is the
        placed population), ``share_not_placed``, ``moved`` (people whose nearest street is
        a small piece, placed on the main network: already counted in ``covered_network``
        or not, with their extra metres walked), ``share_moved`` (of the population) and
        ``n_points``. No facility of
        ``categories``: 0 covered everywhere and a logged warning (not an error, so that a
        batch of metrics goes on; :func:`~jinan_gis.analyses.report.evaluate` marks such a
        metric ``needs layer: facilities of ...``).
    """
    max_dist_m = check_number(max_dist_m, name="max_dist_m", gt=0, example=1000)
    max_snap_m = check_number(max_snap_m, name="max_snap_m", ge=0, example=250)
    placed = population if isinstance(population, PlacedPopulation) else place_population(
        network, population, max_snap_m=max_snap_m, count_access=count_access
    )
    if distances is not None:
        if not isinstance(population, PlacedPopulation):
            raise LayerError("coverage(distances=...) needs the PlacedPopulation they were "
                             "measured for (place_population), not a population layer.")
        d = distances
    else:
        fac = select_facilities(facilities, categories)
        limit = max_dist_m if dist_max_dist_m is None else float(np.nanmax(dist_max_dist_m))
        d = nearest_distances(network, fac, placed, max_dist_m=limit, max_snap_m=max_snap_m,
                              count_access=count_access)
    return coverage_table(placed, d, max_dist_m=max_dist_m, by=by,
                          dist_max_dist_m=dist_max_dist_m)


def coverage_table(
    placed: PlacedPopulation,
    distances: pd.DataFrame,
    *,
    max_dist_m: float,
    by: str | Sequence[str] | None = None,
    dist_max_dist_m: np.ndarray | None = None,
) -> pd.DataFrame:
    """The coverage table of :func:`coverage` from distances already measured.

    Lets one :func:`nearest_distances` feed several tables (per zone, in total) and the gaps
    without searching the network again.

    Parameters
    ----------
    placed : PlacedPopulation
    distances : DataFrame
        :func:`nearest_distances` of ``placed``, searched to at least the largest threshold.
    max_dist_m, by, dist_max_dist_m
        As in :func:`coverage`.

    Returns
    -------
    pandas.DataFrame
        As :func:`coverage`.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from jinan_gis.geo.network import Network
    >>> net = Network.from_arrays([[0, 0], [1000, 0]], [0], [1])
    >>> people = place_population(net, gpd.GeoDataFrame({"population": [10.0, 30.0]},
    ...     geometry=[Point(100, 5), Point(600, 5)], crs="EPSG:4548"))
    >>> clinics = gpd.GeoDataFrame(geometry=[Point(0, 0)], crs="EPSG:4548")
    >>> d = nearest_distances(net, clinics, people, max_dist_m=1000)
    >>> [coverage_table(people, d, max_dist_m=m)["share_network"].item() for m in (300, 800)]
    [0.25, 1.0]
    """
    max_dist_m = check_number(max_dist_m, name="max_dist_m", gt=0, example=1000)
    d = distances
    thr = max_dist_m if dist_max_dist_m is None else np.asarray(dist_max_dist_m, dtype=float)
    w = placed.weight
    placed_mask = placed.snapped.ok
    frame = pd.DataFrame(
        {
            "w": w,
            "w_placed": np.where(placed_mask, w, 0.0),
            "cov_net": np.where(d["dist_network_m"].to_numpy() <= thr, w, 0.0),
            "cov_line": np.where(d["dist_straight_m"].to_numpy() <= thr, w, 0.0),
            "not_placed": np.where(placed_mask, 0.0, w),
            "moved": np.where(placed.snapped.moved, w, 0.0),
            "n": 1,
        },
        index=placed.population.index,
    )
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    for k in keys:
        if k not in placed.population.columns:
            raise LayerError(f"the population layer has no column {k!r} to group by.")
        frame[k] = placed.population[k].to_numpy()
    if keys:
        g = frame.groupby(keys, dropna=False, sort=True).sum(numeric_only=True)
    else:
        g = frame.sum(numeric_only=True).to_frame().T
    out = pd.DataFrame(
        {
            "population": g["w"],
            "covered_network": g["cov_net"],
            "share_network": g["cov_net"] / g["w_placed"].where(g["w_placed"] > 0),
            "covered_straight": g["cov_line"],
            "share_straight": g["cov_line"] / g["w"].where(g["w"] > 0),
            "not_placed": g["not_placed"],
            "share_not_placed": g["not_placed"] / g["w"].where(g["w"] > 0),
            "moved": g["moved"],
            "share_moved": g["moved"] / g["w"].where(g["w"] > 0),
            "n_points": g["n"].astype(int),
        }
    )
    if not keys:
        out = out.reset_index(drop=True)
    return out


def coverage_areas(
    table: pd.DataFrame,
    *,
    districts: gpd.GeoDataFrame | None = None,
    zones: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """A coverage table as a GeoDataFrame: one polygon per row, with names beside the codes.

    Rows grouped by ``zone`` get the sub-district's polygon and name (from ``zones``:
    ``zone_id``, ``zone_name``, ``zone_name_en``); rows grouped by ``district_code`` only get
    the district's (from ``districts``: ``code``, ``name_zh``, ``name_en``). Ready for
    ``.explore()``, ``.plot(column="share_network")`` or ``to_file``.

    Parameters
    ----------
    table : DataFrame
        What :func:`coverage` returns with ``by="district_code"`` or
        ``by=["district_code", "zone"]``.
    districts, zones : GeoDataFrame, optional
        The district and zone layers (e.g. ``inputs.districts``, ``inputs.zones``).

    Returns
    -------
    GeoDataFrame
        The table's columns, the grouping keys as columns, ``district_name`` (and
        ``zone_name``), and the polygons in the CRS of the layer they come from.

    Raises
    ------
    LayerError
        The table is not grouped by district or zone, or the layer it needs is missing.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely.geometry import box
    >>> d = gpd.GeoDataFrame({"code": ["370112"], "name_zh": ["历城区"], "name_en": ["Licheng"]},
    ...                      geometry=[box(0, 0, 1, 1)], crs="EPSG:4548")
    >>> t = pd.DataFrame({"share_network": [0.4]},
    ...                  index=pd.Index(["370112"], name="district_code"))
    >>> g = coverage_areas(t, districts=d)
    >>> g[["district_code", "district_name", "share_network"]].values.tolist()
    [['370112', '历城区 Licheng', 0.4]]
    """
    keys = [k for k in (table.index.names or []) if k]
    if not {"district_code", "zone"} & set(keys):
        raise LayerError(
            "coverage_areas needs a table grouped by district or zone: call coverage(..., "
            "by='district_code') or by=['district_code', 'zone']."
        )
    flat = table.reset_index()
    if "district_code" in flat.columns:
        flat["district_code"] = flat["district_code"].astype(str)
        if districts is not None and {"code", "name_zh"} <= set(districts.columns):
            names = districts.assign(code=districts["code"].astype(str)).set_index("code")
            en = names["name_en"] if "name_en" in names.columns else ""
            label = (names["name_zh"] + " " + en).str.strip()
            flat["district_name"] = flat["district_code"].map(label)
    if "zone" in keys:
        if zones is None or "zone_id" not in zones.columns:
            raise LayerError("rows grouped by zone need the zone layer: pass zones=inputs.zones.")
        z = zones.assign(zone_id=zones["zone_id"].astype(str)).drop_duplicates("zone_id")
        z = z.set_index("zone_id")
        flat["zone"] = flat["zone"].astype(str)
        if "zone_name" in z.columns:
            flat["zone_name"] = flat["zone"].map(z["zone_name"])
        geom = flat["zone"].map(z.geometry)
        crs = zones.crs
    else:
        if districts is None or "code" not in districts.columns:
            raise LayerError("rows grouped by district need the district layer: pass "
                             "districts=inputs.districts.")
        d = districts.assign(code=districts["code"].astype(str)).set_index("code")
        geom = flat["district_code"].map(d.geometry)
        crs = districts.crs
    return gpd.GeoDataFrame(flat, geometry=gpd.GeoSeries(geom.to_numpy(), crs=crs), crs=crs)
