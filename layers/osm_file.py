"""Read OpenStreetMap files (``.osm``, ``.osm.bz2``, ``.osm.gz``, ``.osm.pbf``) as street lines.

:func:`read_streets_osm` is the street loader (``load_streets(source="osm-file")``).

The pipeline, the same for XML and PBF:

1. read every way with a ``highway`` tag (one *input row* each) with the coordinates of its
   nodes: XML with a streaming parser of the standard library, PBF with pyrosm
   (``OSM.get_network(custom_filter={"highway": [True]}, nodes=True)``, in memory, so that
   pyrosm writes no cache files);
2. apply the mode filter of :mod:`jinan_gis.layers.osm` (rejected ways are listed with the
   reason);
3. split the kept ways into lines at every node shared by several kept ways (intersections)
   and where nodes are missing from the file (ways cut by an extract's edge); nodes shared
   with dropped ways (e.g. a motorway when walking) do not split;
4. reverse the node order of ways that are one-way against their digitisation
   (``oneway=-1``), so that every one-way line runs in the permitted direction;
5. keep the lines that intersect the area; a way none of whose lines does is rejected;
6. record the OSM node ids of every line's ends (``u_osm``, ``v_osm``): the network builder
   (:func:`jinan_gis.geo.network.build_network`) keys its nodes by them, so two distinct OSM
   nodes at the same coordinates (a tunnel footway under a street) are not joined.  Lines
   are split at every shared node (step 3), so interior vertices are never junctions.

Whole ways are read before the area is applied: clip very large extracts first (for
example ``osmium extract -b 116.8,36.4,117.4,36.9 shandong.osm.pbf -o jinan.osm.pbf``).

Examples
--------
>>> ways = OSMWays(
...     way_id=[1, 2], tags=[{"highway": "residential"}, {"highway": "footway"}],
...     nodes=[[10, 11, 12], [11, 13]],
...     node_lonlat={10: (117.0, 36.65), 11: (117.001, 36.65), 12: (117.002, 36.65),
...                  13: (117.001, 36.651)})
>>> layer, rejected = ways_to_streets(ways, mode="drive", area=None, crs="EPSG:4548",
...                                   source="osm-file:x.osm")
>>> layer.street_id.tolist(), rejected.reason.tolist()
(['osm-w1-0'], ['not a drive way: highway=footway'])
>>> layer, _ = ways_to_streets(ways, mode="walk", area=None, crs="EPSG:4548", source="x")
>>> layer.street_id.tolist()  # the residential street is split where the footway joins
['osm-w1-0', 'osm-w1-1', 'osm-w2-0']
>>> layer.u_osm.tolist(), layer.v_osm.tolist()  # OSM node ids of the line ends
([10, 11, 11], [11, 12, 13])
"""

from __future__ import annotations

import bz2
import gzip
import json
import logging
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from ..geo.crs import ANALYSIS_CRS
from ..geo.errors import InputDataError
from ..geo.missing import is_missing
from .areas import AreaLike
from .osm import ACCESS_MODES, RULE_TAG_KEYS, exclusion_reason, oneway_direction, way_access
from .result import LoadResult, rejection_table
from .street_load import begin_street_load, finish_street_load
from .street_schema import make_street_layer

__all__ = ["OSM_FILE_SUFFIXES", "OSMWays", "read_osm_ways", "read_streets_osm", "ways_to_streets"]

log = logging.getLogger(__name__)

OSM_FILE_SUFFIXES: tuple[str, ...] = (".osm", ".osm.bz2", ".osm.gz", ".xml", ".osm.pbf", ".pbf")
"""File name endings read as OSM data (``.pbf`` through pyrosm, the rest as OSM XML)."""


@dataclass(frozen=True)
class OSMWays:
    """The highway ways of an OSM file, with the coordinates of their nodes.

    Attributes
    ----------
    way_id : sequence of int
    tags : sequence of dict
        OSM tags of each way.
    nodes : sequence of list of int
        Node ids of each way, in order.
    node_lonlat : dict
        ``node id -> (lon, lat)`` (WGS84) for the nodes present in the file.
    """

    way_id: Sequence[int]
    tags: Sequence[dict[str, str]]
    nodes: Sequence[Sequence[int]]
    node_lonlat: dict[int, tuple[float, float]] = field(repr=False)

    def __len__(self) -> int:
        return len(self.way_id)


def _is_pbf(path: Path) -> bool:
    return path.name.lower().endswith(".pbf")


