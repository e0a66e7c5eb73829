"""The bad-input matrix: every bad file, row and response gets a clear answer, nothing is lost.

Each case ends in either

* a clear error: a :class:`JinanGISError` subclass whose message names the file, the problem
  and the fix (asserted with ``pytest.raises(<exact type>, match=...)``), or
* a rejection line with its reason, with the row accounting ``kept + rejected == input``
  (:func:`_accounted`), never a silent change.

The table of cases is ``docs/BAD_INPUT.md``; keep the two in step.
"""

from __future__ import annotations

import ast
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasterio.transform import Affine
from shapely.geometry import LineString, Point, Polygon, box

from jinan_gis.analyses.catalogue import get_metric
from jinan_gis.analyses.coverage import coverage
from jinan_gis.analyses.inputs import inputs_from_store, load_scenario
from jinan_gis.analyses.report import AnalysisInputs, evaluate
from jinan_gis.geo.datum import convert, from_wgs84, to_wgs84
from jinan_gis.geo.errors import (
    CRSError,
    DatumError,
    InputDataError,
    JinanGISError,
    LayerError,
    NetworkError,
)
from jinan_gis.geo.network import build_network
from jinan_gis.geo.snap import snap_points
from jinan_gis.layers import store as store_module
from jinan_gis.layers.checks import check_datum_against_streets
from jinan_gis.layers.facilities import load_facilities
from jinan_gis.layers.points import REASONS
from jinan_gis.layers.population import (
    population_from_points,
    population_from_polygons,
    population_from_raster,
)
from jinan_gis.layers.result import LoadResult
from jinan_gis.layers.store import LayerStore
from jinan_gis.layers.streets import load_streets
from jinan_gis.layers.zones import load_zones

REPO = Path(__file__).resolve().parents[1]
CRS = "EPSG:4548"
# Quancheng Square and four more places in Shizhong/Licheng (WGS84)
PLACES = [(117.0205, 36.6617), (117.0760, 36.6850), (116.9930, 36.6590), (117.0600, 36.6750),
          (117.1700, 36.6300)]
NAMES = ["历城区洪家楼街道社区卫生服务中心", "山大路社区卫生服务站", "市中区图书馆",
         "港沟街道综合养老服务中心", "泉城广场文化广场"]


def _accounted(res: LoadResult) -> LoadResult:
    """Row accounting holds and every rejection has a reason and its input row."""
    res.check_accounting()
    assert res.n_kept + res.n_rejected == res.n_input
    assert list(res.rejected.columns[:2]) == ["input_row", "reason"]
    assert res.rejected["reason"].notna().all()
    if "input_row" in res.layer:
        both = set(res.layer["input_row"]) & set(res.rejected["input_row"])
        assert not both, f"input rows both kept and rejected: {both}"
    return res


def _points_m(lonlat: list[tuple[float, float]] = PLACES) -> list[Point]:
    s = gpd.GeoSeries([Point(p) for p in lonlat], crs="EPSG:4326").to_crs(CRS)
    return list(s)


def _facility_frame(crs: str = CRS) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame({"名称": NAMES}, geometry=_points_m(), crs=CRS)
    return gdf.to_crs(crs)


def _shapefile(path: Path, gdf: gpd.GeoDataFrame, *, gbk: bool = False) -> Path:
    gdf.to_file(path, encoding="gbk" if gbk else "utf-8", engine="pyogrio")
    return path


# =================================================================== files, CRS, encodings


@pytest.mark.parametrize("kind", ["facilities", "zones", "population", "streets"])
def test_missing_prj_is_a_crs_error(tmp_path: Path, kind: str) -> None:
    if kind == "streets":
        gdf = gpd.GeoDataFrame({"名称": ["经十路"]}, crs=CRS,
                               geometry=[LineString([(500_000, 4_060_000), (501_000, 4_060_000)])])
    elif kind == "facilities":
        gdf = _facility_frame()
    else:
        gdf = gpd.GeoDataFrame({"name": ["a"], "pop": [10.0]}, crs=CRS,
                               geometry=[box(500_000, 4_060_000, 500_500, 4_060_500)])
    shp = _shapefile(tmp_path / f"{kind}.shp", gdf)
    shp.with_suffix(".prj").unlink()
    load = {
        "facilities": lambda: load_facilities(shp),
        "zones": lambda: load_zones(shp),
        "population": lambda: population_from_polygons(shp, count_column="pop"),
        "streets": lambda: load_streets(box(499_000, 4_059_000, 502_000, 4_061_000),
                                        source="centreline", path=shp),
    }[kind]
    with pytest.raises(CRSError, match=rf"{kind}\.shp has no CRS \(a shapefile without \.prj\?\)"
                                       r".*EPSG:4548"):
        load()


def test_prj_geographic_but_numbers_projected(tmp_path: Path) -> None:
    gdf = _facility_frame().set_crs("EPSG:4326", allow_override=True)  # numbers ~500000
    path = tmp_path / "clinics.gpkg"
    gdf.to_file(path)
    with pytest.raises(CRSError, match=r"clinics\.gpkg: coordinates look projected.*"
                                       r"Declare the projected CRS.*EPSG:4548"):
        load_facilities(path)


def test_prj_projected_but_numbers_degrees(tmp_path: Path) -> None:
    gdf = _facility_frame("EPSG:4326").set_crs(CRS, allow_override=True)  # numbers ~117/36
    path = tmp_path / "zones_in_degrees.gpkg"
    gdf.assign(geometry=gdf.buffer(0.001)).to_file(path)
    with pytest.raises(CRSError, match=r"zones_in_degrees\.gpkg: coordinates look like degrees"
                                       r".*Declare 'EPSG:4326'"):
        load_zones(path)


