"""The GCJ-02 and BD-09 formulas and their inverses, on longitude/latitude arrays.

The forward transforms (WGS84 -> GCJ-02 -> BD-09) are the standard published formulas; the
inverses iterate them to a fixed point (:func:`_invert`; why, and how "China" is drawn, is told
in :mod:`jinan_gis.geo.datum`).

Outside mainland China GCJ-02 and BD-09 equal WGS84: points outside the rectangle
:data:`CHINA_BOUNDS_LONLAT` are returned unchanged (see :mod:`jinan_gis.geo.datum`, which
re-exports every public name here and adds datum names, :func:`~jinan_gis.geo.datum.convert`
and the GeoDataFrame layer).

All functions take longitude first (x, y), in degrees, as scalars or arrays; NaN gives NaN.

Examples
--------
>>> lon, lat = wgs84_to_gcj02(117.0205, 36.6617)  # Quancheng Square
>>> round(lon, 6), round(lat, 6)
(117.026429, 36.66202)
>>> back = gcj02_to_wgs84(lon, lat)
>>> round(back[0], 9), round(back[1], 9)
(117.0205, 36.6617)
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

__all__ = [
    "CHINA_BOUNDS_LONLAT",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "out_of_china",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

# The non-convergence warning goes to the logger it has always used (jinan_gis.geo.datum).
log = logging.getLogger(__name__.rpartition(".")[0] + ".datum")

FloatArray = npt.NDArray[np.float64]
Coord = FloatArray | float
"""A float for scalar input, else an array of the broadcast input shape."""

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
