"""Batch runs: serial and Dask give identical tables; partitions have no edge effects;
failures are reported per job; stored jobs are skipped on a re-run.

One module-scoped ``LocalCluster`` (2 worker *processes*, 1 thread each) serves every Dask
test; it starts in about 3 s.
"""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from jinan_gis.analyses.batch import (
    BASELINE,
    REPORT_COLUMNS,
    BatchError,
    Job,
    WhatIf,
    job_grid,
    load_batch_file,
    main,
    run_batch,
)
from jinan_gis.analyses.catalogue import get_metric
from jinan_gis.analyses.coverage import coverage
from jinan_gis.geo.errors import JinanGISError
from jinan_gis.geo.network import build_network

CRS = "EPSG:4548"
X0, Y0 = 500_000.0, 4_060_000.0  # a spot near Jinan in EPSG:4548
SNAP_M = 20.0  # small snap limit: the partitions of the border world are really cut
REACH_M = 300.0

distributed = pytest.importorskip("distributed")


# ----------------------------------------------------------------------------- fixtures
# the tests with a LocalCluster (two worker processes) share one xdist worker (--dist
# loadgroup): one cluster for the module instead of one per xdist worker
dask_cluster = pytest.mark.xdist_group("batch-cluster")


@pytest.fixture(scope="module")
def client():
    """Two worker processes, one thread each (starts reliably here in ~3 s)."""
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        memory_limit="2GiB",
    )
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def _xy(x: float, y: float) -> tuple[float, float]:
    return (X0 + x, Y0 + y)


def _segments(x_from: float, x_to: float, step: float, y: float) -> list[LineString]:
    xs = np.arange(x_from, x_to + step / 2, step)
    return [LineString([_xy(a, y), _xy(b, y)]) for a, b in pairwise(xs)]


def _border_layers() -> dict[str, gpd.GeoDataFrame]:
    """Two zones A (x 0..1000) and B (x 1000..2000) on two parallel streets.

    The main street (y = 0, 100 m pieces) and a side street (y = 100, 200 m pieces) meet only
    far outside both zones (x = -2000 and x = 4000): cut around A, the side street is a small
    separate piece, though in the whole network it is part of one 122-node component.  People
    in A live near the border; the only clinics within reach are across it, in B.
    """
    streets = (
        _segments(-3000, 5000, 100, 0)
        + _segments(-2000, 6000, 200, 100)
        + [LineString([_xy(-2000, 0), _xy(-2000, 100)]),
           LineString([_xy(4000, 0), _xy(4000, 100)])]
    )
    zones = gpd.GeoDataFrame(
        {"zone_id": ["A", "B"], "urban": [True, True]},
        geometry=[box(*_xy(0, -200), *_xy(1000, 300)), box(*_xy(1000, -200), *_xy(2000, 300))],
        crs=CRS,
    )
    people = [(900, 5, 10.0, "A"), (950, 105, 20.0, "A"), (100, 5, 40.0, "A"),
              (1900, 5, 30.0, "B")]
    population = gpd.GeoDataFrame(
        {"population": [p[2] for p in people], "zone": [p[3] for p in people]},
        geometry=[Point(_xy(p[0], p[1])) for p in people], crs=CRS,
    )
    facilities = gpd.GeoDataFrame(
        {"category": ["chc", "chc", "chc", "library"]},
        geometry=[Point(_xy(1150, 5)), Point(_xy(1200, 105)), Point(_xy(4500, 5)),
                  Point(_xy(950, 5))],
        crs=CRS,
    )
    districts = gpd.GeoDataFrame(
        {"code": ["999999"]}, geometry=[box(*_xy(0, -200), *_xy(2000, 300))], crs=CRS
    )
    return {"streets": gpd.GeoDataFrame(geometry=streets, crs=CRS), "zones": zones,
            "population": population, "facilities": facilities, "districts": districts}


def _write(layers: dict[str, gpd.GeoDataFrame], path: Path) -> Path:
    for name, gdf in layers.items():
        gdf.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
    return path


@pytest.fixture(scope="module")
def border(tmp_path_factory) -> tuple[Path, dict[str, gpd.GeoDataFrame]]:
    layers = _border_layers()
    return _write(layers, tmp_path_factory.mktemp("border") / "border.gpkg"), layers


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory) -> Path:
    from jinan_gis.layers.sample import build_sample

    return build_sample(scale=0.1).write(tmp_path_factory.mktemp("sample") / "sample.gpkg")


