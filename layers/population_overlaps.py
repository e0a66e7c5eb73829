"""Overlapping population polygons: refused (default) or clipped, never counted twice.

Two polygons with counts that share area (a compound drawn inside its sub-district, two
exports of the same estate) would place the people of the shared area twice. The rule:

* an **overlap** is a shared area larger than :data:`OVERLAP_SHARE` of the smaller polygon
  and than :data:`OVERLAP_MIN_M2` (edges digitised twice leave slivers far below that);
* ``overlaps="refuse"`` (default): the file is refused with
  :class:`~jinan_gis.geo.errors.InputDataError` listing the overlapping rows and areas;
* ``overlaps="clip"``: polygons are taken in input order and each later polygon loses the
  area of the earlier ones; its count stays whole and is spread over what is left. A
  polygon with nothing left is rejected with :data:`REASON_COVERED` (its count listed in the
  rejection table, not placed).

Examples
--------
>>> import numpy as np
>>> from shapely.geometry import box
>>> polys = [box(0, 0, 100, 100), box(50, 0, 150, 100)]
>>> reason = np.array([None, None], dtype=object)
>>> resolve_overlaps(polys, reason, overlaps="refuse", source="estates.gpkg")
Traceback (most recent call last):
...
jinan_gis.geo.errors.InputDataError: estates.gpkg: 1 pair(s) of population polygons overlap ...
>>> out, why = resolve_overlaps(polys, reason, overlaps="clip", source="estates.gpkg")
>>> [p.area for p in out], why.tolist()
([10000.0, 5000.0], [None, None])
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from ..geo.errors import InputDataError
from .tables import polygonal_part

__all__ = ["OVERLAPS", "OVERLAP_MIN_M2", "OVERLAP_SHARE", "REASON_COVERED", "resolve_overlaps"]

OVERLAP_SHARE = 0.01
"""Shared area, as a share of the smaller polygon, above which two polygons overlap."""

OVERLAP_MIN_M2 = 1.0
"""Shared area (m²) at or below which two polygons never overlap (digitising slivers)."""

OVERLAPS: tuple[str, ...] = ("refuse", "clip")
"""The values of ``overlaps=`` (:func:`resolve_overlaps`)."""

REASON_COVERED = "covered by earlier polygons (overlaps='clip')"
"""Rejection reason of a polygon wholly inside earlier ones under ``overlaps="clip"``."""


def _pairs(polys: list[Any], rows: npt.NDArray[np.intp]) -> list[tuple[int, int, float, float]]:
    """Overlapping pairs (row i < row j, shared m², share of the smaller)."""
    geoms = np.empty(len(rows), dtype=object)
    geoms[:] = [polys[i] for i in rows]
    if len(geoms) < 2:
        return []
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    sel = a < b
    a, b = a[sel], b[sel]
    if not len(a):
        return []
    shared = shapely.area(shapely.intersection(geoms[a], geoms[b]))
    smaller = np.minimum(shapely.area(geoms[a]), shapely.area(geoms[b]))
    share = shared / np.where(smaller > 0, smaller, 1.0)
    hit = (shared > OVERLAP_MIN_M2) & (share > OVERLAP_SHARE)
    return [
        (int(rows[i]), int(rows[j]), float(s), float(r))
        for i, j, s, r in zip(a[hit], b[hit], shared[hit], share[hit], strict=True)
    ]


def resolve_overlaps(
    polys: list[Any],
    reason: npt.NDArray[np.object_],
    *,
    overlaps: str = "refuse",
    source: str,
) -> tuple[list[Any], npt.NDArray[np.object_]]:
    """Apply the overlap rule (module notes) to the polygons whose ``reason`` is None.

    Returns the polygons (clipped under ``"clip"``) and a copy of ``reason`` (with
    :data:`REASON_COVERED` where nothing was left). The inputs are not changed.
    """
    if overlaps not in OVERLAPS:
        raise InputDataError(
            f"overlaps={overlaps!r}: use 'refuse' (default) or 'clip' (later polygons lose "
            "the area of earlier ones)."
        )
    reason = reason.copy()
    rows = np.flatnonzero(np.equal(reason, None))
    pairs = _pairs(polys, rows)
    if not pairs:
        return list(polys), reason
    if overlaps == "refuse":
        listed = "; ".join(
            f"rows {i} and {j} share {s:,.0f} m² ({r:.0%} of the smaller)"
            for i, j, s, r in pairs[:5]
        )
        raise InputDataError(
            f"{source}: {len(pairs)} pair(s) of population polygons overlap ({listed}"
            f"{'; ...' if len(pairs) > 5 else ''}): the people of the shared area would be "
            f"counted twice. Rule: an overlap is more than {OVERLAP_SHARE:.0%} of the smaller "
            f"polygon and more than {OVERLAP_MIN_M2:g} m². Fix the polygons, or pass "
            "overlaps='clip' (Python) to let earlier rows keep the shared area (each later "
            "polygon's count is spread over what is left)."
        )
    out = list(polys)
    taken: Any = None
    for i in rows:
        g = out[i]
        if taken is not None and shapely.intersects(g, taken):
            g = polygonal_part(shapely.difference(g, taken))
            if g is None:
                reason[i] = REASON_COVERED
                out[i] = None
                continue
            out[i] = g
        taken = out[i] if taken is None else shapely.union(taken, out[i])
    return out, reason
