"""Issue 18 "Outputs people use": report.xlsx formatted for people, layers.gpkg styled for
QGIS with the run's inputs and a metadata table."""

from __future__ import annotations

import re
import sqlite3
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest

from jinan_gis.analyses.export import (
    INDEX_SHEET,
    METADATA_TABLE,
    coverage_by_zone,
    input_layers,
    run_metadata,
    write_excel,
    write_geopackage,
)
from jinan_gis.analyses.export_qgis import GAP_COLOUR
from jinan_gis.analyses.inputs import inputs_from_sample
from jinan_gis.analyses.report import AnalysisInputs, Report, evaluate
from jinan_gis.layers.provenance import SYNTHETIC_MARK
from jinan_gis.layers.taxonomy import CATEGORIES

# the module-scoped fixtures run once, on one xdist worker, not once per worker
pytestmark = pytest.mark.xdist_group("outputs")


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[AnalysisInputs, Report, Path]:
    inputs = inputs_from_sample(scale=0.1)
    rep = evaluate(inputs, progress=False)
    out = tmp_path_factory.mktemp("outputs")
    write_excel(rep, out / "report.xlsx")
    layers = {"districts": inputs.districts, "zones": inputs.zones,
              "facilities": inputs.facilities,
              "service_areas": rep.places.get("service_areas"),
              "coverage_grid": rep.places.get("coverage_grid"), "gaps": rep.places.get("gaps"),
              "coverage_zones": coverage_by_zone(rep, inputs.zones), **input_layers(inputs)}
    write_geopackage(layers, out / "layers.gpkg", metadata=run_metadata(inputs))
    return inputs, rep, out


def _header(ws) -> list:
    return [c.value for c in ws[1]]


def _col(ws, header: str) -> int:
    return _header(ws).index(header) + 1


# ------------------------------------------------------------------------------- Excel
def test_numbers_are_formatted_for_people(run) -> None:
    _, _, out = run
    wb = openpyxl.load_workbook(out / "report.xlsx")
    m = wb["指标 Metrics"]
    ids = [c.value for c in m["A"]]
    row = ids.index("L-CLINIC-1000") + 1
    share = m.cell(row, _col(m, "现状值 value"))
    people = m.cell(row, _col(m, "人口 population"))
    assert 0 < share.value < 1 and share.number_format == "0.0%"
    assert people.value > 1000 and people.number_format == "#,##0"
    park = ids.index("L-PARK-2025") + 1  # m² per resident: not a percentage
    assert m.cell(park, _col(m, "现状值 value")).number_format == "#,##0.0"
    cov = next(wb[n] for n in wb.sheetnames if "L-CLINIC-1000" in n)
    assert cov.cell(2, _col(cov, "路网覆盖率 share (network)")).number_format == "0.0%"
    assert cov.cell(2, _col(cov, "人口 population")).number_format == "#,##0"
    assert cov.cell(2, _col(cov, "路网覆盖人口 covered (network)")).number_format == "#,##0"
    metres = _col(cov, "移至主路网平均多走米数 moved: mean extra m walked")
    assert cov.cell(2, metres).number_format == "#,##0"


def test_every_sheet_has_a_bold_frozen_filtered_header_and_the_mark(run) -> None:
    _, rep, out = run
    wb = openpyxl.load_workbook(out / "report.xlsx")
    assert len(wb.sheetnames) == 4 + len(rep.tables)
    for ws in wb.worksheets:
        head = _header(ws)
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(head)).column_letter}{ws.max_row}"
        assert all(c.font.b for c in ws[1]), ws.title
        assert head[1] == "数据说明 data_note", ws.title
        assert all(r[1] == SYNTHETIC_MARK for r in ws.iter_rows(min_row=2, values_only=True))
        assert ws.sheet_properties.tabColor.rgb.endswith("C00000")
        widths = [ws.column_dimensions[c.column_letter].width for c in ws[1]]
        assert all(8 <= w <= 52 for w in widths), (ws.title, widths)
        frame = pd.read_excel(out / "report.xlsx", sheet_name=ws.title)
        assert list(frame.columns) == head, ws.title


def test_district_and_sub_district_names_stand_beside_their_codes(run) -> None:
    _, _, out = run
    wb = openpyxl.load_workbook(out / "report.xlsx")
    seen = 0
    for ws in wb.worksheets:
        head = _header(ws)
        if "区县 district" not in head:
            continue
        seen += 1
        j = head.index("区县 district")
        assert head[j + 1] == "区名 district_name", ws.title
        pairs = {(r[j], r[j + 1]) for r in ws.iter_rows(min_row=2, values_only=True)}
        assert pairs <= {("370112", "历城区"), ("370103", "市中区")}, (ws.title, pairs)
        if "街道编号 zone" in head:
            assert head[head.index("街道编号 zone") + 1] == "街道 sub-district"
    assert seen >= 10
    names = pd.read_excel(out / "report.xlsx", sheet_name=0)["区名 district_name"]
    assert set(names) == {"历城区", "市中区"}


