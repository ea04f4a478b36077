"""Text columns measured in terminal cells, not characters: a Chinese character takes two cells,
so a table padded by `len()` would lose its alignment as soon as a title or a label is Chinese."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence


def cell_width(text: str) -> int:
    """The terminal cells `text` takes: East Asian Wide and Fullwidth characters (Chinese) take
    two, combining marks none; a column is as wide as its widest cell, not its longest text."""
    if text.isascii():
        return len(text)
    import unicodedata

    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def ljust(text: str, width: int) -> str:
    return text + " " * max(0, width - cell_width(text))


def rjust(text: str, width: int) -> str:
    return " " * max(0, width - cell_width(text)) + text


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int] | None = None) -> list[str]:
    """Align columns by terminal cells; `right` holds the indexes of numeric columns."""
    right = right or set()
    widths = [cell_width(h) for h in headers]
    for row in rows:
        widths = [max(w, cell_width(c)) for w, c in zip(widths, row, strict=True)]

    def fmt(row: Sequence[str]) -> str:
        cells = [rjust(c, w) if i in right else ljust(c, w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        return "  ".join(cells).rstrip()

    return [fmt(headers), *(fmt(r) for r in rows)]


_TOKEN = r"\n|[^\S\n]+|[!-~]+|."
"""A line break, a run of spaces, a run of ASCII (a word, an option, a path, an amount: never
broken) or one other character (a Chinese character or punctuation mark, after which a line may
break)."""
_CLOSERS = frozenset("，。、；：！？）」』》")
"""Never at the start of a line: they stay with the character before them."""
_OPENERS = frozenset("（「『《")
"""Never at the end of a line: they go with the character after them."""


def break_offsets(text: str, width: int) -> list[int]:
    """Where the lines of `text` wrapped to `width` terminal cells start (the first excepted), as
    offsets into it: breaks at spaces or between Chinese characters, never inside an ASCII word (a
    longer one keeps a line of its own), never before a closing or after an opening mark, and
    nowhere else than the text's own line breaks need. A terminal UI wraps between spaces only,
    which leaves Chinese text half a line short before every long phrase."""
    offsets: list[int] = []
    line: list[tuple[int, str]] = []  # (offset, token) since the line's start
    used = 0
    for m in re.finditer(_TOKEN, text):  # compiled on first use (re caches it): a check never wraps
        start, token = m.start(), m.group()
        if token == "\n":
            line, used = [], 0
            continue
        size = cell_width(token)
        if used + size > width and line and not token.isspace():
            carried = _carried(line, token)
            offsets.append(carried[0][0] if carried else start)
            line, used = carried, sum(cell_width(t) for _, t in carried)
        line.append((start, token))
        used += size
    return offsets


def _carried(line: list[tuple[int, str]], token: str) -> list[tuple[int, str]]:
    """What moves from the end of a full `line` to the next with `token`: the character before a
    closing mark, and any opening marks; the line keeps at least one token."""
    carried = [line.pop()] if token in _CLOSERS and len(line) > 1 else []
    while len(line) > 1 and line[-1][1] in _OPENERS:
        carried.insert(0, line.pop())
    return carried


def wrapped_lines(text: str, width: int) -> list[str]:
    """`text` cut at `break_offsets`, each line without its trailing spaces (a line the text breaks
    itself stays where it is; empty lines are dropped)."""
    bounds = [0, *break_offsets(text, width), len(text)]
    lines = [text[a:b] for a, b in itertools.pairwise(bounds)]
    return [part.rstrip() for line in lines for part in line.split("\n") if part.strip()]
