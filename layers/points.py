"""Placing points: coordinate columns (lon/lat or x/y) -> positions in EPSG:4548.

The loaders of facilities and population points share one pipeline, :func:`read_point_rows`:

1. read the rows (:func:`~jinan_gis.layers.tables.read_table` for ``.csv``/``.tsv``/``.txt``/
   ``.xlsx``/``.xlsm``/``.xls``, :func:`~jinan_gis.layers.tables.read_vector` for shapefiles,
   GeoPackages, GeoJSON...; or take a (Geo)DataFrame);
2. find the coordinate columns (:func:`find_coordinate_columns`: 经度/纬度, lng/lat, lon/lat,
   longitude/latitude, x/y, 坐标X/坐标Y, POINT_X/POINT_Y, or one ``"lon,lat"`` column such as
   Amap's ``location``) and parse them (:func:`parse_coordinates`);
3. convert the declared datum (WGS84, GCJ-02 = Amap/Tencent, BD-09 = Baidu) to WGS84 with
   :mod:`jinan_gis.geo.datum`, test each point against
   :data:`~jinan_gis.geo.crs.JINAN_BOUNDS_LONLAT` ("outside Jinan") and the real Licheng and
   Shizhong polygons plus 2 km (:mod:`~jinan_gis.layers.district_check`), and project to
   EPSG:4548 (:func:`locate`).

Each row gets a position or a rejection reason (:data:`REASONS`); nothing is dropped silently.
Reading files (encodings, sheets, layers) is :mod:`jinan_gis.layers.tables`' job.

Decisions
---------
* **A datum is required for tables** (Amap and Baidu exports are not WGS84 and nothing in the
  numbers says so): :class:`~jinan_gis.geo.errors.DatumError` names the fix. Vector files
  default to WGS84 (their CRS says so); declare ``datum="gcj02"`` for Amap layers that carry
  EPSG:4326 labels over GCJ-02 numbers.
* **Swapped latitude/longitude**: a row whose numbers only land in Jinan once swapped is
  rejected with reason ``"lat/lon swapped?"``; if *every* row with finite coordinates is
  swapped, the columns are mislabelled and the whole file is refused
  (:class:`~jinan_gis.geo.errors.InputDataError` naming ``lon_column=``/``lat_column=``).
* Projected numbers in a table without ``crs=`` (every |value| > 360) refuse the file with
  :class:`~jinan_gis.geo.errors.CRSError` naming the CRS they fit
  (:func:`~jinan_gis.geo.crs.fitting_crs`: EPSG:4548, 4527, 3857 for Web Mercator...), else
  ``crs="EPSG:4548"``/``"EPSG:4527"``.
* MultiPoints become one row per point and repeated rows are flagged
  (:mod:`~jinan_gis.layers.point_rows`).

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"名称": ["泉城广场", "坏行"], "经度": ["117.0205", "abc"],
...                    "纬度": [36.6617, 36.6]})
>>> rows = read_point_rows(df, datum="wgs84")
>>> rows.reason.tolist(), rows.provenance["lon_column"]
([None, 'non-numeric coordinates'], '经度')
>>> round(float(rows.x_m[0])), round(float(rows.y_m[0]))
(501833, 4058969)
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from ..geo.crs import (
    ANALYSIS_CRS,
    JINAN_BOUNDS_LONLAT,
    check_coordinates_plausible,
    crs_fix,
    describe_crs,
    fitting_crs,
    parse_crs,
)
from ..geo.datum import convert, normalize_datum
from ..geo.errors import CRSError, DatumError, InputDataError
from ..geo.missing import is_missing
from .district_check import REASON_OUTSIDE_DISTRICTS, in_study_area
from .point_rows import explode_multipoints
from .tables import (
    LAT_NAMES,
    LON_NAMES,
    LONLAT_NAMES,
    CoordinateColumns,
    find_coordinate_columns,
    is_table,
    read_table,
    read_vector_checked,
)

__all__ = [
    "LAT_NAMES",
    "LONLAT_NAMES",
    "LON_NAMES",
    "REASONS",
    "CoordinateColumns",
    "PointRows",
    "find_coordinate_columns",
    "locate",
    "parse_coordinates",
    "point_coordinates",
    "read_point_rows",
]

log = logging.getLogger(__name__)

REASON_MISSING = "missing coordinates"
REASON_NON_NUMERIC = "non-numeric coordinates"
REASON_NON_FINITE = "non-finite coordinates (NaN/inf)"
REASON_SWAPPED = "lat/lon swapped?"
REASON_OUTSIDE = "outside Jinan"
REASON_EMPTY = "empty geometry"
REASONS: tuple[str, ...] = (
    REASON_MISSING,
    REASON_NON_NUMERIC,
    REASON_NON_FINITE,
    REASON_SWAPPED,
    REASON_OUTSIDE,
    REASON_OUTSIDE_DISTRICTS,
    REASON_EMPTY,
)
"""Rejection reasons of the point pipeline, in the order they are tested."""

_DATUM_FIX = (
    'Declare the datum of the coordinates (command line --datum NAME): datum="gcj02" for '
    'Amap/Gaode/Tencent exports, datum="bd09" for Baidu, datum="wgs84" for GPS, '
    "OpenStreetMap or official CGCS2000 data."
)
_NAN_WORDS = frozenset({"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "-infinity"})


def _parse_numbers(values: pd.Series) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.object_]]:
    """Parse one coordinate column: floats and a per-row reason (None where fine)."""
    raw = values.astype(object)
    text = raw.map(lambda v: v.strip() if isinstance(v, str) else v)
    missing = text.isna().to_numpy(dtype=bool) | text.map(
        lambda v: isinstance(v, str) and v == ""
    ).to_numpy(dtype=bool)
    nums = pd.to_numeric(text.where(~missing, None), errors="coerce").to_numpy(dtype=np.float64)
    words = text.map(lambda v: isinstance(v, str) and v.casefold() in _NAN_WORDS).to_numpy(
        dtype=bool
    )
    reason = np.full(len(values), None, dtype=object)
    non_finite = ~missing & (words | np.isinf(nums))
    non_numeric = ~missing & ~non_finite & np.isnan(nums)
    reason[non_finite] = REASON_NON_FINITE
    reason[non_numeric] = REASON_NON_NUMERIC
    reason[missing] = REASON_MISSING
    return nums, reason


def _merge_reasons(*reasons: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """Per row, the first non-None reason in ``REASONS`` order."""
    out = np.full(len(reasons[0]), None, dtype=object)
    for r in REASONS:
        for arr in reasons:
            hit = (arr == r) & np.equal(out, None)
            out[hit] = r
    return out


def parse_coordinates(
    frame: pd.DataFrame, columns: CoordinateColumns
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.object_]]:
    """Parse the coordinate columns of ``frame``: ``(x, y, reason)``, reason None where fine.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"loc": ["117.0,36.6", "117.1", None, "inf,36"]})
    >>> x, y, why = parse_coordinates(df, CoordinateColumns(combined="loc"))
    >>> x[0], why.tolist()
    (np.float64(117.0), [None, 'non-numeric coordinates', 'missing coordinates',
                         'non-finite coordinates (NaN/inf)'])
    """
    if columns.combined is not None:
        col = frame[columns.combined].astype(object)
        parts = col.map(
            lambda v: re.split(r"[,，;\s]+", v.strip()) if isinstance(v, str) and v.strip() else v
        )
        ok = parts.map(lambda p: isinstance(p, list) and len(p) == 2)

        def pick(i: int) -> pd.Series:
            vals = [
                p[i] if good else (None if is_missing(p) else "?")
                for p, good in zip(parts, ok, strict=True)
            ]
            return pd.Series(vals, index=frame.index, dtype=object)

        xs, ys = pick(0), pick(1)
    else:
        xs, ys = frame[columns.lon], frame[columns.lat]
    x, rx = _parse_numbers(xs)
    y, ry = _parse_numbers(ys)
    return x, y, _merge_reasons(rx, ry)



# ----------------------------------------------------------------------------- positioning


def _in_jinan(lon: npt.NDArray[np.float64], lat: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    min_lon, min_lat, max_lon, max_lat = JINAN_BOUNDS_LONLAT
    with np.errstate(invalid="ignore"):
        return (lon >= min_lon) & (lon <= max_lon) & (lat >= min_lat) & (lat <= max_lat)


def _to_lonlat(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], *, crs: CRS | None, datum: str
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """WGS84 lon/lat of the finite points (NaN elsewhere)."""
    lon = np.full(len(x), np.nan)
    lat = np.full(len(x), np.nan)
    fin = np.isfinite(x) & np.isfinite(y)
    if crs is None or crs.is_geographic:
        # only degrees are converted; anything else stays as it is (and lands outside Jinan)
        with np.errstate(invalid="ignore"):
            deg = fin & (np.abs(x) <= 180) & (np.abs(y) <= 90)
        lon[fin & ~deg] = x[fin & ~deg]
        lat[fin & ~deg] = y[fin & ~deg]
        if deg.any():
            a, b = convert(x[deg], y[deg], src=datum, dst="wgs84")
            lon[deg] = np.asarray(a, dtype=np.float64)
            lat[deg] = np.asarray(b, dtype=np.float64)
        return lon, lat
    if not fin.any():
        return lon, lat
    tr = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    with np.errstate(all="ignore"):
        a, b = tr.transform(x[fin], y[fin], errcheck=False)
    lon[fin] = np.asarray(a, dtype=np.float64)
    lat[fin] = np.asarray(b, dtype=np.float64)
    return lon, lat


def locate(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    datum: str,
    crs: Any | None = None,
    source: str = "this table",
    whole_file_checks: bool = True,
    districts: bool = True,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.object_]]:
    """Place parsed coordinates in EPSG:4548: ``(x_m, y_m, reason)``.

    ``x``/``y`` are longitude/latitude in ``datum`` (``crs`` None or geographic) or
    coordinates in the projected ``crs`` (then ``datum`` must be WGS84/CGCS2000). NaN input
    gives NaN output with no reason (the caller's parse reasons come first). Rows only in
    Jinan once swapped get ``"lat/lon swapped?"``; rows outside
    :data:`~jinan_gis.geo.crs.JINAN_BOUNDS_LONLAT` after datum conversion get
    ``"outside Jinan"``; rows in Jinan but beyond 2 km of Licheng and Shizhong get
    :data:`~jinan_gis.layers.district_check.REASON_OUTSIDE_DISTRICTS` (``districts=False``
    keeps every row in Jinan, for callers that clip to an area of their own).

    Raises
    ------
    InputDataError
        Every finite row is swapped (the columns are mislabelled), when ``whole_file_checks``.
    CRSError
        Every finite row is beyond 360 (projected numbers) and no projected ``crs`` is given;
        or, when ``whole_file_checks``, the numbers contradict a projected ``crs`` (degrees,
        eastings with the zone prefix 39 under EPSG:4548 or without it under EPSG:4527).
    DatumError
        A GCJ-02/BD-09 datum with a projected ``crs``.

    Examples
    --------
    >>> x, y, why = locate([117.0205, 36.6617, 120.0], [36.6617, 117.0205, 30.0],
    ...                    datum="wgs84", whole_file_checks=False)
    >>> round(float(x[0])), why.tolist()
    (501833, [None, 'lat/lon swapped?', 'outside Jinan'])
    >>> locate([117.1], [36.2], datum="wgs84")[2].tolist()  # Tai'an: in Jinan's box, not ours
    ['outside Licheng and Shizhong (+2 km)']
    """
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    d = normalize_datum(datum)
    c = None if crs is None else parse_crs(crs)
    if c is not None and not c.is_geographic and d != "wgs84":
        raise DatumError(
            f"{source}: datum {datum!r} applies to longitude/latitude only, but the "
            f"coordinates are declared projected ({describe_crs(c)}). Projected Chinese data "
            'is CGCS2000: declare datum="wgs84", or give lon/lat columns with the datum.'
        )
    finite = np.isfinite(xs) & np.isfinite(ys)
    if whole_file_checks and finite.any() and c is not None and not c.is_geographic:
        # projected columns: the usual mix-ups (degrees, a missing or extra zone prefix)
        check_coordinates_plausible(
            gpd.GeoSeries(gpd.points_from_xy(xs[finite], ys[finite]), crs=c), source=source
        )
    if whole_file_checks and finite.any() and (c is None or c.is_geographic):
        big = np.maximum(np.abs(xs[finite]), np.abs(ys[finite])) > 360
        fit = fitting_crs(xs[finite], ys[finite]) if big.all() else None
        if fit is not None:
            raise CRSError(
                f"{source}: the coordinates are not longitude/latitude (x "
                f"{np.min(xs[finite]):.0f}..{np.max(xs[finite]):.0f}, y "
                f"{np.min(ys[finite]):.0f}..{np.max(ys[finite]):.0f}); they fit EPSG:{fit[0]}"
                f"{' with x and y swapped' if fit[1] else ''}: {crs_fix(*fit, table=True)}, "
                "with --datum wgs84 / datum='wgs84'."
            )
        if big.all():
            raise CRSError(
                f"{source}: the coordinates look projected (x {np.min(xs[finite]):.0f}.."
                f"{np.max(xs[finite]):.0f}), not longitude/latitude. Declare the CRS: "
                "EPSG:4548 (CGCS2000 Gauss-Kruger CM 117E, eastings about 500000) or EPSG:4527 "
                "(eastings about 39500000), with datum wgs84 (command line: --crs EPSG:4548 "
                "--datum wgs84; Python: crs='EPSG:4548', datum='wgs84')."
            )
    lon, lat = _to_lonlat(xs, ys, crs=c, datum=d)
    inside = _in_jinan(lon, lat)
    slon, slat = _to_lonlat(ys, xs, crs=c, datum=d)
    swapped = finite & ~inside & _in_jinan(slon, slat)
    outside = finite & ~inside & ~swapped
    if whole_file_checks and finite.any() and swapped[finite].all():
        raise InputDataError(
            f"{source}: every row's longitude and latitude look swapped (the 'longitude' "
            f"column holds values about {np.nanmedian(xs[finite]):.4g}, the 'latitude' column "
            f"about {np.nanmedian(ys[finite]):.4g}). Name them the right way round: "
            "--lon-column <the column with values about 117> --lat-column <about 36.6> "
            "(lon_column=, lat_column=)."
        )
    reason = np.full(len(xs), None, dtype=object)
    reason[swapped] = REASON_SWAPPED
    reason[outside] = REASON_OUTSIDE
    ok = finite & inside
    x_m = np.full(len(xs), np.nan)
    y_m = np.full(len(xs), np.nan)
    if ok.any():
        tr = Transformer.from_crs("EPSG:4326", ANALYSIS_CRS, always_xy=True)
        x_m[ok], y_m[ok] = tr.transform(lon[ok], lat[ok])
    if districts:
        far = ok & ~in_study_area(x_m, y_m)
        reason[far] = REASON_OUTSIDE_DISTRICTS
        x_m[far] = np.nan
        y_m[far] = np.nan
    return x_m, y_m, reason


# ------------------------------------------------------------------------------ point rows


@dataclass(frozen=True)
class PointRows:
    """Rows read from a point source, each placed in EPSG:4548 or given a rejection reason.

    Attributes
    ----------
    rows : pandas.DataFrame
        The original attributes (RangeIndex = 0-based input row); for vector sources a
        ``wkt`` column holds the original geometry.
    x_m, y_m : numpy.ndarray
        EPSG:4548 coordinates (NaN where rejected).
    reason : numpy.ndarray of object
        None where the row is placed, else the rejection reason.
    provenance : dict
        ``source``, ``path``, ``format``, ``encoding``, ``datum``, ``crs_in``, coordinate
        columns...
    feature_row, part : numpy.ndarray of int, optional
        When MultiPoints were exploded (:mod:`~jinan_gis.layers.point_rows`): the 0-based
        input row (feature) of each row, and its point number (-1: not a MultiPoint).
        None: one row per input row.
    """

    rows: pd.DataFrame
    x_m: npt.NDArray[np.float64]
    y_m: npt.NDArray[np.float64]
    reason: npt.NDArray[np.object_]
    provenance: dict[str, Any] = field(default_factory=dict)
    feature_row: npt.NDArray[np.int64] | None = None
    part: npt.NDArray[np.int64] | None = None

    @property
    def ok(self) -> npt.NDArray[np.bool_]:
        """Rows that were placed."""
        return np.equal(self.reason, None)

    @property
    def input_rows(self) -> npt.NDArray[np.int64]:
        """The 0-based input row (feature) of each row."""
        if self.feature_row is None:
            return np.arange(len(self.rows), dtype=np.int64)
        return self.feature_row

    @property
    def n_input(self) -> int:
        """Input rows (features; an exploded MultiPoint counts once)."""
        return int(self.provenance.get("n_features", len(self.rows)))

    def row_ids(self, stem: str) -> list[str]:
        """Default ids: ``"<stem>:<input row>"``, ``"<stem>:<input row>.<point>"`` for the
        points of a MultiPoint."""
        parts = self.part if self.part is not None else np.full(len(self.rows), -1)
        return [f"{stem}:{r}" if k < 0 else f"{stem}:{r}.{k}"
                for r, k in zip(self.input_rows.tolist(), parts.tolist(), strict=True)]


def point_coordinates(
    geoms: npt.NDArray[np.object_],
) -> tuple[
    npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.bool_], npt.NDArray[np.bool_]
]:
    """The x/y of each geometry, polygons and lines placed at a point inside them.

    Returns ``(x, y, empty, not_point)``: NaN coordinates where the geometry is missing or
    empty (``empty``); ``not_point`` marks the polygons and lines placed by
    ``shapely.point_on_surface``.

    Examples
    --------
    >>> import numpy as np
    >>> from shapely.geometry import Point, Polygon, box
    >>> x, y, empty, moved = point_coordinates(np.array([Point(1, 2), box(0, 0, 2, 2),
    ...                                                  Polygon()], dtype=object))
    >>> x.tolist(), empty.tolist(), moved.tolist()
    ([1.0, 1.0, nan], [False, False, True], [False, True, False])
    """
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    pts = np.asarray(geoms, dtype=object).copy()
    not_point = ~empty & (shapely.get_type_id(geoms) != 0)
    pts[not_point] = shapely.point_on_surface(geoms[not_point])
    x = np.full(len(geoms), np.nan)
    y = np.full(len(geoms), np.nan)
    x[~empty] = shapely.get_x(pts[~empty])
    y[~empty] = shapely.get_y(pts[~empty])
    return x, y, empty, not_point


def _source_name(src: Any, source_name: str | None, default: str) -> str:
    if source_name:
        return source_name
    if isinstance(src, str | Path):
        return Path(src).name
    return default


def read_point_rows(
    src: str | Path | pd.DataFrame,
    *,
    datum: str | None = None,
    lon_column: Any | None = None,
    lat_column: Any | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    layer: str | int | None = None,
    crs: Any | None = None,
    source_name: str | None = None,
    lonlat_column: Any | None = None,
    sep: str | None = None,
    decimal: str = ".",
    header_row: int | None = None,
) -> PointRows:
    """Read points from a table, a vector file or a (Geo)DataFrame and place them in EPSG:4548.

    Tables (CSV/Excel files, plain DataFrames) need ``datum``; their coordinate columns are
    found by name (:func:`find_coordinate_columns`) and ``crs`` declares projected columns.
    Vector sources (files, GeoDataFrames) need a CRS (``crs`` declares it where the file has
    none, e.g. a shapefile without ``.prj``); non-point geometries become a representative
    point, MultiPoints one row per point (:mod:`~jinan_gis.layers.point_rows`); ``datum``
    defaults to WGS84. ``sep``, ``decimal``, ``header_row`` and ``sheet`` are
    :func:`~jinan_gis.layers.table_files.read_table`'s; ``lonlat_column`` names one
    ``"lon,lat"`` column. The input is never changed.

    Raises
    ------
    DatumError, CRSError, InputDataError
        See the module notes; messages name the file and the fix.

    Examples
    --------
    >>> import pandas as pd
    >>> read_point_rows(pd.DataFrame({"lng": [117.0], "lat": [36.6]}))
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.DatumError: table: no datum declared. Declare the datum ...
    """
    source = _source_name(
        src, source_name, "table" if not isinstance(src, gpd.GeoDataFrame) else "layer"
    )
    prov: dict[str, Any] = {"source": source}
    if isinstance(src, str | Path):
        prov["path"] = str(Path(src).resolve())
    vector = isinstance(src, gpd.GeoDataFrame) or (
        isinstance(src, str | Path) and not is_table(src)
    )
    if vector:
        return _vector_rows(
            src, datum=datum, encoding=encoding, layer=layer, crs=crs, source=source, prov=prov
        )
    if datum is None:
        raise DatumError(f"{source}: no datum declared. {_DATUM_FIX}")
    if isinstance(src, pd.DataFrame):
        frame = src.reset_index(drop=True)
        prov["format"] = "dataframe"
    else:
        frame, info = read_table(src, encoding=encoding, sheet=sheet, sep=sep,
                                 decimal=decimal, header_row=header_row)
        prov.update(info)
    cols = find_coordinate_columns(
        list(frame.columns), lon_column=lon_column, lat_column=lat_column,
        lonlat_column=lonlat_column, source=source,
    )
    x, y, parse_reason = parse_coordinates(frame, cols)
    x_m, y_m, loc_reason = locate(x, y, datum=datum, crs=crs, source=source)
    prov.update(
        datum=normalize_datum(datum),
        crs_in=describe_crs(crs) if crs is not None else "longitude/latitude",
        coordinate_columns=cols.describe(),
        lon_column=cols.lon if cols.combined is None else cols.combined,
        lat_column=cols.lat if cols.combined is None else cols.combined,
    )
    return PointRows(frame.copy(), x_m, y_m, _merge_reasons(parse_reason, loc_reason), prov)


def _vector_rows(
    src: str | Path | gpd.GeoDataFrame,
    *,
    datum: str | None,
    encoding: str | None,
    layer: str | int | None,
    crs: Any | None,
    source: str,
    prov: dict[str, Any],
) -> PointRows:
    gdf, info = read_vector_checked(src, encoding=encoding, layer=layer, crs=crs, source=source)
    info.pop("crs_in")  # set below, after the datum
    prov.update(info)
    d = normalize_datum(datum) if datum is not None else "wgs84"
    file_crs = CRS.from_user_input(gdf.crs)
    attrs, geoms, feature_row, part, exploded = explode_multipoints(
        pd.DataFrame(gdf.drop(columns=gdf.geometry.name)), gdf.geometry.to_numpy(),
        source=source,
    )
    x, y, empty, not_point = point_coordinates(geoms)
    if not_point.any():
        log.info(
            "%s: %d polygon/line feature(s) placed at a point inside them "
            "(provenance n_polygons_or_lines_to_points)",
            source,
            int(not_point.sum()),
        )
    lonlat_crs = None if file_crs.is_geographic else file_crs
    if file_crs.is_geographic and file_crs.to_epsg() not in (4326, 4490):
        tr = Transformer.from_crs(file_crs, "EPSG:4326", always_xy=True)
        x, y = (np.asarray(a, dtype=np.float64) for a in tr.transform(x, y))
    x_m, y_m, loc_reason = locate(
        x, y, datum=d, crs=lonlat_crs, source=source, whole_file_checks=False
    )
    reason = np.full(len(geoms), None, dtype=object)
    reason[empty] = REASON_EMPTY
    bad = np.equal(reason, None) & ~(np.isfinite(x) & np.isfinite(y))
    reason[bad] = REASON_NON_FINITE
    reason = _merge_reasons(reason, loc_reason)
    rows = attrs.copy()
    rows["wkt"] = shapely.to_wkt(geoms)
    prov.update(
        datum=d,
        datum_declared=datum is not None,
        crs_in=describe_crs(file_crs),
        n_polygons_or_lines_to_points=int(not_point.sum()),
        n_features=len(gdf),
        multipoints_exploded=exploded,
    )
    if not exploded:
        return PointRows(rows, x_m, y_m, reason, prov)
    return PointRows(rows, x_m, y_m, reason, prov, feature_row=feature_row, part=part)
