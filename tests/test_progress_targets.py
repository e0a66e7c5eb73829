"""Progress toward the dated targets: the linear rule by hand, each verdict, and the report's
progress table and sheet."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from jinan_gis.analyses.progress_targets import ON_TRACK_RULE, expected_at, progress_table

L = "370112"


def test_expected_value_on_the_straight_line() -> None:
    # physicians per 1,000: 3.8 (2020) -> 4.5 (2025): 0.14 a year
    assert expected_at(3.8, 2020, 4.5, 2025, 2020) == pytest.approx(3.8)
    assert expected_at(3.8, 2020, 4.5, 2025, 2022) == pytest.approx(4.08)
    assert expected_at(3.8, 2020, 6.2, 2035, 2023) == pytest.approx(3.8 + 2.4 * 3 / 15)
    assert expected_at(3.8, 2020, 4.5, 2025, 2031) == 4.5  # after the target year: the target
    assert expected_at(3.8, 2020, 4.5, 2025, 2019) == 3.8


def _table(rows: list[tuple[str, float, str]], year: int) -> pd.DataFrame:
    metrics = pd.DataFrame(rows, columns=["metric_id", "value", "status"]).assign(district=L)
    return progress_table(metrics, evaluation_year=year).set_index("metric_id")


def test_each_verdict() -> None:
    t = _table([("L-PHYSICIANS-2025", 4.1, "fail"),     # 4.1 >= 4.08 expected in 2022
                ("L-PHYSICIANS-2035", 4.0, "fail"),     # 4.0 < 3.8 + 2.4 x 2/15 = 4.12
                ("L-QUANCHENG-STUDY-5", 5.0, "pass"),   # met, no baseline needed
                ("L-CHILDCARE-5", 4.0, "fail"),         # no baseline, before 2025
                ("L-FOREST", 0.3, "no numeric target"),  # no numeric target: not in the table
                ("L-LOGISTICS-VILLAGE", float("nan"), "needs layer: villages (...)")], 2022)
    assert t.loc["L-PHYSICIANS-2025", "verdict"] == "on track"
    assert t.loc["L-PHYSICIANS-2025", "expected"] == pytest.approx(4.08)
    assert t.loc["L-PHYSICIANS-2035", "verdict"] == "behind"
    assert t.loc["L-QUANCHENG-STUDY-5", "verdict"] == "met"
    assert t.loc["L-CHILDCARE-5", "verdict"] == "not yet met (no baseline to interpolate)"
    assert "L-FOREST" not in t.index
    assert t.loc["L-LOGISTICS-VILLAGE", "verdict"] == "not measurable with the current layers"
    # the 2023 evaluation report's value, judged on the same line: 4.96 in 2023 is met; the
    # childcare 4.9 in 2023 is short of 5 and there is no 2020 value to say more
    assert t.loc["L-PHYSICIANS-2025", "reported_verdict"] == "met"
    assert t.loc["L-PHYSICIANS-2035", "reported_verdict"] == "on track"  # 4.96 >= 4.28
    assert t.loc["L-CHILDCARE-5", "reported"] == 4.9
    assert t.loc["L-CHILDCARE-5", "reported_verdict"] == "not yet met (no baseline to " \
        "interpolate)"
    assert (t["rule"] == ON_TRACK_RULE).all() and (t["evaluation_year"] == 2022).all()
    # after the target year without a baseline: behind
    late = _table([("L-CHILDCARE-5", 4.0, "fail")], 2026)
    assert late.loc["L-CHILDCARE-5", "verdict"] == "behind (target year passed)"


def test_the_report_shows_progress_in_the_excel_and_the_summary(tmp_path) -> None:
    from jinan_gis.analyses.export import write_excel
    from jinan_gis.analyses.inputs import inputs_from_sample
    from jinan_gis.analyses.report import evaluate

    rep = evaluate(inputs_from_sample(scale=0.05), progress=False, evaluation_year=2024)
    prog = rep.tables["progress"]
    assert (prog["evaluation_year"] == 2024).all()
    row = prog.set_index(["metric_id", "district"]).loc[("L-ELDERLY-60", L)]
    value = rep.metrics.set_index(["metric_id", "district"]).loc[("L-ELDERLY-60", L), "value"]
    assert row["value"] == value and row["target"] == 0.6 and row["target_year"] == 2025
    assert row["verdict"] == ("met" if value >= 0.6 else "not yet met (no baseline to "
                              "interpolate)")
    md = rep.summary_markdown()
    assert "## 进度 Progress toward the dated targets" in md and "Rule: on track" in md
    wb = openpyxl.load_workbook(write_excel(rep, tmp_path / "r.xlsx"), read_only=True)
    sheet = wb["06 进度 Progress"]
    head = next(sheet.iter_rows(values_only=True))
    assert {"基期值 baseline", "评估报告值 reported (000)", "应达值 expected now",
            "判断 verdict", "目标年份 target year"} <= set(head)
