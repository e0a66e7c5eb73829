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


# ----------------------------------------------------------------------------- checks
def _synthetic(inputs) -> bool:
    """The one rule (layers.provenance.is_synthetic) over the layers and their provenance."""
    from jinan_gis.layers.provenance import is_synthetic

    layers = [getattr(inputs, n, None) for n in
              ("streets", "facilities", "population", "zones", "old_town")]
    prov = list((getattr(inputs, "provenance", None) or {}).values())
    return is_synthetic(layers) or is_synthetic(prov)


def _check_store(args, *, needs: tuple[str, ...] = ()) -> None:
    """Before any work: the --store file exists, is a layer store and holds ``needs``."""
    from jinan_gis.geo.errors import LayerError

    path = getattr(args, "store", None)
    if not path:
        return
    p = Path(path)
    make = f"`jinan-gis import FILE --as streets --store {p}` (then facilities, population)"
    if not p.is_file():
        raise LayerError(f"no layer store at {p}: check the path, or create it with {make}; "
                         "without --store the command runs on the synthetic sample.")
    import pyogrio

    from jinan_gis.analyses.export import LAYER_NAMES_ZH
    from jinan_gis.layers.store import META_TABLE, LayerStore

    try:
        tables = {str(n) for n in pyogrio.list_layers(p)[:, 0]}
    except Exception as exc:
        raise LayerError(f"{p} is not a GeoPackage layer store ({type(exc).__name__}); "
                         f"create one with {make}.") from exc
    if META_TABLE not in tables:
        if tables & set(LAYER_NAMES_ZH.values()):
            raise LayerError(
                f"{p} is a report output (written by demo/report: districts, facilities, "
                "service areas...), not a layer store; run without --store to use the "
                f"synthetic sample, or create a store with {make}.")
        raise LayerError(f"{p} is not a layer store (no layer was imported into it); create "
                         f"one with {make}.")
    have = set(LayerStore(p).names())
    missing = [n for n in needs if n not in have]
    if missing:
        raise LayerError(
            f"the layer store {p} has no {', '.join(missing)} layer (it has: "
            f"{', '.join(sorted(have)) or 'none'}); add it with `jinan-gis import FILE --as "
            f"{missing[0]} --store {p}`" + (" or `jinan-gis fetch 370112 --store "
                                            f"{p}`" if missing[0] == "streets" else "") + ".")


def _check_scenario_store(args, *, needs: tuple[str, ...] = ()) -> None:
    if getattr(args, "scenario", None):
        from jinan_gis.analyses.inputs import load_scenario

        sc = load_scenario(args.scenario)
        if not sc.sample and sc.store is not None:
            _check_store(argparse.Namespace(store=sc.store), needs=needs)
    else:
        _check_store(args, needs=needs)


# ----------------------------------------------------------------------------- report
def _map_file(i: int, metric_id: str) -> str:
    """``map.html`` for the first mapped metric, ``map_<METRIC-ID>.html`` for the others."""
    return "map.html" if i == 0 else f"map_{metric_id}.html"


def _district_values(rep, inputs, metric) -> str:
    """"历城区 37.0 %, 市中区 58.2 %" from the report's rows of ``metric``."""
    import pandas as pd

    rows = rep.metrics[rep.metrics["metric_id"] == metric.id]
    names = {}
    d = inputs.districts
    if d is not None and "code" in d.columns:
        col = "name_zh" if "name_zh" in d.columns else ("name" if "name" in d.columns else None)
        if col:
            names = dict(zip(d["code"].astype(str), d[col].astype(str), strict=True))
    parts = []
    for r in rows.itertuples():
        name = names.get(str(r.district), str(r.district))
        unit = getattr(r, "unit", "") or ""
        if pd.isna(r.value):
            status = str(r.status)
            shown = "— (" + ("needs layer" if status.startswith("needs layer") else status) + ")"
        elif unit.strip() == "":
            shown = f"{float(r.value) * 100:.1f} %"
        else:
            shown = f"{float(r.value):.3g}{unit}"
        parts.append(f"{name} {shown}")
    return ", ".join(parts)


