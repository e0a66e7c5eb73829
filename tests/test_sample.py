"""The embedded synthetic sample: calibrated, labelled synthetic, deterministic."""

from __future__ import annotations

import hashlib

import pytest

from jinan_gis.layers.sample import CALIBRATION, build_sample


@pytest.fixture(scope="module")
def sample():
    return build_sample(scale=0.15)


def test_calibrated_counts_and_totals(sample) -> None:
    f = sample.facilities
    counts = f.groupby(["district_code", "category"]).size()
    for code, cal in CALIBRATION.items():
        for cat, n in cal["counts"].items():
            assert counts[(code, cat)] == n, (code, cat)
        total = sample.population.loc[sample.population.district_code == code, "population"]
        assert total.sum() == pytest.approx(cal["population"], abs=1e-6)


def test_everything_says_synthetic(sample) -> None:
    for name, layer in sample.layers().items():
        if name == "districts":  # the district polygons are real
            assert not (layer["source"] == "synthetic").any()
            continue
        assert (layer["source"] == "synthetic").all(), name
    assert "（合成）" in sample.facilities["name"].iloc[0]
    assert "SYNTHETIC" in sample.provenance["note"]


def test_facilities_inside_their_district(sample) -> None:
    d = sample.districts.set_index("code").geometry
    for code in CALIBRATION:
        pts = sample.facilities[sample.facilities.district_code == code].geometry
        assert pts.within(d[code]).all()


def test_zones_cover_each_district_with_real_names(sample) -> None:
    z = sample.zones
    assert len(z) == 38
    assert z.groupby("district_code").size().to_dict() == {"370103": 17, "370112": 21}
    assert int(z.loc[z.district_code == "370112", "in_plan_scope"].sum()) == 14
    d = sample.districts.set_index("code").geometry
    for code in CALIBRATION:
        union = z[z.district_code == code].union_all()
        assert abs(union.area - d[code].area) / d[code].area < 1e-6


def test_same_seed_same_files_by_hash(tmp_path) -> None:
    a = build_sample(districts=("370103",), scale=0.1, seed=5)
    b = build_sample(districts=("370103",), scale=0.1, seed=5)
    c = build_sample(districts=("370103",), scale=0.1, seed=6)
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()
    pa = a.write(tmp_path / "a.gpkg")
    pb = b.write(tmp_path / "b.gpkg")
    # GeoPackages embed write times; compare every layer's content read back
    import geopandas as gpd

    for name in a.layers():
        ra = gpd.read_file(pa, layer=name)
        rb = gpd.read_file(pb, layer=name)
        ha = hashlib.sha256(ra.to_json().encode()).hexdigest()
        hb = hashlib.sha256(rb.to_json().encode()).hexdigest()
        assert ha == hb, name
