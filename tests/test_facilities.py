"""Facility loaders and the taxonomy, on small real-format files made in the tests."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon, box

from jinan_gis.geo.datum import convert
from jinan_gis.geo.errors import CRSError, DatumError, InputDataError, JinanGISError
from jinan_gis.layers.facilities import (
    FACILITY_COLUMNS,
    facilities_from_osm,
    load_facilities,
    unknown_facilities,
)
from jinan_gis.layers.points import REASONS
from jinan_gis.layers.result import LoadResult
from jinan_gis.layers.taxonomy import (
    CATEGORIES,
    GROUPS,
    categories_in_group,
    categories_table,
    classify_name,
    classify_osm,
)

# WGS84 truth: (name, lon, lat) of places in Shizhong and Licheng.
TRUTH = [
    ("历城区洪家楼街道社区卫生服务中心", 117.0760, 36.6850),
    ("山大路社区卫生服务站", 117.0600, 36.6750),
    ("市中区图书馆", 116.9930, 36.6590),
    ("港沟街道综合养老服务中心", 117.1700, 36.6300),
    ("泉城广场文化广场", 117.0205, 36.6617),
]


def _truth_m() -> gpd.GeoSeries:
    lon = [t[1] for t in TRUTH]
    lat = [t[2] for t in TRUTH]
    return gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs("EPSG:4548")


def _check(res: LoadResult) -> None:
    """Row accounting and schema, asserted in every loader test."""
    assert res.n_kept + res.n_rejected == res.n_input
    res.check_accounting()
    assert tuple(res.layer.columns) == FACILITY_COLUMNS
    assert res.layer.crs.to_epsg() == 4548
    assert res.layer["facility_id"].is_unique
    assert list(res.rejected.columns[:2]) == ["input_row", "reason"]
    rows = sorted(res.layer["input_row"].tolist() + res.rejected["input_row"].tolist())
    assert rows == list(range(res.n_input))


# ------------------------------------------------------------------------------ taxonomy


@pytest.mark.parametrize(
    ("name", "expected", "tier"),
    [
        ("历城区洪家楼街道社区卫生服务中心", "chc", "centre"),
        ("济南市历城区王舍人街道社区卫生服务站", "chs_station", "station"),
        ("洪家楼街道社区卫生服务中心山大社区卫生服务站", "chs_station", "station"),
        ("港沟街道卫生院", "township_health_centre", "centre"),
        ("彩石镇卫生院", "township_health_centre", "centre"),
        ("唐王街道石河村卫生室", "village_clinic", "village"),
        ("山东大学齐鲁医院", "hospital", None),
        ("舜耕街道综合文化站", "culture_station", None),
        ("历城区图书馆", "library", None),
        ("市中区文化馆", "cultural_centre", None),
        ("泉城书房(英雄山店)", "quancheng_study", None),
        ("港沟文化广场", "culture_square", None),
        ("西彩石村农家书屋", "farm_bookhouse", None),
        ("历城区全民健身中心", "fitness_centre", None),
        ("济南体育公园", "sports_park", None),
        ("华山湖健身步道", "fitness_trail", None),
        ("社区足球场", "pitch", None),
        ("王舍人街道综合养老服务中心", "elderly_care_centre", "centre"),
        ("七里山社区老年人日间照料中心", "day_care_centre", "community"),
        ("杆石桥助老食堂", "elderly_canteen", None),
        ("济南市历城第二中学", "school", None),
        ("历城区实验小学附属幼儿园", "kindergarten", None),
        ("七里山农贸市场", "market", None),
        ("华联超市（洪家楼店）", "supermarket", None),
        ("济南地铁3号线王舍人站", "metro_station", None),
        ("洪家楼(公交站)", "bus_stop", None),
        ("公园路公交站", "bus_stop", None),
        ("泉城公园", "park", None),
    ],
)
def test_classify_name(name: str, expected: str, tier: str | None) -> None:
    cat, kw = classify_name(name)
    assert cat is not None and cat.id == expected, (name, cat, kw)
    assert cat.tier == tier
    assert kw in name


@pytest.mark.parametrize("name", ["某某物流有限公司", "", None, float("nan"), "山东大学"])
def test_unknown_names_stay_unknown(name: object) -> None:
    assert classify_name(name) == (None, None)


def test_taxonomy_table_and_groups() -> None:
    table = categories_table()
    assert table["id"].is_unique and len(table) == len(CATEGORIES)
    assert set(table["group"]) <= set(GROUPS)
    assert categories_in_group("clinic") == ("chc", "township_health_centre", "chs_station")
    for group in GROUPS:
        assert categories_in_group(group), group
    for group in ("culture", "fitness", "elderly", "education", "convenience", "transit", "park"):
        assert set(categories_in_group(group)) == set(table.loc[table["group"] == group, "id"])


def test_classify_osm_tags_and_name_refinement() -> None:
    assert classify_osm({"amenity": "clinic"}, name="燕山街道社区卫生服务中心")[0].id == "chc"
    assert classify_osm({"amenity": "doctors"})[0].id == "clinic_other"
    assert classify_osm({"railway": "station", "station": "subway"})[0].id == "metro_station"
    assert classify_osm({"railway": "station"})[0] is None
    assert classify_osm({"leisure": "park"}, name="济南体育公园")[0].id == "park"  # other group
    assert classify_osm({"shop": "supermarket;convenience"})[0].id == "supermarket"
    assert classify_osm({"social_facility:for": "senior"})[0].id == "elderly_facility"
    assert (
        classify_osm({"social_facility": "day_care", "social_facility:for": "senior"})[0].id
        == "day_care_centre"
    )
    assert classify_osm({"amenity": "bench"}, name="长椅") == (None, None)


# ------------------------------------------------------------------------------ shapefile


def _gbk_shapefile_without_cpg(path: Path, gdf: gpd.GeoDataFrame) -> Path:
    gdf.to_file(path, encoding="gbk", engine="pyogrio")
    path.with_suffix(".cpg").unlink()
    dbf = path.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    data[29] = 0  # no language driver id either: nothing in the file says GBK
    dbf.write_bytes(bytes(data))
    return path


def test_gbk_shapefile_epsg4527(tmp_path: Path) -> None:
    pts = _truth_m().to_crs("EPSG:4527")
    names = [t[0] for t in TRUTH]
    gdf = gpd.GeoDataFrame(
        {"名称": [*names, "北京某医院"], "床位": [50, 0, 0, 120, 0, 10]},
        geometry=[*pts, Point(39_950_000, 4_420_000)],  # last: Beijing-ish, outside Jinan
        crs="EPSG:4527",
    )
    shp = _gbk_shapefile_without_cpg(tmp_path / "设施.shp", gdf)
    res = load_facilities(shp, capacity_column="床位")
    _check(res)
    assert res.layer["name"].tolist() == names
    assert res.provenance["encoding"] == "gb18030"
    assert res.layer["category"].tolist() == [
        "chc",
        "chs_station",
        "library",
        "elderly_care_centre",
        "culture_square",
    ]
    assert res.layer["tier"].tolist()[:2] == ["centre", "station"]
    assert res.rejected["reason"].tolist() == ["outside Jinan"]
    assert res.rejected["名称"].tolist() == ["北京某医院"]
    assert res.layer["capacity"].tolist()[0] == 50.0
    assert res.layer["source"].unique().tolist() == ["设施.shp"]
    assert res.layer["datum_in"].unique().tolist() == ["wgs84"]
    dist = res.layer.geometry.distance(_truth_m(), align=False)
    assert float(dist.max()) < 0.01


def test_shapefile_encoding_option_and_missing_prj(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {"名称": ["市中区图书馆"]}, geometry=list(_truth_m()[2:3]), crs="EPSG:4548"
    )
    shp = _gbk_shapefile_without_cpg(tmp_path / "lib.shp", gdf)
    assert load_facilities(shp, encoding="gbk").layer["name"].tolist() == ["市中区图书馆"]
    shp.with_suffix(".prj").unlink()
    with pytest.raises(CRSError, match=r"lib\.shp has no CRS.*crs="):
        load_facilities(shp)
    res = load_facilities(shp, crs="EPSG:4548")
    _check(res)
    assert res.n_kept == 1


def test_vector_polygons_lines_and_empty_geometries_gcj02_layer() -> None:
    lon, lat = convert(117.0205, 36.6617, src="wgs84", dst="gcj02")
    gdf = gpd.GeoDataFrame(
        {"name": ["泉城公园", "健身步道", "空"]},
        geometry=[
            box(lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001),
            LineString([(lon, lat), (lon + 0.01, lat)]),
            Polygon(),
        ],
        crs="EPSG:4326",
    )
    before = gdf.copy()
    res = load_facilities(gdf, datum="amap")
    _check(res)
    pd.testing.assert_frame_equal(gdf, before)  # input not mutated
    assert res.rejected["reason"].tolist() == ["empty geometry"]
    assert res.layer["category"].tolist() == ["park", "fitness_trail"]
    truth = gpd.GeoSeries([Point(117.0205, 36.6617)], crs="EPSG:4326").to_crs("EPSG:4548")
    assert res.layer.geometry.iloc[0].distance(truth.iloc[0]) < 1.0


# ------------------------------------------------------------------------- Excel / CSV


def test_excel_gcj02_within_a_metre(tmp_path: Path) -> None:
    lon, lat = convert([t[1] for t in TRUTH], [t[2] for t in TRUTH], src="wgs84", dst="gcj02")
    df = pd.DataFrame(
        {
            "编号": ["F1", "F2", "F3", "F4", "F5"],
            "名称": [t[0] for t in TRUTH],
            "经度": lon,
            "纬度": lat,
        }
    )
    bad = pd.DataFrame(
        {
            "编号": ["F6", "F7", "F8", "F1", "F9", None],
            "名称": ["空坐标", "文字", "反了", "重复", "北京", "无编号"],
            "经度": [None, "东经117度", lat[0], lon[1], 116.39, lon[2]],
            "纬度": [None, 36.6, lon[0], lat[1], 39.9, lat[2]],
        }
    )
    path = tmp_path / "高德POI.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        pd.DataFrame({"说明": ["封面"]}).to_excel(xw, sheet_name="cover", index=False)
        pd.concat([df, bad], ignore_index=True).to_excel(xw, sheet_name="poi", index=False)
    res = load_facilities(path, datum="gcj02", sheet="poi", id_column="编号")
    _check(res)
    assert res.n_input == 11 and res.n_kept == 5
    assert res.layer["facility_id"].tolist() == ["F1", "F2", "F3", "F4", "F5"]
    assert res.rejected["reason"].tolist() == [
        "missing coordinates",
        "non-numeric coordinates",
        "lat/lon swapped?",
        "duplicate id",
        "outside Jinan",
        "missing id",
    ]
    assert res.layer["datum_in"].unique().tolist() == ["gcj02"]
    dist = res.layer.geometry.distance(_truth_m(), align=False)
    assert float(dist.max()) < 1.0
    # without the datum conversion they would be about 500 m off
    raw = load_facilities(path, datum="wgs84", sheet="poi", id_column="编号")
    assert float(raw.layer.geometry.distance(_truth_m(), align=False).min()) > 300


def test_csv_bd09_gbk_within_a_metre(tmp_path: Path) -> None:
    lon, lat = convert([t[1] for t in TRUTH], [t[2] for t in TRUTH], src="wgs84", dst="bd09")
    lines = ["name,type,lng,lat,beds"]
    types = ["社区卫生服务中心", "chs_station", "", "养老", "文化广场"]
    for (name, _, _), t, x, y in zip(TRUTH, types, lon, lat, strict=True):
        lines.append(f"{name},{t},{x:.10f},{y:.10f},12")
    lines.append("无穷,,inf,36.6,1")
    path = tmp_path / "baidu.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    res = load_facilities(path, datum="baidu", category_column="type", capacity_column="beds")
    _check(res)
    assert res.provenance["encoding"] == "gb18030"
    assert res.provenance["lon_column"] == "lng"
    assert res.rejected["reason"].tolist() == ["non-finite coordinates (NaN/inf)"]
    assert res.layer["category"].tolist() == [
        "chc",
        "chs_station",
        "library",
        "elderly_care_centre",
        "culture_square",
    ]
    assert res.provenance["category_from"] == {"column": 3, "name": 2}
    assert res.layer["capacity"].tolist() == [12.0] * 5
    dist = res.layer.geometry.distance(_truth_m(), align=False)
    assert float(dist.max()) < 1.0


def test_declared_category_and_unknown_report() -> None:
    df = pd.DataFrame(
        {"name": ["A站", "某物流公司"], "lon": [117.07, 117.08], "lat": [36.68, 36.69]}
    )
    res = load_facilities(df, datum="wgs84", category="chs_station", source_name="synthetic")
    _check(res)
    assert res.layer["category"].tolist() == ["chs_station"] * 2
    assert res.layer["group"].tolist() == ["health"] * 2
    res2 = load_facilities(df, datum="wgs84")
    assert res2.provenance["n_unknown"] == 2
    assert unknown_facilities(res2)["name"].tolist() == ["A站", "某物流公司"]
    assert res2.layer["group"].isna().all()
    with pytest.raises(InputDataError, match="unknown facility category"):
        load_facilities(df, datum="wgs84", category="clinics")


def test_table_errors_name_the_fix(tmp_path: Path) -> None:
    df = pd.DataFrame({"name": ["x"], "lng": [117.0], "lat": [36.6]})
    with pytest.raises(DatumError, match='datum="gcj02"'):
        load_facilities(df)
    with pytest.raises(DatumError, match="unknown datum"):
        load_facilities(df, datum="utm")
    with pytest.raises(InputDataError, match=r"Columns found: \['name', 'addr'\]"):
        load_facilities(pd.DataFrame({"name": ["x"], "addr": ["y"]}), datum="wgs84")
    swapped = pd.DataFrame({"name": ["a", "b"], "经度": [36.6, 36.7], "纬度": [117.0, 117.1]})
    with pytest.raises(InputDataError, match=r"swapped.*lon_column="):
        load_facilities(swapped, datum="wgs84")
    ok = load_facilities(swapped, datum="wgs84", lon_column="纬度", lat_column="经度")
    _check(ok)
    assert ok.n_kept == 2
    projected = pd.DataFrame({"name": ["a"], "X": [500_000.0], "Y": [4_060_000.0]})
    with pytest.raises(CRSError, match="crs='EPSG:4548'"):
        load_facilities(projected, datum="wgs84")
    res = load_facilities(projected, datum="wgs84", crs="EPSG:4548")
    _check(res)
    assert res.layer.geometry.iloc[0].distance(Point(500_000, 4_060_000)) < 1e-3
    with pytest.raises(DatumError, match="longitude/latitude only"):
        load_facilities(projected, datum="gcj02", crs="EPSG:4548")
    with pytest.raises(InputDataError, match="no such file"):
        load_facilities(tmp_path / "missing.csv", datum="wgs84")
    assert issubclass(DatumError, JinanGISError)


def test_combined_location_column() -> None:
    df = pd.DataFrame({"name": ["泉城书房", "坏"], "location": ["117.02,36.66", "117.0"]})
    res = load_facilities(df, datum="gcj02")
    _check(res)
    assert res.rejected["reason"].tolist() == ["non-numeric coordinates"]


# -------------------------------------------------------------------------------- OSM


def test_facilities_from_osm() -> None:
    idx = pd.MultiIndex.from_tuples(
        [("node", 1), ("way", 2), ("node", 3), ("node", 4), ("node", 5), ("node", 6), ("node", 1)],
        names=["element", "id"],
    )
    osm = gpd.GeoDataFrame(
        {
            "amenity": ["clinic", None, None, None, "bench", None, "clinic"],
            "leisure": [None, "park", None, None, None, None, None],
            "railway": [None, None, "station", None, None, None, None],
            "station": [None, None, "subway", None, None, None, None],
            "highway": [None, None, None, "bus_stop", None, None, None],
            "name": [
                "燕山街道社区卫生服务中心",
                "泉城公园",
                "王舍人站",
                "洪家楼",
                None,
                "outside",
                "dup",
            ],
            "capacity": [None, None, None, None, None, None, "5"],
        },
        geometry=[
            Point(117.05, 36.66),
            box(117.03, 36.64, 117.04, 36.65),
            Point(117.14, 36.72),
            Point(117.076, 36.685),
            Point(117.0, 36.6),
            Point(120.0, 30.0),
            Point(117.05, 36.66),
        ],
        index=idx,
        crs="EPSG:4326",
    )
    res = facilities_from_osm(osm)
    _check(res)
    assert res.layer["facility_id"].tolist() == [
        "osm:node/1",
        "osm:way/2",
        "osm:node/3",
        "osm:node/4",
        "osm:node/5",
    ]
    assert res.layer["category"].tolist() == ["chc", "park", "metro_station", "bus_stop", "unknown"]
    assert res.rejected["reason"].tolist() == ["outside Jinan", "duplicate id"]
    assert res.layer["source"].unique().tolist() == ["osm"]
    assert box(117.03, 36.64, 117.04, 36.65).contains(
        gpd.GeoSeries([res.layer.geometry.iloc[1]], crs=4548).to_crs(4326).iloc[0]
    )
    assert res.provenance["n_unknown"] == 1


# -------------------------------------------------------------------- row accounting


_GOOD = st.tuples(st.floats(116.3, 117.9), st.floats(36.1, 37.5)).map(
    lambda p: (repr(p[0]), repr(p[1]))
)
_BAD = st.sampled_from(
    [
        ("", ""),
        (None, "36.6"),
        ("abc", "36.6"),
        ("nan", "36.6"),
        ("inf", "-inf"),
        ("36.6", "117.0"),  # swapped
        ("121.5", "31.2"),  # Shanghai
        ("500000", "4060000"),  # projected
        ("117,0", "36.6"),
        ("1e400", "36.6"),
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.one_of(_GOOD, _BAD), min_size=1, max_size=25),
    ids=st.lists(st.sampled_from(["a", "b", "c", None, "d", "e"]), min_size=25, max_size=25),
    datum=st.sampled_from(["wgs84", "gcj02", "bd09"]),
    use_ids=st.booleans(),
)
def test_row_accounting_property(
    rows: list[tuple[str | None, str | None]],
    ids: list[str | None],
    datum: str,
    use_ids: bool,
) -> None:
    df = pd.DataFrame(
        {
            "id": ids[: len(rows)],
            "name": ["社区卫生服务站"] * len(rows),
            "lng": [r[0] for r in rows],
            "lat": [r[1] for r in rows],
        }
    )
    try:
        res = load_facilities(df, datum=datum, id_column="id" if use_ids else None)
    except (InputDataError, CRSError):
        return  # whole-file refusals (every row swapped / projected) are by design
    _check(res)
    allowed = {*REASONS, "missing id", "duplicate id"}
    # identical generated rows are one row twice: rejected as "duplicate row of row N"
    assert all(r in allowed or r.startswith("duplicate row of row ")
               for r in res.rejected["reason"])
    assert np.isfinite(res.layer.geometry.x).all()


def test_a_category_column_is_found_by_its_name(tmp_path) -> None:
    """A GIS officer's 类别/category column decides the category without --category-column;
    values it does not resolve fall back to the name, and the column used is recorded."""
    path = tmp_path / "poi.csv"
    pd.DataFrame({
        "名称": ["甲", "乙", "王舍人街道社区卫生服务中心"],
        "经度": [117.05, 117.10, 117.12],
        "纬度": [36.68, 36.70, 36.69],
        "类别": ["社区卫生服务中心", "图书馆", "其他"],
    }).to_csv(path, index=False, encoding="gbk")
    res = load_facilities(path, datum="wgs84")
    assert res.layer["category"].tolist() == ["chc", "library", "chc"]
    assert res.provenance["category_column"] == "类别"
    # a declared category (or a named column) still wins
    assert set(load_facilities(path, datum="wgs84", category="library").layer["category"]) == {
        "library"}
