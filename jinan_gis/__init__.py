"""jinan-gis: how well Licheng (历城区) and Shizhong (市中区) of Jinan are served.

Sub-packages (imports go one way only: ``analyses -> layers -> geo``):

- :mod:`jinan_gis.geo` -- coordinate systems, Chinese datums, the street-network engine;
- :mod:`jinan_gis.layers` -- loaders for districts, streets, facilities and population;
- :mod:`jinan_gis.analyses` -- coverage metrics, reports and maps.

The main functions are here too, imported on first use (``import jinan_gis`` stays fast
and loads neither geopandas nor numba nor folium)::

    import jinan_gis as jg

    inputs = jg.inputs_from_sample(scale=0.1)
    report = jg.evaluate(inputs)
    jg.write_excel(report, "report.xlsx")

Examples
--------
>>> import jinan_gis as jg
>>> "evaluate" in dir(jg) and "evaluate" in jg.__all__
True
>>> jg.resolve_categories("clinic")
('chc', 'township_health_centre', 'chs_station')
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_API: dict[str, str] = {
    # layers: loading
    "load_districts": "layers.districts",
    "load_subdistricts": "layers.districts",
    "resolve_district": "layers.districts",
    "DISTRICT_CODES": "layers.districts",
    "load_streets": "layers.streets",
    "load_facilities": "layers.facilities",
    "population_from_points": "layers.population",
    "population_from_polygons": "layers.population",
    "population_from_raster": "layers.population",
    "population_from_buildings": "layers.population_buildings",
    "load_osm": "layers.osm_extract",
    "census_totals": "layers.census",
    "load_zones": "layers.zones",
    "network_from_osmnx": "layers.osmnx_graph",
    "resolve_categories": "layers.taxonomy",
    "categories_table": "layers.taxonomy",
    "LayerStore": "layers.store",
    "is_synthetic": "layers.provenance",
    "SYNTHETIC_MARK": "layers.provenance",
    # geo: the network engine
    "build_network": "geo.network",
    "Network": "geo.network",
    "service_areas": "geo.service_area",
    # analyses
    "coverage": "analyses.coverage",
    "coverage_areas": "analyses.coverage",
    "nearest_distances": "analyses.coverage",
    "place_population": "analyses.coverage",
    "select_facilities": "analyses.coverage",
    "find_gaps": "analyses.gaps",
    "accessibility": "analyses.accessibility",
    "evaluate": "analyses.report",
    "AnalysisInputs": "analyses.report",
    "Report": "analyses.report",
    "CATALOGUE": "analyses.catalogue",
    "get_metric": "analyses.catalogue",
    "propose_sites": "analyses.sites",
    "export_map": "analyses.maps",
    "make_map": "analyses.maps",
    "inputs_from_sample": "analyses.inputs",
    "inputs_from_store": "analyses.inputs",
    "load_scenario": "analyses.inputs",
    "write_excel": "analyses.export",
    "write_geopackage": "analyses.export",
    "write_summary": "analyses.export",
    "write_csv": "analyses.export",
    "run_report": "analyses.workflow",
    "run_coverage": "analyses.workflow",
    "run_sites": "analyses.workflow",
    "build_inputs": "analyses.workflow",
    # errors
    "JinanGISError": "geo.errors",
    "LayerError": "geo.errors",
    "InputDataError": "geo.errors",
    "CRSError": "geo.errors",
    "NetworkError": "geo.errors",
}
"""Public name -> module (under ``jinan_gis``) that defines it."""

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    """Import the module of a public name on first use (PEP 562)."""
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'jinan_gis' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"jinan_gis.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})

