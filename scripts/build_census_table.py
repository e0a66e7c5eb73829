"""Build ``data/census2020.csv`` (2020 census, 历城区 370112 + 市中区 370103) from ``../shared``.

The input is the reference folder ``../shared/data/census2020-district-population/`` beside
the repository (or ``$JINAN_GIS_SHARED/data/...``; read-only, never copied into the project):
``census2020_county_yearbook_rows.csv`` holds the rows of the 2020 census yearbook county
tables (第七次全国人口普查分县资料; from the MIT-licensed ``leiii/census`` repository, commit
0ba0f1e, ``data/census/census_county_2020_v1.xlsx`` sheet 七普（年鉴）), unchanged. This script

1. hashes the input files (sha256) and reads the two districts' rows;
2. checks that the 38 male/female age columns sum to the total, male + female = total, and
   that its derived figures equal the folder's own ``census2020_summary.csv`` (an
   independent derivation: the build fails on any difference);
3. derives one row per district: total, male, female, family households (家庭户数), the age
   groups 0-2 (an **estimate**, see :data:`UNDER3_RULE`), 0-14, 15-59, 60+, 65+, and the
   shares of 60+ and 65+ (6 decimals);
4. writes ``census2020.csv`` and ``census2020.PROVENANCE.json`` (inputs with sha256, what
   was derived and how, the 高新区 caveat).

The output is deterministic (no wall-clock date): running it again gives byte-identical files.

Usage::

    .venv/bin/python scripts/build_census_table.py            # writes into data/
    .venv/bin/python scripts/build_census_table.py --out /tmp/x
    .venv/bin/python scripts/build_census_table.py --check    # committed files == a fresh build
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "data"
CSV_NAME = "census2020.csv"
PROVENANCE_NAME = "census2020.PROVENANCE.json"
FOLDER = Path("data") / "census2020-district-population"
"""The census folder inside the shared reference directory."""
ROWS_NAME = "census2020_county_yearbook_rows.csv"
SUMMARY_NAME = "census2020_summary.csv"
SOURCE_NAME = "SOURCE.md"

DISTRICTS: tuple[tuple[str, str, str], ...] = (
    ("370103", "市中区", "Shizhong District"),
    ("370112", "历城区", "Licheng District"),
)
"""(adcode, Chinese name, English name), written in this order (ascending code)."""

BANDS = ("0岁", "1到4岁", "5到9岁", "10到14岁", "15到19岁", "20到24岁", "25到29岁", "30到34岁",
         "35到39岁", "40到44岁", "45到49岁", "50到54岁", "55到59岁", "60到64岁", "65到69岁",
         "70到74岁", "75到79岁", "80到84岁", "85岁以上")
"""The yearbook's age bands (columns ``男_<band>`` and ``女_<band>``), youngest first."""

GROUPS: dict[str, tuple[str, ...]] = {
    "age_0_14": BANDS[:4],
    "age_15_59": BANDS[4:13],
    "age_60plus": BANDS[13:],
    "age_65plus": BANDS[14:],
}
"""Output column -> the bands summed (both sexes)."""

UNDER3_RULE = (
    "age_0_2_est = (男_0岁 + 女_0岁) + (男_1到4岁 + 女_1到4岁) * 2/4, rounded half up to a "
    "whole person: the yearbook gives age 0 exactly and ages 1-4 as one band; ages 1 and 2 "
    "are taken as 2 of its 4 single years (people spread evenly over the band). An "
    "ESTIMATE, not a census figure."
)

CAVEAT = (
    "历城区 (370112): the yearbook's 1,316,289 is NOT the population of the whole legal 历城区 "
    "polygon (data/districts.geojson). The yearbook reports 济南高新技术产业开发区 (高新区, "
    "370171, 424,047 people) as a unit of its own, and part of the territory it administers "
    "lies inside the legal 历城区 polygon; those residents are counted under 370171, not here. "
    "The city's 2021 bulletins give 历城区 = 111.2万 for the area managed by the 历城区 "
    "government; the yearbook figure evidently folds the 南部山区 and 先行区 parts back in "
    "(about +20万) but not the 高新区 part. 1,316,289 is used with the legal polygon, so the "
    "polygon's true population is somewhat higher. 市中区 (370103) is unaffected: the bulletin "
    "(90.38万) and the yearbook (903,714) agree. Source: SOURCE.md of "
    "../shared/data/census2020-district-population/, 'Caveat - functional zones'."
)

