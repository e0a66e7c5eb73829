"""Make GIS road centrelines routable: snap near-miss ends, then split lines where they meet.

Road centrelines drawn by GIS staff rarely share vertices at intersections: lines cross
without a vertex, and ends stop a little short of (or past) the road they join. The network
engine joins lines only at shared vertices, so :func:`node_lines`

1. **snaps ends** within ``snap_tol_m``: ends close to each other are moved onto one point
   (the first end of the cluster), and a free end close to another line is moved onto that
   line (its nearest vertex within the tolerance, else the nearest point, which is added to
   that line as a node);
2. **nodes crossings**: every point where two lines meet or cross (or where a line ends
   within 1 micrometre of another) becomes a node of both, with exactly the same
   coordinates (nodes closer than 1 micrometre are merged), unless
   the two lines are on different grades (``grade``: e.g. a bridge over a road), in which
   case only meetings at a line's end are nodes; or unless the lines carry Z (3D
   shapefiles, GeoPackages) and differ there by more than :data:`Z_SEPARATION_M` (a bridge
   over a road, a tunnel under it), in which case they are not noded at all at that point.
   Lines whose Z values are all equal (every vertex of every line: a 2D drawing saved as
   3D) are treated as 2D, with a log message;
3. **splits** every line at its nodes; the pieces keep their parent's index.

Self-crossings of a single line are not noded.

Examples
--------
>>> from shapely.geometry import LineString
>>> lines = [LineString([(0, 0), (10, 0)]), LineString([(5, -5), (5, 5)])]
>>> pieces, parent = node_lines(lines)
>>> [p.wkt for p in pieces]  # doctest: +NORMALIZE_WHITESPACE
['LINESTRING (0 0, 5 0)', 'LINESTRING (5 0, 10 0)',
 'LINESTRING (5 -5, 5 0)', 'LINESTRING (5 0, 5 5)']
>>> parent.tolist()
[0, 0, 1, 1]
>>> pieces, _ = node_lines([LineString([(0, 0), (10, 0)]), LineString([(5, 0.4), (5, 5)])])
>>> [p.wkt for p in pieces]  # the end 0.4 m short of the first line is snapped onto it
['LINESTRING (0 0, 5 0)', 'LINESTRING (5 0, 10 0)', 'LINESTRING (5 0, 5 5)']
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from shapely.geometry import LineString

__all__ = ["NODE_EPS_M", "Z_SEPARATION_M", "end_ids", "node_lines"]

log = logging.getLogger(__name__)

NODE_EPS_M = 1e-6
"""Nodes closer than this (metres) are one node."""

Z_SEPARATION_M = 3.0
"""Lines meeting in plan whose heights there differ by more than this (metres) do not meet.

Why 3 m: a road bridge leaves at least 4.5 m of clearance over a road (CJJ 37, the Chinese
urban road design code; its deck adds another metre), while two roads that truly cross at
grade differ in surveyed height by well under 1 m; 3 m keeps both cases apart."""


def _z_values(geoms: np.ndarray, *, quiet: bool = False) -> list[np.ndarray] | None:
    """Each line's vertex heights, or None for 2D lines (or Z all one value, logged)."""
    if not len(geoms) or not shapely.has_z(geoms).any():
        return None
    zs = [
        shapely.get_coordinates(g, include_z=True)[:, 2] if shapely.has_z(g)
        else np.full(len(shapely.get_coordinates(g)), np.nan)
        for g in geoms
    ]
    finite = np.concatenate(zs)
    finite = finite[np.isfinite(finite)]
    if not len(finite) or np.ptp(finite) == 0:
        if quiet:
            return None
        log.info("lines carry Z, all %s: treated as 2D",
                 "NaN" if not len(finite) else f"equal to {finite[0]:g} m")
        return None
    return zs


def _z_at(line: LineString, z: np.ndarray, p: np.ndarray) -> float:
    """Height of ``line`` (2D, with vertex heights ``z``) at the point ``p`` on it."""
    c = shapely.get_coordinates(line)
    cum = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(c, axis=0).T))])
    d = float(shapely.line_locate_point(line, shapely.points(p)))
    return float(np.interp(d, cum, z))


def _apart(flat: list[LineString], zs: list[np.ndarray] | None, i: int, j: int,
           p: np.ndarray) -> bool:
    """Whether lines i and j are at heights more than :data:`Z_SEPARATION_M` apart at p."""
    if zs is None:
        return False
    zi, zj = _z_at(flat[i], zs[i], p), _z_at(flat[j], zs[j], p)
    return bool(np.isfinite(zi) and np.isfinite(zj) and abs(zi - zj) > Z_SEPARATION_M)


