"""Coverage of demand by candidate sites as CSR arrays, and the checks every solver shares.

A site-selection problem is given as coverage (which demand points each candidate covers),
weights (people per demand point), ``k`` and the demand already covered. :func:`cover_csr`
turns any :data:`CoverInput` into canonical CSR arrays ``(ptr, idx)`` (candidate ``j`` covers
demand points ``idx[ptr[j]:ptr[j + 1]]``); :func:`_problem` checks a whole problem once for
the solvers of :mod:`jinan_gis.analyses.site_solvers` and :mod:`jinan_gis.analyses.site_exact`,
and :func:`_order_by_gain` orders the sites any of them chose by marginal gain.

Examples
--------
>>> import numpy as np
>>> k, ptr, idx, w, already = _problem((np.array([0, 2, 3]), np.array([1, 0, 2])),
...                                   [1.0, 2.0, 3.0], 1, already_covered=[2])
>>> ptr.tolist(), idx.tolist(), already.tolist()
([0, 2, 3], [0, 1, 2], [False, False, True])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from ..geo.errors import SiteSelectionError

__all__ = ["CoverInput", "cover_csr"]

CoverInput = tuple[np.ndarray, np.ndarray] | pd.DataFrame | sparse.spmatrix | sparse.sparray
"""Coverage in one of three forms: ``(ptr, idx)`` CSR arrays (candidate ``j`` covers demand
points ``idx[ptr[j]:ptr[j + 1]]``), a pairs DataFrame with ``source`` (candidate) and
``target`` (demand) columns (what :func:`~jinan_gis.geo.reach.reach_pairs` returns), or a
scipy sparse matrix (candidates x demand; a stored non-zero means "covers")."""



def cover_csr(
    cover: CoverInput, n_demand: int, *, n_candidates: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Coverage as CSR arrays ``(ptr, idx)`` with sorted, duplicate-free rows.

    Parameters
    ----------
    cover : CoverInput
        ``(ptr, idx)``, a ``source``/``target`` pairs DataFrame, or a sparse matrix
        (candidates x demand).
    n_demand : int
        Number of demand points (``idx`` must lie in ``[0, n_demand)``).
    n_candidates : int, optional
        Number of candidates for a pairs DataFrame (default: largest ``source`` + 1; give it
        when the last candidates cover nobody).

    Returns
    -------
    ptr : ndarray (n_candidates + 1,) int64
    idx : ndarray int64

    Examples
    --------
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"source": [1, 0, 1, 1], "target": [2, 0, 0, 2]})
    >>> ptr, idx = cover_csr(pairs, 3)
    >>> ptr.tolist(), idx.tolist()
    ([0, 1, 3], [0, 0, 2])
    """
    n_demand = int(n_demand)
    if isinstance(cover, pd.DataFrame):
        missing = {"source", "target"} - set(cover.columns)
        if missing:
            raise SiteSelectionError(
                f"the coverage pairs lack column(s) {sorted(missing)}; pass reach_pairs() "
                "output (source = candidate, target = demand point) or (ptr, idx) arrays."
            )
        rows = cover["source"].to_numpy(dtype=np.int64)
        cols = cover["target"].to_numpy(dtype=np.int64)
        n_cand = int(rows.max()) + 1 if n_candidates is None and len(rows) else n_candidates
        n_cand = 0 if n_cand is None else int(n_cand)
    elif sparse.issparse(cover):
        mat = sparse.csr_matrix(cover)
        if mat.shape[1] != n_demand:
            raise SiteSelectionError(
                f"the coverage matrix has {mat.shape[1]} columns but there are {n_demand} "
                "demand points; give a (candidates x demand) matrix."
            )
        mat.eliminate_zeros()
        n_cand = mat.shape[0]
        rows = np.repeat(np.arange(n_cand, dtype=np.int64), np.diff(mat.indptr))
        cols = mat.indices.astype(np.int64)
    elif isinstance(cover, tuple | list) and len(cover) == 2:
        ptr = np.asarray(cover[0], dtype=np.int64)
        cols = np.asarray(cover[1], dtype=np.int64)
        if ptr.ndim != 1 or len(ptr) < 1 or ptr[0] != 0 or ptr[-1] != len(cols) or np.any(
            np.diff(ptr) < 0
        ):
            raise SiteSelectionError(
                "ptr must start at 0, never decrease and end at len(idx) (CSR layout: "
                "candidate j covers idx[ptr[j]:ptr[j + 1]])."
            )
        n_cand = len(ptr) - 1
        rows = np.repeat(np.arange(n_cand, dtype=np.int64), np.diff(ptr))
        if _is_canonical(ptr, cols, n_demand):  # sorted, duplicate-free rows: nothing to do
            return ptr, cols
    else:
        raise SiteSelectionError(
            "cover must be (ptr, idx) CSR arrays, a source/target pairs DataFrame or a scipy "
            f"sparse matrix, not {type(cover).__name__}."
        )
    if len(cols) and (cols.min() < 0 or cols.max() >= n_demand):
        raise SiteSelectionError(
            f"coverage names demand points outside 0..{n_demand - 1}; the weights must have "
            "one entry per demand point."
        )
    if len(rows) and (rows.min() < 0 or rows.max() >= n_cand):
        raise SiteSelectionError(
            f"coverage names candidates outside 0..{n_cand - 1}; raise n_candidates."
        )
    order = np.argsort(rows, kind="stable")  # pairs come sorted by target: rows then sorted
    ptr = np.zeros(n_cand + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_cand), out=ptr[1:])
    if _is_canonical(ptr, cols[order], n_demand):
        return ptr, cols[order]
    key = np.unique(rows * max(n_demand, 1) + cols)
    rows, cols = key // max(n_demand, 1), key % max(n_demand, 1)
    ptr = np.zeros(n_cand + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_cand), out=ptr[1:])
    return ptr, cols.astype(np.int64)


