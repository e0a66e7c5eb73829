"""The embedded SYNTHETIC sample: streets, facilities, population and zones for both districts.

Jinan's streets, facilities and population cannot be had offline, so ``make demo`` runs on a
deterministic synthetic sample built inside the **real** district polygons
(:func:`~jinan_gis.layers.districts.load_districts`) and calibrated to real figures:

- district population totals and age groups: the **2020 census** (第七次全国人口普查分县资料,
  :func:`~jinan_gis.layers.census.census_totals`, ``data/census2020.csv``): 历城区 1,316,289
  and 市中区 903,714 residents, exactly. Each population point carries ``pop_0_2`` (an
  estimate: age 0 plus 2/4 of the census' 1-4 band), ``pop_0_14``, ``pop_60plus`` and
  ``pop_65plus``: its population times the district's census share of that group, so that
  each district's points sum to the census figures. Where the old people live *within* a
  district is therefore not real (every point has the district's age structure).
  **Caveat:** 历城区's census total excludes the residents of the parts of the legal 历城区
  polygon counted under 济南高新技术产业开发区 (高新区, 370171), so the real polygon holds
  somewhat more people (:func:`~jinan_gis.layers.census.census_caveat`);
- Licheng (历城区): 12 community health service centres, 3 sub-district health centres and 39
  community health service stations (「全区现有社区卫生服务中心12家,街道卫生院3家,社区卫生服务站
  39家」, 000_13695917f30c47f9.txt), urbanisation 87.2 % (002_248ac38be71e6bc0.txt);
- Shizhong (市中区): 13 sub-district elderly-care centres and 43 day-care centres (「新建街道综合
  养老服务中心13 处…老年人日间照料中心43 处」, 003_e346c132f88ab10b.txt), urbanisation 97.3 %;
- streets dense in the urban cores (north) and sparse in the southern mountains; other
  categories at plausible densities per census resident (toolkit assumptions, listed in
  :data:`PLAUSIBLE_COUNTS`).

Population values are in persons to 0.001; in each district the rounding residue goes to its
most populous point, so the district sums equal the census figures (to 1e-6 of a person).

**Nothing else here is real.**  Every feature carries ``source = "synthetic"``; street names,
facility names, where people live and sub-district *boundaries* are invented (the sub-district
*names* and codes are the real 2023 ones from the fact table, but their polygons are Voronoi
cells around invented seeds).  Every table and map made from the sample says so.

Examples
--------
>>> s = build_sample(districts=("370103",), scale=0.05, seed=1)
>>> sorted(set(s.facilities["source"])), sorted(set(s.streets["source"]))
(['synthetic'], ['synthetic'])
>>> round(s.population["population"].sum()), round(s.population["pop_65plus"].sum())
(903714, 114864)
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import box

from ..geo.ball_pairs import ball_csr
from ..geo.crs import ANALYSIS_CRS
from ..geo.files import atomic_path
from ..geo.synthetic import street_grid
from .census import census_caveat, census_totals
from .districts import DISTRICT_CODES, load_districts, load_subdistricts, resolve_district
from .taxonomy import get_category
from .zones import label_points

__all__ = [
    "AGE_GROUPS",
    "CALIBRATION",
    "OLD_TOWN_BBOX_LONLAT",
    "PLAUSIBLE_COUNTS",
    "SYNTHETIC",
    "Sample",
    "build_sample",
]

log = logging.getLogger(__name__)

SYNTHETIC = "synthetic"

_CENSUS = census_totals()
AGE_GROUPS: dict[str, str] = {
    "pop_0_2": "age_0_2_est",
    "pop_0_14": "age_0_14",
    "pop_60plus": "age_60plus",
    "pop_65plus": "age_65plus",
}
"""Age columns of the sample's population points -> the census column they sum to per district
(``pop_0_2`` is an estimate: see ``data/census2020.PROVENANCE.json``)."""
_CENSUS_SOURCE = (
    "2020 census (第七次全国人口普查分县资料), data/census2020.csv, built by "
    "scripts/build_census_table.py"
)

CALIBRATION: dict[str, dict] = {
    "370112": {
        "population": int(_CENSUS.at["370112", "population"]),
        "urban_share": 0.872,
        "urban_north_of_lat": 36.62,
        # synthetic population cores: (lon, lat, sigma_km, weight); invented, roughly where
        # the built-up areas are (洪楼/山大路, 王舍人, 唐冶, 华山, 港沟)
        "cores": [(117.06, 36.68, 2.5, 1.0), (117.14, 36.69, 2.5, 0.6),
                  (117.22, 36.68, 2.5, 0.6), (117.03, 36.73, 2.0, 0.4),
                  (117.20, 36.63, 2.0, 0.3)],
        "counts": {"chc": 12, "township_health_centre": 3, "chs_station": 39},
        "sources": {
            "population": f"{_CENSUS_SOURCE}: 1,316,289 常住人口 (2020-11-01), excluding the "
            "parts of the legal district counted under 高新区 370171 (see census_caveat); the "
            "plan's 「达到 111.2 万（七普数据）」 (002_248ac38be71e6bc0.txt) is the area managed "
            "by the 历城区 government",
            "urban_share": "002_248ac38be71e6bc0.txt: 「城镇化率由 62.4%提高到 87.2%」",
            "clinics": "000_13695917f30c47f9.txt: 「全区现有社区卫生服务中心12家,街道卫生院3家,"
            "社区卫生服务站39家」",
        },
    },
    "370103": {
        "population": int(_CENSUS.at["370103", "population"]),
        "urban_share": 0.973,
        "urban_north_of_lat": 36.58,
        "cores": [(116.99, 36.655, 2.0, 1.0), (117.01, 36.635, 2.0, 1.0),
                  (116.98, 36.61, 2.5, 0.6), (117.03, 36.60, 2.0, 0.4)],
        "counts": {"elderly_care_centre": 13, "day_care_centre": 43},
        "sources": {
            "population": f"{_CENSUS_SOURCE}: 903,714 常住人口 (2020-11-01); the plan's "
            "「全区常住人口增至近百万」 (003_e346c132f88ab10b.txt) agrees",
            "urban_share": "003_e346c132f88ab10b.txt: 「常住人口城镇化率提高到97.3%」",
            "elderly": "003_e346c132f88ab10b.txt: 「新建街道综合养老服务中心13 处,农村幸福院19 处、"
            "老年人日间照料中心43 处」",
        },
    },
}
"""Real figures the sample is calibrated to (population: the 2020 census; counts and
urbanisation: the plans), with their sources."""

PLAUSIBLE_COUNTS: dict[str, dict[str, float]] = {
    # per district: facilities per 10,000 residents (toolkit assumptions, NOT from the plans)
    "370112": {
        "elderly_care_centre": 0.09, "day_care_centre": 0.35, "elderly_canteen": 0.15,
        "culture_station": 0.12, "library": 0.02, "cultural_centre": 0.01,
        "quancheng_study": 0.05, "culture_square": 0.1, "farm_bookhouse": 0.3,
        "fitness_centre": 0.03, "sports_park": 0.05, "fitness_trail": 0.15, "pitch": 0.6,
        "school": 1.1, "kindergarten": 1.4, "market": 0.5, "supermarket": 1.0,
        "convenience_store": 4.0, "bus_stop": 9.0, "park": 0.8, "hospital": 0.08,
    },
    "370103": {
        "chc": 0.17, "chs_station": 0.3, "elderly_canteen": 0.2,
        "culture_station": 0.15, "library": 0.02, "cultural_centre": 0.01,
        "quancheng_study": 0.06, "culture_square": 0.12, "farm_bookhouse": 0.15,
        "fitness_centre": 0.03, "sports_park": 0.05, "fitness_trail": 0.2, "pitch": 0.7,
        "school": 1.2, "kindergarten": 1.5, "market": 0.7, "supermarket": 1.2,
        "convenience_store": 5.0, "bus_stop": 10.0, "park": 0.9, "hospital": 0.1,
    },
}
"""Facilities per 10,000 residents for categories the plans give no count for (toolkit
assumptions to make the sample plausible; they are not data)."""

OLD_TOWN_BBOX_LONLAT = (116.93, 36.625, 117.115, 36.705)
"""A SYNTHETIC stand-in for Jinan's old town 「二环路以内区域」 (inside the 2nd ring road,
001_42cd662d68b88e93.txt): a rectangle roughly spanning the ring, not the real road."""

_SOUTHERN = {"仲宫", "柳埠", "西营", "港沟", "彩石", "十六里河", "兴隆", "党家", "陡沟"}
# sub-districts given the southern (rural, mountain) seeds of the synthetic zones

_PARK_M2_PER_PERSON = 12.0  # synthetic total park area: close to, but below, Licheng's 12.7


@dataclass(frozen=True)
class Sample:
    """The synthetic layers, all in EPSG:4548 with ``source = "synthetic"``."""

    districts: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    streets: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    population: gpd.GeoDataFrame
    provenance: dict = field(default_factory=dict)

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """The layers by name."""
        return {
            "districts": self.districts,
            "zones": self.zones,
            "streets": self.streets,
            "facilities": self.facilities,
            "population": self.population,
        }

    def fingerprint(self) -> str:
        """SHA-256 over every layer's attributes and WKB geometry (for determinism checks)."""
        h = hashlib.sha256()
        for name, gdf in self.layers().items():
            h.update(name.encode())
            h.update(pd.util.hash_pandas_object(gdf.drop(columns="geometry"), index=True)
                     .to_numpy().tobytes())
            h.update(b"".join(shapely.to_wkb(gdf.geometry.to_numpy(), output_dimension=2)))
        return h.hexdigest()

    def write(self, path: str | Path) -> Path:
        """Write every layer into one GeoPackage (layer names as in :meth:`layers`)."""
        path = Path(path)
        with atomic_path(path, suffix=".tmp.gpkg") as tmp:
            for name, gdf in self.layers().items():
                gdf.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
        return path


