"""One GeoPackage holding layers, their rejection tables and their provenance.

:class:`LayerStore` keeps, per layer ``<name>``:

* the layer itself (a spatial table ``<name>``);
* its rejection table (a non-spatial table ``<name>__rejected``: ``input_row``, ``reason``,
  then the rejected rows' original values, stored as text);
* one row of the metadata table :data:`META_TABLE` (``jinan_gis_layers``): ``name``,
  ``source``, ``datum``, ``crs``, ``written_at`` (UTC), ``n_input``, ``n_kept``,
  ``n_rejected`` and the whole provenance as JSON (``provenance_json``).

Nothing is lost:

* **atomic**: a write copies the GeoPackage to a temporary file beside it, writes the copy
  and :func:`os.replace` s the original (:func:`jinan_gis.geo.files.atomic_path`: permission
  bits and, where allowed, owner kept). A failure or ``KeyboardInterrupt`` (the command line
  turns SIGTERM into one) removes the temporary file; a process killed outright leaves the
  previous store intact and a stale temporary file the next write removes (:meth:`clean`);
* **one writer at a time**: writers hold ``<store>.lock`` (:class:`filelock.FileLock`:
  ``flock``, released by the kernel when a process dies) while they read, change and replace
  the store, so concurrent imports all land; readers need no lock. (GDAL writes each table
  through its own connection, so copy-and-replace under a lock makes a write all-or-nothing);
* **never guessed**: a stored name needs ``if_exists="replace"`` (the Python default) or
  ``"append"``; ``"error"`` refuses (the command line: ``--replace`` / ``--append``). A layer
  is not replaced by one that kept no row unless ``replace_empty=True``;
* **only stores**: a non-``.gpkg`` path, a user's own file, a damaged or truncated
  GeoPackage, a store of a newer jinan-gis, a read-only file or folder: refused, untouched.

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
>>> store.write("libraries", gdf, if_exists="error")
Traceback (most recent call last):
...
jinan_gis.geo.errors.LayerError: layer 'libraries' is already in .../jinan.gpkg: ...
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import stat
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from ..geo.crs import require_crs
from ..geo.errors import InputDataError, LayerError, ParameterError
from ..geo.files import TEMP_COMPANIONS, atomic_path
from ..geo.missing import is_missing
from ..geo.numbers import check_number
from .result import LoadResult, rejection_table
from .schema import check_layer_columns

__all__ = ["DEFAULT_LOCK_TIMEOUT_S", "META_TABLE", "REJECTED_SUFFIX", "IfExists", "LayerStore"]

log = logging.getLogger(__name__)

META_TABLE = "jinan_gis_layers"
"""The metadata table: one row per layer."""

REJECTED_SUFFIX = "__rejected"
"""Suffix of each layer's rejection table."""

DEFAULT_LOCK_TIMEOUT_S = 60.0
"""How long a writer waits for another writer of the same store before giving up."""

IfExists = Literal["error", "replace", "append"]
"""What writing a layer name that is already stored does."""

_TMP_SUFFIX = ".tmp.gpkg"
_ID_COLUMNS = ("facility_id", "zone_id", "pop_id", "street_id", "code")
_FIX = "choose a new .gpkg path (created on the first write) or an existing store"

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


def _as_result(name: str, data: LoadResult | gpd.GeoDataFrame) -> LoadResult:
    """``data`` as a checked :class:`LoadResult` with a CRS."""
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
    return result


def _families(layer: gpd.GeoDataFrame) -> set[str]:
    """The geometry families of a layer: point, line, polygon."""
    kinds = {str(t).replace("Multi", "").replace("LineString", "Line")
             for t in layer.geometry.geom_type.dropna().unique()}
    return kinds - {"GeometryCollection"}


def _reasons(rejected: pd.DataFrame) -> str:
    return "; ".join(f"{r}: {n}" for r, n in rejected["reason"].value_counts().items()) or "-"


