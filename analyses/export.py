"""Write a report for people: Excel workbook, GeoPackage for QGIS, Markdown summary.

- :func:`write_excel`: one sheet per table, Chinese headers with English, the metric table
  with targets and pass/fail first, an index of the sheets, a notes sheet that says when
  data are synthetic; shares as percentages, people and metres with thousands separators,
  district names beside codes (layout: :mod:`jinan_gis.analyses.export_excel`);
- :func:`write_geopackage`: named layers (districts, sub-districts, facilities, service areas,
  coverage grid and coverage per sub-district, gaps, proposed sites, and the run's inputs:
  streets and the placed population) with default QGIS styles in the ``layer_styles`` table
  (graduated, categorised, single: :mod:`jinan_gis.analyses.export_qgis`), so that they open
  in QGIS looking sensible, and a ``metadata`` table (sources, districts, run settings);
- :func:`input_layers`, :func:`run_metadata`, :func:`coverage_by_zone`: the run's additions;
- :func:`write_summary` (Markdown), :func:`write_csv` (UTF-8 with BOM for Excel).

Synthetic data are marked everywhere, by one rule
(:func:`jinan_gis.layers.provenance.is_synthetic`): every sheet of the workbook, every layer
of the GeoPackage and every row of a CSV then has a ``data_note`` column holding
:data:`~jinan_gis.layers.provenance.SYNTHETIC_MARK` (in the workbook it is always column B,
headed ``数据说明 data_note``; the header is row 1, so ``pandas.read_excel(path,
sheet_name=...)`` reads every sheet as it is); the GeoPackage's ``jinan_gis_notes`` table says
so; summary.md's first line carries the mark. Real data: no ``data_note`` and no mark.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio

from ..geo.crs import ANALYSIS_CRS
from ..geo.files import atomic_path, spreadsheet_safe, write_text_atomic
from ..geo.network import Network
from ..layers.provenance import SYNTHETIC_MARK, is_synthetic, mark_synthetic
from .export_excel import SheetPlan, sheet_plan, with_names, write_sheet
from .export_qgis import add_dist_class, write_styles
from .report import AnalysisInputs, Report

__all__ = ["HEADERS_ZH", "INDEX_SHEET", "INPUT_LAYERS", "LAYER_NAMES_ZH", "METADATA_TABLE",
           "NOTES_TABLE", "coverage_by_zone", "input_layers", "run_metadata", "write_csv",
           "write_excel", "write_geopackage", "write_summary"]

log = logging.getLogger(__name__)

HEADERS_ZH: dict[str, str] = {
    "metric_id": "指标编号 metric",
    "name_zh": "指标名称",
    "name_en": "metric (English)",
    "district": "区县 district",
    "kind": "类型 kind",
    "threshold": "阈值 threshold",
    "categories": "设施类别 categories",
    "value": "现状值 value",
    "unit": "单位 unit",
    "target": "目标值 target",
    "target_text": "目标说明 target",
    "year": "目标年份 year",
    "status": "达标情况 status",
    "basis": "依据类型 basis",
    "plan": "规划 plan",
    "source_file": "来源文件 source",
    "quote": "原文 quote",
    "scope_used": "统计范围 scope",
    "detail": "说明 detail",
    "synthetic_inputs": "合成数据 synthetic",
    "value_straight": "直线距离口径 straight-line value",
    "population": "人口 population",
    "not_placed": "未接入路网人口 not placed",
    "moved": "移至主路网人口 moved",
    "share_moved": "移至主路网比例 share moved",
    "moved_extra_m": "移至主路网平均多走米数 moved: mean extra m walked",
    "data_note": "数据说明 data_note",
    "loaded_at": "读取时间 loaded at",
    "zone": "街道编号 zone",
    "zone_id": "街道编号 zone",
    "zone_name": "街道 sub-district",
    "covered_network": "路网覆盖人口 covered (network)",
    "share_network": "路网覆盖率 share (network)",
    "covered_straight": "直线覆盖人口 covered (straight)",
    "share_straight": "直线覆盖率 share (straight)",
    "share_not_placed": "未接入比例 share not placed",
    "n_points": "人口点数 points",
    "n_facilities": "设施数 facilities",
    "meets": "是否达标 meets",
    "type": "设施类型 type",
    "share": "比例 share",
    "layer": "图层 layer",
    "rows": "行数 rows",
    "source": "来源 source",
    "synthetic": "合成 synthetic",
    "district_name": "区名 district_name",
    "district_code": "区县代码 district code",
    "district_code_name": "区名 district_name",
    "sheet": "工作表 sheet",
    "title": "标题 title",
    "holds": "内容 contents",
    "demand": "需求人口 demand (population used)",
    "rule": "测量规则 measurement rule",
    "chapter": "章节 chapter",
    "refs": "指标清单编号 METRICS.md ids",
    "plan_scope": "规划范围 plan scope (L/S/JN/SD/GB)",
    "applies": "适用 applies (district / city_total)",
    "entries": "指标数 targets",
    "met": "达标 met",
    "failed": "未达标 failed",
    "no numeric target": "无量化目标 no numeric target",
    "no district target": "无区级目标 no district target",
    "not measurable": "现有图层无法测量 not measurable",
    "baseline": "基期值 baseline",
    "baseline_year": "基期年份 baseline year",
    "reported": "评估报告值 reported (000)",
    "reported_year": "评估年份 reported year",
    "reported_expected": "评估年应达值 expected then",
    "reported_verdict": "评估年判断 verdict then",
    "evaluation_year": "现状年份 evaluation year",
    "expected": "应达值 expected now",
    "verdict": "判断 verdict",
    "target_year": "目标年份 target year",
    "type_zh": "设施类型",
    "type_en": "facility type",
    "layer_count": "图层数量 layer",
    "plan_figure": "规划数量 plan figure",
    "figure_kind": "数字类型 figure kind",
    "difference": "差额 difference (layer - plan)",
    "check": "核对 check",
    "said_by": "出处 said by",
    "unit_name": "单元 unit",
    "notes": "适用说明 notes",
}
"""Column headers of the workbook: Chinese with English."""

STATUS_ZH = {
    "pass": "达标 pass",
    "fail": "未达标 fail",
    "no numeric target": "无量化目标 no numeric target",
    "no district target": "无区级目标 no district target",
}


INDEX_SHEET = "目录 Index"
"""Name of the workbook's index sheet (every sheet's full title, what it holds, a link)."""


def _status_zh(df: pd.DataFrame) -> pd.DataFrame:
    if "status" not in df.columns or "metric_id" not in df.columns:
        return df
    out = df.copy()
    out["status"] = out["status"].map(lambda s: STATUS_ZH.get(s, s.replace(
        "needs layer", "缺少图层 needs layer").replace("not computed", "未计算 not computed"))
        if isinstance(s, str) else s)
    return out


def _marked(frame: pd.DataFrame, synthetic: bool) -> pd.DataFrame:
    """``frame`` with ``data_note`` (the mark) as its second column when ``synthetic``.

    An empty synthetic table gets one row holding only the mark, so that no sheet is unmarked.
    """
    if not synthetic:
        return frame.drop(columns="data_note", errors="ignore")
    out = frame if "data_note" in frame.columns else mark_synthetic(frame, True)
    if len(out) == 0:
        out = pd.DataFrame({c: [None] for c in out.columns})
    out = out.copy()
    out["data_note"] = SYNTHETIC_MARK
    cols = [c for c in out.columns if c != "data_note"]
    cols.insert(min(1, len(cols)), "data_note")
    return out[cols]


def _index_frame(plans: list[SheetPlan], frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return pd.DataFrame({
        "sheet": [p.name for p in plans if p.key != INDEX_SHEET],
        "title": [p.title for p in plans if p.key != INDEX_SHEET],
        "holds": [p.holds for p in plans if p.key != INDEX_SHEET],
        "rows": [len(frames[p.key]) for p in plans if p.key != INDEX_SHEET],
    })


def write_excel(report: Report, path: str | Path) -> Path:
    """Write the report as an Excel workbook (one sheet per table, Chinese headers).

    The first sheet, ``指标 Metrics``, holds every metric with value, target and pass/fail;
    the second, ``目录 Index``, lists every sheet with its full title, what it holds and a
    link to it; ``说明 Notes`` says what is measured (:meth:`Report.method_lines`), which
    layer is the demand, and the report's notes; ``图层 Layers`` the input layers; then one
    sheet per table, named ``NN kind METRIC district`` (``05 覆盖率 L-CLINIC-1000 历城``;
    at most 31 characters, unique).

    Shares are formatted ``0.0%``, people, counts and metres ``#,##0``; every district code
    column has a ``区名 district_name`` column beside it (and zone ids their sub-district
    names). The header is row 1 of every sheet (bold, frozen, with an autofilter), so
    ``pandas.read_excel(path, sheet_name=...)`` reads every sheet as it is. Text is written
    as text: a cell starting with ``=``, ``+``, ``-`` or ``@`` never becomes a formula. When
    the report is synthetic (:attr:`Report.synthetic`) every sheet, the index included, has
    the mark in column B (``数据说明 data_note``), a red tab and the mark in its page header.

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> rep = Report(pd.DataFrame({"metric_id": ["M"], "district": ["370112"], "value": [0.25],
    ...                            "unit": [""], "status": ["pass"]}),
    ...              tables={"coverage M 370103": pd.DataFrame({"zone": ["=1+1"]})},
    ...              synthetic_inputs=True)
    >>> p = write_excel(rep, pathlib.Path(tempfile.mkdtemp()) / "r.xlsx")
    >>> wb = openpyxl.load_workbook(p)
    >>> wb.sheetnames
    ['指标 Metrics', '目录 Index', '说明 Notes', '图层 Layers', '05 覆盖率 M 市中']
    >>> [SYNTHETIC_MARK in {c.value for row in ws.iter_rows() for c in row}
    ...  for ws in wb.worksheets]
    [True, True, True, True, True]
    >>> m = wb["指标 Metrics"]
    >>> [c.value for c in m[1]][:4], m["E2"].value, m["E2"].number_format
    (['指标编号 metric', '数据说明 data_note', '区县 district', '区名 district_name'], 0.25, '0.0%')
    >>> z = wb["05 覆盖率 M 市中"]["A2"]
    >>> z.value, z.data_type
    ('=1+1', 's')
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    synthetic = report.synthetic
    notes = pd.DataFrame({"说明 notes": [
        *(["合成样例数据 SYNTHETIC SAMPLE: streets, facilities, population and sub-district "
           "boundaries are invented; the numbers illustrate the method, not Jinan."]
          if synthetic else []),
        *[f"测量口径 what is measured: {line}" for line in report.method_lines()],
        *report.notes,
        f"生成时间 generated: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
    ]})
    frames = {"指标 Metrics": report.metrics, INDEX_SHEET: pd.DataFrame(),
              "说明 Notes": notes, "图层 Layers": report.layers, **report.tables}
    plans = sheet_plan(list(frames)[:4], list(report.tables))
    frames[INDEX_SHEET] = _index_frame(plans, frames)
    links = {p.name: p.name for p in plans}
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for plan in plans:
        ws = wb.create_sheet(plan.name)
        table = _marked(_status_zh(with_names(frames[plan.key])), synthetic)
        write_sheet(ws, table, HEADERS_ZH, links=links if plan.key == INDEX_SHEET else None)
        if synthetic:
            ws.sheet_properties.tabColor = "C00000"
            ws.oddHeader.center.text = SYNTHETIC_MARK
    with atomic_path(path, suffix=".tmp.xlsx") as tmp:
        wb.save(tmp)
    log.info("wrote %s", path)
    return path


