"""Network engine: hand-checkable tiny graphs, and NetworkX as an independent reference."""

from __future__ import annotations

import itertools

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point

from jinan_gis.geo.errors import CRSError, NetworkError, SnapError
from jinan_gis.geo.network import Network, build_network
from jinan_gis.geo.reach import (
    count_within,
    metres_to_minutes,
    minutes_to_metres,
    nearest_source,
    reach_pairs,
)
from jinan_gis.geo.service_area import service_areas
from jinan_gis.geo.snap import snap_points
from jinan_gis.geo.synthetic import street_grid

CRS = "EPSG:4548"


def lines(*coords: list[tuple[float, float]], **cols: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=[LineString(c) for c in coords], crs=CRS)


def pts(*xy: tuple[float, float]) -> gpd.GeoSeries:
    return gpd.GeoSeries([Point(p) for p in xy], crs=CRS)


# --------------------------------------------------------------------------- building
def test_t_junction_is_noded_at_the_shared_vertex() -> None:
    net = build_network(lines([(0, 0), (100, 0), (200, 0)], [(100, 0), (100, 50)]))
    assert (net.n_nodes, net.n_edges) == (4, 3)
    assert sorted(net.edge_length.tolist()) == [50.0, 100.0, 100.0]


def test_crossing_without_shared_vertex_is_a_bridge_not_a_junction() -> None:
    net = build_network(lines([(0, 0), (100, 0)], [(50, -50), (50, 50)]), min_component_nodes=1)
    assert (net.n_nodes, net.n_edges) == (4, 2)
    d = nearest_source(net, pts((0, 0)), pts((50, 40)), max_snap_m=20)
    # from (0,0) there is no way onto the other street
    assert np.isinf(d["dist_m"].iloc[0])


def test_curved_edge_length_comes_from_the_geometry() -> None:
    net = build_network(lines([(0, 0), (30, 40), (60, 0)]))
    assert net.n_edges == 1
    assert net.edge_length[0] == pytest.approx(100.0)


def test_mode_column_filters_lines() -> None:
    streets = lines(
        [(0, 0), (100, 0)], [(100, 0), (200, 0)], walk=[True, True], drive=[True, False]
    )
    assert build_network(streets, mode="walk").n_edges == 2
    assert build_network(streets, mode="drive").n_edges == 1


def test_network_needs_a_metric_crs() -> None:
    streets = lines([(0, 0), (1, 1)]).set_crs("EPSG:4326", allow_override=True)
    with pytest.raises(CRSError, match="metric CRS"):
        build_network(streets)


def test_no_line_for_the_mode_raises() -> None:
    with pytest.raises(NetworkError, match="no street line is open to mode 'drive'"):
        build_network(lines([(0, 0), (10, 0)], drive=[False]), mode="drive")


def test_input_not_mutated() -> None:
    streets = lines([(0, 0), (100, 0), (200, 0)], [(100, 0), (100, 50)], oneway=[True, False])
    before = streets.copy()
    build_network(streets, mode="drive")
    assert streets.equals(before)


# --------------------------------------------------------------------------- snapping
def test_point_mid_edge_joins_the_edge_not_the_node() -> None:
    # clinic at the west end; person beside the middle of a 200 m street, 10 m off it
    net = Network.from_arrays([[0, 0], [200, 0]], [0], [1])
    s = snap_points(net, np.array([[120.0, 10.0]]))
    assert s.edge[0] == 0 and s.offset_m[0] == pytest.approx(120.0)
    assert s.access_m[0] == pytest.approx(10.0)
    r = nearest_source(net, np.array([[0.0, 0.0]]), np.array([[120.0, 10.0]]),
                       count_access=False)
    assert r["dist_m"].iloc[0] == pytest.approx(120.0)
    r = nearest_source(net, np.array([[0.0, 0.0]]), np.array([[120.0, 10.0]]))  # default
    assert r["dist_m"].iloc[0] == pytest.approx(130.0)


