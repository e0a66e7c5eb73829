"""Every example of README.md and of the ``--help`` texts, run for real, answers checked.

The examples are extracted from the files at collection time, so a new example is a new test
case; one that no journey can run fails here (teach :mod:`.journeys` how to run and check it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .examples import Example, all_examples, readme_examples
from .journeys import EXE, add_scale, handles, run_example
from .standins import SCALE

EXAMPLES = all_examples()

# the longest journeys first, so that pytest -n 2 starts them early on both workers
# ("sites" runs at the demo's scale: 5-7 s each)
_EXPENSIVE = ("report", "demo", "batch", "run_batch(", "evaluate(", "import", "fetch", "sites")


def _cost(e: Example) -> int:
    return -sum(k in e.text for k in _EXPENSIVE)


def _runs_make_demo(e: Example) -> bool:
    return ("make", "demo") in e.commands


def _param(e: Example):
    marks = [pytest.mark.journey_expensive] if _cost(e) < 0 else []
    if _runs_make_demo(e):  # checks the session's run of `make demo` (tests/conftest.py)
        marks.append(pytest.mark.xdist_group("demo"))
    return pytest.param(e, id=e.id, marks=marks)


def test_examples_were_found() -> None:
    readme = readme_examples()
    kinds = {e.kind for e in readme}
    assert kinds == {"shell", "python"}, kinds
    assert any("import" in e.text for e in readme) and any("fetch" in e.text for e in readme)


def test_every_example_has_a_journey() -> None:
    orphans = [e.origin for e in EXAMPLES if not handles(e)]
    assert not orphans, (
        "examples no journey runs (add one to tests/journeys/journeys.py): " + "; ".join(orphans))


def test_a_new_example_without_a_journey_is_caught(tmp_path: Path) -> None:
    """The extractor sees fenced blocks and inline commands; an unknown one is an orphan."""
    readme = tmp_path / "README.md"
    readme.write_text(
        "# x\n\n```bash\njinan-gis coverage --category clinic --max-dist-m 500 \\\n"
        "    --out o\njinan-gis frobnicate --all\n```\n\nThen `jinan-gis sites --category "
        "culture\n--k 2` and `make demo`.\n\n```python\nprint(1)\n```\n", encoding="utf-8")
    got = readme_examples(readme)
    assert [e.kind for e in got] == ["shell", "python", "shell", "shell"]
    assert got[0].commands[0][-2:] == ("--out", "o")  # continuation line joined
    assert got[2].commands == (("jinan-gis", "sites", "--category", "culture", "--k", "2"),)
    assert [handles(e) for e in got] == [False, False, True, True]


def test_readme_sites_run_at_the_users_scale() -> None:
    """Every README `sites` command runs on the demo-size sample (the time bound where users
    hit it); a --help example repeating one of them (apart from --out) runs at the journeys'
    scale, as does no other command."""
    readme = [a for e in readme_examples() for a in e.commands if a[1:2] == ("sites",)]
    assert readme
    for argv in readme:
        a = [EXE, *argv[1:]]
        assert add_scale(a) == a, argv
    first = list(readme[0][1:])
    if "--out" in first:  # the same command writing to the default out/ (a --help example)
        i = first.index("--out")
        same = [EXE, *first[:i], *first[i + 2:]]
        assert add_scale(same)[-2:] == ["--scale", str(SCALE)], same


@pytest.mark.parametrize("example", [_param(e) for e in sorted(EXAMPLES, key=_cost)])
def test_example(example: Example, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    shared = (lambda: request.getfixturevalue("first_demo")) if _runs_make_demo(example) \
        else None
    j = run_example(example, tmp_path, first_demo=shared)
    print("\n".join(j.log))
    print({k: round(v, 1) for k, v in j.timings.items()})
