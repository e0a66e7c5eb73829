"""The fast paths of issue 15 give the answers of the plain ones: points labelled by
polygons (coordinate tests per polygon box against the tree's ``within`` query), a repeated
snap of many points (the network's memo against a fresh search), life circles from shared
distances (against a search per circle)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

from jinan_gis.analyses.catalogue import LIFE_CIRCLES
from jinan_gis.analyses.coverage import place_population, select_facilities
from jinan_gis.analyses.inputs import inputs_from_sample
from jinan_gis.analyses.life_circle import life_circle, network_distances
from jinan_gis.geo.network import Network
from jinan_gis.geo.snap import REUSE_MIN_POINTS, snap_points
from jinan_gis.geo.street_nodes import unique_int_rows
from jinan_gis.layers.zones import label_points

CRS = "EPSG:4548"


def _tree_labels(points: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame, column: str
                 ) -> np.ndarray:
    """The plain answer: the tree's ``within`` pairs, the last polygon winning."""
    out = np.full(len(points), None, dtype=object)
    pi, zi = shapely.STRtree(polygons.geometry.to_numpy()).query(
        points.geometry.to_numpy(), predicate="within")
    order = np.lexsort((zi, pi))
    out[pi[order]] = polygons[column].to_numpy()[zi[order]]
    return out


def test_label_points_matches_the_tree_with_overlaps_edges_and_holes() -> None:
    rng = np.random.default_rng(5)
    xy = rng.uniform(-10, 110, size=(4000, 2))
    xy[:50] = np.round(xy[:50] / 10) * 10  # on box edges: not within
    pts = gpd.GeoDataFrame(geometry=shapely.points(xy), crs=CRS)
    ring = box(0, 0, 60, 60).difference(box(20, 20, 40, 40))  # a hole
    polys = gpd.GeoDataFrame({"z": ["ring", "right", "top", "empty"]},
                             geometry=[ring, box(50, 0, 100, 100), box(0, 50, 100, 100),
                                       shapely.Polygon()], crs=CRS)
    got = label_points(pts, polys, "z")
    want = _tree_labels(pts, polys, "z")
    assert (got == want).all()
    # every kind of answer occurs: overlaps won by the later polygon, holes and edges empty
    assert {"ring", "right", "top", None} <= set(got)
    assert got[shapely.contains_xy(box(50, 50, 100, 100), xy[:, 0], xy[:, 1])].tolist() == [
        "top"] * int(shapely.contains_xy(box(50, 50, 100, 100), xy[:, 0], xy[:, 1]).sum())
    assert got[shapely.contains_xy(box(21, 21, 39, 39), xy[:, 0], xy[:, 1])].tolist() == [
        None] * int(shapely.contains_xy(box(21, 21, 39, 39), xy[:, 0], xy[:, 1]).sum())


def test_label_points_of_other_geometries_and_of_the_sample() -> None:
    polys = gpd.GeoDataFrame({"z": ["a"]}, geometry=[box(0, 0, 10, 10)], crs=CRS)
    mixed = gpd.GeoDataFrame(geometry=[Point(1, 1), box(2, 2, 3, 3), None], crs=CRS)
    assert label_points(mixed, polys, "z").tolist() == ["a", "a", None]
    inputs = inputs_from_sample(scale=0.2)
    pop = inputs.population
    zones = inputs.zones.to_crs(pop.crs)
    zones = zones.assign(zone_id=zones["zone_id"].astype(str))
    got = label_points(pop, zones, "zone_id")
    assert (got == _tree_labels(pop, zones, "zone_id")).all()
    assert sum(v is not None for v in got) > 0.9 * len(pop)


def _grid_net(n: int = 30, step: float = 50.0) -> Network:
    ij = np.array([(i, j) for j in range(n) for i in range(n)], dtype=float)
    u = [j * n + i for j in range(n) for i in range(n - 1)] + \
        [j * n + i for j in range(n - 1) for i in range(n)]
    v = [a + 1 for a in u[: n * (n - 1)]] + [a + n for a in u[n * (n - 1):]]
    return Network.from_arrays(ij * step, u, v)


def test_repeated_snap_of_many_points_is_the_fresh_answer_and_a_copy() -> None:
    net = _grid_net()
    rng = np.random.default_rng(1)
    xy = rng.uniform(-300, 1800, size=(REUSE_MIN_POINTS + 7, 2))
    xy[3] = np.nan  # an invalid point takes part in the comparison
    first = snap_points(net, xy, max_snap_m=100.0)
    again = snap_points(net, xy.copy(), max_snap_m=100.0)
    fresh = snap_points(_grid_net(), xy, max_snap_m=100.0)
    for s in (again, fresh):
        assert s.status.dtype == first.status.dtype
        assert np.array_equal(s.edge, first.edge)
        assert np.array_equal(s.offset_m, first.offset_m, equal_nan=True)
        assert np.array_equal(s.access_m, first.access_m, equal_nan=True)
        assert (s.status == first.status).all()
    assert {"ok", "beyond_snap_limit", "invalid_geometry"} <= set(first.status)
    again.edge[:] = -1  # the caller's own arrays (the memo is handed over once)
    assert np.array_equal(snap_points(net, xy, max_snap_m=100.0).edge, first.edge)
    moved = xy.copy()
    moved[0] += 10.0  # other points, another limit: searched again
    assert snap_points(net, moved, max_snap_m=100.0).offset_m[0] != first.offset_m[0]
    assert (snap_points(net, xy, max_snap_m=1.0).status == "ok").sum() < (
        first.status == "ok").sum()


@pytest.mark.parametrize("circle", ["5min", "10min", "15min"])
def test_life_circle_from_shared_distances_is_the_searched_one(circle: str) -> None:
    inputs = inputs_from_sample(scale=0.2)
    net = inputs.network
    if net is None:
        from jinan_gis.geo.network import build_network
        net = build_network(inputs.streets.to_crs(CRS))
    fac = inputs.facilities.to_crs(net.crs)
    placed = place_population(net, inputs.population.to_crs(net.crs))
    far = max(c["max_dist_m"] for c in LIFE_CIRCLES.values())
    dmax = LIFE_CIRCLES[circle]["max_dist_m"]
    shared = {name: network_distances(net, select_facilities(fac, cats), placed,
                                      max_dist_m=far) <= dmax
              for name, cats in LIFE_CIRCLES[circle]["types"].items()}
    got = life_circle(net, fac, placed, circle=circle, reached=shared)
    want = life_circle(net, fac, placed, circle=circle)
    assert got.equals(want)
    assert 0 < want["n_types"].mean() < len(LIFE_CIRCLES[circle]["types"])


@pytest.mark.parametrize(("n", "k", "half_range"), [(200_000, 2, 3000), (50_000, 4, 40),
                                                    (300, 3, 2**40), (0, 2, 5), (7, 1, 3)])
def test_unique_int_rows_is_numpys_2d_unique(n: int, k: int, half_range: int) -> None:
    keys = np.random.default_rng(n + k).integers(-half_range, half_range, size=(n, k))
    rows, inv = unique_int_rows(keys)
    want_rows, want_inv = np.unique(keys, axis=0, return_inverse=True)
    assert np.array_equal(rows, want_rows) and rows.dtype == np.int64
    assert np.array_equal(inv, want_inv.ravel())
    if n:
        assert np.array_equal(rows[inv], keys)  # the inverse rebuilds the input
        assert len(rows) < n or k > 2  # duplicates were found where the range is small


def test_life_circle_rows_from_the_shared_store_are_the_searched_ones() -> None:
    from jinan_gis.analyses.catalogue import CATALOGUE
    from jinan_gis.analyses.report_rows import life_circle_metric
    from jinan_gis.geo.network import build_network

    inputs = inputs_from_sample(scale=0.2)
    net = build_network(inputs.streets.to_crs(CRS))
    fac = inputs.facilities.to_crs(net.crs)
    placed = place_population(net, inputs.population.to_crs(net.crs))
    store: dict = {}
    metrics = [m for m in CATALOGUE if m.kind == "life_circle"]
    assert len(metrics) == 3
    shares = []
    for m in metrics:
        for code in ("370112", "370103"):
            t1: dict = {}
            t2: dict = {}
            got = life_circle_metric(m, code, net, fac, placed, t1, reach=store)
            want = life_circle_metric(m, code, net, fac, placed, t2)
            assert pd.Series(got).equals(pd.Series(want))
            assert t1.keys() == t2.keys() and all(t1[k].equals(t2[k]) for k in t2)
            shares += [s for t in t1.values() for s in t["share"]]
    assert all(v.dtype == np.uint8 for v in store.values())
    assert 0 < max(shares) <= 1 and min(shares) < max(shares)  # some types reached, not all
