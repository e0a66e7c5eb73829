"""Geometry of a map layer made ready for display: copied, simplified, shifted, rounded.

:func:`_prepare` copies the columns a layer's popups show and its geometry, simplifies it in
EPSG:4548 (display only: topology preserved), shifts it to the display datum (GCJ-02 on Amap
tiles) and rounds coordinates to 6 decimals (about 0.1 m); the input frame is never changed.
:func:`_feature_collection` writes the result as compact, script-safe GeoJSON.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> pts = gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(117.0, 36.6)], crs="EPSG:4326")
>>> d = _prepare(pts, columns=["name"], simplify_m=5.0, datum="wgs84", points=True)
>>> d.attrs["name"].tolist(), d.bounds
(['a'], (117.0, 36.6, 117.0, 36.6))
>>> fc = _feature_collection(d.geoms, [0], ["<b>a</b>"], [""])
>>> "<" in fc, json.loads(fc)["features"][0]["properties"]
(False, {'s': 0, 't': '<b>a</b>'})
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..geo.crs import ANALYSIS_CRS, WEB_CRS
from ..geo.datum import from_wgs84
from .map_page import _script_safe

__all__ = ["Bounds"]


Bounds = tuple[float, float, float, float]
"""(west, south, east, north) in display degrees."""


@dataclass
class _Display:
    """One input layer prepared for display: attributes, display geometries, bounds."""

    attrs: pd.DataFrame
    geoms: np.ndarray
    bounds: Bounds | None


def _prepare(
    gdf: gpd.GeoDataFrame,
    *,
    columns: Sequence[str],
    simplify_m: float,
    datum: str,
    points: bool = False,
    extra: Callable[[np.ndarray], dict[str, np.ndarray]] | None = None,
) -> _Display:
    """Copy ``columns`` and the geometry of ``gdf``; simplify in EPSG:4548; shift; round.

    ``extra`` receives the EPSG:4548 geometries (before simplification) and returns extra
    attribute columns (e.g. areas). The input frame is never changed.
    """
    keep = [c for c in dict.fromkeys(columns) if c in gdf.columns and c != gdf.geometry.name]
    attrs = pd.DataFrame({c: gdf[c].to_numpy() for c in keep}, index=pd.RangeIndex(len(gdf)))
    geoms = gpd.GeoSeries(gdf.geometry.to_numpy(), crs=gdf.crs).to_crs(ANALYSIS_CRS).to_numpy()
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    attrs = attrs.loc[ok].reset_index(drop=True)
    geoms = shapely.force_2d(geoms[ok])
    if extra is not None:
        for name, values in extra(geoms).items():
            attrs[name] = values
    if points:
        not_pt = shapely.get_type_id(geoms) != shapely.GeometryType.POINT
        if not_pt.any():
            geoms = geoms.copy()
            geoms[not_pt] = shapely.point_on_surface(geoms[not_pt])
    elif simplify_m > 0:
        geoms = _simplified(geoms, simplify_m)
    ok = ~shapely.is_empty(geoms)
    attrs = attrs.loc[ok].reset_index(drop=True)
    web = gpd.GeoSeries(geoms[ok], crs=ANALYSIS_CRS).to_crs(WEB_CRS)
    if datum != "wgs84":
        web = from_wgs84(web, datum=datum)
    shown = shapely.transform(web.to_numpy(), lambda xy: np.round(xy, 6))
    return _Display(attrs, shown, _bounds_of(shown))


def _simplified(geoms: np.ndarray, tolerance_m: float) -> np.ndarray:
    """Douglas-Peucker simplification; the topology-preserving one (seven times slower on a
    city's service areas) only for the geometries the plain one leaves invalid or empty.

    Examples
    --------
    >>> import shapely
    >>> sq = shapely.Polygon([(0, 0), (1, 0.01), (2, 0), (2, 2), (0, 2)])
    >>> _simplified(np.array([sq, shapely.box(0, 0, 0.5, 0.5)]), 1.0)[0].wkt
    'POLYGON ((0 0, 2 0, 2 2, 0 2, 0 0))'
    >>> _simplified(np.array([shapely.box(0, 0, 0.5, 0.5)]), 1.0)[0].is_empty
    False
    """
    out = shapely.simplify(geoms, tolerance_m, preserve_topology=False)
    bad = ~shapely.is_valid(out) | (shapely.is_empty(out) & ~shapely.is_empty(geoms))
    if bad.any():
        out[bad] = shapely.simplify(geoms[bad], tolerance_m, preserve_topology=True)
    return out


def _bounds_of(geoms: np.ndarray) -> Bounds | None:
    """Total bounds of ``geoms``; None when there are none or they are not finite."""
    if len(geoms) == 0:
        return None
    b = shapely.total_bounds(geoms)
    if not np.all(np.isfinite(b)):
        return None
    return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))


_LONG_FLOAT = re.compile(r"\d+\.\d{7,}")


def _feature_collection(
    geoms: np.ndarray, style: Sequence[int], tooltip: Sequence[str], popup: Sequence[str]
) -> str:
    """Compact GeoJSON (script-safe): properties ``s`` style index, ``t``/``p`` escaped HTML."""
    geo_json = shapely.to_geojson(geoms) if len(geoms) else np.empty(0, dtype=object)
    feats = []
    for g_raw, s, tt, pp in zip(geo_json, style, tooltip, popup, strict=True):
        # GEOS prints some rounded doubles in full (36.538137999999996): shortest form again
        g = _LONG_FLOAT.sub(lambda m: repr(round(float(m.group()), 6)), g_raw)
        props: dict[str, Any] = {"s": int(s)}
        if tt:
            props["t"] = tt
        if pp:
            props["p"] = pp
        feats.append(
            '{"type":"Feature","geometry":' + g + ',"properties":'
            + json.dumps(props, ensure_ascii=False, separators=(",", ":")) + "}"
        )
    return _script_safe('{"type":"FeatureCollection","features":[' + ",".join(feats) + "]}")


def _shape_svg(shape: str, fill: str, px: int, stroke: str = "#ffffff") -> str:
    """An inline SVG marker (also used in the legend); only fixed shapes and colours."""
    s = float(px)
    m = 1.5
    c = s / 2
    if shape == "circle":
        body = f'<circle cx="{c:g}" cy="{c:g}" r="{c - m:g}"/>'
    elif shape == "square":
        body = f'<rect x="{m:g}" y="{m:g}" width="{s - 2 * m:g}" height="{s - 2 * m:g}"/>'
    else:
        if shape == "star":
            pts = [
                (c + (c - m) * (1 if k % 2 == 0 else 0.45) * math.sin(k * math.pi / 5),
                 c - (c - m) * (1 if k % 2 == 0 else 0.45) * math.cos(k * math.pi / 5))
                for k in range(10)
            ]  # fmt: skip
        else:
            corners = {
                "diamond": [(0.5, 0.0), (1.0, 0.5), (0.5, 1.0), (0.0, 0.5)],
                "triangle": [(0.5, 0.0), (1.0, 0.93), (0.0, 0.93)],
                "triangle_down": [(0.0, 0.07), (1.0, 0.07), (0.5, 1.0)],
                "hexagon": [(0.25, 0.05), (0.75, 0.05), (1.0, 0.5), (0.75, 0.95), (0.25, 0.95),
                            (0.0, 0.5)],
                "pentagon": [(0.5, 0.0), (1.0, 0.38), (0.81, 1.0), (0.19, 1.0), (0.0, 0.38)],
                "cross": [(0.33, 0), (0.67, 0), (0.67, 0.33), (1, 0.33), (1, 0.67), (0.67, 0.67),
                          (0.67, 1), (0.33, 1), (0.33, 0.67), (0, 0.67), (0, 0.33), (0.33, 0.33)],
            }[shape]  # fmt: skip
            pts = [(m + x * (s - 2 * m), m + y * (s - 2 * m)) for x, y in corners]
        body = '<polygon points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts) + '"/>'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{px}" height="{px}" '
        f'viewBox="0 0 {px} {px}" fill="{fill}" stroke="{stroke}" stroke-width="1.5">'
        f"{body}</svg>"
    )
