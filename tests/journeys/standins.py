"""Local stand-ins for what the examples need from the outside world.

- the files the README and the ``--help`` texts import (``roads.shp``, ``pop.tif``,
  ``subdistricts.gpkg``, ``clinics.shp``, ``amap_poi.xlsx``, ``communities.gpkg``) and the
  batch file ``batch.json``, generated in the journey's folder from the SYNTHETIC sample, in
  the formats the README describes;
- the Overpass API: :class:`SampleOverpass`, the project's stand-in
  (``tests/overpass_stub.py``) on 127.0.0.1 serving the sample's streets and facilities;
- the shared layer store of the batch example (``/shared/jinan.gpkg``) and its Dask
  scheduler (``tcp://10.0.0.5:8786``): a tmp store and a serial/local scheduler.

:data:`SUBSTITUTIONS` is the whole table of what the journeys change in an example before
running it; nothing else is changed. No journey contacts any address but 127.0.0.1.
"""

from __future__ import annotations

import functools
import json
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SCALE = 0.1
"""Density of the synthetic sample in the journeys (the demo's is 1.0; :data:`FILE_SCALE`
too): the checks (:mod:`.checks`) do not depend on size - shares strictly inside (0, 1) per
district, every file written and labelled - and hold at 0.1, where a report costs about 2 s
of CPU less than at 0.3 (measured: 3.7 s against 5.7 s)."""

FILE_SCALE = 0.1
"""Density of the sample behind the stand-in files, the Overpass stand-in and the shared
store (importing, fetching and batch-running them dominates the suite's time)."""

SEED = 20231
BOTH = ("370112", "370103")


@functools.cache
def sample(scale: float = FILE_SCALE):
    """The synthetic sample of both districts behind the stand-ins (built once per process)."""
    from jinan_gis.layers.sample import build_sample

    return build_sample(BOTH, seed=SEED, scale=scale)


# ----------------------------------------------------------------------------- files
def write_roads_shp(folder: Path) -> Path:
    """Road centrelines of both districts as a shapefile (EPSG:4548, UTF-8 names)."""
    s = sample().streets
    gdf = s[["name", "highway", "geometry"]].copy()
    path = folder / "roads.shp"
    gdf.to_file(path, encoding="utf-8", engine="pyogrio")
    return path


