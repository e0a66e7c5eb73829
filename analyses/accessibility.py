"""Two-step floating catchment area (2SFCA) and enhanced 2SFCA (E2SFCA) accessibility.

Step 1, for every supply site ``j`` (a clinic): the supply-to-demand ratio of its catchment,
``R_j = S_j / sum_{k: d_kj <= d0} P_k W(d_kj)``.  Step 2, for every demand point ``i`` (people):
``A_i = sum_{j: d_ij <= d0} R_j W(d_ij)``.  The classic 2SFCA (Luo & Wang 2003) has
``W = 1`` inside the catchment ``d0``; the enhanced E2SFCA (Luo & Qi 2009) uses stepwise
weights by distance zone, and the Gaussian variant (Dai 2010) a continuous decay.  Costs
count as inside the catchment when ``d <= d0`` and zone upper bounds are inclusive, exactly
as in PySAL ``access`` (``access.fca.weighted_catchment``, ``access.weights.step_fn``), whose
``two_stage_fca`` this module reproduces to rounding (checked in the tests).

Costs ``d_ij`` (:func:`accessibility`) are network distances that include, by default, both
access legs: from the home point to the nearest point of the nearest main-network street (a
straight line), along the streets, and from the facility's street to the facility.  People
nearest to a small disconnected street piece are placed on the nearest main-network street
within the snap limit and walk the extra metres (``moved_m``; see
:mod:`jinan_gis.geo.snap`); people with no main street within the limit are off the network.

Units: with ``per_people=1000`` (the default) both ``R_j`` and ``A_i`` are *supply per 1000
people* (e.g. doctors per 1000 residents); ``per_people=1`` gives the raw ratio of ``access``.

Defaults, all **toolkit defaults, not from the plans** (the plans give no doctor counts):

- :data:`DEFAULT_SUPPLY`: doctors per facility by category (community health service centre
  10, its station 2, village clinic 1), with :data:`DEFAULT_SUPPLY_BY_TIER` as fallback;
  override with a ``supply_column`` of real counts or ``supply_defaults``.
- :func:`e2sfca_steps`: the Luo & Qi (2009) weights 1.00 / 0.68 / 0.22 on the zones
  0-300 / 300-600 / 600-1000 m for a 1000 m catchment (scaled to other catchments).  The
  paper's zones were 0-10 / 10-20 / 20-30 minutes' drive; the metre zones are ours.

Examples
--------
Two clinics with 10 and 2 doctors, three neighbourhoods (1000, 500, 500 people):

>>> import pandas as pd
>>> cost = pd.DataFrame({"source": ["A", "A", "B", "B"], "target": [0, 1, 1, 2],
...                      "dist_m": [100.0, 800.0, 200.0, 500.0]})
>>> res = two_step_fca(cost, pd.Series({"A": 10.0, "B": 2.0}),
...                    pd.Series([1000.0, 500.0, 500.0]), max_cost=1000)
>>> res.ratio.round(4).tolist(), res.accessibility.round(4).tolist()
([6.6667, 2.0], [6.6667, 8.6667, 2.0])
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from ..geo.crs import require_crs
from ..geo.errors import AccessibilityError, LayerError
from ..geo.network import Network
from ..geo.reach import reach_pairs
from ..geo.snap import snap_points

__all__ = [
    "DEFAULT_SUPPLY",
    "DEFAULT_SUPPLY_BY_TIER",
    "LUO_QI_WEIGHTS",
    "AccessibilityError",
    "AccessibilityResult",
    "Decay",
    "FCAResult",
    "accessibility",
    "decay_weights",
    "e2sfca_steps",
    "supply_values",
    "two_step_fca",
]

log = logging.getLogger(__name__)

DEFAULT_SUPPLY: Mapping[str, float] = MappingProxyType(
    {
        "chc": 10.0,
        "township_health_centre": 10.0,
        "chs_station": 2.0,
        "village_clinic": 1.0,
    }
)
"""Doctors per facility by taxonomy category: **toolkit default, not from the plans**
(a round figure for a community health service centre / sub-district health centre, its
station and a village clinic).  Replace with real counts (``supply_column``) when known."""

DEFAULT_SUPPLY_BY_TIER: Mapping[str, float] = MappingProxyType(
    {"centre": 10.0, "station": 2.0, "village": 1.0}
)
"""Fallback doctors per facility by service ``tier``: **toolkit default, not from the plans**."""

LUO_QI_WEIGHTS: tuple[float, float, float] = (1.0, 0.68, 0.22)
"""E2SFCA zone weights of Luo & Qi (2009), nearest zone first."""

_ZONE_SHARES = (0.3, 0.6, 1.0)  # 0-300 / 300-600 / 600-1000 m of a 1000 m catchment

Decay = (
    None
    | Literal["gaussian"]
    | Callable[[Any], Any]
    | Mapping[float, float]
    | Sequence[tuple[float, float]]
)
"""Distance decay ``W(d)``: None (1 inside the catchment: classic 2SFCA), ``"gaussian"``
(Dai 2010: ``(exp(-d²/2d0²) - exp(-1/2)) / (1 - exp(-1/2))``, 1 at 0 and 0 at ``d0``), step
weights ``{upper_bound: weight}`` or ``[(upper_bound, weight), ...]`` (weight of the smallest
bound >= d, 0 beyond the largest: ``access.weights.step_fn``), or a callable of the cost
(vectorised over a numpy array, or scalar-only like ``access.weights.step_fn``)."""



class FCAResult(NamedTuple):
    """Result of :func:`two_step_fca` (unpacks as ``accessibility, ratio``).

    Attributes
    ----------
    accessibility : pandas.Series
        ``A_i`` per demand point, indexed like ``demand`` (0 where no supply is in reach).
    ratio : pandas.Series
        ``R_j`` per supply site, indexed like ``supply`` (NaN where no people are in its
        catchment: the ratio is undefined and the site adds nothing).
    """

    accessibility: pd.Series
    ratio: pd.Series


def e2sfca_steps(max_dist_m: float = 1000.0) -> dict[float, float]:
    """Luo & Qi (2009) E2SFCA step weights on three zones of a ``max_dist_m`` catchment.

    Zones end at 30 %, 60 % and 100 % of the catchment: 0-300 / 300-600 / 600-1000 m at
    1000 m (**toolkit default zones**; the weights are the paper's).

    Examples
    --------
    >>> e2sfca_steps()
    {300.0: 1.0, 600.0: 0.68, 1000.0: 0.22}
    """
    if not np.isfinite(max_dist_m) or max_dist_m <= 0:
        raise AccessibilityError(f"max_dist_m must be a positive distance, got {max_dist_m!r}.")
    zones = zip(_ZONE_SHARES, LUO_QI_WEIGHTS, strict=True)
    return {round(s * float(max_dist_m), 9): w for s, w in zones}


def _steps(decay: Mapping[float, float] | Sequence[tuple[float, float]]) -> tuple[np.ndarray,
                                                                                 np.ndarray]:
    items = list(decay.items()) if isinstance(decay, Mapping) else [tuple(p) for p in decay]
    if not items or any(len(p) != 2 for p in items):
        raise AccessibilityError(
            "step weights must be {upper_bound: weight} or [(upper_bound, weight), ...], "
            "e.g. e2sfca_steps(1000)."
        )
    arr = np.asarray(sorted(items), dtype=np.float64)
    if np.any(~np.isfinite(arr)) or np.any(arr[:, 1] < 0):
        raise AccessibilityError("step weights must be finite and >= 0.")
    return arr[:, 0], arr[:, 1]


def decay_weights(cost: Any, *, max_cost: float, decay: Decay = None) -> np.ndarray:
    """Weights ``W(d)`` of costs ``d``; 0 beyond ``max_cost`` (``d <= max_cost`` is inside).

    Examples
    --------
    >>> decay_weights([0, 300, 301, 1000, 1001], max_cost=1000, decay=e2sfca_steps()).tolist()
    [1.0, 1.0, 0.68, 0.22, 0.0]
    >>> decay_weights([0.0, 1000.0], max_cost=1000, decay="gaussian").round(12).tolist()
    [1.0, 0.0]
    """
    d = np.asarray(cost, dtype=np.float64)
    inside = d <= max_cost
    if decay is None:
        w = np.ones_like(d)
    elif isinstance(decay, str):
        if decay != "gaussian":
            raise AccessibilityError(
                f"unknown decay {decay!r}; use None, 'gaussian', step weights or a callable."
            )
        e = math.exp(-0.5)
        w = (np.exp(-0.5 * (d / float(max_cost)) ** 2) - e) / (1.0 - e)
    elif callable(decay):
        try:
            w = np.asarray(decay(d), dtype=np.float64)
            if w.shape != d.shape:
                raise ValueError("shape")
        except (TypeError, ValueError):  # a scalar-only function (e.g. access.weights.step_fn)
            w = np.asarray([decay(x) for x in d.tolist()], dtype=np.float64).reshape(d.shape)
    elif isinstance(decay, Mapping | Sequence):
        upper, weight = _steps(decay)
        pos = np.searchsorted(upper, d, side="left")  # smallest bound >= d
        w = np.where(pos < len(upper), weight[np.minimum(pos, len(upper) - 1)], 0.0)
    else:
        raise AccessibilityError(
            f"decay must be None, 'gaussian', step weights or a callable, not "
            f"{type(decay).__name__}."
        )
    w = np.where(inside, w, 0.0)
    if np.any(~np.isfinite(w)) or np.any(w < 0):
        raise AccessibilityError("the decay gives negative or non-finite weights; fix it.")
    return w


def _values(values: Any, what: str) -> pd.Series:
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if not s.index.is_unique:
        raise AccessibilityError(f"{what} ids are not unique; give one value per {what} id.")
    v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64)
    if np.any(~np.isfinite(v)) or np.any(v < 0):
        bad = list(s.index[~np.isfinite(v) | (v < 0)][:5])
        raise AccessibilityError(
            f"{what} values must be finite numbers >= 0; fix or drop ids {bad}."
        )
    return pd.Series(v, index=s.index)


def _positions(ids: pd.Series, index: pd.Index, what: str) -> np.ndarray:
    pos = index.get_indexer(ids)
    if np.any(pos < 0):
        unknown = pd.unique(ids[pos < 0])[:5].tolist()
        raise AccessibilityError(
            f"the cost table names {what} ids that are not in {what}: {unknown}; give a value "
            f"for every {what} id in the cost table (or drop those rows)."
        )
    return pos


def _fca(
    cost: pd.DataFrame,
    supply: pd.Series,
    demand: pd.Series,
    *,
    max_cost: float,
    decay: Decay,
    supply_col: str,
    demand_col: str,
    cost_col: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(A_i per demand, R_j per supply, weighted catchment demand per supply), unscaled."""
    missing = {supply_col, demand_col, cost_col} - set(cost.columns)
    if missing:
        raise AccessibilityError(
            f"the cost table lacks column(s) {sorted(missing)}; name them with supply_col=, "
            "demand_col=, cost_col= (reach_pairs gives source / target / dist_m)."
        )
    if not np.isfinite(max_cost) or max_cost <= 0:
        raise AccessibilityError(f"max_cost must be a positive finite cost, got {max_cost!r}.")
    c = pd.to_numeric(cost[cost_col], errors="coerce").to_numpy(dtype=np.float64)
    if np.any(np.isnan(c)) or np.any(c < 0):
        raise AccessibilityError(
            f"the cost column {cost_col!r} has missing or negative values; drop those rows."
        )
    keep = c <= max_cost
    s_pos = _positions(cost[supply_col][keep], supply.index, "supply")
    d_pos = _positions(cost[demand_col][keep], demand.index, "demand")
    key = s_pos.astype(np.int64) * max(len(demand), 1) + d_pos
    if len(np.unique(key)) != len(key):
        raise AccessibilityError(
            "the cost table has repeated (supply, demand) pairs; keep one row per pair "
            "(e.g. the smallest cost: cost.groupby([supply, demand]).min())."
        )
    w = decay_weights(c[keep], max_cost=max_cost, decay=decay)
    s_val = supply.to_numpy(dtype=np.float64)
    p_val = demand.to_numpy(dtype=np.float64)
    catch = np.bincount(s_pos, weights=p_val[d_pos] * w, minlength=len(supply))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(catch > 0, s_val / catch, np.nan)
    contrib = np.where(np.isfinite(ratio[s_pos]), ratio[s_pos] * w, 0.0)
    acc = np.bincount(d_pos, weights=contrib, minlength=len(demand))
    return acc, ratio, catch


def two_step_fca(
    cost: pd.DataFrame,
    supply: pd.Series | Mapping[Any, float],
    demand: pd.Series | Mapping[Any, float],
    *,
    max_cost: float,
    decay: Decay = None,
    supply_col: str = "source",
    demand_col: str = "target",
    cost_col: str = "dist_m",
    per_people: float = 1000.0,
) -> FCAResult:
    """Two-step floating catchment accessibility from a long cost table.

    Parameters
    ----------
    cost : DataFrame
        One row per (supply, demand) pair: ``supply_col``, ``demand_col``, ``cost_col`` (the
        defaults match :func:`~jinan_gis.geo.reach.reach_pairs`: source / target / dist_m).
        Pairs with cost > ``max_cost`` are ignored; pairs absent are out of reach.
    supply : Series or mapping
        Supply per site id (e.g. doctors), finite and >= 0.
    demand : Series or mapping
        Demand per demand id (people), finite and >= 0.
    max_cost : float
        Catchment size ``d0`` in the cost's unit (``cost <= max_cost`` is inside).
    decay : Decay
        None: classic 2SFCA; step weights (e.g. :func:`e2sfca_steps`), ``"gaussian"`` or a
        callable: enhanced 2SFCA.  The same weights apply in both steps (as in ``access``).
    per_people : float
        Express ratios per this many people (1000: doctors per 1000 people; 1: per person).

    Returns
    -------
    FCAResult
        ``(accessibility, ratio)``.

    Examples
    --------
    One clinic with 4 doctors; 2000 people at 200 m, 2000 at 800 m.  Classic 2SFCA: both
    get 4 / 4000 = 1 per 1000.  E2SFCA (1.0 within 300 m, 0.22 from 600 to 1000 m):
    ``R = 4 / (2000 * 1 + 2000 * 0.22) = 0.00164`` per person.

    >>> import pandas as pd
    >>> cost = pd.DataFrame({"source": [0, 0], "target": [0, 1], "dist_m": [200.0, 800.0]})
    >>> two_step_fca(cost, [4.0], [2000.0, 2000.0], max_cost=1000).accessibility.tolist()
    [1.0, 1.0]
    >>> res = two_step_fca(cost, [4.0], [2000.0, 2000.0], max_cost=1000, decay=e2sfca_steps())
    >>> res.ratio.round(5).tolist(), res.accessibility.round(5).tolist()
    ([1.63934], [1.63934, 0.36066])
    """
    if not np.isfinite(per_people) or per_people <= 0:
        raise AccessibilityError(f"per_people must be positive (e.g. 1000), got {per_people!r}.")
    sup = _values(supply, "supply")
    dem = _values(demand, "demand")
    acc, ratio, _ = _fca(cost, sup, dem, max_cost=max_cost, decay=decay, supply_col=supply_col,
                         demand_col=demand_col, cost_col=cost_col)
    return FCAResult(
        pd.Series(acc * per_people, index=dem.index, name="accessibility"),
        pd.Series(ratio * per_people, index=sup.index, name="ratio"),
    )


# -------------------------------------------------------------------------- layer level
def supply_values(
    facilities: pd.DataFrame,
    *,
    supply_column: str | None = None,
    supply_defaults: Mapping[str, float] | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Supply per facility: a column of counts, or toolkit defaults by category / tier.

    Parameters
    ----------
    facilities : DataFrame
        A facility layer (``category`` and ``tier`` columns, see
        :mod:`jinan_gis.layers.facilities`).
    supply_column : str, optional
        Column of real supply counts (e.g. doctors); every value must be known.
    supply_defaults : mapping, optional
        Values by category id or tier, taking precedence over :data:`DEFAULT_SUPPLY` and
        :data:`DEFAULT_SUPPLY_BY_TIER` (**toolkit defaults, not from the plans**).

    Returns
    -------
    values : Series (float)
    source : Series (str)
        Where each value comes from (``"column doctors"`` or ``"toolkit default (not from
        the plans): category chc"``).

    Examples
    --------
    >>> import pandas as pd
    >>> fac = pd.DataFrame({"category": ["chc", "chs_station", "x"],
    ...                     "tier": [None, None, "village"]})
    >>> values, source = supply_values(fac)
    >>> values.tolist(), source.iloc[0]
    ([10.0, 2.0, 1.0], 'toolkit default (not from the plans): category chc')
    """
    if supply_column is not None:
        if supply_column not in facilities.columns:
            raise LayerError(
                f"the facilities have no {supply_column!r} column; name the column of supply "
                "counts, or leave supply_column=None for the toolkit defaults by category."
            )
        v = pd.to_numeric(facilities[supply_column], errors="coerce")
        bad = ~np.isfinite(v.to_numpy(dtype=np.float64)) | (v.to_numpy(dtype=np.float64) < 0)
        if bad.any():
            raise AccessibilityError(
                f"{int(bad.sum())} facilities have a missing or negative {supply_column!r} "
                f"(e.g. {list(facilities.index[bad][:5])}); fill them or drop those rows."
            )
        return (v.astype(np.float64).rename("supply"),
                pd.Series(f"column {supply_column}", index=facilities.index, name="supply_source"))
    user = dict(supply_defaults or {})
    values = pd.Series(np.nan, index=facilities.index, name="supply")
    source = pd.Series(None, index=facilities.index, name="supply_source", dtype=object)
    for col, table in (("category", DEFAULT_SUPPLY), ("tier", DEFAULT_SUPPLY_BY_TIER)):
        if col not in facilities.columns:
            continue
        for name, tab, label in (
            (col, user, "supply_defaults"),
            (col, table, "toolkit default (not from the plans)"),
        ):
            keys = facilities[name]
            v = keys.map(lambda x, tab=tab: tab.get(x, np.nan) if isinstance(x, str) else np.nan)
            take = values.isna() & v.notna()
            values[take] = v[take].astype(np.float64)
            source[take] = label + ": " + col + " " + keys[take].astype(str)
    if values.isna().any():
        cats = (
            facilities.loc[values.isna(), "category"].astype(str).unique().tolist()
            if "category" in facilities.columns else []
        )
        raise AccessibilityError(
            f"no supply value for {int(values.isna().sum())} facilities (categories {cats[:8]}); "
            "pass supply_column= with real counts or supply_defaults={category: value}."
        )
    if np.any(values.to_numpy() < 0):
        raise AccessibilityError("supply_defaults must be >= 0.")
    return values, source


@dataclass(frozen=True, eq=False)
class AccessibilityResult:
    """2SFCA / E2SFCA accessibility on the street network.

    Attributes
    ----------
    population : GeoDataFrame
        The population points (a copy) with ``accessibility`` (supply per ``per_people``
        people; NaN for points not on the network) and ``snap_status``.
    facilities : GeoDataFrame
        The facilities (a copy) with ``supply``, ``supply_source``, ``catchment_people``
        (distance-weighted people in the catchment), ``ratio`` (supply per ``per_people``
        people in the catchment; NaN if nobody) and ``snap_status``.
    cost : DataFrame
        The network cost table (``source``: facility position, ``target``: population
        position, ``dist_m``).
    summary : dict
        ``method``, ``decay``, ``max_dist_m``, ``per_people``, ``units``,
        ``mean_accessibility`` (population-weighted, people on the network),
        ``share_zero`` (share of those people with no supply in reach), ``supply_total``,
        ``supply_source``, ``n_facilities``, ``n_facilities_off_network``,
        ``population_off_network``.
    """

    population: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    cost: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)


def accessibility(
    network: Network,
    facilities: gpd.GeoDataFrame,
    population: gpd.GeoDataFrame,
    *,
    supply_column: str | None = None,
    supply_defaults: Mapping[str, float] | None = None,
    population_column: str = "population",
    max_dist_m: float = 1000.0,
    method: Literal["2sfca", "e2sfca"] = "2sfca",
    decay: Decay = None,
    per_people: float = 1000.0,
    max_snap_m: float = 250.0,
    count_access: bool = True,
) -> AccessibilityResult:
    """2SFCA or E2SFCA accessibility of people to facilities over the street network.

    Parameters
    ----------
    network : Network
    facilities : GeoDataFrame
        Supply sites (EPSG:4548).  Supply comes from ``supply_column`` or, without one, from
        the toolkit defaults by ``category`` / ``tier`` (:func:`supply_values`).
    population : GeoDataFrame
        Demand points with a ``population`` column.
    supply_column, supply_defaults
        See :func:`supply_values`.
    population_column : str
    max_dist_m : float
        Catchment over the network (1000 m = 15 minutes' walk at 4 km/h).
    method : {"2sfca", "e2sfca"}
        Classic (no decay) or enhanced (decay; default :func:`e2sfca_steps` of
        ``max_dist_m``).
    decay : Decay
        E2SFCA decay other than the default steps (``"gaussian"``, steps, callable).
    per_people : float
        Output units: supply per this many people.
    max_snap_m, count_access
        As for :func:`~jinan_gis.geo.reach.reach_pairs`: by default the cost ``d_ij``
        includes both access legs (home to the nearest main-network street, in a straight
        line; the facility's street to its door) besides the walk along the streets.  People
        whose nearest street is a small disconnected piece are placed on the nearest
        main-network street (``snap_status == "moved"``) and walk the extra metres;
        ``count_access=False`` measures street to street only.

    Returns
    -------
    AccessibilityResult

    Examples
    --------
    A 1 km street: a centre (10 doctors, toolkit default) at x=0 and a station (2) at 1000;
    1000 people at 100 m and 1000 at 900 m; catchment 500 m:

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from jinan_gis.geo.network import Network
    >>> net = Network.from_arrays([[0, 0], [1000, 0]], [0], [1])
    >>> fac = gpd.GeoDataFrame({"category": ["chc", "chs_station"]},
    ...                        geometry=[Point(0, 0), Point(1000, 0)], crs="EPSG:4548")
    >>> pop = gpd.GeoDataFrame({"population": [1000.0, 1000.0]},
    ...                        geometry=[Point(100, 0), Point(900, 0)], crs="EPSG:4548")
    >>> res = accessibility(net, fac, pop, max_dist_m=500)
    >>> res.population["accessibility"].tolist(), res.facilities["ratio"].tolist()
    ([10.0, 2.0], [10.0, 2.0])
    """
    if method not in ("2sfca", "e2sfca"):
        raise AccessibilityError(f"method must be '2sfca' or 'e2sfca', got {method!r}.")
    if method == "2sfca" and decay is not None:
        raise AccessibilityError(
            "the classic 2SFCA has no distance decay; use method='e2sfca' with decay=..."
        )
    if not np.isfinite(max_dist_m) or max_dist_m <= 0:
        raise AccessibilityError(f"max_dist_m must be a positive distance, got {max_dist_m!r}.")
    for gdf, what in ((facilities, "the facilities layer"), (population, "the population layer")):
        if not isinstance(gdf, gpd.GeoDataFrame):
            raise LayerError(f"{what} must be a GeoDataFrame of points (EPSG:4548).")
        require_crs(gdf, what=what)
    if population_column not in population.columns:
        raise LayerError(
            f"the population layer has no {population_column!r} column; load it with "
            "jinan_gis.layers.population or pass population_column=..."
        )
    eff_decay: Decay = decay
    if method == "e2sfca" and decay is None:
        eff_decay = e2sfca_steps(max_dist_m)
    supply, supply_source = supply_values(
        facilities, supply_column=supply_column, supply_defaults=supply_defaults
    )
    people = _values(population[population_column].reset_index(drop=True), "demand")
    pop_snap = snap_points(network, population, max_snap_m=max_snap_m)
    fac_snap = snap_points(network, facilities, max_snap_m=max_snap_m)
    cost = reach_pairs(network, fac_snap, pop_snap, max_dist_m=max_dist_m,
                       max_snap_m=max_snap_m, count_access=count_access)
    acc, ratio, catch = _fca(
        cost,
        pd.Series(supply.to_numpy(dtype=np.float64)),
        people,
        max_cost=max_dist_m,
        decay=eff_decay,
        supply_col="source",
        demand_col="target",
        cost_col="dist_m",
    )
    acc = np.where(pop_snap.ok, acc * per_people, np.nan)
    pop_out = population.copy()
    pop_out["accessibility"] = acc
    pop_out["snap_status"] = pop_snap.status
    pop_out["access_m"] = pop_snap.access_m
    pop_out["moved_m"] = pop_snap.moved_m
    fac_out = facilities.copy()
    fac_out["supply"] = supply.to_numpy()
    fac_out["supply_source"] = supply_source.to_numpy()
    fac_out["catchment_people"] = catch
    fac_out["ratio"] = ratio * per_people
    fac_out["snap_status"] = fac_snap.status
    p = people.to_numpy()
    on = pop_snap.ok
    p_on = float(p[on].sum())
    sources = sorted(set(s.split(":")[0] for s in supply_source.astype(str)))
    summary: dict[str, Any] = {
        "method": method,
        "decay": _describe_decay(eff_decay),
        "max_dist_m": float(max_dist_m),
        "per_people": float(per_people),
        "units": f"supply per {per_people:g} people",
        "mean_accessibility": float((acc[on] * p[on]).sum() / p_on) if p_on > 0 else math.nan,
        "share_zero": float(p[on & (acc == 0)].sum() / p_on) if p_on > 0 else math.nan,
        "supply_total": float(supply.sum()),
        "supply_source": "; ".join(sources),
        "n_facilities": len(facilities),
        "n_facilities_off_network": int((~fac_snap.ok).sum()),
        "population_total": float(p.sum()),
        "population_off_network": float(p[~on].sum()),
        "population_moved": float(p[pop_snap.moved].sum()),
        "count_access": bool(count_access),
    }
    log.info("accessibility (%s, %s): mean %.4g %s", method, summary["decay"],
             summary["mean_accessibility"], summary["units"])
    return AccessibilityResult(population=pop_out, facilities=fac_out, cost=cost, summary=summary)


def _describe_decay(decay: Decay) -> str:
    if decay is None:
        return "none (classic 2SFCA)"
    if isinstance(decay, str):
        return "gaussian (Dai 2010), zero at the catchment edge"
    if callable(decay):
        return f"callable {getattr(decay, '__name__', type(decay).__name__)}"
    upper, weight = _steps(decay)
    return "steps " + ", ".join(f"<= {u:g} m: {w:g}" for u, w in zip(upper, weight, strict=True))
