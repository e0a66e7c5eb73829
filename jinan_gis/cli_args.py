"""The argument parser of ``jinan-gis``: every command, option and number range.

Light on purpose (argparse and two small jinan_gis.geo modules): ``jinan-gis --help`` and a
mistyped option answer without loading the geo stack. Numbers are checked while parsing
(:func:`jinan_gis.geo.numbers.parse_number`: finite, in range), and every usage error is ONE
line on stderr with exit status 2 (:class:`OneLineParser`).

Examples
--------
>>> p = build_parser({n: print for n in COMMANDS})
>>> p.parse_args(["coverage", "--category", "clinic", "--max-dist-m", "800"]).max_dist_m
800.0
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from jinan_gis.geo.errors import ParameterError
from jinan_gis.geo.modes import MODES, WALK_SPEED_KMH
from jinan_gis.geo.numbers import parse_number

__all__ = ["COMMANDS", "EXTRA_KINDS", "OneLineParser", "build_parser"]

Handlers = Mapping[str, Callable[[argparse.Namespace], int]]

COMMANDS = ("demo", "report", "coverage", "sites", "categories", "metrics", "import", "fetch",
            "batch")
"""The commands, each with a handler in :func:`build_parser`'s ``handlers``."""

EXTRA_KINDS = ("communities", "villages", "new_communities", "residential_compounds", "forest",
               "green_space", "built_up", "coverage_5g", "key_areas", "tangye_area")
"""``import --as`` kinds that are the catalogue's extra polygon layers
(:data:`jinan_gis.analyses.extra_layers.EXTRA_LAYERS`; listed here so that ``--help`` needs
no analysis module)."""

