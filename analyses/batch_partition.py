"""Batch partitions: an area's polygon and the inputs a task reads for it from the store.

Partitions have no edge effects.  With reach ``R`` (the largest threshold of the task) and
snap limit ``s`` (``max_snap_m``), :func:`load_area` reads for area ``A``

- the streets whose bounding box meets ``A``'s bounding box grown by ``R + 3 s``,
- the facilities in ``A``'s bounding box grown by ``R + 2 s``,
- the people **inside** ``A`` only (points on its boundary count in every area touching them).

A person in ``A`` is joined to a street within ``s``; every route of length ``<= R`` from
there stays within ``R + s`` of ``A``; a facility whose street position lies there is within
``R + 2 s``, and every street it could be joined to within ``R + 3 s``.  So a person near the
border sees the facilities across it exactly as in the unpartitioned run.  Islands (street
pieces smaller than ``min_component_nodes``; people nearest to one are moved to the main
network or, with no main street in reach, not placed) are decided once on the *whole* street
layer by :func:`island_parts` (a first small task), so that cutting the network never turns a
through street into an island.  (Lines crossing the outer edge of the cut keep a vertex
unsplit where a left-out line met them; that changes distances only in the last bit, far from
anyone in ``A``.)  Layers are read in feature-id order, so that the last digit of every sum
is the same whichever way the batch runs.

Examples
--------
>>> import tempfile, pathlib, geopandas as gpd
>>> from shapely.geometry import LineString, Point
>>> store = pathlib.Path(tempfile.mkdtemp()) / "store.gpkg"
>>> gpd.GeoDataFrame(geometry=[LineString([(0, 0), (3000, 0)])],
...                  crs="EPSG:4548").to_file(store, layer="streets")
>>> gpd.GeoDataFrame({"category": ["chc", "chc"]}, geometry=[Point(1300, 0), Point(2900, 0)],
...                  crs="EPSG:4548").to_file(store, layer="facilities")
>>> gpd.GeoDataFrame({"population": [5.0]}, geometry=[Point(900, 10)],
...                  crs="EPSG:4548").to_file(store, layer="population")
>>> opts = PartitionOptions(str(store), dict(DEFAULT_LAYERS), "walk", 250.0)
>>> a = load_area(opts, "POLYGON ((0 -50, 1000 -50, 1000 50, 0 50, 0 -50))", reach_m=500,
...               islands=None, need_urban=False)
>>> len(a.facilities), float(a.placed.weight.sum())  # the clinic at 2900 m is out of reach
(1, 5.0)
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from ..geo.crs import ANALYSIS_CRS
from ..geo.errors import BatchError
from ..geo.network import Network, build_network
from .batch_jobs import is_area_wkt, parse_area_wkt
from .coverage import PlacedPopulation, place_population

__all__ = [
    "DEFAULT_LAYERS",
    "AreaInputs",
    "PartitionOptions",
    "area_polygon",
    "area_sizes_m2",
    "island_parts",
    "load_area",
]

DEFAULT_LAYERS: dict[str, str] = {
    "streets": "streets",
    "facilities": "facilities",
    "population": "population",
    "districts": "districts",
    "zones": "zones",
}
"""Layer names in the store (as :meth:`jinan_gis.layers.sample.Sample.write` writes them).
Districts are found by their ``code`` column, zones by ``zone_id``."""

_SNAP_MARGINS = (3, 2)  # streets, facilities: reach + k * max_snap_m


@dataclass(frozen=True)
class PartitionOptions:
    """Where a task reads (``store_path``, ``layers``: role -> layer name) and how it
    builds the network (``mode``) and joins points to it (``max_snap_m``)."""

    store_path: str
    layers: dict[str, str]
    mode: str
    max_snap_m: float


@dataclass(frozen=True)
class AreaInputs:
    """What one task computes on: the area's network, the facilities within reach, the
    placed people inside the area and (for rural thresholds) each zone's ``urban`` flag."""

    network: Network
    facilities: gpd.GeoDataFrame
    placed: PlacedPopulation
    zones_urban: pd.Series | None


def _grow(bounds: Sequence[float], margin_m: float) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = bounds
    return (minx - margin_m, miny - margin_m, maxx + margin_m, maxy + margin_m)


