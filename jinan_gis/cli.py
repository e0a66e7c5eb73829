"""The ``jinan-gis`` command."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    print("jinan-gis", argv if argv is not None else sys.argv[1:])
    return 0
