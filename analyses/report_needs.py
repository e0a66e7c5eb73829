"""Why a catalogue entry cannot be evaluated with the layers at hand, and how to supply them.

:func:`needs_status` gives the ``needs layer: ...`` status of an entry in a district (every
missing layer named, with the import or the column that supplies it), or ``""`` when the layers
allow computing it; :func:`~jinan_gis.analyses.report.evaluate` writes it into the row instead
of a value (never a made-up one).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..layers.taxonomy import get_category
from .catalogue import Metric
from .catalogue_metric import LAYER_HOWTO, needs_text
from .coverage import select_facilities

__all__ = ["needs_status"]


def needs_status(m: Metric, code: str, ctx: Any) -> str:
    """The ``needs layer: ...`` status of metric ``m`` in district ``code`` (each missing
    layer named with how to supply it); "" when the layers allow computing it.

    ``ctx`` is :func:`~jinan_gis.analyses.report.evaluate`'s context: the layers in one CRS
    (``fac``, ``zones``, ``placed``, ``network``, ``inputs``), the names of the layers
    present (``have``) and the districts with residents (``pop_codes``).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from jinan_gis.analyses.catalogue import get_metric
    >>> ctx = SimpleNamespace(placed=None, fac=None, zones=None, network=None,
    ...                       have={"districts"}, pop_codes=set())
    >>> needs_status(get_metric("L-FOREST"), "370112", ctx)[:36]
    'needs layer: forest (forest polygons'
    """
    placed, fac, zones = ctx.placed, ctx.fac, ctx.zones
    missing = [n for n in m.needs if n not in ctx.have]
    if m.kind in ("coverage", "life_circle") and (ctx.network is None or placed is None):
        missing = sorted(set(missing) | ({"streets", "population"} - ctx.have))
    if m.kind == "travel_time" and not missing:
        return ("not computed: 1-hour travel times on a regional network are not in the "
                "toolkit yet (" + LAYER_HOWTO["regional_network"] + ")")
    if missing:
        return needs_text(missing)
    if fac is not None and m.categories and "facilities" in m.needs:
        sel = select_facilities(fac, m.categories)
        if len(sel) == 0:
            return _needs_facilities(m)
        if m.count_column and (m.count_column not in sel.columns or pd.to_numeric(
                sel[m.count_column], errors="coerce").notna().sum() == 0):
            return (f"needs layer: {m.count_column} of the {'/'.join(m.categories)} "
                    f"facilities ({LAYER_HOWTO.get(m.count_column, m.count_column)})")
    if "population" in m.needs and placed is not None and code not in ctx.pop_codes:
        return (f"needs layer: population of {code} (the population layer has no resident "
                "inside this district)")
    if m.kind == "zone_presence" and zones is not None and "district_code" in zones and not (
            zones["district_code"].astype(str) == code).any():
        return f"needs layer: zones of {code}"
    if m.kind == "unit_share":
        units = ctx.inputs.extra[m.unit_layer]
        want = [c for c in (m.flag_column, "urban" if m.unit_filter is not None else None)
                if c and c not in units.columns]
        if want:
            return (f"needs layer: {m.unit_layer} with the column(s) {', '.join(want)} "
                    f"({LAYER_HOWTO.get(m.unit_layer, '')})")
    return ""


def _needs_facilities(m: Metric) -> str:
    """``needs layer: facilities of ...`` with the import that supplies them."""
    cats = [get_category(c) for c in m.categories]
    names = "/".join(f"{c.id} {c.name_zh}" for c in cats)
    first = cats[0]
    return (f"needs layer: facilities of {'/'.join(m.categories)} (none in the facility layer; "
            f"supply them: `jinan-gis import FILE --as facilities --category {first.id}`, or "
            f"rows named with {first.keywords[0]}; types: {names})")
