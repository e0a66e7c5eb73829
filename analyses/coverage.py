"""Population coverage: who lives within a distance (or time) of a facility category.

For each district (and each zone), the population-weighted share and head count within
``max_dist_m`` of the nearest facility, **over the street network** and, side by side, **in
a straight line** (what a buffer analysis would say).  People are counted where they live
(their district / zone), but the facilities and the network they may use extend across the
border, so a clinic just across a district boundary covers the people near it.  People who
cannot be placed on the network (on an island, or farther than the snap limit from any street)
are reported in their own column, never folded into "not covered" or dropped.

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

from jinan_gis.geo.crs import to_analysis_crs
from jinan_gis.geo.errors import LayerError
from jinan_gis.geo.network import Network
from jinan_gis.geo.reach import nearest_source
from jinan_gis.geo.snap import Snapped, snap_points
from jinan_gis.layers.taxonomy import resolve_categories

__all__ = [
    "PlacedPopulation",
    "coverage",
    "nearest_distances",
    "place_population",
    "select_facilities",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class PlacedPopulation:
    """Population points joined to the network once, reused by every metric."""

    population: gpd.GeoDataFrame
    snapped: Snapped
    xy: np.ndarray
    weight: np.ndarray


def place_population(
    network: Network, population: gpd.GeoDataFrame, *, max_snap_m: float = 250.0
) -> PlacedPopulation:
    """Snap population points to the network (do this once; many metrics reuse it).

    Raises :class:`LayerError` when the layer lacks a ``population`` column.
    """
    if "population" not in population.columns:
        raise LayerError(
            "the population layer has no 'population' column; load it with "
            "jinan_gis.layers.population (weights per point) or add the column."
        )
    pop = to_analysis_crs(population, what="population layer")
    xy = shapely.get_coordinates(pop.geometry.to_numpy())
    if len(xy) != len(pop):
        raise LayerError("the population layer must hold one point per row.")
    snapped = snap_points(network, pop, max_snap_m=max_snap_m)
    w = pd.to_numeric(pop["population"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    return PlacedPopulation(pop, snapped, xy, w)


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
) -> pd.DataFrame:
    """Network and straight-line distance from every person to the nearest facility.

    Returns a frame indexed like the population with ``dist_network_m`` (NaN when the
    person is not placed on the network, inf beyond ``max_dist_m``), ``dist_straight_m``
    (inf beyond ``max_dist_m``), ``facility`` (label of the nearest facility over the network)
    and ``status`` (snap status of the person). With no facilities every distance is inf
    (nobody covered) and a warning is logged.
    """
    fac = to_analysis_crs(facilities, what="facility layer")
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
                "status": placed.snapped.status,
            },
            index=placed.population.index,
        )
    res = nearest_source(network, fac, placed.snapped, max_dist_m=max_dist_m,
                         max_snap_m=max_snap_m)
    fxy = shapely.get_coordinates(fac.geometry.to_numpy())
    d_line, _ = cKDTree(fxy).query(placed.xy, distance_upper_bound=max_dist_m, workers=-1)
    return pd.DataFrame(
        {
            "dist_network_m": res["dist_m"].to_numpy(),
            "dist_straight_m": d_line,
            "facility": res["source_label"].to_numpy(),
            "status": placed.snapped.status,
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

    Returns
    -------
    pandas.DataFrame
        One row per group: ``population``, ``covered_network``, ``share_network``,
        ``covered_straight``, ``share_straight``, ``not_placed`` (people not on the network:
        not counted as covered or uncovered in ``share_network``, whose denominator is the
        placed population), ``share_not_placed`` and ``n_points``. No facility of
        ``categories``: 0 covered everywhere and a logged warning (not an error, so that a
        batch of metrics goes on; :func:`~jinan_gis.analyses.report.evaluate` marks such a
        metric ``needs layer: facilities of ...``).
    """
    placed = population if isinstance(population, PlacedPopulation) else place_population(
        network, population, max_snap_m=max_snap_m
    )
    fac = select_facilities(facilities, categories)
    limit = max_dist_m if dist_max_dist_m is None else float(np.nanmax(dist_max_dist_m))
    d = nearest_distances(network, fac, placed, max_dist_m=limit, max_snap_m=max_snap_m)
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
            "n_points": g["n"].astype(int),
        }
    )
    if not keys:
        out = out.reset_index(drop=True)
    return out
