"""The ``jinan-gis`` command: demo, fetch, import, coverage, report, sites.

Run ``jinan-gis --help`` or ``jinan-gis <command> --help``.
"""

from __future__ import annotations

import argparse
import logging
import os
import stat
import sys
import time
from pathlib import Path
from typing import Any

from jinan_gis.cli_args import EXTRA_KINDS

__all__ = ["main"]

log = logging.getLogger("jinan_gis")

def _say(args: argparse.Namespace, msg: str) -> None:
    if not getattr(args, "quiet", False):
        print(msg, flush=True)


# ----------------------------------------------------------------------------- inputs
def _scenario(args: argparse.Namespace):
    """The --scenario file, read (``None`` without one)."""
    if not getattr(args, "scenario", None):
        return None
    from jinan_gis.analyses.inputs import load_scenario

    return load_scenario(args.scenario)


def _check_out(args: argparse.Namespace) -> None:
    """An --out that is a file, or under a read-only folder, fails here in one line, before
    any work (not after minutes of analysis)."""
    out = getattr(args, "out", None)
    if not out:
        return
    from jinan_gis.geo.errors import InputDataError

    folder = Path(out)
    while not folder.exists() and folder != folder.parent:  # created when missing
        folder = folder.parent
    if not folder.is_dir():
        raise InputDataError(f"--out {out}: {folder} is a file, not a folder; give a folder "
                             "path (it is created if missing).")
    if not os.access(folder, os.W_OK) or not folder.stat().st_mode & stat.S_IWUSR:
        raise InputDataError(f"--out {out}: {folder} is read-only; choose a folder you can "
                             "write to.")


def _check_store_path(args: argparse.Namespace) -> None:
    """A --store path that is no file fails here, in one line, before the analysis modules
    (geopandas, numba: ~1 s of imports) are loaded; everything else about the store
    (a GeoPackage? a layer store? the layers a command needs?) is checked by
    :func:`jinan_gis.analyses.workflow.check_sources`, whose message for a missing file this
    is (:func:`jinan_gis.layers.store_path.missing_store_error`)."""
    _check_out(args)
    store = getattr(args, "store", None)
    if not store or getattr(args, "scenario", None) or Path(store).is_file():
        return
    from jinan_gis.layers.store_path import missing_store_error

    raise missing_store_error(store)


def _inputs(args: argparse.Namespace, *, needs: tuple[str, ...] = ()):
    """Check the layer source (before any work), then build the inputs; a scenario file
    fills --out and --basemap where they were not given. Returns (inputs, its metrics)."""
    _check_store_path(args)
    from jinan_gis.analyses.workflow import build_inputs, check_sources

    sc = _scenario(args)
    store = getattr(args, "store", None)
    check_sources(scenario=sc, store=store, needs=needs)
    if sc is not None:
        args.out = str(sc.out) if args.out is None else args.out
        args.basemap = sc.basemap if getattr(args, "basemap", None) is None else args.basemap
    return build_inputs(scenario=sc, store=store, seed=args.seed, scale=args.scale), (
        sc.metrics if sc is not None else None)


# ----------------------------------------------------------------------------- report
def _report(args: argparse.Namespace, inputs, *, metrics=None) -> None:
    from jinan_gis.analyses.workflow import run_report

    timings = getattr(args, "timings", False)
    run = run_report(inputs, out_dir=args.out, metrics=metrics, basemap=args.basemap,
                     progress=not args.quiet, timings=timings)
    _say(args, run.report.summary_markdown(timings=timings))
    for p in run.paths:
        _say(args, f"wrote {p}")


def cmd_demo(args) -> int:
    args.scenario = None
    args.store = None
    t = time.perf_counter()
    _say(args, "jinan-gis demo on the embedded SYNTHETIC sample (合成样例数据): building it ...")
    inputs, _ = _inputs(args)
    _say(args, f"sample built in {time.perf_counter() - t:.1f} s")
    _report(args, inputs)
    _say(args, f"demo done in {time.perf_counter() - t:.1f} s")
    return 0


