"""Exported HTML maps: self-contained, datum-correct, light, safe; checked in offline Chromium.

The inputs are made here: the real district layer, 100 synthetic facilities, service areas
from :func:`jinan_gis.geo.service_area.service_areas` on a small street grid straddling
Licheng and Shizhong, a coverage grid, gaps and proposed sites.  The browser tests start
Debian's ``chromium`` (``make browser`` installs it; without it they skip, which fails on CI)
with the network off, over the DevTools protocol (``tests/browser.py``).
"""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point, box

from jinan_gis.analyses import maps
from jinan_gis.analyses.maps import export_map
from jinan_gis.geo.crs import ANALYSIS_CRS
from jinan_gis.geo.datum import wgs84_to_gcj02
from jinan_gis.geo.errors import CRSError, JinanGISError, LayerError
from jinan_gis.geo.network import Network
from jinan_gis.geo.service_area import service_areas
from jinan_gis.layers.districts import load_districts
from jinan_gis.layers.taxonomy import get_category

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(REPO / "scripts"))

import browser  # noqa: E402
import vendor_map_assets  # noqa: E402

# one xdist worker for the module (--dist loadgroup): its inputs, the full map and the browser
# are module fixtures, built once instead of once per worker
pytestmark = pytest.mark.xdist_group("maps")

XSS = "<img src=x onerror=alert(1)>"
BANNER = 'class="jg-banner jg-synthetic-banner"'
SVG_XSS = "<svg onload=alert(3)>"
CATEGORY_COUNTS = {
    "chc": 12,
    "chs_station": 18,
    "library": 8,
    "fitness_centre": 52,  # > cluster_above: clustered
    "day_care_centre": 10,
}
THRESHOLDS = (300.0, 500.0, 1000.0)
CENTRE_LONLAT = (117.035, 36.655)  # on the Licheng / Shizhong boundary, east of the old town
GRID_HALF_M = 6000.0
GRID_STEP_M = 150.0
READY = "window.JINAN_GIS && JINAN_GIS.readyMs"
ALERT_TRAP = (
    "window.__alerts = [];"
    "window.alert = window.confirm = window.prompt = function (m) {"
    "  window.__alerts.push(String(m)); };"
)

# ---------------------------------------------------------------------------- inputs


@pytest.fixture(scope="module")
def districts() -> gpd.GeoDataFrame:
    return load_districts()


@pytest.fixture(scope="module")
def centre_xy() -> tuple[float, float]:
    pt = gpd.GeoSeries([Point(*CENTRE_LONLAT)], crs="EPSG:4326").to_crs(ANALYSIS_CRS)
    return float(pt.x.iloc[0]), float(pt.y.iloc[0])


@pytest.fixture(scope="module")
def network(centre_xy: tuple[float, float]) -> Network:
    """A square street grid, 12 km wide, 150 m blocks, around CENTRE_LONLAT (EPSG:4548)."""
    n = int(2 * GRID_HALF_M / GRID_STEP_M) + 1
    x0, y0 = centre_xy[0] - GRID_HALF_M, centre_xy[1] - GRID_HALF_M
    ii, jj = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    xy = np.column_stack([x0 + ii.ravel() * GRID_STEP_M, y0 + jj.ravel() * GRID_STEP_M])
    node = (ii * n + jj).ravel()
    right = node[(ii < n - 1).ravel()]
    up = node[(jj < n - 1).ravel()]
    u = np.concatenate([right, up])
    v = np.concatenate([right + n, up + 1])
    return Network.from_arrays(xy, u, v, crs=ANALYSIS_CRS)


def _facilities(districts: gpd.GeoDataFrame, centre_xy: tuple[float, float]) -> gpd.GeoDataFrame:
    """100 synthetic facilities inside the districts and the street grid."""
    rng = np.random.default_rng(6)
    area = shapely.intersection(
        shapely.union_all(districts.geometry.to_numpy()),
        box(centre_xy[0] - GRID_HALF_M + 300, centre_xy[1] - GRID_HALF_M + 300,
            centre_xy[0] + GRID_HALF_M - 300, centre_xy[1] + GRID_HALF_M - 300),
    )  # fmt: skip
    rows: list[dict[str, Any]] = []
    for cat, count in CATEGORY_COUNTS.items():
        c = get_category(cat)
        while sum(r["category"] == cat for r in rows) < count:
            x, y = rng.uniform(area.bounds[0], area.bounds[2]), rng.uniform(area.bounds[1],
                                                                            area.bounds[3])
            if not area.contains(Point(x, y)):
                continue
            k = len(rows)
            rows.append(
                {"facility_id": f"syn:{k}", "name": f"合成{c.name_zh}{k}号", "category": cat,
                 "group": c.group, "tier": c.tier, "source": "synthetic", "geometry": Point(x, y)}
            )  # fmt: skip
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=ANALYSIS_CRS)