def read_osm_ways(path: str | Path) -> OSMWays:
    """Read the ways with a ``highway`` tag, and their nodes' coordinates, from an OSM file.

    Parameters
    ----------
    path : str or Path
        ``.osm`` / ``.xml`` (OSM XML), ``.osm.bz2`` / ``.osm.gz`` (compressed XML) or
        ``.osm.pbf`` (needs pyrosm).

    Raises
    ------
    InputDataError
        For a missing or unreadable file, or a PBF file without pyrosm installed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tiny.osm"
    >>> _ = p.write_text(
    ...     '<osm version="0.6"><node id="1" lat="36.65" lon="117.0"/>'
    ...     '<node id="2" lat="36.65" lon="117.001"/>'
    ...     '<way id="9"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way></osm>')
    >>> ways = read_osm_ways(p)
    >>> ways.way_id, ways.tags, ways.nodes
    ([9], [{'highway': 'footway'}], [[1, 2]])
    """
    path = Path(path)
    if not path.is_file():
        raise InputDataError(f"OSM file {str(path)!r} does not exist; check the path.")
    if not path.name.lower().endswith(OSM_FILE_SUFFIXES):
        raise InputDataError(
            f"{path.name}: not an OSM file name; expected one ending in "
            f"{', '.join(OSM_FILE_SUFFIXES)}. Rename it, or use source='centreline' for GIS "
            "road files (shapefile, GeoPackage, GeoJSON)."
        )
    ways = _read_pbf(path) if _is_pbf(path) else _read_xml(path)
    log.info("%s: %d highway ways, %d nodes", path.name, len(ways), len(ways.node_lonlat))
    return ways


@contextmanager
def _open_xml(path: Path) -> Iterator[IO[bytes]]:
    name = path.name.lower()
    if name.endswith(".bz2"):
        with bz2.open(path, "rb") as f:
            yield f
    elif name.endswith(".gz"):
        with gzip.open(path, "rb") as f:
            yield f
    else:
        with path.open("rb") as f:
            yield f


def _read_xml(path: Path) -> OSMWays:
    coords: dict[int, tuple[float, float]] = {}
    way_id: list[int] = []
    tags: list[dict[str, str]] = []
    nodes: list[list[int]] = []
    try:
        with _open_xml(path) as f:
            root = None
            for event, elem in ET.iterparse(f, events=("start", "end")):
                if event == "start":
                    if root is None:
                        root = elem
                    continue
                tag = elem.tag
                if tag == "node":
                    if elem.get("action") != "delete" and elem.get("visible") != "false":
                        lat, lon = elem.get("lat"), elem.get("lon")
                        if lat is not None and lon is not None:
                            coords[int(elem.get("id", "0"))] = (float(lon), float(lat))
                elif tag == "way":
                    t = {e.get("k", ""): e.get("v", "") for e in elem.iter("tag")}
                    if (
                        "highway" in t
                        and elem.get("action") != "delete"
                        and elem.get("visible") != "false"
                    ):
                        way_id.append(int(elem.get("id", "0")))
                        tags.append(t)
                        nodes.append([int(nd.get("ref", "0")) for nd in elem.iter("nd")])
                elif tag != "relation":
                    continue
                elem.clear()
                if root is not None and len(root) > 10_000:
                    root.clear()
    except (ET.ParseError, OSError, EOFError, ValueError) as exc:
        raise InputDataError(
            f"{path.name}: cannot be read as OSM XML ({exc}). Check that the file is complete "
            "(re-download it) and that its name matches its format (.osm, .osm.bz2, .osm.gz, "
            ".osm.pbf)."
        ) from exc
    return OSMWays(way_id=way_id, tags=tags, nodes=nodes, node_lonlat=coords)


def _read_pbf(path: Path) -> OSMWays:
    try:
        import pyrosm
    except ImportError as exc:  # pragma: no cover - pyrosm is installed in dev
        raise InputDataError(
            f"{path.name}: reading .osm.pbf needs pyrosm (pip install pyrosm), or convert the "
            "file to XML first (osmium cat in.osm.pbf -o out.osm.bz2)."
        ) from exc
    try:
        osm = pyrosm.OSM(
            str(path), engine="in_memory", progress=False, keep_node_info=True,
            keep_metadata=False,
        )
        got = osm.get_network(
            custom_filter={"highway": [True]},
            filter_type="keep",
            nodes=True,
            extra_attributes=list(RULE_TAG_KEYS),
        )
    except (OSError, ValueError, RuntimeError) as exc:
        raise InputDataError(
            f"{path.name}: cannot be read as OSM PBF ({exc}). Check that the file is complete "
            "(re-download it)."
        ) from exc
    if got is None or got[1] is None or len(got[1]) == 0:
        return OSMWays(way_id=[], tags=[], nodes=[], node_lonlat={})
    node_gdf, edges = got
    coords = dict(
        zip(
            node_gdf["id"].to_numpy(np.int64).tolist(),
            zip(node_gdf["lon"].to_numpy(float).tolist(), node_gdf["lat"].to_numpy(float).tolist(),
                strict=True),
            strict=True,
        )
    )
    ways = edges.drop_duplicates("id")
    keys = [k for k in RULE_TAG_KEYS if k in ways.columns]
    records = ways[keys].to_dict("records")
    extra = ways["tags"].tolist() if "tags" in ways.columns else [None] * len(ways)
    tags: list[dict[str, str]] = []
    for rec, other in zip(records, extra, strict=True):
        t = {k: str(v) for k, v in rec.items() if not is_missing(v)}
        if isinstance(other, str) and other:
            try:
                parsed = json.loads(other)
            except ValueError:
                parsed = {}
            for k in RULE_TAG_KEYS:
                if k not in t and parsed.get(k) is not None:
                    t[k] = str(parsed[k])
        tags.append(t)
    return OSMWays(
        way_id=ways["id"].to_numpy(np.int64).tolist(),
        tags=tags,
        nodes=[list(map(int, n)) for n in ways["nodes"]],
        node_lonlat=coords,
    )


