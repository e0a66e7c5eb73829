"""CRS helpers: one metric analysis CRS, clear errors for frames unfit for distance work."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point

from jinan_gis.geo.crs import (
    ANALYSIS_CRS,
    check_coordinates_plausible,
    describe_crs,
    require_metric_crs,
    to_analysis_crs,
)
from jinan_gis.geo.errors import CRSError, JinanGISError

QUANCHENG_SQUARE = (117.0205, 36.6617)  # 泉城广场, WGS84


def test_errors_are_value_errors() -> None:
    assert issubclass(CRSError, JinanGISError)
    assert issubclass(CRSError, ValueError)


def test_frame_without_crs_raises_naming_the_fix() -> None:
    gdf = gpd.GeoDataFrame(geometry=[Point(*QUANCHENG_SQUARE)])
    with pytest.raises(CRSError, match=r"has no CRS.*set_crs"):
        to_analysis_crs(gdf)


@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:4490"])
def test_distance_work_in_geographic_crs_raises(crs: str) -> None:
    gdf = gpd.GeoDataFrame(geometry=[Point(*QUANCHENG_SQUARE)], crs=crs)
    with pytest.raises(CRSError, match=r"needs a metric CRS.*degrees are not metres.*EPSG:4548"):
        require_metric_crs(gdf)


def test_distance_work_in_web_mercator_raises() -> None:
    with pytest.raises(CRSError, match=r"Web Mercator stretches distances"):
        require_metric_crs("EPSG:3857")


@pytest.mark.parametrize("crs", ["EPSG:4548", "EPSG:4527", "EPSG:32650"])
def test_metric_crs_accepted(crs: str) -> None:
    assert require_metric_crs(crs).is_projected


@pytest.mark.parametrize("src", ["EPSG:4326", "EPSG:4490", "EPSG:4527", "EPSG:32650"])
def test_known_crs_land_on_the_same_spot(src: str) -> None:
    ref = gpd.GeoSeries([Point(*QUANCHENG_SQUARE)], crs="EPSG:4326").to_crs(ANALYSIS_CRS)
    pt = gpd.GeoSeries([Point(*QUANCHENG_SQUARE)], crs="EPSG:4326").to_crs(src)
    out = to_analysis_crs(pt)
    assert out.crs.to_epsg() == 4548
    # CGCS2000 vs WGS84 realisations differ by well under a metre here
    assert out.distance(ref).iloc[0] < 1.0


def test_gk_zone_prefix_in_4527() -> None:
    pt = gpd.GeoSeries([Point(*QUANCHENG_SQUARE)], crs="EPSG:4326").to_crs("EPSG:4527")
    assert 39_400_000 < pt.x.iloc[0] < 39_600_000
    assert 400_000 < to_analysis_crs(pt).x.iloc[0] < 600_000


def test_input_not_mutated() -> None:
    gdf = gpd.GeoDataFrame({"a": [1]}, geometry=[LineString([(117, 36.6), (117.01, 36.6)])],
                           crs="EPSG:4326")
    before = gdf.copy()
    to_analysis_crs(gdf)
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geom_equals(before).all()


def test_describe_known_crs() -> None:
    assert "zone prefix 39" in describe_crs(4527)
    assert "analysis CRS" in describe_crs("EPSG:4548")


@pytest.mark.parametrize(
    ("xy", "crs", "match"),
    [
        ((500_000, 4_060_000), "EPSG:4326", "look projected"),
        ((36.66, 117.02), "EPSG:4326", "swapped"),
        ((117.02, 36.66), "EPSG:4548", "look like degrees"),
        ((39_500_000, 4_060_000), "EPSG:4548", "Declare 'EPSG:4527'"),
        ((500_000, 4_060_000), "EPSG:4527", "Declare 'EPSG:4548'"),
    ],
)
def test_coordinates_that_contradict_the_crs(xy: tuple[float, float], crs: str, match: str) -> None:
    with pytest.raises(CRSError, match=match):
        check_coordinates_plausible(gpd.GeoSeries([Point(*xy)], crs=crs), source="x.shp")


def test_plausible_coordinates_pass() -> None:
    check_coordinates_plausible(gpd.GeoSeries([Point(*QUANCHENG_SQUARE)], crs="EPSG:4326"))
    check_coordinates_plausible(gpd.GeoSeries([Point(500_100, 4_058_000)], crs="EPSG:4548"))
