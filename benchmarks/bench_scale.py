"""Whole-run scaling: ``jinan-gis demo`` at sample scales 1, 3, 10, 30 (issue 15 item 5).

Each scale runs in a fresh Python process (the demo's own steps: import, build the SYNTHETIC
sample, compile/load the kernels, build the network, evaluate every metric, write
report.xlsx, layers.gpkg, map.html, summary.md), with the garbage collector on, as users run.
This process samples the child's resident memory (``/proc/<pid>/status`` VmRSS) every 10 ms
and splits it by the step lines the run prints on stderr (``[k/n] step``), so each step gets
its wall time (the run's own timings, ``report.timings``) and its peak RSS; the whole run
gets its wall time, CPU time and peak RSS (VmHWM), and the machine's load average is
recorded beside it (the numbers are only comparable on a quiet machine).

Answers are checked, not assumed:

- the metric values (every metric x district of ``report.metrics``) against a reference file
  written by the exact path (``--write-reference`` run with ``--tree`` pointing at a checkout
  of the code before the fast paths): shares to 0.1 percentage point, other values to 1e-9
  relative, the same status;
- the dissolved service areas (drawn on a raster above
  :data:`jinan_gis.geo.service_area.RASTER_MIN_PIECES` pieces) against the exact GEOS union
  (``method="exact"``) at the scales given by ``--check-areas`` (default 1 and 3): area within
  1 %, every reached street inside.

Run::

    python benchmarks/bench_scale.py                       # scales 1, 3, 10, 30
    python benchmarks/bench_scale.py --scales 1 3 --reps 3  # medians of 3
    # the exact reference, from a checkout of the code before the fast paths:
    git worktree add /tmp/exact 2b99dbc
    python benchmarks/bench_scale.py --tree /tmp/exact --write-reference \\
        out/bench_scale_reference.json --check-areas
    python benchmarks/bench_scale.py --reference out/bench_scale_reference.json

Writes ``out/bench_scale.json`` and prints one table per scale.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCALES = (1.0, 3.0, 10.0, 30.0)
SHARE_TOL = 0.001  # 0.1 percentage point
AREA_TOL = 0.01


# ----------------------------------------------------------------------------- the child
def _child(scale: float, out: str) -> None:
    """Run the demo's steps through the API (as ``jinan-gis demo --timings`` does) and print
    one JSON line with the timings, metric values and service-area areas."""
    t0 = time.perf_counter()
    print("[bench] import", file=sys.stderr, flush=True)
    from jinan_gis.analyses.workflow import build_inputs, run_report

    t_import = time.perf_counter() - t0
    print("[bench] build the sample", file=sys.stderr, flush=True)
    t = time.perf_counter()
    inputs = build_inputs(scale=scale)
    t_sample = time.perf_counter() - t
    run = run_report(inputs, out_dir=out, progress=True, timings=True)
    print("[bench] done", file=sys.stderr, flush=True)
    rep = run.report
    metrics = [
        {"metric_id": r.metric_id, "district": str(r.district), "unit": str(r.unit or ""),
         "status": str(r.status),
         "value": None if r.value is None or r.value != r.value else float(r.value)}
        for r in rep.metrics.itertuples()
    ]
    sa = rep.places.get("service_areas")
    areas = ({} if sa is None else
             {f"{d:g}": float(a) for d, a in zip(sa["max_dist_m"], sa["area_m2"], strict=True)})
    print(json.dumps({
        "scale": scale,
        "timings": {"import": t_import, "build the sample": t_sample, **rep.timings},
        "metrics": metrics,
        "service_area_m2": areas,
        "counts": {"streets": len(inputs.streets), "population": len(inputs.population),
                   "facilities": len(inputs.facilities)},
    }))


def _areas_child(scale: float, *, exact: bool) -> None:
    """Service areas of the demo's clinics, raster (and exact) at ``scale``: one JSON line."""
    import numpy as np
    import shapely

    from jinan_gis.analyses.catalogue import get_metric
    from jinan_gis.analyses.coverage import select_facilities
    from jinan_gis.analyses.workflow import build_inputs, street_network
    from jinan_gis.geo.crs import to_analysis_crs
    from jinan_gis.geo.service_area import (
        _piece_lines,
        reached_pieces,
        service_areas,
        warm_up_kernels,
    )

    warm_up_kernels()  # compiled or loaded here, not inside the timings
    inputs = build_inputs(scale=scale)
    net = street_network(inputs.streets)
    fac = select_facilities(to_analysis_crs(inputs.facilities, crs=net.crs),
                            get_metric("L-CLINIC-1000").categories)
    dists = [300.0, 500.0, 1000.0]
    out: dict[str, dict] = {}
    for method in ("raster", "exact") if exact else ("raster",):
        t = time.perf_counter()
        sa = service_areas(net, fac, max_dist_m=dists, dissolve=True, method=method)
        out[method] = {"seconds": time.perf_counter() - t,
                       "area_m2": [float(a) for a in sa["area_m2"]], "geoms": sa.geometry}
    pieces = reached_pieces(net, fac, max_dist_m=dists)
    if not exact:  # the raster's time and areas only (the exact union takes minutes)
        out["exact"] = {"seconds": None, "area_m2": [float("nan")] * 3,
                        "geoms": out["raster"]["geoms"]}
    inside = []
    for d, g in zip(dists, out["raster"]["geoms"], strict=True):
        lines = _piece_lines(net, pieces[pieces["max_dist_m"] == d])
        shapely.prepare(g)  # the streets lie 21 m or more inside the boundary: no tolerance
        inside.append(bool(shapely.contains(g, lines).all()))
    sym = [float(shapely.symmetric_difference(a, b).area / b.area) if exact else None
           for a, b in zip(out["raster"]["geoms"], out["exact"]["geoms"], strict=True)]
    print(json.dumps({
        "scale": scale, "pieces": len(pieces),
        "raster_s": out["raster"]["seconds"], "exact_s": out["exact"]["seconds"],
        "raster_m2": out["raster"]["area_m2"], "exact_m2": out["exact"]["area_m2"],
        "area_rel": [float(r / e - 1) for r, e in
                     zip(out["raster"]["area_m2"], out["exact"]["area_m2"], strict=True)],
        "symdiff_rel": sym, "streets_inside": inside,
        "ok": bool(all(inside) and (not exact or np.all(np.abs(
            np.array(out["raster"]["area_m2"]) / np.array(out["exact"]["area_m2"]) - 1)
            <= AREA_TOL))),
    }))