_EPILOG = (
    "Data honesty: the embedded sample (demo, --sample) is SYNTHETIC (合成样例数据): streets, "
    "facilities, population and sub-district boundaries are invented inside the real "
    "district polygons and calibrated to the plans' published counts."
)


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line: ``error: <what>; see --help``."""

    def error(self, message: str) -> NoReturn:
        # "argument --k: --k must be ..." -> "--k must be ..."
        message = re.sub(r"^argument (\S+): \1 ", r"\1 ", message)
        self.exit(2, f"error: {self.prog}: {message} (`{self.prog} --help` lists the "
                  "options)\n")


def _number(flag: str, **rules: Any) -> Callable[[str], Any]:
    """An argparse ``type=`` for a number checked by :func:`parse_number`."""

    def parse(text: str) -> Any:
        try:
            return parse_number(text, name=flag, **rules)
        except ParameterError as exc:
            raise argparse.ArgumentTypeError(str(exc).rstrip(".")) from None

    parse.__name__ = "number"
    return parse


_SEP_WORDS = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|",
              "space": " "}


def _column_pair(text: str) -> tuple[str, str]:
    """``--column NAME=FILE_COLUMN``."""
    name, eq, col = text.partition("=")
    if not eq or not name.strip() or not col.strip():
        raise argparse.ArgumentTypeError(
            f"--column takes NAME=FILE_COLUMN, e.g. --column urban=城乡, got {text!r}")
    return name.strip(), col.strip()


def _sep(text: str) -> str:
    """``--sep``: one character, or its name (``tab`` as the loaders' messages write it)."""
    sep = _SEP_WORDS.get(text.lower(), text)
    if len(sep) != 1:
        raise argparse.ArgumentTypeError(
            f"--sep takes one character or tab/comma/semicolon/pipe/space, got {text!r}")
    return sep


_DIST = _number("--max-dist-m", gt=0, le=100_000, example=1000)
_MINUTES = _number("--walk-min", gt=0, le=600, example=15)
_SPEED = _number("--speed-kmh", gt=0, le=200, example=4)
_SCALE = _number("--scale", gt=0, le=100, example=1.0)  # 10 and 30 are benchmarked
_SEED = _number("--seed", ge=0, integer=True, example=20231)
_K = _number("--k", ge=1, le=10_000, integer=True, example=5)
_PEOPLE = _number("--population-total", gt=0, le=1e10, example=1_316_289)
_TIMEOUT = _number("--timeout-s", gt=0, le=86_400, example=180)
_LOCK_WAIT = _number("--lock-timeout-s", ge=0, le=86_400, example=60)
_HEADER_ROW = _number("--header-row", ge=1, integer=True, example=2)


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
    g.add_argument("--seed", type=_SEED, default=20231, help="seed of the synthetic sample")
    g.add_argument("--scale", type=_SCALE, default=1.0,
                   help="density of the synthetic sample (1.0 = demo)")


_RAW = argparse.RawDescriptionHelpFormatter


def _add_demo(sub: Any, handlers: Handlers) -> None:
    """``jinan-gis demo``."""
    d = sub.add_parser("demo", help="the whole job on the embedded SYNTHETIC sample 演示",
                       description="Build the synthetic sample for both districts, evaluate "
                       "every plan metric and write out/report.xlsx, out/layers.gpkg, "
                       "out/map.html and out/summary.md.", epilog=_EPILOG)
    _common(d)
    d.add_argument("--seed", type=_SEED, default=20231, help="seed of the synthetic sample")
    d.add_argument("--scale", type=_SCALE, default=1.0,
                   help="sample density (1.0 = demo; 10 is about the size of Jinan's "
                        "built-up area; 30 needs ~4 GB of memory)")
    d.add_argument("--basemap", choices=["osm", "amap"], default="osm",
                   help="base tiles: osm (WGS84) or amap (data shown in GCJ-02)")
    _timings(d)
    d.set_defaults(func=handlers['demo'])


def _timings(p: argparse.ArgumentParser) -> None:
    p.add_argument("--timings", action="store_true",
                   help="print the seconds each step took and write them into summary.md")


def _add_report(sub: Any, handlers: Handlers) -> None:
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
    r.set_defaults(func=handlers['report'])


def _add_coverage(sub: Any, handlers: Handlers) -> None:
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
    g.add_argument("--max-dist-m", type=_DIST, help="network distance in metres")
    g.add_argument("--walk-min", type=_MINUTES, help="minutes (converted with --speed-kmh)")
    c.add_argument("--speed-kmh", type=_SPEED, default=WALK_SPEED_KMH,
                   help="speed for --walk-min (default 4 km/h: 15 min = 1000 m)")
    c.add_argument("--mode", choices=MODES, default="walk")
    c.add_argument("--district", action="append", help="district code or name (repeatable)")
    c.add_argument("--by-zone", action="store_true", help="one row per sub-district")
    c.set_defaults(func=handlers['coverage'])


def _add_sites(sub: Any, handlers: Handlers) -> None:
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
    s.add_argument("--k", type=_K, default=5, help="number of new sites")
    s.add_argument("--max-dist-m", type=_DIST, default=1000.0,
                   help="walking distance in metres (default 1000)")
    s.add_argument("--method", choices=["greedy", "exact"], default="greedy")
    s.add_argument("--bound", action="store_true",
                   help="greedy: also bound the optimum by the LP relaxation and print the gap "
                   "(slow: minutes on a whole district)")
    s.add_argument("--district", action="append", help="district code or name (repeatable)")
    s.set_defaults(func=handlers['sites'])


def _add_vocabulary(sub: Any, handlers: Handlers) -> None:
    """``jinan-gis categories`` and ``jinan-gis metrics``."""
    cat = sub.add_parser(
        "categories", help="facility names --category accepts 设施类别",
        description="Print what --category accepts: groups and category ids, with their "
        "Chinese and English names and the categories each selects.")
    cat.set_defaults(func=handlers['categories'], quiet=False)
    met = sub.add_parser(
        "metrics", help="the plans' metric catalogue 规划指标",
        description="Print the metric catalogue by plan and chapter: id (for report "
        "--metric), Chinese and English name, threshold, target, scope, source document and "
        "the layers each needs; with --store, whether that store's layers can evaluate it.")
    met.add_argument("--store", help="a layer store: say which entries its layers can "
                     "evaluate and what the others need")
    met.set_defaults(func=handlers['metrics'], quiet=False)


def _target_columns(i: argparse.ArgumentParser) -> None:
    """The import options for the columns plan targets read."""
    i.add_argument("--column", action="append", type=_column_pair, metavar="NAME=FILE_COLUMN",
                   help="communities/villages/...: the file column holding a column a plan "
                   "target reads, e.g. urban=城乡 or sewage_treated=污水治理 (repeatable; "
                   "default: found by name)")
    i.add_argument("--capacity-column", help="facilities: column of places/beds (e.g. 托位数)")
    i.add_argument("--physicians-column", help="facilities: column of licensed (assistant) "
                   "physicians, kept as 'physicians' (L-PHYSICIANS-2025/2035)")


def _add_import(sub: Any, handlers: Handlers) -> None:
    """``jinan-gis import``."""
    i = sub.add_parser(
        "import", help="bring your own file into the layer store 导入", formatter_class=_RAW,
        description=(
            "Import a shapefile, GeoPackage, GeoJSON, CSV or Excel file as a layer: prints\n"
            "kept and rejected rows and writes the rejection table. A layer name that is in\n"
            "the store already needs --append (add the rows; ids stay unique) or --replace;\n"
            "an import that keeps no row exits 2 and leaves the store as it was.\n\n"
            "Example:\n"
            "  jinan-gis import clinics.shp --as facilities --store my/layers.gpkg\n"
            "  jinan-gis import communities.gpkg --as communities --column urban=城乡\n"
            "then add a second file of clinics to that layer with the same command, its path\n"
            "and --append; reading options (--sheet, --lon-column, --encoding...) are passed\n"
            "to the file's reader only when given.\n\n"
            "--as communities, villages, forest, green_space... (polygons): the layers some\n"
            "plan targets need; the columns they read (urban, sewage_treated...) are kept,\n"
            "found by name or named with --column; `jinan-gis metrics` says which targets\n"
            "need which layer.\n"
        ))
    i.add_argument("path", help="the file to import")
    i.add_argument("--as", dest="kind", required=True,
                   choices=["facilities", "streets", "population", "zones", "osm",
                            *EXTRA_KINDS])
    i.add_argument("--store", default="out/store.gpkg", help="layer store GeoPackage")
    i.add_argument("--name", help="layer name in the store (default: the --as value)")
    w = i.add_mutually_exclusive_group()
    w.add_argument("--append", dest="if_exists", action="store_const", const="append",
                   help="add the rows to the stored layer of this name (a row whose id is "
                   "stored already is rejected with the reason)")
    w.add_argument("--replace", dest="if_exists", action="store_const", const="replace",
                   help="replace the stored layer of this name")
    i.add_argument("--replace-empty", action="store_true", help="store a layer that kept 0 rows "
                   "(refused by default: the stored layer stays)")
    i.add_argument("--lock-timeout-s", type=_LOCK_WAIT, default=60.0,
                   help="how long to wait for another import into the same store (default 60)")
    i.add_argument("--category", help="facility category for every row: id or Chinese/English "
                   "name, e.g. chc or 社区卫生服务站 (default: classified from the names); "
                   "`jinan-gis categories` lists them")
    i.add_argument("--datum", help="wgs84, gcj02 (Amap/Tencent) or bd09 (Baidu): REQUIRED "
                   "for spreadsheets 坐标系")
    i.add_argument("--crs", help="CRS when the file has none, e.g. EPSG:4548 or EPSG:4527")
    i.add_argument("--count-column", help="population: the column of people per row")
    i.add_argument("--zone-type", default="subdistrict")
    _target_columns(i)
    i.add_argument("--mode", default="walk", choices=MODES)
    i.add_argument("--area", action="append",
                   help="district code or name for street imports, repeatable (default both: "
                   "370112 历城区 and 370103 市中区); --as osm: or a polygon file")
    r = i.add_argument_group("reading the file 读取选项 (each is passed on only when given)")
    r.add_argument("--encoding", help="text encoding, e.g. gbk, big5 or utf-8 (default detect)")
    r.add_argument("--layer", help="layer of a GeoPackage or other multi-layer file")
    r.add_argument("--sheet", help="Excel sheet: its name, or its position 1, 2, ...")
    r.add_argument("--sep", type=_sep,
                   help="CSV column separator: one character, or tab (default detect)")
    r.add_argument("--decimal", help="decimal mark of the numbers, e.g. ',' (default '.')")
    r.add_argument("--header-row", type=_HEADER_ROW,
                   help="the row holding the column names, as Excel numbers it (default 1)")
    r.add_argument("--lon-column", help="longitude (or x) column")
    r.add_argument("--lat-column", help="latitude (or y) column")
    r.add_argument("--lonlat-column", help="one column holding 'lon,lat'")
    r.add_argument("--id-column", help="column of row ids (kept unique)")
    r.add_argument("--name-column", help="column of names")
    r.add_argument("--category-column", help="facilities: column of categories")
    r.add_argument("--duplicates", choices=["reject", "keep"],
                   help="rows repeating an earlier row (same place and values): rejected with "
                   "the reason (default) or kept")
    r.add_argument("--no-clip", action="store_true",
                   help="population rasters: read the whole grid, not only the part over Jinan")
    r.add_argument("--overlaps", choices=["refuse", "clip"],
                   help="population polygons that overlap: refuse the file (default) or let "
                   "earlier rows keep the shared area")
    o = i.add_argument_group("--as osm")
    o.add_argument("--population-total", type=_PEOPLE, help="--as osm: people in the area")
    o.add_argument("--population-table", help="--as osm: CSV code,total (zones: --zones)")
    o.add_argument("--zones", help="--as osm: zone polygon file with a code column")
    i.add_argument("--out", help="where to write the rejection table (default: store folder)")
    i.add_argument("-v", "--verbose", action="count", default=0)
    i.set_defaults(func=handlers["import"], quiet=False, if_exists=None)


def _add_fetch(sub: Any, handlers: Handlers) -> None:
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
    f.add_argument("--timeout-s", type=_TIMEOUT, default=180.0)
    f.add_argument("--facilities", action="store_true", help="also fetch facilities")
    f.add_argument("-v", "--verbose", action="count", default=0)
    f.set_defaults(func=handlers['fetch'], quiet=False)


def _add_batch(sub: Any, handlers: Handlers) -> None:
    """``jinan-gis batch`` (arguments go to the batch runner's own parser)."""
    b = sub.add_parser("batch", help="many areas x metrics x scenarios, serial or on Dask 批量",
                       description="Run a JSON batch file of coverage jobs serially, on a "
                       "LocalCluster or on an existing Dask cluster (--scheduler "
                       "tcp://host:8786); arguments go to python -m jinan_gis.analyses.batch.",
                       add_help=False)
    b.add_argument("rest", nargs=argparse.REMAINDER)
    b.set_defaults(func=handlers['batch'], quiet=False)


def build_parser(handlers: Handlers) -> argparse.ArgumentParser:
    """The argument parser of ``jinan-gis``; ``handlers`` maps each command to its function."""
    p = OneLineParser(
        prog="jinan-gis",
        description="How well are Licheng (历城区) and Shizhong (市中区) served? Coverage of "
        "public services over the street network, against the district plans' targets.",
        epilog=_EPILOG,
    )
    from jinan_gis import __version__

    p.add_argument("--version", action="version", version=f"jinan-gis {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_demo(sub, handlers)
    _add_report(sub, handlers)
    _add_coverage(sub, handlers)
    _add_sites(sub, handlers)
    _add_vocabulary(sub, handlers)
    _add_import(sub, handlers)
    _add_fetch(sub, handlers)
    _add_batch(sub, handlers)
    return p