def write_pop_tif(folder: Path, cell_m: float = 500.0) -> Path:
    """The sample's residents as a people-per-cell GeoTIFF (EPSG:4548, 500 m cells)."""
    pop = sample().population
    x, y = pop.geometry.x.to_numpy(), pop.geometry.y.to_numpy()
    w = pop["population"].to_numpy(dtype=float)
    x0, y1 = np.floor(x.min() / cell_m) * cell_m, np.ceil(y.max() / cell_m) * cell_m + cell_m
    ncol = int(np.ceil((x.max() - x0) / cell_m)) + 1
    nrow = int(np.ceil((y1 - y.min()) / cell_m)) + 1
    col = ((x - x0) // cell_m).astype(int)
    row = ((y1 - y) // cell_m).astype(int)
    grid = np.zeros((nrow, ncol), dtype="float32")
    np.add.at(grid, (row, col), w)
    path = folder / "pop.tif"
    with warnings.catch_warnings():  # rasterio's own Affine '*' (PendingDeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        _write_tif(path, grid, x0, y1, cell_m)
    return path


def _write_tif(path: Path, grid: np.ndarray, x0: float, y1: float, cell_m: float) -> None:
    import rasterio
    from rasterio.transform import from_origin

    nrow, ncol = grid.shape
    with rasterio.open(path, "w", driver="GTiff", height=nrow, width=ncol, count=1,
                       dtype="float32", crs="EPSG:4548", nodata=-1.0,
                       transform=from_origin(x0, y1, cell_m, cell_m)) as dst:
        dst.write(grid, 1)


def write_subdistricts_gpkg(folder: Path) -> Path:
    """The sample's sub-district polygons of both districts as a GeoPackage."""
    z = sample().zones[["zone_id", "zone_name", "geometry"]]
    path = folder / "subdistricts.gpkg"
    z.to_file(path, driver="GPKG", engine="pyogrio")
    return path


def write_clinics_shp(folder: Path) -> Path:
    """The sample's clinics as GIS staff get them: GBK names, no .cpg, CGCS2000 /
    Gauss-Kruger zone 39 (EPSG:4527, eastings with the 39 prefix)."""
    from jinan_gis.analyses.coverage import select_facilities

    fac = select_facilities(sample().facilities, "clinic")
    gdf = fac[["name", "geometry"]].rename(columns={"name": "名称"}).to_crs("EPSG:4527")
    assert gdf.geometry.x.min() > 39_000_000, "zone 39 eastings carry the 39 prefix"
    path = folder / "clinics.shp"
    gdf.to_file(path, encoding="gbk", engine="pyogrio")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    return path


def write_amap_xlsx(folder: Path) -> Path:
    """The sample's culture venues as an Amap (高德) export: GCJ-02 longitude/latitude."""
    import pandas as pd

    from jinan_gis.analyses.coverage import select_facilities
    from jinan_gis.geo.datum import wgs84_to_gcj02

    fac = select_facilities(sample().facilities, "culture").to_crs("EPSG:4326")
    lon, lat = wgs84_to_gcj02(fac.geometry.x.to_numpy(), fac.geometry.y.to_numpy())
    path = folder / "amap_poi.xlsx"
    pd.DataFrame({"名称": fac["name"].to_numpy(), "经度": lon, "纬度": lat}).to_excel(
        path, index=False)
    return path


def write_communities_gpkg(folder: Path) -> Path:
    """Communities (社区) and villages (村) of both districts as a GeoPackage in WGS84 with a
    城乡 column (城市/农村): a 300 m square at each SYNTHETIC sub-district's representative
    point, urban where the sample's sub-district is."""
    import geopandas as gpd
    from shapely.geometry import box

    z = sample().zones
    pts = z.geometry.representative_point()
    urban = z["urban"].astype(bool).to_numpy()
    names = [f"{n}{'合成社区' if u else '合成村'}" for n, u in zip(z["zone_name"], urban,
                                                                  strict=True)]
    squares = [box(p.x - 150, p.y - 150, p.x + 150, p.y + 150) for p in pts]
    path = folder / "communities.gpkg"
    gpd.GeoDataFrame({"社区名称": names, "城乡": ["城市" if u else "农村" for u in urban]},
                     geometry=squares, crs=z.crs).to_crs("EPSG:4326").to_file(
        path, driver="GPKG", engine="pyogrio")
    return path


def write_batch_json(folder: Path, name: str = "batch.json") -> Path:
    """A batch file: L-CLINIC-1000 for both districts, baseline and an 800 m scenario."""
    path = folder / name
    path.write_text(json.dumps({"grid": {
        "areas": list(BOTH), "metrics": ["L-CLINIC-1000"],
        "scenarios": [{"name": "baseline"}, {"name": "d800", "max_dist_m": 800}]}}),
        encoding="utf-8")
    return path


def write_store(path: Path) -> Path:
    """A layer store of the whole sample (stands in for the shared ``/shared/jinan.gpkg``)."""
    return sample().write(path)


FILES: dict[str, Callable[[Path], Path]] = {
    "roads.shp": write_roads_shp,
    "pop.tif": write_pop_tif,
    "subdistricts.gpkg": write_subdistricts_gpkg,
    "clinics.shp": write_clinics_shp,
    "amap_poi.xlsx": write_amap_xlsx,
    "communities.gpkg": write_communities_gpkg,
    "batch.json": write_batch_json,
}
"""Input files an example may name, and how each is made from the sample."""


# ----------------------------------------------------------------------------- Overpass
def osm_elements(district: str = "370112") -> list[dict]:
    """The sample's streets (ways sharing nodes where they meet) and facilities (tagged
    nodes) near ``district``, as Overpass JSON elements in WGS84."""
    import shapely
    from pyproj import Transformer

    from jinan_gis.layers.districts import load_districts
    from jinan_gis.layers.taxonomy import get_category, resolve_categories

    s = sample()
    area = load_districts([district]).to_crs("EPSG:4548").geometry.iloc[0].buffer(2000)
    tr = Transformer.from_crs("EPSG:4548", "EPSG:4326", always_xy=True)
    streets = s.streets[s.streets.intersects(area)]
    ids: dict[tuple[float, float], int] = {}
    nodes: list[dict] = []
    ways: list[dict] = []

    def node_id(x: float, y: float) -> int:
        key = (round(x, 2), round(y, 2))
        if key not in ids:
            ids[key] = len(ids) + 1
            lon, lat = tr.transform(x, y)
            nodes.append({"type": "node", "id": ids[key], "lon": lon, "lat": lat})
        return ids[key]

    for i, (geom, hw, name) in enumerate(zip(streets.geometry, streets["highway"],
                                             streets["name"], strict=True)):
        for part in shapely.get_parts(geom):
            nd = [node_id(x, y) for x, y in shapely.get_coordinates(part)]
            tags = {"highway": str(hw or "residential")}
            if isinstance(name, str) and name:
                tags["name"] = name
            ways.append({"type": "way", "id": 10_000_000 + i, "nodes": nd, "tags": tags})
    fac = s.facilities[s.facilities.intersects(area)]
    clinic = set(resolve_categories("clinic"))
    pois = []
    for j, (geom, cat, name) in enumerate(zip(fac.geometry, fac["category"], fac["name"],
                                              strict=True)):
        matchers = get_category(cat).osm
        # categories OSM has no tag for (clinic tiers...) are tagged as mappers do and told
        # apart by their Chinese names
        fallback = (("amenity", "clinic" if cat in clinic else "community_centre"),)
        tags = {k: ("yes" if v == "*" else v) for k, v in (matchers[0] if matchers else fallback)}
        tags["name"] = str(name)
        lon, lat = tr.transform(geom.x, geom.y)
        pois.append({"type": "node", "id": 50_000_000 + j, "lon": lon, "lat": lat,
                     "tags": tags})
    return nodes + ways + pois


def sample_overpass(district: str = "370112"):
    """The project's Overpass stand-in serving :func:`osm_elements`: street queries get the
    ways (as the stub filters them), feature queries (``node[...]``) the tagged nodes."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from overpass_stub import OverpassStub

    class SampleOverpass(OverpassStub):
        def answer(self, query: str) -> dict:
            if "node[" not in query:  # a street query: ways and their nodes
                return super().answer(query)
            pois = [e for e in self.elements if e["type"] == "node" and e.get("tags")]
            return {"version": 0.6, "generator": "jinan-gis journeys stand-in",
                    "osm3s": {"timestamp_osm_base": "2024-05-01T00:00:00Z",
                              "copyright": "ODbL"}, "elements": pois}

    return SampleOverpass(osm_elements(district))


# ----------------------------------------------------------------------------- substitutions
@dataclass(frozen=True)
class Substitution:
    """Replace ``pattern`` (a regex on one argument or on Python source) by ``replace``
    (``{name}`` fields filled from the journey's context); ``why`` says why."""

    where: str  # "argv" or "python"
    pattern: str
    replace: str
    why: str


SUBSTITUTIONS: tuple[Substitution, ...] = (
    # The README runs from the repository root; the journeys run in a tmp folder, so the
    # venv's entry point is given by its absolute path.
    Substitution("argv", r"^(?:\.venv/bin/)?jinan-gis$", "{exe}",
                 "the venv's jinan-gis by absolute path (journeys run outside the repo)"),
    # Overpass mirrors are the outside world: the local stand-in answers instead.
    Substitution("argv", r"^https?://(?!127\.0\.0\.1)[^ ]*overpass[^ ]*$", "{overpass_url}",
                 "the Overpass stand-in on 127.0.0.1 instead of a public mirror"),
    # A Dask cluster at a private address does not exist here: a LocalCluster does the
    # same work (the command line) or no Dask at all (the Python example).
    Substitution("argv", r"^tcp://10\.0\.0\.5:8786$", "local",
                 "a LocalCluster instead of the cluster at 10.0.0.5"),
    Substitution("python", r"""(["'])tcp://10\.0\.0\.5:8786\1""", '"serial"',
                 "the serial scheduler instead of the cluster at 10.0.0.5"),
    # The shared disk of the cluster: a store of the synthetic sample in the tmp folder.
    Substitution("argv", r"^/shared/jinan\.gpkg$", "{shared_store}",
                 "a tmp store of the synthetic sample instead of the shared disk"),
    Substitution("python", r"""(["'])/shared/jinan\.gpkg\1""", '"{shared_store}"',
                 "a tmp store of the synthetic sample instead of the shared disk"),
    # The Python examples build the sample at scale 0.3 already; the command-line examples
    # run the full-size sample unless told: add --scale (see SCALE) where the sample is used.
    # (Applied in journeys.add_scale, not by pattern.)
)


def substitute_argv(argv: tuple[str, ...], ctx: dict[str, str]) -> list[str]:
    out = []
    for a in argv:
        for sub in SUBSTITUTIONS:
            if sub.where == "argv" and re.search(sub.pattern, a):
                a = re.sub(sub.pattern, sub.replace.format_map(ctx), a)
        out.append(a)
    return out


def substitute_python(src: str, ctx: dict[str, str]) -> str:
    for sub in SUBSTITUTIONS:
        if sub.where == "python":
            src = re.sub(sub.pattern, sub.replace.format_map(ctx).replace("\\", "\\\\"), src)
    return src
