"""Coordinate reference systems for Jinan work.

jinan-gis does distance and area work in a metric CRS: by default :data:`ANALYSIS_CRS`
(EPSG:4548, CGCS2000 / 3-degree Gauss-Kruger CM 117E, the projection Jinan's official data
uses), or any other projected CRS in metres the caller's data share (an analysis runs in its
network's CRS: :func:`to_analysis_crs` takes ``crs=``).  EPSG:4326 is for the web only
(:data:`WEB_CRS`).  :func:`require_metric_crs` refuses CRSs whose distances are not true
metres: geographic (degrees), Web Mercator (stretched) and CRSs in feet or other units.

Chinese GIS staff hand over data in a handful of CRSs; :data:`KNOWN_CRS` names them and
:func:`check_coordinates_plausible` catches the usual mix-ups (projected numbers declared
geographic, Gauss-Kruger eastings without or with the zone prefix under the wrong EPSG code).

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> from jinan_gis.geo.crs import to_analysis_crs
>>> gdf = gpd.GeoDataFrame(geometry=[Point(117.0, 36.65)], crs="EPSG:4326")
>>> out = to_analysis_crs(gdf)
>>> out.crs.to_epsg(), round(out.geometry.x.iloc[0])
(4548, 500000)
"""

from __future__ import annotations

import logging
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as PyprojCRSError
from pyproj.exceptions import ProjError

from .errors import CRSError

__all__ = [
    "ANALYSIS_CRS",
    "CANDIDATE_CRS",
    "JINAN_BOUNDS_LONLAT",
    "KNOWN_CRS",
    "WEB_CRS",
    "check_coordinates_plausible",
    "crs_fix",
    "describe_crs",
    "fitting_crs",
    "metric_crs_or_default",
    "parse_crs",
    "require_crs",
    "require_metric_crs",
    "to_analysis_crs",
    "to_web_crs",
]

log = logging.getLogger(__name__)

ANALYSIS_CRS = "EPSG:4548"
"""The one metric CRS for analysis: CGCS2000 / 3-degree Gauss-Kruger CM 117E."""

WEB_CRS = "EPSG:4326"
"""Longitude/latitude (WGS84) for web maps only."""

JINAN_BOUNDS_LONLAT = (116.2, 36.0, 118.0, 37.6)
"""(min lon, min lat, max lon, max lat) of the city of Jinan, including former Laiwu."""

KNOWN_CRS: dict[int, str] = {
    4326: "WGS84 longitude/latitude (GPS, OpenStreetMap)",
    4490: "CGCS2000 longitude/latitude (official Chinese data; within a metre of WGS84)",
    4527: "CGCS2000 / 3-degree Gauss-Kruger zone 39 (CM 117E, easting WITH zone prefix 39)",
    4548: "CGCS2000 / 3-degree Gauss-Kruger CM 117E (easting without zone prefix): "
    "jinan-gis analysis CRS",
    32650: "WGS84 / UTM zone 50N",
    3857: "Web Mercator (tiles only: distances are stretched about 25 % in Jinan)",
    4526: "CGCS2000 / 3-degree Gauss-Kruger zone 38 (CM 114E, easting WITH zone prefix 38)",
    4528: "CGCS2000 / 3-degree Gauss-Kruger zone 40 (CM 120E, easting WITH zone prefix 40)",
    4547: "CGCS2000 / 3-degree Gauss-Kruger CM 114E (easting without zone prefix)",
    4549: "CGCS2000 / 3-degree Gauss-Kruger CM 120E (easting without zone prefix)",
    4498: "CGCS2000 / 6-degree Gauss-Kruger zone 20 (CM 117E, easting WITH zone prefix 20)",
}
"""The CRSs Chinese GIS staff use around Jinan, with a plain description."""

