"""The error hierarchy of jinan-gis.

Every error the toolkit raises on bad input subclasses :class:`ValueError` (so callers that
already catch ``ValueError`` keep working) through :class:`JinanGISError`, and its message
says what is wrong *and how to fix it*.

Examples
--------
>>> from jinan_gis.geo.errors import CRSError, JinanGISError
>>> issubclass(CRSError, JinanGISError) and issubclass(CRSError, ValueError)
True
"""

from __future__ import annotations

__all__ = [
    "CRSError",
    "DatumError",
    "InputDataError",
    "JinanGISError",
    "LayerError",
    "NetworkError",
    "OverpassError",
    "SnapError",
]


class JinanGISError(ValueError):
    """Base class of every jinan-gis error; a ``ValueError`` whose message names the fix."""


class CRSError(JinanGISError):
    """A coordinate reference system is missing, unknown or unfit for the requested work."""


class DatumError(JinanGISError):
    """A Chinese datum (WGS84 / GCJ-02 / BD-09) is unknown or inconsistent with the data."""


class InputDataError(JinanGISError):
    """An input file or table cannot be read as declared (format, encoding, columns)."""


class LayerError(JinanGISError):
    """A layer is missing, empty or lacks a required column."""


class NetworkError(JinanGISError):
    """A street network cannot be built or queried as asked."""


class SnapError(NetworkError):
    """Points cannot be joined to the street network as asked."""


class OverpassError(JinanGISError):
    """An Overpass (OpenStreetMap) request failed after its retries."""
