"""Bad GIS files as they arrive (issue 14 item 3): shapefile encodings and .cpg/.prj
variants, other Gauss-Kruger zones, Web Mercator, swapped axes, places outside Licheng and
Shizhong, duplicate rows, MultiPoints, overlapping population polygons, zips and
GeoPackages with several layers, and street centrelines with Z (bridges).

Cases ``F23``-``F27`` and ``F51``... of ``docs/BAD_INPUT.md``; each is a real file
written to ``tmp_path`` (pyogrio/GDAL, zipfile) and read through the Python loaders.
"""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from pyproj import Transformer
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from shapely.geometry import LineString, MultiPoint, Point, box
from test_bad_files import (
    PLACES,
    SIMPLIFIED,
    TRADITIONAL,
    accounted,
    frame,
    near_truth,
    truth_m,
)

from jinan_gis.geo.datum import convert
from jinan_gis.geo.errors import CRSError, InputDataError, LayerError
from jinan_gis.geo.network import build_network
from jinan_gis.layers.district_check import REASON_OUTSIDE_DISTRICTS
from jinan_gis.layers.facilities import load_facilities
from jinan_gis.layers.population import population_from_points, population_from_polygons
from jinan_gis.layers.streets import load_streets
from jinan_gis.layers.zones import load_zones

TO_M = Transformer.from_crs("EPSG:4326", "EPSG:4548", always_xy=True)
X0, Y0 = (round(v, -2) for v in TO_M.transform(117.2, 36.75))  # Licheng, 唐冶 area
TAIAN, DEZHOU, BEIJING = (117.10, 36.20), (116.30, 37.45), (116.40, 39.90)


def points_file(path: Path, names: list[str], places: list[tuple[float, float]], *,
                crs: str = "EPSG:4326", encoding: str | None = None) -> Path:
    column = "名稱" if encoding == "big5" else "名称"  # 名称 has no Big5 form
    gdf = gpd.GeoDataFrame({column: names}, geometry=gpd.points_from_xy(*zip(*places,
                                                                          strict=True)),
                           crs="EPSG:4326").to_crs(crs)
    pyogrio.write_dataframe(gdf, path, encoding=encoding)
    return path


def zone_boxes(n: int = 3, *, size: float = 1000.0) -> gpd.GeoDataFrame:
    geoms = [box(X0 + 1500 * i, Y0, X0 + 1500 * i + size, Y0 + size) for i in range(n)]
    return gpd.GeoDataFrame({"街道": [f"街道{i}" for i in range(n)], "人口": [1000.0] * n},
                            geometry=geoms, crs="EPSG:4548")


# ================================================== F23-F27 shapefile encodings, .cpg variants

@pytest.mark.parametrize(("case", "names", "encoding", "cpg"), [
    ("F23", TRADITIONAL, "big5", None),
    ("F24", SIMPLIFIED, "gbk", None),
    ("F25", SIMPLIFIED, "gbk", "936"),
    ("F26", TRADITIONAL, "big5", "ANSI 950"),
    ("F27", SIMPLIFIED, "utf-8", "UTF-8"),
])
def test_shapefile_encodings(tmp_path: Path, case: str, names: list[str], encoding: str,
                             cpg: str | None) -> None:
    """F23-F27: Big5 and GBK shapefiles without .cpg (detected from the .dbf bytes), and
    ArcGIS code-page / QGIS name .cpg files: every name decoded right."""
    p = points_file(tmp_path / f"{case}.shp", names, PLACES, encoding=encoding)
    cpg_path = p.with_suffix(".cpg")
    cpg_path.unlink(missing_ok=True)
    if cpg is not None:
        cpg_path.write_text(cpg, encoding="ascii")
    res = accounted(load_facilities(p))
    assert res.layer["name"].tolist() == names and near_truth(res) < 0.01


# ============================================= F51-F66 districts, CRSs, datums, .prj variants

def test_places_outside_the_districts(tmp_path: Path) -> None:
    """F51, F52: Tai'an and Dezhou (in Jinan's box, not its districts) and Beijing: each row
    rejected with its reason; the Licheng/Shizhong rows kept."""
    df = frame([*SIMPLIFIED[:2], "泰安站", "德州站", "北京站"],
               [*PLACES[:2], TAIAN, DEZHOU, BEIJING])
    p = tmp_path / "mixed.csv"
    df.to_csv(p, index=False)
    res = accounted(load_facilities(p, datum="wgs84"))
    assert res.rejected["reason"].tolist() == [REASON_OUTSIDE_DISTRICTS] * 2 + ["outside Jinan"]
    assert res.layer["name"].tolist() == SIMPLIFIED[:2]


