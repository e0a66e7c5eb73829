#!/usr/bin/env python
"""Benchmark the street-network engine against a compiled C floor, scipy, NetworkX, pandana,
cityseer and networkit.

SYNTHETIC graphs only (``jinan_gis.geo.synthetic.street_grid``, seeded): ~10k, ~100k and ~400k
nodes (100x100, 316x316, 633x633) with 50 / 300 / 1500 facilities placed exactly on nodes of
the largest component, so every engine sees the same problem.  The garbage collector is ON in
every timer (as users run).

Tasks:

- (a)  nearest facility for every node, unbounded (distance + which facility);
- (b)  number of facilities within 1000 m of every node;
- (ab) nearest facility within 1000 m + count within 1000 m for every node: the task pandana
       and cityseer are built for, timed with their build step;
- (c)  1000 m service areas: node sets per facility, then polygons (ours only, 100k graph);
- (d)  400k graph: 1,000,000 uniform population points, snapped (max 300 m) and evaluated;
- FLOOR: (a) and (b) with the largest facility count against plain C Dijkstra (binary heap,
  and bucket queue where valid), compiled by this script with ``cc -O2`` from
  ``benchmarks/floor/dijkstra.c`` (``network_floor.py``): answers checked equal first, then
  ours and C back to back in one process, medians of ``--reps`` runs (ratios of medians);
- cityseer's facility-centric count (``poll_reach_hits``) against ours in one process;
- BUILD: ``build_network`` on the largest grid as street lines + the snapping index, GC on,
  time and peak memory, each in a fresh process (``network_build.py``).

Peers run in a fresh subprocess per graph (own peak RSS) and are checked against our engine
on the very runs that are timed: a peer whose answers differ (distances by more than 1 m,
different unreachable sets, different counts or node sets other than ties within 1 cm of the
1000 m cut) gets no timing, and a peer that disagrees on the smallest graph is not run on the
larger ones.  Peer table cells are one run each.

Time limits keep the full run near 10 minutes: pandana is killed after ``--pandana-timeout``
seconds per graph (what it finished is kept and the kill time is a lower bound), cityseer's
node-centric accessibility starts no further facility count after ``--cityseer-budget``
seconds, and a NetworkX per-facility loop estimated above ``--nx-budget`` is skipped.

pandana and cityseer are AGPL; they are only *called* here (``pip install -e ".[bench]"``).

Usage::

    python benchmarks/bench_network.py                 # full run (~10 min on 2 cores)
    python benchmarks/bench_network.py --quick         # 10k + 100k, fewer points (~2 min)
    python benchmarks/bench_network.py --profile       # plus cProfile of our engine
    python benchmarks/bench_network.py --sizes 10k --facilities 50,300

Results are printed as tables and written to ``out/bench_network.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from network_checks import (
    check_counts,
    check_nearest,
    check_sets,
    fmt_s,
    fmt_x,
    print_table,
)
from network_common import (
    CUT_M,
    EDGE_M,
    FAC_SEED,
    GRID_SEED,
    PEERS,
    POINT_SEED,
    ROOT,
    SIDES,
    TOL_M,
    csr_of,
    facility_nodes,
    grid,
    load,
    run_worker,
)
from network_floor import worker_kernels, worker_networkit
from network_report import floor_report
from network_workers import WORKERS

WORKERS = {**WORKERS, "kernels": worker_kernels, "networkit": worker_networkit}
ISSUE_BUILD_S, ISSUE_PEAK_MIB = 1.7, 974.0  # issue 15: the build before it, quiet machine


def build_measure(side: int, what: str, reps: int) -> dict:
    """One network_build.py measurement in a fresh interpreter (GC on)."""
    cmd = [sys.executable, str(Path(__file__).resolve().parent / "network_build.py"),
           "--side", str(side), "--what", what, "--reps", str(reps)]
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if p.returncode != 0:
        return {"error": (p.stderr or p.stdout).strip().splitlines()[-1:]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default=None, help="graph sizes, e.g. 10k,100k,400k")
    ap.add_argument("--facilities", default=None,
                    help="facility counts (default 50,300,1500; --quick 50,300)")
    ap.add_argument("--points", type=int, default=None,
                    help="population points for (d) (default 1,000,000; --quick 200,000)")
    ap.add_argument("--quick", action="store_true",
                    help="10k and 100k graphs, 50 and 300 facilities, 200k points, polygons "
                         "for 100 facilities, pandana on 10k only")
    ap.add_argument("--profile", action="store_true",
                    help="cProfile our engine on the largest graph, polygons and points "
                         "(untimed extra runs)")
    ap.add_argument("--engines", default=",".join(PEERS), help="peers to run")
    ap.add_argument("--nx-budget", type=float, default=60.0,
                    help="skip a NetworkX per-facility loop estimated above this (s)")
    ap.add_argument("--cityseer-budget", type=float, default=60.0,
                    help="cityseer starts no further facility count on a graph after this "
                         "many seconds (largest count first)")
    ap.add_argument("--pandana-timeout", type=float, default=120.0,
                    help="kill pandana on a graph after this many seconds")
    ap.add_argument("--reps", type=int, default=None,
                    help="runs per cell of the C-floor and cityseer facility-centric ratios "
                         "(default 5; --quick 3); medians")
    ap.add_argument("--out", default=str(ROOT / "out" / "bench_network.json"))
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--cfg", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        cfg = json.loads(Path(args.cfg).read_text())
        res = WORKERS[args.worker](cfg)
        Path(args.result).write_text(json.dumps(res))
        return 0

    sizes = (args.sizes or ("10k,100k" if args.quick else "10k,100k,400k")).split(",")
    for s in sizes:
        if s not in SIDES:
            ap.error(f"unknown size {s!r}; use {', '.join(SIDES)}")
    sizes.sort(key=lambda s: SIDES[s])
    facs = sorted({int(x) for x in (args.facilities or (
        "50,300" if args.quick else "50,300,1500")).split(",")})
    poly_k = 100 if args.quick else 300
    n_points = args.points or (200_000 if args.quick else 1_000_000)
    engines = [e for e in args.engines.split(",") if e]
    pandana_sizes = {"10k"} if args.quick else set(sizes)
    reps = args.reps or (3 if args.quick else 5)
    t_start = time.perf_counter()

    print(f"jinan-gis network benchmark  (python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f})")
    print("SYNTHETIC street grids (street_grid, seed 7), facilities on nodes of the largest "
          "component; GC on in every timer; each engine in its own subprocess per graph.")
    print("Our engine is warmed up on a 12x12 graph first (numba kernels compile/load on "
          "first call).")

    rec: dict = {"times": {}, "build": {}, "checks": [], "memory": [], "notes": []}
    T: dict = {}  # (size, k, task, engine) -> seconds
    S: dict = {}  # (size, k, task, engine) -> status text when not timed
    B: dict = {}  # (size, engine) -> {phase: seconds}
    K: dict = {}  # (size, engine) -> where a killed worker was
    MEM: dict = {}  # (engine, size) -> rss dict
    FLOOR: dict = {}  # size -> result of the C-floor worker
    CSFC: dict = {}  # size -> cityseer facility-centric vs ours
    bad_peers: dict[str, str] = {}
    graphs: dict = {}
    with tempfile.TemporaryDirectory(prefix="bench_network_") as tmpd:
        tmp = Path(tmpd)
        for size in sizes:
            side = SIDES[size]
            xy, u, v, length = grid(side)
            n = len(xy)
            graphs[size] = {"side": side, "nodes": n, "edges": len(u)}
            csr = csr_of(n, u, v, length)
            fac_of = {k: facility_nodes(n, u, v, k) for k in facs}
            print(f"\n== {size}: {side}x{side} grid, {n:,} nodes, {len(u):,} edges "
                  f"(t = {time.perf_counter() - t_start:.0f}s)")
            base = {"size": size, "side": side, "facilities": facs, "reps": reps,
                    "profile": args.profile and size == sizes[-1]}
            ours = run_worker("ours", base, tmp)
            if "error" in ours:
                print(f"  ours FAILED: {ours['error']}")
                continue
            MEM[("ours", size)] = ours["rss"]
            B[(size, "ours")] = ours["build"]
            for key, s in ours["times"].items():
                k, task = key.split(":")
                T[(size, int(k), task, "ours")] = s
            kern = run_worker("kernels", base, tmp)
            FLOOR[size] = kern
            if "error" in kern and "checks" not in kern:
                print(f"  C floor FAILED: {kern['error']}")
            else:
                for name, (ok, msg) in kern["checks"].items():
                    print(f"  check ours vs {name:<16}: {'OK  ' if ok else 'FAIL'} {msg}")
            ref = {k: load(tmp, "ours", size, k) for k in facs}
            cover = {str(k): float(np.ceil(ref[k]["a_dist"][np.isfinite(ref[k]["a_dist"])]
                                           .max()) + 1.0) for k in facs}
            print(f"  ours     done: build {fmt_s(sum(ours['build'].values()))}s, "
                  f"peak {ours['rss']['peak_mb']:.0f} MB")
            for eng in [e for e in PEERS if e in engines]:
                if eng in bad_peers:
                    print(f"  {eng:<8} not run: {bad_peers[eng]}")
                    continue
                if eng == "pandana" and size not in pandana_sizes:
                    msg = "not run in --quick (its contraction-hierarchy build takes minutes)"
                    print(f"  {eng:<8} {msg}")
                    S.update({(size, k, t, eng): "not run" for k in facs for t in "a b n1000 c"
                              .split()})
                    continue
                cfg = {**base, "nx_budget_s": args.nx_budget, "cover_m": cover,
                       "cs_budget_s": args.cityseer_budget}
                timeout = args.pandana_timeout if eng == "pandana" else None
                res = run_worker(eng, cfg, tmp, timeout=timeout)
                if "error" in res:
                    killed = res["error"] == "timeout"
                    if killed:
                        msg = (f"killed after {res['timeout_s']:.0f}s, in phase "
                               f"'{res['phase']}' for {res['in_phase_s']:.0f}s")
                        K[(size, eng)] = {k_: res[k_] for k_ in ("timeout_s", "phase",
                                                                 "in_phase_s")}
                    else:
                        msg = f"failed: {res['error']}"
                    print(f"  {eng:<8} {msg}")
                    rec["notes"].append(f"{eng} {size}: {msg}")
                    for k in facs:
                        for task in ("a", "b", "n1000", "c", "ab"):
                            S[(size, k, task, eng)] = "killed" if killed else "failed"
                    if not res.get("partial"):
                        continue
                    res = {**res["partial"], "wall_s": res["wall_s"]}  # what it finished
                    res["rss"]["partial"] = True  # read at its last save, before the kill
                MEM[(eng, size)] = res["rss"]
                B[(size, eng)] = res["build"]
                if eng == "cityseer" and res.get("notes", {}).get("facility_centric"):
                    CSFC[size] = res["notes"]["facility_centric"]
                agreed = True
                for k in facs:
                    got = load(tmp, eng, size, k)
                    r = ref[k]
                    checks = []
                    if "a_dist" in got:
                        checks.append(("a", check_nearest(r["a_dist"], r["a_src"],
                                                          got["a_dist"], got.get("a_src"),
                                                          csr, fac_of[k])))
                    if "b_count" in got:
                        checks.append(("b", check_counts(r["b_count"], r["b_lo"], r["b_hi"],
                                                         got["b_count"])))
                    if "n_dist" in got:
                        checks.append(("n1000", check_nearest(r["n_dist"], r["n_src"],
                                                              got["n_dist"], got.get("n_src"),
                                                              csr, fac_of[k], cap=CUT_M)))
                    if "c_ptr" in got:
                        checks.append(("c", check_sets(r, got, n)))
                    for task, (ok, msg) in checks:
                        print(f"  check {eng:<8} {size:>4} k={k:<4} ({task}): "
                              f"{'OK  ' if ok else 'FAIL'} {msg}")
                        rec["checks"].append({"engine": eng, "size": size, "k": k,
                                              "task": task, "ok": ok, "msg": msg})
                        if not ok:
                            agreed = False
                            S[(size, k, task, eng)] = "DISAGREES"
                    failed = {t for t, (ok, _) in checks if not ok}
                    for key, s in res["times"].items():
                        kk, task = key.split(":")
                        if int(kk) != k:
                            continue
                        if task.endswith("_est"):
                            S[(size, k, task[:-4], eng)] = (
                                f"skipped (budget; ~{s:.0f}s)" if eng == "cityseer"
                                else f"skipped (est. {s:.0f}s)")
                            continue
                        if eng == "cityseer" and task == "ab":
                            if {"b", "n1000"} & failed:
                                continue
                        elif task in failed:
                            continue
                        T[(size, k, task, eng)] = s
                if not agreed and size == sizes[0]:
                    bad_peers[eng] = f"disagreed with our engine on {size}"
                pk = max(MEM[(eng, size)]["peak_mb"], 0)
                print(f"  {eng:<8} done in {res['wall_s']:.0f}s (peak {pk:.0f} MB)")
        # ---------------------------------------------------------------- polygons, points
        poly = pts = None
        if "100k" in sizes:
            poly = run_worker("polygons", {"size": "100k", "side": SIDES["100k"], "k": poly_k,
                                           "profile": args.profile}, tmp)
            if "error" not in poly:
                MEM[("polygons", "100k")] = poly["rss"]
        big = "400k" if "400k" in sizes else sizes[-1]
        pts = run_worker("points", {"size": big, "side": SIDES[big], "k": max(facs),
                                    "n_points": n_points, "profile": args.profile}, tmp)
        if "error" not in pts:
            MEM[("points", big)] = pts["rss"]
        print(f"\n== build: {big} grid as street lines (t = {time.perf_counter() - t_start:.0f}s)")
        build = {"size": big, **{w: build_measure(SIDES[big], w, 3 if w == "time" else 1)
                                 for w in ("time", "rss", "traced")}}

    # -------------------------------------------------------------------- tables
    def tv(size, k, task, eng):
        if eng == "cityseer" and task in ("b", "n1000"):
            task = "ab"
        if task == "ab" and eng != "cityseer":
            a, b = T.get((size, k, "n1000", eng)), T.get((size, k, "b", eng))
            return None if a is None or b is None else a + b
        return T.get((size, k, task, eng))

    def cell(size, k, task, eng):
        s = tv(size, k, task, eng)
        if s is None:
            shared = task == "ab" or (eng == "cityseer" and task in ("b", "n1000"))
            key = (size, k, "ab" if shared else task, eng)
            st = S.get((size, k, task, eng)) or S.get(key)
            if st is None and task == "ab":
                st = S.get((size, k, "n1000", eng)) or S.get((size, k, "b", eng))
            return st or "n/a"
        o = tv(size, k, task, "ours")
        return f"{fmt_s(s)} ({fmt_x(s / o) if o else '-'})"

    task_titles = {
        "a": "(a) nearest facility for every node, unbounded (distance + which)",
        "b": f"(b) facilities within {CUT_M:.0f} m of every node (count)",
        "ab": f"(ab) nearest within {CUT_M:.0f} m + count within {CUT_M:.0f} m, every node "
              "(query only; builds in the BUILD table)",
        "c": f"(c) {CUT_M:.0f} m service areas: node sets per facility",
    }
    peers_in = [e for e in PEERS if e in engines and e != "scipy"]
    for task, title in task_titles.items():
        header = ["graph", "fac", "ours s", "scipy s", "ours/scipy"] + [
            f"{e} s (x ours)" for e in peers_in]
        rows = []
        for size in sizes:
            for k in facs:
                o, f = tv(size, k, task, "ours"), tv(size, k, task, "scipy")
                rows.append([size, str(k), fmt_s(o), fmt_s(f),
                             fmt_x(o / f) if o and f else "-"]
                            + [cell(size, k, task, e) for e in peers_in])
        notes = ["x ours = peer seconds / our seconds (speed-up of ours)."]
        if task == "a":
            notes += [
                "scipy: dijkstra(csr, indices=facilities, min_only=True) - distances only; "
                "networkit: Dijkstra from a virtual source joined to every facility;",
                "networkx: multi_source_dijkstra_path_length (distances only);",
                "pandana: set_pois + nearest_pois with maxdist = smallest cap that reaches "
                "every reachable node (from our answer), float32 distances;",
                "cityseer: n/a - it reports nearest distances only up to its search "
                "threshold, and an uncapped run needs one all-node search to several km;"
                " compared on (ab).",
            ]
        elif task == "b":
            notes += [
                "scipy: dijkstra(csr, indices=chunk, limit=1000) in chunks, finite entries "
                "counted; networkx: single_source_dijkstra_path_length(cutoff=1000) per "
                "facility; pandana: set + aggregate(1000, type='count', decay='flat');",
                "cityseer: DataMap assign + accessibility(distances=[1000], decay_fn='1'): one "
                "search per node giving count and nearest together (same time as (ab)).",
            ]
        elif task == "ab":
            notes += ["ours: nearest_source(max_dist_m=1000) + count_within(1000); scipy: "
                      "dijkstra(min_only, limit=1000) + the (b) scipy run; pandana: "
                      "set_pois/nearest_pois(1000) + (b)."]
        else:
            notes += ["ours: source_searches; scipy: dijkstra(limit=1000) per facility in "
                      "chunks; networkx: cutoff=1000 per facility; pandana: nodes_in_range("
                      "facilities, 1000); cityseer: not run (no per-source node-set API short "
                      "of dijkstra_tree_shortest, which returns a visit record for every node "
                      "of the graph per call)."]
        print_table(title, header, rows, notes)

    # builds
    header = ["graph", "ours network", "ours snap idx", "networkx graph", "pandana CH",
              "pandana precompute(1000)", "cityseer structure"]
    rows = []
    for size in sizes:
        def bget(eng, phase, size=size):
            b = B.get((size, eng), {})
            if phase in b:
                return fmt_s(b[phase])
            kill = K.get((size, eng))
            killed_in = {"build": "contraction_hierarchy", "precompute": "precompute_1000"}
            if kill and killed_in.get(kill["phase"]) == phase:
                return f"> {kill['in_phase_s']:.0f} (killed)"
            return "-"
        rows.append([size, bget("ours", "network"), bget("ours", "snap_index"),
                     bget("networkx", "graph"), bget("pandana", "contraction_hierarchy"),
                     bget("pandana", "precompute_1000"),
                     bget("cityseer", "network_structure")])
    print_table("BUILD (s, once per graph)", header, rows,
                ["ours network = Network.from_arrays + CSR; snap idx = KD index of the first "
                 "snap_points call (needed to place facilities given as coordinates)."])

    # acceptance scenario: build + (ab)
    def total(size, k, eng):
        q = tv(size, k, "ab", eng)
        b = B.get((size, eng))
        if q is None or b is None:
            return None
        return q + sum(b.values())

    header = ["graph", "fac", "ours s"] + [f"{e} s (x ours)" for e in ("pandana", "cityseer")]
    rows = []
    for size in sizes:
        for k in facs:
            o = total(size, k, "ours")
            row = [size, str(k), fmt_s(o)]
            for e in ("pandana", "cityseer"):
                t = total(size, k, e)
                kill = K.get((size, e))
                if t is not None and o:
                    row.append(f"{fmt_s(t)} ({fmt_x(t / o)})")
                elif kill and o:
                    row.append(f"> {kill['timeout_s']:.0f} (> {fmt_x(kill['timeout_s'] / o)})")
                else:
                    row.append(cell(size, k, "ab", e))
            rows.append(row)
    print_table(f"(ab) BUILD + QUERY: nearest within {CUT_M:.0f} m + count within "
                f"{CUT_M:.0f} m for every node", header, rows,
                ["build included: ours network + snap index, pandana CH + precompute(1000), "
                 "cityseer NetworkStructure; x ours = peer / ours."])

    # memory
    rows = []
    for (eng, size), m in sorted(MEM.items(), key=lambda kv: (SIDES[kv[0][1]], kv[0][0])):
        rows.append([eng, size, f"{m['base_mb']:.0f}",
                     (">= " if m.get("partial") else "") + f"{m['peak_mb']:.0f}"])
    print_table("PEAK MEMORY (RSS high-water mark of each subprocess, MB)",
                ["engine", "graph", "after imports", "peak"], rows,
                ["each row is one fresh process doing every facility count on that graph; "
                 "'points' is the 400k + population-points run alone."])

    # polygons
    if poly is not None:
        if "error" in poly:
            print(f"\n(c) polygons FAILED: {poly['error']}")
        else:
            pn_ = poly["notes"]
            print_table(
                f"(c) SERVICE-AREA POLYGONS, ours only (100k graph, {poly_k} facilities)",
                ["run", "s"],
                [["service_areas(max_dist_m=1000)", fmt_s(poly["times"]["polygons_1000"])],
                 ["service_areas(max_dist_m=[300, 500, 1000])",
                  fmt_s(poly["times"]["polygons_nested"])]],
                [f"{pn_['n_polygons']} polygons, {pn_['empty']} empty, mean area "
                 f"{pn_['mean_area_km2']:.2f} km2; nesting: max area(inner - outer) = "
                 f"{pn_['nest_max_excess_m2']:.3g} m2; reached nodes outside their polygon: "
                 f"{pn_['reached_nodes_outside']}; 1000 m nested == single: "
                 f"{pn_['nested_1000_equals_single']}"])
    if pts is not None:
        if "error" in pts:
            print(f"\n(d) points FAILED: {pts['error']}")
        else:
            t, nt = pts["times"], pts["notes"]
            tot = t["index"] + t["snap"] + t["evaluate"]
            print_table(
                f"(d) POPULATION POINTS, ours only ({big} graph, {nt['n_points']:,} uniform "
                f"points, max_snap_m=300, {nt['k']} facilities)",
                ["step", "s"],
                [["Network.from_arrays (not counted)", fmt_s(t["network"])],
                 ["snap index build (first snap_points call)", fmt_s(t["index"])],
                 ["snap_points (all points)", fmt_s(t["snap"])],
                 ["nearest_source on the snapped points", fmt_s(t["evaluate"])],
                 ["index + snap + evaluate", fmt_s(tot)]],
                [f"snap status: {nt['status']}; check vs scipy: max |dd| = "
                 f"{nt['check_dist_max_m']:.2g} m, same unreached: "
                 f"{nt['check_same_unreached']}; snap vs shapely STRtree on "
                 f"{nt['check_snap_sample']:,} points: max |d| = {nt['check_snap_max_m']:.2g}"
                 f" m, same status: {nt['check_snap_same_status']}; peak RSS "
                 f"{pts['rss']['peak_mb']:.0f} MB"])

    # -------------------------------------------------------------------- acceptance
    acc = []

    def verdict(name, ok, detail):
        acc.append({"item": name, "pass": ok, "detail": detail})

    kmax = max(facs)
    final = "400k" in sizes and kmax == 1500
    acc.extend(floor_report(FLOOR, CSFC, build, sizes, kmax,
                            issue=(ISSUE_BUILD_S, ISSUE_PEAK_MIB)))
    if pts is not None and "error" not in pts:
        t = pts["times"]
        tot = t["index"] + t["snap"] + t["evaluate"]
        n_ok = pts["notes"]["n_points"] >= 1_000_000 and big == "400k"
        verdict(f"snap + evaluate {pts['notes']['n_points']:,} points on {big} < 8 s",
                tot < 8.0 if n_ok else None,
                f"{fmt_s(t['index'])} index + {fmt_s(t['snap'])} snap + "
                f"{fmt_s(t['evaluate'])} evaluate = {fmt_s(tot)}s"
                + ("" if n_ok else " (not the 400k + 1M case)"))
        verdict(f"peak memory of the {big} + points run < 2 GB",
                pts["rss"]["peak_mb"] < 2048 if n_ok else None,
                f"{pts['rss']['peak_mb']:.0f} MB (process high-water mark)")
    for eng in ("pandana", "cityseer"):
        # the largest graph where the peer produced verified answers, else a timeout bound
        cands = [(s, kmax) for s in sizes if total(s, kmax, eng) is not None]
        ok_checks = all(c["ok"] for c in rec["checks"] if c["engine"] == eng)
        timed_out = [s for s in sizes if (s, eng) in K and total(s, kmax, eng) is None]
        if timed_out and SIDES[timed_out[-1]] > SIDES[cands[-1][0] if cands else "10k"]:
            s = timed_out[-1]
            o = total(s, kmax, "ours")
            lb = K[(s, eng)]["timeout_s"] / o if o else None
            verdict(f">= 20x faster than {eng} (build + query, {s}, {kmax} fac)",
                    bool(lb and lb >= 20 and ok_checks),
                    f"{eng} killed after {K[(s, eng)]['timeout_s']:.0f}s in "
                    f"'{K[(s, eng)]['phase']}'; ratio > {fmt_x(lb)} (lower bound); answers "
                    f"{'equal' if ok_checks else 'DIFFER'} where it finished")
        elif cands:
            s, k = cands[-1]
            o, p = total(s, k, "ours"), total(s, k, eng)
            verdict(f">= 20x faster than {eng} (build + query, {s}, {k} fac)",
                    bool(p / o >= 20 and ok_checks),
                    f"ours {fmt_s(o)}s vs {eng} {fmt_s(p)}s = {fmt_x(p / o)} (query only: "
                    f"{fmt_x(tv(s, k, 'ab', eng) / tv(s, k, 'ab', 'ours'))}); answers "
                    f"{'equal' if ok_checks else 'DIFFER'}")
        else:
            verdict(f">= 20x faster than {eng}", None, f"{eng} produced no verified timing")
    if poly is not None and "error" not in poly:
        t1 = poly["times"]["polygons_1000"]
        verdict(f"1000 m polygons, {poly_k} facilities, 100k graph < 5 s",
                t1 < 5.0 if poly_k == 300 else None,
                f"{fmt_s(t1)}s" + ("" if poly_k == 300 else " (not the 300-facility case)"))
        ex = poly["notes"]["nest_max_excess_m2"]
        verdict("300/500/1000 m polygons nest (max area inner - outer < 1 m2)", ex < 1.0,
                f"{ex:.3g} m2")
    else:
        verdict("polygons", None, "100k not run")
    print(f"\nACCEPTANCE (load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
          + ("" if final else "  (partial run: not the final numbers)"))
    for a in acc:
        mark = "n/a " if a["pass"] is None else ("PASS" if a["pass"] else "FAIL")
        print(f"  [{mark}] {a['item']}: {a['detail']}")
    profiles = {}
    if "error" not in ours:  # the last (largest) graph's run of our engine
        profiles.update(ours["notes"].get("profile", {}))
    for part in (poly, pts):
        if part is not None and "error" not in part:
            profiles.update(part["notes"].get("profile", {}))
    for title, text in profiles.items():
        print(f"\nPROFILE (ours, cProfile, cumulative): {title}")
        print("\n".join("  " + ln for ln in text.splitlines()))
    wall = time.perf_counter() - t_start
    print(f"\ntotal wall time {wall:.0f}s")

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rec.update(
        meta={"python": sys.version.split()[0], "cpus": os.cpu_count(), "sizes": sizes,
              "facilities": facs, "points": n_points, "quick": args.quick, "wall_s": wall,
              "graphs": graphs, "grid_seed": GRID_SEED, "fac_seed": FAC_SEED,
              "point_seed": POINT_SEED, "cut_m": CUT_M, "tol_m": TOL_M, "edge_m": EDGE_M},
        times=[{"size": s, "k": k, "task": t, "engine": e, "s": v}
               for (s, k, t, e), v in T.items()],
        status=[{"size": s, "k": k, "task": t, "engine": e, "status": v}
                for (s, k, t, e), v in S.items()],
        build=[{"size": s, "engine": e, **b} for (s, e), b in B.items()],
        killed=[{"size": s, "engine": e, **kk} for (s, e), kk in K.items()],
        memory=[{"engine": e, "size": s, **m} for (e, s), m in MEM.items()],
        polygons=poly, points=pts, acceptance=acc, floor=FLOOR,
        cityseer_facility_centric=CSFC, network_build=build,
    )
    out.write_text(json.dumps(rec, indent=1, default=str))
    print(f"results written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
