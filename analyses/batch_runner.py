"""The batch runner: :func:`run_batch` schedules the jobs' tasks serially or on Dask, stores
each job's result and resumes from the stored ones.

Jobs are grouped by area into tasks (at most ``max_jobs_per_task`` each); a task reads its
area's inputs once (:func:`~jinan_gis.analyses.batch_partition.load_area`) and returns one
small table per job.  Tasks run in-process (``scheduler="serial"``), on a fresh
``LocalCluster`` (``"local"``), on an existing Dask cluster (``"tcp://host:8786"``) or on a
``distributed.Client`` you pass in; the same jobs give the same table, to the last digit,
whichever way they run.

Results are stored per job in ``results_path/jobs/<job_id>.parquet`` (atomic writes, with the
job and run settings in the file's metadata); a re-run loads the stored jobs whose settings are
unchanged and computes only the rest.  A failed job is reported with its error and traceback
(:attr:`BatchResult.failures`), the others complete, and it is retried on the next run.

Dask is optional (``pip install 'jinan-gis[cluster]'``); it is imported only when a scheduler
other than ``"serial"`` is asked for.

Examples
--------
>>> peak_rss_mib() > 0
True
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..geo.errors import BatchError
from ..geo.files import atomic_path, write_text_atomic
from ..geo.modes import MODES
from .batch_jobs import Job, JobPlan, empty_report, job_table, normalise_report, plan_job
from .batch_partition import (
    DEFAULT_LAYERS,
    PartitionOptions,
    area_sizes_m2,
    island_parts,
    load_area,
)

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["BatchResult", "peak_rss_mib", "run_batch"]

log = logging.getLogger(__name__)

_JOB_COLUMNS = ["job_id", "status", "seconds", "load_s", "worker", "error", "traceback"]
_META_KEY = b"jinan_gis_batch_job"


# ----------------------------------------------------------------------------- result
@dataclass(frozen=True)
class BatchResult:
    """What :func:`run_batch` returns.

    Attributes
    ----------
    table : pandas.DataFrame
        The report: one row per (job, group), in job order, columns
        :data:`~jinan_gis.analyses.batch_jobs.REPORT_COLUMNS`.
    jobs : pandas.DataFrame
        One row per job: ``job_id``, ``status`` (``"done"``: computed now, ``"stored"``:
        loaded from ``results_path``, ``"failed"``), ``seconds`` (the job's own compute),
        ``load_s`` (reading and network building, shared by the jobs of a task), ``worker``,
        ``error`` and ``traceback``.
    wall_s : float
    scheduler : str
    worker_peak_rss_mib : dict
        Peak resident memory of each worker process (of this process when serial).
    """

    table: pd.DataFrame
    jobs: pd.DataFrame
    wall_s: float
    scheduler: str
    worker_peak_rss_mib: dict[str, float] = field(default_factory=dict)

    @property
    def failures(self) -> pd.DataFrame:
        """The failed jobs with their error and traceback."""
        return self.jobs[self.jobs["status"] == "failed"].reset_index(drop=True)

    @property
    def executed(self) -> list[str]:
        """Ids of the jobs computed in this run (failed ones included)."""
        return self.jobs.loc[self.jobs["status"] != "stored", "job_id"].tolist()

    @property
    def skipped(self) -> list[str]:
        """Ids of the jobs whose stored results were reused."""
        return self.jobs.loc[self.jobs["status"] == "stored", "job_id"].tolist()

    @property
    def ok(self) -> bool:
        """True when no job failed."""
        return bool((self.jobs["status"] != "failed").all())


@dataclass
class _Outcome:
    job_id: str
    table: pd.DataFrame | None = None
    error: str = ""
    traceback: str = ""
    seconds: float = 0.0
    load_s: float = 0.0
    worker: str = ""


# ----------------------------------------------------------------------------- one task
def _worker_name() -> str:
    dist = sys.modules.get("distributed")  # never imported here: serial runs stay Dask-free
    if dist is None:
        return "serial"
    try:
        return str(dist.get_worker().address)
    except ValueError:  # not inside a worker
        return "serial"


def _run_task(
    area: str, jobs: list[Job], islands: np.ndarray | None, opts: PartitionOptions
) -> list[_Outcome]:
    """One task: read the area's inputs once, then compute each job (errors kept per job)."""
    worker = _worker_name()
    outcomes: dict[str, _Outcome] = {j.job_id: _Outcome(j.job_id, worker=worker) for j in jobs}
    plans: dict[str, JobPlan] = {}
    for job in jobs:
        try:
            plans[job.job_id] = plan_job(job)
        except Exception as exc:
            _fail(outcomes[job.job_id], exc)
    if not plans:
        return list(outcomes.values())
    t0 = time.perf_counter()
    try:
        reach = max(p.reach_m for p in plans.values())
        need_urban = any(p.rural_max_dist_m is not None for p in plans.values())
        loaded = load_area(opts, area, reach_m=reach, islands=islands, need_urban=need_urban)
    except Exception as exc:
        for jid in plans:
            _fail(outcomes[jid], exc)
        return list(outcomes.values())
    load_s = time.perf_counter() - t0
    for job in jobs:
        if job.job_id not in plans:
            continue
        o = outcomes[job.job_id]
        o.load_s = load_s
        t1 = time.perf_counter()
        try:
            o.table = job_table(job, plans[job.job_id], loaded, max_snap_m=opts.max_snap_m)
        except Exception as exc:
            _fail(o, exc)
        o.seconds = time.perf_counter() - t1
    return list(outcomes.values())


def _fail(outcome: _Outcome, exc: BaseException) -> None:
    outcome.error = f"{type(exc).__name__}: {exc}"
    outcome.traceback = "".join(traceback.format_exception(exc))


def _failed(jobs: Iterable[Job], exc: BaseException, *, worker: str = "") -> list[_Outcome]:
    """Every job of a task that could not run, failed with ``exc``."""
    out = [_Outcome(j.job_id, worker=worker) for j in jobs]
    for o in out:
        _fail(o, exc)
    return out


def _tasks(jobs: Sequence[Job], max_jobs_per_task: int) -> list[tuple[str, list[Job]]]:
    by_area: dict[str, list[Job]] = {}
    for job in jobs:
        by_area.setdefault(job.area, []).append(job)
    out = []
    for area, js in by_area.items():
        for i in range(0, len(js), max_jobs_per_task):
            out.append((area, js[i : i + max_jobs_per_task]))
    return out


def peak_rss_mib() -> float:
    """Peak resident memory of this process in MiB.

    Linux's ``VmHWM`` (reset by ``exec``); ``ru_maxrss`` is not used there because a spawned
    worker inherits its parent's value across ``fork`` + ``exec``.
    """
    with contextlib.suppress(OSError), open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    import resource  # elsewhere: the best we have (KiB on Linux, bytes on macOS)

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024.0


# ----------------------------------------------------------------------------- storage
def _job_file(results: Path, job_id: str) -> Path:
    return results / "jobs" / f"{job_id}.parquet"


def _spec(job: Job, settings: Mapping[str, Any]) -> str:
    return json.dumps({"job": job.to_dict(), "settings": dict(settings)}, sort_keys=True)


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:  # pyarrow ships with the cluster extra
        raise BatchError("storing results needs pyarrow: pip install 'jinan-gis[cluster]' (or "
                         "run without results_path).") from exc
    return pa, pq


def _write_parquet(path: Path, table: pd.DataFrame, *, spec: str | None = None) -> None:
    """Write ``table`` atomically, with the job's ``spec`` in the file's metadata."""
    pa, pq = _pyarrow()
    tbl = pa.Table.from_pandas(table, preserve_index=False)
    if spec is not None:
        tbl = tbl.replace_schema_metadata({**(tbl.schema.metadata or {}),
                                           _META_KEY: spec.encode()})
    with atomic_path(path) as tmp:
        pq.write_table(tbl, tmp)


def _stored_job(results: Path, job: Job, spec: str) -> pd.DataFrame | None:
    path = _job_file(results, job.job_id)
    if not path.exists():
        return None
    _, pq = _pyarrow()
    try:
        tbl = pq.read_table(path)
    except Exception as exc:  # a damaged file: compute the job again
        log.warning("%s: unreadable stored result (%s); computing the job again", path, exc)
        return None
    if (tbl.schema.metadata or {}).get(_META_KEY, b"").decode() != spec:
        log.info("job %s: stored with other settings; computing it again", job.job_id)
        return None
    return normalise_report(tbl.to_pandas())


def _store_identity(path: Path) -> dict[str, Any]:
    st = path.stat()
    return {"path": str(path.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _write_summary(results: Path, table: pd.DataFrame, failures: pd.DataFrame) -> None:
    """``report.parquet`` (the gathered table) and ``failures.json`` in ``results``."""
    _write_parquet(results / "report.parquet", table)
    fails = failures[["job_id", "error", "traceback"]].to_dict("records")
    write_text_atomic(results / "failures.json", json.dumps(fails, ensure_ascii=False, indent=1))


# ----------------------------------------------------------------------------- scheduling
def _open_client(
    scheduler: Any, *, n_workers: int, threads_per_worker: int, memory_limit: str | float,
    processes: bool,
) -> tuple[Client, list[Any]]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise BatchError("scheduler needs Dask: pip install 'jinan-gis[cluster]' (dask, "
                         "distributed, pyarrow), or run with scheduler='serial'.") from exc
    if isinstance(scheduler, Client):
        return scheduler, []
    if scheduler == "local":
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker,
                               memory_limit=memory_limit, processes=processes,
                               dashboard_address=None)
        client = Client(cluster)
        return client, [client, cluster]
    client = Client(str(scheduler))
    return client, [client]


def _scheduler_name(scheduler: Any) -> str:
    if isinstance(scheduler, str):
        return scheduler
    return f"client:{getattr(getattr(scheduler, 'scheduler', None), 'address', '?')}"


_Accept = Callable[[_Outcome], None]


def _run_serial(tasks: list[tuple[str, list[Job]]], opts: PartitionOptions,
                min_component_nodes: int, accept: _Accept, bar: Any) -> None:
    try:
        islands = None
        if tasks and min_component_nodes > 0:
            islands = island_parts(opts.store_path, layer=opts.layers["streets"], mode=opts.mode,
                                   min_component_nodes=min_component_nodes)
    except Exception as exc:  # every job needs the islands: all fail with this error
        for _, js in tasks:
            for o in _failed(js, exc, worker="serial"):
                accept(o)
            bar.update(len(js))
        return
    for area, js in tasks:
        for o in _run_task(area, js, islands, opts):
            accept(o)
        bar.update(len(js))


def _run_dask(scheduler: Any, tasks: list[tuple[str, list[Job]]], opts: PartitionOptions,
              min_component_nodes: int, accept: _Accept, bar: Any, **cluster: Any
              ) -> dict[str, float]:
    client, to_close = _open_client(scheduler, **cluster)
    try:
        from distributed import as_completed

        if tasks:
            token = uuid.uuid4().hex[:8]
            islands = None
            if min_component_nodes > 0:
                islands = client.submit(
                    island_parts, opts.store_path, layer=opts.layers["streets"], mode=opts.mode,
                    min_component_nodes=min_component_nodes, key=f"batch-islands-{token}",
                    pure=False,
                )
            # biggest areas first, so that no large task starts last while workers idle
            size = area_sizes_m2(opts, [area for area, _ in tasks])
            ranked = sorted(tasks, key=lambda t: -size[t[0]])
            futures = {
                client.submit(_run_task, area, js, islands, opts, priority=len(ranked) - i,
                              key=f"batch-task-{i}-{token}", pure=False): js
                for i, (area, js) in enumerate(ranked)
            }
            for fut in as_completed(list(futures)):
                js = futures[fut]
                try:
                    outcomes = fut.result()
                except Exception as exc:  # the task itself broke (worker lost, islands step...)
                    outcomes = _failed(js, exc)
                for o in outcomes:
                    accept(o)
                bar.update(len(js))
                fut.release()
        rss = client.run(peak_rss_mib)
        return {str(k): float(v) for k, v in rss.items()}
    finally:
        for obj in to_close:
            obj.close()


# ----------------------------------------------------------------------------- run_batch
def _checked_jobs(jobs: Iterable[Job]) -> list[Job]:
    jobs = list(jobs)
    for j in jobs:
        if not isinstance(j, Job):
            raise BatchError(f"run_batch takes Job objects, got {type(j).__name__}; build them "
                             "with Job(...), job_grid(...) or load_batch_file(...).")
    ids = [j.job_id for j in jobs]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise BatchError(f"duplicate job ids {dup[:5]}; give every job its own job_id.")
    return jobs


def _check_settings(store: Path, *, mode: str, max_jobs_per_task: int,
                    max_snap_m: float) -> None:
    if not store.is_file():
        raise BatchError(f"layer store {store} not found; write one with Sample.write(path) or "
                         "LayerStore.write(...).")
    if mode not in MODES:
        raise BatchError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}.")
    if max_jobs_per_task < 1:
        raise BatchError("max_jobs_per_task must be at least 1.")
    if not (np.isfinite(max_snap_m) and max_snap_m > 0):
        raise BatchError("max_snap_m must be a positive number of metres (e.g. 250).")


class _Ledger:
    """Each job's table and status as the run goes: stored ones first, then outcomes."""

    def __init__(self, jobs: list[Job], settings: Mapping[str, Any], results: Path | None):
        self.jobs = jobs
        self.results = results
        self.specs = {j.job_id: _spec(j, settings) for j in jobs}
        self.by_id = {j.job_id: j for j in jobs}
        self.tables: dict[str, pd.DataFrame] = {}
        self.rows: dict[str, dict[str, Any]] = {}

    def pending(self) -> list[Job]:
        """The jobs with no stored result of the same settings (loading those that have one)."""
        out = []
        for j in self.jobs:
            stored = (_stored_job(self.results, j, self.specs[j.job_id])
                      if self.results is not None else None)
            if stored is not None:
                self.tables[j.job_id] = stored
                self.rows[j.job_id] = {"status": "stored"}
            else:
                out.append(j)
        return out

    def accept(self, o: _Outcome) -> None:
        if o.table is not None:
            self.tables[o.job_id] = o.table
            if self.results is not None:
                _write_parquet(_job_file(self.results, o.job_id), o.table,
                               spec=self.specs[o.job_id])
        else:
            log.warning("batch job %s failed: %s", o.job_id, o.error)
        self.rows[o.job_id] = {"status": "done" if o.table is not None else "failed",
                               "seconds": o.seconds, "load_s": o.load_s, "worker": o.worker,
                               "error": o.error, "traceback": o.traceback}

    def table(self) -> pd.DataFrame:
        order = [j.job_id for j in self.jobs if j.job_id in self.tables]
        table = (pd.concat([self.tables[i] for i in order], ignore_index=True) if order
                 else empty_report())
        return normalise_report(table)

    def job_rows(self) -> pd.DataFrame:
        defaults = {"seconds": 0.0, "load_s": 0.0, "worker": "", "error": "", "traceback": ""}
        return pd.DataFrame([{"job_id": j.job_id, **defaults, **self.rows[j.job_id]}
                             for j in self.jobs], columns=_JOB_COLUMNS)


def run_batch(
    jobs: Iterable[Job],
    *,
    store_path: str | Path,
    scheduler: str | Client = "serial",
    results_path: str | Path | None = None,
    n_workers: int = 2,
    threads_per_worker: int = 1,
    memory_limit: str | float = "auto",
    processes: bool = True,
    mode: str = "walk",
    max_snap_m: float = 250.0,
    min_component_nodes: int = 100,
    max_jobs_per_task: int = 16,
    layers: Mapping[str, str] | None = None,
    quiet: bool = False,
) -> BatchResult:
    """Run coverage jobs serially or on Dask and gather one report table.

    Parameters
    ----------
    jobs : iterable of Job
        Unique ``job_id``\\ s.  Jobs for the same area share one task (inputs read once).
    store_path : path
        The layer store: a GeoPackage in EPSG:4548 with the layers of :data:`DEFAULT_LAYERS`
        (as :meth:`~jinan_gis.layers.sample.Sample.write` writes them).  Tasks read it
        themselves, so with a remote cluster it must be readable at this path on the workers.
    scheduler : {"serial", "local"}, a scheduler address or a distributed.Client
        ``"serial"``: in this process, no Dask.  ``"local"``: a ``LocalCluster`` with
        ``n_workers`` x ``threads_per_worker`` (``memory_limit`` per worker, worker processes
        unless ``processes=False``), closed afterwards.  ``"tcp://host:8786"``: an existing
        cluster (its workers need jinan-gis installed).  A ``Client``: used and left open.
    results_path : path, optional
        Folder for per-job results (``jobs/<job_id>.parquet``), the gathered
        ``report.parquet`` and ``failures.json``.  Jobs stored there with the same settings
        are not computed again.
    mode : {"walk", "bike", "drive"}
    max_snap_m : float
        Snap limit for people and facilities (also sets the margins of each partition).
    min_component_nodes : int
        Street pieces with fewer nodes are islands (decided on the whole street layer).
    max_jobs_per_task : int
        Most jobs of one area in one task.
    layers : mapping, optional
        Layer names in the store that differ from :data:`DEFAULT_LAYERS`.
    quiet : bool
        No progress bar.

    Returns
    -------
    BatchResult

    Raises
    ------
    BatchError
        Duplicate job ids, a missing store or a bad setting.  A failing *job* raises nothing:
        it is reported in :attr:`BatchResult.failures`.

    Examples
    --------
    See :mod:`jinan_gis.analyses.batch`; on a running cluster::

        run_batch(jobs, store_path="/shared/jinan.gpkg", scheduler="tcp://10.0.0.5:8786",
                  results_path="out/batch")
    """
    t0 = time.perf_counter()
    jobs = _checked_jobs(jobs)
    store = Path(store_path)
    _check_settings(store, mode=mode, max_jobs_per_task=max_jobs_per_task,
                    max_snap_m=max_snap_m)
    names = {**DEFAULT_LAYERS, **dict(layers or {})}
    opts = PartitionOptions(str(store), names, mode, float(max_snap_m))
    settings = {"store": _store_identity(store), "layers": names, "mode": mode,
                "max_snap_m": float(max_snap_m), "min_component_nodes": int(min_component_nodes)}
    results = Path(results_path) if results_path is not None else None
    if results is not None:
        _pyarrow()  # a missing optional reader fails now, not after every job has run
    ledger = _Ledger(jobs, settings, results)
    pending = ledger.pending()
    log.info("batch: %d jobs, %d stored, %d to run on %s", len(jobs), len(jobs) - len(pending),
             len(pending), _scheduler_name(scheduler))

    tasks = _tasks(pending, max_jobs_per_task)
    bar = tqdm(total=len(pending), desc="batch jobs", unit="job", disable=quiet or not pending)
    try:
        if scheduler == "serial":
            _run_serial(tasks, opts, min_component_nodes, ledger.accept, bar)
            rss = {"serial": peak_rss_mib()}
        else:
            rss = _run_dask(scheduler, tasks, opts, min_component_nodes, ledger.accept, bar,
                            n_workers=n_workers, threads_per_worker=threads_per_worker,
                            memory_limit=memory_limit, processes=processes)
    finally:
        bar.close()

    result = BatchResult(ledger.table(), ledger.job_rows(), time.perf_counter() - t0,
                         _scheduler_name(scheduler), rss)
    if results is not None:
        _write_summary(results, result.table, result.failures)
    n_fail = len(result.failures)
    log.info("batch: %d done, %d stored, %d failed in %.1f s", len(result.executed) - n_fail,
             len(result.skipped), n_fail, result.wall_s)
    return result
