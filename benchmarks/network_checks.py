"""Answer checks and table printing of the network benchmark (bench_network.py)."""

from __future__ import annotations

import math

import numpy as np
from network_common import CUT_M, EDGE_M, TOL_M


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
