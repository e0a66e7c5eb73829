"""Numba kernels of the street-network engine: one family of Dijkstra searches on a CSR graph.

Three jobs share one settling loop, run with one of two priority queues:

- :func:`nearest` — one multi-source search: every node's distance to its nearest seed and
  the label (source) of that seed;
- :func:`count_nodes` — one bounded search per source: how many sources reach each node;
- :func:`node_sets` — one bounded search per source: the nodes it reaches, with distances
  (flat CSR-like arrays).

Queues (chosen per graph by :func:`choose_queue`, see its rule):

- a binary heap with lazy deletion, the sift written inline, its arrays allocated once per
  call at the size no search can exceed (pages the search never touches cost nothing);
- a bucket queue (Dial's algorithm) with bucket width ``w`` just below the shortest arc, on a
  ring of ``2**k`` buckets: all nodes of one bucket are final when it is reached, because no
  arc is shorter than a bucket, so the answers are the exact Dijkstra distances (each one the
  same sum of arc lengths along a shortest path as the heap gives).

Seeds are ``(node, initial distance)`` pairs grouped by search (``seed_ptr``): a facility on
an edge seeds both ends of its edge at the partial lengths.  Searches are independent, so
:func:`parallel_counts` and :func:`parallel_sets` run blocks of them on threads (the kernels
release the GIL).
"""

from __future__ import annotations

import itertools
import logging
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

__all__ = [
    "BUCKET_MAX_MEAN_RATIO",
    "bounded_searches",
    "choose_queue",
    "count_nodes",
    "kernel_csr",
    "nearest",
    "node_sets",
    "parallel_counts",
    "parallel_sets",
    "sort_seeds",
    "threads",
    "warm_up",
]

log = logging.getLogger(__name__)

BUCKET_MAX_MEAN_RATIO = 8.0
"""The bucket queue is used when the mean arc is at most this many times the shortest arc."""

_MAX_RING = 1 << 16  # buckets on the ring at most (longest arc / bucket width)
_MIN_PER_THREAD = 32  # searches per thread below which threads do not pay


def choose_queue(weight: np.ndarray) -> tuple[str, float]:
    """The queue for a graph with arc lengths ``weight``: ``("bucket", width)`` or
    ``("heap", 0.0)``.

    Rule: a bucket queue when the shortest arc is longer than 0, the mean arc is at most
    :data:`BUCKET_MAX_MEAN_RATIO` times the shortest (a search then scans few empty buckets
    per settled node) and the longest arc spans at most 65,536 buckets; the width is the
    shortest arc less one part in 10**9, so rounding never puts two nodes that are one arc
    apart into one bucket.  Otherwise a binary heap.  Real OSM graphs have centimetre edges
    and get the heap; evenly sized street grids get buckets.

    Examples
    --------
    >>> choose_queue(np.array([90.0, 100.0, 120.0]))[0]
    'bucket'
    >>> choose_queue(np.array([0.01, 100.0, 120.0]))
    ('heap', 0.0)
    """
    w = np.asarray(weight, dtype=np.float64)
    if len(w) == 0:
        return "heap", 0.0
    w_min = float(w.min())
    if not w_min > 0 or float(w.mean()) > BUCKET_MAX_MEAN_RATIO * w_min:
        return "heap", 0.0
    width = w_min * (1.0 - 1e-9)
    if float(w.max()) / width + 2 > _MAX_RING:
        return "heap", 0.0
    return "bucket", width


def _ring_mask(weight: np.ndarray, width: float) -> int:
    """``2**k - 1`` for the smallest ring of ``2**k`` buckets that spans the longest arc."""
    if width <= 0:
        return 0
    need = int(float(weight.max()) / width) + 2 if len(weight) else 2
    size = 1
    while size < need:
        size <<= 1
    return size - 1


# ----------------------------------------------------------------------------- settle loops
# Every index below is unsigned (the CSR arrays are uint32 or uint64, see kernel_csr, and the
# counters uint64): numba checks signed indices for negative values ("wraparound") on every
# access, which costs about as much as the search itself.  Mixing int64 and uint64 in numba
# arithmetic gives float64, so the loops keep to uint64 throughout.
_ZERO = np.uint64(0)
_ONE = np.uint64(1)


