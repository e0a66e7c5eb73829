"""Streets from the Overpass API (OpenStreetMap online) through OSMnx, without global leaks.

The server-side filter is OSMnx's: :func:`download_overpass_graph` calls
``osmnx.graph_from_polygon`` (``network_type`` from the mode, ``retain_all=True``) with every
OSMnx setting it needs set inside :func:`osmnx_settings`, a context manager that restores the
previous values (and ``socket.getaddrinfo``, which OSMnx replaces to pin the server's
address) afterwards. The graph is downloaded unsimplified (``simplify=False``) because
:func:`graph_to_streets` first applies the tag rules of :mod:`jinan_gis.layers.osm` to each
way (OSMnx's filter keeps, for example, ``access=no`` ways) and only then simplifies with
``osmnx.simplify_graph(edge_attrs_differ=["osmid"])``: simplifying first would merge a closed
way with the open way it continues into one edge, and filtering that edge would drop both.
It then merges the reverse twin edges OSMnx adds for two-way streets, so that each street
segment appears once with ``oneway=False``; one-way edges stay as they are (digitised in
the permitted direction).

Mainland China: ``overpass-api.de`` is often slow or blocked; pass a reachable mirror as
``overpass_url`` (see :data:`OVERPASS_MIRRORS`), and keep ``doh_url_template=None`` (the
default here): OSMnx's DNS-over-HTTPS fallback host (Google, 8.8.8.8) is unreachable there
and costs a timeout. Pass ``cache_dir`` to keep each Overpass answer on disk: a repeated
request is then served from the cache without contacting the server.

Examples
--------
>>> import osmnx as ox
>>> before = ox.settings.overpass_url
>>> with osmnx_settings(overpass_url="http://127.0.0.1:1/api"):
...     ox.settings.overpass_url
'http://127.0.0.1:1/api'
>>> ox.settings.overpass_url == before
True
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from jinan_gis.geo.errors import JinanGISError, LayerError, OverpassError

from .osm import (
    ACCESS_MODES,
    OSMNX_NETWORK_TYPE,
    RULE_TAG_KEYS,
    exclusion_reason,
    way_access,
)
from .result import rejection_table
from .street_schema import make_street_layer

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "DEFAULT_OVERPASS_URL",
    "OVERPASS_MIRRORS",
    "download_overpass_graph",
    "graph_to_streets",
    "osmnx_settings",
]

log = logging.getLogger(__name__)

DEFAULT_OVERPASS_URL = "https://overpass-api.de/api"
"""The main Overpass instance (OSMnx's default)."""

OVERPASS_MIRRORS: dict[str, str] = {
    "overpass-api.de": "https://overpass-api.de/api",
    "kumi": "https://overpass.kumi.systems/api",
    "private.coffee": "https://overpass.private.coffee/api",
    "mail.ru": "https://maps.mail.ru/osm/tools/overpass/api",
}
"""Public Overpass instances (base URLs without ``/interpreter``); reachability from mainland
China changes over time: try them, or run your own."""

_OSMNX_LOCK = threading.RLock()



@contextmanager
def osmnx_settings(**values: Any) -> Iterator[Any]:
    """Set ``osmnx.settings`` values for the duration of a ``with`` block, then restore them.

    Also restores ``socket.getaddrinfo``, which OSMnx replaces (process-wide) when it pins
    the Overpass server's address. Calls are serialised by a lock, because the settings are
    module globals of OSMnx: two threads downloading at once would see each other's values.

    Parameters
    ----------
    **values
        Names and values of ``osmnx.settings`` attributes (``overpass_url``, ``use_cache``,
        ``cache_folder``, ``requests_timeout``, ``doh_url_template``...).

    Raises
    ------
    JinanGISError
        For a name that is not an OSMnx setting.

    Examples
    --------
    >>> with osmnx_settings(no_such_setting=1):
    ...     pass
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.JinanGISError: unknown OSMnx setting(s) no_such_setting; ...
    """
    import osmnx as ox

    unknown = [k for k in values if not hasattr(ox.settings, k)]
    if unknown:
        raise JinanGISError(
            f"unknown OSMnx setting(s) {', '.join(unknown)}; see the names in "
            "osmnx.settings (OSMnx 2.x)."
        )
    with _OSMNX_LOCK:
        old = {k: getattr(ox.settings, k) for k in values}
        old_getaddrinfo = socket.getaddrinfo
        try:
            for k, v in values.items():
                setattr(ox.settings, k, v)
            yield ox.settings
        finally:
            for k, v in old.items():
                setattr(ox.settings, k, v)
            socket.getaddrinfo = old_getaddrinfo


def download_overpass_graph(
    polygon_lonlat: BaseGeometry,
    *,
    mode: str,
    overpass_url: str = DEFAULT_OVERPASS_URL,
    timeout_s: float = 180,
    cache_dir: str | Path | None = None,
    doh_url_template: str | None = None,
    rate_limit: bool = True,
) -> nx.MultiDiGraph:
    """Download the OSM street graph of ``mode`` inside a lon/lat polygon with OSMnx.

    Parameters
    ----------
    polygon_lonlat : Polygon or MultiPolygon
        Area in WGS84 longitude/latitude.
    mode : {"walk", "bike", "drive", "all"}
        Mapped to OSMnx's ``network_type`` by :data:`jinan_gis.layers.osm.OSMNX_NETWORK_TYPE`.
    overpass_url : str
        Base URL of the Overpass instance (without ``/interpreter``).
    timeout_s : float
        HTTP timeout, also sent to the server as the query's ``[timeout:]``.
    cache_dir : str or Path, optional
        Folder for OSMnx's response cache; None downloads without caching.
    doh_url_template : str, optional
        DNS-over-HTTPS URL template OSMnx falls back to when the host name does not resolve
        (e.g. ``"https://8.8.8.8/resolve?name={hostname}"``); None resolves by name only.
    rate_limit : bool
        Ask the server's ``/status`` how long to wait before each query (Overpass etiquette).
        Mirrors without a ``/status`` endpoint make OSMnx wait 60 s: pass False for those.

    Raises
    ------
    OverpassError
        When the server cannot be reached or answers with an error.
    LayerError
        When the server returns no ways for the area.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> G = download_overpass_graph(  # doctest: +SKIP
    ...     box(117.00, 36.65, 117.01, 36.66), mode="walk",
    ...     overpass_url=OVERPASS_MIRRORS["kumi"], cache_dir="cache/overpass")
    """
    import osmnx as ox
    import requests
    from osmnx._errors import InsufficientResponseError, ResponseStatusCodeError

    values: dict[str, Any] = {
        "overpass_url": overpass_url.rstrip("/"),
        "requests_timeout": timeout_s,
        "use_cache": cache_dir is not None,
        "cache_only_mode": False,
        "doh_url_template": doh_url_template,
        "overpass_rate_limit": rate_limit,
        "useful_tags_way": sorted(set(ox.settings.useful_tags_way) | set(RULE_TAG_KEYS)),
        "bidirectional_network_types": ["walk"],
        "all_oneway": False,
        "default_access": '["access"!~"private"]',
    }
    if cache_dir is not None:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        values["cache_folder"] = str(cache_dir)
    fix = (
        f"Check that {overpass_url} is reachable (from mainland China pass a mirror as "
        "overpass_url=..., see jinan_gis.layers.overpass.OVERPASS_MIRRORS), raise timeout_s, "
        "pass cache_dir= to reuse an earlier download, or download an .osm.pbf extract and "
        "use source='osm-file'."
    )
    try:
        with osmnx_settings(**values):
            return ox.graph_from_polygon(
                polygon_lonlat,
                network_type=OSMNX_NETWORK_TYPE[mode],
                simplify=False,
                retain_all=True,
                truncate_by_edge=False,
            )
    except requests.exceptions.RequestException as exc:
        raise OverpassError(f"Overpass request failed: {exc}. {fix}") from exc
    except ResponseStatusCodeError as exc:
        raise OverpassError(f"Overpass server answered with an error: {exc}. {fix}") from exc
    except InsufficientResponseError as exc:
        if "No data elements" in str(exc):
            raise LayerError(
                f"Overpass returned no {mode} streets for the area. Check the area (and its "
                "CRS: a bare polygon must be in the layer CRS, EPSG:4548 by default)."
            ) from exc
        raise OverpassError(f"Overpass answer unusable: {exc}. {fix}") from exc


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    return isinstance(value, float) and value != value


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
            tags_of[w] = {k: d[k] for k in RULE_TAG_KEYS if k in d and not _is_missing(d[k])}
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
