"""Overpass faults against the local stand-in server: bounded retries, clear errors, a clean cache.

Every test talks HTTP to :class:`overpass_stub.OverpassStub` on 127.0.0.1 (no internet). The
stub's fault queue makes the first answers bad (429 with Retry-After, 504, a timeout, truncated
or malformed JSON, an empty answer...); the loader must retry a bounded number of times, end
with an :class:`OverpassError` (or :class:`LayerError` for "no data") naming the fix, and never
leave a bad answer in the cache.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from overpass_stub import Fault, OverpassStub
from shapely.geometry import box

from jinan_gis.geo.errors import JinanGISError, LayerError, OverpassError
from jinan_gis.layers.overpass import bounded_overpass_requests, download_overpass_graph
from jinan_gis.layers.streets import load_streets

# A 3 x 3 grid of walkable streets near Quancheng Square, about 100 m apart.
LON0, LAT0, D = 117.02, 36.66, 0.001


def _elements() -> list[dict[str, Any]]:
    nodes = [
        {"type": "node", "id": 1 + c + 3 * r, "lon": LON0 + c * D, "lat": LAT0 + r * D}
        for r in range(3)
        for c in range(3)
    ]
    ways = [
        {"type": "way", "id": 100 + r, "nodes": [1 + 3 * r, 2 + 3 * r, 3 + 3 * r],
         "tags": {"highway": "residential", "name": f"东西路{r}"}}
        for r in range(3)
    ] + [
        {"type": "way", "id": 200 + c, "nodes": [1 + c, 4 + c, 7 + c],
         "tags": {"highway": "footway", "name": f"南北路{c}"}}
        for c in range(3)
    ]
    return nodes + ways


POLYGON = box(LON0 - 0.0005, LAT0 - 0.0005, LON0 + 2 * D + 0.0005, LAT0 + 2 * D + 0.0005)
FAST = {"max_attempts": 3, "max_wait_s": 1.5, "backoff_s": 0.05}


def _download(stub: OverpassStub, cache: Path | None, **kw: Any):
    opts = {"mode": "walk", "overpass_url": stub.url, "timeout_s": 5, "cache_dir": cache,
            "rate_limit": False, **FAST, **kw}
    return download_overpass_graph(POLYGON, **opts)


def _ox_state() -> dict[str, Any]:
    import osmnx as ox
    import osmnx._overpass as op

    names = ("overpass_url", "use_cache", "cache_folder", "requests_timeout",
             "doh_url_template", "overpass_rate_limit")
    return {n: getattr(ox.settings, n) for n in names} | {
        "getaddrinfo": socket.getaddrinfo, "request": op._overpass_request
    }


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every wait of the retry loop, in seconds (the waits still happen)."""
    from types import SimpleNamespace

    import jinan_gis.layers.overpass as overpass_module

    seen: list[float] = []

    def sleep(s: float) -> None:
        seen.append(round(float(s), 3))
        time.sleep(s)

    monkeypatch.setattr(overpass_module, "time", SimpleNamespace(sleep=sleep))
    return seen


