"""Bad table files as they arrive (issue 14 items 3-4): separators, decimals, title rows,
encodings, Excel workbooks, renamed files, real Amap/Baidu/Tianditu-style exports.

Every case (``F1``...; listed in ``docs/BAD_INPUT.md`` with its answer) is a real file
in a real format written to ``tmp_path`` and read through the Python loaders. Each ends in
a clear error naming the fix (the command-line flag and the Python keyword), or in a layer
whose rows are accounted (``kept + rejected == input``) and checked for sense: names decoded
right, positions within a metre of the truth.
"""

from __future__ import annotations

import logging
import re
import struct
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest

from jinan_gis.geo.datum import convert
from jinan_gis.geo.errors import InputDataError, LayerError
from jinan_gis.layers.facilities import load_facilities
from jinan_gis.layers.population import population_from_points
from jinan_gis.layers.result import LoadResult

REPO = Path(__file__).resolve().parents[1]
# five places in Licheng and Shizhong (WGS84 lon/lat) and names in both scripts
PLACES = [(117.0760, 36.6850), (116.9930, 36.6590), (117.0600, 36.6750), (117.1700, 36.6300),
          (117.2000, 36.7500)]
SIMPLIFIED = ["历城区洪家楼街道社区卫生服务中心", "市中区图书馆", "山大路社区卫生服务站",
              "港沟街道综合养老服务中心", "唐冶街道文化站"]
TRADITIONAL = ["歷城區洪家樓街道社區衛生服務中心", "市中區圖書館", "山大路社區衛生服務站",
               "港溝街道綜合養老服務中心", "唐冶街道文化站"]


def accounted(res: LoadResult) -> LoadResult:
    """Row accounting holds, every rejection has a reason, and kept rows lie in the districts."""
    res.check_accounting()
    assert res.n_kept + res.n_rejected == res.n_input
    assert res.rejected["reason"].notna().all()
    if len(res.layer):
        at = res.layer.geometry.representative_point().to_crs("EPSG:4326")
        assert at.x.between(116.7, 117.6).all() and at.y.between(36.2, 37.0).all()
    return res


def truth_m(places: list[tuple[float, float]] = PLACES) -> gpd.GeoSeries:
    lon, lat = zip(*places, strict=True)
    return gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs("EPSG:4548")


def near_truth(res: LoadResult, places: list[tuple[float, float]] = PLACES) -> float:
    """Largest distance (m) of the kept points from where they truly are."""
    want = truth_m(places).iloc[res.layer["input_row"].to_numpy()].reset_index(drop=True)
    return float(res.layer.geometry.reset_index(drop=True).distance(want).max())


def frame(names: list[str] = SIMPLIFIED, places: list[tuple[float, float]] = PLACES
          ) -> pd.DataFrame:
    return pd.DataFrame({"名称": names, "经度": [p[0] for p in places],
                         "纬度": [p[1] for p in places]})


def write_csv(path: Path, df: pd.DataFrame, *, sep: str = ",", encoding: str = "utf-8",
              decimal: str = ".", before: str = "") -> Path:
    text = df.to_csv(sep=sep, index=False, decimal=decimal, lineterminator="\n")
    path.write_bytes((before + text).encode(encoding))
    return path


def workbook(path: Path, sheets: dict[str, list[list[object]]], *,
             hidden: tuple[str, ...] = (), merges: dict[str, list[str]] | None = None) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        if name in hidden:
            ws.sheet_state = "hidden"
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    wb.save(path)
    return path


def rows_of(df: pd.DataFrame) -> list[list[object]]:
    return [list(df.columns), *df.astype(object).values.tolist()]


# ======================================================= F1-F14 separators, decimals, headers

def test_tab_separated_csv(tmp_path: Path) -> None:
    """F1: a tab-separated file named .csv is read right (the separator is sniffed)."""
    p = write_csv(tmp_path / "poi.csv", frame(), sep="\t")
    res = accounted(load_facilities(p, datum="wgs84"))
    assert res.n_kept == 5 and res.provenance["sep"] == "\t" and near_truth(res) < 0.01
    assert res.layer["name"].tolist() == SIMPLIFIED