# ---------------------------------------------------------------------------- GeoPackage
LAYER_NAMES_ZH: dict[str, str] = {
    "districts": "区县_districts",
    "zones": "街道_subdistricts",
    "facilities": "设施_facilities",
    "service_areas": "服务区_service_areas",
    "coverage_grid": "覆盖网格_coverage_grid",
    "coverage_zones": "街道覆盖率_coverage_by_subdistrict",
    "gaps": "服务缺口_gaps",
    "sites": "建议新址_proposed_sites",
    "population": "人口_population",
    "streets": "道路_streets",
}
"""GeoPackage layer names (Chinese_English)."""

INPUT_LAYERS = ("streets", "population")
"""Layers of :func:`write_geopackage` that are the run's inputs (left out with
``include_inputs=False``, or when larger than ``max_input_features``)."""

NOTES_TABLE = "jinan_gis_notes"
"""Non-spatial table of every GeoPackage :func:`write_geopackage` writes: ``key``, ``value``
(synthetic or not, the mark, when, which layers), plus ``data_note`` when synthetic."""

METADATA_TABLE = "metadata"
"""Non-spatial table of every GeoPackage :func:`write_geopackage` writes: ``section``,
``key``, ``value`` (the run: jinan-gis version, when, synthetic or not, and what
:func:`run_metadata` says: each input's source, the districts, the run settings)."""


