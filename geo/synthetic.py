"""Deterministic street-like test graphs (SYNTHETIC: for tests, benchmarks and the sample).

:func:`street_grid` makes a jittered grid with some streets removed and straight arterials
every few blocks, which has the degree distribution and block sizes of a Chinese urban
street network closely enough to time and check routing code.  Nothing here is real data.

Examples
--------
>>> g = street_grid(10, 8, spacing_m=100.0, seed=1)
>>> g.node_xy.shape, bool(len(g.edge_u) > 100)
((80, 2), True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["GridGraph", "street_grid"]


@dataclass(frozen=True)
class GridGraph:
    """Arrays of a synthetic street graph (metres, local coordinates plus an origin)."""

    node_xy: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_arterial: np.ndarray


def street_grid(
    nx: int,
    ny: int,
    *,
    spacing_m: float = 90.0,
    jitter: float = 0.25,
    drop_share: float = 0.12,
    arterial_every: int = 10,
    origin: tuple[float, float] = (480_000.0, 4_050_000.0),
    seed: int = 0,
) -> GridGraph:
    """A jittered ``nx`` x ``ny`` street grid with dropped streets and arterials.

    Parameters
    ----------
    nx, ny : int
        Nodes per row and per column.
    spacing_m : float
        Block size.
    jitter : float
        Node displacement as a share of ``spacing_m`` (uniform, each axis).
    drop_share : float
        Share of non-arterial streets removed (dead ends and larger blocks).
    arterial_every : int
        Every n-th row and column is an arterial that is never removed.
    origin : (x, y)
        Coordinates of node 0 (default: a spot in EPSG:4548 near Jinan).
    seed : int
        Seed of the generator: same seed, same graph.
    """
    rng = np.random.default_rng(seed)
    ii, jj = np.meshgrid(np.arange(nx), np.arange(ny), indexing="xy")
    xy = np.stack([ii.ravel(), jj.ravel()], axis=1).astype(float) * spacing_m
    xy += rng.uniform(-jitter, jitter, size=xy.shape) * spacing_m
    xy += np.asarray(origin)
    idx = np.arange(nx * ny).reshape(ny, nx)
    hu, hv = idx[:, :-1].ravel(), idx[:, 1:].ravel()
    vu, vv = idx[:-1, :].ravel(), idx[1:, :].ravel()
    h_art = np.repeat((np.arange(ny) % arterial_every) == 0, nx - 1)
    v_art = np.tile((np.arange(nx) % arterial_every) == 0, ny - 1)
    u = np.concatenate([hu, vu])
    v = np.concatenate([hv, vv])
    art = np.concatenate([h_art, v_art])
    keep = art | (rng.random(len(u)) >= drop_share)
    return GridGraph(
        node_xy=xy, edge_u=u[keep].astype(np.int64), edge_v=v[keep].astype(np.int64),
        edge_arterial=art[keep],
    )