@njit(cache=True, nogil=True)
def _settle_heap(indptr, head, weight, s_node, s_dist, s_lab, lo, hi, max_dist,
                 dist, done, lab, use_lab, hd, hn, order):
    """Settle every node reachable within ``max_dist`` from seeds ``lo:hi`` (binary heap).

    Writes ``dist`` (and ``lab`` when ``use_lab``), marks ``done`` and lists the settled
    nodes in ``order``; returns how many.  ``hd``/``hn`` hold at least ``hi - lo`` plus the
    number of arcs entries.
    """
    # long: one inline heap loop (sift written out: a call per push costs numba ~2x)
    one = np.uint64(1)
    zero = np.uint64(0)
    size = zero
    j = np.uint64(lo)
    end = np.uint64(hi)
    while j < end:
        node = s_node[j]
        d0 = s_dist[j]
        if d0 <= max_dist and d0 < dist[node]:
            dist[node] = d0
            if use_lab:
                lab[node] = s_lab[j]
            i = size
            size += one
            while i > zero:
                p = (i - one) >> one
                if hd[p] <= d0:
                    break
                hd[i] = hd[p]
                hn[i] = hn[p]
                i = p
            hd[i] = d0
            hn[i] = node
        j += one
    k = zero
    while size > zero:
        d = hd[zero]
        node = hn[zero]
        size -= one
        if size > zero:
            ld = hd[size]
            ln = hn[size]
            i = zero
            while True:
                c = i + i + one
                if c >= size:
                    break
                if c + one < size and hd[c + one] < hd[c]:
                    c += one
                if hd[c] >= ld:
                    break
                hd[i] = hd[c]
                hn[i] = hn[c]
                i = c
            hd[i] = ld
            hn[i] = ln
        if done[node]:
            continue
        done[node] = True
        order[k] = node
        k += one
        a = np.uint64(indptr[node])
        a_end = np.uint64(indptr[node + one])
        while a < a_end:
            nb = head[a]
            nd = d + weight[a]
            a += one
            if nd <= max_dist and nd < dist[nb]:
                dist[nb] = nd
                if use_lab:
                    lab[nb] = lab[node]
                i = size
                size += one
                while i > zero:
                    p = (i - one) >> one
                    if hd[p] <= nd:
                        break
                    hd[i] = hd[p]
                    hn[i] = hn[p]
                    i = p
                hd[i] = nd
                hn[i] = nb
    return k


@njit(cache=True, nogil=True)
def _settle_bucket(indptr, head, weight, s_node, s_dist, s_lab, lo, hi, max_dist,
                   dist, done, lab, use_lab, inv_w, mask, bhead, pnext, pnode, order):
    """Like :func:`_settle_heap` with a ring of buckets of width ``1 / inv_w``.

    Seeds ``lo:hi`` must be sorted by distance.  Buckets are stacks of pool entries linked
    through ``pnext``; entry 0 is the end mark, so ``bhead`` (the ring, ``mask + 1`` long)
    is all 0 between searches; ``pnext``/``pnode`` hold at least ``hi - lo`` plus the
    number of arcs, plus 1, entries.
    """
    # long: one inline bucket-queue loop (a call per push costs numba ~2x)
    one = np.uint64(1)
    zero = np.uint64(0)
    umask = np.uint64(mask)
    k = zero
    sp = np.uint64(lo)
    end = np.uint64(hi)
    if sp >= end:
        return k
    free = zero
    top = one
    live = zero
    b = np.uint64(s_dist[sp] * inv_w)
    while True:
        while sp < end:
            d0 = s_dist[sp]
            if d0 > max_dist:
                sp = end
                break
            if np.uint64(d0 * inv_w) > b:
                break
            node = s_node[sp]
            if d0 < dist[node]:
                dist[node] = d0
                if use_lab:
                    lab[node] = s_lab[sp]
                if free != zero:
                    e = free
                    free = pnext[e]
                else:
                    e = top
                    top += one
                slot = b & umask
                pnode[e] = node
                pnext[e] = bhead[slot]
                bhead[slot] = e
                live += one
            sp += one
        slot = b & umask
        e = bhead[slot]
        if e == zero:
            if live == zero:
                if sp >= end:
                    break
                b = np.uint64(s_dist[sp] * inv_w)
            else:
                b += one
            continue
        bhead[slot] = pnext[e]
        node = pnode[e]
        pnext[e] = free
        free = e
        live -= one
        if done[node]:
            continue
        done[node] = True
        order[k] = node
        k += one
        d = dist[node]
        a = np.uint64(indptr[node])
        a_end = np.uint64(indptr[node + one])
        while a < a_end:
            nb = head[a]
            nd = d + weight[a]
            a += one
            if nd <= max_dist and nd < dist[nb]:
                dist[nb] = nd
                if use_lab:
                    lab[nb] = lab[node]
                bb = np.uint64(nd * inv_w)
                if bb < b:
                    bb = b
                if free != zero:
                    e = free
                    free = pnext[e]
                else:
                    e = top
                    top += one
                slot = bb & umask
                pnode[e] = nb
                pnext[e] = bhead[slot]
                bhead[slot] = e
                live += one
    return k


