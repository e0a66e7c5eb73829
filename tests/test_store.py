"""The GeoPackage layer store: round trip, provenance, atomic writes."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from jinan_gis.geo.errors import CRSError, InputDataError, LayerError
from jinan_gis.layers import store as store_module
from jinan_gis.layers.facilities import load_facilities
from jinan_gis.layers.result import LoadResult
from jinan_gis.layers.store import META_TABLE, LayerStore
from jinan_gis.layers.zones import load_zones


def _facilities() -> LoadResult:
    df = pd.DataFrame(
        {
            "编号": ["a", "b", "c", "a"],
            "名称": ["历城区洪家楼街道社区卫生服务中心", "某公司", "坏", "重复"],
            "经度": [117.076, 117.08, "abc", 117.07],
            "纬度": [36.685, 36.69, 36.6, 36.68],
            "床位": [50, None, 3, 1],
        }
    )
    return load_facilities(
        df, datum="gcj02", id_column="编号", capacity_column="床位", source_name="poi.xlsx"
    )


def test_round_trip_with_rejections_and_provenance(tmp_path: Path) -> None:
    res = _facilities()
    store = LayerStore(tmp_path / "jinan.gpkg")
    assert store.names() == []
    store.write("clinics", res, provenance={"note": "test", "date": "2024-05-01"})
    back = store.read("clinics")
    back.check_accounting()
    assert back.n_input == res.n_input == 4
    assert back.n_kept == 2 and back.n_rejected == 2
    assert list(back.layer.columns) == list(res.layer.columns)
    assert back.layer.crs.to_epsg() == 4548
    for col in ("facility_id", "name", "category", "source", "datum_in"):
        assert back.layer[col].tolist() == res.layer[col].tolist(), col
    assert back.layer["tier"].tolist() == ["centre", None]
    assert back.layer["input_row"].tolist() == [0, 1]
    np.testing.assert_array_equal(back.layer["capacity"].to_numpy(), [50.0, np.nan])
    assert back.layer.geometry.geom_equals_exact(res.layer.geometry, tolerance=1e-6).all()
    assert back.rejected["input_row"].tolist() == [2, 3]
    assert back.rejected["reason"].tolist() == ["non-numeric coordinates", "duplicate id"]
    assert back.rejected["名称"].tolist() == ["坏", "重复"]
    prov = store.provenance("clinics")
    assert prov["source"] == "poi.xlsx" and prov["datum"] == "gcj02"
    assert prov["note"] == "test" and prov["date"] == "2024-05-01"
    assert prov["n_unknown"] == 1 and "written_at" in prov
    assert back.provenance == prov


def test_several_layers_and_overwrite(tmp_path: Path) -> None:
    store = LayerStore(tmp_path / "s.gpkg")
    zones = load_zones(
        gpd.GeoDataFrame(
            {"name": ["老城区"]},
            geometry=[box(500_000, 4_060_000, 501_000, 4_061_000)],
            crs="EPSG:4548",
        ),
        zone_type="old_town",
    )
    store.write("zones", zones)
    gdf = gpd.GeoDataFrame(
        {"v": [1, 2]}, geometry=[Point(500_000, 4_060_000), Point(500_100, 4_060_000)], crs=4548
    )
    store.write("pts", gdf, provenance={"source": "synthetic"})
    assert store.names() == ["pts", "zones"]
    store.write("pts", gdf.iloc[:1], provenance={"source": "synthetic v2"})
    assert store.names() == ["pts", "zones"]
    assert store.read("pts").layer["v"].tolist() == [1]
    assert store.provenance("pts")["source"] == "synthetic v2"
    assert store.read("zones").layer["zone_name"].tolist() == ["老城区"]
    assert store.read("zones").layer["repaired"].tolist() == [False]
    empty = gdf.iloc[:0]
    store.write("empty", empty)
    assert len(store.read("empty").layer) == 0


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "atomic.gpkg"
    store = LayerStore(path)
    store.write("clinics", _facilities(), provenance={"version": 1})
    before = path.read_bytes()

    real = store_module._write_frame
    calls: list[str] = []

    def failing(p: Path, frame: pd.DataFrame, *, layer: str) -> None:
        calls.append(layer)
        if len(calls) == 2:  # the layer is written, the rejection table is not
            raise OSError("disk full (simulated)")
        real(p, frame, layer=layer)

    monkeypatch.setattr(store_module, "_write_frame", failing)
    gdf = gpd.GeoDataFrame({"v": [9]}, geometry=[Point(500_000, 4_060_000)], crs=4548)
    with pytest.raises(OSError, match="simulated"):
        store.write("clinics", gdf, provenance={"version": 2})
    with pytest.raises(OSError, match="simulated"):
        calls.clear()
        store.write("other", gdf)
    assert calls == ["other", "other__rejected"]
    assert path.read_bytes() == before  # the previous version, untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["atomic.gpkg"]  # no temp left
    monkeypatch.undo()
    assert store.names() == ["clinics"]
    assert store.provenance("clinics")["version"] == 1
    assert store.read("clinics").n_input == 4

    # a failure on the very first write leaves no file at all
    fresh = LayerStore(tmp_path / "new.gpkg")
    monkeypatch.setattr(store_module, "_write_frame", failing)
    calls.clear()
    with pytest.raises(OSError):
        fresh.write("x", gdf)
    assert not (tmp_path / "new.gpkg").exists()


def test_store_errors(tmp_path: Path) -> None:
    store = LayerStore(tmp_path / "e.gpkg")
    gdf = gpd.GeoDataFrame({"v": [1]}, geometry=[Point(500_000, 4_060_000)], crs=4548)
    for bad in ("x__rejected", META_TABLE, "1abc", "with space", "gpkg_contents", "名字"):
        with pytest.raises(InputDataError, match="not allowed"):
            store.write(bad, gdf)
    with pytest.raises(CRSError):
        store.write("nocrs", gdf.set_crs(None, allow_override=True))
    with pytest.raises(InputDataError, match="expected a LoadResult"):
        store.write("df", pd.DataFrame({"a": [1]}))  # type: ignore[arg-type]
    store.write("ok", gdf)
    with pytest.raises(LayerError, match=r"no layer 'missing'.*\['ok'\]"):
        store.read("missing")


def test_read_checks_the_columns_of_a_layer_kind(tmp_path: Path) -> None:
    from jinan_gis.geo.errors import LayerError

    store = LayerStore(tmp_path / "k.gpkg")
    gdf = gpd.GeoDataFrame({"v": [1]}, geometry=[Point(500_000, 4_060_000)], crs=4548)
    store.write("pts", gdf)
    assert store.read("pts").n_input == 1  # unchecked without kind=
    with pytest.raises(LayerError, match=r"lacks column\(s\) facility_id, name, category.*"
                                         r"load_facilities"):
        store.read("pts", kind="facilities")
    store.write("people", gdf.assign(population=[3.0]))
    assert store.read("people", kind="population").layer["population"].tolist() == [3.0]