def test_gk_without_zone_prefix_declared_4527(tmp_path: Path) -> None:
    gdf = _facility_frame().set_crs("EPSG:4527", allow_override=True)  # 500000 under 4527
    shp = _shapefile(tmp_path / "gk.shp", gdf)
    with pytest.raises(CRSError, match=r"gk\.shp: eastings .* have no zone prefix.*"
                                       r"Declare 'EPSG:4548'"):
        load_facilities(shp)
    table = pd.DataFrame({"name": ["a", "b"], "X": [500_000.0, 501_000.0],
                          "Y": [4_060_000.0, 4_061_000.0]})
    with pytest.raises(CRSError, match="have no zone prefix"):
        load_facilities(table, datum="wgs84", crs="EPSG:4527", source_name="gk.csv")


def test_gk_with_zone_prefix_declared_4548(tmp_path: Path) -> None:
    gdf = _facility_frame("EPSG:4527").set_crs(CRS, allow_override=True)  # 39500000 under 4548
    shp = _shapefile(tmp_path / "gk39.shp", gdf)
    with pytest.raises(CRSError, match=r"gk39\.shp: eastings .* carry the zone prefix 39.*"
                                       r"Declare 'EPSG:4527'"):
        load_facilities(shp)
    # the same mistake in a table with projected columns (was: every row 'outside Jinan')
    table = pd.DataFrame({"name": ["a", "b"], "X": [39_500_000.0, 39_501_000.0],
                          "Y": [4_060_000.0, 4_061_000.0]})
    with pytest.raises(CRSError, match=r"gk39\.csv: eastings .* carry the zone prefix 39"):
        load_facilities(table, datum="wgs84", crs="EPSG:4548", source_name="gk39.csv")
    with pytest.raises(CRSError, match=r"deg\.csv: coordinates look like degrees"):
        load_facilities(pd.DataFrame({"name": ["a"], "X": [117.0], "Y": [36.6]}),
                        datum="wgs84", crs="EPSG:4548", source_name="deg.csv")


def test_gbk_shapefile_without_cpg_is_decoded_right(tmp_path: Path) -> None:
    shp = _shapefile(tmp_path / "设施.shp", _facility_frame("EPSG:4527"), gbk=True)
    shp.with_suffix(".cpg").unlink()
    res = _accounted(load_facilities(shp))
    assert res.layer["name"].tolist() == NAMES
    assert res.provenance["encoding"] == "gb18030"
    zones = gpd.GeoDataFrame({"街道": ["大观园街道"]}, crs=CRS,
                             geometry=[box(500_000, 4_060_000, 501_000, 4_061_000)])
    zshp = _shapefile(tmp_path / "街道.shp", zones, gbk=True)
    zshp.with_suffix(".cpg").unlink()
    assert _accounted(load_zones(zshp)).layer["zone_name"].tolist() == ["大观园街道"]


def test_csv_in_an_unexpected_encoding(tmp_path: Path) -> None:
    text = "name,lng,lat\n图书馆,117.02,36.66\n"
    u16 = tmp_path / "utf16.csv"
    u16.write_bytes(text.encode("utf-16"))
    # UTF-16 (Excel's "Unicode text") is recognised by its byte-order mark (was refused)
    assert _accounted(load_facilities(u16, datum="wgs84")).n_kept == 1
    assert _accounted(load_facilities(u16, datum="wgs84", encoding="utf-16")).n_kept == 1
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(text.encode("gbk"))
    with pytest.raises(InputDataError, match=r"gbk\.csv: the text does not decode as utf-8 .*"
                                             r"--encoding gbk / encoding='gbk'"):
        load_facilities(gbk, datum="wgs84", encoding="utf-8")
    # a misspelt encoding name: was a bare LookupError
    with pytest.raises(InputDataError, match=r"gbk\.csv: unknown encoding 'gbkk'.*'gbk'"):
        load_facilities(gbk, datum="wgs84", encoding="gbkk")
    roads = gpd.GeoDataFrame({"名称": ["经十路"]}, crs=CRS,
                             geometry=[LineString([(500_000, 4_060_000), (501_000, 4_060_000)])])
    roads.to_file(tmp_path / "roads.gpkg")
    with pytest.raises(InputDataError, match=r"roads\.gpkg: unknown encoding 'gbkk'"):
        load_streets(box(499_000, 4_059_000, 502_000, 4_061_000), source="centreline",
                     path=tmp_path / "roads.gpkg", encoding="gbkk")
    with pytest.raises(InputDataError, match=r"roads\.gpkg: unknown encoding"):
        load_zones(tmp_path / "roads.gpkg", encoding="gbkk")


def test_excel_with_the_wrong_sheet(tmp_path: Path) -> None:
    path = tmp_path / "poi.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        pd.DataFrame({"说明": ["封面"]}).to_excel(xw, sheet_name="cover", index=False)
        pd.DataFrame({"name": ["a"], "lng": [117.0], "lat": [36.6]}).to_excel(
            xw, sheet_name="poi", index=False)
    with pytest.raises(InputDataError, match=r"poi\.xlsx: no sheet 'POI'.*--sheet NAME or "
                                             r"--sheet N.*1: 'cover', 2: 'poi'"):
        load_facilities(path, datum="wgs84", sheet="POI")
    with pytest.raises(InputDataError, match=r"no sheet at 0-based index 7.*1: 'cover', 2: 'poi'"):
        load_facilities(path, datum="wgs84", sheet=7)
    # the first sheet (the default) is the cover: no coordinate columns, named
    with pytest.raises(InputDataError, match=r"poi\.xlsx: no longitude/latitude columns.*"
                                             r"Columns found: \['说明'\]"):
        load_facilities(path, datum="wgs84")
    assert _accounted(load_facilities(path, datum="wgs84", sheet="poi")).n_kept == 1


def test_spreadsheet_without_coordinate_columns(tmp_path: Path) -> None:
    path = tmp_path / "addresses.csv"
    path.write_text("名称,地址\n图书馆,历山路88号\n", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"addresses\.csv: no longitude/latitude columns\. "
                                             r"Columns found: \['名称', '地址'\].*lon_column="):
        load_facilities(path, datum="wgs84")


