"""``jinan-gis metrics``: the catalogue by plan and chapter (the plans' order), each entry's
id, Chinese and English title, and what it needs, or with ``--store`` whether that store
can evaluate it.

Loaded by :mod:`jinan_gis.cli` only when the command runs (``--help`` stays light).
"""

from __future__ import annotations

import argparse
from types import SimpleNamespace
from typing import Any

__all__ = ["cmd_metrics", "store_statuses"]


def store_statuses(store: str) -> dict[tuple[str, str], str]:
    """(metric id, district code) -> ``""`` when the layers of ``store`` let ``report``
    evaluate the entry there, else its ``needs layer: ...`` status
    (:func:`~jinan_gis.analyses.report_needs.needs_status` on the layers, without building
    the network: streets count as present when the store has them)."""
    from jinan_gis.analyses.catalogue import CATALOGUE
    from jinan_gis.analyses.inputs import inputs_from_store
    from jinan_gis.analyses.report import district_of
    from jinan_gis.analyses.report_needs import needs_status

    inputs = inputs_from_store(store)
    have = inputs.available()
    dist = inputs.districts
    pop_codes: set[str] = set()
    if "population" in have:
        pop = inputs.population.to_crs(dist.crs)
        pop_codes = {str(c) for c in district_of(pop, dist) if c is not None}
    ctx = SimpleNamespace(
        placed=True if "population" in have else None, fac=inputs.facilities,
        zones=inputs.zones, network=True if "streets" in have else None, have=have,
        pop_codes=pop_codes, inputs=inputs)
    codes = {str(c) for c in dist["code"]}
    return {(m.id, c): needs_status(m, c, ctx) for m in CATALOGUE for c in m.scope
            if c in codes}


def _line(m: Any, statuses: dict[tuple[str, str], str] | None) -> str:
    """What an entry needs, or (with a store) whether it can be evaluated, per district."""
    if statuses is None:
        return f"needs 需要: {', '.join(m.needs) or '—'}"
    got = {c: statuses[(m.id, c)] for c in m.scope if (m.id, c) in statuses}
    if not got:
        return "store 图层库: not in the store's districts"
    if all(not s for s in got.values()):
        return "store 图层库: can be evaluated 可计算 (" + ", ".join(got) + ")"
    if len(set(got.values())) == 1:
        return f"store 图层库 ({', '.join(got)}): {next(iter(got.values()))}"
    parts = [f"{c}: {s or 'can be evaluated 可计算'}" for c, s in got.items()]
    return "store 图层库: " + " | ".join(parts)


def cmd_metrics(args: argparse.Namespace) -> int:
    """Print the catalogue grouped by plan and chapter."""
    from jinan_gis.analyses.catalogue import CATALOGUE, chapter_title, plan_title

    store = getattr(args, "store", None)
    statuses = None
    if store:
        from jinan_gis.analyses.inputs import check_store

        check_store(store)
        statuses = store_statuses(store)
    print("The plans' metrics, by plan and chapter (use the id with report --metric) 规划指标:")
    if store:
        print(f"(can each be evaluated with the layers of {store}?)")
    plan = chapter = None
    n_ok = 0
    for m in CATALOGUE:
        if m.source_file != plan:
            plan, chapter = m.source_file, None
            zh, en = plan_title(plan)
            print(f"\n== {zh} / {en} [{plan}]")
        if m.chapter != chapter:
            chapter = m.chapter
            czh, cen = chapter_title(m)
            print(f"\n  -- {czh} / {cen}" if czh != cen else f"\n  -- {czh}")
        print(f"  {m.id}  {m.name_zh}")
        print(f"      {m.name_en}")
        print(f"      threshold 阈值: {m.threshold_text} | target 目标: {m.target_text} | "
              f"scope: {', '.join(m.scope)} | source: {m.source_file} ({m.basis})")
        line = _line(m, statuses)
        n_ok += line.startswith("store 图层库: can be evaluated")
        print(f"      {line}")
    if statuses is not None:
        print(f"\n{n_ok} of {len(CATALOGUE)} entries can be evaluated in every district of "
              f"their scope with {store}; the others say which layer to import "
              "(`jinan-gis import FILE --as communities/villages/forest...`).")
    return 0