def _border_jobs() -> list[Job]:
    both = shapely.to_wkt(box(*_xy(0, -200), *_xy(2000, 300)), rounding_precision=-1)
    clinic = {"categories": ("chc",), "max_dist_m": REACH_M}
    return [
        Job("A", "A", **clinic),
        Job("B", "B", **clinic),
        Job("AB", both, **clinic),
        Job("district", "999999", **clinic, by="zone"),
        Job("A-site", "A", **clinic, scenario=WhatIf("site", add_sites_xy=[_xy(150, 0)])),
        Job("A-far", "A", **clinic, scenario=WhatIf("d1200", max_dist_m=1200)),
    ]


def _reference(layers: dict[str, gpd.GeoDataFrame], area: shapely.Geometry,
               **kw) -> pd.DataFrame:
    """The unpartitioned answer: the whole network and every facility, people inside ``area``."""
    net = build_network(layers["streets"])
    pop = layers["population"]
    inside = shapely.intersects_xy(area, *shapely.get_coordinates(pop.geometry.to_numpy()).T)
    return coverage(net, layers["facilities"], pop[inside], max_snap_m=SNAP_M, **kw)


# ----------------------------------------------------------------------------- border case
def test_border_case_partition_equals_whole_network_and_is_covered(border) -> None:
    store, layers = border
    res = run_batch(_border_jobs()[:3], store_path=store, max_snap_m=SNAP_M, quiet=True)
    assert res.ok, res.failures
    a = res.table.set_index("job_id").loc["A"]
    # the only clinics within 300 m of A's border residents are in B, across the border
    assert a["covered_network"] == 30.0 and a["not_placed"] == 0.0
    assert a["n_facilities"] == 2  # the two clinics in B; the one at x=4500 is out of reach
    for job_id, area in (("A", "A"), ("B", "B")):
        ref = _reference(layers, layers["zones"].set_index("zone_id").geometry[area],
                         max_dist_m=REACH_M, categories="chc")
        got = res.table[res.table["job_id"] == job_id][ref.columns].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, ref, check_exact=True)


def test_border_case_naive_partitions_would_be_wrong(border) -> None:
    """Controls: clinics cut at the zone edge, or islands decided on the cut network, lose
    people that the batch runner (and the whole network) covers."""
    _, layers = border
    zone_a = layers["zones"].geometry.iloc[0]
    pop = layers["population"][layers["population"]["zone"] == "A"]
    net = build_network(layers["streets"])
    fac_in_a = layers["facilities"][layers["facilities"].within(zone_a)]
    assert coverage(net, fac_in_a, pop, max_dist_m=REACH_M, categories="chc",
                    max_snap_m=SNAP_M)["covered_network"].iloc[0] == 0.0
    cut = layers["streets"][layers["streets"].intersects(box(*zone_a.buffer(400).bounds))]
    naive = coverage(build_network(cut), layers["facilities"], pop, max_dist_m=REACH_M,
                     categories="chc", max_snap_m=SNAP_M)
    assert naive["not_placed"].iloc[0] == 20.0  # the side street became an "island"


@dask_cluster
def test_serial_and_cluster_identical_border(border, client) -> None:
    store, layers = border
    jobs = _border_jobs()
    serial = run_batch(jobs, store_path=store, max_snap_m=SNAP_M, quiet=True)
    dask = run_batch(jobs, store_path=store, max_snap_m=SNAP_M, scheduler=client, quiet=True,
                     max_jobs_per_task=2)
    assert serial.ok and dask.ok
    pd.testing.assert_frame_equal(serial.table, dask.table, check_exact=True)
    assert set(dask.jobs["worker"]) <= set(client.scheduler_info()["workers"])
    assert len(dask.worker_peak_rss_mib) == 2
    t = serial.table.set_index(["job_id", "group"])
    assert list(serial.table.columns) == list(REPORT_COLUMNS)
    # scenarios: a proposed site covers the west end; a longer threshold covers everyone
    assert t.loc[("A-site", "all"), "covered_network"] == 70.0
    assert t.loc[("A-far", "all"), "covered_network"] == 70.0
    assert t.loc[("A-far", "all"), "max_dist_m"] == 1200.0
    # the district job grouped by zone equals the two zone jobs and the WKT job in total
    assert t.loc[("district", "A"), "covered_network"] == t.loc[("A", "all"), "covered_network"]
    assert t.loc[("AB", "all"), "population"] == 100.0
    ref = _reference(layers, shapely.from_wkt(jobs[2].area), max_dist_m=REACH_M,
                     categories="chc")
    got = serial.table[serial.table["job_id"] == "AB"][ref.columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, ref, check_exact=True)


