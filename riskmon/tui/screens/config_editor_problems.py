"""The config editor's problems as words and positions, and a failed read or write in one line.
Pure: no Textual state."""

from __future__ import annotations

from pathlib import Path

from riskmon.errors import ConfigError, Problem, reason_of
from riskmon.i18n import _
from riskmon.textsafe import clean


def why(exc: Exception) -> str:
    """One line for a failed read or write: every problem of a ConfigError (a file that is not
    UTF-8, an unreadable one), else riskmon's message or the exception's type and text."""
    if isinstance(exc, ConfigError):
        return "; ".join(str(p) for p in exc.problems)
    return reason_of(exc)


def problem_label(p: Problem, name: str) -> str:
    """'line 12: business.gross_margin: must be 1 or less' (another file: 'events.toml:7: ...')."""
    other = Path(p.file).name != name
    if other:
        where = Path(p.file).name + (f":{p.line}" if p.line else "")
    else:
        where = _("line {n}").format(n=p.line) if p.line else _("file")
    field = f"{p.field}: " if p.field else ""
    return clean(f"{where}: {field}{p.message}")


def problem_position(p: Problem, name: str, text: str) -> tuple[int, int] | None:
    """(row, column) of a problem in `text`: its line, at the field's key when the line has it."""
    if not p.line or Path(p.file).name != name:
        return None
    lines = text.split("\n")
    row = min(max(p.line - 1, 0), max(len(lines) - 1, 0))
    line = lines[row] if lines else ""
    key = p.field.rsplit(".", 1)[-1].split("[", 1)[0] if p.field else ""
    col = line.find(key) if key else -1
    if col < 0:
        col = len(line) - len(line.lstrip())
    return row, col
