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

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy.spatial import cKDTree

from .errors import CRSError, SnapError
from .network import Network, concat_ranges

__all__ = ["PLACED_STATUSES", "SNAP_STATUSES", "Snapped", "snap_points"]

log = logging.getLogger(__name__)

SNAP_STATUSES = ("ok", "moved", "island", "beyond_snap_limit", "invalid_geometry")
"""Every placement status (see the module docstring); ``ok`` and ``moved`` are placed."""

PLACED_STATUSES = ("ok", "moved")
"""Statuses of points placed on the network (routed from or to)."""


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


def _tree(network: Network, island: bool) -> tuple[shapely.STRtree, np.ndarray]:
    key = "tree_island" if island else "tree_main"
    if key not in network._cache:
        edges = np.flatnonzero(network.edge_is_island == island)
        network._cache[key] = (shapely.STRtree(network.edge_geometry[edges]), edges)
    return network._cache[key]


_SUB_M = 40.0  # sub-segment length of the KD index (bounds the certification slack)
_K = 8  # candidate sub-segments examined per point


def _segment_index(network: Network, island: bool) -> dict:
    """KD-tree over the midpoints of short sub-segments of the main (or island) edges."""
    key = "seg_index_island" if island else "seg_index_main"
    if key not in network._cache:
        ptr, xy, along = network.edge_coords()
        wanted = network.edge_is_island == island
        nv = np.diff(ptr)
        edge_of_v = np.repeat(np.arange(network.n_edges), nv)
        is_seg = np.ones(len(xy), dtype=bool)
        is_seg[ptr[1:] - 1] = False  # last vertex of each edge starts no segment
        j = np.flatnonzero(is_seg & wanted[edge_of_v])
        a, b = xy[j], xy[j + 1]
        seg_len = np.hypot(*(b - a).T)
        n_sub = np.maximum(1, np.ceil(seg_len / _SUB_M)).astype(np.int64)
        rep = np.repeat(np.arange(len(j)), n_sub)
        k = concat_ranges(np.zeros(len(j), dtype=np.int64), n_sub)
        f0 = (k / n_sub[rep])[:, None]
        f1 = ((k + 1) / n_sub[rep])[:, None]
        sa = a[rep] + (b - a)[rep] * f0
        sb = a[rep] + (b - a)[rep] * f1
        al0 = along[j][rep] + (along[j + 1] - along[j])[rep] * f0[:, 0]
        al1 = along[j][rep] + (along[j + 1] - along[j])[rep] * f1[:, 0]
        half = float(np.hypot(*(sb - sa).T).max() / 2) if len(sa) else 0.0
        network._cache[key] = {
            "tree": cKDTree((sa + sb) / 2) if len(sa) else None,
            "a": sa,
            "b": sb,
            "edge": edge_of_v[j][rep],
            "al0": al0,
            "al1": al1,
            "half": half,
        }
    return network._cache[key]


def _nearest_edge(
    network: Network, xy: np.ndarray, max_snap_m: float, *, island: bool,
    chunk: int = 250_000, _prefiltered: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Exact nearest main (or island) edge within ``max_snap_m`` for each point.

    A KD-tree over sub-segment midpoints gives candidates (only midpoints within
    ``max_snap_m`` + half a sub-segment can belong to a segment within ``max_snap_m``); the
    answer is certified exact when fewer than ``k`` candidates were found, or the best is
    closer than (k-th midpoint distance - half a sub-segment), since no unexamined
    sub-segment can then be nearer.  Uncertified points (rare) go to an exact STRtree query.
    Returns (point positions hit, edge, distance, offset along edge).
    """
    idx = _segment_index(network, island)
    if idx["tree"] is None or len(xy) == 0:
        return (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), np.empty(0))
    n_seg = len(idx["a"])
    k = min(_K, n_seg)
    bound = max_snap_m + idx["half"] + 1e-9
    out_hit, out_e, out_d, out_o = [], [], [], []
    if island and not _prefiltered:
        # island edges are few: keep only the points with an island midpoint within reach
        d1, _ = idx["tree"].query(xy, k=1, workers=-1, distance_upper_bound=bound)
        near = np.flatnonzero(np.isfinite(d1))
        h, e, d, o = _nearest_edge(network, xy[near], max_snap_m, island=True, _prefiltered=True)
        return near[h], e, d, o
    for lo in range(0, len(xy), chunk):
        p = xy[lo : lo + chunk]
        dk, ik = idx["tree"].query(p, k=k, workers=-1, distance_upper_bound=bound)
        dk = dk.reshape(len(p), k)
        ik = ik.reshape(len(p), k)
        found = ik < n_seg
        ikc = np.where(found, ik, 0)
        a = idx["a"][ikc]
        ab = idx["b"][ikc] - a
        ap = p[:, None, :] - a
        den = (ab * ab).sum(-1)
        t = np.clip(np.divide((ap * ab).sum(-1), den, out=np.zeros_like(den), where=den > 0),
                    0.0, 1.0)
        d = np.hypot(*(ap - t[..., None] * ab).transpose(2, 0, 1))
        d[~found] = np.inf
        best = np.argmin(d, axis=1)
        rows = np.arange(len(p))
        bd = d[rows, best]
        bi = ikc[rows, best]
        bt = t[rows, best]
        # a missing k-th neighbour (inf) means every candidate within the bound was seen
        certified = (bd <= dk[:, -1] - idx["half"]) | (k == n_seg)
        good = certified & (bd <= max_snap_m)
        out_hit.append(lo + np.flatnonzero(good))
        out_e.append(idx["edge"][bi[good]])
        out_d.append(bd[good])
        out_o.append(idx["al0"][bi[good]] + bt[good] * (idx["al1"] - idx["al0"])[bi[good]])
        unsure = np.flatnonzero(~certified)
        if len(unsure):
            h, e, dd, oo = _strtree_nearest(network, p[unsure], max_snap_m, island=island)
            out_hit.append(lo + unsure[h])
            out_e.append(e)
            out_d.append(dd)
            out_o.append(oo)
    hit = np.concatenate(out_hit)
    order = np.argsort(hit, kind="stable")
    return (
        hit[order],
        np.concatenate(out_e)[order],
        np.concatenate(out_d)[order],
        np.concatenate(out_o)[order],
    )


def _strtree_nearest(
    network: Network, xy: np.ndarray, max_snap_m: float, *, island: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    tree, tree_edges = _tree(network, island=island)
    pts = shapely.points(xy)
    (qi, qe), dist = tree.query_nearest(
        pts, max_distance=max_snap_m, return_distance=True, all_matches=False
    )
    e = tree_edges[qe]
    geom = network.edge_geometry[e]
    loc = shapely.line_locate_point(geom, pts[qi])
    glen = shapely.length(geom)
    scale = np.divide(network.edge_length[e], glen, out=np.ones_like(glen), where=glen > 0)
    return qi, e, dist, np.clip(loc * scale, 0.0, network.edge_length[e])


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