# ----------------------------------------------------------------------------- helpers
def _lonlat_to_4548(lon: float, lat: float) -> tuple[float, float]:
    p = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs="EPSG:4326").to_crs(ANALYSIS_CRS)
    return float(p.x.iloc[0]), float(p.y.iloc[0])


def _grid_lines(
    region: shapely.Geometry, spacing_m: float, seed: int, highway_art: str, highway: str
) -> gpd.GeoDataFrame:
    minx, miny, maxx, maxy = region.bounds
    nx = int((maxx - minx) / spacing_m) + 2
    ny = int((maxy - miny) / spacing_m) + 2
    g = street_grid(nx, ny, spacing_m=spacing_m, jitter=0.22, drop_share=0.1,
                    arterial_every=8, origin=(minx, miny), seed=seed)
    mid = (g.node_xy[g.edge_u] + g.node_xy[g.edge_v]) / 2
    inside = shapely.contains_xy(region, mid[:, 0], mid[:, 1])
    u, v, art = g.edge_u[inside], g.edge_v[inside], g.edge_arterial[inside]
    geoms = shapely.linestrings(
        np.stack([g.node_xy[u], g.node_xy[v]], axis=1).reshape(-1, 2),
        indices=np.repeat(np.arange(len(u)), 2),
    )
    return gpd.GeoDataFrame(
        {"highway": np.where(art, highway_art, highway)}, geometry=geoms, crs=ANALYSIS_CRS
    )