# ----------------------------------------------------------------------------- the parent
def _python_path(tree: Path | None, tmp: Path) -> str:
    """PYTHONPATH that makes ``import jinan_gis`` load ``tree`` (its source folders mapped as
    setup.cfg maps them); empty for this checkout (the installed editable package)."""
    if tree is None:
        return os.environ.get("PYTHONPATH", "")
    pkg = tmp / "pkg" / "jinan_gis"
    pkg.mkdir(parents=True, exist_ok=True)
    for f in (tree / "jinan_gis").iterdir():
        (pkg / f.name).symlink_to(f)
    for sub in ("geo", "layers", "analyses", "data"):
        (pkg / sub).symlink_to(tree / sub)
    return str(tmp / "pkg")


def _rss_kb(pid: int, field: str = "VmRSS") -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_child(args: list[str], *, pythonpath: str, cwd: Path) -> dict:
    """Run this file with ``args`` in a fresh process; sample its RSS; return its JSON line,
    the step lines it printed (with the peak RSS between each and the next), its wall and
    CPU time and its peak RSS."""
    env = {**os.environ, "PYTHONPATH": pythonpath, "PYTHONHASHSEED": "0"}
    load0 = os.getloadavg()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), *args], cwd=cwd,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    marks: list[list] = [["start", 0.0, 0]]
    peak = {"rss": 0, "hwm": 0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            rss = _rss_kb(proc.pid)
            peak["hwm"] = max(peak["hwm"], _rss_kb(proc.pid, "VmHWM"))
            marks[-1][2] = max(marks[-1][2], rss)
            time.sleep(0.01)

    def read_err() -> None:
        for line in proc.stderr:
            line = line.strip()
            if line.startswith("[") and "]" in line:
                marks.append([line.split("]", 1)[1].strip(), time.perf_counter() - t0,
                              _rss_kb(proc.pid)])
            elif line:
                errors.append(line)

    errors: list[str] = []
    threads = [threading.Thread(target=sample), threading.Thread(target=read_err)]
    for th in threads:
        th.start()
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"child {args} failed ({proc.returncode}):\n" + "\n".join(errors[-30:]))
    result = json.loads(out.strip().splitlines()[-1])
    result["wall_s"] = wall
    result["cpu_s"] = usage.ru_utime + usage.ru_stime
    result["peak_rss_mib"] = max(peak["hwm"], usage.ru_maxrss) / 1024
    result["step_peak_rss_mib"] = {m[0]: m[2] / 1024 for m in marks[1:]}
    result["loadavg_before"] = load0
    result["loadavg_after"] = os.getloadavg()
    return result


def check_metrics(got: list[dict], ref: list[dict]) -> list[str]:
    """Differences beyond the tolerances (shares 0.1 percentage point, else 1e-9 relative)."""
    want = {(r["metric_id"], r["district"]): r for r in ref}
    bad = []
    for r in got:
        w = want.pop((r["metric_id"], r["district"]), None)
        if w is None:
            bad.append(f"{r['metric_id']} {r['district']}: not in the reference")
            continue
        a, b = r["value"], w["value"]
        if (a is None) != (b is None) or r["status"] != w["status"]:
            bad.append(f"{r['metric_id']} {r['district']}: {a} {r['status']} vs {b} {w['status']}")
        elif a is not None:
            tol = SHARE_TOL if r["unit"].strip() == "" else 1e-9 * max(1.0, abs(b))
            if abs(a - b) > tol:
                bad.append(f"{r['metric_id']} {r['district']}: {a} vs {b} (tol {tol:g})")
    bad += [f"{k[0]} {k[1]}: missing" for k in want]
    return bad


