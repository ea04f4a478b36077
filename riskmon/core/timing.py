"""When an event counts: its status as of `now`, the occurrence in force, its window, urgency.

All of it is read at an instant `now` passed in by the caller; nothing here reads a clock.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import datetime, timedelta
from functools import lru_cache

from riskmon.core.dates import DATE_MAX
from riskmon.core.hints import TYPE_CHECKING
from riskmon.core.model import DEFAULT_PROBABILITY, Event, TimelineEntry
from riskmon.core.record import record

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from dateutil.rrule import rrule, rruleset

DAY_SECONDS = 86400.0
URGENCY_FULL_DAYS = 14.0
URGENCY_HALF_LIFE_DAYS = 60.0


@record(slots=True)
class Standing:
    """An event's status and probability as of `now`, and the timeline entry they come from."""

    status: str
    probability: float
    entry: TimelineEntry | None = None


def status_at(event: Event, now: datetime) -> Standing | None:
    """The status in force at `now`; None when the event has a timeline and was not public yet.

    Without a timeline the event's `status` and `probability` hold at every instant. With one, the
    entry in force is the last dated at or before `now`; its probability is the entry's own, else
    the event's `probability` when that entry is the last one, else its status's default.
    """
    if not event.timeline:
        return Standing(event.status, event.p)
    last = len(event.timeline) - 1
    in_force = -1
    for i, entry in enumerate(event.timeline):
        if entry.date > now:
            break
        in_force = i
    if in_force < 0:
        return None
    entry = event.timeline[in_force]
    if entry.probability is not None:
        p = entry.probability
    elif in_force == last and event.probability is not None:
        p = event.probability
    else:
        p = DEFAULT_PROBABILITY[entry.status]
    return Standing(entry.status, p, entry)


@lru_cache(maxsize=4096)
def _rule(recurs: str, dtstart: datetime) -> rrule | rruleset:
    from dateutil.rrule import rrulestr

    return rrulestr(recurs.removeprefix("RRULE:"), dtstart=dtstart)


MAX_STARTS = 1000
"""Starts kept for a rule worked out ahead: a yearly or monthly rule over the supported dates."""

Starts = tuple[datetime, ...]
_known: dict[tuple[str, datetime], Starts] = {}
"""A memo of recurrence_starts, filled ahead by know_starts: a rule's starts are a pure function of
(recurs, dtstart), so where they come from changes no figure, only whether dateutil is imported
(~6 ms of a `riskmon check` on a cached config)."""


def recurrence_starts(recurs: str, dtstart: datetime) -> Starts | None:
    """Every start of the rule from `dtstart` through its first after the supported dates (or
    its last, when it ends before); None when that is more than MAX_STARTS (a daily or weekly
    rule: its starts are worked out when needed)."""
    starts: list[datetime] = []
    for start in _rule(recurs, dtstart):
        if len(starts) == MAX_STARTS:
            return None
        starts.append(start)
        if start > DATE_MAX:
            break
    return tuple(starts)


def starts_of(events: Iterable[Event]) -> dict[tuple[str, datetime], Starts]:
    """recurrence_starts for each recurring event, where it has one: what the validated-config
    cache keeps beside the events."""
    out = {}
    for event in events:
        if event.recurs and (found := recurrence_starts(event.recurs, event.effective)) is not None:
            out[(event.recurs, event.effective)] = found
    return out


def know_starts(table: Mapping[tuple[str, datetime], Starts]) -> None:
    """Starts worked out ahead (starts_of, read back from the validated-config cache)."""
    _known.update(table)


def _known_at(recurs: str, dtstart: datetime, at: datetime) -> Starts | None:
    """The starts known ahead, where they answer for `at`: they run through the rule's first
    start after the supported dates, so every instant up to DATE_MAX."""
    return _known.get((recurs, dtstart)) if at <= DATE_MAX else None


def previous_start(recurs: str, dtstart: datetime, before: datetime) -> datetime | None:
    """The rule's last start strictly before `before` (dateutil's `rrule.before`)."""
    known = _known_at(recurs, dtstart, before)
    if known is not None:
        i = bisect_left(known, before)
        return known[i - 1] if i else None
    return _rule(recurs, dtstart).before(before)


def occurrence(event: Event, now: datetime, horizon_days: float) -> tuple[datetime, datetime | None] | None:
    """The (effective, ends) that counts at `now`, or None when the event no longer counts.

    A one-off event counts until its `ends` passes. A recurring one (`recurs`, with `effective` as
    DTSTART) counts in the latest occurrence whose window holds `now`, else at its next one; each
    occurrence lasts `ends - effective`, or without `ends` the horizon, and that occurrence's end
    is its `ends`. An exhausted rule with no window holding `now` no longer counts.
    """
    if not event.recurs:
        if event.ends is not None and event.ends <= now:
            return None
        return event.effective, event.ends
    length = event.ends - event.effective if event.ends is not None else timedelta(days=horizon_days)
    last, upcoming = _around(event.recurs, event.effective, now)
    if last is not None and last + length > now:
        return last, last + length
    if upcoming is None:
        return None
    return upcoming, upcoming + length


def _around(recurs: str, dtstart: datetime, now: datetime) -> tuple[datetime | None, datetime | None]:
    """The rule's last occurrence at or before `now` and its first after it: from the starts
    known ahead (complete up to the first after the supported dates), else in one walk."""
    known = _known_at(recurs, dtstart, now)
    if known is not None:
        i = bisect_right(known, now)
        return (known[i - 1] if i else None), (known[i] if i < len(known) else None)
    last = None
    for start in _rule(recurs, dtstart):
        if start > now:
            return last, start
        last = start
    return last, None


def days_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / DAY_SECONDS


def urgency(days_until: float) -> float:
    """1 within 14 days, then halving every 60 days."""
    if days_until <= URGENCY_FULL_DAYS:
        return 1.0
    return float(0.5 ** ((days_until - URGENCY_FULL_DAYS) / URGENCY_HALF_LIFE_DAYS))


@record(slots=True)
class Window:
    """When an event's damage runs, in days from `now`: [start, start + length)."""

    effective: datetime
    """The occurrence's start (a recurring event's current or next one)."""
    ends: datetime | None
    """The occurrence's end, if it has one."""
    start: float
    """max(now, effective), in days from now (0 for an event already in effect)."""
    length: float
    """h_days: the horizon, or less when the event ends sooner."""
    days_until: float
    """Days from now to `effective`; negative once passed."""
    ends_day: float | None
    """`ends` in days from now (None: the effect lasts for ever, e.g. a fee change)."""

    @property
    def end(self) -> float:
        return self.start + self.length


def window(event: Event, now: datetime, horizon_days: float) -> Window | None:
    """The event's window at `now`, or None when it no longer counts."""
    occ = occurrence(event, now, horizon_days)
    if occ is None:
        return None
    effective, ends = occ
    if ends is None and event.recurs:
        ends = effective + timedelta(days=horizon_days)
    days_until = days_between(now, effective)
    start = max(0.0, days_until)
    length = horizon_days
    ends_day = None
    if ends is not None:
        ends_day = days_between(now, ends)
        length = min(horizon_days, ends_day - start)
    return Window(effective, ends, start, length, days_until, ends_day)