def _point_parts(geom: shapely.Geometry) -> np.ndarray:
    """Coordinates of the points where two lines meet: points, and ends of overlaps."""
    if geom is None or geom.is_empty:
        return np.empty((0, 2))
    parts = shapely.get_parts(geom)
    out = []
    for p in parts:
        t = p.geom_type
        if t == "Point":
            out.append(shapely.get_coordinates(p))
        elif t in ("LineString", "LinearRing"):
            c = shapely.get_coordinates(p)
            out.append(c[[0, -1]])
        elif t.startswith("Multi") or t == "GeometryCollection":
            out.append(_point_parts(p))
    return np.vstack(out) if out else np.empty((0, 2))


def node_lines(
    lines: Sequence[LineString] | np.ndarray,
    *,
    snap_tol_m: float = 1.0,
    grade: Sequence[float] | np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Snap and node LineStrings (metric CRS) so that lines meeting on the ground share ends.

    Parameters
    ----------
    lines : sequence of LineString
        Simple lines in a metric CRS (no Multi*, no empty geometry).
    snap_tol_m : float
        Ends within this distance of another end or line are snapped (0 disables snapping).
    grade : sequence of float, optional
        Grade level of each line (e.g. OSM-style ``layer``: 1 bridge, 0 ground, -1 tunnel);
        lines on different grades are noded only where one of them ends.

    Returns
    -------
    (ndarray of LineString, ndarray of int)
        The pieces, and for each piece the index of its parent line.

    Examples
    --------
    >>> from shapely.geometry import LineString
    >>> bridge = [LineString([(0, 0), (10, 0)]), LineString([(5, -5), (5, 5)])]
    >>> len(node_lines(bridge, grade=[1, 0])[0])  # a bridge over a road: no node
    2
    >>> deck = [LineString([(0, 0, 45), (10, 0, 45)]), LineString([(5, -5, 20), (5, 5, 20)])]
    >>> len(node_lines(deck)[0])  # the same, told by the lines' Z (45 m over 20 m)
    2
    """
    geoms = np.asarray(lines, dtype=object)
    n = len(geoms)
    if n == 0:
        return np.array([], dtype=object), np.array([], dtype=np.int64)
    lev = np.zeros(n) if grade is None else np.nan_to_num(np.asarray(grade, dtype=float))
    zs = _z_values(geoms)
    coords = [shapely.get_coordinates(g).copy() for g in geoms]
    flat = [LineString(c) for c in coords]  # 2D, before snapping: where the heights are
    if snap_tol_m > 0:
        _snap_ends(coords, lev, snap_tol_m)
        geoms = np.empty(n, dtype=object)
        geoms[:] = [LineString(c) for c in coords]
    # split points (nodes) of each line
    extra: list[list[np.ndarray]] = [[] for _ in range(n)]

    # intersections of every pair of lines that touch
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    sel = a < b
    a, b = a[sel], b[sel]
    if len(a):
        inter = shapely.intersection(geoms[a], geoms[b])
        ends = [np.vstack([c[0], c[-1]]) for c in coords]
        for i, j, g in zip(a.tolist(), b.tolist(), inter, strict=True):
            pts = _point_parts(g)
            if not len(pts):
                continue
            if lev[i] != lev[j]:
                e = np.vstack([ends[i], ends[j]])
                near_end = (np.abs(pts[:, None, :] - e[None, :, :]).max(axis=2) <= 1e-9).any(1)
                pts = pts[near_end]
            if zs is not None:
                pts = np.asarray([p for p in pts if not _apart(flat, zs, i, j, p)]).reshape(-1, 2)
            for p in pts:
                extra[i].append(p)
                extra[j].append(p)
    # ends lying on another line up to rounding (GEOS may not call that an intersection)
    end_xy = np.vstack([np.vstack([c[0], c[-1]]) for c in coords])
    pi, li = tree.query(shapely.points(end_xy), predicate="dwithin", distance=NODE_EPS_M)
    for p, j in zip(pi.tolist(), li.tolist(), strict=True):
        if j != p // 2 and not _apart(flat, zs, p // 2, j, end_xy[p]):
            extra[j].append(end_xy[p])
            extra[p // 2].append(end_xy[p])

    # merge nodes closer than NODE_EPS_M into one coordinate (the first one seen)
    owners = [i for i in range(n) for _ in extra[i]]
    if owners:
        pts = np.vstack([p for i in range(n) for p in extra[i]])
        rep = _cluster_points(pts, NODE_EPS_M)
        pts = pts[rep]
    else:
        pts = np.empty((0, 2))

    pieces: list[LineString] = []
    parent: list[int] = []
    start = 0
    for i in range(n):
        k = len(extra[i])
        node_xy = pts[start : start + k]
        start += k
        for piece in _split(coords[i], node_xy):
            pieces.append(piece)
            parent.append(i)
    return np.asarray(pieces, dtype=object), np.asarray(parent, dtype=np.int64)


def end_ids(
    lines: Sequence[LineString] | np.ndarray, pieces: np.ndarray, parent: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """Node ids of the pieces' first and last vertices that keep heights apart, for lines
    with Z (None for 2D lines or a flat Z).

    Ends at the same point (the noder gives meeting pieces exactly the same coordinates)
    share an id unless their heights, interpolated along the parent ``lines``, differ by
    more than :data:`Z_SEPARATION_M` from the next lower end there (a road split under a
    bridge ends where the deck's pieces end, 25 m higher: two nodes). Ends of unknown
    height (a 2D line among 3D ones) join the lowest there. The ids go to the street
    layer's ``u_osm``/``v_osm``, by which :func:`jinan_gis.geo.network.build_network` keys
    nodes.

    Examples
    --------
    >>> road = [LineString([(0, 0, 20), (5, 0, 20)]), LineString([(5, 0, 20), (10, 0, 20)])]
    >>> deck = [LineString([(5, -5, 45), (5, 0, 45)]), LineString([(5, 0, 45), (5, 5, 45)])]
    >>> pieces, parent = node_lines(road + deck)
    >>> u, v = end_ids(road + deck, pieces, parent)
    >>> len(set(u) | set(v))  # 6 ends of the pieces; the two at (5, 0) stay two nodes
    6
    """
    geoms = np.asarray(lines, dtype=object)
    zs = _z_values(geoms, quiet=True)
    if zs is None:
        return None
    flat = [LineString(shapely.get_coordinates(g)) for g in geoms]
    rows = []
    for k, piece in enumerate(pieces):
        c = shapely.get_coordinates(piece)
        i = int(parent[k])
        for p in (c[0], c[-1]):
            rows.append((p[0], p[1], _z_at(flat[i], zs[i], p)))
    arr = np.asarray(rows, dtype=np.float64).reshape(-1, 3)
    order = np.lexsort((np.nan_to_num(arr[:, 2], nan=-1e12), arr[:, 1], arr[:, 0]))
    ids = np.empty(len(arr), dtype=np.int64)
    node = -1
    prev: np.ndarray | None = None
    for o in order.tolist():
        x, y, z = arr[o]
        same_place = prev is not None and prev[0] == x and prev[1] == y
        close = prev is not None and (
            np.isnan(z) or np.isnan(prev[2]) or abs(z - prev[2]) <= Z_SEPARATION_M)
        if not (same_place and close):
            node += 1
        ids[o] = node
        prev = arr[o]
    return ids[0::2], ids[1::2]


def _cluster_ends(end_xy: np.ndarray, tol: float) -> np.ndarray:
    """Representative of each line end: ends within ``tol`` of a representative end join it.

    Greedy, in index order, nearest first, and not transitive (no end moves farther than
    ``tol``); a
    cluster holds at most one end of each line (``end_xy`` rows 2i, 2i+1 are line i's ends),
    so that no short line collapses onto itself.
    """
    pts = shapely.points(end_xy)
    a, b = shapely.STRtree(pts).query(pts, predicate="dwithin", distance=tol)
    dist = np.hypot(*(end_xy[a] - end_xy[b]).T)
    order = np.lexsort((b, dist, a))  # by end, then nearest first
    a, b = a[order], b[order]
    starts = np.searchsorted(a, np.arange(len(end_xy) + 1))
    rep = np.full(len(end_xy), -1, dtype=np.int64)
    for e in range(len(end_xy)):
        if rep[e] >= 0:
            continue
        rep[e] = e
        lines = {e // 2}
        for f in b[starts[e] : starts[e + 1]].tolist():
            if rep[f] < 0 and f // 2 not in lines:
                rep[f] = e
                lines.add(f // 2)
    return rep


def _cluster_points(pts: np.ndarray, tol: float) -> np.ndarray:
    """Index of the representative (lowest index) of each point's cluster within ``tol``."""
    n = len(pts)
    geoms = shapely.points(pts)
    a, b = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=tol)
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    first = np.full(label.max() + 1, n, dtype=np.int64)
    np.minimum.at(first, label, np.arange(n))
    return first[label]


def _snap_ends(coords: list[np.ndarray], lev: np.ndarray, tol: float) -> None:
    """Step 1 of the module docstring; edits ``coords`` in place.

    A free end snapped onto the inside of another line becomes a vertex of that line, so
    that later moves of that line's own ends cannot take the point off it.
    """
    n = len(coords)
    end_xy = np.vstack([np.vstack([c[0], c[-1]]) for c in coords])  # (2n, 2): start, end
    rep = _cluster_ends(end_xy, tol)
    for e in np.flatnonzero(rep != np.arange(2 * n)):
        line, pos = divmod(int(e), 2)
        coords[line][0 if pos == 0 else -1] = end_xy[rep[e]]
    cluster_size = np.bincount(rep, minlength=2 * n)
    free = np.flatnonzero(cluster_size[rep] == 1)
    if not len(free):
        return
    geoms = [LineString(c) for c in coords]
    tree = shapely.STRtree(geoms)
    pi, li = tree.query(shapely.points(end_xy[free]), predicate="dwithin", distance=tol)
    candidates: dict[int, list[int]] = {}
    for p, j in zip(pi.tolist(), li.tolist(), strict=True):
        candidates.setdefault(int(free[p]), []).append(j)
    for e in sorted(candidates):
        own, pos = divmod(e, 2)
        end = 0 if pos == 0 else -1
        xy = coords[own][end].copy()
        pt = shapely.points(xy)
        best: tuple[float, int] | None = None
        touching = False
        for j in candidates[e]:
            if j == own or lev[j] != lev[own]:
                continue
            d = float(shapely.distance(pt, geoms[j]))
            if d == 0.0:
                touching = True  # already on the line: noded as an intersection
                break
            if d <= tol and (best is None or d < best[0]):
                best = (d, j)
        if touching or best is None:
            continue
        j = best[1]
        cj = coords[j]
        dv = np.hypot(cj[:, 0] - xy[0], cj[:, 1] - xy[1])
        k = int(np.argmin(dv))
        on_vertex = dv[k] <= tol
        if on_vertex:
            target = cj[k].copy()
        else:
            at = float(shapely.line_locate_point(geoms[j], pt))
            target = shapely.get_coordinates(shapely.line_interpolate_point(geoms[j], at))[0]
        other = coords[own][-1 if end == 0 else 0]
        if np.hypot(*(target - other)) <= tol:
            continue  # would fold the line onto itself
        if not on_vertex:
            cum = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(cj, axis=0).T))])
            ins = int(np.clip(np.searchsorted(cum, at, side="right"), 1, len(cj) - 1))
            coords[j] = np.insert(cj, ins, target, axis=0)
            geoms[j] = LineString(coords[j])
        coords[own][end] = target
        geoms[own] = LineString(coords[own])


