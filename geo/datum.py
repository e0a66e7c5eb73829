"""Chinese datums: WGS84, GCJ-02 (Amap, Tencent) and BD-09 (Baidu), both ways.

Coordinates of places in China come in three "datums":

* **WGS84** - GPS, OpenStreetMap, official CGCS2000 data (EPSG:4490 is within a metre of
  WGS84 and is treated as WGS84 here).
* **GCJ-02** ("Mars coordinates") - Amap/Gaode, Tencent, Apple and Google maps inside China.
  A deliberate, non-linear obfuscation of WGS84 defined on the Krasovsky ellipsoid; in Jinan
  it moves points about 530 m (mostly east).
* **BD-09** - Baidu; a further shift of GCJ-02, about 1.3 km from WGS84 in Jinan.

The forward transforms (WGS84 -> GCJ-02 -> BD-09) are the standard published formulas. Their
inverses have no closed form: the one-step "subtract the shift" inverse found in most code is
off by metres, so :func:`gcj02_to_wgs84`, :func:`bd09_to_gcj02` and :func:`bd09_to_wgs84`
iterate the forward transform to a fixed point (to 1e-10 degrees, about 10 micrometres;
typically 3 to 5 iterations), vectorised over arrays.

Outside mainland China GCJ-02 and BD-09 equal WGS84. Like the common reference
implementations (eviltransform, PRCoords, coordtransform) "China" is the rough rectangle
:data:`CHINA_BOUNDS_LONLAT` (72.004-137.8347 E, 0.8293-55.8271 N), not the border: points
outside it are returned unchanged, points inside it are always shifted (this includes parts of
neighbouring countries, e.g. Seoul and Tokyo; nothing near Jinan is affected).

All functions take longitude first (x, y), in degrees, as scalars or arrays; NaN gives NaN.

The formulas on arrays live in :mod:`jinan_gis.geo.datum_formulas`; this module adds the datum
names (:func:`normalize_datum`), :func:`convert`, :func:`shift_m` and the GeoDataFrame layer
(:func:`to_wgs84`, :func:`from_wgs84`), and re-exports every public name of the formulas.

Examples
--------
>>> from jinan_gis.geo.datum import convert, shift_m
>>> lon, lat = convert(117.0205, 36.6617, src="wgs84", dst="gcj02")  # Quancheng Square
>>> round(lon, 6), round(lat, 6)
(117.026429, 36.66202)
>>> back = convert(lon, lat, src="amap", dst="gps")
>>> round(back[0], 9), round(back[1], 9)
(117.0205, 36.6617)
>>> round(float(shift_m(117.0205, 36.6617, src="wgs84", dst="bd09")), -1)
1320.0
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS, Geod

from .datum_formulas import (
    CHINA_BOUNDS_LONLAT,
    Coord,
    FloatArray,
    _as_arrays,
    _out,
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    out_of_china,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from .errors import DatumError

__all__ = [
    "CHINA_BOUNDS_LONLAT",
    "DATUMS",
    "DATUM_ALIASES",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "convert",
    "from_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "normalize_datum",
    "out_of_china",
    "shift_m",
    "to_wgs84",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

log = logging.getLogger(__name__)

GeoData = TypeVar("GeoData", gpd.GeoDataFrame, gpd.GeoSeries)

DATUMS: tuple[str, ...] = ("wgs84", "gcj02", "bd09")
"""The canonical datum names."""

DATUM_ALIASES: dict[str, str] = {
    "wgs84": "wgs84",
    "wgs-84": "wgs84",
    "gps": "wgs84",
    "osm": "wgs84",
    "cgcs2000": "wgs84",
    "epsg:4326": "wgs84",
    "epsg:4490": "wgs84",
    "gcj02": "gcj02",
    "gcj-02": "gcj02",
    "amap": "gcj02",
    "gaode": "gcj02",
    "tencent": "gcj02",
    "mars": "gcj02",
    "bd09": "bd09",
    "bd-09": "bd09",
    "baidu": "bd09",
    "bd": "bd09",
}
"""Accepted names (lower case) for each canonical datum."""

_GEOD = Geod(ellps="WGS84")

_PROJECTED_FIX = (
    "GCJ-02/BD-09 are defined on longitude/latitude; reproject to EPSG:4326 first, "
    "e.g. gdf.to_crs('EPSG:4326')."
)



def normalize_datum(name: str) -> str:
    """Return the canonical datum name ("wgs84", "gcj02" or "bd09") for ``name``.

    Case and surrounding spaces are ignored; see :data:`DATUM_ALIASES` for the accepted
    names. Raises :class:`~jinan_gis.geo.errors.DatumError` for anything else.

    Examples
    --------
    >>> normalize_datum("Amap"), normalize_datum("EPSG:4490"), normalize_datum("BAIDU")
    ('gcj02', 'wgs84', 'bd09')
    >>> normalize_datum("utm")
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.DatumError: unknown datum 'utm'. Use one of wgs84, gcj02, bd09 ...
    """
    key = name.strip().lower() if isinstance(name, str) else None
    if key is None or key not in DATUM_ALIASES:
        by_datum = {
            d: ", ".join(repr(a) for a, c in DATUM_ALIASES.items() if c == d and a != d)
            for d in DATUMS
        }
        raise DatumError(
            f"unknown datum {name!r}. Use one of {', '.join(DATUMS)} "
            f"(aliases: wgs84 = {by_datum['wgs84']}; gcj02 = {by_datum['gcj02']}; "
            f"bd09 = {by_datum['bd09']}; case does not matter)."
        )
    return DATUM_ALIASES[key]


_CONVERTERS: dict[
    tuple[str, str], Callable[[npt.ArrayLike, npt.ArrayLike], tuple[Coord, Coord]]
] = {
    ("wgs84", "gcj02"): wgs84_to_gcj02,
    ("gcj02", "wgs84"): gcj02_to_wgs84,
    ("gcj02", "bd09"): gcj02_to_bd09,
    ("bd09", "gcj02"): bd09_to_gcj02,
    ("wgs84", "bd09"): wgs84_to_bd09,
    ("bd09", "wgs84"): bd09_to_wgs84,
}


def convert(lon: npt.ArrayLike, lat: npt.ArrayLike, *, src: str, dst: str) -> tuple[Coord, Coord]:
    """Convert longitude/latitude from datum ``src`` to datum ``dst``.

    Parameters
    ----------
    lon, lat : float or array_like
        Longitude and latitude in degrees, in datum ``src``.
    src, dst : str
        Datum names or aliases (see :func:`normalize_datum`), e.g. "wgs84", "amap", "baidu".

    Returns
    -------
    (lon, lat) : tuple of float or numpy.ndarray
        Degrees in datum ``dst`` (a copy when ``src`` and ``dst`` are the same datum).

    Examples
    --------
    >>> lon, lat = convert([117.0205, 117.1], [36.6617, 36.7], src="GPS", dst="Gaode")
    >>> lon.round(5).tolist(), lat.round(5).tolist()
    ([117.02643, 117.10613], [36.66202, 36.70047])
    >>> convert(117.0, 36.6, src="wgs84", dst="google")
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.DatumError: unknown datum 'google'. ...
    """
    s, d = normalize_datum(src), normalize_datum(dst)
    if s == d:
        x, y = _as_arrays(lon, lat)
        return _out(x), _out(y)
    return _CONVERTERS[(s, d)](lon, lat)


def shift_m(lon: npt.ArrayLike, lat: npt.ArrayLike, *, src: str, dst: str) -> Coord:
    """Return how far, in metres, points move when converted from ``src`` to ``dst``.

    The geodesic distance on the WGS84 ellipsoid between each input point and its converted
    position; handy for messages such as "these points sit about 530 m east of the map".

    Parameters
    ----------
    lon, lat : float or array_like
        Longitude and latitude in degrees, in datum ``src``.
    src, dst : str
        Datum names or aliases (see :func:`normalize_datum`).

    Returns
    -------
    float or numpy.ndarray
        Metres; NaN where the input is NaN, 0 outside :data:`CHINA_BOUNDS_LONLAT`.

    Examples
    --------
    >>> round(float(shift_m(117.0205, 36.6617, src="wgs84", dst="gcj02")))
    531
    >>> shift_m([117.0205, 24.94], [36.6617, 60.17], src="bd09", dst="wgs84").round(-1)
    array([1320.,    0.])
    """
    x, y = _as_arrays(lon, lat)
    cx, cy = convert(x, y, src=src, dst=dst)
    _, _, dist_m = _GEOD.inv(x, y, np.asarray(cx), np.asarray(cy))
    return _out(np.asarray(dist_m, dtype=np.float64))


# ------------------------------------------------------------------ GeoDataFrame helpers


def _is_wgs84_like(crs: CRS) -> bool:
    if crs.to_epsg() in (4326, 4490):
        return True
    datum_name = crs.datum.name if crs.datum is not None else ""
    return (
        "World Geodetic System 1984" in datum_name
        or "WGS 84" in datum_name
        or ("China 2000" in datum_name or "China_2000" in datum_name)
    )


def _check_lonlat(geoms: gpd.GeoSeries, *, what: str) -> None:
    """Raise :class:`DatumError` unless ``geoms`` holds longitude/latitude degrees."""
    crs = None if geoms.crs is None else CRS.from_user_input(geoms.crs)
    if crs is not None and not crs.is_geographic:
        raise DatumError(f"{what} is in projected {crs.name!r}. {_PROJECTED_FIX}")
    b = geoms.bounds.to_numpy(dtype=float)
    b = b[np.isfinite(b).all(axis=1)]
    if len(b):
        min_x, min_y = b[:, 0].min(), b[:, 1].min()
        max_x, max_y = b[:, 2].max(), b[:, 3].max()
        if 0 <= min_x and max_x <= 56 and 72 <= min_y and max_y <= 138:
            raise DatumError(
                f"{what}: longitude and latitude look swapped (x {min_x:.3f}..{max_x:.3f} "
                f"looks like latitude, y {min_y:.3f}..{max_y:.3f} like longitude). Swap them "
                "(x = longitude, about 117 in Jinan)."
            )
        if max(abs(min_x), abs(max_x)) > 180 or max(abs(min_y), abs(max_y)) > 90:
            raise DatumError(
                f"{what}: coordinates (x {min_x:.0f}..{max_x:.0f}, y {min_y:.0f}..{max_y:.0f}) "
                f"are not degrees, yet the CRS is {crs.name if crs else 'not set'!s}. "
                + _PROJECTED_FIX
            )
    if crs is None:
        log.info("%s has no CRS; treating its coordinates as longitude/latitude", what)
    elif not _is_wgs84_like(crs):
        log.warning(
            "%s is labelled %s; its coordinates are taken as longitude/latitude and the result "
            "is labelled EPSG:4326",
            what,
            crs.name,
        )


def _convert_geoseries(geoms: gpd.GeoSeries, *, src: str, dst: str) -> gpd.GeoSeries:
    def fn(coords: FloatArray) -> FloatArray:
        out = coords.copy()
        out[:, 0], out[:, 1] = convert(coords[:, 0], coords[:, 1], src=src, dst=dst)
        return out

    values = geoms.to_numpy()
    if src != dst:
        values = shapely.transform(values, fn, include_z=None)
    return gpd.GeoSeries(values, index=geoms.index, crs="EPSG:4326", name=geoms.name)


def _convert_frame(data: GeoData, *, src: str, dst: str, what: str) -> GeoData:
    if isinstance(data, gpd.GeoSeries):
        _check_lonlat(data, what=what)
        return _convert_geoseries(data, src=src, dst=dst)
    if not isinstance(data, gpd.GeoDataFrame):
        raise TypeError(f"expected a GeoDataFrame or GeoSeries, got {type(data).__name__}")
    geo_cols = [c for c in data.columns if isinstance(data[c].dtype, gpd.array.GeometryDtype)]
    for col in geo_cols:
        _check_lonlat(data[col], what=f"{what} column {col!r}")
    out = data.copy()
    for col in geo_cols:
        out[col] = _convert_geoseries(data[col], src=src, dst=dst)
    return out


def to_wgs84(data: GeoData, *, datum: str) -> GeoData:
    """Return a copy of ``data`` converted from ``datum`` to WGS84, labelled EPSG:4326.

    Every geometry column is converted: points, lines, polygons (holes included), multi-parts
    and collections; empty and missing geometries stay empty and missing; Z values are kept.
    The input is never changed.

    Parameters
    ----------
    data : geopandas.GeoDataFrame or geopandas.GeoSeries
        Longitude/latitude data in ``datum``. Its CRS may be missing (taken as lon/lat) or any
        geographic CRS (Amap layers usually arrive labelled EPSG:4326 although their numbers
        are GCJ-02); a projected CRS is refused.
    datum : str
        The datum the numbers are really in, e.g. "gcj02" / "amap", "bd09" / "baidu".

    Returns
    -------
    geopandas.GeoDataFrame or geopandas.GeoSeries
        Same type, index and columns as ``data``, in WGS84, CRS EPSG:4326.

    Raises
    ------
    DatumError
        Unknown ``datum``, projected CRS, or coordinates that are not degrees.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> amap = gpd.GeoSeries([Point(117.026429, 36.66202)], crs="EPSG:4326")
    >>> wgs = to_wgs84(amap, datum="amap")
    >>> wgs.crs.to_epsg(), round(float(wgs.x.iloc[0]), 5), round(float(wgs.y.iloc[0]), 5)
    (4326, 117.0205, 36.6617)
    >>> to_wgs84(amap.to_crs("EPSG:4548"), datum="gcj02")
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.DatumError: this layer is in projected ... reproject to EPSG:4326 ...
    """
    return _convert_frame(data, src=normalize_datum(datum), dst="wgs84", what="this layer")


def from_wgs84(data: GeoData, *, datum: str) -> GeoData:
    """Return a copy of WGS84 ``data`` shifted into ``datum``, for display on Chinese maps.

    Use it to overlay WGS84 layers on Amap/Tencent (GCJ-02) or Baidu (BD-09) tiles; never for
    analysis. The result is labelled EPSG:4326 (there is no EPSG code for GCJ-02/BD-09), so
    keep track of what it holds. Same rules as :func:`to_wgs84`.

    Parameters
    ----------
    data : geopandas.GeoDataFrame or geopandas.GeoSeries
        WGS84 longitude/latitude data (CRS missing or geographic).
    datum : str
        The target datum, e.g. "gcj02" / "amap" or "bd09" / "baidu".

    Returns
    -------
    geopandas.GeoDataFrame or geopandas.GeoSeries
        Same type, index and columns as ``data``, with coordinates in ``datum``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> gdf = gpd.GeoDataFrame({"name": ["Quancheng Square"]},
    ...                        geometry=[Point(117.0205, 36.6617)], crs="EPSG:4326")
    >>> shown = from_wgs84(gdf, datum="gcj02")
    >>> round(float(shown.geometry.x.iloc[0]), 6), round(float(shown.geometry.y.iloc[0]), 6)
    (117.026429, 36.66202)
    >>> float(gdf.geometry.x.iloc[0])  # the input is unchanged
    117.0205
    """
    return _convert_frame(data, src="wgs84", dst=normalize_datum(datum), what="this layer")
