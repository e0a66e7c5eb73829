"""Benchmark: evaluate the whole metric catalogue on the SYNTHETIC demo sample (both districts).

Run: ``.venv/bin/python benchmarks/bench_catalogue.py [--scale 1.0] [--repeat 3]``.

Done-when of issue 17: :func:`jinan_gis.analyses.report.evaluate` of every catalogue entry on the
demo sample (``scale=1.0``, both districts) takes under 10 s on the 2-core machine. The street
network is built once beforehand (as ``run_report`` does; its time is reported apart), the
numba kernels are warmed up by a first, untimed run, and each timed run keeps the garbage
collector on (as a user's run does). The machine's load average is printed beside the times,
because the machine may be shared. Writes ``out/bench_catalogue.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import platform
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="sample density (1.0 = the demo)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs")
    ap.add_argument("--out", type=Path, default=REPO / "out" / "bench_catalogue.json")
    args = ap.parse_args(argv)

    from jinan_gis.analyses.catalogue import CATALOGUE
    from jinan_gis.analyses.report import evaluate
    from jinan_gis.analyses.workflow import build_inputs, street_network

    gc.enable()
    t = time.perf_counter()
    inputs = build_inputs(scale=args.scale)
    t_inputs = time.perf_counter() - t
    t = time.perf_counter()
    inputs = dataclasses.replace(inputs, network=street_network(inputs.streets))
    t_network = time.perf_counter() - t
    evaluate(inputs, progress=False)  # warm-up: numba kernels compiled / loaded
    times, loads = [], []
    for _ in range(args.repeat):
        loads.append(os.getloadavg()[0])
        t = time.perf_counter()
        rep = evaluate(inputs, progress=False)
        times.append(time.perf_counter() - t)
    counts = rep.status_counts()
    result = {
        "what": "evaluate(whole catalogue) on the SYNTHETIC demo sample, both districts",
        "scale": args.scale, "entries": len(CATALOGUE), "rows": len(rep.metrics),
        "population_points": len(inputs.population), "facilities": len(inputs.facilities),
        "status_counts": counts, "build_inputs_s": round(t_inputs, 2),
        "network_s": round(t_network, 2), "evaluate_s": [round(x, 2) for x in times],
        "evaluate_best_s": round(min(times), 2), "load_average_1min": [round(x, 2) for x in loads],
        "cpus": os.cpu_count(), "python": platform.python_version(), "gc": gc.isenabled(),
        "target_s": 10.0, "under_target": max(times) < 10.0,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"catalogue: {len(CATALOGUE)} entries, {len(rep.metrics)} rows "
          f"({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})")
    print(f"sample scale {args.scale}: {len(inputs.population):,} population points, "
          f"{len(inputs.facilities):,} facilities; inputs {t_inputs:.1f} s, network "
          f"{t_network:.1f} s (not counted)")
    for x, load in zip(times, loads, strict=True):
        print(f"evaluate: {x:.2f} s (gc on; 1-min load average {load:.2f} on "
              f"{os.cpu_count()} cores)")
    print(f"under 10 s: {result['under_target']} (worst {max(times):.2f} s); wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
