"""Issue 18 part 4: ``import jinan_gis as jg`` gives the main verbs (lazily), the package is
typed, and an OSMnx graph becomes a network without counting two-way streets twice."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from shapely.geometry import LineString

import jinan_gis as jg
from jinan_gis.layers.osmnx_graph import network_from_osmnx, osmnx_streets

REPO = Path(__file__).resolve().parents[1]
VERBS = ["load_districts", "load_streets", "load_facilities", "population_from_points",
         "population_from_polygons", "population_from_raster", "load_zones", "build_network",
         "network_from_osmnx", "coverage", "nearest_distances", "evaluate", "propose_sites",
         "export_map", "inputs_from_sample", "inputs_from_store", "resolve_categories",
         "write_excel", "write_geopackage", "run_report"]


def test_every_public_name_resolves_and_is_listed() -> None:
    assert set(VERBS) <= set(jg.__all__) <= set(dir(jg))
    for name in jg.__all__:
        assert getattr(jg, name) is not None, name
    from jinan_gis.analyses.report import evaluate

    assert jg.evaluate is evaluate
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        jg.nope  # noqa: B018


def test_import_is_light() -> None:
    code = textwrap.dedent("""
        import sys, jinan_gis
        heavy = {"folium", "numba", "geopandas", "pandas", "shapely", "pyogrio", "osmnx"}
        print(sorted(heavy & set(sys.modules)))
        jinan_gis.resolve_categories  # the first use imports what it needs
        print("jinan_gis.layers.taxonomy" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "True"], out.stdout + out.stderr


def test_the_package_is_typed() -> None:
    assert (REPO / "jinan_gis" / "py.typed").exists()
    assert "jinan_gis = py.typed" in (REPO / "setup.cfg").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------- OSMnx
def _graph(crs: str = "EPSG:4548") -> nx.MultiDiGraph:
    """OSMnx-style: a two-way street 1-2-3 (stored both ways, the return edge with the
    geometry reversed), a two-way side street 2-4 without geometry, a one-way 3-5."""
    g = nx.MultiDiGraph(crs=crs)
    for n, (x, y) in {1: (0, 0), 2: (100, 0), 3: (200, 0), 4: (100, 80), 5: (200, 60)}.items():
        g.add_node(n, x=float(x), y=float(y))
    bend = LineString([(100, 0), (150, 10), (200, 0)])
    g.add_edge(1, 2, 0, oneway=False, reversed=False, length=100.0, highway="primary",
               geometry=LineString([(0, 0), (100, 0)]), osmid=11)
    g.add_edge(2, 1, 0, oneway=False, reversed=True, length=100.0, highway="primary",
               geometry=LineString([(100, 0), (0, 0)]), osmid=11)
    g.add_edge(2, 3, 0, oneway=False, reversed=False, length=bend.length, geometry=bend,
               osmid=11)
    g.add_edge(3, 2, 0, oneway=False, reversed=True, length=bend.length,
               geometry=bend.reverse(), osmid=11)
    g.add_edge(2, 4, 0, oneway=False, length=80.0, osmid=12)
    g.add_edge(4, 2, 0, oneway=False, length=80.0, osmid=12)
    g.add_edge(3, 5, 0, oneway=True, length=60.0, osmid=13, highway="service")
    return g


def test_two_way_streets_count_once() -> None:
    g = _graph()
    streets = osmnx_streets(g)
    assert len(streets) == 4
    undirected = 100.0 + LineString([(100, 0), (150, 10), (200, 0)]).length + 80.0 + 60.0
    assert streets["length_m"].sum() == pytest.approx(undirected)
    assert streets.set_index(["u_osm", "v_osm"]).loc[(3, 5), "oneway"]
    net = network_from_osmnx(g, mode="walk")
    assert net.n_nodes == 5 and net.n_edges == 4
    assert net.edge_length.sum() == pytest.approx(undirected)
    assert g.number_of_edges() == 7  # the graph is not changed
    drive = network_from_osmnx(g, mode="drive")
    i = int(np.flatnonzero(np.isclose(drive.edge_length, 60.0))[0])
    assert drive.edge_fwd[i] and not drive.edge_bwd[i]


