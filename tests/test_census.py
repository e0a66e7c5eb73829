"""The packaged 2020 census table and the synthetic sample calibrated to it.

Reference: ``../shared/data/census2020-district-population/`` (the ``shared_dir`` fixture;
read here, never copied). The figures are recomputed from the raw yearbook rows in this file,
independently of ``scripts/build_census_table.py``.

Rounding rule checked: sample population and age values are persons to 0.001; in each
district the residue sits on the most populous point, so each district sum equals the census
figure to within 1e-6 of a person (and exactly once rounded to a whole person).
"""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from jinan_gis.layers.census import census_caveat, census_provenance, census_totals
from jinan_gis.layers.sample import AGE_GROUPS, CALIBRATION, build_sample

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "build_census_table.py"
FOLDER = Path("data") / "census2020-district-population"
CODES = ("370103", "370112")
OLD = ("60到64岁", "65到69岁", "70到74岁", "75到79岁", "80到84岁", "85岁以上")


def _raw(shared_dir: Path) -> pd.DataFrame:
    rows = pd.read_csv(shared_dir / FOLDER / "census2020_county_yearbook_rows.csv",
                       dtype={"区划代码": str})
    return rows.set_index("区划代码").loc[list(CODES)]


def _bands(raw: pd.DataFrame, bands: tuple[str, ...]) -> pd.Series:
    cols = [f"{sex}_{b}" for b in bands for sex in ("男", "女")]
    return raw[cols].astype("int64").sum(axis=1)


def _census_from_raw(shared_dir: Path) -> pd.DataFrame:
    """The figures straight from the yearbook rows (index: code)."""
    raw = _raw(shared_dir)
    half_up = (_bands(raw, ("1到4岁",)) / 2 + 0.5).apply(math.floor).astype("int64")
    under3 = _bands(raw, ("0岁",)) + half_up
    return pd.DataFrame({
        "population": raw["人口数_合计"].astype("int64"),
        "male": raw["人口数_男"].astype("int64"),
        "female": raw["人口数_女"].astype("int64"),
        "family_households": raw["家庭户数"].astype("int64"),
        "age_0_2_est": under3,
        "age_0_14": _bands(raw, ("0岁", "1到4岁", "5到9岁", "10到14岁")),
        "age_60plus": _bands(raw, OLD),
        "age_65plus": _bands(raw, OLD[1:]),
    })


def test_packaged_table_equals_a_fresh_build(shared_dir: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path), "--shared", str(shared_dir)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    for name in ("census2020.csv", "census2020.PROVENANCE.json"):
        assert (tmp_path / name).read_bytes() == (REPO / "data" / name).read_bytes(), name


def test_check_mode_passes_and_catches_a_change(shared_dir: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check", "--shared", str(shared_dir)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import build_census_table as bct
    finally:
        sys.path.remove(str(REPO / "scripts"))
    for name in ("census2020.csv", "census2020.PROVENANCE.json"):
        (tmp_path / name).write_bytes((REPO / "data" / name).read_bytes())
    monkeypatch.setattr(bct, "DEFAULT_OUT", tmp_path)
    assert bct.check(shared=shared_dir) == []
    csv = tmp_path / "census2020.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("903714", "903715"), encoding="utf-8")
    assert bct.check(shared=shared_dir) == [
        "data/census2020.csv differs from a fresh build: run scripts/build_census_table.py"]


def test_table_equals_the_yearbook_rows(shared_dir: Path) -> None:
    t = census_totals()
    assert list(t.index) == list(CODES)
    expected = _census_from_raw(shared_dir)
    pd.testing.assert_frame_equal(t[expected.columns], expected, check_names=False)
    # the key numbers SOURCE.md states
    assert t["population"].to_dict() == {"370103": 903_714, "370112": 1_316_289}
    assert t["age_60plus"].to_dict() == {"370103": 169_380, "370112": 213_250}
    assert t["age_65plus"].to_dict() == {"370103": 114_864, "370112": 145_054}
    assert (t["age_0_14"] + t["age_15_59"] + t["age_60plus"] == t["population"]).all()
    assert (t["share_60plus"] - t["age_60plus"] / t["population"]).abs().max() <= 5e-7
    assert (t["share_65plus"] - t["age_65plus"] / t["population"]).abs().max() <= 5e-7


def test_under_three_estimate_rule() -> None:
    t = census_totals()
    # age 0 (exact) + 2/4 of the 1-4 band, half up: 7,777 + 49,955 / 2 -> 32,755
    assert t.loc["370103", "age_0_2_est"] == 7_777 + 24_978
    assert t.loc["370112", "age_0_2_est"] == 13_645 + 40_836
    assert "ESTIMATE" in census_provenance()["derived"]["age_0_2_est"]


def test_provenance_pins_the_inputs_and_states_the_caveat(shared_dir: Path) -> None:
    prov = census_provenance()
    for item in prov["inputs"]:
        data = (shared_dir / Path(item["path"]).relative_to("../shared")).read_bytes()
        assert hashlib.sha256(data).hexdigest() == item["sha256"], item["path"]
    packaged = (REPO / "data" / "census2020.csv").read_bytes()
    assert prov["output"]["sha256"] == hashlib.sha256(packaged).hexdigest()
    caveat = census_caveat()
    assert "370171" in caveat and "1,316,289" in caveat and "高新区" in caveat
    assert "370171" in (census_totals.__doc__ or "")
    assert json.loads((REPO / "data" / "census2020.PROVENANCE.json").read_text("utf-8")) == prov


@pytest.mark.parametrize("scale", [0.05, 0.15])
def test_sample_totals_and_age_groups_equal_the_census(shared_dir: Path, scale: float) -> None:
    expected = _census_from_raw(shared_dir)
    s = build_sample(scale=scale)
    sums = s.population.groupby("district_code")[["population", *AGE_GROUPS]].sum()
    for code in CODES:
        assert CALIBRATION[code]["population"] == expected.at[code, "population"]
        for col, census_col in {"population": "population", **AGE_GROUPS}.items():
            got, want = sums.at[code, col], int(expected.at[code, census_col])
            assert abs(got - want) < 1e-6 and round(got) == want, (code, col, got, want)
    p = s.population
    assert (p[list(AGE_GROUPS)] >= 0).all().all()
    assert (p["pop_65plus"] <= p["pop_60plus"]).all() and (p["pop_60plus"] <= p["population"]).all()
    assert (p["pop_0_2"] <= p["pop_0_14"]).all()
    assert "370171" in s.provenance["census_caveat"]
    assert s.provenance["population_totals"]["370112"]["population"] == 1_316_289