def test_semicolon_with_decimal_commas(tmp_path: Path) -> None:
    """F2, F3: ';' and decimal commas: refused naming --decimal ','; read right with it."""
    p = write_csv(tmp_path / "eu.csv", frame(), sep=";", decimal=",")
    with pytest.raises(InputDataError, match=r"eu\.csv: column '经度' holds numbers with a "
                       r"decimal comma.*--decimal ',' / decimal=','.*--sep ';' / sep=';'"):
        load_facilities(p, datum="wgs84")  # "F2"
    res = accounted(load_facilities(p, datum="wgs84", decimal=","))  # "F3"
    assert res.n_kept == 5 and near_truth(res) < 0.01


def test_pipe_separated_txt(tmp_path: Path) -> None:
    """F4: a '|'-separated .txt export is read right."""
    p = write_csv(tmp_path / "poi.txt", frame(), sep="|")
    res = accounted(load_facilities(p, datum="wgs84"))
    assert res.n_kept == 5 and res.provenance["sep"] == "|"


def test_wrong_sep_given(tmp_path: Path) -> None:
    """F5: sep=';' on a comma file: one field per line, refused naming --sep ','."""
    p = write_csv(tmp_path / "poi.csv", frame())
    with pytest.raises(InputDataError, match=r"poi\.csv: every line is one field with "
                       r"sep=';'; the lines are separated by ',': --sep ',' / sep=','"):
        load_facilities(p, datum="wgs84", sep=";")


def test_counts_with_thousands_separators(tmp_path: Path) -> None:
    """F6: counts written "1,200" (quoted, in a comma file) are 1200 people."""
    df = frame().assign(人口=["1,200", "35", "2,000.5", "12,345", "7"])
    p = write_csv(tmp_path / "pop.csv", df)
    res = accounted(population_from_points(p, count_column="人口", datum="wgs84"))
    assert res.layer["population"].tolist() == [1200.0, 35.0, 2000.5, 12345.0, 7.0]


def test_gbk_semicolon_decimal_comma(tmp_path: Path) -> None:
    """F7: a GBK file with ';' and decimal commas (a European Excel on Chinese Windows)."""
    p = write_csv(tmp_path / "poi.csv", frame(), sep=";", decimal=",", encoding="gbk")
    res = accounted(load_facilities(p, datum="wgs84", decimal=",", sep=";"))
    assert res.layer["name"].tolist() == SIMPLIFIED and res.provenance["encoding"] == "gb18030"


def test_bom_and_crlf(tmp_path: Path) -> None:
    """F8: UTF-8 with BOM and Windows line ends: the header is clean, rows right."""
    p = tmp_path / "poi.csv"
    p.write_bytes(b"\xef\xbb\xbf" + frame().to_csv(index=False, lineterminator="\r\n")
                  .encode("utf-8"))
    res = accounted(load_facilities(p, datum="wgs84"))
    assert res.provenance["name_column"] == "名称" and res.n_kept == 5


