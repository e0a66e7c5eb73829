"""Street layers for network analysis: :func:`load_streets` from OSM online, OSM files or
GIS centreline files, in the street schema the network engine reads.

:func:`load_streets` is a thin dispatcher: each source has its own loader, with only its own
options (:data:`SOURCE_OPTIONS`); an option given for the wrong source is refused with an
error naming the source it belongs to.

The schema (one row per LineString, EPSG:4548 by default) is described in
:mod:`jinan_gis.layers.street_schema`; the mode filters and one-way rules in
:mod:`jinan_gis.layers.osm`. Sources:

``"overpass"``
    OpenStreetMap through the Overpass API and OSMnx
    (:func:`~jinan_gis.layers.streets_overpass.fetch_streets_overpass`): lines are OSMnx's
    simplified edges, one per street segment between intersections.
``"osm-file"``
    ``.osm``, ``.osm.bz2``, ``.osm.gz`` or ``.osm.pbf`` files
    (:func:`~jinan_gis.layers.osm_file.read_streets_osm`): OSM ways split at intersections.
``"centreline"``
    Road centreline files from GIS staff
    (:func:`~jinan_gis.layers.centreline.read_streets_centreline`): snapped and noded at
    intersections so that the network is routable.

Row accounting is kept on input rows (OSM ways, Overpass street segments, file features),
since one input row may become several lines: ``layer.input_row.nunique() +
len(rejected) == n_input`` (:func:`check_street_accounting`). ``LoadResult.n_kept`` counts
input rows, not lines.

Every street source returns a :class:`~jinan_gis.layers.result.LoadResult`. The district
polygons an area name stands for come from
:func:`jinan_gis.layers.districts.load_districts`, which returns a plain GeoDataFrame
instead (packaged boundaries: nothing rejected to report); see
:func:`~jinan_gis.layers.areas.resolve_area`.

Examples
--------
>>> import geopandas as gpd, tempfile, pathlib
>>> from shapely.geometry import LineString, box
>>> roads = gpd.GeoDataFrame(
...     {"道路名称": ["经十路", "历山路"], "道路等级": ["主干路", "次干路"]},
...     geometry=[LineString([(500000, 4060000), (500400, 4060000)]),
...               LineString([(500200, 4059800), (500200, 4060200)])], crs="EPSG:4548")
>>> path = pathlib.Path(tempfile.mkdtemp()) / "roads.gpkg"
>>> roads.to_file(path)
>>> res = load_streets(box(500000, 4059800, 500400, 4060200), source="centreline", path=path)
>>> res.layer[["street_id", "name", "highway", "length_m"]]
  street_id name    highway  length_m
0    cl-0-0  经十路    primary     200.0
1    cl-0-1  经十路    primary     200.0
2    cl-1-0  历山路  secondary     200.0
3    cl-1-1  历山路  secondary     200.0
>>> res.provenance["source"], res.n_input, res.n_rejected
('centreline-file:roads.gpkg', 2, 0)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..geo.crs import ANALYSIS_CRS
from ..geo.errors import JinanGISError
from .areas import AreaLike, resolve_area
from .centreline import CENTRELINE_OPTIONS, read_streets_centreline
from .osm import LOAD_MODES
from .osm_file import read_streets_osm
from .result import LoadResult
from .street_schema import (
    STREET_COLUMNS,
    check_street_accounting,
    check_streets_schema,
    streets_from_lines,
)
from .streets_overpass import OVERPASS_OPTIONS, fetch_streets_overpass

__all__ = [
    "SOURCES",
    "SOURCE_OPTIONS",
    "STREET_COLUMNS",
    "AreaLike",
    "check_street_accounting",
    "check_streets_schema",
    "load_streets",
    "resolve_area",
    "streets_from_lines",
]

SOURCES: tuple[str, ...] = ("overpass", "osm-file", "centreline")
"""Values of ``load_streets(source=...)``."""

SOURCE_OPTIONS: dict[str, tuple[str, ...]] = {
    "overpass": OVERPASS_OPTIONS,
    "osm-file": (),
    "centreline": CENTRELINE_OPTIONS,
}
"""The options each source takes beyond ``area``, ``mode``, ``path``, ``buffer_m``, ``crs``."""

_LOADERS: dict[str, Callable[..., LoadResult]] = {
    "overpass": fetch_streets_overpass,
    "osm-file": read_streets_osm,
    "centreline": read_streets_centreline,
}


def _check_options(source: str, options: dict[str, Any]) -> None:
    """Refuse options that belong to another source (naming it) or to none."""
    for name in options:
        if name in SOURCE_OPTIONS[source]:
            continue
        owners = [s for s, names in SOURCE_OPTIONS.items() if name in names]
        loader = _LOADERS[source].__name__
        if owners:
            raise JinanGISError(
                f"{name}= is an option of source={owners[0]!r} "
                f"({_LOADERS[owners[0]].__name__}), not of source={source!r}: drop it, or "
                f"use source={owners[0]!r}. source={source!r} ({loader}) takes "
                f"{', '.join(SOURCE_OPTIONS[source]) or 'no options'} besides area, mode, "
                "path, buffer_m and crs."
            )
        raise JinanGISError(
            f"load_streets got an unknown option {name}=. source={source!r} ({loader}) takes "
            f"{', '.join(SOURCE_OPTIONS[source]) or 'no options'} besides area, mode, path, "
            "buffer_m and crs."
        )


def load_streets(
    area: AreaLike,
    *,
    source: str,
    mode: str = "walk",
    path: str | Path | None = None,
    buffer_m: float = 1000.0,
    crs: Any = ANALYSIS_CRS,
    **source_options: Any,
) -> LoadResult:
    """Load the streets of an area for one travel mode, in the street schema.

    Parameters
    ----------
    area : str, int, shapely geometry, GeoDataFrame or GeoSeries
        District code or name (``"370112"``, ``"历城区"``, ``"Shizhong"``), a shapely polygon
        in ``crs``, or a GeoDataFrame/GeoSeries with a CRS. See :func:`resolve_area`.
    source : {"overpass", "osm-file", "centreline"}
        Where the streets come from (see the module docstring).
    mode : {"walk", "bike", "drive", "all"}
        Travel mode whose ways are kept (rules in :mod:`jinan_gis.layers.osm`); ``all`` keeps
        every way in use, with the ``walk``/``bike``/``drive`` flags telling them apart.
    path : str or Path
        The file, for ``osm-file`` and ``centreline``.
    buffer_m : float, default 1000
        Streets this far outside the area are kept too (people near a border use them).
    crs : CRS-like, default EPSG:4548
        Metric CRS of the layer (and of a bare polygon ``area``).
    **source_options
        The source's own options (:data:`SOURCE_OPTIONS`), documented by its loader:
        ``overpass``: ``overpass_url``, ``timeout_s``, ``cache_dir``, ``doh_url_template``,
        ``overpass_rate_limit``
        (:func:`~jinan_gis.layers.streets_overpass.fetch_streets_overpass`);
        ``osm-file``: none (:func:`~jinan_gis.layers.osm_file.read_streets_osm`);
        ``centreline``: ``layer``, ``encoding``, ``file_crs``, ``datum``, ``name_column``,
        ``class_column``, ``oneway_column``, ``grade_column``, ``class_map``, ``snap_tol_m``
        (:func:`~jinan_gis.layers.centreline.read_streets_centreline`).

    Returns
    -------
    LoadResult
        ``layer``: the street layer; ``rejected``: input rows left out and why; ``n_input``:
        input rows; ``provenance``: source, mode, CRS, area, options, counts, time.

    Raises
    ------
    JinanGISError
        Unknown ``source``/``mode``, a missing ``path``, an option of another source (the
        message names it); subclasses for specific faults:
        :class:`~jinan_gis.geo.errors.CRSError` (file without CRS, implausible coordinates),
        :class:`~jinan_gis.geo.errors.InputDataError` (unreadable file),
        :class:`~jinan_gis.geo.errors.OverpassError` (server unreachable or failing),
        :class:`~jinan_gis.geo.errors.LayerError` (no streets in the area).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> load_streets(box(500000, 4059800, 500400, 4060200), source="osm-file",
    ...              path="x.osm", timeout_s=60)
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.JinanGISError: timeout_s= is an option of source='overpass' ...
    """
    if source not in SOURCES:
        raise JinanGISError(f"unknown source {source!r}: use one of {', '.join(SOURCES)}.")
    if mode not in LOAD_MODES:
        raise JinanGISError(f"unknown mode {mode!r}: use one of {', '.join(LOAD_MODES)}.")
    if source == "overpass" and path is not None:
        raise JinanGISError(
            "path= is for source='osm-file' or 'centreline'; Overpass downloads need none."
        )
    if source != "overpass" and path is None:
        raise JinanGISError(f"source={source!r} needs path= (the file to read).")
    _check_options(source, source_options)
    common: dict[str, Any] = {"mode": mode, "buffer_m": buffer_m, "crs": crs}
    if source == "overpass":
        return fetch_streets_overpass(area, **common, **source_options)
    return _LOADERS[source](path, area=area, **common, **source_options)
