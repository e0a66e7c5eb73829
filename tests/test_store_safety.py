"""Nothing lost: an import that keeps no row never replaces a stored layer (issue 14, first
family). The store's layers are byte-identical before and after the refused import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import LineString, Point

from jinan_gis.geo.errors import LayerError
from jinan_gis.layers.store import LayerStore


def _layers_bytes(store: Path) -> dict[str, bytes]:
    """Every layer's content (features, as GeoJSON text) and the rejection tables."""
    out = {}
    for name, _ in pyogrio.list_layers(store):
        df = pyogrio.read_dataframe(store, layer=name)
        out[name] = df.to_json().encode() if hasattr(df, "to_json") else b""
    return out


def _good_facilities(tmp_path: Path) -> Path:
    csv = tmp_path / "clinics.csv"
    csv.write_text("name,lon,lat\n洪家楼街道社区卫生服务中心,117.06,36.68\n"
                   "王舍人街道社区卫生服务中心,117.12,36.70\n", encoding="utf-8")
    return csv


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jinan_gis.cli", *args], capture_output=True,
                          text=True, check=False)


def test_an_import_that_keeps_nothing_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    store = tmp_path / "store.gpkg"
    ok = _run("import", str(_good_facilities(tmp_path)), "--as", "facilities", "--datum",
              "wgs84", "--store", str(store))
    assert ok.returncode == 0, ok.stderr
    before = store.read_bytes()
    layers_before = _layers_bytes(store)
    # points in Beijing: every row rejected (outside Jinan)
    bad = tmp_path / "beijing.csv"
    bad.write_text("name,lon,lat\n某社区卫生服务中心,116.40,39.90\n", encoding="utf-8")
    out = _run("import", str(bad), "--as", "facilities", "--datum", "wgs84",
               "--store", str(store), "--replace")
    assert out.returncode == 2
    assert "left as it was" in out.stderr and "Traceback" not in out.stderr
    assert "--replace-empty" in out.stderr
    assert (tmp_path / "facilities_rejected.csv").is_file()  # the reasons are still written
    assert store.read_bytes() == before
    assert _layers_bytes(store) == layers_before
    assert len(LayerStore(store).read("facilities").layer) == 2
    # asked for on purpose, the empty layer is stored
    forced = _run("import", str(bad), "--as", "facilities", "--datum", "wgs84",
                  "--store", str(store), "--replace", "--replace-empty")
    assert forced.returncode == 0, forced.stderr
    assert len(LayerStore(store).read("facilities").layer) == 0


def test_the_store_refuses_in_python_too(tmp_path: Path) -> None:
    store = LayerStore(tmp_path / "s.gpkg")
    lines = gpd.GeoDataFrame({"a": [1]}, geometry=[LineString([(0, 0), (1, 1)])],
                             crs="EPSG:4548")
    store.write("streets", lines)
    empty = gpd.GeoDataFrame({"a": []}, geometry=gpd.GeoSeries([], crs="EPSG:4548"))
    with pytest.raises(LayerError, match="left as it was"):
        store.write("streets", empty)
    assert len(store.read("streets").layer) == 1
    store.write("new_layer", gpd.GeoDataFrame(geometry=[Point(0, 0)], crs="EPSG:4548").iloc[:0])
    assert len(store.read("new_layer").layer) == 0  # nothing replaced: a new empty layer is fine


@pytest.mark.parametrize("kind", ["csv", "shp", "geojson", "foreign_gpkg"])
def test_a_store_path_at_a_users_file_leaves_it_untouched(tmp_path: Path, kind: str) -> None:
    """--store pointing at the user's own file is refused, and the file is not replaced."""
    pts = gpd.GeoDataFrame({"n": [1]}, geometry=[Point(117.0, 36.6)], crs="EPSG:4326")
    if kind == "csv":
        target = tmp_path / "mine.csv"
        target.write_text("a,b\n1,2\n", encoding="utf-8")
    elif kind == "shp":
        target = tmp_path / "mine.shp"
        pts.to_file(target)
    elif kind == "geojson":
        target = tmp_path / "x.geojson"
    else:
        target = tmp_path / "mine.gpkg"
        pts.to_file(target, layer="my_data")
    before = target.read_bytes() if target.exists() else None
    out = _run("import", str(_good_facilities(tmp_path)), "--as", "facilities", "--datum",
               "wgs84", "--store", str(target))
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    if before is None:
        assert not target.exists()
    else:
        assert target.read_bytes() == before


def test_a_read_only_store_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "s.gpkg"
    ok = _run("import", str(_good_facilities(tmp_path)), "--as", "facilities", "--datum",
              "wgs84", "--store", str(store))
    assert ok.returncode == 0, ok.stderr
    store.chmod(0o444)
    before = store.read_bytes()
    out = _run("import", str(_good_facilities(tmp_path)), "--as", "facilities", "--datum",
               "wgs84", "--name", "more", "--store", str(store))
    assert out.returncode == 2 and "read-only" in out.stderr, out.stderr
    assert store.read_bytes() == before


def test_rejected_rows_never_become_formulas_in_excel(tmp_path: Path) -> None:
    """A name like =HYPERLINK(...) in a rejected row is written to the CSV as text."""
    csv = tmp_path / "evil.csv"
    csv.write_text('name,lon,lat\n"=HYPERLINK(""http://x"",""click"")",,\n'
                   "@SUM(A1),117.06,36.68\n", encoding="utf-8")
    store = tmp_path / "s.gpkg"
    _run("import", str(csv), "--as", "facilities", "--datum", "wgs84", "--store", str(store))
    rejected = (tmp_path / "facilities_rejected.csv").read_text(encoding="utf-8-sig")
    assert "=HYPERLINK" in rejected
    for line in rejected.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.strip('"').startswith(("=", "+", "@")), line


@pytest.mark.parametrize("kind", ["facilities", "zones", "streets"])
def test_an_unknown_crs_is_one_line_naming_the_fix(tmp_path: Path, kind: str) -> None:
    """--crs EPSG:99999 used to end in pyproj's traceback; now one line, exit 2, store kept."""
    if kind == "facilities":
        src = tmp_path / "p.csv"
        src.write_text("name,x,y\nA,500000,4060000\n", encoding="utf-8")
    else:
        geom = (LineString([(500000, 4060000), (500500, 4060000)]) if kind == "streets"
                else Point(500000, 4060000).buffer(300))
        src = tmp_path / f"{kind}.gpkg"
        gpd.GeoDataFrame({"name": ["A"]}, geometry=[geom], crs="EPSG:4548").to_file(src)
    out = _run("import", str(src), "--as", kind, "--datum", "wgs84", "--crs", "EPSG:99999",
               "--store", str(tmp_path / "s.gpkg"))
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    assert "not a known CRS" in out.stderr and "EPSG:4548" in out.stderr
    assert not (tmp_path / "s.gpkg").exists()