def test_two_points_on_one_edge_get_their_distance_along_it() -> None:
    # edge of 1000 m; clinic at 400 m, person at 460 m: 60 m, not 400 + 540 via the ends
    net = Network.from_arrays([[0, 0], [1000, 0], [1000, 500]], [0, 1], [1, 2])
    r = nearest_source(net, np.array([[400.0, 1.0]]), np.array([[460.0, -1.0]]),
                       count_access=False)
    assert r["dist_m"].iloc[0] == pytest.approx(60.0)
    pairs = reach_pairs(net, np.array([[400.0, 1.0]]), np.array([[460.0, -1.0]]), max_dist_m=100,
                        count_access=False)
    assert pairs["dist_m"].tolist() == pytest.approx([60.0])


def test_one_way_street_only_in_its_direction() -> None:
    # one-way from x=0 to x=100; a two-way detour 0 -> (0,100) -> (100,100) -> 100 of 300 m
    xy = [[0, 0], [100, 0], [0, 100], [100, 100]]
    net = Network.from_arrays(xy, [0, 0, 2, 3], [1, 2, 3, 1], oneway=[True, False, False, False],
                              mode="drive")
    there = nearest_source(net, np.array([[0.0, 0.0]]), np.array([[100.0, 0.0]]))
    back = nearest_source(net, np.array([[100.0, 0.0]]), np.array([[0.0, 0.0]]))
    assert there["dist_m"].iloc[0] == pytest.approx(100.0)
    assert back["dist_m"].iloc[0] == pytest.approx(300.0)
    # on the one-way edge itself: from 30 m to 70 m is allowed, 70 -> 30 is not directly
    fwd = nearest_source(net, np.array([[30.0, 0.0]]), np.array([[70.0, 0.0]]))
    bwd = nearest_source(net, np.array([[70.0, 0.0]]), np.array([[30.0, 0.0]]))
    assert fwd["dist_m"].iloc[0] == pytest.approx(40.0)
    assert bwd["dist_m"].iloc[0] == pytest.approx(30 + 300 + 30)
    # walking ignores one-way
    walk = Network.from_arrays(xy, [0, 0, 2, 3], [1, 2, 3, 1], oneway=[True, False, False, False])
    assert nearest_source(walk, np.array([[70.0, 0.0]]), np.array([[30.0, 0.0]]))[
        "dist_m"
    ].iloc[0] == pytest.approx(40.0)


def test_island_points_are_flagged_not_dropped() -> None:
    g = street_grid(12, 12, drop_share=0.0, seed=0)  # 144 nodes: the main network
    island_xy = np.array([[0, 0], [60, 0]]) + g.node_xy.max(axis=0) + 500
    xy = np.vstack([g.node_xy, island_xy])
    n = len(g.node_xy)
    net = Network.from_arrays(
        xy, np.append(g.edge_u, n), np.append(g.edge_v, n + 1), min_component_nodes=10
    )
    assert net.node_is_island.sum() == 2
    people = np.vstack([island_xy.mean(axis=0) + np.array([0, 5]), g.node_xy[5] + [3, 0]])
    s = snap_points(net, people, max_snap_m=100)
    assert s.status.tolist() == ["island", "ok"]
    r = nearest_source(net, g.node_xy[[0]], s)
    assert len(r) == 2
    assert r["status"].tolist() == ["island", "ok"]
    assert np.isnan(r["dist_m"].iloc[0])  # not placed: unknown, not "too far"
    c = count_within(net, g.node_xy[[0]], s, max_dist_m=10_000)
    assert c.isna().tolist() == [True, False]


def test_point_beyond_the_snap_limit_is_flagged() -> None:
    net = Network.from_arrays([[0, 0], [100, 0]], [0], [1])
    s = snap_points(net, pts((50, 30), (50, 300), (np.nan, 1.0)), max_snap_m=50)
    assert s.status.tolist() == ["ok", "beyond_snap_limit", "invalid_geometry"]
    assert s.counts() == {"beyond_snap_limit": 1, "invalid_geometry": 1, "ok": 1}


