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