# ----------------------------------------------------------------------------- sample
def _sample_jobs(store: Path) -> list[Job]:
    import pyogrio

    zones = pyogrio.read_dataframe(store, layer="zones", read_geometry=False)
    pick = [*zones["zone_id"][zones["district_code"] == "370112"].head(3),
            *zones["zone_id"][zones["district_code"] == "370103"].head(3)]
    jobs = job_grid(pick, ["L-CLINIC-1000", (("library", "culture_station"), 800)],
                    [BASELINE, WhatIf("d500", max_dist_m=500)])
    return [*jobs, Job("shizhong-culture", "370103", metric="S-CULTURE-15-30", by="zone")]


@dask_cluster
def test_sample_serial_and_cluster_identical_and_equal_to_whole_network(
    sample_store, client
) -> None:
    import pyogrio

    jobs = _sample_jobs(sample_store)
    serial = run_batch(jobs, store_path=sample_store, quiet=True)
    dask = run_batch(jobs, store_path=sample_store, scheduler=client, quiet=True)
    assert serial.ok, serial.failures[["job_id", "error"]]
    assert dask.ok, dask.failures[["job_id", "error"]]
    pd.testing.assert_frame_equal(serial.table, dask.table, check_exact=True)
    culture = serial.table[serial.table["job_id"] == "shizhong-culture"]
    zones = pyogrio.read_dataframe(sample_store, layer="zones", read_geometry=False)
    assert set(culture["group"]) == set(zones["zone_id"][zones["district_code"] == "370103"])
    assert len(serial.table) == 24 + len(culture)

    # each zone job equals the unpartitioned run (whole network) for the zone's people
    layers = {n: pyogrio.read_dataframe(sample_store, layer=n)
              for n in ("streets", "facilities", "population", "zones")}
    net = build_network(layers["streets"])
    pop = layers["population"]
    pxy = shapely.get_coordinates(pop.geometry.to_numpy())
    zone_geom = layers["zones"].set_index("zone_id").geometry
    covered_somewhere = False
    for job in jobs[:-1]:
        inside = shapely.intersects_xy(zone_geom[job.area], pxy[:, 0], pxy[:, 1])
        cats = get_metric(job.metric).categories if job.metric else job.categories
        dist = job.scenario.max_dist_m or (get_metric(job.metric).max_dist_m
                                           if job.metric else job.max_dist_m)
        ref = coverage(net, layers["facilities"], pop[inside], max_dist_m=dist, categories=cats)
        got = serial.table[serial.table["job_id"] == job.job_id][ref.columns]
        pd.testing.assert_frame_equal(got.reset_index(drop=True), ref, check_exact=True)
        covered_somewhere |= bool(ref["covered_network"].iloc[0] > 0)
    assert covered_somewhere
    assert culture["rural_max_dist_m"].eq(2000.0).all() and culture["max_dist_m"].eq(1000).all()


@dask_cluster
def test_scheduler_address_string(border, client) -> None:
    store, _ = border
    res = run_batch(_border_jobs()[:2], store_path=store, max_snap_m=SNAP_M,
                    scheduler=client.scheduler.address, quiet=True)
    assert res.ok and res.scheduler.startswith("tcp://")
    assert res.table["covered_network"].tolist() == [30.0, 0.0]


# ----------------------------------------------------------------------------- failures
def _failing_jobs() -> list[Job]:
    far = shapely.to_wkt(box(*_xy(90_000, 90_000), *_xy(91_000, 91_000)))
    return [
        Job("good", "A", categories=("chc",), max_dist_m=REACH_M),
        Job("bad-metric", "A", metric="NO-SUCH-METRIC"),
        Job("not-coverage", "A", metric="L-PARK-2025"),
        Job("no-streets", far, categories=("chc",), max_dist_m=REACH_M),
        Job("bad-area", "Z", categories=("chc",), max_dist_m=REACH_M),
        Job("good-too", "B", categories=("chc",), max_dist_m=REACH_M),
    ]


@dask_cluster
@pytest.mark.parametrize("where", ["serial", "cluster"])
def test_failures_are_reported_and_the_rest_complete(border, client, tmp_path, where) -> None:
    store, _ = border
    sched = "serial" if where == "serial" else client
    res = run_batch(_failing_jobs(), store_path=store, max_snap_m=SNAP_M, scheduler=sched,
                    results_path=tmp_path, quiet=True)
    assert not res.ok
    assert res.table["job_id"].tolist() == ["good", "good-too"]
    err = res.failures.set_index("job_id")["error"]
    assert set(err.index) == {"bad-metric", "not-coverage", "no-streets", "bad-area"}
    assert "unknown metric 'NO-SUCH-METRIC'; choose one of" in err["bad-metric"]
    assert "coverage metrics only" in err["not-coverage"]
    assert "has no streets within" in err["no-streets"]
    assert "unknown area 'Z'" in err["bad-area"]
    assert res.failures["traceback"].str.contains("Traceback").all()
    stored = json.loads((tmp_path / "failures.json").read_text(encoding="utf-8"))
    assert {f["job_id"] for f in stored} == set(err.index)
    assert sorted(p.stem for p in (tmp_path / "jobs").glob("*.parquet")) == ["good", "good-too"]


