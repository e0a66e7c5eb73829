"""The one check of a number a caller gives (distances, speeds, k, scale, minutes).

:func:`check_number` is called where a number enters the toolkit: the Python entry points
(``coverage(max_dist_m=...)``, ``propose_sites(k=..., max_dist_m=...)``) and, through
:func:`parse_number`, the command line's argument types (``--max-dist-m nan``). A NaN, an
infinity (``1e999`` reads as one), a bool, a text, or a value out of range raises
:class:`~jinan_gis.geo.errors.ParameterError` (a ``ValueError``) naming the parameter, its
range and an example, before any work. Light on purpose (no numpy import): the command line
uses it while parsing.

Examples
--------
>>> check_number(1000, name="max_dist_m", gt=0)
1000.0
>>> check_number(float("nan"), name="max_dist_m", gt=0, example=1000)
Traceback (most recent call last):
...
jinan_gis.geo.errors.ParameterError: max_dist_m must be a finite number > 0 (e.g. 1000), \
got nan.
>>> parse_number("3", name="--k", ge=1, integer=True)
3
>>> parse_number("1e999", name="--max-dist-m", gt=0)
Traceback (most recent call last):
...
jinan_gis.geo.errors.ParameterError: --max-dist-m must be a finite number > 0, got '1e999' \
(infinite).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from .errors import ParameterError

__all__ = ["check_number", "parse_number"]


def _range_text(gt: float | None, ge: float | None, le: float | None) -> str:
    parts = []
    if gt is not None:
        parts.append(f"> {gt:g}")
    if ge is not None:
        parts.append(f">= {ge:g}")
    if le is not None:
        parts.append(f"<= {le:g}")
    return " and ".join(parts)


def _in_range(x: float, gt: float | None, ge: float | None, le: float | None) -> bool:
    return not ((gt is not None and not x > gt) or (ge is not None and not x >= ge) or (
        le is not None and not x <= le))


def _fail(name: str, what: str, got: str, *, gt: float | None, ge: float | None,
          le: float | None, example: Any, error: type[Exception]) -> Exception:
    rng = _range_text(gt, ge, le)
    eg = f" (e.g. {example})" if example is not None else ""
    return error(f"{name} must be {what}{' ' + rng if rng else ''}{eg}, got {got}.")


def check_number(
    value: Any,
    *,
    name: str,
    gt: float | None = None,
    ge: float | None = None,
    le: float | None = None,
    integer: bool = False,
    example: Any = None,
    error: type[Exception] = ParameterError,
) -> Any:
    """``value`` as a float (``int`` with ``integer=True``) if it is a finite number in range.

    Parameters
    ----------
    value : number
        A Python or NumPy number (not a bool, not a text).
    name : str
        How the caller spells the parameter (``"max_dist_m"`` or ``"--max-dist-m"``).
    gt, ge, le : float, optional
        Bounds: ``value > gt``, ``value >= ge``, ``value <= le``.
    integer : bool
        A whole number is required (``2.0`` is accepted as ``2``).
    example : optional
        A sensible value, quoted in the message.
    error : exception class
        Raised on a bad value (default :class:`~jinan_gis.geo.errors.ParameterError`; callers
        with their own subclass, e.g. ``SiteSelectionError``, pass it).

    Examples
    --------
    >>> check_number(2.0, name="k", ge=1, integer=True)
    2
    >>> check_number(-5, name="max_dist_m", gt=0)
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.ParameterError: max_dist_m must be a finite number > 0, got -5.
    """
    kw = {"gt": gt, "ge": ge, "le": le, "example": example, "error": error}
    what = "a whole number" if integer else "a finite number"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _fail(name, what, repr(value), **kw)
    x = float(value)
    if not math.isfinite(x):
        raise _fail(name, what, repr(x), **kw)
    if integer and not x.is_integer():
        raise _fail(name, what, repr(value), **kw)
    if not _in_range(x, gt, ge, le):
        raise _fail(name, what, f"{value!r}", **kw)
    return int(x) if integer else x


def parse_number(text: str, *, name: str, gt: float | None = None, ge: float | None = None,
                 le: float | None = None, integer: bool = False, example: Any = None) -> Any:
    """A number typed by a user (a command-line value), checked as :func:`check_number`.

    Examples
    --------
    >>> parse_number("abc", name="--speed-kmh", gt=0, example=4)
    Traceback (most recent call last):
    ...
    jinan_gis.geo.errors.ParameterError: --speed-kmh must be a finite number > 0 (e.g. 4), \
got 'abc' (not a number).
    """
    kw = {"gt": gt, "ge": ge, "le": le, "example": example, "error": ParameterError}
    what = "a whole number" if integer else "a finite number"
    s = str(text).strip()
    try:
        x = float(s)
    except ValueError:
        raise _fail(name, what, f"{text!r} (not a number)", **kw) from None
    if math.isnan(x):
        raise _fail(name, what, f"{text!r} (not a number)", **kw)
    if math.isinf(x):
        raise _fail(name, what, f"{text!r} (infinite)", **kw)
    if (integer and not x.is_integer()) or not _in_range(x, gt, ge, le):
        raise _fail(name, what, repr(text), **kw)
    return int(x) if integer else x
