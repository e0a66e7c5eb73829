"""Shared pieces of the network benchmark (bench_network.py): graphs, timers, workers' plumbing.

SYNTHETIC graphs only (``street_grid``, seeded).  Timers keep the garbage collector ON, as
users run.
"""

from __future__ import annotations

import gc
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(__file__).resolve().parent / "bench_network.py"
SIDES = {"10k": 100, "100k": 316, "400k": 633}
GRID_SEED = 7
FAC_SEED = 11
POINT_SEED = 13
CUT_M = 1000.0  # service distance of tasks (b), (ab), (c)
TOL_M = 1.0  # allowed distance difference (pandana and cityseer route in float32)
EDGE_M = 0.01  # pairs this close to the cut may fall on either side in float32 engines
NESTED = (300.0, 500.0, 1000.0)
PEERS = ("scipy", "networkx", "pandana", "cityseer", "networkit")
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
    """Wall time of a block, with the garbage collector ON (as users run; it is switched on
    if something switched it off)."""

    def __init__(self) -> None:
        self.s = 0.0

    def __enter__(self) -> Timer:
        gc.enable()
        self._t = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.s = time.perf_counter() - self._t


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


# --------------------------------------------------------------------------- parent side
def run_worker(engine: str, cfg: dict, tmp: Path, timeout: float | None = None) -> dict:
    """Run one worker in a fresh interpreter; returns its result or {"error": ...}."""
    tag = f"{engine}_{cfg.get('size', '')}"
    cfg_path = tmp / f"{tag}.cfg.json"
    out_path = tmp / f"{tag}.out.json"
    cfg = {**cfg, "dir": str(tmp), "progress": str(tmp / f"{tag}.progress"),
           "result": str(out_path)}
    cfg_path.write_text(json.dumps(cfg))
    cmd = [sys.executable, str(SCRIPT), "--worker", engine,
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
