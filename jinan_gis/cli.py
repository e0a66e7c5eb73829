"""The ``jinan-gis`` command: demo, fetch, import, coverage, report, sites.

Run ``jinan-gis --help`` or ``jinan-gis <command> --help``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import Any

from jinan_gis.geo.modes import MODES, WALK_SPEED_KMH

__all__ = ["main"]

log = logging.getLogger("jinan_gis")

_EPILOG = (
    "Data honesty: the embedded sample (demo, --sample) is SYNTHETIC (合成样例数据): streets, "
    "facilities, population and sub-district boundaries are invented inside the real "
    "district polygons and calibrated to the plans' published counts."
)


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


def _check_store_path(args: argparse.Namespace) -> None:
    """A --store path that is no file fails here, in one line, before the analysis modules
    (geopandas, numba: ~1 s of imports) are loaded; everything else about the store
    (a GeoPackage? a layer store? the layers a command needs?) is checked by
    :func:`jinan_gis.analyses.workflow.check_sources`, whose message for a missing file this
    is (:func:`jinan_gis.layers.store_path.missing_store_error`)."""
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
    from jinan_gis.analyses.catalogue import CATALOGUE

    print("The plans' metrics (use the id with report --metric) 规划指标:\n")
    for m in CATALOGUE:
        print(f"{m.id}  {m.name_zh}")
        print(f"    {m.name_en}")
        print(f"    threshold 阈值: {m.threshold_text} | target 目标: {m.target_text} | "
              f"year: {m.year}")
        print(f"    categories: {', '.join(m.categories)} | scope: {', '.join(m.scope)} | "
              f"source: {m.source_file} ({m.basis})\n")
    return 0


# ----------------------------------------------------------------------------- import
def cmd_import(args) -> int:
    if args.kind == "osm":  # every OSM layer + people in the buildings: analyses/osm_import.py
        from jinan_gis.analyses.osm_import import import_osm_command
        return import_osm_command(args)
    from jinan_gis.geo.files import write_csv_atomic
    from jinan_gis.layers.store import LayerStore

    kind = args.kind
    if kind == "facilities" and args.category:
        from jinan_gis.geo.errors import InputDataError
        from jinan_gis.layers.taxonomy import resolve_categories
        ids = resolve_categories(args.category)  # ids, Chinese/English names; else the list
        if len(ids) != 1:
            raise InputDataError(
                f"--category {args.category!r} is a group of {len(ids)} categories "
                f"({', '.join(ids)}); an import gives every row ONE category: name one of "
                "them, or leave --category out to classify rows by their names.")
        args.category = ids[0]
    if kind == "facilities":
        from jinan_gis.layers.facilities import load_facilities
        res = load_facilities(args.path, datum=args.datum, category=args.category,
                              encoding=args.encoding, crs=args.crs, sheet=args.sheet)
    elif kind == "zones":
        from jinan_gis.layers.zones import load_zones
        res = load_zones(args.path, zone_type=args.zone_type, encoding=args.encoding,
                         crs=args.crs)
    elif kind == "population":
        from jinan_gis.layers import population as P

        if str(args.path).lower().endswith((".tif", ".tiff")):
            res = P.population_from_raster(args.path, crs=args.crs)
        elif args.count_column and str(args.path).lower().endswith((".csv", ".xlsx", ".xls")):
            res = P.population_from_points(args.path, count_column=args.count_column,
                                           datum=args.datum, encoding=args.encoding)
        else:
            res = P.population_from_polygons(args.path, count_column=args.count_column,
                                             encoding=args.encoding, crs=args.crs)
    else:  # streets
        from jinan_gis.layers.districts import DISTRICT_CODES, load_districts
        from jinan_gis.layers.streets import load_streets

        # default: both study districts (a city-wide street file keeps Licheng AND Shizhong)
        area = load_districts(args.area or DISTRICT_CODES)
        res = load_streets(area, source="centreline", path=args.path,
                           mode=args.mode, encoding=args.encoding, file_crs=args.crs,
                           datum=args.datum)
    name = args.name or kind
    store = LayerStore(args.store)
    if kind == "facilities" and len(res.layer) and Path(args.store).exists() \
            and "streets" in store.names():
        # a declared datum that does not fit the streets (Amap data declared as WGS84...)
        from jinan_gis.layers.checks import check_datum_against_streets

        chk = check_datum_against_streets(res.layer, store.read("streets").layer,
                                          name_column="name", source=Path(args.path).name)
        if chk.suggested:
            print(f"warning: {chk.message}")
    print(f"{Path(args.path).name}: {res.n_input} rows in, {res.n_kept} kept, "
          f"{res.n_rejected} rejected")
    if res.n_rejected:  # the reasons are written first: a refused write still shows them
        out = Path(args.out or Path(args.store).parent)
        out.mkdir(parents=True, exist_ok=True)
        p = out / f"{name}_rejected.csv"
        write_csv_atomic(res.rejected, p)  # text never runs as a formula in Excel
        print(f"rejected rows and reasons: {p}")
        for reason, n in res.rejected["reason"].value_counts().items():
            print(f"  {n} x {reason}")
    store.write(name, res, replace_empty=args.replace_empty)
    print(f"stored as layer {name!r} in {args.store}")
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
    res = load_streets(args.district, source="overpass", mode=args.mode,
                       timeout_s=args.timeout_s, **kw)
    store = LayerStore(args.store)
    store.write("streets", res)
    print(f"streets: {res.summary()}")
    if args.facilities:
        from jinan_gis.layers.osm_facilities import fetch_facilities_osm

        fres = fetch_facilities_osm(args.district, timeout_s=args.timeout_s, **kw)
        store.write("facilities", fres)
        print(f"facilities: {fres.summary()}")
    print(f"stored in {args.store}")
    return 0


# ----------------------------------------------------------------------------- batch
def cmd_batch(args) -> int:
    from jinan_gis.analyses.batch import main as batch_main

    return batch_main(args.rest)


# ----------------------------------------------------------------------------- parser
def _common(p: argparse.ArgumentParser, *, out_default: str | None = "out") -> None:
    p.add_argument("--out", default=out_default, help="output folder 输出目录 (default out/)")
    p.add_argument("--quiet", action="store_true",
                   help="no progress or chatter 安静模式 (progress goes to stderr: a bar in a "
                   "terminal, one line per step in a log)")
    p.add_argument("-v", "--verbose", action="count", default=0, help="log more (-vv: debug)")


def _layers_source(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("layers 图层来源")
    g.add_argument("--store", help="a layer-store GeoPackage written by 'import'/'fetch'")
    g.add_argument("--scenario", help="a scenario TOML file naming layers, metrics, outputs")
    g.add_argument("--seed", type=int, default=20231, help="seed of the synthetic sample")
    g.add_argument("--scale", type=float, default=1.0,
                   help="density of the synthetic sample (1.0 = demo)")


_RAW = argparse.RawDescriptionHelpFormatter


def _add_demo(sub: Any) -> None:
    """``jinan-gis demo``."""
    d = sub.add_parser("demo", help="the whole job on the embedded SYNTHETIC sample 演示",
                       description="Build the synthetic sample for both districts, evaluate "
                       "every plan metric and write out/report.xlsx, out/layers.gpkg, "
                       "out/map.html and out/summary.md.", epilog=_EPILOG)
    _common(d)
    d.add_argument("--seed", type=int, default=20231, help="seed of the synthetic sample")
    d.add_argument("--scale", type=float, default=1.0, help="sample density (1.0 = demo)")
    d.add_argument("--basemap", choices=["osm", "amap"], default="osm",
                   help="base tiles: osm (WGS84) or amap (data shown in GCJ-02)")
    _timings(d)
    d.set_defaults(func=cmd_demo)


def _timings(p: argparse.ArgumentParser) -> None:
    p.add_argument("--timings", action="store_true",
                   help="print the seconds each step took and write them into summary.md")


def _add_report(sub: Any) -> None:
    """``jinan-gis report``."""
    r = sub.add_parser(
        "report", help="every plan metric → xlsx, gpkg, html, md 报告", formatter_class=_RAW,
        description=(
            "Evaluate the plans' metric catalogue and write report.xlsx (one sheet per table,\n"
            "Chinese headers), layers.gpkg, summary.md and maps.\n\n"
            "Maps: one per requested metric. The first (or only) --metric is drawn in map.html,\n"
            "each further one in map_<METRIC-ID>.html; each map shows that metric's facilities,\n"
            "service areas and gaps, and its title names the metric and every district's value.\n"
            "Without --metric every metric is evaluated and map.html shows L-CLINIC-1000.\n"
            "Layers come from the synthetic sample, or from --store FILE (a layer store made\n"
            "by import/fetch; a missing file is an error).\n\n"
            "Examples:\n"
            "  jinan-gis report --metric S-CULTURE-15-30 --out out/culture\n"
            "  jinan-gis report --metric L-CLINIC-1000 --metric L-FITNESS-15 --out out/two\n"
            "  jinan-gis metrics\n"
        ), epilog=_EPILOG)
    _common(r, out_default=None)
    _layers_source(r)
    r.add_argument("--metric", action="append",
                   help="metric id, repeatable (default: all); `jinan-gis metrics` lists them. "
                   "The first is mapped in map.html, the others in map_<METRIC-ID>.html")
    r.add_argument("--basemap", choices=["osm", "amap"], default=None)
    _timings(r)
    r.set_defaults(func=cmd_report)


def _add_coverage(sub: Any) -> None:
    """``jinan-gis coverage``."""
    c = sub.add_parser(
        "coverage", help="one coverage metric 覆盖率", formatter_class=_RAW,
        description=(
            "Share of residents within a distance or time of a facility category, by network\n"
            "and by straight line, per district (and per sub-district with --by-zone).\n"
            "--category takes a group (clinic, culture, fitness...), a category id (chc,\n"
            "library...) or a Chinese/English name; `jinan-gis categories` lists them.\n\n"
            "Examples (synthetic sample):\n"
            "  jinan-gis coverage --category clinic --max-dist-m 1000\n"
            "  jinan-gis coverage --category culture --walk-min 15 --district 市中区 --by-zone\n"
        ), epilog=_EPILOG)
    _common(c, out_default=None)
    _layers_source(c)
    c.add_argument("--category", action="append", required=True,
                   help="group, category id or name (e.g. clinic, chc, culture, 图书馆); "
                   "repeatable; `jinan-gis categories` lists them")
    g = c.add_mutually_exclusive_group(required=True)
    g.add_argument("--max-dist-m", type=float, help="network distance in metres")
    g.add_argument("--walk-min", type=float, help="minutes (converted with --speed-kmh)")
    c.add_argument("--speed-kmh", type=float, default=WALK_SPEED_KMH,
                   help="speed for --walk-min (default 4 km/h: 15 min = 1000 m)")
    c.add_argument("--mode", choices=MODES, default="walk")
    c.add_argument("--district", action="append", help="district code or name (repeatable)")
    c.add_argument("--by-zone", action="store_true", help="one row per sub-district")
    c.set_defaults(func=cmd_coverage)


def _add_sites(sub: Any) -> None:
    """``jinan-gis sites``."""
    s = sub.add_parser(
        "sites", help="propose k new sites 新增设施选址", formatter_class=_RAW,
        description=(
            "Choose k new sites on the street network that add the most residents within\n"
            "--max-dist-m (existing facilities kept; walking distance counts the legs from\n"
            "doors to the street, as coverage does). Each site is printed and stored in\n"
            "sites.gpkg with its sub-district, nearest named street, lon/lat in WGS84 (GPS,\n"
            "OpenStreetMap) and GCJ-02 (Amap), and the people it adds; sites_map.html draws\n"
            "each site's service area. Greedy + swaps takes seconds; --bound also solves the\n"
            "LP relaxation (HiGHS) to print the gap to the optimum, which can take minutes on\n"
            "a whole district.\n\n"
            "Examples (synthetic sample):\n"
            "  jinan-gis sites --category clinic --k 5\n"
            "  jinan-gis sites --category culture --k 3 --district 市中区 --out out/culture_sites\n"
        ), epilog=_EPILOG)
    _common(s)
    _layers_source(s)
    s.add_argument("--category", action="append", required=True,
                   help="group, category id or name (e.g. clinic, chc, culture); repeatable")
    s.add_argument("--k", type=int, default=5, help="number of new sites")
    s.add_argument("--max-dist-m", type=float, default=1000.0)
    s.add_argument("--method", choices=["greedy", "exact"], default="greedy")
    s.add_argument("--bound", action="store_true",
                   help="greedy: also bound the optimum by the LP relaxation and print the gap "
                   "(slow: minutes on a whole district)")
    s.add_argument("--district", action="append", help="district code or name (repeatable)")
    s.set_defaults(func=cmd_sites)


def _add_vocabulary(sub: Any) -> None:
    """``jinan-gis categories`` and ``jinan-gis metrics``."""
    cat = sub.add_parser(
        "categories", help="facility names --category accepts 设施类别",
        description="Print what --category accepts: groups and category ids, with their "
        "Chinese and English names and the categories each selects.")
    cat.set_defaults(func=cmd_categories, quiet=False)
    met = sub.add_parser(
        "metrics", help="the plans' metric catalogue 规划指标",
        description="Print the metric catalogue: id (for report --metric), Chinese and "
        "English name, threshold, target, scope and source document.")
    met.set_defaults(func=cmd_metrics, quiet=False)


def _add_import(sub: Any) -> None:
    """``jinan-gis import``."""
    i = sub.add_parser("import", help="bring your own file into the layer store 导入",
                       description="Import a shapefile, GeoPackage, GeoJSON, CSV or Excel "
                       "file as a layer: prints kept and rejected rows and writes the "
                       "rejection table.")
    i.add_argument("path", help="the file to import")
    i.add_argument("--as", dest="kind", required=True,
                   choices=["facilities", "streets", "population", "zones", "osm"])
    i.add_argument("--store", default="out/store.gpkg", help="layer store GeoPackage")
    i.add_argument("--name", help="layer name in the store (default: the --as value)")
    i.add_argument("--replace-empty", action="store_true", help="store a layer that kept 0 rows "
                   "over a stored one (refused by default: the stored layer stays)")
    i.add_argument("--category", help="facility category for every row: id or Chinese/English "
                   "name, e.g. chc or 社区卫生服务站 (default: classified from the names); "
                   "`jinan-gis categories` lists them")
    i.add_argument("--datum", help="wgs84, gcj02 (Amap/Tencent) or bd09 (Baidu): REQUIRED "
                   "for spreadsheets 坐标系")
    i.add_argument("--encoding", help="attribute encoding, e.g. gbk or utf-8 (default detect)")
    i.add_argument("--crs", help="CRS when the file has none, e.g. EPSG:4548 or EPSG:4527")
    i.add_argument("--sheet", help="Excel sheet")
    i.add_argument("--count-column", help="population count column")
    i.add_argument("--zone-type", default="subdistrict")
    i.add_argument("--mode", default="walk", choices=MODES)
    i.add_argument("--area", action="append",
                   help="district code or name for street imports, repeatable (default both: "
                   "370112 历城区 and 370103 市中区); --as osm: or a polygon file")
    i.add_argument("--population-total", type=float, help="--as osm: people in the area")
    i.add_argument("--population-table", help="--as osm: CSV code,total (zones: --zones)")
    i.add_argument("--zones", help="--as osm: zone polygon file with a code column")
    i.add_argument("--out", help="where to write the rejection table (default: store folder)")
    i.add_argument("-v", "--verbose", action="count", default=0)
    i.set_defaults(func=cmd_import, quiet=False)


def _add_fetch(sub: Any) -> None:
    """``jinan-gis fetch``."""
    f = sub.add_parser("fetch", help="download OSM streets (and facilities) 下载",
                       description="Download OpenStreetMap streets for a district through "
                       "Overpass (cached) into the layer store. Mainland users: pass a "
                       "mirror with --overpass-url.")
    f.add_argument("district", help="district code or name, e.g. 370112 or 历城区")
    f.add_argument("--store", default="out/store.gpkg")
    f.add_argument("--mode", default="walk", choices=MODES)
    f.add_argument("--overpass-url", help="Overpass API URL (e.g. a mirror)")
    f.add_argument("--cache-dir", help="download cache folder")
    f.add_argument("--timeout-s", type=float, default=180.0)
    f.add_argument("--facilities", action="store_true", help="also fetch facilities")
    f.add_argument("-v", "--verbose", action="count", default=0)
    f.set_defaults(func=cmd_fetch, quiet=False)


def _add_batch(sub: Any) -> None:
    """``jinan-gis batch`` (arguments go to the batch runner's own parser)."""
    b = sub.add_parser("batch", help="many areas x metrics x scenarios, serial or on Dask 批量",
                       description="Run a JSON batch file of coverage jobs serially, on a "
                       "LocalCluster or on an existing Dask cluster (--scheduler "
                       "tcp://host:8786); arguments go to python -m jinan_gis.analyses.batch.",
                       add_help=False)
    b.add_argument("rest", nargs=argparse.REMAINDER)
    b.set_defaults(func=cmd_batch, quiet=False)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``jinan-gis``."""
    p = argparse.ArgumentParser(
        prog="jinan-gis",
        description="How well are Licheng (历城区) and Shizhong (市中区) served? Coverage of "
        "public services over the street network, against the district plans' targets.",
        epilog=_EPILOG,
    )
    from jinan_gis import __version__

    p.add_argument("--version", action="version", version=f"jinan-gis {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_demo(sub)
    _add_report(sub)
    _add_coverage(sub)
    _add_sites(sub)
    _add_vocabulary(sub)
    _add_import(sub)
    _add_fetch(sub)
    _add_batch(sub)
    return p


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
    """Run the command line; returns the exit status (2 with one line on stderr for a
    :class:`~jinan_gis.geo.errors.JinanGISError` or a missing ``cluster`` extra)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    from jinan_gis.geo.errors import JinanGISError

    try:
        return _run(argv)
    except JinanGISError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        if not _missing_cluster_extra(exc):
            raise
        print(f"error: {exc.name} is not installed: pip install 'jinan-gis[cluster]' (dask, "
              "distributed, pyarrow), or run the batch with --scheduler serial",
              file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
