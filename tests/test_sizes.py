"""Modules that do one job (issue 13): no module over 600 lines, no unexplained long function."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

import check_sizes  # noqa: E402


def test_sizes_hold() -> None:
    run = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "check_sizes.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def _function(name: str, n_code: int, reason: str | None = None) -> str:
    top = [f"    # {reason}"] if reason else []
    body = [f"    x{i} = {i}" for i in range(n_code - 1)]
    return "\n".join(
        [f"def {name}(", "    a: int,", ") -> int:", '    """Doc.', "", '    More."""', *top,
         *body, "    return a", ""]
    )


def test_checker_counts_code_lines_and_reads_the_reason(tmp_path: Path) -> None:
    (tmp_path / "geo").mkdir()
    src = "\n\n".join(
        [
            _function("fits", 80),
            _function("too_long", 81),
            _function("long_with_reason", 120, "long: one pass that shares its arrays"),
            _function("long_on_purpose", 120, "Long on purpose: rows keep one reason each"),
            _function("long_without_colon", 120, "longer than it should be"),
        ]
    )
    (tmp_path / "geo" / "mod.py").write_text(src, encoding="utf-8")
    found = check_sizes.findings(tmp_path)
    assert [f.what for f in found] == ["function too_long", "function long_without_colon"]
    assert found[0].lines == 81 and found[0].limit == 80


def test_checker_flags_a_long_module(tmp_path: Path) -> None:
    (tmp_path / "layers").mkdir()
    (tmp_path / "layers" / "ok.py").write_text("x = 1\n" * 600, encoding="utf-8")
    (tmp_path / "layers" / "big.py").write_text("x = 1\n" * 601, encoding="utf-8")
    found = check_sizes.findings(tmp_path)
    assert [(f.path, f.what, f.lines) for f in found] == [("layers/big.py", "module", 601)]
