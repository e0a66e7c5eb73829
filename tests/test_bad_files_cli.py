"""A few bad files through the command line (``jinan-gis import``), in this process: the
fix each message names is a flag the CLI has, and with it the import lands.

Cases ``F88``... of ``docs/BAD_INPUT.md`` (the same files as the Python cases).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from test_bad_files import PLACES, SIMPLIFIED, frame, rows_of, workbook, write_csv

from jinan_gis.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    got = capsys.readouterr()
    return code, got.out, got.err


def stored(store: Path, layer: str) -> gpd.GeoDataFrame:
    return gpd.read_file(store, layer=layer)


def test_cli_decimal_comma_and_sep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """F88: a ';' file with decimal commas: exit 2 naming --decimal ','; with it, stored."""
    p = write_csv(tmp_path / "eu.csv", frame(), sep=";", decimal=",")
    store = tmp_path / "s.gpkg"
    code, _, err = run(capsys, "import", str(p), "--as", "facilities", "--datum", "wgs84",
                       "--store", str(store))
    assert code == 2 and "--decimal ','" in err and "Traceback" not in err
    assert not store.exists()
    code, out, err = run(capsys, "import", str(p), "--as", "facilities", "--datum", "wgs84",
                         "--decimal", ",", "--sep", ";", "--store", str(store))
    assert code == 0, err
    assert "5 rows in, 5 kept" in out and len(stored(store, "facilities")) == 5


def test_cli_sheet_by_position_and_header_row(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """F89: --sheet 2 (1-based) and --header-row 3 on a workbook with a cover and titles."""
    p = workbook(tmp_path / "poi.xlsx", {"封面": [["说明"]], "数据": [
        ["历城区设施一览表"], ["2024年"], *rows_of(frame())]})
    store = tmp_path / "s.gpkg"
    code, _, err = run(capsys, "import", str(p), "--as", "facilities", "--datum", "wgs84",
                       "--sheet", "2", "--header-row", "3", "--store", str(store))
    assert code == 0, err
    assert stored(store, "facilities")["name"].tolist() == SIMPLIFIED


def test_cli_zip_needs_layer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """F90: a zip with two shapefiles: exit 2 naming --layer; --layer b stores b."""
    from test_bad_geo_files import zipped, zone_boxes

    for n in ("a", "b"):
        (tmp_path / n).mkdir()
        zone_boxes(2 if n == "a" else 3).to_file(tmp_path / n / f"{n}.shp", encoding="utf-8")
    z = zipped(tmp_path, {"x/a": tmp_path / "a" / "a.shp", "x/b": tmp_path / "b" / "b.shp"})
    store = tmp_path / "s.gpkg"
    code, _, err = run(capsys, "import", str(z), "--as", "zones", "--store", str(store))
    assert code == 2 and "--layer NAME" in err and "x/b/b.shp" in err
    code, _, err = run(capsys, "import", str(z), "--as", "zones", "--layer", "b",
                       "--store", str(store))
    assert code == 0, err
    assert len(stored(store, "zones")) == 3


def test_cli_web_mercator_advice_does_not_loop(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """F91: Web Mercator in lng/lat: exit 2 naming --crs EPSG:3857; with it, stored."""
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True).transform(
        *np.array(PLACES).T)
    p = tmp_path / "merc.csv"
    pd.DataFrame({"名称": SIMPLIFIED, "lng": x, "lat": y}).to_csv(p, index=False)
    store = tmp_path / "s.gpkg"
    code, _, err = run(capsys, "import", str(p), "--as", "facilities", "--datum", "wgs84",
                       "--store", str(store))
    assert code == 2 and "--crs EPSG:3857" in err
    code, _, err = run(capsys, "import", str(p), "--as", "facilities", "--datum", "wgs84",
                       "--crs", "EPSG:3857", "--store", str(store))
    assert code == 0, err


def test_cli_big5_needs_encoding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """F92: two-character Big5 names: exit 2 naming --encoding big5; with it, stored right."""
    p = tmp_path / "tc.csv"
    p.write_bytes("name,lng,lat\n華山,117.076,36.685\n".encode("big5"))
    store = tmp_path / "s.gpkg"
    code, _, err = run(capsys, "import", str(p), "--as", "facilities", "--datum", "wgs84",
                       "--store", str(store))
    assert code == 2 and "--encoding big5 or --encoding gbk" in err
    code, _, err = run(capsys, "import", str(p), "--as", "facilities", "--datum", "wgs84",
                       "--encoding", "big5", "--store", str(store))
    assert code == 0, err
    assert stored(store, "facilities")["name"].tolist() == ["華山"]


def test_cli_zip_in_subfolder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """F93: a zipped shapefile in a subfolder imports as zones in one command."""
    from test_bad_geo_files import zone_boxes

    (tmp_path / "src").mkdir()
    shp = tmp_path / "src" / "jd.shp"
    zone_boxes().to_file(shp, encoding="utf-8")
    z = tmp_path / "jd.zip"
    with zipfile.ZipFile(z, "w") as f:
        for part in shp.parent.glob("jd.*"):
            f.write(part, f"导出/街道/{part.name}")
    store = tmp_path / "s.gpkg"
    code, _, err = run(capsys, "import", str(z), "--as", "zones", "--store", str(store))
    assert code == 0, err
    assert stored(store, "zones")["zone_name"].tolist() == ["街道0", "街道1", "街道2"]