def test_snap_refuses_points_in_another_crs() -> None:
    net = Network.from_arrays([[0, 0], [100, 0]], [0], [1])
    with pytest.raises(CRSError, match="reproject"):
        snap_points(net, gpd.GeoSeries([Point(117, 36.6)], crs="EPSG:4326"))
    with pytest.raises(SnapError, match="max_snap_m"):
        snap_points(net, np.array([[0.0, 0.0]]), max_snap_m=-1)


def test_snapping_matches_shapely_nearest_exactly() -> None:
    g = street_grid(40, 40, seed=4)
    net = Network.from_arrays(g.node_xy, g.edge_u, g.edge_v, min_component_nodes=1)
    rng = np.random.default_rng(1)
    p = rng.uniform(g.node_xy.min(0) - 100, g.node_xy.max(0) + 100, size=(3000, 2))
    s = snap_points(net, p, max_snap_m=80)
    geoms = shapely.points(p)
    d_ref = shapely.distance(geoms[:, None], net.edge_geometry[None, :]).min(axis=1)
    hit = s.ok
    assert np.allclose(s.access_m[hit], d_ref[hit], atol=1e-9)
    assert np.all(d_ref[~hit] > 80 - 1e-9)
    assert np.all(d_ref[hit] <= 80 + 1e-9)


# --------------------------------------------------------------------------- reach
def test_count_within_on_a_path_by_hand() -> None:
    # 0 ---100--- 1 ---100--- 2 ---100--- 3 ; clinics at 0 and at 250 m
    net = Network.from_arrays([[0, 0], [100, 0], [200, 0], [300, 0]], [0, 1, 2], [1, 2, 3])
    clinics = np.array([[0.0, 0.0], [250.0, 0.0]])
    assert count_within(net, clinics, max_dist_m=100).tolist() == [1, 1, 1, 1]
    assert count_within(net, clinics, max_dist_m=150).tolist() == [1, 2, 1, 1]
    people = np.array([[120.0, 0.0], [180.0, 0.0]])
    # person at 120: clinic 0 at 120, clinic 1 at 130 -> both within 130
    assert count_within(net, clinics, people, max_dist_m=130).tolist() == [2, 1]
    r = nearest_source(net, clinics, people)
    assert r["dist_m"].tolist() == pytest.approx([120.0, 70.0])
    assert r["source"].tolist() == [0, 1]


def test_max_dist_bounds_the_answer() -> None:
    net = Network.from_arrays([[0, 0], [100, 0], [200, 0]], [0, 1], [1, 2])
    r = nearest_source(net, np.array([[0.0, 0.0]]), max_dist_m=150)
    assert r["dist_m"].tolist() == [0.0, 100.0, np.inf]
    assert r["source"].tolist() == [0, 0, -1]


def test_minutes_and_metres() -> None:
    assert minutes_to_metres(15) == pytest.approx(1000.0)
    assert minutes_to_metres(30, speed_kmh=4.0) == pytest.approx(2000.0)
    assert metres_to_minutes(1000.0) == pytest.approx(15.0)
    with pytest.raises(NetworkError, match="speed_kmh"):
        minutes_to_metres(15, speed_kmh=0)


# --------------------------------------------------------------------------- service areas
def test_service_area_street_length_by_hand() -> None:
    # a + shape: 4 arms of 200 m around the centre node; clinic at the centre
    xy = [[0, 0], [200, 0], [-200, 0], [0, 200], [0, -200]]
    net = Network.from_arrays(xy, [0, 0, 0, 0], [1, 2, 3, 4])
    sa = service_areas(net, np.array([[0.0, 0.0]]), max_dist_m=[50, 150, 500], buffer_m=5)
    assert sa["street_m"].tolist() == pytest.approx([200.0, 600.0, 800.0])


