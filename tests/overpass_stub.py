"""A real HTTP server on 127.0.0.1 that answers like an Overpass API instance (for tests).

* ``GET  <base>/status``: the usual status text with "2 slots available now." (OSMnx reads
  the 5th line to decide how long to pause: 0 s);
* ``POST <base>/interpreter``: the recorded OSM elements as Overpass JSON, filtered as
  Overpass would by the way filter in the query (``["key"]``, ``["key"="v"]``,
  ``["key"~"re"]``, ``["key"!~"re"]``; regular expressions searched in the tag value,
  a missing tag matching every ``!~``) and with only the nodes of the matching ways. The
  ``(poly:...)`` clause is ignored (OSMnx truncates the graph to the polygon itself).

Every request is recorded in :attr:`OverpassStub.requests` (method, path, decoded query).

Fault modes (for tests of retries and of the cache): :attr:`OverpassStub.faults` is a queue
of :class:`Fault` s, one consumed per ``/interpreter`` request (then ``default_fault``, None
meaning a good answer). Kinds (:data:`FAULT_KINDS`): ``"429"`` (Too Many Requests with
``Retry-After``), ``"504"`` (Gateway Timeout; ``Retry-After`` only when given), ``"400"``
(a refused query), ``"timeout"`` (sleep ``sleep_s`` before answering, longer than the client
waits), ``"truncated"`` (the JSON cut in half, Content-Length of the cut body), ``"cut"``
(Content-Length of the whole answer, half of it sent, connection closed), ``"malformed"``
(an HTML error page with status 200), ``"empty"`` (valid JSON without elements) and
``"remark"`` (Overpass' own runtime error: no elements and a ``remark``).

Examples
--------
>>> import requests
>>> elements = [{"type": "node", "id": 1, "lat": 36.65, "lon": 117.0}]
>>> with OverpassStub(elements) as stub:
...     text = requests.get(stub.url + "/status", timeout=5).text
>>> text.splitlines()[4], len(stub.requests)
('2 slots available now.', 1)
>>> with OverpassStub(elements, faults=["429"]) as stub:
...     busy = requests.post(stub.url + "/interpreter", data={"data": "x"}, timeout=5)
...     good = requests.post(stub.url + "/interpreter", data={"data": "x"}, timeout=5)
>>> busy.status_code, busy.headers["Retry-After"], good.status_code, stub.n_faults
(429, '1', 200, 1)
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

FAULT_KINDS = (
    "429", "504", "400", "timeout", "truncated", "cut", "malformed", "empty", "remark"
)
"""The fault modes of :class:`OverpassStub`."""


@dataclass(frozen=True)
class Fault:
    """One bad answer: ``kind`` (one of :data:`FAULT_KINDS`), ``Retry-After`` seconds (429
    always sends one, default 1; 504 only when given) and the sleep of ``"timeout"``."""

    kind: str
    retry_after: float | None = None
    sleep_s: float = 2.0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; use one of {FAULT_KINDS}")

STATUS_TEXT = (
    "Connected as: 2130706433\n"
    "Current time: 2024-05-01T00:00:00Z\n"
    "Announced endpoint: none\n"
    "Rate limit: 2\n"
    "2 slots available now.\n"
    "Currently running queries (pid, space limit, time limit, start time):\n"
)

_CLAUSE = re.compile(r'\["([^"]+)"(?:(!?~|!?=)"([^"]*)")?\]')


def way_filter_of(query: str) -> list[tuple[str, str | None, str | None]]:
    """The ``[...]`` clauses of the first ``way[...]`` statement of an Overpass query."""
    m = re.search(r"way((?:\[[^\]]*\])+)", query)
    if not m:
        return []
    return [(k, op or None, v) for k, op, v in _CLAUSE.findall(m.group(1))]


def matches(tags: dict[str, str], clauses: Sequence[tuple[str, str | None, str | None]]) -> bool:
    """Whether a way's tags pass every clause, with Overpass semantics."""
    for key, op, value in clauses:
        have = tags.get(key)
        if op is None:
            ok = have is not None
        elif op == "=":
            ok = have == value
        elif op == "!=":
            ok = have != value
        elif op == "~":
            ok = have is not None and re.search(value or "", have) is not None
        else:  # "!~"
            ok = have is None or re.search(value or "", have) is None
        if not ok:
            return False
    return True