def test_title_line_above_header_csv(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """F9: a title line above the header is skipped, with a warning naming --header-row."""
    p = write_csv(tmp_path / "poi.csv", frame(), before="济南市医疗卫生机构一览表（2024年）\n")
    with caplog.at_level(logging.WARNING):
        res = accounted(load_facilities(p, datum="wgs84"))
    assert res.n_kept == 5 and res.provenance["header_row"] == 2
    assert "--header-row N / header_row=N" in caplog.text


def test_header_row_given(tmp_path: Path) -> None:
    """F10: header_row=3 (1-based, as in Excel) names the header below two title lines."""
    p = write_csv(tmp_path / "poi.csv", frame(), before="一览表,,\n单位：个,,\n")
    res = accounted(load_facilities(p, datum="wgs84", header_row=3))
    assert res.n_kept == 5 and res.provenance["header_row"] == 3


def test_header_row_out_of_range(tmp_path: Path) -> None:
    """F11, F12: header_row past the end, or 0: refused with the rule."""
    p = write_csv(tmp_path / "poi.csv", frame())
    with pytest.raises(InputDataError, match=r"poi\.csv: header_row=40 but the file has 6 rows"):
        load_facilities(p, datum="wgs84", header_row=40)  # "F11"
    with pytest.raises(InputDataError, match=r"header_row=0: give a 1-based row number"):
        load_facilities(p, datum="wgs84", header_row=0)  # "F12"


def test_blank_rows_are_skipped_and_counted(tmp_path: Path) -> None:
    """F13: blank lines in the middle and at the end hold nothing: skipped and counted."""
    text = frame().to_csv(index=False, lineterminator="\n").split("\n")
    p = tmp_path / "poi.csv"
    p.write_text("\n".join([*text[:3], ",,", "", *text[3:], "", ",,"]), encoding="utf-8")
    res = accounted(load_facilities(p, datum="wgs84"))
    assert res.n_kept == 5 and res.provenance["n_blank_rows"] >= 2


def test_repeated_column_names(tmp_path: Path) -> None:
    """F14: two columns named 名称: the second becomes 名称.1, nothing is lost."""
    df = frame()
    p = tmp_path / "poi.csv"
    p.write_text("名称,名称,经度,纬度\n" + "\n".join(
        f"{n},别名{i},{x},{y}" for i, (n, (x, y)) in enumerate(zip(SIMPLIFIED, PLACES,
                                                                    strict=True))),
        encoding="utf-8")
    res = accounted(load_facilities(p, datum="wgs84"))
    assert res.layer["name"].tolist() == df["名称"].tolist()


def test_header_with_year_columns(tmp_path: Path) -> None:
    """F94: a header with year columns (人口 2020, 2021 as numbers) is still the header."""
    df = frame().assign(**{"2020": [10, 20, 30, 40, 50], "2021": [11, 21, 31, 41, 51]})
    p = write_csv(tmp_path / "pop.csv", df)
    res = accounted(population_from_points(p, count_column="2021", datum="wgs84"))
    assert res.provenance["header_row"] == 1 and res.layer["population"].sum() == 155


def test_quoted_line_breaks_in_cells(tmp_path: Path) -> None:
    """F95: addresses with line breaks inside quotes (Alt+Enter in Excel) stay one row each."""
    df = frame().assign(地址=["山大路\n12号", "经四路\r\n5号", "x", "港沟\u2028街道", "唐冶"])
    p = write_csv(tmp_path / "poi.csv", df)
    res = accounted(load_facilities(p, datum="wgs84"))
    assert res.n_input == 5 and res.n_kept == 5 and near_truth(res) < 0.01


# ================================================================== F15-F29 encodings

@pytest.mark.parametrize(("case", "names", "encoding"), [
    ("F15", TRADITIONAL, "big5"),
    ("F16", SIMPLIFIED, "gbk"),
    ("F17", [*SIMPLIFIED[:4], "䶮𡌶社区服务站"], "gb18030"),
    ("F18", SIMPLIFIED, "utf-8"),
    ("F19", TRADITIONAL, "utf-8-sig"),
])
def test_encodings_detected(tmp_path: Path, case: str, names: list[str], encoding: str) -> None:
    """F15-F19: Big5, GBK, GB18030 (4-byte characters), UTF-8, UTF-8 with BOM: decoded right."""
    df = frame(names)
    if names is TRADITIONAL:  # Traditional headers too (名称 cannot be written in Big5)
        df = df.rename(columns={"名称": "名稱", "经度": "經度", "纬度": "緯度"})
    p = write_csv(tmp_path / f"{case}.csv", df, encoding=encoding)
    res = accounted(load_facilities(p, datum="wgs84"))
    assert res.layer["name"].tolist() == names
    want = {"gbk": "gb18030", "utf-8-sig": "utf-8"}.get(encoding, encoding)
    assert res.provenance["encoding"] == want


def test_utf16_tab_text(tmp_path: Path) -> None:
    """F20: Excel's "Unicode text" (UTF-16 with BOM, tab-separated) is read right."""
    p = write_csv(tmp_path / "unicode.txt", frame(TRADITIONAL), sep="\t", encoding="utf-16")
    res = accounted(load_facilities(p, datum="wgs84"))
    assert res.layer["name"].tolist() == TRADITIONAL and res.provenance["sep"] == "\t"


def test_ambiguous_big5_or_gbk(tmp_path: Path) -> None:
    """F21, F22: too little text to tell Big5 from GBK: refused naming both; declared: read."""
    p = tmp_path / "short.csv"
    p.write_bytes("name,lng,lat\n華山,117.07,36.685\n".encode("big5"))
    with pytest.raises(InputDataError, match=r"short\.csv: the text decodes as GBK/GB18030 and "
                       r"as Big5.*declare --encoding big5 or --encoding gbk"):
        load_facilities(p, datum="wgs84")  # "F21"
    res = accounted(load_facilities(p, datum="wgs84", encoding="big5"))  # "F22"
    assert res.layer["name"].tolist() == ["華山"]


def test_latin1_file(tmp_path: Path) -> None:
    """F29: a Latin-1 file (not UTF-8, GBK or Big5) is refused naming --encoding."""
    p = tmp_path / "latin.csv"
    p.write_bytes("name,lng,lat\nCafé Jinan,117.07,36.685\n".encode("latin-1"))
    with pytest.raises(InputDataError, match=r"latin\.csv: the text is not UTF-8, UTF-16, "
                       r"GBK/GB18030 or Big5.*--encoding NAME / encoding='NAME'"):
        load_facilities(p, datum="wgs84")
    assert accounted(load_facilities(p, datum="wgs84", encoding="latin-1")).layer[
        "name"].tolist() == ["Café Jinan"]


def test_unknown_encoding_name(tmp_path: Path) -> None:
    """F28: a misspelt encoding name is refused naming --encoding."""
    p = write_csv(tmp_path / "poi.csv", frame())
    with pytest.raises(InputDataError, match=r"unknown encoding 'gbkk'.*--encoding gbk"):
        load_facilities(p, datum="wgs84", encoding="gbkk")


# ------------------------------------------------ a real .xls (BIFF8 in an OLE2 container)
# No maintained .xls writer is installed (xlwt is gone); these 60 lines write the smallest
# workbook Excel 97-2003 files are: globals (BOF, CODEPAGE, FONT, XF, BOUNDSHEET8, SST, EOF)
# and one sheet (BOF, DIMENSIONS, LABELSST/NUMBER cells, EOF) in a one-stream compound file.

def _rec(t, data=b""):
    return struct.pack("<HH", t, len(data)) + data

def _bof(dt):
    return _rec(0x0809, struct.pack("<HHHHII", 0x0600, dt, 0x0DBB, 0x07CC, 0, 0x06))

def _xlstr(s):  # XLUnicodeString, UTF-16
    return struct.pack("<HB", len(s), 1) + s.encode("utf-16-le")

def biff8_workbook(sheet: str, rows: list[list[object]]) -> bytes:
    """The bytes of a one-sheet .xls holding ``rows`` (strings and numbers)."""
    strings = []
    for r in rows:
        for v in r:
            if isinstance(v, str) and v not in strings:
                strings.append(v)
    sst = struct.pack("<II", len(strings), len(strings)) + b"".join(_xlstr(s) for s in strings)
    name = sheet.encode("utf-16-le")
    sheet_body = _bof(0x0010) + _rec(0x0200, struct.pack("<IIHHH", 0, len(rows), 0,
                                                     max(len(r) for r in rows), 0))
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            if isinstance(v, str):
                sheet_body += _rec(0x00FD, struct.pack("<HHHI", i, j, 15, strings.index(v)))
            elif v is not None:
                sheet_body += _rec(0x0203, struct.pack("<HHHd", i, j, 15, float(v)))
    sheet_body += _rec(0x000A)
    xf = _rec(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0, 0x20C0))
    font = _rec(0x0031, struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0)
                + struct.pack("<BB", 5, 1) + "Arial".encode("utf-16-le"))
    def globals_(pos):
        return (_bof(0x0005) + _rec(0x0042, struct.pack("<H", 1200)) + font * 5
                + xf * 16 + _rec(0x0085, struct.pack("<IBBBB", pos, 0, 0, len(sheet), 1) + name)
                + _rec(0x00FC, sst) + _rec(0x000A))
    pos = len(globals_(0))
    stream = globals_(pos) + sheet_body
    stream += b"\0" * max(0, 4096 - len(stream))
    return _cfb(stream)

def _cfb(stream: bytes) -> bytes:
    SEC = 512
    n = -(-len(stream) // SEC)
    stream = stream.ljust(n * SEC, b"\0")
    FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    fat = [FATSECT, END] + [3 + k for k in range(n - 1)] + [END]
    fat = fat[: 2 + n]
    fat += [FREE] * (128 - len(fat))
    assert len(fat) == 128
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END, 0, END, 0)
              + struct.pack("<I", 0) + struct.pack("<I", FREE) * 108)
    assert len(header) == 512
    def entry(name, typ, child, start, size):
        nm = (name + "\0").encode("utf-16-le") if name else b""
        return (nm.ljust(64, b"\0") + struct.pack("<HBB", len(nm), typ, 1)
                + struct.pack("<III", NOSTREAM, NOSTREAM, child) + b"\0" * 16 + b"\0" * 4
                + b"\0" * 16 + struct.pack("<IQ", start, size))
    d = entry("Root Entry", 5, 1, END, 0) + entry("Workbook", 2, NOSTREAM, 2, len(stream))
    free = struct.pack("<III", NOSTREAM, NOSTREAM, NOSTREAM)
    d += (b"\0" * 64 + struct.pack("<HBB", 0, 0, 0) + free + b"\0" * 48) * 2
    assert len(d) == 512, len(d)
    return header + struct.pack("<128I", *fat) + d + stream


