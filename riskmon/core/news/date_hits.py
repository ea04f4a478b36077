"""A date found in an article's text: raw (as written, parts missing) and resolved (a datetime, how
exact it is, and what it marks: a start, an end or a deadline).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from riskmon.core.record import record


@record(slots=True)
class DateHit:
    start: int
    end: int
    """[start, end) in the sentence, the time of day included."""
    when: datetime
    """Aware, UTC."""
    precision: str
    """"time", "day", or "approx" (a part of a month, a month, the end of a year)."""
    explicit_year: bool
    before: bool = False
    """Marked as a limit: `前`, "by", "before", `须在`: an export-by deadline when an action is near."""
    since: bool = False
    """Marked as a start: `起`, "from", "effective"."""
    until: bool = False
    """Marked as an end: "until", `至`, `为止`."""
    offset: timedelta | None = None
    """The UTC offset the article gave (or implied) for the time; None for a date alone."""
    zoned: bool = False
    """The article named the time zone (else the offset is the language's default)."""

    @property
    def exactness(self) -> int:
        """How exact: 3 a time in a named zone, 2 a time, 1 a day, 0 a part of a month or year."""
        if self.precision == "time":
            return 3 if self.zoned else 2
        return 1 if self.precision == "day" else 0


@record(frozen=False, slots=True)
class _Raw:
    start: int
    end: int
    year: int | None = None
    year_rel: int | None = None
    month: int | None = None
    month_rel: int | None = None
    day: int | None = None
    day_rel: int | None = None
    part: str | None = None
    approx: bool = False