def _metric_title(rep, inputs, metric) -> str:
    values = _district_values(rep, inputs, metric)
    return f"{metric.id} {metric.name_zh} / {metric.name_en}" + (f" — {values}" if values else "")


def _write_outputs(args, inputs, *, metrics=None, sites=None):
    import dataclasses

    import pandas as pd
    from tqdm.auto import tqdm

    from jinan_gis.analyses.catalogue import CATALOGUE, get_metric
    from jinan_gis.analyses.export import write_excel, write_geopackage, write_summary
    from jinan_gis.analyses.report import evaluate

    out = Path(args.out)
    ids = list(dict.fromkeys(metrics or ()))  # requested, in order, without repeats
    chosen = CATALOGUE if not ids else tuple(get_metric(m) for m in ids)
    mapped = [get_metric("L-CLINIC-1000")] if not ids else list(chosen)
    out.mkdir(parents=True, exist_ok=True)
    steps = tqdm(total=4 + len(mapped), desc="evaluate metrics", unit="step",
                 disable=args.quiet)
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    net = inputs.network
    if net is None and inputs.streets is not None and len(inputs.streets):
        from jinan_gis.geo.crs import to_analysis_crs
        from jinan_gis.geo.network import build_network

        t = time.perf_counter()
        net = build_network(to_analysis_crs(inputs.streets), mode=inputs.mode)
        inputs = dataclasses.replace(inputs, network=net)  # one network for report and maps
        timings["network"] = time.perf_counter() - t
    rep = evaluate(inputs, metrics=chosen, progress=not args.quiet,
                   service_area_metric=mapped[0].id)
    timings.update(rep.timings)
    own = rep.places.get("service_areas")
    first_dists = {d for d in (mapped[0].distance_m(), mapped[0].distance_m(rural=True)) if d}
    have = set() if own is None else set(own["max_dist_m"])
    extra_sa = _extra_service_areas(inputs, net, mapped[1:] + (
        mapped[:1] if first_dists - have else []))
    if mapped[0].id in extra_sa:  # the first map also gets its own distances (e.g. 2000 m)
        more = extra_sa.pop(mapped[0].id)
        more = more[~more["max_dist_m"].isin(have)]
        rep.places["service_areas"] = more if own is None else pd.concat(
            [own, more], ignore_index=True)
    steps.update()
    steps.set_description("write report.xlsx")
    t = time.perf_counter()
    xlsx = write_excel(rep, out / "report.xlsx")
    timings["write report.xlsx"] = time.perf_counter() - t
    steps.update()
    steps.set_description("write layers.gpkg")
    t = time.perf_counter()
    sa_all = [f for f in [rep.places.get("service_areas"), *extra_sa.values()] if f is not None]
    layers = {
        "districts": inputs.districts,
        "zones": inputs.zones,
        "facilities": inputs.facilities,
        "service_areas": pd.concat(sa_all, ignore_index=True) if sa_all else None,
        "coverage_grid": rep.places.get("coverage_grid"),
        "gaps": rep.places.get("gaps"),
        "sites": sites,
    }
    gpkg = write_geopackage(layers, out / "layers.gpkg")
    timings["write layers.gpkg"] = time.perf_counter() - t
    steps.update()
    maps = []
    for i, m in enumerate(mapped):
        name = _map_file(i, m.id)
        steps.set_description(f"write {name}")
        t = time.perf_counter()
        sa = rep.places.get("service_areas") if i == 0 else extra_sa.get(m.id)
        maps.append(_write_map(args, inputs, rep, out / name, m, sa, sites))
        timings[f"write {name}"] = time.perf_counter() - t
        steps.update()
    steps.set_description("write summary.md")
    timings["total (evaluate + write)"] = time.perf_counter() - t0
    rep.timings = timings
    md = write_summary(rep, out / "summary.md")
    steps.update()
    steps.close()
    _say(args, rep.summary_markdown())
    for p in (xlsx, gpkg, *maps, md):
        if p is not None:
            _say(args, f"wrote {p}")
    return rep


