"""Is the answer sane? Checks of the outputs a journey produced.

Each check says what a user would expect of the output and fails with what it found.
"""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio

from jinan_gis.layers.provenance import SYNTHETIC_MARK

from . import standins

REPORT_FILES = ("report.xlsx", "layers.gpkg", "map.html", "summary.md")
DISTRICTS = ("370103", "370112")
STATUS_EVALUATED = {"pass", "fail", "no numeric target", "no district target"}
SAMPLE_ANSWERS = ("L-CLINIC-1000", "S-CULTURE-15-30", "L-FITNESS-15",
                  "JN-CONVENIENCE-15-OLDTOWN", "JN-ELDERLY-PER-SUBDISTRICT", "L-ELDERLY-60",
                  "JN-SQUARE-PER-SUBDISTRICT", "L-CHC-PER-SUBDISTRICT", "L-PARK-2025",
                  "L-PARK-2035", "GB-LIFE-5MIN", "GB-LIFE-10MIN", "GB-LIFE-15MIN")
"""Metrics the sample's layers always answer (the catalogue's other entries need layers or
facility types the sample does not have, and say so)."""


def _status_word(s: object) -> str:
    """'达标 pass' and 'pass' alike."""
    return str(s).split(" ", 1)[-1] if str(s)[:1] > "\u2e80" else str(s)


# ----------------------------------------------------------------------------- labelling
def xlsx_labelled(path: Path) -> None:
    """Every sheet of a workbook of synthetic data shows the mark in its cells."""
    wb = openpyxl.load_workbook(path, read_only=True)
    unmarked = []
    for ws in wb.worksheets:
        cells = (str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)
        if not any(SYNTHETIC_MARK in c for c in cells):
            unmarked.append(ws.title)
    assert not unmarked, f"{path.name}: sheets without {SYNTHETIC_MARK!r}: {unmarked}"


def html_labelled(path: Path) -> None:
    text = htmllib.unescape(path.read_text(encoding="utf-8"))
    for word in ("SYNTHETIC", "合成"):
        assert word in text, f"{path.name} does not say {word!r}"


