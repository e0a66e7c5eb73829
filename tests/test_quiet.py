"""Quiet, clean runs and outputs people read (issue 18 parts 3 and 5).

- ``jinan-gis demo 2> log.txt`` (`make demo`'s command, run once per session: tests/conftest.py
  ``first_demo``): one plain line per step in the log (no bar, no ``ESC [A``
  of nested tqdm bars, no carriage returns), no warning; on a cold numba cache the kernels
  are compiled in a step of their own, before the analysis;
- ``summary.md``: shares in percent, districts and sub-districts named beside their codes,
  no timings unless ``--timings`` asks (then a section of them, also printed);
- the quick-start notebook as saved shows an inline map and two plots.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from jinan_gis.analyses.progress import Steps
from jinan_gis.cli import main

REPO = Path(__file__).resolve().parents[1]

# the module's demo is the session's first run of `make demo` (tests/conftest.py first_demo),
# shared with the README journey of `make demo` and tests/test_cli.py: one xdist worker runs
# the tests that read it (--dist loadgroup)
pytestmark = pytest.mark.xdist_group("demo")


@pytest.fixture(scope="module")
def demo_log(first_demo) -> tuple[Path, str, str]:
    """`make demo`'s ``jinan-gis demo --out out`` at the journeys' ``--scale 0.1``, as a user
    runs it with stderr sent to a file, on a cold numba cache (its own folder):
    (out folder, stdout, the stderr file's text)."""
    assert "--scale" in first_demo.argv and "--quiet" not in first_demo.argv, first_demo.argv
    log = first_demo.log
    assert first_demo.returncode == 0, first_demo.stdout[-3000:] + log[-3000:]
    return first_demo.out, first_demo.stdout, log


def test_demo_log_has_one_line_per_step_and_no_warning(demo_log) -> None:
    _, stdout, log = demo_log
    assert "\x1b" not in log and "\r" not in log, repr(log[:500])  # no bars, no ESC [A
    lines = log.splitlines()
    assert not [x for x in lines if "warning" in x.lower()], log
    assert not [x for x in stdout.splitlines() if "warning" in x.lower()], stdout
    steps = [x for x in lines if re.match(r"\[\d+/\d+\] ", x)]
    assert steps == lines, log  # nothing but the steps
    total = int(steps[0].split("/")[1].split("]")[0])
    assert len(steps) == total and steps[-1] == f"[{total}/{total}] write summary.md"
    # cold cache: the kernels compile first, in their own step, before the analysis
    assert steps[0].startswith("[1/") and "compiling the network kernels (first run only" \
        in steps[0], steps
    assert any("evaluate" in s for s in steps[1:]) and any("write map.html" in s for s in steps)


def test_summary_in_percent_with_names_and_no_timings(demo_log) -> None:
    out, stdout, _ = demo_log
    md = (out / "summary.md").read_text(encoding="utf-8")
    assert "Timings" not in md and "Timings" not in stdout
    rows = [x for x in md.splitlines() if x.startswith("| L-CLINIC-1000 ")]
    assert len(rows) == 1, md
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    assert cells[1] == "历城区 Licheng (370112)", cells
    assert re.fullmatch(r"\d+(\.\d)? %", cells[2]) and cells[3] == "100 %", cells
    assert "市中区 Shizhong (370103)" in md
    # no bare fraction like 0.348 or 0.000278 in the metric table
    table = [x for x in md.splitlines() if x.startswith("| ") and not x.startswith("| metric")]
    assert not [x for x in table if re.search(r"\| 0\.\d+ \|", x)], table
    # sub-districts by name and 12-digit code
    assert re.search(r"Least-served sub-districts.*\n- L-CLINIC-1000, 历城区 Licheng \(370112\): "
                     r"\S+街道 \(370112\d{6}\) \d", md), md


def test_timings_only_when_asked(tmp_path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["report", "--scale", "0.05", "--metric", "L-CLINIC-1000", "--out", str(out),
                 "--timings"]) == 0
    printed = capsys.readouterr().out
    md = (out / "summary.md").read_text(encoding="utf-8")
    assert "## Timings (s)" in md and "## Timings (s)" in printed
    section = md.split("## Timings (s)")[1]
    assert re.search(r"^- evaluate \(all metrics\): \d+\.\d\d$", section, re.M), section
    assert re.search(r"^- write map\.html: \d+\.\d\d$", section, re.M), section


def test_steps_write_plain_lines_off_a_terminal(tmp_path) -> None:
    with open(tmp_path / "log.txt", "w", encoding="utf-8") as f:
        with Steps(3, stream=f) as steps:
            assert steps.mode == "lines" and not steps.bars
            for name in ("a", "b", "c"):
                steps.step(name)
    assert (tmp_path / "log.txt").read_text(encoding="utf-8") == "[1/3] a\n[2/3] b\n[3/3] c\n"
    quiet = Steps(3, enabled=False, stream=f)
    quiet.step("a")
    assert quiet.mode == "off"


def test_quick_start_notebook_shows_a_map_and_two_plots() -> None:
    nb = json.loads((REPO / "notebooks" / "01_quick_start.ipynb").read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    pngs = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(pngs) == 2, len(pngs)
    html = ["".join(o["data"]["text/html"]) for o in outputs
            if o["output_type"] in ("execute_result", "display_data")
            and "text/html" in o.get("data", {})]
    maps = [h for h in html if "leaflet" in h.lower() and ("folium" in h.lower() or "L.map" in h
                                                           or "L&#46;map" in h)]
    assert maps, "no inline map output"
    # the cells that print numbers explain them and check them
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert code.count("assert ") >= 10
    assert not [o for o in outputs if o.get("name") == "stderr"
                and "Warning" in "".join(o.get("text", ""))]