def write_geopackage(
    layers: Mapping[str, gpd.GeoDataFrame | None],
    path: str | Path,
    *,
    synthetic: bool | None = None,
    crs: Any = ANALYSIS_CRS,
    include_inputs: bool = True,
    max_input_features: int | None = 500_000,
    metadata: pd.DataFrame | None = None,
) -> Path:
    """Write named layers (and their default QGIS styles) into one GeoPackage.

    Parameters
    ----------
    layers : mapping of key -> GeoDataFrame
        Keys such as ``districts``, ``facilities``, ``service_areas``, ``coverage_grid``,
        ``gaps``, ``streets``, ``population`` (see :func:`input_layers`)...; they are written
        under the names in :data:`LAYER_NAMES_ZH` (others keep their key), each with its
        default QGIS style (:mod:`jinan_gis.analyses.export_qgis`: graduated coverage grid
        and coverage share, facilities by category, ...). Not changed.
    path : output ``.gpkg`` (replaced atomically)
    synthetic : bool, optional
        Whether the layers come from synthetic data. None (default): if any layer is
        (:func:`~jinan_gis.layers.provenance.is_synthetic`), the whole file is. When
        synthetic, every layer and table gets a ``data_note`` column holding
        :data:`~jinan_gis.layers.provenance.SYNTHETIC_MARK` - also derived layers such as
        service areas, the coverage grid and gaps, which carry no ``source`` of their own -
        and the :data:`NOTES_TABLE` and :data:`METADATA_TABLE` tables say so.
    crs : CRS-like or None, default EPSG:4548
        CRS every layer is written in (Jinan's official projection by default, whatever
        CRS the analysis ran in); None keeps each layer's own CRS.  Layers without a CRS are
        declared in ``crs`` (EPSG:4548 when None).
    include_inputs : bool, default True
        Write the input layers (:data:`INPUT_LAYERS`: the streets and the placed population)
        when given; False leaves them out.
    max_input_features : int or None, default 500000
        An input layer with more rows is left out (the notes table says so); None: no limit.
    metadata : DataFrame, optional
        Rows (``section``, ``key``, ``value``) for the :data:`METADATA_TABLE` table, e.g.
        :func:`run_metadata`; version, time, synthetic and layers are always written.

    Examples
    --------
    >>> import tempfile, pathlib, pyogrio
    >>> from shapely.geometry import Point, box
    >>> fac = gpd.GeoDataFrame({"source": ["Synthetic "]}, geometry=[Point(0, 0)],
    ...                        crs=ANALYSIS_CRS)
    >>> gaps = gpd.GeoDataFrame({"rank": [1]}, geometry=[box(0, 0, 1, 1)], crs=ANALYSIS_CRS)
    >>> p = write_geopackage({"facilities": fac, "gaps": gaps},
    ...                      pathlib.Path(tempfile.mkdtemp()) / "x.gpkg")
    >>> [str(n) for n in pyogrio.list_layers(p)[:, 0]]
    ['设施_facilities', '服务缺口_gaps', 'jinan_gis_notes', 'metadata', 'layer_styles']
    >>> gpd.read_file(p, layer="服务缺口_gaps")["data_note"].item() == SYNTHETIC_MARK
    True
    """
    if synthetic is None:
        synthetic = is_synthetic([g for g in layers.values() if g is not None])
    skipped: list[str] = []
    chosen: dict[str, gpd.GeoDataFrame | None] = {}
    for key, gdf in layers.items():
        if key in INPUT_LAYERS and gdf is not None:
            if not include_inputs:
                continue
            if max_input_features is not None and len(gdf) > max_input_features:
                skipped.append(f"{key} ({len(gdf):,} rows > max_input_features "
                               f"{max_input_features:,})")
                continue
        chosen[key] = gdf
    path = Path(path)
    with atomic_path(path, suffix=".tmp.gpkg") as tmp:
        written = _write_layers(chosen, tmp, synthetic=bool(synthetic), crs=crs)
        _write_tables(tmp, written, synthetic=bool(synthetic), skipped=skipped,
                      metadata=metadata)
        write_styles(tmp, written, data_note=SYNTHETIC_MARK if synthetic else None)
    log.info("wrote %s (%d layers)", path, len(written))
    return path


