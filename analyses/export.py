"""Write a report for people: Excel workbook, GeoPackage for QGIS, Markdown summary.

- :func:`write_excel`: one sheet per table, Chinese headers with English, the metric table
  with targets and pass/fail first, and a notes sheet that says when data are synthetic;
- :func:`write_geopackage`: named layers (districts, sub-districts, facilities, service areas,
  coverage grid, gaps, proposed sites) with default QGIS styles in the ``layer_styles``
  table, so that they open in QGIS looking sensible;
- :func:`write_summary`: the report's Markdown summary;
- :func:`write_csv`: a table as CSV (UTF-8 with BOM, so that Excel reads Chinese).

Synthetic data are marked everywhere, by one rule
(:func:`jinan_gis.layers.provenance.is_synthetic`): every sheet of the workbook, every layer
of the GeoPackage and every row of a CSV then has a ``data_note`` column holding
:data:`~jinan_gis.layers.provenance.SYNTHETIC_MARK` (in the workbook it is always column B,
headed ``数据说明 data_note``; the header is row 1, so ``pandas.read_excel(path,
sheet_name=...)`` reads every sheet as it is); the GeoPackage's ``jinan_gis_notes`` table says
so; summary.md's first line carries the mark. Real data: no ``data_note`` and no mark.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from ..geo.crs import ANALYSIS_CRS
from ..geo.files import atomic_path, write_text_atomic
from ..layers.provenance import SYNTHETIC_MARK, is_synthetic, mark_synthetic
from .report import Report

__all__ = ["HEADERS_ZH", "NOTES_TABLE", "write_csv", "write_excel", "write_geopackage",
           "write_summary"]

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
}
"""Column headers of the workbook: Chinese with English."""

STATUS_ZH = {
    "pass": "达标 pass",
    "fail": "未达标 fail",
    "no numeric target": "无量化目标 no numeric target",
}


def _zh(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    if "status" in out.columns:
        out["status"] = out["status"].map(lambda s: STATUS_ZH.get(s, s.replace(
            "needs layer", "缺少图层 needs layer") if isinstance(s, str) else s))
    return out.rename(columns={c: HEADERS_ZH.get(c, c) for c in out.columns})


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]\*\?/\\:]", "_", name)[:31]
    cand, i = base, 2
    while cand in used:
        cand = f"{base[:28]}~{i}"
        i += 1
    used.add(cand)
    return cand


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


def write_excel(report: Report, path: str | Path) -> Path:
    """Write the report as an Excel workbook (one sheet per table, Chinese headers).

    The first sheet, ``指标 Metrics``, holds every metric with value, target and pass/fail;
    ``说明 Notes`` says what is measured (:meth:`Report.method_lines`), which layer is the
    demand, and the report's notes. The header is row 1 of every sheet. When the report is
    synthetic (:attr:`Report.synthetic`) every sheet, including the per-sub-district ones,
    has the mark in column B (``数据说明 data_note``), a red tab and the mark in its page
    header.

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> rep = Report(pd.DataFrame({"metric_id": ["M"], "status": ["pass"]}),
    ...              tables={"coverage M 370103": pd.DataFrame({"zone": ["a"]})},
    ...              synthetic_inputs=True)
    >>> p = write_excel(rep, pathlib.Path(tempfile.mkdtemp()) / "r.xlsx")
    >>> wb = openpyxl.load_workbook(p)
    >>> wb.sheetnames
    ['指标 Metrics', '说明 Notes', '图层 Layers', 'coverage M 370103']
    >>> [SYNTHETIC_MARK in {c.value for row in ws.iter_rows() for c in row}
    ...  for ws in wb.worksheets]
    [True, True, True, True]
    >>> wb["coverage M 370103"]["B1"].value, wb["coverage M 370103"]["B2"].value == SYNTHETIC_MARK
    ('数据说明 data_note', True)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    synthetic = report.synthetic
    notes = pd.DataFrame({"说明 notes": [
        *(["合成样例数据 SYNTHETIC SAMPLE: streets, facilities, population and sub-district "
           "boundaries are invented; the numbers illustrate the method, not Jinan."]
          if synthetic else []),
        *[f"测量口径 what is measured: {line}" for line in report.method_lines()],
        *report.notes,
        f"生成时间 generated: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
    ]})
    sheets = [("指标 Metrics", report.metrics), ("说明 Notes", notes),
              ("图层 Layers", report.layers), *report.tables.items()]
    with atomic_path(path, suffix=".tmp.xlsx") as tmp, pd.ExcelWriter(
            tmp, engine="openpyxl") as xl:
        for name, table in sheets:
            _zh(_marked(table, synthetic)).to_excel(
                xl, sheet_name=_sheet_name(name, used), index=False)
        for sheet in xl.book.worksheets:
            sheet.freeze_panes = "A2"
            if synthetic:
                sheet.sheet_properties.tabColor = "C00000"
                sheet.oddHeader.center.text = SYNTHETIC_MARK
            for col in sheet.columns:
                width = max(len(str(c.value or "")) for c in col[:50])
                sheet.column_dimensions[col[0].column_letter].width = min(60, max(10, width + 2))
    log.info("wrote %s", path)
    return path


