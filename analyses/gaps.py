"""Gaps: underserved places as polygons with the people in them, in pieces one can act on.

People not covered by a metric are gathered into grid cells (``cell_m``); touching cells are
merged into one gap. A gap can be huge (on the synthetic demo one gap of the clinic metric is
1,186 km² holding 691,451 people), which nobody can act on, so each gap is split into
**pieces**: by sub-district when ``zones`` are given, by a square grid of ``max_cell_m``
(default 2 km: a piece is at most 4 km², about what one new facility serves at 1000 m), or
both. Each piece carries the uncovered people in it, the gap it belongs to and that gap's
total; the pieces are ranked by their people.

Examples
--------
>>> import geopandas as gpd, numpy as np
>>> from shapely.geometry import Point
>>> people = gpd.GeoDataFrame({"population": [5.0, 7.0, 100.0]},
...     geometry=[Point(10, 10), Point(600, 10), Point(5000, 5000)], crs="EPSG:4548")
>>> g = find_gaps(people, np.array([False, False, False]), cell_m=500)
>>> g[["rank", "population", "n_cells"]].to_dict("records")
[{'rank': 1, 'population': 100.0, 'n_cells': 1}, {'rank': 2, 'population': 12.0, 'n_cells': 2}]
>>> find_gaps(people, np.zeros(3, bool), cell_m=500, max_cell_m=500)["population"].tolist()
[100.0, 7.0, 5.0]
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..geo.crs import metric_crs_or_default, to_analysis_crs
from ..geo.errors import JinanGISError
from ..geo.street_nodes import unique_int_rows

__all__ = ["DEFAULT_MAX_CELL_M", "find_gaps"]

log = logging.getLogger(__name__)

DEFAULT_MAX_CELL_M = 2000.0
"""Default side of the square grid gaps are split by (metres): pieces of at most 4 km²."""

_ZONE_COLUMNS = ("zone_id", "zone_name", "zone_name_en")


def find_gaps(
    population: gpd.GeoDataFrame,
    covered: np.ndarray,
    *,
    cell_m: float = 500.0,
    min_population: float = 0.0,
    zones: gpd.GeoDataFrame | None = None,
    max_cell_m: float | None = DEFAULT_MAX_CELL_M,
) -> gpd.GeoDataFrame:
    """Pieces of the polygons of uncovered people, ranked by population (largest first).

    Parameters
    ----------
    population : GeoDataFrame with ``population``
    covered : bool array, one per person (True = served)
    cell_m : float
        Grid cell size used to gather people; touching cells make one gap.
    min_population : float
        Pieces with fewer uncovered people are left out.
    zones : GeoDataFrame, optional
        Sub-districts (any CRS): every gap is cut along their boundaries; ``zone_id``,
        ``zone_name`` and ``zone_name_en`` are copied to the pieces (people outside every
        zone keep an empty zone).
    max_cell_m : float or None
        Side of the square grid (metres, aligned with the ``cell_m`` grid) gaps are cut by
        as well; None cuts by zones only (no zones and None: whole gaps).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per piece: ``rank``, ``population`` (uncovered people), ``n_cells`` (cells of
        ``cell_m`` with such people), ``area_km2``, ``gap`` (the rank of the whole gap),
        ``gap_population``, ``gap_area_km2``, ``gap_id`` (``"<gap>-<piece>"``), the zone
        columns when ``zones`` are given, polygon; in the population's CRS when it is metric
        (e.g. the network's), else EPSG:4548. Parts of a gap without uncovered people (a cell's
        corner across a zone boundary) belong to no piece.
    """
    if max_cell_m is not None and not (np.isfinite(max_cell_m) and max_cell_m > 0):
        raise JinanGISError(f"max_cell_m must be a distance > 0 in metres or None, got "
                            f"{max_cell_m!r}.")
    crs = metric_crs_or_default(population)
    pop = to_analysis_crs(population, what="population layer", crs=crs)
    covered = np.asarray(covered, dtype=bool)
    w = pd.to_numeric(pop["population"], errors="coerce").fillna(0.0).to_numpy()
    sel = ~covered & (w > 0)
    columns = ["rank", "population", "n_cells", "area_km2", "gap", "gap_population",
               "gap_area_km2", "gap_id", *(_ZONE_COLUMNS if zones is not None else ())]
    if not sel.any():
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=crs)
    xy = shapely.get_coordinates(pop.geometry.to_numpy()[sel])
    ij = np.floor(xy / cell_m).astype(np.int64)
    cells, inv = unique_int_rows(ij)
    cell_pop = np.bincount(inv, weights=w[sel], minlength=len(cells))
    boxes = shapely.box(cells[:, 0] * cell_m, cells[:, 1] * cell_m,
                        (cells[:, 0] + 1) * cell_m, (cells[:, 1] + 1) * cell_m)
    merged = shapely.get_parts(shapely.union_all(boxes))
    ci, gi = shapely.STRtree(merged).query(shapely.centroid(boxes), predicate="within")
    gap_of_cell = np.full(len(cells), -1)
    gap_of_cell[ci] = gi
    gpop = np.bincount(gap_of_cell, weights=cell_pop, minlength=len(merged))
    # gaps ranked by their people (as whole gaps), then cut into pieces
    order = np.lexsort((np.bincount(gap_of_cell, minlength=len(merged)), -gpop))
    gap_rank = np.empty(len(merged), dtype=np.int64)
    gap_rank[order] = np.arange(1, len(merged) + 1)
    g_of_person = gap_of_cell[inv]
    zone_of, zone_geoms, zone_attrs = _zone_of(zones, xy, crs)
    key = np.column_stack([g_of_person, zone_of])
    if max_cell_m is not None:
        key = np.column_stack([key, np.floor(xy / max_cell_m).astype(np.int64)])
    keys, pinv = unique_int_rows(key)
    piece_pop = np.bincount(pinv, weights=w[sel], minlength=len(keys))
    n_cells = np.bincount(unique_int_rows(np.column_stack([pinv, inv]))[0][:, 0],
                          minlength=len(keys))
    geoms = merged[keys[:, 0]]
    if zone_geoms is not None:
        inside = keys[:, 1] >= 0
        geoms[inside] = shapely.intersection(geoms[inside], zone_geoms[keys[inside, 1]])
        outside = ~inside
        if outside.any():  # people outside every zone: the gap minus all zones
            every_zone = shapely.union_all(zone_geoms)
            geoms[outside] = shapely.difference(geoms[outside], every_zone)
    if max_cell_m is not None:
        gx, gy = keys[:, 2], keys[:, 3]
        geoms = shapely.intersection(
            geoms, shapely.box(gx * max_cell_m, gy * max_cell_m,
                               (gx + 1) * max_cell_m, (gy + 1) * max_cell_m))
    geoms = shapely.make_valid(geoms)
    geoms = np.array([_polygonal(g) for g in geoms], dtype=object)
    parent = keys[:, 0]
    out = gpd.GeoDataFrame(
        {
            "population": piece_pop,
            "n_cells": n_cells,
            "area_km2": shapely.area(geoms) / 1e6,
            "gap": gap_rank[parent],
            "gap_population": gpop[parent],
            "gap_area_km2": shapely.area(merged[parent]) / 1e6,
        },
        geometry=geoms, crs=crs,
    )
    if zone_attrs is not None:
        for c in _ZONE_COLUMNS:
            out[c] = [zone_attrs[c][z] if z >= 0 else None for z in keys[:, 1]]
    out = out[out["population"] >= max(min_population, 1e-12)]
    out = out.sort_values(["population", "n_cells", "gap"], ascending=[False, True, True],
                          kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    piece_no = out.groupby("gap").cumcount() + 1
    out["gap_id"] = [f"{g}-{p}" for g, p in zip(out["gap"], piece_no, strict=True)]
    log.debug("%d gaps cut into %d pieces (largest %.2f km²)", len(merged), len(out),
              float(out["area_km2"].max()) if len(out) else 0.0)
    return out[[*columns, "geometry"]]


def _zone_of(
    zones: gpd.GeoDataFrame | None, xy: np.ndarray, crs: str
) -> tuple[np.ndarray, np.ndarray | None, dict[str, list] | None]:
    """The zone (row number; -1 = none) of every point ``xy``, the zones' geometry, columns."""
    if zones is None:
        return np.zeros(len(xy), dtype=np.int64), None, None
    z = to_analysis_crs(zones, what="zones layer", crs=crs)
    geoms = shapely.make_valid(z.geometry.to_numpy())
    pi, zi = shapely.STRtree(geoms).query(shapely.points(xy), predicate="intersects")
    zone_of = np.full(len(xy), -1, dtype=np.int64)
    zone_of[pi[::-1]] = zi[::-1]  # a point on a shared boundary: the first zone
    attrs = {c: (z[c].tolist() if c in z.columns else [None] * len(z)) for c in _ZONE_COLUMNS}
    return zone_of, geoms, attrs


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Only the polygons of ``geom`` (an intersection can add lines or points)."""
    if shapely.get_type_id(geom) in (3, 6):  # Polygon, MultiPolygon
        return geom
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in (3, 6)]
    return shapely.union_all(parts) if parts else shapely.Polygon()