def test_empty_files(tmp_path: Path) -> None:
    header = tmp_path / "header_only.csv"
    header.write_text("name,lng,lat\n", encoding="utf-8")
    with pytest.raises(LayerError, match=r"header_only\.csv: the table holds no rows.*export"):
        load_facilities(header, datum="wgs84")
    zero = tmp_path / "zero.csv"
    zero.write_bytes(b"")
    with pytest.raises(InputDataError, match=r"zero\.csv: not a readable table"):
        load_facilities(zero, datum="wgs84")
    gpkg = tmp_path / "empty.gpkg"
    gpd.GeoDataFrame({"name": []}, geometry=gpd.GeoSeries([], crs=CRS)).to_file(gpkg)
    with pytest.raises(LayerError, match=r"empty\.gpkg: the layer holds no rows"):
        load_facilities(gpkg)
    with pytest.raises(LayerError, match=r"empty\.gpkg: the layer holds no rows"):
        load_zones(gpkg)
    with pytest.raises(LayerError, match=r"empty\.gpkg: the file holds no features"):
        load_streets(box(499_000, 4_059_000, 502_000, 4_061_000), source="centreline",
                     path=gpkg)
    shp = tmp_path / "broken.shp"
    shp.write_bytes(b"")
    with pytest.raises(InputDataError, match=r"broken\.shp: not a readable vector file"):
        load_facilities(shp)
    # an empty table in memory is no file: an empty layer, accounted (was an IndexError)
    none = pd.DataFrame({"name": [], "lng": [], "lat": []})
    res = _accounted(load_facilities(none, datum="wgs84"))
    assert res.n_input == res.n_kept == 0
    res = _accounted(population_from_points(none.assign(pop=[]), count_column="pop",
                                            datum="wgs84"))
    assert res.n_input == 0


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match=r"missing\.xlsx: no such file\. Check the path"):
        load_facilities(tmp_path / "missing.xlsx", datum="wgs84")
    with pytest.raises(InputDataError, match=r"pop\.tif: no such file"):
        population_from_raster(tmp_path / "pop.tif")


# ======================================================================== rows and values


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_nan_inf_and_non_numeric_coordinates() -> None:
    df = pd.DataFrame({
        "name": ["ok", "nan", "inf", "empty", "text", "comma"],
        "lng": ["117.02", "nan", "inf", "", "东经117度", "117,0"],
        "lat": [36.66, 36.6, 36.6, 36.6, 36.6, 36.6],
    })
    res = _accounted(load_facilities(df, datum="wgs84"))
    assert res.layer["name"].tolist() == ["ok"]
    assert res.rejected["reason"].tolist() == [
        "non-finite coordinates (NaN/inf)", "non-finite coordinates (NaN/inf)",
        "missing coordinates", "non-numeric coordinates", "non-numeric coordinates"]
    assert res.rejected["name"].tolist() == ["nan", "inf", "empty", "text", "comma"]
    # NaN vertices in a street line: the line is rejected, not half-drawn
    roads = gpd.GeoDataFrame({"name": ["a", "b"]}, crs=CRS, geometry=[
        LineString([(500_000, 4_060_000), (501_000, 4_060_000)]),
        LineString([(500_500, np.nan), (500_500, 4_060_500)])])
    from jinan_gis.layers.centreline import centreline_to_streets
    lines, rejected, _ = centreline_to_streets(
        roads, mode="walk", area=box(499_000, 4_059_000, 502_000, 4_061_000), crs=CRS,
        source="t")
    assert rejected["reason"].tolist() == ["invalid coordinates (NaN or infinite)"]
    assert set(lines["input_row"]) == {0}


def test_points_outside_jinan() -> None:
    df = pd.DataFrame({"name": ["济南", "北京", "上海"], "lng": [117.02, 116.39, 121.47],
                       "lat": [36.66, 39.91, 31.23]})
    res = _accounted(load_facilities(df, datum="wgs84"))
    assert res.rejected["reason"].tolist() == ["outside Jinan", "outside Jinan"]
    assert res.rejected["name"].tolist() == ["北京", "上海"]


def test_lat_lon_swapped() -> None:
    one = pd.DataFrame({"name": ["ok", "swapped"], "lng": [117.02, 36.66],
                        "lat": [36.66, 117.02]})
    res = _accounted(load_facilities(one, datum="wgs84"))
    assert res.rejected["reason"].tolist() == ["lat/lon swapped?"]
    every = pd.DataFrame({"name": ["a", "b"], "经度": [36.6, 36.7], "纬度": [117.0, 117.1]})
    with pytest.raises(InputDataError, match=r"swapped.*--lon-column <the column with values "
                                             r"about 117>"):
        load_facilities(every, datum="wgs84", source_name="swapped.csv")
    gdf = gpd.GeoDataFrame(geometry=[box(36.65, 117.01, 36.67, 117.03)], crs="EPSG:4326")
    with pytest.raises(CRSError, match=r"zones: longitude and latitude look swapped.*Swap"):
        load_zones(gdf)


def test_duplicate_ids() -> None:
    df = pd.DataFrame({"id": ["F1", "F2", "F1", None], "name": NAMES[:4],
                       "lng": [p[0] for p in PLACES[:4]], "lat": [p[1] for p in PLACES[:4]],
                       "pop": [10, 20, 30, 40]})
    res = _accounted(load_facilities(df, datum="wgs84", id_column="id"))
    assert res.layer["facility_id"].tolist() == ["F1", "F2"]
    assert res.rejected["reason"].tolist() == ["duplicate id", "missing id"]
    pop = _accounted(population_from_points(df, count_column="pop", datum="wgs84",
                                            id_column="id"))
    assert pop.rejected["reason"].tolist() == ["duplicate id", "missing id"]
    zones = gpd.GeoDataFrame({"code": ["1", "1"]}, crs=CRS, geometry=[
        box(500_000, 4_060_000, 501_000, 4_061_000), box(501_000, 4_060_000, 502_000, 4_061_000)])
    assert _accounted(load_zones(zones, id_column="code")).rejected["reason"].tolist() == [
        "duplicate id"]


