"""The street layer schema (the contract with the network engine) and its checks.

A street layer (:data:`STREET_COLUMNS`, named in :mod:`jinan_gis.layers.schema`) is a
GeoDataFrame in a metric CRS (EPSG:4548 unless asked otherwise), one row
per LineString:

==============  =====================================================================
``street_id``   str, unique
``name``        str or None (Chinese names kept as they are)
``highway``     str: OSM class (``residential``, ``footway``, ``motorway``...); for
                centreline files the mapped class or ``"unknown"``
``oneway``      bool: True = the loaded mode may only travel in the digitised direction
                (always False for walking)
``walk``        bool: open to pedestrians
``bike``        bool: open to bicycles
``drive``       bool: open to cars
``length_m``    float: length of the geometry in metres
``source``      str: ``osm-overpass``, ``osm-file:<name>``, ``centreline-file:<name>`` or
                ``synthetic``
``input_row``   int: the input row (OSM way, Overpass edge, file feature) the line comes
                from; one input row may give several lines (split at intersections)
``geometry``    LineString (never Multi*)
==============  =====================================================================

OSM file layers add ``osm_id`` (the way) and ``u_osm``/``v_osm`` (the OSM node ids of each
line's first and last vertex); :func:`jinan_gis.geo.network.build_network` keys its nodes by
``u_osm``/``v_osm`` when they are present, so distinct OSM nodes at the same coordinates stay
distinct.  Layers without them are joined by shared coordinates.

Row accounting of street loaders is kept on *input rows*, because one input row can become
several lines: ``layer.input_row.nunique() + len(rejected) == n_input``
(:func:`check_street_accounting`; :meth:`LoadResult.check_accounting`, which counts layer
rows, does not apply to split layers).

Examples
--------
>>> from shapely.geometry import LineString
>>> layer = streets_from_lines([LineString([(0, 0), (100, 0)])], names=["经十路"])
>>> layer[["street_id", "name", "highway", "oneway", "walk", "drive", "length_m"]]
    street_id name      highway  oneway  walk  drive  length_m
0  synthetic-0  经十路  residential   False  True   True     100.0
>>> check_streets_schema(layer) is layer
True
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from ..geo.crs import ANALYSIS_CRS, require_metric_crs
from ..geo.errors import LayerError
from ..geo.missing import is_missing
from .osm import ACCESS_MODES, way_access
from .result import LoadResult
from .schema import STREET_COLUMNS, check_layer_columns

__all__ = [
    "STREET_COLUMNS",
    "check_street_accounting",
    "check_streets_schema",
    "make_street_layer",
    "streets_from_lines",
]

log = logging.getLogger(__name__)

_BOOL_COLUMNS = ("oneway", *ACCESS_MODES)


def _clean_name(value: object) -> str | None:
    if is_missing(value):
        return None
    text = str(value).strip()
    return text or None


def make_street_layer(
    data: dict[str, Any],
    geometry: Sequence[BaseGeometry] | np.ndarray,
    *,
    crs: Any,
    extra: Sequence[str] = (),
) -> gpd.GeoDataFrame:
    """Assemble a street layer from column arrays; ``length_m`` is computed from geometry.

    Parameters
    ----------
    data : dict
        Arrays for every column of :data:`STREET_COLUMNS` except ``length_m`` and
        ``geometry``, plus any ``extra`` columns.
    geometry : sequence of LineString
    crs : CRS-like (metric)
    extra : sequence of str
        Extra columns to keep after the schema columns.

    Examples
    --------
    >>> from shapely.geometry import LineString
    >>> data = {"street_id": ["a"], "name": [None], "highway": ["footway"], "oneway": [False],
    ...         "walk": [True], "bike": [False], "drive": [False], "source": ["synthetic"],
    ...         "input_row": [0]}
    >>> make_street_layer(data, [LineString([(0, 0), (3, 4)])], crs="EPSG:4548").length_m[0]
    np.float64(5.0)
    """
    geoms = np.asarray(geometry, dtype=object)
    n = len(geoms)
    cols: dict[str, Any] = {}
    for col in STREET_COLUMNS:
        if col == "geometry":
            continue
        if col == "length_m":
            cols[col] = shapely.length(geoms).astype(float) if n else np.array([], float)
            continue
        values = data[col]
        if col in _BOOL_COLUMNS:
            cols[col] = np.asarray(values, dtype=bool).reshape(n)
        elif col == "input_row":
            cols[col] = np.asarray(values, dtype=np.int64).reshape(n)
        elif col == "name":
            cols[col] = pd.Series([_clean_name(v) for v in values], dtype=object)
        else:
            cols[col] = pd.Series(list(values), dtype=object).astype(str)
    for col in extra:
        cols[col] = data[col]
    frame = pd.DataFrame(cols, index=pd.RangeIndex(n))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs)


def streets_from_lines(
    lines: Sequence[BaseGeometry],
    *,
    crs: Any = ANALYSIS_CRS,
    names: Sequence[str | None] | None = None,
    highway: str | Sequence[str] = "residential",
    oneway: bool | Sequence[bool] = False,
) -> gpd.GeoDataFrame:
    """Build a schema-conformant SYNTHETIC street layer from LineStrings (tests, examples).

    Access flags follow the ``highway`` class through :func:`jinan_gis.layers.osm.way_access`;
    ``source`` is ``"synthetic"``; MultiLineStrings are split into their parts.

    Examples
    --------
    >>> from shapely.geometry import LineString
    >>> s = streets_from_lines([LineString([(0, 0), (0, 50)])], highway="footway")
    >>> bool(s.walk[0]), bool(s.drive[0]), s.source[0]
    (True, False, 'synthetic')
    """
    require_metric_crs(crs, what="a street layer")
    geoms = np.asarray(lines, dtype=object)
    n = len(geoms)
    hw = [highway] * n if isinstance(highway, str) else list(highway)
    ow = [oneway] * n if isinstance(oneway, bool) else list(oneway)
    nm = [None] * n if names is None else list(names)
    parts, idx = shapely.get_parts(geoms, return_index=True)
    access = [way_access({"highway": hw[i]}) for i in idx]
    data = {
        "street_id": [f"synthetic-{k}" for k in range(len(parts))],
        "name": [nm[i] for i in idx],
        "highway": [hw[i] for i in idx],
        "oneway": [bool(ow[i]) for i in idx],
        "source": ["synthetic"] * len(parts),
        "input_row": idx,
    }
    for mode in ACCESS_MODES:
        data[mode] = [a[mode] for a in access]
    return check_streets_schema(make_street_layer(data, parts, crs=crs))


def check_streets_schema(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Raise :class:`LayerError` unless ``layer`` follows the street schema; return it.

    Checks the columns, a metric CRS, LineString-only non-empty geometry, unique
    ``street_id``, boolean flags and ``length_m`` matching the geometry.

    Examples
    --------
    >>> import geopandas as gpd
    >>> check_streets_schema(gpd.GeoDataFrame(geometry=[], crs="EPSG:4548"))
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.LayerError: street layer lacks column(s) street_id, ...
    """
    check_layer_columns(layer, "streets", what="street layer")
    require_metric_crs(layer, what="a street layer")
    geom_types = set(layer.geometry.geom_type.unique()) if len(layer) else set()
    if geom_types - {"LineString"}:
        raise LayerError(
            f"street layer holds {sorted(geom_types - {'LineString'})} geometry; only "
            "LineStrings are allowed. Explode multi-part lines first (GeoDataFrame.explode)."
        )
    if len(layer) and layer.geometry.is_empty.any():
        raise LayerError("street layer holds empty geometry; drop those rows first.")
    if not layer["street_id"].is_unique:
        dup = layer["street_id"][layer["street_id"].duplicated()].iloc[0]
        raise LayerError(f"street_id is not unique (e.g. {dup!r}); give each line its own id.")
    for col in _BOOL_COLUMNS:
        if layer[col].dtype != bool:
            raise LayerError(f"street column {col!r} must be bool, not {layer[col].dtype}.")
    if len(layer) and not np.allclose(
        layer["length_m"].to_numpy(float), layer.geometry.length.to_numpy(), rtol=1e-9, atol=1e-6
    ):
        raise LayerError("length_m does not match the geometry; recompute it after editing.")
    return layer