def _extra_service_areas(inputs, net, metrics) -> dict:
    """Service areas (dissolved, at the metric's own distances) of the further mapped metrics."""
    if net is None or inputs.facilities is None:
        return {}
    from jinan_gis.analyses.coverage import select_facilities
    from jinan_gis.geo.crs import to_analysis_crs
    from jinan_gis.geo.service_area import service_areas

    fac = to_analysis_crs(inputs.facilities)
    out = {}
    for m in metrics:
        dists = sorted({d for d in (m.distance_m(), m.distance_m(rural=True)) if d})
        sel = select_facilities(fac, m.categories)
        if not dists or not len(sel):
            continue
        sa = service_areas(net, sel, max_dist_m=dists, max_snap_m=inputs.max_snap_m,
                           dissolve=True)
        sa["metric_id"] = m.id
        out[m.id] = sa
    return out


def _for_metric(frame, metric_id: str):
    if frame is None or "metric_id" not in frame.columns:
        return frame
    sub = frame[frame["metric_id"] == metric_id]
    return sub if len(sub) else None


def _write_map(args, inputs, rep, path, metric, service_areas, sites):
    """One map of ``metric``: its facilities, service areas, gaps, per-district values."""
    from jinan_gis.analyses.coverage import select_facilities
    from jinan_gis.analyses.maps import export_map

    fac = None
    if inputs.facilities is not None:
        fac = select_facilities(inputs.facilities, metric.categories)
        fac = fac if len(fac) else None
    return export_map(
        path,
        districts=inputs.districts,
        zones=inputs.zones,
        facilities=fac,
        service_areas=_for_metric(service_areas, metric.id),
        coverage=_for_metric(rep.places.get("coverage_grid"), metric.id),
        gaps=_for_metric(rep.places.get("gaps"), metric.id),
        sites=sites,
        title=_metric_title(rep, inputs, metric),
        metric=f"{metric.id} ({metric.threshold_text})",
        target=f"{metric.target_text} ({metric.source_file})",
        basemap=getattr(args, "basemap", None) or "osm",
        synthetic=True if _synthetic(inputs) else None,
    )


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
    from jinan_gis.analyses.catalogue import get_metric

    for m in args.metric or ():
        get_metric(m)  # an unknown id fails here, listing the valid ones, before any work
    _check_scenario_store(args)
    inputs, metrics = _inputs(args)
    args.out = args.out or "out"
    args.basemap = args.basemap or "osm"
    _write_outputs(args, inputs, metrics=args.metric or metrics)
    return 0


# ----------------------------------------------------------------------------- coverage
_NEEDS = ("streets", "facilities", "population")