def _write_layers(layers: Mapping[str, gpd.GeoDataFrame | None], tmp: Path, *,
                  synthetic: bool, crs: Any) -> list[tuple[str, str, str | None]]:
    """Write the non-empty layers into GeoPackage ``tmp``; return (key, layer name,
    geometry type) triples."""
    written: list[tuple[str, str, str | None]] = []
    for key, gdf in layers.items():
        if gdf is None or len(gdf) == 0:
            continue
        name = LAYER_NAMES_ZH.get(key, key)
        out = (gdf.set_crs(crs or ANALYSIS_CRS) if gdf.crs is None
               else gdf if crs is None else gdf.to_crs(crs))
        if key == "coverage_grid" and "dist_m" in out.columns:
            out = add_dist_class(out)
        out = _marked(out, True) if synthetic else out.copy()
        for c in out.columns:
            if c != out.geometry.name and out[c].dtype == object:
                out[c] = _as_text(out[c].to_numpy())
        # through Arrow where pyarrow is (cluster extra): 2x faster, same fields and values
        out.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio", use_arrow=_have_arrow())
        types = out.geom_type.dropna().unique()
        written.append((key, name, str(types[0]) if len(types) else None))
    return written


def _have_arrow() -> bool:
    """Whether pyarrow can be imported (it comes with the ``cluster`` extra only)."""
    try:
        return importlib.util.find_spec("pyarrow") is not None
    except (ImportError, ValueError):  # blocked, or a module without a spec
        return False