def _layer_info(path: str, layer: str) -> dict[str, Any]:
    try:
        info = pyogrio.read_info(path, layer=layer)
    except Exception as exc:  # pyogrio raises DataLayerError / DataSourceError
        raise BatchError(
            f"{path}: cannot read layer {layer!r} ({exc}); write it into the store "
            "(Sample.write or LayerStore.write) or map the name with layers=."
        ) from exc
    crs = info.get("crs")
    if crs is None or not _same_crs(crs):
        raise BatchError(f"{path}: layer {layer!r} is in {crs}, the batch runner reads "
                         f"{ANALYSIS_CRS} with bounding boxes; reproject the store "
                         "(jinan_gis.geo.crs.to_analysis_crs) and write it again.")
    return info


def _same_crs(crs: str) -> bool:
    from pyproj import CRS

    return CRS.from_user_input(crs).equals(CRS.from_user_input(ANALYSIS_CRS))


def _read(path: str, layer: str, *, keep_fid: bool = False, **kw: Any) -> gpd.GeoDataFrame:
    """Read a layer in feature-id order (bbox reads come in R-tree order otherwise, and the
    order of the rows decides the last digit of sums)."""
    _layer_info(path, layer)
    gdf = pyogrio.read_dataframe(path, layer=layer, fid_as_index=True, **kw).sort_index()
    if not keep_fid:
        gdf = gdf.reset_index(drop=True)
    if gdf.crs is None:
        gdf = gdf.set_crs(ANALYSIS_CRS)
    return gdf


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def area_polygon(opts: PartitionOptions, area: str) -> shapely.Geometry:
    """The polygon of ``area``: its WKT, else the district (``code``) or zone (``zone_id``)
    of that name in the store.

    Raises
    ------
    BatchError
        The area is in neither layer (the message names the layers looked in).
    """
    if is_area_wkt(area):
        return parse_area_wkt(area, area[:30])
    tried = []
    for role, column in (("districts", "code"), ("zones", "zone_id")):
        layer = opts.layers[role]
        try:
            info = pyogrio.read_info(opts.store_path, layer=layer)
        except Exception:  # layer missing: try the next one
            continue
        if column not in set(info["fields"]):
            continue
        tried.append(f"{layer}.{column}")
        hit = _read(opts.store_path, layer, where=f"{column} = {_sql_text(area)}")
        if len(hit):
            geom = shapely.union_all(hit.geometry.to_numpy())
            return shapely.make_valid(geom) if not geom.is_valid else geom
    raise BatchError(
        f"unknown area {area!r}: not found in {', '.join(tried) or 'the districts/zones layers'}"
        f" of {opts.store_path}; give a district code, a zone_id or a polygon WKT (EPSG:4548)."
    )


def _explode(streets: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Single-part lines and their keys ``(fid, part)`` as one int64 array (fid * 2**20 + part)."""
    parts = streets.explode(index_parts=True)
    fid = parts.index.get_level_values(0).to_numpy(dtype=np.int64)
    part = parts.index.get_level_values(1).to_numpy(dtype=np.int64)
    return parts.reset_index(drop=True), fid * (1 << 20) + part


def island_parts(
    store_path: str | Path,
    *,
    layer: str = "streets",
    mode: str = "walk",
    min_component_nodes: int = 100,
) -> np.ndarray:
    """Keys of the street parts that are islands of the *whole* network.

    Builds the network of the whole street layer once (islands are a global property: a
    piece cut out of a large component must not become an island in a partition).

    Returns
    -------
    ndarray of int64
        Sorted keys ``fid * 2**20 + part`` (``part``: index within a multi-part line).

    Examples
    --------
    >>> import tempfile, pathlib, geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.gpkg"
    >>> gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1, 0), (2, 0)]),
    ...     LineString([(5, 5), (6, 5)])], crs="EPSG:4548").to_file(p, layer="streets")
    >>> island_parts(p, min_component_nodes=3).tolist()  # line 2 (fid 2) is an island
    [2097152]
    """
    path = str(store_path)
    info = _layer_info(path, layer)
    cols = [c for c in (mode,) if c in set(info["fields"])]
    streets = _read(path, layer, columns=cols, keep_fid=True)
    parts, keys = _explode(streets)
    if len(parts) == 0:
        return np.empty(0, dtype=np.int64)
    net = build_network(parts, mode=mode, min_component_nodes=min_component_nodes)
    rows = np.unique(net.edge_source_row[net.edge_is_island])
    return np.sort(keys[rows])


def _zones_urban(opts: PartitionOptions, pop: gpd.GeoDataFrame) -> pd.Series:
    """Each zone's ``urban`` flag, by ``zone_id`` (people in a zone use its threshold)."""
    zl = opts.layers["zones"]
    zinfo = _layer_info(opts.store_path, zl)
    if not {"zone_id", "urban"} <= set(zinfo["fields"]) or "zone" not in pop.columns:
        raise BatchError(
            f"a metric with a rural threshold needs urban/rural per person: give layer "
            f"{zl!r} 'zone_id' and 'urban' columns and the population a 'zone' column, or "
            "set WhatIf(max_dist_m=...) for one threshold."
        )
    z = pyogrio.read_dataframe(opts.store_path, layer=zl, columns=["zone_id", "urban"],
                               read_geometry=False)
    return z.set_index(z["zone_id"].astype(str))["urban"]


