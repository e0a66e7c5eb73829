"""Where a layer store should be, checked without opening it (no geopandas, no GDAL):
commands answer a mistyped ``--store`` in one line before loading the analyses.

Examples
--------
>>> missing_store_error("nope.gpkg").args[0].startswith("no layer store at nope.gpkg: create")
True
"""

from __future__ import annotations

from pathlib import Path

from ..geo.errors import LayerError

__all__ = ["make_store_hint", "missing_store_error"]


def make_store_hint(path: str | Path) -> str:
    """How to make a layer store at ``path`` (the fix every store message names)."""
    return (f"create one with `jinan-gis import FILE --as streets --store {Path(path)}` (then "
            "facilities, population)")


def missing_store_error(path: str | Path) -> LayerError:
    """The error for a store path where no file is: what to do, and what happens without one."""
    return LayerError(f"no layer store at {Path(path)}: {make_store_hint(path)}, or check the "
                      "path; without --store the command runs on the synthetic sample.")
