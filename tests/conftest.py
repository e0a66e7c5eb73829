"""Shared fixtures and the suite's rules.

- Reference data lives in ``../shared`` beside the repository (read-only), or where
  ``JINAN_GIS_SHARED`` points.
- A skipped test is not a passed one: with ``CI=true`` (``.ci/run`` sets it) every skip is
  reported as a failure that says why it was skipped. Locally skips stay skips and ``-ra``
  (pyproject.toml) lists each with its reason.
- Tests never write into the repository: Hypothesis' example database and Numba's compiled
  cache (and Python's bytecode where PYTHONDONTWRITEBYTECODE is set) go to a folder under the
  system's temporary directory (also for the ``jinan-gis`` subprocesses and notebook kernels
  the tests start, which inherit the environment).
- Work several tests check is done once per run, also under pytest-xdist
  (:func:`once_per_run`): the numba kernels are compiled (or loaded) once before the first
  test, `make demo` is run once (:func:`first_demo`).
"""

from __future__ import annotations

import json
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("JINAN_GIS_SHARED") or REPO.parent / "shared")

_STATE = Path(tempfile.gettempdir()) / "jinan-gis-tests"
# Set before hypothesis or numba first look at them (test modules are imported after this).
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(_STATE / "hypothesis"))
os.environ.setdefault("NUMBA_CACHE_DIR", str(_STATE / "numba"))
# Bytecode: where PYTHONDONTWRITEBYTECODE keeps Python from writing .pyc files (no __pycache__
# in the repository), every xdist worker compiled the project and rewrote the tests' asserts
# anew (startup and collection of `pytest -n 2`: 19.0 -> 12.1 s of CPU with a cache), and every
# jinan-gis subprocess and notebook kernel compiled the project: they write their .pyc files
# under the state folder instead, never into the repository (the first run on a machine
# fills it: about 10 s of CPU once).
if os.environ.get("PYTHONDONTWRITEBYTECODE") and not os.environ.get("PYTHONPYCACHEPREFIX"):
    os.environ["PYTHONPYCACHEPREFIX"] = str(_STATE / "pycache")
    del os.environ["PYTHONDONTWRITEBYTECODE"]


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
    """Without recorded durations: 0: the journeys (their longest first,
    tests/journeys/test_examples.py), 1: the notebooks (5-10 s each), 2: the rest."""
    if (REPO / "tests" / "journeys") in item.path.parents:
        return 0
    return 1 if item.path.suffix == ".ipynb" else 2


# ----------------------------------------------------------------------------- durations
_DURATIONS = _STATE / "durations.json"
"""Seconds (setup + call + teardown) of each test in the last run that ran it, by test id,
merged by every run's controller at its end: the order of the next run."""


def _plain_id(nodeid: str) -> str:
    """A test id without the ``@group`` suffix that pytest-xdist's loadgroup adds."""
    head, at, group = nodeid.rpartition("@")
    return head if at and "]" not in group and "::" not in group else nodeid


def _read_durations() -> dict[str, float]:
    try:
        got = json.loads(_DURATIONS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in got.items()} if isinstance(got, dict) else {}


