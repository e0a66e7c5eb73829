"""Service areas: the street space reached from each facility within a distance, as polygons.

A service area is built from the streets themselves (full edges plus the reached part of
partial edges, cut exactly at the distance), buffered by ``buffer_m`` and with small holes
filled.  No convex hulls: they overstate coverage by including blocks no street reaches.
Areas for several thresholds come from one search per source and nest (the 300 m area lies
inside the 500 m one, inside the 1000 m one).

With ``count_access=True`` (the default, as in :mod:`jinan_gis.geo.reach`) each facility's
access leg (its door to its street, a straight line) is taken from the distance budget; the
people's own access legs cannot be drawn on a street polygon and are not in it (coverage
tables count them).  Facilities that cannot be placed on the network (anywhere in the input)
get an empty polygon.

Examples
--------
A clinic in the middle of a 400 m street; within 100 m it reaches 200 m of street:

>>> import numpy as np
>>> from jinan_gis.geo.network import Network
>>> net = Network.from_arrays([[0, 0], [400, 0]], [0], [1])
>>> sa = service_areas(net, np.array([[200.0, 0.0]]), max_dist_m=[100.0], buffer_m=10.0)
>>> sa[["source", "max_dist_m", "street_m"]].to_dict("records")
[{'source': 0, 'max_dist_m': 100.0, 'street_m': 200.0}]
>>> round(sa.geometry.iloc[0].bounds[0]), round(sa.geometry.iloc[0].bounds[2])
(90, 310)
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numba import njit

from .errors import NetworkError
from .network import Network
from .reach import source_searches

__all__ = [
    "RASTER_MIN_PIECES",
    "kernels_cached",
    "reached_pieces",
    "service_areas",
    "warm_up_kernels",
]

log = logging.getLogger(__name__)


@njit(cache=True, nogil=True)
def _cut(ptr, xy, along, piece_edge, lo, hi):  # pragma: no cover - compiled
    n = piece_edge.shape[0]
    cnt = np.empty(n, dtype=np.int64)
    for p in range(n):
        e = piece_edge[p]
        c = 2
        for j in range(ptr[e], ptr[e + 1]):
            if lo[p] < along[j] < hi[p]:
                c += 1
        cnt[p] = c
    total = cnt.sum()
    out = np.empty((total, 2))
    idx = np.empty(total, dtype=np.int64)
    k = 0
    for p in range(n):
        e = piece_edge[p]
        a, b = ptr[e], ptr[e + 1]
        for which in range(2):
            pos = lo[p] if which == 0 else hi[p]
            # interpolate the point at distance `pos` along the edge
            j = a + 1
            while j < b - 1 and along[j] < pos:
                j += 1
            seg = along[j] - along[j - 1]
            f = 0.0 if seg <= 0 else (pos - along[j - 1]) / seg
            f = min(max(f, 0.0), 1.0)
            px = xy[j - 1, 0] + f * (xy[j, 0] - xy[j - 1, 0])
            py = xy[j - 1, 1] + f * (xy[j, 1] - xy[j - 1, 1])
            if which == 0:
                out[k, 0] = px
                out[k, 1] = py
                idx[k] = p
                k += 1
                for jj in range(a, b):
                    if lo[p] < along[jj] < hi[p]:
                        out[k, 0] = xy[jj, 0]
                        out[k, 1] = xy[jj, 1]
                        idx[k] = p
                        k += 1
            else:
                out[k, 0] = px
                out[k, 1] = py
                idx[k] = p
                k += 1
    return out, idx


def reached_pieces(
    network: Network,
    sources: object,
    *,
    max_dist_m: float | Sequence[float],
    max_snap_m: float = 250.0,
    count_access: bool = True,
) -> pd.DataFrame:
    """The street intervals reached from each source within each distance.

    With ``count_access`` (default) the source's access leg is taken from each distance.

    Returns
    -------
    pandas.DataFrame
        One row per reached piece: ``source`` (position), ``max_dist_m``, ``edge``, ``lo_m``
        and ``hi_m`` (interval along the edge from its ``u`` end; a full edge is
        ``0 .. length``).

    Examples
    --------
    >>> import numpy as np
    >>> from jinan_gis.geo.network import Network
    >>> net = Network.from_arrays([[0, 0], [100, 0], [100, 100]], [0, 1], [1, 2])
    >>> reached_pieces(net, np.array([[0.0, 0.0]]), max_dist_m=150).values.tolist()
    [[0.0, 150.0, 0.0, 0.0, 100.0], [0.0, 150.0, 1.0, 0.0, 50.0]]
    """
    thresholds = np.sort(np.atleast_1d(np.asarray(max_dist_m, dtype=float)))
    if len(thresholds) == 0 or not np.all(np.isfinite(thresholds)) or thresholds[0] < 0:
        raise NetworkError("max_dist_m must be one or more finite distances >= 0 (e.g. 1000).")
    ptr, node, dist, src = source_searches(
        network, sources, max_dist_m=float(thresholds[-1]), max_snap_m=max_snap_m,
        count_access=count_access,
    )
    _, _, _, arc_edge, arc_fwd = network.csr()
    s_of = np.repeat(np.arange(len(src)), np.diff(ptr))
    a_idx, a_cnt = network.out_arcs(node)
    arc_s = np.repeat(s_of, a_cnt)
    arc_d = np.repeat(dist, a_cnt)
    arc_e = arc_edge[a_idx]
    arc_f = arc_fwd[a_idx]
    arc_len = network.edge_length[arc_e]
    ok = src.edge >= 0
    own_s = np.flatnonzero(ok)
    own_e = src.edge[ok]
    own_t = src.offset_m[ok]
    own_len = network.edge_length[own_e]
    own_acc = np.nan_to_num(src.access_m[ok]) if count_access else np.zeros(len(own_s))
    frames = []
    for dmax in thresholds:
        rem = dmax - arc_d
        keep = rem >= 0
        lo = np.where(arc_f, 0.0, np.maximum(0.0, arc_len - rem))[keep]
        hi = np.where(arc_f, np.minimum(arc_len, rem), arc_len)[keep]
        s = arc_s[keep]
        e = arc_e[keep]
        orem = dmax - own_acc
        oin = orem >= 0
        olo = np.where(network.edge_bwd[own_e], np.maximum(0.0, own_t - orem), own_t)[oin]
        ohi = np.where(network.edge_fwd[own_e], np.minimum(own_len, own_t + orem), own_t)[oin]
        s = np.concatenate([s, own_s[oin]])
        e = np.concatenate([e, own_e[oin]])
        lo = np.concatenate([lo, olo])
        hi = np.concatenate([hi, ohi])
        frames.append(_merge_intervals(s, e, lo, hi, dmax))
    out = pd.concat(frames, ignore_index=True)
    return out


def _merge_intervals(
    s: np.ndarray, e: np.ndarray, lo: np.ndarray, hi: np.ndarray, dmax: float
) -> pd.DataFrame:
    order = np.lexsort((lo, e, s))
    s, e, lo, hi = s[order], e[order], lo[order], hi[order]
    new_group = np.ones(len(s), dtype=bool)
    new_group[1:] = (s[1:] != s[:-1]) | (e[1:] != e[:-1])
    # running max of hi within each (s, e) group
    gid = np.cumsum(new_group) - 1
    run = pd.Series(hi).groupby(gid).cummax().to_numpy()
    prev = np.empty(len(s))
    prev[0] = -np.inf
    prev[1:] = run[:-1]
    start = new_group | (lo > prev)
    pid = np.cumsum(start) - 1
    starts = np.flatnonzero(start)
    p_lo = lo[starts]
    p_hi = np.maximum.reduceat(hi, starts) if len(starts) else np.empty(0)
    del pid
    return pd.DataFrame(
        {
            "source": s[starts],
            "max_dist_m": np.full(len(starts), dmax),
            "edge": e[starts],
            "lo_m": p_lo,
            "hi_m": p_hi,
        }
    )


def _buffer_parallel(geoms: np.ndarray, buffer_m: float, quad_segs: int) -> np.ndarray:
    workers = min(4, os.cpu_count() or 1)
    if len(geoms) < 64 or workers == 1:
        return shapely.buffer(geoms, buffer_m, quad_segs=quad_segs)
    chunks = np.array_split(np.arange(len(geoms)), workers * 4)
    out = np.empty(len(geoms), dtype=object)
    with ThreadPoolExecutor(workers) as pool:  # shapely releases the GIL
        for idx, res in zip(
            chunks,
            pool.map(lambda ix: shapely.buffer(geoms[ix], buffer_m, quad_segs=quad_segs), chunks),
            strict=True,
        ):
            out[idx] = res
    return out


def _fill_holes(polys: np.ndarray, max_hole_m2: float) -> np.ndarray:
    if max_hole_m2 <= 0:
        return polys
    parts, pidx = shapely.get_parts(polys, return_index=True)
    n_int = shapely.get_num_interior_rings(parts)
    if n_int.sum() == 0:
        return polys
    fixed = parts.copy()
    for i in np.flatnonzero(n_int):
        p = parts[i]
        keep = [r for r in p.interiors if shapely.area(shapely.Polygon(r)) >= max_hole_m2]
        fixed[i] = shapely.Polygon(p.exterior, keep)
    out = np.empty(len(polys), dtype=object)
    groups = pd.Series(np.arange(len(parts))).groupby(pidx).agg(list)
    for g, members in groups.items():
        geoms = fixed[members]
        out[g] = geoms[0] if len(geoms) == 1 else shapely.multipolygons(list(geoms))
    empty = np.setdiff1d(np.arange(len(polys)), groups.index.to_numpy())
    for g in empty:
        out[g] = shapely.Polygon()
    return out


def service_areas(
    network: Network,
    sources: object,
    *,
    max_dist_m: float | Sequence[float],
    buffer_m: float = 25.0,
    max_hole_m2: float = 20_000.0,
    dissolve: bool = False,
    max_snap_m: float = 250.0,
    quad_segs: int = 1,
    count_access: bool = True,
    method: str = "auto",
    cell_m: float | None = None,
) -> gpd.GeoDataFrame:
    """Service-area polygons of each source (or dissolved) for one or more distances.

    Parameters
    ----------
    network : Network
    sources : points or Snapped
        The facilities.
    max_dist_m : float or sequence of float
        Network distance(s), e.g. ``[300, 500, 1000]``; the areas nest.
    buffer_m : float
        Half-width of the street space around the reached streets (default 25 m: a street
        and the building frontage on each side).
    max_hole_m2 : float
        Holes smaller than this are filled (courtyards inside a reached block).
    dissolve : bool
        One polygon per distance (union over sources) instead of one per source.
    max_snap_m : float
        Snap limit for sources not already snapped.
    quad_segs : int
        Segments per quarter circle in the buffer.
    count_access : bool
        Take each facility's access leg from the distance (default; see the module docstring).
    method : {"auto", "exact", "raster"}
        How dissolved areas are drawn: ``"exact"`` buffers each source's streets and unions
        the polygons (GEOS; the cost grows with the overlaps, roughly with the square of the
        street length in a dense city), ``"raster"`` draws the buffer of the dissolved
        streets on a ``cell_m`` raster (:mod:`jinan_gis.geo.buffer_raster`: linear in the
        street length, boundary within ``cell_m / sqrt(2)`` of the exact one, areas within
        0.1 % on the sample).  ``"auto"`` (default) is ``"raster"`` from
        :data:`RASTER_MIN_PIECES` reached street pieces on.  Areas per source are exact.
    cell_m : float, optional
        Raster cell of ``method="raster"`` (default ``buffer_m / 5``: 5 m for 25 m).

    Returns
    -------
    geopandas.GeoDataFrame
        ``source`` (position; -1 when dissolved), ``source_label``, ``max_dist_m``,
        ``street_m`` (length of street reached), ``area_m2`` and the polygon, in the network's
        CRS.  Sources that could not be placed get an empty polygon and ``street_m = 0``.

    Examples
    --------
    The facility in the middle cannot be placed (5 km from the street); the others can:

    >>> import numpy as np
    >>> from jinan_gis.geo.network import Network
    >>> net = Network.from_arrays([[0, 0], [1000, 0]], [0], [1])
    >>> sa = service_areas(net, np.array([[0.0, 0], [500, 5000], [1000, 0]]), max_dist_m=[300])
    >>> sa["street_m"].tolist(), sa.geometry.is_empty.tolist()
    ([300.0, 0.0, 300.0], [False, True, False])
    """
    if buffer_m <= 0:
        raise NetworkError("buffer_m must be positive (e.g. 25 m of street space).")
    if method not in ("auto", "exact", "raster"):
        raise NetworkError(f"method must be 'auto', 'exact' or 'raster', not {method!r}.")
    from .reach import _snapped

    src = _snapped(network, sources, max_snap_m)
    thresholds = np.sort(np.atleast_1d(np.asarray(max_dist_m, dtype=float)))
    pieces = reached_pieces(network, src, max_dist_m=thresholds, max_snap_m=max_snap_m,
                            count_access=count_access)
    if dissolve:
        merged = _merge_intervals_by(pieces, ["max_dist_m"])
        if method == "raster" or (method == "auto" and len(merged) >= RASTER_MIN_PIECES):
            return _dissolved_raster(network, merged, thresholds, buffer_m=buffer_m,
                                     cell_m=buffer_m / 5 if cell_m is None else cell_m,
                                     max_hole_m2=max_hole_m2, quad_segs=quad_segs)
    keys = pd.MultiIndex.from_product(
        [np.arange(len(src)), thresholds], names=["source", "max_dist_m"]
    ).to_frame(index=False)
    lines = _piece_lines(network, pieces)
    piece_len = (pieces["hi_m"] - pieces["lo_m"]).to_numpy()
    kidx = pd.MultiIndex.from_frame(keys).get_indexer(
        pd.MultiIndex.from_frame(pieces[["source", "max_dist_m"]])
    )
    street_m = np.bincount(kidx, weights=piece_len, minlength=len(keys))
    geoms = np.array([shapely.Polygon()] * len(keys), dtype=object)
    present = np.unique(kidx)
    if len(present):
        order = np.argsort(kidx, kind="stable")
        # multilinestrings() needs consecutive indices 0..k-1: a (source, distance) with no
        # piece (an unplaced source anywhere in the input) would leave a gap, so renumber
        compact = np.searchsorted(present, kidx[order])
        mls = shapely.multilinestrings(lines[order], indices=compact)
        polys = _buffer_parallel(np.asarray(mls, dtype=object), buffer_m, quad_segs)
        geoms[present] = _fill_holes(polys, max_hole_m2)
    out = keys.copy()
    labels = np.asarray(src.index)
    out.insert(1, "source_label", labels[out["source"].to_numpy()])
    out["street_m"] = street_m
    if dissolve:
        rows = []
        for dmax in thresholds:
            sel = (out["max_dist_m"] == dmax).to_numpy()
            union = shapely.union_all(geoms[sel])
            union = _fill_holes(np.array([union], dtype=object), max_hole_m2)[0]
            m = merged[merged["max_dist_m"] == dmax]
            rows.append(
                {
                    "source": -1,
                    "source_label": None,
                    "max_dist_m": dmax,
                    "street_m": float((m["hi_m"] - m["lo_m"]).sum()),
                    "geometry": union,
                }
            )
        gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=network.crs)
    else:
        gdf = gpd.GeoDataFrame(out, geometry=list(geoms), crs=network.crs)
    gdf["area_m2"] = gdf.geometry.area
    return gdf[["source", "source_label", "max_dist_m", "street_m", "area_m2", "geometry"]]


RASTER_MIN_PIECES = 5_000
"""From this many reached street pieces (all distances) ``method="auto"`` draws dissolved
areas on a raster: the demo's 1000 m clinic areas have about 15,000 at sample scale 1."""


