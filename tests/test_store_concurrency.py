"""Nothing lost under concurrency and kills (issue 14, done-when): real ``jinan-gis import``
processes write into one layer store at once, are killed with SIGKILL / SIGTERM at seeded
random moments and mid-write, and fail in several ways; the store stays readable with its
previous layers, byte for byte, and no temporary file outlives the next write.

The input files are SYNTHETIC (invented clinics placed inside the real district polygons).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from jinan_gis.layers.districts import load_districts
from jinan_gis.layers.store import LayerStore

_CLI = [sys.executable, "-m", "jinan_gis.cli"]
_ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}


def _centres() -> list[tuple[float, float]]:
    """A lon/lat point well inside each district (WGS84)."""
    d = load_districts().to_crs("EPSG:4326")
    return [(p.x, p.y) for p in d.geometry.representative_point()]


def synthetic_clinics(path: Path, n: int, *, tag: str, seed: int = 0) -> Path:
    """A CSV of ``n`` SYNTHETIC clinics within ~300 m of the districts' inner points."""
    rng = random.Random(seed)
    centres = _centres()
    lines = ["id,name,lon,lat"]
    for i in range(n):
        lon, lat = centres[i % len(centres)]
        lines.append(f"{tag}{i},{tag}社区卫生服务站{i} (synthetic),"
                     f"{lon + rng.uniform(-0.003, 0.003):.6f},"
                     f"{lat + rng.uniform(-0.003, 0.003):.6f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _base_store(folder: Path) -> Path:
    """A store with two layers written through the Python API (the 'previous layers')."""
    store = folder / "store.gpkg"
    pts = gpd.GeoDataFrame({"v": [1, 2]}, geometry=[Point(500_000, 4_060_000),
                                                    Point(500_100, 4_060_100)], crs=4548)
    s = LayerStore(store)
    s.write("base", pts, provenance={"source": "synthetic"})
    s.write("other", pts.iloc[:1], provenance={"source": "synthetic"})
    return store


def layer_snapshot(store: Path, names: list[str] | None = None) -> dict[str, bytes]:
    """Each layer's content as bytes (attributes as JSON, geometries as WKB), its rejection
    table and its metadata row without the time stamp; ``names``: these layers only."""
    from jinan_gis.layers.store import META_TABLE, REJECTED_SUFFIX

    s = LayerStore(store)
    names = s.names() if names is None else names
    out: dict[str, bytes] = {}
    meta = pyogrio.read_dataframe(store, layer=META_TABLE, read_geometry=False)
    for name in names:
        layer = pyogrio.read_dataframe(store, layer=name)
        attrs = layer.drop(columns=layer.geometry.name).to_json(orient="split").encode()
        out[name] = attrs + b"".join(g.wkb for g in layer.geometry)
        rej = pyogrio.read_dataframe(store, layer=name + REJECTED_SUFFIX, read_geometry=False)
        out[name + REJECTED_SUFFIX] = rej.to_json(orient="split").encode()
        row = meta.loc[meta["name"] == name].drop(columns=["written_at"])
        out["meta:" + name] = row.to_json(orient="records").encode()
    return out


def leftovers(folder: Path) -> list[str]:
    """Temporary and lock files of store writes left in ``folder``."""
    return sorted(p.name for p in folder.iterdir()
                  if ".tmp" in p.name or p.name.endswith(".lock"))


def _import(csv: Path, store: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([*_CLI, "import", str(csv), "--as", "facilities", "--datum",
                             "wgs84", "--id-column", "id", "--store", str(store), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_ENV)


# ----------------------------------------------------------------------------- concurrency
@settings(max_examples=1, deadline=None, derandomize=True)
@example(n=6)
@given(n=st.integers(min_value=2, max_value=6))
def test_concurrent_imports_all_land(tmp_path_factory, n: int) -> None:
    folder = tmp_path_factory.mktemp("conc")
    store = _base_store(folder)
    before = layer_snapshot(store)
    names = ["one", "two", "three", "four", "five", "six"][:n]
    csvs = [synthetic_clinics(folder / f"{nm}.csv", 3, tag=nm, seed=i)
            for i, nm in enumerate(names)]
    procs = [_import(c, store, "--name", nm) for c, nm in zip(csvs, names, strict=True)]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert "stored as layer" in out
    s = LayerStore(store)
    assert s.names() == sorted(["base", "other", *names])
    for nm in names:
        got = s.read(nm)
        assert len(got.layer) == 3 and got.n_input == 3, nm
        assert sorted(got.layer["facility_id"]) == [f"{nm}{i}" for i in range(3)]
    assert layer_snapshot(store, ["base", "other"]) == before
    assert leftovers(folder) == []


def test_a_writer_waits_for_the_lock_then_gives_up_in_one_line(tmp_path: Path) -> None:
    """Another writer holding the lock: the import waits --lock-timeout-s, then one line;
    when the lock is released in time, the import lands."""
    import filelock

    store = _base_store(tmp_path)
    before = store.read_bytes()
    csv = synthetic_clinics(tmp_path / "c.csv", 2, tag="c")
    lock = filelock.FileLock(LayerStore(store).lock_path)
    with lock:
        t = time.perf_counter()
        p = _import(csv, store, "--name", "late", "--lock-timeout-s", "1")
        _, err = p.communicate(timeout=60)
        waited = time.perf_counter() - t
    assert p.returncode == 2 and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1 and "being written by another process" in err
    assert "--lock-timeout-s" in err and waited >= 1.0
    assert store.read_bytes() == before
    with lock:  # released 1 s after the import starts waiting: it then lands
        p = _import(csv, store, "--name", "late", "--lock-timeout-s", "60")
        time.sleep(3.0)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    assert len(LayerStore(store).read("late").layer) == 2


# ----------------------------------------------------------------------------- kills
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
@pytest.mark.parametrize("moment", ["random", "mid-write"])
def test_a_killed_import_leaves_the_previous_layers(tmp_path: Path, sig: int,
                                                    moment: str) -> None:
    """Kill an import (seeded random delay, or the moment its temporary store copy exists):
    the store reads with its previous layers byte for byte; after SIGTERM no temporary file
    is left at once, after SIGKILL the next write removes it."""
    store = _base_store(tmp_path)
    # a bigger previous layer makes the copy, hence the write, last long enough to hit
    big = gpd.GeoDataFrame({"v": range(60_000)}, geometry=gpd.points_from_xy(
        [500_000 + i % 300 for i in range(60_000)], [4_060_000 + i // 300 for i in range(60_000)]),
        crs=4548)
    LayerStore(store).write("big", big)
    before = layer_snapshot(store)
    csv = synthetic_clinics(tmp_path / "many.csv", 3000, tag="m", seed=7)
    rng = random.Random(f"{sig}-{moment}")
    p = _import(csv, store, "--name", "new")
    if moment == "random":
        time.sleep(rng.uniform(0.2, 2.0))
    else:
        deadline = time.monotonic() + 60
        while not [f for f in tmp_path.iterdir() if f.name.endswith(".tmp.gpkg")]:
            assert p.poll() is None and time.monotonic() < deadline, p.communicate()
            time.sleep(0.001)
    p.send_signal(sig)
    _, err = p.communicate(timeout=60)
    s = LayerStore(store)
    names = s.names()
    assert {"base", "other", "big"} <= set(names) <= {"base", "other", "big", "new"}
    assert layer_snapshot(store, ["base", "other", "big"]) == before
    if "new" in names:  # the kill came after the store was replaced: the layer is whole
        assert len(s.read("new").layer) == 3000
    if p.returncode == 0:  # the import was done before the signal: its layer is whole
        assert "new" in names, err
    elif sig == signal.SIGTERM:
        assert p.returncode in (143, -signal.SIGTERM), err  # -15: killed before main() ran
        if p.returncode == 143:
            assert "Traceback" not in err and err.strip().splitlines()[-1].startswith(
                "terminated (SIGTERM)"), err
        assert leftovers(tmp_path) == [], (p.returncode, err[-3000:])
    else:
        assert p.returncode == -signal.SIGKILL
    if moment == "mid-write" and sig == signal.SIGKILL:
        assert [f for f in leftovers(tmp_path) if f.endswith(".tmp.gpkg")], (
            "the kill was meant to land mid-write")
    again = _import(synthetic_clinics(tmp_path / "two.csv", 2, tag="t"), store, "--name", "next")
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert leftovers(tmp_path) == []
    assert layer_snapshot(store, ["base", "other", "big"]) == before


# ----------------------------------------------------------------------------- failures
def _unreadable_prefix() -> list[str]:
    """Run as root without the capability to read any file (chmod 000 then holds for root
    too); as a normal user nothing is needed."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "root without setpriv cannot make a file unreadable for itself"
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--"]


@pytest.mark.parametrize("kind", ["zero_kept", "bad_crs", "unreadable", "bad_option",
                                  "no_flag", "bad_number", "folder_as_file", "duplicate_ids"])
def test_a_failed_import_leaves_the_store_byte_identical(tmp_path: Path, kind: str) -> None:
    store = _base_store(tmp_path)
    csv = synthetic_clinics(tmp_path / "c.csv", 3, tag="c")
    ok = _import(csv, store, "--name", "clinics")
    assert ok.wait(timeout=120) == 0, ok.communicate()[1]
    before_bytes, before = store.read_bytes(), layer_snapshot(store)
    args = ["--name", "clinics", "--replace"]
    src, prefix = csv, []
    if kind == "zero_kept":
        src = tmp_path / "beijing.csv"
        src.write_text("id,name,lon,lat\nb1,某社区卫生服务中心 (synthetic),116.40,39.90\n",
                       encoding="utf-8")
    elif kind == "bad_crs":
        args += ["--crs", "EPSG:99999"]
    elif kind == "unreadable":
        src = tmp_path / "locked.csv"
        shutil.copy(csv, src)
        src.chmod(0)
        prefix = _unreadable_prefix()
    elif kind == "bad_option":
        args += ["--count-column", "people", "--header-row", "0"]
    elif kind == "no_flag":
        args = ["--name", "clinics"]
    elif kind == "bad_number":
        args += ["--lock-timeout-s", "nan"]
    elif kind == "folder_as_file":
        src = tmp_path / "a_folder.csv"
        src.mkdir()
    else:  # --append of the same file again: every id is stored already
        args = ["--name", "clinics", "--append"]
    p = subprocess.run([*prefix, *_CLI, "import", str(src), "--as", "facilities", "--datum",
                        "wgs84", "--id-column", "id", "--store", str(store), *args],
                       capture_output=True, text=True, env=_ENV, timeout=120, check=False)
    assert p.returncode == 2, (p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in p.stderr, p.stderr
    assert store.read_bytes() == before_bytes
    assert layer_snapshot(store) == before
    assert leftovers(tmp_path) == []