# ---------------------------------------------------------------------------- QGIS styles
def _qml(kind: str, rgba: str, *, outline: str = "35,35,35,255", size: str = "2.4") -> str:
    if kind == "point":
        sym = (
            f'<symbol type="marker" name="0" alpha="1"><layer class="SimpleMarker">'
            f'<Option type="Map"><Option name="color" type="QString" value="{rgba}"/>'
            f'<Option name="outline_color" type="QString" value="{outline}"/>'
            f'<Option name="size" type="QString" value="{size}"/>'
            f'<Option name="name" type="QString" value="circle"/></Option></layer></symbol>'
        )
    elif kind == "line":
        sym = (
            f'<symbol type="line" name="0" alpha="1"><layer class="SimpleLine">'
            f'<Option type="Map"><Option name="line_color" type="QString" value="{rgba}"/>'
            f'<Option name="line_width" type="QString" value="0.4"/></Option></layer></symbol>'
        )
    else:
        sym = (
            f'<symbol type="fill" name="0" alpha="1"><layer class="SimpleFill">'
            f'<Option type="Map"><Option name="color" type="QString" value="{rgba}"/>'
            f'<Option name="outline_color" type="QString" value="{outline}"/>'
            f'<Option name="outline_width" type="QString" value="0.3"/></Option></layer>'
            f"</symbol>"
        )
    return (
        '<!DOCTYPE qgis PUBLIC \'http://mrcc.com/qgis.dtd\' \'SYSTEM\'>'
        '<qgis version="3.28" styleCategories="Symbology">'
        f'<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0">'
        f"<symbols>{sym}</symbols></renderer-v2></qgis>"
    )


_STYLES: dict[str, tuple[str, str]] = {
    "districts": ("polygon", "255,255,255,0"),
    "zones": ("polygon", "255,255,255,0"),
    "facilities": ("point", "31,120,180,255"),
    "service_areas": ("polygon", "51,160,44,70"),
    "coverage_grid": ("polygon", "253,174,97,110"),
    "gaps": ("polygon", "227,26,28,120"),
    "sites": ("point", "255,0,255,255"),
    "population": ("point", "120,120,120,120"),
    "streets": ("line", "90,90,90,255"),
}

LAYER_NAMES_ZH: dict[str, str] = {
    "districts": "区县_districts",
    "zones": "街道_subdistricts",
    "facilities": "设施_facilities",
    "service_areas": "服务区_service_areas",
    "coverage_grid": "覆盖网格_coverage_grid",
    "gaps": "服务缺口_gaps",
    "sites": "建议新址_proposed_sites",
    "population": "人口_population",
    "streets": "道路_streets",
}
"""GeoPackage layer names (Chinese_English)."""


NOTES_TABLE = "jinan_gis_notes"
"""Non-spatial table of every GeoPackage :func:`write_geopackage` writes: ``key``, ``value``
(synthetic or not, the mark, when, which layers), plus ``data_note`` when synthetic."""


