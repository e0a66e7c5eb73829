"""What every loader returns: the layer, the rows it rejected and why, and provenance.

A :class:`LoadResult` behaves like the GeoDataFrame it carries (columns, ``len``, ``plot``,
``explore``, ``to_file``... are the layer's), so it reads like geopandas; the rejection table
is ``result.rejected`` and the plain GeoDataFrame ``result.layer``.

Nothing is lost: ``len(result.layer) + len(result.rejected) == result.n_input`` always holds
(:meth:`LoadResult.check_accounting` asserts it, and every loader calls it before returning).
Loaders that split one input row into several features (streets noded at intersections)
declare ``provenance["accounting"] = "input_row"``; the rule is then on input rows:
``layer.input_row.nunique() + len(rejected) == n_input``.

Examples
--------
>>> import geopandas as gpd, pandas as pd
>>> from shapely.geometry import Point
>>> layer = gpd.GeoDataFrame({"input_row": [0]}, geometry=[Point(0, 0)], crs="EPSG:4548")
>>> rejected = rejection_table([{"input_row": 1, "reason": "missing coordinates"}])
>>> res = LoadResult(layer=layer, rejected=rejected, n_input=2, provenance={"source": "x.csv"})
>>> res.check_accounting().summary()
'x.csv: 2 rows in, 1 kept, 1 rejected (missing coordinates: 1)'
>>> len(res), res["input_row"].tolist(), res.crs.to_epsg(), len(res.rejected)
(1, [0], 4548, 1)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from ..geo.errors import LayerError

__all__ = ["REJECTION_COLUMNS", "LoadResult", "rejection_table"]

log = logging.getLogger(__name__)

REJECTION_COLUMNS = ("input_row", "reason")
"""Leading columns of every rejection table: the input row number (0-based) and the reason.
Further columns carry the row's original values, so that nothing is lost."""


def rejection_table(rows: Iterable[Mapping[str, Any]] = ()) -> pd.DataFrame:
    """Build a rejection table (``input_row``, ``reason``, then the row's original values).

    Examples
    --------
    >>> rejection_table().columns.tolist()
    ['input_row', 'reason']
    """
    df = pd.DataFrame(list(rows))
    for col in REJECTION_COLUMNS:
        if col not in df.columns:
            df[col] = pd.Series(dtype="int64" if col == "input_row" else "object")
    rest = [c for c in df.columns if c not in REJECTION_COLUMNS]
    return df[list(REJECTION_COLUMNS) + rest].reset_index(drop=True)


@dataclass(frozen=True)
class LoadResult:
    """A loaded layer with its rejection table and provenance.

    Attributes
    ----------
    layer : geopandas.GeoDataFrame
        The clean layer, in EPSG:4548 unless documented otherwise.
    rejected : pandas.DataFrame
        One row per rejected input row: ``input_row``, ``reason``, original values.
    n_input : int
        Number of input rows (features) read.
    provenance : dict
        Where the layer came from: ``source`` (file, URL or "synthetic"), ``datum``, ``crs``,
        ``encoding``, ``loaded_at``... whatever applies.
    """

    layer: gpd.GeoDataFrame
    rejected: pd.DataFrame
    n_input: int
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def n_kept(self) -> int:
        """Input rows kept: layer rows, or distinct ``input_row`` for split layers."""
        if self.provenance.get("accounting") == "input_row" and "input_row" in self.layer:
            return int(self.layer["input_row"].nunique())
        return len(self.layer)

    @property
    def n_rejected(self) -> int:
        """Rows in the rejection table."""
        return len(self.rejected)

    def check_accounting(self) -> LoadResult:
        """Raise :class:`LayerError` unless kept + rejected == input; return ``self``."""
        if self.n_kept + self.n_rejected != self.n_input:
            raise LayerError(
                f"{self.provenance.get('source', 'layer')}: row accounting broken: "
                f"{self.n_input} in, {self.n_kept} kept, {self.n_rejected} rejected. This is "
                "a bug in jinan-gis; please report it with the input file."
            )
        return self

    # ---------------------------------------------------------- behaves like its layer
    # A LoadResult is used like the GeoDataFrame it carries (``res.plot()``, ``res["name"]``,
    # ``len(res)``, ``res.explore()``), with the rejection table one attribute away
    # (``res.rejected``); ``res.layer`` is the GeoDataFrame itself, for functions that need one.
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in {"layer", "rejected", "n_input", "provenance"}:
            raise AttributeError(name)
        return getattr(self.layer, name)

    def __getitem__(self, key: Any) -> Any:
        return self.layer[key]

    def __len__(self) -> int:
        return len(self.layer)

    def __iter__(self) -> Any:
        return iter(self.layer)

    def __contains__(self, key: object) -> bool:
        return key in self.layer

    def __bool__(self) -> bool:  # a result is a result, even when nothing was kept
        return True

    def __repr__(self) -> str:
        return f"<LoadResult {self.summary()}>\n{self.layer!r}"

    def _repr_html_(self) -> str:
        html = getattr(self.layer, "_repr_html_", None)
        body = html() if html is not None else ""
        return f"<p><b>LoadResult</b> {self.summary()}</p>{body}"

    def summary(self) -> str:
        """One line: rows in, kept, rejected by reason."""
        reasons = ""
        if self.n_rejected:
            counts = self.rejected["reason"].value_counts(sort=True)
            reasons = " (" + ", ".join(f"{r}: {n}" for r, n in counts.items()) + ")"
        src = self.provenance.get("source", "layer")
        split = f" (as {len(self.layer)} features)" if len(self.layer) != self.n_kept else ""
        return (
            f"{src}: {self.n_input} rows in, {self.n_kept} kept{split}, "
            f"{self.n_rejected} rejected{reasons}"
        )
