"""One GeoPackage holding layers, their rejection tables and their provenance.

:class:`LayerStore` keeps, per layer ``<name>``:

* the layer itself (a spatial table ``<name>``);
* its rejection table (a non-spatial table ``<name>__rejected``: ``input_row``, ``reason``,
  then the rejected rows' original values, stored as text);
* one row of the metadata table :data:`META_TABLE` (``jinan_gis_layers``): ``name``,
  ``source``, ``datum``, ``crs``, ``written_at`` (UTC), ``n_input``, ``n_kept``,
  ``n_rejected`` and the whole provenance as JSON (``provenance_json``).

Writes are **atomic** (:func:`jinan_gis.geo.files.atomic_path`): the GeoPackage is copied to
a temporary file in the same directory, the copy is written, and :func:`os.replace` puts it
over the original; if anything fails midway the temporary file is removed and the previous
version stays as it was. (Each write copies the file: fine for analysis layers, slow for
gigabytes. One writer at a time.)

Examples
--------
>>> import tempfile, pathlib, geopandas as gpd
>>> from shapely.geometry import Point
>>> store = LayerStore(pathlib.Path(tempfile.mkdtemp()) / "jinan.gpkg")
>>> gdf = gpd.GeoDataFrame({"name": ["泉城书房"]}, geometry=[Point(500_000, 4_060_000)],
...                        crs="EPSG:4548")
>>> store.write("libraries", gdf, provenance={"source": "synthetic", "datum": "wgs84"})
>>> store.names()
['libraries']
>>> res = store.read("libraries")
>>> res.layer["name"].tolist(), res.n_input, res.provenance["source"]
(['泉城书房'], 1, 'synthetic')
"""

from __future__ import annotations

import json
import logging
import re
import stat
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from ..geo.crs import require_crs
from ..geo.errors import InputDataError, LayerError
from ..geo.files import atomic_path
from ..geo.missing import is_missing
from .result import LoadResult, rejection_table
from .schema import check_layer_columns

__all__ = ["META_TABLE", "REJECTED_SUFFIX", "LayerStore"]

log = logging.getLogger(__name__)

META_TABLE = "jinan_gis_layers"
"""The metadata table: one row per layer."""

REJECTED_SUFFIX = "__rejected"
"""Suffix of each layer's rejection table."""

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_META_COLUMNS = (
    "name",
    "source",
    "datum",
    "crs",
    "written_at",
    "n_input",
    "n_kept",
    "n_rejected",
    "provenance_json",
)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if is_missing(value):
        return None
    return str(value)


def _write_frame(path: Path, frame: pd.DataFrame, *, layer: str) -> None:
    """Write (or replace) one table of the GeoPackage at ``path`` with pyogrio."""
    if isinstance(frame, gpd.GeoDataFrame):
        pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG")
    else:
        pyogrio.write_dataframe(pd.DataFrame(frame), path, layer=layer, driver="GPKG")


def _as_text_table(rejected: pd.DataFrame) -> pd.DataFrame:
    """The rejection table with unique string column names and text values (GPKG-safe)."""
    out = pd.DataFrame(index=range(len(rejected)))
    out["input_row"] = pd.to_numeric(rejected["input_row"]).astype(np.int64).to_numpy()
    out["reason"] = pd.Series(
        [None if v is None else str(v) for v in rejected["reason"]], dtype=object
    )
    used = {"input_row", "reason", "fid"}
    for col in rejected.columns:
        if col in ("input_row", "reason"):
            continue
        name = str(col)
        while name.casefold() in {u.casefold() for u in used}:
            name = f"{name}_"
        used.add(name)
        out[name] = pd.Series(
            [
                None if is_missing(v) else str(v)
                for v in rejected[col]
            ],
            dtype=object,
        )
    return out


