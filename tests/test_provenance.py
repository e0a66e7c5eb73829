"""One provenance rule, and every output made from synthetic data says so (issue 12, part 4).

- one function decides "is this synthetic?" (:func:`jinan_gis.layers.provenance.is_synthetic`);
- a source spelled ``"Synthetic "`` makes the report synthetic and marks the workbook;
- every sheet of report.xlsx, every layer of layers.gpkg, summary.md and CSVs carry the mark;
- real data carry no mark;
- the loaders' provenance travels with the inputs;
- a layer store path that does not exist (or is not a store) is an error before any work.
"""

from __future__ import annotations

import ast
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import LineString, Point, box

from jinan_gis.analyses.export import (
    NOTES_TABLE,
    write_csv,
    write_excel,
    write_geopackage,
    write_summary,
)
from jinan_gis.analyses.export_excel import sheet_plan
from jinan_gis.analyses.inputs import inputs_from_sample, inputs_from_store
from jinan_gis.analyses.report import AnalysisInputs, Report, evaluate
from jinan_gis.geo.errors import JinanGISError, LayerError
from jinan_gis.layers.provenance import SYNTHETIC_MARK, is_synthetic
from jinan_gis.layers.store import LayerStore

CRS = "EPSG:4548"
REPO = Path(__file__).resolve().parents[1]
MY_MODULES = ["analyses/report.py", "analyses/inputs.py", "analyses/export.py",
              "analyses/gaps.py", "analyses/life_circle.py"]


def _cells(path: Path) -> dict[str, set]:
    wb = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: {c for row in ws.iter_rows(values_only=True) for c in row}
            for ws in wb.worksheets}


def _real_inputs(*, facility_source: str | None = None, **prov) -> AnalysisInputs:
    """Two districts on a 2 km street; nothing synthetic unless ``facility_source`` says so."""
    districts = gpd.GeoDataFrame(
        {"code": ["370112", "370103"], "name_zh": ["历城区", "市中区"],
         "source": ["survey", "survey"]},
        geometry=[box(-100, -500, 1000, 500), box(1000, -500, 2100, 500)], crs=CRS)
    streets = gpd.GeoDataFrame(
        {"source": ["survey", "survey"]},
        geometry=[LineString([(0, 0), (1000, 0)]), LineString([(1000, 0), (2000, 0)])], crs=CRS)
    people = gpd.GeoDataFrame(
        {"population": [10.0, 20.0, 30.0], "source": ["census"] * 3},
        geometry=[Point(100, 10), Point(800, -10), Point(1500, 10)], crs=CRS)
    fac = gpd.GeoDataFrame(
        {"category": ["chs_station", "elderly_care_centre"], "group": ["clinic", "elderly"]},
        geometry=[Point(1100, 0), Point(1800, 0)], crs=CRS)
    if facility_source is not None:
        fac["source"] = facility_source
    zones = gpd.GeoDataFrame(
        {"zone_id": ["a", "b"], "zone_name": ["甲街道", "乙街道"],
         "district_code": ["370112", "370103"], "in_plan_scope": [True, True],
         "source": ["survey", "survey"]},
        geometry=[box(-100, -500, 1000, 500), box(1000, -500, 2100, 500)], crs=CRS)
    provenance = {"facilities": {"source": "survey.xlsx", "loaded_at": "2024-05-01T00:00:00"},
                  **prov}
    return AnalysisInputs(districts=districts, streets=streets, facilities=fac,
                          population=people, zones=zones, provenance=provenance)


def _gpkg_layers(inputs: AnalysisInputs, rep: Report) -> dict[str, gpd.GeoDataFrame | None]:
    return {"districts": inputs.districts, "zones": inputs.zones,
            "facilities": inputs.facilities,
            "service_areas": rep.places.get("service_areas"),
            "coverage_grid": rep.places.get("coverage_grid"), "gaps": rep.places.get("gaps")}


# the users of the module's sample report share one xdist worker (--dist loadgroup)
sample_report = pytest.mark.xdist_group("provenance-sample")


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory) -> tuple[AnalysisInputs, Report, Path]:
    inputs = inputs_from_sample(scale=0.05, seed=5)
    rep = evaluate(inputs, progress=False)
    out = tmp_path_factory.mktemp("sample_report")
    write_excel(rep, out / "report.xlsx")
    write_geopackage(_gpkg_layers(inputs, rep), out / "layers.gpkg")
    write_summary(rep, out / "summary.md")
    return inputs, rep, out


# ------------------------------------------------------------------------ one rule


