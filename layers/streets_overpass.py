"""Streets from the Overpass API (OpenStreetMap online): :func:`fetch_streets_overpass`.

:func:`jinan_gis.layers.overpass.download_overpass_graph` downloads the unsimplified OSMnx
graph of the area (bounded retries, cache, mirrors: see :mod:`jinan_gis.layers.overpass`);
:func:`graph_to_streets` then applies the tag rules of :mod:`jinan_gis.layers.osm` to each
way (OSMnx's filter keeps, for example, ``access=no`` ways) and only then simplifies with
``osmnx.simplify_graph(edge_attrs_differ=["osmid"])``: simplifying first would merge a closed
way with the open way it continues into one edge, and filtering that edge would drop both.
It then merges the reverse twin edges OSMnx adds for two-way streets, so that each street
segment appears once with ``oneway=False``; one-way edges stay as they are (digitised in
the permitted direction). Lines are OSMnx's simplified edges, one per street segment between
intersections; an *input row* is an OSM way.

Examples
--------
>>> from shapely.geometry import box
>>> res = fetch_streets_overpass(  # doctest: +SKIP
...     box(500_000, 4_060_000, 501_000, 4_061_000), mode="walk",
...     overpass_url=OVERPASS_MIRRORS["kumi"], cache_dir="cache/overpass")
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..geo.crs import ANALYSIS_CRS
from ..geo.errors import JinanGISError
from ..geo.missing import is_missing
from .areas import AreaLike
from .osm import ACCESS_MODES, RULE_TAG_KEYS, exclusion_reason, way_access
from .overpass import DEFAULT_OVERPASS_URL, OVERPASS_MIRRORS, download_overpass_graph
from .result import LoadResult, rejection_table
from .street_load import begin_street_load, finish_street_load
from .street_schema import make_street_layer

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["OVERPASS_MIRRORS", "OVERPASS_OPTIONS", "fetch_streets_overpass", "graph_to_streets"]

OVERPASS_OPTIONS: tuple[str, ...] = (
    "overpass_url",
    "timeout_s",
    "cache_dir",
    "doh_url_template",
    "overpass_rate_limit",
)
"""The options of :func:`fetch_streets_overpass` beyond the area, mode, buffer and CRS."""


def fetch_streets_overpass(
    area: AreaLike,
    *,
    mode: str = "walk",
    buffer_m: float = 1000.0,
    crs: Any = ANALYSIS_CRS,
    overpass_url: str = DEFAULT_OVERPASS_URL,
    timeout_s: float = 180.0,
    cache_dir: str | Path | None = None,
    doh_url_template: str | None = None,
    overpass_rate_limit: bool = True,
) -> LoadResult:
    """Download the streets of an area from Overpass, in the street schema.

    Parameters
    ----------
    area : str, int, shapely geometry, GeoDataFrame or GeoSeries
        District code or name, a shapely polygon in ``crs``, or a GeoDataFrame/GeoSeries with
        a CRS (see :func:`jinan_gis.layers.areas.resolve_area`).
    mode : {"walk", "bike", "drive", "all"}
        Travel mode whose ways are kept (rules in :mod:`jinan_gis.layers.osm`).
    buffer_m : float, default 1000
        Streets this far outside the area are kept too.
    crs : CRS-like, default EPSG:4548
        Metric CRS of the layer (and of a bare polygon ``area``).
    overpass_url : str
        Base URL of the Overpass instance, without ``/interpreter``; from mainland China pass
        a reachable mirror (see :data:`jinan_gis.layers.overpass.OVERPASS_MIRRORS`).
    timeout_s : float, default 180
        HTTP timeout and the query's server-side timeout, in seconds.
    cache_dir : str or Path, optional
        Folder of the on-disk response cache (OSMnx's); a repeated request is served from it
        without contacting the server. None: no cache.
    doh_url_template : str, optional
        DNS-over-HTTPS fallback used when the server's host name does not resolve (OSMnx's
        default is ``"https://8.8.8.8/resolve?name={hostname}"``, unreachable from mainland
        China); None (default) resolves by name only.
    overpass_rate_limit : bool, default True
        Wait as the server's ``/status`` says; pass False for mirrors without a ``/status``
        endpoint (OSMnx would otherwise wait 60 s).

    Returns
    -------
    LoadResult
        As :func:`jinan_gis.layers.streets.load_streets` describes; provenance adds
        ``overpass_url``, ``cache_dir``, ``graph_edges`` and ``reverse_twins_merged``.

    Raises
    ------
    JinanGISError
        A ``timeout_s`` that is not positive, an unknown ``mode``;
        :class:`~jinan_gis.geo.errors.OverpassError` (server unreachable or failing),
        :class:`~jinan_gis.geo.errors.LayerError` (no streets in the area).
    """
    if timeout_s <= 0:
        raise JinanGISError(f"timeout_s must be > 0 seconds, got {timeout_s}.")
    target, geom, prov = begin_street_load(area, mode=mode, buffer_m=buffer_m, crs=crs)
    label = "osm-overpass"
    polygon = gpd.GeoSeries([geom], crs=target).to_crs("EPSG:4326").iloc[0]
    graph = download_overpass_graph(
        polygon,
        mode=mode,
        overpass_url=overpass_url,
        timeout_s=timeout_s,
        cache_dir=cache_dir,
        doh_url_template=doh_url_template,
        rate_limit=overpass_rate_limit,
    )
    lines, rejected, counts = graph_to_streets(graph, mode=mode, crs=target, source=label)
    prov.update(
        overpass_url=overpass_url,
        cache_dir=None if cache_dir is None else str(cache_dir),
        graph_edges=counts["graph_edges"],
        reverse_twins_merged=counts["reverse_twins"],
    )
    return finish_street_load(lines, rejected, n_input=counts["ways"], label=label, prov=prov)


def _canonical(coords: np.ndarray) -> tuple[tuple[float, ...], ...]:
    fwd = tuple(map(tuple, np.round(coords, 9).tolist()))
    return min(fwd, fwd[::-1])


def graph_to_streets(
    graph: nx.MultiDiGraph,
    *,
    mode: str,
    crs: Any,
    source: str = "osm-overpass",
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, dict[str, int]]:
    """Convert an unsimplified OSMnx street graph to the street schema.

    1. The tag rules of :mod:`jinan_gis.layers.osm` are applied to each OSM way (``osmid``)
       of the graph: one *input row* per way, rejected ways listed with the reason;
    2. the edges of the kept ways are simplified by ``osmnx.simplify_graph`` with
       ``edge_attrs_differ=["osmid"]`` (and ``remove_rings=False``), so that a line never
       spans two ways: every line is a piece of one way between intersections, as in the
       OSM file loader, and traces to that way's input row;
    3. the reverse twin edges of two-way streets are merged (``oneway=False``); one-way edges
       (drive, bike) are kept as they are, digitised in the permitted direction.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        An OSMnx graph as ``osmnx.graph_from_polygon(..., simplify=False)`` returns it
        (``crs`` in ``graph.graph``; nodes with ``x``/``y``; edges with ``osmid`` and tags).
    mode : {"walk", "bike", "drive", "all"}
    crs : CRS-like (metric)
        CRS of the returned layer.
    source : str
        Value of the ``source`` column.

    Returns
    -------
    (GeoDataFrame, DataFrame, dict)
        The layer (plus ``osm_id``, ``u``, ``v``), the rejection table (``input_row``,
        ``reason``, ``osm_id``, ``highway``, ``name``), and counts: ``ways`` (the input
        rows), ``graph_edges`` (directed edges after simplification) and ``reverse_twins``
        (merged into their partner).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph(crs="EPSG:4326")
    >>> for i, x in enumerate([117.0, 117.001, 117.002]):
    ...     G.add_node(i, x=x, y=36.65)
    >>> for u, v in [(0, 1), (1, 2), (1, 0), (2, 1)]:
    ...     _ = G.add_edge(u, v, osmid=7, highway="residential", oneway=False, name="历山路")
    >>> _ = G.add_edge(1, 0, osmid=8, highway="motorway", oneway=True)
    >>> layer, rejected, counts = graph_to_streets(G, mode="walk", crs="EPSG:4548")
    >>> len(layer), layer.name[0], bool(layer.oneway[0]), round(float(layer.length_m[0]))
    (1, '历山路', False, 179)
    >>> rejected.reason.tolist(), counts
    (['not a walk way: highway=motorway'], {'ways': 2, 'graph_edges': 2, 'reverse_twins': 1})
    """
    # Long on purpose: the three steps of the docstring share the way tables (tags, rows,
    # reasons) built at the top.
    import osmnx as ox

    g = graph.copy()
    if any(isinstance(d.get("osmid"), list) for _, _, d in g.edges(data=True)):
        raise JinanGISError(
            "graph_to_streets needs an unsimplified OSMnx graph (one OSM way per edge); "
            "download it with osmnx.graph_from_polygon(..., simplify=False)."
        )
    way_ids: list[int] = sorted({int(d["osmid"]) for _, _, d in g.edges(data=True)})
    row_of = {w: r for r, w in enumerate(way_ids)}
    tags_of: dict[int, dict[str, object]] = {}
    for _, _, d in g.edges(data=True):
        w = int(d["osmid"])
        if w not in tags_of:
            tags_of[w] = {k: d[k] for k in RULE_TAG_KEYS if k in d and not is_missing(d[k])}
    reasons = {w: exclusion_reason(t, mode) for w, t in tags_of.items()}
    rejected = [
        {
            "input_row": row_of[w],
            "reason": r,
            "osm_id": w,
            "highway": tags_of[w].get("highway"),
            "name": tags_of[w].get("name"),
        }
        for w, r in reasons.items()
        if r is not None
    ]
    drop = [(u, v, k) for u, v, k, d in g.edges(keys=True, data=True) if reasons[int(d["osmid"])]]
    g.remove_edges_from(drop)
    g.remove_nodes_from([n for n in list(g.nodes) if g.degree(n) == 0])
    counts = {"ways": len(way_ids), "graph_edges": 0, "reverse_twins": 0}
    empty_cols = ("street_id", "name", "highway", "oneway", "source", "input_row", *ACCESS_MODES)
    if g.number_of_edges() == 0:
        data: dict[str, Any] = {c: [] for c in empty_cols}
        data.update(osm_id=np.array([], np.int64), u=np.array([], np.int64),
                    v=np.array([], np.int64))
        layer = make_street_layer(data, [], crs=crs, extra=("osm_id", "u", "v"))
        return layer, rejection_table(sorted(rejected, key=lambda r: r["input_row"])), counts
    g = ox.simplify_graph(g, edge_attrs_differ=["osmid"], remove_rings=False)
    edges = ox.convert.graph_to_gdfs(g, nodes=False, fill_edge_geometry=True).reset_index()
    counts["graph_edges"] = len(edges)

    keep = np.zeros(len(edges), dtype=bool)
    seen: set[Any] = set()
    oneway_attr = edges["oneway"] if "oneway" in edges else pd.Series(False, index=edges.index)
    for r, (u, v, w, ow, geom) in enumerate(
        zip(edges["u"], edges["v"], edges["osmid"], oneway_attr, edges.geometry, strict=True)
    ):
        if mode != "walk" and bool(ow):
            keep[r] = True
            continue
        key = (min(u, v), max(u, v), int(w), _canonical(np.asarray(geom.coords)))
        if key not in seen:
            seen.add(key)
            keep[r] = True
    counts["reverse_twins"] = int(len(edges) - keep.sum())
    segs = edges[keep].reset_index(drop=True)

    ways = [int(w) for w in segs["osmid"]]
    oneway = np.array([mode != "walk" and bool(x) for x in oneway_attr[keep]], dtype=bool)
    if mode == "bike":
        contraflow = [
            str(tags_of[w].get("oneway:bicycle", "")).strip() in {"no", "false", "0"} for w in ways
        ]
        oneway &= ~np.asarray(contraflow, dtype=bool)
    access = {w: way_access(tags_of[w]) for w in set(ways)}
    geoms = segs.geometry.set_crs(graph.graph.get("crs", "EPSG:4326"), allow_override=True)
    data = {
        "street_id": [f"osm-{u}-{v}-{k}" for u, v, k in zip(segs.u, segs.v, segs.key, strict=True)],
        "name": [tags_of[w].get("name") for w in ways],
        "highway": [str(tags_of[w].get("highway", "unknown")) for w in ways],
        "oneway": oneway,
        "source": [source] * len(segs),
        "input_row": np.array([row_of[w] for w in ways], dtype=np.int64),
        "osm_id": np.array(ways, dtype=np.int64),
        "u": segs["u"].to_numpy(np.int64),
        "v": segs["v"].to_numpy(np.int64),
    }
    for m in ACCESS_MODES:
        data[m] = [access[w][m] for w in ways]
    layer = make_street_layer(
        data, geoms.to_crs(crs).to_numpy(), crs=crs, extra=("osm_id", "u", "v")
    )
    return layer, rejection_table(sorted(rejected, key=lambda r: r["input_row"])), counts
