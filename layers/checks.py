"""Plausibility checks across layers: points in the wrong datum betray themselves by the streets.

A declared-WGS84 file of Amap (GCJ-02) or Baidu (BD-09) coordinates loads without error: the
numbers are longitude/latitude in Jinan, only about 530 m (GCJ-02) or 1.3 km (BD-09) off, mostly
to the east. Nothing in the file says so, but the street layer does: the facilities sit beside
no street, and would sit on them if their numbers were read in the other datum.
:func:`check_datum_against_streets` measures the median distance from the points to the streets
(to the street each point names, where a name or address column mentions one; else to the
nearest street) as declared, and as if the numbers were GCJ-02 or BD-09 (or WGS84), and logs a
warning naming the fix when another datum fits much better:

    facilities: points sit a median 531 m from the streets they name as declared (WGS84);
    converting from GCJ-02 would bring them to 0 m: declare datum='gcj02'

It never changes the layer; it returns a :class:`DatumCheck`.

Examples
--------
Five clinics on a north-south street (EPSG:4548), exported by Amap (GCJ-02) and loaded as if
they were WGS84:

>>> import geopandas as gpd
>>> from shapely.geometry import LineString, Point
>>> from jinan_gis.geo.datum import from_wgs84
>>> streets = gpd.GeoDataFrame({"name": ["历山路"]}, crs="EPSG:4548",
...     geometry=[LineString([(503_000, 4_055_000), (503_000, 4_065_000)])])
>>> true = gpd.GeoSeries([Point(503_000, 4_056_000 + 1500 * i) for i in range(5)],
...                      crs="EPSG:4548").to_crs("EPSG:4326")
>>> amap = from_wgs84(true, datum="gcj02").set_crs("EPSG:4326", allow_override=True)
>>> loaded = gpd.GeoDataFrame(geometry=amap.to_crs("EPSG:4548"))  # the mistake
>>> check = check_datum_against_streets(loaded, streets, source="clinics.csv")
>>> check.suggested, round(check.offset_m, -1), round(check.median_m["gcj02"], 3)
('gcj02', 530.0, 0.0)
>>> print(check.message)
clinics.csv: points sit a median 535 m from the nearest street as declared (WGS84); converting
from GCJ-02 would bring them to 0 m: declare datum='gcj02'
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import Transformer

from ..geo.crs import ANALYSIS_CRS, require_crs
from ..geo.datum import DATUMS, convert, normalize_datum
from ..geo.errors import LayerError

__all__ = ["DATUM_LABELS", "DatumCheck", "check_datum_against_streets"]

log = logging.getLogger(__name__)

DATUM_LABELS: dict[str, str] = {
    "wgs84": "WGS84",
    "gcj02": "GCJ-02",
    "bd09": "BD-09",
}
"""How each canonical datum is named in messages."""

_TO_M = Transformer.from_crs("EPSG:4326", ANALYSIS_CRS, always_xy=True)


@dataclass(frozen=True)
class DatumCheck:
    """What :func:`check_datum_against_streets` measured.

    Attributes
    ----------
    declared : str
        The datum the points were declared in (canonical name).
    median_m : dict
        For each datum (``"wgs84"``, ``"gcj02"``, ``"bd09"``): the median distance in metres
        from the points to the streets if their numbers had been in that datum
        (``median_m[declared]`` is the layer as it is). Empty when too few points could be
        measured.
    suggested : str or None
        The datum to declare instead, or None when the declared one is fine (or nothing fits).
    n_points : int
        Points measured.
    measured_to : str
        ``"the streets they name"`` or ``"the nearest street"``.
    message : str
        The line that was logged.
    """

    declared: str
    median_m: dict[str, float] = field(default_factory=dict)
    suggested: str | None = None
    n_points: int = 0
    measured_to: str = "the nearest street"
    message: str = ""

    @property
    def suspicious(self) -> bool:
        """True when another datum fits the streets much better than the declared one."""
        return self.suggested is not None

    @property
    def offset_m(self) -> float:
        """Median distance to the streets of the layer as it is (NaN if not measured)."""
        return float(self.median_m.get(self.declared, np.nan))


def _point_xy(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> tuple[npt.NDArray[np.float64], np.ndarray]:
    """Lon/lat of usable points (representative points for other geometries) and their rows."""
    geoms = gdf.geometry.to_crs("EPSG:4326").to_numpy()
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    rows = np.flatnonzero(usable)
    pts = geoms[rows].copy()
    not_point = shapely.get_type_id(pts) != 0
    pts[not_point] = shapely.point_on_surface(pts[not_point])
    xy = shapely.get_coordinates(pts)
    finite = np.isfinite(xy).all(axis=1)
    return xy[finite], rows[finite]


def _declared_datum(points: gpd.GeoDataFrame | gpd.GeoSeries, declared: str | None) -> str:
    if declared is not None:
        return normalize_datum(declared)
    if isinstance(points, gpd.GeoDataFrame) and "datum_in" in points.columns:
        values = points["datum_in"].dropna().unique()
        if len(values) == 1:
            return normalize_datum(str(values[0]))
    return "wgs84"


def _named_targets(
    texts: pd.Series, streets: gpd.GeoDataFrame
) -> tuple[npt.NDArray[np.bool_], np.ndarray]:
    """For each text, the (multi)line of the longest street name it mentions, if any."""
    names = streets["name"].dropna().astype(str).str.strip()
    names = names[names.str.len() >= 2]
    if names.empty:
        return np.zeros(len(texts), dtype=bool), np.full(len(texts), None, dtype=object)
    lines = streets.geometry.to_numpy()
    by_name = {
        n: shapely.multilinestrings(shapely.get_parts(lines[idx]))
        for n, idx in names.groupby(names).indices.items()
        if len(idx)
    }
    by_name = {n: g for n, g in by_name.items() if not g.is_empty}
    if not by_name:
        return np.zeros(len(texts), dtype=bool), np.full(len(texts), None, dtype=object)
    pattern = re.compile("|".join(re.escape(n) for n in sorted(by_name, key=len, reverse=True)))
    target = np.full(len(texts), None, dtype=object)
    for i, text in enumerate(texts):
        if isinstance(text, str):
            m = pattern.search(text)
            if m:
                target[i] = by_name[m.group(0)]
    return np.not_equal(target, None), target


def check_datum_against_streets(
    points: gpd.GeoDataFrame | gpd.GeoSeries,
    streets: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    declared: str | None = None,
    name_column: Any | None = None,
    min_offset_m: float = 100.0,
    ratio: float = 3.0,
    min_points: int = 5,
    max_points: int = 5000,
    source: str = "points",
) -> DatumCheck:
    """Warn when points fit the streets much better in another datum (GCJ-02/BD-09 suspicion).

    The points' numbers are recovered in the declared datum and re-read as WGS84, GCJ-02 and
    BD-09 in turn; for each reading the median distance from the points to the streets is
    measured. When the declared reading is at least ``min_offset_m`` from the streets and
    another reading is at least ``ratio`` times closer, a warning names the fix (the datum to
    declare) and the result's ``suggested`` holds it.

    Parameters
    ----------
    points : GeoDataFrame or GeoSeries
        Facilities (or any points) as loaded, in any CRS. A ``datum_in`` column (facility
        layers have one) gives the declared datum when ``declared`` is None. Not changed.
    streets : GeoDataFrame or GeoSeries
        Street lines in any CRS (a ``name`` column enables ``name_column``). Not changed.
    declared : str, optional
        The datum the points were declared in (default: ``datum_in``, else WGS84).
    name_column : str, optional
        A column of the points (name or address) that may mention a street by name
        (``"历山路123号"``): those points are measured to that street; when fewer than
        ``min_points`` do, every point is measured to the nearest street.
    min_offset_m : float
        Below this median distance the declared datum is not questioned (facilities sit a few
        tens of metres from the street line).
    ratio : float
        How many times closer another datum must bring the points.
    min_points : int
        Fewer measurable points than this: no verdict.
    max_points : int
        At most this many points are measured (evenly spaced through the layer).
    source : str
        Name of the layer in the message.

    Returns
    -------
    DatumCheck

    Raises
    ------
    CRSError
        Either layer has no CRS.
    LayerError
        ``name_column`` is not a column of ``points``, or the street layer has no lines.
    """
    # Long on purpose: the datum test is one measurement (match names, measure offsets
    # under each datum, decide, word the advice); its steps share the matched pairs.
    require_crs(points, what=f"{source} (points)")
    require_crs(streets, what="the street layer")
    d0 = _declared_datum(points, declared)
    if name_column is not None and (
        not isinstance(points, gpd.GeoDataFrame) or name_column not in points.columns
    ):
        raise LayerError(
            f"{source}: name_column={name_column!r} is not a column of the points; give the "
            "column holding names or addresses, or leave it out."
        )
    frame = streets if isinstance(streets, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=streets)
    lines = frame.to_crs(ANALYSIS_CRS)
    lines = lines[~(lines.geometry.is_empty | lines.geometry.isna())]
    if lines.empty:
        raise LayerError(
            "the street layer has no lines to measure against; load streets first "
            "(jinan_gis.layers.streets.load_streets)."
        )
    lonlat, rows = _point_xy(points)
    if len(rows) > max_points:
        pick = np.unique(np.linspace(0, len(rows) - 1, max_points).round().astype(np.int64))
        lonlat, rows = lonlat[pick], rows[pick]
    # the numbers as they were in the file, then each reading of them, in metres
    raw_lon, raw_lat = convert(lonlat[:, 0], lonlat[:, 1], src="wgs84", dst=d0)
    xy: dict[str, npt.NDArray[np.float64]] = {}
    for d in DATUMS:
        lon, lat = convert(raw_lon, raw_lat, src=d, dst="wgs84")
        xy[d] = np.column_stack(_TO_M.transform(np.asarray(lon), np.asarray(lat)))
    minx, miny, maxx, maxy = lines.total_bounds
    pad = 2000.0
    near = (
        (xy[d0][:, 0] >= minx - pad) & (xy[d0][:, 0] <= maxx + pad)
        & (xy[d0][:, 1] >= miny - pad) & (xy[d0][:, 1] <= maxy + pad)
    )
    measured_to = "the nearest street"
    named, target = np.zeros(len(rows), dtype=bool), None
    if name_column is not None and "name" in lines.columns:
        texts = points[name_column].iloc[rows].reset_index(drop=True)  # type: ignore[index]
        named, target = _named_targets(texts, lines)
        named &= near
    if target is not None and int(named.sum()) >= min_points:
        use = named
        measured_to = "the streets they name"
    else:
        use = near
    n = int(use.sum())
    if n < min_points:
        msg = (
            f"{source}: only {n} point(s) lie within {pad:.0f} m of the street layer; too few "
            f"to check the datum (at least {min_points} needed)"
        )
        log.info("%s", msg)
        return DatumCheck(declared=d0, n_points=n, measured_to=measured_to, message=msg)
    tree = shapely.STRtree(lines.geometry.to_numpy())
    median: dict[str, float] = {}
    for d in DATUMS:
        pts = shapely.points(xy[d][use])
        if measured_to == "the streets they name":
            dist = shapely.distance(target[use], pts)  # type: ignore[index]
        else:
            (_, _), dist = tree.query_nearest(pts, return_distance=True, all_matches=False)
        median[d] = float(np.median(dist))
    others = [d for d in DATUMS if d != d0]
    best = min(others, key=lambda d: median[d])
    suggested = (
        best
        if median[d0] >= min_offset_m and median[best] * ratio <= median[d0]
        else None
    )
    if suggested is not None:
        msg = (
            f"{source}: points sit a median {median[d0]:.0f} m from {measured_to} as declared "
            f"({DATUM_LABELS[d0]}); converting from {DATUM_LABELS[suggested]} would bring them "
            f"to {median[suggested]:.0f} m: declare datum='{suggested}'"
        )
        log.warning("%s", msg)
    else:
        msg = (
            f"{source}: points sit a median {median[d0]:.0f} m from {measured_to} as declared "
            f"({DATUM_LABELS[d0]}); "
            + ", ".join(f"{DATUM_LABELS[d]} {median[d]:.0f} m" for d in others)
            + ": no sign of a datum mix-up"
        )
        log.info("%s", msg)
    return DatumCheck(
        declared=d0,
        median_m=median,
        suggested=suggested,
        n_points=n,
        measured_to=measured_to,
        message=msg,
    )
