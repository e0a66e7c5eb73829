"""Population as weighted points: from a grid (WorldPop, GHS-POP), polygons with counts, or points.

Every loader returns a :class:`~jinan_gis.layers.result.LoadResult` whose layer has the
population schema (:data:`POPULATION_COLUMNS`) in EPSG:4548:

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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import rasterio
import shapely
from pyproj import CRS, Transformer
from rasterio.warp import transform_bounds
from rasterio.windows import Window

from ..geo.crs import (
    ANALYSIS_CRS,
    JINAN_BOUNDS_LONLAT,
    describe_crs,
    to_analysis_crs,
)
from ..geo.errors import CRSError, InputDataError, LayerError
from .points import read_point_rows
from .result import LoadResult, rejection_table
from .schema import POPULATION_COLUMNS, check_layer_columns
from .tables import polygonal_part, read_vector_checked

__all__ = [
    "POPULATION_COLUMNS",
    "population_from_points",
    "population_from_polygons",
    "population_from_raster",
]

log = logging.getLogger(__name__)

_MAX_GRID_POINTS = 5_000_000


def _fmt(value: float) -> str:
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.6f}".rstrip("0").rstrip(".")


def _totals(sum_in: float, sum_out: float, *, source: str, exact: bool) -> str:
    ok = sum_in == sum_out if exact else math.isclose(sum_in, sum_out, rel_tol=1e-9, abs_tol=1e-9)
    if not ok:
        raise LayerError(
            f"{source}: population not preserved: in {sum_in!r}, out {sum_out!r}. This is a bug "
            "in jinan-gis; please report it with the input."
        )
    return f"population in {_fmt(sum_in)} = out {_fmt(sum_out)}"


def _layer(
    ids: list[str],
    pop: npt.NDArray[np.float64],
    zone: list[str | None],
    rows: npt.NDArray[np.int64],
    x_m: npt.NDArray[np.float64],
    y_m: npt.NDArray[np.float64],
    source: str,
) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "pop_id": pd.Series(ids, dtype=object),
            "population": np.asarray(pop, dtype=np.float64),
            "source": source,
            "zone": pd.Series(zone, dtype=object),
            "input_row": np.asarray(rows, dtype=np.int64),
        },
        geometry=gpd.points_from_xy(x_m, y_m),
        crs=ANALYSIS_CRS,
    )


def _finish(
    layer: gpd.GeoDataFrame, rejected: pd.DataFrame, n_input: int, prov: dict[str, Any]
) -> LoadResult:
    prov.update(
        crs=ANALYSIS_CRS,
        loaded_at=datetime.now(UTC).isoformat(timespec="seconds"),
        n_input=n_input,
        n_kept=len(layer),
        n_rejected=len(rejected),
    )
    check_layer_columns(layer, "population", what=str(prov.get("source", "population")))
    result = LoadResult(layer=layer, rejected=rejected, n_input=n_input, provenance=prov)
    result.check_accounting()
    log.info("%s; %s", result.summary(), prov.get("totals"))
    return result


# ------------------------------------------------------------------------------------- grid


def _window(ds: Any, crs: CRS, clip_lonlat: tuple[float, float, float, float] | None) -> Window:
    full = Window(0, 0, ds.width, ds.height)
    if clip_lonlat is None:
        return full
    left, bottom, right, top = transform_bounds("EPSG:4326", crs, *clip_lonlat, densify_pts=21)
    inv = ~ds.transform
    cols, rows = zip(
        *(inv @ (x, y) for x, y in ((left, bottom), (left, top), (right, bottom), (right, top))),
        strict=True,
    )
    c0 = max(0, math.floor(min(cols)))
    r0 = max(0, math.floor(min(rows)))
    c1 = min(ds.width, math.ceil(max(cols)))
    r1 = min(ds.height, math.ceil(max(rows)))
    if c1 <= c0 or r1 <= r0:
        raise LayerError(
            f"{ds.name}: the grid does not cover Jinan {clip_lonlat} (lon/lat). Check that it "
            "is the right file and CRS, or pass clip_lonlat=None to read it all."
        )
    return Window(c0, r0, c1 - c0, r1 - r0)


def population_from_raster(
    path: str | Path,
    *,
    band: int = 1,
    crs: Any | None = None,
    clip_lonlat: tuple[float, float, float, float] | None = JINAN_BOUNDS_LONLAT,
    source_name: str | None = None,
) -> LoadResult:
    """One weighted point per positive cell of a population grid (GeoTIFF...), at its centre.

    Parameters
    ----------
    path : path
        A raster rasterio can read (WorldPop, GHS-POP: people per cell), in any CRS.
    band : int
        The band to read (1-based).
    crs : CRS-like, optional
        The CRS to declare when the file has none.
    clip_lonlat : (min lon, min lat, max lon, max lat) or None
        Read only the cells of this WGS84 box (default: the city of Jinan).
    source_name : str, optional
        The ``source`` value (default: the file name).

    Returns
    -------
    LoadResult
        Points with :data:`POPULATION_COLUMNS`; rejected cells (``input_row`` = flat cell
        index, ``reason``, ``row``, ``col``, ``value``); provenance with ``totals``,
        ``n_zero_cells``, ``window``, ``cell_size``.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np, rasterio
    >>> from rasterio.transform import Affine
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "pop.tif"
    >>> grid = np.array([[10.5, 0.0], [-1.0, -9999.0]])
    >>> with rasterio.open(p, "w", driver="GTiff", height=2, width=2, count=1,
    ...                    dtype="float64", crs="EPSG:4548", nodata=-9999.0,
    ...                    transform=Affine(100, 0, 500_000, 0, -100, 4_060_000)) as dst:
    ...     dst.write(grid, 1)
    >>> res = population_from_raster(p)
    >>> res.layer["pop_id"].tolist(), res.rejected["reason"].tolist()
    (['r0c0'], ['negative value', 'nodata'])
    >>> res.provenance["totals"], res.provenance["n_zero_cells"]
    ('population in 10.5 = out 10.5', 1)
    """
    p = Path(path)
    source = source_name or p.name
    if not p.exists():
        raise InputDataError(f"{p}: no such file. Check the path.")
    try:
        ds = rasterio.open(p)
    except rasterio.errors.RasterioIOError as exc:
        raise InputDataError(f"{p}: not a readable raster ({exc}).") from exc
    with ds:
        if not 1 <= band <= ds.count:
            raise InputDataError(f"{p}: band {band} does not exist (it has {ds.count}).")
        rcrs = (
            CRS.from_user_input(crs)
            if crs is not None
            else (CRS.from_user_input(ds.crs) if ds.crs is not None else None)
        )
        if rcrs is None:
            raise CRSError(
                f"{p} has no CRS. Pass crs=... (WorldPop and GHS-POP WGS84 grids: "
                "crs='EPSG:4326'; GHS-POP Mollweide: crs='ESRI:54009')."
            )
        win = _window(ds, rcrs, clip_lonlat)
        arr = ds.read(band, window=win).astype(np.float64)
        masked = ds.read_masks(band, window=win) == 0
        nodata = ds.nodata
        wt = ds.transform
        width, height, res_xy = ds.width, ds.height, ds.res
    if nodata is not None:
        masked |= (arr == nodata) | (np.isnan(arr) & bool(np.isnan(nodata)))
    finite = np.isfinite(arr)
    with np.errstate(invalid="ignore"):
        bad_value = ~masked & ~finite
        negative = ~masked & finite & (arr < 0)
        zero = ~masked & (arr == 0)
        positive = ~masked & finite & (arr > 0)
    r_loc, c_loc = np.nonzero(positive)
    rows_full = r_loc + int(win.row_off)
    cols_full = c_loc + int(win.col_off)
    values = arr[r_loc, c_loc]
    cx = cols_full + 0.5  # cell centres, in the full raster's pixel coordinates
    cy = rows_full + 0.5
    xs = wt.c + wt.a * cx + wt.b * cy
    ys = wt.f + wt.d * cx + wt.e * cy
    tr = Transformer.from_crs(rcrs, ANALYSIS_CRS, always_xy=True)
    x_m, y_m = tr.transform(xs, ys)
    layer = _layer(
        [f"r{r}c{c}" for r, c in zip(rows_full, cols_full, strict=True)],
        values,
        [None] * len(values),
        rows_full.astype(np.int64) * width + cols_full,
        np.asarray(x_m, dtype=np.float64),
        np.asarray(y_m, dtype=np.float64),
        source,
    )
    recs = []
    for reason, sel in (
        ("nodata", masked),
        ("non-finite value", bad_value),
        ("negative value", negative),
    ):
        rr, cc = np.nonzero(sel)
        rf, cf = rr + int(win.row_off), cc + int(win.col_off)
        recs.append(
            pd.DataFrame(
                {
                    "input_row": rf.astype(np.int64) * width + cf,
                    "reason": reason,
                    "row": rf,
                    "col": cf,
                    "value": arr[rr, cc],
                }
            )
        )
    rej = pd.concat(recs, ignore_index=True).sort_values("input_row", kind="stable")
    rejected = rejection_table(rej.to_dict("records"))
    sum_in = math.fsum(values.tolist())
    sum_out = math.fsum(layer["population"].tolist())
    prov: dict[str, Any] = {
        "source": source,
        "path": str(p.resolve()),
        "format": "raster",
        "band": band,
        "crs_in": describe_crs(rcrs),
        "nodata": nodata,
        "cell_size": [float(res_xy[0]), float(res_xy[1])],
        "raster_shape": [height, width],
        "window": {
            "row_off": int(win.row_off),
            "col_off": int(win.col_off),
            "height": int(win.height),
            "width": int(win.width),
        },
        "clip_lonlat": list(clip_lonlat) if clip_lonlat is not None else None,
        "n_cells_read": int(arr.size),
        "n_zero_cells": int(zero.sum()),
        "population_in": sum_in,
        "population_out": sum_out,
        "totals": _totals(sum_in, sum_out, source=source, exact=True),
        "rows": "a row is a cell holding anything but 0 (zero cells: n_zero_cells)",
    }
    return _finish(layer, rejected, int(positive.sum()) + len(rejected), prov)


# ------------------------------------------------------------------------------ counts


def _parse_counts(values: pd.Series) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.object_]]:
    """Counts as floats and a per-row reason (None where the count can be placed)."""
    raw = values.astype(object).map(lambda v: v.strip() if isinstance(v, str) else v)
    missing = raw.map(
        lambda v: v is None or v is pd.NA or v == "" or (isinstance(v, float) and v != v)
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
        None if (v is None or v is pd.NA or (isinstance(v, float) and v != v)) else str(v)
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
        text = None if v is None or (isinstance(v, float) and v != v) else str(v).strip()
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
    or zero count, missing/duplicate id. See the module notes on ``n_input``.

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
    repaired: list[dict[str, Any]] = []
    fallback: list[str] = []
    fixed: list[Any] = [None] * len(gdf)
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            reason[i] = "empty geometry"
            continue
        if g.geom_type not in ("Polygon", "MultiPolygon"):
            reason[i] = f"not a polygon ({g.geom_type})"
            continue
        if not g.is_valid:
            problem = shapely.is_valid_reason(g)
            g = polygonal_part(shapely.make_valid(g))
            if g is None:
                reason[i] = f"invalid polygon, cannot be repaired ({problem})"
                continue
            if reason[i] is None:
                repaired.append({"input_row": i, "problem": problem})
        fixed[i] = g
    ids, reason = _ids(gdf, id_column, reason, source)
    out_ids: list[str] = []
    out_pop: list[npt.NDArray[np.float64]] = []
    out_zone: list[str | None] = []
    out_row: list[int] = []
    out_x: list[npt.NDArray[np.float64]] = []
    out_y: list[npt.NDArray[np.float64]] = []
    placed = np.flatnonzero(np.equal(reason, None))
    for i in placed:
        target = fixed[i]
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
    layer_gdf = _layer(
        out_ids,
        cat(out_pop),
        out_zone,
        np.array(out_row, dtype=np.int64),
        cat(out_x),
        cat(out_y),
        source,
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
        "totals": _totals(sum_in, sum_out, source=source, exact=False),
        "rows": "n_input = output points of placed polygons + rejected polygons",
    }
    if len(placed) + len(bad) != len(gdf):
        raise LayerError(f"{source}: polygon accounting broken. This is a bug in jinan-gis.")
    return _finish(layer_gdf, rejected, len(layer_gdf) + len(rejected), prov)


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
) -> LoadResult:
    """Population points from a table or vector file with a count column (one row, one point).

    Reading, datum and coordinate rules are those of
    :func:`~jinan_gis.layers.points.read_point_rows` (a table needs ``datum``). Rows are
    rejected for bad coordinates, a missing/non-numeric/non-finite/negative/zero count, or a
    missing/duplicate id.

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
    ids, reason = _ids(pr.rows, id_column, reason, source)
    zones = _zone_values(pr.rows, zone_column, source)
    ok = np.flatnonzero(np.equal(reason, None))
    layer_gdf = _layer(
        [ids[i] for i in ok],
        counts[ok],
        [zones[i] for i in ok],
        ok.astype(np.int64),
        pr.x_m[ok],
        pr.y_m[ok],
        source,
    )
    bad = np.flatnonzero(~np.equal(reason, None))
    originals = pr.rows.iloc[bad].to_dict("records")
    rejected = rejection_table(
        {"input_row": int(i), "reason": reason[i], **o} for i, o in zip(bad, originals, strict=True)
    )
    sum_in = math.fsum(counts[ok].tolist())
    sum_out = math.fsum(layer_gdf["population"].tolist())
    prov = {
        **pr.provenance,
        "count_column": count_column,
        "population_in": sum_in,
        "population_out": sum_out,
        "totals": _totals(sum_in, sum_out, source=source, exact=True),
    }
    return _finish(layer_gdf, rejected, len(pr.rows), prov)
