"""Reach over the street network: nearest facility, facilities within a distance, all pairs.

Sources (facilities) and targets (population points) sit *on edges*, at their snapped
positions (:mod:`jinan_gis.geo.snap`), so distances are exact with partial edges: a target
at offset ``t`` on edge ``(u, v)`` of length ``L`` is reached through ``u`` at ``d(u) + t`` or
through ``v`` at ``d(v) + L - t`` (where the mode may travel that way), and two points on the
same edge get their distance along it, not a detour through its end nodes.

What a distance includes (``count_access=True``, the default everywhere): the target's access
leg (the straight line from the point to the nearest point of the street it is placed on),
the walk along the streets, and the source's access leg from its street to the facility's
door.  A point whose nearest street is a small disconnected piece is placed on the nearest
main-network street (status ``"moved"``, :mod:`jinan_gis.geo.snap`), and its access leg is
the straight line to *that* street, so the extra metres are walked.  Pass
``count_access=False`` for street distances only (street point to street point), as
NetworkX/pandana comparisons on bare graphs do.

Minutes become metres through an explicit speed (:func:`minutes_to_metres`).  The walking
default, :data:`WALK_SPEED_KMH` = 4 km/h, makes 15 minutes = 1000 m, the upper end of the
800-1000 m that GB 50180-2018 gives for the 15-minute life circle (a *national standard*
default, not a plan target; override ``speed_kmh`` to change it).

Examples
--------
A clinic mid-way along a 200 m street and a person 30 m further along it:

>>> import numpy as np
>>> from jinan_gis.geo.network import Network
>>> net = Network.from_arrays([[0, 0], [200, 0]], [0], [1])
>>> res = nearest_source(net, np.array([[100.0, 0.0]]), np.array([[130.0, 5.0]]))
>>> res[["dist_m", "source", "access_m"]].to_dict("records")
[{'dist_m': 35.0, 'source': 0, 'access_m': 5.0}]
>>> nearest_source(net, np.array([[100.0, 0.0]]), np.array([[130.0, 5.0]]),
...                count_access=False)["dist_m"].tolist()
[30.0]
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import NetworkError
from .modes import DEFAULT_SPEEDS_KMH, WALK_SPEED_KMH
from .network import Network, concat_ranges
from .snap import PLACED_STATUSES, SNAP_STATUSES, Snapped, snap_points

__all__ = [
    "DEFAULT_SPEEDS_KMH",
    "WALK_SPEED_KMH",
    "NearestTree",
    "count_within",
    "metres_to_minutes",
    "minutes_to_metres",
    "nearest_source",
    "nearest_tree",
    "node_distances",
    "reach_pairs",
    "source_searches",
]

log = logging.getLogger(__name__)

def minutes_to_metres(minutes: float, *, speed_kmh: float = WALK_SPEED_KMH) -> float:
    """Convert a travel time to a network distance at ``speed_kmh``.

    Examples
    --------
    >>> minutes_to_metres(15)
    1000.0
    >>> minutes_to_metres(30, speed_kmh=12.0)
    6000.0
    """
    if speed_kmh <= 0:
        raise NetworkError(f"speed_kmh must be positive, got {speed_kmh!r}.")
    return float(minutes) * float(speed_kmh) * 1000.0 / 60.0


def metres_to_minutes(metres: float | np.ndarray, *, speed_kmh: float = WALK_SPEED_KMH):
    """Convert a network distance to minutes at ``speed_kmh``.

    Examples
    --------
    >>> metres_to_minutes(500.0)
    7.5
    """
    if speed_kmh <= 0:
        raise NetworkError(f"speed_kmh must be positive, got {speed_kmh!r}.")
    return np.asarray(metres) * 60.0 / (float(speed_kmh) * 1000.0) if np.ndim(metres) else (
        float(metres) * 60.0 / (float(speed_kmh) * 1000.0)
    )


def _snapped(network: Network, points: object, max_snap_m: float) -> Snapped:
    if isinstance(points, Snapped):
        return points
    return snap_points(network, points, max_snap_m=max_snap_m)


def _seeds(
    network: Network, src: Snapped, count_access: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seeds of each placed source: (u, offset) if it may travel backwards, (v, L - offset)
    if forwards, plus the source's access leg when ``count_access``.  Returns seed_ptr over
    *all* sources (unplaced ones have no seed)."""
    e = src.edge
    ok = e >= 0
    ee = np.where(ok, e, 0)
    to_u = ok & network.edge_bwd[ee]
    to_v = ok & network.edge_fwd[ee]
    cnt = to_u.astype(np.int64) + to_v.astype(np.int64)
    ptr = np.zeros(len(e) + 1, dtype=np.int64)
    np.cumsum(cnt, out=ptr[1:])
    node = np.empty(ptr[-1], dtype=np.int64)
    dist = np.empty(ptr[-1])
    pos_u = ptr[:-1][to_u]
    node[pos_u] = network.edge_u[ee[to_u]]
    dist[pos_u] = src.offset_m[to_u]
    pos_v = ptr[:-1][to_v] + to_u[to_v]
    node[pos_v] = network.edge_v[ee[to_v]]
    dist[pos_v] = network.edge_length[ee[to_v]] - src.offset_m[to_v]
    if count_access and len(dist):
        acc = np.nan_to_num(src.access_m)
        dist += np.repeat(acc, cnt)
    return ptr, node, dist


