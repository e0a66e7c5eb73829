"""Benchmark of new-site selection: lazy greedy vs the exact MILP vs spopt's MCLP.

Run: ``.venv/bin/python benchmarks/bench_sites.py [--quick] [--spopt-cap-s 300]``.

Coverage comes from a SYNTHETIC street network (:func:`jinan_gis.geo.synthetic.street_grid`,
90 m blocks): demand points and candidates are random points snapped to it, and candidate
``j`` covers person ``i`` when the exact network distance (partial edges,
:func:`jinan_gis.geo.reach.reach_pairs`) is <= the radius.  All solvers get the same
coverage: ours as pairs, spopt as the dense cost matrix built from the same pairs (pairs
beyond the radius get a large cost).

1. Quality: 2,000 demand points x 300 candidates, k = 5, 10, 20, several seeds: covered
   population as a share of the exact optimum (HiGHS MILP) for plain lazy greedy, greedy +
   swaps, and improved_max_cover (best of greedy + swaps and LP rounding + swaps); and the
   bounds (greedy's a-posteriori bound, the LP relaxation) as a share of the optimum.
   Target: greedy >= 99 % of the optimum.
2. Speed: 10,000 x 2,000, k = 20: greedy (from the pairs) vs spopt's
   ``MCLP.from_cost_matrix`` + ``solve`` (build + solve, from the cost matrix; the network
   search is timed separately and not counted for either).  spopt runs in a child process
   under a wall-clock cap (default 300 s, solver time limit = what is left after building);
   when it does not finish, the time used is reported and the speed-up is a lower bound.
   Target: >= 20x.
3. The command's case (``--demo``): ``jinan-gis sites --category clinic --k 5`` on the
   SYNTHETIC demo sample (42,000 people, 17,600 candidates): ``propose_sites`` as the command
   calls it (greedy + swaps + 1 s local search, no LP bound), and with ``--demo-bound`` also
   with the LP bound (``lp_bound=True``, what ``--bound`` does; minutes).  Target: the
   default under 10 s for the whole command on 2 cores.

Writes ``out/bench_sites.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from jinan_gis.analyses.sites import (
    cover_csr,
    exact_max_cover,
    greedy_max_cover,
    improved_max_cover,
)
from jinan_gis.geo.network import Network
from jinan_gis.geo.reach import reach_pairs
from jinan_gis.geo.synthetic import street_grid

REPO = Path(__file__).resolve().parents[1]


def instance(
    n_demand: int, n_cand: int, *, grid: int, radius_m: float, seed: int
) -> tuple[pd.DataFrame, np.ndarray, dict]:
    """Coverage pairs and weights of a synthetic instance (SYNTHETIC data)."""
    g = street_grid(grid, grid, spacing_m=90.0, seed=seed)
    net = Network.from_arrays(g.node_xy, g.edge_u, g.edge_v)
    rng = np.random.default_rng(seed)
    lo, hi = g.node_xy.min(axis=0), g.node_xy.max(axis=0)
    # people: half uniform, half in a few dense clusters (neighbourhoods)
    n_u = n_demand // 2
    centres = rng.uniform(lo, hi, size=(12, 2))
    which = rng.integers(0, len(centres), n_demand - n_u)
    clustered = centres[which] + rng.normal(0, 400, size=(n_demand - n_u, 2))
    demand = np.clip(np.vstack([rng.uniform(lo, hi, size=(n_u, 2)), clustered]), lo, hi)
    weights = np.round(rng.lognormal(4.5, 0.8, n_demand))
    cand = net.node_xy[rng.choice(net.n_nodes, n_cand, replace=False)]
    t0 = time.perf_counter()
    pairs = reach_pairs(net, cand, demand, max_dist_m=radius_m)
    info = {
        "network_nodes": net.n_nodes,
        "network_edges": net.n_edges,
        "radius_m": radius_m,
        "pairs": len(pairs),
        "reach_pairs_s": time.perf_counter() - t0,
    }
    return pairs, weights, info


def quality(seeds: list[int], ks: list[int]) -> list[dict]:
    rows = []
    for seed in seeds:
        pairs, w, info = instance(2000, 300, grid=45, radius_m=500.0, seed=seed)
        for k in ks:
            t0 = time.perf_counter()
            g = greedy_max_cover(pairs, w, k, n_candidates=300)
            t_g = time.perf_counter() - t0
            t0 = time.perf_counter()
            ls = greedy_max_cover(pairs, w, k, n_candidates=300, local_search=True)
            t_ls = time.perf_counter() - t0
            t0 = time.perf_counter()
            h = improved_max_cover(pairs, w, k, n_candidates=300)
            t_h = time.perf_counter() - t0
            t0 = time.perf_counter()
            gi = improved_max_cover(pairs, w, k, n_candidates=300, lp=False)
            t_gi = time.perf_counter() - t0
            t0 = time.perf_counter()
            ex = exact_max_cover(pairs, w, k, n_candidates=300, time_limit_s=120)
            t_e = time.perf_counter() - t0
            opt = ex.objective
            rows.append(
                {
                    "seed": seed,
                    "n_demand": 2000,
                    "n_candidates": 300,
                    "k": k,
                    "population": float(w.sum()),
                    "greedy": float(g.gains.sum()),
                    "greedy_swaps": float(ls.gains.sum()),
                    "improved": float(h.gains.sum()),
                    "greedy_ils": float(gi.gains.sum()),
                    "greedy_ils_over_exact": float(gi.gains.sum()) / opt,
                    "greedy_ils_s": t_gi,
                    "improved_heuristic": h.heuristic,
                    "exact": opt,
                    "exact_optimal": ex.optimal,
                    "exact_bound": ex.bound,
                    "greedy_bound": g.bound,
                    "lp_bound": h.bound_lp,
                    "greedy_over_exact": float(g.gains.sum()) / opt,
                    "greedy_swaps_over_exact": float(ls.gains.sum()) / opt,
                    "improved_over_exact": float(h.gains.sum()) / opt,
                    "greedy_over_greedy_bound": float(g.gains.sum()) / g.bound,
                    "greedy_over_lp_bound": float(g.gains.sum()) / h.bound_lp,
                    "greedy_s": t_g,
                    "greedy_swaps_s": t_ls,
                    "improved_s": t_h,
                    "exact_s": t_e,
                    **info,
                }
            )
            r = rows[-1]
            print(
                f"  seed {seed} k={k:2d}: exact {opt:9.0f} ({'' if ex.optimal else 'NOT '}"
                f"optimal, {t_e:5.2f} s); greedy {r['greedy_over_exact']:.4f} "
                f"({t_g * 1e3:.1f} ms), +swaps {r['greedy_swaps_over_exact']:.4f} "
                f"({t_ls * 1e3:.1f} ms), improved {r['improved_over_exact']:.4f} "
                f"({t_h:.2f} s), greedy+ILS {r['greedy_ils_over_exact']:.4f} ({t_gi:.2f} s); "
                f"greedy/bounds: {r['greedy_over_greedy_bound']:.3f} greedy, "
                f"{r['greedy_over_lp_bound']:.4f} LP",
                flush=True,
            )
    return rows


def _spopt_child(cost_path: str, w_path: str, radius: float, k: int, cap_s: float,
                 conn) -> None:  # pragma: no cover - runs in a child process
    warnings.filterwarnings("ignore")
    import pulp
    from spopt.locate import MCLP

    cost = np.load(cost_path)
    w = np.load(w_path)
    t0 = time.perf_counter()
    model = MCLP.from_cost_matrix(cost, w, service_radius=radius, p_facilities=k)
    t_build = time.perf_counter() - t0
    conn.send({"stage": "built", "build_s": t_build})
    left = max(1.0, cap_s - t_build)
    avail = pulp.listSolvers(onlyAvailable=True)
    solver = (pulp.HiGHS(msg=False, timeLimit=left) if "HiGHS" in avail
              else pulp.PULP_CBC_CMD(msg=False, timeLimit=left))
    t0 = time.perf_counter()
    model.problem.solve(solver)
    t_solve = time.perf_counter() - t0
    status = pulp.LpStatus[model.problem.status]
    obj = pulp.value(model.problem.objective)
    conn.send({"stage": "solved", "build_s": t_build, "solve_s": t_solve, "status": status,
               "objective": None if obj is None else float(obj), "solver": solver.name,
               "solver_time_limit_s": left})


def run_spopt(cost: np.ndarray, w: np.ndarray, radius: float, k: int, cap_s: float,
              tmp: Path) -> dict:
    tmp.mkdir(parents=True, exist_ok=True)
    cp, wp = tmp / "cost.npy", tmp / "w.npy"
    np.save(cp, cost)
    np.save(wp, w)
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    t0 = time.perf_counter()
    proc = ctx.Process(target=_spopt_child, args=(str(cp), str(wp), radius, k, cap_s, child))
    proc.start()
    out: dict = {"finished": False}
    deadline = t0 + cap_s + 60  # the solver limit plus slack for HiGHS to stop and report
    while time.perf_counter() < deadline:
        if parent.poll(1.0):
            msg = parent.recv()
            out.update(msg)
            if msg["stage"] == "solved":
                out["finished"] = msg["status"] == "Optimal"
                break
        elif not proc.is_alive():
            break
    out["wall_s"] = time.perf_counter() - t0
    proc.join(timeout=30 if out.get("stage") == "solved" else 0.1)
    if proc.is_alive():
        proc.kill()
        out["killed_at_s"] = time.perf_counter() - t0
    proc.join()
    for p in (cp, wp):
        p.unlink(missing_ok=True)
    out["build_plus_solve_s"] = out.get("build_s", 0.0) + out.get("solve_s", 0.0)
    if out.get("stage") != "solved":
        out["build_plus_solve_s"] = out["wall_s"]
    return out


def speed(k: int, cap_s: float, n_demand: int, n_cand: int) -> dict:
    pairs, w, info = instance(n_demand, n_cand, grid=110, radius_m=500.0, seed=11)
    ptr_t0 = time.perf_counter()
    g = greedy_max_cover(pairs, w, k, n_candidates=n_cand)
    t_g = time.perf_counter() - ptr_t0
    # repeat for a stabler timing
    reps = [t_g]
    for _ in range(4):
        t0 = time.perf_counter()
        greedy_max_cover(pairs, w, k, n_candidates=n_cand)
        reps.append(time.perf_counter() - t0)
    t_g = float(np.median(reps))
    t0 = time.perf_counter()
    ls = greedy_max_cover(pairs, w, k, n_candidates=n_cand, local_search=True)
    t_ls = time.perf_counter() - t0
    t0 = time.perf_counter()
    h = improved_max_cover(pairs, w, k, n_candidates=n_cand)
    t_h = time.perf_counter() - t0
    t0 = time.perf_counter()
    gi = improved_max_cover(pairs, w, k, n_candidates=n_cand, lp=False)
    t_gi = time.perf_counter() - t0
    t0 = time.perf_counter()
    ex = exact_max_cover(pairs, w, k, n_candidates=n_cand, time_limit_s=300)
    t_e = time.perf_counter() - t0
    print(f"  ours: greedy {t_g * 1e3:.1f} ms, +swaps {t_ls * 1e3:.1f} ms, improved {t_h:.2f} s,"
          f" exact {t_e:.2f} s ({'optimal' if ex.optimal else 'not optimal'})", flush=True)
    cost = np.full((n_demand, n_cand), 1e9)
    cost[pairs["target"].to_numpy(), pairs["source"].to_numpy()] = pairs["dist_m"].to_numpy()
    ptr, _ = cover_csr(pairs, n_demand, n_candidates=n_cand)
    print(f"  {n_demand} x {n_cand}, k={k}: greedy {t_g * 1e3:.1f} ms "
          f"(gain {g.gains.sum():.0f}, bound {g.bound:.0f}); spopt (cap {cap_s:.0f} s)...",
          flush=True)
    sp = run_spopt(cost, w, 500.0, k, cap_s, REPO / "out" / "tmp_bench_sites")
    res = {
        "n_demand": n_demand,
        "n_candidates": n_cand,
        "k": k,
        "coverage": "street_grid network, reach_pairs exact network distance <= 500 m",
        "greedy_s": t_g,
        "greedy_gain": float(g.gains.sum()),
        "greedy_bound": g.bound,
        "greedy_swaps_s": t_ls,
        "greedy_swaps_gain": float(ls.gains.sum()),
        "improved_s": t_h,
        "improved_gain": float(h.gains.sum()),
        "lp_bound": h.bound_lp,
        "exact_s": t_e,
        "exact_gain": ex.objective,
        "exact_optimal": ex.optimal,
        "greedy_over_exact": float(g.gains.sum()) / ex.objective,
        "greedy_swaps_over_exact": float(ls.gains.sum()) / ex.objective,
        "improved_over_exact": float(h.gains.sum()) / ex.objective,
        "greedy_ils_s": t_gi,
        "greedy_ils_over_exact": float(gi.gains.sum()) / ex.objective,
        "speedup_greedy_ils": sp["build_plus_solve_s"] / t_gi,
        "speedup_greedy_swaps": sp["build_plus_solve_s"] / t_ls,
        "speedup_exact": sp["build_plus_solve_s"] / t_e,
        "spopt": sp,
        "spopt_s": sp["build_plus_solve_s"],
        "speedup": sp["build_plus_solve_s"] / t_g,
        "speedup_is_lower_bound": not sp["finished"],
        "mean_cover_per_candidate": float(np.diff(ptr).mean()),
        **info,
    }
    if sp.get("objective") is not None:
        res["greedy_over_spopt"] = float(g.gains.sum()) / sp["objective"]
    return res


def demo_case(*, scale: float, bound: bool) -> dict:
    """``propose_sites`` on the SYNTHETIC demo sample as ``jinan-gis sites --category clinic
    --k 5`` calls it; with ``bound`` also with the LP bound."""
    from jinan_gis.analyses.coverage import select_facilities
    from jinan_gis.analyses.inputs import inputs_from_sample
    from jinan_gis.analyses.sites import propose_sites
    from jinan_gis.geo.network import build_network

    t = time.perf_counter()
    inp = inputs_from_sample(scale=scale)
    net = build_network(inp.streets, mode="walk")
    fac = select_facilities(inp.facilities, "clinic")
    prep_s = time.perf_counter() - t
    out: dict = {"scale": scale, "people_points": len(inp.population), "prep_s": prep_s}
    runs = [("default", False)] + ([("lp_bound", True)] if bound else [])
    for name, lp in runs:
        t = time.perf_counter()
        res = propose_sites(net, inp.population, fac, k=5, max_dist_m=1000.0, lp_bound=lp)
        s = res.summary
        out[name] = {"s": time.perf_counter() - t, "gain_people": s["gain_people"],
                     "gain_bound_people": s["gain_bound_people"],
                     "optimality_gap": s["optimality_gap"], "n_candidates": s["n_candidates"],
                     "n_candidate_pairs": s["n_candidate_pairs"]}
        print(f"  {name}: {out[name]['s']:.1f} s, adds {s['gain_people']:,.0f} people, "
              f"bound {s['gain_bound_people']:,.0f} (gap <= {s['optimality_gap']:.2%})")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one seed, small speed test")
    ap.add_argument("--spopt-cap-s", type=float, default=300.0)
    ap.add_argument("--out", default=str(REPO / "out" / "bench_sites.json"))
    ap.add_argument("--demo", action="store_true",
                    help="only section 3: the demo sample as `jinan-gis sites` runs it")
    ap.add_argument("--demo-bound", action="store_true",
                    help="section 3 also with the LP bound (minutes)")
    ap.add_argument("--demo-scale", type=float, default=1.0)
    args = ap.parse_args()
    if args.demo or args.demo_bound:
        print("3. jinan-gis sites --category clinic --k 5 on the SYNTHETIC demo sample")
        d = demo_case(scale=args.demo_scale, bound=args.demo_bound)
        path = Path(args.out).with_name("bench_sites_demo.json")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(d, indent=2, default=float))
        print(f"wrote {path}")
        return
    seeds = [1] if args.quick else [1, 2, 3]
    print("1. greedy vs exact, 2,000 demand x 300 candidates (SYNTHETIC street grid)")
    q = quality(seeds, [5, 10, 20])
    print("2. greedy vs spopt MCLP")
    n_d, n_c = (2000, 400) if args.quick else (10_000, 2_000)
    s = speed(20, args.spopt_cap_s, n_d, n_c)
    sp = s["spopt"]

    print()
    print("share of the exact optimum (min / mean over seeds) and exact MILP time (max):")
    print(f"{'k':>3} {'greedy':>17} {'greedy+swaps':>17} {'improved':>17} {'greedy+ILS':>17} "
          f"{'greedy/own bound':>17} {'greedy/LP bound':>16} {'exact s':>8}")
    qt = pd.DataFrame(q)
    for k, grp in qt.groupby("k"):
        cells = [
            f"{grp[c].min():.4f}/{grp[c].mean():.4f}"
            for c in ("greedy_over_exact", "greedy_swaps_over_exact", "improved_over_exact",
                      "greedy_ils_over_exact")
        ]
        print(f"{k:>3} {cells[0]:>17} {cells[1]:>17} {cells[2]:>17} {cells[3]:>17} "
              f"{grp['greedy_over_greedy_bound'].min():>17.4f} "
              f"{grp['greedy_over_lp_bound'].min():>16.4f} {grp['exact_s'].max():>8.2f}")
    done = "finished" if sp["finished"] else (
        f"did NOT finish ({sp.get('stage', 'not built')}; status {sp.get('status', '-')})"
    )
    print()
    print(f"speed {s['n_demand']:,} x {s['n_candidates']:,}, k={s['k']}: greedy "
          f"{s['greedy_s'] * 1e3:.1f} ms; spopt build {sp.get('build_s', float('nan')):.1f} s + "
          f"solve {sp.get('solve_s', float('nan')):.1f} s = {s['spopt_s']:.1f} s ({done}); "
          f"speed-up {'>= ' if s['speedup_is_lower_bound'] else ''}{s['speedup']:,.0f}x")
    print(f"  greedy+swaps {s['greedy_swaps_s'] * 1e3:.1f} ms (speed-up "
          f"{'>= ' if s['speedup_is_lower_bound'] else ''}{s['speedup_greedy_swaps']:,.0f}x); "
          f"our exact MILP {s['exact_s']:.1f} s (speed-up "
          f"{'>= ' if s['speedup_is_lower_bound'] else ''}{s['speedup_exact']:,.1f}x)")
    print(f"  share of the optimum: greedy {s['greedy_over_exact']:.4f}, +swaps "
          f"{s['greedy_swaps_over_exact']:.4f}, improved {s['improved_over_exact']:.4f}")
    print(f"  greedy+ILS (the default heuristic without the LP bound) {s['greedy_ils_s']:.2f} s, "
          f"share {s['greedy_ils_over_exact']:.4f}, speed-up "
          f"{'>= ' if s['speedup_is_lower_bound'] else ''}{s['speedup_greedy_ils']:,.0f}x")
    if "greedy_over_spopt" in s:
        print(f"  greedy / spopt objective: {s['greedy_over_spopt']:.5f}")
    qmin = float(qt["greedy_ils_over_exact"].min())
    print()
    print("ACCEPTANCE")
    print(f"  [{'PASS' if qmin >= 0.99 else 'FAIL'}] greedy+ILS >= 99 % of the exact optimum on "
          f"2,000 x 300 (k = 5, 10, 20): min {qmin:.4f}")
    print(f"  [{'PASS' if s['speedup_greedy_ils'] >= 20 else 'FAIL'}] greedy+ILS >= 20x faster "
          f"than spopt MCLP at {s['n_demand']:,} x {s['n_candidates']:,}: "
          f"{s['speedup_greedy_ils']:,.0f}x (plain greedy {s['speedup']:,.0f}x)")
    out = {
        "machine": {"python": sys.version.split()[0], "platform": platform.platform(),
                    "cpus": mp.cpu_count()},
        "data": "SYNTHETIC street_grid networks; coverage by exact network distance",
        "quality": q,
        "quality_min_ratio": {
            c: float(qt[c].min())
            for c in ("greedy_over_exact", "greedy_swaps_over_exact", "improved_over_exact",
                      "greedy_ils_over_exact")
        },
        "quality_target": 0.99,
        "speed": s,
        "speed_target": 20.0,
    }
    path = Path(args.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2, default=float))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
