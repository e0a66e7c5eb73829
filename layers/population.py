"""Population as weighted points: from a grid (WorldPop, GHS-POP), polygons with counts, or points.

Every loader returns a :class:`~jinan_gis.layers.result.LoadResult` whose layer has the
population schema (:data:`POPULATION_COLUMNS`) in EPSG:4548 (the grid loader,
:func:`population_from_raster`, lives in :mod:`jinan_gis.layers.population_grid` and is
importable from here):

===========  ===========================================================================
pop_id       str, unique: ``"r<row>c<col>"`` (grid cell), ``"<polygon id>:<k>"``, or the id
population   float weight (people)
source       file name, or ``source_name``
zone         str or None (``zone_column`` of polygons/points)
input_row    int: the grid cell's flat index (``row * width + col``), or the input row
geometry     Point, EPSG:4548
===========  ===========================================================================

Totals are preserved and written to ``provenance["totals"]`` as
``"population in 1,234,567 = out 1,234,567"`` (``population_in`` = the sum of the accepted
input values, ``population_out`` = the layer's sum). Everything is deterministic (no
randomness).

What counts as an input row (``n_input``, so that ``kept + rejected == input``):

* **grid**: every cell read that holds something other than exactly 0: positive cells become
  points; nodata, NaN/inf and negative cells are rejected with their row, column and value.
  Zero cells hold nobody and are only counted (``provenance["n_zero_cells"]``). By default
  only the window covering :data:`~jinan_gis.geo.crs.JINAN_BOUNDS_LONLAT` is read (a national
  WorldPop file is large); ``clip_lonlat=None`` reads everything.
* **polygons**: one polygon becomes many points, so a row is an **output point** of an
  accepted polygon or a **rejected polygon**: ``n_input = n_points + n_rejected_polygons``.
  ``provenance`` also gives ``n_polygons_in`` = ``n_polygons_placed`` +
  ``n_polygons_rejected`` (checked).
* **points**: one row per input row.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> polys = gpd.GeoDataFrame({"pop": [1000.0]}, geometry=[box(500_000, 4_060_000,
...                          500_300, 4_060_200)], crs="EPSG:4548")
>>> res = population_from_polygons(polys, count_column="pop", spacing_m=100)
>>> len(res.layer), round(res.layer["population"].sum(), 9), res.provenance["totals"]
(6, np.float64(1000.0), 'population in 1,000 = out 1,000')
"""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from ..geo.crs import to_analysis_crs
from ..geo.errors import InputDataError, LayerError
from ..geo.missing import is_missing
from .district_check import REASON_OUTSIDE_DISTRICTS, geometries_in_study_area
from .point_rows import flag_duplicates, split_accounting
from .points import read_point_rows
from .population_grid import population_from_raster
from .population_layer import check_totals, finish_population, population_layer
from .population_overlaps import resolve_overlaps
from .result import LoadResult, rejection_table
from .schema import POPULATION_COLUMNS
from .tables import polygonal_part, read_vector_checked, usable_polygon

__all__ = [
    "POPULATION_COLUMNS",
    "population_from_points",
    "population_from_polygons",
    "population_from_raster",
]

log = logging.getLogger(__name__)

_MAX_GRID_POINTS = 5_000_000
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
"""A count written with thousands separators ("1,200", as spreadsheets export them)."""


# ------------------------------------------------------------------------------ counts


def _parse_counts(values: pd.Series) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.object_]]:
    """Counts as floats and a per-row reason (None where the count can be placed)."""
    raw = values.astype(object).map(
        lambda v: _THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), v.strip())
        if isinstance(v, str) else v
    )
    missing = raw.map(
        lambda v: is_missing(v) or v == ""
    ).to_numpy(dtype=bool)
    num = pd.to_numeric(raw.where(~missing, None), errors="coerce").to_numpy(dtype=np.float64)
    words = raw.map(
        lambda v: isinstance(v, str) and v.casefold() in ("nan", "inf", "-inf", "+inf")
    ).to_numpy(dtype=bool)
    reason = np.full(len(values), None, dtype=object)
    with np.errstate(invalid="ignore"):
        reason[~missing & (num == 0)] = "zero count (nobody to place)"
        reason[~missing & (num < 0) & np.isfinite(num)] = "negative count"
        reason[~missing & np.isnan(num) & ~words] = "non-numeric count"
        reason[~missing & (np.isinf(num) | words)] = "non-finite count"
    reason[missing] = "missing count"
    return num, reason


