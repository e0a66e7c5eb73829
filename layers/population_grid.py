"""Population from a grid (WorldPop, GHS-POP): one weighted point per positive cell.

See :mod:`jinan_gis.layers.population` for the population schema and what counts as an input
row (a cell holding anything but exactly 0); :func:`population_from_raster` is also importable
from there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import rasterio
from pyproj import CRS, Transformer
from rasterio.warp import transform_bounds
from rasterio.windows import Window

from ..geo.crs import ANALYSIS_CRS, JINAN_BOUNDS_LONLAT, describe_crs, parse_crs
from ..geo.errors import CRSError, InputDataError, LayerError
from .population_layer import check_totals, finish_population, population_layer
from .result import LoadResult, rejection_table

__all__ = ["population_from_raster"]


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


@dataclass(frozen=True)
class _Grid:
    """The cells read from a raster's window, with what is needed to place them."""

    values: npt.NDArray[np.float64]
    masked: npt.NDArray[np.bool_]
    nodata: float | None
    window: Window
    crs: CRS
    transform: Any
    width: int
    height: int
    res: tuple[float, float]


def _read_grid(
    p: Path, *, band: int, crs: Any | None, clip_lonlat: tuple[float, float, float, float] | None
) -> _Grid:
    """Read one band of the raster at ``p`` inside the window of ``clip_lonlat``."""
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
            parse_crs(crs)
            if crs is not None
            else (CRS.from_user_input(ds.crs) if ds.crs is not None else None)
        )
        if rcrs is None:
            raise CRSError(
                f"{p} has no CRS. Declare it (command line: --crs; Python: crs=...): "
                "WorldPop and GHS-POP WGS84 grids EPSG:4326, GHS-POP Mollweide ESRI:54009."
            )
        win = _window(ds, rcrs, clip_lonlat)
        return _Grid(
            values=ds.read(band, window=win).astype(np.float64),
            masked=ds.read_masks(band, window=win) == 0,
            nodata=ds.nodata,
            window=win,
            crs=rcrs,
            transform=ds.transform,
            width=ds.width,
            height=ds.height,
            res=ds.res,
        )


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
    grid = _read_grid(p, band=band, crs=crs, clip_lonlat=clip_lonlat)
    arr, masked, nodata, win, rcrs = grid.values, grid.masked, grid.nodata, grid.window, grid.crs
    wt, width, height, res_xy = grid.transform, grid.width, grid.height, grid.res
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
    layer = population_layer(
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
        "totals": check_totals(sum_in, sum_out, source=source, exact=True),
        "rows": "a row is a cell holding anything but 0 (zero cells: n_zero_cells)",
    }
    return finish_population(layer, rejected, int(positive.sum()) + len(rejected), prov)
