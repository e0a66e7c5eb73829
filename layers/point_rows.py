"""Rows of a point source: MultiPoints exploded, duplicates flagged, rows accounted per feature.

* **MultiPoints** (:func:`explode_multipoints`): a MultiPoint of k sites becomes k rows, each
  with the feature's attributes, its ``input_row`` and a ``part`` number (0..k-1); a WARNING
  says how many; ``provenance["multipoints_exploded"]`` lists them. ``n_input`` still counts
  the feature once (the result's ``accounting`` is ``"input_row"``: a feature is kept when
  one of its points is, rejected - once, with its first part's reason - when none is; the
  reasons of rejected parts of kept features are in ``provenance["rejected_parts"]``).
* **Duplicates** (:func:`flag_duplicates`): rows placed at the same point (to 1 cm) with the
  same values in the key columns (facilities: the name and category columns, else every
  column; population points: every column) are duplicates of the first such row. By
  default (``duplicates="reject"``) they are rejected with ``"duplicate row of row N"`` (N
  the 0-based ``input_row`` of the row kept); ``duplicates="keep"`` keeps them with a
  WARNING and ``provenance["n_duplicates"]``. Never silently doubled.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rows = pd.DataFrame({"name": ["甲", "甲", "乙"]})
>>> why, dups = flag_duplicates(rows, np.array([1.0, 1.0, 1.0]), np.array([2.0, 2.0, 2.0]),
...                             np.array([None, None, None], dtype=object), key=["name"],
...                             duplicates="reject", source="poi.csv")
>>> why.tolist(), dups
([None, 'duplicate row of row 0', None], [(1, 0)])
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from ..geo.errors import InputDataError

__all__ = ["DUPLICATES", "explode_multipoints", "flag_duplicates", "split_accounting"]

log = logging.getLogger(__name__)

DUPLICATES: tuple[str, ...] = ("reject", "keep")
"""The values of ``duplicates=``."""


def explode_multipoints(
    frame: pd.DataFrame, geoms: npt.NDArray[np.object_], *, source: str
) -> tuple[pd.DataFrame, npt.NDArray[np.object_], npt.NDArray[np.int64],
           npt.NDArray[np.int64], list[dict[str, Any]]]:
    """One row per point of each MultiPoint: ``(rows, geoms, feature_row, part, exploded)``.

    ``feature_row`` is the 0-based input row of each output row; ``part`` its point number
    (-1 for features that were not MultiPoints).

    Examples
    --------
    >>> from shapely.geometry import MultiPoint, Point
    >>> g = np.array([Point(0, 0), MultiPoint([(1, 1), (2, 2)])], dtype=object)
    >>> rows, geoms, feat, part, info = explode_multipoints(pd.DataFrame({"n": ["a", "b"]}),
    ...                                                      g, source="x")
    >>> rows["n"].tolist(), feat.tolist(), part.tolist(), info
    (['a', 'b', 'b'], [0, 1, 1], [-1, 0, 1], [{'input_row': 1, 'points': 2}])
    """
    n = len(geoms)
    multi = ~shapely.is_missing(geoms) & (shapely.get_type_id(geoms) == 4) if n else np.zeros(
        0, bool)
    multi &= ~shapely.is_empty(geoms) if n else multi
    if not multi.any():
        return frame, geoms, np.arange(n, dtype=np.int64), np.full(n, -1, np.int64), []
    take: list[int] = []
    out: list[Any] = []
    part: list[int] = []
    exploded: list[dict[str, Any]] = []
    for i, g in enumerate(geoms):
        if multi[i]:
            pts = shapely.get_parts(g)
            take += [i] * len(pts)
            out += list(pts)
            part += list(range(len(pts)))
            exploded.append({"input_row": i, "points": len(pts)})
        else:
            take.append(i)
            out.append(g)
            part.append(-1)
    log.warning(
        "%s: %d MultiPoint feature(s) split into one row per point (%d points); the feature "
        "counts once in the rows in (provenance multipoints_exploded)",
        source, len(exploded), sum(e["points"] for e in exploded),
    )
    arr = np.empty(len(out), dtype=object)
    arr[:] = out
    rows = frame.iloc[take].reset_index(drop=True)
    return rows, arr, np.asarray(take, np.int64), np.asarray(part, np.int64), exploded


def split_accounting(
    feature_row: npt.NDArray[np.int64], reason: npt.NDArray[np.object_]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], list[dict[str, Any]]]:
    """Which rows go to the layer, which to the rejection table (one per feature), and the
    rejected parts of kept features: ``(ok, bad, rejected_parts)`` (positions).

    Examples
    --------
    >>> ok, bad, parts = split_accounting(np.array([0, 1, 1, 2, 2]), np.array(
    ...     [None, "x", None, "y", "z"], dtype=object))
    >>> ok.tolist(), bad.tolist(), parts
    ([0, 2], [3], [{'input_row': 1, 'reason': 'x'}])
    """
    placed = np.equal(reason, None)
    ok = np.flatnonzero(placed)
    kept = set(feature_row[ok].tolist())
    bad: list[int] = []
    parts: list[dict[str, Any]] = []
    seen: set[int] = set()
    for i in np.flatnonzero(~placed).tolist():
        f = int(feature_row[i])
        if f in kept:
            parts.append({"input_row": f, "reason": reason[i]})
        elif f not in seen:
            seen.add(f)
            bad.append(i)
    return ok, np.asarray(bad, dtype=np.intp), parts


def _cell(v: Any) -> Any:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    return str(v).strip() if isinstance(v, str) else v


def flag_duplicates(
    rows: pd.DataFrame,
    x_m: npt.NDArray[np.float64],
    y_m: npt.NDArray[np.float64],
    reason: npt.NDArray[np.object_],
    *,
    key: Sequence[Any] | None,
    duplicates: str = "reject",
    source: str,
    input_row: npt.NDArray[np.int64] | None = None,
) -> tuple[npt.NDArray[np.object_], list[tuple[int, int]]]:
    """Flag rows that repeat an earlier placed row (module notes): ``(reason, pairs)``.

    ``key`` are the columns compared besides the position (None: every column); ``pairs``
    lists ``(input_row, input_row of the first)``. ``reason`` is copied, not changed.
    """
    if duplicates not in DUPLICATES:
        raise InputDataError(
            f"duplicates={duplicates!r}: use 'reject' (default: repeated rows are rejected) "
            "or 'keep' (kept, with a warning)."
        )
    out = reason.copy()
    feat = np.arange(len(rows)) if input_row is None else input_row
    cols = list(rows.columns) if key is None else [c for c in key if c is not None]
    first: dict[tuple[Any, ...], int] = {}
    pairs: list[tuple[int, int]] = []
    values = rows[cols].to_numpy(dtype=object) if cols else np.empty((len(rows), 0), object)
    for i in np.flatnonzero(np.equal(reason, None)).tolist():
        k = (round(float(x_m[i]), 2), round(float(y_m[i]), 2),
             *(_cell(v) for v in values[i]))
        if k in first and feat[first[k]] != feat[i]:
            pairs.append((int(feat[i]), int(feat[first[k]])))
            if duplicates == "reject":
                out[i] = f"duplicate row of row {int(feat[first[k]])}"
        else:
            first.setdefault(k, i)
    if pairs:
        log.warning(
            "%s: %d row(s) repeat an earlier row (same position and %s): %s%s", source,
            len(pairs), "same values" if key is None else f"same {cols}",
            ", ".join(f"row {a} = row {b}" for a, b in pairs[:5]),
            " (rejected)" if duplicates == "reject" else " (kept: duplicates='keep')",
        )
    return out, pairs