def test_unknown_category(caplog: pytest.LogCaptureFixture) -> None:
    df = pd.DataFrame({"name": ["某物流公司", "山大路社区卫生服务站"], "type": ["仓库", "?"],
                       "lng": [117.07, 117.06], "lat": [36.68, 36.675]})
    with pytest.raises(InputDataError, match="unknown facility category 'clinics'"):
        load_facilities(df, datum="wgs84", category="clinics")
    with caplog.at_level(logging.WARNING, logger="jinan_gis.layers.facilities"):
        res = _accounted(load_facilities(df, datum="wgs84", category_column="type",
                                         source_name="poi.csv"))
    # never guessed, never dropped: kept as 'unknown', counted, listed and logged
    assert res.layer["category"].tolist() == ["unknown", "chs_station"]
    assert res.provenance["n_unknown"] == 1
    assert res.provenance["unknown"][0]["name"] == "某物流公司"
    assert "poi.csv: 1 facilities kept with category 'unknown'" in caplog.text


def test_unknown_datum_and_no_datum() -> None:
    df = pd.DataFrame({"name": ["a"], "lng": [117.02], "lat": [36.66]})
    with pytest.raises(DatumError, match=r"unknown datum 'google'\. Use one of wgs84, gcj02, "
                                         r"bd09"):
        load_facilities(df, datum="google")
    with pytest.raises(DatumError, match=r"poi\.csv: no datum declared\..*datum=\"gcj02\" for "
                                         r"Amap"):
        load_facilities(df, source_name="poi.csv")
    with pytest.raises(DatumError, match="applies to longitude/latitude only"):
        load_facilities(pd.DataFrame({"name": ["a"], "X": [500_000.0], "Y": [4_060_000.0]}),
                        datum="gcj02", crs=CRS)


def test_mixed_geometry_types_in_one_layer(tmp_path: Path,
                                           caplog: pytest.LogCaptureFixture) -> None:
    lon, lat = PLACES[0]
    gdf = gpd.GeoDataFrame({"name": ["泉城公园", "健身步道", "泉城书房", "空"]}, crs="EPSG:4326",
                           geometry=[box(lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001),
                                     LineString([(lon, lat), (lon + 0.01, lat)]),
                                     Point(lon, lat), Polygon()])
    path = tmp_path / "mixed.geojson"
    gdf.to_file(path)
    with caplog.at_level(logging.INFO, logger="jinan_gis.layers.points"):
        res = _accounted(load_facilities(path))
    assert res.provenance["n_polygons_or_lines_to_points"] == 2
    assert "2 polygon/line feature(s) placed at a point inside them" in caplog.text
    assert res.rejected["reason"].tolist() == ["empty geometry"]
    # a street layer with a point in it: the point is rejected, the lines kept
    roads = gpd.GeoDataFrame({"name": ["a", "b"]}, crs=CRS, geometry=[
        LineString([(500_000, 4_060_000), (501_000, 4_060_000)]), Point(500_500, 4_060_500)])
    roads.to_file(tmp_path / "roads.gpkg")
    st_res = _accounted(load_streets(box(499_000, 4_059_000, 502_000, 4_061_000),
                                     source="centreline", path=tmp_path / "roads.gpkg"))
    assert st_res.rejected["reason"].tolist() == ["not a line (Point)"]
    # a zone layer with a line in it
    zones = gpd.GeoDataFrame({"name": ["a", "b"]}, crs=CRS, geometry=[
        box(500_000, 4_060_000, 501_000, 4_061_000), LineString([(0, 0), (1, 1)])])
    z = _accounted(load_zones(zones))
    assert z.rejected["reason"].tolist() == ["not a polygon (LineString)"]


def test_zone_layer_of_points(tmp_path: Path) -> None:
    pts = gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=_points_m()[:2], crs=CRS)
    pts.to_file(tmp_path / "subdistricts.gpkg")
    with pytest.raises(LayerError, match=r"subdistricts\.gpkg: every feature is a Point, not a "
                                         r"polygon.*import points as facilities"):
        load_zones(tmp_path / "subdistricts.gpkg")


def test_invalid_zone_polygons_are_repaired_and_listed(caplog: pytest.LogCaptureFixture) -> None:
    bow_tie = Polygon([(500_000, 4_060_000), (500_100, 4_060_100), (500_100, 4_060_000),
                       (500_000, 4_060_100)])
    line_like = Polygon([(500_000, 4_062_000), (500_100, 4_062_000), (500_200, 4_062_000)])
    gdf = gpd.GeoDataFrame({"name": ["泺源街道", "大观园街道", "线"]}, crs=CRS,
                           geometry=[bow_tie, box(501_000, 4_060_000, 502_000, 4_061_000),
                                     line_like])
    with caplog.at_level(logging.WARNING, logger="jinan_gis.layers.zones"):
        res = _accounted(load_zones(gdf, zone_type="subdistrict"))
    assert res.layer["repaired"].tolist() == [True, False]
    assert res.layer.geometry.is_valid.all()
    assert res.provenance["repaired"][0]["zone_name"] == "泺源街道"
    assert "Self-intersection" in res.provenance["repaired"][0]["problem"]
    assert "1 invalid polygon(s) repaired with make_valid" in caplog.text
    assert res.rejected["reason"].str.startswith("invalid polygon, cannot be repaired").all()
    # population polygons: the same rule, the count still preserved
    pop = _accounted(population_from_polygons(gdf.assign(n=[100.0, 50.0, 10.0]),
                                              count_column="n"))
    assert pop.provenance["n_repaired"] == 1
    assert pop.provenance["totals"] == "population in 150 = out 150"