CANDIDATE_CRS: tuple[int, ...] = (4548, 4527, 4498, 4547, 4549, 4526, 4528, 3857, 32650, 4326)
"""CRSs tried, in this order, when numbers do not fit the CRS they were declared in
(:func:`fitting_crs`): the Gauss-Kruger CMs 117E/114E/120E with and without the 3-degree
zone prefixes 39/38/40, 6-degree zone 20 (CM 117E, prefix 20), Web Mercator, UTM 50N and
longitude/latitude. (6-degree CM 117E without prefix, EPSG:4509, gives the same numbers as
EPSG:4548 and is not listed.)"""

_FIT_SHARE = 0.9
"""Share of the points that must land in Jinan under a candidate CRS for it to be named."""

_NOT_METRIC_FIX = (
    "Reproject first with jinan_gis.geo.crs.to_analysis_crs(gdf) (EPSG:4548, metres, "
    "true distances in Jinan)."
)


def parse_crs(crs: Any, *, what: str = "crs") -> CRS:
    """A CRS the user named (``"EPSG:4548"``, ``4527``, WKT, a pyproj CRS), or a
    :class:`CRSError` naming the fix instead of pyproj's error.

    Examples
    --------
    >>> parse_crs("EPSG:4548").to_epsg()
    4548
    >>> parse_crs("EPSG:99999", what="--crs")
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.CRSError: --crs 'EPSG:99999' is not a known CRS. ...
    """
    try:
        return CRS.from_user_input(crs)
    except Exception as exc:  # pyproj.exceptions.CRSError and malformed input alike
        raise CRSError(
            f"{what} {crs!r} is not a known CRS. Name one as EPSG:<code>, e.g. EPSG:4548 "
            "(CGCS2000 Gauss-Kruger CM 117E), EPSG:4527 (zone 39, eastings with the 39 prefix), "
            "EPSG:4490 or EPSG:4326 (longitude/latitude)."
        ) from exc


def describe_crs(crs: Any) -> str:
    """Describe a CRS in words, naming it when it is one Chinese GIS staff commonly use.

    Parameters
    ----------
    crs : anything pyproj understands, or None

    Returns
    -------
    str

    Examples
    --------
    >>> describe_crs("EPSG:4527")
    'EPSG:4527 CGCS2000 / 3-degree Gauss-Kruger zone 39 (CM 117E, easting WITH zone prefix 39)'
    >>> describe_crs(None)
    'no CRS'
    """
    if crs is None:
        return "no CRS"
    c = CRS.from_user_input(crs)
    epsg = c.to_epsg()
    if epsg is not None and epsg in KNOWN_CRS:
        return f"EPSG:{epsg} {KNOWN_CRS[epsg]}"
    return f"{'EPSG:' + str(epsg) if epsg else 'custom CRS'} {c.name}"


def require_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries, *, what: str = "this layer") -> CRS:
    """Return the CRS of ``gdf`` or raise :class:`CRSError` if it has none.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> require_crs(gpd.GeoSeries([Point(0, 0)]))
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.CRSError: this layer has no CRS. ...
    """
    if gdf.crs is None:
        raise CRSError(
            f"{what} has no CRS. Declare the one its coordinates are in, e.g. "
            "gdf.set_crs('EPSG:4326') for longitude/latitude, 'EPSG:4548' for CGCS2000 "
            "Gauss-Kruger CM 117E, 'EPSG:4527' when eastings start with the zone number 39 "
            "(a shapefile without .prj has no CRS)."
        )
    return CRS.from_user_input(gdf.crs)


