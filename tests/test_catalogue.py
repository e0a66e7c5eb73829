"""The whole catalogue: every spatially measurable target of METRICS.md is an entry or a reasoned
exclusion; quotes verbatim with their chapter and in each plan's order; 专栏1 baselines as
printed; the new kinds of entry by hand on tiny layers; on the sample, every entry either has a
value that makes sense or says which layer it needs and how to supply it."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from jinan_gis.analyses.catalogue import CATALOGUE, CHAPTERS_EN, PLAN_ORDER, get_metric
from jinan_gis.analyses.catalogue_exclusions import EXCLUSION_KINDS, EXCLUSIONS
from jinan_gis.analyses.catalogue_metric import KIND_RULES, LICHENG, SHIZHONG
from jinan_gis.analyses.report import AnalysisInputs, evaluate
from jinan_gis.layers.taxonomy import classify_name, get_category

CRS = "EPSG:4548"
_HEADING = re.compile(r"^(第[一二三四五六七八九十]+章.*|[一二三四五六七八九十]+、.*)$", re.M)


def _plans(shared_dir: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in (shared_dir / "plans").glob("0*.txt")}


def _frags(text: str) -> list[str]:
    return re.findall(r"「([^」]+)」", text)


# ------------------------------------------------------------------------ breadth and sources
def test_at_least_forty_entries_each_complete() -> None:
    assert len(CATALOGUE) >= 40
    ids = [m.id for m in CATALOGUE]
    assert len(ids) == len(set(ids))
    for m in CATALOGUE:
        assert m.kind in KIND_RULES, m.id
        assert m.plan_scope in {"L", "S", "JN", "SD", "GB"}, m.id
        assert set(m.scope) <= {LICHENG, SHIZHONG} and m.scope, m.id
        if m.plan_scope == "L":
            assert m.scope == (LICHENG,), m.id
        if m.plan_scope == "S":
            assert m.scope == (SHIZHONG,), m.id
        assert m.applies in {"district", "city_total"}, m.id
        assert m.rule_text.endswith(".") and len(m.rule_text) > 30, m.id
        assert m.chapter in CHAPTERS_EN, m.id
        assert m.refs or m.basis == "national standard", m.id
        if m.target is not None and m.year[:4].isdigit() and "achieved" not in m.year:
            assert m.target_year == int(m.year[:4]), m.id
        for c in m.categories:
            get_category(c)  # every category exists in the taxonomy
    # a city- or province-wide target says why (and how) it holds for the two districts
    for m in CATALOGUE:
        if m.plan_scope in ("JN", "SD"):
            assert len(m.notes) > 15, m.id
            if m.applies == "city_total":
                assert "contribution" in m.notes, m.id
    # in plan order: the file numbers never go back
    rank = [PLAN_ORDER.index(m.source_file) for m in CATALOGUE]
    assert rank == sorted(rank)


def test_quotes_are_verbatim_under_their_chapter_in_the_plans_order(shared_dir) -> None:
    plans = _plans(shared_dir)
    last: dict[str, int] = {}
    for m in CATALOGUE:
        if m.source_file not in plans:
            assert m.basis == "national standard" and m.source_file == "GB 50180-2018"
            continue
        text = plans[m.source_file]
        frags = _frags(m.quote)
        assert frags, m.id
        for f in frags:
            assert f in text, (m.id, f)  # verbatim, spaces and all
        for f in _frags(m.reported_quote):
            assert f in plans["000_13695917f30c47f9.txt"], (m.id, f)
        pos = text.find(frags[0])
        heads = [h for h in _HEADING.finditer(text) if h.start() < pos]
        chapters = [h for h in heads if h.group(0).startswith("第")] or heads
        assert chapters[-1].group(0).strip() == m.chapter, (m.id, chapters[-1].group(0))
        assert pos >= last.get(m.source_file, -1), f"{m.id} is out of the plan's order"
        last[m.source_file] = pos


def test_zhuanlan1_rows_give_the_baselines_and_targets(shared_dir) -> None:
    """Each entry quoting a row of 专栏1 has that row's 2020 / 2025 / 2035 values."""
    text = _plans(shared_dir)["002_248ac38be71e6bc0.txt"]
    table = {}
    for line in text.splitlines():
        cells = line.split("\t")
        if len(cells) == 6 and cells[0].strip().isdigit():
            table[int(cells[0])] = [c.strip() for c in cells]
    assert len(table) == 22
    seen = 0
    for m in CATALOGUE:
        hit = re.match(r"专栏1 row (\d+): 「([^」]+)」", m.quote)
        if not hit:
            continue
        seen += 1
        row = table[int(hit[1])]
        assert row[1] == hit[2], m.id
        scale = 100.0 if row[2] == "%" else 1.0
        if row[2] == "万个":
            scale = 1 / 10_000
        col = {2020: 3, 2025: 4, 2035: 5}
        if m.baseline is not None:
            assert float(row[col[m.baseline_year]].rstrip("*")) == pytest.approx(
                m.baseline * scale), m.id
        if m.target is not None and m.target_year in col:
            printed = row[col[m.target_year]].lstrip("<>[").rstrip("]")
            assert float(printed) == pytest.approx(m.target * scale), m.id
    assert seen >= 10


