"""The maximal covering location problem solved exactly: a MILP for HiGHS.

:func:`exact_max_cover` states the MCLP (Church & ReVelle 1974) with the existing coverage
kept as a mixed-integer programme (:func:`_mclp_model`, whose LP relaxation
:mod:`jinan_gis.analyses.site_solvers` uses as a bound) and solves it with HiGHS
(``scipy.optimize.milp``). Coverage comes as CSR arrays or any form
:func:`~jinan_gis.analyses.site_cover.cover_csr` accepts. The heuristics and the LP bound are
in :mod:`jinan_gis.analyses.site_solvers`, which re-exports everything here.

Examples
--------
>>> import numpy as np
>>> ptr, idx = np.array([0, 2, 4, 7]), np.array([0, 1, 2, 3, 1, 2, 4])
>>> res = exact_max_cover((ptr, idx), [2.0, 2.0, 2.0, 2.0, 1.0], 2)
>>> res.chosen.tolist(), res.objective, res.optimal
([0, 1], 8.0, True)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from ..geo.errors import SiteSelectionError
from .site_cover import CoverInput, _order_by_gain, _problem, _rows

__all__ = ["ExactCover", "exact_max_cover"]

log = logging.getLogger(__name__)


class ExactCover(NamedTuple):
    """Result of :func:`exact_max_cover`.

    Attributes
    ----------
    chosen : ndarray int64
        Chosen candidate positions, ordered by marginal gain (the best first, each gain given
        the ones before it); candidates that add nobody are left out.
    gains : ndarray float64
        Marginal gain of each chosen site in that order (they sum to ``objective``).
    objective : float
        Weight newly covered by the chosen sites.
    bound : float
        HiGHS's dual bound: no choice of ``k`` sites covers more than this (equals
        ``objective`` up to the gap tolerance when ``optimal``).
    optimal : bool
        Whether HiGHS proved optimality (False after a time limit).
    message : str
        HiGHS's status message.
    """

    chosen: np.ndarray
    gains: np.ndarray
    objective: float
    bound: float
    optimal: bool
    message: str


def _mclp_model(
    ptr: np.ndarray, idx: np.ndarray, w_eff: np.ndarray, k: int
) -> tuple[np.ndarray, sparse.csr_matrix, np.ndarray, int, int] | None:
    """MCLP as ``min c.x`` s.t. ``A x <= ub``; variables ``[x_0..x_m-1, y_0..y_r-1]``.

    Only people with weight left and within reach of a candidate get a ``y``; None when
    there are none.
    """
    n_cand = len(ptr) - 1
    row = _rows(ptr)
    useful = w_eff[idx] > 0
    r_cand, r_dem = row[useful], idx[useful]
    dem = np.unique(r_dem)
    if len(dem) == 0:
        return None
    dem_pos = np.searchsorted(dem, r_dem)
    m, r = n_cand, len(dem)
    # rows 0..r-1: y_i - sum_j x_j <= 0 ; row r: sum_j x_j <= k
    a_cov = sparse.csr_matrix((-np.ones(len(r_cand)), (dem_pos, r_cand)), shape=(r, m))
    a = sparse.vstack(
        [
            sparse.hstack([a_cov, sparse.identity(r, format="csr")]),
            sparse.hstack([sparse.csr_matrix(np.ones((1, m))), sparse.csr_matrix((1, r))]),
        ],
        format="csr",
    )
    ub = np.concatenate([np.zeros(r), [float(k)]])
    c = np.concatenate([np.zeros(m), -w_eff[dem]])
    return c, a, ub, m, r


def exact_max_cover(
    cover: CoverInput,
    weights: Sequence[float] | np.ndarray,
    k: int,
    *,
    already_covered: Sequence[bool] | np.ndarray | None = None,
    n_candidates: int | None = None,
    time_limit_s: float | None = None,
    mip_rel_gap: float = 1e-9,
) -> ExactCover:
    """Solve the maximal covering problem exactly as a MILP with HiGHS.

    Maximise ``sum_i w_i y_i`` subject to ``y_i <= sum_{j covers i} x_j``,
    ``sum_j x_j <= k``, ``x_j`` binary and ``0 <= y_i <= 1``.  Only people not already
    covered and within reach of some candidate get a ``y`` variable.  ``<= k`` instead of
    ``= k`` changes nothing in the optimum (coverage never falls by adding a site) and keeps
    useless candidates out of the answer.

    Parameters
    ----------
    cover, weights, k, already_covered, n_candidates
        As for :func:`~jinan_gis.analyses.site_solvers.greedy_max_cover`.
    time_limit_s : float, optional
        Stop HiGHS after this many seconds; the answer is then the best found
        (``optimal=False``) and ``bound`` says how far from optimal it may be.
    mip_rel_gap : float
        Relative gap at which HiGHS stops (HiGHS's own default, 1e-4, is too loose to call
        the answer exact).

    Returns
    -------
    ExactCover

    Examples
    --------
    Greedy takes the big candidate 2 first and ends with 7; the optimum is 8 (0 and 1):

    >>> import numpy as np
    >>> ptr, idx = np.array([0, 2, 4, 7]), np.array([0, 1, 2, 3, 1, 2, 4])
    >>> w = [2.0, 2.0, 2.0, 2.0, 1.0]
    >>> from jinan_gis.analyses.site_solvers import greedy_max_cover
    >>> float(greedy_max_cover((ptr, idx), w, 2).gains.sum())
    7.0
    >>> res = exact_max_cover((ptr, idx), w, 2)
    >>> sorted(res.chosen.tolist()), res.objective, res.optimal
    ([0, 1], 8.0, True)
    """
    k, ptr, idx, w, already = _problem(cover, weights, k, already_covered=already_covered,
                                       n_candidates=n_candidates)
    w_eff = np.where(already, 0.0, w)
    model = _mclp_model(ptr, idx, w_eff, k)
    if model is None:
        return ExactCover(np.empty(0, np.int64), np.empty(0), 0.0, 0.0, True, "nothing to cover")
    c, a, ub, m, r = model
    integrality = np.concatenate([np.ones(m), np.zeros(r)])
    options: dict[str, Any] = {"disp": False, "mip_rel_gap": float(mip_rel_gap)}
    if time_limit_s is not None:
        options["time_limit"] = float(time_limit_s)
    t0 = time.perf_counter()
    res = milp(
        c,
        integrality=integrality,
        bounds=Bounds(np.zeros(m + r), np.ones(m + r)),
        constraints=[LinearConstraint(a, -np.inf, ub)],
        options=options,
    )
    log.debug("HiGHS MCLP (%d x %d, k=%d): %s in %.2f s", r, m, k, res.message,
              time.perf_counter() - t0)
    if res.x is None:
        raise SiteSelectionError(
            f"HiGHS found no solution ({res.message}); raise time_limit_s or use greedy."
        )
    sites = np.flatnonzero(res.x[:m] > 0.5)
    order, gains = _order_by_gain(ptr, idx, w_eff, sites)
    objective = float(gains.sum())
    dual = getattr(res, "mip_dual_bound", None)
    bound = -float(dual) if dual is not None and np.isfinite(dual) else objective
    return ExactCover(
        order, gains, objective, max(bound, objective), bool(res.status == 0), str(res.message)
    )