def _connectors(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, max_m: float) -> list:
    """Straight links from the end points of ``b`` to the nearest end point of ``a``."""
    if len(a) == 0 or len(b) == 0:
        return []
    # the grid's streets are two-point lines: their coordinates are their end points
    pa = _unique_rows(shapely.get_coordinates(a.geometry.to_numpy()))
    pb = _unique_rows(shapely.get_coordinates(b.geometry.to_numpy()))
    from scipy.spatial import cKDTree

    d, i = cKDTree(pa).query(pb, distance_upper_bound=max_m)
    ok = np.isfinite(d) & (d > 0)
    # thin: one connector per ~max_m along the seam
    keys = np.round(pb[ok] / max_m).astype(np.int64)
    first = _unique_rows(keys, return_index=True)[1]
    sel = np.flatnonzero(ok)[first]
    return [shapely.LineString([pb[j], pa[i[j]]]) for j in sel]


def _unique_rows(a: np.ndarray, *, return_index: bool = False):
    """``np.unique(a, axis=0)`` (rows in lexicographic order, with the first index of each
    when asked) by a stable lexsort of the two columns: the same rows, ten times faster.

    Examples
    --------
    >>> _unique_rows(np.array([[2.0, 1.0], [1.0, 5.0], [2.0, 1.0], [1.0, 0.5]]))
    array([[1. , 0.5],
           [1. , 5. ],
           [2. , 1. ]])
    """
    order = np.lexsort((a[:, 1], a[:, 0]))
    s = a[order]
    keep = np.ones(len(s), dtype=bool)
    keep[1:] = (s[1:] != s[:-1]).any(axis=1)
    return (s[keep], order[keep]) if return_index else s[keep]