def cmd_report(args) -> int:
    _check_store_path(args)
    from jinan_gis.analyses.catalogue import get_metric

    for m in args.metric or ():
        get_metric(m)  # an unknown id fails here, listing the valid ones, before any work
    inputs, metrics = _inputs(args)
    args.out = args.out or "out"
    args.basemap = args.basemap or "osm"
    _report(args, inputs, metrics=args.metric or metrics)
    return 0


# ----------------------------------------------------------------------------- coverage
_NEEDS = ("streets", "facilities", "population")


def _check_categories(args: argparse.Namespace) -> None:
    """Unknown --category names fail here, listing the valid ones, and a mistyped --store
    path too: both before the analysis modules are imported (taxonomy needs only pandas)."""
    _check_store_path(args)
    from jinan_gis.layers.taxonomy import resolve_categories

    resolve_categories(args.category)


def cmd_coverage(args) -> int:
    _check_categories(args)
    from jinan_gis.analyses.workflow import run_coverage, write_coverage
    from jinan_gis.geo.reach import minutes_to_metres
    from jinan_gis.layers.provenance import SYNTHETIC_MARK

    inputs, _ = _inputs(args, needs=_NEEDS)
    dist_m = args.max_dist_m if args.max_dist_m is not None else minutes_to_metres(
        args.walk_min, speed_kmh=args.speed_kmh)
    run = run_coverage(inputs, categories=args.category, max_dist_m=dist_m, mode=args.mode,
                       districts=args.district, by_zone=args.by_zone)
    _say(args, f"coverage within {dist_m:g} m ({args.mode}) of {', '.join(args.category)}")
    if run.synthetic:
        print(SYNTHETIC_MARK, flush=True)  # also with --quiet: the numbers are not Jinan's
    print(run.table.to_string(float_format=lambda v: f"{v:,.3f}"))
    if args.out:
        _say(args, f"wrote {write_coverage(run, out_dir=args.out)}")
    return 0


# ----------------------------------------------------------------------------- sites
_SITE_TABLE = {
    "site_id": "site",
    "zone_name": "sub-district 街道",
    "street_name": "nearest street 最近道路",
    "lon_wgs84": "lon WGS84",
    "lat_wgs84": "lat WGS84",
    "lon_gcj02": "lon GCJ-02",
    "lat_gcj02": "lat GCJ-02",
    "gain_people": "people added 新增覆盖人口",
    "covered_share": "covered after 覆盖率",
}


def site_table(sites) -> str:
    """The proposed sites as a readable table (where each is; people it adds)."""
    cols = [c for c in _SITE_TABLE if c in sites.columns]
    tab = sites[cols].rename(columns=_SITE_TABLE)
    fmt = {
        "people added 新增覆盖人口": lambda v: f"{v:,.0f}",
        "covered after 覆盖率": lambda v: f"{v:.1%}",
        **{_SITE_TABLE[c]: (lambda v: f"{v:.6f}") for c in
           ("lon_wgs84", "lat_wgs84", "lon_gcj02", "lat_gcj02")},
    }
    return tab.to_string(index=False, formatters={k: f for k, f in fmt.items() if k in tab})