def test_web_mercator_in_lonlat_columns(tmp_path: Path) -> None:
    """F53, F54, F55: Web Mercator metres in lng/lat columns: the fix is --crs EPSG:3857,
    which then works (no loop); declared EPSG:4548 they are named as 3857, not a prefix."""
    merc = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    x, y = merc.transform(*np.array(PLACES).T)
    p = tmp_path / "merc.csv"
    pd.DataFrame({"名称": SIMPLIFIED, "lng": x, "lat": y}).to_csv(p, index=False)
    with pytest.raises(CRSError, match=r"merc\.csv: the coordinates are not longitude/latitude"
                       r".*fit EPSG:3857: declare --crs EPSG:3857 / crs='EPSG:3857'"):
        load_facilities(p, datum="wgs84")  # "F53"
    res = accounted(load_facilities(p, datum="wgs84", crs="EPSG:3857"))  # "F54"
    assert near_truth(res) < 0.01
    with pytest.raises(CRSError, match=r"nowhere near Jinan in the declared EPSG:4548.*fit "
                       r"EPSG:3857: declare --crs EPSG:3857") as err:
        load_facilities(p, datum="wgs84", crs="EPSG:4548")  # "F55"
    assert "carry the zone prefix" not in str(err.value)


def test_zone_prefix_39_columns(tmp_path: Path) -> None:
    """F56: eastings with the zone prefix 39 in x/y columns: the fix names EPSG:4527; with it
    the rows are placed right."""
    gk = Transformer.from_crs("EPSG:4326", "EPSG:4527", always_xy=True)
    x, y = gk.transform(*np.array(PLACES).T)
    p = tmp_path / "gk39.csv"
    pd.DataFrame({"名称": SIMPLIFIED, "x": x, "y": y}).to_csv(p, index=False)
    with pytest.raises(CRSError, match=r"fit EPSG:4527: declare --crs EPSG:4527"):
        load_facilities(p, datum="wgs84")
    assert near_truth(accounted(load_facilities(p, datum="wgs84", crs="EPSG:4527"))) < 0.01


@pytest.mark.parametrize(("case", "declared", "numbers_in", "fits"), [
    ("F57", "EPSG:4549", "EPSG:4548", "EPSG:4548"),  # .prj for CM 120E over CM 117E numbers
    ("F58", "EPSG:4547", "EPSG:4548", "EPSG:4548"),  # .prj for CM 114E
    ("F59", "EPSG:4548", "EPSG:4498", "EPSG:4498"),  # 6-degree zone 20 (20xxxxxx)
    ("F60", "EPSG:4527", "EPSG:4526", "EPSG:4526"),  # zone 38 numbers under a zone 39 .prj
])
def test_zone_file_with_the_wrong_prj(tmp_path: Path, case: str, declared: str,
                                      numbers_in: str, fits: str) -> None:
    """F57-F60: zones whose .prj names another Gauss-Kruger zone than their numbers: refused
    naming the CRS the numbers fit (was: stored 270 km away)."""
    zones = zone_boxes().to_crs(numbers_in).set_crs(declared, allow_override=True)
    p = tmp_path / f"{case}.shp"
    zones.to_file(p, encoding="utf-8")
    with pytest.raises(CRSError, match=rf"{case}\.shp: .*fit {fits}: declare --crs {fits} / "
                       rf"crs='{fits}'"):
        load_zones(p)
    assert accounted(load_zones(p, crs=fits)).n_kept == 3


def test_projected_axes_swapped(tmp_path: Path) -> None:
    """F61: a shapefile with northing first (x and y swapped): refused naming the swap."""
    zones = zone_boxes()
    swapped = zones.set_geometry(zones.geometry.map(
        lambda g: box(g.bounds[1], g.bounds[0], g.bounds[3], g.bounds[2])))
    p = tmp_path / "swapped.shp"
    swapped.to_file(p, encoding="utf-8")
    with pytest.raises(CRSError, match=r"fit EPSG:4548 with x and y swapped: x and y are "
                       r"swapped in the file.*Swap X and Y"):
        load_zones(p)


