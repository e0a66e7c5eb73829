"""Reading table files as they arrive: CSV in any separator and encoding, Excel with title rows.

:func:`read_table` (re-exported by :mod:`jinan_gis.layers.tables`) reads ``.csv``/``.tsv``/
``.txt`` and ``.xlsx``/``.xlsm``/``.xls``/``.ods`` files as text (every cell a string or
missing), whatever the suffix says:

* **what the file is** comes from its first bytes: a zip (``PK``) is an ``.xlsx``, an OLE2
  compound file an ``.xls``, anything else text (an ``.xlsx`` renamed ``.csv`` is read as
  the workbook it is, with a warning);
* **encoding**: ``encoding=`` or :func:`~jinan_gis.layers.encoding.detect_encoding` (UTF-8,
  UTF-16, GBK/GB18030 or Big5; an ambiguous file is refused naming ``--encoding``);
* **separator** ``sep``: given, or sniffed among comma, tab, semicolon and pipe (the one
  that splits the most lines into the same number of fields, more than one);
* **header row** ``header_row`` (1-based, as Excel numbers rows): given, or the first row
  with at least two filled cells covering half the table's width, at least half of them
  text (year columns such as ``2020`` are numbers), so that
  title rows (a merged title cell, a date line) above the header are skipped (with a
  warning naming ``--header-row``); rows with nothing in them are skipped and counted
  (``provenance["n_blank_rows"]``);
* **decimal** ``decimal``: ``","`` turns cells like ``117,0205`` into ``117.0205`` in every
  column whose filled cells are all such numbers; with ``"."`` (default) such a column in a
  file is refused naming ``--decimal ','``;
* **sheet** ``sheet``: a name, or a 1-based position given as a string of digits (``"2"``:
  the second sheet, unless a sheet is literally named ``"2"``, which wins); a Python int
  keeps pandas' 0-based meaning. Default: the first *visible* sheet (hidden sheets are
  skipped, with a note when other sheets hold data too).

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "poi.csv"
>>> _ = p.write_text("医疗机构一览表\\n名称;经度;纬度\\n甲;117,05;36,68\\n", encoding="utf-8")
>>> df, info = read_table(p, decimal=",")
>>> df.values.tolist(), info["sep"], info["header_row"]
([['甲', '117.05', '36.68']], ';', 2)
"""

from __future__ import annotations

import csv
import io
import logging
import re
from pathlib import Path
from typing import Any

import pandas as pd

from ..geo.errors import InputDataError, LayerError
from .encoding import check_encoding, detect_encoding, python_encoding

__all__ = ["SEPARATORS", "read_table", "sheet_to_read"]

log = logging.getLogger(__name__)

SEPARATORS: tuple[str, ...] = (",", "\t", ";", "|")
"""Separators :func:`read_table` sniffs, in order of preference on a tie."""

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DEC_COMMA = re.compile(r"^[+-]?\d{1,3}(\.\d{3})*,\d+$|^[+-]?\d+,\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_NA = frozenset({
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
})
"""Cells read as missing (pandas' default missing-value strings, as before)."""
_SEP_NAMES = {",": "','", "\t": "'\\t' (tab)", ";": "';'", "|": "'|'"}


def _flag(sep: str) -> str:
    return "--sep tab / sep='\\t'" if sep == "\t" else f"--sep '{sep}' / sep='{sep}'"


