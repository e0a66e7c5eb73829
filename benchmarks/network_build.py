"""Build time and peak memory of ``build_network`` + the snapping index (bench_network part).

The street layer is the benchmark grid (SYNTHETIC ``street_grid``, seed 7) written as one
two-point LineString per edge in EPSG:4548, the way a street file arrives.  Each measurement
runs in a fresh interpreter with the garbage collector ON (as users run):

- ``time``: wall time of ``build_network(streets)`` and of the first ``snap_points`` call
  (which builds the snapping index), medians of ``reps`` runs in that process;
- ``rss``: the process's RSS high-water mark (reset just before the build) minus its RSS
  before the build, for one build + index;
- ``traced``: tracemalloc's peak during one build + index (Python and numpy allocations;
  shapely's GEOS objects are not traced), in a process of its own.

Usage: ``python benchmarks/network_build.py --side 633`` prints one JSON line.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import time

import numpy as np

MiB = 1024.0 * 1024.0


def streets(side: int):
    """The grid as a street GeoDataFrame (one 2-point line per edge), SYNTHETIC."""
    import geopandas as gpd
    import shapely

    from jinan_gis.geo.synthetic import street_grid

    g = street_grid(side, side, spacing_m=90.0, seed=7)
    xy = np.stack([g.node_xy[g.edge_u], g.node_xy[g.edge_v]], axis=1).reshape(-1, 2)
    lines = shapely.linestrings(xy, indices=np.repeat(np.arange(len(g.edge_u)), 2))
    return gpd.GeoDataFrame(geometry=lines, crs="EPSG:4548"), g.node_xy


def _rss_now_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / MiB


def _reset_high_water() -> bool:
    """Reset the process's RSS high-water mark (Linux: ``5`` to /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _high_water_mib() -> float:
    """VmHWM of /proc/self/status (the RSS high-water mark since the last reset)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def measure_time(side: int, reps: int = 3) -> dict:
    """Build and snap-index times, GC on, medians of ``reps`` builds in this process."""
    from jinan_gis.geo.network import build_network
    from jinan_gis.geo.snap import snap_points

    gdf, node_xy = streets(side)
    probe = node_xy[:1] + 1.0
    snap_points(build_network(gdf.iloc[:10]), probe)  # first-call costs outside the timer
    gc.enable()
    t_net, t_idx = [], []
    for _ in range(reps):
        gc.collect()
        t0 = time.perf_counter()
        net = build_network(gdf)
        t1 = time.perf_counter()
        snap_points(net, probe)
        t2 = time.perf_counter()
        t_net.append(t1 - t0)
        t_idx.append(t2 - t1)
        n_nodes, n_edges = net.n_nodes, net.n_edges
        del net
    return {"side": side, "nodes": n_nodes, "edges": n_edges, "lines": len(gdf),
            "build_s": float(np.median(t_net)), "snap_index_s": float(np.median(t_idx)),
            "total_s": float(np.median(np.add(t_net, t_idx))), "reps": reps,
            "gc": gc.isenabled()}


def measure_memory(side: int, traced: bool) -> dict:
    """Peak memory of one build + snap index in this (fresh) process: the growth of the RSS
    high-water mark over the RSS before the build, or (``traced``) tracemalloc's peak (its own
    bookkeeping inflates the RSS, hence two processes)."""
    import tracemalloc

    from jinan_gis.geo.network import build_network
    from jinan_gis.geo.snap import snap_points

    gdf, node_xy = streets(side)
    probe = node_xy[:1] + 1.0
    snap_points(build_network(gdf.iloc[:10]), probe)
    gc.collect()
    rss0 = _rss_now_mib()
    reset = _reset_high_water()
    if traced:
        tracemalloc.start()
    net = build_network(gdf)
    snap_points(net, probe)
    if traced:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {"side": side, "nodes": net.n_nodes, "tracemalloc_peak_mib": peak / MiB}
    hw = _high_water_mib()
    return {"side": side, "nodes": net.n_nodes, "rss_before_mib": rss0,
            "rss_high_water_mib": hw, "high_water_reset": reset, "rss_growth_mib": hw - rss0}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--side", type=int, default=633)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--what", choices=("time", "rss", "traced"), default="time")
    args = ap.parse_args(argv)
    out = (measure_time(args.side, args.reps) if args.what == "time"
           else measure_memory(args.side, traced=args.what == "traced"))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