def _none_for_missing_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as object with None for missing (as the loaders make them)."""
    out = frame.copy()
    for col in out.columns:
        dtype = out[col].dtype
        if pd.api.types.is_string_dtype(dtype) and not isinstance(dtype, gpd.array.GeometryDtype):
            values = out[col].astype(object)
            out[col] = values.where(values.notna(), None)
    return out


class LayerStore:
    """Layers, rejection tables and provenance in one GeoPackage (atomic writes).

    Parameters
    ----------
    path : path
        The ``.gpkg`` file (created on the first write; its directory must exist).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"LayerStore({str(self.path)!r})"

    # ------------------------------------------------------------------------- reading

    def _meta(self) -> pd.DataFrame:
        if not self.path.exists():
            return pd.DataFrame(columns=list(_META_COLUMNS))
        tables = {str(n) for n in pyogrio.list_layers(self.path)[:, 0]}
        if META_TABLE not in tables:
            return pd.DataFrame(columns=list(_META_COLUMNS))
        return pyogrio.read_dataframe(self.path, layer=META_TABLE, read_geometry=False)

    def _check_writable(self) -> None:
        """Refuse to write where a write would destroy or defy something: a path that is not a
        ``.gpkg``, an existing file that is not a jinan-gis store (a user's own data), a
        read-only file (no write permission bit, even for root) or folder."""
        p = self.path
        fix = "choose a new .gpkg path (created on the first write) or an existing store"
        if p.suffix.lower() != ".gpkg":
            raise LayerError(f"{p}: a layer store is a GeoPackage (.gpkg); {fix}.")
        if p.exists():
            if not p.is_file():
                raise LayerError(f"{p} is a folder, not a layer store; {fix}.")
            try:
                tables = {str(n) for n in pyogrio.list_layers(p)[:, 0]}
            except Exception:  # any unreadable file is "not a store"
                tables = set()
            if META_TABLE not in tables:
                raise LayerError(f"{p} exists and is not a jinan-gis layer store (no "
                                 f"{META_TABLE} table): it is left untouched; {fix}.")
            if not p.stat().st_mode & stat.S_IWUSR:
                raise LayerError(f"{p} is read-only: it is left untouched; make it writable "
                                 f"(chmod u+w) or {fix}.")
        folder = p.parent if str(p.parent) else Path(".")
        if folder.exists() and not folder.stat().st_mode & stat.S_IWUSR:
            raise LayerError(f"{folder} is read-only: cannot write {p.name} there; {fix}.")

    def names(self) -> list[str]:
        """The layers in the store, sorted."""
        return sorted(str(n) for n in self._meta()["name"])

    def _row(self, name: str) -> pd.Series:
        meta = self._meta()
        hit = meta.loc[meta["name"] == name]
        if hit.empty:
            raise LayerError(
                f"{self.path}: no layer {name!r}. Layers stored: {self.names()}. Write it first "
                "with LayerStore.write(name, result)."
            )
        return hit.iloc[0]

    def provenance(self, name: str) -> dict[str, Any]:
        """The provenance of layer ``name`` (as written, plus ``written_at``)."""
        row = self._row(name)
        prov = json.loads(row["provenance_json"])
        return dict(prov)

    def read(self, name: str, *, kind: str | None = None) -> LoadResult:
        """Read layer ``name``: the layer, its rejection table, ``n_input`` and provenance.

        Rejected rows' original values come back as text.

        Parameters
        ----------
        name : str
        kind : {"streets", "facilities", "population", "zones", "districts"}, optional
            Check that the layer has the columns the analyses rely on for this kind
            (:func:`~jinan_gis.layers.schema.check_layer_columns`); unchecked when None.
        """
        row = self._row(name)
        layer = pyogrio.read_dataframe(self.path, layer=name)
        if kind is not None:
            check_layer_columns(layer, kind, what=f"{self.path}: layer {name!r}")
        rejected = pyogrio.read_dataframe(
            self.path, layer=name + REJECTED_SUFFIX, read_geometry=False
        )
        result = LoadResult(
            layer=_none_for_missing_text(layer),
            rejected=_none_for_missing_text(pd.DataFrame(rejected).reset_index(drop=True)),
            n_input=int(row["n_input"]),
            provenance=json.loads(row["provenance_json"]),
        )
        return result.check_accounting()

    # ------------------------------------------------------------------------- writing

    def _check_name(self, name: str) -> None:
        if (
            not _NAME.match(name)
            or name.endswith(REJECTED_SUFFIX)
            or name == META_TABLE
            or name.lower().startswith(("gpkg_", "rtree_", "sqlite_"))
        ):
            raise InputDataError(
                f"layer name {name!r} is not allowed: use letters, digits and underscores, "
                f"starting with a letter, not ending in {REJECTED_SUFFIX!r} and not "
                f"{META_TABLE!r} or gpkg_/rtree_/sqlite_..."
            )

    def write(
        self,
        name: str,
        data: LoadResult | gpd.GeoDataFrame,
        *,
        provenance: Mapping[str, Any] | None = None,
        replace_empty: bool = False,
    ) -> None:
        """Write (or replace) layer ``name`` with its rejection table and provenance, atomically.

        A stored layer is never replaced by one that kept no row (an import that failed
        everywhere) unless ``replace_empty=True``: :class:`LayerError` is raised and the store
        is left exactly as it was.

        Parameters
        ----------
        name : str
            Letters, digits, underscores; starts with a letter.
        data : LoadResult or geopandas.GeoDataFrame
            A GeoDataFrame is stored with no rejections and ``n_input = len(data)``. It must
            have a CRS. Not changed.
        provenance : mapping, optional
            Merged over the result's provenance (source, datum, date, notes...).
        """
        self._check_name(name)
        self._check_writable()
        if isinstance(data, LoadResult):
            result = data.check_accounting()
        elif isinstance(data, gpd.GeoDataFrame):
            result = LoadResult(layer=data, rejected=rejection_table(), n_input=len(data))
        else:
            raise InputDataError(
                f"LayerStore.write({name!r}): expected a LoadResult or GeoDataFrame, got "
                f"{type(data).__name__}."
            )
        require_crs(result.layer, what=f"layer {name!r}")
        if len(result.layer) == 0 and not replace_empty and name in self.names():
            reasons = "; ".join(f"{r}: {n}" for r, n in
                                result.rejected["reason"].value_counts().items()) or "no rows"
            raise LayerError(
                f"{result.provenance.get('source', name)}: 0 of {result.n_input} rows kept "
                f"({reasons}), so the stored layer {name!r} is left as it was; fix the file "
                "(see the rejection table), or store the empty layer on purpose "
                "(--replace-empty / replace_empty=True)."
            )
        prov = {**result.provenance, **(provenance or {})}
        written_at = datetime.now(UTC).isoformat(timespec="seconds")
        prov["written_at"] = written_at
        crs = result.layer.crs.to_string()
        meta_row = {
            "name": name,
            "source": str(prov.get("source", "")),
            "datum": str(prov.get("datum", "")),
            "crs": crs,
            "written_at": written_at,
            "n_input": int(result.n_input),
            "n_kept": int(result.n_kept),
            "n_rejected": int(result.n_rejected),
            "provenance_json": json.dumps(prov, default=_json_default, ensure_ascii=False),
        }
        meta = self._meta()
        meta = meta.loc[meta["name"] != name]
        meta = pd.concat([meta, pd.DataFrame([meta_row])], ignore_index=True)
        meta["n_input"] = meta["n_input"].astype(np.int64)
        meta["n_kept"] = meta["n_kept"].astype(np.int64)
        meta["n_rejected"] = meta["n_rejected"].astype(np.int64)

        with atomic_path(self.path, suffix=".tmp.gpkg", copy_existing=True) as tmp:
            _write_frame(tmp, result.layer, layer=name)
            _write_frame(tmp, _as_text_table(result.rejected), layer=name + REJECTED_SUFFIX)
            _write_frame(tmp, meta[list(_META_COLUMNS)], layer=META_TABLE)
        log.info(
            "%s: wrote %s (%d kept, %d rejected)", self.path, name, result.n_kept, result.n_rejected
        )