COLUMNS = ("code", "name_zh", "name_en", "population", "male", "female", "family_households",
           "age_0_2_est", "age_0_14", "age_15_59", "age_60plus", "age_65plus",
           "share_60plus", "share_65plus")
SHARE_DECIMALS = 6

SUMMARY_CHECKS = {"population": "pop_total", "male": "male", "female": "female",
                  "family_households": "households", "age_0_14": "age_0_14",
                  "age_15_59": "age_15_59", "age_60plus": "age_60_plus",
                  "age_65plus": "age_65_plus"}
"""Output column -> column of the folder's ``census2020_summary.csv`` it must equal."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def census_dir(shared: Path | None = None) -> Path:
    """The census folder under ``shared`` (default ``$JINAN_GIS_SHARED`` or ``../shared``)."""
    if shared is None:
        shared = Path(os.environ.get("JINAN_GIS_SHARED") or ROOT.parent / "shared")
    folder = shared / FOLDER
    if not (folder / ROWS_NAME).is_file():
        raise SystemExit(f"no {ROWS_NAME} in {folder}: pass --shared DIR (the folder holding "
                         f"{FOLDER}) or set JINAN_GIS_SHARED")
    return folder


def _band_sum(row: pd.Series, bands: tuple[str, ...]) -> int:
    return int(sum(int(row[f"{sex}_{b}"]) for b in bands for sex in ("男", "女")))


def derive(rows: pd.DataFrame) -> pd.DataFrame:
    """One output row per district of :data:`DISTRICTS` from the yearbook ``rows``."""
    out = []
    for code, name_zh, name_en in DISTRICTS:
        hit = rows[rows["区划代码"] == code]
        if len(hit) != 1 or hit["区县"].iloc[0] != name_zh:
            raise ValueError(f"{ROWS_NAME}: expected one row {code} {name_zh}, found {len(hit)}")
        r = hit.iloc[0]
        total, male, female = (int(r[c]) for c in ("人口数_合计", "人口数_男", "人口数_女"))
        if male + female != total or _band_sum(r, BANDS) != total:
            raise ValueError(f"{code}: sexes or age bands do not sum to the total {total}")
        rec: dict[str, Any] = {"code": code, "name_zh": name_zh, "name_en": name_en,
                               "population": total, "male": male, "female": female,
                               "family_households": int(r["家庭户数"])}
        band_1_4 = _band_sum(r, ("1到4岁",))
        rec["age_0_2_est"] = _band_sum(r, ("0岁",)) + (2 * band_1_4 + 2) // 4  # half up
        rec.update({col: _band_sum(r, bands) for col, bands in GROUPS.items()})
        if rec["age_0_14"] + rec["age_15_59"] + rec["age_60plus"] != total:
            raise ValueError(f"{code}: 0-14 + 15-59 + 60+ != total")
        rec["share_60plus"] = round(rec["age_60plus"] / total, SHARE_DECIMALS)
        rec["share_65plus"] = round(rec["age_65plus"] / total, SHARE_DECIMALS)
        out.append(rec)
    return pd.DataFrame(out, columns=list(COLUMNS))


def cross_check(table: pd.DataFrame, summary: pd.DataFrame) -> None:
    """Raise unless ``table`` equals the folder's own summary on every shared figure."""
    s = summary.set_index(summary["adcode"].astype(str))
    for rec in table.itertuples(index=False):
        for mine, theirs in SUMMARY_CHECKS.items():
            if int(getattr(rec, mine)) != int(s.at[rec.code, theirs]):
                raise ValueError(f"{rec.code} {mine}: {getattr(rec, mine)} here, "
                                 f"{s.at[rec.code, theirs]} in {SUMMARY_NAME}")


