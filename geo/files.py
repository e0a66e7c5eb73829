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

__all__ = ["atomic_path", "write_text_atomic"]

_COMPANIONS = ("-journal", "-wal", "-shm")


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
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
        if copy_existing and path.exists():
            import shutil

            shutil.copyfile(path, tmp)
        else:
            tmp.unlink()
        yield tmp
        if tmp.exists():
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, *(Path(f"{tmp}{c}") for c in _COMPANIONS)):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


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
