"""A TOML syntax error as a problem: tomllib's message, the line and a hint for the usual mistakes."""

from __future__ import annotations

import re

from riskmon.core.hints import TYPE_CHECKING
from riskmon.errors import Problem
from riskmon.i18n import N_, _
from riskmon.textsafe import clean

if TYPE_CHECKING:
    import tomllib


_AT = r"\s*\(at line (\d+), column (\d+)\)\s*$"
_HINTS = {
    "Invalid value": N_('text needs double quotes, e.g. platform = "tiktok"'),
    "Cannot overwrite a value": N_("a key is set twice"),
    "Invalid statement": N_("expected key = value, [table] or [[array]]"),
}
_TOMLLIB: dict[str, str] = {
    # tomllib's sentences (Python 3.11-3.13; its first letter lowercased, as shown) -> ours; {x}
    # is the key or character it quotes (data). A sentence not listed here stays tomllib's English.
    # (Braces doubled: these are str.format templates.)
    r"invalid value": N_("invalid value"),
    r"invalid statement": N_("invalid statement"),
    r"cannot overwrite a value": N_("cannot overwrite a value"),
    r"cannot declare (?P<x>.+) twice": N_("cannot declare {x} twice"),
    r"cannot mutate immutable namespace (?P<x>.+)": N_("cannot change the finished table {x}"),
    r"cannot redefine namespace (?P<x>.+)": N_("cannot redefine the table {x}"),
    r"duplicate inline table key (?P<x>.+)": N_("key {x} is set twice in an inline table"),
    r"found invalid character (?P<x>.+)": N_("invalid character {x}"),
    r"illegal character (?P<x>.+)": N_("character {x} is not allowed here"),
    r"expected (?P<x>'[^']*')": N_("expected {x}"),
    r"expected '=' after a key in a key/value pair": N_("expected '=' after a key in a key/value pair"),
    r"expected '\]' at the end of a table declaration": N_("expected ']' at the end of a table declaration"),
    r"expected '\]\]' at the end of an array declaration": N_("expected ']]' at the end of an array declaration"),
    r"expected newline or end of document after a statement": N_(
        "expected a new line or the end of the file after a statement"
    ),
    r"escaped character is not a unicode scalar value": N_("the escaped character is not a Unicode character"),
    r"invalid date or datetime": N_("invalid date or date-time"),
    r"invalid hex value": N_("invalid hex value"),
    r"invalid initial character for a key part": N_("a key cannot start with this character"),
    r"unclosed array": N_("unclosed list: a [ without its ]"),
    r"unclosed inline table": N_("unclosed inline table: a {{ without its }}"),
    r"unescaped '\\' in a string": N_("a \\ in a string that escapes nothing"),
    r"unterminated string": N_("unterminated string: a quote without its closing quote"),
}


def _tomllib_text(what: str) -> str:
    """tomllib's sentence (first letter lowercased) in the user's language; English when unknown.
    In English it stays tomllib's own wording."""
    from riskmon.i18n import is_english

    if is_english():
        return what
    for pattern, sentence in _TOMLLIB.items():
        m = re.fullmatch(pattern, what, re.IGNORECASE)
        if m:
            return _(sentence).format(**m.groupdict())
    return what


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
        where = _("at the end of the file")
    elif column:
        where = _("at line {line}, column {column}").format(line=line, column=column)
    else:
        where = _("at line {line}").format(line=line)
    hint = next((_(h) for prefix, h in _HINTS.items() if what.startswith(prefix)), "")
    message = _("invalid TOML {where}: {what}").format(where=where, what=_tomllib_text(what[:1].lower() + what[1:]))
    return Problem(filename, line, "", message + (_(" ({hint})").format(hint=hint) if hint else ""))
