"""Shared fixtures and the suite's rules.

- Reference data lives in ``../shared`` beside the repository (read-only), or where
  ``JINAN_GIS_SHARED`` points.
- A skipped test is not a passed one: with ``CI=true`` (``.ci/run`` sets it) every skip is
  reported as a failure that says why it was skipped. Locally skips stay skips and ``-ra``
  (pyproject.toml) lists each with its reason.
- Tests never write into the repository: Hypothesis' example database and Numba's compiled
  cache go to a folder under the system's temporary directory (also for the ``jinan-gis``
  subprocesses and notebook kernels the tests start, which inherit the environment).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("JINAN_GIS_SHARED") or REPO.parent / "shared")

_STATE = Path(tempfile.gettempdir()) / "jinan-gis-tests"
# Set before hypothesis or numba first look at them (test modules are imported after this).
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(_STATE / "hypothesis"))
os.environ.setdefault("NUMBA_CACHE_DIR", str(_STATE / "numba"))


def on_ci() -> bool:
    """Whether this run is CI's (``CI=true``, as GitHub, GitLab and ``.ci/run`` set it)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def _skip_reason(longrepr: object) -> str:
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        path, line, reason = longrepr
        return f"{reason} ({path}:{line})"
    return str(longrepr)


def _fail_skip_on_ci(report: pytest.TestReport | pytest.CollectReport) -> None:
    if report.skipped and on_ci() and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = (
            f"skipped on CI (CI={os.environ.get('CI')}), which counts as a failure: "
            f"{_skip_reason(report.longrepr)}"
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    _fail_skip_on_ci(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    report = yield
    _fail_skip_on_ci(report)  # a module-level importorskip
    return report


def _xdist_groups(item: pytest.Item) -> list[str]:
    names = {str(m.args[0] if m.args else m.kwargs.get("name", "default"))
             for m in item.iter_markers("xdist_group")}
    return sorted(names)


def _early(item: pytest.Item) -> int:
    """0: the journeys (their longest first, tests/journeys/test_examples.py), 1: the
    notebooks (5-10 s each), 2: the rest; each module's tests stay together."""
    if (REPO / "tests" / "journeys") in item.path.parents:
        return 0
    return 1 if item.path.suffix == ".ipynb" else 2


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The long tests first (stable order otherwise), so that pytest-xdist does not end with
    one worker running a notebook while the other idles.

    ``--dist loadgroup`` (Makefile): tests marked ``xdist_group("name")`` share a worker,
    so that a module fixture they use is built once. pytest-xdist (<= 3.8) tells its
    scheduler the group by appending ``@name`` to the test id, through ``item._nodeid``,
    which pytest >= 9.2 no longer reads (structured node ids: pytest-xdist issue #1386, fix
    pending in #1388): nothing fails, the groups are silently spread over the workers. Here
    the suffix is put where this pytest keeps the id, when xdist's own attempt left none."""
    items.sort(key=_early)
    if not getattr(config.option, "loadgroup", False):  # set on the workers of loadgroup
        return
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # an older pytest: xdist's suffix works
        return
    for item in items:
        names = _xdist_groups(item)
        if not names or "@" in item.nodeid.rpartition("]")[2].rpartition("::")[2]:
            continue
        if isinstance(getattr(item, "_id", None), NodeId):
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(names)}")


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    """The repository root."""
    return REPO


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` or ``$JINAN_GIS_SHARED`` (reference data for tests only; never copied
    into the project). Missing: the test is skipped, which fails on CI."""
    if not SHARED.is_dir():
        pytest.skip(
            f"no reference data at {SHARED}: put the shared folder beside the repository "
            "or set JINAN_GIS_SHARED to it"
        )
    return SHARED
