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

FloatArray = npt.NDArray[np.float64]
Coord = FloatArray | float
"""A float for scalar input, else an array of the broadcast input shape."""
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

CHINA_BOUNDS_LONLAT = (72.004, 0.8293, 137.8347, 55.8271)
"""(min lon, min lat, max lon, max lat): the rectangle inside which GCJ-02 shifts points."""

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 formula.
_GCJ_A_M = 6378245.0
_GCJ_EE = 0.00669342162296594323
# BD-09 constants.
_BD_X_PI = np.pi * 3000.0 / 180.0
_BD_DLON_DEG = 0.0065
_BD_DLAT_DEG = 0.006
# Fixed-point iteration of the inverses: stop when every point moved less than this.
_TOL_DEG = 1e-10
_MAX_ITER = 30

_GEOD = Geod(ellps="WGS84")

_PROJECTED_FIX = (
    "GCJ-02/BD-09 are defined on longitude/latitude; reproject to EPSG:4326 first, "
    "e.g. gdf.to_crs('EPSG:4326')."
)


# --------------------------------------------------------------------------- array helpers


def _as_arrays(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Broadcast ``lon``/``lat`` to float64 arrays of one shape (always fresh copies).

    A point with one NaN coordinate has no position: both its coordinates become NaN.
    """
    x, y = np.broadcast_arrays(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
    x, y = np.array(x, dtype=np.float64), np.array(y, dtype=np.float64)
    nan = np.isnan(x) | np.isnan(y)
    if nan.any():
        x[nan] = np.nan
        y[nan] = np.nan
    return x, y


def _out(a: FloatArray) -> Coord:
    """A 0-d array becomes a float; anything else stays an array."""
    return float(a) if a.ndim == 0 else a


def _in_china(x: FloatArray, y: FloatArray) -> npt.NDArray[np.bool_]:
    min_x, min_y, max_x, max_y = CHINA_BOUNDS_LONLAT
    with np.errstate(invalid="ignore"):
        return (x >= min_x) & (x <= max_x) & (y >= min_y) & (y <= max_y)


# ----------------------------------------------------------------- raw forward formulas


def _gcj_shift_deg(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 minus WGS84, in degrees, at WGS84 ``(x, y)`` (no China test)."""
    dx = x - 105.0
    dy = y - 35.0
    sqrt_abs_dx = np.sqrt(np.abs(dx))
    wave = 20.0 * np.sin(6.0 * np.pi * dx) + 20.0 * np.sin(2.0 * np.pi * dx)
    dlat_m = -100.0 + 2.0 * dx + 3.0 * dy + 0.2 * dy * dy + 0.1 * dx * dy + 0.2 * sqrt_abs_dx
    dlat_m += (
        (
            wave
            + 20.0 * np.sin(np.pi * dy)
            + 40.0 * np.sin(np.pi * dy / 3.0)
            + 160.0 * np.sin(np.pi * dy / 12.0)
            + 320.0 * np.sin(np.pi * dy / 30.0)
        )
        * 2.0
        / 3.0
    )
    dlon_m = 300.0 + dx + 2.0 * dy + 0.1 * dx * dx + 0.1 * dx * dy + 0.1 * sqrt_abs_dx
    dlon_m += (
        (
            wave
            + 20.0 * np.sin(np.pi * dx)
            + 40.0 * np.sin(np.pi * dx / 3.0)
            + 150.0 * np.sin(np.pi * dx / 12.0)
            + 300.0 * np.sin(np.pi * dx / 30.0)
        )
        * 2.0
        / 3.0
    )
    rad_lat = np.radians(y)
    magic = 1.0 - _GCJ_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat_deg = dlat_m * 180.0 / ((_GCJ_A_M * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * np.pi)
    dlon_deg = dlon_m * 180.0 / (_GCJ_A_M / sqrt_magic * np.cos(rad_lat) * np.pi)
    return dlon_deg, dlat_deg


def _wgs_to_gcj_raw(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    dx, dy = _gcj_shift_deg(x, y)
    return x + dx, y + dy


def _gcj_to_bd_raw(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    z = np.hypot(x, y) + 0.00002 * np.sin(y * _BD_X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _BD_X_PI)
    return z * np.cos(theta) + _BD_DLON_DEG, z * np.sin(theta) + _BD_DLAT_DEG


def _bd_to_gcj_one_step(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The usual closed-form BD-09 -> GCJ-02 approximation (a first guess only)."""
    x = x - _BD_DLON_DEG
    y = y - _BD_DLAT_DEG
    z = np.hypot(x, y) - 0.00002 * np.sin(y * _BD_X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _BD_X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def _invert(
    forward: Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]],
    x: FloatArray,
    y: FloatArray,
    guess: tuple[FloatArray, FloatArray],
) -> tuple[FloatArray, FloatArray]:
    """Solve ``forward(u, v) == (x, y)`` by fixed-point iteration from ``guess``.

    ``forward`` is the identity plus a slowly varying shift (its Jacobian differs from the
    identity by about 1e-3), so ``p <- p - (forward(p) - target)`` contracts by about 1e-3
    per step.
    """
    u, v = guess
    u = u.copy()
    v = v.copy()
    for _ in range(_MAX_ITER):
        fu, fv = forward(u, v)
        du = fu - x
        dv = fv - y
        u -= du
        v -= dv
        with np.errstate(invalid="ignore"):
            moved = np.maximum(np.abs(du), np.abs(dv))
            if not np.any(moved > _TOL_DEG):  # NaN compares False: NaN points never block
                break
    else:
        log.warning(
            "datum inverse did not converge to %g deg in %d iterations (max step %g deg)",
            _TOL_DEG,
            _MAX_ITER,
            float(np.nanmax(moved)),
        )
    return u, v


# ----------------------------------------------------------------- public array functions


def out_of_china(lon: npt.ArrayLike, lat: npt.ArrayLike) -> npt.NDArray[np.bool_] | bool:
    """Tell whether points lie outside the China rectangle, where GCJ-02 equals WGS84.

    The test is the rough rectangle :data:`CHINA_BOUNDS_LONLAT` (72.004-137.8347 E,
    0.8293-55.8271 N) that the common reference implementations use, not the national border.
    NaN coordinates count as outside (so they pass through conversions unchanged, as NaN).

    Parameters
    ----------
    lon, lat : float or array_like
        Longitude and latitude in degrees.

    Returns
    -------
    bool or numpy.ndarray of bool
        A bool for scalar input, else an array of the broadcast shape.

    Examples
    --------
    >>> out_of_china(117.02, 36.66)  # Jinan
    False
    >>> out_of_china([-0.1276, 24.94, 117.02], [51.5072, 60.17, 36.66]).tolist()
    [True, True, False]
    """
    x, y = _as_arrays(lon, lat)
    out = ~_in_china(x, y)
    return bool(out) if out.ndim == 0 else out


def wgs84_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Coord, Coord]:
    """Convert WGS84 longitude/latitude to GCJ-02 (Amap, Tencent).

    The standard GCJ-02 formula on the Krasovsky ellipsoid (a = 6378245 m,
    e^2 = 0.00669342162296594323). Points outside :data:`CHINA_BOUNDS_LONLAT` are returned
    unchanged.

    Parameters
    ----------
    lon, lat : float or array_like
        WGS84 longitude and latitude in degrees (broadcast against each other).

    Returns
    -------
    (lon, lat) : tuple of float or numpy.ndarray
        GCJ-02 degrees; floats for scalar input, else arrays of the broadcast shape.

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(116.39089, 39.90734)  # Tiananmen, Beijing
    >>> round(lon, 8), round(lat, 8)
    (116.39713094, 39.90874107)
    >>> wgs84_to_gcj02([24.94], [60.17])  # Helsinki: outside China, unchanged
    (array([24.94]), array([60.17]))
    """
    x, y = _as_arrays(lon, lat)
    inside = _in_china(x, y)
    gx, gy = _wgs_to_gcj_raw(x, y)
    return _out(np.where(inside, gx, x)), _out(np.where(inside, gy, y))


def gcj02_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Coord, Coord]:
    """Convert GCJ-02 (Amap, Tencent) longitude/latitude to WGS84, by iteration.

    Iterates :func:`wgs84_to_gcj02` to a fixed point (to 1e-10 degrees), so the round trip
    WGS84 -> GCJ-02 -> WGS84 is exact to micrometres; the common one-step inverse is off by
    up to several metres. Points outside :data:`CHINA_BOUNDS_LONLAT` are returned unchanged.

    Parameters
    ----------
    lon, lat : float or array_like
        GCJ-02 longitude and latitude in degrees.

    Returns
    -------
    (lon, lat) : tuple of float or numpy.ndarray
        WGS84 degrees; floats for scalar input, else arrays of the broadcast shape.

    Examples
    --------
    >>> lon, lat = gcj02_to_wgs84(116.39713094, 39.90874107)
    >>> round(lon, 6), round(lat, 6)
    (116.39089, 39.90734)
    >>> gcj02_to_wgs84(float("nan"), 36.6)
    (nan, nan)
    """
    x, y = _as_arrays(lon, lat)
    inside = _in_china(x, y)
    dx, dy = _gcj_shift_deg(x, y)
    wx, wy = _invert(_wgs_to_gcj_raw, x, y, (x - dx, y - dy))
    return _out(np.where(inside, wx, x)), _out(np.where(inside, wy, y))


def gcj02_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Coord, Coord]:
    """Convert GCJ-02 longitude/latitude to BD-09 (Baidu).

    The standard BD-09 formula (x_pi = pi * 3000 / 180). Points outside
    :data:`CHINA_BOUNDS_LONLAT` are returned unchanged.

    Parameters
    ----------
    lon, lat : float or array_like
        GCJ-02 longitude and latitude in degrees.

    Returns
    -------
    (lon, lat) : tuple of float or numpy.ndarray
        BD-09 degrees; floats for scalar input, else arrays of the broadcast shape.

    Examples
    --------
    >>> lon, lat = gcj02_to_bd09(116.404, 39.915)
    >>> round(lon, 8), round(lat, 8)
    (116.41036949, 39.92133699)
    """
    x, y = _as_arrays(lon, lat)
    inside = _in_china(x, y)
    bx, by = _gcj_to_bd_raw(x, y)
    return _out(np.where(inside, bx, x)), _out(np.where(inside, by, y))


def bd09_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Coord, Coord]:
    """Convert BD-09 (Baidu) longitude/latitude to GCJ-02, by iteration.

    Iterates :func:`gcj02_to_bd09` to a fixed point (to 1e-10 degrees), starting from the
    usual closed-form approximation. Points outside :data:`CHINA_BOUNDS_LONLAT` are returned
    unchanged.

    Parameters
    ----------
    lon, lat : float or array_like
        BD-09 longitude and latitude in degrees.

    Returns
    -------
    (lon, lat) : tuple of float or numpy.ndarray
        GCJ-02 degrees; floats for scalar input, else arrays of the broadcast shape.

    Examples
    --------
    >>> lon, lat = bd09_to_gcj02(116.41036949371029, 39.92133699351021)
    >>> round(lon, 9), round(lat, 9)
    (116.404, 39.915)
    """
    x, y = _as_arrays(lon, lat)
    inside = _in_china(x, y)
    gx, gy = _invert(_gcj_to_bd_raw, x, y, _bd_to_gcj_one_step(x, y))
    return _out(np.where(inside, gx, x)), _out(np.where(inside, gy, y))


def wgs84_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Coord, Coord]:
    """Convert WGS84 longitude/latitude to BD-09 (Baidu): WGS84 -> GCJ-02 -> BD-09.

    Parameters
    ----------
    lon, lat : float or array_like
        WGS84 longitude and latitude in degrees.

    Returns
    -------
    (lon, lat) : tuple of float or numpy.ndarray
        BD-09 degrees.

    Examples
    --------
    >>> lon, lat = wgs84_to_bd09(117.0205, 36.6617)
    >>> round(lon, 5), round(lat, 5)
    (117.03291, 36.66808)
    """
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Coord, Coord]:
    """Convert BD-09 (Baidu) longitude/latitude to WGS84, by iteration (via GCJ-02).

    Parameters
    ----------
    lon, lat : float or array_like
        BD-09 longitude and latitude in degrees.

    Returns
    -------
    (lon, lat) : tuple of float or numpy.ndarray
        WGS84 degrees.

    Examples
    --------
    >>> lon, lat = bd09_to_wgs84(*wgs84_to_bd09(117.0205, 36.6617))
    >>> round(lon, 9), round(lat, 9)
    (117.0205, 36.6617)
    """
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


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
