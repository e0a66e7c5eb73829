"""Coverage metrics, the catalogue and the report: hand-checkable cases on tiny networks."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from jinan_gis.analyses.catalogue import CATALOGUE, catalogue_table, get_metric
from jinan_gis.analyses.coverage import coverage, place_population
from jinan_gis.analyses.gaps import find_gaps
from jinan_gis.analyses.life_circle import life_circle
from jinan_gis.analyses.report import AnalysisInputs, evaluate
from jinan_gis.geo.errors import JinanGISError, LayerError
from jinan_gis.geo.network import Network, build_network
from jinan_gis.geo.synthetic import street_grid

CRS = "EPSG:4548"


def gdf(rows: list[dict], xy: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=[Point(p) for p in xy], crs=CRS)


# A 2 km street along y=0 from x=0 to x=2000; district A is x < 1000, district B is x >= 1000.
def line_network() -> Network:
    return Network.from_arrays([[0, 0], [1000, 0], [2000, 0]], [0, 1], [1, 2])


def districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["370112", "370103"], "name_zh": ["历城区", "市中区"],
         "source": ["test", "test"]},
        geometry=[box(-100, -500, 1000, 500), box(1000, -500, 2100, 500)], crs=CRS,
    )


def test_coverage_three_people_one_clinic_by_hand() -> None:
    # people at 100, 600 and 1500 m along the street, 10 m off it; clinic at x=0
    people = gdf([{"population": 10.0}, {"population": 20.0}, {"population": 30.0}],
                 [(100, 10), (600, -10), (1500, 10)])
    clinic = gdf([{"category": "chc"}], [(0, 0)])
    t = coverage(line_network(), clinic, people, max_dist_m=1000).iloc[0]
    assert t["population"] == 60.0
    assert t["covered_network"] == 30.0  # 100 m and 600 m away; 1500 m is too far
    assert t["share_network"] == pytest.approx(0.5)
    # straight line gives the same here (the street is straight)
    assert t["covered_straight"] == 30.0


def test_network_and_straight_line_differ_on_a_detour() -> None:
    # a U-shaped street: clinic and person 200 m apart in a straight line, 1200 m by street
    net = Network.from_arrays([[0, 0], [0, 500], [200, 500], [200, 0]], [0, 1, 2], [1, 2, 3])
    clinic = gdf([{"category": "chc"}], [(0, 0)])
    people = gdf([{"population": 5.0}], [(200, 0)])
    t = coverage(net, clinic, people, max_dist_m=1000).iloc[0]
    assert t["share_straight"] == 1.0
    assert t["share_network"] == 0.0


def test_clinic_across_the_border_covers_people_inside() -> None:
    # person in district A at x=900; the only clinic is in district B at x=1300 (400 m away)
    people = gdf([{"population": 7.0, "district_code": "370112"}], [(900, 5)])
    clinics = gdf([{"category": "chc", "source": "test"}], [(1300, 0)])
    t = coverage(line_network(), clinics, people, max_dist_m=1000, by="district_code")
    assert t.loc["370112", "share_network"] == 1.0


def test_people_off_the_network_are_reported_not_dropped() -> None:
    people = gdf([{"population": 10.0}, {"population": 90.0}], [(100, 5), (500, 5000)])
    clinic = gdf([{"category": "chc"}], [(0, 0)])
    placed = place_population(line_network(), people, max_snap_m=200)
    t = coverage(line_network(), clinic, placed, max_dist_m=1000).iloc[0]
    assert t["population"] == 100.0
    assert t["not_placed"] == 90.0
    assert t["share_not_placed"] == pytest.approx(0.9)
    assert t["share_network"] == 1.0  # of the placed people


def test_population_without_weights_is_a_clear_error() -> None:
    with pytest.raises(LayerError, match="no 'population' column"):
        place_population(line_network(), gdf([{"x": 1}], [(0, 0)]))


def test_category_filter_and_groups() -> None:
    people = gdf([{"population": 1.0}], [(100, 0)])
    fac = gdf([{"category": "library", "group": "culture"}], [(0, 0)])
    assert coverage(line_network(), fac, people, max_dist_m=500,
                    categories=["chc"]).iloc[0]["share_network"] == 0.0
    assert coverage(line_network(), fac, people, max_dist_m=500,
                    categories="culture").iloc[0]["share_network"] == 1.0


def test_coverage_agrees_with_networkx_on_a_larger_graph() -> None:
    g = street_grid(40, 40, seed=11)
    net = Network.from_arrays(g.node_xy, g.edge_u, g.edge_v)
    rng = np.random.default_rng(3)
    people_nodes = rng.choice(net.n_nodes, 300, replace=False)
    fac_nodes = rng.choice(net.n_nodes, 8, replace=False)
    w = rng.uniform(1, 100, 300)
    people = gpd.GeoDataFrame({"population": w}, geometry=gpd.points_from_xy(
        *net.node_xy[people_nodes].T), crs=CRS)
    fac = gpd.GeoDataFrame({"category": ["chc"] * 8}, geometry=gpd.points_from_xy(
        *net.node_xy[fac_nodes].T), crs=CRS)
    G = nx.Graph()
    for a, b, length in zip(net.edge_u, net.edge_v, net.edge_length, strict=True):
        G.add_edge(int(a), int(b), w=float(length))
    d = nx.multi_source_dijkstra_path_length(G, set(map(int, fac_nodes)), weight="w")
    want = sum(wi for n, wi in zip(people_nodes, w, strict=True) if d.get(int(n), 1e18) <= 800)
    t = coverage(net, fac, people, max_dist_m=800).iloc[0]
    assert t["covered_network"] == pytest.approx(want)


def test_life_circle_by_hand() -> None:
    net = line_network()
    people = gdf([{"population": 1.0}, {"population": 3.0}], [(100, 0), (1900, 0)])
    fac = gdf([{"category": "school"}, {"category": "market"}, {"category": "school"}],
              [(0, 0), (400, 0), (2000, 0)])
    spec = {"max_dist_m": 500.0, "types": {"school": ("school",), "market": ("market",)}}
    r = life_circle(net, fac, place_population(net, people), circle=spec)
    assert r["complete"].tolist() == [True, False]
    assert r["score"].tolist() == [1.0, 0.5]


def test_gaps_rank_by_population() -> None:
    people = gdf([{"population": 1.0}, {"population": 50.0}, {"population": 9.0}],
                 [(10, 10), (3000, 3000), (3600, 3000)])
    g = find_gaps(people, np.array([False, False, False]), cell_m=500)
    assert g["population"].tolist() == [59.0, 1.0]
    assert g["rank"].tolist() == [1, 2]
    assert find_gaps(people, np.array([True, True, True])).empty


# ------------------------------------------------------------------ catalogue and report
def test_catalogue_ids_unique_and_sourced() -> None:
    ids = [m.id for m in CATALOGUE]
    assert len(ids) == len(set(ids))
    for m in CATALOGUE:
        if m.basis == "national standard":
            assert m.source_file == "GB 50180-2018" and "GB 50180-2018" in m.quote
        else:  # a plan's target (its threshold may be a toolkit default, labelled so)
            assert m.source_file.endswith(".txt") and "「" in m.quote, m.id
            assert m.basis == "plan" or "toolkit" in m.basis, (m.id, m.basis)
    t = catalogue_table()
    assert set(t["id"]) == set(ids)
    assert get_metric("S-CULTURE-15-30").distance_m(rural=True) == pytest.approx(2000.0)
    with pytest.raises(JinanGISError, match="unknown metric"):
        get_metric("nope")


def test_plan_quotes_are_verbatim(shared_dir) -> None:
    """Every quote fragment inside 「」 appears in the cited plan document."""
    import re

    plans = shared_dir / "plans"
    for m in CATALOGUE:
        if m.basis == "national standard":
            continue
        text = (plans / m.source_file).read_text(encoding="utf-8")
        norm = re.sub(r"\s+", "", text)
        for frag in re.findall(r"「([^」]+)」", m.quote):
            f = re.sub(r"\s+", "", frag)
            assert f in norm, (m.id, frag)


def _tiny_inputs(**kw) -> AnalysisInputs:
    streets = gpd.GeoDataFrame(
        {"source": ["test", "test"]},
        geometry=[
            gpd.GeoSeries.from_wkt(["LINESTRING (0 0, 1000 0)"]).iloc[0],
            gpd.GeoSeries.from_wkt(["LINESTRING (1000 0, 2000 0)"]).iloc[0],
        ],
        crs=CRS,
    )
    people = gdf(
        [{"population": 10.0, "source": "test"}, {"population": 20.0, "source": "test"},
         {"population": 30.0, "source": "test"}],
        [(100, 10), (800, -10), (1500, 10)],
    )
    fac = gdf(
        [{"category": "chs_station", "group": "clinic", "source": "test"},
         {"category": "elderly_care_centre", "group": "elderly", "source": "test"}],
        [(1100, 0), (1800, 0)],
    )
    zones = gpd.GeoDataFrame(
        {"zone_id": ["a", "b"], "zone_name": ["甲街道", "乙街道"],
         "district_code": ["370112", "370103"], "in_plan_scope": [True, True],
         "source": ["test", "test"]},
        geometry=[box(-100, -500, 1000, 500), box(1000, -500, 2100, 500)], crs=CRS,
    )
    base = {"districts": districts(), "streets": streets, "facilities": fac,
            "population": people, "zones": zones}
    base.update(kw)
    return AnalysisInputs(**{k: v for k, v in base.items() if v is not None})


def test_evaluate_by_hand_with_border_effect() -> None:
    rep = evaluate(_tiny_inputs(), progress=False, service_area_metric=None)
    m = rep.metrics.set_index(["metric_id", "district"])
    # Licheng (x < 1000): people at (100, 10) and (800, -10); the station is at 1100 on the
    # street. With the access legs (counted by default): 10 + 1000 = 1010 m (not covered) and
    # 10 + 300 = 310 m (covered, across the border) -> 20 of 30
    row = m.loc[("L-CLINIC-1000", "370112")]
    assert row["value"] == pytest.approx(20 / 30)
    assert row["status"] == "fail"
    assert row["not_placed"] == 0.0
    # elderly-care centre: only in zone b (Shizhong)
    assert m.loc[("JN-ELDERLY-PER-SUBDISTRICT", "370112"), "value"] == 0.0
    assert m.loc[("JN-ELDERLY-PER-SUBDISTRICT", "370103"), "value"] == 1.0
    assert m.loc[("JN-ELDERLY-PER-SUBDISTRICT", "370103"), "status"] == "pass"
    # no culture facilities at all: a clear "needs layer", not 0 %
    assert m.loc[("S-CULTURE-15-30", "370103"), "status"].startswith("needs layer: facilities")
    # no old-town zone given
    assert "old_town" in m.loc[("JN-CONVENIENCE-15-OLDTOWN", "370112"), "status"]
    # parks without areas
    assert "park areas" in m.loc[("L-PARK-2025", "370112"), "status"] or m.loc[
        ("L-PARK-2025", "370112"), "status"].startswith("needs layer: facilities")
    assert not rep.synthetic
    assert "SYNTHETIC" not in rep.summary_markdown()


def test_evaluate_without_zones_marks_zone_metrics() -> None:
    rep = evaluate(_tiny_inputs(zones=None), progress=False, service_area_metric=None)
    st = rep.metrics.set_index(["metric_id", "district"])["status"]
    assert st[("L-ELDERLY-60", "370112")].startswith("needs layer: zones (sub-district ")
    assert st[("L-CLINIC-1000", "370112")] in ("pass", "fail")


def test_per_capita_park_area_by_hand() -> None:
    inp = _tiny_inputs()
    parks = gdf([{"category": "park", "group": "park", "area_m2": 450.0, "source": "test"}],
                [(500, 100)])
    inp.facilities = pd.concat([inp.facilities, parks], ignore_index=True)
    rep = evaluate(inp, progress=False, service_area_metric=None)
    m = rep.metrics.set_index(["metric_id", "district"])
    # 450 m² for the 30 residents of Licheng = 15 m² each
    assert m.loc[("L-PARK-2025", "370112"), "value"] == pytest.approx(15.0)
    assert m.loc[("L-PARK-2025", "370112"), "status"] == "pass"
    assert m.loc[("L-PARK-2035", "370112"), "status"] == "pass"


def test_report_on_the_synthetic_sample_says_so() -> None:
    from jinan_gis.layers.sample import build_sample, old_town_zone

    s = build_sample(scale=0.1, seed=3)
    inp = AnalysisInputs(districts=s.districts, streets=s.streets, facilities=s.facilities,
                         population=s.population, zones=s.zones, old_town=old_town_zone())
    rep = evaluate(inp, progress=False)
    assert rep.synthetic
    assert rep.metrics["synthetic_inputs"].all()
    md = rep.summary_markdown()
    assert "SYNTHETIC SAMPLE" in md and "合成样例数据" in md
    # every entry the sample's layers can answer is evaluated; the others say which layer
    # (or facility type) the sample lacks, and that is true of the sample
    have = inp.available()
    cats = set(s.facilities["category"])
    for r in rep.metrics.itertuples():
        m = get_metric(r.metric_id)
        lacks = [n for n in m.needs if n not in have]
        no_cats = bool(m.categories) and "facilities" in m.needs and not set(m.categories) & cats
        no_col = m.count_column is not None and no_cats is False
        if r.status.startswith("needs layer"):
            assert lacks or no_cats or no_col, (r.metric_id, r.status)
            assert pd.isna(r.value), r.metric_id  # never a made-up value
        else:
            assert r.status in {"pass", "fail", "no numeric target", "no district target"}
            assert not lacks and not no_cats, (r.metric_id, r.status)
            assert not pd.isna(r.value), r.metric_id
    assert {"service_areas", "coverage_grid", "gaps"} <= set(rep.places)
    sa = rep.places["service_areas"].set_index("max_dist_m").geometry
    assert sa[300.0].difference(sa[1000.0]).area < 1.0


def test_build_network_from_the_sample_streets_is_connected() -> None:
    from jinan_gis.layers.sample import build_sample

    s = build_sample(districts=("370103",), scale=0.1, seed=2)
    net = build_network(s.streets)
    share_main = 1 - net.node_is_island.mean()
    assert share_main > 0.99


def test_culture_urban_15_and_rural_30_minutes_by_hand() -> None:
    # Shizhong (x >= 1000): an urban person 1200 m from the library (beyond 15 min = 1000 m)
    # and a rural person 1500 m from it (within 30 min = 2000 m)
    streets = gpd.GeoDataFrame(
        {"source": ["test"]}, geometry=gpd.GeoSeries.from_wkt(["LINESTRING (0 0, 4000 0)"]),
        crs=CRS)
    people = gdf([{"population": 4.0, "source": "test"}, {"population": 6.0, "source": "test"}],
                 [(1300, 5), (3600, 5)])
    lib = gdf([{"category": "library", "group": "culture", "source": "test"}], [(2100, 0)])
    zones = gpd.GeoDataFrame(
        {"zone_id": ["u", "r"], "zone_name": ["城区街道", "山区街道"],
         "district_code": ["370103", "370103"], "urban": [True, False], "source": "test"},
        geometry=[box(1000, -500, 2500, 500), box(2500, -500, 4100, 500)], crs=CRS)
    dists = gpd.GeoDataFrame({"code": ["370103"], "source": ["test"]},
                             geometry=[box(1000, -500, 4100, 500)], crs=CRS)
    inp = AnalysisInputs(districts=dists, streets=streets, facilities=lib, population=people,
                         zones=zones)
    rep = evaluate(inp, progress=False, service_area_metric=None)
    row = rep.metrics.set_index("metric_id").loc["S-CULTURE-15-30"]
    # urban person: 800 m -> covered; rural person: 1500 m -> covered within 2000 m
    assert row["value"] == pytest.approx(1.0)
    # move the urban person to 1099 m from the library: beyond 15 min (6 of 10 covered)
    people2 = gdf([{"population": 4.0, "source": "test"}, {"population": 6.0, "source": "test"}],
                  [(1001, 5), (3600, 5)])
    zones2 = zones.copy()
    zones2.loc[0, "geometry"] = box(900, -500, 2500, 500)
    dists2 = dists.copy()
    dists2.loc[0, "geometry"] = box(900, -500, 4100, 500)
    rep2 = evaluate(AnalysisInputs(districts=dists2, streets=streets, facilities=lib,
                                   population=people2, zones=zones2),
                    progress=False, service_area_metric=None)
    row2 = rep2.metrics.set_index("metric_id").loc["S-CULTURE-15-30"]
    assert row2["value"] == pytest.approx(0.6)
    assert "zone layer's 'urban' column" in row2["detail"]


def test_old_town_convenience_counts_only_people_inside_the_ring() -> None:
    streets = gpd.GeoDataFrame(
        {"source": ["test"]}, geometry=gpd.GeoSeries.from_wkt(["LINESTRING (0 0, 3000 0)"]),
        crs=CRS)
    people = gdf([{"population": 5.0, "source": "test"}, {"population": 50.0, "source": "test"}],
                 [(500, 5), (2900, 5)])
    shop = gdf([{"category": "supermarket", "group": "convenience", "source": "test"}],
               [(0, 0)])
    dists = gpd.GeoDataFrame({"code": ["370112"], "source": ["test"]},
                             geometry=[box(-10, -500, 3100, 500)], crs=CRS)
    ring = gpd.GeoDataFrame({"zone_id": ["old_town"], "source": ["test"]},
                            geometry=[box(-10, -500, 1000, 500)], crs=CRS)
    rep = evaluate(AnalysisInputs(districts=dists, streets=streets, facilities=shop,
                                  population=people, old_town=ring),
                   progress=False, service_area_metric=None)
    row = rep.metrics.set_index("metric_id").loc["JN-CONVENIENCE-15-OLDTOWN"]
    # only the person inside the ring counts, and is 500 m from the shop: 100 %
    assert row["value"] == pytest.approx(1.0)
    assert row["status"] == "no numeric target"
    assert "old-town zone" in row["scope_used"]


def test_district_without_residents_needs_population_not_zero() -> None:
    inp = _tiny_inputs()
    # keep only the people of Shizhong (x >= 1000)
    inp.population = inp.population[inp.population.geometry.x >= 1000].reset_index(drop=True)
    rep = evaluate(inp, progress=False, service_area_metric=None)
    st = rep.metrics.set_index(["metric_id", "district"])["status"]
    assert st[("L-CLINIC-1000", "370112")].startswith("needs layer: population of 370112")
    assert st[("JN-ELDERLY-PER-SUBDISTRICT", "370103")] == "pass"


def test_report_tables_carry_moved_next_to_not_placed(monkeypatch, tmp_path) -> None:
    """Coverage tables keep ``moved`` / ``share_moved`` (from analyses.coverage) next to
    ``not_placed``, in the metric rows, the per-sub-district tables and the workbook."""
    import openpyxl

    import jinan_gis.analyses.report as report_module
    from jinan_gis.analyses.export import write_excel

    real = report_module.coverage

    def with_moved(*args, **kw):  # one person moved in every group, columns last
        t = real(*args, **kw).drop(columns=["moved", "share_moved"], errors="ignore")
        return t.assign(moved=1.0, share_moved=1.0 / t["population"])

    monkeypatch.setattr(report_module, "coverage", with_moved)
    rep = evaluate(_tiny_inputs(), progress=False, service_area_metric=None)
    tab = rep.tables["coverage L-CLINIC-1000 370112"]
    group = ["moved", "share_moved", "moved_extra_m", "not_placed", "share_not_placed"]
    cols = list(tab.columns)
    i = cols.index("moved")
    assert cols[i:i + 5] == group
    row = rep.metrics.set_index(["metric_id", "district"]).loc[("L-CLINIC-1000", "370112")]
    assert row["moved"] == 1.0
    assert "moved off small street pieces" in row["detail"]
    mcols = list(rep.metrics.columns)
    i = mcols.index("moved")
    assert mcols[i:i + 2] == ["moved", "share_moved"]
    assert "not_placed" in mcols[i + 2:i + 4]
    from jinan_gis.analyses.export_excel import sheet_plan

    wb = openpyxl.load_workbook(write_excel(rep, tmp_path / "r.xlsx"), read_only=True)
    sheet_of = {p.key: p.name for p in sheet_plan(wb.sheetnames[:4], list(rep.tables))}
    head = next(wb[sheet_of["coverage L-CLINIC-1000 370112"]].iter_rows(values_only=True))
    j = head.index("移至主路网人口 moved")
    assert head[j + 1] == "移至主路网比例 share moved"
    assert "未接入路网人口 not placed" in head[j + 2:j + 4]


def test_every_report_states_what_is_measured(tmp_path) -> None:
    from jinan_gis.analyses.export import write_excel, write_summary
    from jinan_gis.analyses.report import MEASURE_NOTES

    rep = evaluate(_tiny_inputs(), progress=False, service_area_metric=None)
    md = rep.summary_markdown()
    for note in MEASURE_NOTES:
        assert note in md
    assert "access legs (home to street, street to facility) by default" in md
    assert "'moved'" in md and "'not placed'" in md
    assert "Demand: the residential population layer 'population' (source: test; 3 points, " \
           "60 residents)" in md
    assert write_summary(rep, tmp_path / "s.md").read_text(encoding="utf-8") == md
    notes = pd.read_excel(write_excel(rep, tmp_path / "r.xlsx"), sheet_name="说明 Notes")
    text = "\n".join(map(str, notes["说明 notes"]))
    assert all(n in text for n in MEASURE_NOTES) and "Demand: the residential" in text


def test_people_near_a_small_street_piece_are_moved_and_counted() -> None:
    """A person 10 m from a 100 m street piece that is not connected (an island) and 200 m
    from the main street is moved to it: placed, counted (covered: 200 + 600 m to the
    station), and reported in 'moved' with 190 extra metres walked."""
    inp = _tiny_inputs()
    island = gpd.GeoDataFrame({"source": ["test"]}, geometry=gpd.GeoSeries.from_wkt(
        ["LINESTRING (450 190, 550 190)"]), crs=CRS)
    inp.streets = pd.concat([inp.streets, island], ignore_index=True)
    inp.population = pd.concat(
        [inp.population, gdf([{"population": 5.0, "source": "test"}], [(500, 200)])],
        ignore_index=True)
    rep = evaluate(inp, progress=False, service_area_metric=None)
    tab = rep.tables["coverage L-CLINIC-1000 370112"].iloc[0]
    assert tab["moved"] == 5.0 and tab["not_placed"] == 0.0
    assert tab["moved_extra_m"] == pytest.approx(190.0)
    assert tab["covered_network"] == pytest.approx(25.0)  # 20 before + the moved 5
    row = rep.metrics.set_index(["metric_id", "district"]).loc[("L-CLINIC-1000", "370112")]
    assert row["moved"] == 5.0 and row["moved_extra_m"] == pytest.approx(190.0)
    assert "walking 190 m more on average" in row["detail"]
    assert any("moved to the main network" in n for n in rep.notes)