def _is_canonical(ptr: np.ndarray, idx: np.ndarray, n_demand: int) -> bool:
    """Whether CSR arrays already have in-range, strictly increasing rows (O(nnz), no sort)."""
    if len(idx) == 0:
        return True
    if idx.min() < 0 or idx.max() >= n_demand:
        return False
    step = np.diff(idx) > 0
    starts = ptr[1:-1]
    starts = starts[(starts > 0) & (starts < len(idx))]
    step[starts - 1] = True  # a row may start below where the previous one ended
    return bool(step.all())


def _weights(weights: Any, n: int | None = None) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64).ravel()
    if n is not None and len(w) != n:
        raise SiteSelectionError(f"weights has {len(w)} entries, expected {n} (one per person).")
    if np.any(~np.isfinite(w)) or np.any(w < 0):
        raise SiteSelectionError(
            "weights (people) must be finite and >= 0; fill or drop the bad population rows."
        )
    return w


def _already(already_covered: Any, n: int) -> np.ndarray:
    if already_covered is None:
        return np.zeros(n, dtype=bool)
    a = np.asarray(already_covered)
    if a.dtype == bool:
        if a.shape != (n,):
            raise SiteSelectionError(
                f"already_covered has shape {a.shape}; give a bool mask of length {n} or an "
                "array of demand positions."
            )
        return a.copy()
    out = np.zeros(n, dtype=bool)
    pos = a.astype(np.int64).ravel()
    if len(pos) and (pos.min() < 0 or pos.max() >= n):
        raise SiteSelectionError(f"already_covered names positions outside 0..{n - 1}.")
    out[pos] = True
    return out


def _check_k(k: int) -> int:
    if isinstance(k, bool) or int(k) != k or k < 1:
        raise SiteSelectionError(f"k (number of new sites) must be an integer >= 1, got {k!r}.")
    return int(k)




def _rows(ptr: np.ndarray) -> np.ndarray:
    """The candidate of every CSR entry: ``row[e] = j`` for ``ptr[j] <= e < ptr[j + 1]``."""
    return np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))


def _problem(
    cover: CoverInput,
    weights: Sequence[float] | np.ndarray,
    k: int,
    *,
    already_covered: Sequence[bool] | np.ndarray | None = None,
    n_candidates: int | None = None,
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A checked problem: ``(k, ptr, idx, weights, already-covered mask)``."""
    k = _check_k(k)
    w = _weights(weights)
    ptr, idx = cover_csr(cover, len(w), n_candidates=n_candidates)
    return k, ptr, idx, w, _already(already_covered, len(w))


def _order_by_gain(
    ptr: np.ndarray, idx: np.ndarray, w_eff: np.ndarray, sites: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Order ``sites`` greedily among themselves; drop those that add nobody."""
    w_left = w_eff.copy()
    left = [int(s) for s in sites]
    order: list[int] = []
    gains: list[float] = []
    while left:
        g = [float(w_left[idx[ptr[s] : ptr[s + 1]]].sum()) for s in left]
        b = int(np.argmax(g))
        if g[b] <= 0:
            break
        s = left.pop(b)
        order.append(s)
        gains.append(g[b])
        w_left[idx[ptr[s] : ptr[s + 1]]] = 0.0
    return np.asarray(order, dtype=np.int64), np.asarray(gains, dtype=np.float64)
