"""Drive headless Chromium, offline, over the DevTools protocol (test helper; stdlib only).

Chromium is started with ``--remote-debugging-pipe`` (DevTools messages are NUL-terminated JSON
on file descriptors 3 and 4), so no WebSocket client is needed, and with the network switched
off (an unusable proxy and a host resolver that resolves nothing). :class:`Chromium` collects
what a map test must see: JavaScript exceptions, console errors and failed requests (tile
requests, expected to fail offline, are kept apart), and takes screenshots.

Typical use::

    binary = find_chromium()            # None without Chromium (make browser installs it)
    with Chromium(binary) as browser:
        page = browser.open(html_path.as_uri(), ready="window.JINAN_GIS && JINAN_GIS.readyMs")
        browser.evaluate("document.title")
        browser.screenshot(out_png)
        assert not page.errors
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import select
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CANDIDATES = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
)
"""Where Chromium is looked for (Debian's ``chromium`` package first)."""

TILE_HOSTS = ("tile.openstreetmap.org", "autonavi.com")
"""Hosts of base-map tiles: their requests fail offline, which is expected."""

OFFLINE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-dev-shm-usage",
    "--mute-audio",
    "--hide-scrollbars",
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)
"""Flags of every launch: headless, no sandbox (containers), no network at all."""


def find_chromium() -> str | None:
    """Return the path of a Chromium binary, or None when there is none.

    Nothing is installed here: tests never install system packages. ``make browser`` (a
    step of ``make test``) installs Debian's ``chromium`` and the CJK font.
    """
    for path in CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    return None


HOW_TO_GET_CHROMIUM = (
    "no Chromium at " + ", ".join(CANDIDATES) + ": run `make browser` (as root: apt-get "
    "install chromium fonts-wqy-microhei)"
)
"""What a test that needs the browser says when there is none."""


class CDPError(RuntimeError):
    """A DevTools command failed, timed out, or the browser went away."""


@dataclass
class PageLoad:
    """What happened while a page loaded."""

    url: str
    exceptions: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    tile_failures: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def errors(self) -> list[str]:
        """Every problem except tile requests failing (expected offline)."""
        return [
            *(f"exception: {e}" for e in self.exceptions),
            *(f"console: {e}" for e in self.console_errors),
            *(f"request failed: {u}" for u in self.failed_requests),
            *(f"dialog opened: {d}" for d in self.dialogs),
        ]


# Puts the pipe ends on fds 3 and 4, where --remote-debugging-pipe expects them, then execs.
_EXEC_SHIM = (
    "import fcntl, os, sys\n"
    "r, w = (fcntl.fcntl(int(fd), fcntl.F_DUPFD, 10) for fd in sys.argv[1:3])\n"
    "os.dup2(r, 3)\n"
    "os.dup2(w, 4)\n"
    "os.execv(sys.argv[3], sys.argv[3:])\n"
)


def _is_tile(url: str) -> bool:
    return any(h in url for h in TILE_HOSTS)


