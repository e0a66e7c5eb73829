"""One rule for "is this synthetic?", and the mark every output of synthetic data carries.

The embedded sample is invented (streets, facility positions, population, sub-district
boundaries) inside the real district polygons. Everything made from it must say so. This
module is the only place that decides it: a layer, a loader result, a provenance dict or a
collection of them is synthetic when

- a frame's ``attrs["synthetic"]`` is true, or
- any value of its ``source`` column is ``"synthetic"`` (case and surrounding spaces ignored,
  so ``"Synthetic "`` counts), or
- a provenance mapping (``LoadResult.provenance``, ``frame.attrs["provenance"]``) has
  ``synthetic`` true or ``source == "synthetic"`` (same normalisation).

Examples
--------
>>> import pandas as pd
>>> is_synthetic(pd.DataFrame({"source": ["osm", "Synthetic "]}))
True
>>> is_synthetic(pd.DataFrame({"source": ["osm"]})), is_synthetic(None)
(False, False)
>>> is_synthetic([None, {"source": "synthetic"}])
True
>>> SYNTHETIC_MARK
'合成样例数据 / SYNTHETIC SAMPLE: not findings about Jinan'
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

__all__ = ["SYNTHETIC", "SYNTHETIC_MARK", "is_synthetic", "mark_synthetic"]

log = logging.getLogger(__name__)

SYNTHETIC = "synthetic"
"""The ``source`` value of every feature of the embedded sample."""

SYNTHETIC_MARK = "合成样例数据 / SYNTHETIC SAMPLE: not findings about Jinan"
"""The words every table, sheet, layer, CSV, console summary and map of synthetic data shows."""


def _norm(value: Any) -> str:
    return str(value).strip().casefold() if value is not None else ""


def _mapping_synthetic(prov: Mapping[str, Any]) -> bool:
    if bool(prov.get("synthetic", False)):
        return True
    return _norm(prov.get("source")) == SYNTHETIC


def is_synthetic(obj: Any) -> bool:
    """Whether ``obj`` holds synthetic data (see the module docstring for the rule).

    ``obj`` may be a DataFrame/GeoDataFrame, a Series of sources, a
    :class:`~jinan_gis.layers.result.LoadResult`, a provenance mapping, an object with a
    ``layers()``/``provenance`` attribute, or any iterable of those (true if any is). ``None``
    is not synthetic.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1]})
    >>> df.attrs["synthetic"] = True
    >>> is_synthetic(df)
    True
    """
    if obj is None:
        return False
    if isinstance(obj, pd.DataFrame):
        if bool(obj.attrs.get("synthetic", False)):
            return True
        prov = obj.attrs.get("provenance")
        if isinstance(prov, Mapping) and _mapping_synthetic(prov):
            return True
        if "source" in obj.columns and len(obj):
            src = obj["source"].dropna()
            return bool(len(src)) and bool(
                (src.astype(str).str.strip().str.casefold() == SYNTHETIC).any()
            )
        return False
    if isinstance(obj, pd.Series):
        src = obj.dropna()
        return bool(len(src)) and bool(
            (src.astype(str).str.strip().str.casefold() == SYNTHETIC).any()
        )
    if isinstance(obj, Mapping):
        return _mapping_synthetic(obj)
    if isinstance(obj, str):
        return _norm(obj) == SYNTHETIC
    layer = getattr(obj, "layer", None)
    prov = getattr(obj, "provenance", None)
    if layer is not None or prov is not None:  # a LoadResult
        return (isinstance(prov, Mapping) and _mapping_synthetic(prov)) or is_synthetic(layer)
    if isinstance(obj, Iterable):
        return any(is_synthetic(o) for o in obj)
    return False


def mark_synthetic(frame: pd.DataFrame, synthetic: bool) -> pd.DataFrame:
    """A copy of ``frame`` that carries the mark when ``synthetic``: an ``data_note`` column
    holding :data:`SYNTHETIC_MARK` and ``attrs["synthetic"] = True`` (unchanged otherwise).

    Examples
    --------
    >>> import pandas as pd
    >>> mark_synthetic(pd.DataFrame({"a": [1]}), True)["data_note"].item()
    '合成样例数据 / SYNTHETIC SAMPLE: not findings about Jinan'
    """
    out = frame.copy()
    if synthetic:
        out["data_note"] = SYNTHETIC_MARK
        out.attrs["synthetic"] = True
    return out
