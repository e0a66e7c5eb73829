"""Road centreline files from GIS staff (shapefile, GeoPackage, GeoJSON) as street lines.

:func:`read_streets_centreline` is the street loader (``load_streets(source="centreline")``).

Reading (:func:`read_centreline_file`):

* **CRS**: whatever the file declares (EPSG:4326, 4490, 4527, 4548, 32650...), checked for
  the usual mix-ups by :func:`jinan_gis.geo.crs.check_coordinates_plausible`. A file without
  CRS (a shapefile without ``.prj``) is refused with a :class:`CRSError`: declare the CRS
  with ``file_crs=`` (which also overrides a wrong one, with a warning).
* **Encoding**: ``encoding=`` when given; else a shapefile's ``.cpg``; else, for a shapefile
  without ``.cpg``, the ``.dbf`` bytes decide: valid UTF-8 is read as UTF-8, otherwise GBK
  (GB18030, its superset) when the bytes decode as such. Other formats are UTF-8.

Conversion (:func:`centreline_to_streets`), one *input row* per feature:

* rejected with a reason: empty geometry, non-line geometry, NaN/infinite coordinates,
  a class the mode may not use, zero length, outside the area, nothing left after snapping;
* MultiLineStrings are split into their parts;
* ``highway``: the class column mapped by :data:`CLASS_MAP` (Chinese road classes and OSM
  ``highway`` / Geofabrik ``fclass`` values), ``"unknown"`` otherwise (open to every mode);
* ``oneway``: from a oneway column (:func:`parse_oneway`), for ``drive``/``bike``/``all``;
  lines one-way against their digitisation are reversed;
* lines are snapped and noded at intersections by :func:`jinan_gis.layers.noding.node_lines`
  (``snap_tol_m``; a grade column such as ``layer`` keeps bridges from joining the roads
  they cross, and so do heights: lines with Z more than 3 m apart where they meet in plan
  are not noded, and their ends get node ids ``u_osm``/``v_osm`` that keep a road split
  under a bridge apart from the deck's ends above it); every piece keeps its parent's
  attributes and ``input_row``.

Examples
--------
>>> map_class(["主干路", "支路", "footway", "track_grade2", "人行道", None])
['primary', 'residential', 'footway', 'track', 'footway', 'unknown']
>>> [parse_oneway(v) for v in ("yes", "是", 0, "-1", "TF", None)]
[1, 1, 0, -1, -1, 0]
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry.base import BaseGeometry

from ..geo.crs import ANALYSIS_CRS, check_coordinates_plausible, describe_crs, parse_crs
from ..geo.errors import CRSError, InputDataError, JinanGISError, LayerError
from .areas import AreaLike
from .encoding import check_encoding, cpg_encoding, dbf_text_bytes, detect_encoding
from .noding import end_ids, node_lines
from .osm import ACCESS_MODES, exclusion_reason, way_access
from .result import LoadResult, rejection_table
from .road_classes import CLASS_MAP, map_class, parse_oneway
from .street_load import begin_street_load, finish_street_load
from .street_schema import make_street_layer
from .tables import require_geometry
from .vector_files import vector_source

__all__ = [
    "CENTRELINE_OPTIONS",
    "CLASS_COLUMNS",
    "CLASS_MAP",
    "GRADE_COLUMNS",
    "NAME_COLUMNS",
    "ONEWAY_COLUMNS",
    "centreline_to_streets",
    "detect_dbf_encoding",
    "map_class",
    "parse_oneway",
    "read_centreline_file",
    "read_streets_centreline",
]

CENTRELINE_OPTIONS: tuple[str, ...] = (
    "layer",
    "encoding",
    "file_crs",
    "datum",
    "name_column",
    "class_column",
    "oneway_column",
    "grade_column",
    "class_map",
    "snap_tol_m",
)
"""The options of :func:`read_streets_centreline` beyond the path, area, mode, buffer and CRS."""

log = logging.getLogger(__name__)

NAME_COLUMNS: tuple[str, ...] = (
    "name", "名称", "道路名称", "道路名", "路名", "road_name", "roadname", "rd_name", "name_zh",
    "name_chn", "mc", "dlmc",
)
"""Columns tried (case-insensitively, in order) for the street name."""

CLASS_COLUMNS: tuple[str, ...] = (
    "highway", "fclass", "道路等级", "等级", "道路类型", "类型", "class", "road_class",
    "roadclass", "kind", "dldj",
)
"""Columns tried for the road class."""

ONEWAY_COLUMNS: tuple[str, ...] = ("oneway", "one_way", "是否单行", "单行", "单向")
"""Columns tried for the one-way flag."""

GRADE_COLUMNS: tuple[str, ...] = ("layer", "z_level", "zlevel", "grade_level", "层")
"""Columns tried for the grade level (bridges > 0, tunnels < 0)."""


def detect_dbf_encoding(dbf_path: str | Path) -> str | None:
    """Guess the text encoding of a ``.dbf`` (shapefile attributes) from its bytes.

    Returns ``"UTF-8"``, ``"GB18030"`` (GBK's superset) or ``"BIG5"`` as
    :func:`~jinan_gis.layers.encoding.detect_encoding` decides (GBK and Big5 told apart by
    its stated rule; an ambiguous file raises
    :class:`~jinan_gis.geo.errors.InputDataError` naming ``--encoding``), None for plain
    ASCII.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.dbf"
    >>> header = bytes(8) + (65).to_bytes(2, "little") + bytes(22)
    >>> field = b"NAME".ljust(11, b"\\0") + b"C" + bytes(4) + bytes([20]) + bytes(15)
    >>> _ = p.write_bytes(header + field + b"\\r" + b" " + "经十路辅路".encode("gbk").ljust(20))
    >>> detect_dbf_encoding(p)
    'GB18030'
    """
    text = dbf_text_bytes(dbf_path)
    if text.isascii():
        return None
    codec, _ = detect_encoding(text, source=Path(dbf_path).name)
    return {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "gb18030": "GB18030", "big5": "BIG5"}.get(
        codec, codec.upper())


def _sibling(path: Path, suffix: str) -> Path | None:
    for cand in path.parent.glob(path.stem + ".*"):
        if cand.suffix.lower() == suffix:
            return cand
    return None


def read_centreline_file(
    path: str | Path,
    *,
    layer: str | int | None = None,
    encoding: str | None = None,
    file_crs: Any = None,
) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Read a centreline file with its CRS and encoding sorted out (see the module docstring).

    Returns
    -------
    (GeoDataFrame, dict)
        The features as read (in the file's CRS, or ``file_crs``), and provenance:
        ``encoding``, ``encoding_from`` (``"argument"``, ``".cpg"``, ``"detected"``,
        ``"default"``), ``file_crs``, ``crs_from``.

    Raises
    ------
    InputDataError
        For a missing or unreadable file, an unknown ``encoding``, or attributes that do not
        decode.
    LayerError
        For a file without features.
    CRSError
        For a file without CRS when ``file_crs`` is not given.

    Examples
    --------
    >>> import geopandas as gpd, tempfile, pathlib
    >>> from shapely.geometry import LineString
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "roads.shp"
    >>> line = LineString([(500_000, 4_060_000), (500_100, 4_060_000)])
    >>> gpd.GeoDataFrame({"名称": ["经十路"]}, geometry=[line], crs="EPSG:4548"
    ...                  ).to_file(p, encoding="GBK")
    >>> p.with_suffix(".cpg").unlink(); p.with_suffix(".prj").unlink()  # as from old tools
    >>> gdf, prov = read_centreline_file(p, file_crs="EPSG:4548")
    >>> gdf["名称"].tolist(), prov["encoding"], prov["encoding_from"]
    (['经十路'], 'GB18030', 'detected')
    """
    path = Path(path)
    if not path.exists():
        raise InputDataError(f"centreline file {str(path)!r} does not exist; check the path.")
    check_encoding(encoding, source=path.name)
    how = "argument" if encoding else "default"
    src, layer, where = vector_source(path, layer)
    if src.startswith("/vsizip/"):
        from .vector_files import shapefile_encodings

        if encoding is None:
            encoding, how = shapefile_encodings(src, encoding=None, source=path.name)
    is_shp = path.suffix.lower() == ".shp"
    if encoding is None and is_shp:
        cpg = _sibling(path, ".cpg")
        if cpg is not None:
            how = ".cpg"
            encoding = cpg_encoding(cpg)  # ArcGIS code pages ("936") GDAL may not know
        else:
            dbf = _sibling(path, ".dbf")
            encoding = detect_dbf_encoding(dbf) if dbf is not None else None
            how = "detected" if encoding else "default"
            if encoding:
                log.info("%s: no .cpg; attributes detected as %s", path.name, encoding)
    try:
        gdf = pyogrio.read_dataframe(src, layer=layer, encoding=encoding)
    except UnicodeDecodeError as exc:
        raise InputDataError(
            f"{path.name}: attributes do not decode as {encoding}. Pass the right encoding, "
            "e.g. encoding='GBK' (Chinese Windows GIS software) or encoding='UTF-8'."
        ) from exc
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as exc:
        raise InputDataError(
            f"{path.name}: cannot be read as a GIS file ({exc}). Check that all parts of a "
            "shapefile (.shp, .shx, .dbf, .prj) are present, or pass layer= for a GeoPackage."
        ) from exc
    require_geometry(gdf, path)
    if len(gdf) == 0:
        raise LayerError(
            f"{path.name}: the file holds no features. Check that the export finished and that "
            "this is the right file (and layer=); an empty street layer cannot be analysed."
        )
    crs_from = "file"
    if file_crs is not None:
        file_crs = parse_crs(file_crs, what="file_crs")
        if gdf.crs is not None and not gdf.crs.equals(file_crs):
            log.warning(
                "%s declares %s; using file_crs=%s as asked",
                path.name, describe_crs(gdf.crs), describe_crs(file_crs),
            )
        gdf = gdf.set_crs(file_crs, allow_override=True)
        crs_from = "argument"
    elif gdf.crs is None:
        raise CRSError(
            f"{path.name} has no CRS (a shapefile without .prj?). Declare the CRS of its "
            "coordinates with file_crs=..., e.g. file_crs='EPSG:4527' for Gauss-Kruger "
            "eastings that start with the zone number 39 (39xxxxxx), 'EPSG:4548' for eastings "
            "around 500000, 'EPSG:4326' or 'EPSG:4490' for longitude/latitude."
        )
    prov = {
        **where,
        "encoding": encoding or ("UTF-8" if not is_shp else "GDAL default"),
        "encoding_from": how,
        "file_crs": describe_crs(gdf.crs),
        "crs_from": crs_from,
    }
    return gdf, prov


def _find_column(
    gdf: pd.DataFrame, given: str | None, candidates: Sequence[str], what: str
) -> str | None:
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    if given is not None:
        if given not in cols:
            raise LayerError(
                f"{what} column {given!r} is not in the file; its columns are "
                f"{', '.join(map(str, cols))}."
            )
        return given
    lower = {str(c).strip().lower(): c for c in cols}
    for cand in candidates:
        if cand.lower() in lower:
            return lower[cand.lower()]
    return None


def centreline_to_streets(
    gdf: gpd.GeoDataFrame,
    *,
    mode: str,
    area: BaseGeometry | None,
    crs: Any,
    source: str,
    name_column: str | None = None,
    class_column: str | None = None,
    oneway_column: str | None = None,
    grade_column: str | None = None,
    class_map: Mapping[str, str] | None = None,
    snap_tol_m: float = 1.0,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, dict[str, Any]]:
    """Turn centreline features into a noded street layer (see the module docstring).

    Parameters
    ----------
    gdf : GeoDataFrame
        Features with a CRS (as returned by :func:`read_centreline_file`).
    mode : {"walk", "bike", "drive", "all"}
    area : shapely geometry in ``crs``, or None
    crs : CRS-like (metric)
    source : str
        Value of the ``source`` column.
    name_column, class_column, oneway_column, grade_column : str, optional
        Column names; when None they are looked for among :data:`NAME_COLUMNS`,
        :data:`CLASS_COLUMNS`, :data:`ONEWAY_COLUMNS`, :data:`GRADE_COLUMNS`.
    class_map : mapping, optional
        Extra class -> OSM ``highway`` entries (precedence over :data:`CLASS_MAP`).
    snap_tol_m : float
        Snapping tolerance of :func:`jinan_gis.layers.noding.node_lines`.

    Returns
    -------
    (GeoDataFrame, DataFrame, dict)
        Layer, rejection table (``input_row``, ``reason``, the feature's attributes and
        ``geometry_wkt``), and the columns used.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString, Point
    >>> x, y = 500_000, 4_060_000
    >>> gdf = gpd.GeoDataFrame({"名称": ["经十路", "历山路", "x"]}, geometry=[
    ...     LineString([(x, y), (x + 100, y)]), LineString([(x + 50, y - 50), (x + 50, y + 50)]),
    ...     Point(x, y)], crs="EPSG:4548")
    >>> layer, rej, used = centreline_to_streets(gdf, mode="walk", area=None, crs="EPSG:4548",
    ...                                          source="centreline-file:x")
    >>> layer.name.tolist(), rej.reason.tolist()
    (['经十路', '经十路', '历山路', '历山路'], ['not a line (Point)'])
    """
    # Long on purpose: one pass of per-row rejections (empty, non-line, NaN, class, CRS,
    # zero length, area, snapping) that must run in this order so that each input row gets
    # exactly one reason; split, the rows' state would have to be passed between pieces.
    n = len(gdf)
    geom_name = gdf.geometry.name
    used = {
        "name_column": _find_column(gdf, name_column, NAME_COLUMNS, "name"),
        "class_column": _find_column(gdf, class_column, CLASS_COLUMNS, "class"),
        "oneway_column": _find_column(gdf, oneway_column, ONEWAY_COLUMNS, "oneway"),
        "grade_column": _find_column(gdf, grade_column, GRADE_COLUMNS, "grade"),
    }
    attrs = pd.DataFrame(gdf.drop(columns=geom_name)).reset_index(drop=True)
    attrs.columns = [
        f"orig_{c}" if c in ("input_row", "reason", "geometry_wkt") else c for c in attrs.columns
    ]
    geoms = gdf.geometry.to_numpy()
    rejected: dict[int, str] = {}

    def col(key: str) -> list[object]:
        c = used[key]
        return gdf[c].tolist() if c is not None else [None] * n

    names = col("name_column")
    highway = map_class(col("class_column"), class_map)
    oneway_raw = col("oneway_column")
    grade_raw = (
        pd.to_numeric(gdf[used["grade_column"]], errors="coerce").fillna(0).to_numpy(float)
        if used["grade_column"] is not None
        else np.zeros(n)
    )
    if n and (np.asarray(highway) == "unknown").all() and used["class_column"] is None:
        log.info("%s: no road class column; every line is 'unknown' (open to all modes)", source)

    absent = shapely.is_missing(geoms) if n else np.zeros(0, bool)
    for i in range(n):
        g = geoms[i]
        if absent[i] or g.is_empty:
            rejected[i] = "empty geometry"
        elif g.geom_type not in ("LineString", "MultiLineString", "LinearRing"):
            rejected[i] = f"not a line ({g.geom_type})"
        elif not np.isfinite(shapely.get_coordinates(g)).all():
            rejected[i] = "invalid coordinates (NaN or infinite)"
        else:
            reason = exclusion_reason({"highway": highway[i]}, mode)
            if reason is not None:
                rejected[i] = reason
    valid = np.array([i not in rejected for i in range(n)], dtype=bool)

    series = gpd.GeoSeries(geoms[valid], crs=gdf.crs)
    check_coordinates_plausible(series, source=source)
    projected = series.to_crs(crs).to_numpy()
    rows = np.flatnonzero(valid)
    parts, part_idx = shapely.get_parts(projected, return_index=True)
    part_row = rows[part_idx] if len(rows) else np.array([], np.int64)
    finite = np.array(
        [np.isfinite(shapely.get_coordinates(p)).all() for p in parts], dtype=bool
    )
    for r in np.unique(part_row[~finite]):
        rejected[int(r)] = "coordinates outside the valid area of the CRS"
    ok = finite & ~np.isin(part_row, list(rejected))
    nonzero = ok & (shapely.length(parts) > 0 if len(parts) else ok)
    for r in set(part_row[ok].tolist()) - set(part_row[nonzero].tolist()):
        rejected[int(r)] = "zero length"
    inside = nonzero.copy()
    if area is not None and len(parts):
        shapely.prepare(area)
        inside[nonzero] = shapely.intersects(area, parts[nonzero])
    for r in set(part_row[nonzero].tolist()) - set(part_row[inside].tolist()):
        rejected[int(r)] = "outside the area"

    parts, part_row = parts[inside], part_row[inside]
    direction = np.array(
        [0 if mode == "walk" else parse_oneway(oneway_raw[r]) for r in part_row], dtype=np.int64
    )
    parts = np.asarray(
        [shapely.reverse(p) if d == -1 else p for p, d in zip(parts, direction, strict=True)],
        dtype=object,
    )
    pieces, parent = node_lines(parts, snap_tol_m=snap_tol_m, grade=grade_raw[part_row])
    piece_row = part_row[parent] if len(parent) else np.array([], np.int64)
    for r in set(part_row.tolist()) - set(piece_row.tolist()):
        rejected[int(r)] = "zero length after snapping"

    counter: dict[int, int] = {}
    ids = []
    for r in piece_row.tolist():
        k = counter.get(r, 0)
        counter[r] = k + 1
        ids.append(f"cl-{r}-{k}")
    access = {r: way_access({"highway": highway[r]}) for r in set(piece_row.tolist())}
    data: dict[str, Any] = {
        "street_id": ids,
        "name": [names[r] for r in piece_row],
        "highway": [highway[r] for r in piece_row],
        "oneway": direction[parent] != 0 if len(parent) else np.array([], bool),
        "source": [source] * len(pieces),
        "input_row": piece_row,
    }
    for m in ACCESS_MODES:
        data[m] = [access[r][m] for r in piece_row.tolist()]
    ends = end_ids(parts, pieces, parent) if len(pieces) else None
    if ends is not None:  # 3D lines: ends at one point but 3 m+ apart in height stay apart
        data["u_osm"], data["v_osm"] = ends
    layer = make_street_layer(data, pieces, crs=crs,
                              extra=("u_osm", "v_osm") if ends is not None else ())

    rej_rows = []
    for r in sorted(rejected):
        rec = {"input_row": r, "reason": rejected[r]}
        rec.update(attrs.iloc[r].to_dict())
        g = geoms[r]
        rec["geometry_wkt"] = None if g is None else g.wkt
        rej_rows.append(rec)
    return layer, rejection_table(rej_rows), used


def read_streets_centreline(
    path: str | Path,
    *,
    area: AreaLike,
    mode: str = "walk",
    buffer_m: float = 1000.0,
    crs: Any = ANALYSIS_CRS,
    layer: str | int | None = None,
    encoding: str | None = None,
    file_crs: Any = None,
    datum: str | None = None,
    name_column: str | None = None,
    class_column: str | None = None,
    oneway_column: str | None = None,
    grade_column: str | None = None,
    class_map: Mapping[str, str] | None = None,
    snap_tol_m: float = 1.0,
) -> LoadResult:
    """Read the streets of an area for one travel mode from a centreline file, noded.

    Parameters
    ----------
    path : str or Path
        Shapefile, GeoPackage, GeoJSON... (see :func:`read_centreline_file`).
    area : str, int, shapely geometry, GeoDataFrame or GeoSeries
        District code or name, a shapely polygon in ``crs``, or a GeoDataFrame/GeoSeries with
        a CRS (see :func:`jinan_gis.layers.areas.resolve_area`).
    mode : {"walk", "bike", "drive", "all"}
    buffer_m : float, default 1000
        Streets this far outside the area are kept too.
    crs : CRS-like, default EPSG:4548
        Metric CRS of the layer.
    layer : str or int, optional
        Layer of a multi-layer file (GeoPackage).
    encoding : str, optional
        Attribute encoding (``"GBK"``, ``"UTF-8"``); by default taken from a shapefile's
        ``.cpg`` or detected from its ``.dbf``.
    file_crs : CRS-like, optional
        CRS of the file's coordinates, for files that declare none (a shapefile without
        ``.prj``) or a wrong one.
    datum : str, optional
        ``"gcj02"``/``"bd09"`` for longitude/latitude files from Amap/Baidu (converted by
        :func:`jinan_gis.geo.datum.to_wgs84`).
    name_column, class_column, oneway_column, grade_column : str, optional
        Column names, detected when None (:data:`NAME_COLUMNS`...).
    class_map : mapping, optional
        Extra road class -> OSM ``highway`` entries.
    snap_tol_m : float, default 1.0
        Line ends this close to another end or line are snapped onto it.

    Returns
    -------
    LoadResult
        As :func:`jinan_gis.layers.streets.load_streets` describes (an input row is a file
        feature); provenance adds ``path``, ``snap_tol_m``, the encoding and CRS read and
        the columns used.

    Examples
    --------
    >>> import geopandas as gpd, tempfile, pathlib
    >>> from shapely.geometry import LineString, box
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "roads.gpkg"
    >>> gpd.GeoDataFrame({"道路名称": ["经十路"]}, crs="EPSG:4548", geometry=[
    ...     LineString([(500000, 4060000), (500400, 4060000)])]).to_file(p)
    >>> res = read_streets_centreline(p, area=box(500000, 4059800, 500400, 4060200))
    >>> res.layer[["street_id", "name", "highway"]].values.tolist()
    [['cl-0-0', '经十路', 'unknown']]
    """
    if snap_tol_m < 0:
        raise JinanGISError(f"snap_tol_m must be >= 0 metres, got {snap_tol_m}.")
    p = Path(path)
    target, geom, prov = begin_street_load(area, mode=mode, buffer_m=buffer_m, crs=crs)
    label = f"centreline-file:{p.name}"
    gdf, file_prov = read_centreline_file(p, layer=layer, encoding=encoding, file_crs=file_crs)
    if datum is not None:
        from ..geo.datum import to_wgs84

        gdf = to_wgs84(gdf, datum=datum)
        file_prov["datum"] = datum
    lines, rejected, used = centreline_to_streets(
        gdf,
        mode=mode,
        area=geom,
        crs=target,
        source=label,
        name_column=name_column,
        class_column=class_column,
        oneway_column=oneway_column,
        grade_column=grade_column,
        class_map=class_map,
        snap_tol_m=snap_tol_m,
    )
    prov.update(path=str(p), snap_tol_m=snap_tol_m, **file_prov, **used)
    return finish_street_load(lines, rejected, n_input=len(gdf), label=label, prov=prov)
