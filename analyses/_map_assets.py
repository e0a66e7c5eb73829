"""The JavaScript and CSS that exported maps inline (Leaflet 1.9.4, Leaflet.markercluster 1.5.3).

The files live in ``analyses/assets/`` (vendored from the npm registry by
``scripts/vendor_map_assets.py``, pinned and checked against ``assets/MANIFEST.json``).
:func:`inline_assets` returns them as inline ``<style>``/``<script>`` blocks, with the images
Leaflet's CSS refers to embedded as ``data:`` URIs and source-map comments removed, so a map
needs nothing from the network but its base tiles.

Examples
--------
>>> html = inline_assets(("leaflet", "markercluster"))
>>> html.count("<script>"), "<script src" in html, "<link" in html, "url(images/" in html
(2, False, False, False)
>>> asset_versions()["leaflet"]
'1.9.4'
"""

from __future__ import annotations

import base64
import functools
import importlib.resources
import json
import logging
import re
from collections.abc import Iterable

from ..geo.errors import JinanGISError

__all__ = ["ASSET_BUNDLES", "asset_versions", "inline_assets", "page_asset"]

log = logging.getLogger(__name__)

_PACKAGE = "jinan_gis.analyses"

ASSET_BUNDLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "leaflet": (("leaflet/leaflet.css",), ("leaflet/leaflet.js",)),
    "markercluster": (
        ("leaflet.markercluster/MarkerCluster.css",
         "leaflet.markercluster/MarkerCluster.Default.css"),
        ("leaflet.markercluster/leaflet.markercluster.js",),
    ),
}
"""Bundle name -> (CSS files, JS files) under ``assets/``, in load order."""

_SOURCE_MAP = re.compile(r"^\s*//[#@]\s*sourceMappingURL=.*$", re.MULTILINE)
_CSS_URL = re.compile(r"url\((['\"]?)(images/[A-Za-z0-9_.-]+\.png)\1\)")


def _read(rel: str) -> bytes:
    node = importlib.resources.files(_PACKAGE).joinpath("assets", *rel.split("/"))
    try:
        return node.read_bytes()
    except FileNotFoundError as exc:  # pragma: no cover - broken installation
        raise JinanGISError(
            f"map asset {rel!r} is missing from analyses/assets. Reinstall the "
            "package (the assets are package data) or run scripts/vendor_map_assets.py."
        ) from exc


def _css(rel: str) -> str:
    text = _read(rel).decode("utf-8")
    base = rel.rsplit("/", 1)[0]

    def data_uri(m: re.Match[str]) -> str:
        png = _read(f"{base}/{m.group(2)}")
        return "url(data:image/png;base64," + base64.b64encode(png).decode("ascii") + ")"

    text = _CSS_URL.sub(data_uri, text)
    # "behavior: url(#default#VML)" is an old-IE fragment reference, not a download
    return re.sub(r"</(style)", r"<\\/\1", text, flags=re.IGNORECASE)


def _js(rel: str) -> str:
    text = _SOURCE_MAP.sub("", _read(rel).decode("utf-8"))
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)


@functools.lru_cache(maxsize=8)
def _bundle(name: str) -> str:
    if name not in ASSET_BUNDLES:
        raise JinanGISError(
            f"unknown map asset bundle {name!r}; known: {', '.join(ASSET_BUNDLES)}."
        )
    css, js = ASSET_BUNDLES[name]
    parts = [f"<style>\n{_css(rel)}\n</style>" for rel in css]
    parts += [f"<script>\n{_js(rel)}\n</script>" for rel in js]
    return "\n".join(parts)


def inline_assets(names: Iterable[str]) -> str:
    """Return inline ``<style>``/``<script>`` blocks for the named bundles, in the given order.

    Parameters
    ----------
    names : iterable of str
        Keys of :data:`ASSET_BUNDLES` (``"leaflet"`` must come before ``"markercluster"``).

    Returns
    -------
    str
        HTML for the page ``<head>``; it references no URL.
    """
    return "\n".join(_bundle(n) for n in dict.fromkeys(names))


@functools.lru_cache(maxsize=1)
def page_asset(name: str) -> str:
    """The text of the page's own CSS or JS, ``assets/page/<name>`` (not vendored)."""
    return _read(f"page/{name}").decode("utf-8")


def asset_versions() -> dict[str, str]:
    """Return ``{npm package: version}`` of the vendored assets (from ``MANIFEST.json``)."""
    manifest = json.loads(_read("MANIFEST.json").decode("utf-8"))
    return {name: entry["version"] for name, entry in manifest["packages"].items()}
