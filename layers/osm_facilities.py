"""Facilities from OpenStreetMap online: an Overpass query for the taxonomy's tags, via OSMnx.

The tags asked for are derived from the taxonomy (:mod:`jinan_gis.layers.taxonomy`), so the
query and the classifier never disagree; the answer goes through
:func:`~jinan_gis.layers.facilities.facilities_from_osm` (categories from tags refined by
Chinese names, polygons to representative points, row accounting).

Examples
--------
>>> tags = osm_facility_tags()
>>> "clinic" in tags["amenity"] and "park" in tags["leisure"]
True
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ..geo.errors import LayerError, OverpassError
from .facilities import facilities_from_osm
from .overpass import DEFAULT_OVERPASS_URL, bounded_overpass_requests, osmnx_settings
from .result import LoadResult
from .streets import resolve_area
from .taxonomy import CATEGORIES

__all__ = ["fetch_facilities_osm", "osm_facility_tags"]

log = logging.getLogger(__name__)


def osm_facility_tags() -> dict[str, list[str] | bool]:
    """The OSM tags of every taxonomy category, as OSMnx's ``tags`` argument."""
    out: dict[str, set[str] | bool] = {}
    for cat in CATEGORIES:
        for matcher in cat.osm:
            key, value = matcher[0]
            if value == "*":
                out[key] = True
            elif out.get(key) is not True:
                out.setdefault(key, set()).add(value)  # type: ignore[union-attr]
    return {k: (v if v is True else sorted(v)) for k, v in sorted(out.items())}


def fetch_facilities_osm(
    area: Any,
    *,
    buffer_m: float = 1000.0,
    overpass_url: str = DEFAULT_OVERPASS_URL,
    timeout_s: float = 180.0,
    cache_dir: str | Path | None = None,
    doh_url_template: str | None = None,
    rate_limit: bool = True,
) -> LoadResult:
    """Download the facilities of an area (buffered by ``buffer_m``) from Overpass.

    Parameters
    ----------
    area : district code/name, polygon in EPSG:4548, or GeoDataFrame/GeoSeries
    buffer_m : float
        Facilities just across the border serve people inside it.
    overpass_url, timeout_s, cache_dir, doh_url_template, rate_limit
        As in :func:`jinan_gis.layers.overpass.download_overpass_graph` (use a mirror from
        mainland China; ``cache_dir`` makes a second run offline).

    Returns
    -------
    LoadResult
        Facilities in EPSG:4548 with ``source = "osm-overpass"``.
    """
    import osmnx as ox
    import requests
    from osmnx._errors import InsufficientResponseError, ResponseStatusCodeError

    geom, what = resolve_area(area, buffer_m=buffer_m)
    import geopandas as gpd

    poly = gpd.GeoSeries([geom], crs="EPSG:4548").to_crs("EPSG:4326").iloc[0]
    values: dict[str, Any] = {
        "overpass_url": overpass_url.rstrip("/"),
        "requests_timeout": timeout_s,
        "use_cache": cache_dir is not None,
        "doh_url_template": doh_url_template,
        "overpass_rate_limit": rate_limit,
    }
    if cache_dir is not None:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        values["cache_folder"] = str(cache_dir)
    fix = (f"Check that {overpass_url} is reachable (from mainland China pass a mirror as "
           "overpass_url=...), raise timeout_s, or import a facility file instead.")
    try:
        with osmnx_settings(**values), bounded_overpass_requests(fix=fix):
            feats = ox.features_from_polygon(poly, tags=osm_facility_tags())
    except requests.exceptions.RequestException as exc:
        raise OverpassError(f"Overpass request failed: {exc}. {fix}") from exc
    except ResponseStatusCodeError as exc:
        raise OverpassError(f"Overpass server answered with an error: {exc}. {fix}") from exc
    except InsufficientResponseError as exc:
        raise LayerError(f"Overpass returned no facilities for {what}: {exc}. Check the area "
                         "or the server.") from exc
    res = facilities_from_osm(feats, source_name="osm-overpass")
    res.provenance.update(area=what, overpass_url=overpass_url)
    log.info("%s", res.summary())
    return res
