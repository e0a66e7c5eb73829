"""Places on the ground: where a new site may go and where a chosen one is.

:func:`candidate_sites` puts candidate sites on the street network, about one per grid cell.
:func:`locate_sites` says where a proposed site is, in words a planner can find on the
ground: each site gets an id, the sub-district it lies in, the nearest named street, and its
longitude/latitude in WGS84 (GPS, OpenStreetMap) and GCJ-02 (Amap, Tencent maps); the map
popups of :func:`jinan_gis.analyses.maps.export_map` show them.

Examples
--------
>>> SITE_LOCATION_COLUMNS[:3]
('site_id', 'zone_name', 'street_name')
>>> from jinan_gis.geo.network import Network
>>> len(candidate_sites(Network.from_arrays([[0, 0], [900, 0]], [0], [1]), spacing_m=300))
2
"""

from __future__ import annotations

from typing import Any, Literal

import geopandas as gpd
import numpy as np
import shapely

from ..geo.crs import require_crs
from ..geo.datum import wgs84_to_gcj02
from ..geo.errors import LayerError, SiteSelectionError
from ..geo.network import Network

__all__ = ["SITE_LOCATION_COLUMNS", "candidate_sites", "locate_sites"]


def _thin_to_grid(xy: np.ndarray, spacing_m: float) -> np.ndarray:
    """Positions of the points kept: per grid cell, the one nearest the cell centre."""
    if len(xy) == 0:
        return np.empty(0, dtype=np.int64)
    origin = xy.min(axis=0)
    cell = np.floor((xy - origin) / spacing_m).astype(np.int64)
    centre = origin + (cell + 0.5) * spacing_m
    d = np.hypot(*(xy - centre).T)
    key = cell[:, 0] * (int(cell[:, 1].max()) + 1) + cell[:, 1]
    order = np.lexsort((np.arange(len(xy)), d, key))
    first = np.ones(len(order), dtype=bool)
    first[1:] = key[order][1:] != key[order][:-1]
    return np.sort(order[first])


def candidate_sites(
    network: Network,
    *,
    spacing_m: float = 250.0,
    how: Literal["nodes", "along"] = "nodes",
) -> gpd.GeoDataFrame:
    """Candidate sites on the street network, about one per ``spacing_m`` grid cell.

    Parameters
    ----------
    network : Network
    spacing_m : float
        Grid cell size: in each cell the candidate nearest the cell centre is kept.
    how : {"nodes", "along"}
        ``"nodes"``: street nodes (junctions, dead ends) thinned to the grid; ``"along"``:
        points every ``spacing_m`` (at most) along each street, then thinned the same way
        (covers long streets without junctions).  Island components are left out.

    Returns
    -------
    GeoDataFrame
        ``candidate_id`` (0..), ``node`` (node id, -1 for points along edges), ``edge``
        (-1 for nodes), ``geometry`` (points, the network's CRS).

    Examples
    --------
    >>> from jinan_gis.geo.network import Network
    >>> net = Network.from_arrays([[0, 0], [100, 0], [600, 0]], [0, 1], [1, 2])
    >>> candidate_sites(net, spacing_m=250)["node"].tolist()
    [1, 2]
    >>> candidate_sites(net, spacing_m=250, how="along").geometry.x.tolist()
    [225.0, 475.0]
    """
    if not np.isfinite(spacing_m) or spacing_m <= 0:
        raise SiteSelectionError(f"spacing_m must be a positive distance, got {spacing_m!r}.")
    if how == "nodes":
        nodes = np.flatnonzero(~network.node_is_island)
        xy = network.node_xy[nodes]
        node, edge = nodes, np.full(len(nodes), -1, dtype=np.int64)
        geoms = shapely.points(xy) if len(xy) else np.empty(0, dtype=object)
    elif how == "along":
        edges = np.flatnonzero(~network.edge_is_island)
        length = network.edge_length[edges]
        n_pts = np.maximum(1, np.ceil(length / spacing_m)).astype(np.int64)
        e_rep = np.repeat(edges, n_pts)
        i = np.arange(n_pts.sum()) - np.repeat(np.cumsum(n_pts) - n_pts, n_pts)
        frac = (i + 0.5) / np.repeat(n_pts, n_pts)
        geoms = shapely.line_interpolate_point(
            network.edge_lines(e_rep), frac, normalized=True
        ) if len(e_rep) else np.empty(0, dtype=object)
        xy = shapely.get_coordinates(geoms) if len(e_rep) else np.empty((0, 2))
        node, edge = np.full(len(e_rep), -1, dtype=np.int64), e_rep
    else:
        raise SiteSelectionError(f"how must be 'nodes' or 'along', got {how!r}.")
    keep = _thin_to_grid(np.asarray(xy, dtype=np.float64).reshape(-1, 2), float(spacing_m))
    return gpd.GeoDataFrame(
        {
            "candidate_id": np.arange(len(keep), dtype=np.int64),
            "node": node[keep],
            "edge": edge[keep],
        },
        geometry=np.asarray(geoms)[keep] if len(keep) else gpd.array.from_shapely([]),
        crs=network.crs,
    )


