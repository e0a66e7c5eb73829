"""Check that modules do one job: no module over 600 lines, no long function without a reason.

Issue 13: no module in ``geo/``, ``layers/``, ``analyses/`` or ``jinan_gis/`` over
:data:`MAX_MODULE_LINES` lines, and no function (methods and nested functions included) over
:data:`MAX_FUNCTION_LINES` lines of code unless a comment at its top says why it stays long.

A function's lines of code run from its first statement after the docstring to its last line
(the signature and the docstring do not count; blank and comment lines inside the body do). The
reason is a comment starting ``# long:`` (or ``# Long on purpose:``; case does not matter)
between the end of the signature and the first :data:`REASON_WITHIN` lines of code.

Run as ``python scripts/check_sizes.py``; exits 1 and lists every module and function over the
limits, 0 when there are none.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("geo", "layers", "analyses", "jinan_gis")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
REASON_WITHIN = 3
"""How many lines of code into the body the reason comment may stand."""
REASON = re.compile(r"^\s*#\s*long\b[^:\n]*:", re.IGNORECASE)
KNOWN_LONG_MODULES: dict[str, str] = {}
"""Modules allowed over the limit for now (path -> why); take an entry out when its module fits."""


@dataclass(frozen=True)
class Finding:
    """One module or function over its limit."""

    path: str
    line: int
    what: str
    lines: int
    limit: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what} has {self.lines} lines (limit {self.limit})"


def _code_start(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int | None:
    """Line of the first statement after the docstring, or None for a docstring-only body."""
    body = node.body
    first = body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        body = body[1:]
    return body[0].lineno if body else None


def code_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of code of a function: first statement after the docstring to its last line."""
    start = _code_start(node)
    if start is None or node.end_lineno is None:
        return 0
    return node.end_lineno - start + 1


def has_reason(node: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]) -> bool:
    """Whether a ``# long: ...`` comment stands at the top of the function's body."""
    start = _code_start(node)
    if start is None:
        return False
    first = node.body[0].lineno  # the docstring or the first statement
    top = lines[first - 1 : start - 1 + REASON_WITHIN]
    return any(REASON.match(line) for line in top)


def check_file(path: Path, root: Path = ROOT) -> list[Finding]:
    """Every limit ``path`` breaks."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    rel = path.relative_to(root).as_posix()
    found: list[Finding] = []
    if len(lines) > MAX_MODULE_LINES and rel not in KNOWN_LONG_MODULES:
        found.append(Finding(rel, 1, "module", len(lines), MAX_MODULE_LINES))
    for node in ast.walk(ast.parse(text, filename=str(path))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        n = code_lines(node)
        if n > MAX_FUNCTION_LINES and not has_reason(node, lines):
            found.append(
                Finding(rel, node.lineno, f"function {node.name}", n, MAX_FUNCTION_LINES)
            )
    return found


def findings(root: Path = ROOT) -> list[Finding]:
    """Every module and function over its limit, by path and line."""
    found: list[Finding] = []
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*.py")):
            found += check_file(path, root)
    return found


def main() -> int:
    bad = findings()
    for f in bad:
        print(f)
    print(
        f"sizes: {len(bad)} over the limits (modules {MAX_MODULE_LINES} lines, functions "
        f"{MAX_FUNCTION_LINES} lines of code without a '# long: <reason>' comment at their top)"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