def _metrics_md_ids(shared_dir: Path) -> dict[str, list[str]]:
    """Section (a1 ... a7) -> the ids of its table rows, read from METRICS.md."""
    text = (shared_dir / "plans" / "METRICS.md").read_text(encoding="utf-8")
    out: dict[str, list[str]] = {}
    section = None
    for line in text.splitlines():
        head = re.match(r"### (a\d)\.", line)
        if head:
            section = head[1]
            out[section] = []
        elif line.startswith("## ") and not line.startswith("## (a)"):
            section = None
        elif section and (row := re.match(r"\| ([A-Z]\d+) \|", line)):
            out[section].append(row[1])
    return out


def test_every_metrics_md_target_is_an_entry_or_a_reasoned_exclusion(shared_dir) -> None:
    sections = _metrics_md_ids(shared_dir)
    assert sorted(sections) == ["a1", "a2", "a3", "a4", "a5", "a6", "a7"]
    ids = {i for v in sections.values() for i in v}
    assert len(ids) == sum(len(v) for v in sections.values()) > 130
    refs = {r for m in CATALOGUE for r in m.refs}
    assert refs <= ids, refs - ids
    assert set(EXCLUSIONS) <= ids, set(EXCLUSIONS) - ids
    assert not refs & set(EXCLUSIONS), refs & set(EXCLUSIONS)
    missing = ids - refs - set(EXCLUSIONS)
    assert not missing, f"METRICS.md targets with neither an entry nor a reason: {missing}"
    for key, (kind, reason) in EXCLUSIONS.items():
        assert kind in EXCLUSION_KINDS and len(reason) > 20, key
    # the radius / time-circle metrics (a1) are all entries
    assert set(sections["a1"]) <= refs
    # the kinds of reason fit the sections: a1, a2, a4, a7 are spatial by nature
    for key, (kind, _) in EXCLUSIONS.items():
        if kind == "inventory":
            assert key[0] in "BEGH", key


def test_every_type_the_targets_name_has_a_category() -> None:
    named = {"如康家园": "rukang_home", "百姓戏曲大舞台": "opera_stage",
             "王舍人街道医保工作站": "medins_station", "某村医保工作点": "medins_point",
             "泉城书房(洪楼店)": "quancheng_study", "泉城书屋": "quancheng_bookhouse",
             "某社区托育点": "childcare", "某村农村幸福院": "rural_happiness_home",
             "某社区助老食堂": "elderly_canteen", "某村快递进村站点": "express_point",
             "某街道综合养老服务中心": "elderly_care_centre",
             "某社区老年人日间照料中心": "day_care_centre",
             "某社区综合服务中心": "community_service_centre",
             "某街道综合文化站": "culture_station", "某区失能照护服务机构": "disabled_elderly_care",
             "某镇快递共配中心": "express_hub", "某5G基站": "base_station_5g",
             "某村卫生室": "village_clinic", "某街道文化广场": "culture_square"}
    for name, cat in named.items():
        got = classify_name(name)[0]
        assert got is not None and got.id == cat, (name, got)


# ------------------------------------------------------------------------ the kinds, by hand
def _by_hand_inputs(**kw) -> AnalysisInputs:
    """Licheng = x in [0, 1000), Shizhong = x in [1000, 2000); a street along y = 0."""
    districts = gpd.GeoDataFrame({"code": [LICHENG, SHIZHONG], "source": ["test"] * 2},
                                 geometry=[box(0, -500, 1000, 500), box(1000, -500, 2000, 500)],
                                 crs=CRS)
    streets = gpd.GeoDataFrame({"source": ["test"]},
                               geometry=[LineString([(0, 0), (2000, 0)])], crs=CRS)
    # A at x=100 (100 people, 50 aged 60+, 5 aged 0-2), B at x=900 (300 people, 10 aged 60+)
    people = gpd.GeoDataFrame(
        {"population": [100.0, 300.0, 600.0], "pop_60plus": [50.0, 10.0, 100.0],
         "pop_0_2": [5.0, 15.0, 10.0], "source": ["test"] * 3},
        geometry=[Point(100, 5), Point(900, 5), Point(1500, 5)], crs=CRS)
    fac = gpd.GeoDataFrame(
        {"category": ["day_care_centre", "childcare", "childcare", "chc", "hospital",
                      "quancheng_study", "quancheng_study", "elderly_facility"],
         "capacity": [np.nan, 1.0, 1.0, np.nan, np.nan, np.nan, np.nan, np.nan],
         "physicians": [np.nan, np.nan, np.nan, 1.0, 1.0, np.nan, np.nan, np.nan],
         "source": ["test"] * 8},
        geometry=[Point(150, 0), Point(300, 0), Point(1200, 0), Point(400, 0), Point(500, 0),
                  Point(600, 0), Point(1600, 0), Point(120, 50)], crs=CRS)
    communities = gpd.GeoDataFrame(
        {"zone_id": ["c1", "c2", "c3", "c4"], "zone_name": ["甲社区", "乙社区", "丙村", "丁村"],
         "urban": [True, True, False, False], "source": ["test"] * 4},
        geometry=[box(0, -500, 250, 500), box(250, -500, 500, 500), box(500, -500, 750, 500),
                  box(750, -500, 1000, 500)], crs=CRS)
    villages = gpd.GeoDataFrame(
        {"zone_name": [f"村{i}" for i in range(5)], "sewage_treated": [1, 1, 1, 1, 0],
         "source": ["test"] * 5},
        geometry=[box(i * 200, 100, i * 200 + 200, 300) for i in range(5)], crs=CRS)
    forest = gpd.GeoDataFrame({"source": ["test"]}, geometry=[box(0, -500, 500, -36.8)],
                              crs=CRS)
    base = dict(districts=districts, streets=streets, facilities=fac, population=people,
                extra={"communities": communities, "villages": villages, "forest": forest})
    base.update(kw)
    return AnalysisInputs(**base)


def _rows(inputs: AnalysisInputs, ids: list[str], **kw) -> pd.DataFrame:
    rep = evaluate(inputs, metrics=[get_metric(i) for i in ids], progress=False,
                   service_area_metric=None, **kw)
    return rep.metrics.set_index(["metric_id", "district"]), rep


