"""Numba kernel of the snapping index: the nearest of each point's candidate sub-segments.

The KD-tree of :mod:`jinan_gis.geo.snap` stores only sub-segment midpoints; this kernel
rebuilds each candidate's end points from the edge vertices (segment ``j`` of the vertex
array cut into ``n_sub`` equal pieces, piece ``k``) and projects the point on it, without the
``(points, k, 2)`` temporaries numpy needs.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["best_candidates", "sub_segments"]


@njit(cache=True, nogil=True)
def best_candidates(p, cand, n_cand, sub_seg, sub_k, seg_j, seg_n, xy):
    """For each point ``p[i]``: the nearest of its candidates ``cand[i, :]`` (values
    ``>= n_cand`` are missing).

    Returns ``dist`` (inf without a candidate), ``best`` (sub-segment, -1 without) and ``t``
    (position 0..1 of the closest point along that sub-segment).
    """
    n, k = cand.shape
    dist = np.full(n, np.inf)
    best = np.full(n, -1, dtype=np.int64)
    tt = np.zeros(n)
    for i in range(n):
        px = p[i, 0]
        py = p[i, 1]
        for c in range(k):
            s = cand[i, c]
            if s >= n_cand:
                continue
            g = sub_seg[s]
            j = seg_j[g]
            f0 = sub_k[s] / seg_n[g]
            f1 = (sub_k[s] + 1) / seg_n[g]
            ax = xy[j, 0]
            ay = xy[j, 1]
            dx = xy[j + 1, 0] - ax
            dy = xy[j + 1, 1] - ay
            sax = ax + dx * f0
            say = ay + dy * f0
            abx = (ax + dx * f1) - sax
            aby = (ay + dy * f1) - say
            apx = px - sax
            apy = py - say
            den = abx * abx + aby * aby
            t = 0.0
            if den > 0:
                t = (apx * abx + apy * aby) / den
                t = min(max(t, 0.0), 1.0)
            rx = apx - t * abx
            ry = apy - t * aby
            d = np.hypot(rx, ry)
            if d < dist[i]:
                dist[i] = d
                best[i] = s
                tt[i] = t
    return dist, best, tt


@njit(cache=True, nogil=True)
def sub_segments(ptr, xy, wanted, sub_m, like):
    """The snapping index's pieces in one pass: every segment of the ``wanted`` edges cut
    into ``max(1, ceil(length / sub_m))`` equal sub-segments.

    Returns, per segment, its first vertex ``j``, its edge and its number of sub-segments;
    per sub-segment its segment (dtype of ``like``), its rank (int32) and its midpoint
    ``xy[j] + (xy[j + 1] - xy[j]) * (rank + 0.5) / n``; and half the longest sub-segment.
    """
    m = ptr.shape[0] - 1
    n_seg = 0
    for e in range(m):
        if wanted[e]:
            n_seg += ptr[e + 1] - ptr[e] - 1
    seg_j = np.empty(n_seg, dtype=np.int64)
    seg_e = np.empty(n_seg, dtype=np.int64)
    seg_n = np.empty(n_seg, dtype=np.int64)
    half = 0.0
    total = 0
    g = 0
    for e in range(m):
        if not wanted[e]:
            continue
        for j in range(ptr[e], ptr[e + 1] - 1):
            length = np.hypot(xy[j + 1, 0] - xy[j, 0], xy[j + 1, 1] - xy[j, 1])
            n = max(1, int(np.ceil(length / sub_m)))
            seg_j[g] = j
            seg_e[g] = e
            seg_n[g] = n
            half = max(half, length / n)
            total += n
            g += 1
    sub_seg = np.empty(total, dtype=like.dtype)
    sub_k = np.empty(total, dtype=np.int32)
    mid = np.empty((total, 2))
    s = 0
    for g in range(n_seg):
        j = seg_j[g]
        n = seg_n[g]
        dx = xy[j + 1, 0] - xy[j, 0]
        dy = xy[j + 1, 1] - xy[j, 1]
        for k in range(n):
            f = (k + 0.5) / n
            sub_seg[s] = g
            sub_k[s] = k
            mid[s, 0] = xy[j, 0] + dx * f
            mid[s, 1] = xy[j, 1] + dy * f
            s += 1
    return seg_j, seg_e, seg_n, sub_seg, sub_k, mid, half / 2
