"""Journeys that go wrong on purpose: a mistyped path answers in one line, exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from .journeys import EXE, Journey


@pytest.mark.parametrize("command", [
    ["report", "--out", "rep"],
    ["coverage", "--category", "clinic", "--max-dist-m", "1000"],
    ["sites", "--category", "clinic", "--k", "2"],
])
def test_a_mistyped_store_exits_2_with_one_line(command: list[str], tmp_path: Path) -> None:
    """`--store my/layres.gpkg` (a typo): no traceback, no output files, one line saying
    that there is no layer store there."""
    j = Journey(tmp_path)
    out = j.run([EXE, *command, "--store", "my/layres.gpkg", "--quiet"], timeout=60, ok=False)
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert out.returncode == 2, (out.returncode, out.stdout[-500:], out.stderr[-1500:])
    assert "Traceback" not in out.stderr, out.stderr[-1500:]
    assert len(lines) == 1 and "my/layres.gpkg" in lines[0], out.stderr
    assert not (tmp_path / "my" / "layres.gpkg").exists(), "the typo created a store"
    assert not (tmp_path / "rep").exists() and not (tmp_path / "out").exists()


def test_an_unknown_category_lists_the_valid_ones(tmp_path: Path) -> None:
    j = Journey(tmp_path)
    out = j.run([EXE, "coverage", "--category", "clinics", "--max-dist-m", "1000", "--scale",
                 "0.1", "--quiet"], timeout=60, ok=False)
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr[-1500:]
    assert "clinic" in out.stderr and "jinan-gis categories" in out.stderr, out.stderr