def test_counts_ratios_areas_and_units_by_hand() -> None:
    ids = ["L-CHILDCARE-5", "L-CHILDCARE-PER-UNDER3", "L-PHYSICIANS-2025", "L-FOREST",
           "JN-ELDERLY-URBAN-COMMUNITY", "JN-ELDERLY-RURAL-VILLAGE", "L-RURAL-SEWAGE-80",
           "L-QUANCHENG-STUDY-5", "JN-QUANCHENG-STUDY-50"]
    m, rep = _rows(_by_hand_inputs(), ids, evaluation_year=2023)
    L, S = LICHENG, SHIZHONG
    # 1 childcare place in Licheng for its 400 residents = 2.5 per 1,000 (plan's denominator)
    assert m.loc[("L-CHILDCARE-5", L), "value"] == pytest.approx(2.5)
    assert m.loc[("L-CHILDCARE-5", L), "status"] == "fail"
    assert m.loc[("L-CHILDCARE-5", L), "demand"] == "all residents (population)"
    # ... and 1 place for 20 children aged 0-2 = 50 per 1,000 under-3s
    under3 = m.loc[("L-CHILDCARE-PER-UNDER3", L)]
    assert under3["value"] == pytest.approx(50.0) and "aged 0-2" in under3["demand"]
    # 2 physicians for 400 residents = 5 per 1,000 >= 4.5
    assert m.loc[("L-PHYSICIANS-2025", L), "value"] == pytest.approx(5.0)
    assert m.loc[("L-PHYSICIANS-2025", L), "status"] == "pass"
    # forest 500 x 463.2 m of the 1000 x 1000 m district = 23.16 %
    assert m.loc[("L-FOREST", L), "value"] == pytest.approx(0.2316)
    assert m.loc[("L-FOREST", L), "status"] == "no numeric target"
    # urban communities: 甲 holds the day-care centre and the other elderly facility, 乙 none
    assert m.loc[("JN-ELDERLY-URBAN-COMMUNITY", L), "value"] == pytest.approx(0.5)
    assert m.loc[("JN-ELDERLY-RURAL-VILLAGE", L), "value"] == 0.0
    # no community polygon in Shizhong: said so, no value
    assert m.loc[("JN-ELDERLY-URBAN-COMMUNITY", S), "status"] == (
        f"needs layer: urban communities of {S} (the communities layer has none inside this "
        "district)")
    # 4 of 5 villages with sewage treated = 80 % >= 80 %
    assert m.loc[("L-RURAL-SEWAGE-80", L), "value"] == pytest.approx(0.8)
    assert m.loc[("L-RURAL-SEWAGE-80", L), "status"] == "pass"
    # counts: 1 study room in Licheng (< 5); the city-wide 50 is not a district target
    assert m.loc[("L-QUANCHENG-STUDY-5", L), "value"] == 1.0
    assert m.loc[("L-QUANCHENG-STUDY-5", L), "status"] == "fail"
    city = m.loc[("JN-QUANCHENG-STUDY-50", S)]
    assert city["value"] == 1.0 and city["status"] == "no district target"
    # progress: physicians 5.0 in 2023 against the 3.8 (2020) -> 4.5 (2025) line: met
    prog = rep.tables["progress"].set_index(["metric_id", "district"])
    assert prog.loc[("L-PHYSICIANS-2025", L), "verdict"] == "met"
    assert prog.loc[("L-PHYSICIANS-2025", L), "expected"] == pytest.approx(3.8 + 0.7 * 3 / 5)
    assert prog.loc[("L-RURAL-SEWAGE-80", L), "reported_verdict"] == \
        "not yet met (no baseline to interpolate)"  # 53.2 % in 2023, no 2020 value


def test_elderly_coverage_weights_people_aged_60_plus() -> None:
    m, rep = _rows(_by_hand_inputs(), ["GB-ELDERLY-DAYCARE-60PLUS"])
    row = m.loc[("GB-ELDERLY-DAYCARE-60PLUS", LICHENG)]
    tab = rep.tables[f"coverage GB-ELDERLY-DAYCARE-60PLUS {LICHENG}"].iloc[0]
    assert tab["population"] == 60.0 and tab["demand"] == "residents aged 60+ (pop_60plus)"
    # the day-care centre at x=150: A (50 aged 60+) is 55 m away, B (10 aged 60+) 755 m
    assert row["value"] == pytest.approx(50 / 60)  # by all residents it would be 100/400
    assert row["demand"] == "residents aged 60+ (pop_60plus)"
    assert "demand: residents aged 60+" in row["scope_used"]
    # without the age column: says so, never falls back on all residents
    pop = _by_hand_inputs().population.drop(columns=["pop_60plus"])
    m, _ = _rows(_by_hand_inputs(population=pop), ["GB-ELDERLY-DAYCARE-60PLUS"])
    status = m.loc[("GB-ELDERLY-DAYCARE-60PLUS", LICHENG), "status"]
    assert status.startswith("needs layer: population with age columns (people aged 60+)")
    assert pd.isna(m.loc[("GB-ELDERLY-DAYCARE-60PLUS", LICHENG), "value"])


