"""The Overpass API (OpenStreetMap online) through OSMnx: downloads without global leaks.

The server-side filter is OSMnx's: :func:`download_overpass_graph` calls
``osmnx.graph_from_polygon`` (``network_type`` from the mode, ``retain_all=True``) with every
OSMnx setting it needs set inside :func:`osmnx_settings`, a context manager that restores the
previous values (and ``socket.getaddrinfo``, which OSMnx replaces to pin the server's
address) afterwards. The graph is downloaded unsimplified (``simplify=False``);
:func:`jinan_gis.layers.streets_overpass.graph_to_streets` turns it into street lines and
:func:`jinan_gis.layers.streets_overpass.fetch_streets_overpass` is the street loader.

Mainland China: ``overpass-api.de`` is often slow or blocked; pass a reachable mirror as
``overpass_url`` (see :data:`OVERPASS_MIRRORS`), and keep ``doh_url_template=None`` (the
default here): OSMnx's DNS-over-HTTPS fallback host (Google, 8.8.8.8) is unreachable there
and costs a timeout. Pass ``cache_dir`` to keep each Overpass answer on disk: a repeated
request is then served from the cache without contacting the server.

Faults: OSMnx 2.1 answers HTTP 429/504 by sleeping 55 s and calling itself again, without
bound. Inside :func:`bounded_overpass_requests` (used by every download here) each query is
instead tried at most ``max_attempts`` times: HTTP 429/502/503/504, timeouts, refused
connections and truncated or malformed JSON are retried after ``Retry-After`` (or an
exponential back-off from ``backoff_s``), capped at ``max_wait_s``; then an
:class:`~jinan_gis.geo.errors.OverpassError` lists every attempt and names the fix. Only a
good, non-empty answer is cached (written atomically); an empty answer, a server remark
(Overpass' own runtime error) or any fault leaves no cache file, and an unreadable cache
file is fetched again.

Examples
--------
>>> import osmnx as ox
>>> before = ox.settings.overpass_url
>>> with osmnx_settings(overpass_url="http://127.0.0.1:1/api"):
...     ox.settings.overpass_url
'http://127.0.0.1:1/api'
>>> ox.settings.overpass_url == before
True
"""

from __future__ import annotations

import email.utils
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shapely.geometry.base import BaseGeometry

from ..geo.errors import JinanGISError, LayerError, OverpassError
from ..geo.files import write_text_atomic
from .osm import (
    OSMNX_NETWORK_TYPE,
    RULE_TAG_KEYS,
)

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "DEFAULT_OVERPASS_URL",
    "OVERPASS_MAX_ATTEMPTS",
    "OVERPASS_MIRRORS",
    "RETRY_STATUS",
    "bounded_overpass_requests",
    "download_overpass_graph",
    "osmnx_settings",
]

log = logging.getLogger(__name__)

DEFAULT_OVERPASS_URL = "https://overpass-api.de/api"
"""The main Overpass instance (OSMnx's default)."""

OVERPASS_MIRRORS: dict[str, str] = {
    "overpass-api.de": "https://overpass-api.de/api",
    "kumi": "https://overpass.kumi.systems/api",
    "private.coffee": "https://overpass.private.coffee/api",
    "mail.ru": "https://maps.mail.ru/osm/tools/overpass/api",
}
"""Public Overpass instances (base URLs without ``/interpreter``); reachability from mainland
China changes over time: try them, or run your own."""

OVERPASS_MAX_ATTEMPTS = 4
"""Default number of tries of one Overpass query before :class:`OverpassError`."""

RETRY_STATUS: frozenset[int] = frozenset({429, 502, 503, 504})
"""HTTP status codes answered by waiting and trying again (busy or overloaded server)."""

_OSMNX_LOCK = threading.RLock()