def require_metric_crs(crs_or_frame: Any, *, what: str = "distance work") -> CRS:
    """Raise :class:`CRSError` unless the CRS measures true metres.

    Refused: no CRS, geographic CRSs (degrees), Web Mercator (stretched about 25 % in
    Jinan), and projected CRSs whose axis unit is not the metre (e.g. US survey feet: a
    1000 ft street would be taken for 1000 m).

    Parameters
    ----------
    crs_or_frame : CRS-like or GeoDataFrame/GeoSeries
    what : str
        What the caller is about to do, for the message.

    Returns
    -------
    pyproj.CRS

    Examples
    --------
    >>> require_metric_crs("EPSG:4548").to_epsg()
    4548
    >>> require_metric_crs("EPSG:4326")
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.CRSError: distance work needs a metric CRS, got EPSG:4326 ...
    >>> require_metric_crs("EPSG:2263")
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.CRSError: distance work needs a CRS in metres, got EPSG:2263 ...
    """
    if hasattr(crs_or_frame, "crs") and not isinstance(crs_or_frame, CRS):
        crs = require_crs(crs_or_frame)
    elif crs_or_frame is None:
        raise CRSError(f"{what} needs a CRS, got none. {_NOT_METRIC_FIX}")
    else:
        crs = CRS.from_user_input(crs_or_frame)
    if crs.is_geographic:
        raise CRSError(
            f"{what} needs a metric CRS, got {describe_crs(crs)}: degrees are not metres. "
            + _NOT_METRIC_FIX
        )
    if crs.to_epsg() in (3857, 900913) or "Pseudo-Mercator" in crs.name:
        raise CRSError(
            f"{what} needs a metric CRS, got {describe_crs(crs)}: Web Mercator stretches "
            "distances by 1/cos(latitude), about 25 % in Jinan. " + _NOT_METRIC_FIX
        )
    units = _axis_units(crs)
    if units:
        raise CRSError(
            f"{what} needs a CRS in metres, got {describe_crs(crs)}, whose axis unit is "
            f"{' / '.join(units)}: its coordinates would be read as metres (1000 ft taken for "
            "1000 m). Reproject first with jinan_gis.geo.crs.to_analysis_crs(gdf) (EPSG:4548) "
            "or gdf.to_crs('EPSG:32650') (UTM zone 50N, metres)."
        )
    return crs


def _axis_units(crs: CRS) -> list[str]:
    """Names of the horizontal axis units of ``crs`` that are not the metre (empty: metres).

    Examples
    --------
    >>> _axis_units(CRS.from_user_input("EPSG:2263")), _axis_units(CRS.from_user_input(4548))
    (['US survey foot (0.3048006 m)'], [])
    """
    bad: list[str] = []
    for axis in crs.axis_info[:2]:
        factor = float(axis.unit_conversion_factor)
        if abs(factor - 1.0) > 1e-12:
            name = f"{axis.unit_name} ({factor:.7g} m)"
            if name not in bad:
                bad.append(name)
    return bad


def metric_crs_or_default(
    gdf: gpd.GeoDataFrame | gpd.GeoSeries | None, *, default: Any = ANALYSIS_CRS
) -> str:
    """The CRS to measure ``gdf`` in: its own CRS when it is metric, else ``default``.

    Lets an analysis keep data that already share a metric CRS (e.g. UTM zone 50N) in that
    CRS, and fall back to :data:`ANALYSIS_CRS` (EPSG:4548) for longitude/latitude, Web
    Mercator, CRSs in feet, layers without a CRS or no layer.

    Returns
    -------
    str
        An authority code (``"EPSG:32650"``) or the CRS's WKT when it has none.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> metric_crs_or_default(gpd.GeoSeries([Point(0, 0)], crs="EPSG:32650"))
    'EPSG:32650'
    >>> metric_crs_or_default(gpd.GeoSeries([Point(117, 36.7)], crs="EPSG:4326"))
    'EPSG:4548'
    >>> metric_crs_or_default(None)
    'EPSG:4548'
    """
    if gdf is None or gdf.crs is None:
        return _crs_text(default)
    try:
        crs = require_metric_crs(gdf)
    except CRSError:
        return _crs_text(default)
    return _crs_text(crs)