def file_kind(path: Path) -> str:
    """``"xlsx"`` (zip), ``"xls"`` (OLE2) or ``"text"``, from the first bytes."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(_ZIP):
        return "xlsx"
    if head.startswith(_OLE2):
        return "xls"
    return "text"


def sniff_sep(lines: list[str]) -> str:
    """The separator that splits the most of ``lines`` into one common field count (> 1).

    Examples
    --------
    >>> sniff_sep(["名称\\t经度\\t纬度", "甲\\t117,1\\t36,6"]), sniff_sep(["a;b", "1,5;2,5"])
    ('\\t', ';')
    """
    best, best_score = ",", (0, 0)
    for sep in SEPARATORS:
        counts = [len(r) for r in csv.reader(lines, delimiter=sep)]
        if not counts:
            continue
        common = max(set(counts), key=lambda c: (counts.count(c), c))
        score = (counts.count(common), common) if common > 1 else (0, 0)
        if score > best_score:
            best, best_score = sep, score
    return best


def _is_text_cell(v: Any) -> bool:
    s = str(v).strip()
    return bool(s) and not _NUMBER.match(s.replace(",", ""))


def find_header(rows: list[list[Any]], *, source: str) -> int:
    """0-based index of the first row that looks like a header (see the module notes)."""
    scan = rows[:30]
    filled = [sum(1 for v in r if v is not None and str(v).strip()) for r in scan]
    width = max(filled, default=0)
    need = min(2, width)
    for i, r in enumerate(scan):
        cells = [v for v in r if v is not None and str(v).strip()]
        if cells and filled[i] >= need and filled[i] >= width / 2:
            if sum(map(_is_text_cell, cells)) >= 0.5 * len(cells):
                return i
    raise InputDataError(
        f"{source}: no row in the first {len(scan)} looks like a header (two or more text "
        "cells). Name the header row: --header-row N / header_row=N (1-based, as in Excel)."
    )


def _frame(rows: list[list[Any]], header: int) -> tuple[pd.DataFrame, int]:
    """The table below row ``header`` with its names; fully blank rows dropped (counted)."""
    names: list[str] = []
    for k, v in enumerate(rows[header]):
        name = "" if v is None else str(v).strip()
        name = name or f"Unnamed: {k}"
        base, n = name, 1
        while name in names:
            name, n = f"{base}.{n}", n + 1
        names.append(name)
    body: list[list[Any]] = []
    blank = 0
    for r in rows[header + 1 :]:
        cells = [None if v is None or str(v).strip() in _NA else str(v).strip() for v in r]
        cells = (cells + [None] * len(names))[: len(names)] if len(cells) <= len(names) else cells
        if all(c is None for c in cells):
            blank += 1
            continue
        body.append(cells)
    width = max([len(names)] + [len(r) for r in body])
    names += [f"Unnamed: {k}" for k in range(len(names), width)]
    body = [r + [None] * (width - len(r)) for r in body]
    return pd.DataFrame(body, columns=names, dtype=object), blank


def _apply_decimal(df: pd.DataFrame, decimal: str, *, sep: str | None, source: str
                   ) -> pd.DataFrame:
    """Decimal commas to points (``decimal=","``), or refuse them (module notes)."""
    if decimal not in (".", ","):
        raise InputDataError(f"{source}: decimal={decimal!r}: use '.' or ','.")
    out = df.copy()
    for col in df.columns:
        vals = df[col].dropna().astype(str)
        if vals.empty or not vals.map(lambda v: bool(_DEC_COMMA.match(v))).all():
            continue
        if decimal == ",":
            out[col] = df[col].map(
                lambda v: None if v is None else str(v).replace(".", "").replace(",", ".")
            )
        elif any(len(v.rsplit(",", 1)[1]) != 3 for v in vals):
            raise InputDataError(
                f"{source}: column {col!r} holds numbers with a decimal comma (e.g. "
                f"{vals.iloc[0]!r}). Declare it: --decimal ',' / decimal=','"
                f"{' (and ' + _flag(sep) + ')' if sep and sep != ',' else ''}."
            )
    return out


def sheet_to_read(names: list[str], visible: list[bool], sheet: str | int | None, *,
                  source: str) -> str:
    """The sheet name ``sheet`` means (module notes), or an error listing the sheets.

    Examples
    --------
    >>> sheet_to_read(["说明", "数据", "2"], [False, True, True], None, source="a.xlsx")
    '数据'
    >>> sheet_to_read(["说明", "数据", "2"], [False, True, True], "2", source="a.xlsx")
    '2'
    >>> sheet_to_read(["说明", "数据"], [False, True], "2", source="a.xlsx")
    '数据'
    >>> sheet_to_read(["说明", "数据"], [False, True], 0, source="a.xlsx")
    '说明'
    """
    listed = ", ".join(f"{k + 1}: {n!r}{'' if v else ' (hidden)'}"
                       for k, (n, v) in enumerate(zip(names, visible, strict=True)))
    fix = (f"Name the sheet: --sheet NAME or --sheet N (1-based position) / sheet='NAME' or "
           f"sheet='N'. The sheets: {listed}.")
    if sheet is None:
        shown = [n for n, v in zip(names, visible, strict=True) if v]
        if not shown:
            raise InputDataError(f"{source}: every sheet is hidden. {fix}")
        return shown[0]
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 0 <= sheet < len(names):
            return names[sheet]
        raise InputDataError(f"{source}: no sheet at 0-based index {sheet} (Python int). {fix}")
    text = str(sheet)
    if text in names:
        return text
    if text.strip().isdigit() and 1 <= int(text) <= len(names):
        return names[int(text) - 1]
    raise InputDataError(f"{source}: no sheet {text!r}. {fix}")


def _excel_rows(p: Path, sheet: str | int | None, *, source: str
                ) -> tuple[list[list[Any]], dict[str, Any]]:
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    try:
        wb = CalamineWorkbook.from_path(str(p))
    except Exception as exc:  # calamine raises its own error types for broken workbooks
        raise InputDataError(f"{p.name}: not a readable Excel workbook ({exc}).") from exc
    meta = wb.sheets_metadata
    names = [m.name for m in meta]
    visible = [m.visible == SheetVisibleEnum.Visible for m in meta]
    name = sheet_to_read(names, visible, sheet, source=source)
    frame = pd.read_excel(p, sheet_name=name, header=None, dtype=str, engine="calamine")
    rows = [[None if pd.isna(v) else v for v in r] for r in frame.itertuples(index=False)]
    merged = list(wb.get_sheet_by_name(name).merged_cell_ranges or [])
    if sheet is None:
        others = [n for n, v in zip(names, visible, strict=True) if n != name]
        if others:
            log.warning("%s: read sheet %r; the workbook also has %s (--sheet / sheet= to "
                        "choose)", source, name, others)
    return rows, {"sheet": name, "sheets": names, "_merged": merged}


def _fill_merged(rows: list[list[Any]], merged: list[Any], header: int) -> int:
    """Give every cell of a merged range below the header its top-left value (a category
    merged over several rows applies to each); returns the ranges filled."""
    n = 0
    for (r0, c0), (r1, c1) in merged:
        if r0 <= header or r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            for c in range(c0, min(c1, len(rows[r]) - 1) + 1):
                rows[r][c] = value
        n += 1
    return n


def _text_rows(p: Path, *, encoding: str | None, sep: str | None, source: str
               ) -> tuple[list[list[Any]], dict[str, Any]]:
    raw = p.read_bytes()
    check_encoding(encoding, source=source)
    if encoding is not None:
        codec, how = python_encoding(encoding), "declared"
    else:
        codec, how = detect_encoding(raw, source=source)
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputDataError(
            f"{source}: the text does not decode as {encoding} ({exc}). Declare the right "
            "encoding: --encoding gbk / encoding='gbk', 'utf-8' or 'big5'."
        ) from exc
    # only CR/LF end lines (str.splitlines would also split at \x0b, \x1c, U+2028 in cells)
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    use = sep if sep is not None else sniff_sep([ln for ln in lines[:200] if ln.strip()])
    if use == "\\t":
        use = "\t"
    rows = [list(r) for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=use)]
    used = {"utf-8-sig": "utf-8", "cp950": "big5"}.get(codec, codec)
    return rows, {"encoding": used, "encoding_from": how, "sep": use}


def read_table(
    path: str | Path,
    *,
    encoding: str | None = None,
    sheet: str | int | None = None,
    sep: str | None = None,
    decimal: str = ".",
    header_row: int | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read a CSV/TSV or Excel table as text (see the module notes for every option).

    Returns
    -------
    (pandas.DataFrame, dict)
        The data rows (RangeIndex = 0-based data row below the header, blank rows skipped)
        and what was read: ``format``, ``encoding``/``sep`` or ``sheet``, ``header_row``
        (1-based), ``n_blank_rows``.

    Raises
    ------
    InputDataError
        Missing file, unknown/ambiguous encoding, no header, a decimal comma not declared,
        an unknown sheet (the message lists the sheets).
    LayerError
        No data rows (a failed export or the wrong sheet).
    """
    p = Path(path)
    source = p.name
    if not p.is_file():
        raise InputDataError(f"{p}: no such file. Check the path.")
    if header_row is not None and (isinstance(header_row, bool) or int(header_row) < 1):
        raise InputDataError(f"{source}: header_row={header_row!r}: give a 1-based row number.")
    if p.stat().st_size == 0:
        raise InputDataError(f"{p}: not a readable table (the file is empty, 0 bytes). Check "
                             "that the export finished.")
    kind = file_kind(p)
    suffix = p.suffix.lower()
    if kind == "text" and suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        raise InputDataError(
            f"{source}: the file is text, not an Excel workbook (a CSV saved with the wrong "
            "suffix?). Rename it to .csv and import it again."
        )
    if kind != "text":
        if suffix in (".csv", ".tsv", ".txt"):
            log.warning("%s: the file is an Excel workbook (%s) named %s; read as a workbook",
                        source, kind, suffix)
        rows, info = _excel_rows(p, sheet, source=source)
        info["format"] = "excel"
    else:
        rows, info = _text_rows(p, encoding=encoding, sep=sep, source=source)
        info["format"] = "csv"
    if not any(any(v is not None and str(v).strip() for v in r) for r in rows):
        raise LayerError(
            f"{p}: the {'sheet ' + repr(info.get('sheet')) if 'sheet' in info else 'table'} "
            "holds no rows. Check that the export finished and that this is the right file "
            "(and --sheet / sheet=); an empty layer cannot be analysed."
        )
    if header_row is None:
        header = find_header(rows, source=source)
        if header > 0:
            log.warning(
                "%s: skipped %d title row(s) above the header (row %d: %s); name it with "
                "--header-row N / header_row=N", source, header, header + 1,
                [v for v in rows[header] if v is not None][:6],
            )
    else:
        header = int(header_row) - 1
        if header >= len(rows):
            raise InputDataError(f"{source}: header_row={header_row} but the file has "
                                 f"{len(rows)} rows.")
    merged = info.pop("_merged", [])
    if merged:
        info["n_merged_ranges_filled"] = _fill_merged(rows, merged, header)
    df, blank = _frame(rows, header)
    empty = [c for c in df.columns if str(c).startswith("Unnamed: ") and df[c].isna().all()]
    df = df.drop(columns=empty)
    if "sep" in info and len(df.columns) == 1:
        lines = [str(r[0]) for r in rows[:200] if r and r[0] is not None]
        better = sniff_sep(lines)
        if sep is None or (better != info["sep"] and any(better in ln for ln in lines)):
            raise InputDataError(
                f"{source}: every line is one field"
                f"{' with sep=' + repr(sep) if sep is not None else ''}; "
                + (f"the lines are separated by {_SEP_NAMES.get(better, repr(better))}: "
                   f"{_flag(better)}." if any(better in ln for ln in lines) else
                   f"no separator among {', '.join(_SEP_NAMES.values())} splits it. Name it: "
                   "--sep ';' / sep=';'.")
            )
    df = _apply_decimal(df, decimal, sep=info.get("sep"), source=source)
    if len(df) == 0:
        raise LayerError(
            f"{p}: the table holds no rows below its header (row {header + 1}). Check the "
            "export, --header-row / header_row= and --sheet / sheet=."
        )
    info.update(header_row=header + 1, n_blank_rows=blank, decimal=decimal)
    return df.reset_index(drop=True), info
