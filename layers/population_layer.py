"""Assembling a population layer: its points, the check that totals are kept, its result.

Shared by the population loaders (:mod:`jinan_gis.layers.population`,
:mod:`jinan_gis.layers.population_grid`); messages go to the ``jinan_gis.layers.population``
logger, the loaders' own.

Examples
--------
>>> import numpy as np
>>> layer = population_layer(["a"], np.array([5.0]), [None], np.array([0]),
...                          np.array([500_000.0]), np.array([4_060_000.0]), "x.csv")
>>> layer.columns.tolist()
['pop_id', 'population', 'source', 'zone', 'input_row', 'geometry']
"""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from ..geo.crs import ANALYSIS_CRS
from ..geo.errors import LayerError
from .result import LoadResult
from .schema import check_layer_columns

__all__ = ["check_totals", "finish_population", "population_layer"]

log = logging.getLogger("jinan_gis.layers.population")


def _fmt(value: float) -> str:
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.6f}".rstrip("0").rstrip(".")


def check_totals(sum_in: float, sum_out: float, *, source: str, exact: bool) -> str:
    """The totals line ``"population in X = out Y"``; :class:`LayerError` if they differ.

    Examples
    --------
    >>> check_totals(1200.0, 1200.0, source="x", exact=True)
    'population in 1,200 = out 1,200'
    """
    ok = sum_in == sum_out if exact else math.isclose(sum_in, sum_out, rel_tol=1e-9, abs_tol=1e-9)
    if not ok:
        raise LayerError(
            f"{source}: population not preserved: in {sum_in!r}, out {sum_out!r}. This is a bug "
            "in jinan-gis; please report it with the input."
        )
    return f"population in {_fmt(sum_in)} = out {_fmt(sum_out)}"


def population_layer(
    ids: list[str],
    pop: npt.NDArray[np.float64],
    zone: list[str | None],
    rows: npt.NDArray[np.int64],
    x_m: npt.NDArray[np.float64],
    y_m: npt.NDArray[np.float64],
    source: str,
) -> gpd.GeoDataFrame:
    """A population layer (:data:`~jinan_gis.layers.schema.POPULATION_COLUMNS`) in EPSG:4548."""
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


def finish_population(
    layer: gpd.GeoDataFrame, rejected: pd.DataFrame, n_input: int, prov: dict[str, Any]
) -> LoadResult:
    """Complete the provenance, check the columns and the row accounting; the result."""
    prov.update(
        crs=ANALYSIS_CRS,
        loaded_at=datetime.now(UTC).isoformat(timespec="seconds"),
        n_input=n_input,
        n_kept=(int(layer["input_row"].nunique()) if prov.get("accounting") == "input_row"
                else len(layer)),
        n_rejected=len(rejected),
    )
    check_layer_columns(layer, "population", what=str(prov.get("source", "population")))
    result = LoadResult(layer=layer, rejected=rejected, n_input=n_input, provenance=prov)
    result.check_accounting()
    log.info("%s; %s", result.summary(), prov.get("totals"))
    return result