def _cache_files(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


# ----------------------------------------------------------------------- busy servers


def test_429_with_retry_after_is_honoured_then_succeeds(cache: Path, waits: list[float]) -> None:
    before = _ox_state()
    with OverpassStub(_elements(), faults=[Fault("429", retry_after=1)] * 2) as stub:
        t0 = time.perf_counter()
        graph = _download(stub, cache)
        elapsed = time.perf_counter() - t0
        assert stub.n_interpreter == 3 and stub.n_faults == 2
    assert waits == [1.0, 1.0]  # Retry-After honoured (not the 0.05 s back-off)
    assert elapsed >= 2.0
    assert graph.number_of_nodes() == 9
    assert len(_cache_files(cache)) == 1  # the good answer, cached
    assert _ox_state() == before


def test_429_forever_gives_up_after_the_bounded_attempts(cache: Path, waits: list[float]) -> None:
    with OverpassStub(_elements(), default_fault=Fault("429", retry_after=1)) as stub:
        with pytest.raises(OverpassError, match=r"failed 3 time\(s\).*HTTP 429.*mirror"):
            _download(stub, cache)
        assert stub.n_interpreter == 3
    assert waits == [1.0, 1.0]  # OSMnx alone would wait 55 s and retry, forever
    assert _cache_files(cache) == []


def test_long_retry_after_is_capped(cache: Path, waits: list[float],
                                   caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="jinan_gis.layers.overpass"):
        with OverpassStub(_elements(), faults=[Fault("429", retry_after=3600)]) as stub:
            graph = _download(stub, cache, max_wait_s=0.2)
    assert waits == [0.2]
    assert graph.number_of_edges() > 0
    assert "Overpass asks to wait 3600 s; waiting max_wait_s=0.2 s instead" in caplog.text


def test_504_without_retry_after_backs_off_and_gives_up(cache: Path, waits: list[float]) -> None:
    with OverpassStub(_elements(), default_fault="504") as stub:
        with pytest.raises(OverpassError, match=r"HTTP 504.*Nothing was cached.*timeout_s"):
            _download(stub, cache)
        assert stub.n_interpreter == 3
    assert waits == [0.05, 0.1]  # exponential back-off from backoff_s
    assert _cache_files(cache) == []


def test_504_once_then_a_good_answer(cache: Path) -> None:
    with OverpassStub(_elements(), faults=["504"]) as stub:
        graph = _download(stub, cache)
        assert stub.n_interpreter == 2
    assert graph.number_of_nodes() == 9
    assert len(_cache_files(cache)) == 1


def test_refused_query_is_not_retried(cache: Path) -> None:
    with OverpassStub(_elements(), default_fault="400") as stub:
        with pytest.raises(OverpassError, match=r"HTTP 400.*not retried"):
            _download(stub, cache)
        assert stub.n_interpreter == 1
    assert _cache_files(cache) == []


# ---------------------------------------------------------------- broken answers


def test_timeout_is_retried_a_bounded_number_of_times(cache: Path) -> None:
    with OverpassStub(_elements(), default_fault=Fault("timeout", sleep_s=1.5)) as stub:
        t0 = time.perf_counter()
        with pytest.raises(OverpassError, match=r"failed 2 time\(s\).*timeout_s=0.4"):
            _download(stub, cache, timeout_s=0.4, max_attempts=2)
        assert time.perf_counter() - t0 < 30  # bounded: two tries of 0.4 s, not forever
        assert stub.n_interpreter == 2
    assert _cache_files(cache) == []


@pytest.mark.parametrize("kind", ["truncated", "cut", "malformed"])
def test_broken_json_is_never_cached_and_a_later_good_answer_is(cache: Path, kind: str) -> None:
    with OverpassStub(_elements(), default_fault=kind) as stub:
        expected = "connection broken" if kind == "cut" else "truncated or malformed JSON"
        with pytest.raises(OverpassError, match=expected):
            _download(stub, cache)
        assert stub.n_interpreter == 3
        assert _cache_files(cache) == []  # no file for that query

        stub.default_fault = None  # the server recovers
        first = _download(stub, cache)
        n = stub.n_interpreter
        assert n == 4 and len(_cache_files(cache)) == 1
        second = _download(stub, cache)
        assert stub.n_interpreter == n  # served from the cache: no new request
    assert first.number_of_edges() == second.number_of_edges() > 0


def test_a_fault_then_recovery_within_the_attempts(cache: Path) -> None:
    with OverpassStub(_elements(), faults=["truncated", "malformed"]) as stub:
        graph = _download(stub, cache)
        assert stub.n_interpreter == 3
    assert graph.number_of_nodes() == 9


def test_empty_answer_is_no_data_and_not_cached(cache: Path) -> None:
    with OverpassStub(_elements(), default_fault="empty") as stub:
        with pytest.raises(LayerError, match="no walk streets for the area"):
            _download(stub, cache)
        assert stub.n_interpreter == 1  # an empty answer is an answer: not retried
        assert _cache_files(cache) == []
        stub.default_fault = None
        assert _download(stub, cache).number_of_nodes() == 9
        assert len(_cache_files(cache)) == 1


def test_server_remark_is_an_error_and_not_cached(cache: Path) -> None:
    with OverpassStub(_elements(), default_fault="remark") as stub:
        with pytest.raises(OverpassError, match=r"stopped the query.*Query timed out.*timeout_s"):
            _download(stub, cache)
    assert _cache_files(cache) == []


def test_unreadable_cache_file_is_fetched_again(cache: Path) -> None:
    with OverpassStub(_elements()) as stub:
        _download(stub, cache)
        (name,) = _cache_files(cache)
        (cache / name).write_text('{"elements": [{"type": "node"', encoding="utf-8")  # torn
        graph = _download(stub, cache)
        assert stub.n_interpreter == 2
    assert graph.number_of_nodes() == 9
    assert json.loads((cache / name).read_text(encoding="utf-8"))["elements"]


def test_through_load_streets_with_default_retries(cache: Path) -> None:
    before = _ox_state()
    area = gpd.GeoSeries([POLYGON], crs="EPSG:4326")
    with OverpassStub(_elements(), faults=["429"]) as stub:  # Retry-After: 1
        res = load_streets(area, source="overpass", overpass_url=stub.url, cache_dir=cache,
                           timeout_s=5, buffer_m=50, overpass_rate_limit=False)
        assert stub.n_interpreter == 2
    res.check_accounting()
    assert res.n_input == 6 and res.n_rejected == 0
    assert _ox_state() == before


def test_bad_retry_settings_are_refused() -> None:
    with pytest.raises(JinanGISError, match="max_attempts must be >= 1"):
        with bounded_overpass_requests(max_attempts=0):
            pass
    with pytest.raises(JinanGISError, match="must be >= 0 seconds"):
        with bounded_overpass_requests(max_wait_s=-1):
            pass