def cmd_coverage(args) -> int:
    from jinan_gis.analyses.coverage import coverage
    from jinan_gis.geo.network import build_network
    from jinan_gis.geo.reach import minutes_to_metres
    from jinan_gis.layers.provenance import SYNTHETIC_MARK, mark_synthetic
    from jinan_gis.layers.taxonomy import resolve_categories

    resolve_categories(args.category)  # unknown names fail here, listing the valid ones
    _check_scenario_store(args, needs=_NEEDS)
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
    synthetic = _synthetic(inputs)
    _say(args, f"coverage within {dist_m:g} m ({args.mode}) of {', '.join(args.category)}")
    if synthetic:
        print(SYNTHETIC_MARK, flush=True)  # also with --quiet: the numbers are not Jinan's
    print(tab.to_string(float_format=lambda v: f"{v:,.3f}"))
    if args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        p = Path(args.out) / "coverage.csv"
        mark_synthetic(tab, synthetic).to_csv(p, encoding="utf-8-sig")
        _say(args, f"wrote {p}")
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
    from jinan_gis.analyses.coverage import select_facilities
    from jinan_gis.analyses.export import write_geopackage
    from jinan_gis.analyses.sites import locate_sites, propose_sites
    from jinan_gis.geo.crs import to_analysis_crs
    from jinan_gis.geo.network import build_network
    from jinan_gis.layers.provenance import SYNTHETIC_MARK, mark_synthetic
    from jinan_gis.layers.taxonomy import resolve_categories

    resolve_categories(args.category)  # unknown names fail here, listing the valid ones
    _check_scenario_store(args, needs=_NEEDS)
    t_start = time.perf_counter()
    inputs, _ = _inputs(args)
    synthetic = _synthetic(inputs)
    net = build_network(to_analysis_crs(inputs.streets), mode="walk")
    pop = to_analysis_crs(inputs.population)
    if args.district:
        from jinan_gis.analyses.report import _district_of
        from jinan_gis.layers.districts import resolve_district

        keep = {resolve_district(d) for d in args.district}
        pop = pop[[c in keep for c in _district_of(pop, inputs.districts)]]
    fac = to_analysis_crs(select_facilities(inputs.facilities, args.category))
    res = propose_sites(net, pop, fac, k=args.k, max_dist_m=args.max_dist_m,
                        method=args.method, count_access=True, lp_bound=args.bound,
                        progress=not args.quiet)
    sites = locate_sites(res.sites, zones=inputs.zones, streets=inputs.streets)
    sites = mark_synthetic(sites, synthetic)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_geopackage({"sites": sites, "facilities": fac, "districts": inputs.districts},
                     out / "sites.gpkg")
    if synthetic:
        print(SYNTHETIC_MARK, flush=True)
    print(site_table(sites))
    print(res.describe())
    if args.bound and res.summary["method"] == "greedy":
        s = res.summary
        print(f"gap to the optimum: at most {s['optimality_gap']:.2%} "
              f"({s['gain_people']:,.0f} added; no {s['k']} sites can add more than "
              f"{s['gain_bound_people']:,.0f})")
    from jinan_gis.analyses.maps import export_map
    from jinan_gis.geo.service_area import service_areas

    sa = None
    if len(sites):
        sa = service_areas(net, sites.set_index("site_id"), max_dist_m=args.max_dist_m,
                           max_snap_m=250.0)
    export_map(out / "sites_map.html", districts=inputs.districts, zones=inputs.zones,
               facilities=fac, sites=sites, service_areas=sa,
               title=f"建议新址 / proposed sites: {', '.join(args.category)} "
               f"(+{res.summary['gain_people']:,.0f} people within {args.max_dist_m:g} m)",
               synthetic=True if synthetic else None)
    _say(args, f"wrote {out / 'sites_map.html'}")
    _say(args, f"wrote {out / 'sites.gpkg'}")
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

    raw = argparse.RawDescriptionHelpFormatter
    r = sub.add_parser(
        "report", help="every plan metric → xlsx, gpkg, html, md 报告", formatter_class=raw,
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
    r.set_defaults(func=cmd_report)

    c = sub.add_parser(
        "coverage", help="one coverage metric 覆盖率", formatter_class=raw,
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
    c.add_argument("--speed-kmh", type=float, default=4.0,
                   help="speed for --walk-min (default 4 km/h: 15 min = 1000 m)")
    c.add_argument("--mode", choices=["walk", "bike", "drive"], default="walk")
    c.add_argument("--district", action="append", help="district code or name (repeatable)")
    c.add_argument("--by-zone", action="store_true", help="one row per sub-district")
    c.set_defaults(func=cmd_coverage)

    s = sub.add_parser(
        "sites", help="propose k new sites 新增设施选址", formatter_class=raw,
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

    i = sub.add_parser("import", help="bring your own file into the layer store 导入",
                       description="Import a shapefile, GeoPackage, GeoJSON, CSV or Excel "
                       "file as a layer: prints kept and rejected rows and writes the "
                       "rejection table.")
    i.add_argument("path", help="the file to import")
    i.add_argument("--as", dest="kind", required=True,
                   choices=["facilities", "streets", "population", "zones"])
    i.add_argument("--store", default="out/store.gpkg", help="layer store GeoPackage")
    i.add_argument("--name", help="layer name in the store (default: the --as value)")
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
    i.add_argument("--mode", default="walk", choices=["walk", "bike", "drive"])
    i.add_argument("--area", action="append",
                   help="district code or name for street imports, repeatable (default both: "
                   "370112 历城区 and 370103 市中区)")
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