def _as_text(values: np.ndarray) -> np.ndarray:
    """Object ``values`` with every item that is neither None, text nor bytes as ``str``
    (GeoPackage fields hold one type); a new array, in one pass over the items.

    Examples
    --------
    >>> _as_text(np.array(["a", None, 3, 1.5, b"x"], dtype=object)).tolist()
    ['a', None, '3', '1.5', b'x']
    """
    out = values.copy()
    odd = np.fromiter((v is not None and not isinstance(v, str | bytes) for v in out),
                      dtype=bool, count=len(out))
    if odd.any():
        out[odd] = [str(v) for v in out[odd]]
    return out


def _write_tables(tmp: Path, written: list[tuple[str, str, str | None]], *, synthetic: bool,
                  skipped: list[str], metadata: pd.DataFrame | None) -> None:
    """Add the notes and metadata tables to GeoPackage ``tmp``."""
    from jinan_gis import __version__

    now = datetime.now(UTC).isoformat(timespec="seconds")
    layer_list = ", ".join(name for _, name, _ in written)
    notes = pd.DataFrame({
        "key": ["synthetic", "note", "generated_at", "layers",
                *(["left out"] if skipped else [])],
        "value": [
            "yes" if synthetic else "no",
            SYNTHETIC_MARK if synthetic else "layers as loaded; no synthetic input",
            now, layer_list, *(["; ".join(skipped)] if skipped else []),
        ],
    })
    meta = pd.concat([pd.DataFrame({
        "section": ["run"] * 4 + (["run"] if skipped else []),
        "key": ["jinan_gis_version", "created_at", "synthetic", "layers",
                *(["left_out"] if skipped else [])],
        "value": [__version__, now, "yes" if synthetic else "no", layer_list,
                  *(["; ".join(skipped)] if skipped else [])],
    }), metadata], ignore_index=True) if metadata is not None else None
    if meta is None:
        meta = pd.DataFrame({"section": ["run"] * 4,
                             "key": ["jinan_gis_version", "created_at", "synthetic", "layers"],
                             "value": [__version__, now, "yes" if synthetic else "no",
                                       layer_list]})
    for name, table in ((NOTES_TABLE, notes), (METADATA_TABLE, meta)):
        table = table.astype({"value": str})
        if synthetic:
            table["data_note"] = SYNTHETIC_MARK
        pyogrio.write_dataframe(table, tmp, layer=name, driver="GPKG")