def test_service_areas_nest_and_are_not_convex_hulls() -> None:
    g = street_grid(30, 30, seed=7)
    net = Network.from_arrays(g.node_xy, g.edge_u, g.edge_v)
    src = g.node_xy[[100, 455, 800]]
    sa = service_areas(net, src, max_dist_m=[300, 500, 1000], buffer_m=20)
    geom = sa.set_index(["source", "max_dist_m"]).geometry
    for s in range(3):
        assert geom[(s, 300.0)].difference(geom[(s, 500.0)]).area < 1.0
        assert geom[(s, 500.0)].difference(geom[(s, 1000.0)]).area < 1.0
        hull = geom[(s, 1000.0)].convex_hull.area
        assert geom[(s, 1000.0)].area < 0.95 * hull
    # every reached node lies inside its polygon; a node beyond reach lies outside
    r = nearest_source(net, src[[0]])
    inside = shapely.contains_xy(geom[(0, 500.0)], *net.node_xy.T)
    assert inside[(r["dist_m"] <= 500).to_numpy()].all()
    assert not inside[(r["dist_m"] > 700).to_numpy()].any()
    diss = service_areas(net, src, max_dist_m=[500], buffer_m=20, dissolve=True)
    union = shapely.union_all(list(geom.xs(500.0, level="max_dist_m")))
    assert abs(diss.area_m2.iloc[0] - union.area) / union.area < 0.01


def test_partial_edge_is_cut_exactly() -> None:
    net = Network.from_arrays([[0, 0], [1000, 0]], [0], [1])
    sa = service_areas(net, np.array([[100.0, 0.0]]), max_dist_m=300, buffer_m=10)
    minx, _, maxx, _ = sa.geometry.iloc[0].bounds
    assert minx == pytest.approx(-10.0, abs=1e-6)
    assert maxx == pytest.approx(410.0, abs=1e-6)


# --------------------------------------------------------------------------- NetworkX
def _nx_reference(net: Network, src, tgt) -> np.ndarray:
    """Insert snapped points as nodes into a NetworkX graph (edges split) and run Dijkstra."""
    G = nx.DiGraph()
    on_edge: dict[int, list[tuple[float, str]]] = {}
    for i in np.flatnonzero(src.ok):
        on_edge.setdefault(int(src.edge[i]), []).append((float(src.offset_m[i]), f"s{i}"))
    for i in np.flatnonzero(tgt.ok):
        on_edge.setdefault(int(tgt.edge[i]), []).append((float(tgt.offset_m[i]), f"t{i}"))
    for e in range(net.n_edges):
        u, v, length = int(net.edge_u[e]), int(net.edge_v[e]), float(net.edge_length[e])
        chain = [(0.0, u), *sorted(on_edge.get(e, [])), (length, v)]
        for (a, na), (b, nb) in itertools.pairwise(chain):
            for x, y, fwd in ((na, nb, True), (nb, na, False)):
                if (fwd and net.edge_fwd[e]) or (not fwd and net.edge_bwd[e]):
                    w = b - a
                    if not G.has_edge(x, y) or G[x][y]["w"] > w:
                        G.add_edge(x, y, w=w)
    sources = {f"s{i}" for i in np.flatnonzero(src.ok)}
    d = nx.multi_source_dijkstra_path_length(G, sources, weight="w") if sources else {}
    return np.array([d.get(f"t{i}", np.inf) if tgt.ok[i] else np.nan for i in range(len(tgt))])


