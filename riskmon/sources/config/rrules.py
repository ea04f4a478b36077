"""Checks of an event's `recurs` rule (an RFC 5545 RRULE read by dateutil): what dateutil
accepts but riskmon cannot use, and a rule that never starts from the event's `effective`.

Both bound their work. dateutil looks for a rule's next start period by period up to year 9999,
also through periods with no start, so a rule that never occurs costs seconds to ask about; a
config that holds one must be told so at once, and the engine must never be handed one.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, date, datetime, timedelta

from riskmon.core.dates import DATE_MAX
from riskmon.core.hints import TYPE_CHECKING
from riskmon.i18n import _

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from dateutil.rrule import rrule

FREQS = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")
_PROBE = datetime(9972, 1, 1, tzinfo=UTC)
"""The last 28 years of the calendar (9972 is a leap year, and no century year follows before
9999): every kind of year, leap or not, starting on every weekday."""
_SUB_DAILY = re.compile(r"(?:^|;)\s*BY(?:HOUR|MINUTE|SECOND)\s*=", re.IGNORECASE)
_GIVEN = ("BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY", "BYEASTER")


def rrule_problem(value: str) -> str | None:
    """Why dateutil's reading of the rule is unusable, or None. Rejects what dateutil accepts but
    cannot use: bad syntax (it raises IndexError and OverflowError too, some only in the months
    an ordinal does not fit), several lines (DTSTART/EXDATE: `effective` is the start), sub-daily
    frequencies and parts (riskmon counts in days), INTERVAL=0 (iterating never ends) and rules
    with no day in any year, whatever their start and interval (BYMONTH=13, February 31). Whether
    the rule starts from the event's own `effective` is `first_start`."""
    text = value.removeprefix("RRULE:")
    if "\n" in text or ":" in text:
        return _("give one line (FREQ=...;...); `effective` is its start")
    freq = re.search(r"(?:^|;)\s*FREQ\s*=\s*([A-Za-z]*)", text, re.IGNORECASE)
    if not freq:
        return _("FREQ is required, e.g. FREQ=YEARLY")
    if freq.group(1).upper() not in FREQS:
        return _("FREQ must be {choices}").format(choices=", ".join(FREQS))
    if _SUB_DAILY.search(text):
        return _("BYHOUR, BYMINUTE and BYSECOND are not supported: riskmon counts in days")
    try:
        rule = _read(text, _PROBE)
        if rule is None:
            return _("not a single rule")
        if _part(rule, "INTERVAL", "1") == "0":
            return _("INTERVAL must be 1 or more")
        # Every period (INTERVAL 1) of the last 28 years, each one built: a rule with no day
        # there has none in any year (an interval only skips periods), and a part that fits no
        # month (BYDAY=+53FR in a MONTHLY rule) raises here, not in the engine. At most one day
        # a day: ~10,000 days, then dateutil stops at year 9999.
        if not list(rule.replace(dtstart=_PROBE, until=None, count=None, interval=1)):
            return _("it never occurs (check BYMONTH, BYMONTHDAY, BYDAY)")
    except ValueError as exc:  # dateutil's own sentence (English) unless it is a Python internal
        why = str(exc)
        return _("expected NAME=VALUE parts separated by ';', e.g. FREQ=YEARLY;BYMONTH=11") if "unpack" in why else why
    except Exception:  # dateutil also raises TypeError, IndexError, OverflowError
        return _("a value is out of range")
    return None


def first_start(value: str, start: datetime) -> datetime | None:
    """The rule's first start from `start` (its DTSTART, the event's `effective`), UNTIL and COUNT
    aside, or None when it has none through the supported dates (DATE_MAX):
    FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29 from a year after a leap year,
    FREQ=MONTHLY;INTERVAL=2;BYMONTH=2 from January, FREQ=YEARLY;BYMONTH=2 from 31 January (the
    day of the month comes from the start).

    For a rule `rrule_problem` accepts. dateutil would look for it period by period up to year
    9999, also through periods with no day; this stays bounded. The days the start implies are
    first looked for in the last 28 years of the calendar: none there, none anywhere. Else the
    days of its INTERVAL=1 form are walked from `start` (the next is never more than ~40 years
    on), and the first whose period (year, month, week from WKST, or day) is a multiple of
    INTERVAL periods after `start`'s is the rule's: dateutil counts INTERVAL that way."""
    try:
        rule = _read(value.removeprefix("RRULE:"), start)
        if rule is None:
            return None
        every = rule.replace(until=None, count=None, interval=1)
        if every.replace(dtstart=_PROBE, **_implied(rule, start)).after(_PROBE, inc=True) is None:
            return None
        interval = int(_part(rule, "INTERVAL", "1"))
        period = _period(rule, start)
        for day in every:
            if day > DATE_MAX:
                return None
            if period(day) % interval == 0:
                return day
    except Exception:  # dateutil's errors (a part that fits no month) were refused already
        return None
    return None


def _implied(rule: rrule, start: datetime) -> dict[str, Any]:
    """The parts dateutil takes from DTSTART when the rule names no day (its constructor): the
    day of the month (and the month, for YEARLY without BYMONTH), or the weekday for WEEKLY."""
    text = str(rule)
    if any(f"{name}=" in text for name in _GIVEN):
        return {}
    freq = _part(rule, "FREQ", "YEARLY")
    if freq == "YEARLY":
        return {"bymonthday": start.day} | ({} if "BYMONTH=" in text else {"bymonth": start.month})
    if freq == "MONTHLY":
        return {"bymonthday": start.day}
    return {"byweekday": start.weekday()} if freq == "WEEKLY" else {}


def _read(text: str, start: datetime) -> rrule | None:
    from dateutil.rrule import rrule, rrulestr

    with warnings.catch_warnings():  # dateutil warns about unknown time zone names in UNTIL
        warnings.simplefilter("ignore")
        rule = rrulestr(text, dtstart=start)
    return rule if isinstance(rule, rrule) else None


def _part(rule: rrule, name: str, default: str) -> str:
    """A part of the rule as dateutil writes it back (str(rule): normalised, defaults left out)."""
    found = re.search(rf"[:;]{name}=([^;\n]+)", str(rule))
    return found.group(1) if found else default


def _period(rule: rrule, start: datetime) -> Callable[[datetime], int]:
    """How many of the rule's periods (FREQ) a start is after `start`'s: dateutil counts
    INTERVAL from the period holding DTSTART, a week beginning on WKST (default Monday)."""
    freq = _part(rule, "FREQ", "YEARLY")
    if freq == "YEARLY":
        return lambda day: day.year - start.year
    if freq == "MONTHLY":
        return lambda day: (day.year - start.year) * 12 + day.month - start.month
    if freq == "DAILY":
        return lambda day: (day.date() - start.date()).days
    wkst = ("MO", "TU", "WE", "TH", "FR", "SA", "SU").index(_part(rule, "WKST", "MO"))

    def week_of(day: date) -> date:
        return day - timedelta(days=(day.weekday() - wkst) % 7)

    first = week_of(start.date())
    return lambda day: (week_of(day.date()) - first).days // 7
