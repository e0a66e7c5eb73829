"""Join points to the street network at the nearest position on the nearest edge.

A point is projected onto the nearest edge (not the nearest node), within ``max_snap_m``.
The result keeps, for every input point, the edge, the offset along it from the edge's ``u``
end, the access leg (point to street) and a status.  Points that cannot be joined are flagged
with a reason, never dropped:

- ``"ok"``: joined;
- ``"beyond_snap_limit"``: no street within ``max_snap_m``;
- ``"island"``: the only streets within reach belong to a small disconnected piece;
- ``"invalid_geometry"``: empty, missing or non-finite point.

Examples
--------
>>> import numpy as np
>>> from jinan_gis.geo.network import Network
>>> net = Network.from_arrays([[0, 0], [100, 0]], [0], [1])
>>> s = snap_points(net, np.array([[30.0, 4.0], [50.0, 900.0]]), max_snap_m=50)
>>> s.edge.tolist(), s.offset_m.tolist(), s.access_m.tolist(), s.status.tolist()
([0, -1], [30.0, nan], [4.0, nan], ['ok', 'beyond_snap_limit'])
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

__all__ = ["SNAP_STATUSES", "Snapped", "snap_points"]

log = logging.getLogger(__name__)

SNAP_STATUSES = ("ok", "beyond_snap_limit", "island", "invalid_geometry")


@dataclass(frozen=True, eq=False)
class Snapped:
    """Points joined to a :class:`~jinan_gis.geo.network.Network`.

    Attributes
    ----------
    edge : ndarray (k,) int64
        Edge of each point, -1 when not joined.
    offset_m : ndarray (k,) float64
        Distance along the edge from its ``u`` end (NaN when not joined).
    access_m : ndarray (k,) float64
        Straight distance from the point to the street (NaN when not joined).
    status : ndarray (k,) str
        One of :data:`SNAP_STATUSES`.
    index : pandas.Index
        Labels of the input points.
    max_snap_m : float
    """

    edge: np.ndarray
    offset_m: np.ndarray
    access_m: np.ndarray
    status: np.ndarray
    index: pd.Index
    max_snap_m: float

    def __len__(self) -> int:
        return len(self.edge)

    @property
    def ok(self) -> np.ndarray:
        """Mask of joined points."""
        return self.edge >= 0

    def subset(self, mask: np.ndarray) -> Snapped:
        """The points selected by a boolean mask or an integer index array."""
        return Snapped(
            edge=self.edge[mask],
            offset_m=self.offset_m[mask],
            access_m=self.access_m[mask],
            status=self.status[mask],
            index=self.index[mask],
            max_snap_m=self.max_snap_m,
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per input point: ``edge``, ``offset_m``, ``access_m``, ``status``."""
        return pd.DataFrame(
            {
                "edge": self.edge,
                "offset_m": self.offset_m,
                "access_m": self.access_m,
                "status": self.status,
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


def _segment_index(network: Network) -> dict:
    """KD-tree over the midpoints of short sub-segments of the non-island edges (cached)."""
    if "seg_index" not in network._cache:
        ptr, xy, along = network.edge_coords()
        main = ~network.edge_is_island
        nv = np.diff(ptr)
        edge_of_v = np.repeat(np.arange(network.n_edges), nv)
        is_seg = np.ones(len(xy), dtype=bool)
        is_seg[ptr[1:] - 1] = False  # last vertex of each edge starts no segment
        j = np.flatnonzero(is_seg & main[edge_of_v])
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
        network._cache["seg_index"] = {
            "tree": cKDTree((sa + sb) / 2) if len(sa) else None,
            "a": sa,
            "b": sb,
            "edge": edge_of_v[j][rep],
            "al0": al0,
            "al1": al1,
            "half": half,
        }
    return network._cache["seg_index"]


def _nearest_main_edge(
    network: Network, xy: np.ndarray, max_snap_m: float, chunk: int = 250_000
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Exact nearest non-island edge within ``max_snap_m`` for each point.

    A KD-tree over sub-segment midpoints gives candidates; the answer is certified exact when
    the best candidate is closer than (k-th midpoint distance - half a sub-segment), since
    no unexamined sub-segment can then be nearer.  Uncertified points (rare) go to an exact
    STRtree query.  Returns (point positions hit, edge, distance, offset along edge).
    """
    idx = _segment_index(network)
    if idx["tree"] is None:
        return (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), np.empty(0))
    k = min(_K, len(idx["a"]))
    out_hit, out_e, out_d, out_o = [], [], [], []
    for lo in range(0, len(xy), chunk):
        p = xy[lo : lo + chunk]
        dk, ik = idx["tree"].query(p, k=k, workers=-1)
        dk = dk.reshape(len(p), k)
        ik = ik.reshape(len(p), k)
        a = idx["a"][ik]
        ab = idx["b"][ik] - a
        ap = p[:, None, :] - a
        den = (ab * ab).sum(-1)
        t = np.clip(np.divide((ap * ab).sum(-1), den, out=np.zeros_like(den), where=den > 0),
                    0.0, 1.0)
        d = np.hypot(*(ap - t[..., None] * ab).transpose(2, 0, 1))
        best = np.argmin(d, axis=1)
        rows = np.arange(len(p))
        bd = d[rows, best]
        bi = ik[rows, best]
        bt = t[rows, best]
        certified = (bd <= dk[:, -1] - idx["half"]) | (k == len(idx["a"]))
        good = certified & (bd <= max_snap_m)
        out_hit.append(lo + np.flatnonzero(good))
        out_e.append(idx["edge"][bi[good]])
        out_d.append(bd[good])
        out_o.append(idx["al0"][bi[good]] + bt[good] * (idx["al1"] - idx["al0"])[bi[good]])
        unsure = np.flatnonzero(~certified)
        if len(unsure):
            h, e, dd, oo = _strtree_nearest(network, p[unsure], max_snap_m)
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
    network: Network, xy: np.ndarray, max_snap_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    tree, tree_edges = _tree(network, island=False)
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
    """Join points to the nearest position on the nearest (non-island) edge.

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
    status = np.full(k, "invalid_geometry", dtype=object)
    valid = np.isfinite(xy).all(axis=1)
    if not valid.any() or network.n_edges == 0:
        status[valid] = "beyond_snap_limit"
        return Snapped(edge, offset, access, status.astype(str), index, float(max_snap_m))
    vidx = np.flatnonzero(valid)
    hit, e, dist, off = _nearest_main_edge(network, xy[vidx], max_snap_m)
    hit = vidx[hit]
    edge[hit] = e
    access[hit] = dist
    offset[hit] = np.clip(off, 0.0, network.edge_length[e])
    status[valid] = "beyond_snap_limit"
    status[hit] = "ok"
    missed = np.flatnonzero(valid & (edge < 0))
    if len(missed):
        itree, iedges = _tree(network, island=True)
        if len(iedges):
            (mi, _), _ = itree.query_nearest(
                shapely.points(xy[missed]), max_distance=max_snap_m, return_distance=True,
                all_matches=False,
            )
            status[missed[mi]] = "island"
    out = Snapped(edge, offset, access, status.astype(str), index, float(max_snap_m))
    log.debug("snapped %d points: %s", k, out.counts())
    return out
