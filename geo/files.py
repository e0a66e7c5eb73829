"""Writing files so that a reader never sees half of one: one atomic-write helper.

:func:`atomic_path` yields a temporary path beside the target; the caller writes it; on
success it replaces the target in one step (``os.replace``), keeping the target's permission
bits when it already existed (new files get ``0o644``, readable like any file a user saves);
on any failure, including ``KeyboardInterrupt``, the temporary file (and SQLite's
``-journal``/``-wal``/``-shm`` companions) is removed and the target is untouched.

Examples
--------
>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "note.txt"
>>> with atomic_path(target) as tmp:
...     _ = tmp.write_text("hello", encoding="utf-8")
>>> target.read_text(encoding="utf-8")
'hello'
>>> write_text_atomic(target, "again")
>>> target.read_text(encoding="utf-8"), sorted(p.name for p in target.parent.iterdir())
('again', ['note.txt'])
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TEMP_COMPANIONS", "atomic_path", "spreadsheet_safe", "write_csv_atomic",
           "write_text_atomic"]

TEMP_COMPANIONS = ("-journal", "-wal", "-shm")
"""Files SQLite (GeoPackage) may create beside a temporary file, removed with it."""


def _keep_owner(tmp: Path, st: os.stat_result) -> None:
    """Give ``tmp`` the owner and group of ``st`` where allowed (root; or the group only,
    for a group the user is in); silently keep the user's own otherwise."""
    if not hasattr(os, "chown"):  # pragma: no cover - Windows
        return
    for uid in (st.st_uid, -1):
        try:
            os.chown(tmp, uid, st.st_gid)
            return
        except OSError:
            continue


@contextlib.contextmanager
def atomic_path(path: str | Path, *, suffix: str = ".tmp", copy_existing: bool = False
                ) -> Iterator[Path]:
    """Yield a temporary path that replaces ``path`` atomically when the block succeeds.

    Parameters
    ----------
    path : str or Path
        The file to (re)place. Its folder is created if needed.
    suffix : str, default ".tmp"
        Suffix of the temporary file (e.g. ``".tmp.gpkg"`` so that GDAL picks the driver).
    copy_existing : bool, default False
        Start the temporary file as a copy of ``path`` (to change a file in place, e.g. add a
        layer to a GeoPackage); else the temporary path does not exist when yielded.

    Yields
    ------
    Path
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp: Path | None = None
    try:
        # SIGINT/SIGTERM held back while the file is created and named, so that a signal
        # turned into an exception (the CLI's) cannot land between the two and leak it
        with _signals_held():
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
            tmp = Path(name)
        os.close(fd)
        st = path.stat() if path.exists() else None
        mode = stat.S_IMODE(st.st_mode) if st is not None else 0o644
        if copy_existing and st is not None:
            import shutil

            shutil.copyfile(path, tmp)
        else:
            tmp.unlink()
        yield tmp
        if tmp.exists():
            os.chmod(tmp, mode)
            if st is not None and hasattr(os, "getuid") and (st.st_uid, st.st_gid) != (
                    os.getuid(), os.getgid()):
                _keep_owner(tmp, st)
        os.replace(tmp, path)
    finally:
        if tmp is not None:
            for leftover in (tmp, *(Path(f"{tmp}{c}") for c in TEMP_COMPANIONS)):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Block SIGINT and SIGTERM in this thread for the block (POSIX); a signal that arrives
    meanwhile is delivered when the block ends."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def write_text_atomic(path: str | Path, text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_path`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.json"
    >>> write_text_atomic(p, "{}")
    >>> p.read_text()
    '{}'
    """
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding=encoding, newline="\n") as fh:
            fh.write(text)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as formulas in Excel or LibreOffice.

    A text cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return) gets a
    leading apostrophe, the spreadsheet convention for "this is text" (OWASP CSV injection).
    Numbers are left as numbers; the index is treated like a column.

    Examples
    --------
    >>> import pandas as pd
    >>> spreadsheet_safe(pd.DataFrame({"name": ["=HYPERLINK(1)", "ok"], "n": [-1, 2]})
    ...                  ).to_dict("list")
    {'name': ["'=HYPERLINK(1)", 'ok'], 'n': [-1, 2]}
    """
    import pandas as pd

    def fix(v: object) -> object:
        return "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v

    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(fix)
    if out.index.dtype == object:
        out.index = out.index.map(fix)
    return out


def write_csv_atomic(frame: pd.DataFrame, path: str | Path, *, index: bool = False) -> Path:
    """Write ``frame`` as a spreadsheet-safe CSV (UTF-8 with BOM, for Excel) atomically.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> p = write_csv_atomic(pd.DataFrame({"a": ["@SUM(1)"]}),
    ...                      pathlib.Path(tempfile.mkdtemp()) / "r.csv")
    >>> p.read_text(encoding="utf-8-sig").splitlines()
    ['a', "'@SUM(1)"]
    """
    with atomic_path(path) as tmp:
        spreadsheet_safe(frame).to_csv(tmp, index=index, encoding="utf-8-sig")
    return Path(path)
