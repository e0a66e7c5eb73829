"""Join points to the street network at the nearest position on the nearest edge.

A point is projected onto the nearest edge (not the nearest node), within ``max_snap_m``.
The result keeps, for every input point, the edge, the offset along it from the edge's ``u``
end, the access leg (the straight line from the point to the street) and a status.  Points
that cannot be joined are flagged with a reason, never dropped.

Small disconnected pieces of the network ("islands": components with fewer than
:attr:`~jinan_gis.geo.network.Network.min_component_nodes` nodes, other than the largest)
are never routed on.  The statuses say exactly what happened to each point:

- ``"ok"``: joined to its nearest street (which is on the main network);
- ``"moved"``: the nearest street is on an island, so the point is joined to the nearest
  main-network street within ``max_snap_m`` instead; its access leg is the straight line to
  that street and :attr:`Snapped.moved_m` records the extra metres (access leg minus the
  distance to the nearest street of any piece).  Moved points **are placed**;
- ``"island"``: the nearest street is on an island and no main-network street is within
  ``max_snap_m`` (not placed);
- ``"beyond_snap_limit"``: no street within ``max_snap_m`` (not placed);
- ``"invalid_geometry"``: empty, missing or non-finite point (not placed).

Examples
--------
>>> import numpy as np
>>> from jinan_gis.geo.network import Network
>>> net = Network.from_arrays([[0, 0], [100, 0]], [0], [1])
>>> s = snap_points(net, np.array([[30.0, 4.0], [50.0, 900.0]]), max_snap_m=50)
>>> s.edge.tolist(), s.offset_m.tolist(), s.access_m.tolist(), s.status.tolist()
([0, -1], [30.0, nan], [4.0, nan], ['ok', 'beyond_snap_limit'])

A point 20 m from a small island street (two nodes) and 60 m from the main street is moved
to the main street; it walks 40 m more than the distance to its nearest street:

>>> net = Network.from_arrays([[0, 0], [100, 0], [200, 0], [0, 80], [100, 80]],
...                           [0, 1, 3], [1, 2, 4], min_component_nodes=3)
>>> s = snap_points(net, np.array([[50.0, 60.0]]), max_snap_m=100)
>>> s.status.tolist(), s.access_m.tolist(), s.moved_m.tolist(), s.nearest_m.tolist()
(['moved'], [60.0], [40.0], [20.0])
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy.spatial import cKDTree

from .errors import CRSError, SnapError
from .network import Network

__all__ = ["PLACED_STATUSES", "SNAP_STATUSES", "Snapped", "snap_points"]

log = logging.getLogger(__name__)

SNAP_STATUSES = ("ok", "moved", "island", "beyond_snap_limit", "invalid_geometry")
"""Every placement status (see the module docstring); ``ok`` and ``moved`` are placed."""

PLACED_STATUSES = ("ok", "moved")
"""Statuses of points placed on the network (routed from or to)."""

_STATUS_ORDER = np.argsort(SNAP_STATUSES)  # sorted position -> position in SNAP_STATUSES
_STATUS_SORTED = np.sort(SNAP_STATUSES)

REUSE_MIN_POINTS = 10_000
""":func:`snap_points` of this many points or more is remembered by the network (its last
such call: the points, labels and limit), so that placing the same people again - the
report's metrics, then the GeoPackage's population layer - returns the answer (a copy of its
own, handed over once) instead of searching again."""


@dataclass(frozen=True, eq=False)
class Snapped:
    """Points joined to a :class:`~jinan_gis.geo.network.Network`.

    Attributes
    ----------
    edge : ndarray (k,) int64
        Edge of each point, -1 when not placed.
    offset_m : ndarray (k,) float64
        Distance along the edge from its ``u`` end (NaN when not placed).
    access_m : ndarray (k,) float64
        Straight distance from the point to the street it is joined to (NaN when not
        placed); for a ``"moved"`` point, the distance to the main-network street.
    status : ndarray (k,) str
        One of :data:`SNAP_STATUSES`.
    index : pandas.Index
        Labels of the input points.
    max_snap_m : float
    moved_m : ndarray (k,) float64
        Extra metres of a ``"moved"`` point: ``access_m`` minus ``nearest_m``; 0 for
        ``"ok"`` points, NaN for points not placed.
    nearest_m : ndarray (k,) float64
        Straight distance to the nearest street of any piece (island or main network) within
        ``max_snap_m``; NaN when there is none (or the geometry is invalid).
    """

    edge: np.ndarray
    offset_m: np.ndarray
    access_m: np.ndarray
    status: np.ndarray
    index: pd.Index
    max_snap_m: float
    moved_m: np.ndarray | None = None
    nearest_m: np.ndarray | None = None

    def __post_init__(self) -> None:
        placed = self.edge >= 0
        if self.moved_m is None:
            object.__setattr__(self, "moved_m", np.where(placed, 0.0, np.nan))
        if self.nearest_m is None:
            object.__setattr__(self, "nearest_m", np.where(placed, self.access_m, np.nan))

    def __len__(self) -> int:
        return len(self.edge)

    @property
    def ok(self) -> np.ndarray:
        """Mask of placed points (status ``"ok"`` or ``"moved"``); same as :attr:`placed`."""
        return self.edge >= 0

    @property
    def placed(self) -> np.ndarray:
        """Mask of points placed on the network (status ``"ok"`` or ``"moved"``)."""
        return self.edge >= 0

    @property
    def moved(self) -> np.ndarray:
        """Mask of points moved off a small piece onto the main network (placed)."""
        return self.status == "moved"

    def subset(self, mask: np.ndarray) -> Snapped:
        """The points selected by a boolean mask or an integer index array."""
        return Snapped(
            edge=self.edge[mask],
            offset_m=self.offset_m[mask],
            access_m=self.access_m[mask],
            status=self.status[mask],
            index=self.index[mask],
            max_snap_m=self.max_snap_m,
            moved_m=self.moved_m[mask],
            nearest_m=self.nearest_m[mask],
        )

    @cached_property
    def status_column(self) -> pd.api.extensions.ExtensionArray | np.ndarray:
        """:attr:`status` as a frame column holds it (pandas' text array), converted once
        for the many tables built from the same points."""
        return pd.Series(self.status, copy=False).array

    def to_frame(self) -> pd.DataFrame:
        """One row per input point: ``edge``, ``offset_m``, ``access_m``, ``status``,
        ``moved_m``, ``nearest_m``."""
        return pd.DataFrame(
            {
                "edge": self.edge,
                "offset_m": self.offset_m,
                "access_m": self.access_m,
                "status": self.status,
                "moved_m": self.moved_m,
                "nearest_m": self.nearest_m,
            },
            index=self.index,
        )

    def counts(self) -> dict[str, int]:
        """Number of points per status."""
        vals, cnt = np.unique(self.status, return_counts=True)
        return {str(v): int(c) for v, c in zip(vals, cnt, strict=True)}


def _as_xy(points: object, network: Network) -> tuple[np.ndarray, pd.Index]:
    if isinstance(points, gpd.GeoDataFrame | gpd.GeoSeries):
        if points.crs is None:
            raise CRSError(
                "points have no CRS; declare it (gdf.set_crs(...)) and reproject to the "
                f"network's CRS {network.crs} with to_analysis_crs()."
            )
        if not CRS.from_user_input(points.crs).equals(CRS.from_user_input(network.crs)):
            raise CRSError(
                f"points are in {points.crs}, the network in {network.crs}; reproject the "
                "points first (jinan_gis.geo.crs.to_analysis_crs)."
            )
        geoms = points.geometry.to_numpy() if isinstance(points, gpd.GeoDataFrame) else (
            points.to_numpy()
        )
        types = shapely.get_type_id(geoms)
        bad = (types != 0) | shapely.is_empty(geoms)
        xy = np.full((len(geoms), 2), np.nan)
        good = ~bad & ~shapely.is_missing(geoms)
        if good.any():
            xy[good, 0] = shapely.get_x(geoms[good])
            xy[good, 1] = shapely.get_y(geoms[good])
        return xy, points.index
    xy = np.asarray(points, dtype=np.float64)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise SnapError("points must be a point GeoDataFrame/GeoSeries or an (n, 2) array.")
    return xy, pd.RangeIndex(len(xy))


_SUB_M = 60.0  # sub-segment length of the KD index (bounds the certification slack)
_K = 8  # candidate sub-segments examined per point
_THREADED_FROM = 20_000  # points per query from which the KD queries use every CPU


def _segment_index(network: Network, island: bool) -> dict:
    """KD-tree over the midpoints of short sub-segments of the main (or island) edges.

    Kept small: per segment of an edge its first vertex, edge and number of sub-segments;
    per sub-segment its segment and rank (the end points are recomputed for the candidates
    of a query); the tree holds the midpoints.
    """
    key = "seg_index_island" if island else "seg_index_main"
    if key not in network._cache:
        from ._kernels_snap import sub_segments

        ptr, xy, _ = network.edge_coords()
        wanted = network.edge_is_island == island
        like = np.empty(0, dtype=np.int32 if len(xy) < 2**31 - 1 else np.int64)
        j, edge, n_sub, sub_seg, sub_k, mid, half = sub_segments(ptr, xy, wanted, _SUB_M, like)
        if len(sub_seg):
            tree = cKDTree(mid, leafsize=32, balanced_tree=False)  # fast to build
            half += 1e-9
        else:
            tree, half = None, 0.0
        network._cache[key] = {"tree": tree, "j": j, "edge": edge, "n_sub": n_sub,
                               "sub_seg": sub_seg, "sub_k": sub_k, "half": half}
    return network._cache[key]


def _offsets(network: Network, idx: dict, sub: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Position along its edge of the point at ``t`` (0..1) on each sub-segment ``sub``."""
    _, _, along = network.edge_coords()
    seg = idx["sub_seg"][sub]
    j = idx["j"][seg]
    n = idx["n_sub"][seg]
    k = idx["sub_k"][sub]
    step = along[j + 1] - along[j]
    al0 = along[j] + step * (k / n)
    al1 = along[j] + step * ((k + 1) / n)
    return al0 + t * (al1 - al0)


def _best(network: Network, idx: dict, p: np.ndarray, cand: np.ndarray):
    """Nearest candidate sub-segment of each point: distance, sub-segment (-1: none), t."""
    from ._kernels_snap import best_candidates

    _, xy, _ = network.edge_coords()
    return best_candidates(p, np.ascontiguousarray(cand, dtype=np.int64), len(idx["sub_seg"]),
                           idx["sub_seg"], idx["sub_k"], idx["j"], idx["n_sub"], xy)


def _nearest_edge(
    network: Network, xy: np.ndarray, max_snap_m: float, *, island: bool,
    chunk: int = 250_000, _prefiltered: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Exact nearest main (or island) edge within ``max_snap_m`` for each point.

    A KD-tree over sub-segment midpoints gives candidates (only midpoints within
    ``max_snap_m`` + half a sub-segment can belong to a segment within ``max_snap_m``); the
    answer is certified exact when fewer than ``k`` candidates were found, or the best is
    closer than (k-th midpoint distance - half a sub-segment), since no unexamined
    sub-segment can then be nearer.  Uncertified points (a few percent) are asked again with
    8 times more candidates, and the rest get every sub-segment whose midpoint lies within
    the bound (:func:`_ball`), which is exact too.
    Returns (point positions hit, edge, distance, offset along edge).
    """
    idx = _segment_index(network, island)
    if idx["tree"] is None or len(xy) == 0:
        return (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), np.empty(0))
    workers = -1 if len(xy) >= _THREADED_FROM else 1
    n_sub = len(idx["sub_seg"])
    bound = max_snap_m + idx["half"] + 1e-9
    if island and not _prefiltered:
        # island edges are few: keep only the points with an island midpoint within reach
        d1, _ = idx["tree"].query(xy, k=1, workers=workers, distance_upper_bound=bound)
        near = np.flatnonzero(np.isfinite(d1))
        h, e, d, o = _nearest_edge(network, xy[near], max_snap_m, island=True, _prefiltered=True)
        return near[h], e, d, o
    perm = _spatial_order(xy)
    xy = xy[perm]  # neighbours in turn: the KD queries stay in cache (2-3x faster)
    dist = np.full(len(xy), np.inf)
    sub = np.full(len(xy), -1, dtype=np.int64)
    t = np.zeros(len(xy))
    for lo in range(0, len(xy), chunk):
        todo = np.arange(lo, min(lo + chunk, len(xy)))
        for k in (_K, 8 * _K):
            k = min(k, n_sub)
            dk, ik = idx["tree"].query(xy[todo], k=k, workers=workers,
                                       distance_upper_bound=bound)
            dk = dk.reshape(len(todo), k)
            bd, bs, bt = _best(network, idx, xy[todo], ik.reshape(len(todo), k))
            # a missing k-th neighbour (inf) means every candidate within the bound was seen
            sure = (bd <= dk[:, -1] - idx["half"]) | (k == n_sub)
            dist[todo[sure]], sub[todo[sure]], t[todo[sure]] = bd[sure], bs[sure], bt[sure]
            todo = todo[~sure]
            if len(todo) == 0:
                break
        if len(todo):
            dist[todo], sub[todo], t[todo] = _ball(network, idx, xy[todo], bound, workers)
    hit = np.flatnonzero(dist <= max_snap_m)
    back = np.argsort(perm[hit], kind="stable")
    hit = hit[back]
    s = sub[hit]
    return (perm[hit], idx["edge"][idx["sub_seg"][s]], dist[hit],
            _offsets(network, idx, s, t[hit]))


def _spatial_order(xy: np.ndarray, cells: int = 128, min_points: int = 64) -> np.ndarray:
    """An order of the points by cell of a ``cells`` x ``cells`` grid over their extent
    (column by column), so that consecutive KD queries visit the same part of the tree;
    fewer than ``min_points`` points keep their order.

    Examples
    --------
    >>> _spatial_order(np.array([[9.0, 9.0], [0.0, 0.0], [9.0, 0.0], [0.0, 9.0]]),
    ...                min_points=0).tolist()
    [1, 3, 2, 0]
    """
    if len(xy) < min_points:
        return np.arange(len(xy))
    lo = xy.min(axis=0)
    size = max(float((xy.max(axis=0) - lo).max()) / cells, 1e-9)
    c = ((xy - lo) // size).astype(np.int64)
    return np.lexsort((c[:, 1], c[:, 0]))


def _ball(
    network: Network, idx: dict, xy: np.ndarray, bound: float, workers: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest sub-segment among all whose midpoint lies within ``bound`` (= the snap limit
    plus half a sub-segment) of each point: distance, sub-segment, t."""
    lists = idx["tree"].query_ball_point(xy, r=bound, workers=workers)
    k = max(1, max((len(c) for c in lists), default=1))
    n_sub = len(idx["sub_seg"])
    cand = np.full((len(xy), k), n_sub, dtype=np.int64)
    for i, c in enumerate(lists):
        cand[i, : len(c)] = c
    return _best(network, idx, xy, cand)


def snap_points(network: Network, points: object, *, max_snap_m: float = 250.0) -> Snapped:
    """Place points on the nearest position of the nearest main-network edge.

    A point whose nearest street belongs to a small disconnected piece (an island) is
    ``"moved"`` to the nearest main-network street within ``max_snap_m`` (its extra metres in
    :attr:`Snapped.moved_m`), or left unplaced as ``"island"`` when there is none; see the
    module docstring for every status.

    Parameters
    ----------
    network : Network
    points : GeoDataFrame, GeoSeries or array (n, 2)
        Points in the network's CRS.
    max_snap_m : float
        Points farther than this from every street are flagged ``"beyond_snap_limit"``.

    Returns
    -------
    Snapped

    Examples
    --------
    Two points on one edge keep their positions along it:

    >>> import numpy as np
    >>> from jinan_gis.geo.network import Network
    >>> net = Network.from_arrays([[0, 0], [100, 0], [100, 100]], [0, 1], [1, 2])
    >>> snap_points(net, np.array([[10.0, 1.0], [90.0, -2.0]])).offset_m.round(9).tolist()
    [10.0, 90.0]
    """
    if not np.isfinite(max_snap_m) or max_snap_m < 0:
        raise SnapError(f"max_snap_m must be a finite distance >= 0, got {max_snap_m!r}.")
    xy, index = _as_xy(points, network)
    if len(xy) < REUSE_MIN_POINTS:
        return _snap(network, xy, index, float(max_snap_m))
    last = network._cache.pop("snap_points", None)  # the network's memo, given away once
    if (last is not None and last[0] == float(max_snap_m) and last[1].equals(index)
            and np.array_equal(last[2], xy, equal_nan=True)):
        e, off, acc, code, kind, moved, near = last[3]
        return Snapped(e, off, acc, np.asarray(SNAP_STATUSES)[code].astype(kind), index,
                       float(max_snap_m), moved, near)
    out = _snap(network, xy, index, float(max_snap_m))
    code = np.searchsorted(_STATUS_SORTED, out.status)  # one byte per point, not 17 chars
    network._cache["snap_points"] = (float(max_snap_m), index, xy.copy(), (
        out.edge.copy(), out.offset_m.copy(), out.access_m.copy(),
        _STATUS_ORDER[code].astype(np.int8), out.status.dtype, out.moved_m.copy(),
        out.nearest_m.copy()))
    return out


def _snap(network: Network, xy: np.ndarray, index: pd.Index, max_snap_m: float) -> Snapped:
    """:func:`snap_points` of coordinates ``xy`` labelled ``index``."""
    k = len(xy)
    edge = np.full(k, -1, dtype=np.int64)
    offset = np.full(k, np.nan)
    access = np.full(k, np.nan)
    moved = np.full(k, np.nan)
    nearest = np.full(k, np.nan)
    status = np.full(k, "invalid_geometry", dtype=object)
    valid = np.isfinite(xy).all(axis=1)
    status[valid] = "beyond_snap_limit"
    if not valid.any() or network.n_edges == 0:
        return Snapped(edge, offset, access, status.astype(str), index, float(max_snap_m),
                       moved, nearest)
    vidx = np.flatnonzero(valid)
    hit, e, dist, off = _nearest_edge(network, xy[vidx], max_snap_m, island=False)
    hit = vidx[hit]
    edge[hit] = e
    access[hit] = dist
    offset[hit] = np.clip(off, 0.0, network.edge_length[e])
    nearest[hit] = dist
    status[hit] = "ok"
    if network.edge_is_island.any():
        ih, _, idist, _ = _nearest_edge(network, xy[vidx], max_snap_m, island=True)
        ih = vidx[ih]
        closer = ~(idist >= nearest[ih])  # island street nearer (or no main street in reach)
        ih, idist = ih[closer], idist[closer]
        nearest[ih] = idist
        on_main = edge[ih] >= 0
        status[ih[on_main]] = "moved"
        status[ih[~on_main]] = "island"
    placed = edge >= 0
    moved[placed] = access[placed] - nearest[placed]
    out = Snapped(edge, offset, access, status.astype(str), index, float(max_snap_m),
                  moved, nearest)
    n_moved = int((status == "moved").sum())
    if n_moved:
        log.info(
            "%d of %d points are nearest to a small disconnected street piece and were moved "
            "to the main network (median %.0f m extra; see Snapped.moved_m)",
            n_moved, k, float(np.median(moved[status == "moved"])),
        )
    log.debug("snapped %d points: %s", k, out.counts())
    return out
