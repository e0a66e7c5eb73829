"""Finding the vector layer in what was handed over: zips, folders inside zips, ``.cpg`` files.

:func:`vector_source` turns a path into what GDAL should open: a ``.zip`` is looked into
(a shapefile, GeoPackage or GeoJSON at any depth, e.g. ``export/roads/roads.shp``); one
dataset is read, several are listed with the fix (``--layer NAME`` / ``layer='NAME'``,
NAME the member's file name or path inside the zip). :func:`shapefile_encodings` says which
encodings to try for a shapefile's attributes: ``encoding=``, else the ``.cpg`` (ArcGIS code
pages such as ``936``/``ANSI 936``/``950``, QGIS names such as ``UTF-8``/``GBK``), else
the ``.dbf`` bytes decide (:func:`~jinan_gis.layers.encoding.detect_encoding`: UTF-8,
GBK/GB18030 or Big5; ambiguous bytes are refused naming ``--encoding``).

Examples
--------
>>> import tempfile, pathlib, zipfile, geopandas as gpd
>>> from shapely.geometry import Point
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> gpd.GeoDataFrame({"n": [1]}, geometry=[Point(117, 36.6)], crs="EPSG:4326").to_file(
...     d / "poi.shp")
>>> with zipfile.ZipFile(d / "export.zip", "w") as z:
...     for f in d.glob("poi.*"):
...         z.write(f, f"export/data/{f.name}")
>>> src, layer, info = vector_source(d / "export.zip", None)
>>> src.endswith("export.zip/export/data/poi.shp"), layer, info["zip_member"]
(True, None, 'export/data/poi.shp')
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from ..geo.errors import InputDataError
from .encoding import check_encoding, cpg_encoding, dbf_text_bytes, detect_encoding

__all__ = ["VECTOR_SUFFIXES", "shapefile_encodings", "vector_source"]

VECTOR_SUFFIXES: tuple[str, ...] = (".shp", ".gpkg", ".geojson", ".json", ".kml", ".gml", ".tab")
"""Files inside a zip that are datasets."""


def _members(p: Path) -> list[str]:
    try:
        with zipfile.ZipFile(p) as z:
            names = z.namelist()
    except zipfile.BadZipFile as exc:
        raise InputDataError(f"{p.name}: not a readable zip file ({exc}).") from exc
    return [
        n for n in names
        if PurePosixPath(n).suffix.lower() in VECTOR_SUFFIXES
        and not PurePosixPath(n).name.startswith(("._", "~"))
        and "__MACOSX" not in n
    ]


def vector_source(path: str | Path, layer: str | int | None) -> tuple[str, str | int | None,
                                                                       dict[str, Any]]:
    """What to open for ``path`` and which layer: ``(gdal_path, layer, info)``.

    For a ``.zip``, ``layer`` may name a member (its file name, stem or path inside the
    zip); it is then used up (the layer inside is the member's only one, or None).
    """
    p = Path(path)
    if p.suffix.lower() != ".zip":
        return str(p), layer, {}
    members = _members(p)
    if not members:
        raise InputDataError(
            f"{p.name}: the zip holds no shapefile, GeoPackage or GeoJSON (looked for "
            f"{', '.join(VECTOR_SUFFIXES)} at any depth). Unzip it and check its contents."
        )
    chosen = members
    rest = layer
    if layer is not None and len(members) > 1:
        key = str(layer)
        chosen = [m for m in members if key in (m, PurePosixPath(m).name,
                                                 PurePosixPath(m).stem)]
        rest = None
    if len(chosen) != 1:
        raise InputDataError(
            f"{p.name}: the zip holds {len(members)} datasets ({', '.join(members)}). Name "
            f"one: --layer NAME / layer='NAME' (e.g. --layer {PurePosixPath(members[0]).stem})."
        )
    member = chosen[0]
    return f"/vsizip/{p.resolve()}/{member}", rest, {"zip_member": member}


def _zip_bytes(zip_path: str, suffix: str) -> bytes | None:
    """The bytes of the sibling ``suffix`` file of a shapefile inside a zip, or None."""
    outer, _, member = zip_path[len("/vsizip/"):].partition(".zip/")
    want = str(PurePosixPath(member).with_suffix(suffix)).lower()
    with zipfile.ZipFile(outer + ".zip") as z:
        for n in z.namelist():
            if n.lower() == want:
                return z.read(n)
    return None


def shapefile_encodings(src: str, *, encoding: str | None, source: str
                        ) -> tuple[str | None, str]:
    """The encoding to read a dataset's attributes with, and how it was decided.

    Returns ``(None, "as declared by the file")`` for formats that carry their encoding
    (GeoPackage, GeoJSON: UTF-8).
    """
    check_encoding(encoding, source=source)
    if encoding is not None:
        return encoding, "declared"
    if not src.lower().endswith((".shp", ".dbf")):
        return None, "as declared by the file"
    if src.startswith("/vsizip/"):
        cpg_raw, dbf_raw = _zip_bytes(src, ".cpg"), _zip_bytes(src, ".dbf")
    else:
        stem = Path(src)
        cpg = next((c for c in stem.parent.glob(stem.stem + ".*")
                    if c.suffix.lower() == ".cpg"), None)
        dbf = next((c for c in stem.parent.glob(stem.stem + ".*")
                    if c.suffix.lower() == ".dbf"), None)
        cpg_raw = cpg.read_bytes() if cpg is not None else None
        dbf_raw = dbf_text_bytes(dbf) if dbf is not None else None
    named = cpg_encoding(cpg_raw) if cpg_raw is not None else None
    if named is not None:
        return named, ".cpg"
    if dbf_raw is None or dbf_raw.isascii():
        return None, "plain ASCII or no .dbf"
    if src.startswith("/vsizip/"):  # the raw .dbf: skip its binary header
        dbf_raw = dbf_raw[int.from_bytes(dbf_raw[8:10], "little"):]
    codec, how = detect_encoding(dbf_raw, source=source)
    return {"utf-8-sig": "utf-8"}.get(codec, codec), how