def test_missing_layers_columns_and_types_are_named_with_how_to_supply_them() -> None:
    inp = _by_hand_inputs(extra={})
    fac = inp.facilities.drop(columns=["physicians"])
    m, _ = _rows(AnalysisInputs(districts=inp.districts, streets=inp.streets, facilities=fac,
                                population=inp.population),
                 ["L-FOREST", "L-PHYSICIANS-2025", "L-RUKANG-PER-SUBDISTRICT",
                  "JN-COMMUNITY-SERVICE-FULL", "JN-COMMUTE-1H"])
    st = m["status"]
    assert st[("L-FOREST", LICHENG)].startswith("needs layer: forest (")
    assert "--as osm" in st[("L-FOREST", LICHENG)]
    assert st[("L-PHYSICIANS-2025", LICHENG)].startswith("needs layer: physicians of the ")
    assert "zones" in st[("L-RUKANG-PER-SUBDISTRICT", LICHENG)]
    assert "communities (社区/村 polygons" in st[("JN-COMMUNITY-SERVICE-FULL", SHIZHONG)]
    assert "regional_network" in st[("JN-COMMUTE-1H", LICHENG)]
    assert m["value"].isna().all()


# ------------------------------------------------------------------------ the sample
@pytest.fixture(scope="module")
def sample_report():
    from jinan_gis.analyses.inputs import inputs_from_sample

    inputs = inputs_from_sample(scale=0.1)
    return inputs, evaluate(inputs, progress=False)


def test_every_entry_is_evaluated_with_sense_or_names_the_layer_it_needs(sample_report) -> None:
    _, rep = sample_report
    got = rep.metrics.set_index(["metric_id", "district"])
    expected = {(m.id, c) for m in CATALOGUE for c in m.scope}
    assert set(got.index) == expected
    for (mid, _code), r in got.iterrows():
        m = get_metric(mid)
        status = r["status"]
        if status.startswith("needs layer: "):
            assert "(" in status and pd.isna(r["value"]), (mid, status)  # how to supply it
            continue
        assert status in {"pass", "fail", "no numeric target", "no district target"}, status
        v = float(r["value"])
        if m.kind in ("coverage", "zone_presence", "life_circle", "area_share",
                      "unit_share"):
            assert 0.0 <= v <= 1.0, (mid, v)
        elif m.kind == "count":
            assert v == int(v) and v >= 0, (mid, v)
        else:
            assert np.isfinite(v) and v > 0, (mid, v)
        assert r["synthetic_inputs"] and r["data_note"]  # the sample is labelled synthetic
    # the scope of city-wide targets is stated on the row
    assert "contribution" in got.loc[("JN-QUANCHENG-STUDY-50", LICHENG), "notes"]
    assert got.loc[("JN-QUANCHENG-STUDY-50", LICHENG), "applies"] == "city_total"
    # the sample's demand columns are used: the 60+ coverage is evaluated in both districts
    assert (got.loc["GB-ELDERLY-DAYCARE-60PLUS", "status"] == "no numeric target").all()
    assert set(rep.tables["overview"].columns) >= {"met", "failed", "not measurable"}
    total = rep.tables["overview"].iloc[-1]
    assert total["rows"] == len(got) == (total["met"] + total["failed"]
                                          + total["no numeric target"]
                                          + total["no district target"]
                                          + total["not measurable"])