def _crs_text(crs: Any) -> str:
    c = CRS.from_user_input(crs)
    auth = c.to_authority()
    return f"{auth[0]}:{auth[1]}" if auth else c.to_wkt()


def to_analysis_crs(
    gdf: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    what: str = "this layer",
    crs: Any = ANALYSIS_CRS,
) -> gpd.GeoDataFrame | gpd.GeoSeries:
    """Return ``gdf`` in the analysis CRS ``crs`` (default :data:`ANALYSIS_CRS`, EPSG:4548).

    A layer already in ``crs`` is returned **as is** (the input object itself, no copy):
    callers must not mutate the result in place (``.copy()`` it first).  A layer in another
    CRS is reprojected into a new frame; the input is never changed.

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
    what : str
        The layer's name, for messages.
    crs : CRS-like
        The analysis CRS, e.g. the network's (``network.crs``); must measure metres
        (:func:`require_metric_crs`).

    Raises
    ------
    CRSError
        If ``gdf`` has no CRS, if ``crs`` is not metric, or if ``gdf``'s CRS cannot be
        transformed to ``crs`` (the message names both).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> pts = gpd.GeoSeries([Point(39_500_000, 4_060_000)], crs="EPSG:4527")
    >>> to_analysis_crs(pts).x.round().tolist()
    [500000.0]
    >>> utm = gpd.GeoSeries([Point(500_000, 4_060_000)], crs="EPSG:32650")
    >>> to_analysis_crs(utm, crs="EPSG:32650") is utm
    True
    """
    src = require_crs(gdf, what=what)
    target = require_metric_crs(crs, what="the analysis CRS")
    if src == target:
        return gdf
    try:
        out = gdf.to_crs(target)
    except (ProjError, PyprojCRSError, ValueError) as exc:
        raise CRSError(
            f"{what} is in {describe_crs(src)} and the analysis in {describe_crs(target)}; "
            f"the two cannot be compared (no transformation between them: {exc}). Declare "
            "the layer's true CRS (gdf.set_crs(..., allow_override=True)) or reproject it "
            "yourself."
        ) from exc
    before = _finite_bounds(gdf)
    if before is not None and _finite_bounds(out) is None:
        raise CRSError(
            f"{what} is in {describe_crs(src)} and the analysis in {describe_crs(target)}; "
            "the two cannot be compared (reprojecting gives no finite coordinate). Declare "
            "the layer's true CRS or reproject it yourself."
        )
    return out


def to_web_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> gpd.GeoDataFrame | gpd.GeoSeries:
    """Return a copy of ``gdf`` in EPSG:4326 for web maps (never for analysis)."""
    require_crs(gdf)
    return gdf.to_crs(WEB_CRS)


