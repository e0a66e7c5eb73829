"""What every street loader does around its own source: the area first, the checks last.

:func:`begin_street_load` checks the mode, the layer CRS and the area (a district, a polygon
or a GeoDataFrame, buffered), and starts the provenance; :func:`finish_street_load` checks
the layer against the street schema and the row accounting (on input rows: one input row
may become several lines) and returns the :class:`~jinan_gis.layers.result.LoadResult`.
The three loaders (:func:`~jinan_gis.layers.streets_overpass.fetch_streets_overpass`,
:func:`~jinan_gis.layers.osm_file.read_streets_osm`,
:func:`~jinan_gis.layers.centreline.read_streets_centreline`) call both.

Examples
--------
>>> from shapely.geometry import LineString, box
>>> from jinan_gis.layers.result import rejection_table
>>> from jinan_gis.layers.street_schema import streets_from_lines
>>> crs, geom, prov = begin_street_load(box(500_000, 4_060_000, 500_100, 4_060_100),
...                                     mode="walk", buffer_m=0,
...                                     crs="EPSG:4548")
>>> lines = streets_from_lines([LineString([(500_000, 4_060_000), (500_100, 4_060_000)])])
>>> res = finish_street_load(lines, rejection_table(), n_input=1, label="synthetic", prov=prov)
>>> res.provenance["source"], res.provenance["lines"], res.n_kept
('synthetic', 1, 1)
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import geopandas as gpd
import pandas as pd
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from ..geo.crs import describe_crs, require_metric_crs
from .areas import AreaLike, resolve_area
from .osm import check_load_mode
from .result import LoadResult
from .schema import check_layer_columns
from .street_schema import check_street_accounting, check_streets_schema

__all__ = ["begin_street_load", "finish_street_load"]

log = logging.getLogger("jinan_gis.layers.streets")


def begin_street_load(
    area: AreaLike, *, mode: str, buffer_m: float, crs: Any
) -> tuple[CRS, BaseGeometry, dict[str, Any]]:
    """Check ``mode`` and ``crs``, resolve the buffered area; start the provenance.

    Returns
    -------
    (CRS, geometry, dict)
        The metric layer CRS, the buffered area in it, and the provenance so far (``mode``,
        ``crs``, ``area``, ``buffer_m``, ``loaded_at``).
    """
    check_load_mode(mode)
    target = require_metric_crs(crs, what="a street layer")
    geom, area_what = resolve_area(area, crs=target, buffer_m=buffer_m)
    prov: dict[str, Any] = {
        "mode": mode,
        "crs": describe_crs(target),
        "area": area_what,
        "buffer_m": buffer_m,
        "loaded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    return target, geom, prov


def finish_street_load(
    lines: gpd.GeoDataFrame,
    rejected: pd.DataFrame,
    *,
    n_input: int,
    label: str,
    prov: dict[str, Any],
) -> LoadResult:
    """Check the street layer and its row accounting; return it with its provenance.

    ``label`` becomes ``provenance["source"]`` (first); the counts (``input_rows_kept``,
    ``lines``) and ``accounting="input_row"`` are added.
    """
    check_layer_columns(lines, "streets", what="street layer")
    prov = {"source": label, **prov}
    prov["accounting"] = "input_row"  # one input row may become several lines
    prov["input_rows_kept"] = int(lines["input_row"].nunique())
    prov["lines"] = len(lines)
    result = LoadResult(
        layer=check_streets_schema(lines), rejected=rejected, n_input=n_input, provenance=prov
    )
    check_street_accounting(result)
    result.check_accounting()
    if len(lines) == 0:
        log.warning("%s: no %s streets in the area (%s)", label, prov["mode"], prov["area"])
    log.info(
        "%s: %d input rows, %d kept as %d lines, %d rejected",
        label, n_input, prov["input_rows_kept"], len(lines), len(rejected),
    )
    return result
