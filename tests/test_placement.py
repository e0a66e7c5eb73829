"""Honest placement of people and facilities on the network: statuses, access legs, OSM node
identity, unplaced facilities in service areas.  Every case is small enough to check by hand,
and each defect test fails on the code before issue 12 part 2."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, box

from jinan_gis.analyses.coverage import (
    coverage,
    nearest_distances,
    place_population,
    placement_table,
)
from jinan_gis.geo.network import Network, build_network
from jinan_gis.geo.reach import count_within, nearest_source, reach_pairs
from jinan_gis.geo.service_area import service_areas
from jinan_gis.geo.snap import PLACED_STATUSES, SNAP_STATUSES, snap_points
from jinan_gis.layers.streets import load_streets

CRS = "EPSG:4548"


def island_net() -> Network:
    """Main street y=0 from x=0 to 400 (5 nodes, the largest piece); a 3-node island street at
    y=80 from x=100 to 300 (``min_component_nodes=4``)."""
    xy = [[0, 0], [100, 0], [200, 0], [300, 0], [400, 0], [100, 80], [200, 80], [300, 80]]
    return Network.from_arrays(xy, [0, 1, 2, 3, 5, 6], [1, 2, 3, 4, 6, 7],
                               min_component_nodes=4)


def test_statuses_by_hand() -> None:
    net = island_net()
    assert net.node_is_island.sum() == 3
    p = np.array([
        [50.0, 10.0],     # ok: 10 m from the main street
        [150.0, 60.0],    # moved: island 20 m away, main street 60 m away
        [200.0, 200.0],   # island: island 120 m away, main 200 m (> 150)
        [900.0, 900.0],   # beyond the snap limit
        [np.nan, 0.0],    # invalid geometry
    ])
    s = snap_points(net, p, max_snap_m=150)
    assert s.status.tolist() == ["ok", "moved", "island", "beyond_snap_limit", "invalid_geometry"]
    assert set(s.status) == set(SNAP_STATUSES) and PLACED_STATUSES == ("ok", "moved")
    assert s.placed.tolist() == s.ok.tolist() == [True, True, False, False, False]
    assert s.access_m[:2].tolist() == [10.0, 60.0]
    assert s.moved_m[:2].tolist() == [0.0, 40.0] and np.isnan(s.moved_m[2:]).all()
    np.testing.assert_allclose(s.nearest_m[:3], [10.0, 20.0, 120.0])
    assert np.isnan(s.nearest_m[3:]).all()
    assert s.edge[1] >= 0 and not net.edge_is_island[s.edge[1]]
    assert s.offset_m[1] == pytest.approx(50.0)  # x=150 on the edge 100 -> 200
    frame = s.to_frame()
    assert {"moved_m", "nearest_m"} <= set(frame.columns)
    sub = s.subset(np.array([1, 2]))
    assert sub.moved_m[0] == 40.0 and sub.status.tolist() == ["moved", "island"]


def test_moved_person_walks_the_extra_metres() -> None:
    """Old code: status 'ok' and 150 m (no access leg, no sign of the move)."""
    net = island_net()
    clinic = np.array([[0.0, 0.0]])
    person = np.array([[150.0, 60.0]])
    r = nearest_source(net, clinic, person, max_snap_m=150)
    assert r["status"].iloc[0] == "moved"
    assert r["dist_m"].iloc[0] == pytest.approx(150.0 + 60.0)  # includes the 60 m walk
    assert r["moved_m"].iloc[0] == pytest.approx(40.0)
    r0 = nearest_source(net, clinic, person, max_snap_m=150, count_access=False)
    assert r0["dist_m"].iloc[0] == pytest.approx(150.0)
    # a facility can be moved too: its leg counts from its side
    r2 = nearest_source(net, person, clinic, max_snap_m=150)
    assert r2["dist_m"].iloc[0] == pytest.approx(210.0)


def test_access_legs_on_and_off_everywhere() -> None:
    """Old code: every function left the legs out by default."""
    net = Network.from_arrays([[0, 0], [100, 0], [200, 0]], [0, 1], [1, 2])
    fac = np.array([[0.0, 7.0]])          # 7 m from its street
    people = np.array([[150.0, 3.0]])     # 3 m from its street
    assert nearest_source(net, fac, people)["dist_m"].iloc[0] == pytest.approx(160.0)
    assert nearest_source(net, fac, people, count_access=False)["dist_m"].iloc[0] == 150.0
    assert reach_pairs(net, fac, people, max_dist_m=200)["dist_m"].tolist() == [160.0]
    assert reach_pairs(net, fac, people, max_dist_m=155)["dist_m"].tolist() == []
    assert reach_pairs(net, fac, people, max_dist_m=155, count_access=False)[
        "dist_m"].tolist() == [150.0]
    assert count_within(net, fac, people, max_dist_m=155).tolist() == [0]
    assert count_within(net, fac, people, max_dist_m=155, count_access=False).tolist() == [1]
    # nodes: the facility's 7 m leg shortens its budget (node 1 at 100 + 7 m)
    assert count_within(net, fac, max_dist_m=105).tolist() == [1, 0, 0]
    assert count_within(net, fac, max_dist_m=105, count_access=False).tolist() == [1, 1, 0]
    assert nearest_source(net, fac)["dist_m"].tolist() == [7.0, 107.0, 207.0]
    # service areas: the leg is taken from the budget (100 - 7 = 93 m of street)
    sa = service_areas(net, fac, max_dist_m=[100], buffer_m=5)
    assert sa["street_m"].iloc[0] == pytest.approx(93.0)
    sa0 = service_areas(net, fac, max_dist_m=[100], buffer_m=5, count_access=False)
    assert sa0["street_m"].iloc[0] == pytest.approx(100.0)


def test_coverage_tables_report_moved_people_and_their_metres() -> None:
    net = island_net()
    people = gpd.GeoDataFrame(
        {"population": [10.0, 20.0, 30.0, 40.0]},
        geometry=[Point(50, 10), Point(150, 60), Point(200, 200), Point(390, 5)], crs=CRS)
    clinics = gpd.GeoDataFrame({"category": ["chc"]}, geometry=[Point(0, 0)], crs=CRS)
    placed = place_population(net, people, max_snap_m=150)
    d = nearest_distances(net, clinics, placed, max_dist_m=1000, max_snap_m=150)
    assert list(d.columns) == ["dist_network_m", "dist_straight_m", "facility", "status",
                               "access_m", "moved_m"]
    assert d["status"].tolist() == ["ok", "moved", "island", "ok"]
    np.testing.assert_allclose(d["dist_network_m"].to_numpy()[[0, 1, 3]], [60, 210, 395])
    assert np.isnan(d["dist_network_m"].iloc[2])
    assert d["moved_m"].iloc[1] == 40.0
    # within 200 m: the moved person is 210 m away, so not covered (the old code said 150 m)
    t = coverage(net, clinics, placed, max_dist_m=200, max_snap_m=150)
    row = t.iloc[0]
    assert row["covered_network"] == 10.0
    assert row["moved"] == 20.0 and row["share_moved"] == pytest.approx(0.2)
    assert row["not_placed"] == 30.0
    cols = list(t.columns)
    assert cols.index("moved") == cols.index("share_not_placed") + 1
    assert coverage(net, clinics, placed, max_dist_m=210, max_snap_m=150).iloc[0][
        "covered_network"] == 30.0
    t0 = coverage(net, clinics, people, max_dist_m=150, max_snap_m=150, count_access=False)
    assert t0.iloc[0]["covered_network"] == 30.0
    pt = placement_table(placed)
    assert pt["status"].tolist() == ["ok", "moved", "island", "ok"]
    assert pt["placed"].tolist() == [True, True, False, True]
    np.testing.assert_allclose(pt["access_m"].to_numpy()[[0, 1, 3]], [10, 60, 5])
    assert pt["access_counted"].all()


def test_service_areas_with_an_unplaced_facility_not_last() -> None:
    """Old code: ValueError 'Index ... is missing from the input indices'."""
    sa = service_areas(Network.from_arrays([[0, 0], [1000, 0]], [0], [1]),
                       np.array([[0.0, 0], [500, 5000], [1000, 0]]), max_dist_m=[300])
    assert sa["source"].tolist() == [0, 1, 2]
    assert sa["street_m"].tolist() == pytest.approx([300.0, 0.0, 300.0])
    assert sa.geometry.is_empty.tolist() == [False, True, False]
    sa2 = service_areas(Network.from_arrays([[0, 0], [1000, 0]], [0], [1]),
                        np.array([[500, 5000], [0.0, 0], [500, 5000], [1000, 0]]),
                        max_dist_m=[100, 300], dissolve=True)
    assert sa2["street_m"].tolist() == pytest.approx([200.0, 600.0])


# ------------------------------------------------------------------ OSM node identity
LON0, LAT0 = 117.0, 36.65
D = 0.001


def _tunnel_osm(path: Path) -> Path:
    """A street west-east through nodes 1-2-3, and a tunnel footway south-north through
    4-5-6, where node 5 has exactly the coordinates of node 2 (no shared node)."""
    nodes = {1: (LON0 - D, LAT0), 2: (LON0, LAT0), 3: (LON0 + D, LAT0),
             4: (LON0, LAT0 - D), 5: (LON0, LAT0), 6: (LON0, LAT0 + D)}
    xml = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6">']
    xml += [f'<node id="{n}" lat="{lat}" lon="{lon}"/>' for n, (lon, lat) in nodes.items()]
    xml += ['<way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/>'
            '<tag k="highway" v="residential"/></way>',
            '<way id="20"><nd ref="4"/><nd ref="5"/><nd ref="6"/>'
            '<tag k="highway" v="footway"/><tag k="tunnel" v="yes"/><tag k="layer" v="-1"/>'
            '</way>', "</osm>"]
    path.write_text("\n".join(xml), encoding="utf-8")
    return path


def test_tunnel_under_a_street_at_the_same_coordinates_is_not_joined(tmp_path: Path) -> None:
    """Old code: the network fused nodes 2 and 5 by coordinates (a 4-way junction)."""
    area = gpd.GeoSeries([box(LON0 - 2 * D, LAT0 - 2 * D, LON0 + 2 * D, LAT0 + 2 * D)],
                         crs="EPSG:4326")
    res = load_streets(area, source="osm-file", path=_tunnel_osm(tmp_path / "t.osm"),
                       mode="walk", buffer_m=0)
    layer = res.layer
    assert len(layer) == 2  # neither way is split: they share no node
    assert sorted(zip(layer.u_osm, layer.v_osm, strict=True)) == [(1, 3), (4, 6)]
    net = build_network(layer, min_component_nodes=1)
    assert (net.n_nodes, net.n_edges, net.n_components) == (4, 2, 2)
    west = layer.geometry.iloc[0].coords[0]
    north = layer.geometry[layer.osm_id == 20].iloc[0].coords[-1]
    r = nearest_source(net, np.array([west]), np.array([north]), max_snap_m=5)
    assert np.isinf(r["dist_m"].iloc[0])
    # without the ids (a plain coordinate layer) the two would be joined, as before
    fused = build_network(layer.drop(columns=["u_osm", "v_osm"]), min_component_nodes=1)
    assert (fused.n_nodes, fused.n_edges, fused.n_components) == (5, 4, 1)
