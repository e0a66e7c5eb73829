"""The ``jinan-gis`` command: demo, fetch, import, coverage, report, sites.

Run ``jinan-gis --help`` or ``jinan-gis <command> --help``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

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


# ----------------------------------------------------------------------------- report
def _write_outputs(args, inputs, *, metrics=None, sites=None, title_metric="L-CLINIC-1000"):
    from tqdm.auto import tqdm

    from jinan_gis.analyses.catalogue import CATALOGUE, get_metric
    from jinan_gis.analyses.export import write_excel, write_geopackage, write_summary
    from jinan_gis.analyses.report import evaluate

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    chosen = CATALOGUE if not metrics else tuple(get_metric(m) for m in metrics)
    steps = tqdm(total=5, desc="evaluate metrics", unit="step", disable=args.quiet)
    t0 = time.perf_counter()
    rep = evaluate(inputs, metrics=chosen, progress=not args.quiet)
    timings = dict(rep.timings)
    steps.update()
    steps.set_description("write report.xlsx")
    t = time.perf_counter()
    xlsx = write_excel(rep, out / "report.xlsx")
    timings["write report.xlsx"] = time.perf_counter() - t
    steps.update()
    steps.set_description("write layers.gpkg")
    t = time.perf_counter()
    layers = {
        "districts": inputs.districts,
        "zones": inputs.zones,
        "facilities": inputs.facilities,
        "service_areas": rep.places.get("service_areas"),
        "coverage_grid": rep.places.get("coverage_grid"),
        "gaps": rep.places.get("gaps"),
        "sites": sites,
    }
    gpkg = write_geopackage(layers, out / "layers.gpkg")
    timings["write layers.gpkg"] = time.perf_counter() - t
    steps.update()
    steps.set_description("write map.html")
    t = time.perf_counter()
    html = _write_map(args, inputs, rep, out / "map.html", title_metric, sites)
    timings["write map.html"] = time.perf_counter() - t
    steps.update()
    steps.set_description("write summary.md")
    timings["total (evaluate + write)"] = time.perf_counter() - t0
    rep.timings = timings
    md = write_summary(rep, out / "summary.md")
    steps.update()
    steps.close()
    _say(args, rep.summary_markdown())
    for p in (xlsx, gpkg, html, md):
        if p is not None:
            _say(args, f"wrote {p}")
    return rep


def _write_map(args, inputs, rep, path, metric_id, sites):
    try:
        from jinan_gis.analyses.maps import export_map
    except ImportError:  # pragma: no cover - maps module always ships
        log.warning("analyses.maps is not available; no map written")
        return None
    from jinan_gis.analyses.catalogue import get_metric
    from jinan_gis.analyses.coverage import select_facilities

    m = get_metric(metric_id)
    row = rep.metrics[rep.metrics["metric_id"] == m.id]
    value = "" if row.empty or row["value"].isna().all() else (
        f" — {float(row['value'].iloc[0]):.1%} now")
    gaps = rep.places.get("gaps")
    # the map shows the metric's own facilities (all of them stay in layers.gpkg)
    fac = select_facilities(inputs.facilities, m.categories) if inputs.facilities is not None \
        else None
    return export_map(
        path,
        districts=inputs.districts,
        zones=inputs.zones,
        facilities=fac,
        service_areas=rep.places.get("service_areas"),
        coverage=rep.places.get("coverage_grid"),
        gaps=None if gaps is None else gaps[gaps["metric_id"] == m.id],
        sites=sites,
        title=f"{m.name_zh} / {m.name_en}{value}",
        target=f"{m.target_text} ({m.source_file})",
        basemap=getattr(args, "basemap", "osm"),
        synthetic=bool(rep.synthetic),
    ) if fac is not None and len(fac) else None


def _inputs(args):
    from jinan_gis.analyses.inputs import inputs_from_sample, inputs_from_store, load_scenario

    metrics = None
    if getattr(args, "scenario", None):
        sc = load_scenario(args.scenario)
        args.out = str(sc.out) if args.out is None else args.out
        args.basemap = sc.basemap if getattr(args, "basemap", None) is None else args.basemap
        metrics = sc.metrics
        if sc.sample:
            return inputs_from_sample(seed=sc.seed, scale=sc.scale,
                                      districts=tuple(sc.districts)), metrics
        return inputs_from_store(sc.store, names=sc.layer_names, districts=sc.districts), metrics
    if getattr(args, "store", None):
        return inputs_from_store(args.store), metrics
    return inputs_from_sample(seed=args.seed, scale=args.scale), metrics


def cmd_demo(args) -> int:
    args.scenario = None
    args.store = None
    t = time.perf_counter()
    _say(args, "jinan-gis demo on the embedded SYNTHETIC sample (合成样例数据): building it ...")
    inputs, _ = _inputs(args)
    _say(args, f"sample built in {time.perf_counter() - t:.1f} s")
    _write_outputs(args, inputs)
    _say(args, f"demo done in {time.perf_counter() - t:.1f} s")
    return 0


def cmd_report(args) -> int:
    inputs, metrics = _inputs(args)
    args.out = args.out or "out"
    args.basemap = args.basemap or "osm"
    _write_outputs(args, inputs, metrics=args.metric or metrics)
    return 0


# ----------------------------------------------------------------------------- coverage
def cmd_coverage(args) -> int:
    from jinan_gis.analyses.coverage import coverage
    from jinan_gis.geo.network import build_network
    from jinan_gis.geo.reach import minutes_to_metres

    inputs, _ = _inputs(args)
    dist_m = args.max_dist_m if args.max_dist_m is not None else minutes_to_metres(
        args.walk_min, speed_kmh=args.speed_kmh)
    net = build_network(inputs.streets, mode=args.mode)
    pop = inputs.population.copy()
    from jinan_gis.analyses.report import _district_of, _zone_of

    pop["district_code"] = _district_of(pop, inputs.districts)
    by = ["district_code"]
    if args.by_zone and inputs.zones is not None:
        pop["zone"] = _zone_of(pop, inputs.zones)
        by.append("zone")
    if args.district:
        from jinan_gis.layers.districts import resolve_district

        keep = {resolve_district(d) for d in args.district}
        pop = pop[pop["district_code"].isin(keep)]
    tab = coverage(net, inputs.facilities, pop, max_dist_m=dist_m, categories=args.category,
                   by=by)
    _say(args, f"coverage within {dist_m:g} m ({args.mode}) of {', '.join(args.category)}")
    if (inputs.facilities["source"] == "synthetic").any():
        _say(args, "SYNTHETIC sample data (合成样例数据): not findings about Jinan")
    print(tab.to_string(float_format=lambda v: f"{v:,.3f}"))
    if args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        p = Path(args.out) / "coverage.csv"
        tab.to_csv(p, encoding="utf-8-sig")
        _say(args, f"wrote {p}")
    return 0


# ----------------------------------------------------------------------------- sites
def cmd_sites(args) -> int:
    from jinan_gis.analyses.coverage import select_facilities
    from jinan_gis.analyses.export import write_geopackage
    from jinan_gis.analyses.sites import propose_sites
    from jinan_gis.geo.network import build_network

    inputs, _ = _inputs(args)
    net = build_network(inputs.streets, mode="walk")
    pop = inputs.population
    if args.district:
        from jinan_gis.analyses.report import _district_of
        from jinan_gis.layers.districts import resolve_district

        keep = {resolve_district(d) for d in args.district}
        pop = pop[[c in keep for c in _district_of(pop, inputs.districts)]]
    fac = select_facilities(inputs.facilities, args.category)
    res = propose_sites(net, pop, fac, k=args.k, max_dist_m=args.max_dist_m,
                        method=args.method)
    sites = res.sites
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_geopackage({"sites": sites, "facilities": fac, "districts": inputs.districts},
                     out / "sites.gpkg")
    print(sites.drop(columns="geometry").to_string())
    _say(args, res.describe())
    try:
        from jinan_gis.analyses.maps import export_map

        export_map(out / "sites_map.html", districts=inputs.districts, facilities=fac,
                   sites=sites, title=f"建议新址 / proposed sites: {', '.join(args.category)}",
                   synthetic=bool((inputs.facilities["source"] == "synthetic").any()))
        _say(args, f"wrote {out / 'sites_map.html'}")
    except ImportError:  # pragma: no cover
        pass
    _say(args, f"wrote {out / 'sites.gpkg'}")
    return 0


# ----------------------------------------------------------------------------- import
def cmd_import(args) -> int:
    from jinan_gis.layers.store import LayerStore

    kind = args.kind
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
        from jinan_gis.layers.streets import load_streets

        res = load_streets(args.area or "370112", source="centreline", path=args.path,
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
    store.write(name, res)
    print(f"{Path(args.path).name}: {res.n_input} rows in, {res.n_kept} kept, "
          f"{res.n_rejected} rejected")
    if res.n_rejected:
        out = Path(args.out or Path(args.store).parent)
        out.mkdir(parents=True, exist_ok=True)
        p = out / f"{name}_rejected.csv"
        res.rejected.to_csv(p, index=False, encoding="utf-8-sig")
        print(f"rejected rows and reasons: {p}")
        for reason, n in res.rejected["reason"].value_counts().items():
            print(f"  {n} x {reason}")
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
    p.add_argument("--quiet", action="store_true", help="no progress bars or chatter 安静模式")
    p.add_argument("-v", "--verbose", action="count", default=0, help="log more (-vv: debug)")


def _layers_source(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("layers 图层来源")
    g.add_argument("--store", help="a layer-store GeoPackage written by 'import'/'fetch'")
    g.add_argument("--scenario", help="a scenario TOML file naming layers, metrics, outputs")
    g.add_argument("--seed", type=int, default=20231, help="seed of the synthetic sample")
    g.add_argument("--scale", type=float, default=1.0,
                   help="density of the synthetic sample (1.0 = demo)")


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

    d = sub.add_parser("demo", help="the whole job on the embedded SYNTHETIC sample 演示",
                       description="Build the synthetic sample for both districts, evaluate "
                       "every plan metric and write out/report.xlsx, out/layers.gpkg, "
                       "out/map.html and out/summary.md.", epilog=_EPILOG)
    _common(d)
    d.add_argument("--seed", type=int, default=20231, help="seed of the synthetic sample")
    d.add_argument("--scale", type=float, default=1.0, help="sample density (1.0 = demo)")
    d.add_argument("--basemap", choices=["osm", "amap"], default="osm",
                   help="base tiles: osm (WGS84) or amap (data shown in GCJ-02)")
    d.set_defaults(func=cmd_demo)

    r = sub.add_parser("report", help="every plan metric → xlsx, gpkg, html, md 报告",
                       description="Evaluate the plans' metric catalogue and write "
                       "report.xlsx (one sheet per table, Chinese headers), layers.gpkg, "
                       "map.html and summary.md.", epilog=_EPILOG)
    _common(r, out_default=None)
    _layers_source(r)
    r.add_argument("--metric", action="append", help="metric id (repeatable; default all)")
    r.add_argument("--basemap", choices=["osm", "amap"], default=None)
    r.set_defaults(func=cmd_report)

    c = sub.add_parser("coverage", help="one coverage metric 覆盖率",
                       description="Share of residents within a distance or time of a "
                       "facility category, by network and by straight line.", epilog=_EPILOG)
    _common(c, out_default=None)
    _layers_source(c)
    c.add_argument("--category", action="append", required=True,
                   help="category id or group (e.g. chc, clinic, culture); repeatable")
    g = c.add_mutually_exclusive_group(required=True)
    g.add_argument("--max-dist-m", type=float, help="network distance in metres")
    g.add_argument("--walk-min", type=float, help="minutes (converted with --speed-kmh)")
    c.add_argument("--speed-kmh", type=float, default=4.0,
                   help="speed for --walk-min (default 4 km/h: 15 min = 1000 m)")
    c.add_argument("--mode", choices=["walk", "bike", "drive"], default="walk")
    c.add_argument("--district", action="append", help="district code or name (repeatable)")
    c.add_argument("--by-zone", action="store_true", help="one row per sub-district")
    c.set_defaults(func=cmd_coverage)

    s = sub.add_parser("sites", help="propose k new sites 新增设施选址",
                       description="Choose k new sites that add the most covered residents "
                       "(existing facilities kept).", epilog=_EPILOG)
    _common(s)
    _layers_source(s)
    s.add_argument("--category", action="append", required=True)
    s.add_argument("--k", type=int, default=5, help="number of new sites")
    s.add_argument("--max-dist-m", type=float, default=1000.0)
    s.add_argument("--method", choices=["greedy", "exact"], default="greedy")
    s.add_argument("--district", action="append", help="district code or name (repeatable)")
    s.set_defaults(func=cmd_sites)

    i = sub.add_parser("import", help="bring your own file into the layer store 导入",
                       description="Import a shapefile, GeoPackage, GeoJSON, CSV or Excel "
                       "file as a layer: prints kept and rejected rows and writes the "
                       "rejection table.")
    i.add_argument("path", help="the file to import")
    i.add_argument("--as", dest="kind", required=True,
                   choices=["facilities", "streets", "population", "zones"])
    i.add_argument("--store", default="out/store.gpkg", help="layer store GeoPackage")
    i.add_argument("--name", help="layer name in the store (default: the --as value)")
    i.add_argument("--category", help="facility category for every row (else from names)")
    i.add_argument("--datum", help="wgs84, gcj02 (Amap/Tencent) or bd09 (Baidu): REQUIRED "
                   "for spreadsheets 坐标系")
    i.add_argument("--encoding", help="attribute encoding, e.g. gbk or utf-8 (default detect)")
    i.add_argument("--crs", help="CRS when the file has none, e.g. EPSG:4548 or EPSG:4527")
    i.add_argument("--sheet", help="Excel sheet")
    i.add_argument("--count-column", help="population count column")
    i.add_argument("--zone-type", default="subdistrict")
    i.add_argument("--mode", default="walk", choices=["walk", "bike", "drive"])
    i.add_argument("--area", help="district for street imports (default 370112)")
    i.add_argument("--out", help="where to write the rejection table (default: store folder)")
    i.add_argument("-v", "--verbose", action="count", default=0)
    i.set_defaults(func=cmd_import, quiet=False)

    f = sub.add_parser("fetch", help="download OSM streets (and facilities) 下载",
                       description="Download OpenStreetMap streets for a district through "
                       "Overpass (cached) into the layer store. Mainland users: pass a "
                       "mirror with --overpass-url.")
    f.add_argument("district", help="district code or name, e.g. 370112 or 历城区")
    f.add_argument("--store", default="out/store.gpkg")
    f.add_argument("--mode", default="walk", choices=["walk", "bike", "drive"])
    f.add_argument("--overpass-url", help="Overpass API URL (e.g. a mirror)")
    f.add_argument("--cache-dir", help="download cache folder")
    f.add_argument("--timeout-s", type=float, default=180.0)
    f.add_argument("--facilities", action="store_true", help="also fetch facilities")
    f.add_argument("-v", "--verbose", action="count", default=0)
    f.set_defaults(func=cmd_fetch, quiet=False)

    b = sub.add_parser("batch", help="many areas x metrics x scenarios, serial or on Dask 批量",
                       description="Run a JSON batch file of coverage jobs serially, on a "
                       "LocalCluster or on an existing Dask cluster (--scheduler "
                       "tcp://host:8786); arguments go to python -m jinan_gis.analyses.batch.",
                       add_help=False)
    b.add_argument("rest", nargs=argparse.REMAINDER)
    b.set_defaults(func=cmd_batch, quiet=False)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["batch"]:  # everything after "batch" belongs to the batch runner
        from jinan_gis.analyses.batch import main as batch_main

        return batch_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(2, getattr(args, "verbose", 0))
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    from jinan_gis.geo.errors import JinanGISError

    try:
        return int(args.func(args) or 0)
    except JinanGISError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