def test_a_graph_in_degrees_is_projected_to_a_metric_crs() -> None:
    g = nx.MultiDiGraph(crs="EPSG:4326")
    g.add_node(1, x=117.0, y=36.65)
    g.add_node(2, x=117.01, y=36.65)
    g.add_edge(1, 2, oneway=False)
    g.add_edge(2, 1, oneway=False)
    net = network_from_osmnx(g)
    assert net.crs == "EPSG:4548" and net.n_edges == 1
    assert net.edge_length[0] == pytest.approx(893, abs=2)  # 0.01 deg of longitude at 36.65 N
    far = nx.relabel_nodes(g, {1: 1, 2: 2})
    for n in far.nodes:
        far.nodes[n]["x"] += 10.0  # Helsinki-ish longitude: no longer Jinan's zone
    assert network_from_osmnx(far).crs.startswith("EPSG:326")


_OSM = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="hand">
  <node id="1" lat="36.650" lon="117.000" version="1"/>
  <node id="2" lat="36.650" lon="117.002" version="1"/>
  <node id="3" lat="36.651" lon="117.004" version="1"/>
  <node id="4" lat="36.652" lon="117.002" version="1"/>
  <node id="5" lat="36.648" lon="117.004" version="1"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="residential"/><tag k="name" v="经十路"/></way>
  <way id="11" version="1"><nd ref="2"/><nd ref="4"/><tag k="highway" v="footway"/></way>
  <way id="12" version="1"><nd ref="3"/><nd ref="5"/><nd ref="2"/>
    <tag k="highway" v="residential"/><tag k="oneway" v="yes"/></way>
</osm>
"""


def test_a_graph_from_osmnx_xml(tmp_path: Path) -> None:
    ox = pytest.importorskip("osmnx")
    path = tmp_path / "small.osm"
    path.write_text(_OSM, encoding="utf-8")
    g = ox.graph_from_xml(path, simplify=False, retain_all=True)
    assert g.number_of_edges() == 8  # ways 10 (2 pieces) and 11 both ways, 12 one way
    net = network_from_osmnx(g, mode="walk")
    lines = ox.convert.graph_to_gdfs(ox.convert.to_undirected(g), nodes=False)
    undirected = float(lines.to_crs("EPSG:4548").length.sum())
    assert len(lines) == net.n_edges == 5
    assert net.edge_length.sum() == pytest.approx(undirected, rel=1e-9)
    directed = float(ox.convert.graph_to_gdfs(g, nodes=False).to_crs("EPSG:4548").length.sum())
    assert directed > 1.3 * undirected  # what counting both directions would have given
    assert net.edge_length.sum() == pytest.approx(sum(
        d["length"] for _, _, d in ox.convert.to_undirected(g).edges(data=True)), rel=5e-3)


def test_a_load_result_reads_like_its_geodataframe(tmp_path) -> None:
    """Loaders keep LoadResult (rejections and provenance travel with it), and it behaves like
    the GeoDataFrame it carries: columns, len, crs, plot/explore, to_file are the layer's."""
    import pandas as pd

    import jinan_gis as jg

    csv = tmp_path / "poi.csv"
    pd.DataFrame({"name": ["洪家楼社区卫生服务中心", "no coordinates"],
                  "lon": [117.06, None], "lat": [36.68, None]}).to_csv(csv, index=False)
    res = jg.load_facilities(csv, datum="wgs84")
    assert len(res) == 1 and res["category"].tolist() == ["chc"]
    assert res.crs.to_epsg() == 4548 and "geometry" in res
    assert callable(res.explore) and callable(res.to_file)
    assert len(res.rejected) == 1 and res.rejected["reason"].notna().all()
    assert bool(res) and "LoadResult" in repr(res)


def test_coverage_comes_back_as_areas_with_names() -> None:
    import jinan_gis as jg

    inputs = jg.inputs_from_sample(scale=0.05)
    by_zone = jg.run_coverage(inputs, categories=["clinic"], max_dist_m=1000,
                              by_zone=True).table
    g = jg.coverage_areas(by_zone, districts=inputs.districts, zones=inputs.zones)
    assert len(g) == len(by_zone) and g.geometry.notna().all() and g.crs is not None
    assert g["zone_name"].str.endswith(("街道", "镇")).all()
    assert set(g["district_name"]) == {"历城区 Licheng District", "市中区 Shizhong District"}
    assert g["share_network"].tolist() == by_zone["share_network"].tolist()
