"""Facility layers: clinics, culture, fitness, elderly care... from tables, vector files or OSM.

Every loader returns a :class:`~jinan_gis.layers.result.LoadResult` whose layer has the
facility schema (:data:`FACILITY_COLUMNS`), in EPSG:4548:

=============  ==========================================================================
facility_id    str, unique (``id_column`` values, else ``"<file>:<row>"``, ``"osm:node/1"``)
name           str or None
category       a :mod:`~jinan_gis.layers.taxonomy` id, or ``"unknown"`` (never guessed)
group          the category's parent group, None for unknown
tier           ``"centre"``, ``"station"``, ``"village"``... or None
capacity       float, NaN if unknown (``capacity_column``; OSM ``capacity`` tag)
source         file name, ``"osm"``, or what ``source_name`` says (e.g. ``"synthetic"``)
datum_in       the datum the coordinates were declared in ("wgs84", "gcj02", "bd09")
input_row      int, 0-based row of the input
geometry       Point, EPSG:4548
=============  ==========================================================================

Rows are rejected (never dropped) with a reason: the point pipeline's
(:data:`~jinan_gis.layers.points.REASONS`: missing, non-numeric or non-finite coordinates,
``"lat/lon swapped?"``, outside Jinan after datum conversion, empty geometry), then
``"missing id"`` and ``"duplicate id"`` (the first valid row with an id is kept). Rows whose
category nothing determines are **kept** as ``"unknown"``; ``provenance["n_unknown"]`` counts
them and :func:`unknown_facilities` lists them. ``kept + rejected == input`` is checked before
returning.

Category precedence: ``category=`` (one category for the whole file), then ``category_column``
values (category ids, names or Chinese type text:
:func:`~jinan_gis.layers.taxonomy.resolve_category`), then the name classifier
(:func:`~jinan_gis.layers.taxonomy.classify_name`).

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"名称": ["洪家楼街道社区卫生服务中心", "某公司", "无坐标站"],
...                    "lng": [117.07, 117.08, None], "lat": [36.68, 36.69, None]})
>>> res = load_facilities(df, datum="wgs84", source_name="demo")
>>> res.layer[["facility_id", "category", "tier"]].values.tolist()
[['demo:0', 'chc', 'centre'], ['demo:1', 'unknown', None]]
>>> res.summary()
'demo: 3 rows in, 2 kept, 1 rejected (missing coordinates: 1)'
>>> res.provenance["n_unknown"]
1
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..geo.crs import ANALYSIS_CRS, require_crs
from ..geo.errors import InputDataError
from .point_rows import flag_duplicates, split_accounting
from .points import PointRows, locate, point_coordinates, read_point_rows
from .result import LoadResult, rejection_table
from .schema import FACILITY_COLUMNS, check_layer_columns
from .tables import NAME_NAMES, clean_text, find_column
from .taxonomy import (
    UNKNOWN,
    Category,
    classify_name,
    classify_osm,
    get_category,
    resolve_category,
)

__all__ = [
    "FACILITY_COLUMNS",
    "REASON_DUPLICATE_ID",
    "REASON_MISSING_ID",
    "facilities_from_osm",
    "load_facilities",
    "unknown_facilities",
]

log = logging.getLogger(__name__)

REASON_MISSING_ID = "missing id"
REASON_DUPLICATE_ID = "duplicate id"

CATEGORY_NAMES: tuple[str, ...] = (
    "category", "categories", "类别", "设施类别", "类型", "设施类型", "分类", "设施分类",
    "type", "poi类型", "kind", "class", "amenity",
)
"""Normalised names of a column read as ``category_column`` when none is named: its values
that resolve (taxonomy ids, names, Chinese type text) decide, the rest fall back to names."""


def _assign_ids(
    values: list[str | None], reason: np.ndarray
) -> tuple[list[str | None], np.ndarray]:
    """Reject missing and duplicate ids among rows still valid (first valid one kept)."""
    reason = reason.copy()
    seen: set[str] = set()
    for i, v in enumerate(values):
        if reason[i] is not None:
            continue
        if v is None:
            reason[i] = REASON_MISSING_ID
        elif v in seen:
            reason[i] = REASON_DUPLICATE_ID
        else:
            seen.add(v)
    return values, reason


def _categorise(
    names: list[str | None],
    *,
    category: str | None,
    column_values: list[Any] | None,
) -> tuple[list[Category | None], list[str]]:
    """Category per row and how it was decided ("declared", "column", "name", "unknown")."""
    if category is not None:
        cat = get_category(category)
        return [cat] * len(names), ["declared"] * len(names)
    cats: list[Category | None] = []
    how: list[str] = []
    for i, name in enumerate(names):
        cat = resolve_category(column_values[i]) if column_values is not None else None
        if cat is not None:
            cats.append(cat)
            how.append("column")
            continue
        cat = classify_name(name)[0]
        cats.append(cat)
        how.append("name" if cat is not None else UNKNOWN)
    return cats, how


def _build(
    pr: PointRows,
    *,
    ids: list[str | None],
    names: list[str | None],
    cats: list[Category | None],
    capacity: np.ndarray,
    reason: np.ndarray,
    source: str,
    datum: str,
    how: list[str],
    extra_prov: dict[str, Any],
) -> LoadResult:
    ok = np.equal(reason, None)
    idx = np.flatnonzero(ok)
    layer = gpd.GeoDataFrame(
        {
            "facility_id": pd.Series([ids[i] for i in idx], dtype=object),
            "name": pd.Series([names[i] for i in idx], dtype=object),
            "category": pd.Series(
                [cats[i].id if cats[i] is not None else UNKNOWN for i in idx], dtype=object
            ),
            "group": pd.Series(
                [cats[i].group if cats[i] is not None else None for i in idx], dtype=object
            ),
            "tier": pd.Series(
                [cats[i].tier if cats[i] is not None else None for i in idx], dtype=object
            ),
            "capacity": capacity[idx].astype(np.float64),
            "source": source,
            "datum_in": datum,
            "input_row": pr.input_rows[idx].astype(np.int64),
        },
        geometry=gpd.points_from_xy(pr.x_m[idx], pr.y_m[idx]),
        crs=ANALYSIS_CRS,
    )
    rows_in = pr.input_rows
    _, bad, rejected_parts = split_accounting(rows_in, reason)
    originals = pr.rows.iloc[bad].to_dict("records")
    rejected = rejection_table(
        {"input_row": int(rows_in[i]), "reason": reason[i], **orig}
        for i, orig in zip(bad, originals, strict=True)
    )
    kept_how = Counter(how[i] for i in idx)
    unknown = layer.loc[layer["category"] == UNKNOWN, ["facility_id", "name"]]
    prov = {
        **pr.provenance,
        **extra_prov,
        "source": source,
        "datum": datum,
        "crs": ANALYSIS_CRS,
        "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "n_input": pr.n_input,
        "n_kept": int(layer["input_row"].nunique()),
        "n_rejected": len(rejected),
        "rejected_parts": rejected_parts,
        "n_unknown": len(unknown),
        "unknown": unknown.to_dict("records"),
        "category_from": dict(kept_how),
        "category_counts": layer["category"].value_counts().to_dict(),
    }
    if pr.feature_row is not None:
        prov["accounting"] = "input_row"  # exploded MultiPoints: a feature counts once
    check_layer_columns(layer, "facilities", what=source)
    result = LoadResult(layer=layer, rejected=rejected, n_input=pr.n_input, provenance=prov)
    result.check_accounting()
    log.info("%s", result.summary())
    if len(unknown):
        log.warning(
            "%s: %d facilities kept with category 'unknown' (no rule matched their name): %s",
            source,
            len(unknown),
            ", ".join(str(n) for n in unknown["name"].head(10)),
        )
    return result


def _capacity(values: pd.Series | None, n: int) -> np.ndarray:
    """Capacities as floats: NaN where missing, not a number or not finite (all NaN without
    a column).

    Examples
    --------
    >>> _capacity(pd.Series(["30", "x", None, "inf"]), 4).tolist()
    [30.0, nan, nan, nan]
    >>> _capacity(None, 2).tolist()
    [nan, nan]
    """
    if values is None:
        return np.full(n, np.nan)
    capacity = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, copy=True)
    capacity[~np.isfinite(capacity)] = np.nan
    return capacity


def load_facilities(
    src: str | Path | pd.DataFrame,
    *,
    datum: str | None = None,
    category: str | None = None,
    category_column: Any | None = None,
    name_column: Any | None = None,
    lon_column: Any | None = None,
    lat_column: Any | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    layer: str | int | None = None,
    crs: Any | None = None,
    id_column: Any | None = None,
    capacity_column: Any | None = None,
    source_name: str | None = None,
    lonlat_column: Any | None = None,
    sep: str | None = None,
    decimal: str = ".",
    header_row: int | None = None,
    duplicates: str = "reject",
) -> LoadResult:
    """Load facilities from a CSV/Excel table, a vector file or a (Geo)DataFrame.

    Parameters
    ----------
    src : path, pandas.DataFrame or geopandas.GeoDataFrame
        ``.csv``/``.tsv``/``.txt``/``.xlsx``/``.xls`` files and plain DataFrames are tables
        with coordinate columns; anything else is read with pyogrio (shapefile, GeoPackage,
        GeoJSON...). Not changed.
    datum : str
        The datum of the coordinates: "wgs84", "gcj02" (Amap/Gaode/Tencent), "bd09" (Baidu)
        or an alias. **Required for tables**; vector sources default to "wgs84".
    category : str, optional
        One taxonomy id for every row (e.g. "chc" for a list of health centres).
    category_column : str, optional
        A column of category ids/names or Chinese type text; rows it does not resolve fall
        back to the name classifier.
    name_column : str, optional
        The name column (default: found by name, :data:`~jinan_gis.layers.tables.NAME_NAMES`).
        When neither ``category`` nor ``category_column`` is given, a column named like a
        category (:data:`CATEGORY_NAMES`: category, type, 类别, 类型, 分类 ...) is used as
        ``category_column`` (logged; ``provenance["category_column"]``).
    lon_column, lat_column : str, optional
        The coordinate columns of a table (default: found by name).
    encoding : str, optional
        Text encoding (default: detected, :mod:`~jinan_gis.layers.encoding`: UTF-8, UTF-16,
        GBK/GB18030 or Big5; an ambiguous file is refused naming ``--encoding``).
    sheet : str or int, optional
        Excel sheet: a name, or a 1-based position as a string of digits (``"2"``, as
        ``--sheet 2``; a sheet literally named ``"2"`` wins); a Python int is pandas'
        0-based index. Default: the first visible sheet.
    layer : str or int, optional
        Layer of a multi-layer vector file.
    crs : CRS-like, optional
        Tables: the CRS of projected coordinate columns (default lon/lat). Vector files: the
        CRS to declare where the file has none.
    id_column : str, optional
        Column of unique ids; rows without one, and repeated ids after the first, are
        rejected. Default: ids ``"<source>:<row>"``.
    capacity_column : str, optional
        Numeric capacity (beds, seats...); non-numeric values become NaN.
    source_name : str, optional
        The ``source`` value (default: the file name, "table" or "layer").
    lonlat_column : str, optional
        One column holding ``"lon,lat"`` (Amap's ``location``), instead of two.
    sep, decimal, header_row : optional
        Table files: the separator (default sniffed), the decimal mark (``","`` for
        European exports) and the 1-based header row (default detected, title rows
        skipped); see :func:`~jinan_gis.layers.table_files.read_table`.
    duplicates : {"reject", "keep"}
        Rows at the same point with the same name and category value (every value when
        there is no name) as an earlier row: rejected as ``"duplicate row of row N"``
        (default) or kept with a warning (:mod:`~jinan_gis.layers.point_rows`).

    Returns
    -------
    LoadResult
        Layer with :data:`FACILITY_COLUMNS` in EPSG:4548, rejection table, provenance
        (``n_unknown``, ``unknown``, ``category_counts``, ``encoding``, ``datum``...).

    Raises
    ------
    DatumError
        A table without ``datum``, or an unknown datum.
    CRSError
        A vector file without CRS and no ``crs``; projected numbers in a table without ``crs``.
    InputDataError
        Unreadable file, coordinate/name/id columns not found, every row lat/lon swapped.

    Examples
    --------
    >>> import pandas as pd
    >>> from jinan_gis.geo.datum import convert
    >>> lon, lat = convert(117.0205, 36.6617, src="wgs84", dst="amap")
    >>> df = pd.DataFrame({"name": ["泉城广场文化广场"], "location": [f"{lon},{lat}"]})
    >>> res = load_facilities(df, datum="amap")
    >>> res.layer[["category", "group", "datum_in"]].iloc[0].tolist()
    ['culture_square', 'culture', 'gcj02']
    >>> load_facilities(df)
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.DatumError: table: no datum declared. ...
    """
    pr = read_point_rows(
        src,
        datum=datum,
        lon_column=lon_column,
        lat_column=lat_column,
        encoding=encoding,
        sheet=sheet,
        layer=layer,
        crs=crs,
        source_name=source_name,
        lonlat_column=lonlat_column,
        sep=sep,
        decimal=decimal,
        header_row=header_row,
    )
    source = pr.provenance["source"]
    cols = list(pr.rows.columns)
    for what, col in (
        ("name_column", name_column),
        ("category_column", category_column),
        ("id_column", id_column),
        ("capacity_column", capacity_column),
    ):
        if col is not None and col not in cols:
            raise InputDataError(
                f"{source}: {what}={col!r} is not a column. Columns found: {cols}."
            )
    if category is not None:
        get_category(category)
    name_col = (
        name_column
        if name_column is not None
        else find_column([c for c in cols if c != "wkt"], NAME_NAMES)
    )
    if category is None and category_column is None:
        category_column = find_column([c for c in cols if c not in ("wkt", name_col)],
                                      CATEGORY_NAMES)
        if category_column is not None:
            log.info("%s: column %r read as the category column (--category-column / "
                     "category_column=)", source, category_column)
    n = len(pr.rows)
    names = [clean_text(v) for v in pr.rows[name_col]] if name_col is not None else [None] * n
    parts = pr.part if pr.part is not None else np.full(n, -1)
    if id_column is not None:
        raw_ids = [
            clean_text(v) if k < 0 or clean_text(v) is None else f"{clean_text(v)}.{k}"
            for v, k in zip(pr.rows[id_column], parts.tolist(), strict=True)
        ]
        ids, reason = _assign_ids(raw_ids, pr.reason)
    else:
        ids = pr.row_ids(source)
        reason = pr.reason
    key = None if name_col is None else [name_col, category_column]
    reason, dups = flag_duplicates(pr.rows.drop(columns=["wkt"], errors="ignore"), pr.x_m,
                                   pr.y_m, reason, key=key, duplicates=duplicates,
                                   source=source, input_row=pr.input_rows)
    capacity = _capacity(pr.rows[capacity_column] if capacity_column is not None else None, n)
    column_values = list(pr.rows[category_column]) if category_column is not None else None
    cats, how = _categorise(names, category=category, column_values=column_values)
    return _build(
        pr,
        ids=ids,
        names=names,
        cats=cats,
        capacity=capacity,
        reason=reason,
        source=source,
        datum=pr.provenance["datum"],
        how=how,
        extra_prov={
            "name_column": name_col,
            "id_column": id_column,
            "category_declared": category,
            "category_column": category_column,
            "duplicates": duplicates,
            "n_duplicates": len(dups),
        },
    )


def _osm_ids(gdf: gpd.GeoDataFrame) -> list[str | None]:
    idx = gdf.index
    if isinstance(idx, pd.MultiIndex) and idx.nlevels == 2:
        return [f"osm:{e}/{i}" for e, i in idx]
    for etype, eid in (("element", "id"), ("element_type", "osmid")):
        if etype in gdf.columns and eid in gdf.columns:
            return [
                f"osm:{e}/{i}" if clean_text(e) and clean_text(i) else None
                for e, i in zip(gdf[etype], gdf[eid], strict=True)
            ]
    if "osmid" in gdf.columns:
        return [f"osm:{clean_text(i)}" if clean_text(i) else None for i in gdf["osmid"]]
    return [f"osm:{i}" for i in idx]


def _osm_rule_kind(rule: str) -> str:
    """'amenity=clinic' -> 'tags'; '..., name X' -> 'tags+name'; 'name X' -> 'name'."""
    if rule == UNKNOWN:
        return UNKNOWN
    if rule.startswith("name "):
        return "name"
    return "tags+name" if ", name " in rule else "tags"


def facilities_from_osm(gdf: gpd.GeoDataFrame, *, source_name: str = "osm") -> LoadResult:
    """Convert OSM features (e.g. from ``osmnx.features_from_polygon``) to facilities.

    Categories come from the tags (:func:`~jinan_gis.layers.taxonomy.classify_osm`), refined
    by the Chinese name (``name``, else ``name:zh``); polygons and lines become a
    representative point; ``capacity`` is the numeric ``capacity`` tag. Ids are
    ``"osm:<element>/<id>"`` from osmnx's ``(element, id)`` index. Features without geometry,
    outside Jinan, or repeating an id are rejected. The input is not changed.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely.geometry import Point, box
    >>> idx = pd.MultiIndex.from_tuples([("node", 1), ("way", 2)], names=["element", "id"])
    >>> osm = gpd.GeoDataFrame(
    ...     {"amenity": ["clinic", None], "leisure": [None, "park"],
    ...      "name": ["燕山街道社区卫生服务中心", "泉城公园"]},
    ...     geometry=[Point(117.05, 36.66), box(117.03, 36.64, 117.04, 36.65)],
    ...     index=idx, crs="EPSG:4326")
    >>> res = facilities_from_osm(osm)
    >>> res.layer[["facility_id", "category", "source"]].values.tolist()
    [['osm:node/1', 'chc', 'osm'], ['osm:way/2', 'park', 'osm']]
    """
    require_crs(gdf, what="the OSM features")
    src = gdf.to_crs("EPSG:4326")
    geoms = src.geometry.to_numpy()
    x, y, empty, _ = point_coordinates(geoms)
    x_m, y_m, reason = locate(
        x, y, datum="wgs84", source=source_name, whole_file_checks=False, districts=False
    )
    reason[empty] = "empty geometry"
    attrs = pd.DataFrame(src.drop(columns=src.geometry.name)).reset_index(drop=True)
    attrs["wkt"] = shapely.to_wkt(geoms)
    pr = PointRows(attrs, x_m, y_m, reason, {"source": source_name, "format": "osm"})
    ids, reason = _assign_ids(_osm_ids(gdf), reason)
    names: list[str | None] = []
    cats: list[Category | None] = []
    how: list[str] = []
    tag_cols = [c for c in attrs.columns if c != "wkt"]
    for rec in attrs[tag_cols].to_dict("records"):
        tags = {k: v for k, v in rec.items() if clean_text(v) is not None}
        name = clean_text(tags.get("name")) or clean_text(tags.get("name:zh"))
        cat, rule = classify_osm(tags, name=name)
        names.append(name)
        cats.append(cat)
        how.append(rule or UNKNOWN)
    capacity = _capacity(attrs["capacity"] if "capacity" in attrs.columns else None, len(attrs))
    return _build(
        pr,
        ids=ids,
        names=names,
        cats=cats,
        capacity=capacity,
        reason=reason,
        source=source_name,
        datum="wgs84",
        how=[_osm_rule_kind(h) for h in how],
        extra_prov={"crs_in": str(gdf.crs)},
    )


def unknown_facilities(result: LoadResult | gpd.GeoDataFrame) -> pd.DataFrame:
    """List the facilities kept with category ``"unknown"`` (to classify by hand).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"name": ["某公司"], "lng": [117.0], "lat": [36.6]})
    >>> unknown_facilities(load_facilities(df, datum="wgs84"))
       facility_id  name  input_row
    0      table:0   某公司          0
    """
    layer = result.layer if isinstance(result, LoadResult) else result
    out = layer.loc[layer["category"] == UNKNOWN, ["facility_id", "name", "input_row"]]
    return pd.DataFrame(out).reset_index(drop=True)
