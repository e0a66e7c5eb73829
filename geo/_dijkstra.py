"""Compatibility names of the network kernels (now in :mod:`jinan_gis.geo._kernels`).

``bounded_searches`` runs many small bounded Dijkstra searches on a CSR graph, keeping one
distance array and resetting only what each search touched (scipy's ``dijkstra(limit=...)``
initialises a full-length row per source); :func:`kernel_cached` tells whether numba's disk
cache holds a kernel and the rest of its family.
"""

from __future__ import annotations

from ._kernels import KERNELS, bounded_searches

__all__ = ["bounded_searches", "kernel_cached"]


def _one_cached(kernel) -> bool:
    try:
        cache = kernel._cache
        want = tuple(cache._index_key(None, kernel.targetctx.codegen())[1:])
        return any(tuple(key[1:]) == want for key in cache._cache_file._load_index())
    except Exception:
        return False


def kernel_cached(kernel) -> bool:
    """Whether numba's on-disk cache holds ``kernel`` (an ``@njit(cache=True)`` function)
    compiled from its current source for this machine: False on a first run, or after the
    source or numba changed, when calling it compiles first (seconds).  For a kernel of the
    search family (:data:`jinan_gis.geo._kernels.KERNELS`) every kernel of the family must be
    cached.

    Looks at numba's cache index (private API, checked with numba 0.68); anything unexpected
    there answers False (the caller then warms up, which costs nothing more than the run would).
    """
    family = KERNELS if any(kernel is k for k in KERNELS) else (kernel,)
    return all(_one_cached(k) for k in family)
