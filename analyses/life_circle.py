"""GB 50180-2018 life-circle completeness (national standard, not a plan target).

For every person: which of the standard's facility types for the 5-, 10- and 15-minute life
circles (300 / 500 / 1000 m walking) are reachable over the network, a completeness score
(share of types reachable) and whether the circle is complete.  The mapping of the standard's
facility types to the toolkit's categories is in
:data:`jinan_gis.analyses.catalogue.LIFE_CIRCLES`.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> from jinan_gis.geo.network import Network
>>> from jinan_gis.analyses.coverage import place_population
>>> net = Network.from_arrays([[0, 0], [1000, 0]], [0], [1])
>>> people = gpd.GeoDataFrame({"population": [1.0, 1.0]},
...     geometry=[Point(100, 0), Point(900, 0)], crs="EPSG:4548")
>>> fac = gpd.GeoDataFrame({"category": ["school", "market"]},
...     geometry=[Point(0, 0), Point(50, 0)], crs="EPSG:4548")
>>> spec = {"max_dist_m": 500.0, "types": {"school": ("school",), "market": ("market",)}}
>>> r = life_circle(net, fac, place_population(net, people), circle=spec)
>>> r[["n_types", "score", "complete"]].values.tolist()
[[2, 1.0, True], [0, 0.0, False]]
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from ..geo.crs import to_analysis_crs
from ..geo.network import Network
from ..geo.reach import nearest_source
from .catalogue import LIFE_CIRCLES
from .coverage import PlacedPopulation, select_facilities

__all__ = ["life_circle", "network_distances"]

log = logging.getLogger(__name__)


def life_circle(
    network: Network,
    facilities: gpd.GeoDataFrame,
    placed: PlacedPopulation,
    *,
    circle: str | dict = "15min",
    max_snap_m: float = 250.0,
    reached: Mapping[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Per person: reachable facility types of a life circle, score and completeness.

    Parameters
    ----------
    circle : "5min", "10min", "15min" or a dict ``{"max_dist_m": ..., "types": {...}}``
    reached : mapping of type name -> bool array, optional
        Whether each person has a facility of each type of the circle within its distance
        (e.g. from :func:`network_distances` run once for all people and every circle): no
        search runs here. Default: searched.

    Returns
    -------
    pandas.DataFrame
        Indexed like the population: one boolean column per type (``has:<type>``),
        ``n_types``, ``score`` (share of types reachable), ``complete`` and ``status``
        (snap status: people not placed get NaN score and ``complete`` False).
    """
    spec = LIFE_CIRCLES[circle] if isinstance(circle, str) else circle
    dmax = float(spec["max_dist_m"])
    cols = {}
    for name, cats in spec["types"].items():
        cols[f"has:{name}"] = reached[name] if reached is not None else network_distances(
            network, select_facilities(facilities, cats), placed, max_dist_m=dmax,
            max_snap_m=max_snap_m) <= dmax
    out = pd.DataFrame(cols, index=placed.population.index)
    n_types = len(spec["types"])
    out["n_types"] = out.sum(axis=1).astype(int)
    ok = placed.snapped.ok
    out["score"] = np.where(ok, out["n_types"] / n_types, np.nan)
    out["complete"] = ok & (out["n_types"] == n_types)
    out["status"] = placed.snapped.status
    return out


def network_distances(
    network: Network,
    facilities: gpd.GeoDataFrame,
    placed: PlacedPopulation,
    *,
    max_dist_m: float,
    max_snap_m: float = 250.0,
) -> np.ndarray:
    """Every person's network distance to the nearest of ``facilities``, access legs counted
    (the ``dist_network_m`` of :func:`~jinan_gis.analyses.coverage.nearest_distances`, without
    its straight-line distances): inf beyond ``max_dist_m`` or without facilities, NaN for
    people not placed.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from jinan_gis.geo.network import Network
    >>> from jinan_gis.analyses.coverage import place_population
    >>> net = Network.from_arrays([[0, 0], [1000, 0]], [0], [1])
    >>> people = place_population(net, gpd.GeoDataFrame({"population": [1.0, 1.0]},
    ...     geometry=[Point(100, 0), Point(900, 0)], crs="EPSG:4548"))
    >>> fac = gpd.GeoDataFrame(geometry=[Point(50, 0)], crs="EPSG:4548")
    >>> network_distances(net, fac, people, max_dist_m=500).tolist()
    [50.0, inf]
    """
    if len(facilities) == 0:
        return np.where(placed.snapped.ok, np.inf, np.nan)
    fac = to_analysis_crs(facilities, what="facility layer", crs=network.crs)
    res = nearest_source(network, fac, placed.snapped, max_dist_m=max_dist_m,
                         max_snap_m=max_snap_m)
    return res["dist_m"].to_numpy()