def _kernel_graph(network: Network) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, int]:
    """The network's CSR as the kernels take it (unsigned indices) and its queue's bucket
    width (0: binary heap) and ring mask; cached on the network."""
    if "kernel_csr" not in network._cache:
        from ._kernels import kernel_csr

        indptr, head, weight, _, _ = network.csr()
        network._cache["kernel_csr"] = (*kernel_csr(indptr, head), weight)
    _, width, mask = network.search_queue()
    return (*network._cache["kernel_csr"], width, mask)


def _warn_unplaced_sources(src: Snapped) -> None:
    """Log which sources (facilities) are not on the network: they serve nobody."""
    if len(src) == 0 or src.ok.all():
        return
    bad = ~src.ok
    counts = {k: v for k, v in src.counts().items() if k not in PLACED_STATUSES}
    labels = [str(v) for v in np.asarray(src.index)[bad][:5]]
    log.warning(
        "%d of %d facilities are not on the street network and serve nobody (%s; e.g. %s): "
        "check their coordinates (datum, CRS), add the streets near them, or raise max_snap_m "
        "(now %g m)",
        int(bad.sum()), len(src), counts, ", ".join(labels), src.max_snap_m,
    )


def _labels(index: pd.Index, which: np.ndarray) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """Index labels of the sources at positions ``which`` (-1: none)."""
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        # labels are the positions: a nullable integer array, no Python objects
        return pd.arrays.IntegerArray(which.astype(np.int64), mask=which < 0)
    label = np.empty(len(which), dtype=object)
    has = which >= 0
    label[has] = np.asarray(index)[which[has]]
    return label


def node_distances(
    network: Network,
    sources: object,
    *,
    max_dist_m: float = np.inf,
    max_snap_m: float = 250.0,
    count_access: bool = True,
) -> tuple[np.ndarray, np.ndarray, Snapped]:
    """Distance from every node to its nearest source, and which source (multi-source Dijkstra).

    One search from all sources at once (:func:`jinan_gis.geo._kernels.nearest`), seeded at
    the two ends of each source's edge at the partial lengths (plus the source's access leg
    when ``count_access``), with the network's queue (:meth:`Network.search_queue`).

    Returns
    -------
    dist_m : ndarray (n_nodes,)
        ``inf`` beyond ``max_dist_m`` or unreachable.
    source : ndarray (n_nodes,) int64
        Position of the nearest source in ``sources``; -1 where none.
    snapped_sources : Snapped
    """
    src = _snapped(network, sources, max_snap_m)
    _warn_unplaced_sources(src)
    n = network.n_nodes
    ptr, node, dist = _seeds(network, src, count_access)
    if len(node) == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64), src
    # the numba kernels are imported here: commands that never search do not pay numba's
    # ~0.4 s import
    from ._kernels import nearest

    indptr, head, weight, width, mask = _kernel_graph(network)
    lab = np.repeat(np.arange(len(src), dtype=np.int64), np.diff(ptr))
    order = np.argsort(dist, kind="stable")
    d, which = nearest(indptr, head, weight, node[order].astype(head.dtype), dist[order],
                       lab[order], float(max_dist_m), width, mask)
    return d, which, src


