"""The GeoPackage layer store: round trip, provenance, atomic writes."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from jinan_gis.geo.errors import CRSError, InputDataError, LayerError
from jinan_gis.layers import store as store_module
from jinan_gis.layers.facilities import load_facilities
from jinan_gis.layers.result import LoadResult, rejection_table
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


# ------------------------------------------------------------------ issue 14: nothing lost
def _pts(n: int, x0: float = 500_000, crs: object = 4548) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"facility_id": [f"p{x0:.0f}-{i}" for i in range(n)]},
                            geometry=[Point(x0 + 10 * i, 4_060_000) for i in range(n)], crs=crs)


def test_if_exists_error_replace_append_in_python(tmp_path: Path) -> None:
    store = LayerStore(tmp_path / "s.gpkg")
    store.write("pts", _pts(2))
    before = store.path.read_bytes()
    with pytest.raises(LayerError, match=r"already in .*--append.*--replace"):
        store.write("pts", _pts(1), if_exists="error")
    assert store.path.read_bytes() == before
    with pytest.raises(ValueError, match="if_exists must be"):
        store.write("pts", _pts(1), if_exists="merge")  # type: ignore[arg-type]
    store.write("pts", _pts(3))  # the Python default replaces, as before
    assert len(store.read("pts").layer) == 3
    # append rows in another CRS: reprojected into the stored layer's
    other = _pts(2, x0=501_000).to_crs("EPSG:4326")
    store.write("pts", other, if_exists="append")
    got = store.read("pts")
    assert got.layer.crs.to_epsg() == 4548 and got.n_input == 5 and len(got.layer) == 5
    assert got.layer.geometry.iloc[3].distance(Point(501_000, 4_060_000)) < 1e-3
    # lines onto points: refused, nothing written
    lines = gpd.GeoDataFrame({"facility_id": ["l"]}, geometry=[
        LineString([(0, 0), (1, 1)])], crs=4548)
    before = store.path.read_bytes()
    with pytest.raises(LayerError, match="cannot append Line rows to the stored layer 'pts' "
                                         "of Point geometries"):
        store.write("pts", lines, if_exists="append")
    assert store.path.read_bytes() == before


def test_append_to_a_split_layer_counts_input_rows(tmp_path: Path) -> None:
    """Streets cut into pieces (accounting by input row): a duplicate id drops every piece
    of that input row, with one rejection; kept + rejected == input still holds."""
    def streets(ids: list[str], rows: list[int], n_input: int) -> LoadResult:
        layer = gpd.GeoDataFrame({"street_id": ids, "input_row": rows}, geometry=[
            LineString([(500_000 + i, 4_060_000), (500_000 + i, 4_060_100)])
            for i in range(len(ids))], crs=4548)
        return LoadResult(layer=layer, rejected=rejection_table(), n_input=n_input,
                          provenance={"accounting": "input_row", "source": "synthetic"})

    store = LayerStore(tmp_path / "s.gpkg")
    store.write("streets", streets(["cl-0-0", "cl-0-1", "cl-1-0"], [0, 0, 1], 2))
    store.write("streets", streets(["x-0-0", "cl-1-0", "x-1-1"], [0, 1, 1], 2),
                if_exists="append")
    got = store.read("streets")
    assert got.n_input == 4 and got.n_kept == 3 and got.n_rejected == 1
    assert got.layer["input_row"].tolist() == [0, 0, 1, 2]
    assert got.rejected["input_row"].tolist() == [3]


def test_newer_or_damaged_metadata_is_refused_untouched(tmp_path: Path) -> None:
    import pyogrio

    path = tmp_path / "s.gpkg"
    LayerStore(path).write("pts", _pts(1))
    meta = pyogrio.read_dataframe(path, layer=META_TABLE, read_geometry=False)
    pyogrio.write_dataframe(meta.assign(schema_v2=["x"]), path, layer=META_TABLE, driver="GPKG")
    before = path.read_bytes()
    with pytest.raises(LayerError, match=r"newer jinan-gis .*schema_v2.*pip install -U"):
        LayerStore(path).write("more", _pts(1))
    assert path.read_bytes() == before
    assert LayerStore(path).read("pts").n_input == 1  # still readable
    pyogrio.write_dataframe(meta.drop(columns=["n_kept"]), path, layer=META_TABLE,
                            driver="GPKG")
    before = path.read_bytes()
    for call in (lambda s: s.names(), lambda s: s.write("more", _pts(1))):
        with pytest.raises(LayerError, match=r"lacks n_kept .*damaged"):
            call(LayerStore(path))
    assert path.read_bytes() == before


def test_stale_temporary_files_are_removed_under_the_lock(tmp_path: Path) -> None:
    store = LayerStore(tmp_path / "s.gpkg")
    store.write("pts", _pts(1))
    stale = [tmp_path / ".s.gpkg.k1ll3d.tmp.gpkg", tmp_path / ".s.gpkg.k1ll3d.tmp.gpkg-journal"]
    for f in stale:
        f.write_bytes(b"half a store")
    mine = tmp_path / ".other.gpkg.x.tmp.gpkg"  # another store's: not ours to remove
    mine.write_bytes(b"")
    assert store.clean() == sorted(stale)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.gpkg.x.tmp.gpkg", "s.gpkg"]
    stale[0].write_bytes(b"again")
    store.write("more", _pts(1))  # every write cleans first
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.gpkg.x.tmp.gpkg", "s.gpkg"]


def test_a_held_lock_times_out_with_the_fix(tmp_path: Path) -> None:
    import filelock

    from jinan_gis.geo.errors import ParameterError

    store = LayerStore(tmp_path / "s.gpkg", lock_timeout_s=0.2)
    store.write("pts", _pts(1))
    before = store.path.read_bytes()
    with filelock.FileLock(store.lock_path, is_singleton=False):
        with pytest.raises(LayerError, match=r"being written by another process.*0\.2 s"):
            store.write("more", _pts(1))
    assert store.path.read_bytes() == before
    store.write("more", _pts(1))
    assert store.names() == ["more", "pts"]
    for bad in (float("nan"), -1, float("inf")):
        with pytest.raises(ParameterError, match="lock_timeout_s"):
            LayerStore(tmp_path / "s.gpkg", lock_timeout_s=bad)


def test_write_many_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = LayerStore(tmp_path / "s.gpkg")
    store.write("pts", _pts(1))
    before = store.path.read_bytes()
    with pytest.raises(CRSError):  # the second layer has no CRS: the first is not written
        store.write_many({"a": _pts(1), "b": _pts(1).set_crs(None, allow_override=True)})
    real = store_module._write_frame

    def fail_on_c(p: Path, frame: pd.DataFrame, *, layer: str) -> None:
        if layer == "c":
            raise OSError("disk full (simulated)")
        real(p, frame, layer=layer)

    monkeypatch.setattr(store_module, "_write_frame", fail_on_c)
    with pytest.raises(OSError, match="simulated"):
        store.write_many({"a": _pts(1), "c": _pts(1)})
    assert store.path.read_bytes() == before and store.names() == ["pts"]