@pytest.fixture(scope="module")
def facilities(districts: gpd.GeoDataFrame, centre_xy: tuple[float, float]) -> gpd.GeoDataFrame:
    return _facilities(districts, centre_xy)


@pytest.fixture(scope="module")
def areas(network: Network, facilities: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    pts = gpd.GeoSeries(facilities.geometry.to_numpy(), index=facilities["facility_id"],
                        crs=ANALYSIS_CRS)  # fmt: skip
    return service_areas(network, pts, max_dist_m=list(THRESHOLDS))


def _coverage(
    districts: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame, cell_m: float,
    window: tuple[float, float, float, float] | None = None,
) -> gpd.GeoDataFrame:
    """Square cells inside the districts (or a window), ``dist_m`` to the nearest facility."""
    x0, y0, x1, y1 = window or districts.total_bounds
    xs = np.arange(x0, x1, cell_m)
    ys = np.arange(y0, y1, cell_m)
    gx, gy = np.meshgrid(xs, ys)
    cells = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + cell_m, gy.ravel() + cell_m)
    union = shapely.union_all(districts.geometry.to_numpy())
    shapely.prepare(union)
    cells = cells[shapely.intersects(union, shapely.centroid(cells))]
    tree = shapely.STRtree(facilities.geometry.to_numpy())
    _, dist = tree.query_nearest(shapely.centroid(cells), return_distance=True, all_matches=False)
    dist_m = dist * 1.3  # a network detour factor: good enough for a picture
    dist_m[::97] = np.inf  # a few unreachable cells
    return gpd.GeoDataFrame(
        {"dist_m": dist_m, "population": np.full(len(cells), 120)}, geometry=cells,
        crs=ANALYSIS_CRS,
    )