def check_street_accounting(result: LoadResult) -> LoadResult:
    """Raise :class:`LayerError` unless every input row is kept or rejected, once; return it.

    Street loaders may split one input row into several lines, so accounting is on input
    rows: ``layer.input_row.nunique() + len(rejected) == n_input``, and no input row is both
    kept and rejected.

    Examples
    --------
    >>> from shapely.geometry import LineString
    >>> from jinan_gis.layers.result import rejection_table
    >>> layer = streets_from_lines([LineString([(0, 0), (1, 0)]), LineString([(1, 0), (2, 0)])])
    >>> layer["input_row"] = 0  # two segments of input row 0
    >>> res = LoadResult(layer, rejection_table([{"input_row": 1, "reason": "x"}]), 2)
    >>> check_street_accounting(res) is res
    True
    """
    kept = set(result.layer["input_row"].tolist()) if len(result.layer) else set()
    rejected = result.rejected["input_row"].tolist()
    both = kept & set(rejected)
    ok = (
        len(kept) + len(rejected) == result.n_input
        and not both
        and len(set(rejected)) == len(rejected)
    )
    if not ok:
        raise LayerError(
            f"{result.provenance.get('source', 'street layer')}: row accounting broken: "
            f"{result.n_input} input rows, {len(kept)} kept (in {len(result.layer)} lines), "
            f"{len(rejected)} rejected, {len(both)} both. This is a bug in jinan-gis; please "
            "report it with the input file."
        )
    return result
