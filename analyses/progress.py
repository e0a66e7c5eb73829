"""Progress of a run's steps on stderr: a bar where one can be drawn, one line per step in a log.

A terminal (stderr is a TTY) or a notebook gets a tqdm bar (a widget in Jupyter); anything
else - ``jinan-gis demo 2> log.txt``, CI, a pipe - gets one plain line per step,
``[2/6] write report.xlsx``, and never a carriage return or a cursor movement (nested tqdm
bars write ``ESC [A`` to move up a line, which a log keeps as garbage). :attr:`Steps.bars`
says whether an inner bar (e.g. :func:`~jinan_gis.analyses.report.evaluate`'s per metric)
may be shown inside a step.

Examples
--------
>>> import io
>>> log = io.StringIO()
>>> with Steps(2, stream=log) as steps:
...     steps.step("evaluate metrics")
...     steps.step("write report.xlsx")
>>> print(log.getvalue(), end="")
[1/2] evaluate metrics
[2/2] write report.xlsx
>>> Steps(2, enabled=False, stream=log).mode
'off'
"""

from __future__ import annotations

import sys
from typing import IO, Any

__all__ = ["Steps", "progress_mode"]


def _in_notebook() -> bool:
    """Whether this runs in a Jupyter kernel (where tqdm.auto draws a widget)."""
    shell = sys.modules.get("IPython")
    if shell is None or "ipykernel" not in sys.modules:
        return False
    try:
        ip = shell.get_ipython()
    except Exception:  # an IPython too old or half imported: no widget
        return False
    return ip is not None and ip.__class__.__name__ == "ZMQInteractiveShell"


def progress_mode(stream: IO[str] | None = None) -> str:
    """``"bar"`` in a terminal or a notebook, ``"lines"`` elsewhere (a file, a pipe, CI).

    Examples
    --------
    >>> import io
    >>> progress_mode(io.StringIO())
    'lines'
    """
    if _in_notebook():
        return "bar"
    stream = sys.stderr if stream is None else stream
    try:
        return "bar" if stream.isatty() else "lines"
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return "lines"


class Steps:
    """The ``total`` steps of a run, each shown when it starts.

    Parameters
    ----------
    total : int
        How many times :meth:`step` will be called.
    enabled : bool
        False: show nothing (``--quiet``).
    stream : text stream, optional
        Where to write (default: ``sys.stderr`` when the steps start).
    desc : str
        The bar's name before the first step.
    """

    def __init__(self, total: int, *, enabled: bool = True, stream: IO[str] | None = None,
                 desc: str = "jinan-gis") -> None:
        self.total = int(total)
        self.done = 0
        self.stream = sys.stderr if stream is None else stream
        self.mode = "off" if not enabled else progress_mode(self.stream)
        self._bar: Any = None
        if self.mode == "bar":
            from tqdm.auto import tqdm

            self._bar = tqdm(total=self.total, desc=desc, unit="step", file=self.stream,
                             dynamic_ncols=True)

    @property
    def bars(self) -> bool:
        """Whether an inner progress bar may be drawn inside a step (terminal or notebook)."""
        return self.mode == "bar"

    def step(self, name: str) -> None:
        """Start step ``name`` (the previous one is then done)."""
        if self._bar is not None:
            if self.done:
                self._bar.update()
            self._bar.set_description(name)
        elif self.mode == "lines":
            print(f"[{self.done + 1}/{self.total}] {name}", file=self.stream, flush=True)
        self.done += 1

    def close(self) -> None:
        """The last step is done: fill and close the bar."""
        if self._bar is not None:
            self._bar.update(max(0, self.total - self._bar.n))
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Steps:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
