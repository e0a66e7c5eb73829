"""The one error boundary of the ``jinan-gis`` command.

:func:`guarded` runs a command and turns every *expected* failure into ONE line on stderr
that names the fix, with exit status 2:

* a :class:`~jinan_gis.geo.errors.JinanGISError` (bad file, CRS, datum, layer, number...),
  with the Python keywords its message names written as the command's flags
  (``lon_column=`` -> ``--lon-column``, :func:`cli_message`);
* an :class:`OSError` (missing file, permission, a folder where a file is expected, a file
  where a folder is expected, disk full, read-only file system): :func:`os_error_line`;
* GDAL/PROJ refusing a file or a CRS (``pyogrio.errors``, ``pyproj.exceptions``), which the
  loaders did not already translate;
* the Dask stack (the ``cluster`` extra) not installed.

Ctrl-C (SIGINT) and SIGTERM (turned into :class:`Terminated`, a ``KeyboardInterrupt``, so
that every ``finally`` runs and temporary files are removed) end with one line saying what
was written: exit 130 (SIGINT) or 143 (SIGTERM). Anything else is a bug: its traceback is
shown, then one line asking to report it with the version; exit status 1.

Examples
--------
>>> cli_message("a.gpkg holds 2 layers ['a', 'b']; pass layer=...")
"a.gpkg holds 2 layers ['a', 'b']; pass --layer ..."
>>> os_error_line(PermissionError(13, "Permission denied", "x.csv"))
'x.csv: permission denied; make it readable/writable for you (chmod), or use another path.'
"""

from __future__ import annotations

import errno
import re
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["KEYWORD_FLAGS", "Terminated", "cli_message", "guarded", "os_error_line"]

KEYWORD_FLAGS: dict[str, str] = {
    "file_crs": "--crs",
    "crs": "--crs",
    "datum": "--datum",
    "layer": "--layer",
    "sheet": "--sheet",
    "lonlat_column": "--lonlat-column",
    "lon_column": "--lon-column",
    "lat_column": "--lat-column",
    "sep": "--sep",
    "decimal": "--decimal",
    "header_row": "--header-row",
    "id_column": "--id-column",
    "category_column": "--category-column",
    "name_column": "--name-column",
    "count_column": "--count-column",
    "encoding": "--encoding",
    "category": "--category",
    "zone_type": "--zone-type",
    "overpass_url": "--overpass-url",
    "cache_dir": "--cache-dir",
    "timeout_s": "--timeout-s",
    "lock_timeout_s": "--lock-timeout-s",
    "max_dist_m": "--max-dist-m",
    "speed_kmh": "--speed-kmh",
    "population_total": "--population-total",
    "duplicates": "--duplicates",
    "overlaps": "--overlaps",
}
"""Python keyword -> command-line flag, for the messages the loaders write for Python users."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that cleanup (``finally``) runs."""


def cli_message(text: str) -> str:
    """``text`` with each Python keyword (``lon_column=...``) written as its flag, unless the
    message already names that flag (``command line: --crs; Python: crs=...``)."""
    for kw, flag in KEYWORD_FLAGS.items():
        if flag in text:
            continue
        text = re.sub(rf"(?<![\w.]){kw}=(?:'([^'\s]*)'|(\.\.\.))?(?: \(Python\))?",
                      lambda m, f=flag: f"{f} {m.group(1) or m.group(2) or ''}", text)
    return text.replace("replace_empty=True", "--replace-empty").replace(
        "pass clip_lonlat=None", "pass --no-clip")


