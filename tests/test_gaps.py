"""Gaps cut into pieces one can act on (issue 18): by sub-district, by a grid, or both."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import box

from jinan_gis.analyses.gaps import find_gaps
from jinan_gis.geo.errors import JinanGISError

CRS = "EPSG:4548"


def _people(extent_m: float = 10_000.0, step_m: float = 100.0) -> gpd.GeoDataFrame:
    """One person every ``step_m`` over a square: one big uncovered gap."""
    xs = np.arange(step_m / 2, extent_m, step_m)
    x, y = np.meshgrid(xs, xs)
    return gpd.GeoDataFrame({"population": np.ones(x.size)},
                            geometry=shapely.points(x.ravel(), y.ravel()), crs=CRS)


def test_one_big_gap_is_cut_by_the_grid() -> None:
    people = _people()
    whole = find_gaps(people, np.zeros(len(people), bool), max_cell_m=None)
    assert len(whole) == 1 and whole["area_km2"].item() == pytest.approx(100.0)
    g = find_gaps(people, np.zeros(len(people), bool), max_cell_m=1000)
    assert len(g) == 100 and g["area_km2"].max() == pytest.approx(1.0)
    assert g["population"].sum() == pytest.approx(len(people))  # nobody lost or doubled
    assert (g["gap"] == 1).all() and (g["gap_population"] == len(people)).all()
    assert g["gap_area_km2"].eq(100.0).all() and g["gap_id"].is_unique
    assert g["rank"].tolist() == list(range(1, 101))
    assert shapely.union_all(g.geometry.to_numpy()).area == pytest.approx(whole.area.item())


def test_gaps_are_cut_by_zones() -> None:
    people = _people()
    zones = gpd.GeoDataFrame(
        {"zone_id": ["w", "e"], "zone_name": ["西街道", "东街道"]},
        geometry=[box(0, 0, 3300, 10_000), box(3300, 0, 10_000, 10_000)], crs=CRS,
    ).to_crs("EPSG:4326")  # any CRS
    g = find_gaps(people, np.zeros(len(people), bool), zones=zones, max_cell_m=None)
    assert sorted(g["zone_name"]) == ["东街道", "西街道"]
    by_zone = g.set_index("zone_id")
    assert by_zone.loc["w", "population"] == 33 * 100
    assert by_zone.loc["e", "population"] == 67 * 100
    assert by_zone.loc["e", "rank"] == 1
    # both: pieces within one zone and one grid cell
    both = find_gaps(people, np.zeros(len(people), bool), zones=zones, max_cell_m=2000)
    assert both["area_km2"].max() <= 4.0 + 1e-9 and both["population"].sum() == len(people)
    assert set(both["zone_id"]) == {"w", "e"}


def test_covered_people_and_bad_sizes() -> None:
    people = _people(2000.0)
    assert find_gaps(people, np.ones(len(people), bool)).empty
    with pytest.raises(JinanGISError, match="max_cell_m"):
        find_gaps(people, np.zeros(len(people), bool), max_cell_m=0)


def test_default_pieces_are_a_few_km2_at_most() -> None:
    """A demo-sized gap (1,600 km²; the demo's clinic gap was 1,191 km² with 714,502 people)
    becomes pieces of at most 4 km² (the default 2 km grid)."""
    people = _people(40_000.0, 250.0)
    g = find_gaps(people, np.zeros(len(people), bool))
    assert g["area_km2"].max() == pytest.approx(4.0) and len(g) == 400
    assert g["population"].max() < 0.01 * len(people)
