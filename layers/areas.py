"""The area a layer is loaded for: a district code or name, a polygon, or a GeoDataFrame.

:func:`resolve_area` turns any of them into one geometry in a metric CRS, buffered as asked.
A district is looked up with :func:`jinan_gis.layers.districts.load_districts`, which
returns the packaged legal boundaries as a plain GeoDataFrame (nothing is read from a user
file, so nothing is rejected); the file loaders return a
:class:`~jinan_gis.layers.result.LoadResult` instead.

Examples
--------
>>> from shapely.geometry import box
>>> geom, what = resolve_area(box(500000, 4060000, 501000, 4061000))
>>> geom.area, what
(1000000.0, 'polygon in EPSG:4548')
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from ..geo.crs import (
    ANALYSIS_CRS,
    check_coordinates_plausible,
    describe_crs,
    require_crs,
    require_metric_crs,
)
from ..geo.errors import JinanGISError, LayerError
from ..geo.missing import is_missing

__all__ = ["AreaLike", "resolve_area"]

AreaLike = str | int | BaseGeometry | gpd.GeoDataFrame | gpd.GeoSeries
"""What an area may be given as: a district code or name, a shapely geometry, or a
GeoDataFrame/GeoSeries with a CRS."""


def _district_geometry(area: str | int, *, crs: Any) -> tuple[BaseGeometry, str]:
    """The union of a study district's polygons in ``crs``, and its description."""
    from . import districts  # lazy: the packaged boundaries are read only when asked for

    code = districts.resolve_district(area)
    frame: gpd.GeoDataFrame = districts.load_districts([code], crs=crs)  # a GeoDataFrame
    return shapely.union_all(frame.geometry.to_numpy()), f"district {code}"


def resolve_area(
    area: AreaLike, *, crs: Any = ANALYSIS_CRS, buffer_m: float = 0.0
) -> tuple[BaseGeometry, str]:
    """Turn an area (district code/name, polygon, GeoDataFrame/GeoSeries) into one geometry.

    Parameters
    ----------
    area : str, int, shapely geometry, GeoDataFrame or GeoSeries
        A district code or name (resolved by :mod:`jinan_gis.layers.districts`), a shapely
        geometry **in** ``crs``, or a GeoDataFrame/GeoSeries with a CRS (reprojected).
    crs : CRS-like (metric)
    buffer_m : float
        Buffer added around the area, in metres.

    Returns
    -------
    (geometry, str)
        The buffered area in ``crs`` and a description for provenance.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> geom, what = resolve_area(box(500000, 4060000, 501000, 4061000), buffer_m=100)
    >>> round(geom.area / 1e6, 2), what
    (1.43, 'polygon in EPSG:4548')
    >>> resolve_area(box(116.9, 36.6, 117.1, 36.7))
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.CRSError: area (a bare shapely geometry is taken to be in EPSG:4548...
    """
    if buffer_m < 0 or is_missing(buffer_m):
        raise JinanGISError(f"buffer_m must be >= 0 metres, got {buffer_m}.")
    target = require_metric_crs(crs, what="a street layer")
    if isinstance(area, str | int) and not isinstance(area, bool):
        geom, what = _district_geometry(area, crs=crs)
    elif isinstance(area, gpd.GeoDataFrame | gpd.GeoSeries):
        require_crs(area, what="area")
        geoms = area.geometry if isinstance(area, gpd.GeoDataFrame) else area
        geom = shapely.union_all(geoms.to_crs(target).to_numpy())
        what = f"{len(geoms)} geometries in {describe_crs(area.crs)}"
    elif isinstance(area, BaseGeometry):
        check_coordinates_plausible(
            gpd.GeoSeries([area], crs=target),
            source=f"area (a bare shapely geometry is taken to be in {describe_crs(target)}; "
            "pass a GeoSeries with its CRS otherwise)",
        )
        geom = area
        what = f"polygon in EPSG:{target.to_epsg()}" if target.to_epsg() else "polygon"
    else:
        raise JinanGISError(
            f"area must be a district code or name, a shapely polygon or a GeoDataFrame/"
            f"GeoSeries with a CRS, not {type(area).__name__}."
        )
    if geom is None or geom.is_empty:
        raise LayerError(f"the area ({what}) is empty; give a non-empty polygon.")
    if buffer_m > 0:
        geom = geom.buffer(buffer_m)
    if geom.area <= 0:
        raise LayerError(
            f"the area ({what}) has no extent; give a polygon, or a buffer_m > 0 around "
            "points or lines."
        )
    return geom, what
