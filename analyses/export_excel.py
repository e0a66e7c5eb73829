"""How :func:`~jinan_gis.analyses.export.write_excel` lays out a sheet for people.

- :func:`sheet_plan`: readable, unique sheet names (at most 31 characters, e.g.
  ``05 覆盖率 L-CLINIC-1000 历城``), each sheet's full title and what it holds;
- :func:`with_names`: a ``district_name`` (区名) column beside every district code column and
  sub-district names beside zone ids;
- :func:`write_sheet`: cells written by openpyxl with number formats by column (shares
  ``0.0%``, people and counts ``#,##0``, metres ``#,##0``), a bold frozen header row with an
  autofilter and column widths that fit; text is always text (a cell starting with ``=``,
  ``+``, ``-`` or ``@`` is never a formula).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from ..layers.districts import DISTRICTS

__all__ = ["FORMULA_STARTS", "SheetPlan", "number_format", "sheet_plan", "text_cell",
           "with_names", "write_sheet"]

PERCENT = "0.0%"
INTEGER = "#,##0"
DECIMAL = "#,##0.0"
DECIMAL2 = "#,##0.00"

FORMULA_STARTS = ("=", "+", "-", "@")
"""A text cell starting with one of these is written as text (never as a formula)."""

_SHARES = {"share", "share_network", "share_straight", "share_moved", "share_not_placed",
           "value_straight"}
_COUNTS = {"layer_count", "plan_figure", "difference", "entries", "met", "failed",
           "no numeric target", "no district target", "not measurable",
           "population", "covered_network", "covered_straight", "moved", "not_placed",
           "n_points", "n_facilities", "rows", "n_cells", "gain_people"}
_UNIT_COLUMNS = {"value", "target", "baseline", "reported", "expected", "reported_expected"}
# per row: a share when the row's unit is empty

KIND_ZH = {"coverage": "覆盖率", "presence": "街道配置", "life circle": "生活圈",
           "units": "单元覆盖"}
"""Short Chinese name of each kind of per-district table (the first words of its key)."""

KIND_HOLDS = {
    "coverage": "每个街道: 常住人口, 路网/直线距离内覆盖人口与比例, 移至主路网与未接入人口 "
                "(per sub-district: residents, covered by network and straight line, shares, "
                "people moved / not placed)",
    "presence": "每个街道: 设施数, 是否达标 (per sub-district: facilities and whether the "
                "target is met)",
    "life circle": "生活圈各类设施及可达人口比例 (each facility type of the life circle and "
                   "the share of residents reaching it)",
    "units": "每个社区/村/区域: 是否达标 (per community, village or area: whether it meets "
             "the target)",
}

PLAN_SHEETS: dict[str, tuple[str, str, str]] = {
    "overview": ("总览 Overview", "总览: 各规划指标达标、未达标、无法用现有图层测量的数量 "
                 "(overview: targets met, failed, not measurable with the current layers, "
                 "per plan)",
                 "每个规划一行, 最后一行为合计 (one row per plan, then the total)"),
    "progress": ("进度 Progress", "进度: 基期值、2023年评估值、现状值、目标值与是否按线性路径推进 "
                 "(progress: baseline, 2023 reported, now, target, on track by the linear rule)",
                 "每个有目标年份的指标与区 (every dated target per district)"),
    "inventory": ("清单", "设施清单核对: 规划所列设施数与图层数 (inventory check: the plans' "
                  "facility counts beside the layer's)",
                  "每类规划计数的设施: 图层数, 规划数, 差额, 原文 (each counted facility type: "
                  "layer, plan figure, difference, quote)"),
}
"""Sheets of the plan tables (key -> sheet name, title, what it holds); ``inventory <code>``
sheets are named ``清单 <district>``."""

_FIXED_HOLDS = {
    "指标 Metrics": "每项规划指标与各区现状值, 目标值, 达标情况 (every plan metric per "
                    "district: value, target, pass/fail)",
    "目录 Index": "本目录 (this index)",
    "说明 Notes": "测量口径, 数据说明, 生成时间 (what is measured, data notes, when generated)",
    "图层 Layers": "输入图层: 行数, 来源, 读取时间, 是否合成 (input layers: rows, source, "
                   "loaded at, synthetic)",
}

_KEY_RE = re.compile(r"(?P<kind>.+?) (?P<metric>\S+) (?P<code>\d{6})")
_BAD_SHEET_CHARS = re.compile(r"[\[\]\*\?/\\:]")


def number_format(column: str, unit: Any = None) -> str | None:
    """The Excel number format of a column (and, for ``value``/``target``, of a row's unit).

    Examples
    --------
    >>> number_format("share_network"), number_format("population"), number_format("access_m")
    ('0.0%', '#,##0', '#,##0')
    >>> number_format("value", ""), number_format("value", "m²"), number_format("zone_name")
    ('0.0%', '#,##0.0', None)
    """
    if column in _SHARES or column.startswith("share_"):
        return PERCENT
    if column in _COUNTS:
        return INTEGER
    if column in _UNIT_COLUMNS:
        return PERCENT if unit is None or (isinstance(unit, str) and not unit.strip()) \
            else DECIMAL
    if column.endswith("_m") or column in ("max_dist_m", "street_m"):
        return INTEGER
    if column.endswith(("_km2", "_km")):
        return DECIMAL2
    return None


@lru_cache(maxsize=1)
def _subdistrict_names() -> dict[str, str]:
    from ..layers.districts import load_subdistricts

    try:
        sub = load_subdistricts()
    except Exception:  # names are a convenience; a table without them is fine
        return {}
    code = next((c for c in ("code12", "zone_id", "code") if c in sub.columns), None)
    name = next((c for c in ("name_zh", "zone_name") if c in sub.columns), None)
    if code is None or name is None:
        return {}
    return dict(zip(sub[code].astype(str), sub[name].astype(str), strict=True))


def district_name(code: Any) -> str | None:
    """Chinese name of a study district code (None for another value).

    Examples
    --------
    >>> district_name("370112"), district_name(370103), district_name("x")
    ('历城区', '市中区', None)
    """
    hit = DISTRICTS.get(str(code).strip())
    return hit[0] if hit else None


def with_names(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a ``district_name`` column right after each district code column
    (``district``, ``district_code``) and a ``zone_name`` column after ``zone``/``zone_id``
    when it has none (names of the real sub-districts). ``frame`` is not changed.

    Examples
    --------
    >>> t = pd.DataFrame({"metric_id": ["M"], "district": ["370112"], "value": [0.5]})
    >>> list(with_names(t).columns), with_names(t)["district_name"].item()
    (['metric_id', 'district', 'district_name', 'value'], '历城区')
    """
    out = frame
    for col in ("district", "district_code"):
        if col not in out.columns:
            continue
        name = "district_name" if "district_name" not in out.columns else f"{col}_name"
        if name in out.columns:
            continue
        out = out.copy() if out is frame else out
        out.insert(out.columns.get_loc(col) + 1, name, out[col].map(district_name))
    zone = next((c for c in ("zone", "zone_id") if c in out.columns), None)
    if zone is not None and "zone_name" not in out.columns:
        names = _subdistricts_for(out[zone])
        if names is not None:
            out = out.copy() if out is frame else out
            out.insert(out.columns.get_loc(zone) + 1, "zone_name", names)
    return out


def _subdistricts_for(ids: pd.Series) -> pd.Series | None:
    names = ids.astype(str).map(_subdistrict_names())
    return names if names.notna().any() else None


# ------------------------------------------------------------------------------ sheet names
@dataclass(frozen=True)
class SheetPlan:
    """One sheet: its name in the workbook, its full title and what it holds."""

    key: str
    name: str
    title: str
    holds: str


def _clean_name(text: str) -> str:
    return _BAD_SHEET_CHARS.sub("_", text).strip().strip("'")


def _fit(prefix: str, middle: str, suffix: str, limit: int = 31) -> str:
    """``prefix middle suffix`` in at most ``limit`` characters, shortening ``middle``."""
    parts = [p for p in (prefix, middle, suffix) if p]
    text = " ".join(parts)
    if len(text) <= limit or not middle:
        return text[:limit]
    room = limit - (len(text) - len(middle))
    short = middle[: room - 1] + "…" if room > 1 else ""
    return " ".join(p for p in (prefix, short, suffix) if p)[:limit]


def _metric_names(metric_id: str) -> str:
    from .catalogue import get_metric

    try:
        m = get_metric(metric_id)
    except Exception:  # a table of a metric outside the catalogue
        return metric_id
    return f"{metric_id} {m.name_zh} / {m.name_en}"


def _table_plan(number: int, key: str) -> SheetPlan:
    head, _, code = key.partition(" ")
    if head in PLAN_SHEETS:
        name, title, holds = PLAN_SHEETS[head]
        if code:
            dname = district_name(code)
            name = f"{name} {dname.removesuffix('区') if dname else code}"
            title = f"{title} — {dname or ''} {code}".replace("  ", " ")
        return SheetPlan(key, _fit(f"{number:02d}", _clean_name(name), ""), title, holds)
    hit = _KEY_RE.fullmatch(key)
    if hit is None:
        return SheetPlan(key, _fit(f"{number:02d}", _clean_name(key), ""), key, "")
    kind, metric, code = hit["kind"], hit["metric"], hit["code"]
    zh = KIND_ZH.get(kind, kind)
    dname = district_name(code)
    short = dname.removesuffix("区") if dname else code
    name = _fit(f"{number:02d} {_clean_name(zh)}", _clean_name(metric), short)
    title = f"{zh} {kind} — {_metric_names(metric)} — {dname or ''} {code}".replace("  ", " ")
    return SheetPlan(key, name, title, KIND_HOLDS.get(kind, ""))


def sheet_plan(fixed: Iterable[str], tables: Iterable[str]) -> list[SheetPlan]:
    """The sheets of a workbook: ``fixed`` ones (names kept) then one per table key, numbered
    by their position (``05 覆盖率 L-CLINIC-1000 历城``); names unique and at most 31 chars.

    Examples
    --------
    >>> [p.name for p in sheet_plan(["指标 Metrics"], ["coverage JN-CONVENIENCE-15-OLDTOWN 370112",
    ...                                                "life circle GB-LIFE-10MIN 370103"])]
    ['指标 Metrics', '02 覆盖率 JN-CONVENIENCE-15-OL… 历城', '03 生活圈 GB-LIFE-10MIN 市中']
    """
    plans = [SheetPlan(f, f, f, _FIXED_HOLDS.get(f, "")) for f in fixed]
    plans += [_table_plan(len(plans) + i + 1, k) for i, k in enumerate(tables)]
    used: set[str] = set()
    out = []
    for p in plans:
        name, i = p.name[:31], 2
        while name.casefold() in used:  # Excel compares sheet names without case
            name = f"{p.name[:27]}~{i}"
            i += 1
        used.add(name.casefold())
        out.append(SheetPlan(p.key, name, p.title, p.holds))
    return out


# ------------------------------------------------------------------------------ cells
def text_cell(value: str) -> str:
    """``value`` without the control characters a worksheet cannot hold.

    Examples
    --------
    >>> text_cell("a\\x01b")
    'ab'
    """
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _plain(value: Any) -> Any:
    """A value openpyxl writes as it is: numbers, bools, text, naive datetimes or None."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else ("inf" if math.isinf(value) else value)
    if isinstance(value, bool | int | str):
        return text_cell(value) if isinstance(value, str) else value
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return value if value.tzinfo is None else value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return text_cell(str(value))


def _width(value: Any, fmt: str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, float | int) and not isinstance(value, bool):
        if fmt == PERCENT:
            return 7
        return len(f"{value:,.1f}") if fmt is not None else len(str(value))
    text = str(value).split("\n", 1)[0]
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text[:80])


def _set(ws: Worksheet, row: int, col: int, value: Any) -> Any:
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"  # text, never a formula
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    return cell


def write_sheet(ws: Worksheet, frame: pd.DataFrame, headers: dict[str, str], *,
                links: dict[str, str] | None = None) -> None:
    """Write ``frame`` into ``ws``: header row 1 (``headers`` names the columns), number
    formats by column, bold frozen header with an autofilter, fitted column widths.

    ``links``: text of a cell -> sheet it links to (the index sheet).
    """
    cols = list(frame.columns)
    units = frame["unit"].tolist() if "unit" in frame.columns else [None] * len(frame)
    widths = [min(_width(headers.get(c, c), None), 24) for c in cols]
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    for j, c in enumerate(cols, start=1):
        cell = _set(ws, 1, j, text_cell(str(headers.get(c, c))))
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
    fmts = [number_format(str(c)) for c in cols]
    for i, row in enumerate(frame.itertuples(index=False, name=None), start=2):
        for j, raw in enumerate(row):
            value = _plain(raw)
            cell = _set(ws, i, j + 1, value)
            fmt = (number_format(str(cols[j]), units[i - 2]) if cols[j] in _UNIT_COLUMNS
                   else fmts[j])
            if fmt is not None and not isinstance(value, bool | str):
                cell.number_format = fmt  # empty cells too: a number typed in is formatted
            if links and isinstance(value, str) and value in links:
                cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{links[value]}'!A1")
                cell.style = "Hyperlink"
            widths[j] = max(widths[j], _width(value, fmt))
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(50, max(8, w + 2))
    ws.freeze_panes = "A2"
    last = get_column_letter(max(len(cols), 1))
    ws.auto_filter.ref = f"A1:{last}{max(len(frame) + 1, 1)}"
