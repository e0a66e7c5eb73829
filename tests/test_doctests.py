"""Run the docstring examples of every jinan_gis module (they are documentation and tests)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import jinan_gis


def _modules() -> list[str]:
    names = ["jinan_gis"]
    for sub in ("geo", "layers", "analyses"):
        pkg = importlib.import_module(f"jinan_gis.{sub}")
        names.append(pkg.__name__)
        names += [m.name for m in pkgutil.walk_packages(pkg.__path__, prefix=pkg.__name__ + ".")]
    return names


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"


def test_package_version() -> None:
    assert jinan_gis.__version__.count(".") == 2