def test_one_function_decides_in_the_report_modules() -> None:
    """No module of the report path keeps its own rule: no ``_is_synthetic``, no comparison
    with the string "synthetic"; they use layers.provenance.is_synthetic."""
    for rel in MY_MODULES:
        tree = ast.parse((REPO / rel).read_text(encoding="utf-8"))
        defs = [n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        assert "_is_synthetic" not in defs, rel
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare):
                consts = [c.value for c in [node.left, *node.comparators]
                          if isinstance(c, ast.Constant)]
                assert "synthetic" not in consts, f"{rel}:{node.lineno} compares with 'synthetic'"
    for rel in ("analyses/report.py", "analyses/export.py"):
        assert "from ..layers.provenance import" in (REPO / rel).read_text(), rel


def test_synthetic_source_with_other_spelling_makes_the_report_synthetic(tmp_path: Path) -> None:
    inputs = _real_inputs(facility_source="Synthetic ")
    assert inputs.synthetic and is_synthetic(inputs.facilities)
    rep = evaluate(inputs, progress=False, service_area_metric=None)
    assert rep.synthetic
    assert rep.metrics["synthetic_inputs"].all()
    assert rep.layers.set_index("layer").loc["facilities", "synthetic"]
    path = write_excel(rep, tmp_path / "report.xlsx")
    for title, cells in _cells(path).items():
        assert SYNTHETIC_MARK in cells, title
    assert rep.summary_markdown().splitlines()[0].endswith(SYNTHETIC_MARK)


def test_provenance_alone_makes_inputs_synthetic() -> None:
    """A layer without a source column whose loader said "synthetic" counts."""
    inputs = _real_inputs(population={"source": " SYNTHETIC", "loaded_at": "2024-05-01"})
    assert inputs.synthetic
    rep = evaluate(inputs, progress=False, service_area_metric=None)
    assert rep.synthetic and rep.provenance["population"]["source"] == " SYNTHETIC"


# ------------------------------------------------------------ every output is marked


@sample_report
def test_every_sheet_of_a_sample_report_carries_the_mark(sample_run) -> None:
    _, rep, out = sample_run
    wb = openpyxl.load_workbook(out / "report.xlsx", read_only=True)
    # Metrics, Index, Notes, Layers, then one sheet per table (named by export_excel)
    assert len(wb.sheetnames) == 4 + len(rep.tables) >= 11
    sheet_of = {p.key: p.name for p in sheet_plan(wb.sheetnames[:4], list(rep.tables))}
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        assert rows[0][1] == "数据说明 data_note", ws.title
        assert len(rows) >= 2, ws.title
        assert all(r[1] == SYNTHETIC_MARK for r in rows[1:]), ws.title
    # per-sub-district sheets (real sub-district names next to invented numbers) included
    zone_sheets = [sheet_of[k] for k in rep.tables if k.startswith(("coverage", "presence"))]
    assert zone_sheets
    for name in zone_sheets:
        df = pd.read_excel(out / "report.xlsx", sheet_name=name)  # header: row 1
        assert "街道 sub-district" in df.columns, name
        assert (df["数据说明 data_note"] == SYNTHETIC_MARK).all(), name
    notes = pd.read_excel(out / "report.xlsx", sheet_name="说明 Notes")["说明 notes"]
    text = "\n".join(map(str, notes))
    assert "access legs" in text and "moved" in text and "not placed" in text
    assert "Demand: the residential population layer 'population' (source: synthetic" in text


@sample_report
def test_every_layer_of_the_geopackage_carries_the_mark(sample_run) -> None:
    _, _, out = sample_run
    listed = pyogrio.list_layers(out / "layers.gpkg")
    names = [str(n) for n in listed[:, 0]]
    assert {"服务区_service_areas", "覆盖网格_coverage_grid", "服务缺口_gaps",
            "设施_facilities", "街道_subdistricts", "区县_districts", NOTES_TABLE} <= set(names)
    for name, geom in listed:
        if geom is None:
            frame = pyogrio.read_dataframe(out / "layers.gpkg", layer=name, read_geometry=False)
        else:
            frame = gpd.read_file(out / "layers.gpkg", layer=name)
        assert len(frame) and (frame["data_note"] == SYNTHETIC_MARK).all(), name
    notes = pyogrio.read_dataframe(out / "layers.gpkg", layer=NOTES_TABLE, read_geometry=False)
    assert notes.set_index("key").loc["synthetic", "value"] == "yes"


@sample_report
def test_report_tables_places_summary_and_csv_carry_the_mark(sample_run, tmp_path) -> None:
    inputs, rep, out = sample_run
    assert inputs.synthetic and rep.synthetic
    for name, table in rep.tables.items():
        assert (table["data_note"] == SYNTHETIC_MARK).all(), name
    for name, place in rep.places.items():
        assert (place["data_note"] == SYNTHETIC_MARK).all(), name
        assert is_synthetic(place), name
    first = (out / "summary.md").read_text(encoding="utf-8").splitlines()[0]
    assert SYNTHETIC_MARK in first
    md = rep.summary_markdown()
    assert "access legs" in md and "Demand: the residential population layer" in md
    table = rep.tables[next(iter(rep.tables))].drop(columns="data_note")
    p = write_csv(table, tmp_path / "coverage.csv", synthetic=inputs.synthetic)
    assert (pd.read_csv(p)["data_note"] == SYNTHETIC_MARK).all()
    for name in ("districts", "streets", "facilities", "population", "zones", "old_town"):
        assert "data_note" not in getattr(inputs, name).columns, name  # inputs not changed


