"""Check that imports go one way only: analyses -> layers -> geo.

``geo`` may import neither ``layers`` nor ``analyses``; ``layers`` may not import
``analyses``.  Run as ``python scripts/check_imports.py``; exits 1 and lists every violation.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = {"geo": 0, "layers": 1, "analyses": 2}


def _imported_layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "jinan_gis" and len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    if parts[0] in LAYERS:
        return parts[0]
    return None


def violations(root: Path = ROOT) -> list[str]:
    """Return one line per import that goes the wrong way."""
    found: list[str] = []
    for layer, rank in LAYERS.items():
        for path in sorted((root / layer).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom):
                    if node.level:  # relative: resolve against the package
                        pkg = [layer, *path.relative_to(root / layer).parts[:-1]]
                        base = pkg[: len(pkg) - (node.level - 1)] if node.level > 1 else pkg
                        mod = ".".join(base + ([node.module] if node.module else []))
                        names = [mod]
                    else:
                        names = [node.module or ""]
                else:
                    continue
                for name in names:
                    target = _imported_layer(name)
                    if target is not None and LAYERS[target] > rank:
                        found.append(
                            f"{path.relative_to(root)}:{node.lineno}: {layer} imports "
                            f"{name} ({target} sits above {layer}: analyses -> layers -> geo)"
                        )
    return found


def main() -> int:
    bad = violations()
    for line in bad:
        print(line)
    print(f"import direction: {len(bad)} violation(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
