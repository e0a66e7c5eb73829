"""A compact street network: nodes, edges and per-mode CSR adjacency arrays.

:func:`build_network` turns a GeoDataFrame of street LineStrings (EPSG:4548, metres) into a
:class:`Network`: nodes at line ends and at vertices shared by several lines (OSM semantics:
crossing lines without a shared vertex, such as bridges, do not meet).  When the layer
carries the OSM node ids of its line ends (``u_osm``/``v_osm``, as the OSM file reader writes
them), the nodes are keyed by those ids instead: two distinct OSM nodes at the same
coordinates (a tunnel footway passing under a street) stay distinct.  Edges carry their true
length from the geometry, per-direction access for the chosen mode (driving respects
``oneway``), and connected components.  The hot path works on numpy arrays (a CSR adjacency),
never on a NetworkX graph.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import LineString
>>> streets = gpd.GeoDataFrame(
...     geometry=[LineString([(0, 0), (100, 0)]), LineString([(100, 0), (100, 50), (200, 50)])],
...     crs="EPSG:4548")
>>> net = build_network(streets, mode="walk")
>>> net.n_nodes, net.n_edges, float(net.edge_length.sum())
(3, 2, 250.0)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from .crs import require_metric_crs
from .errors import NetworkError
from .modes import MODES, Mode
from .street_nodes import line_vertices, split_at_breaks, vertex_keys

__all__ = ["MODES", "Mode", "Network", "build_network", "concat_ranges"]

log = logging.getLogger(__name__)



def concat_ranges(start: np.ndarray, count: np.ndarray) -> np.ndarray:
    """``arange(start[i], start[i] + count[i])`` for every ``i``, concatenated (vectorised).

    Examples
    --------
    >>> concat_ranges(np.array([5, 0]), np.array([2, 3])).tolist()
    [5, 6, 0, 1, 2]
    """
    count = np.asarray(count, dtype=np.int64)
    first = np.cumsum(count) - count
    return np.repeat(np.asarray(start, dtype=np.int64), count) + (
        np.arange(int(count.sum())) - np.repeat(first, count)
    )


@dataclass(frozen=True, eq=False)
class Network:
    """A street network for one travel mode, as flat arrays.

    Attributes
    ----------
    node_xy : ndarray (n, 2)
        Node coordinates in :attr:`crs`.
    edge_u, edge_v : ndarray (m,) int64
        End nodes of each edge; the edge geometry runs from ``u`` to ``v``.
    edge_length : ndarray (m,) float64
        Edge length in metres (from the geometry).
    edge_fwd, edge_bwd : ndarray (m,) bool
        Whether the mode may travel ``u -> v`` / ``v -> u``.
    edge_vertex_ptr : ndarray (m + 1,) int64
        Edge ``e`` has the vertices ``edge_vertex_xy[edge_vertex_ptr[e]:edge_vertex_ptr[e + 1]]``.
    edge_vertex_xy : ndarray (k, 2) float64
        Edge vertices, each edge's run from ``u`` to ``v``.  The shapely geometries
        (:attr:`edge_geometry`) are made from these only when asked for.
    edge_source_row : ndarray (m,) int64
        Row (position) of the input line each edge came from (-1 when built from arrays).
    mode : str
    crs : str
    min_component_nodes : int
        Components smaller than this (other than the largest) are islands.
    island_mask : ndarray (n,) bool, optional
        Islands decided elsewhere (see ``build_network(island_rows=...)``); overrides
        ``min_component_nodes`` when given.
    """

    node_xy: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length: np.ndarray
    edge_fwd: np.ndarray
    edge_bwd: np.ndarray
    edge_vertex_ptr: np.ndarray
    edge_vertex_xy: np.ndarray
    edge_source_row: np.ndarray
    mode: str = "walk"
    crs: str = "EPSG:4548"
    min_component_nodes: int = 100
    island_mask: np.ndarray | None = field(default=None, repr=False)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    # ------------------------------------------------------------------ sizes
    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_xy)

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return len(self.edge_u)

    def __repr__(self) -> str:
        km = self.edge_length.sum() / 1000
        return (
            f"Network(mode={self.mode!r}, nodes={self.n_nodes}, edges={self.n_edges}, "
            f"length_km={km:.1f}, components={self.n_components})"
        )

    # ------------------------------------------------------------------ CSR
    def csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Directed adjacency of the allowed arcs in CSR form.

        Returns
        -------
        indptr : ndarray (n + 1,) int64
        head : ndarray (k,) int64
            Node each arc leads to.
        weight : ndarray (k,) float64
            Arc length in metres.
        arc_edge : ndarray (k,) int64
            Edge each arc runs along.
        arc_forward : ndarray (k,) bool
            True when the arc runs ``u -> v`` along its edge.
        """
        if "csr" not in self._cache:
            fwd = np.flatnonzero(self.edge_fwd)
            bwd = np.flatnonzero(self.edge_bwd)
            tail = np.concatenate([self.edge_u[fwd], self.edge_v[bwd]])
            head = np.concatenate([self.edge_v[fwd], self.edge_u[bwd]])
            arc_edge = np.concatenate([fwd, bwd])
            arc_forward = np.concatenate(
                [np.ones(len(fwd), dtype=bool), np.zeros(len(bwd), dtype=bool)]
            )
            order = np.argsort(tail, kind="stable")
            indptr = np.zeros(self.n_nodes + 1, dtype=np.int64)
            np.cumsum(np.bincount(tail, minlength=self.n_nodes), out=indptr[1:])
            self._cache["csr"] = (
                indptr,
                head[order].astype(np.int64),
                self.edge_length[arc_edge[order]].astype(np.float64),
                arc_edge[order].astype(np.int64),
                arc_forward[order],
            )
        return self._cache["csr"]

    def search_queue(self) -> tuple[str, float, int]:
        """The priority queue of this network's searches: ``(kind, bucket width, ring mask)``.

        ``kind`` is ``"bucket"`` (Dial's bucket queue, exact because no arc is shorter than a
        bucket) or ``"heap"`` (binary heap); the rule is
        :func:`jinan_gis.geo._kernels.choose_queue` (real OSM graphs, with centimetre edges,
        get the heap).  Logged at debug level when first decided.

        Examples
        --------
        >>> Network.from_arrays([[0, 0], [90, 0], [180, 0]], [0, 1], [1, 2]).search_queue()[0]
        'bucket'
        >>> Network.from_arrays([[0, 0], [0.01, 0], [90, 0]], [0, 1], [1, 2]).search_queue()[0]
        'heap'
        """
        if "queue" not in self._cache:
            from ._kernels import _ring_mask, choose_queue

            weight = self.csr()[2]
            kind, width = choose_queue(weight)
            self._cache["queue"] = (kind, width, _ring_mask(weight, width))
            log.debug("searches on %r use a %s queue%s", self, kind,
                      f" (bucket width {width:.4g} m)" if kind == "bucket" else "")
        return self._cache["queue"]

    def out_arcs(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The arcs leaving each of ``nodes``: (arc positions in :meth:`csr`, count per node).

        Examples
        --------
        >>> net = Network.from_arrays([[0, 0], [1, 0], [2, 0]], [0, 1], [1, 2])
        >>> arcs, n = net.out_arcs(np.array([1]))
        >>> sorted(net.csr()[1][arcs].tolist()), n.tolist()
        ([0, 2], [2])
        """
        indptr = self.csr()[0]
        lo = indptr[nodes]
        cnt = indptr[np.asarray(nodes) + 1] - lo
        return concat_ranges(lo, cnt), cnt

    def csr_matrix(self) -> csr_matrix:
        """The allowed arcs as a ``scipy.sparse.csr_matrix`` (for scipy.sparse.csgraph).

        Parallel arcs are kept; scipy's Dijkstra uses the shortest of them.
        """
        if "csr_matrix" not in self._cache:
            indptr, head, weight, _, _ = self.csr()
            # csgraph reads every stored entry as an arc (explicit zeros included) and
            # uses the shortest of parallel arcs; nothing is summed or pruned here.
            self._cache["csr_matrix"] = csr_matrix(
                (weight, head, indptr), shape=(self.n_nodes, self.n_nodes)
            )
        return self._cache["csr_matrix"]

    # ------------------------------------------------------------ components
    def _components(self) -> tuple[int, np.ndarray]:
        if "components" not in self._cache:
            a = csr_matrix(
                (np.ones(self.n_edges), (self.edge_u, self.edge_v)),
                shape=(self.n_nodes, self.n_nodes),
            )
            self._cache["components"] = connected_components(a, directed=False)
        return self._cache["components"]

    @property
    def n_components(self) -> int:
        """Number of (weakly) connected components."""
        return int(self._components()[0])

    @property
    def node_component(self) -> np.ndarray:
        """Component label of every node."""
        return self._components()[1]

    @property
    def node_is_island(self) -> np.ndarray:
        """True for nodes on a small disconnected piece (see :attr:`min_component_nodes`)."""
        if "island" not in self._cache and self.island_mask is not None:
            self._cache["island"] = np.asarray(self.island_mask, dtype=bool)
        if "island" not in self._cache:
            labels = self.node_component
            sizes = np.bincount(labels)
            largest = int(np.argmax(sizes)) if len(sizes) else -1
            small = sizes < self.min_component_nodes
            small[largest] = False
            self._cache["island"] = small[labels]
        return self._cache["island"]

    @property
    def edge_is_island(self) -> np.ndarray:
        """True for edges on an island component."""
        if "edge_island" not in self._cache:
            self._cache["edge_island"] = self.node_is_island[self.edge_u]
        return self._cache["edge_island"]

    # ------------------------------------------------------------- geometry
    @property
    def edge_geometry(self) -> np.ndarray:
        """Geometry of each edge (shapely LineStrings oriented ``u -> v``), made on first use
        from :attr:`edge_vertex_xy` and kept (about 300 bytes an edge).

        Examples
        --------
        >>> net = Network.from_arrays([[0, 0], [3, 4]], [0], [1])
        >>> net.edge_geometry[0].wkt
        'LINESTRING (0 0, 3 4)'
        """
        if "edge_geometry" not in self._cache:
            ptr = self.edge_vertex_ptr
            self._cache["edge_geometry"] = shapely.linestrings(
                self.edge_vertex_xy, indices=np.repeat(np.arange(self.n_edges), np.diff(ptr))
            ) if self.n_edges else np.empty(0, dtype=object)
        return self._cache["edge_geometry"]

    def edge_lines(self, edges: np.ndarray) -> np.ndarray:
        """Shapely LineStrings (``u -> v``) of the edges ``edges`` only: the cached
        :attr:`edge_geometry` when it exists, else made for these edges and not kept (a few
        edges of a large network cost a few geometries, not one per edge).

        Examples
        --------
        >>> net = Network.from_arrays([[0, 0], [3, 4], [3, 0]], [0, 1], [1, 2])
        >>> [g.wkt for g in net.edge_lines(np.array([1, 1]))]
        ['LINESTRING (3 4, 3 0)', 'LINESTRING (3 4, 3 0)']
        """
        edges = np.asarray(edges, dtype=np.int64)
        if "edge_geometry" in self._cache:
            return self._cache["edge_geometry"][edges]
        if len(edges) == 0:
            return np.empty(0, dtype=object)
        ptr = self.edge_vertex_ptr
        cnt = ptr[edges + 1] - ptr[edges]
        return shapely.linestrings(self.edge_vertex_xy[concat_ranges(ptr[edges], cnt)],
                                   indices=np.repeat(np.arange(len(edges)), cnt))

    def edge_coords(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Edge vertices as flat arrays: ``ptr`` (m + 1), ``xy`` (k, 2), ``along`` (k,).

        ``along`` is the distance from the edge start to each vertex, scaled so that the last
        vertex of edge ``e`` sits exactly at ``edge_length[e]``.
        """
        if "edge_coords" not in self._cache:
            ptr, xy = self.edge_vertex_ptr, self.edge_vertex_xy
            seg = np.zeros(len(xy))
            if len(xy) > 1:
                seg[1:] = np.hypot(*(xy[1:] - xy[:-1]).T)
            seg[ptr[:-1]] = 0.0
            along = np.cumsum(seg)
            along -= np.repeat(along[ptr[:-1]], np.diff(ptr))
            glen = along[ptr[1:] - 1]
            scale = np.divide(self.edge_length, glen, out=np.ones_like(glen), where=glen > 0)
            along *= np.repeat(scale, np.diff(ptr))
            self._cache["edge_coords"] = (ptr, xy, along)
        return self._cache["edge_coords"]

    def nodes_gdf(self) -> gpd.GeoDataFrame:
        """Nodes as a point GeoDataFrame (``node``, ``component``, ``island``)."""
        return gpd.GeoDataFrame(
            {
                "node": np.arange(self.n_nodes),
                "component": self.node_component,
                "island": self.node_is_island,
            },
            geometry=shapely.points(self.node_xy),
            crs=self.crs,
        )

    def edges_gdf(self) -> gpd.GeoDataFrame:
        """Edges as a line GeoDataFrame (``u``, ``v``, ``length_m``, ``fwd``, ``bwd``...)."""
        return gpd.GeoDataFrame(
            {
                "u": self.edge_u,
                "v": self.edge_v,
                "length_m": self.edge_length,
                "fwd": self.edge_fwd,
                "bwd": self.edge_bwd,
                "source_row": self.edge_source_row,
                "island": self.edge_is_island,
            },
            geometry=self.edge_geometry,
            crs=self.crs,
        )

    # ------------------------------------------------------------- builders
    @classmethod
    def from_arrays(
        cls,
        node_xy: np.ndarray,
        edge_u: np.ndarray,
        edge_v: np.ndarray,
        *,
        edge_length: np.ndarray | None = None,
        oneway: np.ndarray | None = None,
        mode: Mode = "walk",
        crs: str = "EPSG:4548",
        min_component_nodes: int = 100,
    ) -> Network:
        """Build a network of straight edges from node coordinates and edge end nodes.

        Parameters
        ----------
        node_xy : array (n, 2)
        edge_u, edge_v : int arrays (m,)
        edge_length : float array (m,), optional
            Defaults to the straight-line length; must not be shorter than it.
        oneway : bool array (m,), optional
            Respected only when ``mode == "drive"``.

        Examples
        --------
        >>> net = Network.from_arrays([[0, 0], [3, 4]], [0], [1])
        >>> net.edge_length.tolist()
        [5.0]
        """
        node_xy = np.asarray(node_xy, dtype=np.float64).reshape(-1, 2)
        u = np.asarray(edge_u, dtype=np.int64)
        v = np.asarray(edge_v, dtype=np.int64)
        if len(u) != len(v):
            raise NetworkError("edge_u and edge_v differ in length; give one pair per edge.")
        if len(u) and (min(u.min(), v.min()) < 0 or max(u.max(), v.max()) >= len(node_xy)):
            raise NetworkError("edge_u/edge_v refer to nodes that do not exist in node_xy.")
        vertex_xy = np.stack([node_xy[u], node_xy[v]], axis=1).reshape(-1, 2)
        straight = np.hypot(*(node_xy[v] - node_xy[u]).T) if len(u) else np.empty(0)
        length = straight if edge_length is None else np.asarray(edge_length, dtype=np.float64)
        if np.any(~np.isfinite(length)) or np.any(length < 0):
            raise NetworkError("edge_length has negative or non-finite values; fix the lengths.")
        fwd, bwd = _directions(len(u), oneway, mode)
        return cls(
            node_xy=node_xy,
            edge_u=u,
            edge_v=v,
            edge_length=length,
            edge_fwd=fwd,
            edge_bwd=bwd,
            edge_vertex_ptr=np.arange(0, 2 * len(u) + 1, 2, dtype=np.int64),
            edge_vertex_xy=vertex_xy,
            edge_source_row=np.full(len(u), -1, dtype=np.int64),
            mode=mode,
            crs=crs,
            min_component_nodes=min_component_nodes,
        )


def _directions(
    m: int, oneway: np.ndarray | None, mode: str
) -> tuple[np.ndarray, np.ndarray]:
    if mode not in MODES:
        raise NetworkError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}.")
    fwd = np.ones(m, dtype=bool)
    bwd = np.ones(m, dtype=bool)
    if mode == "drive" and oneway is not None:
        bwd = ~np.asarray(oneway, dtype=bool)
    return fwd, bwd


