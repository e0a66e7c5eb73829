"""Street layers for network analysis: :func:`load_streets` from OSM online, OSM files or
GIS centreline files, in the street schema the network engine reads.

The schema (one row per LineString, EPSG:4548 by default) is described in
:mod:`jinan_gis.layers.street_schema`; the mode filters and one-way rules in
:mod:`jinan_gis.layers.osm`. Sources:

``"overpass"``
    OpenStreetMap through the Overpass API and OSMnx (:mod:`jinan_gis.layers.overpass`):
    lines are OSMnx's simplified edges, one per street segment between intersections.
``"osm-file"``
    ``.osm``, ``.osm.bz2``, ``.osm.gz`` or ``.osm.pbf`` files (:mod:`jinan_gis.layers.osm_file`):
    OSM ways split at intersections.
``"centreline"``
    Road centreline files from GIS staff (:mod:`jinan_gis.layers.centreline`): snapped and
    noded at intersections so that the network is routable.

Row accounting is kept on input rows (OSM ways, Overpass street segments, file features),
since one input row may become several lines: ``layer.input_row.nunique() +
len(rejected) == n_input`` (:func:`check_street_accounting`). ``LoadResult.n_kept`` counts
lines, not input rows.

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

import datetime as dt
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from ..geo.crs import (
    ANALYSIS_CRS,
    check_coordinates_plausible,
    describe_crs,
    require_crs,
    require_metric_crs,
)
from ..geo.errors import JinanGISError, LayerError
from .osm import MODES
from .overpass import DEFAULT_OVERPASS_URL
from .result import LoadResult
from .street_schema import (
    STREET_COLUMNS,
    check_street_accounting,
    check_streets_schema,
    streets_from_lines,
)

__all__ = [
    "SOURCES",
    "STREET_COLUMNS",
    "check_street_accounting",
    "check_streets_schema",
    "load_streets",
    "resolve_area",
    "streets_from_lines",
]

log = logging.getLogger(__name__)

SOURCES: tuple[str, ...] = ("overpass", "osm-file", "centreline")
"""Values of ``load_streets(source=...)``."""

AreaLike = str | int | BaseGeometry | gpd.GeoDataFrame | gpd.GeoSeries


def resolve_area(
    area: AreaLike, *, crs: Any = ANALYSIS_CRS, buffer_m: float = 0.0
) -> tuple[BaseGeometry, str]:
    """Turn an area (district code/name, polygon, GeoDataFrame/GeoSeries) into one geometry.

    Parameters
    ----------
    area : str, int, shapely geometry, GeoDataFrame or GeoSeries
        A district code or name (resolved by :mod:`jinan_gis.layers.districts`), a shapely
        geometry **in** ``crs``, or a GeoDataFrame/GeoSeries with a CRS (reprojected).
    crs : CRS-like (metric)
    buffer_m : float
        Buffer added around the area, in metres.

    Returns
    -------
    (geometry, str)
        The buffered area in ``crs`` and a description for provenance.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> geom, what = resolve_area(box(500000, 4060000, 501000, 4061000), buffer_m=100)
    >>> round(geom.area / 1e6, 2), what
    (1.43, 'polygon in EPSG:4548')
    >>> resolve_area(box(116.9, 36.6, 117.1, 36.7))
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.CRSError: area (a bare shapely geometry is taken to be in EPSG:4548...
    """
    if buffer_m < 0 or buffer_m != buffer_m:
        raise JinanGISError(f"buffer_m must be >= 0 metres, got {buffer_m}.")
    target = require_metric_crs(crs, what="a street layer")
    if isinstance(area, str | int) and not isinstance(area, bool):
        from . import districts  # lazy: built by another module

        code = districts.resolve_district(area)
        got = districts.load_districts([code], crs=crs)
        frame = getattr(got, "layer", got)
        geom = shapely.union_all(frame.geometry.to_numpy())
        what = f"district {code}"
    elif isinstance(area, gpd.GeoDataFrame | gpd.GeoSeries):
        require_crs(area, what="area")
        geoms = area.geometry if isinstance(area, gpd.GeoDataFrame) else area
        geom = shapely.union_all(geoms.to_crs(target).to_numpy())
        what = f"{len(geoms)} geometries in {describe_crs(area.crs)}"
    elif isinstance(area, BaseGeometry):
        check_coordinates_plausible(
            gpd.GeoSeries([area], crs=target),
            source=f"area (a bare shapely geometry is taken to be in {describe_crs(target)}; "
            "pass a GeoSeries with its CRS otherwise)",
        )
        geom = area
        what = f"polygon in EPSG:{target.to_epsg()}" if target.to_epsg() else "polygon"
    else:
        raise JinanGISError(
            f"area must be a district code or name, a shapely polygon or a GeoDataFrame/"
            f"GeoSeries with a CRS, not {type(area).__name__}."
        )
    if geom is None or geom.is_empty:
        raise LayerError(f"the area ({what}) is empty; give a non-empty polygon.")
    if buffer_m > 0:
        geom = geom.buffer(buffer_m)
    if geom.area <= 0:
        raise LayerError(
            f"the area ({what}) has no extent; give a polygon, or a buffer_m > 0 around "
            "points or lines."
        )
    return geom, what


def load_streets(
    area: AreaLike,
    *,
    source: str,
    mode: str = "walk",
    path: str | Path | None = None,
    buffer_m: float = 1000.0,
    crs: Any = ANALYSIS_CRS,
    overpass_url: str = DEFAULT_OVERPASS_URL,
    timeout_s: float = 180.0,
    cache_dir: str | Path | None = None,
    doh_url_template: str | None = None,
    overpass_rate_limit: bool = True,
    layer: str | int | None = None,
    encoding: str | None = None,
    file_crs: Any = None,
    datum: str | None = None,
    name_column: str | None = None,
    class_column: str | None = None,
    oneway_column: str | None = None,
    grade_column: str | None = None,
    class_map: Mapping[str, str] | None = None,
    snap_tol_m: float = 1.0,
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

    Other Parameters
    ----------------
    overpass_url : str
        ``overpass``: base URL of the Overpass instance, without ``/interpreter``; from
        mainland China pass a reachable mirror (see
        :data:`jinan_gis.layers.overpass.OVERPASS_MIRRORS`).
    timeout_s : float, default 180
        ``overpass``: HTTP timeout and the query's server-side timeout, in seconds.
    cache_dir : str or Path, optional
        ``overpass``: folder of the on-disk response cache (OSMnx's); a repeated request is
        served from it without contacting the server. None: no cache.
    doh_url_template : str, optional
        ``overpass``: DNS-over-HTTPS fallback used when the server's host name does not
        resolve (OSMnx's default is ``"https://8.8.8.8/resolve?name={hostname}"``, unreachable
        from mainland China); None (default) resolves by name only.
    overpass_rate_limit : bool, default True
        ``overpass``: wait as the server's ``/status`` says; pass False for mirrors without a
        ``/status`` endpoint (OSMnx would otherwise wait 60 s).
    layer : str or int, optional
        ``centreline``: layer of a multi-layer file (GeoPackage).
    encoding : str, optional
        ``centreline``: attribute encoding (``"GBK"``, ``"UTF-8"``); by default taken from a
        shapefile's ``.cpg`` or detected from its ``.dbf``.
    file_crs : CRS-like, optional
        ``centreline``: CRS of the file's coordinates, for files that declare none (a
        shapefile without ``.prj``) or a wrong one.
    datum : str, optional
        ``centreline``: ``"gcj02"``/``"bd09"`` for longitude/latitude files from Amap/Baidu
        (converted by :func:`jinan_gis.geo.datum.to_wgs84`).
    name_column, class_column, oneway_column, grade_column : str, optional
        ``centreline``: column names, detected when None (see
        :mod:`jinan_gis.layers.centreline`).
    class_map : mapping, optional
        ``centreline``: extra road class -> OSM ``highway`` entries.
    snap_tol_m : float, default 1.0
        ``centreline``: line ends this close to another end or line are snapped onto it.

    Returns
    -------
    LoadResult
        ``layer``: the street layer; ``rejected``: input rows left out and why; ``n_input``:
        input rows; ``provenance``: source, mode, CRS, area, options, counts, time.

    Raises
    ------
    JinanGISError
        Unknown ``source``/``mode``, or a missing ``path``; subclasses for specific faults:
        :class:`~jinan_gis.geo.errors.CRSError` (file without CRS, implausible coordinates),
        :class:`~jinan_gis.geo.errors.InputDataError` (unreadable file),
        :class:`~jinan_gis.geo.errors.OverpassError` (server unreachable or failing),
        :class:`~jinan_gis.geo.errors.LayerError` (no streets in the area).
    """
    if source not in SOURCES:
        raise JinanGISError(f"unknown source {source!r}: use one of {', '.join(SOURCES)}.")
    if mode not in MODES:
        raise JinanGISError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}.")
    if source == "overpass" and path is not None:
        raise JinanGISError(
            "path= is for source='osm-file' or 'centreline'; Overpass downloads need none."
        )
    if source != "overpass" and path is None:
        raise JinanGISError(f"source={source!r} needs path= (the file to read).")
    if snap_tol_m < 0:
        raise JinanGISError(f"snap_tol_m must be >= 0 metres, got {snap_tol_m}.")
    if timeout_s <= 0:
        raise JinanGISError(f"timeout_s must be > 0 seconds, got {timeout_s}.")
    target = require_metric_crs(crs, what="a street layer")
    geom, area_what = resolve_area(area, crs=target, buffer_m=buffer_m)
    prov: dict[str, Any] = {
        "mode": mode,
        "crs": describe_crs(target),
        "area": area_what,
        "buffer_m": buffer_m,
        "loaded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }

    if source == "overpass":
        from .overpass import download_overpass_graph, graph_to_streets

        label = "osm-overpass"
        polygon = gpd.GeoSeries([geom], crs=target).to_crs("EPSG:4326").iloc[0]
        graph = download_overpass_graph(
            polygon,
            mode=mode,
            overpass_url=overpass_url,
            timeout_s=timeout_s,
            cache_dir=cache_dir,
            doh_url_template=doh_url_template,
            rate_limit=overpass_rate_limit,
        )
        lines, rejected, counts = graph_to_streets(graph, mode=mode, crs=target, source=label)
        n_input = counts["ways"]
        prov.update(
            overpass_url=overpass_url,
            cache_dir=None if cache_dir is None else str(cache_dir),
            graph_edges=counts["graph_edges"],
            reverse_twins_merged=counts["reverse_twins"],
        )
    elif source == "osm-file":
        from .osm_file import read_osm_ways, ways_to_streets

        p = Path(path)  # type: ignore[arg-type]
        label = f"osm-file:{p.name}"
        ways = read_osm_ways(p)
        lines, rejected = ways_to_streets(ways, mode=mode, area=geom, crs=target, source=label)
        n_input = len(ways)
        prov.update(path=str(p), osm_nodes=len(ways.node_lonlat))
    else:
        from .centreline import centreline_to_streets, read_centreline_file

        p = Path(path)  # type: ignore[arg-type]
        label = f"centreline-file:{p.name}"
        gdf, file_prov = read_centreline_file(p, layer=layer, encoding=encoding, file_crs=file_crs)
        if datum is not None:
            from ..geo.datum import to_wgs84

            gdf = to_wgs84(gdf, datum=datum)
            file_prov["datum"] = datum
        lines, rejected, used = centreline_to_streets(
            gdf,
            mode=mode,
            area=geom,
            crs=target,
            source=label,
            name_column=name_column,
            class_column=class_column,
            oneway_column=oneway_column,
            grade_column=grade_column,
            class_map=class_map,
            snap_tol_m=snap_tol_m,
        )
        n_input = len(gdf)
        prov.update(path=str(p), snap_tol_m=snap_tol_m, **file_prov, **used)

    prov = {"source": label, **prov}
    prov["accounting"] = "input_row"  # one input row may become several lines
    prov["input_rows_kept"] = int(lines["input_row"].nunique())
    prov["lines"] = len(lines)
    result = LoadResult(
        layer=check_streets_schema(lines), rejected=rejected, n_input=n_input, provenance=prov
    )
    check_street_accounting(result)
    result.check_accounting()
    if len(lines) == 0:
        log.warning("%s: no %s streets in the area (%s)", label, mode, area_what)
    log.info(
        "%s: %d input rows, %d kept as %d lines, %d rejected",
        label, n_input, prov["input_rows_kept"], len(lines), len(rejected),
    )
    return result