def write_geopackage(
    layers: Mapping[str, gpd.GeoDataFrame | None],
    path: str | Path,
    *,
    synthetic: bool | None = None,
    crs: Any = ANALYSIS_CRS,
) -> Path:
    """Write named layers (and their default QGIS styles) into one GeoPackage.

    Parameters
    ----------
    layers : mapping of key -> GeoDataFrame
        Keys such as ``districts``, ``facilities``, ``service_areas``, ``gaps``...; they are
        written under the names in :data:`LAYER_NAMES_ZH` (others keep their key). Not
        changed.
    path : output ``.gpkg`` (replaced atomically)
    synthetic : bool, optional
        Whether the layers come from synthetic data. None (default): if any layer is
        (:func:`~jinan_gis.layers.provenance.is_synthetic`), the whole file is. When
        synthetic, every layer gets a ``data_note`` column holding
        :data:`~jinan_gis.layers.provenance.SYNTHETIC_MARK` - also derived layers such as
        service areas, the coverage grid and gaps, which carry no ``source`` of their own -
        and the :data:`NOTES_TABLE` table says so.
    crs : CRS-like or None, default EPSG:4548
        CRS every layer is written in (Jinan's official projection by default, whatever
        CRS the analysis ran in); None keeps each layer's own CRS.  Layers without a CRS are
        declared in ``crs`` (EPSG:4548 when None).

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
    ['设施_facilities', '服务缺口_gaps', 'jinan_gis_notes']
    >>> gpd.read_file(p, layer="服务缺口_gaps")["data_note"].item() == SYNTHETIC_MARK
    True
    """
    if synthetic is None:
        synthetic = is_synthetic([g for g in layers.values() if g is not None])
    path = Path(path)
    with atomic_path(path, suffix=".tmp.gpkg") as tmp:
        written = _write_layers(layers, tmp, synthetic=bool(synthetic), crs=crs)
        _write_notes_and_styles(tmp, written, synthetic=bool(synthetic))
    log.info("wrote %s (%d layers)", path, len(written))
    return path


def _write_layers(layers: Mapping[str, gpd.GeoDataFrame | None], tmp: Path, *,
                  synthetic: bool, crs: Any) -> list[tuple[str, str]]:
    """Write the non-empty layers into GeoPackage ``tmp``; return (key, layer name) pairs."""
    written: list[tuple[str, str]] = []
    for key, gdf in layers.items():
        if gdf is None or len(gdf) == 0:
            continue
        name = LAYER_NAMES_ZH.get(key, key)
        out = (gdf.set_crs(crs or ANALYSIS_CRS) if gdf.crs is None
               else gdf if crs is None else gdf.to_crs(crs))
        out = _marked(out, True) if synthetic else out.copy()
        for c in out.columns:
            if c != out.geometry.name and out[c].dtype == object:
                out[c] = out[c].map(lambda v: v if v is None or isinstance(v, str | bytes)
                                    else str(v))
        out.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
        written.append((key, name))
    return written


def _write_notes_and_styles(tmp: Path, written: list[tuple[str, str]], *,
                            synthetic: bool) -> None:
    """Add the notes table and a default QGIS style per layer to GeoPackage ``tmp``."""
    notes = pd.DataFrame({
        "key": ["synthetic", "note", "generated_at", "layers"],
        "value": [
            "yes" if synthetic else "no",
            SYNTHETIC_MARK if synthetic else "layers as loaded; no synthetic input",
            datetime.now(UTC).isoformat(timespec="seconds"),
            ", ".join(name for _, name in written),
        ],
    })
    if synthetic:
        notes["data_note"] = SYNTHETIC_MARK
    pyogrio.write_dataframe(notes, tmp, layer=NOTES_TABLE, driver="GPKG")
    with contextlib.closing(sqlite3.connect(tmp)) as con, con:
        con.execute(
            "CREATE TABLE IF NOT EXISTS layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, "
            "f_table_catalog TEXT, f_table_schema TEXT, f_table_name TEXT, "
            "f_geometry_column TEXT, styleName TEXT, styleQML TEXT, styleSLD TEXT, "
            "useAsDefault BOOLEAN, description TEXT, owner TEXT, ui TEXT, update_time DATETIME)"
        )
        for key, name in written:
            kind, rgba = _STYLES.get(key, ("polygon", "166,206,227,120"))
            con.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
                "owner, ui, update_time) VALUES ('', '', ?, 'geom', ?, ?, '', 1, ?, "
                "'jinan-gis', '', CURRENT_TIMESTAMP)",
                (name, f"{name} default", _qml(kind, rgba), f"jinan-gis style for {key}"),
            )


def write_summary(report: Report, path: str | Path) -> Path:
    """Write :meth:`Report.summary_markdown` to ``path`` (first line: the mark when
    synthetic)."""
    path = Path(path)
    write_text_atomic(path, report.summary_markdown())
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
        out.to_csv(tmp, encoding="utf-8-sig", index=index)
    return path
