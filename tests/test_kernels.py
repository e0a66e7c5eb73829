"""Search kernels (geo/_kernels.py), the packed node keys and the lean snapping index.

Hand-checkable graphs for each kernel with both queues (binary heap, and the bucket queue where
its rule allows it), then random graphs against scipy's Dijkstra: distances to 1e-6 m and
equal counts and node sets.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import LineString

from jinan_gis.geo import _kernels as K
from jinan_gis.geo.network import Network, build_network
from jinan_gis.geo.reach import count_within, nearest_source, source_searches
from jinan_gis.geo.snap import snap_points
from jinan_gis.geo.street_nodes import unique_rows
from jinan_gis.geo.synthetic import street_grid

INF = np.inf


def graph(n: int, arcs: list[tuple[int, int, float]], *, both: bool = True):
    """CSR arrays (kernel form) of arcs (u, v, length); ``both`` adds v -> u."""
    u = [a for a, _, _ in arcs] + ([b for _, b, _ in arcs] if both else [])
    v = [b for _, b, _ in arcs] + ([a for a, _, _ in arcs] if both else [])
    w = [c for _, _, c in arcs] * (2 if both else 1)
    u, v, w = np.array(u, dtype=np.int64), np.array(v, dtype=np.int64), np.array(w, float)
    order = np.argsort(u, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(u, minlength=n), out=indptr[1:])
    ip, head = K.kernel_csr(indptr, v[order])
    return ip, head, w[order]


def queues(weight: np.ndarray) -> list[tuple[float, int]]:
    """(width, mask) of the heap, plus the bucket queue when its rule allows it."""
    out = [(0.0, 0)]
    kind, width = K.choose_queue(weight)
    if kind == "bucket":
        out.append((width, K._ring_mask(weight, width)))
    return out


def nearest(g, seeds: list[tuple[int, float, int]], max_dist=INF, q=(0.0, 0)):
    ip, head, w = g
    seeds = sorted(seeds, key=lambda s: s[1])
    node = np.array([s[0] for s in seeds], dtype=head.dtype)
    dist = np.array([s[1] for s in seeds], float)
    lab = np.array([s[2] for s in seeds], dtype=np.int64)
    return K.nearest(ip, head, w, node, dist, lab, float(max_dist), *q)


def searches(g, seeds: list[list[tuple[int, float]]], max_dist: float, q=(0.0, 0)):
    """(counts, (ptr, node, dist)) of one bounded search per seed list."""
    ip, head, w = g
    ptr = np.cumsum([0] + [len(s) for s in seeds]).astype(np.int64)
    node = np.array([n for s in seeds for n, _ in s], dtype=head.dtype)
    dist = np.array([d for s in seeds for _, d in s], float)
    node, dist = K.sort_seeds(ptr, node, dist)
    counts = K.count_nodes(ip, head, w, ptr, node, dist, float(max_dist), *q, 0, len(seeds))
    sets = K.node_sets(ip, head, w, ptr, node, dist, float(max_dist), *q, 0, len(seeds))
    return counts, sets


# --------------------------------------------------------------------------- queue rule
def test_queue_rule_bucket_for_even_lengths_heap_for_centimetre_edges() -> None:
    assert K.choose_queue(np.array([80.0, 100.0, 95.0]))[0] == "bucket"
    width = K.choose_queue(np.array([80.0, 100.0]))[1]
    assert 80.0 * (1 - 1e-8) < width < 80.0  # just below the shortest arc
    assert K.choose_queue(np.array([0.01, 100.0, 95.0])) == ("heap", 0.0)  # real OSM
    assert K.choose_queue(np.array([0.0, 100.0])) == ("heap", 0.0)  # zero-length arc
    assert K.choose_queue(np.array([1.0, 1e6])) == ("heap", 0.0)  # ring too long
    assert K.choose_queue(np.empty(0)) == ("heap", 0.0)


def test_network_says_which_queue_it_uses() -> None:
    g = street_grid(12, 12, seed=1)
    assert Network.from_arrays(g.node_xy, g.edge_u, g.edge_v).search_queue()[0] == "bucket"
    xy = [[0, 0], [0.02, 0], [100, 0]]
    assert Network.from_arrays(xy, [0, 1], [1, 2]).search_queue()[0] == "heap"


# --------------------------------------------------------------------------- tiny graphs
# a path 0 -100- 1 -100- 2 -100- 3, and node 4 on its own
PATH = [(0, 1, 100.0), (1, 2, 100.0), (2, 3, 100.0)]


@pytest.mark.parametrize("qi", [0, 1])
def test_nearest_on_a_path_with_an_unreachable_node(qi: int) -> None:
    g = graph(5, PATH)
    q = queues(g[2])[qi]
    d, lab = nearest(g, [(0, 0.0, 7), (3, 0.0, 9)], q=q)
    assert d.tolist() == [0.0, 100.0, 100.0, 0.0, INF]
    assert lab.tolist() == [7, 7, 9, 9, -1]
    d, lab = nearest(g, [(0, 0.0, 7), (3, 0.0, 9)], max_dist=99.0, q=q)
    assert d.tolist() == [0.0, INF, INF, 0.0, INF] and lab.tolist() == [7, -1, -1, 9, -1]


@pytest.mark.parametrize("qi", [0, 1])
def test_nearest_from_partial_edges_and_a_tie(qi: int) -> None:
    # a facility 30 m along edge 0-1 seeds 0 at 30 and 1 at 70; another sits on node 3
    g = graph(5, PATH)
    q = queues(g[2])[qi]
    d, lab = nearest(g, [(0, 30.0, 0), (1, 70.0, 0), (3, 0.0, 1)], q=q)
    assert d.tolist() == [30.0, 70.0, 100.0, 0.0, INF]
    assert lab.tolist() == [0, 0, 1, 1, -1]
    # node 2 is 100 m from a facility on node 1 and 100 m from one on node 3: a tie
    d, lab = nearest(g, [(1, 0.0, 0), (3, 0.0, 1)], q=q)
    assert d[2] == 100.0 and lab[2] in (0, 1)


@pytest.mark.parametrize("qi", [0, 1])
def test_counts_and_node_sets_on_a_path(qi: int) -> None:
    g = graph(5, PATH)
    q = queues(g[2])[qi]
    counts, (ptr, node, dist) = searches(g, [[(0, 0.0)], [(3, 0.0)], [(1, 30.0), (2, 70.0)]],
                                         150.0, q)
    # search 0 reaches 0, 1; search 1 reaches 3, 2; search 2 (30 m along edge 1-2) reaches
    # 1, 2 and 0 (130 m), not 3 (170 m)
    assert counts.tolist() == [2, 2, 2, 1, 0]
    got = [sorted(zip(node[a:b].tolist(), dist[a:b].tolist(), strict=True))
           for a, b in itertools.pairwise(ptr)]
    assert got == [[(0, 0.0), (1, 100.0)], [(2, 100.0), (3, 0.0)],
                   [(0, 130.0), (1, 30.0), (2, 70.0)]]


def test_seed_beyond_the_bound_and_search_without_seeds() -> None:
    g = graph(5, PATH)
    for q in queues(g[2]):
        counts, (ptr, node, _) = searches(g, [[(0, 200.0)], [], [(4, 0.0)]], 150.0, q)
        assert counts.tolist() == [0, 0, 0, 0, 1]
        assert ptr.tolist() == [0, 0, 0, 1] and node.tolist() == [4]


def test_zero_length_edges_are_crossed_for_free() -> None:
    # 0 -0- 1 -50- 2 -0- 3: the heap (the bucket rule refuses zero-length arcs)
    g = graph(4, [(0, 1, 0.0), (1, 2, 50.0), (2, 3, 0.0)])
    assert queues(g[2]) == [(0.0, 0)]
    d, lab = nearest(g, [(0, 0.0, 0)])
    assert d.tolist() == [0.0, 0.0, 50.0, 50.0] and lab.tolist() == [0, 0, 0, 0]
    counts, _ = searches(g, [[(3, 0.0)]], 10.0)
    assert counts.tolist() == [0, 0, 1, 1]


@pytest.mark.parametrize("qi", [0, 1])
def test_one_way_arcs(qi: int) -> None:
    # 0 -> 1 one way (100 m); back from 1 to 0 only round 1 -> 2 -> 0 (2 x 150 m)
    g = graph(3, [(0, 1, 100.0), (1, 2, 150.0), (2, 0, 150.0)], both=False)
    q = queues(g[2])[qi]
    d, _ = nearest(g, [(1, 0.0, 0)], q=q)
    assert d.tolist() == [300.0, 0.0, 150.0]
    d, _ = nearest(g, [(0, 0.0, 0)], q=q)
    assert d.tolist() == [0.0, 100.0, 250.0]


def test_bucket_queue_seeds_far_apart_on_a_small_ring() -> None:
    # arcs of 10 m: a ring of 4 buckets; seeds 0 m and 1000 m apart
    g = graph(6, [(0, 1, 10.0), (1, 2, 10.0), (3, 4, 10.0), (4, 5, 12.0)])
    q = queues(g[2])[1]
    assert q[0] > 0 and q[1] < 8
    d, lab = nearest(g, [(0, 0.0, 0), (3, 1000.0, 1)], q=q)
    assert d.tolist() == [0.0, 10.0, 20.0, 1000.0, 1010.0, 1022.0]
    assert lab.tolist() == [0, 0, 0, 1, 1, 1]


# --------------------------------------------------------------------------- vs scipy
def random_graph(seed: int, n: int, m: int, short: bool):
    rng = np.random.default_rng(seed)
    u = rng.integers(0, n, m)
    v = rng.integers(0, n, m)
    w = rng.uniform(20.0, 120.0, m)
    if short:  # centimetre edges, as real OSM graphs have: the heap
        w[rng.random(m) < 0.2] = rng.uniform(0.0, 0.05)
    return u, v, w


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(2, 300), short=st.booleans(),
       k=st.integers(1, 12), cut=st.floats(50.0, 600.0))
def test_kernels_match_scipy_on_random_graphs(seed: int, n: int, short: bool, k: int,
                                              cut: float) -> None:
    u, v, w = random_graph(seed, n, 3 * n, short)
    g = graph(n, list(zip(u.tolist(), v.tolist(), w.tolist(), strict=True)))
    # the same CSR, parallel arcs kept (a COO build would add them up)
    mat = csr_matrix((g[2], g[1].astype(np.int64), g[0].astype(np.int64)), shape=(n, n))
    src = np.random.default_rng(seed + 1).choice(n, size=min(k, n), replace=False)
    ref = dijkstra(mat, indices=src)  # (k, n); of parallel arcs scipy takes the shortest
    for q in queues(g[2]):
        d, lab = nearest(g, [(int(s), 0.0, i) for i, s in enumerate(src)], q=q)
        np.testing.assert_allclose(d, ref.min(axis=0), rtol=0, atol=1e-6)
        fin = np.isfinite(d)
        assert np.array_equal(lab >= 0, fin)
        # the labelled source is a nearest one (ties allowed)
        np.testing.assert_allclose(ref[lab[fin], np.flatnonzero(fin)], d[fin], atol=1e-6)
        counts, (ptr, node, dist) = searches(g, [[(int(s), 0.0)] for s in src], cut, q)
        assert counts.tolist() == (ref <= cut).sum(axis=0).tolist()
        for i in range(len(src)):
            nodes = node[ptr[i]:ptr[i + 1]]
            assert sorted(nodes.tolist()) == np.flatnonzero(ref[i] <= cut).tolist()
            np.testing.assert_allclose(dist[ptr[i]:ptr[i + 1]], ref[i, nodes], atol=1e-6)


def test_threads_give_the_same_answers_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    g = street_grid(40, 40, seed=3)
    net = Network.from_arrays(g.node_xy, g.edge_u, g.edge_v)
    fac = g.node_xy[np.random.default_rng(2).choice(len(g.node_xy), 150, replace=False)]
    monkeypatch.setenv("JINAN_GIS_THREADS", "1")
    c1 = count_within(net, fac, max_dist_m=400, count_access=False)
    s1 = source_searches(net, fac, max_dist_m=400, count_access=False)
    monkeypatch.setenv("JINAN_GIS_THREADS", "3")
    assert len(K._blocks(150)) == 3
    c3 = count_within(net, fac, max_dist_m=400, count_access=False)
    s3 = source_searches(net, fac, max_dist_m=400, count_access=False)
    assert c1.tolist() == c3.tolist() and c1.sum() > 150
    for a, b in zip(s1[:3], s3[:3], strict=True):
        assert np.array_equal(a, b)


def test_api_on_a_bucket_graph_matches_scipy() -> None:
    g = street_grid(30, 30, seed=5)
    net = Network.from_arrays(g.node_xy, g.edge_u, g.edge_v, min_component_nodes=1)
    assert net.search_queue()[0] == "bucket"
    on_street = np.unique(np.r_[g.edge_u, g.edge_v])  # not the nodes left without a street
    fac = np.random.default_rng(4).choice(on_street, 20, replace=False)
    ref = dijkstra(net.csr_matrix(), indices=fac)
    r = nearest_source(net, g.node_xy[fac], count_access=False)
    np.testing.assert_allclose(r["dist_m"].to_numpy(), ref.min(axis=0), atol=1e-6)
    c = count_within(net, g.node_xy[fac], max_dist_m=500, count_access=False)
    assert c.tolist() == (ref <= 500).sum(axis=0).tolist()


# --------------------------------------------------------------------------- build
@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(-10**6, 10**6), st.integers(-10**6, 10**6)),
                min_size=1, max_size=60))
def test_packed_keys_number_nodes_like_the_2d_unique(rows: list[tuple[int, int]]) -> None:
    keys = np.array(rows, dtype=np.int64)
    _, inv, cnt = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    got_inv, got_cnt = unique_rows(keys)
    assert got_inv.tolist() == inv.ravel().tolist() and got_cnt.tolist() == cnt.tolist()


def test_packed_keys_fall_back_when_too_wide_to_pack() -> None:
    keys = np.array([[0, 0], [2**40, 2**40], [0, 0], [2**40, -(2**40)]], dtype=np.int64)
    inv, cnt = unique_rows(keys)
    assert inv.tolist() == [0, 2, 0, 1] and cnt.tolist() == [2, 1, 1]


def test_edge_geometries_are_made_only_when_asked() -> None:
    lines = [LineString([(0, 0), (100, 0), (200, 0)]), LineString([(100, 0), (100, 80)]),
             LineString([(200, 0), (230, 40), (260, 0)])]
    net = build_network(gpd.GeoDataFrame(geometry=lines, crs="EPSG:4548"))
    snap_points(net, np.array([[150.0, 5.0]]))
    assert "edge_geometry" not in net._cache  # neither the build nor snapping made them
    some = net.edge_lines(np.array([3, 0]))
    assert "edge_geometry" not in net._cache  # a few edges make a few geometries
    geoms = net.edge_geometry
    assert [g.wkt for g in some] == [geoms[3].wkt, geoms[0].wkt]
    assert sorted(g.wkt for g in geoms) == sorted([
        "LINESTRING (0 0, 100 0)", "LINESTRING (100 0, 200 0)", "LINESTRING (100 0, 100 80)",
        "LINESTRING (200 0, 230 40, 260 0)"])
    np.testing.assert_allclose(shapely.length(geoms), net.edge_length, rtol=0, atol=1e-9)


def test_snapping_is_exact_where_the_candidates_do_not_certify() -> None:
    # 300 spokes of 1 m round (0, 0) crowd the KD candidates of points 150-200 m away, and a
    # 2 km street makes the sub-segments long: the exact ball fallback answers those points
    ang = np.linspace(0, 2 * np.pi, 300, endpoint=False)
    xy = np.vstack([[0.0, 0.0], np.c_[np.cos(ang), np.sin(ang)], [[-1000.0, 160.0],
                                                                   [1000.0, 160.0]]])
    net = Network.from_arrays(xy, [0] * 300 + [301], [*list(range(1, 301)), 302],
                              min_component_nodes=1)
    pts = np.random.default_rng(3).uniform(-200, 200, (400, 2))
    s = snap_points(net, pts, max_snap_m=250.0)
    ref = shapely.distance(shapely.points(pts)[:, None], net.edge_geometry[None, :]).min(axis=1)
    ref[ref > 250.0] = np.nan
    np.testing.assert_allclose(s.access_m, ref, rtol=0, atol=1e-9)
