"""The polygon layers some catalogue entries need beyond streets, facilities and people:
communities, villages, forest, green space... (:data:`EXTRA_LAYERS`), and their loader.

Every name here is a layer an entry of :data:`~jinan_gis.analyses.catalogue.CATALOGUE`
reads (its ``unit_layer``, ``area_layer`` or a need of the same name); the columns kept are
the ones the entries' rules read (``urban``, ``sewage_treated``, ``meets_provision``...),
found in the file by their name or a Chinese alias (:data:`COLUMN_ALIASES`), or named with
``columns={"urban": "城乡"}`` (``--column urban=城乡`` on the command line).

:func:`load_extra_layer` reads polygons with :func:`~jinan_gis.layers.zones.load_zones`
(ids, names, repairs, rejections) and adds those columns: yes/no values become True/False
(:func:`parse_flag`: 是/否, 1/0, true/false, 城市/农村 for ``urban``...); a value that is
neither rejects its row with the reason; an empty cell stays empty (the report counts it as
not meeting the target), except ``urban``, which every urban/rural entry needs to know.
``meets_provision`` of new communities is ``provided_m2 >= required_m2`` when only the two
areas are given.

Examples
--------
>>> sorted(EXTRA_LAYERS)[:4]
['built_up', 'communities', 'coverage_5g', 'forest']
>>> EXTRA_LAYERS["villages"].columns
('beautiful_village_demo', 'covered_5g', 'four_good_road', 'qualified', 'sewage_treated')
>>> parse_flag("是"), parse_flag("0"), parse_flag("农村", column="urban"), parse_flag("")
(True, False, False, None)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..geo.errors import InputDataError
from ..geo.missing import is_missing
from ..layers.result import LoadResult, rejection_table
from ..layers.tables import find_column, normalize_column, read_vector_checked
from ..layers.zones import ZONE_NAME_NAMES, load_zones
from .catalogue import CATALOGUE
from .catalogue_metric import LAYER_HOWTO

__all__ = [
    "COLUMN_ALIASES",
    "EXTRA_LAYERS",
    "ExtraLayer",
    "load_extra_layer",
    "parse_flag",
]

log = logging.getLogger(__name__)

_CORE = {"streets", "facilities", "population", "zones", "old_town", "districts",
         "park areas", "pop_60plus", "pop_0_2", "capacity", "physicians", "regional_network"}

_TITLES: dict[str, tuple[str, str]] = {
    "communities": ("城乡社区（社区/村）", "urban and rural communities (社区 and 村)"),
    "villages": ("行政村", "administrative villages"),
    "new_communities": ("新建社区", "new residential communities"),
    "residential_compounds": ("住宅小区", "residential compounds"),
    "forest": ("森林", "forest"),
    "built_up": ("建成区", "the built-up area"),
    "green_space": ("绿地", "green space"),
    "coverage_5g": ("5G信号覆盖范围", "5G signal coverage"),
    "key_areas": ("重点公共区域", "key public areas"),
    "tangye_area": ("唐冶片区", "the Tangye area"),
}

NAME_NAMES: tuple[str, ...] = (*ZONE_NAME_NAMES, "村名", "村庄名称", "行政村", "行政村名称",
                                "小区名称", "小区", "区域名称")
"""Name columns, by priority: the zones' (:data:`~jinan_gis.layers.zones.ZONE_NAME_NAMES`),
then village and compound names."""

NUMBER_COLUMNS = ("required_m2", "provided_m2")
"""Columns kept as numbers (m²), not yes/no."""

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "urban": ("urban", "城乡", "城乡属性", "城乡类型", "城乡分类", "城市社区"),
    "beautiful_village_demo": ("beautifulvillagedemo", "美丽乡村示范村", "美丽乡村"),
    "sewage_treated": ("sewagetreated", "污水治理", "生活污水治理", "污水已治理"),
    "covered_5g": ("covered5g", "5g覆盖", "5g"),
    "qualified": ("qualified", "具备条件"),
    "four_good_road": ("fourgoodroad", "四好农村路", "四好公路"),
    "property_managed": ("propertymanaged", "专业化物业", "物业服务", "物业"),
    "meets_provision": ("meetsprovision", "配建达标", "达标"),
    "required_m2": ("requiredm2", "应配建面积", "应配面积"),
    "provided_m2": ("providedm2", "已配建面积", "实配面积"),
}
"""Catalogue column -> the (normalised) file column names it is found by, in priority order
(the name itself, then Chinese aliases). Shapefile fields hold 10 characters: name longer
columns with ``columns=`` / ``--column``."""

_TRUE = {"true", "t", "yes", "y", "1", "是", "有", "已", "对", "√", "✓"}
_FALSE = {"false", "f", "no", "n", "0", "否", "无", "未", "不", "×", "✗"}
_URBAN_TRUE = {"urban", "城市", "城镇", "城市社区", "社区", "城"}
_URBAN_FALSE = {"rural", "农村", "乡村", "农村社区", "村", "乡"}


@dataclass(frozen=True)
class ExtraLayer:
    """An extra layer of the catalogue: its name, titles, the columns its entries read and
    the entries that need it."""

    name: str
    title_zh: str
    title_en: str
    columns: tuple[str, ...]
    metric_ids: tuple[str, ...]

    @property
    def howto(self) -> str:
        """How a user supplies it (:data:`~jinan_gis.analyses.catalogue_metric.LAYER_HOWTO`)."""
        return LAYER_HOWTO.get(self.name, "")


def _columns_of(name: str) -> tuple[str, ...]:
    cols: set[str] = set()
    for m in CATALOGUE:
        if m.unit_layer != name:
            continue
        if m.flag_column:
            cols.add(m.flag_column)
        if m.unit_filter is not None:
            cols.add("urban")
        if name == "villages" and m.flag_column is None:
            cols.add("qualified")  # read by the report when present (logistics)
    if "meets_provision" in cols:
        cols.update(NUMBER_COLUMNS)
    return tuple(sorted(cols))


@cache
def _extra_layers() -> dict[str, ExtraLayer]:
    names: dict[str, list[str]] = {}
    for m in CATALOGUE:
        for n in (m.unit_layer, m.area_layer, *m.needs):
            if n and n not in _CORE and n in LAYER_HOWTO:
                ids = names.setdefault(n, [])
                if m.id not in ids:
                    ids.append(m.id)
    return {n: ExtraLayer(n, *_TITLES.get(n, (n, n)), _columns_of(n), tuple(ids))
            for n, ids in names.items()}


EXTRA_LAYERS: dict[str, ExtraLayer] = _extra_layers()
"""Every extra (polygon) layer the catalogue reads, by name, with the columns and entries."""


def parse_flag(value: Any, *, column: str = "") -> bool | None:
    """A yes/no cell as True/False; None when empty; raises ``ValueError`` otherwise.

    ``column="urban"`` also reads 城市/城镇/社区 (True) and 农村/乡村/村 (False).

    Examples
    --------
    >>> parse_flag("Yes"), parse_flag(1.0), parse_flag(False), parse_flag(None)
    (True, True, False, None)
    >>> parse_flag("城市", column="urban")
    True
    >>> parse_flag("待定")
    Traceback (most recent call last):
    ...
    ValueError: '待定' is not a yes/no value
    """
    if is_missing(value) or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating) and value in (0, 1):
        return bool(value)
    text = str(value).strip().casefold()
    if text.endswith(".0") and text[:-2] in ("0", "1"):
        text = text[:-2]
    if text in _TRUE or (column == "urban" and text in _URBAN_TRUE):
        return True
    if text in _FALSE or (column == "urban" and text in _URBAN_FALSE):
        return False
    raise ValueError(f"{value!r} is not a yes/no value")


def _flag_hint(column: str) -> str:
    words = "城市/农村, " if column == "urban" else ""
    return f"use {words}是/否, 1/0 or true/false"


def _find_columns(spec: ExtraLayer, file_columns: list[str], given: dict[str, str],
                  source: str) -> dict[str, str]:
    """Catalogue column -> file column: the ones given, else found by name or alias."""
    unknown = [k for k in given if k not in spec.columns]
    if unknown:
        have = ", ".join(spec.columns) or "none"
        raise InputDataError(
            f"--column {unknown[0]}=...: the catalogue reads no {unknown[0]!r} of "
            f"{spec.name} (it reads: {have}); name one of those.")
    missing = [v for v in given.values() if v not in file_columns]
    if missing:
        raise InputDataError(f"{source}: --column ...={missing[0]}: no such column; the file "
                             f"has: {', '.join(map(str, file_columns))}.")
    found = dict(given)
    for col in spec.columns:
        if col not in found:
            hit = find_column(file_columns, [normalize_column(a) for a in
                                             COLUMN_ALIASES.get(col, (col,))])
            if hit is not None:
                found[col] = hit
    return found


def _values(attrs: pd.DataFrame, found: dict[str, str], rows: np.ndarray
            ) -> tuple[dict[str, list[Any]], dict[int, str]]:
    """The kept columns' values for ``rows`` (input positions), and a reason per row whose
    value is not understood."""
    out: dict[str, list[Any]] = {}
    bad: dict[int, str] = {}
    for col, src in found.items():
        vals: list[Any] = []
        for r in rows:
            v = attrs.iloc[int(r)][src]
            if col in NUMBER_COLUMNS:
                num = pd.to_numeric(pd.Series([v]), errors="coerce").iloc[0]
                if pd.isna(num) and not is_missing(v) and str(v).strip():
                    bad.setdefault(int(r), f"{col} ({src}): {v!r} is not a number of m²")
                vals.append(None if pd.isna(num) else float(num))
                continue
            try:
                flag = parse_flag(v, column=col)
            except ValueError as exc:
                bad.setdefault(int(r), f"{col} ({src}): {exc}; {_flag_hint(col)}")
                flag = None
            if flag is None and col == "urban" and int(r) not in bad:
                bad[int(r)] = (f"urban ({src}): empty; every community must say 城市 or 农村 "
                               "(urban/rural entries count them apart)")
            vals.append(flag)
        out[col] = vals
    return out, bad


def _meets_provision(values: dict[str, list[Any]], n: int) -> None:
    """``meets_provision`` from the two areas where the file has no such column."""
    if "meets_provision" in values or not {"required_m2", "provided_m2"} <= set(values):
        return
    values["meets_provision"] = [
        None if r is None or p is None else bool(p >= r)
        for r, p in zip(values["required_m2"], values["provided_m2"], strict=True)]


def load_extra_layer(  # long: read, identify, parse the flags and account for every row
    src: str | Path | gpd.GeoDataFrame,
    *,
    kind: str,
    columns: dict[str, str] | None = None,
    name_column: str | None = None,
    id_column: str | None = None,
    encoding: str | None = None,
    layer: str | int | None = None,
    crs: Any | None = None,
) -> LoadResult:
    """Load a polygon file as the extra layer ``kind`` (one of :data:`EXTRA_LAYERS`).

    Parameters
    ----------
    src : path or geopandas.GeoDataFrame
        Polygons in any CRS (not changed).
    kind : str
        ``communities``, ``villages``, ``forest``... (:data:`EXTRA_LAYERS`).
    columns : dict, optional
        Catalogue column -> file column (e.g. ``{"urban": "城乡"}``); the others are found
        by name or alias (:data:`COLUMN_ALIASES`).
    name_column, id_column, encoding, layer, crs : optional
        As in :func:`~jinan_gis.layers.zones.load_zones`.

    Returns
    -------
    LoadResult
        The zone columns (``zone_id``, ``zone_name``, ``zone_type`` = ``kind``...) in
        EPSG:4548, then the catalogue columns found; ``provenance["columns"]`` maps each to
        its file column and ``provenance["columns_missing"]`` lists the ones not found.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> gdf = gpd.GeoDataFrame({"社区名称": ["甲社区", "乙村", "丙村"],
    ...                         "城乡": ["城市", "农村", "不详"]},
    ...     geometry=[box(500_000 + i * 500, 4_060_000, 500_400 + i * 500, 4_060_400)
    ...               for i in range(3)], crs="EPSG:4548")
    >>> res = load_extra_layer(gdf, kind="communities")
    >>> res.layer[["zone_name", "urban"]].astype(object).values.tolist()
    [['甲社区', True], ['乙村', False]]
    >>> res.rejected["reason"].iloc[0]
    "urban (城乡): '不详' is not a yes/no value; use 城市/农村, 是/否, 1/0 or true/false"
    """
    spec = EXTRA_LAYERS.get(kind)
    if spec is None:
        raise InputDataError(f"unknown extra layer {kind!r}; use one of "
                             f"{', '.join(sorted(EXTRA_LAYERS))}.")
    source = Path(src).name if isinstance(src, str | Path) else kind
    gdf, info = read_vector_checked(src, encoding=encoding, layer=layer, crs=crs,
                                    source=source)
    attrs = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    found = _find_columns(spec, [str(c) for c in attrs.columns], dict(columns or {}), source)
    if name_column is None:
        name_column = find_column(list(attrs.columns), NAME_NAMES)
    res = load_zones(gdf, zone_type=kind, name_column=name_column, id_column=id_column,
                     source_name=source)
    lay = res.layer
    rows = lay["input_row"].to_numpy()
    values, bad = _values(attrs, found, rows)
    _meets_provision(values, len(rows))
    keep = np.array([int(r) not in bad for r in rows], dtype=bool)
    out = lay.copy()
    for col, vals in values.items():  # nullable types: a GeoPackage keeps them as such
        out[col] = pd.Series(vals, index=out.index,
                             dtype="Float64" if col in NUMBER_COLUMNS else "boolean")
    out = out.loc[keep].reset_index(drop=True)
    geom_wkt = gdf.geometry.to_numpy()
    more = rejection_table(
        {"input_row": r, "reason": why, **attrs.iloc[r].to_dict(),
         "wkt": None if geom_wkt[r] is None else geom_wkt[r].wkt}
        for r, why in sorted(bad.items()))
    rejected = pd.concat([res.rejected, more], ignore_index=True) if len(more) else res.rejected
    missing = [c for c in spec.columns if c not in values]
    empty = {c: int(out[c].isna().sum()) for c in values if c in out}
    prov = {**res.provenance, **info, "source": source, "kind": kind, "columns": found,
            "columns_missing": missing, "n_kept": len(out), "n_rejected": len(rejected),
            "n_empty": {c: n for c, n in empty.items() if n}}
    result = LoadResult(layer=gpd.GeoDataFrame(out, geometry="geometry", crs=lay.crs),
                        rejected=rejected, n_input=res.n_input, provenance=prov)
    result.check_accounting()
    return result
