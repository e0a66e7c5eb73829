"""Progress toward the targets with a year: baseline, what the data say now, the target, on track?

For every catalogue entry with a numeric target and a target year, and every district it is
evaluated for, :func:`progress_table` gives the baseline (专栏1's 2020 column, where the plan
has one), the value the 2023 evaluation report gives (000), the value the layers give now,
the target and its year, and whether the trajectory is on track by one stated rule,
:data:`ON_TRACK_RULE`: the value must reach the straight line from the baseline to the target
at the evaluation year (:func:`expected_at`).

Examples
--------
>>> expected_at(3.8, 2020, 4.5, 2025, 2023)
4.22
>>> expected_at(3.8, 2020, 4.5, 2025, 2030)
4.5
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from .catalogue import CATALOGUE, Metric

__all__ = ["ON_TRACK_RULE", "expected_at", "progress_table"]

log = logging.getLogger(__name__)

ON_TRACK_RULE = (
    "on track = the value reaches the straight line from the baseline (专栏1's 2020 column) to "
    "the target at the year of the value: expected = baseline + (target - baseline) x (year - "
    "baseline year) / (target year - baseline year), and the target itself from the target "
    "year on; without a baseline only 'met' (value >= target) can be said before the target "
    "year"
)
"""The one rule the progress table applies (stated in the table and the report)."""


def expected_at(baseline: float, baseline_year: int, target: float, target_year: int,
                year: int) -> float:
    """The value on the straight line from (``baseline_year``, ``baseline``) to
    (``target_year``, ``target``) at ``year``; the baseline before it, the target after.

    Examples
    --------
    >>> expected_at(0.0, 2020, 1.0, 2025, 2019), expected_at(0.0, 2020, 1.0, 2025, 2022)
    (0.0, 0.4)
    """
    if year <= baseline_year:
        return float(baseline)
    if year >= target_year:
        return float(target)
    share = (year - baseline_year) / (target_year - baseline_year)
    return round(float(baseline + (target - baseline) * share), 10)


def _judge(value: float, year: int, m: Metric) -> tuple[float, str]:
    """(expected value at ``year``, verdict) of ``value`` for entry ``m``."""
    if value is None or pd.isna(value):
        return np.nan, ""
    met = value >= m.target - 1e-12
    if m.baseline is not None and m.baseline_year is not None:
        exp = expected_at(m.baseline, m.baseline_year, m.target, m.target_year, year)
        if met:
            return exp, "met"
        return exp, "on track" if value >= exp - 1e-12 else "behind"
    if met:
        return (m.target if year >= m.target_year else np.nan), "met"
    if year >= m.target_year:
        return m.target, "behind (target year passed)"
    return np.nan, "not yet met (no baseline to interpolate)"


def progress_table(metrics: pd.DataFrame, *, catalogue: Sequence[Metric] = CATALOGUE,
                   evaluation_year: int | None = None) -> pd.DataFrame:
    """The progress of every entry with a numeric target and a target year.

    Parameters
    ----------
    metrics : DataFrame
        A report's metric table (``metric_id``, ``district``, ``value``, ``status``).
    catalogue : sequence of Metric
        Where the baselines, reported values and target years come from.
    evaluation_year : int, optional
        The year the layers' values stand for (default: this year).

    Returns
    -------
    pandas.DataFrame
        ``metric_id``, ``district``, ``name_zh``, ``name_en``, ``unit``, ``baseline``,
        ``baseline_year``, ``reported``, ``reported_year``, ``reported_expected``,
        ``reported_verdict``, ``value``, ``evaluation_year``, ``expected``, ``verdict``,
        ``target``, ``target_year``, ``status``, ``rule``.

    Examples
    --------
    >>> t = pd.DataFrame({"metric_id": ["L-PHYSICIANS-2025"], "district": ["370112"],
    ...                   "value": [4.0], "status": ["fail"]})
    >>> r = progress_table(t, evaluation_year=2023).iloc[0]
    >>> float(r["expected"]), r["verdict"], r["reported_verdict"]
    (4.22, 'behind', 'met')
    """
    year = int(evaluation_year or datetime.now(UTC).year)
    by_id = {m.id: m for m in catalogue}
    rows = []
    for r in metrics.itertuples():
        m = by_id.get(str(r.metric_id))
        if m is None or m.target is None or m.target_year is None:
            continue
        status = str(r.status)
        value = float(r.value) if not pd.isna(r.value) else np.nan
        exp, verdict = _judge(value, year, m)
        if status.startswith(("needs layer", "not computed")):
            verdict = "not measurable with the current layers"
        elif status == "no district target":
            verdict = "no district target (city-wide total)"
        rep_exp, rep_verdict = (_judge(m.reported, m.reported_year, m)
                                if m.reported is not None else (np.nan, ""))
        rows.append({
            "metric_id": m.id, "district": str(r.district), "name_zh": m.name_zh,
            "name_en": m.name_en, "unit": m.unit, "baseline": m.baseline,
            "baseline_year": m.baseline_year, "reported": m.reported,
            "reported_year": m.reported_year, "reported_expected": rep_exp,
            "reported_verdict": rep_verdict, "value": value, "evaluation_year": year,
            "expected": exp, "verdict": verdict, "target": m.target,
            "target_year": m.target_year, "status": status, "rule": ON_TRACK_RULE,
        })
    cols = ["metric_id", "district", "name_zh", "name_en", "unit", "baseline", "baseline_year",
            "reported", "reported_year", "reported_expected", "reported_verdict", "value",
            "evaluation_year", "expected", "verdict", "target", "target_year", "status",
            "rule"]
    return pd.DataFrame(rows, columns=cols)