@pytest.fixture(scope="module")
def coverage_full(districts: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return _coverage(districts, facilities, 250.0)  # both districts: ~25 000 cells


@pytest.fixture(scope="module")
def zones(centre_xy: tuple[float, float]) -> gpd.GeoDataFrame:
    cx, cy = centre_xy
    h = GRID_HALF_M
    return gpd.GeoDataFrame(
        {"zone_id": ["z:0", "z:1", "z:2", "z:3"],
         "zone_name": ["合成西南片区", "合成东南片区", "合成西北片区", "合成东北片区"]},
        geometry=[box(cx - h, cy - h, cx, cy), box(cx, cy - h, cx + h, cy),
                  box(cx - h, cy, cx, cy + h), box(cx, cy, cx + h, cy + h)],
        crs=ANALYSIS_CRS,
    )  # fmt: skip


@pytest.fixture(scope="module")
def gaps(centre_xy: tuple[float, float]) -> gpd.GeoDataFrame:
    cx, cy = centre_xy
    return gpd.GeoDataFrame(
        {"gap_id": ["g1", "g2"], "name": ["合成盲区甲", "合成盲区乙"],
         "population": [3450, 1210]},
        geometry=[box(cx + 2000, cy + 2500, cx + 3200, cy + 3300),
                  box(cx - 4200, cy - 3000, cx - 3300, cy - 2200)],
        crs=ANALYSIS_CRS,
    )  # fmt: skip


@pytest.fixture(scope="module")
def sites(centre_xy: tuple[float, float]) -> gpd.GeoDataFrame:
    cx, cy = centre_xy
    return gpd.GeoDataFrame(
        {"site_id": ["s1", "s2", "s3"], "rank": [1, 2, 3],
         "name": ["合成选址一", "合成选址二", "合成选址三"],
         "gain_people": [3100.0, 1800.0, 950.0], "covered_people": [3100.0, 4900.0, 5850.0]},
        geometry=[Point(cx + 2600, cy + 2900), Point(cx - 3700, cy - 2600),
                  Point(cx + 500, cy - 4000)],
        crs=ANALYSIS_CRS,
    )  # fmt: skip


TITLE = "社区卫生服务中心 1000 m 覆盖率 / Primary care within 1000 m"
METRIC = "社区卫生服务中心 1000 m 覆盖率 / Population within 1000 m of a community health centre"
TARGET = "每位居民 / every resident (Licheng 2023 evaluation report)"


@pytest.fixture(scope="module")
def full_inputs(
    districts: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    coverage_full: gpd.GeoDataFrame,
    gaps: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
) -> dict[str, gpd.GeoDataFrame]:
    return {
        "districts": districts,
        "zones": zones,
        "facilities": facilities,
        "service_areas": areas,
        "coverage": coverage_full,
        "gaps": gaps,
        "sites": sites,
    }


@pytest.fixture(scope="module")
def full_map(tmp_path_factory: pytest.TempPathFactory, full_inputs: dict) -> Path:
    path = tmp_path_factory.mktemp("maps") / "full.html"
    return export_map(path, title=TITLE, metric=METRIC, target=TARGET, **full_inputs)


def _expected_overlays(inputs: dict[str, gpd.GeoDataFrame]) -> int:
    n = 0
    for what, gdf in inputs.items():
        if what == "facilities":
            n += gdf["category"].nunique()
        elif what == "service_areas":
            n += gdf.loc[~gdf.geometry.is_empty, "max_dist_m"].nunique()
        else:
            n += 1
    return n


def _expected_legend_entries(inputs: dict[str, gpd.GeoDataFrame]) -> int:
    n = 0
    for what, gdf in inputs.items():
        if what == "facilities":
            n += gdf["category"].nunique() + gdf["tier"].fillna("<none>").nunique()
        elif what == "service_areas":
            n += gdf.loc[~gdf.geometry.is_empty, "max_dist_m"].nunique()
        elif what == "coverage":
            d = gdf["dist_m"].to_numpy(dtype=float)
            n += len(maps.COVERAGE_BREAKS_M) + 1 + int((~np.isfinite(d)).any())
        else:
            n += 1
    return n


# ------------------------------------------------------------------------ browser


@pytest.fixture(scope="module")
def chromium() -> browser.Chromium:
    binary = browser.find_chromium()
    if binary is None:
        # a skip, which tests/conftest.py turns into a failure on CI (CI=true)
        pytest.skip(browser.HOW_TO_GET_CHROMIUM)
    with browser.Chromium(binary, width=1280, height=800) as b:
        b.add_init_script(ALERT_TRAP)
        yield b


def _common_page_checks(b: browser.Chromium, load: browser.PageLoad) -> None:
    assert load.errors == [], load.errors
    assert b.evaluate("typeof window.L === 'object' && L.version") == "1.9.4"
    assert b.evaluate("document.querySelectorAll('.leaflet-container').length") == 1
    assert b.evaluate("window.__alerts.length") == 0


# ------------------------------------------------------------------------------ tests


def test_full_map_renders_offline_fast_and_complete(
    chromium: browser.Chromium,
    full_map: Path,
    full_inputs: dict,
    capsys: pytest.CaptureFixture,
    tmp_path: Path,
) -> None:
    out = tmp_path  # screenshots and metrics: never into the repository
    load = chromium.open(full_map.as_uri(), ready=READY)
    _common_page_checks(chromium, load)
    ready_ms = chromium.evaluate("JINAN_GIS.readyMs")
    overlays = chromium.evaluate(
        "document.querySelectorAll('.leaflet-control-layers-overlays input').length"
    )
    assert overlays == _expected_overlays(full_inputs) == 13
    assert chromium.evaluate("JINAN_GIS.overlays") == overlays
    entries = chromium.evaluate("document.querySelectorAll('.jg-legend .jg-legend-entry').length")
    assert entries == _expected_legend_entries(full_inputs) == 22
    banner = chromium.evaluate(
        "(function () { var b = document.querySelector('.jg-synthetic-banner');"
        " if (!b) return null; var r = b.getBoundingClientRect();"
        " return {text: b.textContent, h: r.height, top: r.top,"
        "         visible: getComputedStyle(b).visibility === 'visible'}; })()"
    )
    assert banner is not None and banner["visible"] and banner["h"] > 10 and banner["top"] == 0
    assert "合成样例数据" in banner["text"] and "SYNTHETIC" in banner["text"]
    # one language at a time (issue 18): the title bar holds both, the page's <title> is plain
    title = chromium.evaluate("document.querySelector('.jg-title').textContent")
    assert all(part in title for text in (TITLE, METRIC, TARGET) for part in text.split(" / "))
    assert chromium.evaluate("document.title") == TITLE
    # clustering where a category is large, plain groups otherwise; every layer drawn
    assert chromium.evaluate(
        "JINAN_GIS.layers['facilities:fitness_centre'] instanceof L.MarkerClusterGroup"
    )
    assert chromium.evaluate("JINAN_GIS.layers['facilities:chc'] instanceof L.FeatureGroup")
    # one theme layer on when the map opens (issue 18: was every layer); the others draw
    # when ticked in the layer control
    on_map = (
        "Object.keys(JINAN_GIS.layers).filter(function (k) {"
        " return JINAN_GIS.map.hasLayer(JINAN_GIS.layers[k]); })"
    )
    shown = chromium.evaluate(on_map)
    assert chromium.evaluate("JINAN_GIS.shown") == [
        "service_areas", "districts", "facilities", "sites"]
    assert not any(k in ("coverage", "gaps", "zones") for k in shown)
    assert sum(k.startswith("service_area:") for k in shown) == len(THRESHOLDS)
    chromium.evaluate(
        "document.querySelectorAll('.leaflet-control-layers-overlays input').forEach("
        "function (i) { if (!i.checked) { i.click(); } }); true"
    )
    drawn = len(chromium.evaluate(on_map))
    assert drawn == overlays
    n_markers = chromium.evaluate(
        "Object.keys(JINAN_GIS.layers).filter(function (k) { return k.indexOf('facilities:') === 0;"
        " }).reduce(function (s, k) { return s + JINAN_GIS.layers[k].getLayers().length; }, 0)"
    )
    assert n_markers == len(full_inputs["facilities"])
    assert chromium.evaluate("document.querySelectorAll('.jg-datum-note').length") == 1
    assert chromium.evaluate("JINAN_GIS.displayDatum") == "wgs84"
    shot = chromium.screenshot(out / "map_screenshot.png")
    assert shot.stat().st_size > 10_000
    # a second picture, zoomed into the street grid: markers, clusters, nested service areas
    chromium.evaluate(
        "JINAN_GIS.map.setView(JINAN_GIS.layers['facilities:chc'].getLayers()[0].getLatLng(),"
        " 14, {animate: false}); true"
    )
    chromium.wait(0.8)  # marker clusters re-form with short animations
    chromium.screenshot(out / "map_screenshot_zoom.png")
    assert chromium.evaluate("window.__alerts.length") == 0
    size_mb = full_map.stat().st_size / 1e6
    metrics = {
        "first_render_ms": round(ready_ms, 1),
        "load_wall_s": round(load.wall_s, 3),
        "size_mb": round(size_mb, 3),
        "overlays": overlays,
        "legend_entries": entries,
        "tile_requests_failed_offline": len(load.tile_failures),
        "screenshot": str(shot),
    }
    (out / "map_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    with capsys.disabled():
        print(f"\n[maps] full map: {size_mb:.2f} MB, first render {ready_ms:.0f} ms "
              f"(navigation start to map ready), screenshot {shot}")  # fmt: skip
    assert ready_ms < 3000, f"first render took {ready_ms:.0f} ms"


def test_full_map_is_light(full_map: Path) -> None:
    size = full_map.stat().st_size
    assert size < 8_000_000, f"{size / 1e6:.2f} MB"


def test_full_map_is_self_contained(full_map: Path) -> None:
    page = full_map.read_text(encoding="utf-8")
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", page, re.IGNORECASE)
    assert not re.search(r"<link\b[^>]*\bhref\s*=", page, re.IGNORECASE)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", page, re.IGNORECASE)
    for cdn in ("cdn.jsdelivr", "cdnjs", "code.jquery", "bootstrapcdn", "unpkg.com", "googleapis"):
        assert cdn not in page
    # every http(s) URL in the page: tile template, attribution links, SVG namespace, and
    # two bug-tracker links in comments of leaflet.css
    urls = set(re.findall(r"https?://[^\"'\s)<>\\]+", page))
    allowed = ("https://tile.openstreetmap.org/", "https://www.openstreetmap.org/copyright",
               "http://www.w3.org/2000/svg", "https://leafletjs.com",
               "https://bugs.chromium.org/", "https://bugzilla.mozilla.org/")  # fmt: skip
    assert all(u.startswith(allowed) for u in urls), urls


def test_xss_strings_show_as_text(
    chromium: browser.Chromium,
    tmp_path: Path,
    districts: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
) -> None:
    fac = gpd.GeoDataFrame(
        {"facility_id": ["x1", "x2"], "name": [XSS, "正常名称"], "category": ["chc", SVG_XSS],
         "tier": ["centre", None], "source": ["synthetic", "synthetic"]},
        geometry=[Point(117.07, 36.68), Point(117.05, 36.66)], crs="EPSG:4326",
    )  # fmt: skip
    bad_zones = zones.assign(zone_name=[XSS, "</script><script>alert(2)</script>", "b", "c"])
    path = export_map(
        tmp_path / "xss.html", districts=districts, zones=bad_zones, facilities=fac,
        title=XSS, metric="</script><script>alert(4)</script>", target=SVG_XSS,
        show=["districts", "zones", "facilities"],  # zones are off by default (issue 18)
    )  # fmt: skip
    page = path.read_text(encoding="utf-8")
    assert "<img src=x" not in page and "<svg onload" not in page
    assert "</script><script>alert" not in page
    load = chromium.open(path.as_uri(), ready=READY)
    _common_page_checks(chromium, load)
    assert chromium.evaluate("document.querySelectorAll('img[src=\"x\"], [onerror], [onload]')"
                             ".length") == 0  # fmt: skip
    assert XSS in chromium.evaluate("document.querySelector('.jg-title').textContent")
    assert chromium.evaluate("document.title") == XSS
    # the facility's tooltip and popup, opened, show the name as text
    shown = chromium.evaluate(
        "(function () { var m = JINAN_GIS.layers['facilities:chc'].getLayers()[0];"
        " m.openTooltip(); m.openPopup();"
        " return [m.getTooltip().getElement().textContent,"
        "         m.getPopup().getElement().textContent]; })()"
    )
    assert XSS in shown[0] and XSS in shown[1]
    zone_tip = chromium.evaluate(
        "(function () { var out = []; JINAN_GIS.layers.zones.eachLayer(function (l) {"
        " l.openTooltip(l.getBounds().getCenter());"
        " out.push(l.getTooltip().getElement().textContent); }); return out; })()"
    )
    assert XSS in zone_tip and "</script><script>alert(2)</script>" in zone_tip
    control = chromium.evaluate("document.querySelector('.leaflet-control-layers').textContent")
    assert SVG_XSS in control
    assert chromium.evaluate("document.querySelectorAll('img[src=\"x\"], [onerror], [onload]')"
                             ".length") == 0  # fmt: skip
    assert chromium.evaluate("window.__alerts.length") == 0
    assert load.dialogs == []


@pytest.mark.parametrize("basemap", ["amap", "osm"])
def test_amap_basemap_shows_data_in_gcj02(
    chromium: browser.Chromium, tmp_path: Path, districts: gpd.GeoDataFrame, basemap: str
) -> None:
    lon, lat = 117.0205, 36.6617  # Quancheng Square, WGS84
    fac = gpd.GeoDataFrame(
        {"facility_id": ["q"], "name": ["泉城广场"], "category": ["chc"], "tier": ["centre"]},
        geometry=[Point(lon, lat)], crs="EPSG:4326",
    ).to_crs(ANALYSIS_CRS)  # fmt: skip
    path = export_map(tmp_path / f"{basemap}.html", districts=districts, facilities=fac,
                      basemap=basemap)  # fmt: skip
    load = chromium.open(path.as_uri(), ready=READY)
    _common_page_checks(chromium, load)
    got = chromium.evaluate(
        "(function () { var p = JINAN_GIS.layers['facilities:chc'].getLayers()[0].getLatLng();"
        " return [p.lng, p.lat]; })()"
    )
    gx, gy = wgs84_to_gcj02(lon, lat)
    expect = (gx, gy) if basemap == "amap" else (lon, lat)
    assert got == pytest.approx(expect, abs=1.5e-6)
    # polygons move with the points: the district outline's west edge shifts the same way
    west = chromium.evaluate("JINAN_GIS.layers.districts.getBounds().getWest()")
    wgs_west = float(districts.to_crs("EPSG:4326").total_bounds[0])
    if basemap == "amap":
        assert 0.004 < west - wgs_west < 0.008  # GCJ-02 moves Jinan about 530 m east
    else:
        assert west == pytest.approx(wgs_west, abs=5e-5)
    datum = "gcj02" if basemap == "amap" else "wgs84"
    assert chromium.evaluate("JINAN_GIS.displayDatum") == datum
    assert chromium.evaluate(
        "document.querySelector('meta[name=\"jinan-gis:display-datum\"]').content"
    ) == datum
    note = chromium.evaluate("document.querySelector('.jg-datum-note').textContent")
    assert ("GCJ-02" in note and "高德" in note) if basemap == "amap" else "WGS84" in note
    page = path.read_text(encoding="utf-8")
    assert ("autonavi.com" in page) == (basemap == "amap")
    assert load.tile_failures, "offline: the tile requests should have failed"


def test_inputs_are_not_changed(tmp_path: Path, full_inputs: dict) -> None:
    small = {
        "districts": full_inputs["districts"],
        "facilities": full_inputs["facilities"].iloc[:10],
        "service_areas": full_inputs["service_areas"].iloc[:20],
        "gaps": full_inputs["gaps"],
        "sites": full_inputs["sites"].to_crs("EPSG:4326"),
        "coverage": full_inputs["coverage"].iloc[:300],
    }
    before = {k: copy.deepcopy(v) for k, v in small.items()}
    export_map(tmp_path / "m.html", basemap="amap", **small)
    for k, v in small.items():
        assert_geodataframe_equal(v, before[k])


def test_small_coverage_keeps_cells_and_distances(
    tmp_path: Path, districts: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame,
    centre_xy: tuple[float, float],
) -> None:
    cx, cy = centre_xy
    cov = _coverage(districts, facilities, 400.0, (cx - 4000, cy - 4000, cx + 4000, cy + 4000))
    assert 100 < len(cov) <= maps.COVERAGE_MAX_CELLS
    path = export_map(tmp_path / "c.html", coverage=cov, lang="en")
    page = path.read_text(encoding="utf-8")
    assert page.count('"type":"Feature"') == len(cov)
    assert "To nearest facility" in page and "图例" not in page and "unreachable" in page
    assert BANNER not in page  # nothing synthetic here


def test_display_geometry_is_simplified_and_rounded(
    tmp_path: Path, districts: gpd.GeoDataFrame
) -> None:
    fine = export_map(tmp_path / "fine.html", districts=districts, simplify_m=0)
    coarse = export_map(tmp_path / "coarse.html", districts=districts, simplify_m=50)
    assert coarse.stat().st_size < fine.stat().st_size
    page = coarse.read_text(encoding="utf-8")
    numbers = re.findall(r"\[(1\d\d\.\d+),(3\d\.\d+)\]", page)
    assert numbers and all(len(x.split(".")[1]) <= 6 and len(y.split(".")[1]) <= 6
                           for x, y in numbers)  # fmt: skip


def test_synthetic_banner_rules(tmp_path: Path, districts: gpd.GeoDataFrame) -> None:
    assert BANNER not in export_map(
        tmp_path / "a.html", districts=districts).read_text(encoding="utf-8")
    assert BANNER in export_map(
        tmp_path / "b.html", districts=districts, synthetic=True).read_text(encoding="utf-8")
    fac = gpd.GeoDataFrame({"category": ["chc"], "source": [" Synthetic "]},
                           geometry=[Point(117.0, 36.6)], crs="EPSG:4326")  # fmt: skip
    with pytest.raises(LayerError, match="synthetic=False"):
        export_map(tmp_path / "c.html", facilities=fac, synthetic=False)
    assert not (tmp_path / "c.html").exists()


def test_bad_inputs_are_refused_with_a_fix(tmp_path: Path, districts: gpd.GeoDataFrame) -> None:
    no_crs = gpd.GeoDataFrame({"category": ["chc"]}, geometry=[Point(117.0, 36.6)])
    with pytest.raises(CRSError, match="no CRS"):
        export_map(tmp_path / "m.html", facilities=no_crs)
    with pytest.raises(LayerError, match="dist_m"):
        export_map(tmp_path / "m.html", coverage=districts)
    with pytest.raises(LayerError, match="GeoDataFrame"):
        export_map(tmp_path / "m.html", districts=pd.DataFrame({"a": [1]}))
    with pytest.raises(JinanGISError, match="basemap"):
        export_map(tmp_path / "m.html", districts=districts, basemap="baidu")
    with pytest.raises(JinanGISError, match="lang"):
        export_map(tmp_path / "m.html", districts=districts, lang="fr")
    with pytest.raises(JinanGISError, match="simplify_m"):
        export_map(tmp_path / "m.html", districts=districts, simplify_m=-1)


def test_vendored_assets_match_the_manifest() -> None:
    assert vendor_map_assets.check() == []


def test_synthetic_is_the_one_rule(tmp_path: Path, districts: gpd.GeoDataFrame) -> None:
    """The banner follows layers.provenance.is_synthetic: a loader's provenance saying
    'Synthetic ' marks the map even when no row has a source column."""
    from jinan_gis.layers.provenance import is_synthetic

    fac = gpd.GeoDataFrame({"category": ["chc"]}, geometry=[Point(117.0, 36.6)],
                           crs="EPSG:4326")
    fac.attrs["provenance"] = {"source": "Synthetic "}
    assert is_synthetic(fac)
    page = export_map(tmp_path / "p.html", facilities=fac).read_text(encoding="utf-8")
    assert BANNER in page
    assert not hasattr(maps, "_is_synthetic")
    real = gpd.GeoDataFrame({"category": ["chc"], "source": ["osm"]},
                            geometry=[Point(117.0, 36.6)], crs="EPSG:4326")
    page = export_map(tmp_path / "r.html", facilities=real).read_text(encoding="utf-8")
    assert BANNER not in page


def test_site_popups_say_where(tmp_path: Path) -> None:
    sites = gpd.GeoDataFrame(
        {"rank": [1], "site_id": ["S1"], "gain_people": [1234.0], "zone_name": ["洪家楼街道"],
         "street_name": ["花园路"], "lon_wgs84": [117.06], "lat_wgs84": [36.68],
         "lon_gcj02": [117.065812], "lat_gcj02": [36.680231]},
        geometry=[Point(117.06, 36.68)], crs="EPSG:4326")
    page = export_map(tmp_path / "s.html", sites=sites).read_text(encoding="utf-8")
    for text in ("洪家楼街道", "花园路", "117.060000, 36.680000", "117.065812, 36.680231",
                 "GCJ-02", "1,234"):
        assert text in page, text


# ------------------------------------------------------------- small screens (issue 18)

SCREENS = ((360, 740, True), (768, 1024, False), (1400, 900, False))
BOXES_JS = (
    "(function () { var out = {}; ['.jg-legend', '.leaflet-control-layers', '.jg-title',"
    " '.jg-banner', '.folium-map'].forEach(function (s) { var e = document.querySelector(s);"
    " if (!e) { return; } var r = e.getBoundingClientRect();"
    " out[s] = [r.left, r.top, r.right, r.bottom]; }); return out; })()"
)


def _artefacts(tmp_path: Path) -> Path:
    """Where screenshots go: ``$JINAN_GIS_ARTEFACTS`` when set, else the test's tmp dir."""
    import os

    out = Path(os.environ.get("JINAN_GIS_ARTEFACTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _share(box: list[float], w: int, h: int) -> float:
    """Share of the ``w`` x ``h`` screen a [left, top, right, bottom] box covers."""
    x0, y0, x1, y1 = max(box[0], 0), max(box[1], 0), min(box[2], w), min(box[3], h)
    return max(x1 - x0, 0) * max(y1 - y0, 0) / (w * h)


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize(("width", "height", "phone"), SCREENS)
def test_map_fits_small_and_large_screens(
    chromium: browser.Chromium, full_map: Path, tmp_path: Path, width: int, height: int,
    phone: bool,
) -> None:
    """Nothing covers more than 40 % of the screen when the map opens, the title never sits
    under a control, the language toggle works, and on a phone the legend and the layer
    control are buttons that open on a tap."""
    out = _artefacts(tmp_path)
    chromium.set_viewport(width, height, mobile=phone)
    try:
        load = chromium.open(full_map.as_uri(), ready=READY)
        _common_page_checks(chromium, load)
        boxes = chromium.evaluate(BOXES_JS)
        chromium.screenshot(out / f"map_{width}x{height}.png")
        for sel in (".jg-legend", ".leaflet-control-layers", ".jg-title", ".jg-banner"):
            assert _share(boxes[sel], width, height) <= 0.40, (sel, boxes[sel])
        # the map shows: its element fills the screen below the title bar
        assert _share(boxes[".folium-map"], width, height) >= 0.70
        for control in (".leaflet-control-layers", ".leaflet-control-zoom"):
            box = chromium.evaluate(
                f"(function () {{ var r = document.querySelector('{control}')"
                ".getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })()"
            )
            assert not _overlap(boxes[".jg-title"], box), (control, box, boxes[".jg-title"])
        narrow = width < 700
        assert chromium.evaluate("document.querySelector('.jg-legend').open") == (not narrow)
        assert chromium.evaluate(
            "document.querySelector('.leaflet-control-layers')"
            ".classList.contains('leaflet-control-layers-expanded')"
        ) == (not narrow)
        if narrow:  # the legend button opens the legend
            chromium.evaluate("document.querySelector('.jg-legend summary').click(); true")
            assert chromium.evaluate("document.querySelector('.jg-legend').open")
            assert chromium.evaluate(
                "document.querySelector('.jg-legend-entry').getBoundingClientRect().height"
            ) > 0
            chromium.screenshot(out / f"map_{width}x{height}_legend.png")
            chromium.evaluate("document.querySelector('.jg-legend summary').click(); true")
        # the language toggle: Chinese first, one click to English and back
        heading = "document.querySelector('.jg-legend summary').innerText.trim()"
        assert chromium.evaluate(heading) == "图例"
        assert chromium.evaluate("document.documentElement.lang") == "zh-CN"
        chromium.evaluate("document.querySelector('.jg-lang').click(); true")
        assert chromium.evaluate(heading) == "Legend"
        assert chromium.evaluate("document.documentElement.lang") == "en"
        assert "Primary care" in chromium.evaluate(
            "document.querySelector('.jg-title-main').innerText")
        chromium.screenshot(out / f"map_{width}x{height}_en.png")
        chromium.evaluate("document.querySelector('.jg-lang').click(); true")
        assert chromium.evaluate(heading) == "图例"
        assert chromium.evaluate("window.__alerts.length") == 0
        assert load.errors == [], load.errors
    finally:
        chromium.set_viewport(1280, 800)


def test_page_text_has_no_markers_and_plan_titles(tmp_path: Path,
                                                  districts: gpd.GeoDataFrame) -> None:
    """The language pairs become spans (none left in <title>); plan file names show as the
    plans' titles; legend sections name their layers."""
    page = export_map(
        tmp_path / "t.html", districts=districts, title="标题 / Title",
        target="every resident (000_13695917f30c47f9.txt)",
    ).read_text(encoding="utf-8")
    assert not re.search("[\ue000-\ue002]", page) and "\\ue000" not in page
    assert "<title>标题 / Title</title>" in page
    assert "000_13695917f30c47f9" not in page
    assert "实施评估报告" in page and "evaluation report" in page
    assert 'data-layers="districts"' in page


def test_make_map_is_the_exported_map(tmp_path: Path, districts: gpd.GeoDataFrame) -> None:
    import folium

    m = maps.make_map(districts=districts, title="t", basemap="none")
    assert isinstance(m, folium.Map) and m.jinan_gis_config["overlays"] == 1
    html = m.get_root().render()
    assert "jg-legend" in html and "<script src=" not in html  # inlined Leaflet, no CDN
    assert "iframe" in m._repr_html_()  # shows inline in a notebook
    with pytest.raises(JinanGISError, match="show must be"):
        maps.make_map(districts=districts, show=["nope"])