def _split(c: np.ndarray, node_xy: np.ndarray) -> list[LineString]:
    """Split the line with coordinates ``c`` at the node points (which lie on it).

    A node is cut wherever the line passes through it (a line through one point twice is
    cut twice); the cut takes the node's exact coordinates.
    """
    seg = np.hypot(np.diff(c[:, 0]), np.diff(c[:, 1]))
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    length = float(cum[-1])
    if length <= NODE_EPS_M:
        return []
    if not len(node_xy):
        return [LineString(c)]
    p0, vec = c[:-1][None, :, :], np.diff(c, axis=0)[None, :, :]
    l2 = np.where(seg > 0, seg**2, 1.0)[None, :]
    rel = node_xy[:, None, :] - p0
    t = np.clip((rel * vec).sum(axis=2) / l2, 0.0, 1.0)  # (nodes, segments)
    gap = np.hypot(*np.moveaxis(rel - t[:, :, None] * vec, 2, 0))
    on = gap <= NODE_EPS_M
    none = ~on.any(axis=1)
    if none.any():  # off the line by more than rounding: take the nearest passage
        on[np.flatnonzero(none), gap[none].argmin(axis=1)] = True
    qi, k = np.nonzero(on)
    dist = cum[k] + t[qi, k] * seg[k]
    order = np.argsort(dist, kind="stable")
    c = c.copy()
    cuts: list[tuple[float, np.ndarray]] = []
    for d, q in zip(dist[order].tolist(), qi[order].tolist(), strict=True):
        xy = node_xy[q]
        if d <= NODE_EPS_M:
            c[0] = xy  # node at the start: share its exact coordinates
        elif d >= length - NODE_EPS_M:
            c[-1] = xy
        elif not cuts or d - cuts[-1][0] > NODE_EPS_M:
            cuts.append((d, xy))
    if not cuts:
        return [LineString(c)]
    out: list[LineString] = []
    prev_d, prev_xy = 0.0, c[0]
    for d, xy in [*cuts, (length, c[-1])]:
        lo = int(np.searchsorted(cum, prev_d + NODE_EPS_M, side="right"))
        hi = int(np.searchsorted(cum, d - NODE_EPS_M, side="left"))
        if d - prev_d > NODE_EPS_M:
            out.append(LineString(np.vstack([prev_xy, c[lo:hi], xy])))
        prev_d, prev_xy = d, xy
    return out