@contextmanager
def osmnx_settings(**values: Any) -> Iterator[Any]:
    """Set ``osmnx.settings`` values for the duration of a ``with`` block, then restore them.

    Also restores ``socket.getaddrinfo``, which OSMnx replaces (process-wide) when it pins
    the Overpass server's address. Calls are serialised by a lock, because the settings are
    module globals of OSMnx: two threads downloading at once would see each other's values.

    Parameters
    ----------
    **values
        Names and values of ``osmnx.settings`` attributes (``overpass_url``, ``use_cache``,
        ``cache_folder``, ``requests_timeout``, ``doh_url_template``...).

    Raises
    ------
    JinanGISError
        For a name that is not an OSMnx setting.

    Examples
    --------
    >>> with osmnx_settings(no_such_setting=1):
    ...     pass
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.JinanGISError: unknown OSMnx setting(s) no_such_setting; ...
    """
    import osmnx as ox

    unknown = [k for k in values if not hasattr(ox.settings, k)]
    if unknown:
        raise JinanGISError(
            f"unknown OSMnx setting(s) {', '.join(unknown)}; see the names in "
            "osmnx.settings (OSMnx 2.x)."
        )
    with _OSMNX_LOCK:
        old = {k: getattr(ox.settings, k) for k in values}
        old_getaddrinfo = socket.getaddrinfo
        try:
            for k, v in values.items():
                setattr(ox.settings, k, v)
            yield ox.settings
        finally:
            for k, v in old.items():
                setattr(ox.settings, k, v)
            socket.getaddrinfo = old_getaddrinfo


def _retry_after_s(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), or None.

    Examples
    --------
    >>> _retry_after_s("3"), _retry_after_s(None), _retry_after_s("soon")
    (3.0, None, None)
    >>> _retry_after_s("Wed, 21 Oct 2015 07:28:00 GMT")  # in the past: no wait
    0.0
    """
    if value is None:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _cannot_connect(exc: BaseException) -> bool:
    """Whether a requests error means no connection could be opened (refused, no DNS)."""
    from urllib3.exceptions import MaxRetryError, NewConnectionError

    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError)


def _read_cache(path: Path) -> dict[str, Any] | None:
    """A cached Overpass answer, or None when absent or unreadable (then it is removed)."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        log.warning("Overpass cache file %s is unreadable (%s); fetching again", path, exc)
        with suppress(OSError):
            path.unlink()
        return None
    if not isinstance(data, dict) or not data.get("elements"):
        log.warning("Overpass cache file %s holds no elements; fetching again", path)
        with suppress(OSError):
            path.unlink()
        return None
    log.info("Overpass answer served from the cache file %s", path)
    return data


