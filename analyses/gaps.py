"""Gaps: underserved places as polygons with the people in them, ranked.

People not covered by a metric are gathered into grid cells (``cell_m``); touching cells are
merged into one gap polygon; each gap carries its uncovered population and rank.

Examples
--------
>>> import geopandas as gpd, numpy as np
>>> from shapely.geometry import Point
>>> people = gpd.GeoDataFrame({"population": [5.0, 7.0, 100.0]},
...     geometry=[Point(10, 10), Point(600, 10), Point(5000, 5000)], crs="EPSG:4548")
>>> g = find_gaps(people, np.array([False, False, False]), cell_m=500)
>>> g[["rank", "population", "n_cells"]].to_dict("records")
[{'rank': 1, 'population': 100.0, 'n_cells': 1}, {'rank': 2, 'population': 12.0, 'n_cells': 2}]
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..geo.crs import metric_crs_or_default, to_analysis_crs

__all__ = ["find_gaps"]

log = logging.getLogger(__name__)


def find_gaps(
    population: gpd.GeoDataFrame,
    covered: np.ndarray,
    *,
    cell_m: float = 500.0,
    min_population: float = 0.0,
) -> gpd.GeoDataFrame:
    """Polygons of uncovered people, ranked by population (largest first).

    Parameters
    ----------
    population : GeoDataFrame with ``population``
    covered : bool array, one per person (True = served)
    cell_m : float
        Grid cell size used to gather people.
    min_population : float
        Gaps with fewer uncovered people are left out.

    Returns
    -------
    geopandas.GeoDataFrame
        ``rank``, ``population`` (uncovered people), ``n_cells``, ``area_km2``, polygon, in
        the population's CRS when it is metric (e.g. the network's), else EPSG:4548.
    """
    crs = metric_crs_or_default(population)
    pop = to_analysis_crs(population, what="population layer", crs=crs)
    covered = np.asarray(covered, dtype=bool)
    w = pd.to_numeric(pop["population"], errors="coerce").fillna(0.0).to_numpy()
    sel = ~covered & (w > 0)
    empty = gpd.GeoDataFrame(
        {"rank": [], "population": [], "n_cells": [], "area_km2": []},
        geometry=[], crs=crs,
    )
    if not sel.any():
        return empty
    xy = shapely.get_coordinates(pop.geometry.to_numpy()[sel])
    ij = np.floor(xy / cell_m).astype(np.int64)
    cells, inv = np.unique(ij, axis=0, return_inverse=True)
    cell_pop = np.bincount(inv.ravel(), weights=w[sel], minlength=len(cells))
    boxes = shapely.box(cells[:, 0] * cell_m, cells[:, 1] * cell_m,
                        (cells[:, 0] + 1) * cell_m, (cells[:, 1] + 1) * cell_m)
    merged = shapely.get_parts(shapely.union_all(boxes))
    tree = shapely.STRtree(merged)
    centres = shapely.centroid(boxes)
    ci, gi = tree.query(centres, predicate="within")
    gap_of_cell = np.full(len(cells), -1)
    gap_of_cell[ci] = gi
    gpop = np.bincount(gap_of_cell, weights=cell_pop, minlength=len(merged))
    ncell = np.bincount(gap_of_cell, minlength=len(merged))
    out = gpd.GeoDataFrame(
        {"population": gpop, "n_cells": ncell, "area_km2": shapely.area(merged) / 1e6},
        geometry=merged, crs=crs,
    )
    out = out[out["population"] >= max(min_population, 1e-12)]
    out = out.sort_values(["population", "n_cells"], ascending=[False, True], kind="stable")
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out.reset_index(drop=True)
