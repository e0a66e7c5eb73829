"""A :class:`~jinan_gis.geo.network.Network` from an OSMnx graph.

OSMnx stores a two-way street as two edges, ``u -> v`` and ``v -> u`` (the second with the
geometry reversed); :func:`osmnx_streets` keeps one line per two-way street (and every
one-way edge), with ``oneway`` from the edge's ``oneway`` attribute and the OSM node ids of
its ends in ``u_osm``/``v_osm`` (so :func:`~jinan_gis.geo.network.build_network` keys the
nodes by id), in a metric CRS; :func:`network_from_osmnx` builds the network from it.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import LineString

from ..geo.crs import ANALYSIS_CRS, require_metric_crs
from ..geo.errors import CRSError, NetworkError
from ..geo.network import Mode, Network, build_network

__all__ = ["network_from_osmnx", "osmnx_streets"]

_TRUE = {"yes", "true", "1", "-1", "reversible"}


def _is_oneway(value: Any) -> bool:
    """OSMnx's ``oneway``: a bool, an OSM tag value, or a list of them after simplification."""
    if isinstance(value, list | tuple | set):
        return any(_is_oneway(v) for v in value)
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return False
    return bool(value)


def _metric_crs(gdf: gpd.GeoDataFrame, crs: Any) -> Any:
    if crs is not None:
        return crs
    try:
        return require_metric_crs(gdf)
    except CRSError:
        pass
    lon = float(np.nanmean(gdf.total_bounds[[0, 2]]))
    # Jinan's official projection inside its zone (115.5-118.5 E), else the local UTM zone
    return ANALYSIS_CRS if 115.5 <= lon <= 118.5 else gdf.estimate_utm_crs()


def osmnx_streets(graph: Any, *, crs: Any = None) -> gpd.GeoDataFrame:
    """The street lines of an OSMnx ``MultiDiGraph``: one line per two-way street.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        As OSMnx makes it: node attributes ``x``/``y``, edge attributes ``geometry``
        (optional: a straight line between the nodes otherwise), ``oneway``, ``highway``,
        ``name``, ``osmid``...; graph attribute ``crs``. Projected or not. Not changed.
    crs : CRS-like, optional
        Metric CRS of the result. Default: the graph's own CRS when metric, else EPSG:4548
        when the graph lies in its zone (115.5-118.5 E, Jinan), else the local UTM zone.

    Returns
    -------
    GeoDataFrame
        ``u_osm``, ``v_osm``, ``key``, ``oneway`` (bool), ``length_m``, ``highway``,
        ``name``, ``osmid`` (text) and the line, in ``crs``. A two-way street's two edges
        become one line; one-way edges are kept as they are (their direction is the
        geometry's).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph(crs="EPSG:4548")
    >>> g.add_node(1, x=0.0, y=0.0); g.add_node(2, x=100.0, y=0.0); g.add_node(3, x=100.0, y=50.0)
    >>> g.add_edge(1, 2, oneway=False, length=100.0); g.add_edge(2, 1, oneway=False, length=100.0)
    0
    0
    >>> g.add_edge(2, 3, oneway=True, length=50.0)
    0
    >>> s = osmnx_streets(g)
    >>> s[["u_osm", "v_osm", "oneway"]].values.tolist(), float(s.length.sum())
    ([[1, 2, False], [2, 3, True]], 150.0)
    """
    xy = {n: (float(d["x"]), float(d["y"])) for n, d in graph.nodes(data=True)}
    rows: list[dict[str, Any]] = []
    for u, v, k, d in graph.edges(keys=True, data=True):
        geom = d.get("geometry")
        if geom is None:
            geom = LineString([xy[u], xy[v]])
        osmid = d.get("osmid")
        rows.append({"u_osm": int(u), "v_osm": int(v), "key": int(k),
                     "oneway": _is_oneway(d.get("oneway", False)),
                     "highway": _text(d.get("highway")), "name": _text(d.get("name")),
                     "osmid": _text(osmid), "geometry": geom})
    if not rows:
        raise NetworkError("the OSMnx graph has no edges.")
    src_crs = graph.graph.get("crs")
    if src_crs is None:
        raise CRSError("the OSMnx graph has no 'crs' graph attribute (OSMnx sets it; "
                       "set G.graph['crs'] = 'EPSG:4326' for longitude/latitude).")
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=src_crs)
    gdf = gdf.to_crs(_metric_crs(gdf, crs))
    gdf = gdf[~_reverse_duplicate(gdf)].reset_index(drop=True)
    gdf.insert(4, "length_m", shapely.length(gdf.geometry.to_numpy()))
    return gdf


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, list | tuple | set):
        return ";".join(str(v) for v in value)
    return str(value)


def _reverse_duplicate(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """True for the second edge of each two-way pair (same two nodes, same line reversed)."""
    two_way = ~gdf["oneway"].to_numpy(dtype=bool)
    u, v = gdf["u_osm"].to_numpy(), gdf["v_osm"].to_numpy()
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    shape = shapely.set_precision(shapely.normalize(gdf.geometry.to_numpy()), 1e-3)
    wkb = shapely.to_wkb(shape)
    seen: set[tuple[int, int, bytes]] = set()
    drop = np.zeros(len(gdf), dtype=bool)
    for i in np.flatnonzero(two_way):
        key = (int(lo[i]), int(hi[i]), wkb[i])
        if key in seen:
            drop[i] = True
        else:
            seen.add(key)
    return drop


def network_from_osmnx(graph: Any, *, mode: Mode = "walk", crs: Any = None,
                       min_component_nodes: int = 100) -> Network:
    """Build a :class:`~jinan_gis.geo.network.Network` from an OSMnx graph.

    A two-way street is one edge of the network (OSMnx's two directed edges counted
    once), travelled both ways; a one-way street only in its direction with
    ``mode="drive"`` (:func:`~jinan_gis.geo.network.build_network`). Nodes are keyed by
    their OSM ids. See :func:`osmnx_streets` for ``graph`` and ``crs``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph(crs="EPSG:4326")
    >>> for n, (x, y) in {1: (117.0, 36.65), 2: (117.001, 36.65), 3: (117.002, 36.65)}.items():
    ...     g.add_node(n, x=x, y=y)
    >>> for a, b in [(1, 2), (2, 1), (2, 3), (3, 2)]:
    ...     _ = g.add_edge(a, b, oneway=False)
    >>> net = network_from_osmnx(g)
    >>> net.n_edges, net.crs, round(float(net.edge_length.sum()))
    (2, 'EPSG:4548', 179)
    """
    streets = osmnx_streets(graph, crs=crs)
    return build_network(streets, mode=mode, min_component_nodes=min_component_nodes)