def _first_zone(zone_geoms: list, pts: np.ndarray) -> np.ndarray:
    """Index of the first zone containing each point (-1: none)."""
    out = np.full(len(pts), -1, dtype=np.int64)
    for i, g in enumerate(zone_geoms):
        free = np.flatnonzero(out < 0)
        out[free[shapely.contains_xy(g, pts[free, 0], pts[free, 1])]] = i
    return out


def _pick_nodes(rng: np.random.Generator, xy: np.ndarray, weights: np.ndarray, k: int):
    if k <= 0 or len(xy) == 0:
        return np.empty((0, 2))
    p = weights / weights.sum()
    idx = rng.choice(len(xy), size=k, replace=k > len(xy), p=p)
    return xy[idx]


# ----------------------------------------------------------------------------- builder
def build_sample(
    districts: Iterable[str] = DISTRICT_CODES,
    *,
    seed: int = 20231,
    scale: float = 1.0,
    reach_buffer_m: float = 1000.0,
) -> Sample:
    """Build the deterministic SYNTHETIC sample for the given districts.

    Parameters
    ----------
    districts : iterable of district codes or names
    seed : int
        Same seed, same sample (byte for byte).
    scale : float
        Density of streets and population points (1.0 = the demo; smaller for fast tests).
        Population *totals* and the calibrated facility counts do not change with it.
    reach_buffer_m : float
        Streets extend this far beyond each district, so that people near a border can reach
        facilities just across it.

    Returns
    -------
    Sample
    """
    # Long on purpose: one deterministic recipe per district; the random draws must happen
    # in this order for the sample's fingerprint to stay the same.
    codes = [resolve_district(d) for d in districts]
    dist = load_districts(codes)
    sub = load_subdistricts()
    street_frames: list[gpd.GeoDataFrame] = []
    fac_rows: list[dict] = []
    pop_frames: list[gpd.GeoDataFrame] = []
    zone_rows: list[dict] = []
    for k, row in enumerate(dist.itertuples()):
        code = row.code
        cal = CALIBRATION[code]
        rng = np.random.default_rng([seed, int(code)])
        poly = row.geometry
        area = poly.buffer(reach_buffer_m)
        _, y_split = _lonlat_to_4548(117.0, cal["urban_north_of_lat"])
        minx, _, maxx, maxy = area.bounds
        urban = area.intersection(box(minx, y_split, maxx, maxy))
        rural = area.difference(urban)
        sp_u = 160.0 / np.sqrt(scale)
        sp_r = 650.0 / np.sqrt(scale)
        s_u = _grid_lines(urban, sp_u, seed + 17 * k, "primary", "residential")
        s_r = _grid_lines(rural, sp_r, seed + 17 * k + 1, "secondary", "unclassified")
        links = _connectors(s_u, s_r, sp_r)
        s_l = gpd.GeoDataFrame(
            {"highway": ["unclassified"] * len(links)}, geometry=links, crs=ANALYSIS_CRS
        )
        streets = pd.concat([s_u, s_r, s_l], ignore_index=True)
        streets["district_code"] = code
        street_frames.append(streets)

        # ---- zones: Voronoi cells of invented seeds, named after the real sub-districts
        names = sub[sub["district_code"] == code].copy()
        names["south"] = names["name_zh"].str.replace("街道", "").isin(_SOUTHERN)
        names = names.sort_values("south", kind="stable").reset_index(drop=True)
        n_z = len(names)
        urban_in = poly.intersection(box(minx, y_split, maxx, maxy))
        n_urban_z = int((~names["south"]).sum())
        seeds_u = np.asarray(shapely.get_coordinates(
            shapely.points(_sample_in(urban_in, n_urban_z, rng))))
        seeds_r = np.asarray(shapely.get_coordinates(
            shapely.points(_sample_in(poly.difference(urban_in), n_z - n_urban_z, rng))))
        seeds = np.vstack([seeds_u, seeds_r])
        cells = shapely.get_parts(
            shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=area, ordered=True)
        )
        cell_of_seed = {i: c.intersection(poly) for i, c in enumerate(cells)}
        for i in range(n_z):
            zone_rows.append({
                "zone_id": str(names.loc[i, "code12"]),
                "zone_name": names.loc[i, "name_zh"],
                "zone_name_en": names.loc[i, "name_en"],
                "zone_type": "subdistrict",
                "district_code": code,
                "in_plan_scope": bool(names.loc[i, "in_plan_scope"]),
                "urban": i < n_urban_z,
                "source": SYNTHETIC,
                "geometry": cell_of_seed.get(i, shapely.Polygon()),
            })

        # ---- population: urban points on a jittered grid near streets, rural villages
        cores = [(*_lonlat_to_4548(lo, la), sg * 1000.0, a) for lo, la, sg, a in cal["cores"]]
        pop = _with_age_groups(_population(poly, urban_in, cal, rng, scale, cores), code)
        pop["district_code"] = code
        pop_frames.append(pop)

        # ---- facilities
        node_xy = _unique_rows(shapely.get_coordinates(streets.geometry.to_numpy()))
        node_xy = node_xy[shapely.contains_xy(poly, node_xy[:, 0], node_xy[:, 1])]
        is_urban_node = node_xy[:, 1] >= y_split
        w = np.where(is_urban_node, 0.2, 0.02) + _density(node_xy, cores)
        counts = dict(cal["counts"])
        per10k = PLAUSIBLE_COUNTS[code]
        for cat, rate in per10k.items():
            counts.setdefault(cat, max(1, round(rate * cal["population"] / 10_000)))
        zone_geoms = [z["geometry"] for z in zone_rows if z["district_code"] == code]
        zone_names = [z["zone_name"] for z in zone_rows if z["district_code"] == code]
        zone_nodes: dict[int, np.ndarray] = {}
        for cat, n in counts.items():
            centres = np.array(
                [r["geometry"].coords[0] for r in fac_rows
                 if r["district_code"] == code and r["category"] in
                 ("chc", "township_health_centre")]
            ).reshape(-1, 2)
            pts = _place(cat, n, node_xy, w, zone_geoms, pop, rng, centres, zone_nodes)
            c = get_category(cat)
            zone_of = _first_zone(zone_geoms, pts)
            pt_geoms = shapely.points(pts.reshape(-1, 2))
            for j in range(len(pts)):
                zi = zone_of[j]
                zname = zone_names[zi] if zi >= 0 else row.name_zh
                fac_rows.append({
                    "facility_id": f"syn-{code}-{cat}-{j:03d}",
                    "name": f"{row.name_zh}{zname}{c.name_zh.split('/')[0]}{j + 1}号（合成）",
                    "category": cat,
                    "group": c.group,
                    "tier": c.tier,
                    "capacity": np.nan,
                    "area_m2": np.nan,
                    "district_code": code,
                    "source": SYNTHETIC,
                    "geometry": pt_geoms[j],
                })
        # park areas: synthetic, summing to _PARK_M2_PER_PERSON per resident
        parks = [r for r in fac_rows if r["district_code"] == code and r["category"] == "park"]
        if parks:
            share = rng.lognormal(0, 0.8, len(parks))
            total = _PARK_M2_PER_PERSON * cal["population"]
            for r, s in zip(parks, share / share.sum() * total, strict=True):
                r["area_m2"] = float(np.round(s, 1))

    streets = pd.concat(street_frames, ignore_index=True)
    streets.insert(0, "street_id", [f"syn-street-{i}" for i in range(len(streets))])
    streets["name"] = None
    streets["oneway"] = False
    streets["walk"] = True
    streets["bike"] = True
    streets["drive"] = True
    streets["length_m"] = streets.geometry.length
    streets["source"] = SYNTHETIC
    streets["input_row"] = np.arange(len(streets))
    facilities = gpd.GeoDataFrame(fac_rows, geometry="geometry", crs=ANALYSIS_CRS)
    population = pd.concat(pop_frames, ignore_index=True)
    population.insert(0, "pop_id", [f"syn-pop-{i}" for i in range(len(population))])
    zones = gpd.GeoDataFrame(zone_rows, geometry="geometry", crs=ANALYSIS_CRS)
    population["zone"] = label_points(population, zones, "zone_id")
    districts_out = dist.copy()
    prov = {
        "source": SYNTHETIC,
        "note": "SYNTHETIC sample: streets, facilities, population and sub-district boundaries "
        "are invented inside the real district polygons; calibrated to the plans' counts. "
        "District population totals and age groups (pop_0_2 estimated, pop_0_14, pop_60plus, "
        "pop_65plus) are the 2020 census figures; 历城区's excludes the parts counted under "
        "高新区 370171 (census_caveat).",
        "population_totals": {c: {"population": int(_CENSUS.at[c, "population"]),
                                  **{k: int(_CENSUS.at[c, v]) for k, v in AGE_GROUPS.items()},
                                  "source": _CENSUS_SOURCE} for c in codes},
        "census_caveat": census_caveat(),
        "seed": seed,
        "scale": scale,
        "calibration": {c: CALIBRATION[c] for c in codes},
        "plausible_per_10k_residents": {c: PLAUSIBLE_COUNTS[c] for c in codes},
        "old_town": "synthetic rectangle standing in for 「二环路以内区域」",
    }
    return Sample(
        districts=districts_out,
        zones=zones,
        streets=gpd.GeoDataFrame(streets, geometry="geometry", crs=ANALYSIS_CRS),
        facilities=facilities,
        population=gpd.GeoDataFrame(population, geometry="geometry", crs=ANALYSIS_CRS),
        provenance=prov,
    )


