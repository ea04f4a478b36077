"""events.toml's models: events, their impacts, deadlines, timelines and recurrence.
Imported from riskmon.sources.config.schema."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime
from itertools import pairwise
from typing import Annotated, Any

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from riskmon.core.model import DEFAULT_PROBABILITY
from riskmon.i18n import _
from riskmon.sources.config.checks import FieldProblem, check_unique_ids, ends_after_effective
from riskmon.sources.config.schema_types import (
    EventKind,
    Id,
    Name,
    Platforms,
    Regions,
    Share,
    Status,
    Strict,
    SupplyRoute,
    UtcDateTime,
    Warehouse,
)

# ---------------------------------------------------------------------------------------------
# events.toml


class Impact(Strict):
    """Overrides of an event kind's default impact (see README, "Event kinds")."""

    orders_lost: Share | None = None
    traffic_lost: Share | None = None
    traffic_features: list[Name] | None = None
    """Which traffic-link features the event cuts; ["*"] for all."""
    payouts_frozen: Share | None = None
    inventory_stranded: Share | None = None
    deposit_lost: Share | None = None
    fee_delta: Annotated[float, Field(ge=-1.0, le=1.0)] | None = None
    """Change in commission rate, e.g. 0.02 for +2 points; negative is a saving."""
    extra_hold_days: Annotated[float, Field(ge=0.0, le=365.0)] | None = None
    duty_delta: Annotated[float, Field(ge=-1.0, le=100.0)] | None = None
    """Change in the duty rate on the goods' cost, e.g. 0.30 for +30 points or 1.45."""
    freeze_days: Annotated[float, Field(ge=0.0, le=3650.0)] | None = None
    """How long frozen payouts stay frozen (default 90 days for ban, account_suspension and
    shop_closure, else 0)."""


class Deadline(Strict):
    date: UtcDateTime
    what: str = Field(min_length=1)


_RRULE_FREQS = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")


def _check_rrule(value: str) -> None:
    why = _rrule_problem(value)
    if why:
        raise ValueError(_("not a valid RFC 5545 RRULE: {why}").format(why=why))


def _rrule_problem(value: str) -> str | None:
    """Why dateutil's reading of the rule is unusable, or None. Rejects what dateutil accepts but
    cannot use: bad syntax (it raises IndexError and OverflowError too), several lines
    (DTSTART/EXDATE: `effective` is the start), sub-daily frequencies, INTERVAL=0 (iterating never
    ends) and rules that never occur whatever their start (BYMONTH=13, February 31): the engine
    would scan to year 9999 looking for the next occurrence. A rule with INTERVAL > 1 may occur
    from one start and not from another; Event checks it from its own `effective`."""
    from dateutil.rrule import rrule, rrulestr

    text = value.removeprefix("RRULE:")
    if "\n" in text or ":" in text:
        return _("give one line (FREQ=...;...); `effective` is its start")
    freq = re.search(r"(?:^|;)\s*FREQ\s*=\s*([A-Za-z]*)", text, re.IGNORECASE)
    if not freq:
        return _("FREQ is required, e.g. FREQ=YEARLY")
    if freq.group(1).upper() not in _RRULE_FREQS:
        return _("FREQ must be {choices}").format(choices=", ".join(_RRULE_FREQS))
    start = datetime(2000, 1, 1, tzinfo=UTC)
    try:
        with warnings.catch_warnings():  # dateutil warns about unknown time zone names in UNTIL
            warnings.simplefilter("ignore")
            rule = rrulestr(text, dtstart=start)
        if not isinstance(rule, rrule):
            return _("not a single rule")
        interval = getattr(rule, "_interval", 1)
        if interval < 1:
            return _("INTERVAL must be 1 or more")
        # Whether it can occur at all, looked for in the last 20 years of the calendar: dateutil
        # only stops at year 9999, so this bounds the scan (UNTIL and COUNT do not bound it).
        # With INTERVAL 1 every year, month or day is visited, so the start does not matter.
        late = datetime(9980, 1, 1, tzinfo=UTC)
        probe = rule.replace(dtstart=late, until=None, count=None)
        if interval == 1 and probe.after(late, inc=True) is None:
            return _("it never occurs (check BYMONTH, BYMONTHDAY, BYDAY)")
    except ValueError as exc:  # dateutil's own sentence (English) unless it is a Python internal
        why = str(exc)
        return _("expected NAME=VALUE parts separated by ';', e.g. FREQ=YEARLY;BYMONTH=11") if "unpack" in why else why
    except Exception:  # dateutil also raises TypeError, IndexError, OverflowError
        return _("a value is out of range")
    return None


