"""Points within a distance of each centre, as CSR rows: a fixed-radius search without
Python lists.

``scipy.spatial.cKDTree.query_ball_point`` answers the same question but returns one Python
list per centre: with millions of pairs, building the lists costs more than the search.  Here
the points are bucketed on an ``r_m`` grid once and each centre scans the 3 x 3 cells around
it (compiled), writing the hits straight into CSR arrays, each row in increasing point order
(the order ``query_ball_point`` returns, so sums over a row add up in the same order).
A point is in when ``dx * dx + dy * dy <= r_m * r_m``.

Examples
--------
>>> import numpy as np
>>> pts = np.array([[0.0, 0.0], [3.0, 4.0], [10.0, 0.0], [0.0, 5.1]])
>>> indptr, idx = ball_csr(np.array([[0.0, 0.0], [10.0, 1.0]]), pts, 5.0)
>>> indptr.tolist(), idx.tolist()
([0, 2, 3], [0, 1, 2])
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["ball_csr"]


@njit(cache=True)
def _scan(cx, cy, px, py, pid, start, x0, y0, cell, nx, ny, r2, counts, out,
          fill):  # pragma: no cover - compiled
    for c in range(len(cx)):
        i = int((cx[c] - x0) / cell)
        j = int((cy[c] - y0) / cell)
        k = counts[c] if fill else 0
        first = k
        for a in range(max(i - 1, 0), min(i + 2, nx)):
            for b in range(max(j - 1, 0), min(j + 2, ny)):
                cellid = a * ny + b
                for q in range(start[cellid], start[cellid + 1]):
                    dx = px[q] - cx[c]
                    dy = py[q] - cy[c]
                    if dx * dx + dy * dy <= r2:
                        if fill:
                            out[k] = pid[q]
                        k += 1
        if fill:
            out[first:k].sort()
        else:
            counts[c] = k


def ball_csr(centres: np.ndarray, points: np.ndarray, r_m: float) -> tuple[np.ndarray, np.ndarray]:
    """For each centre, the indices of the ``points`` within ``r_m`` (inclusive), ascending.

    Parameters
    ----------
    centres, points : (n, 2) arrays
    r_m : float
        Search radius (> 0).

    Returns
    -------
    indptr, indices : int64 arrays
        Row ``c`` is ``indices[indptr[c]:indptr[c + 1]]``.
    """
    centres = np.asarray(centres, dtype=float).reshape(-1, 2)
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    if len(points) == 0 or len(centres) == 0:
        return np.zeros(len(centres) + 1, dtype=np.int64), np.empty(0, dtype=np.int64)
    x0 = min(points[:, 0].min(), centres[:, 0].min()) - r_m
    y0 = min(points[:, 1].min(), centres[:, 1].min()) - r_m
    nx = int((max(points[:, 0].max(), centres[:, 0].max()) - x0) // r_m) + 2
    ny = int((max(points[:, 1].max(), centres[:, 1].max()) - y0) // r_m) + 2
    key = ((points[:, 0] - x0) / r_m).astype(np.int64) * ny + \
        ((points[:, 1] - y0) / r_m).astype(np.int64)
    order = np.argsort(key, kind="stable")
    start = np.searchsorted(key[order], np.arange(nx * ny + 1))
    px, py = points[order, 0].copy(), points[order, 1].copy()
    counts = np.zeros(len(centres), dtype=np.int64)
    r2 = float(r_m) * float(r_m)
    none = np.empty(0, dtype=np.int64)
    _scan(centres[:, 0], centres[:, 1], px, py, order, start, x0, y0, r_m, nx, ny, r2, counts,
          none, False)
    indptr = np.zeros(len(centres) + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    pos = np.empty(int(indptr[-1]), dtype=np.int64)
    _scan(centres[:, 0], centres[:, 1], px, py, order, start, x0, y0, r_m, nx, ny, r2,
          indptr[:-1], pos, True)
    return indptr, pos