def _provenance(files: dict[str, bytes], table_bytes: bytes) -> dict[str, Any]:
    contents = {
        ROWS_NAME: "the 2020 census yearbook rows (unchanged) for 370100, 370103, 370112, "
        "370171: the input of every figure",
        SUMMARY_NAME: "the folder's own derived summary: used only to cross-check (equal on "
        + ", ".join(SUMMARY_CHECKS) + ")",
        SOURCE_NAME: "the folder's description: origin, licence, checks and the caveat",
    }
    return {
        "dataset": f"jinan_gis/data/{CSV_NAME}",
        "description": "2020 census (第七次全国人口普查, 2020-11-01, 常住人口) district "
        "figures for 市中区 (370103) and 历城区 (370112): one row per district.",
        "generated_by": "scripts/build_census_table.py",
        "rebuild": ".venv/bin/python scripts/build_census_table.py [--out DIR] [--shared DIR]",
        "check": ".venv/bin/python scripts/build_census_table.py --check",
        "upstream": {
            "repository": "https://github.com/leiii/census",
            "commit": "0ba0f1efae092f4aa6569ef38e53b3bb4d2f0087",
            "file": "data/census/census_county_2020_v1.xlsx, sheet 七普（年鉴）",
            "table": "第七次全国人口普查分县资料 (2020 census yearbook county tables)",
            "licence": "MIT (© 2022 Lei Dong); the figures are official census statistics "
            "(国家统计局 / 国务院人口普查办公室)",
        },
        "inputs": [
            {"path": f"../shared/{FOLDER.as_posix()}/{name}", "sha256": _sha256(data),
             "bytes": len(data), "content": contents[name]}
            for name, data in files.items()
        ],
        "derived": {
            "population": "人口数_合计 (resident population, 常住人口)",
            "male": "人口数_男",
            "female": "人口数_女",
            "family_households": "家庭户数 (family households; collective households such as "
            "dormitories are not counted)",
            "age_0_2_est": UNDER3_RULE,
            **{col: "sum of 男_ and 女_ columns " + ", ".join(bands)
               for col, bands in GROUPS.items()},
            "share_60plus": f"age_60plus / population, rounded to {SHARE_DECIMALS} decimals",
            "share_65plus": f"age_65plus / population, rounded to {SHARE_DECIMALS} decimals",
        },
        "checks": [
            "male + female == population; the 38 male/female age columns sum to population; "
            "age_0_14 + age_15_59 + age_60plus == population",
            f"every figure in {', '.join(SUMMARY_CHECKS)} equals {SUMMARY_NAME}",
        ],
        "caveat": CAVEAT,
        "output": {"columns": list(COLUMNS), "sha256": _sha256(table_bytes)},
        "date": "no wall-clock date recorded: the build is deterministic and its inputs are "
        "pinned by their sha256",
    }


def build(out_dir: Path, *, shared: Path | None = None) -> tuple[Path, Path]:
    """Write the table and its provenance into ``out_dir``; return both paths."""
    folder = census_dir(shared)
    files = {name: (folder / name).read_bytes() for name in (ROWS_NAME, SUMMARY_NAME, SOURCE_NAME)}
    rows = pd.read_csv(io.BytesIO(files[ROWS_NAME]), dtype={"区划代码": str})
    table = derive(rows)
    cross_check(table, pd.read_csv(io.BytesIO(files[SUMMARY_NAME]), dtype={"adcode": str}))
    table_bytes = table.to_csv(index=False, lineterminator="\n").encode("utf-8")
    prov = _provenance(files, table_bytes)
    prov_bytes = (json.dumps(prov, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / CSV_NAME).write_bytes(table_bytes)
    (out_dir / PROVENANCE_NAME).write_bytes(prov_bytes)
    return out_dir / CSV_NAME, out_dir / PROVENANCE_NAME


def check(*, shared: Path | None = None) -> list[str]:
    """Differences between the committed files and a fresh build (empty: none)."""
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp), shared=shared)
        return [f"data/{name} differs from a fresh build: run scripts/build_census_table.py"
                for name in (CSV_NAME, PROVENANCE_NAME)
                if not (DEFAULT_OUT / name).is_file()
                or (Path(tmp) / name).read_bytes() != (DEFAULT_OUT / name).read_bytes()]


def main(argv: list[str] | None = None) -> int:
    """Command line: ``build_census_table.py [--out DIR] [--shared DIR] [--check]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"output folder (default: {DEFAULT_OUT.relative_to(ROOT)}/)")
    parser.add_argument("--shared", type=Path, default=None,
                        help="the shared reference folder (default: $JINAN_GIS_SHARED or "
                        "../shared beside the repository)")
    parser.add_argument("--check", action="store_true",
                        help="only verify that the committed files equal a fresh build")
    args = parser.parse_args(argv)
    if args.check:
        problems = check(shared=args.shared)
        for line in problems:
            print(line, file=sys.stderr)
        return 1 if problems else 0
    for path in build(args.out, shared=args.shared):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
