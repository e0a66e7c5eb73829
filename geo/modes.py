"""The travel modes, in one table: their names and default speeds.

A mode decides which streets may be used (:mod:`jinan_gis.layers.osm` has the tag rules) and,
with its speed, how minutes become metres. No plan states a mode or a speed: these are toolkit
defaults, labelled so in every report.

Examples
--------
>>> MODES
('walk', 'bike', 'drive')
>>> DEFAULT_SPEEDS_KMH["walk"] == WALK_SPEED_KMH == 4.0
True
"""

from __future__ import annotations

from typing import Literal

__all__ = ["DEFAULT_SPEEDS_KMH", "MODES", "WALK_SPEED_KMH", "Mode"]

Mode = Literal["walk", "bike", "drive"]
"""A travel mode."""

MODES: tuple[str, ...] = ("walk", "bike", "drive")
"""Every travel mode, in this order everywhere (access flag columns, CLI choices)."""

WALK_SPEED_KMH = 4.0
"""Walking speed: 15 min = 1000 m, the upper end of GB 50180-2018's 800-1000 m for the
15-minute life circle (national standard; a toolkit default, overridable)."""

DEFAULT_SPEEDS_KMH: dict[str, float] = {"walk": WALK_SPEED_KMH, "bike": 12.0, "drive": 30.0}
"""Toolkit default speeds per mode (bike and drive: toolkit defaults for urban streets, not
from the plans, which state no mode)."""
