#!/usr/bin/env python
"""Benchmark the street-network engine against scipy (the floor), NetworkX, pandana, cityseer.

SYNTHETIC graphs only (``jinan_gis.geo.synthetic.street_grid``, seeded): ~10k, ~100k and ~400k
nodes (100x100, 316x316, 633x633) with 50 / 300 / 1500 facilities placed exactly on nodes of
the largest component, so every engine sees the same problem.

Tasks (one timed run each, no best-of-N):

- (a)  nearest facility for every node, unbounded (distance + which facility);
- (b)  number of facilities within 1000 m of every node;
- (ab) nearest facility within 1000 m + count within 1000 m for every node: the task pandana
       and cityseer are built for, timed with their build step (acceptance);
- (c)  1000 m service areas: node sets per facility, then polygons (ours only, 100k graph);
- (d)  400k graph: 1,000,000 uniform population points, snapped (max 300 m) and evaluated.

Every engine runs in a fresh subprocess per graph, so each reports its own peak RSS
(``ru_maxrss``).  Peers are verified against our engine on the very runs that are timed: a
peer whose answers differ (distances by more than 1 m, different unreachable sets, different
counts or node sets other than ties within 1 cm of the 1000 m cut) gets no timing, and a peer
that disagrees on the smallest graph is not run on the larger ones.

Time limits keep the full run near 10 minutes: pandana is killed after ``--pandana-timeout``
seconds per graph (its contraction-hierarchy build on the 400k grid takes longer; what it
finished is kept and the kill time is a lower bound), cityseer starts no further facility count
on a graph after ``--cityseer-budget`` seconds (largest count first; its cost hardly depends on
the count), and a NetworkX per-facility loop estimated above ``--nx-budget`` is skipped.

pandana and cityseer are AGPL; they are only *called* here (``pip install -e ".[bench]"``).

Usage::

    python benchmarks/bench_network.py                 # full run (~9-16 min on 2 busy cores)
    python benchmarks/bench_network.py --quick         # 10k + 100k, fewer points (~1.5 min)
    python benchmarks/bench_network.py --profile       # plus cProfile of our engine
    python benchmarks/bench_network.py --sizes 10k --facilities 50,300

Results are printed as tables and written to ``out/bench_network.json``.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SIDES = {"10k": 100, "100k": 316, "400k": 633}
GRID_SEED = 7
FAC_SEED = 11
POINT_SEED = 13
CUT_M = 1000.0  # service distance of tasks (b), (ab), (c)
TOL_M = 1.0  # allowed distance difference (pandana and cityseer route in float32)
EDGE_M = 0.01  # pairs this close to the cut may fall on either side in float32 engines
NESTED = (300.0, 500.0, 1000.0)
PEERS = ("floor", "networkx", "pandana", "cityseer")
MB = 1024.0  # ru_maxrss is in KiB on Linux


# --------------------------------------------------------------------------- shared helpers
def grid(side: int):
    """The benchmark graph: node_xy, edge_u, edge_v, edge_length (straight, metres)."""
    from jinan_gis.geo.synthetic import street_grid

    g = street_grid(side, side, spacing_m=90.0, seed=GRID_SEED)
    length = np.hypot(*(g.node_xy[g.edge_v] - g.node_xy[g.edge_u]).T)
    return g.node_xy, g.edge_u, g.edge_v, length


def csr_of(n: int, u: np.ndarray, v: np.ndarray, length: np.ndarray):
    """Both arcs of every edge as a scipy CSR matrix (for checks in the parent)."""
    from scipy.sparse import csr_matrix

    return csr_matrix(
        (np.concatenate([length, length]), (np.concatenate([u, v]), np.concatenate([v, u]))),
        shape=(n, n),
    )


def facility_nodes(n: int, u: np.ndarray, v: np.ndarray, k: int) -> np.ndarray:
    """``k`` distinct nodes of the largest component (seeded; same for every engine)."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    a = csr_matrix((np.ones(len(u)), (u, v)), shape=(n, n))
    _, lab = connected_components(a, directed=False)
    main = np.flatnonzero(lab == np.argmax(np.bincount(lab)))
    rng = np.random.default_rng(FAC_SEED + k)
    return rng.choice(main, size=k, replace=False).astype(np.int64)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / MB


class Timer:
    """Wall time of a block, with the garbage collector off (as timeit does)."""

    def __init__(self) -> None:
        self.s = 0.0

    def __enter__(self) -> Timer:
        self._gc = gc.isenabled()
        gc.disable()
        self._t = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.s = time.perf_counter() - self._t
        if self._gc:
            gc.enable()


def sets_to_arrays(per_source: list[tuple[np.ndarray, np.ndarray]]):
    """[(nodes, dists) per source] -> ptr, node, dist."""
    cnt = np.array([len(n) for n, _ in per_source], dtype=np.int64)
    ptr = np.zeros(len(per_source) + 1, dtype=np.int64)
    np.cumsum(cnt, out=ptr[1:])
    node = np.concatenate([n for n, _ in per_source]) if per_source else np.empty(0, np.int64)
    dist = np.concatenate([d for _, d in per_source]) if per_source else np.empty(0)
    return ptr, node.astype(np.int64), dist.astype(np.float64)