@njit(cache=True, nogil=True)
def _settle(indptr, head, weight, s_node, s_dist, s_lab, lo, hi, max_dist, dist, done, lab,
            use_lab, width, mask, qd, qn, bhead, pnext, order):
    """Dispatch to the heap (``width <= 0``) or the bucket queue."""
    if width > 0:
        return _settle_bucket(indptr, head, weight, s_node, s_dist, s_lab, lo, hi, max_dist,
                              dist, done, lab, use_lab, 1.0 / width, mask, bhead, pnext, qn,
                              order)
    return _settle_heap(indptr, head, weight, s_node, s_dist, s_lab, lo, hi, max_dist, dist,
                        done, lab, use_lab, qd, qn, order)


@njit(cache=True, nogil=True)
def _work_arrays(n, cap, width, mask, like):
    """Per-thread state: distances, settled flags, settle order, queue arrays (node arrays
    of the CSR's index type ``like.dtype``)."""
    dist = np.full(n, np.inf)
    done = np.zeros(n, dtype=np.bool_)
    order = np.empty(n, dtype=like.dtype)
    qn = np.empty(cap + 1, dtype=like.dtype)
    if width > 0:
        qd = np.empty(1)
        pnext = np.empty(cap + 1, dtype=np.uint64)
        bhead = np.zeros(mask + 1, dtype=np.uint64)
    else:
        qd = np.empty(cap + 1)
        pnext = np.empty(1, dtype=np.uint64)
        bhead = np.empty(1, dtype=np.uint64)
    return dist, done, order, qd, qn, bhead, pnext


# ----------------------------------------------------------------------------- drivers
@njit(cache=True, nogil=True)
def nearest(indptr, head, weight, seed_node, seed_dist, seed_lab, max_dist, width, mask):
    """Multi-source search: distance from every node to its nearest seed and that seed's label.

    ``indptr``/``head``/``seed_node`` are unsigned (:func:`kernel_csr`); seeds must be sorted
    by distance when ``width > 0`` (bucket queue; see :func:`sort_seeds`).  Returns ``dist``
    (inf beyond ``max_dist``) and ``lab`` (int64, -1 there).
    """
    n = indptr.shape[0] - 1
    cap = head.shape[0] + seed_node.shape[0]
    dist, done, order, qd, qn, bhead, pnext = _work_arrays(n, cap, width, mask, head)
    lab = np.full(n, -1, dtype=np.int64)
    _settle(indptr, head, weight, seed_node, seed_dist, seed_lab, 0, seed_node.shape[0],
            max_dist, dist, done, lab, True, width, mask, qd, qn, bhead, pnext, order)
    return dist, lab


@njit(cache=True, nogil=True)
def count_nodes(indptr, head, weight, seed_ptr, seed_node, seed_dist, max_dist, width, mask,
                s_lo, s_hi):
    """Searches ``s_lo:s_hi`` (seeds of search ``s``: ``seed_ptr[s]:seed_ptr[s + 1]``), each
    bounded by ``max_dist``: the number of searches that reach every node (int64)."""
    n = indptr.shape[0] - 1
    cap = head.shape[0] + seed_node.shape[0]
    dist, done, order, qd, qn, bhead, pnext = _work_arrays(n, cap, width, mask, head)
    lab = np.empty(1, dtype=np.int64)
    counts = np.zeros(n, dtype=np.int64)
    one = np.uint64(1)
    for s in range(s_lo, s_hi):
        k = _settle(indptr, head, weight, seed_node, seed_dist, lab, seed_ptr[s],
                    seed_ptr[s + 1], max_dist, dist, done, lab, False, width, mask, qd, qn,
                    bhead, pnext, order)
        i = np.uint64(0)
        while i < k:
            node = order[i]
            counts[node] += 1
            dist[node] = np.inf
            done[node] = False
            i += one
    return counts


