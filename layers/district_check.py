"""Is it in the study area? Points and polygons against the real Licheng and Shizhong polygons.

The file loaders (facilities, population points and polygons, zones) reject rows that lie
outside both study districts (历城区 370112, 市中区 370103, the packaged legal boundaries of
:func:`~jinan_gis.layers.districts.load_districts`) plus :data:`STUDY_BUFFER_M`, with the
reason :data:`REASON_OUTSIDE_DISTRICTS`. Rows outside the city of Jinan altogether keep the
older reason ``"outside Jinan"`` (:data:`~jinan_gis.geo.crs.JINAN_BOUNDS_LONLAT`), so a
rejection table tells "another city" from "Lixia or Tianqiao, next door".

Whole files that are nowhere near Jinan in their declared CRS but fit another one (another
Gauss-Kruger zone, Web Mercator, x and y swapped) are refused before this check, by
:func:`~jinan_gis.geo.crs.check_coordinates_plausible`, with the CRS that fits named.
Amap (GCJ-02) or Baidu (BD-09) numbers declared as WGS84 are only 0.5-1.3 km off: no
boundary test can see that; :func:`~jinan_gis.layers.checks.check_datum_against_streets`
does, where a street layer exists.

Examples
--------
>>> import numpy as np
>>> from pyproj import Transformer
>>> tr = Transformer.from_crs("EPSG:4326", "EPSG:4548", always_xy=True)
>>> x, y = tr.transform([117.07, 117.0205, 117.1], [36.68, 36.6617, 36.2])
>>> in_study_area(np.array(x), np.array(y)).tolist()  # Licheng, Quancheng Sq. (Lixia), Tai'an
[True, True, False]
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

__all__ = [
    "REASON_OUTSIDE_DISTRICTS",
    "STUDY_BUFFER_M",
    "geometries_in_study_area",
    "in_study_area",
    "study_area",
]

STUDY_BUFFER_M = 2000.0
"""How far outside Licheng and Shizhong a row may lie and still be kept (metres).

Why 2 km: residents near a district border use facilities just across it (the plans' walking
thresholds are 5-15 minutes, 0.4-1.2 km, so a facility 2 km out still reaches people inside);
the packaged boundary is Amap's simplified polygon, which differs from other boundary files
by up to a few hundred metres; and a population polygon (a compound, a sub-district) drawn on
another boundary overhangs by as much. Beyond 2 km a row is in another district's plan."""

REASON_OUTSIDE_DISTRICTS = "outside Licheng and Shizhong (+2 km)"
"""Rejection reason of rows inside Jinan but beyond :data:`STUDY_BUFFER_M` of both districts."""


@functools.cache
def study_area() -> BaseGeometry:
    """Licheng and Shizhong, buffered by :data:`STUDY_BUFFER_M`, in EPSG:4548 (prepared).

    Examples
    --------
    >>> round(study_area().area / 1e6)  # km², the two districts and their 2 km rim
    2118
    """
    from .districts import load_districts  # lazy: the packaged boundaries

    geom = shapely.union_all(load_districts().geometry.to_numpy()).buffer(STUDY_BUFFER_M)
    shapely.prepare(geom)
    return geom


def in_study_area(
    x_m: npt.NDArray[np.float64], y_m: npt.NDArray[np.float64]
) -> npt.NDArray[np.bool_]:
    """Which EPSG:4548 points lie in :func:`study_area` (False for NaN)."""
    xs = np.asarray(x_m, dtype=np.float64)
    ys = np.asarray(y_m, dtype=np.float64)
    out = np.zeros(len(xs), dtype=bool)
    fin = np.isfinite(xs) & np.isfinite(ys)
    if fin.any():
        out[fin] = shapely.contains_xy(study_area(), xs[fin], ys[fin])
    return out


def geometries_in_study_area(geoms: Any) -> npt.NDArray[np.bool_]:
    """Which EPSG:4548 geometries touch :func:`study_area` (False for missing/empty ones).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> geometries_in_study_area([box(500_000, 4_060_000, 500_100, 4_060_100),
    ...                           box(770_000, 4_060_000, 770_100, 4_060_100), None]).tolist()
    [True, False, False]
    """
    arr = np.asarray(geoms, dtype=object)
    ok = ~(shapely.is_missing(arr) | shapely.is_empty(arr)) if len(arr) else np.zeros(0, bool)
    out = np.zeros(len(arr), dtype=bool)
    if ok.any():
        out[ok] = shapely.intersects(study_area(), arr[ok])
    return out