def _dissolved_raster(network: Network, merged: pd.DataFrame, thresholds: np.ndarray, *,
                      buffer_m: float, cell_m: float, max_hole_m2: float,
                      quad_segs: int) -> gpd.GeoDataFrame:
    """The dissolved areas of ``merged`` pieces (one polygon per distance), on a raster."""
    from .buffer_raster import raster_buffers

    dist = merged["max_dist_m"].to_numpy()
    lines = [_piece_lines(network, merged[dist == d]) for d in thresholds]
    polys = raster_buffers(lines, buffer_m=buffer_m, cell_m=cell_m, max_hole_m2=max_hole_m2,
                           quad_segs=quad_segs)
    length = (merged["hi_m"] - merged["lo_m"]).to_numpy()
    gdf = gpd.GeoDataFrame(
        {"source": -1, "source_label": None, "max_dist_m": thresholds,
         "street_m": [float(length[dist == d].sum()) for d in thresholds]},
        geometry=polys, crs=network.crs)
    gdf["area_m2"] = gdf.geometry.area
    return gdf[["source", "source_label", "max_dist_m", "street_m", "area_m2", "geometry"]]


def _merge_intervals_by(pieces: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    frames = []
    for dmax, grp in pieces.groupby(by[0], sort=True):
        zeros = np.zeros(len(grp), dtype=np.int64)
        m = _merge_intervals(
            zeros, grp["edge"].to_numpy(), grp["lo_m"].to_numpy(), grp["hi_m"].to_numpy(),
            float(dmax),
        )
        frames.append(m)
    if not frames:
        return pieces.iloc[0:0]
    return pd.concat(frames, ignore_index=True)


def _piece_lines(network: Network, pieces: pd.DataFrame) -> np.ndarray:
    if len(pieces) == 0:
        return np.empty(0, dtype=object)
    e = pieces["edge"].to_numpy()
    lo = pieces["lo_m"].to_numpy()
    hi = pieces["hi_m"].to_numpy()
    length = network.edge_length[e]
    full = (lo <= 1e-9) & (hi >= length - 1e-9)
    lines = np.empty(len(pieces), dtype=object)
    lines[full] = network.edge_lines(e[full])  # not every edge's geometry (lazy network)
    part = np.flatnonzero(~full)
    if len(part):
        ptr, xy, along = network.edge_coords()
        coords, idx = _cut(ptr, xy, along, e[part], lo[part], hi[part])
        lines[part] = shapely.linestrings(coords, indices=idx)
    return lines


# ----------------------------------------------------------------------------- warm-up
COMPILE_SECONDS = 7
"""About how long compiling the network kernels takes on a 2-core machine (first run)."""


def kernels_cached() -> bool:
    """Whether numba's cache holds the network kernels (the bounded searches of
    :mod:`jinan_gis.geo.reach`, the street cutter here and the raster of
    :mod:`jinan_gis.geo.buffer_raster`), compiled for this machine: False
    on a first run, when the first search compiles them (about :data:`COMPILE_SECONDS`)."""
    from ._dijkstra import kernel_cached
    from ._kernels import KERNELS
    from ._kernels_snap import best_candidates, sub_segments
    from .buffer_raster import _burn, _split_rings, _trace

    return all(kernel_cached(k) for k in (*KERNELS, best_candidates, sub_segments, _cut, _burn,
                                          _trace, _split_rings))


def warm_up_kernels() -> None:
    """Compile (first run) or load the network kernels with the argument types every run
    uses, by drawing one service area on one 400 m street; a run then starts its searches
    without compiling inside one of its steps."""
    from ._kernels import warm_up

    warm_up()  # the search and snapping kernels with every argument type the engine uses
    net = Network.from_arrays([[0.0, 0.0], [400.0, 0.0]], [0], [1])
    for method in ("exact", "raster"):
        service_areas(net, np.array([[200.0, 0.0]]), max_dist_m=[100.0], buffer_m=10.0,
                      dissolve=True, method=method)