def _points_frame(gdf: Any, what: str) -> gpd.GeoDataFrame | gpd.GeoSeries:
    """``gdf`` when it is a GeoDataFrame or GeoSeries with a CRS; else :class:`LayerError`."""
    if not isinstance(gdf, gpd.GeoDataFrame | gpd.GeoSeries):
        raise LayerError(f"{what} must be a GeoDataFrame of points (EPSG:4548).")
    require_crs(gdf, what=what)
    return gdf


SITE_LOCATION_COLUMNS = ("site_id", "zone_name", "street_name", "lon_wgs84", "lat_wgs84",
                         "lon_gcj02", "lat_gcj02")
"""Columns :func:`locate_sites` adds."""


def locate_sites(
    sites: gpd.GeoDataFrame,
    *,
    zones: gpd.GeoDataFrame | None = None,
    streets: gpd.GeoDataFrame | None = None,
    zone_name_column: str = "zone_name",
    street_name_column: str = "name",
    max_street_m: float = 300.0,
) -> gpd.GeoDataFrame:
    """Say where each proposed site is, in words a planner can find on the ground.

    Returns a copy of ``sites`` with ``site_id`` ("S1", "S2"... by ``rank`` when present),
    ``zone_name`` (the sub-district the site lies in; None outside every zone),
    ``street_name`` (the nearest street with a name within ``max_street_m``; else
    "未命名道路 / unnamed street"), ``lon_wgs84``/``lat_wgs84`` (GPS, OpenStreetMap) and
    ``lon_gcj02``/``lat_gcj02`` (Amap/Tencent maps), and a ``name`` ("zone · street") for map
    popups when the sites have none.

    Parameters
    ----------
    sites : GeoDataFrame
        Points with a CRS (e.g. :attr:`SitesResult.sites`); not changed.
    zones : GeoDataFrame, optional
        Sub-district polygons with ``zone_name_column``.
    streets : GeoDataFrame, optional
        Street lines with ``street_name_column``.
    zone_name_column, street_name_column : str
    max_street_m : float
        Farthest a named street may be to name the site.

    Returns
    -------
    GeoDataFrame

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString, Point, box
    >>> site = gpd.GeoDataFrame({"rank": [1]}, geometry=[Point(500000, 4060000)],
    ...                         crs="EPSG:4548")
    >>> zones = gpd.GeoDataFrame({"zone_name": ["洪家楼街道"]},
    ...                          geometry=[box(499000, 4059000, 501000, 4061000)], crs="EPSG:4548")
    >>> streets = gpd.GeoDataFrame({"name": [None, "花园路"]}, geometry=[
    ...     LineString([(499990, 4059000), (499990, 4061000)]),
    ...     LineString([(499000, 4060040), (501000, 4060040)])], crs="EPSG:4548")
    >>> got = locate_sites(site, zones=zones, streets=streets)
    >>> got[["site_id", "zone_name", "street_name"]].iloc[0].tolist()
    ['S1', '洪家楼街道', '花园路']
    >>> lon, glon = got["lon_wgs84"].item(), got["lon_gcj02"].item()
    >>> round(lon, 4), round(glon - lon, 4)  # Amap's GCJ-02 is ~500 m east here
    (117.0, 0.0058)
    """
    _points_frame(sites, "the sites layer")
    out = sites.copy()
    n = len(out)
    geoms = out.geometry.to_numpy()
    if "rank" in out.columns:
        out["site_id"] = [f"S{int(r)}" for r in out["rank"]]
    else:
        out["site_id"] = [f"S{i + 1}" for i in range(n)]
    zone = np.full(n, None, dtype=object)
    if zones is not None and len(zones) and n:
        if zone_name_column not in zones.columns:
            raise LayerError(f"the zones layer has no {zone_name_column!r} column; pass "
                             "zone_name_column=...")
        z = zones.to_crs(out.crs)
        tree = shapely.STRtree(z.geometry.to_numpy())
        si, zi = tree.query(geoms, predicate="intersects")
        first = np.unique(si, return_index=True)[1]
        zone[si[first]] = z[zone_name_column].to_numpy()[zi[first]]
    out["zone_name"] = zone
    street = np.full(n, "未命名道路 / unnamed street", dtype=object)
    if streets is not None and len(streets) and n and street_name_column in streets.columns:
        named = streets[streets[street_name_column].notna()
                        & (streets[street_name_column].astype(str).str.strip() != "")]
        if len(named):
            named = named.to_crs(out.crs)
            tree = shapely.STRtree(named.geometry.to_numpy())
            si, li = tree.query_nearest(geoms, max_distance=max_street_m, all_matches=False)
            street[si] = named[street_name_column].astype(str).to_numpy()[li]
    out["street_name"] = street
    if n:
        ll = out.geometry.to_crs("EPSG:4326")
        lon, lat = shapely.get_x(ll.to_numpy()), shapely.get_y(ll.to_numpy())
        glon, glat = wgs84_to_gcj02(lon, lat)
    else:
        lon = lat = glon = glat = np.empty(0)
    out["lon_wgs84"], out["lat_wgs84"] = np.round(lon, 6), np.round(lat, 6)
    out["lon_gcj02"], out["lat_gcj02"] = np.round(np.asarray(glon, float), 6), np.round(
        np.asarray(glat, float), 6)
    if "name" not in out.columns:
        out["name"] = [f"{z} · {s}" if z else str(s) for z, s in zip(zone, street, strict=True)]
    return out