def md_labelled(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert SYNTHETIC_MARK in text, f"{path.name} lacks {SYNTHETIC_MARK!r}:\n{text[:500]}"


def csv_labelled(path: Path) -> None:
    text = path.read_text(encoding="utf-8-sig")
    assert SYNTHETIC_MARK in text, f"{path.name} lacks {SYNTHETIC_MARK!r}:\n{text[:500]}"


# ----------------------------------------------------------------------------- tables
def coverage_table(table: pd.DataFrame, *, column: str, name: str,
                   districts: list[str] | None = None) -> None:
    """Shares of a category that has facilities: every row strictly between 0 and 1."""
    assert len(table), f"{name}: empty table"
    share = pd.to_numeric(table[column], errors="coerce")
    assert share.notna().all(), f"{name}: missing {column}:\n{table}"
    assert ((share > 0) & (share < 1)).all(), f"{name}: {column} not in (0, 1):\n{table}"
    if districts is not None:
        codes = table.reset_index()["district_code"].astype(str)
        assert sorted(codes) == sorted(districts), f"{name}: rows {list(codes)}"


def metrics_table(table: pd.DataFrame, *, metrics: list[str] | None,
                  complete: bool, evaluated: tuple[str, ...] = ()) -> None:
    """The metric table: the requested metrics for both districts; with complete layers (the
    sample) every metric the sample answers is evaluated, every other one names the layer it
    needs and how to supply it, without a value, and the coverage metrics are strictly
    between 0 % and 100 %; the ``evaluated`` metrics are evaluated in any case."""
    ids = set(table["metric_id"])
    if metrics is not None:
        assert ids == set(metrics), f"metrics {sorted(ids)} != asked {metrics}"
    status = table["status"].map(_status_word)
    have = set(table["district"].astype(str))
    assert have == set(DISTRICTS) if metrics is None else have <= set(DISTRICTS), have
    if complete:
        core = table["metric_id"].isin(SAMPLE_ANSWERS)
        assert status[core].isin(STATUS_EVALUATED).all(), table.loc[
            core & ~status.isin(STATUS_EVALUATED), ["metric_id", "district", "status"]
        ].to_string()
        waits = ~status.isin(STATUS_EVALUATED)
        said = status[waits].str.startswith("needs layer: ") & status[waits].str.contains(
            "(", regex=False)
        assert said.all(), table.loc[waits, ["metric_id", "status"]].to_string()
        assert pd.to_numeric(table.loc[waits, "value"], errors="coerce").isna().all()
    for mid in evaluated:
        rows = table[table["metric_id"] == mid]
        assert len(rows) and status[rows.index].isin(STATUS_EVALUATED).all(), rows[
            ["metric_id", "district", "status"]].to_string()
    if complete or evaluated:
        for mid in ("L-CLINIC-1000", "S-CULTURE-15-30") if complete else evaluated:
            rows = table[table["metric_id"] == mid]
            if len(rows):
                v = pd.to_numeric(rows["value"], errors="coerce")
                assert ((v > 0) & (v < 1)).all(), rows[["metric_id", "district", "value"]]


def _xlsx_metrics(path: Path) -> pd.DataFrame:
    t = pd.read_excel(path, sheet_name=0, dtype={"区县 district": str})
    heads = {"指标编号 metric": "metric_id", "区县 district": "district",
             "现状值 value": "value", "达标情况 status": "status"}
    missing = set(heads) - set(t.columns)
    assert not missing, f"{path.name}: first sheet lacks {missing}: {list(t.columns)}"
    return t.rename(columns=heads)


# ----------------------------------------------------------------------------- reports
def map_title(path: Path) -> str:
    m = re.search(r"<title>(.*?)</title>", path.read_text(encoding="utf-8"), re.S)
    return htmllib.unescape(m.group(1)) if m else ""


def map_shows_metric(path: Path, metric_id: str) -> None:
    """The map's title names the metric, and its markers are the metric's facilities."""
    from jinan_gis.analyses.catalogue import get_metric
    from jinan_gis.layers.taxonomy import get_category, resolve_categories

    m = get_metric(metric_id)
    title = map_title(path)
    assert m.name_zh in title, f"map title {title!r} is not about {metric_id} ({m.name_zh})"
    text = htmllib.unescape(path.read_text(encoding="utf-8"))
    own = [get_category(c).name_zh for c in m.categories]
    assert any(n in text for n in own), f"no {metric_id} facility ({own}) on the map"
    if not set(m.categories) & set(resolve_categories("clinic")):
        clinic_names = ("社区卫生服务站", "社区卫生服务中心")
        found = [n for n in clinic_names if n in text]
        assert not found, f"the {metric_id} map shows clinics ({found})"


def report_outputs(out: Path, *, metric: str, synthetic: bool,
                   metrics: list[str] | None = None, store: Path | None = None) -> None:
    """report/demo: the four files; the metric table; the map about ``metric``; the mark."""
    missing = [n for n in REPORT_FILES if not (out / n).is_file()]
    assert not missing, f"{out}: missing {missing}; found {sorted(p.name for p in out.iterdir())}"
    table = _xlsx_metrics(out / "report.xlsx")
    have = _store_layers(store)
    complete = store is None
    # a store of one's own files: the metrics its layers allow are evaluated
    evaluated = (metric,) if store is not None and _has_facilities_of(store, metric) and \
        {"streets", "population"} <= have else ()
    metrics_table(table, metrics=metrics, complete=complete, evaluated=evaluated)
    if store is not None and "population" not in have:  # says what is missing, invents nothing
        cov = table[table["metric_id"].isin(["L-CLINIC-1000", "S-CULTURE-15-30"])]
        assert cov["status"].astype(str).str.contains("population").all(), cov[
            ["metric_id", "district", "status"]].to_string()
        assert pd.to_numeric(cov["value"], errors="coerce").isna().all(), cov
    layers = [n for n, _ in pyogrio.list_layers(out / "layers.gpkg")]
    assert layers, "layers.gpkg has no layers"
    if complete or evaluated:
        map_shows_metric(out / "map.html", metric)
        for other in (metrics or [])[1:]:
            if other != metric:
                map_shows_metric(out / f"map_{other}.html", other)
    if synthetic:
        xlsx_labelled(out / "report.xlsx")
        md_labelled(out / "summary.md")
        html_labelled(out / "map.html")


def _store_layers(store: Path | None) -> set[str]:
    return set() if store is None else {n for n, _ in pyogrio.list_layers(store)}


def _has_facilities_of(store: Path, metric_id: str) -> bool:
    from jinan_gis.analyses.catalogue import get_metric

    if "facilities" not in _store_layers(store):
        return False
    cats = gpd.read_file(store, layer="facilities", columns=["category"])["category"]
    return bool(cats.isin(get_metric(metric_id).categories).any())


def coverage_csv(path: Path, *, districts: list[str], by_zone: bool, synthetic: bool) -> None:
    """coverage.csv: shares in [0, 1] per row, strictly inside (0, 1) per district."""
    t = pd.read_csv(path, encoding="utf-8-sig", dtype={"district_code": str})
    assert len(t) and "share_network" in t, t
    share = pd.to_numeric(t["share_network"], errors="coerce")
    assert share.between(0, 1).all(), t
    from jinan_gis.layers.districts import resolve_district

    want = sorted(resolve_district(d) for d in districts) if districts else list(DISTRICTS)
    assert sorted(set(t["district_code"])) == want, f"districts {set(t['district_code'])}"
    placed = t["population"] - t["not_placed"]
    per_district = (t.assign(cov=t["covered_network"], placed=placed)
                    .groupby("district_code")[["cov", "placed"]].sum())
    s = per_district["cov"] / per_district["placed"]
    assert ((s > 0) & (s < 1)).all(), f"district shares {s.to_dict()}"
    if by_zone:
        assert "zone" in t and t["zone"].nunique() > len(want), t.head()
    if synthetic:
        csv_labelled(path)


def sites_outputs(out: Path, *, k: int, synthetic: bool) -> None:
    """sites: k proposed sites, each adding people; map labelled."""
    gpkg = out / "sites.gpkg"
    names = [n for n, _ in pyogrio.list_layers(gpkg)]
    layer = next((n for n in names if n.endswith("sites") and "proposed" in n), None)
    assert layer, f"no proposed-sites layer in {names}"
    got = gpd.read_file(gpkg, layer=layer)
    assert len(got) == k, f"{len(got)} sites, asked for {k}"
    assert (got["gain_people"] > 0).all(), got.drop(columns="geometry")
    if synthetic and (out / "sites_map.html").exists():
        html_labelled(out / "sites_map.html")


# ----------------------------------------------------------------------------- imports
_COUNTS = re.compile(r"(\d+) rows in, (\d+) kept, (\d+) rejected")


def _in_district(gdf: gpd.GeoDataFrame) -> pd.Series:
    from jinan_gis.layers.districts import load_districts

    d = load_districts(list(DISTRICTS)).to_crs(gdf.crs)
    pts = gdf.geometry.representative_point()
    return pd.Series({code: int(pts.within(g).sum()) for code, g in
                      zip(d["code"].astype(str), d.geometry, strict=True)})


def import_result(stdout: str, *, store: Path, kind: str, name: str, path: Path) -> None:
    """import: rows accounted for, most kept, rows of both districts, positions right."""
    m = _COUNTS.search(stdout)
    assert m, stdout
    n_in, kept, rejected = map(int, m.groups())
    assert n_in == kept + rejected and kept > 0, stdout
    assert kept >= 0.95 * n_in, f"{path.name}: only {kept} of {n_in} kept:\n{stdout}"
    layer = gpd.read_file(store, layer=name)
    if kind != "streets":  # streets are split where they cross: more rows than lines kept
        assert len(layer) == kept, f"store layer {name}: {len(layer)} rows, printed {kept}"
    per = _in_district(layer)
    if kind in ("streets", "population", "zones"):
        assert (per > 0).all(), f"{path.name} as {kind}: rows per district {per.to_dict()}"
    if kind == "population":
        total = standins.sample().population["population"].sum()
        got = layer["population"].sum()
        assert abs(got - total) < 1e-3 * total, f"population {got:,.0f} != {total:,.0f}"
    if kind == "facilities":
        _facilities_where_they_were(layer, path)
    if kind == "communities":  # --column urban=城乡: the flag of each, as the file says
        src = gpd.read_file(path)
        assert sorted(layer["urban"].astype(bool)) == sorted(src["城乡"] == "城市"), layer
        assert (per > 0).all(), f"{path.name} as {kind}: rows per district {per.to_dict()}"


def _facilities_where_they_were(layer: gpd.GeoDataFrame, path: Path) -> None:
    """Imported facilities land on the sample's positions (CRS and datum undone)."""
    truth = standins.sample().facilities
    truth = truth[truth["name"].isin(set(layer["name"]))]
    assert len(truth), f"{path.name}: no imported name is a sample facility name"
    got = layer.to_crs(truth.crs)
    d = got.geometry.apply(lambda p: truth.distance(p).min())
    assert float(np.median(d)) < 1.0, f"{path.name}: imported points sit {d.median():.1f} m off"


def fetch_result(stdout: str, *, store: Path, district: str, facilities: bool) -> None:
    """fetch: streets (and facilities) of the district from the stand-in, stored."""
    assert "streets:" in stdout, stdout
    streets = gpd.read_file(store, layer="streets")
    assert len(streets) > 100, f"{len(streets)} streets"
    assert set(streets["source"]) == {"osm-overpass"}, set(streets["source"])
    if facilities:
        fac = gpd.read_file(store, layer="facilities")
        from jinan_gis.layers.taxonomy import resolve_categories

        n = fac["category"].isin(resolve_categories("clinic")).sum()
        assert n > 0, f"no clinic among fetched facilities: {fac['category'].value_counts()}"


def batch_results(folder: Path) -> None:
    files = sorted((folder / "jobs").glob("*.parquet"))
    assert files, f"no stored job results in {folder}"
    t = pd.concat([pd.read_parquet(f) for f in files])
    share = pd.to_numeric(t["share_network"], errors="coerce")
    assert ((share > 0) & (share < 1)).all(), t