def build_network(
    streets: gpd.GeoDataFrame,
    *,
    mode: Mode = "walk",
    tol_m: float = 0.01,
    min_component_nodes: int = 100,
    island_rows: np.ndarray | None = None,
) -> Network:
    """Build a routable :class:`Network` from street LineStrings in a metric CRS.

    Parameters
    ----------
    streets : GeoDataFrame
        LineStrings (MultiLineStrings are exploded) in a metric CRS, normally EPSG:4548.
        Optional columns: ``walk``/``bike``/``drive`` (bool access flags; lines not open to
        ``mode`` are left out) and ``oneway`` (bool; only honoured for ``mode="drive"``:
        travel allowed in the digitised direction only); ``u_osm``/``v_osm`` (int, the OSM
        node ids of each line's first and last vertex): when both are present and complete
        for the lines used, end nodes are keyed by these ids (lines are then expected to be
        split at every shared OSM node, as :func:`jinan_gis.layers.osm_file.ways_to_streets`
        does; interior vertices are never junctions), else by coordinates.
    mode : {"walk", "bike", "drive"}
    tol_m : float
        Vertices closer than this are the same node (coordinates are snapped to a grid of
        this size to find shared vertices).  Not used when nodes are keyed by OSM ids.
    min_component_nodes : int
        Components with fewer nodes than this (other than the largest) are islands: points
        nearest to them are flagged, not routed.
    island_rows : array of int, optional
        Positions (0-based rows of ``streets``) of the lines that are islands, decided on a
        larger network (a batch partition cuts pieces out of the whole street layer, where
        islands are a global property). When given, the nodes of these lines are the islands
        and ``min_component_nodes`` is not used.

    Returns
    -------
    Network

    Raises
    ------
    CRSError
        If ``streets`` has no CRS or a geographic / Web Mercator one.
    NetworkError
        If no usable line is left for the mode.

    Examples
    --------
    A T-junction: the side street shares the vertex (100, 0) with the main street, so the
    main street is split there.

    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> streets = gpd.GeoDataFrame(
    ...     {"oneway": [False, True]},
    ...     geometry=[LineString([(0, 0), (100, 0), (200, 0)]), LineString([(100, 0), (100, 80)])],
    ...     crs="EPSG:4548")
    >>> net = build_network(streets, mode="drive")
    >>> net.n_nodes, net.n_edges, net.edge_bwd.tolist()
    (4, 3, [True, True, False])
    """
    require_metric_crs(streets, what="building a street network")
    if mode not in MODES:
        raise NetworkError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}.")
    if tol_m <= 0:
        raise NetworkError("tol_m must be positive (e.g. 0.01 m).")
    coords, line_of, src_row, src_oneway, osm_ends = line_vertices(streets, mode)
    if not np.isfinite(coords).all():
        raise NetworkError(
            "street geometries contain NaN/inf coordinates; repair or drop those lines first "
            "(the street loaders reject them with a reason)."
        )
    first = np.ones(len(coords), dtype=bool)
    first[1:] = line_of[1:] != line_of[:-1]
    last = np.ones(len(coords), dtype=bool)
    last[:-1] = line_of[1:] != line_of[:-1]
    key_id, is_break = vertex_keys(coords, line_of, first, last, osm_ends, tol_m)
    starts, ends, edge_len, u, v, node_xy = split_at_breaks(coords, key_id, is_break, last)

    good = edge_len > 0
    if not good.all():
        log.debug("dropping %d zero-length edges", int((~good).sum()))
    line_of_edge = line_of[starts]
    fwd, bwd = _directions(int(good.sum()), src_oneway[line_of_edge][good], mode)
    island_mask = None
    if island_rows is not None:
        island_edge = np.isin(src_row[line_of_edge][good], np.asarray(island_rows))
        island_mask = np.zeros(len(node_xy), dtype=bool)
        island_mask[u[good][island_edge]] = True
        island_mask[v[good][island_edge]] = True
    nverts = (ends - starts + 1)[good]
    vertex_ptr = np.zeros(len(nverts) + 1, dtype=np.int64)
    np.cumsum(nverts, out=vertex_ptr[1:])
    net = Network(
        node_xy=node_xy,
        edge_u=u[good],
        edge_v=v[good],
        edge_length=edge_len[good],
        edge_fwd=fwd,
        edge_bwd=bwd,
        edge_vertex_ptr=vertex_ptr,
        edge_vertex_xy=coords[concat_ranges(starts[good], nverts)],
        edge_source_row=src_row[line_of_edge][good],
        mode=mode,
        crs=str(streets.crs),
        min_component_nodes=min_component_nodes,
        island_mask=island_mask,
    )
    log.info("built %r", net)
    return net
