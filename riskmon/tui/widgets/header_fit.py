"""The header's figures fitted into the rows it has: labels shortened (never the figures), the
least needed figures left out, only then the business name cut.

Each figure is a `Piece` with its wordings, longest first. `fit` tries each `LEVELS` in turn
(which wording, which separator), first with every piece, then leaving out the optional ones in
order, and packs the pieces into rows in reading order: the first row beside the level badge,
the others full width. The first packing that fits is shown. Pure: no widgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.content import Content


@dataclass(frozen=True)
class Piece:
    wordings: tuple[Content, ...]
    """Longest first; a level past the last uses the last."""
    drop: int = 0
    """0: always shown; 1, 2, ...: left out in this order when the rows are too few."""

    def at(self, level: int) -> Content:
        return self.wordings[min(level, len(self.wordings) - 1)]


@dataclass(frozen=True)
class Level:
    wording: int
    separator: str


LEVELS = (Level(0, "  ·  "), Level(0, " · "), Level(1, " · "), Level(1, "  "), Level(2, "  "), Level(3, "  "))
"""From the roomiest to the tightest."""


def pack(parts: Sequence[Content], widths: Sequence[int], separator: str) -> list[Content] | None:
    """`parts` in order, as many on a row as fit its width; None when they need more rows (or a
    part is wider than its row)."""
    rows: list[list[Content]] = [[]]
    used = 0
    for part in parts:
        need = part.cell_length + (len(separator) if rows[-1] else 0)
        if used + need > widths[min(len(rows) - 1, len(widths) - 1)]:
            if not rows[-1] or len(rows) == len(widths):
                return None
            rows.append([])
            used, need = 0, part.cell_length
            if need > widths[len(rows) - 1]:
                return None
        rows[-1].append(part)
        used += need
    return [Content(separator).join(row) for row in rows]


def fit(pieces: Sequence[Piece], widths: Sequence[int]) -> list[Content]:
    """The pieces in `len(widths)` rows at the first level that fits (the tightest when none)."""
    drops = sorted({p.drop for p in pieces if p.drop})
    for level in LEVELS:
        for cut in [0, *drops]:
            shown = [p.at(level.wording) for p in pieces if not p.drop or p.drop > cut]
            rows = pack(shown, widths, level.separator)
            if rows is not None:
                return rows
    tight = LEVELS[-1]
    parts = [p.at(tight.wording) for p in pieces if not p.drop]
    return [Content(tight.separator).join(parts)]  # cut at the edge of its row
