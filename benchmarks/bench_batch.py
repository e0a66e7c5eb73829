#!/usr/bin/env python
"""Benchmark the batch runner: serial vs a 2-worker Dask LocalCluster on the same jobs.

SYNTHETIC sample only (``build_sample(scale=...)``, seeded), written to a GeoPackage layer
store.  The batch: every sub-district zone of both districts plus the two whole districts,
each under 5 scenarios of the clinic metric ``L-CLINIC-1000`` (baseline 1000 m; 500 m;
1500 m; 3 proposed clinics at the zone's most populous points; the same at 500 m), so
(38 + 2) x 5 = 200 jobs in 40 tasks at the default scale.

The serial run happens in a fresh subprocess (so its peak RSS is its own), the Dask run on a
``LocalCluster`` of worker processes started here (cluster start-up is timed separately and
not counted in the batch wall time).  Both store their results (``results_path``) as a real
run would.  The two report tables must be identical (``check_exact=True``).

Usage::

    python benchmarks/bench_batch.py                  # scale 1.0, 2 workers
    python benchmarks/bench_batch.py --scale 0.2      # quicker
    python benchmarks/bench_batch.py --workers 2 --threads-per-worker 1

Results are printed and written to ``out/bench_batch.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jinan_gis.analyses.batch_runner import peak_rss_mib  # VmHWM: a worker's own peak

ROOT = Path(__file__).resolve().parents[1]
METRIC = "L-CLINIC-1000"


def make_jobs(store: Path) -> list:
    """The benchmark batch (see the module docstring)."""
    import numpy as np
    import pyogrio
    import shapely

    from jinan_gis.analyses.batch import BASELINE, Job, WhatIf

    zones = pyogrio.read_dataframe(store, layer="zones")
    pop = pyogrio.read_dataframe(store, layer="population")
    pxy = shapely.get_coordinates(pop.geometry.to_numpy())
    w = pop["population"].to_numpy()
    areas = [*zones["zone_id"].astype(str), "370112", "370103"]
    geoms = [*zones.geometry, None, None]
    jobs = []
    for area, geom in zip(areas, geoms, strict=True):
        if geom is None:  # a whole district: its people are every zone's people
            inside = (pop["district_code"] == area).to_numpy()
        else:
            inside = shapely.intersects_xy(geom, pxy[:, 0], pxy[:, 1])
        idx = np.flatnonzero(inside)
        top = idx[np.argsort(-w[idx], kind="stable")[:3]]
        sites = [tuple(p) for p in pxy[top]]
        scenarios = [
            BASELINE,
            WhatIf("d500", max_dist_m=500),
            WhatIf("d1500", max_dist_m=1500),
            WhatIf("sites3", add_sites_xy=sites),
            WhatIf("sites3-d500", add_sites_xy=sites, max_dist_m=500),
        ]
        jobs += [Job(f"{area}.{sc.name}", area, metric=METRIC, scenario=sc) for sc in scenarios]
    return jobs


def child_serial(store: Path, results: Path) -> None:
    """Run the batch serially in this (fresh) process; print wall time and peak RSS as JSON."""
    from jinan_gis.analyses.batch import run_batch

    jobs = make_jobs(store)
    rss_before = peak_rss_mib()
    t0 = time.perf_counter()
    res = run_batch(jobs, store_path=store, results_path=results, quiet=True)
    wall = time.perf_counter() - t0
    print(json.dumps({"wall_s": wall, "peak_rss_mib": peak_rss_mib(),
                      "rss_before_run_mib": rss_before, "ok": res.ok,
                      "executed": len(res.executed), "rows": len(res.table)}))


def run_on_cluster(jobs: list, store: Path, results: Path, ns: argparse.Namespace):
    """Run the batch on a fresh LocalCluster; (result, start-up s, idle RSS, peak RSS)."""
    from distributed import Client, LocalCluster

    from jinan_gis.analyses.batch import run_batch

    t = time.perf_counter()
    cluster = LocalCluster(n_workers=ns.workers, threads_per_worker=ns.threads_per_worker,
                           processes=True, dashboard_address=None)
    client = Client(cluster)
    start_s = time.perf_counter() - t
    try:
        baseline_rss = client.run(peak_rss_mib)
        res = run_batch(jobs, store_path=store, scheduler=client, results_path=results,
                        quiet=True)
        peak_rss = client.run(peak_rss_mib)
    finally:
        client.close()
        cluster.close()
    return res, start_s, baseline_rss, peak_rss


def summary(ns: argparse.Namespace, jobs: list, store: Path, serial: dict, res, *,
            start_s: float, per_worker: dict, idle: dict, speedup: float, identical: bool,
            load_before: tuple) -> dict:
    """The JSON record of one benchmark run."""
    n_areas = len({j.area for j in jobs})
    return {
        "sample_scale": ns.scale,
        "synthetic": True,
        "n_jobs": len(jobs),
        "n_areas": n_areas,
        "n_rows": len(res.table),
        "metric": METRIC,
        "scenarios": ["baseline", "d500", "d1500", "sites3", "sites3-d500"],
        "store_mib": round(store.stat().st_size / 2**20, 2),
        "serial": {"wall_s": round(serial["wall_s"], 2),
                   "peak_rss_mib": round(serial["peak_rss_mib"], 1)},
        "dask": {
            "n_workers": ns.workers,
            "threads_per_worker": ns.threads_per_worker,
            "processes": True,
            "wall_s": round(res.wall_s, 2),
            "cluster_start_s": round(start_s, 2),
            "peak_rss_mib_per_worker": per_worker,
            "idle_rss_mib_per_worker": idle,
            "failed_jobs": len(res.failures),
        },
        "speedup": round(speedup, 2),
        "tables_identical": identical,
        "machine": {"cpus": os.cpu_count(), "load_average_before": round(load_before[0], 2),
                    "python": platform.python_version()},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads-per-worker", type=int, default=1)
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "bench_batch.json")
    ap.add_argument("--child-serial", nargs=2, metavar=("STORE", "RESULTS"), help=argparse.SUPPRESS)
    ns = ap.parse_args(argv)
    if ns.child_serial:
        child_serial(Path(ns.child_serial[0]), Path(ns.child_serial[1]))
        return 0

    import pandas as pd

    from jinan_gis.layers.sample import build_sample

    work = Path(tempfile.mkdtemp(prefix="bench_batch_"))
    load_before = os.getloadavg()
    t = time.perf_counter()
    store = build_sample(scale=ns.scale).write(work / "sample.gpkg")
    build_s = time.perf_counter() - t
    jobs = make_jobs(store)
    n_areas = len({j.area for j in jobs})
    print(f"store: scale {ns.scale}, {store.stat().st_size / 2**20:.1f} MiB, built in "
          f"{build_s:.1f} s; {len(jobs)} jobs over {n_areas} areas "
          f"(load average before: {load_before[0]:.2f})")

    # ---- serial, in a fresh process
    proc = subprocess.run(
        [sys.executable, __file__, "--child-serial", str(store), str(work / "serial")],
        capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        return 1
    serial = json.loads(proc.stdout.strip().splitlines()[-1])
    serial_table = pd.read_parquet(work / "serial" / "report.parquet")
    print(f"serial: {serial['wall_s']:.1f} s, peak RSS {serial['peak_rss_mib']:.0f} MiB")

    # ---- Dask LocalCluster
    res, start_s, baseline_rss, peak_rss = run_on_cluster(jobs, store, work / "dask", ns)
    identical = True
    try:
        pd.testing.assert_frame_equal(serial_table, res.table, check_exact=True)
    except AssertionError as exc:
        identical = False
        print(f"TABLES DIFFER: {exc}", file=sys.stderr)
    speedup = serial["wall_s"] / res.wall_s
    per_worker = {str(i): round(v, 1) for i, v in enumerate(peak_rss.values())}
    idle = {str(i): round(v, 1) for i, v in enumerate(baseline_rss.values())}
    print(f"dask ({ns.workers} workers x {ns.threads_per_worker} thread): {res.wall_s:.1f} s "
          f"(+{start_s:.1f} s cluster start), speed-up x{speedup:.2f}")
    print(f"peak RSS per worker (MiB): {per_worker} (idle workers: {idle})")
    print(f"tables identical: {identical}; jobs failed: serial "
          f"{'none' if serial['ok'] else 'some'}, dask {len(res.failures)}")

    out = summary(ns, jobs, store, serial, res, start_s=start_s, per_worker=per_worker,
                  idle=idle, speedup=speedup, identical=identical, load_before=load_before)
    ns.out.parent.mkdir(parents=True, exist_ok=True)
    ns.out.write_text(json.dumps(out, indent=2), encoding="utf-8")
    print(f"wrote {ns.out}")
    return 0 if identical and res.ok and serial["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