def _never_from(value: str, start: datetime) -> bool:
    """Whether the rule's pattern (UNTIL and COUNT aside) never occurs from `start`, its DTSTART:
    FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29 from a year after a leap year, or
    FREQ=MONTHLY;INTERVAL=2;BYMONTH=2 from January. Only such a rule scans on to year 9999
    (about 0.1-0.3 s, once, for a config that is rejected); one that occurs stops at its first."""
    from dateutil.rrule import rrule, rrulestr

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rule = rrulestr(value.removeprefix("RRULE:"), dtstart=start)
    if not isinstance(rule, rrule):  # the field's own check says why
        return False
    return rule.replace(until=None, count=None).after(start, inc=True) is None


class TimelineEntry(Strict):
    date: UtcDateTime
    status: Status
    probability: Share | None = None


class Event(Strict):
    id: Id
    title: str = Field(min_length=1)
    kind: EventKind
    platforms: Platforms = Field(min_length=1)
    regions: Regions = Field(default_factory=lambda: ["*"])
    status: Status
    """Required unless a timeline is given; with one, its last entry's status."""
    probability: Share | None = None
    effective: UtcDateTime
    ends: UtcDateTime | None = None
    deadlines: list[Deadline] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    recurs: str = ""
    """RFC 5545 RRULE, e.g. FREQ=YEARLY;BYMONTH=11;BYDAY=FR;BYMONTHDAY=23,24,25,26,27,28,29"""
    impact: Impact = Field(default_factory=Impact)
    summary: str = ""
    updated: UtcDateTime | None = None
    """When a feed last changed this event; the newest wins when sources disagree."""
    source: str = "catalog"
    """Which feed the event came from; set by riskmon, not by you."""
    timeline: list[TimelineEntry] = Field(default_factory=list)
    """Dated statuses, oldest first: a replay uses the entry in force at --now."""
    warehouses: list[Warehouse] | None = None
    """Only channels whose warehouse is listed are hit (unset: any)."""
    routes: list[SupplyRoute] | None = None
    """duty_change only: the supply routes it hits (unset: parcel and bulk)."""

    @model_validator(mode="before")
    @classmethod
    def _status_from_timeline(cls, data: Any) -> Any:
        """A timeline's last entry gives the status when none is written."""
        if isinstance(data, dict) and "status" not in data:
            timeline = data.get("timeline")
            if isinstance(timeline, list) and timeline and isinstance(timeline[-1], dict):
                last = timeline[-1].get("status")
                if last is not None:
                    return {**data, "status": last}
        return data

    @field_validator("recurs")
    @classmethod
    def _valid_rrule(cls, value: str) -> str:
        if value:
            _check_rrule(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Event:
        if self.ends is not None and self.ends <= self.effective:
            raise FieldProblem(ends_after_effective(), ("ends",))
        dates = [entry.date for entry in self.timeline]
        if any(b <= a for a, b in pairwise(dates)):
            raise ValueError(_("timeline dates must be strictly ascending"))
        if self.timeline and self.status != self.timeline[-1].status:
            message = _(
                "status {status} differs from the timeline's last entry ({last}); give the same, or leave status out"
            )
            raise ValueError(message.format(status=repr(self.status), last=repr(self.timeline[-1].status)))
        if self.routes is not None and self.kind != "duty_change":
            raise ValueError(_("routes applies only to kind duty_change"))
        if self.recurs and _never_from(self.recurs, self.effective):
            why = _("it never occurs from effective ({date}); check INTERVAL, BYMONTH, BYMONTHDAY, BYDAY")
            message = _("not a valid RFC 5545 RRULE: {why}").format(why=why.format(date=self.effective.date()))
            raise FieldProblem(message, ("recurs",))
        return self

    @property
    def p(self) -> float:
        return self.probability if self.probability is not None else DEFAULT_PROBABILITY[self.status]


class EventCatalog(Strict):
    events: list[Event] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> EventCatalog:
        check_unique_ids(self.events, "event")
        return self