class OverpassStub:
    """Serve ``elements`` as an Overpass instance at :attr:`url` (``http://127.0.0.1:PORT/api``).

    Use as a context manager; the server runs in a daemon thread.
    """

    def __init__(
        self,
        elements: Sequence[dict[str, Any]],
        *,
        faults: Sequence[Fault | str] = (),
        default_fault: Fault | str | None = None,
    ) -> None:
        self.elements = list(elements)
        self.requests: list[tuple[str, str, str]] = []
        self.faults: deque[Fault] = deque(_fault(f) for f in faults)
        self.default_fault: Fault | None = (
            None if default_fault is None else _fault(default_fault)
        )
        self.n_faults = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL (give it to OSMnx / load_streets as ``overpass_url``)."""
        assert self._server is not None, "start the stub first (with OverpassStub(...) as s:)"
        return f"http://127.0.0.1:{self._server.server_address[1]}/api"

    @property
    def n_interpreter(self) -> int:
        """Number of ``/interpreter`` requests answered so far."""
        with self._lock:
            return sum(1 for _, path, _ in self.requests if path.endswith("/interpreter"))

    def next_fault(self) -> Fault | None:
        """The fault for the next ``/interpreter`` request (None: answer properly)."""
        with self._lock:
            fault = self.faults.popleft() if self.faults else self.default_fault
            if fault is not None:
                self.n_faults += 1
            return fault

    def answer(self, query: str) -> dict[str, Any]:
        """The Overpass JSON answer to ``query``."""
        clauses = way_filter_of(query)
        ways = [
            e for e in self.elements if e["type"] == "way" and matches(e.get("tags", {}), clauses)
        ]
        wanted = {n for w in ways for n in w["nodes"]}
        nodes = [e for e in self.elements if e["type"] == "node" and e["id"] in wanted]
        return {
            "version": 0.6,
            "generator": "jinan-gis Overpass stub",
            "osm3s": {"timestamp_osm_base": "2024-05-01T00:00:00Z", "copyright": "ODbL"},
            "elements": nodes + ways,
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output quiet

            def _send(
                self,
                code: int,
                body: bytes,
                ctype: str,
                headers: dict[str, str] | None = None,
                length: int | None = None,
            ) -> None:
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body) if length is None else length))
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(body)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def _fault(self, fault: Fault, query: str) -> None:
                good = json.dumps(stub.answer(query)).encode("utf-8")
                kind = fault.kind
                if kind == "429":
                    ra = 1 if fault.retry_after is None else fault.retry_after
                    self._send(429, b"rate_limited", "text/plain", {"Retry-After": f"{ra:g}"})
                elif kind in ("504", "400"):
                    hdr = {} if fault.retry_after is None else {
                        "Retry-After": f"{fault.retry_after:g}"
                    }
                    code = int(kind)
                    self._send(code, b"<html>error</html>", "text/html", hdr)
                elif kind == "timeout":
                    time.sleep(fault.sleep_s)
                    self._send(200, good, "application/json")
                elif kind == "truncated":
                    self._send(200, good[: len(good) // 2], "application/json")
                elif kind == "cut":
                    self._send(200, good[: len(good) // 2], "application/json", length=len(good))
                    self.close_connection = True
                elif kind == "malformed":
                    page = b"<html><body>Dispatcher_Client::request_read_and_idx</body></html>"
                    self._send(200, page, "text/html")
                else:  # empty, remark
                    empty: dict[str, Any] = {"version": 0.6, "elements": []}
                    if kind == "remark":
                        empty["remark"] = "runtime error: Query timed out in \"query\" at line 1"
                    self._send(200, json.dumps(empty).encode("utf-8"), "application/json")

            def do_GET(self) -> None:
                with stub._lock:
                    stub.requests.append(("GET", self.path, ""))
                if self.path.rstrip("/").endswith("/status"):
                    self._send(200, STATUS_TEXT.encode(), "text/plain")
                else:
                    self._send(404, b"not found", "text/plain")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length).decode("utf-8")
                query = parse_qs(body).get("data", [""])[0]
                with stub._lock:
                    stub.requests.append(("POST", self.path, query))
                if not self.path.rstrip("/").endswith("/interpreter"):
                    self._send(404, b"not found", "text/plain")
                    return
                fault = stub.next_fault()
                if fault is not None:
                    self._fault(fault, query)
                    return
                payload = json.dumps(stub.answer(query)).encode("utf-8")
                self._send(200, payload, "application/json")

        return Handler

    def __enter__(self) -> OverpassStub:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def _fault(f: Fault | str) -> Fault:
    return f if isinstance(f, Fault) else Fault(f)
