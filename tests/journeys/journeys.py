"""Run an extracted example for real and check that its answer is sane.

:func:`handler_for` maps one command line to the journey that runs and checks it (None: no
journey knows it, and the example's test fails). Shell examples run as subprocesses in the
journey's tmp folder with the environment's proxies pointed at a closed port on 127.0.0.1,
so an unexpected download fails instead of reaching the internet. Python examples are
executed in the tmp folder.
"""

from __future__ import annotations

import ast
import functools
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import checks, standins
from .examples import REPO, Example

EXE = shutil.which("jinan-gis", path=str(Path(sys.executable).parent)) or "jinan-gis"

SAMPLE_COMMANDS = {"demo", "report", "coverage", "sites"}
"""Subcommands that build the synthetic sample unless given --store or --scenario."""

TIMEOUT_S = {"sites": 60.0}
"""Per-command subprocess timeouts (seconds); the default is :data:`DEFAULT_TIMEOUT_S`."""
DEFAULT_TIMEOUT_S = 240.0

SITES_EXPECTED_S = 10.0
"""What ``sites`` should take at the journeys' scale; reported, asserted below 60 s."""


class NoJourney(AssertionError):
    """An example no journey knows how to run."""


class _Ctx(dict):
    """Substitution values, made on first use (the stand-in Overpass, the shared store)."""

    def __init__(self, journey: Journey):
        super().__init__(exe=EXE)
        self.journey = journey

    def __missing__(self, key: str) -> str:
        j = self.journey
        if key == "overpass_url":
            value = j.overpass().url
        elif key == "shared_store":
            value = str(standins.write_store(j.folder / "shared" / "jinan.gpkg"))
        else:
            raise KeyError(key)
        self[key] = value
        return value