def test_bad_population_counts() -> None:
    df = pd.DataFrame({"lng": [117.02] * 6, "lat": [36.66] * 6,
                       "人口": ["100", "-5", "0", "abc", "inf", None]})
    res = _accounted(population_from_points(df, count_column="人口", datum="wgs84"))
    assert res.rejected["reason"].tolist() == [
        "negative count", "zero count (nobody to place)", "non-numeric count",
        "non-finite count", "missing count"]
    assert res.provenance["totals"] == "population in 100 = out 100"
    with pytest.raises(InputDataError, match=r"count_column='pop' is not a column\. Columns "
                                             r"found"):
        population_from_points(df, count_column="pop", datum="wgs84")


# ============================================================================== rasters


def _raster(path: Path, grid: np.ndarray, *, crs: str | None, transform: Affine,
            nodata: float | None = -9999.0) -> Path:
    with rasterio.open(path, "w", driver="GTiff", height=grid.shape[0], width=grid.shape[1],
                       count=1, dtype="float64", crs=crs, nodata=nodata,
                       transform=transform) as dst:
        dst.write(grid, 1)
    return path


def test_raster_with_nodata_and_negative_values(tmp_path: Path) -> None:
    grid = np.array([[10.0, -1.0, 0.0], [-9999.0, np.nan, 2.5]])
    p = _raster(tmp_path / "pop.tif", grid, crs=CRS,
                transform=Affine(100, 0, 500_000, 0, -100, 4_060_000))
    res = _accounted(population_from_raster(p))
    assert sorted(res.rejected["reason"]) == ["negative value", "nodata", "non-finite value"]
    assert res.rejected.set_index("reason").loc["negative value", "value"] == -1.0
    assert res.provenance["n_zero_cells"] == 1
    assert res.provenance["totals"] == "population in 12.5 = out 12.5"


def test_raster_in_another_crs(tmp_path: Path) -> None:
    grid = np.array([[10.0, 20.0], [30.0, 40.0]])
    centre = _points_m()[0]
    ref = _raster(tmp_path / "gk.tif", grid, crs=CRS,
                  transform=Affine(100, 0, centre.x, 0, -100, centre.y))
    x0, y0 = gpd.GeoSeries([centre], crs=CRS).to_crs("EPSG:32650").iloc[0].coords[0]
    utm = _raster(tmp_path / "utm.tif", grid, crs="EPSG:32650",
                  transform=Affine(100, 0, x0, 0, -100, y0))
    a = _accounted(population_from_raster(ref)).layer
    b = _accounted(population_from_raster(utm)).layer
    assert b.crs.to_epsg() == 4548  # converted, not taken at face value
    assert a.geometry.distance(b.geometry, align=False).max() < 1.0  # same spots
    nocrs = _raster(tmp_path / "nocrs.tif", grid, crs=None,
                    transform=Affine(100, 0, 500_000, 0, -100, 4_060_000))
    with pytest.raises(CRSError, match=r"nocrs\.tif has no CRS\. Declare it \(command line: --crs"):
        population_from_raster(nocrs)
    with pytest.raises(LayerError, match=r"nocrs\.tif: the grid does not cover Jinan.*right file "
                                         r"and CRS"):
        population_from_raster(nocrs, crs="EPSG:4326")  # metres declared as degrees
    (tmp_path / "bad.tif").write_bytes(b"II*\x00garbage")
    with pytest.raises(InputDataError, match=r"bad\.tif: not a readable raster"):
        population_from_raster(tmp_path / "bad.tif")


# ============================================================ networks and analyses


def _grid_streets(n: int = 11, spacing: float = 100.0) -> gpd.GeoDataFrame:
    """An n x n grid of one-segment streets (n*n nodes) near x=500000."""
    lines = []
    for i in range(n):
        for j in range(n - 1):
            x, y = 500_000 + i * spacing, 4_060_000 + j * spacing
            lines.append(LineString([(x, y), (x, y + spacing)]))
            x, y = 500_000 + j * spacing, 4_060_000 + i * spacing
            lines.append(LineString([(x, y), (x + spacing, y)]))
    return gpd.GeoDataFrame(geometry=lines, crs=CRS)


def test_disconnected_streets_report_the_island_people() -> None:
    main = _grid_streets()
    island = gpd.GeoDataFrame(crs=CRS, geometry=[
        LineString([(505_000, 4_060_000), (505_100, 4_060_000)]),
        LineString([(505_100, 4_060_000), (505_100, 4_060_100)])])
    net = build_network(pd.concat([main, island], ignore_index=True))
    assert net.n_components == 2 and net.node_is_island.sum() == 3
    people = gpd.GeoDataFrame({"population": [100.0, 40.0, 7.0]}, crs=CRS,
                              geometry=[Point(500_150, 4_060_020), Point(505_050, 4_060_010),
                                        Point(520_000, 4_060_000)])
    snapped = snap_points(net, people)
    assert snapped.status.tolist() == ["ok", "island", "beyond_snap_limit"]
    clinics = gpd.GeoDataFrame({"category": ["chc"]}, geometry=[Point(500_000, 4_060_000)],
                               crs=CRS)
    t = coverage(net, clinics, people, max_dist_m=1000).iloc[0]
    assert t["population"] == 147.0  # nobody dropped
    assert t["not_placed"] == 47.0  # the island and the far point, in their own column
    assert t["covered_network"] == 100.0 and t["share_network"] == 1.0


