"""A TOML syntax error as a problem: tomllib's message, the line and a hint for the usual mistakes."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from riskmon.errors import Problem
from riskmon.textsafe import clean

if TYPE_CHECKING:
    import tomllib


_AT = r"\s*\(at line (\d+), column (\d+)\)\s*$"
_HINTS = {
    "Invalid value": 'text needs double quotes, e.g. platform = "tiktok"',
    "Cannot overwrite a value": "a key is set twice",
    "Invalid statement": "expected key = value, [table] or [[array]]",
}


def _syntax_problem(filename: str, text: str, exc: tomllib.TOMLDecodeError) -> Problem:
    raw = str(exc)
    line: int | None = getattr(exc, "lineno", None)
    column: int | None = getattr(exc, "colno", None)
    what = getattr(exc, "msg", None) or raw
    m = re.search(_AT, raw)
    if m:
        what = raw[: m.start()]
        line, column = int(m.group(1)), int(m.group(2))
    elif "(at end of document)" in raw:
        what = raw.replace("(at end of document)", "").strip()
    what = clean(what)
    if what.startswith("Cannot overwrite a value") or what.startswith("Cannot declare"):
        # tomllib may place these at the end of the document; find the repeated key ourselves.
        from riskmon.sources.config.positions import duplicate_lines

        dups = duplicate_lines(text)
        if dups and (line is None or "Cannot overwrite" in what):
            line, column = dups[0], None
    if line is None:
        line = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
        where = "at the end of the file"
    else:
        where = f"at line {line}" + (f", column {column}" if column else "")
    hint = next((h for prefix, h in _HINTS.items() if what.startswith(prefix)), "")
    message = f"invalid TOML {where}: {what[:1].lower()}{what[1:]}" + (f" ({hint})" if hint else "")
    return Problem(filename, line, "", message)
