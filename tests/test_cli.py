"""The ``jinan-gis`` command end to end.

What is about the process boundary (``--help`` output, exit statuses and one-line errors of a
real process, what a failing command imports) runs the installed entry point as a subprocess;
the rest calls :func:`jinan_gis.cli.main` in this process (the same code path without ~1.3 s
of imports per command; the journeys in tests/journeys run every README example for real).
The demo's files are those of the session's one run of `make demo` (tests/conftest.py
``first_demo``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point

from jinan_gis.cli import main
from jinan_gis.geo.datum import wgs84_to_gcj02

EXE = shutil.which("jinan-gis", path=str(Path(sys.executable).parent)) or "jinan-gis"

# the tests that read the demo's output run on the xdist worker of the session's first run of
# `make demo` (tests/conftest.py first_demo, shared with tests/test_quiet.py and the README
# journey; --dist loadgroup)
cli_demo = pytest.mark.xdist_group("demo")


def run(*args: str, cwd: Path | None = None, ok: bool = True) -> subprocess.CompletedProcess:
    """``jinan-gis ARGS`` as a subprocess (for what is about the process itself)."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    out = subprocess.run([EXE, *args], capture_output=True, text=True, cwd=cwd, env=env,
                         timeout=300, check=False)
    if ok:
        assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return out


def cli(capsys: pytest.CaptureFixture[str], *args: str, ok: bool = True) -> SimpleNamespace:
    """``jinan-gis ARGS`` in this process: returncode, stdout and stderr as from :func:`run`."""
    capsys.readouterr()
    code = main(list(args))
    got = capsys.readouterr()
    out = SimpleNamespace(returncode=code, stdout=got.out, stderr=got.err)
    if ok:
        assert code == 0, got.out[-3000:] + got.err[-3000:]
    return out


@pytest.mark.parametrize(
    "cmd", ["", "demo", "report", "coverage", "sites", "import", "fetch", "batch", "categories",
            "metrics"]
)
def test_help_for_every_subcommand(cmd: str) -> None:
    out = run(*([cmd] if cmd else []), "--help")
    assert "usage: jinan-gis" in out.stdout or (
        cmd == "batch" and "usage: python -m jinan_gis.analyses.batch" in out.stdout)
    if cmd in ("", "demo"):
        assert "SYNTHETIC" in out.stdout


@pytest.fixture(scope="module")
def demo_out(first_demo) -> Path:
    """The files of `make demo`'s ``jinan-gis demo --out out --scale 0.1``, run once per
    session as a subprocess (tests/conftest.py first_demo)."""
    assert first_demo.argv[1] == "demo" and "--scale" in first_demo.argv, first_demo.argv
    assert first_demo.returncode == 0, first_demo.stdout[-3000:] + first_demo.log[-3000:]
    return first_demo.out


@cli_demo
def test_demo_writes_the_four_outputs(demo_out: Path) -> None:
    for name in ("report.xlsx", "layers.gpkg", "map.html", "summary.md"):
        assert (demo_out / name).stat().st_size > 0, name
    wb = openpyxl.load_workbook(demo_out / "report.xlsx", read_only=True)
    ws = wb[wb.sheetnames[0]]
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    assert "指标编号 metric" in head and "目标值 target" in head and "达标情况 status" in head
    status = {r[head.index("达标情况 status")] for r in rows[1:]}
    assert status & {"达标 pass", "未达标 fail"}
    ids = {r[0] for r in rows[1:]}
    assert {"L-CLINIC-1000", "S-CULTURE-15-30", "JN-ELDERLY-PER-SUBDISTRICT"} <= ids
    layers = [name for name, _ in pyogrio.list_layers(demo_out / "layers.gpkg")]
    assert {"区县_districts", "设施_facilities", "服务区_service_areas", "服务缺口_gaps"} <= set(
        layers)
    md = (demo_out / "summary.md").read_text(encoding="utf-8")
    assert "SYNTHETIC SAMPLE" in md and "Timings" not in md  # only with --timings