def old_town_zone() -> gpd.GeoDataFrame:
    """The SYNTHETIC old-town zone (a rectangle standing in for 「二环路以内区域」)."""
    g = gpd.GeoSeries([box(*OLD_TOWN_BBOX_LONLAT)], crs="EPSG:4326").to_crs(ANALYSIS_CRS)
    return gpd.GeoDataFrame(
        {"zone_id": ["old_town"], "zone_name": ["二环路以内（合成近似）"],
         "zone_name_en": ["inside the 2nd ring road (synthetic approximation)"],
         "zone_type": ["old_town"], "source": [SYNTHETIC]},
        geometry=g, crs=ANALYSIS_CRS,
    )


def _sample_in(region: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    if n <= 0 or region.is_empty:
        return np.empty((0, 2))
    minx, miny, maxx, maxy = region.bounds
    out = np.empty((0, 2))
    while len(out) < n:
        cand = rng.uniform((minx, miny), (maxx, maxy), size=(max(64, 4 * n), 2))
        cand = cand[shapely.contains_xy(region, cand[:, 0], cand[:, 1])]
        out = np.vstack([out, cand])
    # spread the seeds: greedy farthest-point selection among candidates
    pick = [0]
    d = np.hypot(*(out - out[0]).T)
    for _ in range(n - 1):
        j = int(np.argmax(d))
        pick.append(j)
        d = np.minimum(d, np.hypot(*(out - out[j]).T))
    return out[pick]


def _density(xy: np.ndarray, cores: list) -> np.ndarray:
    """Relative density of the synthetic cores at ``xy`` (sum of Gaussian bumps)."""
    out = np.zeros(len(xy))
    for x, y, sigma, a in cores:
        out += a * np.exp(-((xy[:, 0] - x) ** 2 + (xy[:, 1] - y) ** 2) / (2 * sigma**2))
    return out


def _population(poly, urban, cal, rng: np.random.Generator, scale: float,
                cores: list) -> gpd.GeoDataFrame:
    total = float(cal["population"])
    frames = []
    for region, share, spacing, sigma in (
        (urban, cal["urban_share"], 140.0, 0.7),
        (poly.difference(urban), 1 - cal["urban_share"], 450.0, 1.1),
    ):
        spacing = spacing / np.sqrt(scale)
        minx, miny, maxx, maxy = region.bounds
        xs = np.arange(minx + spacing / 2, maxx, spacing)
        ys = np.arange(miny + spacing / 2, maxy, spacing)
        gx, gy = np.meshgrid(xs, ys)
        xy = np.stack([gx.ravel(), gy.ravel()], axis=1)
        xy += rng.uniform(-0.3, 0.3, size=xy.shape) * spacing
        xy = xy[shapely.contains_xy(region, xy[:, 0], xy[:, 1])]
        w = rng.lognormal(0.0, sigma, len(xy))
        if share == cal["urban_share"]:
            w = w * (0.05 + _density(xy, cores))
        w = w / w.sum() * total * share
        frames.append(pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "population": w}))
    df = pd.concat(frames, ignore_index=True)
    # totals preserved exactly: put the rounding residue on the largest point
    df["population"] = df["population"].round(3)
    df.loc[df["population"].idxmax(), "population"] += total - df["population"].sum()
    return gpd.GeoDataFrame(
        {"population": df["population"].to_numpy(), "source": SYNTHETIC},
        geometry=gpd.points_from_xy(df["x"], df["y"]), crs=ANALYSIS_CRS,
    )