def _zone_values(frame: pd.DataFrame, zone_column: Any | None, source: str) -> list[str | None]:
    if zone_column is None:
        return [None] * len(frame)
    if zone_column not in frame.columns:
        raise InputDataError(
            f"{source}: zone_column={zone_column!r} is not a column. Columns found: "
            f"{list(frame.columns)}."
        )
    return [
        None if is_missing(v) else str(v)
        for v in frame[zone_column]
    ]


def _ids(
    frame: pd.DataFrame, id_column: Any | None, reason: npt.NDArray[np.object_], source: str
) -> tuple[list[str], npt.NDArray[np.object_]]:
    reason = reason.copy()
    if id_column is None:
        return [str(i) for i in range(len(frame))], reason
    if id_column not in frame.columns:
        raise InputDataError(
            f"{source}: id_column={id_column!r} is not a column. Columns found: "
            f"{list(frame.columns)}."
        )
    ids: list[str] = []
    seen: set[str] = set()
    for i, v in enumerate(frame[id_column]):
        text = None if is_missing(v) else str(v).strip()
        ids.append(text or "")
        if reason[i] is not None:
            continue
        if not text:
            reason[i] = "missing id"
        elif text in seen:
            reason[i] = "duplicate id"
        else:
            seen.add(text)
    return ids, reason


def _read_polygons(
    src: str | Path | gpd.GeoDataFrame,
    *,
    encoding: str | None,
    layer: str | int | None,
    crs: Any | None,
    source: str,
) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    gdf, info = read_vector_checked(src, encoding=encoding, layer=layer, crs=crs, source=source)
    return to_analysis_crs(gdf, what=source), info