def cmd_sites(args) -> int:
    t_start = time.perf_counter()
    _check_categories(args)
    from jinan_gis.analyses.workflow import run_sites, write_sites
    from jinan_gis.layers.provenance import SYNTHETIC_MARK

    inputs, _ = _inputs(args, needs=_NEEDS)
    run = run_sites(inputs, categories=args.category, k=args.k, max_dist_m=args.max_dist_m,
                    method=args.method, bound=args.bound, districts=args.district,
                    progress=not args.quiet)
    files = write_sites(run, inputs, out_dir=args.out)
    if run.synthetic:
        print(SYNTHETIC_MARK, flush=True)
    print(site_table(run.sites))
    print(run.result.describe())
    s = run.result.summary
    if args.bound and s["method"] == "greedy":
        print(f"gap to the optimum: at most {s['optimality_gap']:.2%} "
              f"({s['gain_people']:,.0f} added; no {s['k']} sites can add more than "
              f"{s['gain_bound_people']:,.0f})")
    _say(args, f"wrote {files.map}")
    _say(args, f"wrote {files.layers}")
    _say(args, f"sites done in {time.perf_counter() - t_start:.1f} s")
    return 0


# ----------------------------------------------------------------------------- vocabulary
def cmd_categories(args) -> int:
    from jinan_gis.layers.taxonomy import vocabulary_table

    tab = vocabulary_table()
    print("What --category accepts (names, Chinese and English names work too) 可用的设施类别:")
    print(tab.to_string(index=False))
    return 0


def cmd_metrics(args) -> int:
    from jinan_gis.cli_metrics import cmd_metrics as metrics

    return metrics(args)


# ----------------------------------------------------------------------------- import
READ_OPTIONS = ("layer", "sheet", "lon_column", "lat_column", "lonlat_column", "sep", "decimal",
                "header_row", "id_column", "category_column", "name_column", "encoding",
                "duplicates", "overlaps", "capacity_column")
"""Import options passed to the loader (as these keywords) only when the user gave them."""

_TABLES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls")


def _flag(keyword: str) -> str:
    return "--" + keyword.replace("_", "-")


def _call_loader(fn, args: argparse.Namespace, what: str, *, takes=None, **fixed: Any):
    """``fn(**fixed, **the read options the user gave)``; an option this loader does not
    take is one line naming the kinds of file it applies to (``takes``: the function whose
    keywords count, default ``fn``)."""
    import inspect

    given = {k: getattr(args, k) for k in READ_OPTIONS if getattr(args, k, None) is not None}
    params = inspect.signature(takes or fn).parameters
    unused = [k for k in given if k not in params]
    if unused:
        from jinan_gis.geo.errors import InputDataError

        raise InputDataError(
            f"{', '.join(_flag(k) for k in unused)} does not apply to {what}; leave it out "
            "(`jinan-gis import --help` says which options go with which files).")
    return fn(**fixed, **given)


def _is_points_file(args: argparse.Namespace) -> bool:
    """Whether a population file holds points (a table, or a vector file of points)."""
    if str(args.path).lower().endswith(_TABLES):
        return True
    import pyogrio

    try:
        info = pyogrio.read_info(args.path, layer=args.layer)
    except Exception:  # unreadable here: the polygon loader says why, in its words
        return False
    return str(info.get("geometry_type") or "").lstrip("3D ").startswith(("Point", "MultiPoint"))


def _load(args: argparse.Namespace):
    """The loader of ``--as KIND`` with the options given."""
    kind, path = args.kind, args.path
    if kind == "facilities":
        from jinan_gis.cli_import import keep_physicians
        from jinan_gis.layers.facilities import load_facilities
        return keep_physicians(_call_loader(
            load_facilities, args, "facility files", src=path, datum=args.datum,
            category=args.category, crs=args.crs), args)
    if kind in EXTRA_KINDS:  # the catalogue's polygon layers: communities, villages, forest...
        from jinan_gis.analyses.extra_layers import load_extra_layer
        return _call_loader(load_extra_layer, args, f"--as {kind} (polygon files)", src=path,
                            kind=kind, columns=dict(args.column or ()), crs=args.crs)
    if kind == "zones":
        from jinan_gis.layers.zones import load_zones
        return _call_loader(load_zones, args, "zone files", src=path, zone_type=args.zone_type,
                            crs=args.crs)
    if kind == "population":
        from jinan_gis.layers import population as P

        if str(path).lower().endswith((".tif", ".tiff")):
            clip = {"clip_lonlat": None} if args.no_clip else {}
            return _call_loader(P.population_from_raster, args, "rasters", path=path,
                                crs=args.crs, **clip)
        if args.count_column is None:
            from jinan_gis.geo.errors import InputDataError
            raise InputDataError(
                f"{Path(path).name}: a population table or polygon file needs --count-column "
                "NAME, the column of people per row (e.g. --count-column 人口); a raster of "
                "people per cell (.tif) needs none.")
        if _is_points_file(args):
            return _call_loader(P.population_from_points, args, "population points",
                                src=path, count_column=args.count_column, datum=args.datum,
                                crs=args.crs)
        return _call_loader(P.population_from_polygons, args, "population polygons", src=path,
                            count_column=args.count_column, crs=args.crs)
    from jinan_gis.layers.centreline import read_streets_centreline
    from jinan_gis.layers.districts import DISTRICT_CODES, load_districts
    from jinan_gis.layers.streets import load_streets

    # default: both study districts (a city-wide street file keeps Licheng AND Shizhong)
    area = load_districts(args.area or DISTRICT_CODES)
    return _call_loader(load_streets, args, "street files", takes=read_streets_centreline,
                        area=area, source="centreline", path=path, mode=args.mode,
                        file_crs=args.crs, datum=args.datum)


def _resolve_category(args: argparse.Namespace) -> None:
    if args.kind == "facilities" and args.category:
        from jinan_gis.geo.errors import InputDataError
        from jinan_gis.layers.taxonomy import resolve_categories
        ids = resolve_categories(args.category)  # ids, Chinese/English names; else the list
        if len(ids) != 1:
            raise InputDataError(
                f"--category {args.category!r} is a group of {len(ids)} categories "
                f"({', '.join(ids)}); an import gives every row ONE category: name one of "
                "them, or leave --category out to classify rows by their names.")
        args.category = ids[0]


def _rejections(args: argparse.Namespace, res, name: str) -> Path | None:
    """Print the counts and write the rejection table (before the store is written: a
    refused write still shows the reasons)."""
    from jinan_gis.geo.files import write_csv_atomic

    print(f"{Path(args.path).name}: {res.n_input} rows in, {res.n_kept} kept, "
          f"{res.n_rejected} rejected")
    if not res.n_rejected:
        return None
    out = Path(args.out or Path(args.store).parent)
    out.mkdir(parents=True, exist_ok=True)
    p = out / f"{name}_rejected.csv"
    write_csv_atomic(res.rejected, p)  # text never runs as a formula in Excel
    print(f"rejected rows and reasons: {p}")
    for reason, n in res.rejected["reason"].value_counts().items():
        print(f"  {n} x {reason}")
    return p


def cmd_import(args) -> int:
    from jinan_gis.cli_import import check_import_options

    check_import_options(args)
    if args.kind == "osm":  # every OSM layer + people in the buildings: analyses/osm_import.py
        from jinan_gis.analyses.osm_import import import_osm_command
        return import_osm_command(args)
    from jinan_gis.geo.errors import LayerError
    from jinan_gis.layers.store import LayerStore

    _resolve_category(args)
    name = args.name or args.kind
    store = LayerStore(args.store, lock_timeout_s=args.lock_timeout_s)
    if_exists = args.if_exists or "error"  # never guessed: --append or --replace
    store.check_write([name], if_exists=if_exists)  # before any work
    res = _load(args)
    if args.kind == "facilities" and len(res.layer) and Path(args.store).exists() \
            and "streets" in store.names():
        # a declared datum that does not fit the streets (Amap data declared as WGS84...)
        from jinan_gis.layers.checks import check_datum_against_streets

        chk = check_datum_against_streets(res.layer, store.read("streets").layer,
                                          name_column="name", source=Path(args.path).name)
        if chk.suggested:
            print(f"warning: {chk.message}")
    table = _rejections(args, res, name)
    if res.n_kept == 0 and not args.replace_empty:
        reasons = "; ".join(f"{r}: {n}" for r, n in res.rejected["reason"].value_counts().items())
        raise LayerError(
            f"{Path(args.path).name}: 0 of {res.n_input} rows kept ({reasons or 'no rows'}): "
            f"nothing was written, the store {args.store} is left as it was; fix the file "
            f"(reasons: {table or 'none'}), or store the empty layer on purpose with "
            "--replace-empty.")
    before = len(store.read(name).layer) if if_exists == "append" and name in store.names() \
        else None
    store.write(name, res, replace_empty=args.replace_empty, if_exists=if_exists)
    if before is not None:
        now = store.read(name)
        print(f"appended {len(now.layer) - before} rows to layer {name!r} in {args.store} "
              f"(now {len(now.layer)} rows from {now.n_input} input rows)")
    else:
        print(f"stored as layer {name!r} in {args.store}")
    if args.kind in EXTRA_KINDS:
        from jinan_gis.cli_import import extra_notes
        extra_notes(res, args.kind)
    return 0


