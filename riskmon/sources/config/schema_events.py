"""events.toml's models: events, their impacts, deadlines, timelines and recurrence.
Imported from riskmon.sources.config.schema."""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, Any

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from riskmon.core.dates import DATE_MAX
from riskmon.core.model import DEFAULT_PROBABILITY
from riskmon.i18n import _
from riskmon.sources.config.checks import FieldProblem, check_unique_ids, ends_after_effective
from riskmon.sources.config.rrules import first_start, rrule_problem
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


def _check_rrule(value: str) -> None:
    why = rrule_problem(value)
    if why:
        raise ValueError(_("not a valid RFC 5545 RRULE: {why}").format(why=why))


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
        if self.recurs and first_start(self.recurs, self.effective) is None:
            why = _("it never occurs from effective ({date}) to {year}; check INTERVAL, BYMONTH, BYMONTHDAY, BYDAY")
            why = why.format(date=self.effective.date(), year=DATE_MAX.year)
            raise FieldProblem(_("not a valid RFC 5545 RRULE: {why}").format(why=why), ("recurs",))
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