def _runs(nodes: Sequence[int], have: dict[int, tuple[float, float]]) -> list[list[int]]:
    """Runs of consecutive nodes present in the file (repeated neighbours collapsed)."""
    runs: list[list[int]] = []
    cur: list[int] = []
    for n in nodes:
        if n not in have:
            if len(cur) >= 2:
                runs.append(cur)
            cur = []
        elif not cur or cur[-1] != n:
            cur.append(n)
    if len(cur) >= 2:
        runs.append(cur)
    return runs


def ways_to_streets(
    ways: OSMWays,
    *,
    mode: str,
    area: BaseGeometry | None,
    crs: Any,
    source: str,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Turn OSM ways into a street layer for ``mode`` (steps 2-5 of the module docstring).

    Parameters
    ----------
    ways : OSMWays
    mode : {"walk", "bike", "drive", "all"}
    area : shapely geometry in ``crs``, or None
        Lines that do not intersect it are dropped.
    crs : CRS-like (metric)
        CRS of the returned layer.
    source : str
        Value of the ``source`` column.

    Returns
    -------
    (GeoDataFrame, DataFrame)
        The street layer (schema of :mod:`jinan_gis.layers.street_schema`, plus ``osm_id``
        and ``u_osm``/``v_osm``, the OSM node ids of each line's first and last vertex)
        and the rejection table (``input_row``, ``reason``, ``osm_id``, ``highway``,
        ``name``); ``input_row`` is the way's position in ``ways``.
    """
    # Long on purpose: filter, split at shared nodes, orient, clip and assemble share the
    # per-piece arrays (rows, ids, node ends, coordinates) built in one pass.
    rejected: list[dict[str, Any]] = []

    def reject(i: int, reason: str) -> None:
        t = ways.tags[i]
        rejected.append(
            {
                "input_row": i,
                "reason": reason,
                "osm_id": int(ways.way_id[i]),
                "highway": t.get("highway"),
                "name": t.get("name"),
            }
        )

    kept: list[tuple[int, list[list[int]]]] = []
    for i, t in enumerate(ways.tags):
        reason = exclusion_reason(t, mode)
        if reason is not None:
            reject(i, reason)
            continue
        runs = _runs(ways.nodes[i], ways.node_lonlat)
        if not runs:
            reject(i, "fewer than 2 of its nodes in the file")
            continue
        kept.append((i, runs))

    use: Counter[int] = Counter()
    for _, runs in kept:
        for run in runs:
            use.update(run)
            use[run[0]] += 1
            use[run[-1]] += 1
    split = {n for n, c in use.items() if c >= 2}

    piece_row: list[int] = []
    piece_k: list[int] = []
    piece_dir: list[int] = []
    piece_u: list[int] = []
    piece_v: list[int] = []
    lon: list[float] = []
    lat: list[float] = []
    piece_of_coord: list[int] = []
    for i, runs in kept:
        direction = oneway_direction(ways.tags[i], mode)
        pieces: list[list[int]] = []
        for run in runs:
            start = 0
            for j in range(1, len(run)):
                if run[j] in split or j == len(run) - 1:
                    pieces.append(run[start : j + 1])
                    start = j
        if direction == -1:
            pieces = [p[::-1] for p in reversed(pieces)]
        for k, piece in enumerate(pieces):
            p_idx = len(piece_row)
            piece_row.append(i)
            piece_k.append(k)
            piece_dir.append(direction)
            piece_u.append(piece[0])
            piece_v.append(piece[-1])
            for n in piece:
                x, y = ways.node_lonlat[n]
                lon.append(x)
                lat.append(y)
                piece_of_coord.append(p_idx)

    if piece_row:
        tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        x, y = tr.transform(np.asarray(lon), np.asarray(lat))
        geoms = shapely.linestrings(np.column_stack([x, y]), indices=np.asarray(piece_of_coord))
    else:
        geoms = np.array([], dtype=object)
    rows = np.asarray(piece_row, dtype=np.int64)
    finite = np.isfinite(shapely.get_coordinates(geoms)).all(axis=1) if len(geoms) else None
    ok_len = shapely.length(geoms) > 0 if len(geoms) else np.array([], bool)
    if finite is not None and not finite.all():
        bad_piece = np.zeros(len(geoms), bool)
        coord_piece = np.asarray(piece_of_coord)
        bad_piece[coord_piece[~finite]] = True
        ok_len &= ~bad_piece
    in_area = ok_len.copy()
    if area is not None and len(geoms):
        shapely.prepare(area)
        in_area[ok_len] = shapely.intersects(area, geoms[ok_len])

    for i, _ in kept:
        sel = rows == i
        if not in_area[sel].any():
            reject(i, "outside the area" if ok_len[sel].any() else "zero length")

    keep = in_area
    krows = rows[keep]
    access = {i: way_access(ways.tags[i]) for i in set(krows.tolist())}
    data: dict[str, Any] = {
        "street_id": [
            f"osm-w{ways.way_id[i]}-{k}"
            for i, k in zip(krows.tolist(), np.asarray(piece_k)[keep].tolist(), strict=True)
        ],
        "name": [ways.tags[i].get("name") for i in krows],
        "highway": [ways.tags[i].get("highway") for i in krows],
        "oneway": np.asarray(piece_dir, dtype=np.int64)[keep] != 0,
        "source": [source] * len(krows),
        "input_row": krows,
        "osm_id": np.asarray([ways.way_id[i] for i in krows], dtype=np.int64),
        "u_osm": np.asarray(piece_u, dtype=np.int64)[keep],
        "v_osm": np.asarray(piece_v, dtype=np.int64)[keep],
    }
    for m in ACCESS_MODES:
        data[m] = [access[i][m] for i in krows.tolist()]
    layer = make_street_layer(data, geoms[keep], crs=crs, extra=("osm_id", "u_osm", "v_osm"))
    rej = rejection_table(sorted(rejected, key=lambda r: r["input_row"]))
    return layer, rej


def read_streets_osm(
    path: str | Path,
    *,
    area: AreaLike,
    mode: str = "walk",
    buffer_m: float = 1000.0,
    crs: Any = ANALYSIS_CRS,
) -> LoadResult:
    """Read the streets of an area for one travel mode from an OSM file, in the street schema.

    Parameters
    ----------
    path : str or Path
        ``.osm``, ``.osm.bz2``, ``.osm.gz`` or ``.osm.pbf`` (see :func:`read_osm_ways`).
    area : str, int, shapely geometry, GeoDataFrame or GeoSeries
        District code or name, a shapely polygon in ``crs``, or a GeoDataFrame/GeoSeries with
        a CRS (see :func:`jinan_gis.layers.areas.resolve_area`).
    mode : {"walk", "bike", "drive", "all"}
    buffer_m : float, default 1000
        Streets this far outside the area are kept too.
    crs : CRS-like, default EPSG:4548
        Metric CRS of the layer.

    Returns
    -------
    LoadResult
        As :func:`jinan_gis.layers.streets.load_streets` describes (an input row is an OSM
        way); provenance adds ``path`` and ``osm_nodes``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from shapely.geometry import box
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tiny.osm"
    >>> _ = p.write_text(
    ...     '<osm version="0.6"><node id="1" lat="36.65" lon="117.0"/>'
    ...     '<node id="2" lat="36.65" lon="117.001"/>'
    ...     '<way id="9"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way></osm>')
    >>> res = read_streets_osm(p, area=box(499_000, 4_055_000, 501_000, 4_058_000))
    >>> res.layer.street_id.tolist(), res.provenance["source"]
    (['osm-w9-0'], 'osm-file:tiny.osm')
    """
    p = Path(path)
    target, geom, prov = begin_street_load(area, mode=mode, buffer_m=buffer_m, crs=crs)
    label = f"osm-file:{p.name}"
    ways = read_osm_ways(p)
    lines, rejected = ways_to_streets(ways, mode=mode, area=geom, crs=target, source=label)
    prov.update(path=str(p), osm_nodes=len(ways.node_lonlat))
    return finish_street_load(lines, rejected, n_input=len(ways), label=label, prov=prov)
