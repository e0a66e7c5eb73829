"""Assemble :class:`~jinan_gis.analyses.report.AnalysisInputs` from the sample, a layer
store or a scenario file (TOML), so that a run is repeatable.

A scenario file names the layers, thresholds and outputs::

    [layers]
    sample = true                    # or: store = "my_layers.gpkg"
    # streets = "streets"            # layer names inside the store (these are the defaults)
    # facilities = "facilities"
    # population = "population"
    # zones = "zones"
    # old_town = "old_town"
    # communities = "communities_2024"  # the catalogue's extra layers (communities, villages,
    #                                    # forest, green_space...): read when in the store,
    #                                    # under their own name unless mapped here

    [report]
    districts = ["370112", "370103"]                  # the default: both study districts
    metrics = ["L-CLINIC-1000", "S-CULTURE-15-30"]   # default: the whole catalogue
    out = "out"
    basemap = "osm"                  # or "amap" (data shifted to GCJ-02 for display)

    [sample]
    seed = 20231
    scale = 1.0
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from ..geo.errors import InputDataError, LayerError
from ..layers.districts import DISTRICT_CODES, load_districts
from ..layers.sample import build_sample, old_town_zone
from ..layers.store import META_TABLE, LayerStore
from ..layers.store_path import make_store_hint, missing_store_error
from .report import AnalysisInputs

_CORE_LAYERS = ("streets", "facilities", "population", "zones", "old_town", "districts")

__all__ = ["Scenario", "check_store", "inputs_from_sample", "inputs_from_store", "load_scenario"]

log = logging.getLogger(__name__)


@dataclass
class Scenario:
    """A repeatable run (a scenario file): where the layers come from, what to evaluate,
    where to write. (A batch job's what-if is :class:`jinan_gis.analyses.batch_jobs.WhatIf`.)
    """

    sample: bool = True
    store: Path | None = None
    layer_names: dict[str, str] = field(default_factory=dict)
    districts: list[str] = field(default_factory=lambda: list(DISTRICT_CODES))
    metrics: list[str] | None = None
    out: Path = Path("out")
    basemap: str = "osm"
    seed: int = 20231
    scale: float = 1.0


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario TOML file (see the module docstring); unknown keys are an error."""
    path = Path(path)
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputDataError(f"{path}: cannot read the scenario file ({exc}); check the TOML "
                             "syntax against the example in the README.") from exc
    known = {"layers", "report", "sample"}
    extra = set(data) - known
    if extra:
        raise InputDataError(f"{path}: unknown section(s) {sorted(extra)}; use "
                             f"{sorted(known)}.")
    lay = dict(data.get("layers", {}))
    rep = dict(data.get("report", {}))
    smp = dict(data.get("sample", {}))
    from .extra_layers import EXTRA_LAYERS

    allowed = {
        "layers": {"sample", "store", *_CORE_LAYERS, *EXTRA_LAYERS},
        "report": {"districts", "metrics", "out", "basemap"},
        "sample": {"seed", "scale"},
    }
    for section, keys in (("layers", lay), ("report", rep), ("sample", smp)):
        unknown = set(keys) - allowed[section]
        if unknown:
            raise InputDataError(
                f"{path}: unknown key(s) {sorted(unknown)} in [{section}]; allowed: "
                f"{sorted(allowed[section])} (see the example in jinan_gis.analyses.inputs)."
            )
    sc = Scenario()
    store = lay.pop("store", None)
    sc.sample = bool(lay.pop("sample", store is None))
    if store is not None:
        sc.store = (path.parent / store).resolve()
    sc.layer_names = {k: str(v) for k, v in lay.items()}
    sc.districts = [str(d) for d in rep.get("districts", sc.districts)]
    sc.metrics = rep.get("metrics")
    sc.out = (path.parent / rep.get("out", "out")).resolve()
    sc.basemap = rep.get("basemap", sc.basemap)
    sc.seed = int(smp.get("seed", sc.seed))
    sc.scale = float(smp.get("scale", sc.scale))
    return sc


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _crs(gdf: gpd.GeoDataFrame) -> str:
    return gdf.crs.to_string() if gdf.crs is not None else ""


def _districts_provenance(gdf: gpd.GeoDataFrame, loaded_at: str) -> dict[str, Any]:
    src = sorted(map(str, gdf["source"].dropna().unique())) if "source" in gdf.columns else []
    return {"source": "; ".join(src) or "jinan_gis bundled district polygons",
            "loader": "jinan_gis.layers.districts.load_districts", "loaded_at": loaded_at,
            "crs": _crs(gdf)}


def inputs_from_sample(*, seed: int = 20231, scale: float = 1.0,
                       districts: tuple[str, ...] = DISTRICT_CODES) -> AnalysisInputs:
    """The SYNTHETIC sample as analysis inputs (with the synthetic old-town zone).

    ``provenance`` holds, per layer, the sample's provenance (``source = "synthetic"``, seed,
    scale, calibration...) with ``loader``, ``loaded_at`` and ``crs``; the district polygons
    are the real ones and say so.

    Examples
    --------
    >>> inp = inputs_from_sample(scale=0.02, districts=("370103",))
    >>> inp.synthetic, inp.provenance["facilities"]["source"], inp.provenance["old_town"]["source"]
    (True, 'synthetic', 'synthetic')
    """
    s = build_sample(districts, seed=seed, scale=scale)
    old_town = old_town_zone()
    at = _now()
    prov: dict[str, dict[str, Any]] = {}
    for name, gdf in {**s.layers(), "old_town": old_town}.items():
        if name == "districts":
            prov[name] = _districts_provenance(gdf, at)
            continue
        prov[name] = {**s.provenance, "loader": "jinan_gis.layers.sample.build_sample",
                      "loaded_at": at, "crs": _crs(gdf)}
    prov["old_town"]["note"] = s.provenance.get(
        "old_town", "synthetic rectangle standing in for the old town")
    return AnalysisInputs(
        districts=s.districts, streets=s.streets, facilities=s.facilities,
        population=s.population, zones=s.zones, old_town=old_town, provenance=prov,
    )


def check_store(path: str | Path, *, needs: tuple[str, ...] = ()) -> None:
    """Raise :class:`LayerError` unless ``path`` is a layer store (a GeoPackage with the
    :data:`~jinan_gis.layers.store.META_TABLE` table) holding the layers ``needs``.

    Reads only the list of tables: call it before any work. Each message says how to make
    the store (``jinan-gis import``); a report output (layers.gpkg) is named as one.

    Examples
    --------
    >>> check_store("nope.gpkg")
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.LayerError: no layer store at nope.gpkg: create one with ...
    """
    p = Path(path)
    make = make_store_hint(p)
    if not p.is_file():
        raise missing_store_error(p)
    try:
        tables = {str(n) for n in pyogrio.list_layers(p)[:, 0]}
    except Exception as exc:  # pyogrio's DataSourceError, OSError...
        raise LayerError(f"{p} is not a layer store (GDAL cannot open it as a GeoPackage: "
                         f"{type(exc).__name__}); {make}.") from exc
    if META_TABLE not in tables:
        from .export import LAYER_NAMES_ZH

        if tables & set(LAYER_NAMES_ZH.values()):
            raise LayerError(
                f"{p} is a report output (written by demo/report: districts, facilities, "
                "service areas...), not a layer store; run without --store to use the "
                f"synthetic sample, or {make}.")
        raise LayerError(f"{p} is not a layer store (it has no {META_TABLE!r} table, so no "
                         f"layer was imported into it): {make}.")
    if not needs:
        return
    have = set(LayerStore(p).names())
    missing = [n for n in needs if n not in have]
    if missing:
        fetch = f" or `jinan-gis fetch 370112 --store {p}`" if missing[0] == "streets" else ""
        raise LayerError(
            f"the layer store {p} has no {', '.join(missing)} layer (it has: "
            f"{', '.join(sorted(have)) or 'none'}); add it with `jinan-gis import FILE --as "
            f"{missing[0]} --store {p}`{fetch}.")


def _flags_as_bool(gdf: gpd.GeoDataFrame, columns: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Yes/no columns as True/False/None (a GeoPackage gives them back as 1.0/0.0/NaN, and
    NaN would read as true; a layer written by other means may hold text)."""
    from .extra_layers import NUMBER_COLUMNS, parse_flag

    for col in columns:
        if col in gdf.columns and col not in NUMBER_COLUMNS:
            try:
                vals = [parse_flag(v, column=col) for v in gdf[col]]
            except ValueError as exc:
                raise LayerError(f"layer column {col!r}: {exc}; re-import the layer with "
                                 "`jinan-gis import FILE --as ... --replace`.") from None
            gdf[col] = pd.Series(vals, index=gdf.index, dtype=object)
    return gdf


def inputs_from_store(path: str | Path, *, names: dict[str, str] | None = None,
                      districts: list[str] | None = None) -> AnalysisInputs:
    """Analysis inputs from a :class:`~jinan_gis.layers.store.LayerStore` GeoPackage.

    Missing layers are simply absent (the report marks the metrics that need them). Each
    layer's provenance (as written by the loader, plus ``store``, ``layer``, ``crs`` and
    ``loaded_at``) is kept in ``provenance`` and in the layer's ``attrs["provenance"]``.
    The catalogue's extra layers (:data:`~jinan_gis.analyses.extra_layers.EXTRA_LAYERS`:
    communities, villages, forest...) that are in the store go into ``extra``, with their
    yes/no columns as True/False/None. ``names`` maps a layer's role to its name in the
    store (default: the same name).

    Raises
    ------
    LayerError
        ``path`` does not exist or is not a layer store; checked before anything is read.

    Examples
    --------
    >>> inputs_from_store("nope.gpkg")
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.LayerError: no layer store at nope.gpkg: create one with ...
    """
    from .extra_layers import EXTRA_LAYERS

    path = Path(path)
    check_store(path)
    store = LayerStore(path)
    have = set(store.names())
    names = {**{k: k for k in (*_CORE_LAYERS, *EXTRA_LAYERS)}, **(names or {})}
    got: dict[str, gpd.GeoDataFrame] = {}
    extra: dict[str, gpd.GeoDataFrame] = {}
    prov: dict[str, dict[str, Any]] = {}
    at = _now()
    for key, layer in names.items():
        if layer in have:
            res = store.read(layer)
            gdf = res.layer
            if key in EXTRA_LAYERS:
                gdf = _flags_as_bool(gdf, EXTRA_LAYERS[key].columns)
            prov[key] = {**res.provenance, "store": str(path), "layer": layer,
                         "crs": _crs(gdf), "loaded_at": at}
            gdf.attrs["provenance"] = dict(prov[key])
            (extra if key in EXTRA_LAYERS else got)[key] = gdf
    if "districts" not in got:
        got["districts"] = load_districts(districts or DISTRICT_CODES)
        prov["districts"] = _districts_provenance(got["districts"], at)
    return AnalysisInputs(**got, provenance=prov, extra=extra)
