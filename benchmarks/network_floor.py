"""The compiled C floor of the network benchmark, and the in-process ratio runs against it.

``benchmarks/floor/dijkstra.c`` (plain C: a binary heap with lazy deletion, and a bucket
queue where no arc is shorter than a bucket) is compiled here with the system compiler
(``cc -O2 -shared -fPIC``) into the run's temporary folder and loaded with ctypes; it reads
the same CSR arrays as our kernels (uint32 indices, float64 lengths).  Its answers are
checked against ours before anything is timed.  Ours and the C floor then run back to back
in one process, ``reps`` times each, and the ratios are of the medians (the machine may be
shared: ratios within one process are what holds).

Also here: networkit (nearest facility through a virtual source joined to every facility).
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
from network_common import CUT_M, Timer, facility_nodes, grid, peak_mb

C_SOURCE = Path(__file__).resolve().parent / "floor" / "dijkstra.c"
CFLAGS = ["-O2", "-shared", "-fPIC"]


def compile_floor(out_dir: Path) -> ctypes.CDLL:
    """Compile the C floor into ``out_dir`` and load it (raises when no compiler works)."""
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        raise RuntimeError("no C compiler (cc) on PATH: install one (e.g. apt-get install gcc)")
    lib_path = Path(out_dir) / "jinan_floor.so"
    subprocess.run([cc, *CFLAGS, "-o", str(lib_path), str(C_SOURCE), "-lm"], check=True,
                   capture_output=True, text=True)
    lib = ctypes.CDLL(str(lib_path))
    p, i64, dbl = ctypes.c_void_p, ctypes.c_int64, ctypes.c_double
    lib.floor_nearest.argtypes = [i64, p, p, p, i64, p, p, p, dbl, dbl, i64, p, p]
    lib.floor_count.argtypes = [i64, p, p, p, i64, p, p, p, dbl, dbl, i64, p]
    lib.floor_nearest.restype = lib.floor_count.restype = ctypes.c_int
    return lib


def _ptr(a: np.ndarray) -> ctypes.c_void_p:
    return a.ctypes.data_as(ctypes.c_void_p)


class Floor:
    """The C floor on one graph (CSR as our kernels hold it) and one set of facility nodes."""

    def __init__(self, lib: ctypes.CDLL, indptr, head, weight, fac: np.ndarray,
                 mask: int) -> None:
        self.lib, self.indptr, self.head, self.weight = lib, indptr, head, weight
        self.n = len(indptr) - 1
        self.mask = int(mask)
        self.seed = fac.astype(indptr.dtype)
        self.ptr = np.arange(len(fac) + 1, dtype=np.int64)
        self.dist0 = np.zeros(len(fac))
        self.lab = np.arange(len(fac), dtype=np.int64)

    def nearest(self, width: float) -> tuple[np.ndarray, np.ndarray]:
        d = np.empty(self.n)
        w = np.empty(self.n, dtype=np.int64)
        rc = self.lib.floor_nearest(self.n, _ptr(self.indptr), _ptr(self.head),
                                    _ptr(self.weight), len(self.seed), _ptr(self.seed),
                                    _ptr(self.dist0), _ptr(self.lab), np.inf, width,
                                    self.mask, _ptr(d), _ptr(w))
        if rc:
            raise MemoryError("C floor: allocation failed")
        return d, w

    def count(self, width: float) -> np.ndarray:
        c = np.empty(self.n, dtype=np.int64)
        rc = self.lib.floor_count(self.n, _ptr(self.indptr), _ptr(self.head), _ptr(self.weight),
                                  len(self.seed), _ptr(self.ptr), _ptr(self.seed),
                                  _ptr(self.dist0), CUT_M, width, self.mask, _ptr(c))
        if rc:
            raise MemoryError("C floor: allocation failed")
        return c


def _medians(runs: dict, reps: int) -> dict:
    """Run every callable of ``runs`` once per round, ``reps`` rounds; median seconds."""
    times: dict = {k: [] for k in runs}
    for _ in range(reps):
        for name, fn in runs.items():
            with Timer() as t:
                fn()
            times[name].append(t.s)
    return {k: {"median_s": float(np.median(v)), "runs_s": v} for k, v in times.items()}


def _same_nearest(d_ref, w_ref, d, w, fac_d) -> tuple[bool, str]:
    """Distances equal to 1e-6 m, same unreached nodes, same facility or an equally near one."""
    fin = np.isfinite(d_ref)
    if not np.array_equal(fin, np.isfinite(d)):
        return False, "unreached sets differ"
    dmax = float(np.abs(d_ref[fin] - d[fin]).max()) if fin.any() else 0.0
    other = np.flatnonzero(fin & (w_ref != w))
    ties = 0
    if len(other):  # a tie: the other facility is exactly as near (checked on its own search)
        alt = np.array([fac_d(int(f))[i] for f, i in zip(w[other], other, strict=True)])
        ties = int((np.abs(alt - d_ref[other]) <= 1e-6).sum())
    ok = dmax <= 1e-6 and ties == len(other)
    return ok, f"max |dd| = {dmax:.1e} m, {len(other)} other facility ({ties} exact ties)"


def worker_kernels(cfg: dict) -> dict:
    """Ours (API calls, and the kernels alone) against the C floor, in one process."""
    os.environ.pop("JINAN_GIS_THREADS", None)
    from network_workers import _warm_up_ours
    from scipy.sparse.csgraph import dijkstra

    from jinan_gis.geo import _kernels as K
    from jinan_gis.geo.network import Network
    from jinan_gis.geo.reach import _kernel_graph, count_within, nearest_source
    from jinan_gis.geo.snap import snap_points

    base = peak_mb()
    _warm_up_ours()
    lib = compile_floor(Path(cfg["dir"]))
    xy, u, v, length = grid(cfg["side"])
    net = Network.from_arrays(xy, u, v, edge_length=length)
    indptr, head, weight, width, mask = _kernel_graph(net)
    kind = net.search_queue()[0]
    k = max(cfg["facilities"])
    fac = facility_nodes(len(xy), u, v, k)
    fxy = xy[fac]
    floor = Floor(lib, indptr, head, weight, fac, mask)
    bucket_ok = width > 0
    seeds = (fac.astype(head.dtype), np.zeros(k), np.arange(k, dtype=np.int64))
    c_ptr = np.arange(k + 1, dtype=np.int64)

    def ours_nearest():
        return nearest_source(net, fxy, count_access=False)

    def ours_count(threads=None):
        if threads:
            os.environ["JINAN_GIS_THREADS"] = str(threads)
        try:
            return count_within(net, fxy, max_dist_m=CUT_M, count_access=False)
        finally:
            os.environ.pop("JINAN_GIS_THREADS", None)

    # answers first: ours against the C floor (heap, and bucket where valid)
    r = ours_nearest()
    d_ours, w_ours = r["dist_m"].to_numpy(), r["source"].to_numpy()
    c_ours = ours_count().to_numpy().astype(np.int64)
    csr = net.csr_matrix()
    cache: dict = {}

    def fac_d(f):
        if f not in cache:
            cache[f] = dijkstra(csr, indices=int(fac[f]))
        return cache[f]

    checks = {}
    for q, wd in (("heap", 0.0), ("bucket", width)):
        if q == "bucket" and not bucket_ok:
            continue
        d, w = floor.nearest(wd)
        checks[f"nearest C {q}"] = _same_nearest(d, w, d_ours, w_ours, fac_d)
        c = floor.count(wd)
        checks[f"count C {q}"] = (bool(np.array_equal(c, c_ours)),
                                  f"counts {'equal' if np.array_equal(c, c_ours) else 'DIFFER'}"
                                  f" (total {int(c.sum())})")
    if not all(ok for ok, _ in checks.values()):
        return {"checks": checks, "queue": kind, "error": "answers differ from the C floor"}
    runs = {
        "ours nearest (API)": ours_nearest,
        "ours nearest (kernel)": lambda: K.nearest(indptr, head, weight, *seeds, np.inf, width,
                                                   mask),
        "C heap nearest": lambda: floor.nearest(0.0),
        "ours count (API)": ours_count,
        "ours count (API, 1 thread)": lambda: ours_count(1),
        "ours count (kernel, 1 thread)": lambda: K.count_nodes(
            indptr, head, weight, c_ptr, *seeds[:2], CUT_M, width, mask, 0, k),
        "ours snap facilities": lambda: snap_points(net, fxy),
        "C heap count": lambda: floor.count(0.0),
    }
    if bucket_ok:
        runs["C bucket nearest"] = lambda: floor.nearest(width)
        runs["C bucket count"] = lambda: floor.count(width)
    times = _medians(runs, cfg.get("reps", 5))
    return {"checks": checks, "queue": kind, "bucket_width_m": width, "k": k,
            "times": times, "cflags": " ".join(CFLAGS),
            "rss": {"base_mb": base, "peak_mb": peak_mb()}}


def worker_networkit(cfg: dict) -> dict:
    """networkit: nearest facility (distance only) through a virtual source joined to every
    facility at length 0 (it has no bounded search for the counts)."""
    import networkit as nk

    nk.setNumberOfThreads(2)
    base = peak_mb()
    xy, u, v, length = grid(cfg["side"])
    n = len(xy)
    res: dict = {"times": {}, "build": {}, "notes": {}}
    with Timer() as t:
        g = nk.Graph(n + 1, weighted=True, directed=False)
        g.addEdges((length, (u, v)), addMissing=False)
    res["build"]["graph"] = t.s
    for k in cfg["facilities"]:
        fac = facility_nodes(n, u, v, k)
        with Timer() as t:
            for f in fac.tolist():
                g.addEdge(n, f, 0.0)
            dj = nk.distance.Dijkstra(g, n, storePaths=False)
            dj.run()
            d = np.asarray(dj.getDistances())[:n]
            for f in fac.tolist():
                g.removeEdge(n, f)
        d = np.where(d >= np.finfo(np.float64).max / 2, np.inf, d)
        res["times"][f"{k}:a"] = t.s
        np.savez(Path(cfg["dir"]) / f"networkit_{cfg['size']}_{k}.npz", a_dist=d)
    res["rss"] = {"base_mb": base, "peak_mb": peak_mb()}
    return res
