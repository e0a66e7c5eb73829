"""Analyses work in the metric CRS their inputs share (issue 13); CRSs in feet are refused."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point

from jinan_gis.geo.crs import metric_crs_or_default, require_metric_crs, to_analysis_crs
from jinan_gis.geo.errors import CRSError
from jinan_gis.geo.network import build_network

UTM = "EPSG:32650"
GK = "EPSG:4548"


# ------------------------------------------------------------------ CRSs not in metres
def test_us_foot_crs_is_refused_naming_the_fix() -> None:
    line = gpd.GeoDataFrame(geometry=[LineString([(1_000_000, 200_000), (1_001_000, 200_000)])],
                            crs="EPSG:2263")
    with pytest.raises(CRSError, match=r"EPSG:2263.*US survey foot.*EPSG:4548.*EPSG:32650"):
        require_metric_crs(line)


def test_a_1000_ft_street_is_not_taken_for_1000_m() -> None:
    streets = gpd.GeoDataFrame(
        {"highway": ["residential"]},
        geometry=[LineString([(1_000_000, 200_000), (1_001_000, 200_000)])], crs="EPSG:2263")
    with pytest.raises(CRSError, match="US survey foot"):
        build_network(streets)
    # reprojected to a metric CRS (UTM 18N, New York), it measures what it is: ~304.8 m
    net = build_network(to_analysis_crs(streets, what="streets", crs="EPSG:32618"))
    assert net.crs == "EPSG:32618"
    assert net.edge_length.sum() == pytest.approx(304.8006, rel=1e-3)


def test_feet_are_not_an_analysis_crs() -> None:
    pts = gpd.GeoSeries([Point(500_000, 4_060_000)], crs=GK)
    with pytest.raises(CRSError, match="US survey foot"):
        to_analysis_crs(pts, crs="EPSG:2263")
    assert metric_crs_or_default(pts.to_crs("EPSG:2263")) == GK


# ------------------------------------------------------------------ to_analysis_crs
def test_layer_already_in_the_target_crs_is_returned_as_is() -> None:
    pts = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(500_000, 4_060_000)], crs=UTM)
    assert to_analysis_crs(pts, crs=UTM) is pts
    other = to_analysis_crs(pts)  # default: EPSG:4548, a new frame
    assert other is not pts and other.crs.to_epsg() == 4548 and pts.crs.to_epsg() == 32650


def test_crss_that_cannot_be_compared_are_refused_naming_both() -> None:
    local = ('LOCAL_CS["site grid",LOCAL_DATUM["site",0],UNIT["metre",1],'
             'AXIS["E",EAST],AXIS["N",NORTH]]')
    pts = gpd.GeoSeries([Point(10, 20)], crs=local)
    with pytest.raises(CRSError, match=r"site grid.*EPSG:32650.*cannot be compared"):
        to_analysis_crs(pts, what="facility layer", crs=UTM)