def _step_of(name: str, peaks: dict[str, float]) -> str | None:
    """The progress step (with a peak RSS) that timing ``name`` belongs to, if it is one."""
    starts = {"network": "build the street network", "evaluate (all metrics)": "evaluate",
              "compile network kernels (first run)": "compil"}
    want = starts.get(name, name)
    return next((k for k in peaks if k == want or (name in starts and k.startswith(want))),
                None)


def _table(res: dict) -> str:
    rows = [f"scale {res['scale']:g}: wall {res['wall_s']:.1f} s, cpu {res['cpu_s']:.1f} s, "
            f"peak RSS {res['peak_rss_mib']:.0f} MiB, load {res['loadavg_before'][0]:.1f}"
            f" -> {res['loadavg_after'][0]:.1f}; {res['counts']}"]
    peaks = res["step_peak_rss_mib"]
    for name, sec in res["timings"].items():
        key = _step_of(name, peaks)
        mem = f"{peaks[key]:8.0f} MiB" if key else " " * 12
        rows.append(f"  {name:<42s} {sec:8.2f} s {mem}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scales", type=float, nargs="+", default=list(SCALES))
    ap.add_argument("--reps", type=int, default=1, help="runs per scale (the median is kept)")
    ap.add_argument("--tree", type=Path, help="run the code of this checkout instead")
    ap.add_argument("--reference", type=Path, help="metric values to check against")
    ap.add_argument("--write-reference", type=Path, help="write the metric values here")
    ap.add_argument("--check-areas", type=float, nargs="*", default=None,
                    help="scales at which raster service areas are checked against exact "
                         "ones (default 1 3 when given without values)")
    ap.add_argument("--exact-areas-up-to", type=float, default=10.0,
                    help="largest scale at which the exact service areas are also drawn")
    ap.add_argument("--out", type=Path, default=REPO / "out" / "bench_scale.json")
    ap.add_argument("--child", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--areas-child", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--child-out", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child is not None:
        _child(a.child, a.child_out)
        return 0
    if a.areas_child is not None:
        _areas_child(a.areas_child, exact=a.areas_child <= a.exact_areas_up_to)
        return 0
    ref = json.loads(a.reference.read_text()) if a.reference else {}
    report: dict = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                "platform": platform.platform()},
                    "tree": str(a.tree or REPO), "scales": {}, "areas": {}}
    failed: list[str] = []
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        pythonpath = _python_path(a.tree, tmp)
        for s in a.scales:
            runs = [run_child(["--child", str(s), "--child-out", str(tmp / f"out{s:g}_{i}")],
                              pythonpath=pythonpath, cwd=tmp) for i in range(a.reps)]
            res = sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2]
            res["wall_s_all"] = [r["wall_s"] for r in runs]
            print(_table(res), flush=True)
            key = f"{s:g}"
            if key in ref:
                bad = check_metrics(res["metrics"], ref[key])
                res["metrics_check"] = "ok" if not bad else bad
                print(f"  metric values vs the exact path: {'ok' if not bad else bad}")
                failed += [f"scale {key}: {b}" for b in bad]
            report["scales"][key] = res
        for s in ([1.0, 3.0] if a.check_areas == [] else a.check_areas or []):
            r = run_child(["--areas-child", str(s), "--exact-areas-up-to",
                           str(a.exact_areas_up_to)], pythonpath=pythonpath, cwd=tmp)
            report["areas"][f"{s:g}"] = r
            exact_s = "-" if r["exact_s"] is None else f"{r['exact_s']:.2f} s"
            print(f"service areas at scale {s:g} ({r['pieces']} pieces): raster "
                  f"{r['raster_s']:.2f} s, exact {exact_s}, area raster/exact - 1 = "
                  + ", ".join(f"{x:+.4f}" for x in r["area_rel"])
                  + f", streets inside {r['streets_inside']}: {'ok' if r['ok'] else 'FAIL'}")
            if not r["ok"]:
                failed.append(f"service areas at scale {s:g}")
    if a.write_reference:
        a.write_reference.parent.mkdir(parents=True, exist_ok=True)
        a.write_reference.write_text(json.dumps(
            {k: v["metrics"] for k, v in report["scales"].items()}, indent=1))
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(report, indent=1, default=str))
    print(f"wrote {a.out}")
    for f in failed:
        print("FAIL:", f)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
