"""Shared fixtures.  Reference data lives in ``../shared`` beside the repository (read-only)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    """The repository root."""
    return REPO


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` (reference data for tests only; never copied into the project)."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED
