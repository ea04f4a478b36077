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

    from dateutil.rrule import rrule

FREQS = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")
_LATE = datetime(9980, 1, 1, tzinfo=UTC)


def rrule_problem(value: str) -> str | None:
    """Why dateutil's reading of the rule is unusable, or None. Rejects what dateutil accepts but
    cannot use: bad syntax (it raises IndexError and OverflowError too), several lines
    (DTSTART/EXDATE: `effective` is the start), sub-daily frequencies, INTERVAL=0 (iterating never
    ends) and rules whose days never come whatever the start and interval (BYMONTH=13, February
    31). Whether the rule starts from the event's own `effective` is `never_occurs_from`."""
    text = value.removeprefix("RRULE:")
    if "\n" in text or ":" in text:
        return _("give one line (FREQ=...;...); `effective` is its start")
    freq = re.search(r"(?:^|;)\s*FREQ\s*=\s*([A-Za-z]*)", text, re.IGNORECASE)
    if not freq:
        return _("FREQ is required, e.g. FREQ=YEARLY")
    if freq.group(1).upper() not in FREQS:
        return _("FREQ must be {choices}").format(choices=", ".join(FREQS))
    try:
        rule = _read(text, datetime(2000, 1, 1, tzinfo=UTC))
        if rule is None:
            return _("not a single rule")
        if _part(rule, "INTERVAL", "1") == "0":
            return _("INTERVAL must be 1 or more")
        # Every period visited (INTERVAL 1) through the last 20 years of the calendar: a rule with
        # no day there has none anywhere, whatever its start or interval (an interval only skips
        # periods). dateutil stops at year 9999, which bounds the scan.
        if rule.replace(dtstart=_LATE, until=None, count=None, interval=1).after(_LATE, inc=True) is None:
            return _("it never occurs (check BYMONTH, BYMONTHDAY, BYDAY)")
    except ValueError as exc:  # dateutil's own sentence (English) unless it is a Python internal
        why = str(exc)
        return _("expected NAME=VALUE parts separated by ';', e.g. FREQ=YEARLY;BYMONTH=11") if "unpack" in why else why
    except Exception:  # dateutil also raises TypeError, IndexError, OverflowError
        return _("a value is out of range")
    return None


def never_occurs_from(value: str, start: datetime) -> bool:
    """Whether the rule, UNTIL and COUNT aside, has no start from `start` (its DTSTART, the
    event's `effective`) through the supported dates: FREQ=YEARLY;INTERVAL=4;BYMONTH=2;
    BYMONTHDAY=29 from a year after a leap year, FREQ=MONTHLY;INTERVAL=2;BYMONTH=2 from January.

    For a rule `rrule_problem` accepts. With INTERVAL k, a rule starts on the days its INTERVAL=1
    form starts on whose period (year, month, week or day) is a multiple of k periods after
    `start`'s: those days are walked in order, never past DATE_MAX, and every 400 years hold
    some (the calendar repeats), so the walk is short whether the answer is yes or no."""
    rule = _read(value.removeprefix("RRULE:"), start)
    if rule is None:
        return False
    interval = int(_part(rule, "INTERVAL", "1"))
    period = _period(rule, start)
    for day in rule.replace(until=None, count=None, interval=1):
        if day > DATE_MAX:
            return True
        if period(day) % interval == 0:
            return False
    return True


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
