"""The 2020 census figures of the two study districts (packaged ``data/census2020.csv``).

:func:`census_totals` returns one row per district, indexed by district code: resident
population (常住人口, 2020-11-01), male, female, family households, the age groups 0-2 (an
*estimate*: age 0 plus 2/4 of the 1-4 band), 0-14, 15-59, 60+, 65+ and the shares of 60+
and 65+. The table is derived from the 2020 census yearbook county tables
(第七次全国人口普查分县资料) by ``scripts/build_census_table.py``; inputs, sha256 and rules
are in ``data/census2020.PROVENANCE.json`` (:func:`census_provenance`).

**Caveat (历城区 only)**: 1,316,289 is *not* the population of the whole legal 历城区
polygon. The yearbook counts 济南高新技术产业开发区 (高新区, 370171) as its own unit, and the
residents of the parts of the 历城区 polygon it administers are counted there, not under
370112; the polygon's true population is somewhat higher. 市中区 is unaffected. The full
text is :func:`census_caveat`.

Examples
--------
>>> t = census_totals()
>>> t.loc["370112", "population"], t.loc["370103", "population"]
(np.int64(1316289), np.int64(903714))
>>> int(t["age_60plus"].sum()), t.loc["370103", "share_65plus"]
(382630, np.float64(0.127102))
>>> "370171" in census_caveat()
True
"""

from __future__ import annotations

import functools
import importlib.resources
import io
import json
from typing import Any

import pandas as pd

from ..geo.errors import LayerError

__all__ = ["AGE_COLUMNS", "census_caveat", "census_provenance", "census_totals"]

_DATA_PACKAGE = "jinan_gis.data"
CSV_NAME = "census2020.csv"
PROVENANCE_NAME = "census2020.PROVENANCE.json"

AGE_COLUMNS: tuple[str, ...] = ("age_0_2_est", "age_0_14", "age_60plus", "age_65plus")
"""The age groups the synthetic sample spreads over its population points."""


@functools.lru_cache(maxsize=2)
def _read_text(name: str) -> str:
    try:
        return importlib.resources.files(_DATA_PACKAGE).joinpath(name).read_text(
            encoding="utf-8")
    except FileNotFoundError as exc:
        raise LayerError(
            f"packaged data file {_DATA_PACKAGE}/{name} is missing. Reinstall jinan-gis "
            "(pip install -e .) or rebuild it with scripts/build_census_table.py."
        ) from exc


def census_totals() -> pd.DataFrame:
    """The 2020 census figures of 市中区 (370103) and 历城区 (370112), indexed by code.

    Caveat: 历城区's 1,316,289 excludes the residents of the parts of the legal 历城区
    polygon that are counted under 济南高新技术产业开发区 (高新区, 370171); see
    :func:`census_caveat`. ``age_0_2_est`` is an estimate (age 0 plus 2/4 of the 1-4 band).

    Returns
    -------
    pandas.DataFrame
        Index ``code`` (str); columns ``name_zh``, ``name_en``, ``population``, ``male``,
        ``female``, ``family_households``, ``age_0_2_est``, ``age_0_14``, ``age_15_59``,
        ``age_60plus``, ``age_65plus`` (int64, persons or households) and
        ``share_60plus``, ``share_65plus`` (float, 6 decimals). A fresh frame on each call.

    Examples
    --------
    >>> census_totals().loc["370112", ["population", "age_65plus"]].tolist()
    [1316289, 145054]
    """
    return pd.read_csv(io.StringIO(_read_text(CSV_NAME)), dtype={"code": str}).set_index("code")


def census_provenance() -> dict[str, Any]:
    """The table's provenance: inputs with sha256, derivation rules, checks and caveat.

    Examples
    --------
    >>> census_provenance()["generated_by"]
    'scripts/build_census_table.py'
    """
    return json.loads(_read_text(PROVENANCE_NAME))


def census_caveat() -> str:
    """The 高新区 (370171) caveat on 历城区's census total, as the provenance states it.

    Examples
    --------
    >>> census_caveat().startswith("历城区 (370112)")
    True
    """
    return str(census_provenance()["caveat"])