def _gbk_shapefile(folder: Path) -> Path:
    pts = [(117.02, 36.66), (117.06, 36.68), (117.10, 36.69), (200.0, 95.0)]
    gdf = gpd.GeoDataFrame(
        {"名称": ["洪家楼街道社区卫生服务中心", "山大路社区卫生服务站", "某某便利店", "坏点"]},
        geometry=[Point(p) for p in pts[:3]] + [Point(117.0, 36.6)], crs="EPSG:4326",
    ).to_crs("EPSG:4527")
    gdf.loc[3, "geometry"] = Point(np.nan, np.nan)
    path = folder / "clinics.shp"
    gdf.to_file(path, encoding="gbk", engine="pyogrio")
    cpg = path.with_suffix(".cpg")
    if cpg.exists():
        cpg.unlink()
    return path


def test_import_gbk_shapefile_and_gcj02_excel(capsys, tmp_path: Path) -> None:
    store = tmp_path / "store.gpkg"
    out = cli(capsys, "import", str(_gbk_shapefile(tmp_path)), "--as", "facilities",
              "--store", str(store))
    assert "4 rows in, 3 kept, 1 rejected" in out.stdout
    assert (tmp_path / "facilities_rejected.csv").exists()
    lon, lat = np.array([117.03, 117.05]), np.array([36.65, 36.67])
    glon, glat = wgs84_to_gcj02(lon, lat)
    xlsx = tmp_path / "amap.xlsx"
    pd.DataFrame({"名称": ["文化站甲", "图书馆乙"], "经度": glon, "纬度": glat}).to_excel(
        xlsx, index=False)
    out = cli(capsys, "import", str(xlsx), "--as", "facilities", "--datum", "gcj02",
              "--category", "library", "--store", str(store), "--name", "culture")
    assert "2 rows in, 2 kept, 0 rejected" in out.stdout
    got = gpd.read_file(store, layer="culture").to_crs("EPSG:4326")
    truth = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs("EPSG:4548")
    assert got.to_crs("EPSG:4548").distance(truth, align=False).max() < 1.0
    names = set(gpd.read_file(store, layer="facilities")["name"])
    assert "洪家楼街道社区卫生服务中心" in names
    # a spreadsheet without a declared datum is refused with the fix
    bad = cli(capsys, "import", str(xlsx), "--as", "facilities", "--store", str(store),
              "--name", "no_datum", ok=False)
    assert bad.returncode == 2 and "datum" in bad.stderr


def test_report_on_a_scenario(capsys, tmp_path: Path) -> None:
    scen = tmp_path / "scenario.toml"
    scen.write_text(
        '[layers]\nsample = true\n\n[report]\ndistricts = ["370103"]\n'
        'metrics = ["JN-ELDERLY-PER-SUBDISTRICT", "S-CULTURE-15-30"]\nout = "rep"\n\n'
        "[sample]\nseed = 7\nscale = 0.1\n", encoding="utf-8")
    cli(capsys, "report", "--scenario", str(scen), "--quiet")
    rep = tmp_path / "rep"
    assert (rep / "report.xlsx").exists() and (rep / "map.html").exists()
    metrics = pd.read_excel(rep / "report.xlsx", sheet_name=0)
    assert set(metrics["指标编号 metric"]) == {"JN-ELDERLY-PER-SUBDISTRICT", "S-CULTURE-15-30"}


def test_coverage_of_one_district_by_zone(capsys, tmp_path: Path) -> None:
    out = cli(capsys, "coverage", "--category", "clinic", "--max-dist-m", "1000", "--district",
              "历城区", "--scale", "0.1", "--by-zone", "--out", str(tmp_path / "cov"), "--quiet")
    table = pd.read_csv(tmp_path / "cov" / "coverage.csv")
    assert (table["district_code"].astype(str) == "370112").all()
    assert table["share_network"].between(0, 1).all()
    assert "share_network" in out.stdout


def test_sites_of_one_district(capsys, tmp_path: Path) -> None:
    cli(capsys, "sites", "--category", "chc", "--k", "2", "--district", "370103", "--scale",
        "0.1", "--out", str(tmp_path / "sites"), "--quiet")
    got = gpd.read_file(tmp_path / "sites" / "sites.gpkg", layer="建议新址_proposed_sites")
    assert len(got) == 2 and (got["gain_people"] > 0).all()


