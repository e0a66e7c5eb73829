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


# ------------------------------------------------------------------ UTM 50N end to end
def _to(inputs, crs: str):
    from dataclasses import replace

    layers = {n: getattr(inputs, n) for n in ("districts", "streets", "facilities",
                                                "population", "zones", "old_town")}
    return replace(inputs, **{n: g.to_crs(crs) for n, g in layers.items() if g is not None})


@pytest.fixture(scope="module")
def sample_inputs():
    from jinan_gis.analyses.inputs import inputs_from_sample

    return inputs_from_sample(scale=0.1)


def test_coverage_in_utm_gives_the_answer_of_epsg_4548(sample_inputs) -> None:
    from jinan_gis.analyses.coverage import coverage

    answers = {}
    for crs in (GK, UTM):
        inp = sample_inputs if crs == GK else _to(sample_inputs, UTM)
        net = build_network(inp.streets)
        assert net.crs == crs
        t = coverage(net, inp.facilities, inp.population, max_dist_m=1000,
                     categories="clinic", by="district_code")
        answers[crs] = t
        # a layer in another CRS than the network's is reprojected to it, not refused
        mixed = coverage(net, inp.facilities.to_crs("EPSG:4326"), inp.population,
                         max_dist_m=1000, categories="clinic", by="district_code")
        assert mixed["share_network"].to_numpy() == pytest.approx(
            t["share_network"].to_numpy(), abs=1e-9)
    gk, utm = answers[GK], answers[UTM]
    assert utm["population"].tolist() == gk["population"].tolist()
    assert utm["share_network"].to_numpy() == pytest.approx(gk["share_network"].to_numpy(),
                                                            abs=0.005)
    assert utm["share_straight"].to_numpy() == pytest.approx(gk["share_straight"].to_numpy(),
                                                             abs=0.005)


def test_evaluate_in_utm_gives_the_answer_of_epsg_4548(sample_inputs) -> None:
    from jinan_gis.analyses.report import evaluate

    gk = evaluate(sample_inputs, progress=False)
    utm = evaluate(_to(sample_inputs, UTM), progress=False)
    for name in ("gaps", "service_areas", "coverage_grid"):
        assert utm.places[name].crs.to_epsg() == 32650, name
        assert gk.places[name].crs.to_epsg() == 4548, name
    a = gk.metrics.set_index(["metric_id", "district"])
    b = utm.metrics.set_index(["metric_id", "district"])
    assert a["status"].tolist() == b["status"].tolist()
    both = a["value"].notna()
    assert b["value"].notna().tolist() == both.tolist()
    assert b.loc[both, "value"].to_numpy() == pytest.approx(a.loc[both, "value"].to_numpy(),
                                                            rel=0.005, abs=0.005)
    assert utm.places["coverage_grid"].total_bounds == pytest.approx(
        gk.places["coverage_grid"].to_crs(UTM).total_bounds, abs=600)


def test_workflow_runs_in_the_streets_crs(sample_inputs) -> None:
    """The CLI's workflow (coverage and sites) works in the streets' metric CRS too: the
    answer in UTM 50N equals the EPSG:4548 one (projections differ slightly)."""
    from jinan_gis.analyses.workflow import run_coverage, run_sites, street_network

    utm_inputs = _to(sample_inputs, UTM)
    assert street_network(utm_inputs.streets).crs == UTM
    assert street_network(utm_inputs.streets.to_crs("EPSG:4326")).crs == GK
    a = run_coverage(sample_inputs, categories=["clinic"], max_dist_m=1000).table
    b = run_coverage(utm_inputs, categories=["clinic"], max_dist_m=1000).table
    assert b["share_network"].to_numpy() == pytest.approx(a["share_network"].to_numpy(),
                                                          abs=0.005)
    sa = run_sites(sample_inputs, categories=["clinic"], k=2, max_dist_m=1000)
    sb = run_sites(utm_inputs, categories=["clinic"], k=2, max_dist_m=1000)
    assert sb.network.crs == UTM
    added_a = sa.result.sites["gain_people"].sum()
    added_b = sb.result.sites["gain_people"].sum()
    assert added_b == pytest.approx(added_a, rel=0.02)