_RUN: dict[str, dict[str, float]] = {}
"""The controller's (or a run without xdist's) durations: 'known' from the file, 'measured'
in this run."""


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the controller, or a run without xdist
        _RUN["known"] = _read_durations()
        _RUN["measured"] = {}


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """pytest-xdist: every worker orders the tests by the durations the controller read,
    so that all of them collect the same order even if another run rewrites the file."""
    node.workerinput["jinan_gis_durations"] = _RUN.get("known", {})


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    measured = _RUN.get("measured")  # on the controller, the workers' reports come here
    if measured is not None:
        key = _plain_id(report.nodeid)
        measured[key] = measured.get(key, 0.0) + float(report.duration)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The controller merges this run's durations into the file (under a lock, atomically:
    other runs may be reading or writing it)."""
    measured = _RUN.get("measured")
    if not measured:
        return
    from filelock import FileLock

    _STATE.mkdir(parents=True, exist_ok=True)
    with FileLock(str(_DURATIONS) + ".lock", timeout=30):
        merged = {**_read_durations(), **{k: round(v, 3) for k, v in measured.items()}}
        tmp = _DURATIONS.with_name(f"{_DURATIONS.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(merged, sort_keys=True, indent=0), encoding="utf-8")
        os.replace(tmp, _DURATIONS)


def _order(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The modules (each module's tests together, in their own order) by their recorded
    time, longest first (the classic longest-job-first rule that lets two workers end
    together); modules never timed after them, journeys and notebooks first."""
    known = (config.workerinput.get("jinan_gis_durations") if hasattr(config, "workerinput")
             else _RUN.get("known")) or {}
    total: dict[Path, float] = {}
    for item in items:
        total[item.path] = total.get(item.path, 0.0) + known.get(_plain_id(item.nodeid), 0.0)
    items.sort(key=lambda it: (-round(total[it.path], 1), _early(it), str(it.path)))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The long tests first (stable order otherwise), so that pytest-xdist does not end with
    one worker running a long test while the other idles (:func:`_order`).

    ``--dist loadgroup`` (Makefile): tests marked ``xdist_group("name")`` share a worker,
    so that a module fixture they use is built once. pytest-xdist (<= 3.8) tells its
    scheduler the group by appending ``@name`` to the test id, through ``item._nodeid``,
    which pytest >= 9.2 no longer reads (structured node ids: pytest-xdist issue #1386, fix
    pending in #1388): nothing fails, the groups are silently spread over the workers. Here
    the suffix is put where this pytest keeps the id, when xdist's own attempt left none."""
    _order(config, items)
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


# ----------------------------------------------------------------------------- once per run
T = TypeVar("T")


def once_per_run(tmp_path_factory: pytest.TempPathFactory, name: str,
                 make: Callable[[Path], T]) -> T:
    """``make(folder)`` once per test run, its result shared by every pytest-xdist worker:
    the first worker to ask runs it under a file lock in a folder of the run's base
    temporary directory and pickles the result there; the others wait for the lock and read
    it. A ``make`` that raises is run again by the next worker that asks (and fails there
    too)."""
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # .../pytest-N/popen-gwK -> .../pytest-N, shared by the workers
    folder = base / f"once-{name}"
    done = base / f"once-{name}.pickle"
    with FileLock(str(base / f"once-{name}.lock")):
        if done.exists():
            return pickle.loads(done.read_bytes())
        folder.mkdir(exist_ok=True)
        result = make(folder)
        done.write_bytes(pickle.dumps(result))
        return result


def _warm_kernels(folder: Path) -> float:
    import time

    from jinan_gis.geo import _kernels
    from jinan_gis.geo.service_area import warm_up_kernels

    t = time.perf_counter()
    warm_up_kernels()
    _kernels.warm_up()
    return time.perf_counter() - t


@pytest.fixture(scope="session", autouse=True)
def numba_kernels_compiled(tmp_path_factory: pytest.TempPathFactory) -> float:
    """The network kernels are in numba's cache (``NUMBA_CACHE_DIR`` above) before the first
    test: compiled once per run on a cold cache (a fresh machine, or a kernel source just
    edited) instead of once in each xdist worker and in every ``jinan-gis`` subprocess that
    starts before the first compile is written. About 0.3 s on a warm cache (seconds: the
    fixture's value)."""
    return once_per_run(tmp_path_factory, "numba", _warm_kernels)


@pytest.fixture(scope="session")
def first_demo(tmp_path_factory: pytest.TempPathFactory):
    """`make demo`'s command run once per test run as a user runs it the first time
    (tests/journeys/journeys.py ``first_demo``: a subprocess, stderr to ``log.txt``, a cold
    numba cache of its own): the README journey of `make demo`, tests/test_quiet.py and
    tests/test_cli.py check that one run (its answer, its log, its files). Its tests share the
    xdist group ``demo``, so one worker runs it while the other goes on."""
    from journeys.journeys import first_demo as run

    return once_per_run(tmp_path_factory, "demo", run)