def _write_cache(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` to ``path`` atomically (:func:`jinan_gis.geo.files.write_text_atomic`)."""
    write_text_atomic(path, json.dumps(data))
    log.info("Overpass answer saved to the cache file %s", path)


def _bounded_request(
    data: Any, *, max_attempts: int, max_wait_s: float, backoff_s: float, fix: str
) -> dict[str, Any]:
    """OSMnx's ``_overpass_request`` with bounded retries and a cache of good answers only."""
    # Long on purpose: one retry loop whose branches (timeout, refused, HTTP status, broken
    # JSON, server remark) each decide between retrying, failing and caching.
    import requests
    from osmnx import _http, _overpass
    from osmnx import settings as ox_settings

    url = ox_settings.overpass_url.rstrip("/") + "/interpreter"
    key = str(requests.Request("GET", url, params=data).prepare().url)
    cache_file = _http._resolve_cache_filepath(key) if ox_settings.use_cache else None
    if cache_file is not None:
        cached = _read_cache(cache_file)
        if cached is not None:
            return cached
    _http._config_dns(ox_settings.overpass_url)
    timeout = ox_settings.requests_timeout
    problems: list[str] = []
    for attempt in range(1, max_attempts + 1):
        pause = min(float(_overpass._get_overpass_pause(ox_settings.overpass_url)), max_wait_s)
        if pause > 0:
            log.info("Overpass: waiting %.1f s for a free slot", pause)
            time.sleep(pause)
        wait = min(max_wait_s, backoff_s * 2 ** (attempt - 1))
        try:
            response = requests.post(
                url,
                data=data,
                timeout=timeout,
                headers=_http._get_http_headers(),
                **ox_settings.requests_kwargs,
            )
            body = response.content
        except requests.exceptions.Timeout:
            problem = f"no answer within timeout_s={timeout:g} s"
        except requests.exceptions.RequestException as exc:
            if _cannot_connect(exc):
                raise OverpassError(
                    f"cannot connect to Overpass at {url} ({exc}); not retried. {fix}"
                ) from exc
            problem = f"connection broken ({type(exc).__name__}: {exc})"
        else:
            status = response.status_code
            if status in RETRY_STATUS:
                after = _retry_after_s(response.headers.get("Retry-After"))
                problem = f"HTTP {status} {response.reason}" + (
                    f" (Retry-After: {response.headers['Retry-After']})" if after is not None
                    else ""
                )
                if after is not None:
                    if after > max_wait_s:
                        log.warning(
                            "Overpass asks to wait %g s; waiting max_wait_s=%g s instead",
                            after, max_wait_s,
                        )
                    wait = min(after, max_wait_s)
            elif not response.ok:
                snippet = body[:200].decode("utf-8", "replace").strip()
                raise OverpassError(
                    f"Overpass at {url} answered HTTP {status} {response.reason} "
                    f"({snippet!r}); a query the server refuses is not retried. {fix}"
                )
            else:
                try:
                    answer = json.loads(body.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    problem = f"truncated or malformed JSON ({len(body)} bytes: {exc})"
                else:
                    if not isinstance(answer, dict) or not isinstance(
                        answer.get("elements"), list
                    ):
                        problem = "the answer is not Overpass JSON (no 'elements' list)"
                    elif "remark" in answer:
                        raise OverpassError(
                            f"Overpass at {url} stopped the query: {answer['remark']!r} (not "
                            "cached). Raise timeout_s, download a smaller area, or use another "
                            f"server. {fix}"
                        )
                    else:
                        if not answer["elements"]:
                            log.warning(
                                "Overpass at %s returned no elements; the empty answer is not "
                                "cached", url,
                            )
                        elif cache_file is not None:
                            _write_cache(cache_file, answer)
                        return answer
        problems.append(f"attempt {attempt}: {problem}")
        if attempt < max_attempts:
            log.warning(
                "Overpass at %s: %s; trying again in %.1f s (attempt %d of %d)",
                url, problem, wait, attempt + 1, max_attempts,
            )
            time.sleep(wait)
    raise OverpassError(
        f"Overpass at {url} failed {max_attempts} time(s): {'; '.join(problems)}. Nothing was "
        f"cached. {fix}"
    )


@contextmanager
def bounded_overpass_requests(
    *,
    max_attempts: int = OVERPASS_MAX_ATTEMPTS,
    max_wait_s: float = 60.0,
    backoff_s: float = 5.0,
    fix: str = "Try again later or use another Overpass server (overpass_url=...).",
) -> Iterator[None]:
    """Make OSMnx's Overpass queries retry a bounded number of times inside a ``with`` block.

    Replaces ``osmnx._overpass._overpass_request`` (restored afterwards; serialised by the
    same lock as :func:`osmnx_settings`) with a version that tries each query at most
    ``max_attempts`` times and caches good, non-empty answers only (see the module notes).

    Parameters
    ----------
    max_attempts : int
        Tries per query (>= 1).
    max_wait_s : float
        Longest wait between tries (a longer ``Retry-After``, or the ``/status`` slot wait,
        is cut to this).
    backoff_s : float
        First wait when the server gives no ``Retry-After``; doubled after each try.
    fix : str
        Appended to the final :class:`OverpassError` (what the user can do).

    Raises
    ------
    JinanGISError
        For ``max_attempts < 1`` or negative waits.

    Examples
    --------
    >>> import osmnx._overpass as op
    >>> before = op._overpass_request
    >>> with bounded_overpass_requests(max_attempts=2, max_wait_s=1):
    ...     op._overpass_request is before
    False
    >>> op._overpass_request is before
    True
    """
    if max_attempts < 1:
        raise JinanGISError(f"max_attempts must be >= 1, got {max_attempts}.")
    if not (max_wait_s >= 0 and backoff_s >= 0):
        raise JinanGISError(
            f"max_wait_s and backoff_s must be >= 0 seconds, got {max_wait_s}, {backoff_s}."
        )
    from osmnx import _overpass

    def request(data: Any) -> dict[str, Any]:
        return _bounded_request(
            data, max_attempts=max_attempts, max_wait_s=max_wait_s, backoff_s=backoff_s, fix=fix
        )

    with _OSMNX_LOCK:
        original = _overpass._overpass_request
        _overpass._overpass_request = request
        try:
            yield
        finally:
            _overpass._overpass_request = original


def download_overpass_graph(
    polygon_lonlat: BaseGeometry,
    *,
    mode: str,
    overpass_url: str = DEFAULT_OVERPASS_URL,
    timeout_s: float = 180,
    cache_dir: str | Path | None = None,
    doh_url_template: str | None = None,
    rate_limit: bool = True,
    max_attempts: int = OVERPASS_MAX_ATTEMPTS,
    max_wait_s: float = 60.0,
    backoff_s: float = 5.0,
) -> nx.MultiDiGraph:
    """Download the OSM street graph of ``mode`` inside a lon/lat polygon with OSMnx.

    Parameters
    ----------
    polygon_lonlat : Polygon or MultiPolygon
        Area in WGS84 longitude/latitude.
    mode : {"walk", "bike", "drive", "all"}
        Mapped to OSMnx's ``network_type`` by :data:`jinan_gis.layers.osm.OSMNX_NETWORK_TYPE`.
    overpass_url : str
        Base URL of the Overpass instance (without ``/interpreter``).
    timeout_s : float
        HTTP timeout, also sent to the server as the query's ``[timeout:]``.
    cache_dir : str or Path, optional
        Folder for OSMnx's response cache; None downloads without caching.
    doh_url_template : str, optional
        DNS-over-HTTPS URL template OSMnx falls back to when the host name does not resolve
        (e.g. ``"https://8.8.8.8/resolve?name={hostname}"``); None resolves by name only.
    rate_limit : bool
        Ask the server's ``/status`` how long to wait before each query (Overpass etiquette).
        Mirrors without a ``/status`` endpoint make OSMnx wait 60 s: pass False for those.
    max_attempts, max_wait_s, backoff_s
        Bounded retries of busy answers, timeouts and broken JSON (see
        :func:`bounded_overpass_requests`).

    Raises
    ------
    OverpassError
        When the server cannot be reached or keeps failing after ``max_attempts`` tries, or
        refuses the query.
    LayerError
        When the server returns no ways for the area (nothing is cached then).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> G = download_overpass_graph(  # doctest: +SKIP
    ...     box(117.00, 36.65, 117.01, 36.66), mode="walk",
    ...     overpass_url=OVERPASS_MIRRORS["kumi"], cache_dir="cache/overpass")
    """
    import osmnx as ox
    import requests
    from osmnx._errors import InsufficientResponseError, ResponseStatusCodeError

    values: dict[str, Any] = {
        "overpass_url": overpass_url.rstrip("/"),
        "requests_timeout": timeout_s,
        "use_cache": cache_dir is not None,
        "cache_only_mode": False,
        "doh_url_template": doh_url_template,
        "overpass_rate_limit": rate_limit,
        "useful_tags_way": sorted(set(ox.settings.useful_tags_way) | set(RULE_TAG_KEYS)),
        "bidirectional_network_types": ["walk"],
        "all_oneway": False,
        "default_access": '["access"!~"private"]',
    }
    if cache_dir is not None:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        values["cache_folder"] = str(cache_dir)
    fix = (
        f"Check that {overpass_url} is reachable (from mainland China pass a mirror as "
        "overpass_url=..., see jinan_gis.layers.overpass.OVERPASS_MIRRORS), raise timeout_s, "
        "pass cache_dir= to reuse an earlier download, or download an .osm.pbf extract and "
        "use source='osm-file'."
    )
    try:
        with osmnx_settings(**values), bounded_overpass_requests(
            max_attempts=max_attempts, max_wait_s=max_wait_s, backoff_s=backoff_s, fix=fix
        ):
            return ox.graph_from_polygon(
                polygon_lonlat,
                network_type=OSMNX_NETWORK_TYPE[mode],
                simplify=False,
                retain_all=True,
                truncate_by_edge=False,
            )
    except requests.exceptions.RequestException as exc:
        raise OverpassError(f"Overpass request failed: {exc}. {fix}") from exc
    except ResponseStatusCodeError as exc:
        raise OverpassError(f"Overpass server answered with an error: {exc}. {fix}") from exc
    except InsufficientResponseError as exc:
        if "No data elements" in str(exc):
            raise LayerError(
                f"Overpass returned no {mode} streets for the area. Check the area (and its "
                "CRS: a bare polygon must be in the layer CRS, EPSG:4548 by default)."
            ) from exc
        raise OverpassError(f"Overpass answer unusable: {exc}. {fix}") from exc
