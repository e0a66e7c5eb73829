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

    [report]
    districts = ["370112", "370103"]
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
from pathlib import Path
from typing import Any

from jinan_gis.geo.errors import InputDataError
from jinan_gis.layers.districts import load_districts
from jinan_gis.layers.sample import build_sample, old_town_zone
from jinan_gis.layers.store import LayerStore

from .report import AnalysisInputs

__all__ = ["Scenario", "inputs_from_sample", "inputs_from_store", "load_scenario"]

log = logging.getLogger(__name__)


@dataclass
class Scenario:
    """A repeatable run: where the layers come from, what to evaluate, where to write."""

    sample: bool = True
    store: Path | None = None
    layer_names: dict[str, str] = field(default_factory=dict)
    districts: list[str] = field(default_factory=lambda: ["370112", "370103"])
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
    allowed = {
        "layers": {"sample", "store", "streets", "facilities", "population", "zones",
                   "old_town", "districts"},
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


def inputs_from_sample(*, seed: int = 20231, scale: float = 1.0,
                       districts: tuple[str, ...] = ("370112", "370103")) -> AnalysisInputs:
    """The SYNTHETIC sample as analysis inputs (with the synthetic old-town zone)."""
    s = build_sample(districts, seed=seed, scale=scale)
    return AnalysisInputs(
        districts=s.districts, streets=s.streets, facilities=s.facilities,
        population=s.population, zones=s.zones, old_town=old_town_zone(),
    )


def inputs_from_store(path: str | Path, *, names: dict[str, str] | None = None,
                      districts: list[str] | None = None) -> AnalysisInputs:
    """Analysis inputs from a :class:`~jinan_gis.layers.store.LayerStore` GeoPackage.

    Missing layers are simply absent (the report marks the metrics that need them).
    """
    store = LayerStore(path)
    have = set(store.names())
    names = {**{k: k for k in ("streets", "facilities", "population", "zones", "old_town",
                               "districts")}, **(names or {})}
    got = {}
    for key, layer in names.items():
        if layer in have:
            got[key] = store.read(layer).layer
    if "districts" not in got:
        got["districts"] = load_districts(districts or ("370112", "370103"))
    return AnalysisInputs(**got)
