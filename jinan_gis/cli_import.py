"""``jinan-gis import``'s options for the plan targets: the catalogue's extra polygon layers
(``--as communities``, ``--as villages``, ``--as forest``... with ``--column``) and the
count columns of facilities (``--capacity-column``, ``--physicians-column``).

Loaded by :mod:`jinan_gis.cli` only when an import runs (``--help`` stays light).
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["check_import_options", "extra_notes", "keep_physicians"]

PHYSICIANS = "physicians"
"""The facility column the physician targets read (L-PHYSICIANS-2025/2035)."""

_POINT_READ = ("lon_column", "lat_column", "lonlat_column", "encoding", "sheet", "layer",
               "sep", "decimal", "header_row")


def check_import_options(args: argparse.Namespace) -> None:
    """Options that belong to other kinds of import fail in one line, before any work."""
    from jinan_gis.cli_args import EXTRA_KINDS
    from jinan_gis.geo.errors import InputDataError

    if args.column and args.kind not in EXTRA_KINDS:
        raise InputDataError(
            f"--column applies to --as {'/'.join(EXTRA_KINDS[:3])}/... (the columns a plan "
            f"target reads), not to --as {args.kind}; leave it out.")
    for flag, value in (("--capacity-column", args.capacity_column),
                        ("--physicians-column", args.physicians_column)):
        if value is not None and args.kind != "facilities":
            raise InputDataError(f"{flag} applies to --as facilities, not to --as "
                                 f"{args.kind}; leave it out.")


def keep_physicians(res: Any, args: argparse.Namespace) -> Any:
    """The facility layer of ``res`` with a ``physicians`` column (numbers; NaN where the
    cell is empty or not a number) from ``--physicians-column``, read again from the file
    with the same options and joined by ``input_row``; ``res`` unchanged without it."""
    import numpy as np
    import pandas as pd

    from jinan_gis.geo.errors import InputDataError
    from jinan_gis.layers.points import read_point_rows
    from jinan_gis.layers.result import LoadResult

    col = args.physicians_column
    if col is None:
        return res
    kw = {k: getattr(args, k) for k in _POINT_READ if getattr(args, k, None) is not None}
    pr = read_point_rows(args.path, datum=args.datum, crs=args.crs, **kw)
    if col not in pr.rows.columns:
        raise InputDataError(f"--physicians-column {col}: no such column; the file has: "
                             f"{', '.join(map(str, pr.rows.columns))}.")
    values = pd.to_numeric(pr.rows[col], errors="coerce").to_numpy(dtype=float)
    first = pd.Series(values).groupby(pr.input_rows).first()  # exploded MultiPoints: one value
    layer = res.layer.copy()
    layer[PHYSICIANS] = first.reindex(layer["input_row"].to_numpy()).to_numpy(dtype=float)
    layer.loc[~np.isfinite(layer[PHYSICIANS]), PHYSICIANS] = np.nan
    prov = {**res.provenance, "physicians_column": col}
    n = int(layer[PHYSICIANS].notna().sum())
    print(f"{PHYSICIANS}: from column {col!r}, {n} of {len(layer)} facilities with a number "
          f"({layer[PHYSICIANS].sum():,.0f} in all)")
    return LoadResult(layer=layer, rejected=res.rejected, n_input=res.n_input, provenance=prov)


def extra_notes(res: Any, kind: str) -> None:
    """Print which file column each catalogue column came from, the ones not found (with the
    entries that need them) and the empty cells."""
    from jinan_gis.analyses.catalogue import CATALOGUE
    from jinan_gis.analyses.extra_layers import EXTRA_LAYERS

    spec = EXTRA_LAYERS[kind]
    prov = res.provenance
    for col, src in (prov.get("columns") or {}).items():
        empty = (prov.get("n_empty") or {}).get(col, 0)
        tail = (f"; {empty} empty (the report counts them as not meeting the target)"
                if empty else "")
        print(f"  column {col} <- {src!r}{tail}")
    for col in prov.get("columns_missing") or ():
        ids = [m.id for m in CATALOGUE if m.unit_layer == kind and col in
               (m.flag_column, "urban" if m.unit_filter is not None else None)]
        need = f" ({', '.join(ids)} need it)" if ids else ""
        print(f"  column {col}: not in the file{need}; name it with --column {col}=COLUMN")
    print(f"  {spec.title_zh} {spec.title_en}: for {', '.join(spec.metric_ids)} "
          "(`jinan-gis report --store ...` evaluates them)")