_OS_FIXES = {
    errno.ENOENT: "no such file or folder; check the path",
    errno.EACCES: "permission denied; make it readable/writable for you (chmod), or use "
                  "another path",
    errno.EPERM: "operation not permitted; check the permissions, or use another path",
    errno.EISDIR: "is a folder where a file is expected; give a file path",
    errno.ENOTDIR: "a part of this path is a file where a folder is expected; give a folder "
                   "path (e.g. --out a new folder)",
    errno.EEXIST: "exists and is a file where a folder is expected; give a folder path "
                  "(e.g. --out a new folder)",
    errno.ENOSPC: "no space left on the device; free some space and run again (files are "
                  "written whole or not at all: nothing half-written was kept)",
    errno.EROFS: "the file system is read-only; write somewhere else",
    errno.ENAMETOOLONG: "the file name is too long; use a shorter path",
}


def os_error_line(exc: OSError) -> str:
    """One line for an operating-system error: the path, what happened and the fix."""
    where = exc.filename if exc.filename is not None else ""
    fix = _OS_FIXES.get(exc.errno or -1)
    if fix is None:
        fix = f"{exc.strerror or exc}; check the path and its permissions"
    return f"{where}: {fix}." if where != "" else f"{fix[0].upper()}{fix[1:]}."


def _expected_library_error(exc: BaseException) -> bool:
    """GDAL (pyogrio) refusing a file, PROJ (pyproj) refusing a CRS: the user's input."""
    mod = type(exc).__module__ or ""
    return mod.startswith(("pyogrio.errors", "pyproj.exceptions", "rasterio.errors",
                           "fiona.errors"))


def _option(argv: list[str], flag: str, default: str) -> str:
    for i, a in enumerate(argv):
        if a == flag and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith(flag + "="):
            return a.split("=", 1)[1]
    return default


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """In the main thread, SIGTERM raises :class:`Terminated` (then is ignored while the
    cleanup runs); the previous handler comes back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupted(argv: list[str], exc: KeyboardInterrupt, before: tuple | None) -> int:
    command = argv[0] if argv else ""
    what = "terminated (SIGTERM)" if isinstance(exc, Terminated) else "interrupted"
    if command in ("import", "fetch"):
        store = Path(_option(argv, "--store", "out/store.gpkg"))
        if _stamp(store) == before:
            line = f"{what}; nothing was written to {store} (it is as it was)"
        else:
            line = (f"{what} after {store} was written (the store is complete; run "
                    "`jinan-gis` on it to check)")
    else:
        out = _option(argv, "--out", "out")
        line = (f"{what}; nothing half-written was left in {out} (each file is written whole: "
                "those reported as written are complete)")
    print(f"{line}.", file=sys.stderr, flush=True)
    return 143 if isinstance(exc, Terminated) else 130


def _bug(exc: BaseException) -> int:
    from jinan_gis import __version__

    traceback.print_exception(exc, file=sys.stderr)
    print(f"This is a bug in jinan-gis {__version__} (Python {sys.version.split()[0]}): please "
          "report it with the command line and the traceback above.", file=sys.stderr,
          flush=True)
    return 1


def guarded(run: Callable[[list[str]], int], argv: list[str],
            *, cluster_missing: Callable[[ImportError], bool]) -> int:
    """Run ``run(argv)`` inside the boundary (module notes); return the exit status."""
    from jinan_gis.geo.errors import JinanGISError

    before = None
    if argv[:1] in (["import"], ["fetch"]):
        before = _stamp(Path(_option(argv, "--store", "out/store.gpkg")))
    try:
        with _sigterm_raises():
            return run(argv)
    except KeyboardInterrupt as exc:
        return _interrupted(argv, exc, before)
    except JinanGISError as exc:
        print(f"error: {cli_message(str(exc))}", file=sys.stderr)
        return 2
    except ImportError as exc:
        if not cluster_missing(exc):
            return _bug(exc)
        print(f"error: {exc.name} is not installed: pip install 'jinan-gis[cluster]' (dask, "
              "distributed, pyarrow), or run the batch with --scheduler serial",
              file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {os_error_line(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # the boundary: the expected ones, else a bug
        if _expected_library_error(exc):
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            print(f"error: {cli_message(first)} (check the file or the --crs given)",
                  file=sys.stderr)
            return 2
        return _bug(exc)