def test_facility_beyond_the_snap_limit_is_flagged(caplog: pytest.LogCaptureFixture) -> None:
    net = build_network(_grid_streets(5))
    clinics = gpd.GeoDataFrame({"category": ["chc", "chc"]}, index=["near", "far"], crs=CRS,
                               geometry=[Point(500_010, 4_060_000), Point(503_000, 4_060_000)])
    assert snap_points(net, clinics, max_snap_m=250).status.tolist() == ["ok",
                                                                        "beyond_snap_limit"]
    people = gpd.GeoDataFrame({"population": [5.0]}, geometry=[Point(500_200, 4_060_010)],
                              crs=CRS)
    with caplog.at_level(logging.WARNING, logger="jinan_gis.geo.reach"):
        t = coverage(net, clinics, people, max_dist_m=1000)
    assert t["covered_network"].iloc[0] == 5.0
    assert "1 of 2 facilities are not on the street network and serve nobody" in caplog.text
    assert "'beyond_snap_limit': 1" in caplog.text and "far" in caplog.text
    assert "max_snap_m" in caplog.text


def test_no_facilities_of_the_asked_category(caplog: pytest.LogCaptureFixture) -> None:
    net = build_network(_grid_streets(5))
    people = gpd.GeoDataFrame({"population": [5.0, 7.0]}, crs=CRS,
                              geometry=[Point(500_200, 4_060_010), Point(500_100, 4_060_300)])
    clinics = gpd.GeoDataFrame({"category": ["chc"]}, geometry=[Point(500_000, 4_060_000)],
                               crs=CRS)
    # coverage: decided and documented: 0 covered, with a warning, not an error
    with caplog.at_level(logging.WARNING, logger="jinan_gis.analyses.coverage"):
        t = coverage(net, clinics, people, max_dist_m=1000, categories="library").iloc[0]
    assert t["covered_network"] == 0.0 and t["population"] == 12.0
    assert "no facilities to measure from: nobody is covered" in caplog.text
    # the report: the metric says what is missing instead of 0 %
    districts = gpd.GeoDataFrame({"code": ["370103"], "name_zh": ["市中区"], "source": ["t"]},
                                 geometry=[box(499_000, 4_059_000, 502_000, 4_062_000)], crs=CRS)
    inputs = AnalysisInputs(districts=districts, streets=_grid_streets(5), facilities=clinics,
                            population=people)
    rep = evaluate(inputs, metrics=(get_metric("S-CULTURE-15-30"),), progress=False,
                   service_area_metric=None)
    status = rep.metrics["status"].tolist()
    assert status and all(s.startswith("needs layer: facilities of ") for s in status)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_network_from_geographic_coordinates() -> None:
    streets = _grid_streets(3).to_crs("EPSG:4326")
    with pytest.raises(CRSError, match=r"building a street network needs a metric CRS, got "
                                       r"EPSG:4326.*to_analysis_crs"):
        build_network(streets)
    bad = _grid_streets(3)
    bad.loc[0, "geometry"] = LineString([(500_000, np.nan), (500_000, 4_060_100)])
    with pytest.raises(NetworkError, match="NaN/inf coordinates; repair or drop those lines"):
        build_network(bad)


def test_unknown_metric_id() -> None:
    with pytest.raises(JinanGISError, match=r"unknown metric 'L-CLINIC-500'; choose one of: "
                                            r"L-CLINIC-1000"):
        get_metric("L-CLINIC-500")


def test_scenario_toml_errors(tmp_path: Path) -> None:
    bad = tmp_path / "run.toml"
    bad.write_text('[layers]\nsample = true\n[reprot]\nout = "x"\n', encoding="utf-8")
    with pytest.raises(InputDataError, match=r"run\.toml: unknown section\(s\) \['reprot'\]; "
                                             r"use \['layers', 'report', 'sample'\]"):
        load_scenario(bad)
    broken = tmp_path / "broken.toml"
    broken.write_text("[layers\nsample = true\n", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"broken\.toml: cannot read the scenario file.*"
                                             r"TOML syntax"):
        load_scenario(broken)


# ================================================================ GCJ-02 suspicion


def _named_grid() -> gpd.GeoDataFrame:
    """Named streets 1.5 km apart: 6 north-south and 6 east-west, in Licheng (117.2E 36.75N)."""
    c = gpd.GeoSeries(gpd.points_from_xy([117.2], [36.75]), crs="EPSG:4326").to_crs(CRS)[0]
    x0, y0 = round(c.x, -2) - 3000, round(c.y, -2) - 3000
    lines, names = [], []
    for i in range(6):
        lines.append(LineString([(x0 + 1500 * i, y0 - 500), (x0 + 1500 * i, y0 + 8000)]))
        names.append(f"南北{i}路")
        lines.append(LineString([(x0 - 500, y0 + 1500 * i), (x0 + 8000, y0 + 1500 * i)]))
        names.append(f"东西{i}街")
    return gpd.GeoDataFrame({"name": names}, geometry=lines, crs=CRS)


def _on_streets(streets: gpd.GeoDataFrame, n: int = 40) -> pd.DataFrame:
    """``n`` clinics on the north-south streets (a few on the east-west ones), WGS84 lon/lat."""
    rng = np.random.default_rng(7)
    rows = []
    for k in range(n):
        line = streets.geometry.iloc[2 * (k % 6) + (1 if k % 8 == 7 else 0)]
        name = streets["name"].iloc[2 * (k % 6) + (1 if k % 8 == 7 else 0)]
        p = line.interpolate(rng.uniform(0.1, 0.9), normalized=True)
        rows.append({"name": f"{name}社区卫生服务站{k}", "x": p.x, "y": p.y})
    df = pd.DataFrame(rows)
    ll = gpd.GeoSeries(gpd.points_from_xy(df.x, df.y), crs=CRS).to_crs("EPSG:4326")
    return df.assign(lng=ll.x.to_numpy(), lat=ll.y.to_numpy()).drop(columns=["x", "y"])