@njit(cache=True, nogil=True)
def node_sets(indptr, head, weight, seed_ptr, seed_node, seed_dist, max_dist, width, mask,
              s_lo, s_hi):
    """Searches ``s_lo:s_hi`` as in :func:`count_nodes`: the nodes each one reaches.

    Returns ``ptr`` (``s_hi - s_lo + 1``), ``node`` (int64) and ``dist``: search ``s_lo + i``
    reached ``node[ptr[i]:ptr[i + 1]]`` (each once, in the order settled) at ``dist[...]``.
    """
    n = indptr.shape[0] - 1
    cap = head.shape[0] + seed_node.shape[0]
    dist, done, order, qd, qn, bhead, pnext = _work_arrays(n, cap, width, mask, head)
    lab = np.empty(1, dtype=np.int64)
    n_s = s_hi - s_lo
    out_ptr = np.zeros(n_s + 1, dtype=np.int64)
    out_node = np.empty(max(1024, 64 * n_s), dtype=np.int64)
    out_dist = np.empty(out_node.shape[0])
    m = 0
    one = np.uint64(1)
    for s in range(s_lo, s_hi):
        k = _settle(indptr, head, weight, seed_node, seed_dist, lab, seed_ptr[s],
                    seed_ptr[s + 1], max_dist, dist, done, lab, False, width, mask, qd, qn,
                    bhead, pnext, order)
        kk = np.int64(k)
        if m + kk > out_node.shape[0]:
            cap2 = max(2 * out_node.shape[0], m + kk)
            nn = np.empty(cap2, dtype=np.int64)
            nd = np.empty(cap2)
            nn[:m] = out_node[:m]
            nd[:m] = out_dist[:m]
            out_node, out_dist = nn, nd
        i = np.uint64(0)
        while i < k:
            node = order[i]
            out_node[m] = np.int64(node)
            out_dist[m] = dist[node]
            m += 1
            dist[node] = np.inf
            done[node] = False
            i += one
        out_ptr[s - s_lo + 1] = m
    return out_ptr, out_node[:m].copy(), out_dist[:m].copy()


@njit(cache=True, nogil=True)
def bounded_searches(indptr, head, weight, seed_ptr, seed_node, seed_dist, max_dist):
    """:func:`node_sets` of every search with the binary heap (seeds in any order; any
    integer CSR: it is converted to unsigned here).

    Returns ``ptr`` (S + 1), ``node`` and ``dist`` as :func:`node_sets`.
    """
    return node_sets(indptr.astype(np.uint64), head.astype(np.uint64), weight, seed_ptr,
                     seed_node.astype(np.uint64), seed_dist, max_dist, 0.0, 0, 0,
                     seed_ptr.shape[0] - 1)