def test_population_polygons_wrong_zone(tmp_path: Path) -> None:
    """F62: population polygons with a CM 120E .prj over CM 117E numbers: refused."""
    p = tmp_path / "pop.gpkg"
    zone_boxes().set_crs("EPSG:4549", allow_override=True).to_file(p)
    with pytest.raises(CRSError, match=r"fit EPSG:4548"):
        population_from_polygons(p, count_column="人口")


def test_population_polygon_in_taian(tmp_path: Path) -> None:
    """F63: a population polygon in Tai'an: rejected; the others' people all placed."""
    zones = zone_boxes()
    tx, ty = TO_M.transform(*TAIAN)
    zones.loc[2, "geometry"] = box(tx, ty, tx + 1000, ty + 1000)
    p = tmp_path / "pop.gpkg"
    zones.to_file(p)
    res = accounted(population_from_polygons(p, count_column="人口"))
    assert res.rejected["reason"].tolist() == [REASON_OUTSIDE_DISTRICTS]
    assert res.layer["population"].sum() == pytest.approx(2000.0)


def test_zone_far_outside(tmp_path: Path) -> None:
    """F64: a zone in Huaiyin (3 km beyond Shizhong): rejected with the reason."""
    zones = zone_boxes()
    hx, hy = TO_M.transform(116.93, 36.70)
    zones.loc[0, "geometry"] = box(hx, hy, hx + 500, hy + 500)
    res = accounted(load_zones(zones))
    assert res.rejected["reason"].tolist() == [REASON_OUTSIDE_DISTRICTS]


def test_bd09_geopackage(tmp_path: Path) -> None:
    """F65: a Baidu (BD-09) layer labelled EPSG:4326, datum='bd09' declared: placed right."""
    lon, lat = convert(*np.array(PLACES).T, src="wgs84", dst="bd09")
    p = points_file(tmp_path / "baidu.gpkg", SIMPLIFIED, list(zip(lon, lat, strict=True)))
    assert near_truth(accounted(load_facilities(p, datum="bd09"))) < 1.0


def test_arcgis_esri_prj(tmp_path: Path) -> None:
    """F66: an ArcGIS .prj (ESRI WKT CGCS2000_3_Degree_GK_CM_117E): read as EPSG:4548."""
    p = points_file(tmp_path / "arc.shp", SIMPLIFIED, PLACES, crs="EPSG:4548")
    p.with_suffix(".prj").write_text(
        'PROJCS["CGCS2000_3_Degree_GK_CM_117E",GEOGCS["GCS_China_Geodetic_Coordinate_System_'
        '2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM['
        '"Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],'
        'PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER['
        '"Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_'
        'Origin",0.0],UNIT["Meter",1.0]]', encoding="ascii")
    assert near_truth(accounted(load_facilities(p))) < 0.01


# ============================================================== F67-F77 duplicates, parts