def test_gcj02_points_declared_wgs84_are_suspected(caplog: pytest.LogCaptureFixture) -> None:
    streets = _named_grid()
    truth = _on_streets(streets)
    lon, lat = convert(truth.lng, truth.lat, src="wgs84", dst="gcj02")  # an Amap export
    amap = truth.assign(lng=lon, lat=lat)
    res = _accounted(load_facilities(amap, datum="wgs84", source_name="amap.xlsx"))  # mistake
    with caplog.at_level(logging.WARNING, logger="jinan_gis.layers.checks"):
        check = check_datum_against_streets(res.layer, streets, name_column="name",
                                            source="amap.xlsx")
    assert check.suspicious and check.suggested == "gcj02"
    assert check.measured_to == "the streets they name" and check.n_points == 40
    assert 450 < check.offset_m < 600  # ~530 m east in Jinan
    assert check.median_m["gcj02"] < 1.0
    assert caplog.records[-1].levelno == logging.WARNING
    assert ("amap.xlsx: points sit a median" in check.message
            and "converting from GCJ-02 would bring them to 0 m: declare datum='gcj02'"
            in check.message)
    assert check.message in caplog.text
    # without names: measured to the nearest street (streets 1.5 km apart), same verdict
    assert check_datum_against_streets(res.layer, streets).suggested == "gcj02"
    # declared right: no warning
    caplog.clear()
    ok = _accounted(load_facilities(amap, datum="gcj02"))
    with caplog.at_level(logging.WARNING, logger="jinan_gis.layers.checks"):
        good = check_datum_against_streets(ok.layer, streets, name_column="name")
    assert not good.suspicious and good.declared == "gcj02" and good.offset_m < 1.0
    assert "no sign of a datum mix-up" in good.message and not caplog.records
    # Baidu numbers declared WGS84 -> bd09; WGS84 numbers declared GCJ-02 -> wgs84
    lon, lat = convert(truth.lng, truth.lat, src="wgs84", dst="bd09")
    baidu = load_facilities(truth.assign(lng=lon, lat=lat), datum="wgs84").layer
    assert check_datum_against_streets(baidu, streets).suggested == "bd09"
    wrong = load_facilities(truth, datum="gcj02").layer
    assert check_datum_against_streets(wrong, streets).suggested == "wgs84"


def test_datum_check_needs_points_near_the_streets() -> None:
    streets = _named_grid()
    far = gpd.GeoDataFrame(geometry=[Point(400_000, 4_000_000)] * 3, crs=CRS)
    check = check_datum_against_streets(far, streets)
    assert not check.suspicious and "too few to check the datum" in check.message
    with pytest.raises(LayerError, match="name_column='addr' is not a column"):
        check_datum_against_streets(far, streets, name_column="addr")
    with pytest.raises(CRSError, match="has no CRS"):
        check_datum_against_streets(far.set_crs(None, allow_override=True), streets)


# =================================================================== nothing lost


def test_interrupted_store_write_keeps_the_previous_version_and_a_rerun_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """See also tests/test_store.py::test_write_is_atomic (every stage of a failed write)."""
    path = tmp_path / "layers.gpkg"
    store = LayerStore(path)
    fac = load_facilities(pd.DataFrame({"name": NAMES, "lng": [p[0] for p in PLACES],
                                        "lat": [p[1] for p in PLACES]}), datum="wgs84")
    store.write("facilities", fac)
    pop = population_from_points(pd.DataFrame({"lng": [117.02], "lat": [36.66], "n": [5]}),
                                 count_column="n", datum="wgs84")

    def disk_full(p: Path, frame: pd.DataFrame, *, layer: str) -> None:
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(store_module, "_write_frame", disk_full)
    with pytest.raises(OSError, match="simulated"):
        store.write("population", pop)  # the run stops here
    monkeypatch.undo()
    assert store.names() == ["facilities"]  # what was stored before is intact
    assert [p.name for p in tmp_path.iterdir()] == ["layers.gpkg"]  # no temp file left
    # a re-run starts from what is stored and adds only what is missing
    missing = [n for n in ("facilities", "population") if n not in store.names()]
    assert missing == ["population"]
    store.write("population", pop)
    back = inputs_from_store(path)
    assert len(back.facilities) == 5 and len(back.population) == 1
    assert store.read("facilities").n_input == 5


# ================================================================ property tests

_COUNT = st.one_of(st.integers(-5, 1000).map(str), st.sampled_from(["", "abc", "inf", "nan"]),
                   st.none())
_LON = st.one_of(st.floats(116.9, 117.3).map(lambda v: f"{v:.6f}"),
                 st.sampled_from(["", "x", "inf", "121.5", "36.6"]), st.none())
_LAT = st.one_of(st.floats(36.5, 36.8).map(lambda v: f"{v:.6f}"),
                 st.sampled_from(["", "y", "-inf", "31.2", "117.0"]), st.none())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(_LON, _LAT, _COUNT, st.sampled_from(["a", "b", "c", None])),
                     min_size=0, max_size=20),
       use_ids=st.booleans())
def test_population_points_accounting_property(rows: list[tuple], use_ids: bool) -> None:
    df = pd.DataFrame(rows, columns=["lng", "lat", "n", "id"], dtype=object)
    try:
        res = population_from_points(df, count_column="n", datum="wgs84",
                                     id_column="id" if use_ids else None)
    except (InputDataError, CRSError):
        return  # whole-file refusals (every row swapped / projected) are by design
    _accounted(res)
    assert res.n_input == len(rows)
    assert (res.layer["population"] > 0).all()
    assert abs(res.layer["population"].sum() - res.provenance["population_in"]) < 1e-6


_GEOMS = st.sampled_from(["box", "bow_tie", "point", "line", "empty", "sliver"])


def _zone_geom(kind: str, i: int) -> object:
    x, y = 500_000 + 1000 * i, 4_060_000
    return {
        "box": box(x, y, x + 500, y + 500),
        "bow_tie": Polygon([(x, y), (x + 100, y + 100), (x + 100, y), (x, y + 100)]),
        "point": Point(x, y),
        "line": LineString([(x, y), (x + 10, y)]),
        "empty": Polygon(),
        "sliver": Polygon([(x, y), (x + 10, y), (x + 20, y)]),
    }[kind]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kinds=st.lists(_GEOMS, min_size=1, max_size=12),
       ids=st.lists(st.sampled_from(["1", "2", "3", None]), min_size=12, max_size=12))