# ----------------------------------------------------------------------------- fetch
def cmd_fetch(args) -> int:
    from jinan_gis.layers.store import LayerStore
    from jinan_gis.layers.streets import load_streets

    kw = {}
    if args.overpass_url:
        kw["overpass_url"] = args.overpass_url
    if args.cache_dir:
        kw["cache_dir"] = args.cache_dir
    store = LayerStore(args.store)
    store.check_write(["streets", "facilities"], if_exists="replace")  # before the download
    res = load_streets(args.district, source="overpass", mode=args.mode,
                       timeout_s=args.timeout_s, **kw)
    store.write("streets", res, if_exists="replace")  # a fetch replaces (README)
    print(f"streets: {res.summary()}")
    if args.facilities:
        from jinan_gis.layers.osm_facilities import fetch_facilities_osm

        fres = fetch_facilities_osm(args.district, timeout_s=args.timeout_s, **kw)
        store.write("facilities", fres, if_exists="replace")
        print(f"facilities: {fres.summary()}")
    print(f"stored in {args.store}")
    return 0


# ----------------------------------------------------------------------------- batch
def cmd_batch(args) -> int:
    from jinan_gis.analyses.batch import main as batch_main

    return batch_main(args.rest)


# ----------------------------------------------------------------------------- parser
HANDLERS = {"demo": cmd_demo, "report": cmd_report, "coverage": cmd_coverage,
            "sites": cmd_sites, "categories": cmd_categories, "metrics": cmd_metrics,
            "import": cmd_import, "fetch": cmd_fetch, "batch": cmd_batch}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``jinan-gis`` (built in :mod:`jinan_gis.cli_args`)."""
    from jinan_gis.cli_args import build_parser as build

    return build(HANDLERS)


_CLUSTER_MODULES = {"dask", "distributed"}


def _missing_cluster_extra(exc: ImportError) -> bool:
    """Whether ``exc`` is the optional Dask stack (the ``cluster`` extra) not installed."""
    name = exc.name or ""
    return name.split(".")[0] in _CLUSTER_MODULES


def _run(argv: list[str]) -> int:
    if argv[:1] == ["batch"]:  # everything after "batch" belongs to the batch runner
        from jinan_gis.analyses.batch import main as batch_main

        return batch_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(2, getattr(args, "verbose", 0))
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    return int(args.func(args) or 0)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status: 0, or 2 with one line on stderr for
    every expected failure (bad input, file, permission, number; a missing ``cluster``
    extra), 130/143 with one line when interrupted (SIGINT/SIGTERM), 1 with the traceback
    and a line asking to report it for a bug (:mod:`jinan_gis.cli_errors`)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    from jinan_gis.cli_errors import guarded

    return guarded(_run, argv, cluster_missing=_missing_cluster_extra)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
