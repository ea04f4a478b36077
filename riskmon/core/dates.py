"""Dates as riskmon reads them: a TOML date is 00:00 UTC, a date-time without an offset is UTC,
and everything is kept as an aware UTC datetime within one supported range."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from riskmon.core.hints import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

# The dates riskmon supports, everywhere: config files, feeds and --now. The engine adds up to ten
# years to them (playbook due dates, recurrences) and subtracts as much; Python's datetime ends at
# years 1 and 9999, so the range keeps well inside it, and covers any real policy event.
MIN_YEAR, MAX_YEAR = 1900, 2200
DATE_MIN = datetime(MIN_YEAR, 1, 1, tzinfo=UTC)
DATE_MAX = datetime(MAX_YEAR, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
_RANGE_TEXT = f"outside the supported dates (years {MIN_YEAR} to {MAX_YEAR})"


class NotADate(ValueError):
    """Text that is no ISO date or date-time (a ValueError, for every caller that catches one)."""


def parse_iso(value: str) -> date | datetime | None:
    """An ISO 8601 date or date-time ("Z" for UTC allowed) as read, or None when it is not one."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text) if ("T" in text or " " in text) else date.fromisoformat(text)
    except ValueError:
        return None


def to_utc(value: Any) -> Any:
    """Accept a TOML date/datetime or an ISO string; return an aware UTC datetime."""
    if isinstance(value, str):
        parsed = parse_iso(value)
        if parsed is None:
            hint = "use 2025-01-19 or 2025-01-19T17:00:00+07:00"
            raise NotADate(f"not a date or date-time: {value!r} ({hint})")
        value = parsed
    try:
        if isinstance(value, datetime):
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if isinstance(value, date):
            return datetime.combine(value, time(0, 0), tzinfo=UTC)
    except OverflowError:  # 0001-01-01T00:00+05:00 is before year 1 in UTC
        raise ValueError(f"{value.isoformat()} is {_RANGE_TEXT}") from None
    return value


def in_date_range(value: datetime) -> datetime:
    """`value` (aware, UTC) if it lies within the supported dates; else ValueError saying so."""
    if not DATE_MIN <= value <= DATE_MAX:
        raise ValueError(f"{value.date().isoformat()} is {_RANGE_TEXT}")
    return value