# ---------------------------------------------------------------------- real data


def test_real_data_carries_no_mark(tmp_path: Path) -> None:
    inputs = _real_inputs()
    assert not inputs.synthetic
    rep = evaluate(inputs, progress=False)
    assert not rep.synthetic and not rep.metrics["synthetic_inputs"].any()
    # the loader's provenance travels into the layer table
    lay = rep.layers.set_index("layer")
    assert lay.loc["facilities", "source"] == "survey.xlsx"
    assert lay.loc["facilities", "loaded_at"] == "2024-05-01T00:00:00"
    assert not lay["synthetic"].any()
    xlsx = write_excel(rep, tmp_path / "report.xlsx")
    for title, cells in _cells(xlsx).items():
        assert "数据说明 data_note" not in cells, title
        assert not any(isinstance(c, str) and "SYNTHETIC" in c for c in cells), title
    gpkg = write_geopackage(_gpkg_layers(inputs, rep), tmp_path / "layers.gpkg")
    for name, _ in pyogrio.list_layers(gpkg):
        frame = pyogrio.read_dataframe(gpkg, layer=name, read_geometry=False)
        assert "data_note" not in frame.columns, name
    notes = pyogrio.read_dataframe(gpkg, layer=NOTES_TABLE, read_geometry=False)
    assert notes.set_index("key").loc["synthetic", "value"] == "no"
    md = write_summary(rep, tmp_path / "summary.md").read_text(encoding="utf-8")
    assert md.splitlines()[0] == "# jinan-gis report" and "SYNTHETIC" not in md
    assert "'population' (source: census; 3 points, 60 residents)" in md
    csv = write_csv(rep.tables[next(iter(rep.tables))], tmp_path / "c.csv")
    assert "data_note" not in pd.read_csv(csv).columns


# ---------------------------------------------------------------------- provenance


@sample_report
def test_sample_provenance_travels_with_the_inputs(sample_run) -> None:
    inputs, rep, _ = sample_run
    prov = inputs.provenance
    assert set(prov) == {"districts", "streets", "facilities", "population", "zones",
                         "old_town"}
    for name in ("streets", "facilities", "population", "zones", "old_town"):
        assert prov[name]["source"] == "synthetic" and prov[name]["loaded_at"], name
        assert prov[name]["crs"] == CRS, name
    assert not is_synthetic(prov["districts"])  # the district polygons are real
    assert not inputs.layer_synthetic("districts")
    assert rep.provenance == prov


def test_store_provenance_travels_with_the_inputs(tmp_path: Path) -> None:
    path = tmp_path / "store.gpkg"
    fac = gpd.GeoDataFrame({"category": ["chs_station"]}, geometry=[Point(500_000, 4_060_000)],
                           crs=CRS)
    LayerStore(path).write("facilities", fac, provenance={"source": "Synthetic", "datum": "wgs84"})
    inputs = inputs_from_store(path)
    prov = inputs.provenance["facilities"]
    assert prov["source"] == "Synthetic" and prov["datum"] == "wgs84"
    assert prov["store"] == str(path) and prov["layer"] == "facilities" and prov["loaded_at"]
    assert inputs.facilities.attrs["provenance"]["source"] == "Synthetic"
    assert inputs.synthetic and inputs.layer_synthetic("facilities")
    assert inputs.provenance["districts"]["loader"].endswith("load_districts")


# --------------------------------------------------------------------- store path


def test_missing_store_is_an_error_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    import jinan_gis.analyses.inputs as inputs_module

    def no_work(*a, **k):
        raise AssertionError("work started before the store path was checked")

    monkeypatch.setattr(inputs_module, "load_districts", no_work)
    monkeypatch.setattr(inputs_module, "LayerStore", no_work)
    nope = tmp_path / "nope.gpkg"
    with pytest.raises(LayerError, match=r"no layer store at .*nope\.gpkg") as err:
        inputs_from_store(nope)
    assert isinstance(err.value, JinanGISError)
    assert f"jinan-gis import FILE --as streets --store {nope}" in str(err.value)
    assert not nope.exists()
    not_gpkg = tmp_path / "notes.gpkg"
    not_gpkg.write_text("not a geopackage", encoding="utf-8")
    with pytest.raises(LayerError, match="is not a layer store"):
        inputs_from_store(not_gpkg)
    plain = tmp_path / "plain.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[Point(0, 0)], crs=CRS).to_file(plain)
    with pytest.raises(LayerError, match="no 'jinan_gis_layers' table"):
        inputs_from_store(plain)