def test_fetch_against_a_local_overpass(capsys, tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from overpass_stub import OverpassStub
    from test_streets import osm_elements

    store = tmp_path / "osm.gpkg"
    with OverpassStub(osm_elements()) as stub:
        args = ("fetch", "370103", "--overpass-url", stub.url, "--store", str(store),
                "--cache-dir", str(tmp_path / "cache"), "--timeout-s", "20")
        out = cli(capsys, *args)
        n = stub.n_interpreter
        assert n >= 1 and "streets:" in out.stdout
        cli(capsys, *args)
        assert stub.n_interpreter == n  # second run served from the cache
    layer = gpd.read_file(store, layer="streets")
    assert len(layer) > 0 and set(layer["source"]) == {"osm-overpass"}


def test_scenario_typos_are_errors(tmp_path: Path) -> None:
    from jinan_gis.analyses.inputs import load_scenario
    from jinan_gis.geo.errors import InputDataError

    p = tmp_path / "s.toml"
    p.write_text('[report]\nmetric = ["L-CLINIC-1000"]\n', encoding="utf-8")
    with pytest.raises(InputDataError, match=r"unknown key\(s\) \['metric'\] in \[report\]"):
        load_scenario(p)
    p.write_text('[report]\nmetrics = ["L-CLINIC-1000"]\nout = "x"\n', encoding="utf-8")
    sc = load_scenario(p)
    assert sc.metrics == ["L-CLINIC-1000"] and sc.out == (tmp_path / "x").resolve()


def test_import_warns_when_points_fit_the_streets_in_another_datum(capsys, tmp_path: Path) -> None:
    """Amap (GCJ-02) points declared as WGS84 sit ~500 m from the streets: the import says so."""
    # a WGS84 street grid around 洪家楼 (EPSG:4548), stored as the store's streets layer
    from shapely.geometry import LineString

    from jinan_gis.layers.store import LayerStore
    from jinan_gis.layers.street_schema import streets_from_lines

    c = gpd.GeoSeries([Point(117.06, 36.68)], crs="EPSG:4326").to_crs("EPSG:4548").iloc[0]
    x0, y0 = c.x, c.y
    steps = range(-10, 11)
    lines = [LineString([(x0 + i * 150, y0 - 1500), (x0 + i * 150, y0 + 1500)]) for i in steps]
    lines += [LineString([(x0 - 1500, y0 + j * 150), (x0 + 1500, y0 + j * 150)]) for j in steps]
    names = [f"经{i + 11}路" for i in steps] + [f"纬{j + 11}路" for j in steps]
    store = tmp_path / "store.gpkg"
    LayerStore(store).write("streets", streets_from_lines(lines, names=names))
    # shops on north-south streets, their address naming the street (WGS84 truth), exported
    # by "Amap" in GCJ-02 and declared as WGS84: ~530 m east of the street they name
    rng = np.random.default_rng(0)
    cols = rng.integers(-8, 8, 30)
    pts = gpd.GeoSeries([Point(x0 + 150 * int(i), y0 + rng.uniform(-1200, 1200)) for i in cols],
                        crs="EPSG:4548").to_crs("EPSG:4326")
    glon, glat = wgs84_to_gcj02(pts.x.to_numpy(), pts.y.to_numpy())
    csv = tmp_path / "amap.csv"
    shop = [f"经{int(i) + 11}路{k}号便利店" for k, i in enumerate(cols)]
    pd.DataFrame({"名称": shop, "lng": glon, "lat": glat}).to_csv(csv, index=False)
    out = cli(capsys, "import", str(csv), "--as", "facilities", "--datum", "wgs84",
              "--category", "convenience_store", "--store", str(store))
    assert "warning:" in out.stdout and "gcj02" in out.stdout


# ------------------------------------------------- issue 12: commands do what they say
def _title(html: str) -> str:
    import re

    m = re.search(r'<div class="jg-title-main">(.*?)</div>', html, re.S)
    assert m, "no map title"
    import html as _html

    # the Chinese and English titles sit in language spans (the page's 中文/English toggle)
    return _html.unescape(re.sub(r"<[^>]+>", " ", m.group(1)))


def _marker_categories(html: str) -> set[str]:
    import re

    return set(re.findall(r"facilities:([a-z_]+)", html))


def test_report_maps_the_metric_asked_for(capsys, tmp_path: Path) -> None:
    """--metric S-CULTURE-15-30 draws culture (title, markers, gaps), not the clinic map;
    a further metric gets map_<ID>.html, whose title names both districts with values."""
    from jinan_gis.analyses.catalogue import get_metric

    out = tmp_path / "rep"
    cli(capsys, "report", "--metric", "S-CULTURE-15-30", "--metric", "JN-CONVENIENCE-15-OLDTOWN",
        "--scale", "0.1", "--out", str(out), "--quiet")
    first = (out / "map.html").read_text(encoding="utf-8")
    title = _title(first)
    assert title.startswith("S-CULTURE-15-30") and "L-CLINIC-1000" not in title
    assert "市中区" in title and "%" in title.split("—")[-1]
    culture = set(get_metric("S-CULTURE-15-30").categories)
    got = _marker_categories(first)
    assert got and got <= culture, got
    assert "service_area:2000" in first  # the rural 30-minute circle is drawn too
    second = (out / "map_JN-CONVENIENCE-15-OLDTOWN.html").read_text(encoding="utf-8")
    t2 = _title(second)
    assert t2.startswith("JN-CONVENIENCE-15-OLDTOWN")
    import re

    assert re.search(r"历城区 \d+\.\d %", t2) and re.search(r"市中区 \d+\.\d %", t2), t2
    shops = set(get_metric("JN-CONVENIENCE-15-OLDTOWN").categories)
    assert _marker_categories(second) and _marker_categories(second) <= shops
    assert not (out / "map_S-CULTURE-15-30.html").exists()


@cli_demo
def test_default_report_map_is_the_clinic_one(demo_out: Path) -> None:
    html = (demo_out / "map.html").read_text(encoding="utf-8")
    title = _title(html)
    assert title.startswith("L-CLINIC-1000") and "历城区" in title and "%" in title
    assert _marker_categories(html) <= {"chc", "township_health_centre", "chs_station"}
    assert not list(demo_out.glob("map_*.html"))


@pytest.mark.parametrize("cmd", [
    ("report",),
    ("coverage", "--category", "clinic", "--max-dist-m", "1000"),
    ("sites", "--category", "clinic"),
])
def test_a_missing_store_is_an_error_before_any_work(tmp_path: Path, cmd: tuple) -> None:
    out = run(*cmd, "--store", str(tmp_path / "nope.gpkg"), "--out", str(tmp_path / "o"),
              ok=False)
    assert out.returncode == 2, out.stdout + out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "nope.gpkg" in lines[0] and "jinan-gis import" in lines[0]
    assert not (tmp_path / "o").exists()  # nothing was written


@cli_demo
def test_a_report_output_is_not_taken_for_a_store(capsys, demo_out: Path, tmp_path: Path) -> None:
    out = cli(capsys, "sites", "--category", "clinic", "--store", str(demo_out / "layers.gpkg"),
              "--out", str(tmp_path / "o"), ok=False)
    assert out.returncode == 2 and "report output" in out.stderr and "without --store" in (
        out.stderr)


def test_coverage_marks_synthetic_results_also_when_quiet(capsys, tmp_path: Path) -> None:
    from jinan_gis.layers.provenance import SYNTHETIC_MARK

    out = cli(capsys, "coverage", "--category", "clinic", "--max-dist-m", "1000", "--scale", "0.1",
              "--quiet", "--out", str(tmp_path))
    assert SYNTHETIC_MARK in out.stdout
    table = pd.read_csv(tmp_path / "coverage.csv")
    assert (table["data_note"] == SYNTHETIC_MARK).all()
    assert (table["share_network"] > 0).all()  # the --help example gives an answer


def test_unknown_names_exit_2_with_the_list() -> None:
    out = run("coverage", "--category", "clinics", "--max-dist-m", "1000", ok=False)
    assert out.returncode == 2 and "clinic" in out.stderr and "jinan-gis categories" in (
        out.stderr)
    out = run("report", "--metric", "S-CULTURE", ok=False)
    assert out.returncode == 2 and "S-CULTURE-15-30" in out.stderr


def test_categories_and_metrics_list_what_one_can_type() -> None:
    from jinan_gis.analyses.catalogue import CATALOGUE

    out = run("categories").stdout
    for name in ("clinic", "culture", "chc", "社区卫生服务中心", "图书馆", "library"):
        assert name in out
    out = run("metrics").stdout
    for m in CATALOGUE:
        assert m.id in out and m.name_zh in out and m.source_file in out


def test_sites_say_where_each_site_is(capsys, tmp_path: Path) -> None:
    import time

    from jinan_gis.layers.provenance import SYNTHETIC_MARK

    t = time.perf_counter()
    out = cli(capsys, "sites", "--category", "clinic", "--k", "3", "--scale", "0.2", "--out",
              str(tmp_path), "--quiet")
    assert time.perf_counter() - t < 60
    assert "sub-district" in out.stdout and "GCJ-02" in out.stdout and "people added" in (
        out.stdout)
    assert "candidate " not in out.stdout and SYNTHETIC_MARK in out.stdout
    got = gpd.read_file(tmp_path / "sites.gpkg", layer="建议新址_proposed_sites")
    assert len(got) == 3 and (got["gain_people"] > 0).all()
    assert got["zone_name"].notna().all() and got["street_name"].notna().all()
    wgs = got.to_crs("EPSG:4326")
    assert np.allclose(got["lon_wgs84"], wgs.geometry.x, atol=1e-5)
    glon, glat = wgs84_to_gcj02(got["lon_wgs84"].to_numpy(), got["lat_wgs84"].to_numpy())
    assert np.allclose(got["lon_gcj02"], glon, atol=1e-5)
    assert np.allclose(got["lat_gcj02"], glat, atol=1e-5)
    assert (got["data_note"] == SYNTHETIC_MARK).all()
    for zone in got["zone_name"]:
        assert zone in out.stdout
    html = (tmp_path / "sites_map.html").read_text(encoding="utf-8")
    assert "service_area:1000" in html and got["zone_name"].iloc[0] in html


def test_import_streets_keeps_both_districts(capsys, tmp_path: Path) -> None:
    """A city-wide street file: without --area both Licheng and Shizhong lines are kept."""
    from shapely.geometry import LineString

    from jinan_gis.layers.districts import load_districts

    d = load_districts()
    lines, names = [], []
    for code, poly in zip(d["code"], d.geometry, strict=True):
        p = poly.representative_point()
        for i in range(3):
            lines.append(LineString([(p.x - 300, p.y + 100 * i), (p.x + 300, p.y + 100 * i)]))
            names.append(f"{code}路{i}")
    path = tmp_path / "roads.geojson"
    gpd.GeoDataFrame({"name": names}, geometry=lines, crs=d.crs).to_crs("EPSG:4326").to_file(
        path, driver="GeoJSON")
    store = tmp_path / "store.gpkg"
    cli(capsys, "import", str(path), "--as", "streets", "--store", str(store))
    got = gpd.read_file(store, layer="streets")
    kept = set(got["name"])
    assert {"370103路0", "370112路0"} <= kept, kept
    cli(capsys, "import", str(path), "--as", "streets", "--area", "市中区", "--store", str(store),
        "--name", "shizhong")
    only = set(gpd.read_file(store, layer="shizhong")["name"])
    assert "370103路0" in only and "370112路0" not in only


def test_import_category_takes_the_names_categories_lists(capsys, tmp_path: Path) -> None:
    csv = tmp_path / "one.csv"
    pd.DataFrame({"名称": ["某某站"], "lng": [117.05], "lat": [36.68]}).to_csv(csv, index=False)
    store = tmp_path / "s.gpkg"
    cli(capsys, "import", str(csv), "--as", "facilities", "--datum", "wgs84", "--category",
        "社区卫生服务站", "--store", str(store))
    assert gpd.read_file(store, layer="facilities")["category"].tolist() == ["chs_station"]
    out = cli(capsys, "import", str(csv), "--as", "facilities", "--datum", "wgs84", "--category",
              "clinic", "--store", str(store), ok=False)
    assert out.returncode == 2 and "chs_station" in out.stderr and "ONE category" in out.stderr


def test_the_early_store_message_is_check_stores(capsys, tmp_path: Path) -> None:
    """The CLI answers a --store path that is no file before importing the analyses: with
    the words of ``check_store``, which says the same for every other caller."""
    from jinan_gis.analyses.inputs import check_store
    from jinan_gis.geo.errors import LayerError

    nope = tmp_path / "my" / "layres.gpkg"
    with pytest.raises(LayerError) as exc:
        check_store(nope)
    out = cli(capsys, "report", "--store", str(nope), "--quiet", ok=False)
    assert out.returncode == 2 and out.stderr == f"error: {exc.value}\n"


_HEAVY = ("geopandas", "numba", "folium", "jinan_gis.analyses.workflow")


@pytest.mark.parametrize("argv", [
    ["--help"],
    ["coverage", "--help"],
    ["report", "--store", "nope.gpkg"],
    ["coverage", "--category", "clinic", "--max-dist-m", "1000", "--store", "nope.gpkg"],
    ["sites", "--category", "clinic", "--store", "nope.gpkg"],
    ["coverage", "--category", "clinics", "--max-dist-m", "1000"],
    ["sites", "--category", "clinics"],
])
def test_help_and_typos_answer_before_the_heavy_imports(argv: list[str], tmp_path: Path) -> None:
    """`--help`, a mistyped --store and an unknown --category answer without importing the
    geo stack (each jinan-gis process spends ~1.3 s of CPU importing it)."""
    code = (
        "import sys\nfrom jinan_gis.cli import main\n"
        f"try:\n    rc = main({argv!r})\nexcept SystemExit as e:\n    rc = e.code\n"
        f"print('HEAVY', [m for m in {_HEAVY!r} if m in sys.modules], rc)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    last = out.stdout.strip().splitlines()[-1]
    expected = 0 if "--help" in argv else 2
    assert last == f"HEAVY [] {expected}", (last, out.stderr[-1500:])


def test_batch_without_the_cluster_extra_is_one_line(capsys, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """`jinan-gis batch --scheduler local` without dask/distributed: one line naming the
    extra, exit status 2, no traceback."""
    batch = tmp_path / "batch.json"
    batch.write_text('{"jobs": [{"job_id": "a", "area": "370103", '
                     '"metric": "L-CLINIC-1000"}]}', encoding="utf-8")
    store = tmp_path / "store.gpkg"
    store.write_bytes(b"")  # a file: the scheduler is opened before the store is read
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed: ImportError
    monkeypatch.setitem(sys.modules, "dask", None)
    out = cli(capsys, "batch", str(batch), "--store", str(store), "--scheduler", "local",
              "--quiet", ok=False)
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert len(lines) == 1 and "pip install 'jinan-gis[cluster]'" in lines[0], out.stderr
    assert "Traceback" not in out.stderr


def test_a_missing_cluster_module_elsewhere_is_one_line(capsys,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """An ImportError of dask/distributed anywhere under a command ends the same way; other
    ImportErrors are bugs: traceback, a line asking to report it, exit status 1."""
    import jinan_gis.cli as cli_module

    def boom(argv):
        raise ModuleNotFoundError("No module named 'distributed'", name="distributed")

    monkeypatch.setattr(cli_module, "_run", boom)
    out = cli(capsys, "batch", "x.json", ok=False)
    assert out.returncode == 2 and "pip install 'jinan-gis[cluster]'" in out.stderr

    def other(argv):
        raise ModuleNotFoundError("No module named 'shapely'", name="shapely")

    monkeypatch.setattr(cli_module, "_run", other)
    out = cli(capsys, "batch", "x.json", ok=False)  # a bug: its traceback, and a request
    assert out.returncode == 1 and "Traceback" in out.stderr and "shapely" in out.stderr
    assert out.stderr.strip().splitlines()[-1].startswith("This is a bug in jinan-gis 0.")


def test_demo_runs_without_pyarrow(tmp_path) -> None:
    """A planner's install (`make demo`: no extras) has no pyarrow: the GeoPackage is written
    without Arrow, with the same four outputs (it failed on a fresh machine once)."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'pyarrow' or name.startswith('pyarrow.'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "        return None\n"
        "sys.meta_path.insert(0, Block())\n"
        "from jinan_gis.cli import main\n"
        f"sys.exit(main(['demo', '--scale', '0.05', '--quiet', '--out', {str(tmp_path)!r}]))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "pyarrow" not in out.stderr
    names = {p.name for p in tmp_path.iterdir()}
    assert {"report.xlsx", "layers.gpkg", "map.html", "summary.md"} <= names
    import pyogrio
    assert len(pyogrio.list_layers(tmp_path / "layers.gpkg")) >= 4