@st.composite
def random_networks(draw):
    n = draw(st.integers(3, 14))
    xy = np.array(draw(st.lists(st.tuples(st.integers(0, 500), st.integers(0, 500)),
                                min_size=n, max_size=n, unique=True)), dtype=float)
    m = draw(st.integers(2, 25))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
                          min_size=m, max_size=m))
    pairs = [(a, b) for a, b in pairs if a != b] or [(0, 1)]
    oneway = draw(st.lists(st.booleans(), min_size=len(pairs), max_size=len(pairs)))
    extra = draw(st.lists(st.floats(1.0, 1.5), min_size=len(pairs), max_size=len(pairs)))
    mode = draw(st.sampled_from(["walk", "drive"]))
    u, v = np.array(pairs).T
    straight = np.hypot(*(xy[v] - xy[u]).T)
    net = Network.from_arrays(xy, u, v, edge_length=straight * np.array(extra), oneway=oneway,
                              mode=mode, min_component_nodes=1)
    k_src = draw(st.integers(1, 4))
    k_tgt = draw(st.integers(1, 12))
    coords = st.tuples(st.floats(-20, 520), st.floats(-20, 520))
    s_xy = np.array(draw(st.lists(coords, min_size=k_src, max_size=k_src)))
    t_xy = np.array(draw(st.lists(coords, min_size=k_tgt, max_size=k_tgt)))
    return net, s_xy, t_xy


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_networks(), st.sampled_from([np.inf, 150.0, 400.0]))
def test_nearest_and_counts_agree_with_networkx(case, max_dist_m) -> None:
    net, s_xy, t_xy = case
    src = snap_points(net, s_xy, max_snap_m=1000)
    tgt = snap_points(net, t_xy, max_snap_m=1000)
    ref = _nx_reference(net, src, tgt)
    ref_b = np.where(ref > max_dist_m, np.inf, ref)
    got = nearest_source(net, src, tgt, max_dist_m=max_dist_m,
                         count_access=False)["dist_m"].to_numpy()
    assert np.array_equal(np.isinf(got), np.isinf(ref_b))
    fin = np.isfinite(ref_b)
    assert np.allclose(got[fin], ref_b[fin], atol=1e-6)
    if np.isfinite(max_dist_m):
        # counts: per source, NetworkX single-source distances
        want = np.zeros(len(tgt), dtype=int)
        for i in np.flatnonzero(src.ok):
            one = src.subset(np.array([i]))
            d = _nx_reference(net, one, tgt)
            want += (d <= max_dist_m + 1e-9).astype(int)
        got_c = count_within(net, src, tgt, max_dist_m=max_dist_m,
                             count_access=False).to_numpy(dtype=float)
        near_edge = np.zeros(len(tgt), dtype=bool)
        for i in np.flatnonzero(src.ok):
            d = _nx_reference(net, src.subset(np.array([i])), tgt)
            near_edge |= np.abs(d - max_dist_m) < 1e-6
        sel = tgt.ok & ~near_edge
        assert np.array_equal(got_c[sel], want[sel])


# --------------------------------------------------------------------------- no work twice
def test_a_nearest_tree_answers_like_a_fresh_search() -> None:
    from jinan_gis.geo.reach import nearest_tree

    g = street_grid(8, 8, spacing_m=100.0, seed=1)
    net = Network.from_arrays(g.node_xy, g.edge_u, g.edge_v)
    rng = np.random.default_rng(3)
    lo, hi = net.node_xy.min(axis=0), net.node_xy.max(axis=0)
    fac = rng.uniform(lo, hi, size=(4, 2))
    people = rng.uniform(lo, hi, size=(60, 2))
    tree = nearest_tree(net, fac, max_dist_m=900.0)
    for limit in (300.0, 600.0, 900.0):
        fresh = nearest_source(net, fac, people, max_dist_m=limit)
        reused = nearest_source(net, tree, people, max_dist_m=limit)
        np.testing.assert_array_equal(reused["dist_m"].to_numpy(), fresh["dist_m"].to_numpy())
        assert (nearest_source(net, tree, max_dist_m=limit)["dist_m"].to_numpy()
                == nearest_source(net, fac, max_dist_m=limit)["dist_m"].to_numpy()).all()
    with pytest.raises(NetworkError, match="searched 900 m, less than the 1000 m"):
        nearest_source(net, tree, people, max_dist_m=1000.0)
    with pytest.raises(NetworkError, match="count_access"):
        nearest_source(net, tree, people, max_dist_m=500.0, count_access=False)


def test_count_within_snaps_its_targets_once(monkeypatch) -> None:
    import jinan_gis.geo.reach as reach

    net = Network.from_arrays([[0, 0], [100, 0], [200, 0], [300, 0]], [0, 1, 2], [1, 2, 3])
    calls: list[int] = []
    real = reach.snap_points

    def counting(network, points, **kw):
        calls.append(len(points))
        return real(network, points, **kw)

    monkeypatch.setattr(reach, "snap_points", counting)
    people = np.array([[120.0, 0.0], [180.0, 0.0]])
    got = count_within(net, np.array([[0.0, 0.0], [200.0, 0.0]]), people, max_dist_m=130)
    assert got.tolist() == [2, 1]
    assert calls == [2, 2]  # the sources once, the targets once