class Chromium:
    """A headless, offline Chromium with one page, driven over ``--remote-debugging-pipe``."""

    def __init__(self, binary: str, *, width: int = 1280, height: int = 800) -> None:
        self.binary = binary
        self.width = width
        self.height = height
        self._ids = itertools.count(1)
        self._buf = b""
        self._events: list[dict[str, Any]] = []
        self._proc: subprocess.Popen[bytes] | None = None
        self._profile: tempfile.TemporaryDirectory[str] | None = None
        self.session: str | None = None
        self._load: PageLoad | None = None
        self._requests: dict[str, str] = {}

    # ----------------------------------------------------------------- process and pipe

    def __enter__(self) -> Chromium:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="jg-chromium-")
        cmd_r, cmd_w = os.pipe()  # we write commands; Chromium reads fd 3
        res_r, res_w = os.pipe()  # Chromium writes fd 4; we read
        args = [
            self.binary,
            *OFFLINE_FLAGS,
            f"--user-data-dir={self._profile.name}",
            f"--window-size={self.width},{self.height}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        self._proc = subprocess.Popen(
            [sys.executable, "-c", _EXEC_SHIM, str(cmd_r), str(res_w), *args],
            pass_fds=(cmd_r, res_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(cmd_r)
        os.close(res_w)
        self._w = cmd_w
        self._r = res_r
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send(
            "Target.attachToTarget", {"targetId": target, "flatten": True}
        )["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=self.session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False},
            session=self.session,
        )

    def close(self) -> None:
        if self._proc is not None:
            try:
                self.send("Browser.close", timeout=5)
            except (CDPError, OSError):
                pass
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=10)
            for fd in (self._w, self._r):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._proc = None
        if self._profile is not None:
            self._profile.cleanup()
            self._profile = None

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CDPError("timed out waiting for Chromium")
            ready, _, _ = select.select([self._r], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._r, 1 << 20)
            if not chunk:
                raise CDPError("Chromium closed the DevTools pipe (crashed or exited)")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def _dispatch(self, msg: dict[str, Any]) -> None:
        self._events.append(msg)
        load = self._load
        if load is None:
            return
        method, params = msg.get("method"), msg.get("params", {})
        if method == "Runtime.exceptionThrown":
            d = params["exceptionDetails"]
            desc = d.get("exception", {}).get("description") or d.get("text", "")
            load.exceptions.append(f"{desc} at {d.get('url', '')}:{d.get('lineNumber', '')}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            load.console_errors.append(text)
        elif method == "Log.entryAdded":
            entry = params["entry"]
            if entry.get("level") == "error":
                url = entry.get("url", "")
                if entry.get("source") != "network":
                    load.console_errors.append(f"{entry.get('text')} {url}".strip())
                elif not _is_tile(url) and not any(url in r for r in load.failed_requests):
                    load.failed_requests.append(f"{url} ({entry.get('text')})")
        elif method == "Network.requestWillBeSent":
            self._requests[params["requestId"]] = params["request"]["url"]
        elif method == "Network.loadingFailed":
            url = self._requests.get(params["requestId"], "?")
            (load.tile_failures if _is_tile(url) else load.failed_requests).append(
                f"{url} ({params.get('errorText', '')})"
            )
        elif method == "Page.javascriptDialogOpening":
            load.dialogs.append(f"{params.get('type')}: {params.get('message')}")
            self._send_nowait(
                "Page.handleJavaScriptDialog", {"accept": True}, session=self.session
            )

    def _send_nowait(
        self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None
    ) -> int:
        msg_id = next(self._ids)
        msg: dict[str, Any] = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        return msg_id

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        session: str | None = None,
        timeout: float = 30.0,
    ) -> dict[str, Any]:
        """Send one DevTools command and return its result (events seen meanwhile are kept)."""
        msg_id = self._send_nowait(method, params, session=session)
        deadline = time.monotonic() + timeout
        while True:
            msg = self._read_message(deadline)
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise CDPError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self._dispatch(msg)

    def _pump(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                self._dispatch(self._read_message(deadline))
            except CDPError as exc:
                if "timed out" in str(exc):
                    return
                raise

    # -------------------------------------------------------------------------- page API

    def wait(self, seconds: float) -> None:
        """Let the page run for ``seconds`` (its errors keep being collected)."""
        self._pump(seconds)

    def add_init_script(self, source: str) -> None:
        """Run ``source`` in every document before its own scripts (e.g. an alert trap)."""
        self.send(
            "Page.addScriptToEvaluateOnNewDocument", {"source": source}, session=self.session
        )

    def open(
        self, url: str, *, ready: str, timeout: float = 30.0, settle_s: float = 0.3
    ) -> PageLoad:
        """Navigate to ``url`` and wait until the JavaScript expression ``ready`` is truthy."""
        self._load = load = PageLoad(url)
        t0 = time.monotonic()
        res = self.send("Page.navigate", {"url": url}, session=self.session, timeout=timeout)
        if res.get("errorText"):
            raise CDPError(f"navigation to {url} failed: {res['errorText']}")
        deadline = t0 + timeout
        while not self.evaluate(f"!!({ready})"):
            if time.monotonic() > deadline:
                raise CDPError(f"{url}: {ready!r} not true after {timeout} s; {load.errors}")
            self._pump(0.05)
        load.wall_s = time.monotonic() - t0
        self._pump(settle_s)  # late errors (e.g. from timers) still count
        return load

    def set_viewport(self, width: int, height: int, *, mobile: bool = False) -> None:
        """Emulate a ``width`` x ``height`` CSS-pixel screen (``mobile``: a touch phone)."""
        self.width, self.height = width, height
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
            session=self.session,
        )
        self.send("Emulation.setTouchEmulationEnabled", {"enabled": mobile},
                  session=self.session)

    def evaluate(self, expression: str, *, await_promise: bool = False) -> Any:
        """Evaluate ``expression`` in the page and return its value (JSON-able values only)."""
        res = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": await_promise},
            session=self.session,
        )
        if "exceptionDetails" in res:
            d = res["exceptionDetails"]
            raise CDPError(
                f"evaluating {expression[:80]!r}: "
                f"{d.get('exception', {}).get('description') or d.get('text')}"
            )
        return res["result"].get("value")

    def screenshot(self, path: str | os.PathLike[str]) -> Path:
        """Save a PNG of the viewport to ``path``."""
        res = self.send("Page.captureScreenshot", {"format": "png"}, session=self.session)
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(base64.b64decode(res["data"]))
        return out