@dataclass
class Journey:
    """One example's run: its folder, the stand-ins it started, what it ran and how long."""

    folder: Path
    log: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    _stub: object | None = None
    first_demo: Callable[[], FirstDemo] | None = None
    """The session's run of `make demo` (:func:`first_demo`), if the test has it."""

    def __post_init__(self) -> None:
        self.ctx = _Ctx(self)

    def overpass(self):
        if self._stub is None:
            self._stub = standins.sample_overpass().__enter__()
        return self._stub

    def close(self) -> None:
        if self._stub is not None:
            self._stub.__exit__(None, None, None)
            self._stub = None

    # ------------------------------------------------------------------ running commands
    def env(self) -> dict[str, str]:
        closed = "http://127.0.0.1:9"  # discard port: nothing listens, nothing leaves
        return {**os.environ, "PYTHONIOENCODING": "utf-8", "HTTP_PROXY": closed,
                "HTTPS_PROXY": closed, "http_proxy": closed, "https_proxy": closed,
                "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}

    def make_inputs(self, argv: list[str]) -> None:
        """Generate the stand-in files an example names (once per journey)."""
        for a in argv:
            maker = standins.FILES.get(Path(a).name)
            if maker is not None and not (self.folder / Path(a).name).exists():
                maker(self.folder)

    def run(self, argv: list[str], *, timeout: float = DEFAULT_TIMEOUT_S,
            ok: bool = True) -> subprocess.CompletedProcess:
        self.make_inputs(argv)
        t = time.perf_counter()
        try:
            out = subprocess.run(argv, cwd=self.folder, capture_output=True, text=True,
                                 env=self.env(), timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"{shlex.join(argv)} did not finish in {timeout:g} s") from exc
        dt = time.perf_counter() - t
        self.timings[shlex.join(argv[1:4])] = dt
        self.log.append(f"$ {shlex.join(argv)}  [{dt:.1f} s, exit {out.returncode}]")
        if ok:
            assert out.returncode == 0, (
                f"{shlex.join(argv)} exited {out.returncode}:\n{out.stdout[-2000:]}\n"
                f"{out.stderr[-3000:]}")
        return out


# ----------------------------------------------------------------------------- helpers
def opt(argv: list[str], name: str, default: str | None = None) -> str | None:
    """The value of option ``name`` (the last one given), else ``default``."""
    val = default
    for i, a in enumerate(argv):
        if a == name and i + 1 < len(argv):
            val = argv[i + 1]
        elif a.startswith(name + "="):
            val = a.split("=", 1)[1]
    return val


def opts(argv: list[str], name: str) -> list[str]:
    """Every value of a repeatable option."""
    return [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == name]


SCALE_EXEMPT = {"sites"}
"""Run at the example's own scale: ``sites`` once ran for minutes on the demo-size sample,
so its journey proves the bound (:data:`TIMEOUT_S`) where users hit it (once per command:
see :func:`_bound_proven_by_readme`)."""


def _without_out(argv: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The arguments after the program, without the --out option."""
    out: list[str] = []
    skip = False
    for a in argv[1:]:
        if skip:
            skip = False
        elif a == "--out":
            skip = True
        elif not a.startswith("--out="):
            out.append(a)
    return tuple(out)


@functools.cache
def _readme_commands() -> frozenset[tuple[str, ...]]:
    from .examples import readme_examples

    return frozenset(tuple(a) for e in readme_examples() for a in e.commands)


def _bound_proven_by_readme(argv: list[str]) -> bool:
    """Whether a README example runs this very command (apart from --out) at the example's
    scale while this one is not itself a README command: then the README journey proves the
    time bound and this one (a --help example) runs at :data:`standins.SCALE`."""
    readme = [a for a in _readme_commands() if re.fullmatch(r"(?:\.venv/bin/)?jinan-gis", a[0])]
    if tuple(argv[1:]) in {a[1:] for a in readme}:
        return False
    return _without_out(argv) in {_without_out(a) for a in readme}


def add_scale(argv: list[str]) -> list[str]:
    """Run sample-built commands at :data:`standins.SCALE` (the examples use the full-size
    sample when they give no --scale): substitution of the journeys' time budget."""
    sub = argv[1] if len(argv) > 1 else ""
    if sub in SCALE_EXEMPT and not _bound_proven_by_readme(argv):
        return argv
    if sub in SAMPLE_COMMANDS and not {"--store", "--scenario", "--scale"} & set(argv):
        return [*argv, "--scale", str(standins.SCALE)]
    return argv


def _jinan_argv(example_argv: tuple[str, ...], j: Journey) -> list[str]:
    return add_scale(standins.substitute_argv(example_argv, j.ctx))


# ----------------------------------------------------------------------------- commands
def run_demo(argv: tuple[str, ...], j: Journey) -> None:
    a = _jinan_argv(argv, j)
    j.run(a)
    checks.report_outputs(j.folder / opt(a, "--out", "out"), metric="L-CLINIC-1000",
                          synthetic=True)


def run_report(argv: tuple[str, ...], j: Journey) -> None:
    a = _jinan_argv(argv, j)
    j.run(a)
    out = j.folder / opt(a, "--out", "out")
    metrics = opts(a, "--metric")
    store = opt(a, "--store")
    checks.report_outputs(out, metric=metrics[0] if metrics else "L-CLINIC-1000",
                          synthetic=store is None, metrics=metrics or None,
                          store=None if store is None else j.folder / store)


def run_coverage(argv: tuple[str, ...], j: Journey) -> None:
    a = _jinan_argv(argv, j)
    if opt(a, "--out") is None:  # to read the table back (not a change of the answer)
        a += ["--out", "journey-coverage"]
    out = j.run(a)
    assert "share_network" in out.stdout, out.stdout
    checks.coverage_csv(j.folder / opt(a, "--out") / "coverage.csv",
                        districts=opts(a, "--district"), by_zone="--by-zone" in a,
                        synthetic=opt(a, "--store") is None and opt(a, "--scenario") is None)


def run_sites(argv: tuple[str, ...], j: Journey) -> None:
    a = _jinan_argv(argv, j)
    t = time.perf_counter()
    j.run(a, timeout=TIMEOUT_S["sites"])
    dt = j.timings["sites"] = time.perf_counter() - t
    if dt > SITES_EXPECTED_S:  # shared CI cores: a warning, the timeout is the failure
        warnings.warn(f"{shlex.join(a[1:])} took {dt:.1f} s (expected < {SITES_EXPECTED_S:g} s)",
                      stacklevel=1)
    checks.sites_outputs(j.folder / opt(a, "--out", "out"), k=int(opt(a, "--k", "5")),
                         synthetic=opt(a, "--store") is None)


def run_import(argv: tuple[str, ...], j: Journey) -> None:
    a = _jinan_argv(argv, j)
    out = j.run(a)
    checks.import_result(out.stdout, store=j.folder / opt(a, "--store", "out/store.gpkg"),
                         kind=opt(a, "--as"), name=opt(a, "--name") or opt(a, "--as"),
                         path=j.folder / a[2])


def run_fetch(argv: tuple[str, ...], j: Journey) -> None:
    a = _jinan_argv(argv, j)
    assert opt(a, "--overpass-url") is not None, "fetch journeys need --overpass-url"
    if opt(a, "--overpass-url") != j.ctx["overpass_url"]:
        raise AssertionError(f"{opt(a, '--overpass-url')} is not the local stand-in")
    a += ["--timeout-s", "30"]
    n0 = j.overpass().n_interpreter
    out = j.run(a)
    assert j.overpass().n_interpreter > n0 or opt(a, "--cache-dir"), "no Overpass request"
    checks.fetch_result(out.stdout, store=j.folder / opt(a, "--store", "out/store.gpkg"),
                        district=a[2], facilities="--facilities" in a)


def run_batch_cli(argv: tuple[str, ...], j: Journey) -> None:
    a = _jinan_argv(argv, j)
    if a[0] == "python":  # python -m jinan_gis.analyses.batch ...
        a[0] = sys.executable
    if opt(a, "--scheduler") == "local":  # two workers would fight the test workers
        a += ["--n-workers", "1", "--threads-per-worker", "1"]
    out = j.run(a)
    m = re.search(r"(\d+) rows from (\d+) jobs \((\d+) stored, (\d+) failed\)", out.stdout)
    assert m, out.stdout + out.stderr
    assert int(m.group(1)) > 0 and int(m.group(4)) == 0, out.stdout
    results = opt(a, "--results")
    if results:
        checks.batch_results(j.folder / results)


def run_help(argv: tuple[str, ...], j: Journey) -> None:
    from jinan_gis.cli import build_parser

    from .examples import _subparsers

    a = standins.substitute_argv(argv, j.ctx)
    names = [n for n, _ in _subparsers(build_parser())]
    commands = names if "<command>" in a else [None]
    for name in commands:
        run = [x for x in a if x != "<command>"]
        if name:
            run.insert(1, name)
        out = j.run(run)
        assert "usage:" in out.stdout, out.stdout


def run_listing(argv: tuple[str, ...], j: Journey) -> None:
    """``jinan-gis categories`` / ``jinan-gis metrics``: the names one can use."""
    a = standins.substitute_argv(argv, j.ctx)
    out = j.run(a)
    if a[1] == "categories":
        for name in ("clinic", "culture", "chc", "社区卫生服务中心", "图书馆"):
            assert name in out.stdout, f"{name} missing from:\n{out.stdout[:2000]}"
    else:
        from jinan_gis.analyses.catalogue import CATALOGUE

        for m in CATALOGUE:
            assert m.id in out.stdout, f"{m.id} missing from:\n{out.stdout[:2000]}"


def make_demo_command() -> tuple[str, ...]:
    """What `make demo` runs, read from the Makefile itself (dry run)."""
    out = subprocess.run(["make", "-n", "-C", str(REPO), "demo", "OUT=out"],
                         capture_output=True, text=True, timeout=60, check=True)
    line = next((ln for ln in out.stdout.splitlines() if "jinan-gis demo" in ln), None)
    assert line, f"make -n demo runs no 'jinan-gis demo':\n{out.stdout}"
    return tuple(shlex.split(line))


@dataclass(frozen=True)
class FirstDemo:
    """`make demo` run once per test session as on a fresh machine (:func:`first_demo`)."""

    argv: tuple[str, ...]
    folder: Path
    returncode: int
    stdout: str
    seconds: float

    @property
    def out(self) -> Path:
        return self.folder / opt(list(self.argv), "--out", "out")

    @property
    def log(self) -> str:
        """Its stderr, as the user's ``2> log.txt`` holds it."""
        return (self.folder / "log.txt").read_text(encoding="utf-8")


def first_demo(folder: Path) -> FirstDemo:
    """Run `make demo`'s command as a user runs it the first time: a subprocess in ``folder``
    with the journeys' environment (no way out but 127.0.0.1) and their --scale, stderr sent
    to ``log.txt``, on a cold numba cache of its own (``numba-cold``: the kernels compile in
    a step of their own), without PYTHONWARNINGS. One run serves several tests that check
    this very command (tests/conftest.py ``first_demo``): the README journey of `make demo`
    (its answer), tests/test_quiet.py (its log and summary), tests/test_cli.py (its files)."""
    j = Journey(folder)
    a = _jinan_argv(make_demo_command(), j)
    env = {**j.env(), "NUMBA_CACHE_DIR": str(folder / "numba-cold")}
    env.pop("PYTHONWARNINGS", None)
    t = time.perf_counter()
    with open(folder / "log.txt", "w", encoding="utf-8") as err:
        done = subprocess.run(a, cwd=folder, stdout=subprocess.PIPE, stderr=err, text=True,
                              env=env, timeout=600, check=False)
    return FirstDemo(tuple(a), folder, done.returncode, done.stdout, time.perf_counter() - t)


def run_make(argv: tuple[str, ...], j: Journey) -> None:
    target = argv[1] if len(argv) > 1 else ""
    if target == "demo":
        command = make_demo_command()
        shared = j.first_demo() if j.first_demo is not None else None
        if shared is None or list(shared.argv) != _jinan_argv(command, j):
            run_demo(command, j)  # not the session's run: run it here
            return
        # the session's run of this very command (tests/conftest.py first_demo)
        j.log.append(f"$ {shlex.join(shared.argv)}  [{shared.seconds:.1f} s, exit "
                     f"{shared.returncode}; the session's first run, cold numba cache]")
        assert shared.returncode == 0, (
            f"{shlex.join(shared.argv)} exited {shared.returncode}:\n{shared.stdout[-2000:]}\n"
            f"{shared.log[-3000:]}")
        checks.report_outputs(shared.out, metric="L-CLINIC-1000", synthetic=True)
    elif target == "test":
        # the journeys run inside `make test`: check what it runs instead of recursing
        out = subprocess.run(["make", "-n", "-C", str(REPO), "test"], capture_output=True,
                             text=True, timeout=60, check=True)
        for part in ("ruff check", "check_imports.py", "pytest"):
            assert part in out.stdout, f"make test does not run {part}:\n{out.stdout}"
    else:
        raise NoJourney(f"no journey for make target {target!r}")


JINAN_COMMANDS: dict[str, Callable[[tuple[str, ...], Journey], None]] = {
    "demo": run_demo,
    "report": run_report,
    "coverage": run_coverage,
    "sites": run_sites,
    "import": run_import,
    "fetch": run_fetch,
    "batch": run_batch_cli,
    "categories": run_listing,
    "metrics": run_listing,
}


def handler_for(argv: tuple[str, ...]) -> Callable[[tuple[str, ...], Journey], None] | None:
    """The journey that runs one command line of an example, or None."""
    if not argv:
        return None
    head = argv[0]
    if head == "make":
        return run_make if argv[1:2] in (("demo",), ("test",)) else None
    if head == "python" and argv[1:3] == ("-m", "jinan_gis.analyses.batch"):
        return run_help if {"--help", "-h"} & set(argv) else run_batch_cli
    if re.fullmatch(r"(?:\.venv/bin/)?jinan-gis", head):
        if {"--help", "-h"} & set(argv):
            return run_help
        return JINAN_COMMANDS.get(argv[1]) if len(argv) > 1 else None
    return None


# ----------------------------------------------------------------------------- Python
PYTHON_JOURNEYS: dict[str, Callable[[dict, object], None]] = {}


def python_journey(marker: str):
    """Register the check of Python examples whose text contains ``marker``."""

    def deco(fn):
        PYTHON_JOURNEYS[marker] = fn
        return fn

    return deco


@python_journey("run_batch(")
def _check_batch(ns: dict, last: object) -> None:
    res = ns["res"]
    assert res.failures.empty, res.failures[["job_id", "error"]].to_string()
    checks.coverage_table(res.table, column="share_network", name="run_batch table")


@python_journey("evaluate(")
def _check_notebook(ns: dict, last: object) -> None:
    checks.metrics_table(ns["report"].metrics, metrics=None, complete=True)
    if "coverage(" in ns["__source__"]:
        assert isinstance(last, pd.DataFrame), f"the last line gave {type(last)}"
        checks.coverage_table(last, column="share_network", name="coverage(...)",
                              districts=["370103", "370112"])


def handles(example: Example) -> bool:
    """Whether some journey runs every part of ``example``."""
    if example.kind == "python":
        return any(m in example.text for m in PYTHON_JOURNEYS)
    return bool(example.commands) and all(handler_for(a) for a in example.commands)


def run_example(example: Example, folder: Path, *,
                first_demo: Callable[[], FirstDemo] | None = None) -> Journey:
    """Run ``example`` in ``folder`` and check its answers; returns what was run.
    ``first_demo``: the session's run of `make demo`'s command, checked instead of a second
    run of the same command."""
    j = Journey(folder, first_demo=first_demo)
    try:
        if example.kind == "python":
            _run_python(example, j)
        else:
            if not example.commands:
                raise NoJourney(f"{example.origin}: no command lines")
            for argv in example.commands:
                fn = handler_for(argv)
                if fn is None:
                    raise NoJourney(f"{example.origin}: no journey runs {shlex.join(argv)!r}")
                fn(argv, j)
    finally:
        j.close()
    return j


def _run_python(example: Example, j: Journey) -> None:
    checks_to_run = [fn for m, fn in PYTHON_JOURNEYS.items() if m in example.text]
    if not checks_to_run:
        raise NoJourney(f"{example.origin}: no journey checks this Python example")
    src = standins.substitute_python(example.text, j.ctx)
    tree = ast.parse(src)
    last_expr = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    ns: dict = {"__name__": "__journey__", "__source__": src}
    cwd = os.getcwd()
    os.chdir(j.folder)
    try:
        t = time.perf_counter()
        exec(compile(tree, f"<{example.origin}>", "exec"), ns)
        last = None
        if last_expr is not None:
            last = eval(compile(ast.Expression(last_expr.value), f"<{example.origin}>",
                                "eval"), ns)
        j.timings["python"] = time.perf_counter() - t
    finally:
        os.chdir(cwd)
    for fn in checks_to_run:
        fn(ns, last)
