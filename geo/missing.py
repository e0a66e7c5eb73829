"""One test for "this cell holds no value", used by every loader and analysis.

Examples
--------
>>> import numpy as np, pandas as pd
>>> [is_missing(v) for v in (None, float("nan"), np.float32("nan"), pd.NA, pd.NaT, "", 0)]
[True, True, True, True, True, False, False]
>>> is_missing("  ", blank=True)
True
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["is_missing"]


def is_missing(value: Any, *, blank: bool = False) -> bool:
    """Whether ``value`` is missing: ``None``, ``pd.NA``, ``pd.NaT`` or a floating NaN.

    Parameters
    ----------
    value : object
        A scalar (a cell of a table).
    blank : bool, default False
        Also count strings that are empty after stripping spaces as missing.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_missing(3.0), is_missing(float("nan"))
    (False, True)
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    if blank and isinstance(value, str):
        return not value.strip()
    return False