def _finite_bounds(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> np.ndarray | None:
    geoms = gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf
    b = geoms.bounds.to_numpy(dtype=float)
    b = b[np.isfinite(b).all(axis=1)]
    if len(b) == 0:
        return None
    return np.array([b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()])


def _sample_xy(gdf: gpd.GeoDataFrame | gpd.GeoSeries, limit: int = 2000) -> np.ndarray:
    """Up to ``limit`` finite vertex coordinates (x, y) of the geometries, spread evenly."""
    geoms = (gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf).to_numpy()
    xy = shapely.get_coordinates(geoms[~shapely.is_missing(geoms)])
    xy = xy[np.isfinite(xy).all(axis=1)]
    if len(xy) > limit:
        xy = xy[np.linspace(0, len(xy) - 1, limit).astype(int)]
    return xy


def _share_in_jinan(x: np.ndarray, y: np.ndarray, crs: Any) -> float:
    """Share of the points (x, y) in ``crs`` that land inside :data:`JINAN_BOUNDS_LONLAT`."""
    if not len(x):
        return 0.0
    try:
        tr = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        with np.errstate(all="ignore"):
            lon, lat = (np.asarray(a, dtype=np.float64) for a in tr.transform(x, y, errcheck=False))
    except ProjError:  # pragma: no cover - pyproj refuses the pair
        return 0.0
    a, b, c, d = JINAN_BOUNDS_LONLAT
    with np.errstate(invalid="ignore"):
        inside = (lon >= a) & (lon <= c) & (lat >= b) & (lat <= d)
    return float(inside.mean())


def fitting_crs(
    x: Any, y: Any, *, declared: Any | None = None
) -> tuple[int, bool] | None:
    """The CRS the numbers fit when they do not fit the declared one: ``(epsg, swapped)``.

    Tries :data:`CANDIDATE_CRS` in order, first as given, then with x and y swapped; the
    first under which at least 90 % of the points land in Jinan
    (:data:`JINAN_BOUNDS_LONLAT`) is returned. None when no candidate fits (data from
    elsewhere: not for this check to judge) or when the declared CRS fits already.

    Examples
    --------
    >>> fitting_crs([13_027_000.0], [4_393_000.0])  # Web Mercator metres
    (3857, False)
    >>> fitting_crs([500_000.0], [4_060_000.0], declared="EPSG:4549")  # CM 117E, not 120E
    (4548, False)
    >>> fitting_crs([4_060_000.0], [39_500_000.0])  # northing first, with the zone prefix
    (4527, True)
    >>> fitting_crs([500_000.0], [4_060_000.0], declared="EPSG:4548") is None
    True
    """
    xs = np.asarray(x, dtype=np.float64).ravel()
    ys = np.asarray(y, dtype=np.float64).ravel()
    fin = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[fin], ys[fin]
    if not len(xs):
        return None
    if declared is not None and _share_in_jinan(xs, ys, parse_crs(declared)) >= _FIT_SHARE:
        return None
    skip = None if declared is None else parse_crs(declared).to_epsg()
    for swapped in (False, True):
        a, b = (ys, xs) if swapped else (xs, ys)
        for epsg in CANDIDATE_CRS:
            if epsg == skip and not swapped:
                continue
            if _share_in_jinan(a, b, f"EPSG:{epsg}") >= _FIT_SHARE:
                return epsg, swapped
    return None


def crs_fix(epsg: int, swapped: bool, *, table: bool) -> str:
    """The fix for numbers that fit ``EPSG:epsg`` (see :func:`fitting_crs`), naming the
    command-line flag and the Python keyword.

    Examples
    --------
    >>> crs_fix(3857, False, table=True)
    "declare --crs EPSG:3857 / crs='EPSG:3857' (Web Mercator (tiles only: ..."
    """
    what = KNOWN_CRS.get(epsg, CRS.from_epsg(epsg).name)
    declare = f"--crs EPSG:{epsg} / crs='EPSG:{epsg}' ({what})"
    if epsg in (4326, 4490):
        declare = "no --crs (the numbers are longitude/latitude)"
    if not swapped:
        return f"declare {declare}"
    if table:
        return (
            "x and y are the wrong way round: name the columns with --lon-column <the x/"
            "longitude column> --lat-column <the y/latitude column> (lon_column=, lat_column=)"
            f", and {declare}"
        )
    return (
        "x and y are swapped in the file (northing first): swap them in the GIS (QGIS: "
        f"Processing > 'Swap X and Y coordinates') and {declare}"
    )


def check_coordinates_plausible(
    gdf: gpd.GeoDataFrame | gpd.GeoSeries, *, source: str = "this layer"
) -> None:
    """Raise :class:`CRSError` when the coordinates cannot be what the declared CRS says.

    Catches, for data around Jinan: projected numbers under a geographic CRS and the
    reverse; Gauss-Kruger eastings with the zone prefix (39xxxxxxx) declared as EPSG:4548 and
    without it declared as EPSG:4527; longitude and latitude swapped; and numbers that are
    nowhere near Jinan in the declared CRS but fit another one of :data:`CANDIDATE_CRS` (a
    ``.prj`` for the wrong Gauss-Kruger zone, Web Mercator metres): the message names it
    (:func:`fitting_crs`). Data from elsewhere that fits no candidate passes.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> bad = gpd.GeoSeries([Point(500_000, 4_060_000)], crs="EPSG:4326")
    >>> check_coordinates_plausible(bad, source="roads.shp")
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.CRSError: roads.shp: coordinates look projected ...
    >>> east = gpd.GeoSeries([Point(500_000, 4_060_000)], crs="EPSG:4549")
    >>> check_coordinates_plausible(east, source="zones.shp")
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.CRSError: zones.shp: the coordinates are nowhere near Jinan in ...
    """
    # long: one decision table (geographic/projected x the usual mix-ups), each with its message
    crs = require_crs(gdf, what=source)
    b = _finite_bounds(gdf)
    if b is None:
        return
    big = max(abs(b[0]), abs(b[2]), abs(b[1]), abs(b[3]))
    xy = _sample_xy(gdf)
    fit = fitting_crs(xy[:, 0], xy[:, 1], declared=crs) if len(xy) else None
    if crs.is_geographic:
        if big > 360:
            named = (
                f"Declare the projected CRS the numbers fit: {crs_fix(*fit, table=False)}."
                if fit is not None
                else "Declare the projected CRS instead, e.g. 'EPSG:4548' (eastings about "
                "500000) or 'EPSG:4527' (eastings about 39500000)."
            )
            raise CRSError(
                f"{source}: coordinates look projected (x {b[0]:.0f}..{b[2]:.0f}, "
                f"y {b[1]:.0f}..{b[3]:.0f}) but the declared CRS is {describe_crs(crs)}. "
                f"{named}"
            )
        if 30 <= b[0] and b[2] <= 45 and 100 <= b[1] and b[3] <= 130:
            raise CRSError(
                f"{source}: longitude and latitude look swapped (x {b[0]:.3f}..{b[2]:.3f} "
                f"looks like latitude, y {b[1]:.3f}..{b[3]:.3f} like longitude). Swap the "
                "columns (x = longitude about 117, y = latitude about 36.7)."
            )
        return
    if big <= 360:
        raise CRSError(
            f"{source}: coordinates look like degrees (x {b[0]:.4f}..{b[2]:.4f}) but the "
            f"declared CRS is {describe_crs(crs)}. Declare 'EPSG:4326' (WGS84) or "
            "'EPSG:4490' (CGCS2000) instead."
        )
    epsg = crs.to_epsg()
    prefixed = fit is not None and fit == (4527, False)
    if epsg == 4548 and (prefixed or (fit is None and 38e6 <= b[0] < 41e6)):
        raise CRSError(
            f"{source}: eastings {b[0]:.0f}..{b[2]:.0f} carry the zone prefix 39, but the "
            "declared CRS is EPSG:4548 (no prefix). Declare 'EPSG:4527' instead "
            "(--crs EPSG:4527 / crs='EPSG:4527')."
        )
    if epsg == 4527 and ((fit is not None and fit == (4548, False)) or (
            fit is None and b[2] < 1_000_000)):
        raise CRSError(
            f"{source}: eastings {b[0]:.0f}..{b[2]:.0f} have no zone prefix, but the "
            "declared CRS is EPSG:4527 (eastings 39xxxxxx). Declare 'EPSG:4548' instead "
            "(--crs EPSG:4548 / crs='EPSG:4548')."
        )
    if fit is not None:
        raise CRSError(
            f"{source}: the coordinates are nowhere near Jinan in the declared "
            f"{describe_crs(crs)} (x {b[0]:.0f}..{b[2]:.0f}, y {b[1]:.0f}..{b[3]:.0f}), but "
            f"fit EPSG:{fit[0]}{' with x and y swapped' if fit[1] else ''}: "
            f"{crs_fix(*fit, table=False)}."
        )