def _with_age_groups(pop: gpd.GeoDataFrame, code: str) -> gpd.GeoDataFrame:
    """Add the :data:`AGE_GROUPS` columns: each point's population times the district's census
    share of the group, in persons to 0.001, the residue on the most populous point, so that
    the district sums equal the census figures (computed in integer thousandths of a person)."""
    census = _CENSUS.loc[code]
    milli = np.rint(pop["population"].to_numpy() * 1000).astype(np.int64)
    total = int(census["population"])
    top = int(np.argmax(milli))
    for col, census_col in AGE_GROUPS.items():
        count = int(census[census_col])
        part = np.rint(milli * (count / total)).astype(np.int64)
        part[top] += count * 1000 - int(part.sum())
        pop[col] = part / 1000
    return pop


def _place(cat, n, node_xy, w, zone_geoms, pop, rng, centres, zone_nodes: dict) -> np.ndarray:
    """Positions for ``n`` facilities of category ``cat`` at street nodes (``zone_nodes``:
    each zone's nodes, filled on first use and shared by the categories of a district)."""
    if cat == "chs_station" and len(centres):
        # as the Licheng report describes: stations where people are more than 1000 m from a
        # centre; greedy on the population still uncovered within 1000 m (straight line)
        from scipy.sparse import csr_matrix
        from scipy.spatial import cKDTree
        pxy = shapely.get_coordinates(pop.geometry.to_numpy())
        pw = pop["population"].to_numpy().copy()
        near = cKDTree(centres).query(pxy, distance_upper_bound=1000.0)[0] <= 1000.0
        pw[near] = 0.0
        cand = node_xy[rng.choice(len(node_xy), size=min(3000, len(node_xy)), replace=False,
                                  p=w / w.sum())]
        indptr, idx = ball_csr(cand, pxy, 1000.0)  # = cKDTree.query_ball_point, as CSR
        cover = csr_matrix((np.ones(len(idx)), idx, indptr), shape=(len(cand), len(pxy)))
        out, gain, near_cand = [], cover @ pw, cKDTree(cand)
        for _ in range(n):  # only candidates that may share the covered people (<= 2 km)
            j = int(np.argmax(gain))  # are summed again, term by term as the whole product
            if gain[j] <= 0:
                break
            out.append(cand[j])
            pw[cover[j].indices] = 0.0
            rows = np.sort(near_cand.query_ball_point(cand[j], 2001.0))
            gain[rows] = cover[rows] @ pw
        rest = n - len(out)
        extra = _pick_nodes(rng, node_xy, w, rest)
        return np.vstack([np.array(out).reshape(-1, 2), extra])
    if cat in ("chc", "township_health_centre", "elderly_care_centre", "culture_station",
               "culture_square"):
        # about one per sub-district: the node nearest to a point inside each zone, in turn
        # the densest street node of each sub-district in turn (synthetic)
        out = []
        for i in range(n):
            z = zone_geoms[i % len(zone_geoms)]
            if z.is_empty:
                continue
            zi = i % len(zone_geoms)
            if zi not in zone_nodes:  # the same zone's nodes for every category
                zone_nodes[zi] = np.flatnonzero(
                    shapely.contains_xy(z, node_xy[:, 0], node_xy[:, 1]))
            inz = zone_nodes[zi]
            if len(inz) == 0:
                continue
            j = inz[np.argmax(w[inz] * rng.uniform(0.7, 1.0, len(inz)))]
            out.append(node_xy[j])
        return np.array(out).reshape(-1, 2)
    return _pick_nodes(rng, node_xy, w, n)