# ========================================================================== F30-F44 Excel

def test_excel_title_row_merged(tmp_path: Path) -> None:
    """F30: a merged title cell above the header: the header is found, rows right."""
    p = workbook(tmp_path / "poi.xlsx", {"Sheet1": [["济南市医疗机构一览表"], *rows_of(frame())]},
                 merges={"Sheet1": ["A1:C1"]})
    res = accounted(load_facilities(p, datum="wgs84"))
    assert res.n_kept == 5 and res.provenance["header_row"] == 2 and near_truth(res) < 0.01


def test_excel_two_title_rows(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """F31: a title and a date line above the header: skipped with a warning."""
    p = workbook(tmp_path / "poi.xlsx", {"数据": [["历城区公共服务设施"], ["制表日期：2024-05-01"],
                                                  *rows_of(frame())]},
                 merges={"数据": ["A1:C1", "A2:C2"]})
    with caplog.at_level(logging.WARNING):
        res = accounted(load_facilities(p, datum="wgs84"))
    assert res.provenance["header_row"] == 3 and "skipped 2 title row(s)" in caplog.text


def two_sheets(path: Path, *, second: str = "poi", hidden: tuple[str, ...] = ()) -> Path:
    return workbook(path, {"cover": [["说明"], ["本表为合成样例 synthetic"]],
                           second: rows_of(frame())}, hidden=hidden)


def test_sheet_by_position_string(tmp_path: Path) -> None:
    """F32: sheet="2" is the second sheet (1-based, as --sheet 2 on the command line)."""
    res = accounted(load_facilities(two_sheets(tmp_path / "a.xlsx"), datum="wgs84", sheet="2"))
    assert res.n_kept == 5 and res.provenance["sheet"] == "poi"


def test_sheet_named_like_a_number(tmp_path: Path) -> None:
    """F33: a sheet literally named "1" wins over the position."""
    p = workbook(tmp_path / "a.xlsx", {"cover": [["说明"]], "1": rows_of(frame())})
    res = accounted(load_facilities(p, datum="wgs84", sheet="1"))
    assert res.provenance["sheet"] == "1" and res.n_kept == 5


def test_sheet_python_int_is_zero_based(tmp_path: Path) -> None:
    """F34: a Python int keeps pandas' 0-based meaning: sheet=1 is the second sheet."""
    res = accounted(load_facilities(two_sheets(tmp_path / "a.xlsx"), datum="wgs84", sheet=1))
    assert res.provenance["sheet"] == "poi"


def test_hidden_first_sheet(tmp_path: Path) -> None:
    """F35: the default sheet is the first visible one (a hidden cover is skipped)."""
    res = accounted(load_facilities(two_sheets(tmp_path / "a.xlsx", hidden=("cover",)),
                                    datum="wgs84"))
    assert res.provenance["sheet"] == "poi" and res.n_kept == 5


def test_unknown_sheet(tmp_path: Path) -> None:
    """F36: an unknown sheet: refused listing the sheets (hidden ones marked) and --sheet."""
    with pytest.raises(InputDataError, match=r"a\.xlsx: no sheet 'POI'.*--sheet NAME or --sheet N"
                       r".*1: 'cover' \(hidden\), 2: 'poi'"):
        load_facilities(two_sheets(tmp_path / "a.xlsx", hidden=("cover",)), datum="wgs84",
                        sheet="POI")


def test_numbers_stored_as_text(tmp_path: Path) -> None:
    """F37: coordinates stored as text cells (green triangles in Excel) are numbers."""
    df = frame().astype(str)
    res = accounted(load_facilities(workbook(tmp_path / "t.xlsx", {"s": rows_of(df)}),
                                    datum="wgs84"))
    assert res.n_kept == 5 and near_truth(res) < 0.01


def test_dates_and_formulas_in_counts(tmp_path: Path) -> None:
    """F38, F39: a date in the count column and a formula without a saved value: each row
    rejected with its reason, the others kept."""
    import datetime

    rows = rows_of(frame().assign(人口=[100, 200, 300, 400, 500]))
    rows[2][3] = datetime.date(2024, 1, 5)  # "F38"
    rows[3][3] = "=100+200"  # "F39": openpyxl saves no cached value
    res = accounted(population_from_points(workbook(tmp_path / "p.xlsx", {"s": rows}),
                                           count_column="人口", datum="wgs84"))
    assert dict(zip(res.rejected["input_row"], res.rejected["reason"], strict=True)) == {
        1: "non-numeric count", 2: "missing count"}
    assert res.layer["population"].sum() == 100 + 400 + 500


def test_xls_97_2003(tmp_path: Path) -> None:
    """F40: an Excel 97-2003 .xls (BIFF8) is read (pandas' calamine engine)."""
    p = tmp_path / "poi.xls"
    p.write_bytes(biff8_workbook("数据", rows_of(frame())))
    assert p.read_bytes()[:8] == bytes.fromhex("D0CF11E0A1B11AE1")
    res = accounted(load_facilities(p, datum="wgs84"))
    assert res.layer["name"].tolist() == SIMPLIFIED and near_truth(res) < 0.01


def test_xlsx_renamed_csv(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """F41: an .xlsx renamed .csv is read as the workbook it is, with a warning."""
    workbook(tmp_path / "x.xlsx", {"s": rows_of(frame())}).rename(tmp_path / "poi.csv")
    with caplog.at_level(logging.WARNING):
        res = accounted(load_facilities(tmp_path / "poi.csv", datum="wgs84"))
    assert res.n_kept == 5 and "is an Excel workbook" in caplog.text


def test_csv_renamed_xlsx(tmp_path: Path) -> None:
    """F42: a CSV renamed .xlsx: refused naming the fix (rename to .csv)."""
    p = write_csv(tmp_path / "poi.xlsx", frame())
    with pytest.raises(InputDataError, match=r"poi\.xlsx: the file is text, not an Excel "
                       r"workbook.*Rename it to \.csv"):
        load_facilities(p, datum="wgs84")


def test_empty_sheet(tmp_path: Path) -> None:
    """F43: an empty sheet: refused as a failed export / wrong sheet."""
    p = workbook(tmp_path / "e.xlsx", {"空": []})
    with pytest.raises(LayerError, match=r"the sheet '空' holds no rows.*--sheet / sheet="):
        load_facilities(p, datum="wgs84")


def test_merged_category_cells(tmp_path: Path) -> None:
    """F44: a category cell merged over three rows applies to each of them."""
    rows = [["类别", "名称", "经度", "纬度"]]
    for i, (n, (x, y)) in enumerate(zip(["甲", "乙", "丙", "丁", "戊"], PLACES, strict=True)):
        rows.append(["图书馆" if i == 0 else ("卫生室" if i == 3 else None), f"{n}点", x, y])
    p = workbook(tmp_path / "m.xlsx", {"s": rows}, merges={"s": ["A2:A4", "A5:A6"]})
    res = accounted(load_facilities(p, datum="wgs84", category_column="类别"))
    assert res.layer["category"].tolist() == ["library"] * 3 + ["village_clinic"] * 2


# ================================================== F45-F50 Amap / Baidu / Tianditu exports

def test_amap_export_location_column(tmp_path: Path) -> None:
    """F45: an Amap POI export (GCJ-02, one "lng,lat" location column, 地址, 类型)."""
    lon, lat = convert(*np.array(PLACES).T, src="wgs84", dst="gcj02")
    df = pd.DataFrame({"名称": SIMPLIFIED, "地址": ["山大路", "经四路", "山大路", "港沟", "唐冶"],
                       "类型": ["医疗保健服务;医院"] * 5,
                       "location": [f"{a:.6f},{b:.6f}" for a, b in zip(lon, lat, strict=True)]})
    p = workbook(tmp_path / "amap.xlsx", {"POI": rows_of(df)})
    res = accounted(load_facilities(p, datum="gcj02"))
    assert res.n_kept == 5 and near_truth(res) < 1.0


def test_baidu_export_bd09(tmp_path: Path) -> None:
    """F46: a Baidu export (BD-09 lng/lat, 地址, GBK): placed within a metre of the truth."""
    lon, lat = convert(*np.array(PLACES).T, src="wgs84", dst="bd09")
    df = pd.DataFrame({"name": SIMPLIFIED, "address": ["山大路"] * 5, "lng": lon, "lat": lat})
    p = write_csv(tmp_path / "baidu.csv", df, encoding="gbk")
    res = accounted(load_facilities(p, datum="bd09"))
    assert near_truth(res) < 1.0


def test_tianditu_cgcs2000_export(tmp_path: Path) -> None:
    """F47: a Tianditu (CGCS2000) export with 经度/纬度 and 地址: read as WGS84 (< 1 m)."""
    df = frame().assign(地址=["历城区"] * 5)[["名称", "地址", "经度", "纬度"]]
    res = accounted(load_facilities(write_csv(tmp_path / "tdt.csv", df), datum="cgcs2000"))
    assert near_truth(res) < 1.0


def test_lonlat_column_named(tmp_path: Path) -> None:
    """F48, F49: one 'lon,lat' column with an unusual name: --lonlat-column; giving it
    with --lon-column too is refused."""
    df = pd.DataFrame({"名称": SIMPLIFIED, "坐标串": [f"{a},{b}" for a, b in PLACES]})
    p = write_csv(tmp_path / "poi.csv", df)
    res = accounted(load_facilities(p, datum="wgs84", lonlat_column="坐标串"))  # "F48"
    assert near_truth(res) < 0.01
    with pytest.raises(InputDataError, match=r"give either --lonlat-column.*not both"):
        load_facilities(p, datum="wgs84", lonlat_column="坐标串", lon_column="x",
                        lat_column="y")  # "F49"


def test_traditional_headers(tmp_path: Path) -> None:
    """F50: Traditional Chinese headers (名稱/經度/緯度, Big5) are found."""
    df = pd.DataFrame({"名稱": TRADITIONAL, "經度": [p[0] for p in PLACES],
                       "緯度": [p[1] for p in PLACES]})
    res = accounted(load_facilities(write_csv(tmp_path / "tc.csv", df, encoding="big5"),
                                    datum="wgs84"))
    assert res.layer["name"].tolist() == TRADITIONAL


# ================================================================= the list in the docs

def test_docs_list_every_case() -> None:
    """docs/BAD_INPUT.md lists exactly the cases these tests mark (F-numbers)."""
    doc = (REPO / "docs" / "BAD_INPUT.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| (F\d+) \|", doc, flags=re.M))
    marked: set[str] = set()
    for name in ("test_bad_files.py", "test_bad_geo_files.py", "test_bad_files_cli.py"):
        src = (REPO / "tests" / name).read_text(encoding="utf-8")
        marked |= set(re.findall(r"\bF\d+\b", src))
    assert listed == marked, (sorted(listed - marked), sorted(marked - listed))
    assert len(listed) >= 65