def test_duplicate_rows(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """F67, F68: a row exported twice: rejected as 'duplicate row of row 0'; kept (with a
    warning and a count) under duplicates='keep'."""
    df = frame()
    p = tmp_path / "dup.csv"
    pd.concat([df, df.iloc[[0]]]).to_csv(p, index=False)
    res = accounted(load_facilities(p, datum="wgs84"))  # "F67"
    assert res.rejected[["input_row", "reason"]].values.tolist() == [[5, "duplicate row of row 0"]]
    with caplog.at_level(logging.WARNING):
        kept = accounted(load_facilities(p, datum="wgs84", duplicates="keep"))  # "F68"
    assert kept.n_kept == 6 and kept.provenance["n_duplicates"] == 1
    assert "row 5 = row 0 (kept: duplicates='keep')" in caplog.text


def test_same_site_listed_twice_and_two_in_one_building(tmp_path: Path) -> None:
    """F69, F70: the same name at the same place under another 序号 is a duplicate; two
    different clinics in one building are both kept."""
    df = frame().assign(序号=range(1, 6))
    twice = df.iloc[[1]].assign(序号=99)
    other = df.iloc[[2]].assign(名称="山大路口腔诊所", 序号=100)
    p = tmp_path / "poi.csv"
    pd.concat([df, twice, other]).to_csv(p, index=False)
    res = accounted(load_facilities(p, datum="wgs84"))
    assert res.rejected["reason"].tolist() == ["duplicate row of row 1"]  # "F69"
    assert "山大路口腔诊所" in res.layer["name"].tolist()  # "F70"


def test_population_duplicates(tmp_path: Path) -> None:
    """F71: a population row exported twice is not counted twice."""
    df = frame().assign(人口=[100, 200, 300, 400, 500])
    p = tmp_path / "pop.csv"
    pd.concat([df, df.iloc[[3]]]).to_csv(p, index=False)
    res = accounted(population_from_points(p, count_column="人口", datum="wgs84"))
    assert res.layer["population"].sum() == 1500
    assert res.rejected["reason"].tolist() == ["duplicate row of row 3"]


def test_multipoint_of_three_sites(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """F72, F73: a MultiPoint of three sites: three facilities, one input row, a warning; a
    part outside the districts is listed in provenance (the feature is kept)."""
    gdf = gpd.GeoDataFrame({"名称": ["三个服务站", "洪家楼站"]}, crs="EPSG:4326", geometry=[
        MultiPoint(PLACES[:3]), MultiPoint([PLACES[3], TAIAN])])
    p = tmp_path / "multi.gpkg"
    gdf.to_file(p)
    with caplog.at_level(logging.WARNING):
        res = accounted(load_facilities(p))
    assert res.n_input == 2 and res.n_kept == 2 and len(res.layer) == 4  # "F72"
    assert res.layer["facility_id"].tolist() == [
        "multi.gpkg:0.0", "multi.gpkg:0.1", "multi.gpkg:0.2", "multi.gpkg:1.0"]
    assert "split into one row per point" in caplog.text
    assert res.provenance["rejected_parts"] == [
        {"input_row": 1, "reason": REASON_OUTSIDE_DISTRICTS}]  # "F73"
    got = res.layer.geometry.reset_index(drop=True)
    assert got.distance(truth_m([*PLACES[:3], PLACES[3]])).max() < 0.01


def test_multipoint_population(tmp_path: Path) -> None:
    """F74: a MultiPoint with 300 people over three points: 100 each, total kept."""
    gdf = gpd.GeoDataFrame({"人口": [300.0]}, geometry=[MultiPoint(PLACES[:3])],
                           crs="EPSG:4326")
    p = tmp_path / "mp.gpkg"
    gdf.to_file(p)
    res = accounted(population_from_points(p, count_column="人口"))
    assert res.layer["population"].tolist() == [100.0, 100.0, 100.0] and res.n_input == 1


def test_overlapping_population_polygons(tmp_path: Path) -> None:
    """F75, F76: overlapping polygons are refused with the area and the rule; with
    overlaps='clip' later polygons lose the shared area, a wholly covered one is rejected."""
    zones = zone_boxes(2)
    zones.loc[1, "geometry"] = box(X0 + 500, Y0, X0 + 1500, Y0 + 1000)  # half over zone 0
    inner = gpd.GeoDataFrame({"街道": ["小区"], "人口": [50.0]}, crs="EPSG:4548",
                             geometry=[box(X0 + 100, Y0 + 100, X0 + 300, Y0 + 300)])
    p = tmp_path / "pop.gpkg"
    pd.concat([zones, inner]).to_file(p)
    with pytest.raises(InputDataError, match=r"pop\.gpkg: 2 pair\(s\) of population polygons "
                       r"overlap \(.*rows 0 and 1 share 500,000 m² \(50% of the smaller\).*"
                       r"counted twice.*overlaps='clip'"):
        population_from_polygons(p, count_column="人口")  # "F75"
    res = accounted(population_from_polygons(p, count_column="人口", overlaps="clip"))
    assert res.rejected["reason"].tolist() == ["covered by earlier polygons (overlaps='clip')"]
    assert res.layer["population"].sum() == pytest.approx(2000.0)  # "F76"
    second = res.layer[res.layer["input_row"] == 1].geometry
    assert (second.x > X0 + 1000).all()  # zone 1's people only where zone 0 is not


def test_points_given_as_population_polygons(tmp_path: Path) -> None:
    """F77: population points in a GeoPackage given to the polygon loader: refused naming
    the point loader (was: every row rejected, 0 kept)."""
    p = points_file(tmp_path / "pts.gpkg", SIMPLIFIED, PLACES)
    with pytest.raises(LayerError, match=r"every feature is a Point, not a polygon.*"
                       r"population_from_points"):
        population_from_polygons(p, count_column="名称")


# ============================================================= F78-F83 zips and layers

def zipped(tmp_path: Path, members: dict[str, Path], name: str = "export.zip") -> Path:
    out = tmp_path / name
    with zipfile.ZipFile(out, "w") as z:
        for inner, shp in members.items():
            for f in shp.parent.glob(shp.stem + ".*"):
                z.write(f, f"{inner}/{f.name}")
    return out


def test_zip_with_shapefile_in_a_subfolder(tmp_path: Path) -> None:
    """F78, F83: a zip holding 导出/街道/jd.shp (GBK, no .cpg): read, names right."""
    (tmp_path / "src").mkdir()
    shp = tmp_path / "src" / "jd.shp"
    zone_boxes().to_file(shp, encoding="gbk")
    shp.with_suffix(".cpg").unlink(missing_ok=True)
    res = accounted(load_zones(zipped(tmp_path, {"导出/街道": shp})))
    assert res.layer["zone_name"].tolist() == ["街道0", "街道1", "街道2"]  # "F78"
    assert res.provenance["zip_member"] == "导出/街道/jd.shp"
    assert res.provenance["encoding_from"].startswith("detected")  # "F83"


def test_zip_with_two_shapefiles(tmp_path: Path) -> None:
    """F79: two shapefiles in a zip: refused listing them and naming --layer; layer= reads."""
    for n in ("a", "b"):
        (tmp_path / n).mkdir()
        zone_boxes(2 if n == "a" else 3).to_file(tmp_path / n / f"{n}.shp", encoding="utf-8")
    z = zipped(tmp_path, {"x/a": tmp_path / "a" / "a.shp", "x/b": tmp_path / "b" / "b.shp"})
    with pytest.raises(InputDataError, match=r"export\.zip: the zip holds 2 datasets \(x/a/a\.shp"
                       r", x/b/b\.shp\)\. Name one: --layer NAME / layer='NAME'"):
        load_zones(z)
    assert accounted(load_zones(z, layer="b")).n_kept == 3


def test_zip_without_a_dataset(tmp_path: Path) -> None:
    """F80: a zip holding only a PDF: refused saying what was looked for."""
    z = tmp_path / "docs.zip"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("说明.pdf", b"%PDF-1.4")
    with pytest.raises(InputDataError, match=r"docs\.zip: the zip holds no shapefile"):
        load_zones(z)


def test_geopackage_with_several_layers(tmp_path: Path) -> None:
    """F81, F82: a QGIS GeoPackage with two layers: refused naming --layer and the layers; an
    unknown layer is refused listing them; layer= reads."""
    p = tmp_path / "project.gpkg"
    zone_boxes().to_file(p, layer="街道")
    points_file(tmp_path / "tmp.gpkg", SIMPLIFIED, PLACES)
    pyogrio.write_dataframe(gpd.read_file(tmp_path / "tmp.gpkg"), p, layer="设施")
    with pytest.raises(InputDataError, match=r"holds 2 layers.*--layer NAME / layer='NAME'"):
        load_zones(p)  # "F81"
    with pytest.raises(InputDataError, match=r"no layer '社区'; its layers are"):
        load_zones(p, layer="社区")  # "F82"
    assert accounted(load_zones(p, layer="街道")).n_kept == 3


# ================================================================ F84-F87 streets with Z

def streets_3d(tmp_path: Path, lines: list[LineString], name: str, suffix: str) -> Path:
    p = tmp_path / f"{name}{suffix}"
    gdf = gpd.GeoDataFrame({"名称": [f"路{i}" for i in range(len(lines))]}, geometry=lines,
                           crs="EPSG:4548")
    pyogrio.write_dataframe(gdf, p, encoding="utf-8" if suffix == ".shp" else None)
    back = pyogrio.read_info(p)
    assert back["geometry_type"].endswith("Z") or "3D" in back["geometry_type"]
    return p


def components(streets: gpd.GeoDataFrame) -> int:
    net = build_network(streets, min_component_nodes=1)
    n = len(net.node_xy)
    g = coo_matrix((np.ones(len(net.edge_u)), (net.edge_u, net.edge_v)), shape=(n, n))
    return int(connected_components(g, directed=False)[0])


def load(p: Path) -> gpd.GeoDataFrame:
    area = box(X0 - 2000, Y0 - 2000, X0 + 2000, Y0 + 2000)
    return accounted(load_streets(area, source="centreline", path=p)).layer


def test_bridge_over_a_road_3d_shapefile(tmp_path: Path) -> None:
    """F84: a bridge deck at 45 m crossing a road at 20 m (3D shapefile): not noded, not
    joined (was: Z dropped and the bridge joined the road beneath)."""
    road = LineString([(X0 - 500, Y0, 20), (X0 + 500, Y0, 20)])
    bridge = LineString([(X0, Y0 - 500, 45), (X0, Y0 + 500, 45)])
    layer = load(streets_3d(tmp_path, [road, bridge], "bridge", ".shp"))
    assert len(layer) == 2 and components(layer) == 2


def test_crossing_at_grade_3d_geopackage(tmp_path: Path) -> None:
    """F85: two roads crossing at grade (20 m and 20.4 m, survey noise): noded, joined."""
    a = LineString([(X0 - 500, Y0, 20), (X0 + 500, Y0, 20)])
    b = LineString([(X0, Y0 - 500, 20.4), (X0, Y0 + 500, 20.4)])
    layer = load(streets_3d(tmp_path, [a, b], "grade", ".gpkg"))
    assert len(layer) == 4 and components(layer) == 1


def test_flat_z_is_2d(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """F86: a 2D drawing saved as 3D (every Z = 0): treated as 2D, logged; crossings noded."""
    a = LineString([(X0 - 500, Y0, 0), (X0 + 500, Y0, 0)])
    b = LineString([(X0, Y0 - 500, 0), (X0, Y0 + 500, 0)])
    with caplog.at_level(logging.INFO, logger="jinan_gis.layers.noding"):
        layer = load(streets_3d(tmp_path, [a, b], "flat", ".shp"))
    assert len(layer) == 4 and "treated as 2D" in caplog.text


def test_ramp_joins_the_road_it_ends_on(tmp_path: Path) -> None:
    """F87: a ramp climbing from the road (20 m) to the deck (45 m) joins both at its ends,
    while the deck still passes over the road without a node."""
    road = LineString([(X0 - 500, Y0, 20), (X0 + 500, Y0, 20)])
    deck = LineString([(X0, Y0 - 500, 45), (X0, Y0 + 500, 45)])
    ramp = LineString([(X0 + 300, Y0, 20), (X0 + 300, Y0 + 300, 45), (X0, Y0 + 300, 45)])
    layer = load(streets_3d(tmp_path, [road, deck, ramp], "ramp", ".gpkg"))
    assert components(layer) == 1
    crossing = Point(X0, Y0)
    ends = {(round(c[0], 3), round(c[1], 3)) for g in layer.geometry
            for c in (g.coords[0], g.coords[-1])}
    assert (crossing.x, crossing.y) not in ends  # the deck is not cut above the road


def test_road_split_under_the_bridge(tmp_path: Path) -> None:
    """F96: a road and a deck both split where they cross in plan (ends at one point, 20 m
    and 45 m): two nodes there, not one; the network keeps them apart."""
    road = [LineString([(X0 - 500, Y0, 20), (X0, Y0, 20)]),
            LineString([(X0, Y0, 20), (X0 + 500, Y0, 20)])]
    deck = [LineString([(X0, Y0 - 500, 45), (X0, Y0, 45)]),
            LineString([(X0, Y0, 45), (X0, Y0 + 500, 45)])]
    layer = load(streets_3d(tmp_path, road + deck, "split", ".gpkg"))
    assert len(layer) == 4 and components(layer) == 2
    assert {"u_osm", "v_osm"} <= set(layer.columns)


def test_ramp_ends_where_the_road_ends(tmp_path: Path) -> None:
    """F97: a ramp whose end meets the road's end at the same height (20 m): joined."""
    road = LineString([(X0 - 500, Y0, 20), (X0, Y0, 20)])
    ramp = LineString([(X0, Y0, 20.5), (X0 + 300, Y0, 30), (X0 + 600, Y0, 45)])
    deck = LineString([(X0 + 600, Y0, 45), (X0 + 600, Y0 + 500, 45)])
    layer = load(streets_3d(tmp_path, [road, ramp, deck], "ramp2", ".shp"))
    assert components(layer) == 1
