"""Population (grid, polygons, points) and reporting zones, on files made in the tests."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from pyproj import Transformer
from rasterio.transform import Affine
from shapely.geometry import LineString, Point, Polygon, box

from jinan_gis.geo.datum import convert
from jinan_gis.geo.errors import CRSError, DatumError, InputDataError, LayerError
from jinan_gis.layers.population import (
    POPULATION_COLUMNS,
    population_from_points,
    population_from_polygons,
    population_from_raster,
)
from jinan_gis.layers.result import LoadResult
from jinan_gis.layers.zones import ZONE_COLUMNS, load_zones

NODATA = -99999.0
GRID = np.array(
    [
        [10.0, 0.0, NODATA, 2.5],
        [-3.0, 100.25, 7.0, np.nan],
        [0.0, 1.0, NODATA, 1234.5],
    ]
)


def _check(res: LoadResult, columns: tuple[str, ...] = POPULATION_COLUMNS) -> None:
    assert res.n_kept + res.n_rejected == res.n_input
    res.check_accounting()
    assert tuple(res.layer.columns) == columns
    assert res.layer.crs.to_epsg() == 4548
    assert list(res.rejected.columns[:2]) == ["input_row", "reason"]


def _write_tif(
    path: Path,
    grid: np.ndarray,
    *,
    crs: str | None,
    transform: Affine,
    nodata: float | None = NODATA,
) -> Path:
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=grid.shape[0],
        width=grid.shape[1],
        count=1,
        dtype="float64",
        crs=crs,
        nodata=nodata,
        transform=transform,
    ) as dst:
        dst.write(grid, 1)
    return path


# ---------------------------------------------------------------------------------- grid


@pytest.mark.parametrize(
    ("crs", "transform"),
    [
        ("EPSG:4326", Affine(0.001, 0, 117.0, 0, -0.001, 36.70)),
        ("EPSG:4548", Affine(100.0, 0, 500_000.0, 0, -100.0, 4_062_000.0)),
    ],
)
def test_raster_points_rejections_and_totals(tmp_path: Path, crs: str, transform: Affine) -> None:
    tif = _write_tif(tmp_path / "worldpop.tif", GRID, crs=crs, transform=transform)
    res = population_from_raster(tif)
    _check(res)
    positive = GRID[np.isfinite(GRID) & (GRID > 0) & (GRID != NODATA)]
    assert res.n_kept == len(positive) == 6
    assert res.layer["population"].tolist() == positive.tolist()  # row-major cell order
    assert res.layer["pop_id"].tolist() == ["r0c0", "r0c3", "r1c1", "r1c2", "r2c1", "r2c3"]
    assert res.rejected["reason"].tolist() == [
        "nodata",
        "negative value",
        "non-finite value",
        "nodata",
    ]
    assert res.rejected["input_row"].tolist() == [2, 4, 7, 10]
    assert res.provenance["n_zero_cells"] == 2
    assert res.n_input + res.provenance["n_zero_cells"] == GRID.size
    total = math.fsum(positive.tolist())
    assert res.provenance["population_in"] == total == res.provenance["population_out"]
    assert res.provenance["totals"] == "population in 1,355.25 = out 1,355.25"
    # cell centres, reprojected
    tr = Transformer.from_crs(crs, "EPSG:4548", always_xy=True)
    ex, ey = tr.transform(*(transform @ (3.5, 2.5)))
    last = res.layer.geometry.iloc[-1]
    assert abs(last.x - ex) < 1e-6 and abs(last.y - ey) < 1e-6


def test_raster_clipped_to_jinan_and_errors(tmp_path: Path) -> None:
    # a 0.5-degree grid from 115 E to 119 E: only the cells around Jinan are read
    grid = np.ones((4, 8))
    tif = _write_tif(
        tmp_path / "wide.tif", grid, crs="EPSG:4326", transform=Affine(0.5, 0, 115.0, 0, -0.5, 38.0)
    )
    res = population_from_raster(tif)
    _check(res)
    assert res.provenance["window"] == {"row_off": 0, "col_off": 2, "height": 4, "width": 4}
    assert res.n_kept == 16
    assert population_from_raster(tif, clip_lonlat=None).n_kept == 32
    far = _write_tif(
        tmp_path / "far.tif", grid, crs="EPSG:4326", transform=Affine(0.5, 0, 0.0, 0, -0.5, 10.0)
    )
    with pytest.raises(LayerError, match="does not cover Jinan"):
        population_from_raster(far)
    nocrs = _write_tif(
        tmp_path / "nocrs.tif", grid, crs=None, transform=Affine(0.5, 0, 115.0, 0, -0.5, 38.0)
    )
    with pytest.raises(CRSError, match="crs="):
        population_from_raster(nocrs)
    assert population_from_raster(nocrs, crs="EPSG:4326").n_kept == 16


def test_raster_nan_nodata(tmp_path: Path) -> None:
    grid = np.array([[np.nan, 5.0], [np.inf, 0.5]])
    tif = _write_tif(
        tmp_path / "nan.tif",
        grid,
        crs="EPSG:4548",
        nodata=np.nan,
        transform=Affine(100.0, 0, 500_000.0, 0, -100.0, 4_062_000.0),
    )
    res = population_from_raster(tif)
    _check(res)
    assert res.rejected["reason"].tolist() == ["nodata", "non-finite value"]
    assert res.layer["population"].sum() == 5.5


# ------------------------------------------------------------------------------ polygons


def _compounds() -> gpd.GeoDataFrame:
    bow_tie = Polygon(
        [(501_000, 4_060_000), (501_300, 4_060_300), (501_300, 4_060_000), (501_000, 4_060_300)]
    )
    return gpd.GeoDataFrame(
        {
            "小区": ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛"],
            "人口": [1234.5, 987.0, 3.0, None, "多", -1.0, 0.0, 77.0],
        },
        geometry=[
            box(500_000, 4_060_000, 500_450, 4_060_330),
            box(500_500, 4_060_000, 500_930, 4_060_170),
            box(500_000, 4_061_000, 500_010, 4_061_010),  # too small for a grid node
            box(500_000, 4_062_000, 500_100, 4_062_100),
            box(500_000, 4_063_000, 500_100, 4_063_100),
            box(500_000, 4_064_000, 500_100, 4_064_100),
            box(500_000, 4_065_000, 500_100, 4_065_100),
            bow_tie,  # invalid: repaired
        ],
        crs="EPSG:4548",
    )


def test_polygons_preserve_totals(tmp_path: Path) -> None:
    gdf = _compounds().to_crs("EPSG:4527")
    before = gdf.copy()
    res = population_from_polygons(gdf, count_column="人口", spacing_m=50, zone_column="小区")
    _check(res)
    pd.testing.assert_frame_equal(gdf, before)
    expected = 1234.5 + 987.0 + 3.0 + 77.0
    assert math.isclose(res.layer["population"].sum(), expected, rel_tol=1e-9)
    assert math.isclose(res.provenance["population_in"], expected, rel_tol=1e-12)
    per_zone = res.layer.groupby("zone")["population"].sum()
    for zone, count in (("甲", 1234.5), ("乙", 987.0), ("丙", 3.0), ("辛", 77.0)):
        assert math.isclose(per_zone[zone], count, rel_tol=1e-9)
    assert (res.layer["zone"] == "丙").sum() == 1  # representative point
    assert res.rejected["reason"].tolist() == [
        "missing count",
        "non-numeric count",
        "negative count",
        "zero count (nobody to place)",
    ]
    assert res.provenance["n_polygons_in"] == 8
    assert res.provenance["n_polygons_placed"] == 4
    assert res.provenance["n_repaired"] == 1
    assert res.n_input == res.provenance["n_points"] + 4
    # points lie inside their polygon (in EPSG:4548)
    src = _compounds()
    a = res.layer[res.layer["zone"] == "甲"]
    assert a.within(src.geometry.iloc[0].buffer(1e-6)).all()
    assert res.layer["pop_id"].is_unique
    # deterministic
    again = population_from_polygons(gdf, count_column="人口", spacing_m=50, zone_column="小区")
    pd.testing.assert_frame_equal(pd.DataFrame(res.layer), pd.DataFrame(again.layer))


def test_polygons_dasymetric_with_fallback(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {"sub": ["A", "B"], "pop": [1000.0, 10.0]},
        geometry=[
            box(500_000, 4_060_000, 501_000, 4_061_000),
            box(503_000, 4_060_000, 503_200, 4_060_200),
        ],
        crs="EPSG:4548",
    )
    homes = gpd.GeoDataFrame(
        geometry=[box(500_000, 4_060_000, 500_200, 4_060_200)], crs="EPSG:4548"
    ).to_crs("EPSG:4326")
    path = tmp_path / "residential.gpkg"
    homes.to_file(path, engine="pyogrio")
    res = population_from_polygons(
        gdf, count_column="pop", residential=path, zone_column="sub", spacing_m=100
    )
    _check(res)
    a = res.layer[res.layer["zone"] == "A"]
    assert len(a) == 4
    assert a.within(box(500_000, 4_060_000, 500_200, 4_060_200)).all()
    assert res.provenance["dasymetric_fallback"] == ["1"]
    assert math.isclose(res.layer["population"].sum(), 1010.0, rel_tol=1e-9)


def test_polygons_from_gbk_shapefile_and_errors(tmp_path: Path) -> None:
    gdf = _compounds().iloc[:2]
    path = tmp_path / "小区.shp"
    gdf.assign(人口=[1234.5, 987.0]).to_file(path, encoding="gbk", engine="pyogrio")
    path.with_suffix(".cpg").unlink()
    res = population_from_polygons(path, count_column="人口", zone_column="小区", spacing_m=100)
    _check(res)
    assert sorted(res.layer["zone"].unique()) == ["乙", "甲"]
    with pytest.raises(InputDataError, match="count_column"):
        population_from_polygons(path, count_column="pop")
    with pytest.raises(InputDataError, match="spacing_m"):
        population_from_polygons(path, count_column="人口", spacing_m=0)
    path.with_suffix(".prj").unlink()
    with pytest.raises(CRSError, match="crs="):
        population_from_polygons(path, count_column="人口")


# -------------------------------------------------------------------------------- points


def test_points_with_counts_csv_gcj02(tmp_path: Path) -> None:
    lon, lat = convert([117.05, 117.06, 117.07], [36.67, 36.68, 36.69], src="wgs84", dst="gcj02")
    df = pd.DataFrame(
        {
            "id": ["a", "b", "a", "c"],
            "人口": ["100", "250.5", "7", "x"],
            "经度": [*lon, 117.0],
            "纬度": [*lat, 36.6],
        }
    )
    path = tmp_path / "pts.csv"
    df.to_csv(path, index=False)
    with pytest.raises(DatumError):
        population_from_points(path, count_column="人口")
    res = population_from_points(path, count_column="人口", datum="gcj02", id_column="id")
    _check(res)
    assert res.layer["pop_id"].tolist() == ["a", "b"]
    assert res.rejected["reason"].tolist() == ["duplicate id", "non-numeric count"]
    assert res.provenance["totals"] == "population in 350.5 = out 350.5"
    truth = gpd.GeoSeries(
        gpd.points_from_xy([117.05, 117.06], [36.67, 36.68]), crs="EPSG:4326"
    ).to_crs("EPSG:4548")
    assert float(res.layer.geometry.distance(truth, align=False).max()) < 1.0


# --------------------------------------------------------------------------------- zones


def test_zones_from_gbk_shapefile(tmp_path: Path) -> None:
    bow_tie = Polygon(
        [(500_000, 4_060_000), (500_100, 4_060_100), (500_100, 4_060_000), (500_000, 4_060_100)]
    )
    gdf = gpd.GeoDataFrame(
        {
            "JDMC": ["大观园街道", "泺源街道", "杆石桥街道", "重复", "七里山街道"],
            "CODE": ["370103001", "370103002", "370103003", "370103001", "370103005"],
        },
        geometry=[
            box(500_000, 4_061_000, 501_000, 4_062_000),
            bow_tie,
            box(502_000, 4_061_000, 503_000, 4_062_000),
            box(504_000, 4_061_000, 505_000, 4_062_000),
            Polygon(),
        ],
        crs="EPSG:4548",
    ).to_crs("EPSG:4527")
    path = tmp_path / "街道.shp"
    gdf.to_file(path, encoding="gbk", engine="pyogrio")
    path.with_suffix(".cpg").unlink()
    res = load_zones(path, zone_type="subdistrict", id_column="CODE")
    _check(res, ZONE_COLUMNS)
    assert res.layer["zone_name"].tolist() == ["大观园街道", "泺源街道", "杆石桥街道"]
    assert res.layer["zone_id"].tolist() == ["370103001", "370103002", "370103003"]
    assert res.layer["repaired"].tolist() == [False, True, False]
    assert res.layer.geometry.is_valid.all()
    assert res.provenance["n_repaired"] == 1
    assert res.provenance["repaired"][0]["zone_name"] == "泺源街道"
    assert res.provenance["name_column"] == "JDMC"
    assert sorted(res.rejected["reason"]) == ["duplicate id", "empty geometry"]
    assert abs(res.layer.geometry.iloc[0].area - 1e6) < 1.0


def test_zones_reject_points_and_lines() -> None:
    gdf = gpd.GeoDataFrame(
        {"name": ["a", "b", "c"]},
        geometry=[
            box(117.0, 36.6, 117.01, 36.61),
            Point(117.0, 36.6),
            LineString([(117.0, 36.6), (117.1, 36.7)]),
        ],
        crs="EPSG:4326",
    )
    res = load_zones(gdf, zone_type="old_town")
    _check(res, ZONE_COLUMNS)
    assert res.rejected["reason"].tolist() == [
        "not a polygon (Point)",
        "not a polygon (LineString)",
    ]
    assert res.layer["zone_type"].tolist() == ["old_town"]
    with pytest.raises(CRSError):
        load_zones(gdf.set_crs(None, allow_override=True))
