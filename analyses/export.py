"""Write a report for people: Excel workbook, GeoPackage for QGIS, Markdown summary.

- :func:`write_excel`: one sheet per table, Chinese headers with English, the metric table
  with targets and pass/fail first, and a notes sheet that says when data are synthetic;
- :func:`write_geopackage`: named layers (districts, sub-districts, facilities, service areas,
  coverage grid, gaps, proposed sites) with default QGIS styles in the ``layer_styles``
  table, so that they open in QGIS looking sensible;
- :func:`write_summary`: the report's Markdown summary.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from jinan_gis.geo.crs import ANALYSIS_CRS

from .report import Report

__all__ = ["HEADERS_ZH", "write_excel", "write_geopackage", "write_summary"]

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


def write_excel(report: Report, path: str | Path) -> Path:
    """Write the report as an Excel workbook (one sheet per table, Chinese headers).

    The first sheet, ``指标 Metrics``, holds every metric with value, target and pass/fail.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    notes = pd.DataFrame({"说明 notes": [
        *(["合成样例数据 SYNTHETIC SAMPLE: streets, facilities, population and sub-district "
           "boundaries are invented; the numbers illustrate the method, not Jinan."]
          if report.synthetic else []),
        *report.notes,
        f"生成时间 generated: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
    ]})
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        _zh(report.metrics).to_excel(xl, sheet_name=_sheet_name("指标 Metrics", used),
                                     index=False)
        notes.to_excel(xl, sheet_name=_sheet_name("说明 Notes", used), index=False)
        _zh(report.layers).to_excel(xl, sheet_name=_sheet_name("图层 Layers", used),
                                    index=False)
        for name, table in report.tables.items():
            _zh(table).to_excel(xl, sheet_name=_sheet_name(name, used), index=False)
        for sheet in xl.book.worksheets:
            sheet.freeze_panes = "A2"
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


def write_geopackage(
    layers: Mapping[str, gpd.GeoDataFrame | None], path: str | Path
) -> Path:
    """Write named layers (and their default QGIS styles) into one GeoPackage.

    Parameters
    ----------
    layers : mapping of key -> GeoDataFrame
        Keys such as ``districts``, ``facilities``, ``service_areas``, ``gaps``...; they are
        written under the names in :data:`LAYER_NAMES_ZH` (others keep their key).
    path : output ``.gpkg`` (replaced atomically)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.gpkg")
    if tmp.exists():
        tmp.unlink()
    written: list[tuple[str, str]] = []
    for key, gdf in layers.items():
        if gdf is None or len(gdf) == 0:
            continue
        name = LAYER_NAMES_ZH.get(key, key)
        out = gdf.to_crs(ANALYSIS_CRS) if gdf.crs is not None else gdf.set_crs(ANALYSIS_CRS)
        out = out.copy()
        for c in out.columns:
            if c != out.geometry.name and out[c].dtype == object:
                out[c] = out[c].map(lambda v: v if v is None or isinstance(v, str | bytes)
                                    else str(v))
        out.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
        written.append((key, name))
    with sqlite3.connect(tmp) as con:
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
    tmp.replace(path)
    log.info("wrote %s (%d layers)", path, len(written))
    return path


def write_summary(report: Report, path: str | Path) -> Path:
    """Write :meth:`Report.summary_markdown` to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.summary_markdown(), encoding="utf-8")
    return path
