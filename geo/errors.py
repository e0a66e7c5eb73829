"""The error hierarchy of jinan-gis: every error class the toolkit raises, in one module.

:class:`JinanGISError` is the root; catch it to catch everything jinan-gis raises on purpose.
Errors about the caller's input (files, CRSs, datums, layers, networks, parameters) are also
:class:`ValueError` s; failures of a server or the network (Overpass) are also
:class:`ConnectionError` s. Every message says what is wrong *and how to fix it*.

Examples
--------
>>> from jinan_gis.geo.errors import CRSError, JinanGISError, OverpassError
>>> issubclass(CRSError, JinanGISError) and issubclass(CRSError, ValueError)
True
>>> issubclass(OverpassError, ConnectionError), issubclass(OverpassError, ValueError)
(True, False)
"""

from __future__ import annotations

__all__ = [
    "AccessibilityError",
    "BatchError",
    "CRSError",
    "DatumError",
    "InputDataError",
    "JinanGISError",
    "LayerError",
    "NetworkError",
    "OverpassError",
    "ParameterError",
    "SiteSelectionError",
    "SnapError",
]


class JinanGISError(Exception):
    """Root of every error jinan-gis raises on purpose; its message names the fix."""


class CRSError(JinanGISError, ValueError):
    """A coordinate reference system is missing, unknown or unfit for the requested work."""


class DatumError(JinanGISError, ValueError):
    """A Chinese datum (WGS84 / GCJ-02 / BD-09) is unknown or inconsistent with the data."""


class InputDataError(JinanGISError, ValueError):
    """An input file or table cannot be read as declared (format, encoding, columns)."""


class ParameterError(JinanGISError, ValueError):
    """A number or option given by the caller is out of range (NaN, infinite, negative...);
    the message names the parameter (``max_dist_m`` / ``--max-dist-m``) and its range."""


class LayerError(JinanGISError, ValueError):
    """A layer is missing, empty or lacks a required column."""


class NetworkError(JinanGISError, ValueError):
    """A street network cannot be built or queried as asked."""


class SnapError(NetworkError):
    """Points cannot be joined to the street network as asked."""


class SiteSelectionError(JinanGISError, ValueError):
    """A site-selection problem is ill-posed (bad ``k``, weights, coverage or candidates)."""


class AccessibilityError(JinanGISError, ValueError):
    """Inputs of a floating catchment computation are inconsistent or out of range."""


class BatchError(JinanGISError, ValueError):
    """A batch job or run is set up wrongly (the message names the fix)."""


class OverpassError(JinanGISError, ConnectionError):
    """An Overpass (OpenStreetMap) request failed after its retries (a server or network
    failure, not bad input)."""