# ------------------------------------------------------------------- what a run adds
def input_layers(inputs: AnalysisInputs, *, network: Network | None = None
                 ) -> dict[str, gpd.GeoDataFrame]:
    """The run's inputs as layers for :func:`write_geopackage`: ``streets`` (the network's
    lines: ``u``, ``v``, ``length_m``, ``fwd``, ``bwd``, ``island`` and the street's
    ``highway``/``name`` when known) and ``population`` (each point with its placement:
    ``status``, ``placed``, ``access_m``, ``moved_m``, ``nearest_m`` - straight distance to
    the nearest street - and ``access_counted``). ``inputs`` is not changed.

    ``network``: default ``inputs.network``, else built from ``inputs.streets``; without
    streets the result is empty.

    Examples
    --------
    >>> from jinan_gis.analyses.inputs import inputs_from_sample
    >>> got = input_layers(inputs_from_sample(scale=0.02))
    >>> sorted(got), {"status", "access_m", "moved_m", "nearest_m"} <= set(got["population"])
    (['population', 'streets'], True)
    """
    from ..geo.crs import metric_crs_or_default, to_analysis_crs
    from ..geo.network import build_network
    from .coverage import place_population, placement_table

    net = network if network is not None else inputs.network
    if net is None:
        if inputs.streets is None or not len(inputs.streets):
            return {}
        net = build_network(to_analysis_crs(inputs.streets,
                                            crs=metric_crs_or_default(inputs.streets)),
                            mode=inputs.mode)
    lines = net.edges_gdf()
    src = inputs.streets
    if src is not None and (lines["source_row"] >= 0).all() and len(src):
        rows = lines["source_row"].to_numpy()
        for col in ("street_id", "highway", "name", "source"):
            if col in src.columns and rows.max() < len(src):
                lines[col] = src[col].to_numpy()[rows]
    out = {"streets": lines}
    if inputs.population is not None and len(inputs.population):
        placed = place_population(net, inputs.population, max_snap_m=inputs.max_snap_m)
        table = placement_table(placed).drop(columns="population")
        pop = placed.population.drop(columns=[c for c in table.columns
                                              if c in placed.population.columns])
        out["population"] = pop.join(table)
    return out