def test_zones_accounting_property(kinds: list[str], ids: list[str | None]) -> None:
    gdf = gpd.GeoDataFrame({"code": ids[: len(kinds)]}, crs=CRS,
                           geometry=[_zone_geom(k, i) for i, k in enumerate(kinds)])
    try:
        res = load_zones(gdf, id_column="code")
    except LayerError as exc:
        assert "not a polygon" in str(exc)
        assert all(k in ("point", "line") for k in kinds)
        return
    _accounted(res)
    assert res.layer.geometry.is_valid.all()
    assert res.layer["repaired"].sum() == res.provenance["n_repaired"]


@settings(max_examples=60, deadline=None)
@given(lon=st.floats(116.8, 117.4), lat=st.floats(36.4, 36.9),
       datum=st.sampled_from(["gcj02", "bd09"]))
def test_frame_datum_round_trip_property(lon: float, lat: float, datum: str) -> None:
    gdf = gpd.GeoDataFrame({"v": [1]}, geometry=[LineString([(lon, lat), (lon + 0.01, lat)])],
                           crs="EPSG:4326")
    back = to_wgs84(from_wgs84(gdf, datum=datum), datum=datum)
    a = np.asarray(gdf.geometry.iloc[0].coords)
    b = np.asarray(back.geometry.iloc[0].coords)
    assert np.abs(a - b).max() < 1e-9  # degrees: about 0.1 mm
    assert back.crs.to_epsg() == 4326


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(_LON, _LAT), min_size=1, max_size=15),
       encoding=st.sampled_from(["utf-8", "gbk", "utf-8-sig"]))
def test_csv_file_accounting_property(rows: list[tuple], encoding: str) -> None:
    lines = ["名称,经度,纬度"] + [
        f"设施{i},{x or ''},{y or ''}" for i, (x, y) in enumerate(rows)
    ]
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "poi.csv"
        p.write_bytes(("\n".join(lines) + "\n").encode(encoding))
        try:
            res = load_facilities(p, datum="gcj02")
        except (InputDataError, CRSError):
            return
    _accounted(res)
    assert res.n_input == len(rows)
    assert res.layer["name"].str.startswith("设施").all()  # decoded right, whatever the bytes
    assert set(res.rejected["reason"]) <= set(REASONS)


# ======================================================================== safety

_SOURCE_DIRS = ("geo", "layers", "analyses", "jinan_gis", "data", "scripts")


def _calls(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            mods = [a.name for a in node.names] + ([node.module] if isinstance(
                node, ast.ImportFrom) and node.module else [])
            for m in mods:
                if m.split(".")[0] in ("pickle", "marshal", "shelve", "dill", "cloudpickle"):
                    found.append((node.lineno, f"import {m}"))
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        name = f.id if isinstance(f, ast.Name) else (
            f"{ast.unparse(f.value)}.{f.attr}" if isinstance(f, ast.Attribute) else "")
        if name in ("eval", "exec", "compile", "__import__"):
            found.append((node.lineno, name))
        if name.endswith(("pickle.load", "pickle.loads", "marshal.load", "marshal.loads")):
            found.append((node.lineno, name))
        if name.endswith(("pd.read_pickle", "pandas.read_pickle", "np.load", "numpy.load")):
            allow = any(k.arg == "allow_pickle" and isinstance(k.value, ast.Constant)
                        and k.value.value is False for k in node.keywords)
            if "pickle" in name or not allow:
                found.append((node.lineno, name))
        if name.endswith("yaml.load"):
            safe = any("SafeLoader" in ast.unparse(k.value) for k in node.keywords) or any(
                "SafeLoader" in ast.unparse(a) for a in node.args[1:])
            if not safe:
                found.append((node.lineno, name))
        if name.endswith("yaml.unsafe_load"):
            found.append((node.lineno, name))
    return found


def test_no_eval_exec_or_pickle_on_user_files() -> None:
    offences = []
    n = 0
    for d in _SOURCE_DIRS:
        for path in sorted((REPO / d).rglob("*.py")):
            n += 1
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            offences += [f"{path.relative_to(REPO)}:{ln}: {what}" for ln, what in _calls(tree)]
    assert n > 30
    assert offences == []
    # the scanner itself catches them
    sample = "import pickle\nx = eval('1')\npickle.loads(b'')\nyaml.load(f)\nnp.load('a.npy')\n"
    assert [w for _, w in _calls(ast.parse(sample))] == [
        "import pickle", "eval", "pickle.loads", "yaml.load", "np.load"]
    assert _calls(ast.parse("yaml.load(f, Loader=yaml.SafeLoader)")) == []


def test_demo_writes_only_under_the_chosen_output_folder(tmp_path: Path) -> None:
    exe = shutil.which("jinan-gis", path=str(Path(sys.executable).parent))
    assert exe is not None
    out, cwd, home, tmp = (tmp_path / n for n in ("out", "cwd", "home", "tmp"))
    for d in (cwd, home, tmp):
        d.mkdir()
    env = {**os.environ, "HOME": str(home), "TMPDIR": str(tmp), "PYTHONIOENCODING": "utf-8",
           "XDG_CACHE_HOME": str(home / ".cache")}
    proc = subprocess.run([exe, "demo", "--scale", "0.05", "--out", str(out), "--quiet"],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sorted(p.name for p in out.iterdir()) == ["layers.gpkg", "map.html", "report.xlsx",
                                                      "summary.md"]
    for d in (cwd, home, tmp):
        assert list(d.rglob("*")) == [], f"files written outside --out: {list(d.rglob('*'))}"
