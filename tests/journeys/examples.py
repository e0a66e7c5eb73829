"""Extract the examples from README.md and the ``--help`` texts (at test time, every time).

An :class:`Example` is either a shell example (one or more command lines, run in order in one
folder) or a Python example (a fenced block, executed). Sources:

- README.md fenced ```bash/```sh/```console blocks (one example per block: commands share
  a folder, so an import block's ``report`` sees the layers imported before it) and
  ```python blocks;
- README.md inline code spans that are commands: ``jinan-gis ...``,
  ``.venv/bin/jinan-gis ...``, ``python -m jinan_gis...``, ``make ...`` (a span may wrap over
  lines);
- the ``jinan-gis`` parser and every subparser (walked with ``build_parser()``): example
  command lines in the description, epilog and argument help strings;
- ``python -m jinan_gis.analyses.batch --help`` (its parser is built inside ``main``), read
  from its output without the usage lines.
"""

from __future__ import annotations

import argparse
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"

SHELL_LANGS = {"bash", "sh", "shell", "console", "zsh"}
PYTHON_LANGS = {"python", "py", "python3", "pycon"}

_FENCE = re.compile(r"^```[ \t]*([\w+-]*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
_INLINE = re.compile(r"(?<!`)`([^`]+)`(?!`)")
# what an inline code span must start with to be a command example
_COMMAND_START = re.compile(
    r"^(?:\$\s+)?(?:\.venv/bin/)?(?:jinan-gis\b|python -m jinan_gis\b|make\s)")


@dataclass(frozen=True)
class Example:
    """One example: where it is, what kind, its text and (shell) its command lines."""

    origin: str  # "README.md:57 bash block", "jinan-gis report --help (epilog)"
    kind: str  # "shell" or "python"
    text: str
    commands: tuple[tuple[str, ...], ...] = field(default=())

    @property
    def id(self) -> str:
        return self.origin


def command_lines(text: str) -> tuple[tuple[str, ...], ...]:
    """The commands of a shell snippet: continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line.startswith("$ "):
            line = line[2:]
        if not line or line.startswith("#"):
            continue
        argv = tuple(shlex.split(line, comments=True))
        if argv:
            out.append(argv)
    return tuple(out)


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def readme_examples(path: Path = README) -> list[Example]:
    """Every fenced shell/Python block and inline command of README.md."""
    text = path.read_text(encoding="utf-8")
    out: list[Example] = []
    fenced: list[tuple[int, int]] = []
    for m in _FENCE.finditer(text):
        fenced.append(m.span())
        lang, body = m.group(1).lower(), m.group(2)
        line = _line_of(text, m.start())
        if lang in SHELL_LANGS:
            out.append(Example(f"{path.name}:{line} {lang} block", "shell", body,
                               command_lines(body)))
        elif lang in PYTHON_LANGS:
            out.append(Example(f"{path.name}:{line} python block", "python", body))
    for m in _INLINE.finditer(text):
        if any(a <= m.start() < b for a, b in fenced):
            continue
        span = " ".join(m.group(1).split())  # an inline span may wrap over lines
        if _COMMAND_START.match(span):
            line = _line_of(text, m.start())
            out.append(Example(f"{path.name}:{line} `{span}`", "shell", span,
                               command_lines(span)))
    return out


# ----------------------------------------------------------------------------- --help texts
def _subparsers(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.items()


def _help_texts(parser: argparse.ArgumentParser, name: str):
    yield f"{name} --help (description)", parser.description or ""
    yield f"{name} --help (epilog)", parser.epilog or ""
    for action in parser._actions:
        if action.help and action.help is not argparse.SUPPRESS:
            flag = "/".join(action.option_strings) or action.dest
            yield f"{name} --help ({flag})", action.help


def _command_pattern(names: list[str]) -> re.Pattern:
    alts = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    return re.compile(
        rf"(?:(?<=^)|(?<=[\s`'\"(]))((?:\.venv/bin/)?jinan-gis\s+(?:{alts}|--help|-h)\b"
        r"[^\n`'\")]*|python -m jinan_gis\.analyses\.batch\s+[^\s.][^\n`'\")]*)",
        re.M,
    )


def _clean(cmd: str) -> str:
    cmd = re.split(r";\s", cmd.strip())[0]  # "cmd; more prose" -> cmd
    return cmd.rstrip(" .,;:")


def help_examples() -> list[Example]:
    """Example command lines in the help texts of ``jinan-gis`` and the batch runner."""
    from jinan_gis.cli import build_parser

    top = build_parser()
    parsers = [("jinan-gis", top)] + [(f"jinan-gis {n}", p) for n, p in _subparsers(top)]
    names = [n for n, _ in _subparsers(top)]
    pat = _command_pattern(names)
    out: list[Example] = []
    seen: set[tuple[str, str]] = set()
    for pname, parser in parsers:
        for where, text in _help_texts(parser, pname):
            for m in pat.finditer(text):
                cmd = _clean(m.group(1))
                if (where, cmd) not in seen:
                    seen.add((where, cmd))
                    out.append(Example(f"{where}: {cmd}", "shell", cmd, command_lines(cmd)))
    # the batch runner builds its parser inside main(): read its --help output
    text = batch_help()
    body = text.split("\n\n", 1)[1] if "\n\n" in text else ""  # no usage lines
    for m in pat.finditer(body):
        cmd = _clean(m.group(1))
        where = "python -m jinan_gis.analyses.batch --help"
        if (where, cmd) not in seen:
            seen.add((where, cmd))
            out.append(Example(f"{where}: {cmd}", "shell", cmd, command_lines(cmd)))
    return out


def batch_help() -> str:
    """What ``python -m jinan_gis.analyses.batch --help`` prints, got in this process (the
    module is imported here anyway; a subprocess per xdist worker cost ~1.5 s of CPU each).
    COLUMNS=80 wraps the text as a subprocess writing to a pipe does. The journey of that
    example (``run_help``) still runs it as a subprocess."""
    import contextlib
    import io
    import os
    from unittest import mock

    from jinan_gis.analyses import batch

    buf = io.StringIO()
    with mock.patch.dict(os.environ, {"COLUMNS": "80"}), contextlib.redirect_stdout(buf):
        try:
            batch.main(["--help"])
        except SystemExit as exc:
            assert exc.code in (0, None), f"batch --help exited {exc.code}"
        else:
            raise AssertionError("batch --help did not exit")
    return buf.getvalue()


def all_examples() -> list[Example]:
    """README examples first, then the help texts' ones; an example given in several places
    is run once (under its first place)."""
    out: dict[tuple[str, str], Example] = {}
    seen: set[tuple[str, ...]] = set()
    for e in readme_examples() + help_examples():
        cmds = [_normal(c) for c in e.commands]
        if cmds and all(c in seen for c in cmds):  # run already as part of another example
            continue
        seen.update(cmds)
        out.setdefault((e.kind, " ".join(e.text.split())), e)
    return list(out.values())


def _normal(argv: tuple[str, ...]) -> tuple[str, ...]:
    return (argv[0].removeprefix(".venv/bin/"), *argv[1:]) if argv else argv