def test_bad_store_fails_every_job_with_the_fix(tmp_path) -> None:
    store = _write({"facilities": _border_layers()["facilities"]}, tmp_path / "nostreets.gpkg")
    res = run_batch([Job("a", "POLYGON ((0 0, 1 0, 1 1, 0 0))", categories="chc",
                         max_dist_m=100)], store_path=store, quiet=True)
    assert not res.ok and res.failures["job_id"].tolist() == ["a"]
    assert "cannot read layer 'streets'" in res.failures["error"].iloc[0]


# ----------------------------------------------------------------------------- re-runs
def test_rerun_skips_stored_jobs(border, tmp_path) -> None:
    store, _ = border
    jobs = [*_border_jobs(), Job("bad", "A", metric="NO-SUCH-METRIC")]
    kw = {"store_path": store, "max_snap_m": SNAP_M, "results_path": tmp_path, "quiet": True}
    first = run_batch(jobs, **kw)
    assert len(first.executed) == 7 and first.skipped == []
    second = run_batch(jobs, **kw)
    assert second.executed == ["bad"]  # failed jobs are retried, stored ones skipped
    assert len(second.skipped) == 6
    pd.testing.assert_frame_equal(first.table, second.table, check_exact=True)
    report = pd.read_parquet(tmp_path / "report.parquet")
    pd.testing.assert_frame_equal(report, first.table, check_exact=True)
    # a job whose definition changed (same id) is computed again, the others are not
    changed = [*jobs[:5], Job("A-far", "A", categories=("chc",), max_dist_m=REACH_M,
                              scenario=WhatIf("d600", max_dist_m=600))]
    third = run_batch(changed, **kw)
    assert third.executed == ["A-far"]
    # other run settings (here the snap limit) invalidate every stored job
    fourth = run_batch(jobs[:2], **{**kw, "max_snap_m": 25.0})
    assert fourth.executed == ["A", "B"]


# ----------------------------------------------------------------------------- API
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"job_id": "a/b", "area": "A", "metric": "L-CLINIC-1000"}, "job_id 'a/b'"),
        ({"job_id": "a", "area": "A"}, "give a catalogue metric id"),
        ({"job_id": "a", "area": "A", "metric": "L-CLINIC-1000", "max_dist_m": 5},
         "not both"),
        ({"job_id": "a", "area": "A", "categories": "chc", "max_dist_m": -5}, "positive"),
        ({"job_id": "a", "area": "POLYGON ((0 0, 1 1))", "categories": "chc",
          "max_dist_m": 5}, "not valid WKT"),
        ({"job_id": "a", "area": "A", "metric": "L-CLINIC-1000",
          "scenario": {"name": "x", "colour": 1}}, "unknown scenario key"),
    ],
)
def test_job_validation_names_the_fix(kwargs, message) -> None:
    with pytest.raises(BatchError, match=message) as info:
        Job(**kwargs)
    assert isinstance(info.value, JinanGISError)


def test_job_round_trip_and_duplicates(border) -> None:
    store, _ = border
    jobs = _border_jobs()
    assert [Job.from_dict(json.loads(json.dumps(j.to_dict()))) for j in jobs] == jobs
    with pytest.raises(BatchError, match="duplicate job ids"):
        run_batch([jobs[0], jobs[0]], store_path=store, quiet=True)
    with pytest.raises(BatchError, match="not found"):
        run_batch(jobs, store_path=store.with_name("missing.gpkg"), quiet=True)


def test_command_line(border, tmp_path, capsys) -> None:
    store, _ = border
    spec = {
        "max_snap_m": SNAP_M,
        "grid": {"areas": ["A", "B"], "metrics": [[["chc"], REACH_M]],
                 "scenarios": [{"name": "baseline"}, {"name": "d1200", "max_dist_m": 1200}]},
        "jobs": [Job("bad", "A", metric="NO-SUCH-METRIC").to_dict()],
    }
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    jobs, settings = load_batch_file(path)
    assert len(jobs) == 5 and settings == {"max_snap_m": SNAP_M}
    rc = main([str(path), "--store", str(store), "--results", str(tmp_path / "res"),
               "--quiet"])
    out = capsys.readouterr()
    assert rc == 1
    assert "4 rows from 5 jobs (0 stored, 1 failed)" in out.out
    assert "FAILED bad: JinanGISError: unknown metric" in out.err
    assert len(list((tmp_path / "res" / "jobs").glob("*.parquet"))) == 4
