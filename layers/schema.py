"""The columns each kind of layer has, and the ones the analyses rely on: one table.

============  ===========================================  ================================
kind          required columns                             made by
============  ===========================================  ================================
streets       :data:`STREET_COLUMNS` (all of them)         ``layers.streets.load_streets``
facilities    facility_id, name, category, group, source   ``layers.facilities.load_facilities``
population    population                                   ``layers.population`` loaders
zones         zone_id, zone_name                           ``layers.zones.load_zones``
districts     code, name_zh, name_en                       ``layers.districts.load_districts``
============  ===========================================  ================================

Every kind also needs ``geometry``. The loaders write the full column lists
(:data:`STREET_COLUMNS`, :data:`FACILITY_COLUMNS`, :data:`POPULATION_COLUMNS`,
:data:`ZONE_COLUMNS`, :data:`DISTRICT_COLUMNS`); optional columns the analyses use when they
are there (``zone``, ``district_code``, ``tier``, ``capacity``, ``urban``...) are listed in
:data:`LAYER_SCHEMAS`. :func:`check_layer_columns` raises a
:class:`~jinan_gis.geo.errors.LayerError` naming the missing columns and the loader that
makes them. The street schema's types and geometry rules are checked by
:func:`jinan_gis.layers.street_schema.check_streets_schema`.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> fac = gpd.GeoDataFrame({"name": ["泉城书房"]}, geometry=[Point(500_000, 4_060_000)],
...                        crs="EPSG:4548")
>>> check_layer_columns(fac, "facilities", what="libraries.csv")
Traceback (most recent call last):
...
jinan_gis.geo.errors.LayerError: libraries.csv lacks column(s) facility_id, category, group, \
source. A facilities layer needs facility_id, name, category, group, source, geometry: load it \
with jinan_gis.layers.facilities.load_facilities.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..geo.errors import LayerError

__all__ = [
    "DISTRICT_COLUMNS",
    "FACILITY_COLUMNS",
    "LAYER_KINDS",
    "LAYER_SCHEMAS",
    "POPULATION_COLUMNS",
    "STREET_COLUMNS",
    "ZONE_COLUMNS",
    "LayerSchema",
    "check_layer_columns",
]

STREET_COLUMNS: tuple[str, ...] = (
    "street_id",
    "name",
    "highway",
    "oneway",
    "walk",
    "bike",
    "drive",
    "length_m",
    "source",
    "input_row",
    "geometry",
)
"""Columns every street layer has, in this order; loaders may add columns after
``input_row`` (``osm_id``...), ``geometry`` stays last."""

FACILITY_COLUMNS: tuple[str, ...] = (
    "facility_id",
    "name",
    "category",
    "group",
    "tier",
    "capacity",
    "source",
    "datum_in",
    "input_row",
    "geometry",
)
"""The columns of every facility layer, in order."""

POPULATION_COLUMNS: tuple[str, ...] = (
    "pop_id",
    "population",
    "source",
    "zone",
    "input_row",
    "geometry",
)
"""The columns of every population layer, in order."""

ZONE_COLUMNS: tuple[str, ...] = (
    "zone_id",
    "zone_name",
    "zone_type",
    "repaired",
    "input_row",
    "geometry",
)
"""The columns of every zone layer, in order."""

DISTRICT_COLUMNS: tuple[str, ...] = ("code", "name_zh", "name_en", "area_km2", "source", "geometry")
"""The columns of the district layer, in order."""


@dataclass(frozen=True)
class LayerSchema:
    """The columns of one kind of layer.

    Attributes
    ----------
    kind : str
    columns : tuple of str
        What the loader writes, in order.
    required : tuple of str
        What the analyses rely on (a layer from elsewhere needs these).
    optional : tuple of str
        Used when present (the synthetic sample has some the loaders do not write).
    loader : str
        The loader(s) that make such a layer.
    """

    kind: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...]
    loader: str

    @property
    def fix(self) -> str:
        """What to do about a missing column (the end of :func:`check_layer_columns`' message)."""
        if self.kind == "streets":  # as check_streets_schema has always said
            return f"Load streets with {self.loader} (or build one with streets_from_lines)."
        return (
            f"A {self.kind} layer needs {', '.join(self.required)}: load it with "
            f"{self.loader}."
        )


LAYER_SCHEMAS: Mapping[str, LayerSchema] = {
    s.kind: s
    for s in (
        LayerSchema(
            "streets", STREET_COLUMNS, STREET_COLUMNS, ("osm_id", "u_osm", "v_osm"),
            "jinan_gis.layers.streets.load_streets",
        ),
        LayerSchema(
            "facilities", FACILITY_COLUMNS,
            ("facility_id", "name", "category", "group", "source", "geometry"),
            ("tier", "capacity", "datum_in", "input_row", "district_code", "area_m2"),
            "jinan_gis.layers.facilities.load_facilities",
        ),
        LayerSchema(
            "population", POPULATION_COLUMNS, ("population", "geometry"),
            ("pop_id", "source", "zone", "district_code", "input_row"),
            "jinan_gis.layers.population.population_from_raster, population_from_polygons "
            "or population_from_points",
        ),
        LayerSchema(
            "zones", ZONE_COLUMNS, ("zone_id", "zone_name", "geometry"),
            ("zone_type", "repaired", "input_row", "district_code", "urban", "in_plan_scope",
             "zone_name_en", "source"),
            "jinan_gis.layers.zones.load_zones",
        ),
        LayerSchema(
            "districts", DISTRICT_COLUMNS, ("code", "name_zh", "name_en", "geometry"),
            ("area_km2", "source"),
            "jinan_gis.layers.districts.load_districts",
        ),
    )
}
"""Kind -> :class:`LayerSchema`."""

LAYER_KINDS: tuple[str, ...] = tuple(LAYER_SCHEMAS)
"""The kinds of layer: streets, facilities, population, zones, districts."""


def check_layer_columns(frame: Any, kind: str, *, what: str | None = None) -> Any:
    """Raise :class:`LayerError` unless ``frame`` has the required columns of ``kind``.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        Not changed.
    kind : {"streets", "facilities", "population", "zones", "districts"}
    what : str, optional
        The layer in words, for the message (default: ``"<kind> layer"``).

    Returns
    -------
    The same ``frame``.

    Examples
    --------
    >>> import pandas as pd
    >>> check_layer_columns(pd.DataFrame({"population": [], "geometry": []}), "population")
    Empty DataFrame
    Columns: [population, geometry]
    Index: []
    >>> check_layer_columns(pd.DataFrame(), "parks")
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.LayerError: unknown layer kind 'parks': use one of streets, ...
    """
    schema = LAYER_SCHEMAS.get(kind)
    if schema is None:
        raise LayerError(f"unknown layer kind {kind!r}: use one of {', '.join(LAYER_KINDS)}.")
    missing = [c for c in schema.required if c not in frame.columns]
    if missing:
        raise LayerError(
            f"{what or f'{kind} layer'} lacks column(s) {', '.join(missing)}. {schema.fix}"
        )
    return frame