def test_sheet_names_are_unique_readable_and_indexed(run) -> None:
    _, rep, out = run
    wb = openpyxl.load_workbook(out / "report.xlsx")
    names = wb.sheetnames
    assert len({n.casefold() for n in names}) == len(names)
    assert all(len(n) <= 31 for n in names)
    assert names[0] == "指标 Metrics" and names[1] == INDEX_SHEET
    # the one-page overview, the progress and each district's inventory check come first
    assert names[4:8] == ["05 总览 Overview", "06 进度 Progress", "07 清单 历城", "08 清单 市中"]
    tables = names[8:]
    assert all(re.fullmatch(r"\d\d (覆盖率|街道配置|生活圈|单元覆盖) \S+ (历城|市中)", n)
               for n in tables), tables
    number = {n.split(" ", 1)[1]: int(n[:2]) for n in tables}
    assert "覆盖率 L-FITNESS-15 历城" in number
    # the same metric in both districts: two sheets told apart by the district, side by side
    assert number["生活圈 GB-LIFE-10MIN 市中"] == number["生活圈 GB-LIFE-10MIN 历城"] + 1
    index = wb[INDEX_SHEET]
    rows = list(index.iter_rows(min_row=2))
    assert [r[0].value for r in rows] == [n for n in names if n != INDEX_SHEET]
    for r in rows:  # every name links to its sheet
        assert r[0].hyperlink is not None and r[0].hyperlink.location == f"'{r[0].value}'!A1"
    titles = [r[2].value for r in rows]
    assert all(titles) and any("JN-CONVENIENCE-15-OLDTOWN" in t and "历城区" in t
                               for t in titles)
    assert all(r[3].value for r in rows)  # what each sheet holds
    assert [r[4].value for r in rows][3:] == [len(t) for t in rep.tables.values()]


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    evil = ['=HYPERLINK("http://example.com","click")', "+1+1", "-2+3", "@SUM(A1:A2)",
            "=1+1"]
    rep = Report(pd.DataFrame({"metric_id": ["=cmd|' /C calc'!A0"], "district": ["370103"],
                               "status": ["pass"]}),
                 tables={"presence M 370103": pd.DataFrame({"zone_id": ["a"] * 5,
                                                             "zone_name": evil})})
    path = write_excel(rep, tmp_path / "r.xlsx")
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not any("<f>" in z.read(n).decode() or "<f " in z.read(n).decode()
                       for n in sheets)
    wb = openpyxl.load_workbook(path)
    ws = wb["05 街道配置 M 市中"]
    col = _col(ws, "街道 sub-district")
    cells = [ws.cell(r, col) for r in range(2, 7)]
    assert [c.value for c in cells] == evil
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert wb["指标 Metrics"]["A2"].value == "=cmd|' /C calc'!A0"
    assert wb["指标 Metrics"]["A2"].data_type == "s"