def _duplicates(name: str, stored: gpd.GeoDataFrame, new: gpd.GeoDataFrame, *,
                by_input_row: bool) -> tuple[np.ndarray, pd.DataFrame]:
    """(mask of new rows whose id is stored already, their rejection rows).

    Split layers (``by_input_row``: a street cut into pieces) drop every piece of an input
    row one of whose pieces has a stored id, with one rejection per input row."""
    col = next((c for c in _ID_COLUMNS if c in stored.columns and c in new.columns), None)
    if col is None or new.empty:
        return np.zeros(len(new), dtype=bool), rejection_table()
    seen = {str(v) for v in stored[col] if not is_missing(v)}
    hit = np.array([not is_missing(v) and str(v) in seen for v in new[col]], dtype=bool)
    if by_input_row and "input_row" in new.columns and hit.any():
        rows = set(new.loc[hit, "input_row"].tolist())
        hit = new["input_row"].isin(rows).to_numpy()
    dup = new.loc[hit]
    if by_input_row and "input_row" in dup.columns:
        dup = dup.drop_duplicates("input_row")
    attrs = pd.DataFrame(dup.drop(columns=dup.geometry.name)).reset_index(drop=True)
    reason = (f"duplicate {col}: already in the stored layer {name!r} (--append keeps ids "
              "unique; give the file its own ids, e.g. --id-column, or import it with "
              "--replace or under another --name)")
    rows = [{"input_row": int(r.get("input_row", i)), "reason": reason,
             **{k: v for k, v in r.items() if k != "input_row"}}
            for i, r in enumerate(attrs.to_dict("records"))]
    return hit, rejection_table(rows)


def _append(name: str, old: LoadResult, new: LoadResult
            ) -> tuple[LoadResult, int, pd.DataFrame]:
    """The stored layer ``old`` with the rows of ``new`` after it: (result, new rows kept,
    new rows rejected).

    ``input_row`` of the new rows (kept and rejected) is shifted by ``old.n_input``: input rows
    count through the files in the order they were imported. A new row whose id is stored
    already is rejected with the reason (:func:`_duplicates`)."""
    crs = old.layer.crs
    layer = new.layer.to_crs(crs) if not new.layer.crs.equals(crs) else new.layer.copy()
    fam_old, fam_new = _families(old.layer), _families(layer)
    if fam_old and fam_new and fam_old != fam_new:
        raise LayerError(
            f"cannot append {'/'.join(sorted(fam_new))} rows to the stored layer {name!r} of "
            f"{'/'.join(sorted(fam_old))} geometries; the stored layer is left as it was: "
            "import the file under another --name, or with --replace.")
    offset = int(old.n_input)
    rejected = new.rejected.copy()
    rejected["input_row"] = pd.to_numeric(rejected["input_row"]).astype(np.int64) + offset
    if "input_row" in layer.columns:
        layer["input_row"] = pd.to_numeric(layer["input_row"]).astype(np.int64) + offset
    by_row = "input_row" in (old.provenance.get("accounting"), new.provenance.get("accounting"))
    hit, dup_rej = _duplicates(name, old.layer, layer, by_input_row=by_row)
    if "input_row" not in layer.columns:
        dup_rej["input_row"] = dup_rej["input_row"] + offset
    layer = layer.loc[~hit]
    both = pd.concat([old.layer, layer], ignore_index=True)
    prov = {**new.provenance,
            "source": f"{old.provenance.get('source', name)} + "
                      f"{new.provenance.get('source', 'rows')}",
            "appended_to": old.provenance}
    if by_row:
        prov["accounting"] = "input_row"
    result = LoadResult(
        layer=gpd.GeoDataFrame(both, geometry=old.layer.geometry.name, crs=crs),
        rejected=pd.concat([old.rejected, rejected, dup_rej], ignore_index=True),
        n_input=old.n_input + new.n_input, provenance=prov)
    return (result.check_accounting(), result.n_kept - old.n_kept,
            pd.concat([rejected, dup_rej], ignore_index=True))