def _same_edge_pairs(
    network: Network, src: Snapped, tgt: Snapped
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(source, target, direct distance) for sources and targets on the same edge."""
    s_ok = np.flatnonzero(src.edge >= 0)
    t_ok = np.flatnonzero(tgt.edge >= 0)
    if len(s_ok) == 0 or len(t_ok) == 0:
        return (np.empty(0, np.int64),) * 2 + (np.empty(0),)
    order = s_ok[np.argsort(src.edge[s_ok], kind="stable")]
    se = src.edge[order]
    lo = np.searchsorted(se, tgt.edge[t_ok], side="left")
    hi = np.searchsorted(se, tgt.edge[t_ok], side="right")
    cnt = hi - lo
    if cnt.sum() == 0:
        return (np.empty(0, np.int64),) * 2 + (np.empty(0),)
    t_rep = np.repeat(t_ok, cnt)
    s_rep = order[concat_ranges(lo, cnt)]
    e = tgt.edge[t_rep]
    delta = tgt.offset_m[t_rep] - src.offset_m[s_rep]
    allowed = np.where(delta >= 0, network.edge_fwd[e], network.edge_bwd[e])
    return s_rep[allowed], t_rep[allowed], np.abs(delta[allowed])


@dataclass(frozen=True, eq=False)
class NearestTree:
    """Distance from every node to its nearest source, computed once and reused.

    One multi-source Dijkstra (:func:`node_distances`) answers :func:`nearest_source` for
    any set of targets within ``max_dist_m``: compute it with :func:`nearest_tree`, then pass
    it as ``sources`` as many times as needed (e.g. people of each district, grid cells).

    Attributes
    ----------
    dist_m : ndarray (n_nodes,)
        Distance to the nearest source (inf beyond ``max_dist_m``).
    source : ndarray (n_nodes,) int64
        Position of that source (-1: none).
    sources : Snapped
        The sources as placed on the network.
    max_dist_m : float
        The search bound: the tree answers queries up to this distance.
    count_access : bool
        Whether the sources' access legs are in ``dist_m``.
    n_nodes : int
        Nodes of the network the tree was computed on.
    """

    dist_m: np.ndarray
    source: np.ndarray
    sources: Snapped
    max_dist_m: float
    count_access: bool
    n_nodes: int


def nearest_tree(
    network: Network,
    sources: object,
    *,
    max_dist_m: float = np.inf,
    max_snap_m: float = 250.0,
    count_access: bool = True,
) -> NearestTree:
    """Run the nearest-source search once; reuse it for any targets (:class:`NearestTree`).

    Examples
    --------
    >>> import numpy as np
    >>> from jinan_gis.geo.network import Network
    >>> net = Network.from_arrays([[0, 0], [200, 0]], [0], [1])
    >>> tree = nearest_tree(net, np.array([[100.0, 0.0]]), max_dist_m=500)
    >>> nearest_source(net, tree, np.array([[130.0, 5.0]]))["dist_m"].tolist()
    [35.0]
    >>> nearest_source(net, tree, np.array([[0.0, 0.0]]), max_dist_m=50)["dist_m"].tolist()
    [inf]
    """
    node_d, node_s, src = node_distances(
        network, sources, max_dist_m=max_dist_m, max_snap_m=max_snap_m,
        count_access=count_access,
    )
    return NearestTree(node_d, node_s, src, float(max_dist_m), bool(count_access),
                       int(network.n_nodes))


def _tree_for(
    network: Network, sources: object, *, max_dist_m: float, max_snap_m: float,
    count_access: bool,
) -> NearestTree:
    """``sources`` as a :class:`NearestTree`: the given tree, checked, or a new search."""
    if not isinstance(sources, NearestTree):
        return nearest_tree(network, sources, max_dist_m=max_dist_m, max_snap_m=max_snap_m,
                            count_access=count_access)
    if sources.n_nodes != network.n_nodes:
        raise NetworkError(
            f"this NearestTree was computed on a network of {sources.n_nodes} nodes, not on "
            f"this one ({network.n_nodes}); compute it with nearest_tree(network, ...).")
    if max_dist_m > sources.max_dist_m:
        raise NetworkError(
            f"this NearestTree searched {sources.max_dist_m:g} m, less than the "
            f"{max_dist_m:g} m asked; compute it with nearest_tree(..., max_dist_m="
            f"{max_dist_m:g}).")
    if bool(count_access) != sources.count_access:
        raise NetworkError(
            f"this NearestTree was computed with count_access={sources.count_access}, the "
            f"query asks count_access={bool(count_access)}; compute a tree for it.")
    return sources


def nearest_source(
    network: Network,
    sources: object,
    targets: object | None = None,
    *,
    max_dist_m: float | None = None,
    max_snap_m: float = 250.0,
    count_access: bool = True,
) -> pd.DataFrame:
    """Network distance from every target to its nearest source, and which source.

    Parameters
    ----------
    network : Network
    sources : points (GeoDataFrame/GeoSeries/array), :class:`~jinan_gis.geo.snap.Snapped`
        or :class:`NearestTree`
        The facilities, or the search from them already run by :func:`nearest_tree` (with
        the same ``count_access`` and a ``max_dist_m`` at least this one): then no search
        runs again.
    targets : points, Snapped, or None
        The people (points), or None for every node of the network.
    max_dist_m : float, optional
        Search bound; targets with no source within it get ``dist_m = inf``.  Default: no
        bound, or the bound of the :class:`NearestTree` given as ``sources``.
    max_snap_m : float
        Snap limit for points not already snapped.
    count_access : bool
        Include the access legs (target to its street, the source's street to the source) in
        the distance (default).  ``False`` gives street distances only.  Nodes
        (``targets=None``) have no access leg of their own.

    Returns
    -------
    pandas.DataFrame
        Indexed like the targets (node ids for ``targets=None``): ``dist_m`` (inf when no
        source is within ``max_dist_m``), ``source`` (position in ``sources``, -1 when none),
        ``source_label`` (index label of that source), ``access_m``, ``moved_m`` and
        ``status`` (the target's placement, see :mod:`jinan_gis.geo.snap`; rows that are not
        placed, i.e. not ``"ok"``/``"moved"``, have ``dist_m = NaN``: they were not placed
        on the network, which is different from "too far").

    Examples
    --------
    A one-way street (drive): the clinic at x=0 cannot be reached from the node at x=100.

    >>> import numpy as np
    >>> from jinan_gis.geo.network import Network
    >>> net = Network.from_arrays([[0, 0], [100, 0]], [0], [1], oneway=[True], mode="drive")
    >>> nearest_source(net, np.array([[100.0, 0.0]]))["dist_m"].tolist()
    [inf, 0.0]
    """
    if max_dist_m is None:
        max_dist_m = sources.max_dist_m if isinstance(sources, NearestTree) else np.inf
    tree = _tree_for(network, sources, max_dist_m=max_dist_m, max_snap_m=max_snap_m,
                     count_access=count_access)
    node_d, node_s, src = tree.dist_m, tree.source, tree.sources
    src_access = np.nan_to_num(src.access_m) if count_access else np.zeros(len(src))
    src_labels = np.asarray(src.index)
    if targets is None:
        own = tree is not sources  # searched here: nobody else holds these arrays
        d = node_d if own else node_d.copy()
        which = node_s if own else node_s.copy()
        if max_dist_m < tree.max_dist_m:
            which[d > max_dist_m] = -1
            d[d > max_dist_m] = np.inf
        return pd.DataFrame(
            {
                "dist_m": d,
                "source": which,
                "source_label": _labels(src.index, which),
                "access_m": np.zeros(len(d)),
                "moved_m": np.zeros(len(d)),
                "status": pd.Categorical.from_codes(
                    np.zeros(len(d), dtype=np.int8), categories=list(SNAP_STATUSES)
                ),
            },
            index=pd.RangeIndex(network.n_nodes, name="node"),
            copy=False,  # every column is a new array of this call: no second copy
        )
    tgt = _snapped(network, targets, max_snap_m)
    k = len(tgt)
    ok = tgt.edge >= 0
    e = np.where(ok, tgt.edge, 0)
    t = np.where(ok, tgt.offset_m, 0.0)
    du = np.where(network.edge_fwd[e], node_d[network.edge_u[e]] + t, np.inf)
    dv = np.where(network.edge_bwd[e], node_d[network.edge_v[e]] + network.edge_length[e] - t,
                  np.inf)
    use_v = dv < du
    best = np.where(use_v, dv, du)
    which = np.where(use_v, node_s[network.edge_v[e]], node_s[network.edge_u[e]])
    s_same, t_same, d_same = _same_edge_pairs(network, src, tgt)
    if len(s_same):
        if count_access:
            d_same = d_same + src_access[s_same]
        order = np.lexsort((d_same, t_same))
        first = np.ones(len(order), dtype=bool)
        first[1:] = t_same[order][1:] != t_same[order][:-1]
        tt, dd, ss = t_same[order][first], d_same[order][first], s_same[order][first]
        better = dd < best[tt]
        best[tt[better]] = dd[better]
        which[tt[better]] = ss[better]
    if count_access:
        best = best + np.nan_to_num(tgt.access_m)
    best[best > max_dist_m] = np.inf
    which = np.where(np.isfinite(best), which, -1)
    best = np.where(ok, best, np.nan)
    which = np.where(ok, which, -1)
    label = np.empty(k, dtype=object)
    has = which >= 0
    label[has] = src_labels[which[has]]
    return pd.DataFrame(
        {
            "dist_m": best,
            "source": which,
            "source_label": label,
            "access_m": tgt.access_m,
            "moved_m": tgt.moved_m,
            "status": tgt.status_column,
        },
        index=tgt.index,
    )


def source_searches(
    network: Network,
    sources: object,
    *,
    max_dist_m: float,
    max_snap_m: float = 250.0,
    count_access: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Snapped]:
    """Nodes reached from each source within ``max_dist_m`` (one bounded search per source).

    With ``count_access`` (default) each search starts at the source's access leg plus the
    partial edge, so the leg is taken from the budget.

    Returns
    -------
    ptr : int64 (n_sources + 1,)
        Nodes reached from source ``i`` are ``node[ptr[i]:ptr[i + 1]]``.
    node : int64, dist_m : float64
    snapped_sources : Snapped
    """
    if not np.isfinite(max_dist_m):
        raise NetworkError("max_dist_m must be finite for per-source searches (e.g. 1000).")
    src = _snapped(network, sources, max_snap_m)
    seed_ptr, seed_node, seed_dist = _seeds(network, src, count_access)
    # the numba kernels are imported here: commands that never search per source (help,
    # listings, imports, fetch, plain coverage) do not pay numba's ~0.4 s import
    from ._kernels import parallel_sets, sort_seeds

    indptr, head, weight, width, mask = _kernel_graph(network)
    seed_node, seed_dist = sort_seeds(seed_ptr, seed_node.astype(head.dtype), seed_dist)
    ptr, node, dist = parallel_sets(indptr, head, weight, seed_ptr, seed_node, seed_dist,
                                    float(max_dist_m), width, mask)
    return ptr, node, dist, src


def reach_pairs(
    network: Network,
    sources: object,
    targets: object | None = None,
    *,
    max_dist_m: float,
    max_snap_m: float = 250.0,
    count_access: bool = True,
) -> pd.DataFrame:
    """Every (source, target) pair within ``max_dist_m`` over the network, with its distance.

    This is the cost table behind counts, 2SFCA and site selection.  With ``count_access``
    (default) ``dist_m`` includes both access legs (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        Columns ``source`` and ``target`` (positions in the inputs; node ids when
        ``targets`` is None) and ``dist_m``, sorted by target then source.

    Examples
    --------
    >>> import numpy as np
    >>> from jinan_gis.geo.network import Network
    >>> net = Network.from_arrays([[0, 0], [100, 0], [200, 0]], [0, 1], [1, 2])
    >>> reach_pairs(net, np.array([[0.0, 0.0], [200.0, 0.0]]), max_dist_m=150).values.tolist()
    [[0.0, 0.0, 0.0], [0.0, 1.0, 100.0], [1.0, 1.0, 100.0], [1.0, 2.0, 0.0]]
    """
    ptr, node, dist, src = source_searches(
        network, sources, max_dist_m=max_dist_m, max_snap_m=max_snap_m,
        count_access=count_access,
    )
    s_of = np.repeat(np.arange(len(src)), np.diff(ptr))
    src_acc = np.nan_to_num(src.access_m) if count_access else np.zeros(len(src))
    if targets is None:
        out = pd.DataFrame({"source": s_of, "target": node, "dist_m": dist})
        return out.sort_values(["target", "source"], kind="stable").reset_index(drop=True)
    tgt = _snapped(network, targets, max_snap_m)
    t_ok = np.flatnonzero(tgt.edge >= 0)
    # targets grouped by edge
    order = t_ok[np.argsort(tgt.edge[t_ok], kind="stable")]
    t_ptr = np.zeros(network.n_edges + 1, dtype=np.int64)
    np.cumsum(np.bincount(tgt.edge[order], minlength=network.n_edges), out=t_ptr[1:])
    _, _, _, arc_edge, arc_fwd = network.csr()
    # (search, node, dist) -> arcs out of node
    a_idx, a_cnt = network.out_arcs(node)
    a_src = np.repeat(s_of, a_cnt)
    a_dist = np.repeat(dist, a_cnt)
    a_e = arc_edge[a_idx]
    a_f = arc_fwd[a_idx]
    # arcs -> targets on their edge
    lo, hi = t_ptr[a_e], t_ptr[a_e + 1]
    cnt = hi - lo
    tt = order[concat_ranges(lo, cnt)]
    ss = np.repeat(a_src, cnt)
    e = np.repeat(a_e, cnt)
    t_off = tgt.offset_m[tt]
    along = np.where(np.repeat(a_f, cnt), t_off, network.edge_length[e] - t_off)
    dd = np.repeat(a_dist, cnt) + along
    s2, t2, d2 = _same_edge_pairs(network, src, tgt)
    ss = np.concatenate([ss, s2])
    tt = np.concatenate([tt, t2])
    dd = np.concatenate([dd, d2 + src_acc[s2]])  # searched distances hold src_acc already
    if count_access:
        dd = dd + np.nan_to_num(tgt.access_m)[tt]
    keep = dd <= max_dist_m
    ss, tt, dd = ss[keep], tt[keep], dd[keep]
    o = np.lexsort((dd, ss, tt))
    ss, tt, dd = ss[o], tt[o], dd[o]
    first = np.ones(len(o), dtype=bool)
    first[1:] = (tt[1:] != tt[:-1]) | (ss[1:] != ss[:-1])
    return pd.DataFrame({"source": ss[first], "target": tt[first], "dist_m": dd[first]})


def count_within(
    network: Network,
    sources: object,
    targets: object | None = None,
    *,
    max_dist_m: float,
    max_snap_m: float = 250.0,
    count_access: bool = True,
) -> pd.Series:
    """Number of sources within ``max_dist_m`` of every target (or every node).

    Targets that are not placed on the network get ``<NA>`` (not 0: they are unknown).  With
    ``count_access`` (default) the access legs count (see the module docstring); for nodes
    only the sources' legs exist, and they shorten each source's search budget.

    Examples
    --------
    >>> import numpy as np
    >>> from jinan_gis.geo.network import Network
    >>> net = Network.from_arrays([[0, 0], [100, 0], [200, 0]], [0, 1], [1, 2])
    >>> count_within(net, np.array([[0.0, 0.0], [200.0, 0.0]]), max_dist_m=150).tolist()
    [1, 2, 1]
    """
    if targets is None:
        # nodes: each search reaches a node at most once, so the kernel counts in place
        if not np.isfinite(max_dist_m):
            raise NetworkError("max_dist_m must be finite for per-source searches (e.g. 1000).")
        from ._kernels import parallel_counts, sort_seeds

        src = _snapped(network, sources, max_snap_m)
        seed_ptr, seed_node, seed_dist = _seeds(network, src, count_access)
        indptr, head, weight, width, mask = _kernel_graph(network)
        seed_node, seed_dist = sort_seeds(seed_ptr, seed_node.astype(head.dtype), seed_dist)
        counts = parallel_counts(indptr, head, weight, seed_ptr, seed_node, seed_dist,
                                 float(max_dist_m), width, mask)
        return pd.Series(
            counts,
            index=pd.RangeIndex(network.n_nodes, name="node"),
            name="count",
        )
    tgt = _snapped(network, targets, max_snap_m)  # once: reach_pairs reuses the Snapped
    pairs = reach_pairs(
        network, sources, tgt, max_dist_m=max_dist_m, max_snap_m=max_snap_m,
        count_access=count_access,
    )
    counts = np.bincount(pairs["target"].to_numpy(), minlength=len(tgt))
    out = pd.Series(counts, index=tgt.index, name="count", dtype="Int64")
    out[~tgt.ok] = pd.NA
    return out