def run_metadata(inputs: AnalysisInputs, *, count_access: bool = True) -> pd.DataFrame:
    """Rows (``section``, ``key``, ``value``) saying what a run used: each input layer's
    source and provenance (``input:<layer>``), the districts (``scope``) and the settings
    (mode, speed, snap limit, whether access legs are counted).

    Examples
    --------
    >>> from jinan_gis.analyses.inputs import inputs_from_sample
    >>> m = run_metadata(inputs_from_sample(scale=0.02)).set_index("key")
    >>> m.loc["mode", "value"], m.loc["speed_kmh", "value"], m.loc["max_snap_m", "value"]
    ('walk', '4', '250')
    """
    from ..geo.modes import DEFAULT_SPEEDS_KMH

    rows: list[tuple[str, str, str]] = []
    table = inputs.layer_table()
    for r in table.itertuples():
        sec = f"input:{r.layer}"
        rows += [(sec, "source", str(r.source)), (sec, "rows", str(r.rows)),
                 (sec, "loaded_at", str(r.loaded_at)),
                 (sec, "synthetic", "yes" if r.synthetic else "no")]
        for k, v in (inputs.provenance.get(r.layer) or {}).items():
            if k not in ("source", "loaded_at") and isinstance(v, str | int | float | bool):
                rows.append((sec, str(k), str(v)))
    d = inputs.districts
    if d is not None and "code" in d.columns:
        names = d["name_zh"] if "name_zh" in d.columns else d["code"]
        rows.append(("scope", "districts", ", ".join(
            f"{c} {n}" for c, n in zip(d["code"].astype(str), names.astype(str),
                                       strict=True))))
    speed = DEFAULT_SPEEDS_KMH.get(inputs.mode)
    rows += [("settings", "mode", str(inputs.mode)),
             ("settings", "speed_kmh", f"{speed:g}" if speed is not None else ""),
             ("settings", "max_snap_m", f"{inputs.max_snap_m:g}"),
             ("settings", "access_legs_counted", "yes" if count_access else "no"),
             ("settings", "crs_written", str(ANALYSIS_CRS))]
    return pd.DataFrame(rows, columns=["section", "key", "value"])


def coverage_by_zone(report: Report, zones: gpd.GeoDataFrame | None
                     ) -> gpd.GeoDataFrame | None:
    """The sub-districts with the coverage of every coverage metric of ``report`` (one
    polygon per metric and sub-district: ``metric_id``, ``district``, ``zone``,
    ``zone_name``, ``population``, ``covered_network``, ``share_network``...); None
    without zones or coverage tables."""
    if zones is None or "zone_id" not in zones.columns:
        return None
    tabs = [t for k, t in report.tables.items() if k.startswith("coverage ")
            and "zone" in t.columns and "share_network" in t.columns]
    if not tabs:
        return None
    tab = pd.concat(tabs, ignore_index=True).drop(columns="data_note", errors="ignore")
    geom = zones.set_index(zones["zone_id"].astype(str)).geometry
    keep = tab["zone"].astype(str).isin(geom.index)
    tab = tab[keep]
    return gpd.GeoDataFrame(tab.reset_index(drop=True),
                            geometry=geom.loc[tab["zone"].astype(str)].to_numpy(),
                            crs=zones.crs)


def write_summary(report: Report, path: str | Path, *, timings: bool = False) -> Path:
    """Write :meth:`Report.summary_markdown` to ``path`` (first line: the mark when
    synthetic): values in percent, districts and sub-districts named beside their codes;
    the seconds each step took only with ``timings=True`` (``--timings``)."""
    path = Path(path)
    write_text_atomic(path, report.summary_markdown(timings=timings))
    return path


def write_csv(
    table: pd.DataFrame,
    path: str | Path,
    *,
    synthetic: bool | None = None,
    index: bool = True,
) -> Path:
    """Write ``table`` as CSV (UTF-8 with BOM); a ``data_note`` column when synthetic.

    Parameters
    ----------
    table : DataFrame
        Not changed.
    path : output ``.csv``
    synthetic : bool, optional
        None (default): :func:`~jinan_gis.layers.provenance.is_synthetic` of ``table``. Tables
        computed from layers (e.g. :func:`~jinan_gis.analyses.coverage.coverage`) carry no
        ``source``: pass ``synthetic=inputs.synthetic``.
    index : bool
        Write the index (the group keys of a coverage table).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = write_csv(pd.DataFrame({"share": [0.5]}),
    ...               pathlib.Path(tempfile.mkdtemp()) / "c.csv", synthetic=True, index=False)
    >>> pd.read_csv(p)["data_note"].item() == SYNTHETIC_MARK
    True
    """
    if synthetic is None:
        synthetic = is_synthetic(table)
    path = Path(path)
    out = mark_synthetic(table, True) if synthetic else table
    with atomic_path(path, suffix=".tmp.csv") as tmp:
        spreadsheet_safe(out).to_csv(tmp, encoding="utf-8-sig", index=index)
    return path
