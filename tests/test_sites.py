"""New-site selection: hand-checkable cases, greedy vs exact vs brute force, spopt's MCLP."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from shapely.geometry import Point

from jinan_gis.analyses.sites import (
    SiteSelectionError,
    candidate_sites,
    cover_csr,
    exact_max_cover,
    greedy_max_cover,
    improved_max_cover,
    lp_bound_max_cover,
    propose_sites,
)
from jinan_gis.geo.errors import JinanGISError, LayerError
from jinan_gis.geo.network import Network
from jinan_gis.geo.reach import reach_pairs
from jinan_gis.geo.synthetic import street_grid

CRS = "EPSG:4548"


def pts(xy, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=[Point(p) for p in xy], crs=CRS)


def covered_weight(ptr, idx, w, sites, already=None) -> float:
    cov = np.zeros(len(w), dtype=bool) if already is None else np.asarray(already).copy()
    base = cov.copy()
    for s in sites:
        cov[idx[ptr[s] : ptr[s + 1]]] = True
    return float(np.asarray(w)[cov & ~base].sum())


def brute_force(ptr, idx, w, k, already=None) -> float:
    n_cand = len(ptr) - 1
    return max(
        covered_weight(ptr, idx, w, c, already)
        for c in itertools.combinations(range(n_cand), min(k, n_cand))
    )


def naive_greedy(ptr, idx, w, k, already=None):
    """Plain greedy: evaluate every candidate at every step; ties to the lowest position."""
    w_left = np.where(np.zeros(len(w), bool) if already is None else already, 0.0, w)
    chosen, gains = [], []
    for _ in range(k):
        g = np.array([w_left[idx[ptr[j] : ptr[j + 1]]].sum() for j in range(len(ptr) - 1)])
        j = int(np.argmax(g))
        if g[j] <= 0:
            break
        chosen.append(j)
        gains.append(float(g[j]))
        w_left[idx[ptr[j] : ptr[j + 1]]] = 0.0
    return chosen, gains


def random_instance(rng: np.random.Generator, n_dem: int, n_cand: int, density: float):
    cover = rng.random((n_cand, n_dem)) < density
    ptr = np.concatenate([[0], np.cumsum(cover.sum(axis=1))]).astype(np.int64)
    idx = np.nonzero(cover)[1].astype(np.int64)
    w = rng.integers(0, 50, n_dem).astype(float)
    return ptr, idx, w


# ------------------------------------------------------------------ hand-checkable
def test_tiny_case_by_hand_existing_coverage_is_respected() -> None:
    # people: 0 (5), 1 (3), 2 (4); candidate A=0 covers {0, 1}, B=1 covers {1, 2}.
    # Without existing coverage: A gains 8, B gains 7 -> greedy picks A (8).
    # Person 0 already served: A gains only 3, B gains 7 -> B.
    ptr, idx, w = np.array([0, 2, 4]), np.array([0, 1, 1, 2]), [5.0, 3.0, 4.0]
    res = greedy_max_cover((ptr, idx), w, 1)
    assert res.chosen.tolist() == [0] and res.gains.tolist() == [8.0]
    res = greedy_max_cover((ptr, idx), w, 1, already_covered=[True, False, False])
    assert res.chosen.tolist() == [1] and res.gains.tolist() == [7.0] and res.bound == 7.0
    ex = exact_max_cover((ptr, idx), w, 1, already_covered=[True, False, False])
    assert ex.chosen.tolist() == [1] and ex.objective == 7.0 and ex.optimal
    # k = 2: both; A then adds only person 0 -> but it is covered: B alone, A adds nothing
    res = greedy_max_cover((ptr, idx), w, 2, already_covered=np.array([0]))
    assert res.chosen.tolist() == [1]  # nothing left for A to add: stops early
    assert res.bound == 7.0


def test_greedy_is_suboptimal_and_the_bound_says_how_much() -> None:
    # classic trap: one big candidate overlapping two disjoint ones
    ptr, idx = np.array([0, 2, 4, 7]), np.array([0, 1, 2, 3, 1, 2, 4])
    w = [2.0, 2.0, 2.0, 2.0, 1.0]
    g = greedy_max_cover((ptr, idx), w, 2)
    ex = exact_max_cover((ptr, idx), w, 2)
    assert g.chosen.tolist() == [2, 0] and g.gains.sum() == 7.0
    assert ex.objective == 8.0 and ex.gains.tolist() == [4.0, 4.0]
    # step 0: 0 + (5 + 4) = 9; step 1: 5 + (2 + 2) = 9; step 2: 7 + (2 + 0) = 9
    assert g.bound == 9.0 and g.bound >= ex.objective


def test_layer_level_tiny_case_by_hand() -> None:
    # a 1 km street; an existing clinic at x=0 covers the 100 people at x=50 (300 m limit)
    net = Network.from_arrays([[0, 0], [500, 0], [1000, 0]], [0, 1], [1, 2])
    people = pts([(50, 5), (600, 5), (950, 5)], population=[100.0, 50.0, 80.0])
    clinic = pts([(0, 0)])
    cands = pts([(10, 0), (550, 0)], name=["west", "middle"])
    before_people, before_cands = people.copy(), cands.copy()
    res = propose_sites(net, people, clinic, cands, k=1, max_dist_m=300)
    # west would only re-cover the 100 already served; middle reaches x=600 (50 m) and x=950
    # (400 m, too far) -> gain 50
    assert res.sites["candidate"].tolist() == [1]
    assert res.sites["gain_people"].tolist() == [50.0]
    assert res.sites["covered_people"].tolist() == [150.0]
    assert res.summary["covered_before"] == 100.0 and res.summary["covered_after"] == 150.0
    assert res.coverage["covered_before"].tolist() == [True, False, False]
    assert res.coverage["covered_after"].tolist() == [True, True, False]
    assert res.coverage["site_rank"].tolist() == [pd.NA, 1, pd.NA]
    assert res.candidates["name"].tolist() == ["west", "middle"]
    assert res.candidates["reach_people"].tolist() == [0.0, 50.0]
    pd.testing.assert_frame_equal(people, before_people)
    pd.testing.assert_frame_equal(cands, before_cands)
    # without the existing clinic, west is worth 100
    res = propose_sites(net, people, None, cands, k=1, max_dist_m=300, method="exact")
    assert res.sites["candidate"].tolist() == [0] and res.summary["covered_before"] == 0.0
    assert "optimal" in res.describe()


# ------------------------------------------------------------- greedy vs references
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n_dem=st.integers(1, 25),
    n_cand=st.integers(1, 7),
    k=st.integers(1, 4),
    density=st.floats(0.05, 0.6),
    with_existing=st.booleans(),
)
def test_celf_equals_plain_greedy_and_exact_equals_brute_force(
    seed: int, n_dem: int, n_cand: int, k: int, density: float, with_existing: bool
) -> None:
    rng = np.random.default_rng(seed)
    ptr, idx, w = random_instance(rng, n_dem, n_cand, density)
    already = rng.random(n_dem) < 0.3 if with_existing else None
    g = greedy_max_cover((ptr, idx), w, k, already_covered=already)
    chosen, gains = naive_greedy(ptr, idx, w, k, already)
    assert g.chosen.tolist() == chosen
    assert g.gains.tolist() == gains
    assert np.all(np.diff(g.gains) <= 0)
    opt = brute_force(ptr, idx, w, k, already)
    ex = exact_max_cover((ptr, idx), w, k, already_covered=already)
    assert ex.objective == pytest.approx(opt, abs=1e-9)
    assert covered_weight(ptr, idx, w, ex.chosen, already) == pytest.approx(opt, abs=1e-9)
    assert g.gains.sum() <= opt + 1e-9
    assert g.bound >= opt - 1e-9
    # the guarantee: greedy >= (1 - (1 - 1/k)^k) OPT >= (1 - 1/e) OPT
    assert g.gains.sum() >= (1 - (1 - 1 / k) ** k) * opt - 1e-9
    assert g.gains.sum() >= (1 - (1 - 1 / k) ** k) * g.bound - 1e-9


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n_dem=st.integers(1, 25),
    n_cand=st.integers(2, 7),
    k=st.integers(1, 3),
    density=st.floats(0.05, 0.6),
)
def test_swaps_reach_a_local_optimum_between_greedy_and_exact(
    seed: int, n_dem: int, n_cand: int, k: int, density: float
) -> None:
    rng = np.random.default_rng(seed)
    ptr, idx, w = random_instance(rng, n_dem, n_cand, density)
    plain = greedy_max_cover((ptr, idx), w, k)
    ls = greedy_max_cover((ptr, idx), w, k, local_search=True)
    opt = brute_force(ptr, idx, w, k)
    value = covered_weight(ptr, idx, w, ls.chosen)
    assert value == pytest.approx(ls.gains.sum())
    assert plain.gains.sum() - 1e-9 <= value <= opt + 1e-9
    assert ls.bound == plain.bound
    assert np.all(np.diff(ls.gains) <= 1e-12) and np.all(ls.gains > 0)
    # no single swap improves
    others = [c for c in range(n_cand) if c not in set(ls.chosen.tolist())]
    for pos, c in itertools.product(range(len(ls.chosen)), others):
        swapped = ls.chosen.copy()
        swapped[pos] = c
        assert covered_weight(ptr, idx, w, swapped) <= value + 1e-9
    h = improved_max_cover((ptr, idx), w, k)
    assert value - 1e-9 <= h.gains.sum() <= opt + 1e-9
    assert h.bound_lp == pytest.approx(lp_bound_max_cover((ptr, idx), w, k))
    assert h.bound_lp >= opt - 1e-7 and h.bound >= opt - 1e-7 and h.bound <= h.bound_greedy


def test_greedy_vs_exact_on_larger_random_instances() -> None:
    rng = np.random.default_rng(7)
    for _ in range(5):
        ptr, idx, w = random_instance(rng, 400, 60, 0.04)
        for k in (3, 8):
            g = greedy_max_cover((ptr, idx), w, k)
            ex = exact_max_cover((ptr, idx), w, k)
            assert ex.optimal
            assert g.gains.sum() <= ex.objective + 1e-9 <= g.bound + 2e-9
            assert ex.bound == pytest.approx(ex.objective, rel=1e-9)
            h = improved_max_cover((ptr, idx), w, k)
            assert g.gains.sum() - 1e-9 <= h.gains.sum() <= ex.objective + 1e-9
            assert ex.objective <= h.bound_lp * (1 + 1e-9) and h.bound <= g.bound


def test_cover_forms_agree() -> None:
    rng = np.random.default_rng(3)
    ptr, idx, w = random_instance(rng, 30, 6, 0.3)
    rows = np.repeat(np.arange(6), np.diff(ptr))
    pairs = pd.DataFrame({"source": rows, "target": idx, "dist_m": 1.0})
    mat = sparse.csr_matrix((np.ones(len(idx)), (rows, idx)), shape=(6, 30))
    shuffled = pairs.sample(frac=1.0, random_state=1)
    doubled = pd.concat([pairs, pairs])
    for form in ((ptr, idx), pairs, mat, shuffled, doubled):
        p2, i2 = cover_csr(form, 30, n_candidates=6)
        assert p2.tolist() == ptr.tolist() and i2.tolist() == idx.tolist()
    assert greedy_max_cover(pairs, w, 3).chosen.tolist() == greedy_max_cover(
        (ptr, idx), w, 3
    ).chosen.tolist()


def test_bad_inputs_name_the_fix() -> None:
    ptr, idx = np.array([0, 1]), np.array([0])
    with pytest.raises(SiteSelectionError, match="k"):
        greedy_max_cover((ptr, idx), [1.0], 0)
    with pytest.raises(SiteSelectionError, match="weights"):
        greedy_max_cover((ptr, idx), [-1.0], 1)
    with pytest.raises(SiteSelectionError, match="demand points outside"):
        greedy_max_cover((ptr, np.array([3])), [1.0], 1)
    with pytest.raises(SiteSelectionError, match="ptr"):
        greedy_max_cover((np.array([0, 2]), idx), [1.0], 1)
    with pytest.raises(SiteSelectionError, match="source"):
        greedy_max_cover(pd.DataFrame({"a": [0]}), [1.0], 1)
    assert issubclass(SiteSelectionError, JinanGISError)


# ------------------------------------------------------------------------ spopt
def _solver():
    pulp = pytest.importorskip("pulp")
    available = pulp.listSolvers(onlyAvailable=True)
    if "HiGHS" in available:
        return pulp.HiGHS(msg=False)
    if "PULP_CBC_CMD" in available:
        return pulp.PULP_CBC_CMD(msg=False)
    pytest.skip("no MILP solver for pulp")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_exact_matches_spopt_mclp_on_a_street_network() -> None:
    mclp_cls = pytest.importorskip("spopt.locate").MCLP
    solver = _solver()
    g = street_grid(12, 12, spacing_m=100.0, seed=4)
    net = Network.from_arrays(g.node_xy, g.edge_u, g.edge_v)
    rng = np.random.default_rng(4)
    lo, hi = g.node_xy.min(axis=0), g.node_xy.max(axis=0)
    demand = rng.uniform(lo, hi, size=(120, 2))
    cand = rng.uniform(lo, hi, size=(25, 2))
    w = rng.integers(1, 100, len(demand)).astype(float)
    radius = 250.0
    pairs = reach_pairs(net, cand, demand, max_dist_m=radius)
    cost = np.full((len(demand), len(cand)), 1e9)
    cost[pairs["target"], pairs["source"]] = pairs["dist_m"]
    for k in (2, 5):
        ex = exact_max_cover(pairs, w, k, n_candidates=len(cand))
        model = mclp_cls.from_cost_matrix(cost, w, service_radius=radius, p_facilities=k)
        model = model.solve(solver)
        spopt_sites = [j for j, v in enumerate(model.fac_vars) if v.value() > 0.5]
        spopt_cov = covered_weight(*cover_csr(pairs, len(demand), n_candidates=len(cand)), w,
                                   spopt_sites)
        assert ex.objective == pytest.approx(spopt_cov, rel=1e-9)
        assert ex.objective == pytest.approx(pulp_value(model), rel=1e-9)
        assert greedy_max_cover(pairs, w, k, n_candidates=len(cand)).bound >= ex.objective


def pulp_value(model) -> float:
    return float(model.problem.objective.value())


# ------------------------------------------------------------------- layer level
@pytest.fixture(scope="module")
def city():
    g = street_grid(20, 20, spacing_m=90.0, seed=2)
    net = Network.from_arrays(g.node_xy, g.edge_u, g.edge_v)
    rng = np.random.default_rng(2)
    lo, hi = g.node_xy.min(axis=0), g.node_xy.max(axis=0)
    xy = rng.uniform(lo, hi, size=(300, 2))
    people = pts(xy, population=rng.integers(10, 500, len(xy)).astype(float))
    people.index = [f"p{i}" for i in range(len(xy))]
    clinics = pts(rng.uniform(lo, hi, size=(3, 2)))
    return net, people, clinics


def test_propose_sites_on_a_street_grid(city) -> None:
    net, people, clinics = city
    before = people.copy()
    g = propose_sites(net, people, clinics, k=4, max_dist_m=400, candidate_spacing_m=200,
                      lp_bound=True)
    e = propose_sites(net, people, clinics, k=4, max_dist_m=400, candidate_spacing_m=200,
                      method="exact")
    pd.testing.assert_frame_equal(people, before)
    assert g.summary["covered_before"] == e.summary["covered_before"] > 0
    assert g.summary["gain_people"] <= e.summary["gain_people"] + 1e-9
    assert e.summary["gain_people"] <= g.summary["gain_bound_people"] + 1e-9
    assert e.summary["optimal"] and e.summary["optimality_gap"] == pytest.approx(0, abs=1e-8)
    for r in (g, e):
        s = r.summary
        assert s["covered_after"] == pytest.approx(s["covered_before"] + s["gain_people"])
        assert r.sites["rank"].tolist() == list(range(1, s["k_chosen"] + 1))
        assert r.sites["covered_people"].iloc[-1] == pytest.approx(s["covered_after"])
        assert r.sites.crs == people.crs
        cov = r.coverage
        assert cov.index.equals(people.index)
        assert people.loc[cov["covered_after"], "population"].sum() == pytest.approx(
            s["covered_after"]
        )
        assert not (cov["covered_before"] & cov["site_rank"].notna()).any()
        # the chosen sites are candidate street nodes
        assert set(r.sites["candidate"]) <= set(r.candidates.index)
    # a posteriori: gain >= (1 - (1 - 1/k)^k) * bound, whatever the instance
    assert 0 <= g.summary["optimality_gap"] <= (1 - 1 / 4) ** 4
    assert "of the optimum (LP bound)" in g.describe()
    assert g.summary["heuristic"] in ("greedy + swaps", "LP rounding + swaps")
    assert g.summary["bound_lp_people"] >= e.summary["gain_people"] - 1e-6
    assert g.summary["gain_bound_people"] <= g.summary["bound_greedy_people"]
    plain = propose_sites(net, people, clinics, k=4, max_dist_m=400, candidate_spacing_m=200,
                          local_search=False, lp_bound=False)
    assert plain.summary["heuristic"] == "greedy" and "bound_lp_people" not in plain.summary
    assert plain.summary["gain_people"] <= g.summary["gain_people"] + 1e-9
    assert plain.summary["gain_bound_people"] == plain.summary["bound_greedy_people"]


def test_people_off_the_network_are_never_covered(city) -> None:
    net, people, clinics = city
    far = pts([(0.0, 0.0)], population=[1000.0])
    far.index = ["far"]
    both = pd.concat([people, far])
    res = propose_sites(net, both, clinics, k=2, max_dist_m=400)
    assert res.summary["population_off_network"] == 1000.0
    assert res.coverage.loc["far", "snap_status"] == "beyond_snap_limit"
    assert not res.coverage.loc["far", "covered_after"]


def test_candidate_sites_grid() -> None:
    g = street_grid(15, 15, spacing_m=90.0, seed=5)
    net = Network.from_arrays(g.node_xy, g.edge_u, g.edge_v)
    nodes = candidate_sites(net, spacing_m=300)
    assert nodes.crs == CRS
    assert np.allclose(net.node_xy[nodes["node"]], shapely.get_coordinates(nodes.geometry))
    # one candidate per occupied 300 m cell, the node nearest the cell centre
    main = net.node_xy[~net.node_is_island]
    origin = main.min(axis=0)
    cells = np.floor((main - origin) / 300).astype(int)
    chosen = np.floor((net.node_xy[nodes["node"]] - origin) / 300).astype(int)
    assert len(np.unique(chosen, axis=0)) == len(chosen) == len(np.unique(cells, axis=0))
    along = candidate_sites(net, spacing_m=300, how="along")
    d = shapely.distance(along.geometry.to_numpy()[:, None], net.edge_geometry[None, :])
    assert d.min(axis=1).max() < 1e-6  # on the streets
    assert (along["edge"] >= 0).all() and (along["node"] == -1).all()
    with pytest.raises(SiteSelectionError, match="spacing_m"):
        candidate_sites(net, spacing_m=0)


def test_layer_errors_name_the_fix(city) -> None:
    net, people, clinics = city
    with pytest.raises(LayerError, match="population"):
        propose_sites(net, people.drop(columns="population"), clinics, k=1, max_dist_m=400)
    with pytest.raises(SiteSelectionError, match="method"):
        propose_sites(net, people, clinics, k=1, max_dist_m=400, method="best")  # type: ignore
    with pytest.raises(SiteSelectionError, match="max_dist_m"):
        propose_sites(net, people, clinics, k=1, max_dist_m=float("inf"))
    with pytest.raises(SiteSelectionError, match="candidate"):
        propose_sites(net, people, clinics, people.iloc[:0], k=1, max_dist_m=400)


# ------------------------------------------- issue 12: fast, located, counted like coverage
def test_people_added_equal_what_coverage_counts_with_the_new_sites(city) -> None:
    """Access legs (door -> street) count in both: a coverage run with the proposed sites
    added counts exactly ``covered_after``, and its increase is the people added."""
    from jinan_gis.analyses.coverage import coverage

    net, people, clinics = city
    # people and clinics off the street line, so the access legs matter
    people = people.copy()
    people["geometry"] = people.geometry.translate(35.0, 20.0)
    clinics = clinics.assign(category="chc")
    res = propose_sites(net, people, clinics, k=3, max_dist_m=400, candidate_spacing_m=200)
    assert res.summary["count_access"] is True
    new = res.sites[["geometry"]].assign(category="chc")
    both = pd.concat([clinics, new], ignore_index=True)
    before = coverage(net, clinics, people, max_dist_m=400).iloc[0]
    after = coverage(net, both, people, max_dist_m=400).iloc[0]
    assert before["covered_network"] == pytest.approx(res.summary["covered_before"])
    assert after["covered_network"] == pytest.approx(res.summary["covered_after"])
    assert after["covered_network"] - before["covered_network"] == pytest.approx(
        res.sites["gain_people"].sum())
    # without the legs the sites would claim people coverage does not count
    loose = propose_sites(net, people, clinics, k=3, max_dist_m=400, candidate_spacing_m=200,
                          count_access=False)
    assert loose.summary["covered_before"] > res.summary["covered_before"]


def test_lp_bound_is_opt_in(city) -> None:
    net, people, clinics = city
    fast = propose_sites(net, people, clinics, k=3, max_dist_m=400)
    assert "bound_lp_people" not in fast.summary
    assert "gap to the optimum not computed" in fast.describe()
    bounded = propose_sites(net, people, clinics, k=3, max_dist_m=400, lp_bound=True,
                            progress=True)
    assert bounded.summary["bound_lp_people"] <= bounded.summary["bound_greedy_people"] + 1e-6
    assert "of the optimum (LP bound)" in bounded.describe()
    assert bounded.summary["gain_people"] >= fast.summary["gain_people"] - 1e-9


def test_locate_sites_names_sub_district_street_and_both_datums() -> None:
    from shapely.geometry import LineString, box

    from jinan_gis.analyses.sites import locate_sites
    from jinan_gis.geo.datum import wgs84_to_gcj02

    c = gpd.GeoSeries([Point(117.06, 36.68)], crs="EPSG:4326").to_crs(CRS).iloc[0]
    x, y = c.x, c.y
    sites = pts([(x, y), (x + 3000, y)], rank=[1, 2], gain_people=[500.0, 200.0])
    before = sites.copy()
    zones = gpd.GeoDataFrame({"zone_name": ["洪家楼街道"]},
                             geometry=[box(x - 1000, y - 1000, x + 1000, y + 1000)], crs=CRS)
    streets = gpd.GeoDataFrame(
        {"name": ["花园路", None]},
        geometry=[LineString([(x - 500, y + 50), (x + 500, y + 50)]),
                  LineString([(x - 500, y + 10), (x + 500, y + 10)])], crs=CRS,
    ).to_crs("EPSG:4326")  # any CRS: reprojected
    got = locate_sites(sites, zones=zones, streets=streets)
    pd.testing.assert_frame_equal(sites, before)
    assert got["site_id"].tolist() == ["S1", "S2"]
    assert got["zone_name"].tolist()[0] == "洪家楼街道" and got["zone_name"].isna().tolist()[1]
    assert got["street_name"].tolist() == ["花园路", "未命名道路 / unnamed street"]
    assert got.loc[0, "lon_wgs84"] == pytest.approx(117.06, abs=1e-6)
    assert got.loc[0, "lat_wgs84"] == pytest.approx(36.68, abs=1e-6)
    glon, glat = wgs84_to_gcj02(got["lon_wgs84"].to_numpy(), got["lat_wgs84"].to_numpy())
    assert np.allclose(got["lon_gcj02"], glon, atol=2e-6)
    assert np.allclose(got["lat_gcj02"], glat, atol=2e-6)
    assert (got["lon_gcj02"] - got["lon_wgs84"]).abs().min() > 0.004  # ~500 m apart


def test_sites_on_the_demo_sample_are_fast() -> None:
    """The issue's case (clinic, k = 5, whole sample): seconds, not minutes."""
    import time

    from jinan_gis.analyses.coverage import select_facilities
    from jinan_gis.analyses.inputs import inputs_from_sample
    from jinan_gis.geo.network import build_network

    inp = inputs_from_sample(scale=0.3)
    net = build_network(inp.streets, mode="walk")
    t = time.perf_counter()
    res = propose_sites(net, inp.population, select_facilities(inp.facilities, "clinic"), k=5,
                        max_dist_m=1000)
    assert time.perf_counter() - t < 20
    assert res.summary["k_chosen"] == 5 and (res.sites["gain_people"] > 0).all()
