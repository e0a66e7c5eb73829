"""Reading tables: CSV/Excel tables and vector files (GBK-aware), their columns and sheets.

:func:`read_table` reads ``.csv``/``.tsv``/``.txt``/``.xlsx``/``.xlsm``/``.xls`` files as
text, :func:`read_vector` shapefiles, GeoPackages, GeoJSON... with pyogrio, and
:func:`read_vector_checked` also makes sure a vector layer's CRS is declared and plausible.
Column names are matched loosely (:func:`normalize_column`, :func:`find_column`), the
coordinate columns by :func:`find_coordinate_columns`. Placing the rows' coordinates is
:mod:`jinan_gis.layers.points`' job (:func:`read_point_rows`, :func:`locate`,
:class:`PointRows`...; those names still import from here).

Decisions
---------
* Text encodings are detected (:mod:`~jinan_gis.layers.encoding`: UTF-8 with or without
  BOM, UTF-16, GBK/GB18030 or Big5; refused when GBK and Big5 are equally plausible);
  ``encoding=`` overrides; a shapefile's ``.cpg`` is read (code pages such as ``936``).
* Table files (:func:`read_table`, :mod:`~jinan_gis.layers.table_files`): ``sep``,
  ``decimal``, ``header_row`` and ``sheet`` are given or sniffed; an ``.xlsx`` renamed
  ``.csv`` is read as a workbook.
* A file without rows (features) is refused with
  :class:`~jinan_gis.geo.errors.LayerError` (a failed export or the wrong sheet/layer); an
  in-memory (Geo)DataFrame without rows gives an empty layer.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "poi.csv"
>>> _ = p.write_bytes("名称,lng,lat\\n泉城广场,117.0205,36.6617\\n".encode("gbk"))
>>> df, info = read_table(p)
>>> find_column(df.columns, NAME_NAMES), info["encoding"]
('名称', 'gb18030')
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import shapely
from pyproj import CRS

from ..geo.crs import check_coordinates_plausible, describe_crs, parse_crs
from ..geo.errors import CRSError, InputDataError, LayerError
from ..geo.missing import is_missing
from .encoding import check_encoding, python_encoding
from .table_files import read_table
from .vector_files import shapefile_encodings, vector_source

__all__ = [
    "LAT_NAMES",
    "LONLAT_NAMES",
    "LON_NAMES",
    "NAME_NAMES",
    "TABLE_SUFFIXES",
    "CoordinateColumns",
    "check_encoding",
    "clean_text",
    "find_column",
    "find_coordinate_columns",
    "is_table",
    "normalize_column",
    "polygonal_part",
    "read_table",
    "read_vector",
    "read_vector_checked",
    "require_geometry",
    "usable_polygon",
]

log = logging.getLogger(__name__)

TABLE_SUFFIXES: tuple[str, ...] = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls")
"""File suffixes read as tables (everything else goes to pyogrio)."""

NAME_NAMES: tuple[str, ...] = (
    "名称",
    "name",
    "namezh",
    "中文名",
    "名字",
    "机构名称",
    "设施名称",
    "单位名称",
    "poi名称",
    "站点名称",
    "医院名称",
    "title",
    "mc",
    "名稱",
    "機構名稱",
    "設施名稱",
)
"""Facility-name column names, normalised, by priority (Traditional forms last)."""

LON_NAMES: tuple[str, ...] = (
    "经度",
    "lon",
    "lng",
    "longitude",
    "long",
    "x",
    "坐标x",
    "x坐标",
    "pointx",
    "xcoord",
    "横坐标",
    "东经",
    "經度",
    "坐標x",
    "東經",
)
"""Longitude / easting column names, normalised (:func:`normalize_column`), by priority."""

LAT_NAMES: tuple[str, ...] = (
    "纬度",
    "lat",
    "latitude",
    "y",
    "坐标y",
    "y坐标",
    "pointy",
    "ycoord",
    "纵坐标",
    "北纬",
    "緯度",
    "坐標y",
    "北緯",
)
"""Latitude / northing column names, normalised, by priority."""

LONLAT_NAMES: tuple[str, ...] = (
    "location",
    "经纬度",
    "lnglat",
    "lonlat",
    "坐标",
    "经纬度坐标",
    "coordinates",
    "位置",
    "經緯度",
    "坐標",
)
"""Names of single ``"lon,lat"`` columns (Amap's ``location``), normalised."""


_DATUM_TOKENS = re.compile(r"wgs84|wgs|gcj02|gcj|bd09|bd|gps|amap|baidu|gaode")
_BRACKETED = re.compile(r"[（(【\[][^）)】\]]*[)）】\]]")
_SEPARATORS = re.compile(r"[\s_\-.:：/]+")


# ---------------------------------------------------------------------------------- columns


def normalize_column(name: Any) -> str:
    """Normalise a column name for matching: casefold, drop brackets, datum tags, separators.

    Examples
    --------
    >>> normalize_column("经度(GCJ02)"), normalize_column("lng_gcj02"), normalize_column("POINT_X")
    ('经度', 'lng', 'pointx')
    >>> normalize_column("坐标X"), normalize_column(" WGS84 Lat ")
    ('坐标x', 'lat')
    """
    text = _BRACKETED.sub("", str(name).casefold())
    text = _SEPARATORS.sub("", text)
    stripped = _DATUM_TOKENS.sub("", text)
    return stripped or text


def find_column(columns: Sequence[Any], names: Sequence[str]) -> Any | None:
    """Return the first of ``columns`` whose normalised name is in ``names`` (by priority).

    Examples
    --------
    >>> find_column(["ID", "Name", "名称"], NAME_NAMES)
    '名称'
    >>> find_column(["a"], NAME_NAMES) is None
    True
    """
    norm = {normalize_column(c): c for c in reversed(list(columns))}
    for n in names:
        if n in norm:
            return norm[n]
    return None


@dataclass(frozen=True)
class CoordinateColumns:
    """Where the coordinates are: two columns, or one ``"lon,lat"`` column (``combined``)."""

    lon: Any | None = None
    lat: Any | None = None
    combined: Any | None = None

    def describe(self) -> str:
        """Column names in words, for provenance."""
        if self.combined is not None:
            return f"{self.combined} (lon,lat)"
        return f"{self.lon}/{self.lat}"


def find_coordinate_columns(
    columns: Sequence[Any],
    *,
    lon_column: Any | None = None,
    lat_column: Any | None = None,
    lonlat_column: Any | None = None,
    source: str = "this table",
) -> CoordinateColumns:
    """Find the longitude/latitude (or x/y) columns among ``columns``.

    Explicit ``lonlat_column`` (one ``"lon,lat"`` column) or ``lon_column``/``lat_column``
    win; otherwise the usual names (:data:`LON_NAMES`,
    :data:`LAT_NAMES`) are looked up, then a single ``"lon,lat"`` column
    (:data:`LONLAT_NAMES`). Raises :class:`~jinan_gis.geo.errors.InputDataError` listing the
    columns found and the names looked for.

    Examples
    --------
    >>> find_coordinate_columns(["名称", "lng", "lat"])
    CoordinateColumns(lon='lng', lat='lat', combined=None)
    >>> find_coordinate_columns(["name", "location"]).combined
    'location'
    >>> find_coordinate_columns(["name", "addr"], source="poi.csv")
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.InputDataError: poi.csv: no longitude/latitude columns. ...
    """
    cols = list(columns)
    if lonlat_column is not None:
        if lon_column is not None or lat_column is not None:
            raise InputDataError(
                f"{source}: give either --lonlat-column (lonlat_column=) or --lon-column and "
                "--lat-column (lon_column=, lat_column=), not both."
            )
        if lonlat_column not in cols:
            raise InputDataError(
                f"{source}: column {lonlat_column!r} not found. Columns found: {cols}. Name "
                "the 'lon,lat' column exactly: --lonlat-column NAME / lonlat_column='NAME'."
            )
        return CoordinateColumns(combined=lonlat_column)
    if (lon_column is None) != (lat_column is None):
        raise InputDataError(
            f"{source}: give both --lon-column and --lat-column (lon_column=, lat_column=; "
            f"got lon_column={lon_column!r}, lat_column={lat_column!r}). Columns found: {cols}."
        )
    if lon_column is not None:
        missing = [c for c in (lon_column, lat_column) if c not in cols]
        if missing:
            raise InputDataError(
                f"{source}: column(s) {missing} not found. Columns found: {cols}. Name the "
                "exact columns: --lon-column X --lat-column Y (lon_column=, lat_column=)."
            )
        if lon_column == lat_column:
            return CoordinateColumns(combined=lon_column)
        return CoordinateColumns(lon=lon_column, lat=lat_column)
    lon = find_column(cols, LON_NAMES)
    lat = find_column(cols, LAT_NAMES)
    if lon is not None and lat is not None:
        others = [
            c
            for c in cols
            if c not in (lon, lat) and normalize_column(c) in (*LON_NAMES, *LAT_NAMES)
        ]
        if others:
            log.warning(
                "%s: using %s/%s as longitude/latitude; %s look like coordinates too "
                "(--lon-column/--lat-column, lon_column=/lat_column= to choose)",
                source,
                lon,
                lat,
                others,
            )
        return CoordinateColumns(lon=lon, lat=lat)
    combined = find_column(cols, LONLAT_NAMES)
    if combined is not None:
        return CoordinateColumns(combined=combined)
    raise InputDataError(
        f"{source}: no longitude/latitude columns. Columns found: {cols}. Looked for longitude "
        f"in {list(LON_NAMES)}, latitude in {list(LAT_NAMES)} and one 'lon,lat' column in "
        f"{list(LONLAT_NAMES)} (case, spaces, brackets and datum tags such as _gcj02 ignored). "
        "Name them: --lon-column X --lat-column Y (lon_column=, lat_column=), or one "
        "'lon,lat' column with --lonlat-column NAME (lonlat_column=)."
    )


# ---------------------------------------------------------------------------------- readers


def _refuse_empty(p: Path, n_rows: int, *, what: str) -> None:
    """A file with nothing in it is almost always a failed export or the wrong sheet/layer."""
    if n_rows == 0:
        raise LayerError(
            f"{p}: the {what} holds no rows. Check that the export finished and that this is "
            "the right file (and --sheet / sheet=, --layer / layer=); an empty layer cannot be "
            "analysed."
        )


def is_table(path: str | Path) -> bool:
    """Tell whether ``path`` is read as a table (by suffix, :data:`TABLE_SUFFIXES`).

    Examples
    --------
    >>> is_table("poi.XLSX"), is_table("clinics.shp")
    (True, False)
    """
    return Path(path).suffix.lower() in TABLE_SUFFIXES


def require_geometry(frame: object, path: str | Path) -> None:
    """Refuse a file read without geometries (a CSV or a table layer given as streets, zones
    or population polygons) with the fix, instead of failing later on a missing ``.crs``.

    Examples
    --------
    >>> import pandas as pd
    >>> require_geometry(pd.DataFrame({"lon": [117.0]}), "roads.csv")
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.InputDataError: roads.csv: holds no geometries (a table without ...
    """
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        return
    raise InputDataError(
        f"{Path(path).name}: holds no geometries (a table without a geometry column). Streets, "
        "zones and population polygons come as a vector file (shapefile, GeoPackage, GeoJSON, "
        "or a CSV with a WKT column); a table of points with longitude/latitude columns "
        "imports with --as facilities or --as population."
    )


def read_vector(
    path: str | Path, *, encoding: str | None = None, layer: str | int | None = None
) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Read a vector file (shapefile, GeoPackage, GeoJSON...) with pyogrio, decoding text right.

    Shapefile attributes: ``encoding``, else the ``.cpg``, else detected from the ``.dbf``
    bytes (UTF-8, GBK/GB18030 or Big5; see :mod:`~jinan_gis.layers.vector_files`). A
    ``.zip`` is looked into (a shapefile in a subfolder is found). A GeoPackage (or zip)
    with several layers needs ``layer``. A layer without features raises
    :class:`~jinan_gis.geo.errors.LayerError`; an unknown ``encoding``
    :class:`~jinan_gis.geo.errors.InputDataError`.

    Returns
    -------
    (geopandas.GeoDataFrame, dict)
        The features (RangeIndex = input row) and what was read (``format``, ``encoding``,
        ``layer``).

    Examples
    --------
    >>> import tempfile, pathlib, geopandas as gpd
    >>> from shapely.geometry import Point
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> gpd.GeoDataFrame({"名称": ["图书馆"]}, geometry=[Point(117, 36.6)],
    ...                  crs="EPSG:4326").to_file(d / "a.shp", encoding="gbk")
    >>> (d / "a.cpg").unlink()
    >>> gdf, info = read_vector(d / "a.shp")
    >>> gdf["名称"].tolist(), info["encoding"]
    (['图书馆'], 'gb18030')
    """
    p = Path(path)
    if not p.exists():
        raise InputDataError(f"{p}: no such file. Check the path.")
    src, layer, where = vector_source(p, layer)
    try:
        layers = pyogrio.list_layers(src)
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise InputDataError(f"{p}: not a readable vector file ({exc}).") from exc
    if layer is None and len(layers) > 1:
        names = [str(n) for n in layers[:, 0]]
        raise InputDataError(
            f"{p}: holds {len(layers)} layers {names}. Name one: --layer NAME / "
            f"layer='NAME' (e.g. --layer {names[0]})."
        )
    if layer is not None and not isinstance(layer, int) and str(layer) not in [
        str(n) for n in layers[:, 0]
    ]:
        raise InputDataError(
            f"{p}: no layer {layer!r}; its layers are {[str(n) for n in layers[:, 0]]}. Name "
            "one with --layer NAME / layer='NAME'."
        )
    enc, how = shapefile_encodings(src, encoding=encoding, source=p.name)
    try:
        gdf = pyogrio.read_dataframe(
            src, layer=layer, encoding=python_encoding(enc) if enc else None
        )
    except UnicodeDecodeError as exc:
        raise InputDataError(
            f"{p}: the attribute text does not decode as {enc} ({exc}). Declare the "
            "encoding: --encoding gbk / encoding='gbk', 'utf-8' or 'big5'."
        ) from exc
    except Exception as exc:
        raise InputDataError(f"{p}: cannot read layer {layer!r} ({exc}).") from exc
    _refuse_empty(p, len(gdf), what="layer" if layer is None else f"layer {layer!r}")
    require_geometry(gdf, p)
    info = {
        "format": pyogrio.read_info(src, layer=layer).get("driver"),
        "encoding": {"cp950": "big5"}.get(enc or "", enc) or "as declared by the file",
        "encoding_from": how,
        "layer": layer,
        **where,
    }
    return gdf.reset_index(drop=True), info


def clean_text(v: Any) -> str | None:
    """A cell as stripped text; None for missing values and empty strings.

    Examples
    --------
    >>> clean_text("  泺源街道 "), clean_text(float("nan")), clean_text("")
    ('泺源街道', None, None)
    """
    if is_missing(v):
        return None
    s = str(v).strip()
    return s or None


def polygonal_part(geom: Any) -> Any:
    """The polygonal part of ``geom`` (e.g. after ``make_valid``) as one geometry, or None."""
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    out = shapely.union_all(parts)
    return None if out.is_empty or out.area <= 0 else out


def usable_polygon(geom: Any) -> tuple[Any, str | None, str | None]:
    """A polygon ready to use, invalid ones repaired: ``(polygon, reason, problem)``.

    ``reason`` (None when usable) rejects empty, non-polygon and unrepairable geometry;
    ``problem`` is what ``shapely.make_valid`` repaired (None for a valid polygon).

    Examples
    --------
    >>> from shapely.geometry import Point, Polygon
    >>> usable_polygon(Point(0, 0))[1]
    'not a polygon (Point)'
    >>> poly, reason, problem = usable_polygon(Polygon([(0, 0), (2, 2), (2, 0), (0, 2)]))
    >>> poly.area, reason, problem
    (2.0, None, 'Self-intersection[1 1]')
    """
    if geom is None or geom.is_empty:
        return None, "empty geometry", None
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return None, f"not a polygon ({geom.geom_type})", None
    if geom.is_valid:
        return geom, None, None
    problem = shapely.is_valid_reason(geom)
    fixed = polygonal_part(shapely.make_valid(geom))
    if fixed is None:
        return None, f"invalid polygon, cannot be repaired ({problem})", problem
    return fixed, None, problem


def read_vector_checked(
    src: str | Path | gpd.GeoDataFrame,
    *,
    encoding: str | None = None,
    layer: str | int | None = None,
    crs: Any | None = None,
    source: str,
) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Read a vector file (or take a GeoDataFrame) and make sure its CRS is declared and
    plausible; the frame keeps its own CRS (callers reproject).

    ``crs`` declares the CRS of a file that has none (a shapefile without ``.prj``), or
    overrides the file's (with a warning when they differ).  Raises
    :class:`CRSError` naming the fix when there is none, or when the coordinates cannot be in
    it (see :func:`~jinan_gis.geo.crs.check_coordinates_plausible`).  ``info`` holds the
    format, path, encoding and the CRS read (``crs_in``).
    """
    if isinstance(src, gpd.GeoDataFrame):
        gdf, info = src.reset_index(drop=True), {"format": "geodataframe"}
    else:
        gdf, info = read_vector(src, encoding=encoding, layer=layer)
        info["path"] = str(Path(src).resolve())
    if crs is not None:
        crs = parse_crs(crs)
        if gdf.crs is not None and CRS.from_user_input(gdf.crs) != crs:
            log.warning("%s: declared crs %s overrides the file's %s", source, crs, gdf.crs)
        gdf = gdf.set_crs(crs, allow_override=True)
    if gdf.crs is None:
        raise CRSError(
            f"{source} has no CRS (a shapefile without .prj?). Declare it with crs=..., e.g. "
            "'EPSG:4548' (CGCS2000 Gauss-Kruger CM 117E), 'EPSG:4527' (eastings 39xxxxxx) or "
            "'EPSG:4326' (longitude/latitude)."
        )
    check_coordinates_plausible(gdf, source=source)
    info["crs_in"] = describe_crs(gdf.crs)
    return gdf, info



# ------------------------------------------------------------- names that moved to points
_IN_POINTS = frozenset(
    {
        "REASONS",
        "REASON_EMPTY",
        "REASON_MISSING",
        "REASON_NON_FINITE",
        "REASON_NON_NUMERIC",
        "REASON_OUTSIDE",
        "REASON_SWAPPED",
        "PointRows",
        "locate",
        "parse_coordinates",
        "read_point_rows",
    }
)


def __getattr__(name: str) -> Any:
    """Coordinate placement moved to :mod:`jinan_gis.layers.points`; its names still import
    from here (``from jinan_gis.layers.tables import REASONS``). Resolved on first use, since
    :mod:`~jinan_gis.layers.points` itself imports this module."""
    if name in _IN_POINTS:
        from . import points

        return getattr(points, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
