"""Tables and verdicts of the network benchmark's C floor, cityseer facility-centric and
build measurements (bench_network.py)."""

from __future__ import annotations

from network_checks import fmt_s, fmt_x, print_table

FLOOR_LIMIT = 1.5  # issue 15: ours within 1.5x of the compiled C floor
BUILD_LIMIT_S = 0.5
PEAK_CUT = 0.25  # peak memory at least 25 % below the issue's


def _ms(x: float | None) -> str:
    return "-" if x is None else f"{x * 1000:.1f}"


def _floor_rows(floor: dict, sizes: list[str]) -> tuple[list[list[str]], dict]:
    rows, best = [], {}
    for size in sizes:
        r = floor.get(size)
        if not r or "times" not in r:
            continue
        t = {k: v["median_s"] for k, v in r["times"].items()}
        for task, api, extra in (("nearest", "ours nearest (API)", "ours nearest (kernel)"),
                                 ("count", "ours count (API)", "ours count (API, 1 thread)")):
            heap, bucket = t.get(f"C heap {task}"), t.get(f"C bucket {task}")
            c_floor = min(x for x in (heap, bucket) if x is not None)
            o = t[api]
            best[(size, task)] = (o, c_floor, t[extra], heap, bucket)
            rows.append([size, task, str(r["k"]), r["queue"], _ms(o), _ms(t[extra]), _ms(heap),
                         _ms(bucket), fmt_x(o / heap), fmt_x(o / bucket) if bucket else "-",
                         f"{o / c_floor:.2f}x", f"{t[extra] / c_floor:.2f}x"])
    return rows, best


def floor_report(floor: dict, csfc: dict, build: dict | None, sizes: list[str], kmax: int,
                 *, issue: tuple[float, float]) -> list[dict]:  # long: three tables
    """Print the FLOOR, cityseer facility-centric and BUILD tables; return the verdicts."""
    acc: list[dict] = []
    rows, best = _floor_rows(floor, sizes)
    any_r = next((r for r in floor.values() if r and "times" in r), None)
    reps = len(next(iter(any_r["times"].values()))["runs_s"]) if any_r else 0
    print_table(
        f"FLOOR: ours vs compiled C Dijkstra ({any_r['cflags'] if any_r else 'cc -O2'}), "
        f"ms, medians of {reps} back-to-back runs in one process",
        ["graph", "task", "fac", "our queue", "ours API", "ours alt", "C heap", "C bucket",
         "ours/C heap", "ours/C bucket", "ours/floor", "alt/floor"], rows,
        ["nearest = nearest_source(net, facilities) for every node (snapping the facilities and "
         "building the DataFrame included); alt = the kernel alone;",
         "count = count_within(net, facilities, max_dist_m=1000) at every node on the default "
         "threads; alt = the same on 1 thread (the C floor runs on 1);",
         "floor = the faster C queue (bucket where valid: no arc shorter than a bucket); answers "
         "checked equal (distances to 1e-6 m, counts equal) before timing."])
    for task in ("nearest", "count"):
        got = best.get(("400k", task))
        if got is None:
            acc.append({"item": f"400k {task} within {FLOOR_LIMIT}x of the C floor",
                        "pass": None, "detail": "400k not run"})
            continue
        o, f, alt, heap, _ = got
        acc.append({
            "item": f"400k {task} ({kmax} fac) within {FLOOR_LIMIT}x of the compiled C floor",
            "pass": o <= FLOOR_LIMIT * f,
            "detail": f"ours {_ms(o)} ms vs C {_ms(f)} ms = {o / f:.2f}x (vs C heap "
                      f"{o / heap:.2f}x; {'kernel alone' if task == 'nearest' else '1 thread'}"
                      f" {alt / f:.2f}x of the floor)"})
    rows = []
    for size in sizes:
        for k, e in sorted((csfc.get(size) or {}).items(), key=lambda kv: int(kv[0])):
            if "ours_s" in e:
                rows.append([size, k, _ms(e["ours_s"]), _ms(e["cityseer_s"]),
                             fmt_x(e["cityseer_s"] / e["ours_s"]), e["msg"]])
            else:
                rows.append([size, k, "-", "-", "-", e["msg"]])
    print_table("COUNT WITHIN 1000 m, facility-centric: ours vs cityseer poll_reach_hits (ms, "
                "medians, back to back in one process)",
                ["graph", "fac", "ours", "cityseer", "x ours", "answers"], rows,
                ["both: one bounded search per facility on the machine's threads; x ours = "
                 "cityseer / ours."])
    for size in ("100k", "400k"):
        e = (csfc.get(size) or {}).get(str(kmax))
        if e is None or "ours_s" not in e:
            acc.append({"item": f"faster than cityseer facility-centric at {size}",
                        "pass": None if e is None else False,
                        "detail": "not run" if e is None else e["msg"]})
            continue
        acc.append({"item": f"faster than cityseer facility-centric count at {size} "
                            f"({kmax} fac)", "pass": e["ours_s"] < e["cityseer_s"],
                    "detail": f"ours {_ms(e['ours_s'])} ms vs cityseer {_ms(e['cityseer_s'])} ms"
                              f" = {fmt_x(e['cityseer_s'] / e['ours_s'])}; {e['msg']}"})
    if build:
        t, rss, tr = build.get("time", {}), build.get("rss", {}), build.get("traced", {})
        print_table(f"BUILD: build_network(street lines) + snapping index, {build['size']} grid "
                    f"({t.get('lines', 0):,} lines), GC on, fresh processes",
                    ["step", "value"],
                    [["build_network s (median)", fmt_s(t.get("build_s"))],
                     ["snap index s (median)", fmt_s(t.get("snap_index_s"))],
                     ["total s", fmt_s(t.get("total_s"))],
                     ["RSS high-water MiB (process, streets included)",
                      f"{rss.get('rss_high_water_mib', float('nan')):.0f}"],
                     ["RSS growth MiB (high-water - before build)",
                      f"{rss.get('rss_growth_mib', float('nan')):.0f}"],
                     ["tracemalloc peak MiB",
                      f"{tr.get('tracemalloc_peak_mib', float('nan')):.0f}"]],
                    [f"issue 15 before: {issue[0]} s, {issue[1]:.0f} MiB peak (quiet machine)."])
        if build["size"] == "400k" and "total_s" in t:
            acc.append({"item": f"400k build + snap index <= {BUILD_LIMIT_S} s (GC on)",
                        "pass": t["total_s"] <= BUILD_LIMIT_S,
                        "detail": f"{fmt_s(t['build_s'])} + {fmt_s(t['snap_index_s'])} = "
                                  f"{fmt_s(t['total_s'])} s (issue: {issue[0]} s)"})
            hw = rss.get("rss_high_water_mib")
            acc.append({"item": f"400k build peak memory >= {PEAK_CUT:.0%} below {issue[1]:.0f} "
                                "MiB", "pass": None if hw is None else
                        hw <= (1 - PEAK_CUT) * issue[1],
                        "detail": f"RSS high-water {hw:.0f} MiB, growth "
                                  f"{rss.get('rss_growth_mib', 0):.0f} MiB, tracemalloc "
                                  f"{tr.get('tracemalloc_peak_mib', 0):.0f} MiB"})
    return acc
