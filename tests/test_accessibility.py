"""2SFCA / E2SFCA: hand-checkable cases, invariants, and PySAL ``access`` as the reference."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from jinan_gis.analyses.accessibility import (
    DEFAULT_SUPPLY,
    AccessibilityError,
    accessibility,
    decay_weights,
    e2sfca_steps,
    supply_values,
    two_step_fca,
)
from jinan_gis.geo.errors import JinanGISError, LayerError
from jinan_gis.geo.network import Network
from jinan_gis.geo.reach import reach_pairs
from jinan_gis.geo.synthetic import street_grid

CRS = "EPSG:4548"


def pts(xy, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=[Point(p) for p in xy], crs=CRS)


# ------------------------------------------------------------------ hand-checkable
def test_two_facilities_three_people_by_hand() -> None:
    # Facility F1 (6 doctors) reaches people a (1000 at 200 m) and b (2000 at 700 m);
    # facility F2 (3 doctors) reaches b (400 m) and c (1000 at 900 m); catchment 1000 m.
    #
    # classic 2SFCA, per 1000 people:
    #   R_F1 = 6 / (1000 + 2000) * 1000 = 2      R_F2 = 3 / (2000 + 1000) * 1000 = 1
    #   A_a = R_F1 = 2,   A_b = R_F1 + R_F2 = 3,   A_c = R_F2 = 1
    cost = pd.DataFrame(
        {
            "fac": ["F1", "F1", "F2", "F2"],
            "pop": ["a", "b", "b", "c"],
            "m": [200.0, 700.0, 400.0, 900.0],
        }
    )
    supply = pd.Series({"F1": 6.0, "F2": 3.0})
    demand = pd.Series({"a": 1000.0, "b": 2000.0, "c": 1000.0})
    cols = {"supply_col": "fac", "demand_col": "pop", "cost_col": "m"}
    acc, ratio = two_step_fca(cost, supply, demand, max_cost=1000, **cols)
    assert ratio.to_dict() == pytest.approx({"F1": 2.0, "F2": 1.0})
    assert acc.to_dict() == pytest.approx({"a": 2.0, "b": 3.0, "c": 1.0})
    # E2SFCA, zones 0-300 / 300-600 / 600-1000 m with weights 1 / 0.68 / 0.22:
    #   W(F1,a) = 1, W(F1,b) = 0.22, W(F2,b) = 0.68, W(F2,c) = 0.22
    #   R_F1 = 6 / (1000 * 1 + 2000 * 0.22) = 6 / 1440      (per person)
    #   R_F2 = 3 / (2000 * 0.68 + 1000 * 0.22) = 3 / 1580
    #   A_a = R_F1,  A_b = 0.22 R_F1 + 0.68 R_F2,  A_c = 0.22 R_F2
    acc, ratio = two_step_fca(cost, supply, demand, max_cost=1000, decay=e2sfca_steps(1000),
                              per_people=1, **cols)
    r1, r2 = 6 / 1440, 3 / 1580
    assert ratio.tolist() == pytest.approx([r1, r2], rel=1e-12)
    assert acc.tolist() == pytest.approx([r1, 0.22 * r1 + 0.68 * r2, 0.22 * r2], rel=1e-12)
    # a 500 m catchment drops F1-b (700) and F2-c (900): R_F1 = 6/1000, R_F2 = 3/2000
    acc, ratio = two_step_fca(cost, supply, demand, max_cost=500, per_people=1, **cols)
    assert acc.tolist() == pytest.approx([0.006, 0.0015, 0.0])


def test_boundaries_are_inclusive_like_access() -> None:
    w = decay_weights([0, 300, 300.0001, 600, 1000, 1000.0001], max_cost=1000,
                      decay={600: 0.68, 300: 1.0, 1000: 0.22})
    assert w.tolist() == [1.0, 1.0, 0.68, 0.68, 0.22, 0.0]
    assert decay_weights([1000.0, 1000.5], max_cost=1000).tolist() == [1.0, 0.0]
    g = decay_weights([0.0, 500.0, 1000.0], max_cost=1000, decay="gaussian")
    e = np.exp(-0.5)
    assert g.tolist() == pytest.approx([1.0, (np.exp(-0.125) - e) / (1 - e), 0.0], abs=1e-12)
    # a scalar-only callable works too
    assert decay_weights([100.0, 700.0], max_cost=1000,
                         decay=lambda d: 1.0 if d <= 500 else 0.5).tolist() == [1.0, 0.5]


def test_unreached_people_get_zero_and_empty_catchments_nan() -> None:
    cost = pd.DataFrame({"source": [0], "target": [0], "dist_m": [100.0]})
    acc, ratio = two_step_fca(cost, [5.0, 7.0], [100.0, 200.0], max_cost=500)
    assert acc.tolist() == [50.0, 0.0]
    assert ratio.iloc[0] == 50.0 and np.isnan(ratio.iloc[1])


def test_bad_inputs_name_the_fix() -> None:
    cost = pd.DataFrame({"source": [0, 0], "target": [0, 0], "dist_m": [1.0, 2.0]})
    with pytest.raises(AccessibilityError, match="repeated"):
        two_step_fca(cost, [1.0], [1.0], max_cost=10)
    with pytest.raises(AccessibilityError, match="not in supply"):
        two_step_fca(cost.iloc[:1].assign(source=9), [1.0], [1.0], max_cost=10)
    with pytest.raises(AccessibilityError, match="lacks column"):
        two_step_fca(cost.rename(columns={"dist_m": "d"}), [1.0], [1.0], max_cost=10)
    with pytest.raises(AccessibilityError, match="supply values"):
        two_step_fca(cost.iloc[:1], [np.nan], [1.0], max_cost=10)
    with pytest.raises(AccessibilityError, match="missing or negative"):
        two_step_fca(cost.iloc[:1].assign(dist_m=-1.0), [1.0], [1.0], max_cost=10)
    with pytest.raises(AccessibilityError, match="decay"):
        two_step_fca(cost.iloc[:1], [1.0], [1.0], max_cost=10, decay="cubic")  # type: ignore
    assert issubclass(AccessibilityError, JinanGISError)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n_s=st.integers(1, 6), n_d=st.integers(1, 30),
       gaussian=st.booleans())
def test_supply_is_conserved(seed: int, n_s: int, n_d: int, gaussian: bool) -> None:
    # sum_i P_i A_i = sum_j R_j sum_i P_i W_ij = sum of the supply that has people in reach
    rng = np.random.default_rng(seed)
    mask = rng.random((n_s, n_d)) < 0.5
    s, d = np.nonzero(mask)
    cost = pd.DataFrame({"source": s, "target": d, "dist_m": rng.uniform(0, 1200, len(s))})
    supply = rng.uniform(0, 20, n_s)
    demand = rng.uniform(1, 3000, n_d)
    acc, ratio = two_step_fca(cost, supply, demand, max_cost=1000,
                              decay="gaussian" if gaussian else e2sfca_steps(1000), per_people=1)
    assert (acc.to_numpy() * demand).sum() == pytest.approx(
        supply[np.isfinite(ratio.to_numpy())].sum(), rel=1e-9, abs=1e-12
    )


# ---------------------------------------------------------------- PySAL access
def _random_tables(seed: int):
    rng = np.random.default_rng(seed)
    n_s, n_d = 25, 120
    sup = pd.DataFrame({"sid": [f"s{j}" for j in range(n_s)],
                        "docs": rng.integers(0, 30, n_s).astype(float)})
    dem = pd.DataFrame({"did": np.arange(n_d) * 10, "pop": rng.integers(1, 4000, n_d) * 1.0})
    rows = [
        (f"s{j}", i * 10, float(rng.integers(0, 13) * 100))  # many costs on zone borders
        for j in range(n_s) for i in range(n_d) if rng.random() < 0.25
    ]
    cost = pd.DataFrame(rows, columns=["sid", "did", "cost"])
    # every supply site has someone within 1000 m (access would give inf otherwise)
    cost = cost[cost["sid"].isin(cost.loc[cost["cost"] <= 1000, "sid"])]
    return sup, dem, cost


@pytest.mark.filterwarnings("ignore:The inplace keyword")  # inside access, pandas >= 3
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("variant", ["2sfca", "steps", "step_fn", "gaussian"])
def test_matches_pysal_access(seed: int, variant: str) -> None:
    access_mod = pytest.importorskip("access")
    from access import weights

    sup, dem, cost = _random_tables(seed)
    steps = e2sfca_steps(1000)

    def dai(d):
        e = np.exp(-0.5)
        return (np.exp(-0.5 * (d / 1000.0) ** 2) - e) / (1 - e)

    ours_decay, ref_fn = {
        "2sfca": (None, None),
        "steps": (steps, weights.step_fn(steps)),
        "step_fn": (weights.step_fn(steps), weights.step_fn(steps)),  # the same object
        "gaussian": ("gaussian", dai),
    }[variant]
    a = access_mod.Access(
        demand_df=dem, demand_index="did", demand_value="pop",
        supply_df=sup, supply_index="sid", supply_value="docs",
        cost_df=cost, cost_origin="did", cost_dest="sid", cost_name="cost",
    )
    ref = a.two_stage_fca(name="x", max_cost=1000, weight_fn=ref_fn)["x_docs"]
    ref = ref.reindex(dem["did"]).fillna(0.0)  # access leaves unreached people NaN
    acc, ratio = two_step_fca(
        cost, sup.set_index("sid")["docs"], dem.set_index("did")["pop"], max_cost=1000,
        decay=ours_decay, supply_col="sid", demand_col="did", cost_col="cost", per_people=1,
    )
    assert acc.index.equals(pd.Index(dem["did"]))
    np.testing.assert_allclose(acc.to_numpy(), ref.to_numpy(), rtol=1e-9, atol=0)
    assert (acc > 0).sum() > 50  # the comparison is not vacuous
    # step 1 (the catchment demand) against access's own weighted catchment
    catch = access_mod.fca.weighted_catchment(
        dem.set_index("did"), cost, 1000, cost_source="did", cost_dest="sid", cost_cost="cost",
        loc_index=True, loc_value="pop", weight_fn=ref_fn,
    )
    ref_ratio = sup.set_index("sid")["docs"] / catch
    np.testing.assert_allclose(ratio.reindex(ref_ratio.index).to_numpy(), ref_ratio.to_numpy(),
                               rtol=1e-9)


def test_inputs_are_not_mutated() -> None:
    sup, dem, cost = _random_tables(5)
    s, d, c = sup.copy(), dem.copy(), cost.copy()
    two_step_fca(cost, sup.set_index("sid")["docs"], dem.set_index("did")["pop"],
                 max_cost=1000, decay=e2sfca_steps(), supply_col="sid", demand_col="did",
                 cost_col="cost")
    pd.testing.assert_frame_equal(sup, s)
    pd.testing.assert_frame_equal(dem, d)
    pd.testing.assert_frame_equal(cost, c)


# ------------------------------------------------------------------- layer level
def test_supply_values_defaults_are_labelled() -> None:
    fac = pd.DataFrame({"category": ["chc", "chs_station", "hospital", "chc"],
                        "tier": ["centre", "station", None, "centre"],
                        "doctors": [12, 3, 80, 9]})
    with pytest.raises(AccessibilityError, match="supply_column"):
        supply_values(fac)  # no default for hospitals
    v, src = supply_values(fac, supply_defaults={"hospital": 50.0})
    assert v.tolist() == [DEFAULT_SUPPLY["chc"], DEFAULT_SUPPLY["chs_station"], 50.0, 10.0]
    assert src.iloc[0] == "toolkit default (not from the plans): category chc"
    assert src.iloc[2] == "supply_defaults: category hospital"
    v, src = supply_values(fac, supply_column="doctors")
    assert v.tolist() == [12.0, 3.0, 80.0, 9.0] and set(src) == {"column doctors"}
    with pytest.raises(LayerError, match="beds"):
        supply_values(fac, supply_column="beds")
    with pytest.raises(AccessibilityError, match="missing or negative"):
        supply_values(fac.assign(doctors=[1, None, 2, 3]), supply_column="doctors")


@pytest.fixture(scope="module")
def city():
    g = street_grid(20, 20, spacing_m=90.0, seed=3)
    net = Network.from_arrays(g.node_xy, g.edge_u, g.edge_v)
    rng = np.random.default_rng(3)
    lo, hi = g.node_xy.min(axis=0), g.node_xy.max(axis=0)
    people = pts(rng.uniform(lo, hi, size=(250, 2)),
                 population=rng.integers(10, 800, 250).astype(float))
    people.index = [f"p{i}" for i in range(len(people))]
    fac = pts(rng.uniform(lo, hi, size=(6, 2)),
              category=["chc", "chc", "chs_station", "chs_station", "chs_station", "chc"],
              tier=["centre", "centre", "station", "station", "station", "centre"],
              doctors=[15.0, 8.0, 2.0, 3.0, 1.0, 11.0])
    return net, fac, people


@pytest.mark.parametrize("method", ["2sfca", "e2sfca"])
def test_layer_wrapper_equals_two_step_on_reach_pairs(city, method: str) -> None:
    net, fac, people = city
    f0, p0 = fac.copy(), people.copy()
    res = accessibility(net, fac, people, supply_column="doctors", max_dist_m=600, method=method)
    pd.testing.assert_frame_equal(fac, f0)
    pd.testing.assert_frame_equal(people, p0)
    cost = reach_pairs(net, fac, people, max_dist_m=600)
    acc, ratio = two_step_fca(cost, fac["doctors"].reset_index(drop=True),
                              people["population"].reset_index(drop=True), max_cost=600,
                              decay=e2sfca_steps(600) if method == "e2sfca" else None)
    np.testing.assert_allclose(res.population["accessibility"].to_numpy(), acc.to_numpy(),
                               rtol=1e-12)
    np.testing.assert_allclose(res.facilities["ratio"].to_numpy(), ratio.to_numpy(), rtol=1e-12)
    assert res.population.index.equals(people.index)
    s = res.summary
    assert s["method"] == method and s["units"] == "supply per 1000 people"
    assert s["supply_total"] == fac["doctors"].sum()
    assert 0 <= s["share_zero"] < 1 and s["mean_accessibility"] > 0
    assert s["decay"].startswith("steps" if method == "e2sfca" else "none")
    # conservation on the layer: people x accessibility adds up to the reachable supply
    reach = np.isfinite(res.facilities["ratio"])
    total = (res.population["accessibility"] * people["population"]).sum() / 1000
    assert total == pytest.approx(fac.loc[reach.to_numpy(), "doctors"].sum(), rel=1e-9)


def test_layer_wrapper_defaults_and_off_network_points(city) -> None:
    net, fac, people = city
    far = pts([(0.0, 0.0)], population=[500.0])
    far.index = ["far"]
    res = accessibility(net, fac.drop(columns="doctors"), pd.concat([people, far]),
                        max_dist_m=800, method="e2sfca", decay="gaussian")
    assert np.isnan(res.population.loc["far", "accessibility"])
    assert res.population.loc["far", "snap_status"] == "beyond_snap_limit"
    assert res.summary["population_off_network"] == 500.0
    assert "toolkit default (not from the plans)" in res.summary["supply_source"]
    assert res.facilities["supply"].tolist() == [10.0, 10.0, 2.0, 2.0, 2.0, 10.0]
    assert res.summary["decay"].startswith("gaussian")
    with pytest.raises(AccessibilityError, match="e2sfca"):
        accessibility(net, fac, people, supply_column="doctors", decay="gaussian")
    with pytest.raises(AccessibilityError, match="method"):
        accessibility(net, fac, people, method="3sfca")  # type: ignore[arg-type]
    with pytest.raises(LayerError, match="population"):
        accessibility(net, fac, people.drop(columns="population"))
