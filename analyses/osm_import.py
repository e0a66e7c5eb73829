"""``jinan-gis import EXTRACT.osm.pbf --as osm``: every OSM layer, and people in the buildings.

:func:`import_osm` reads an extract once (:func:`jinan_gis.layers.osm_extract.load_osm`) and
writes ``streets``, ``facilities``, ``parks``, ``forest`` and ``buildings`` into a layer store,
then a ``population`` layer spread over the residential floor area of the buildings
(:func:`jinan_gis.layers.population_buildings.population_from_buildings`) from a control
total:

* ``population_total`` (one number over the area), or
* ``population_table`` (a CSV of ``code,total``) with ``zones`` (a polygon file with a
  ``code`` column; default: the area's own polygons), or
* for the Jinan districts, the 2020 census totals
  (:func:`jinan_gis.layers.census.census_totals`) when nothing else is given.

The area is district codes/names (default both study districts, layers in EPSG:4548) or a
polygon file (GeoPackage, GeoJSON, shapefile; layers in its metric CRS, else its UTM zone);
a polygon file is also stored as the ``districts`` layer (``code``/``name`` from the file,
else ``"area"``) so that ``report`` has an area.

``forest`` is one of the catalogue's extra layers
(:data:`~jinan_gis.analyses.extra_layers.EXTRA_LAYERS`): ``report --store`` reads it and
evaluates the forest-cover entries (L-FOREST, S-FOREST-34). OSM has no reliable outline of
the built-up area, 5G coverage or communities: those come from the user's own files
(``jinan-gis import FILE --as built_up`` ...).

Examples
--------
>>> _is_file_area(["370112"]), _is_file_area(None)
(False, False)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from ..geo.errors import InputDataError
from ..geo.files import write_csv_atomic
from ..geo.numbers import check_number
from ..layers.result import LoadResult, rejection_table

__all__ = [
    "OSM_LAYERS",
    "OsmImport",
    "census_age_shares",
    "import_osm",
]

_POLYGON_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp")
OSM_LAYERS = ("streets", "facilities", "parks", "forest", "buildings", "population")
"""The layers ``--as osm`` writes (plus ``districts`` for a polygon-file area)."""


@dataclass
class OsmImport:
    """What :func:`import_osm` wrote: layer name -> result, and notes for the user."""

    results: dict[str, LoadResult] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _is_file_area(area: Sequence[str] | None) -> bool:
    return bool(area) and len(area) == 1 and str(area[0]).lower().endswith(_POLYGON_SUFFIXES)


def _first(frame: pd.DataFrame, names: Sequence[str], default: str) -> list[str]:
    for n in names:
        if n in frame.columns:
            return [str(v) for v in frame[n]]
    return [default] * len(frame)


def _area(area: Sequence[str] | None, crs: Any) -> tuple[gpd.GeoDataFrame, Any, bool]:
    """(area polygons with code/name_zh/name_en..., layer CRS, is Jinan districts)."""
    from ..geo.crs import ANALYSIS_CRS
    from ..layers.districts import DISTRICT_CODES, load_districts

    if not _is_file_area(area):
        return load_districts(list(area or DISTRICT_CODES), crs=crs or ANALYSIS_CRS), \
            crs or ANALYSIS_CRS, True
    p = Path(area[0])
    if not p.is_file():
        raise InputDataError(f"--area {p}: no such polygon file; check the path.")
    gdf = gpd.read_file(p)
    if gdf.crs is None:
        raise InputDataError(f"--area {p}: the file has no CRS; write it with one.")
    if crs is None:
        crs = gdf.crs if gdf.crs.is_projected else gdf.estimate_utm_crs()
    gdf = gdf.to_crs(crs)
    name = _first(gdf, ("name_zh", "name", "NAME"), "area")
    out = gpd.GeoDataFrame({
        "code": _first(gdf, ("code", "CODE", "adcode"), "area"), "name_zh": name,
        "name_en": _first(gdf, ("name_en", "name", "NAME"), "area"),
        "area_km2": shapely.area(gdf.geometry.to_numpy()) / 1e6, "source": p.name,
    }, geometry=gdf.geometry.to_numpy(), crs=crs)
    return out, crs, False


def _totals(area: gpd.GeoDataFrame, jinan: bool, *, total: float | None,
            table: str | None, zones: str | None, crs: Any
            ) -> tuple[dict[str, float], gpd.GeoDataFrame, str]:
    """(totals per zone code, zone polygons with ``code``, where the totals came from)."""
    if total is not None:
        one = gpd.GeoDataFrame({"code": ["area"]},
                               geometry=[shapely.union_all(area.geometry.to_numpy())], crs=crs)
        return {"area": float(total)}, one, f"--population-total {total:g}"
    if table is not None:
        t = pd.read_csv(table, dtype={"code": str})
        col = "total" if "total" in t.columns else "population"
        if "code" not in t.columns or col not in t.columns:
            raise InputDataError(f"{table}: needs columns code,total (has {list(t.columns)}).")
        z = gpd.read_file(zones).to_crs(crs) if zones else area
        z = z.assign(code=z["code"].astype(str))
        return dict(zip(t["code"], t[col].astype(float), strict=True)), z, Path(table).name
    census = _census() if jinan else None
    if census is None:
        raise InputDataError(
            "a population layer needs a control total: give --population-total N (people in "
            "the whole area) or --population-table zones.csv (code,total, with --zones); the "
            "2020 census totals are used by default only for the Jinan districts.")
    codes = [c for c in area["code"].astype(str) if c in census.index]
    return {c: float(census.loc[c, "population"]) for c in codes}, area, "census 2020"


def _census() -> pd.DataFrame | None:
    try:
        from ..layers.census import census_totals
    except ImportError:
        return None
    return census_totals()


def census_age_shares(codes: Sequence[str]) -> dict[str, dict[str, float]]:
    """Each district's 2020 census age shares, keyed as the sample's age columns
    (``pop_0_2``, ``pop_0_14``, ``pop_60plus``, ``pop_65plus``): the demand of
    elderly-care and childcare metrics travels with the people.

    Examples
    --------
    >>> round(float(census_age_shares(["370112"])["370112"]["60plus"]), 4)
    0.162
    """
    census = _census()
    out: dict[str, dict[str, float]] = {}
    if census is None:
        return out
    for c in codes:
        if c in census.index:
            r = census.loc[c]
            out[c] = {"0_2": float(r["age_0_2_est"] / r["population"]),
                      "0_14": float(r["age_0_14"] / r["population"]),
                      "60plus": float(r["age_60plus"] / r["population"]),
                      "65plus": float(r["age_65plus"] / r["population"])}
    return out


def _population(buildings: LoadResult, totals: dict[str, float], zones: gpd.GeoDataFrame,
                source: str) -> LoadResult:
    from ..layers.population_buildings import population_from_buildings

    b = buildings.layer.rename(columns={"levels": "building:levels", "height_m": "height"})
    whole = all(float(v).is_integer() for v in totals.values())
    ages = census_age_shares(list(totals)) if source == "census 2020" else None
    res = population_from_buildings(b, totals, zones=zones, zone_column="code",
                                    people="integer" if whole else "float",
                                    age_shares=ages or None,
                                    crs=buildings.layer.crs, source_name="osm-buildings")
    res.provenance["totals_from"] = source
    return res


def import_osm(path: str | Path, *, store: str | Path, area: Sequence[str] | None = None,
               population_total: float | None = None, population_table: str | None = None,
               zones: str | None = None, crs: Any = None, buffer_m: float = 1000.0,
               if_exists: str = "replace",
               say: Callable[[str], None] = lambda _m: None) -> OsmImport:
    """Read an ``.osm.pbf`` extract and write every OSM layer and the population to ``store``.

    Parameters are those of the command (module notes). The control total and the store
    (``if_exists``: "replace", the default, or "error" when a layer is stored already; see
    :meth:`~jinan_gis.layers.store.LayerStore.write`) are checked before the file is read:
    without a total (outside the Jinan districts) nothing is written. All layers are
    written in one step (:meth:`~jinan_gis.layers.store.LayerStore.write_many`).
    """
    from ..layers.osm_extract import load_osm
    from ..layers.store import LayerStore

    if population_total is not None:
        population_total = check_number(population_total, name="population_total", gt=0,
                                        example=1_316_289)
    buffer_m = check_number(buffer_m, name="buffer_m", ge=0, example=1000)
    st = LayerStore(store)
    if if_exists == "append":
        raise InputDataError("--append does not apply to --as osm (it writes whole layers "
                             "from one extract): use --replace, or another --store.")
    st.check_write(list(OSM_LAYERS) + ([] if not _is_file_area(area) else ["districts"]),
                   if_exists=if_exists)  # before the extract is read
    polys, crs, jinan = _area(area, crs)
    totals, zone_polys, source = _totals(polys, jinan, total=population_total,
                                         table=population_table, zones=zones, crs=crs)
    out = OsmImport()
    out.results = load_osm(path, area=polys, buffer_m=buffer_m, crs=crs)
    out.results["population"] = _population(out.results["buildings"], totals, zone_polys,
                                            source)
    layers: dict[str, Any] = dict(out.results)
    if not jinan:
        layers["districts"] = LoadResult(layer=polys, rejected=rejection_table(),
                                         n_input=len(polys),
                                         provenance={"source": polys["source"].iloc[0]})
        out.notes.append(f"districts: the area ({len(polys)} polygon(s)) stored as 'districts'")
    st.write_many(layers, if_exists=if_exists)  # every layer, or none
    for name, res in out.results.items():
        say(f"{name}: {res.summary()}")
    total = float(out.results["population"].layer["population"].sum())
    out.notes.append(f"population {total:,.0f} from {source}")
    return out


def import_osm_command(args: Any) -> int:
    """``jinan-gis import FILE --as osm``: run :func:`import_osm`, print what each layer
    kept and rejected, write each layer's rejection table beside the store (or to --out)."""
    got = import_osm(args.path, store=args.store, area=args.area,
                     population_total=args.population_total,
                     population_table=args.population_table, zones=args.zones, crs=args.crs,
                     buffer_m=getattr(args, "buffer_m", 1000.0),
                     if_exists=getattr(args, "if_exists", None) or "error", say=print)
    out = Path(args.out or Path(args.store).parent)
    for name, res in got.results.items():
        if res.n_rejected:
            out.mkdir(parents=True, exist_ok=True)
            write_csv_atomic(res.rejected, out / f"{name}_rejected.csv")
    for note in got.notes:
        print(note)
    print(f"stored {', '.join(got.results)} in {args.store} (rejection tables: {out})")
    return 0
