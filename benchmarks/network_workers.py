"""Workers of the network benchmark: one engine on one graph, in a fresh interpreter.

Each worker saves its answers (``.npz``) for the parent's checks and returns times, build
times and peak RSS.  SYNTHETIC graphs only.  pandana and cityseer (AGPL) are only called.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from pathlib import Path

import numpy as np
from network_common import (
    CUT_M,
    EDGE_M,
    NESTED,
    POINT_SEED,
    Progress,
    Timer,
    facility_nodes,
    grid,
    peak_mb,
    profile_text,
    sets_to_arrays,
)


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


def worker_scipy(cfg: dict) -> dict:
    """Bare scipy.sparse.csgraph.dijkstra on the same CSR as our engine."""
    from scipy.sparse.csgraph import dijkstra

    from jinan_gis.geo.network import Network

    prog = Progress(cfg["progress"])
    base = peak_mb()
    xy, u, v, length = grid(cfg["side"])
    net = Network.from_arrays(xy, u, v, edge_length=length)
    csr = net.csr_matrix()  # not timed: scipy starts from our CSR
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
        np.savez(Path(cfg["dir"]) / f"scipy_{cfg['size']}_{k}.npz", **arrays)
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
    xy, u, v, length = grid(cfg["side"])
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
    fc = _cityseer_facility_centric(ns, cfg, xy, u, v, length)
    res["notes"]["facility_centric"] = fc
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


def _cityseer_facility_centric(ns, cfg: dict, xy, u, v, length) -> dict:
    """cityseer's facility-centric count (``NetworkStructure.poll_reach_hits``: one bounded
    search per facility, on its threads) against ours (``count_within`` at nodes), in this
    process, back to back ``reps`` times each; answers checked first (equal counts, except
    nodes with a facility within EDGE_M of the cut: cityseer routes in float32)."""
    from cityseer import config

    from jinan_gis.geo.network import Network
    from jinan_gis.geo.reach import count_within

    _warm_up_ours()
    net = Network.from_arrays(xy, u, v, edge_length=length)
    out = {}
    for k in sorted(cfg["facilities"], reverse=True):
        fac = facility_nodes(len(xy), u, v, k)
        fxy = xy[fac]

        def ours(fxy=fxy, cut=CUT_M):
            return count_within(net, fxy, max_dist_m=cut, count_access=False).to_numpy()

        def theirs(fac=fac):
            return np.asarray(ns.poll_reach_hits(fac.tolist(), [int(CUT_M)], config.SPEED_M_S)[0],
                              dtype=np.int64)

        c_ours, c_cs = ours(), theirs()
        lo, hi = ours(cut=CUT_M - EDGE_M), ours(cut=CUT_M + EDGE_M)
        diff = c_ours != c_cs
        ok = bool(np.all((lo <= c_cs) & (c_cs <= hi)))
        entry = {"ok": ok, "msg": f"counts equal except {int(diff.sum())} nodes within "
                                  f"{EDGE_M * 100:.0f} cm of the cut" if ok else
                 f"{int(diff.sum())} nodes with other counts"}
        if ok:
            t_o, t_c = [], []
            for _ in range(cfg.get("reps", 3)):
                with Timer() as t:
                    ours()
                t_o.append(t.s)
                with Timer() as t:
                    theirs()
                t_c.append(t.s)
            entry.update(ours_s=float(np.median(t_o)), cityseer_s=float(np.median(t_c)),
                         ours_runs=t_o, cityseer_runs=t_c)
        out[str(k)] = entry
    return out


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
    # check 1: distances against scipy (facilities sit on nodes, so
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
    "scipy": worker_scipy,
    "networkx": worker_networkx,
    "pandana": worker_pandana,
    "cityseer": worker_cityseer,
    "polygons": worker_polygons,
    "points": worker_points,
}
