"""Text columns measured in terminal cells, not characters: a Chinese character takes two cells,
so a table padded by `len()` would lose its alignment as soon as a title or a label is Chinese."""

from __future__ import annotations

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