class LayerStore:
    """Layers, rejection tables and provenance in one GeoPackage (atomic, locked writes).

    Parameters
    ----------
    path : path
        The ``.gpkg`` file (created on the first write; its directory must exist).
    lock_timeout_s : float, default 60
        How long a write waits for another process writing this store, then raises
        :class:`~jinan_gis.geo.errors.LayerError`.
    """

    def __init__(self, path: str | Path, *,
                 lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S) -> None:
        self.path = Path(path)
        self.lock_timeout_s = check_number(lock_timeout_s, name="lock_timeout_s", ge=0,
                                           example=60)

    def __repr__(self) -> str:
        return f"LayerStore({str(self.path)!r})"

    @property
    def lock_path(self) -> Path:
        """The lock file writers hold (``<store>.lock``, beside the store while a write runs;
        removed after it, or by the next write after a killed one)."""
        return self.path.with_name(self.path.name + ".lock")

    # ------------------------------------------------------------------------- reading

    def _tables(self) -> set[str]:
        try:
            return {str(n) for n in pyogrio.list_layers(self.path)[:, 0]}
        except Exception as exc:  # pyogrio's DataSourceError: truncated, damaged, not GDAL's
            raise LayerError(
                f"{self.path} cannot be read as a GeoPackage (damaged or truncated? GDAL: "
                f"{type(exc).__name__}); it is left untouched: restore it from a backup, or "
                f"{_FIX}.") from exc

    def _meta(self) -> pd.DataFrame:
        if not self.path.exists():
            return pd.DataFrame(columns=list(_META_COLUMNS))
        if META_TABLE not in self._tables():
            return pd.DataFrame(columns=list(_META_COLUMNS))
        meta = pyogrio.read_dataframe(self.path, layer=META_TABLE, read_geometry=False)
        missing = [c for c in _META_COLUMNS if c not in meta.columns]
        if missing:
            raise LayerError(
                f"{self.path}: its {META_TABLE} table lacks {', '.join(missing)} (damaged, or "
                f"not written by jinan-gis); it is left untouched: restore it from a backup, "
                f"or {_FIX}.")
        return meta

    def _check_writable(self) -> pd.DataFrame:
        """Refuse to write where a write would destroy or defy something: a path that is not a
        ``.gpkg``, an existing file that is not a jinan-gis store (a user's own data), a
        damaged one, one written by a newer jinan-gis, a read-only file (no write permission
        bit, even for root) or folder. Returns the metadata table."""
        p = self.path
        if p.suffix.lower() != ".gpkg":
            raise LayerError(f"{p}: a layer store is a GeoPackage (.gpkg); {_FIX}.")
        folder = p.parent if str(p.parent) else Path(".")
        while not folder.exists() and folder != folder.parent:  # created on the first write
            folder = folder.parent
        if not folder.is_dir():
            raise LayerError(f"{folder} is a file, not a folder: cannot write {p.name} "
                             f"under it; {_FIX}.")
        meta = pd.DataFrame(columns=list(_META_COLUMNS))
        if p.exists():
            if not p.is_file():
                raise LayerError(f"{p} is a folder, not a layer store; {_FIX}.")
            if not p.stat().st_mode & stat.S_IRUSR:
                raise LayerError(f"{p} is not readable (permission): it is left untouched; "
                                 f"make it readable (chmod u+r) or {_FIX}.")
            if META_TABLE not in self._tables():
                raise LayerError(f"{p} exists and is not a jinan-gis layer store (no "
                                 f"{META_TABLE} table): it is left untouched; {_FIX}.")
            meta = self._meta()
            unknown = [c for c in meta.columns if c not in _META_COLUMNS]
            if unknown:
                raise LayerError(
                    f"{p} was written by a newer jinan-gis (its {META_TABLE} table has "
                    f"{', '.join(map(str, unknown))}, which this version does not know): it is "
                    "left untouched; upgrade jinan-gis (pip install -U jinan-gis) to write to "
                    f"it, or {_FIX}.")
            if not p.stat().st_mode & stat.S_IWUSR:
                raise LayerError(f"{p} is read-only: it is left untouched; make it writable "
                                 f"(chmod u+w) or {_FIX}.")
        if not folder.stat().st_mode & stat.S_IWUSR:
            raise LayerError(f"{folder} is read-only: cannot write {p.name} there; {_FIX}.")
        return meta

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

    # ------------------------------------------------------------------------- locking

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Hold the writers' lock (waiting up to ``lock_timeout_s``)."""
        import filelock

        lock = filelock.FileLock(self.lock_path, timeout=self.lock_timeout_s,
                                 is_singleton=False)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise LayerError(
                f"{self.path} is being written by another process (it has held "
                f"{self.lock_path.name} for more than {self.lock_timeout_s:g} s): nothing was "
                "written; wait for that import to finish and run this one again (a longer "
                "wait: --lock-timeout-s / lock_timeout_s=).") from None
        try:
            yield
        finally:
            # removed while still held: a waiter that opened this file sees it unlinked
            # (filelock checks st_nlink after flock) and locks a new one; no lock file stays
            with contextlib.suppress(OSError):
                self.lock_path.unlink()
            lock.release()

    def _temp_files(self) -> list[Path]:
        """Temporary files of writes to this store (see :func:`atomic_path`)."""
        folder = self.path.parent if str(self.path.parent) else Path(".")
        if not folder.is_dir():
            return []
        start = f".{self.path.name}."
        ends = tuple(_TMP_SUFFIX + c for c in ("", *TEMP_COMPANIONS))
        return sorted(p for p in folder.iterdir()
                      if p.name.startswith(start) and p.name.endswith(ends))

    def clean(self) -> list[Path]:
        """Remove temporary files left by a writer that was killed (SIGKILL, power loss):
        under the writers' lock every such file is stale. Every write does this first.

        Returns
        -------
        list of Path
            The files removed.
        """
        with self._lock():
            return self._remove_stale()

    def _remove_stale(self) -> list[Path]:
        gone = [p for p in self._temp_files() if p.unlink(missing_ok=True) or True]
        if gone:
            log.warning("%s: removed %d temporary file(s) of an interrupted write: %s",
                        self.path, len(gone), ", ".join(p.name for p in gone))
        return gone

    # ------------------------------------------------------------------------- writing

    def _check_name(self, name: str) -> None:
        if (
            not isinstance(name, str)
            or not _NAME.match(name)
            or name.endswith(REJECTED_SUFFIX)
            or name == META_TABLE
            or name.lower().startswith(("gpkg_", "rtree_", "sqlite_"))
        ):
            raise InputDataError(
                f"layer name {name!r} is not allowed: use letters, digits and underscores, "
                f"starting with a letter, not ending in {REJECTED_SUFFIX!r} and not "
                f"{META_TABLE!r} or gpkg_/rtree_/sqlite_... (e.g. --name clinics_2024)"
            )

    def check_write(self, names: list[str], *, if_exists: IfExists = "replace") -> None:
        """Raise :class:`LayerError` now, before any work, if writing ``names`` would be
        refused (a name not allowed, a path that is no store, read-only, damaged, newer, or
        a stored name with ``if_exists="error"``)."""
        for name in names:
            self._check_name(name)
        meta = self._check_writable()
        for name in names:
            self._resolve_conflict(name, {str(n) for n in meta["name"]}, if_exists)

    def _resolve_conflict(self, name: str, stored: set[str], if_exists: str) -> None:
        if name in stored and if_exists == "error":
            raise LayerError(
                f"layer {name!r} is already in {self.path}: add --append to add the rows to it "
                f"or --replace to replace it (Python: if_exists='append' / 'replace'); "
                "nothing was written.")

    def write(
        self,
        name: str,
        data: LoadResult | gpd.GeoDataFrame,
        *,
        provenance: Mapping[str, Any] | None = None,
        replace_empty: bool = False,
        if_exists: IfExists = "replace",
    ) -> None:
        """Write layer ``name`` with its rejection table and provenance, atomically.

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
        replace_empty : bool
            Store a result that kept no row over a stored layer.
        if_exists : {"replace", "append", "error"}
            When ``name`` is stored already: replace it (default), append the rows (in the
            stored layer's CRS; ``input_row`` continues after the stored input rows; a row
            whose id is stored already is rejected with the reason; counts add up), or raise
            :class:`LayerError`.
        """
        self.write_many({name: data}, provenance=provenance, replace_empty=replace_empty,
                        if_exists=if_exists)

    def write_many(
        self,
        layers: Mapping[str, LoadResult | gpd.GeoDataFrame],
        *,
        provenance: Mapping[str, Any] | None = None,
        replace_empty: bool = False,
        if_exists: IfExists = "replace",
    ) -> None:
        """Write several layers in one step: all of them or none (see :meth:`write`)."""
        if if_exists not in ("error", "replace", "append"):
            raise ParameterError(f"if_exists must be 'error', 'replace' or 'append', got "
                                 f"{if_exists!r}.")
        results: dict[str, LoadResult] = {}
        for name, data in layers.items():
            self._check_name(name)
            results[name] = _as_result(name, data)
        self._check_writable()  # before waiting for the lock: a wrong path answers at once
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock():
            self._remove_stale()
            meta = self._check_writable()  # the store as it is now, under the lock
            stored = {str(n) for n in meta["name"]}
            final = {name: self._resolve(name, res, stored, if_exists=if_exists,
                                         replace_empty=replace_empty)
                     for name, res in results.items()}
            rows = [self._meta_row(name, res, provenance) for name, res in final.items()]
            meta = meta.loc[~meta["name"].isin(list(final))]
            meta = pd.concat([meta, pd.DataFrame(rows)], ignore_index=True)
            meta = meta.astype({c: np.int64 for c in ("n_input", "n_kept", "n_rejected")})
            try:
                with atomic_path(self.path, suffix=_TMP_SUFFIX, copy_existing=True) as tmp:
                    for name, res in final.items():
                        _write_frame(tmp, res.layer, layer=name)
                        _write_frame(tmp, _as_text_table(res.rejected),
                                     layer=name + REJECTED_SUFFIX)
                    _write_frame(tmp, meta[list(_META_COLUMNS)], layer=META_TABLE)
            except BaseException:  # an interrupt landing as atomic_path hands over its file
                self._remove_stale()  # skips its cleanup; under the lock all temp files are ours
                raise
        for name, res in final.items():
            log.info("%s: wrote %s (%d kept, %d rejected)", self.path, name, res.n_kept,
                     res.n_rejected)

    def _resolve(self, name: str, res: LoadResult, stored: set[str], *, if_exists: str,
                 replace_empty: bool) -> LoadResult:
        """What is written for ``name``: ``res``, or the stored layer with ``res`` appended;
        raises where the write would guess or lose something."""
        source = res.provenance.get("source", name)
        self._resolve_conflict(name, stored, if_exists)
        if name in stored and if_exists == "append":
            both, added, new_rejected = _append(name, self.read(name), res)
            if added == 0 and not replace_empty:
                raise LayerError(
                    f"{source}: 0 of {res.n_input} rows kept to append "
                    f"({_reasons(new_rejected)}), so "
                    f"the stored layer {name!r} is left as it was; fix the file (see the "
                    "rejection table).")
            return both
        if len(res.layer) == 0 and not replace_empty and name in stored:
            raise LayerError(
                f"{source}: 0 of {res.n_input} rows kept ({_reasons(res.rejected)}), so the "
                f"stored layer {name!r} is left as it was; fix the file (see the rejection "
                "table), or store the empty layer on purpose (--replace-empty / "
                "replace_empty=True).")
        return res

    @staticmethod
    def _meta_row(name: str, result: LoadResult, provenance: Mapping[str, Any] | None
                  ) -> dict[str, Any]:
        prov = {**result.provenance, **(provenance or {})}
        written_at = datetime.now(UTC).isoformat(timespec="seconds")
        prov["written_at"] = written_at
        return {
            "name": name,
            "source": str(prov.get("source", "")),
            "datum": str(prov.get("datum", "")),
            "crs": result.layer.crs.to_string(),
            "written_at": written_at,
            "n_input": int(result.n_input),
            "n_kept": int(result.n_kept),
            "n_rejected": int(result.n_rejected),
            "provenance_json": json.dumps(prov, default=_json_default, ensure_ascii=False),
        }