# --------------------------------------------------------------------------- GeoPackage
def _styles(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as con:
        return dict(con.execute(
            "SELECT f_table_name, styleQML FROM layer_styles WHERE useAsDefault"))


def test_layer_styles_are_graduated_categorised_and_distinct(run) -> None:
    _, _, out = run
    styles = _styles(out / "layers.gpkg")
    grid = styles["覆盖网格_coverage_grid"]
    assert 'type="graduatedSymbol"' in grid and 'attr="dist_class_m"' in grid
    assert grid.count("<range ") >= 5
    share = styles["街道覆盖率_coverage_by_subdistrict"]
    assert 'type="graduatedSymbol"' in share and 'attr="share_network"' in share
    fac = styles["设施_facilities"]
    assert 'type="categorizedSymbol"' in fac and 'attr="category"' in fac
    for cat in CATEGORIES:
        assert f'value="{cat.id}"' in fac and f"{cat.name_zh} {cat.name_en}" in fac, cat.id
    assert 'type="categorizedSymbol"' in styles["人口_population"]
    for name in ("区县_districts", "街道_subdistricts"):
        assert '<Option name="style" type="QString" value="no"/>' in styles[name]  # outline
    assert f'value="{GAP_COLOUR}"' in styles["服务缺口_gaps"]
    others = [q for n, q in styles.items() if n != "服务缺口_gaps"]
    assert not any(GAP_COLOUR in q for q in others)
    assert ",60\"" in styles["服务区_service_areas"]  # translucent fill
    grid_layer = gpd.read_file(out / "layers.gpkg", layer="覆盖网格_coverage_grid")
    assert {"dist_m", "dist_class_m", "dist_class"} <= set(grid_layer.columns)
    assert set(grid_layer["dist_class_m"]) <= {300, 500, 1000, 2000, 5000, 99999, -1}


def test_streets_population_and_metadata_are_in_the_geopackage(run) -> None:
    inputs, _, out = run
    listed = {str(n): g for n, g in pyogrio.list_layers(out / "layers.gpkg")}
    streets = gpd.read_file(out / "layers.gpkg", layer="道路_streets")
    assert listed["道路_streets"] == "LineString" and len(streets) >= len(inputs.streets)
    assert {"length_m", "highway", "island", "data_note"} <= set(streets.columns)
    pop = gpd.read_file(out / "layers.gpkg", layer="人口_population")
    assert len(pop) == len(inputs.population)
    assert {"status", "access_m", "moved_m", "nearest_m", "population"} <= set(pop.columns)
    assert pop["status"].isin({"ok", "moved", "island", "beyond_snap_limit"}).all()
    meta = pyogrio.read_dataframe(out / "layers.gpkg", layer=METADATA_TABLE,
                                  read_geometry=False)
    kv = {(r.section, r.key): r.value for r in meta.itertuples()}
    assert kv[("run", "synthetic")] == "yes"
    assert kv[("settings", "mode")] == "walk" and kv[("settings", "speed_kmh")] == "4"
    assert kv[("settings", "max_snap_m")] == "250"
    assert kv[("settings", "access_legs_counted")] == "yes"
    assert "370112 历城区" in kv[("scope", "districts")]
    assert kv[("input:streets", "source")] == "synthetic"
    assert re.fullmatch(r"\d+\.\d+\.\d+", kv[("run", "jinan_gis_version")])
    assert (meta["data_note"] == SYNTHETIC_MARK).all()


def test_inputs_can_be_left_out_or_capped(run, tmp_path: Path) -> None:
    inputs, _, _ = run
    layers = {"districts": inputs.districts, **input_layers(inputs)}
    names = lambda p: {str(n) for n in pyogrio.list_layers(p)[:, 0]}  # noqa: E731
    off = write_geopackage(layers, tmp_path / "off.gpkg", include_inputs=False)
    assert "道路_streets" not in names(off) and "人口_population" not in names(off)
    capped = write_geopackage(layers, tmp_path / "cap.gpkg",
                              max_input_features=len(inputs.population) + 1)
    assert "人口_population" in names(capped) and "道路_streets" not in names(capped)
    notes = pyogrio.read_dataframe(capped, layer="jinan_gis_notes", read_geometry=False)
    assert "streets" in notes.set_index("key").loc["left out", "value"]


def test_the_report_reads_by_plan_and_chapter_with_an_overview_first(run) -> None:
    from jinan_gis.analyses.catalogue import CATALOGUE, PLAN_TITLES, chapter_title

    _, rep, out = run
    md = rep.summary_markdown()
    # the one-page overview comes before the targets, and its total adds up
    assert md.index("## 总览 Overview") < md.index("## 规划指标 Targets by plan and chapter")
    total = rep.tables["overview"].iloc[-1]
    assert f"{total['rows']} (target, district) rows of {len(CATALOGUE)} targets" in md
    # plans in the files' order, Chinese title first; chapters under them in the plan's order
    plans = [line[4:] for line in md.splitlines() if line.startswith("### ")]
    order = list(dict.fromkeys(m.source_file for m in CATALOGUE))
    assert plans == [" / ".join(PLAN_TITLES[f]) for f in order]
    chapters = [line[5:] for line in md.splitlines() if line.startswith("#### ")]
    expected = list(dict.fromkeys(" / ".join(chapter_title(m)) for m in CATALOGUE))
    assert chapters == expected
    # the workbook's metric sheet: the same order, plan and chapter beside the id
    m = pd.read_excel(out / "report.xlsx", sheet_name=0)
    ids = list(dict.fromkeys(m["指标编号 metric"]))
    assert ids == [e.id for e in CATALOGUE]
    assert list(m.columns[2:4]) == ["规划 plan", "章节 chapter"]
    assert m["章节 chapter"].str.match(r"^(第|一、|二、|居住区)").all()