def _grid_points(
    geom: Any, spacing_m: float, *, source: str
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Points of the global grid ((i + 0.5) * spacing_m) inside ``geom``; else one point."""
    minx, miny, maxx, maxy = geom.bounds
    i0, i1 = math.floor(minx / spacing_m - 0.5), math.ceil(maxx / spacing_m - 0.5)
    j0, j1 = math.floor(miny / spacing_m - 0.5), math.ceil(maxy / spacing_m - 0.5)
    if (i1 - i0 + 1) * (j1 - j0 + 1) > _MAX_GRID_POINTS:
        raise InputDataError(
            f"{source}: spacing_m={spacing_m} would test more than {_MAX_GRID_POINTS:,} grid "
            "points in one polygon. Use a larger spacing_m (e.g. 100 or 200)."
        )
    gx = (np.arange(i0, i1 + 1) + 0.5) * spacing_m
    gy = (np.arange(j0, j1 + 1) + 0.5) * spacing_m
    xx, yy = np.meshgrid(gx, gy)
    xx, yy = xx.ravel(), yy.ravel()
    inside = shapely.contains_xy(geom, xx, yy)
    if inside.any():
        return xx[inside], yy[inside]
    pt = shapely.point_on_surface(geom)
    return np.array([pt.x]), np.array([pt.y])


def _repair_polygons(
    geoms: npt.NDArray[np.object_], reason: npt.NDArray[np.object_]
) -> tuple[list[Any], list[dict[str, Any]]]:
    """Usable polygons (invalid ones repaired), and the repairs; sets ``reason`` in place for
    empty, non-polygon and unrepairable rows."""
    repaired: list[dict[str, Any]] = []
    fixed: list[Any] = [None] * len(geoms)
    for i, g in enumerate(geoms):
        poly, why, problem = usable_polygon(g)
        if why is not None:
            reason[i] = why
            continue
        if problem is not None and reason[i] is None:
            repaired.append({"input_row": i, "problem": problem})
        fixed[i] = poly
    return fixed, repaired


def _check_places(fixed: list[Any], reason: npt.NDArray[np.object_], *, source: str) -> None:
    """Refuse a layer of points or lines (the wrong loader); mark polygons outside Licheng
    and Shizhong (+2 km) in ``reason`` (in place)."""
    kinds = {str(r)[len("not a polygon ("):-1] for r in reason if str(r).startswith("not a p")}
    if len(reason) and all(str(r).startswith("not a polygon") for r in reason):
        raise LayerError(
            f"{source}: every feature is a {'/'.join(sorted(kinds))}, not a polygon. Points "
            "with counts are population points: population_from_points(..., count_column=) "
            "(command line: import FILE --as population --count-column NAME with a table), "
            "polygons with counts (compounds, sub-districts) population_from_polygons."
        )
    fixed_arr = np.empty(len(fixed), dtype=object)
    fixed_arr[:] = fixed
    far = np.equal(reason, None) & ~geometries_in_study_area(fixed_arr)
    reason[far] = REASON_OUTSIDE_DISTRICTS


def _spread(
    placed: npt.NDArray[np.intp],
    polygons: list[Any],
    *,
    ids: list[str],
    counts: npt.NDArray[np.float64],
    zones: list[str | None],
    res_union: Any,
    spacing_m: float,
    source: str,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Spread each placed polygon's count over its grid points (inside the residential land
    when there is some); the layer, and the ids of polygons that had no residential land."""
    fallback: list[str] = []
    out_ids: list[str] = []
    out_pop: list[npt.NDArray[np.float64]] = []
    out_zone: list[str | None] = []
    out_row: list[int] = []
    out_x: list[npt.NDArray[np.float64]] = []
    out_y: list[npt.NDArray[np.float64]] = []
    for i in placed:
        target = polygons[i]
        if res_union is not None:
            part = polygonal_part(shapely.intersection(target, res_union))
            if part is None:
                fallback.append(ids[i])
            else:
                target = part
        xs, ys = _grid_points(target, spacing_m, source=source)
        n = len(xs)
        out_ids += [f"{ids[i]}:{k}" for k in range(n)]
        out_pop.append(np.full(n, counts[i] / n))
        out_zone += [zones[i]] * n
        out_row += [int(i)] * n
        out_x.append(xs)
        out_y.append(ys)
    cat = lambda a: np.concatenate(a) if a else np.array([], dtype=np.float64)  # noqa: E731
    layer = population_layer(
        out_ids,
        cat(out_pop),
        out_zone,
        np.array(out_row, dtype=np.int64),
        cat(out_x),
        cat(out_y),
        source,
    )
    return layer, fallback


def population_from_polygons(
    src: str | Path | gpd.GeoDataFrame,
    *,
    count_column: Any,
    spacing_m: float = 100.0,
    residential: str | Path | gpd.GeoDataFrame | None = None,
    zone_column: Any | None = None,
    id_column: Any | None = None,
    encoding: str | None = None,
    layer: str | int | None = None,
    crs: Any | None = None,
    source_name: str | None = None,
    overlaps: str = "refuse",
) -> LoadResult:
    """Spread polygon counts (compounds, sub-districts) over points inside each polygon.

    Points are the nodes of one global grid, ``((i + 0.5) * spacing_m, (j + 0.5) *
    spacing_m)`` in EPSG:4548, that fall inside the polygon (a polygon too small to hold one
    gets its representative point); each carries ``count / n_points``, so each polygon's total
    is preserved (to float rounding, checked to 1e-9). With ``residential`` (a residential
    land-use layer) points go only where polygon ∩ residential; where that is empty the whole
    polygon is used and the fallback recorded (``provenance["dasymetric_fallback"]``).

    Invalid polygons are repaired with ``shapely.make_valid`` (``provenance["repaired"]``).
    Rejected polygons: empty geometry, not a polygon, missing/non-numeric/non-finite/negative
    or zero count, outside Licheng and Shizhong (+2 km,
    :mod:`~jinan_gis.layers.district_check`), missing/duplicate id. Overlapping polygons
    are refused, or clipped with ``overlaps="clip"``
    (:mod:`~jinan_gis.layers.population_overlaps` states the rule). See the module notes on
    ``n_input``.

    Parameters
    ----------
    src : path or geopandas.GeoDataFrame
        Polygons in any CRS (``crs`` declares a missing one). Not changed.
    count_column : str
        The column of people per polygon.
    spacing_m : float
        Grid spacing in metres.
    residential : path or GeoDataFrame, optional
        Residential land polygons for dasymetric placement.
    zone_column, id_column : str, optional
        Columns copied to ``zone`` and used for ``pop_id`` (default: the input row).
    encoding, layer : optional
        As in :func:`~jinan_gis.layers.tables.read_vector`.
    source_name : str, optional
        The ``source`` value.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> area = gpd.GeoDataFrame({"n": [90.0], "name": ["A"]},
    ...     geometry=[box(500_000, 4_060_000, 500_300, 4_060_300)], crs="EPSG:4548")
    >>> homes = gpd.GeoDataFrame(geometry=[box(500_000, 4_060_000, 500_100, 4_060_300)],
    ...                          crs="EPSG:4548")
    >>> res = population_from_polygons(area, count_column="n", residential=homes,
    ...                                zone_column="name")
    >>> res.layer["geometry"].x.unique().tolist(), res.layer["population"].tolist()
    ([500050.0], [30.0, 30.0, 30.0])
    """
    if not spacing_m > 0:
        raise InputDataError(f"spacing_m must be positive, got {spacing_m!r}.")
    source = source_name or (Path(src).name if isinstance(src, str | Path) else "polygons")
    gdf, info = _read_polygons(src, encoding=encoding, layer=layer, crs=crs, source=source)
    if count_column not in gdf.columns:
        raise InputDataError(
            f"{source}: count_column={count_column!r} is not a column. Columns found: "
            f"{[c for c in gdf.columns if c != gdf.geometry.name]}."
        )
    res_union = None
    if residential is not None:
        rname = Path(residential).name if isinstance(residential, str | Path) else "residential"
        rgdf, _ = _read_polygons(residential, encoding=encoding, layer=None, crs=None, source=rname)
        rgeoms = shapely.make_valid(rgdf.geometry.dropna().to_numpy())
        res_union = polygonal_part(shapely.union_all(rgeoms)) if len(rgeoms) else None
    counts, reason = _parse_counts(gdf[count_column])
    geoms = gdf.geometry.to_numpy()
    zones = _zone_values(gdf, zone_column, source)
    fixed, repaired = _repair_polygons(geoms, reason)
    _check_places(fixed, reason, source=source)
    ids, reason = _ids(gdf, id_column, reason, source)
    fixed, reason = resolve_overlaps(fixed, reason, overlaps=overlaps, source=source)
    placed = np.flatnonzero(np.equal(reason, None))
    layer_gdf, fallback = _spread(
        placed, fixed, ids=ids, counts=counts, zones=zones, res_union=res_union,
        spacing_m=spacing_m, source=source,
    )
    bad = np.flatnonzero(~np.equal(reason, None))
    attrs = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    rejected = rejection_table(
        {
            "input_row": int(i),
            "reason": reason[i],
            **attrs.iloc[i].to_dict(),
            "wkt": None if geoms[i] is None else geoms[i].wkt,
        }
        for i in bad
    )
    sum_in = math.fsum(counts[placed].tolist())
    sum_out = math.fsum(layer_gdf["population"].tolist())
    if repaired:
        log.warning(
            "%s: %d invalid polygon(s) repaired with make_valid: %s",
            source,
            len(repaired),
            repaired[:5],
        )
    if fallback:
        log.warning(
            "%s: %d polygon(s) have no residential land; points spread over the whole polygon: %s",
            source,
            len(fallback),
            fallback[:10],
        )
    prov: dict[str, Any] = {
        "source": source,
        **info,
        "count_column": count_column,
        "overlaps": overlaps,
        "spacing_m": float(spacing_m),
        "dasymetric": residential is not None,
        "dasymetric_fallback": fallback,
        "n_dasymetric_fallback": len(fallback),
        "repaired": repaired,
        "n_repaired": len(repaired),
        "n_polygons_in": len(gdf),
        "n_polygons_placed": len(placed),
        "n_polygons_rejected": len(bad),
        "n_points": len(layer_gdf),
        "population_in": sum_in,
        "population_out": sum_out,
        "totals": check_totals(sum_in, sum_out, source=source, exact=False),
        "rows": "n_input = output points of placed polygons + rejected polygons",
    }
    if len(placed) + len(bad) != len(gdf):
        raise LayerError(f"{source}: polygon accounting broken. This is a bug in jinan-gis.")
    return finish_population(layer_gdf, rejected, len(layer_gdf) + len(rejected), prov)


# ------------------------------------------------------------------------------ points


def population_from_points(
    src: str | Path | pd.DataFrame,
    *,
    count_column: Any,
    datum: str | None = None,
    zone_column: Any | None = None,
    id_column: Any | None = None,
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
    duplicates: str = "reject",
) -> LoadResult:
    """Population points from a table or vector file with a count column (one row, one point).

    Reading, datum and coordinate rules are those of
    :func:`~jinan_gis.layers.points.read_point_rows` (a table needs ``datum``; ``sep``,
    ``decimal``, ``header_row``, ``sheet`` and ``lonlat_column`` as there). Rows are
    rejected for bad coordinates, a missing/non-numeric/non-finite/negative/zero count, a
    missing/duplicate id, or repeating an earlier row in every value
    (``"duplicate row of row N"``; ``duplicates="keep"`` keeps them with a warning). A
    MultiPoint feature becomes one point per part, its count shared equally among the parts
    placed (as a polygon's count is shared among its grid points); it counts once in
    ``n_input``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"小区": ["A", "B"], "人口": ["1200", "-5"],
    ...                    "lng": [117.05, 117.06], "lat": [36.67, 36.68]})
    >>> res = population_from_points(df, count_column="人口", datum="wgs84", zone_column="小区")
    >>> res.layer[["pop_id", "population", "zone"]].values.tolist()
    [['0', 1200.0, 'A']]
    >>> res.rejected["reason"].tolist(), res.provenance["totals"]
    (['negative count'], 'population in 1,200 = out 1,200')
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
    if count_column not in pr.rows.columns:
        raise InputDataError(
            f"{source}: count_column={count_column!r} is not a column. Columns found: "
            f"{list(pr.rows.columns)}."
        )
    counts, count_reason = _parse_counts(pr.rows[count_column])
    reason = pr.reason.copy()
    take = np.equal(reason, None)
    reason[take] = count_reason[take]
    rows_in = pr.input_rows
    if pr.feature_row is None:
        ids, reason = _ids(pr.rows, id_column, reason, source)
    else:  # exploded MultiPoints: ids per feature, then ".<point>"
        first = np.unique(rows_in, return_index=True)[1]
        fids, freason = _ids(pr.rows.iloc[first].reset_index(drop=True), id_column,
                             reason[first], source)
        by_feature = dict(zip(rows_in[first].tolist(), range(len(first)), strict=True))
        ids = [fids[by_feature[r]] if k < 0 else f"{fids[by_feature[r]]}.{k}"
               for r, k in zip(rows_in.tolist(), pr.part.tolist(), strict=True)]
        for f, j in by_feature.items():
            if freason[j] is not None:
                reason[(rows_in == f) & np.equal(reason, None)] = freason[j]
    reason, dups = flag_duplicates(pr.rows.drop(columns=["wkt"], errors="ignore"), pr.x_m,
                                   pr.y_m, reason, key=None, duplicates=duplicates,
                                   source=source, input_row=rows_in)
    zones = _zone_values(pr.rows, zone_column, source)
    ok, bad, rejected_parts = split_accounting(rows_in, reason)
    share = counts.copy()
    if pr.feature_row is not None:  # a MultiPoint's count, shared by its placed points
        n_placed = np.bincount(rows_in[ok], minlength=int(rows_in.max()) + 1)
        share[ok] = counts[ok] / n_placed[rows_in[ok]]
    layer_gdf = population_layer(
        [ids[i] for i in ok],
        share[ok],
        [zones[i] for i in ok],
        rows_in[ok].astype(np.int64),
        pr.x_m[ok],
        pr.y_m[ok],
        source,
    )
    originals = pr.rows.iloc[bad].to_dict("records")
    rejected = rejection_table(
        {"input_row": int(rows_in[i]), "reason": reason[i], **o}
        for i, o in zip(bad, originals, strict=True)
    )
    kept_features = np.unique(rows_in[ok], return_index=True)[1]
    sum_in = math.fsum(counts[ok][kept_features].tolist())
    sum_out = math.fsum(layer_gdf["population"].tolist())
    prov = {
        **pr.provenance,
        "count_column": count_column,
        "population_in": sum_in,
        "population_out": sum_out,
        "totals": check_totals(sum_in, sum_out, source=source,
                               exact=pr.feature_row is None),
        "duplicates": duplicates,
        "n_duplicates": len(dups),
        "rejected_parts": rejected_parts,
    }
    if pr.feature_row is not None:
        prov["accounting"] = "input_row"
    return finish_population(layer_gdf, rejected, pr.n_input, prov)