def load_area(opts: PartitionOptions, area: str, *, reach_m: float,
              islands: np.ndarray | None, need_urban: bool) -> AreaInputs:
    """Read what ``area`` needs from the store (see the module docstring for the margins)
    and build its network with the whole-network ``islands`` (:func:`island_parts`).

    Raises
    ------
    BatchError
        Unknown area, unreadable layer, no street within reach, or (``need_urban``) no
        ``urban`` flag per zone.
    """
    poly = area_polygon(opts, area)
    s = opts.max_snap_m
    bounds = poly.bounds
    st_layer = opts.layers["streets"]
    info = _layer_info(opts.store_path, st_layer)
    cols = [c for c in (opts.mode, "oneway") if c in set(info["fields"])]
    streets = _read(opts.store_path, st_layer, columns=cols, keep_fid=True,
                    bbox=_grow(bounds, reach_m + _SNAP_MARGINS[0] * s))
    parts, keys = _explode(streets)
    island_rows = (np.flatnonzero(np.isin(keys, islands)) if islands is not None
                   else np.zeros(0, dtype=np.int64))
    if len(parts) == len(island_rows):
        raise BatchError(
            f"area {area!r} has no streets within {reach_m + _SNAP_MARGINS[0] * s:g} m in layer "
            f"{st_layer!r} of {opts.store_path}; check the area (EPSG:4548 metres?) or the store."
        )
    # islands were decided on the whole network: the cut keeps them as islands (people near
    # them are "moved" exactly as in the unpartitioned run), and nothing else is one
    net = build_network(parts, mode=opts.mode, island_rows=island_rows)
    fac = _read(opts.store_path, opts.layers["facilities"],
                bbox=_grow(bounds, reach_m + _SNAP_MARGINS[1] * s))
    pop = _read(opts.store_path, opts.layers["population"], bbox=bounds)
    inside = shapely.intersects_xy(poly, *shapely.get_coordinates(pop.geometry.to_numpy()).T) \
        if len(pop) else np.zeros(0, dtype=bool)
    pop = pop[inside].reset_index(drop=True)
    placed = place_population(net, pop, max_snap_m=s)
    urban = _zones_urban(opts, pop) if need_urban else None
    return AreaInputs(net, fac, placed, urban)


def area_sizes_m2(opts: PartitionOptions, areas: Sequence[str]) -> dict[str, float]:
    """Bounding-box area of each area (0 when unknown): a cheap estimate of a task's size."""
    out = dict.fromkeys(areas, 0.0)
    for area in areas:
        if is_area_wkt(area):
            with contextlib.suppress(BatchError):
                b = parse_area_wkt(area, "?").bounds
                out[area] = (b[2] - b[0]) * (b[3] - b[1])
    for role, column in (("districts", "code"), ("zones", "zone_id")):
        try:
            gdf = pyogrio.read_dataframe(opts.store_path, layer=opts.layers[role],
                                         columns=[column])
        except Exception:  # no such layer or column: those areas stay 0
            continue
        b = shapely.bounds(gdf.geometry.to_numpy())
        sizes = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
        for key, size in zip(gdf[column].astype(str), sizes, strict=True):
            if out.get(key) == 0.0 and np.isfinite(size):
                out[key] = float(size)
    return out