# ----------------------------------------------------------------------------- Python side
def kernel_csr(indptr: np.ndarray, head: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The CSR's index arrays as the kernels take them: uint32 (uint64 past 4e9 arcs).

    Examples
    --------
    >>> kernel_csr(np.array([0, 1, 2]), np.array([1, 0]))[1].dtype
    dtype('uint32')
    """
    dt = np.uint32 if len(head) < 2**32 - 1 and len(indptr) < 2**32 - 1 else np.uint64
    return indptr.astype(dt), head.astype(dt)


def sort_seeds(seed_ptr: np.ndarray, seed_node: np.ndarray, seed_dist: np.ndarray,
               *extra: np.ndarray) -> tuple[np.ndarray, ...]:
    """The seeds of each search sorted by distance (what the bucket queue needs).

    Examples
    --------
    >>> sort_seeds(np.array([0, 2, 3]), np.array([5, 6, 7]), np.array([9.0, 1.0, 4.0]))
    (array([6, 5, 7]), array([1., 9., 4.]))
    """
    search = np.repeat(np.arange(len(seed_ptr) - 1), np.diff(seed_ptr))
    o = np.lexsort((seed_dist, search))
    return (seed_node[o], seed_dist[o], *(a[o] for a in extra))


def threads() -> int:
    """Threads for per-source searches: the CPUs this process may use, or
    ``JINAN_GIS_THREADS`` when set (1 switches threading off)."""
    env = os.environ.get("JINAN_GIS_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _blocks(n_search: int) -> list[tuple[int, int]]:
    t = min(threads(), max(1, n_search // _MIN_PER_THREAD))
    edges = np.linspace(0, n_search, t + 1).round().astype(np.int64)
    return [(int(a), int(b)) for a, b in itertools.pairwise(edges)]


def _run_blocks(fn, args: tuple, n_search: int) -> list:
    blocks = _blocks(n_search)
    if len(blocks) == 1:
        return [fn(*args, *blocks[0])]
    with ThreadPoolExecutor(len(blocks)) as ex:
        return list(ex.map(lambda b: fn(*args, *b), blocks))


def parallel_counts(indptr, head, weight, seed_ptr, seed_node, seed_dist, max_dist: float,
                    width: float, mask: int) -> np.ndarray:
    """:func:`count_nodes` of every search, blocks of searches on :func:`threads` threads."""
    args = (indptr, head, weight, seed_ptr, seed_node, seed_dist, float(max_dist),
            float(width), int(mask))
    parts = _run_blocks(count_nodes, args, len(seed_ptr) - 1)
    out = parts[0]
    for p in parts[1:]:
        out += p
    return out


def parallel_sets(indptr, head, weight, seed_ptr, seed_node, seed_dist, max_dist: float,
                  width: float, mask: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`node_sets` of every search, blocks of searches on :func:`threads` threads."""
    args = (indptr, head, weight, seed_ptr, seed_node, seed_dist, float(max_dist),
            float(width), int(mask))
    parts = _run_blocks(node_sets, args, len(seed_ptr) - 1)
    if len(parts) == 1:
        return parts[0]
    shift = np.cumsum([0] + [len(p[1]) for p in parts[:-1]])
    ptr = np.concatenate([parts[0][0]] + [p[0][1:] + s for p, s in zip(parts[1:], shift[1:],
                                                                          strict=True)])
    return (ptr, np.concatenate([p[1] for p in parts]), np.concatenate([p[2] for p in parts]))


def warm_up() -> None:
    """Compile (first run on a machine) or load every kernel of the family, and the snapping
    kernel, with the argument types the engine uses, on a three-node graph (milliseconds once
    cached; a few seconds on a cold numba cache).

    Examples
    --------
    >>> warm_up()
    """
    from ._kernels_snap import best_candidates, sub_segments

    indptr, head = kernel_csr(np.array([0, 1, 3, 4]), np.array([1, 0, 2, 1]))
    weight = np.array([5.0, 5.0, 6.0, 6.0])
    ptr = np.array([0, 1], dtype=np.int64)
    node, dist = head[:1].copy(), np.zeros(1)
    lab = np.zeros(1, dtype=np.int64)
    nearest(indptr, head, weight, node, dist, lab, np.inf, 0.0, 0)
    count_nodes(indptr, head, weight, ptr, node, dist, 10.0, 0.0, 0, 0, 1)
    node_sets(indptr, head, weight, ptr, node, dist, 10.0, 0.0, 0, 0, 1)
    xy = np.array([[0.0, 0.0], [5.0, 0.0]])
    one = np.zeros(1, dtype=np.int64)
    best_candidates(xy[:1], np.zeros((1, 1), dtype=np.int64), 1, one.astype(np.int32),
                    one.astype(np.int32), one, np.ones(1, dtype=np.int64), xy)
    sub_segments(np.array([0, 2]), xy, np.ones(1, dtype=np.bool_), 60.0,
                 np.empty(0, dtype=np.int32))


KERNELS = (nearest, count_nodes, node_sets)
"""The compiled entry points the engine calls (for cache checks and :func:`warm_up`;
:func:`bounded_searches` is a compatibility wrapper no caller uses, compiled on first use)."""
