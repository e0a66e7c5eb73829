"""Imports go one way only: analyses -> layers -> geo; nothing configured at import."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

import check_imports  # noqa: E402


def test_import_direction_holds() -> None:
    assert check_imports.violations() == []


def test_checker_catches_a_wrong_way_import(tmp_path: Path) -> None:
    for layer in ("geo", "layers", "analyses"):
        (tmp_path / layer).mkdir()
        (tmp_path / layer / "__init__.py").write_text("")
    (tmp_path / "geo" / "bad.py").write_text("from jinan_gis.layers import x\n")
    (tmp_path / "layers" / "bad.py").write_text("from ..analyses import report\n")
    (tmp_path / "analyses" / "ok.py").write_text("from jinan_gis.geo import crs\n")
    bad = check_imports.violations(tmp_path)
    assert len(bad) == 2
    assert "geo imports jinan_gis.layers" in bad[0]
    assert "layers imports analyses" in bad[1]


def test_import_configures_no_logging_and_needs_no_extra() -> None:
    """Importing every module configures no logging and imports none of the optional extras'
    packages (setup.cfg: cluster = dask, distributed, pyarrow; osm = pyrosm): a plain
    ``pip install jinan-gis`` imports everything. (pyarrow is not checked: pandas imports it
    by itself when it is installed.)"""
    code = textwrap.dedent(
        """
        import logging, sys
        import jinan_gis.analyses, jinan_gis.layers, jinan_gis.geo, jinan_gis.cli
        import pkgutil, importlib
        for sub in ("geo", "layers", "analyses"):
            pkg = importlib.import_module(f"jinan_gis.{sub}")
            for m in pkgutil.walk_packages(pkg.__path__, prefix=pkg.__name__ + "."):
                importlib.import_module(m.name)
        root = logging.getLogger()
        assert root.handlers == [], root.handlers
        assert root.level == logging.WARNING, root.level
        extras = {"dask", "distributed", "pyrosm"} & set(sys.modules)
        assert not extras, f"imported at module level: {sorted(extras)}"
        print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr


def test_bare_package_names_refuse_to_load_a_second_copy() -> None:
    """From the repo root, ``import geo`` would load a second copy of jinan_gis.geo (whose
    errors then do not match): each folder refuses, naming the right import."""
    for pkg in ("geo", "layers", "analyses"):
        out = subprocess.run([sys.executable, "-c", f"import {pkg}"], cwd=REPO,
                             capture_output=True, text=True, check=False)
        assert out.returncode != 0
        assert f"import it as 'jinan_gis.{pkg}'" in out.stderr, out.stderr


_PATH_RE = re.compile(
    r"(?<![\w./-])((?:geo|layers|analyses|jinan_gis|data|tests|scripts|benchmarks|notebooks|docs)"
    r"/[\w./-]*\w)"
)
_FILE_LINE_RE = re.compile(r"(?<![\w/.-])(\w+\.py):\d+")


def test_every_path_named_in_the_source_exists() -> None:
    """Docstrings and comments cite real files: every repo path (``analyses/maps.py``) and
    every ``file.py:line`` reference names a file that exists."""
    files = {p.name for p in REPO.rglob("*.py") if ".venv" not in p.parts}
    missing = []
    for top in ("geo", "layers", "analyses", "jinan_gis"):
        for path in sorted((REPO / top).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            for m in _PATH_RE.finditer(text):
                cited = m.group(1).rstrip(".")
                if "*" in cited or "<" in cited:
                    continue
                if not (REPO / cited).exists():
                    missing.append(f"{path.relative_to(REPO)}: {cited}")
            for m in _FILE_LINE_RE.finditer(text):
                if m.group(1) not in files:
                    missing.append(f"{path.relative_to(REPO)}: {m.group(0)}")
    assert missing == []
