"""Fixtures of the journeys: the extracted examples, one tmp folder per journey."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "journey_expensive: a journey that runs a whole report or batch (seconds "
        "to tens of seconds); listed first so that pytest-xdist spreads them over workers")
