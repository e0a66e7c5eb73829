"""Dissolved service areas drawn on a raster (issue 15 item 3) against the exact GEOS ones.

The exact construction (``method="exact"``: every facility's reached streets buffered, the
polygons unioned) is the reference; the raster one (``method="raster"``) must agree on area,
contain every reached street, nest, and differ from the reference only along the boundary
(symmetric difference below perimeter x the stated error bound).  The ring tracer is checked
against GDAL's polygonize (rasterio) on random masks.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from rasterio.features import shapes
from rasterio.transform import Affine

from jinan_gis.geo import buffer_raster
from jinan_gis.geo.buffer_raster import raster_buffers, raster_error_m
from jinan_gis.geo.errors import NetworkError
from jinan_gis.geo.network import Network
from jinan_gis.geo.service_area import _piece_lines, reached_pieces, service_areas
from jinan_gis.geo.synthetic import street_grid

DISTS = [300.0, 500.0, 1000.0]


@pytest.fixture(scope="module")
def city() -> tuple[Network, np.ndarray]:
    """A 60 x 60 jittered grid with 70 m blocks and 12 facilities (synthetic)."""
    g = street_grid(60, 60, spacing_m=70.0, seed=3)
    net = Network.from_arrays(g.node_xy, g.edge_u, g.edge_v)
    rng = np.random.default_rng(5)
    fac = g.node_xy[rng.choice(len(g.node_xy), 12, replace=False)] + rng.normal(0, 15, (12, 2))
    return net, fac


@pytest.mark.parametrize("quad_segs", [1, 8])
def test_raster_areas_match_the_exact_ones(city, quad_segs: int) -> None:
    net, fac = city
    exact = service_areas(net, fac, max_dist_m=DISTS, dissolve=True, method="exact",
                          quad_segs=quad_segs)
    fast = service_areas(net, fac, max_dist_m=DISTS, dissolve=True, method="raster",
                         quad_segs=quad_segs)
    assert fast.columns.tolist() == exact.columns.tolist()
    np.testing.assert_allclose(fast["street_m"], exact["street_m"], rtol=1e-12)
    err = raster_error_m(25.0 / 5)
    pieces = reached_pieces(net, fac, max_dist_m=DISTS)
    for (_, e), (_, f) in zip(exact.iterrows(), fast.iterrows(), strict=True):
        assert e.area_m2 > 1e5  # a real area, not an empty one
        assert f.area_m2 == pytest.approx(e.area_m2, rel=0.005)
        # differences only along the boundary, within the stated bound
        sym = shapely.symmetric_difference(e.geometry, f.geometry).area
        assert sym <= e.geometry.length * err
        assert shapely.is_valid(f.geometry)
        # every reached street is inside (5 cm tolerance for the cut ends' rounding)
        lines = _piece_lines(net, pieces[pieces["max_dist_m"] == f.max_dist_m])
        assert shapely.contains(f.geometry.buffer(0.05), lines).all()
    geoms = fast.set_index("max_dist_m").geometry
    assert geoms[300.0].difference(geoms[500.0]).area == 0.0
    assert geoms[500.0].difference(geoms[1000.0]).area == 0.0


def test_auto_uses_the_raster_only_for_large_inputs(city) -> None:
    net, fac = city
    small = service_areas(net, fac[:1], max_dist_m=[300.0], dissolve=True)
    exact = service_areas(net, fac[:1], max_dist_m=[300.0], dissolve=True, method="exact")
    assert small.geometry.iloc[0].equals(exact.geometry.iloc[0])  # few pieces: exact
    with pytest.raises(NetworkError, match="method must be"):
        service_areas(net, fac, max_dist_m=[300.0], dissolve=True, method="fast")


def test_holes_are_filled_like_the_exact_path(city) -> None:
    net, fac = city
    kw = dict(max_dist_m=[1000.0], dissolve=True, max_hole_m2=0.0)
    exact = service_areas(net, fac, method="exact", **kw).geometry.iloc[0]
    fast = service_areas(net, fac, method="raster", **kw).geometry.iloc[0]
    holes_e = shapely.get_num_interior_rings(shapely.get_parts(exact)).sum()
    holes_f = shapely.get_num_interior_rings(shapely.get_parts(fast)).sum()
    assert holes_e > 10 and abs(holes_f - holes_e) <= 0.2 * holes_e
    filled = service_areas(net, fac, method="raster", max_dist_m=[1000.0],
                           dissolve=True).geometry.iloc[0]
    assert filled.area > fast.area
    kept = [shapely.Polygon(r).area for p in shapely.get_parts(filled) for r in p.interiors]
    assert min(kept, default=np.inf) >= 20_000.0


def test_a_single_street_by_hand() -> None:
    line = shapely.LineString([(0, 0), (100, 0)])
    round_, pointed = (raster_buffers([np.array([line])], buffer_m=10.0, cell_m=1.0,
                                      quad_segs=q)[0] for q in (8, 1))
    # 100 x 20 plus two half discs, or plus two triangles of 10 x 20 / 2
    assert round_.area == pytest.approx(2000 + np.pi * 100, rel=0.01)
    assert pointed.area == pytest.approx(2000 + 200, rel=0.01)
    assert shapely.hausdorff_distance(round_, line.buffer(10.0, quad_segs=32)) <= \
        raster_error_m(1.0)
    with pytest.raises(NetworkError, match="cell_m"):
        raster_buffers([np.array([line])], buffer_m=10.0, cell_m=10.0)
    assert raster_buffers([np.array([], dtype=object)], buffer_m=10.0, cell_m=1.0)[0].is_empty


def test_ring_tracer_matches_gdal_polygonize() -> None:
    rng = np.random.default_rng(11)
    transform = Affine(2.0, 0.0, 10.0, 0.0, 2.0, 20.0)
    for _ in range(150):
        grid = np.zeros((16, 17), np.uint8)
        grid[2:-2, 2:-2] = rng.integers(0, 4, (12, 13)) * (rng.random((12, 13)) < 0.7)
        for v in (1, 2, 3):
            mask = grid >= v
            ref = shapely.union_all([shapely.geometry.shape(g) for g, _ in shapes(
                mask.view(np.uint8), mask=mask, transform=transform)])
            got = buffer_raster._level_polygon(grid.copy(), v, 10.0, 20.0, 2.0, 0.0)
            assert shapely.is_valid(got), shapely.is_valid_reason(got)
            assert got.area == mask.sum() * 4.0
            assert shapely.symmetric_difference(got, ref).area < 1e-9
            filled = buffer_raster._level_polygon(grid.copy(), v, 10.0, 20.0, 2.0, 9.0)
            assert shapely.is_valid(filled)
            assert filled.area >= got.area and shapely.difference(got, filled).area < 1e-9


def test_ball_csr_equals_ckdtree_query_ball_point() -> None:
    """The sample's fixed-radius search (geo.ball_pairs) gives cKDTree's rows, in its order."""
    from scipy.spatial import cKDTree

    from jinan_gis.geo.ball_pairs import ball_csr

    rng = np.random.default_rng(2)
    pts = rng.uniform(0, 20_000, (50_000, 2))
    pts[:100] = pts[100:200]  # duplicates
    centres = np.vstack([rng.uniform(-2_000, 22_000, (300, 2)), pts[:5]])
    lists = cKDTree(pts).query_ball_point(centres, 1000.0)
    indptr, idx = ball_csr(centres, pts, 1000.0)
    assert indptr[-1] > 50_000  # many pairs, not a trivial case
    for c, want in enumerate(lists):
        assert idx[indptr[c]:indptr[c + 1]].tolist() == want
    # a point exactly on the circle is in
    indptr, idx = ball_csr(np.array([[0.0, 0.0]]), np.array([[600.0, 800.0]]), 1000.0)
    assert idx.tolist() == [0]
