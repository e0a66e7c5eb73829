"""New sites: choose ``k`` street locations that add the most covered people.

This is the maximal covering location problem (MCLP, Church & ReVelle 1974) with the existing
facilities kept: a person is *covered* when a facility lies within ``max_dist_m`` over the
street network (the exact cost table of :func:`jinan_gis.geo.reach.reach_pairs`).  People an
existing facility already covers count as covered, so a new site only gains people nobody
serves yet.

Two solvers work on the same array-level coverage (candidate ``j`` covers demand points
``idx[ptr[j]:ptr[j + 1]]``):

- :func:`greedy_max_cover`: the greedy algorithm with lazy evaluation (CELF, Leskovec et al.
  2007), plus an a-posteriori optimality bound.  Coverage is monotone submodular, so for any
  greedy step ``i``, ``OPT <= f(S_i) + (sum of the k largest marginal gains w.r.t. S_i)``
  (Nemhauser, Wolsey & Fisher 1978); the tightest of these over the steps is reported, which
  lets a report say "greedy is within X % of optimal" for *this* instance (usually far better
  than the worst-case 1 - 1/e).
- :func:`improved_max_cover`: greedy improved by swaps (one site out, another in, while
  coverage grows) and an iterated local search, and optionally the LP relaxation (HiGHS)
  both as a second start (its largest ``x``, then swaps) and as a much tighter bound than
  greedy's.  :func:`propose_sites` uses the swaps and the search by default (seconds on a
  district) and the LP only with ``lp_bound=True`` (``jinan-gis sites --bound``): on the demo
  sample (42,000 people x 17,600 candidates, k = 5) 3.8 s without, 35 s with it, the same
  answer, proven within 0.0 % of the optimum by the LP.
- :func:`exact_max_cover`: the MCLP as a mixed-integer programme solved by HiGHS
  (``scipy.optimize.milp``): maximise ``sum w_i y_i`` s.t. ``y_i <= sum_{j covers i} x_j``,
  ``sum x_j <= k``, ``x`` binary, ``y`` in [0, 1] (continuous suffices: at an optimum
  ``y_i = min(1, sum x_j)`` is 0 or 1).  Street-network instances are easy for it (10,000
  people x 2,000 candidates in about ten seconds on synthetic grids), but its time is not
  bounded: give ``time_limit_s`` at scale.

:func:`propose_sites` is the layer-level entry point (population points, existing facilities,
candidate points or a candidate grid from :func:`candidate_sites`); :func:`locate_sites` says
where the chosen sites are.  This module is the GIS side; the solvers work on arrays in
:mod:`jinan_gis.analyses.site_solvers` (coverage input: :mod:`jinan_gis.analyses.site_cover`)
and are importable from here too.

Examples
--------
Three people (weights 5, 3, 4); candidate 0 covers people 0 and 1, candidate 1 covers 1 and 2;
person 0 is already served by an existing facility:

>>> import numpy as np
>>> ptr, idx = np.array([0, 2, 4]), np.array([0, 1, 1, 2])
>>> res = greedy_max_cover((ptr, idx), [5.0, 3.0, 4.0], 1, already_covered=[True, False, False])
>>> res.chosen.tolist(), res.gains.tolist(), res.bound
([1], [7.0], 7.0)
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from ..geo.errors import LayerError, SiteSelectionError
from ..geo.network import Network
from ..geo.numbers import check_number
from ..geo.reach import reach_pairs
from ..geo.snap import Snapped, snap_points
from .site_cover import CoverInput, _rows, _weights, cover_csr
from .site_places import SITE_LOCATION_COLUMNS, _points_frame, candidate_sites, locate_sites
from .site_solvers import (
    ExactCover,
    GreedyCover,
    HeuristicCover,
    _better,
    _lp_relaxation,
    _lp_rounding,
    exact_max_cover,
    greedy_max_cover,
    improved_max_cover,
    lp_bound_max_cover,
)

__all__ = [
    "SITE_LOCATION_COLUMNS",
    "CoverInput",
    "ExactCover",
    "GreedyCover",
    "HeuristicCover",
    "SiteSelectionError",
    "SitesResult",
    "candidate_sites",
    "cover_csr",
    "exact_max_cover",
    "greedy_max_cover",
    "improved_max_cover",
    "locate_sites",
    "lp_bound_max_cover",
    "propose_sites",
]

log = logging.getLogger(__name__)


# -------------------------------------------------------------------------- layer level
@dataclass(frozen=True, eq=False)
class SitesResult:
    """Proposed new sites, how many people they add, and how close to optimal that is.

    Attributes
    ----------
    sites : GeoDataFrame
        One row per chosen site, best first: ``rank`` (1..), ``candidate`` (index label in
        the candidates), ``gain_people`` (people newly covered by this site given the ones
        ranked before it), ``covered_people`` (cumulative, existing coverage included),
        ``covered_share`` (of all people), ``geometry``.
    coverage : DataFrame
        Indexed like the population: ``covered_before`` and ``covered_after`` (bool),
        ``site_rank`` (rank of the first new site that covers the point, <NA> if none),
        ``snap_status`` (points not ``"ok"`` are not on the network and never covered).
    candidates : GeoDataFrame
        The candidates considered, with ``snap_status`` and ``reach_people`` (people within
        ``max_dist_m`` not yet covered by existing facilities).
    summary : dict
        ``method``, ``k``, ``k_chosen``, ``max_dist_m``, ``population_total``,
        ``population_off_network``, ``covered_before``, ``covered_after``, ``gain_people``,
        ``gain_bound_people`` (no ``k`` sites can add more: the tightest bound computed),
        ``optimality_gap`` (share of that bound not reached, an upper bound on greedy's
        shortfall), greedy only: ``heuristic``, ``bound_greedy_people`` (the submodular
        bound), ``bound_lp_people`` (the LP relaxation, when computed); exact only:
        ``optimal``, ``solver_message``; ``n_candidates``, ``candidates_from``,
        ``runtime_solver_s``, ``runtime_total_s``.
    """

    sites: gpd.GeoDataFrame
    coverage: pd.DataFrame
    candidates: gpd.GeoDataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """One sentence for a report.

        Examples
        --------
        >>> import geopandas as gpd, pandas as pd
        >>> r = SitesResult(gpd.GeoDataFrame(), pd.DataFrame(), gpd.GeoDataFrame(), {
        ...     "method": "greedy", "k_chosen": 2, "gain_people": 900.0, "covered_before": 100.0,
        ...     "covered_after": 1000.0, "population_total": 2000.0, "optimality_gap": 0.004,
        ...     "bound_lp_people": 903.6})
        >>> r.describe()
        '2 new sites (greedy) add 900 people: covered 100 -> 1,000 of 2,000 (5.0% -> 50.0%); \
within 0.4% of the optimum (LP bound).'

        Without the LP bound (the default) only the loose greedy bound is known:

        >>> r.summary["bound_lp_people"] = float("nan")
        >>> r.describe().split("); ", 1)[1]
        'gap to the optimum not computed (the greedy bound allows up to 0.4%, --bound / \
lp_bound=True computes it).'
        """
        s = self.summary
        tot = s["population_total"]
        before = s["covered_before"] / tot * 100 if tot else 0.0
        after = s["covered_after"] / tot * 100 if tot else 0.0
        text = (
            f"{s['k_chosen']} new sites ({s['method']}) add {s['gain_people']:,.0f} people: "
            f"covered {s['covered_before']:,.0f} -> {s['covered_after']:,.0f} of {tot:,.0f} "
            f"({before:.1f}% -> {after:.1f}%); "
        )
        if s["method"] == "greedy":
            gap = s["optimality_gap"] * 100
            if math.isfinite(s.get("bound_lp_people", math.nan)):
                return text + f"within {gap:.1f}% of the optimum (LP bound)."
            return text + (f"gap to the optimum not computed (the greedy bound allows up to "
                           f"{gap:.1f}%, --bound / lp_bound=True computes it).")
        state = "optimal" if s.get("optimal", True) else "not proven optimal"
        return text + f"{state} (gap {s['optimality_gap'] * 100:.2g}%)."


def propose_sites(
    network: Network,
    population: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame | gpd.GeoSeries | None,
    candidates: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    *,
    k: int,
    max_dist_m: float,
    method: Literal["greedy", "exact"] = "greedy",
    candidate_spacing_m: float = 250.0,
    candidate_how: Literal["nodes", "along"] = "nodes",
    max_snap_m: float = 250.0,
    count_access: bool = True,
    population_column: str = "population",
    local_search: bool = True,
    lp_bound: bool = False,
    search_time_s: float = 1.0,
    time_limit_s: float | None = None,
    progress: bool = False,
) -> SitesResult:
    """Propose ``k`` new sites that add the most people within ``max_dist_m`` on the network.

    Parameters
    ----------
    network : Network
    population : GeoDataFrame
        Points (EPSG:4548, the network's CRS) with a ``population`` column (people).
    facilities : GeoDataFrame, GeoSeries or None
        Existing facilities of the kind being planned; people within ``max_dist_m`` of one
        are already covered.  None or empty: no existing coverage.
    candidates : GeoDataFrame, GeoSeries or None
        Where a new site may go; None: street nodes thinned to a ``candidate_spacing_m``
        grid (:func:`candidate_sites`).
    k : int
        Number of new sites.
    max_dist_m : float
        Coverage distance over the network (e.g. 1000 m: 15 minutes' walk).
    method : {"greedy", "exact"}
        Lazy greedy with an optimality bound (any size), or the HiGHS MILP (small and
        medium cases: ten thousand people and a few thousand candidates take seconds).
    candidate_spacing_m, candidate_how
        Passed to :func:`candidate_sites` when ``candidates`` is None.
    max_snap_m : float
        Snap limit for people, facilities and candidates.
    count_access : bool, default True
        Count the straight legs between points and the street in the distance, as
        :func:`~jinan_gis.analyses.coverage.coverage` does: the people a site adds are then
        the people a coverage run with the new sites counts.
    population_column : str
    local_search : bool
        Greedy only: improve the answer by swaps and an iterated local search
        (:func:`improved_max_cover`); False: plain lazy greedy.
    lp_bound : bool, default False
        Greedy only: also bound the optimum by the LP relaxation (:func:`lp_bound_max_cover`)
        and try its rounded solution.  This turns the greedy bound ("within 20 % of
        optimal") into a tight one ("within 1 %") but one HiGHS solve takes most of the run
        time on a district (minutes for 40,000 people x 17,000 candidates); opt in when the
        gap to the optimum matters (``jinan-gis sites --bound``).
    search_time_s : float
        Greedy with ``local_search`` only: time budget of the iterated local search.
    time_limit_s : float, optional
        Time limit for the exact solver and the LP bound (HiGHS).
    progress : bool
        Show a progress bar over the stages (snap, existing coverage, candidates, reach,
        solve, bound).

    Returns
    -------
    SitesResult

    Examples
    --------
    One 1 km street, an existing clinic at its west end, people along it:

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from jinan_gis.geo.network import Network
    >>> net = Network.from_arrays([[0, 0], [500, 0], [1000, 0]], [0, 1], [1, 2])
    >>> people = gpd.GeoDataFrame({"population": [100.0, 50.0, 80.0]},
    ...     geometry=[Point(50, 5), Point(600, 5), Point(950, 5)], crs="EPSG:4548")
    >>> clinic = gpd.GeoDataFrame(geometry=[Point(0, 0)], crs="EPSG:4548")
    >>> res = propose_sites(net, people, clinic, k=1, max_dist_m=300)
    >>> res.sites[["rank", "candidate", "gain_people", "covered_people"]].to_dict("records")
    [{'rank': 1, 'candidate': 2, 'gain_people': 80.0, 'covered_people': 180.0}]
    >>> res.summary["covered_before"], res.summary["covered_after"]
    (100.0, 180.0)
    """
    # Stays long (~85 lines) only by its 18 keyword options and the summary it returns; each
    # stage is a helper below.
    t_start = time.perf_counter()
    k, weights_all = _check_request(population, k=k, max_dist_m=max_dist_m, method=method,
                                    population_column=population_column)
    reach = {"max_dist_m": max_dist_m, "max_snap_m": max_snap_m, "count_access": count_access}
    stage, close = _stage_bar(method == "greedy" and lp_bound, progress)

    stage(0)
    pop_snap = snap_points(network, population, max_snap_m=max_snap_m)
    w = np.where(pop_snap.ok, weights_all, 0.0)  # people off the network cannot be covered
    stage(1)
    covered_before = _existing_coverage(network, facilities, pop_snap, **reach)
    stage(2)
    candidates, candidates_from = _candidates(network, candidates, spacing_m=candidate_spacing_m,
                                              how=candidate_how)
    stage(3)
    cand_snap = snap_points(network, candidates, max_snap_m=max_snap_m)
    pairs, (ptr, idx) = _new_cover(network, cand_snap, pop_snap, w > 0, covered_before, **reach)

    stage(4)
    t0 = time.perf_counter()
    if method == "greedy":
        chosen, gains, bound, extra = _solve_greedy(
            ptr, idx, w, k, covered_before, local_search=local_search, lp_bound=lp_bound,
            search_time_s=search_time_s, time_limit_s=time_limit_s, before_lp=lambda: stage(5),
        )
    else:
        ex_res = exact_max_cover((ptr, idx), w, k, already_covered=covered_before,
                                 time_limit_s=time_limit_s)
        chosen, gains, bound = ex_res.chosen, ex_res.gains, ex_res.bound
        extra = {"optimal": ex_res.optimal, "solver_message": ex_res.message}
    t_solve = time.perf_counter() - t0
    close()

    coverage = _coverage_table(ptr, idx, chosen, covered_before, pop_snap, population.index)
    covered_after = coverage["covered_after"].to_numpy()
    total = float(weights_all.sum())
    before = float(w[covered_before].sum())
    after = float(w[covered_after].sum())
    sites = _sites_frame(candidates, chosen, gains, before=before, total=total)
    cand_out = _candidates_frame(candidates, cand_snap, ptr, idx, np.where(covered_before, 0.0, w))
    gain = float(gains.sum())
    summary: dict[str, Any] = {
        "method": method,
        "k": k,
        "k_chosen": len(chosen),
        "max_dist_m": float(max_dist_m),
        "max_snap_m": float(max_snap_m),
        "count_access": bool(count_access),
        "population_total": total,
        "population_off_network": float(weights_all[~pop_snap.ok].sum()),
        "covered_before": before,
        "covered_after": after,
        "gain_people": gain,
        "gain_bound_people": float(bound),
        "optimality_gap": float(1.0 - gain / bound) if bound > 0 else 0.0,
        "n_candidates": len(candidates),
        "n_candidate_pairs": len(pairs),
        "candidates_from": candidates_from,
        **extra,
        "runtime_solver_s": t_solve,
        "runtime_total_s": time.perf_counter() - t_start,
    }
    log.info(
        "propose_sites: %d sites (%s) add %.0f people (bound %.0f), covered %.0f -> %.0f of %.0f",
        len(chosen), method, gain, bound, before, after, total,
    )
    return SitesResult(sites=sites, coverage=coverage, candidates=cand_out, summary=summary)


def _check_request(
    population: gpd.GeoDataFrame, *, k: int, max_dist_m: float, method: str,
    population_column: str,
) -> tuple[int, np.ndarray]:
    """Checked ``k`` and the people of every population point; errors name the fix."""
    k = check_number(k, name="k (number of new sites)", ge=1, integer=True, example=5,
                     error=SiteSelectionError)
    check_number(max_dist_m, name="max_dist_m", gt=0, example=1000, error=SiteSelectionError)
    if method not in ("greedy", "exact"):
        raise SiteSelectionError(f"method must be 'greedy' or 'exact', got {method!r}.")
    _points_frame(population, "the population layer")
    if not isinstance(population, gpd.GeoDataFrame) or population_column not in population:
        raise LayerError(
            f"the population layer has no {population_column!r} column; load it with "
            "jinan_gis.layers.population or pass population_column=..."
        )
    return k, _weights(population[population_column].to_numpy(dtype=np.float64))


def _new_cover(
    network: Network,
    cand_snap: Snapped,
    pop_snap: Snapped,
    has_people: np.ndarray,
    covered_before: np.ndarray,
    *,
    max_dist_m: float,
    max_snap_m: float,
    count_access: bool,
) -> tuple[pd.DataFrame, tuple[np.ndarray, np.ndarray]]:
    """Which people each candidate newly covers: the reach pairs and their CSR arrays."""
    # only people a new site can gain: placed, with weight, not covered yet (the rest would
    # only carry zero weight through the search)
    todo = np.flatnonzero(pop_snap.ok & has_people & ~covered_before)
    pairs = reach_pairs(network, cand_snap, pop_snap.subset(todo), max_dist_m=max_dist_m,
                        max_snap_m=max_snap_m, count_access=count_access)
    pairs["target"] = todo[pairs["target"].to_numpy(dtype=np.int64)]
    n_cand = len(cand_snap.status)
    return pairs, cover_csr(pairs, len(covered_before), n_candidates=n_cand)


def _stage_bar(with_lp: bool, progress: bool) -> tuple[Callable[[int], None], Callable[[], None]]:
    """A progress bar over the stages of :func:`propose_sites`: ``(stage(i), close())``."""
    from tqdm.auto import tqdm

    stages = ["snap people", "existing coverage", "candidates", "reach", "solve"]
    if with_lp:
        stages.append("LP bound")
    bar = tqdm(total=len(stages), desc="sites", unit="stage", disable=not progress,
               leave=False)

    def stage(i: int) -> None:
        bar.set_postfix_str(stages[i])
        if i:
            bar.update()

    def close() -> None:
        bar.update()
        bar.close()

    return stage, close


def _existing_coverage(
    network: Network,
    facilities: gpd.GeoDataFrame | gpd.GeoSeries | None,
    pop_snap: Snapped,
    *,
    max_dist_m: float,
    max_snap_m: float,
    count_access: bool,
) -> np.ndarray:
    """Bool mask over the people: within ``max_dist_m`` of an existing facility."""
    covered = np.zeros(len(pop_snap.status), dtype=bool)
    if facilities is not None and len(facilities):
        _points_frame(facilities, "the facilities layer")
        ex = reach_pairs(network, facilities, pop_snap, max_dist_m=max_dist_m,
                         max_snap_m=max_snap_m, count_access=count_access)
        covered[ex["target"].to_numpy(dtype=np.int64)] = True
    return covered


def _candidates(
    network: Network,
    candidates: gpd.GeoDataFrame | gpd.GeoSeries | None,
    *,
    spacing_m: float,
    how: Literal["nodes", "along"],
) -> tuple[gpd.GeoDataFrame | gpd.GeoSeries, str]:
    """The candidates (given, or :func:`candidate_sites`) and where they come from."""
    candidates_from = "given"
    if candidates is None:
        candidates = candidate_sites(network, spacing_m=spacing_m, how=how)
        candidates_from = f"street {how} thinned to a {spacing_m:g} m grid"
    _points_frame(candidates, "the candidates layer")
    if len(candidates) == 0:
        raise SiteSelectionError(
            "there are no candidate sites; pass candidates or lower candidate_spacing_m."
        )
    return candidates, candidates_from


def _solve_greedy(
    ptr: np.ndarray,
    idx: np.ndarray,
    w: np.ndarray,
    k: int,
    covered_before: np.ndarray,
    *,
    local_search: bool,
    lp_bound: bool,
    search_time_s: float,
    time_limit_s: float | None,
    before_lp: Callable[[], None],
) -> tuple[np.ndarray, np.ndarray, float, dict[str, Any]]:
    """Greedy (with swaps and the iterated local search when ``local_search``) and, with
    ``lp_bound``, the LP bound and its rounded answer: ``(chosen, gains, bound, extra)``."""
    if local_search:
        h = improved_max_cover((ptr, idx), w, k, already_covered=covered_before, lp=False,
                               time_budget_s=search_time_s)
        chosen, gains, bound = h.chosen, h.gains, h.bound
        extra: dict[str, Any] = {"heuristic": h.heuristic, "bound_greedy_people": h.bound_greedy}
    else:
        chosen, gains, bound = greedy_max_cover((ptr, idx), w, k, already_covered=covered_before)
        extra = {"heuristic": "greedy", "bound_greedy_people": float(bound)}
    if lp_bound:
        before_lp()
        w0 = np.where(covered_before, 0.0, w)
        lp, x = _lp_relaxation(ptr, idx, w0, k, time_limit_s=time_limit_s)
        extra["bound_lp_people"] = lp
        if local_search and np.isfinite(lp):  # the rounded LP answer, improved by swaps
            rounded = _lp_rounding(ptr, idx, w0, x, k)
            if rounded is not None and _better(rounded[1], gains):
                (chosen, gains), extra["heuristic"] = rounded, "LP rounding + swaps"
        if np.isfinite(lp):
            bound = min(bound, lp)
    return chosen, gains, max(float(bound), float(np.sum(gains))), extra


def _coverage_table(
    ptr: np.ndarray,
    idx: np.ndarray,
    chosen: np.ndarray,
    covered_before: np.ndarray,
    pop_snap: Snapped,
    index: pd.Index,
) -> pd.DataFrame:
    """Per person: covered before/after, rank of the first new site covering them, snap."""
    site_rank = np.zeros(len(covered_before), dtype=np.int64)
    for r, j in enumerate(chosen, start=1):
        pts = idx[ptr[j] : ptr[j + 1]]
        pts = pts[(site_rank[pts] == 0) & ~covered_before[pts]]
        site_rank[pts] = r
    return pd.DataFrame(
        {
            "covered_before": covered_before,
            "covered_after": covered_before | (site_rank > 0),
            "site_rank": pd.array(
                np.where(site_rank > 0, site_rank, None), dtype="Int64"  # type: ignore[call-overload]
            ),
            "snap_status": pop_snap.status,
        },
        index=index,
    )


def _geometry(points: gpd.GeoDataFrame | gpd.GeoSeries) -> np.ndarray:
    return (points.geometry if isinstance(points, gpd.GeoDataFrame) else points).to_numpy()


def _sites_frame(
    candidates: gpd.GeoDataFrame | gpd.GeoSeries,
    chosen: np.ndarray,
    gains: np.ndarray,
    *,
    before: float,
    total: float,
) -> gpd.GeoDataFrame:
    """One row per chosen site, best first (see :attr:`SitesResult.sites`)."""
    cum = before + np.cumsum(gains)
    return gpd.GeoDataFrame(
        {
            "rank": np.arange(1, len(chosen) + 1, dtype=np.int64),
            "candidate": np.asarray(candidates.index)[chosen],
            "gain_people": gains,
            "covered_people": cum,
            "covered_share": cum / total if total else np.zeros(len(cum)),
        },
        geometry=_geometry(candidates)[chosen] if len(chosen) else gpd.array.from_shapely([]),
        crs=candidates.crs,
    )


def _candidates_frame(
    candidates: gpd.GeoDataFrame | gpd.GeoSeries,
    cand_snap: Snapped,
    ptr: np.ndarray,
    idx: np.ndarray,
    w_left: np.ndarray,
) -> gpd.GeoDataFrame:
    """The candidates with ``snap_status`` and ``reach_people`` (people not yet covered)."""
    n_cand = len(candidates)
    cand_out = gpd.GeoDataFrame(
        {
            "snap_status": cand_snap.status,
            "reach_people": np.bincount(_rows(ptr), weights=w_left[idx], minlength=n_cand),
        },
        geometry=_geometry(candidates),
        index=candidates.index,
        crs=candidates.crs,
    )
    if isinstance(candidates, gpd.GeoDataFrame):
        extra_cols = [
            c for c in candidates.columns
            if c not in (candidates.geometry.name, "snap_status", "reach_people", "geometry")
        ]
        cand_out = gpd.GeoDataFrame(
            pd.concat([candidates[extra_cols], cand_out], axis=1),
            geometry="geometry", crs=candidates.crs,
        )
    return cand_out