def profile_text(fn, top: int = 14) -> str:
    """Run ``fn`` under cProfile; the top functions by cumulative time, as text."""
    import cProfile
    import io
    import pstats

    pr = cProfile.Profile()
    pr.enable()
    fn()
    pr.disable()
    buf = io.StringIO()
    pstats.Stats(pr, stream=buf).sort_stats("cumulative").print_stats(top)
    lines = [ln for ln in buf.getvalue().splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
    return "\n".join(lines[start:])


class Progress:
    """Phase log of a worker, so the parent can tell where a killed worker was."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __call__(self, phase: str) -> None:
        with open(self.path, "a") as f:
            f.write(f"{time.time():.3f} {phase}\n")


# --------------------------------------------------------------------------- workers
def _warm_up_ours() -> float:
    """Compile the numba kernels on a tiny graph (they compile, or load, on first call)."""
    from jinan_gis.geo.network import Network
    from jinan_gis.geo.reach import count_within, nearest_source, source_searches
    from jinan_gis.geo.service_area import service_areas
    from jinan_gis.geo.snap import snap_points
    from jinan_gis.geo.synthetic import street_grid

    with Timer() as t:
        g = street_grid(12, 12, seed=1)
        net = Network.from_arrays(g.node_xy, g.edge_u, g.edge_v)
        src = g.node_xy[[3, 70]]
        snap_points(net, g.node_xy[:5] + 3.0, max_snap_m=300)
        nearest_source(net, src, count_access=False)
        nearest_source(net, src, g.node_xy[:5] + 3.0, count_access=False)
        count_within(net, src, max_dist_m=300, count_access=False)
        source_searches(net, src, max_dist_m=300, count_access=False)
        service_areas(net, src, max_dist_m=[100.0, 300.0], count_access=False)
    return t.s


def worker_ours(cfg: dict) -> dict:
    from jinan_gis.geo.network import Network
    from jinan_gis.geo.reach import count_within, nearest_source, source_searches
    from jinan_gis.geo.snap import snap_points

    prog = Progress(cfg["progress"])
    base = peak_mb()
    warm = _warm_up_ours()
    xy, u, v, length = grid(cfg["side"])
    res: dict = {"times": {}, "build": {}, "notes": {}}
    prog("build")
    with Timer() as t:
        net = Network.from_arrays(xy, u, v, edge_length=length)
        net.csr()
        net.csr_matrix()
    res["build"]["network"] = t.s
    with Timer() as t:
        snap_points(net, xy[:1])  # builds the KD snapping index (and the component labels)
    res["build"]["snap_index"] = t.s
    for k in cfg["facilities"]:
        fac = facility_nodes(len(xy), u, v, k)
        fxy = xy[fac]
        arrays = {}
        prog(f"{k}:a")
        with Timer() as t:
            r = nearest_source(net, fxy, count_access=False)
        res["times"][f"{k}:a"] = t.s
        arrays["a_dist"] = r["dist_m"].to_numpy()
        arrays["a_src"] = r["source"].to_numpy()
        prog(f"{k}:b")
        with Timer() as t:
            c = count_within(net, fxy, max_dist_m=CUT_M, count_access=False)
        res["times"][f"{k}:b"] = t.s
        arrays["b_count"] = c.to_numpy().astype(np.int64)
        prog(f"{k}:n1000")
        with Timer() as t:
            r = nearest_source(net, fxy, max_dist_m=CUT_M, count_access=False)
        res["times"][f"{k}:n1000"] = t.s
        arrays["n_dist"] = r["dist_m"].to_numpy()
        arrays["n_src"] = r["source"].to_numpy()
        prog(f"{k}:c")
        with Timer() as t:
            ptr, node, dist, _ = source_searches(net, fxy, max_dist_m=CUT_M, count_access=False)
        res["times"][f"{k}:c"] = t.s
        arrays.update(c_ptr=ptr, c_node=node, c_dist=dist)
        # untimed: counts just inside / outside the cut, to judge float32 ties of the peers
        arrays["b_lo"] = count_within(net, fxy, max_dist_m=CUT_M - EDGE_M,
                                      count_access=False).to_numpy()
        arrays["b_hi"] = count_within(net, fxy, max_dist_m=CUT_M + EDGE_M,
                                      count_access=False).to_numpy()
        np.savez(Path(cfg["dir"]) / f"ours_{cfg['size']}_{k}.npz", **arrays)
    res["notes"]["warm_up_s"] = warm
    if cfg.get("interleave"):
        # (a) again for the largest facility count, alternating ours and the floor 3 times in
        # one process: the medians are less exposed to load swings than one run each
        from scipy.sparse.csgraph import dijkstra

        fac = facility_nodes(len(xy), u, v, max(cfg["facilities"]))
        t_o, t_f = [], []
        for _ in range(3):
            with Timer() as t:
                nearest_source(net, xy[fac], count_access=False)
            t_o.append(t.s)
            with Timer() as t:
                dijkstra(net.csr_matrix(), indices=fac, min_only=True)
            t_f.append(t.s)
        res["notes"]["a_interleaved"] = {"ours": t_o, "floor": t_f}
    if cfg.get("profile"):
        k = max(cfg["facilities"])
        fxy = xy[facility_nodes(len(xy), u, v, k)]
        res["notes"]["profile"] = {
            "build: Network.from_arrays + CSR + snap index": profile_text(
                lambda: snap_points(Network.from_arrays(xy, u, v, edge_length=length), xy[:1])),
            f"nearest_source, unbounded ({k} facilities)": profile_text(
                lambda: nearest_source(net, fxy, count_access=False)),
            f"nearest_source(max_dist_m=1000) + count_within(1000) ({k} facilities)":
                profile_text(lambda: (
                    nearest_source(net, fxy, max_dist_m=CUT_M, count_access=False),
                    count_within(net, fxy, max_dist_m=CUT_M, count_access=False))),
        }
    res["rss"] = {"base_mb": base, "peak_mb": peak_mb()}
    return res


def worker_floor(cfg: dict) -> dict:
    """Bare scipy.sparse.csgraph.dijkstra on the same CSR as our engine."""
    from scipy.sparse.csgraph import dijkstra

    from jinan_gis.geo.network import Network

    prog = Progress(cfg["progress"])
    base = peak_mb()
    xy, u, v, length = grid(cfg["side"])
    net = Network.from_arrays(xy, u, v, edge_length=length)
    csr = net.csr_matrix()  # not timed: the floor starts from our CSR
    n = net.n_nodes
    chunk = max(1, int(2e7 // n))  # rows of the dense (chunk, n) distance block
    res: dict = {"times": {}, "build": {}, "notes": {"chunk_rows": chunk}}

    def limited_blocks(fac):
        for lo in range(0, len(fac), chunk):
            yield lo, dijkstra(csr, directed=True, indices=fac[lo : lo + chunk], limit=CUT_M)

    for k in cfg["facilities"]:
        fac = facility_nodes(n, u, v, k)
        arrays = {}
        prog(f"{k}:a")
        with Timer() as t:
            d = dijkstra(csr, indices=fac, min_only=True)
        res["times"][f"{k}:a"] = t.s
        arrays["a_dist"] = d
        prog(f"{k}:b")
        with Timer() as t:
            cnt = np.zeros(n, dtype=np.int64)
            for _, block in limited_blocks(fac):
                cnt += np.isfinite(block).sum(axis=0)
        res["times"][f"{k}:b"] = t.s
        arrays["b_count"] = cnt
        prog(f"{k}:n1000")
        with Timer() as t:
            d = dijkstra(csr, indices=fac, min_only=True, limit=CUT_M)
        res["times"][f"{k}:n1000"] = t.s
        arrays["n_dist"] = d
        prog(f"{k}:c")
        with Timer() as t:
            per = []
            for _, block in limited_blocks(fac):
                for row in block:
                    nodes = np.flatnonzero(np.isfinite(row))
                    per.append((nodes, row[nodes]))
            ptr, node, dist = sets_to_arrays(per)
        res["times"][f"{k}:c"] = t.s
        arrays.update(c_ptr=ptr, c_node=node, c_dist=dist)
        np.savez(Path(cfg["dir"]) / f"floor_{cfg['size']}_{k}.npz", **arrays)
    res["rss"] = {"base_mb": base, "peak_mb": peak_mb()}
    return res


def worker_networkx(cfg: dict) -> dict:
    import networkx as nx

    prog = Progress(cfg["progress"])
    base = peak_mb()
    xy, u, v, length = grid(cfg["side"])
    n = len(xy)
    budget = cfg["nx_budget_s"]
    res: dict = {"times": {}, "build": {}, "notes": {}}
    prog("build")
    with Timer() as t:
        g = nx.Graph()
        g.add_nodes_from(range(n))
        g.add_weighted_edges_from(zip(u.tolist(), v.tolist(), length.tolist(), strict=True))
    res["build"]["graph"] = t.s

    def per_facility(fac, key):
        """single_source_dijkstra_path_length(cutoff) per facility, or None if over budget."""
        per = []
        probe = min(len(fac), 50)
        with Timer() as t:
            for f in fac[:probe].tolist():
                r = nx.single_source_dijkstra_path_length(g, f, cutoff=CUT_M)
                per.append((np.fromiter(r.keys(), np.int64, len(r)),
                            np.fromiter(r.values(), np.float64, len(r))))
        est = t.s * len(fac) / probe
        if est > budget:
            res["notes"][key] = f"skipped (est. {est:.0f}s from {probe} facilities)"
            return None, est
        with Timer() as t2:
            for f in fac[probe:].tolist():
                r = nx.single_source_dijkstra_path_length(g, f, cutoff=CUT_M)
                per.append((np.fromiter(r.keys(), np.int64, len(r)),
                            np.fromiter(r.values(), np.float64, len(r))))
        return per, t.s + t2.s

    for k in cfg["facilities"]:
        fac = facility_nodes(n, u, v, k)
        arrays = {}
        prog(f"{k}:a")
        with Timer() as t:
            r = nx.multi_source_dijkstra_path_length(g, set(fac.tolist()))
            d = np.full(n, np.inf)
            d[np.fromiter(r.keys(), np.int64, len(r))] = np.fromiter(r.values(), np.float64, len(r))
        res["times"][f"{k}:a"] = t.s
        arrays["a_dist"] = d
        prog(f"{k}:b")
        with Timer() as t:
            per, secs = per_facility(fac, f"{k}:b")
            if per is not None:
                hits = np.concatenate([p[0] for p in per])
                arrays["b_count"] = np.bincount(hits, minlength=n).astype(np.int64)
        if per is not None:
            res["times"][f"{k}:b"] = t.s
        else:
            res["times"][f"{k}:b_est"] = secs
        prog(f"{k}:c")
        with Timer() as t:
            per, secs = per_facility(fac, f"{k}:c")
            if per is not None:
                ptr, node, dist = sets_to_arrays(per)
                arrays.update(c_ptr=ptr, c_node=node, c_dist=dist)
        if per is not None:
            res["times"][f"{k}:c"] = t.s
        else:
            res["times"][f"{k}:c_est"] = secs
        np.savez(Path(cfg["dir"]) / f"networkx_{cfg['size']}_{k}.npz", **arrays)
    res["rss"] = {"base_mb": base, "peak_mb": peak_mb()}
    return res


def worker_pandana(cfg: dict) -> dict:
    """pandana; saves partial results after every step (the parent may kill it)."""
    import pandana
    import pandas as pd

    prog = Progress(cfg["progress"])
    base = peak_mb()
    xy, u, v, length = grid(cfg["side"])
    n = len(xy)
    res: dict = {"times": {}, "build": {}, "notes": {}}
    arrays: dict = {k: {} for k in cfg["facilities"]}

    def save(k: int | None = None) -> None:
        if k is not None:
            np.savez(Path(cfg["dir"]) / f"pandana_{cfg['size']}_{k}.npz", **arrays[k])
        res["rss"] = {"base_mb": base, "peak_mb": peak_mb()}
        Path(cfg["result"]).write_text(json.dumps(res))

    prog("build")
    with Timer() as t:
        pn = pandana.Network(
            pd.Series(xy[:, 0]), pd.Series(xy[:, 1]), pd.Series(u), pd.Series(v),
            pd.DataFrame({"length": length}), twoway=True,
        )
    res["build"]["contraction_hierarchy"] = t.s
    save()
    prog("precompute")
    with Timer() as t:
        pn.precompute(CUT_M)
    res["build"]["precompute_1000"] = t.s
    save()

    def nearest(cat, fx, fy, maxdist):
        pn.set_pois(cat, maxdist, 1, fx, fy)
        r = pn.nearest_pois(maxdist, cat, num_pois=1, include_poi_ids=True, max_distance=np.inf)
        w = r["poi1"].to_numpy()
        return r[1].to_numpy(np.float64), np.where(np.isnan(w), -1, w).astype(np.int64)

    # the 1000 m tasks first; the unbounded nearest (large maxdist, slowest) last
    for k in cfg["facilities"]:
        fac = facility_nodes(n, u, v, k)
        fx, fy = pd.Series(xy[fac, 0]), pd.Series(xy[fac, 1])  # index = facility position
        a = arrays[k]
        prog(f"{k}:b")
        with Timer() as t:
            pn.set(pd.Series(fac), name=f"f{k}")
            c = pn.aggregate(CUT_M, type="count", decay="flat", name=f"f{k}")
        res["times"][f"{k}:b"] = t.s
        a["b_count"] = np.rint(c.to_numpy()).astype(np.int64)
        save(k)
        prog(f"{k}:n1000")
        with Timer() as t:
            a["n_dist"], a["n_src"] = nearest(f"n{k}", fx, fy, CUT_M)
        res["times"][f"{k}:n1000"] = t.s
        save(k)
        prog(f"{k}:c")
        with Timer() as t:
            df = pn.nodes_in_range(fac, CUT_M)
            pos = pd.Series(np.arange(k), index=fac)
            s = pos.loc[df["source"].to_numpy()].to_numpy()
            order = np.argsort(s, kind="stable")
            cnt = np.bincount(s, minlength=k)
            ptr = np.zeros(k + 1, dtype=np.int64)
            np.cumsum(cnt, out=ptr[1:])
            node = df["destination"].to_numpy(np.int64)[order]
            dist = df["length"].to_numpy(np.float64)[order]
        res["times"][f"{k}:c"] = t.s
        a.update(c_ptr=ptr, c_node=node, c_dist=dist)
        save(k)
    for k in cfg["facilities"]:
        fac = facility_nodes(n, u, v, k)
        fx, fy = pd.Series(xy[fac, 0]), pd.Series(xy[fac, 1])
        maxdist = float(cfg["cover_m"][str(k)])
        prog(f"{k}:a")
        with Timer() as t:
            arrays[k]["a_dist"], arrays[k]["a_src"] = nearest(f"a{k}", fx, fy, maxdist)
        res["times"][f"{k}:a"] = t.s
        res["notes"][f"{k}:a"] = f"maxdist={maxdist:.0f} m"
        save(k)
    return res


def worker_cityseer(cfg: dict) -> dict:
    os.environ["CITYSEER_QUIET_MODE"] = "1"
    from cityseer import rustalgos

    prog = Progress(cfg["progress"])
    base = peak_mb()
    xy, u, v, _ = grid(cfg["side"])
    n = len(xy)
    res: dict = {"times": {}, "build": {}, "notes": {}}
    prog("build")
    with Timer() as t:
        # what cityseer.tools.io.network_structure_from_nx does, without the NetworkX detour:
        # one street node per node, both directions of every edge with its WKT geometry
        ns = rustalgos.graph.NetworkStructure()
        ns.set_is_dual(False)
        ns.set_is_directed(False)
        pts = xy.tolist()
        keys = [str(i) for i in range(n)]
        for i, (x, y) in enumerate(pts):
            ns.add_street_node(keys[i], x, y, True, 1.0)
        for a, b in zip(u.tolist(), v.tolist(), strict=True):
            (xa, ya), (xb, yb) = pts[a], pts[b]
            ab = f"LINESTRING ({xa!r} {ya!r}, {xb!r} {yb!r})"
            ba = f"LINESTRING ({xb!r} {yb!r}, {xa!r} {ya!r})"
            ns.add_street_edge(a, b, 0, keys[a], keys[b], ab)
            ns.add_street_edge(b, a, 0, keys[b], keys[a], ba)
        ns.validate()
        ns.build_edge_rtree()
    res["build"]["network_structure"] = t.s
    t_first = time.perf_counter()
    last = None
    # largest facility count first (the acceptance case); its cost hardly depends on the count
    # (one search per node), so later counts are skipped once the time budget is spent
    for k in sorted(cfg["facilities"], reverse=True):
        if last is not None and time.perf_counter() - t_first > cfg["cs_budget_s"]:
            res["times"][f"{k}:ab_est"] = last
            res["notes"][f"{k}:ab"] = f"skipped: over the {cfg['cs_budget_s']:.0f}s budget"
            continue
        fac = facility_nodes(n, u, v, k)
        arrays = {}
        prog(f"{k}:ab")
        with Timer() as t:
            dm = rustalgos.data.DataMap()
            for j, (x, y) in enumerate(xy[fac].tolist()):
                dm.insert(j, f"POINT ({x!r} {y!r})")
            dm.assign_data_to_network(ns, 100.0, 50)
            acc = dm.accessibility(
                ns, dict.fromkeys(range(k), "fac"), ["fac"], distances=[int(CUT_M)],
                decay_fn="1", pbar_disabled=True,
            )
            r = acc.result["fac"]
            cnt = np.asarray(r.count[int(CUT_M)])
            dist = np.asarray(r.distance[int(CUT_M)], dtype=np.float64)
        res["times"][f"{k}:ab"] = last = t.s
        idx = np.asarray(acc.node_indices, dtype=np.int64)
        b = np.zeros(n, dtype=np.int64)
        b[idx] = np.rint(cnt).astype(np.int64)
        d = np.full(n, np.inf)
        d[idx] = np.where(np.isnan(dist), np.inf, dist)
        arrays.update(b_count=b, n_dist=d)
        np.savez(Path(cfg["dir"]) / f"cityseer_{cfg['size']}_{k}.npz", **arrays)
    res["rss"] = {"base_mb": base, "peak_mb": peak_mb()}
    return res


def worker_polygons(cfg: dict) -> dict:
    import shapely

    from jinan_gis.geo.network import Network
    from jinan_gis.geo.reach import source_searches
    from jinan_gis.geo.service_area import service_areas

    base = peak_mb()
    warm = _warm_up_ours()
    xy, u, v, length = grid(cfg["side"])
    net = Network.from_arrays(xy, u, v, edge_length=length)
    k = cfg["k"]
    fxy = xy[facility_nodes(len(xy), u, v, k)]
    # caches (CSR, snap index) not timed
    source_searches(net, fxy[:2], max_dist_m=100.0, count_access=False)
    with Timer() as t1:
        sa = service_areas(net, fxy, max_dist_m=CUT_M, count_access=False)
    with Timer() as t2:
        nest = service_areas(net, fxy, max_dist_m=list(NESTED), count_access=False)
    peak = peak_mb()
    # nesting: area of (inner minus outer) per source and pair of thresholds
    by = {d: nest[nest["max_dist_m"] == d].sort_values("source").geometry.to_numpy()
          for d in NESTED}
    worst = 0.0
    for inner, outer in itertools.pairwise(NESTED):
        worst = max(worst, float(shapely.area(shapely.difference(by[inner], by[outer])).max()))
    # every node reached within 1000 m lies in its facility's polygon
    ptr, node, _, _ = source_searches(net, fxy, max_dist_m=CUT_M, count_access=False)
    s_of = np.repeat(np.arange(k), np.diff(ptr))
    polys = sa.sort_values("source").geometry.to_numpy()
    inside = shapely.dwithin(polys[s_of], shapely.points(xy[node]), 1e-6)
    same = shapely.equals_exact(polys, by[CUT_M], tolerance=1e-6)
    prof = {}
    if cfg.get("profile"):
        prof[f"service_areas(max_dist_m=1000) ({k} facilities)"] = profile_text(
            lambda: service_areas(net, fxy, max_dist_m=CUT_M, count_access=False))
    return {
        "times": {"polygons_1000": t1.s, "polygons_nested": t2.s},
        "notes": {
            "warm_up_s": warm,
            "n_polygons": len(sa),
            "empty": int(shapely.is_empty(polys).sum()),
            "mean_area_km2": float(sa["area_m2"].mean() / 1e6),
            "nest_max_excess_m2": worst,
            "reached_nodes_outside": int((~inside).sum()),
            "nested_1000_equals_single": bool(same.all()),
            "profile": prof,
        },
        "rss": {"base_mb": base, "peak_mb": peak},
    }


def worker_points(cfg: dict) -> dict:
    """(d) snap + evaluate ``n_points`` uniform points; peak RSS read before the checks."""
    import shapely
    from scipy.sparse.csgraph import dijkstra

    from jinan_gis.geo.network import Network
    from jinan_gis.geo.reach import nearest_source
    from jinan_gis.geo.snap import snap_points

    prog = Progress(cfg["progress"])
    base = peak_mb()
    warm = _warm_up_ours()
    xy, u, v, length = grid(cfg["side"])
    k = cfg["k"]
    fac = facility_nodes(len(xy), u, v, k)
    rng = np.random.default_rng(POINT_SEED)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    pts = lo + rng.random((cfg["n_points"], 2)) * (hi - lo)
    prog("network")
    with Timer() as t_net:
        net = Network.from_arrays(xy, u, v, edge_length=length)
    prog("index")
    with Timer() as t_idx:
        snap_points(net, pts[:1], max_snap_m=300.0)  # first call builds the KD index
    prog("snap")
    with Timer() as t_snap:
        sn = snap_points(net, pts, max_snap_m=300.0)
    prog("evaluate")
    with Timer() as t_eval:
        r = nearest_source(net, xy[fac], sn, count_access=False)
    peak = peak_mb()
    prog("checks")
    # check 1: distances against the scipy floor (facilities sit on nodes, so
    # d(point) = min(d(u) + t, d(v) + L - t) exactly)
    dn = dijkstra(net.csr_matrix(), indices=fac, min_only=True)
    ok = sn.ok
    e, off = sn.edge[ok], sn.offset_m[ok]
    exp = np.minimum(dn[net.edge_u[e]] + off, dn[net.edge_v[e]] + net.edge_length[e] - off)
    got = r["dist_m"].to_numpy()[ok]
    fin = np.isfinite(exp)
    same_inf = bool(np.array_equal(fin, np.isfinite(got)))
    dmax = float(np.abs(got[fin] - exp[fin]).max()) if fin.any() else 0.0
    # check 2: snapping of a sample against shapely's exact STRtree nearest
    sample = rng.choice(len(pts), size=min(50_000, len(pts)), replace=False)
    main = np.flatnonzero(~net.edge_is_island)
    tree = shapely.STRtree(net.edge_geometry[main])
    (qi, _), qd = tree.query_nearest(shapely.points(pts[sample]), max_distance=300.0,
                                     return_distance=True, all_matches=False)
    ref = np.full(len(sample), np.nan)
    ref[qi] = qd
    acc = sn.access_m[sample]
    snap_same = bool(np.array_equal(np.isnan(ref), np.isnan(acc)))
    snap_dmax = float(np.nanmax(np.abs(ref - acc))) if np.isfinite(ref).any() else 0.0
    prof = {}
    if cfg.get("profile"):
        prof[f"snap_points ({len(pts):,} points)"] = profile_text(
            lambda: snap_points(net, pts, max_snap_m=300.0))
    return {
        "times": {"network": t_net.s, "index": t_idx.s, "snap": t_snap.s, "evaluate": t_eval.s},
        "notes": {
            "warm_up_s": warm,
            "n_points": len(pts),
            "k": k,
            "status": sn.counts(),
            "check_dist_max_m": dmax,
            "check_same_unreached": same_inf,
            "check_snap_sample": len(sample),
            "check_snap_max_m": snap_dmax,
            "check_snap_same_status": snap_same,
            "profile": prof,
        },
        "rss": {"base_mb": base, "peak_mb": peak},
    }


WORKERS = {
    "ours": worker_ours,
    "floor": worker_floor,
    "networkx": worker_networkx,
    "pandana": worker_pandana,
    "cityseer": worker_cityseer,
    "polygons": worker_polygons,
    "points": worker_points,
}


# --------------------------------------------------------------------------- parent side
def run_worker(engine: str, cfg: dict, tmp: Path, timeout: float | None = None) -> dict:
    """Run one worker in a fresh interpreter; returns its result or {"error": ...}."""
    tag = f"{engine}_{cfg.get('size', '')}"
    cfg_path = tmp / f"{tag}.cfg.json"
    out_path = tmp / f"{tag}.out.json"
    cfg = {**cfg, "dir": str(tmp), "progress": str(tmp / f"{tag}.progress"),
           "result": str(out_path)}
    cfg_path.write_text(json.dumps(cfg))
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", engine,
           "--cfg", str(cfg_path), "--result", str(out_path)]
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        now = time.time()
        phase, t_phase, t_first = "start", now, now
        prog = Path(cfg["progress"])
        if prog.exists() and prog.read_text().strip():
            lines = [ln.split(" ", 1) for ln in prog.read_text().strip().splitlines()]
            phase, t_phase, t_first = lines[-1][1], float(lines[-1][0]), float(lines[0][0])
        # seconds the engine itself had run (after imports and graph generation)
        out = {"error": "timeout", "timeout_s": now - t_first, "phase": phase,
               "in_phase_s": now - t_phase, "wall_s": time.perf_counter() - t0}
        if out_path.exists():  # partial results saved by the worker before it was killed
            out["partial"] = json.loads(out_path.read_text())
        return out
    if p.returncode != 0 or not out_path.exists():
        tail = (p.stderr or p.stdout or "").strip().splitlines()[-3:]
        return {"error": f"exit {p.returncode}: " + " | ".join(tail)}
    res = json.loads(out_path.read_text())
    res["wall_s"] = time.perf_counter() - t0
    return res


def load(tmp: Path, engine: str, size: str, k: int) -> dict:
    p = tmp / f"{engine}_{size}_{k}.npz"
    if not p.exists():
        return {}
    with np.load(p) as z:
        return {key: z[key] for key in z.files}


def _unreached(d: np.ndarray) -> np.ndarray:
    return ~np.isfinite(d)


def check_nearest(ref_d, ref_w, d, w, csr, fac, cap=None) -> tuple[bool, str]:
    """Distances within TOL_M, same unreachable nodes; which facility equal or tied.

    With a search cap, a node whose nearest facility lies within EDGE_M of the cap may be
    reached by one engine and not by the other (float32 rounding); such nodes are left out.
    """
    if d.shape != ref_d.shape:
        return False, f"shape {d.shape} != {ref_d.shape}"
    edge_note = ""
    odd = _unreached(ref_d) != _unreached(d)
    if odd.any():
        near_cap = np.where(np.isfinite(ref_d), ref_d, d)[odd]
        if cap is None or np.any(near_cap < cap - EDGE_M):
            a, b = int(_unreached(ref_d).sum()), int(_unreached(d).sum())
            return False, f"unreached sets differ (ours {a}, peer {b})"
        edge_note = (f", except {int(odd.sum())} {_nodes(int(odd.sum()))} with the nearest "
                     f"facility within {EDGE_M * 100:.0f} cm of {cap:.0f} m")
        ref_d, d = ref_d.copy(), d.copy()
        ref_d[odd] = d[odd] = np.inf
    fin = np.isfinite(ref_d)
    dmax = float(np.abs(ref_d[fin] - d[fin]).max()) if fin.any() else 0.0
    if dmax > TOL_M:
        return False, f"max |dd| = {dmax:.3f} m > {TOL_M} m"
    msg = f"max |dd| = {dmax:.2g} m, {int((~fin).sum())} unreached{edge_note}"
    if w is None:
        return True, msg + " (distance only)"
    bad = np.flatnonzero(fin & (w != ref_w))
    if len(bad):
        if np.any(w[bad] < 0) or len(np.unique(w[bad])) > 300:
            return False, f"{len(bad)} nodes get another facility"
        from scipy.sparse.csgraph import dijkstra

        uf, inv = np.unique(w[bad], return_inverse=True)
        dd = dijkstra(csr, indices=fac[uf], limit=float(ref_d[bad].max()) + 2 * TOL_M)
        alt = dd[inv, bad]
        if np.any(np.abs(alt - ref_d[bad]) > TOL_M):
            return False, f"{len(bad)} nodes get another, farther facility"
        msg += f", which equal except {len(bad)} {'tie' if len(bad) == 1 else 'ties'}"
    else:
        msg += ", which equal"
    return True, msg


def _nodes(k: int) -> str:
    return "node" if k == 1 else "nodes"


def check_counts(ref, lo, hi, c) -> tuple[bool, str]:
    if c.shape != ref.shape:
        return False, f"shape {c.shape} != {ref.shape}"
    diff = c != ref
    if not diff.any():
        return True, f"counts equal (total {int(ref.sum())})"
    if np.all((lo <= c) & (c <= hi)):
        k = int(diff.sum())
        return True, (f"counts equal except {k} {_nodes(k)} with a facility within "
                      f"{EDGE_M * 100:.0f} cm of {CUT_M:.0f} m")
    return False, f"{int(diff.sum())} nodes with other counts (max |dc| {np.abs(c - ref).max()})"


def check_sets(ref: dict, peer: dict, n: int) -> tuple[bool, str]:
    def keyed(a):
        s = np.repeat(np.arange(len(a["c_ptr"]) - 1), np.diff(a["c_ptr"]))
        key = s * n + a["c_node"]
        o = np.argsort(key, kind="stable")
        return key[o], a["c_dist"][o]

    rk, rd = keyed(ref)
    pk, pd_ = keyed(peer)
    if len(np.unique(pk)) != len(pk):
        return False, "peer reports a node twice for one facility"
    common, ri, pi = np.intersect1d(rk, pk, assume_unique=True, return_indices=True)
    dmax = float(np.abs(rd[ri] - pd_[pi]).max()) if len(common) else 0.0
    only_r = np.setdiff1d(np.arange(len(rk)), ri)
    only_p = np.setdiff1d(np.arange(len(pk)), pi)
    edge = np.concatenate([rd[only_r], pd_[only_p]])
    if dmax > TOL_M:
        return False, f"max |dd| = {dmax:.3f} m > {TOL_M} m"
    if np.any(edge < CUT_M - EDGE_M):
        return False, f"{len(only_r)} pairs only ours, {len(only_p)} only peer"
    msg = f"{len(rk)} (facility, node) pairs equal, max |dd| = {dmax:.2g} m"
    if len(edge):
        msg += f" (except {len(edge)} within {EDGE_M * 100:.0f} cm of {CUT_M:.0f} m)"
    return True, msg


def fmt_s(s: float | None) -> str:
    if s is None:
        return "-"
    return f"{s:.3f}" if s < 10 else f"{s:.1f}"


def fmt_x(r: float | None) -> str:
    if r is None or not math.isfinite(r):
        return "-"
    return f"{r:.1f}x" if r < 100 else f"{r:.0f}x"


def print_table(title: str, header: list[str], rows: list[list[str]], notes: list[str]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(header)]
    print(f"\n{title}")
    print("  " + "  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    for r in rows:
        print("  " + "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)))
    for note in notes:
        print(f"  {note}")


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
    ap.add_argument("--cityseer-budget", type=float, default=120.0,
                    help="cityseer starts no further facility count on a graph after this "
                         "many seconds (largest count first)")
    ap.add_argument("--pandana-timeout", type=float, default=200.0,
                    help="kill pandana on a graph after this many seconds")
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
    t_start = time.perf_counter()

    print(f"jinan-gis network benchmark  (python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f})")
    print("SYNTHETIC street grids (street_grid, seed 7), facilities on nodes of the largest "
          "component; one timed run per cell (GC off); each engine in its own subprocess "
          "per graph.")
    print("Our engine is warmed up on a 12x12 graph first (numba kernels compile/load on "
          "first call).")

    rec: dict = {"times": {}, "build": {}, "checks": [], "memory": [], "notes": []}
    T: dict = {}  # (size, k, task, engine) -> seconds
    S: dict = {}  # (size, k, task, engine) -> status text when not timed
    B: dict = {}  # (size, engine) -> {phase: seconds}
    K: dict = {}  # (size, engine) -> where a killed worker was
    MEM: dict = {}  # (engine, size) -> rss dict
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
            base = {"size": size, "side": side, "facilities": facs,
                    "profile": args.profile and size == sizes[-1],
                    "interleave": size == "400k"}
            ours = run_worker("ours", base, tmp)
            if "error" in ours:
                print(f"  ours FAILED: {ours['error']}")
                continue
            MEM[("ours", size)] = ours["rss"]
            B[(size, "ours")] = ours["build"]
            for key, s in ours["times"].items():
                k, task = key.split(":")
                T[(size, int(k), task, "ours")] = s
            if "a_interleaved" in ours["notes"]:
                rec["a_interleaved"] = ours["notes"]["a_interleaved"]
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
    peers_in = [e for e in PEERS if e in engines and e != "floor"]
    for task, title in task_titles.items():
        header = ["graph", "fac", "ours s", "floor s", "ours/floor"] + [
            f"{e} s (x ours)" for e in peers_in]
        rows = []
        for size in sizes:
            for k in facs:
                o, f = tv(size, k, task, "ours"), tv(size, k, task, "floor")
                rows.append([size, str(k), fmt_s(o), fmt_s(f),
                             fmt_x(o / f) if o and f else "-"]
                            + [cell(size, k, task, e) for e in peers_in])
        notes = ["x ours = peer seconds / our seconds (speed-up of ours)."]
        if task == "a":
            notes += [
                "floor: dijkstra(csr, indices=facilities, min_only=True) - distances only;",
                "networkx: multi_source_dijkstra_path_length (distances only);",
                "pandana: set_pois + nearest_pois with maxdist = smallest cap that reaches "
                "every reachable node (from our answer), float32 distances;",
                "cityseer: n/a - it reports nearest distances only up to its search "
                "threshold, and an uncapped run needs one all-node search to several km;"
                " compared on (ab).",
            ]
        elif task == "b":
            notes += [
                "floor: dijkstra(csr, indices=chunk, limit=1000) in chunks, finite entries "
                "counted; networkx: single_source_dijkstra_path_length(cutoff=1000) per "
                "facility; pandana: set + aggregate(1000, type='count', decay='flat');",
                "cityseer: DataMap assign + accessibility(distances=[1000], decay_fn='1'): one "
                "search per node giving count and nearest together (same time as (ab)).",
            ]
        elif task == "ab":
            notes += ["ours: nearest_source(max_dist_m=1000) + count_within(1000); floor: "
                      "dijkstra(min_only, limit=1000) + the (b) floor; pandana: "
                      "set_pois/nearest_pois(1000) + (b)."]
        else:
            notes += ["ours: source_searches; floor: dijkstra(limit=1000) per facility in "
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
                [f"snap status: {nt['status']}; check vs scipy floor: max |dd| = "
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
    if "400k" in sizes:
        o, f = tv("400k", kmax, "a", "ours"), tv("400k", kmax, "a", "floor")
        il = rec.get("a_interleaved")
        detail = f"table (one run each): ours {fmt_s(o)}s vs floor {fmt_s(f)}s = " + (
            fmt_x(o / f) if o and f else "-")
        if il:
            o, f = float(np.median(il["ours"])), float(np.median(il["floor"]))
            detail += (f"; interleaved x3 in one process, medians: ours {fmt_s(o)}s vs floor "
                       f"{fmt_s(f)}s = {fmt_x(o / f)} (verdict)")
        verdict(f"400k nearest for all nodes ({kmax} fac) within 2x of scipy floor",
                bool(o and f and o <= 2 * f), detail)
    else:
        verdict("400k nearest within 2x of floor", None, "400k not run")
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
    print("\nACCEPTANCE" + ("" if final else "  (partial run: not the final numbers)"))
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
        polygons=poly, points=pts, acceptance=acc,
    )
    out.write_text(json.dumps(rec, indent=1, default=str))
    print(f"results written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
