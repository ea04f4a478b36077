"""Validated domain types: the seller's business, its channels, policy events and settings.

These are the shapes of the config files (see README, "Config reference"). Every model forbids
unknown keys so that a typo is an error with a "did you mean", not a silently ignored setting.
Times are always timezone-aware UTC inside riskmon: a TOML date means 00:00 UTC that day and a
datetime without an offset is read as UTC.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from riskmon.core import model as core
from riskmon.core import playbook_rules as core_rules
from riskmon.core import settings as core_settings
from riskmon.core.dates import DATE_MAX, DATE_MIN, in_date_range, to_utc
from riskmon.core.model import DEFAULT_PROBABILITY, STATUS_RANK
from riskmon.core.settings import parse_duration

ChannelKind = Literal["marketplace", "social_shop", "own_store", "other"]
EventKind = Literal[
    "ban",
    "shop_closure",
    "link_cutoff",
    "account_suspension",
    "fee_change",
    "payout_hold",
    "service_shutdown",
    "season",
    "duty_change",
]
Status = Literal["rumored", "announced", "confirmed", "in_effect", "paused", "resolved", "cancelled"]

EVENT_KINDS: tuple[str, ...] = EventKind.__args__  # type: ignore[attr-defined]
STATUSES: tuple[str, ...] = Status.__args__  # type: ignore[attr-defined]
CHANNEL_KINDS: tuple[str, ...] = ChannelKind.__args__  # type: ignore[attr-defined]
assert (EVENT_KINDS, STATUSES, CHANNEL_KINDS) == (core.EVENT_KINDS, core.STATUSES, core.CHANNEL_KINDS)
# Named here too for the edge's callers.
__all__ = ["DATE_MAX", "DATE_MIN", "DEFAULT_PROBABILITY", "STATUS_RANK", "in_date_range", "parse_duration", "to_utc"]

Warehouse = Literal["own", "platform", "third_party", "virtual", "none"]
SupplyRoute = Literal["parcel", "bulk", "local"]


UtcDateTime = Annotated[datetime, BeforeValidator(to_utc), AfterValidator(in_date_range)]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
MAX_MONEY = 1e15
"""The largest amount riskmon accepts (a quadrillion in any currency): every sum and product the
engine forms from amounts this size stays a finite float, so no output shows inf or NaN."""
Money = Annotated[float, Field(ge=0.0, le=MAX_MONEY)]
MAX_DAYS = 36500.0
"""Day counts (payout holds, history retention) up to a hundred years."""
Days = Annotated[float, Field(ge=0.0, le=MAX_DAYS)]
MAX_WEEKS = 5200.0
"""Runway thresholds in weeks, up to a hundred years."""
Weeks = Annotated[float, Field(ge=0.0, le=MAX_WEEKS)]

_REGION = re.compile(r"^(\*|[A-Z]{2})$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")


def _check_regions(regions: list[str]) -> list[str]:
    bad = [r for r in regions if not _REGION.match(r)]
    if bad:
        raise ValueError(f'{", ".join(map(repr, bad))}: use ISO 3166-1 alpha-2 codes like "US", or "*"')
    return regions


def _check_id(value: str) -> str:
    if not _ID.match(value):
        _check_visible(value)
        raise ValueError(f"{value!r}: ids use letters, digits and - _ . : (no spaces)")
    return value


# Characters that show as nothing or that reorder the text around them: a platform name holding
# one (pasted from a web page) would look like "tiktok" and never match it, or display spoofed.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")


def _invisible_in(value: str) -> str | None:
    import unicodedata

    for ch in value:
        if ch in _INVISIBLE or unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp"):
            name = unicodedata.name(ch, "a control character")
            return f"U+{ord(ch):04X} {name}"
    return None


def _check_visible(value: str) -> str:
    """Identifier-like text (platforms, features, names) must not hide characters."""
    found = _invisible_in(value)
    if found:
        raise ValueError(f"contains an invisible or text-direction character ({found}); type it again without it")
    return value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _upper_list(value: Any) -> Any:
    if isinstance(value, list):
        return [v.strip().upper() if isinstance(v, str) else v for v in value]
    return value


def _lower_list(value: Any) -> Any:
    if isinstance(value, list):
        return [v.strip().lower() if isinstance(v, str) else v for v in value]
    return value


Id = Annotated[str, AfterValidator(_check_id)]
Platform = Annotated[str, BeforeValidator(_lower), Field(min_length=1), AfterValidator(_check_visible)]
Name = Annotated[str, AfterValidator(_check_visible)]
"""A short identifier-like text (a feature, a currency, an alert's name): any visible characters."""
Regions = Annotated[list[str], BeforeValidator(_upper_list), AfterValidator(_check_regions)]
Platforms = Annotated[list[Platform], BeforeValidator(_lower_list)]


class Strict(BaseModel):
    # defer_build: a model is built the first time it validates, so nested models never build a
    # validator of their own; that is most of the cold start of `riskmon check`.
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False, defer_build=True
    )


# ---------------------------------------------------------------------------------------------
# exposure.toml


class Commitment(Strict):
    date: UtcDateTime
    amount: Money
    what: str = Field(min_length=1)


class Business(Strict):
    name: str = Field(min_length=1)
    """Shown in the TUI header and reports."""
    currency: Name = "USD"
    """ISO 4217 code; amounts everywhere are in this currency."""
    monthly_revenue: Money
    """Gross sales per month over all channels (M in the model)."""
    gross_margin: Share
    """Share of revenue kept after cost of goods (g in the model)."""
    monthly_fixed_costs: Money = 0.0
    """Rent, wages, software: what you pay each month whatever you sell."""
    cash_on_hand: Money = 0.0
    """Cash you can use today."""
    commitments: list[Commitment] = Field(default_factory=list)
    """Payments already promised (a purchase order, a loan instalment, a tax bill); one dated
    before now is taken as paid."""


class TrafficLink(Strict):
    via: Platform
    """The platform this traffic comes through (e.g. tiktok bio links)."""
    feature: Name = "external_link"
    """Which platform feature carries it: external_link, live, ads, search..."""
    share: Share
    """Share of this channel's orders that arrive this way."""


class Channel(Strict):
    id: Id
    platform: Platform
    kind: ChannelKind = "marketplace"
    regions: Regions = Field(default_factory=lambda: ["*"])
    order_share: Share
    inventory_value: Money = 0.0
    pending_payouts: Money = 0.0
    deposit: Money = 0.0
    payout_hold_days: Days = 0.0
    """Days the platform holds money after delivery (payout cycle plus reserve)."""
    warehouse: Warehouse = "none"
    """Where the stock for this channel sits; "virtual" overseas warehouses get shops suspended."""
    traffic: list[TrafficLink] = Field(default_factory=list)
    contribution_margin: Share | None = None
    """Left per unit of this channel's revenue after goods, platform fees, fulfilment and ads;
    unset: the business's gross_margin."""
    recapture: Share = 0.0
    """Share of this channel's lost orders you expect to win back on your other channels."""
    supply_route: SupplyRoute = "local"
    """How its goods reach the buyer's country: parcel (cross-border parcels), bulk (container
    imports into a warehouse) or local (bought in the country)."""

    @model_validator(mode="after")
    def _links_fit(self) -> Channel:
        total = sum(link.share for link in self.traffic)
        if total > 1.0 + 1e-9:
            raise ValueError(
                f"traffic shares add up to {total:.2f}; they are shares of this channel's orders "
                "and must total at most 1"
            )
        return self


class Profile(Strict):
    business: Business
    channels: list[Channel] = Field(default_factory=list)

    @model_validator(mode="after")
    def _cross_checks(self) -> Profile:
        seen: set[str] = set()
        for c in self.channels:
            if c.id in seen:
                raise ValueError(f"channel id {c.id!r} is used twice; ids must be unique")
            seen.add(c.id)
        total = sum(c.order_share for c in self.channels)
        if total > 1.0 + 1e-9:
            raise ValueError(f"order_share over all channels adds up to {total:.3f}; it must be at most 1")
        return self


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
    """Reject what dateutil accepts but cannot use: bad syntax (it raises IndexError and
    OverflowError too), several lines (DTSTART/EXDATE: `effective` is the start), sub-daily
    frequencies, INTERVAL=0 (iterating never ends) and rules that never occur (BYMONTH=13,
    February 31): the engine would scan to year 9999 looking for the next occurrence."""
    from dateutil.rrule import rrule, rrulestr

    text = value.removeprefix("RRULE:")
    if "\n" in text or ":" in text:
        raise ValueError("not a valid RFC 5545 RRULE: give one line (FREQ=...;...); `effective` is its start")
    freq = re.search(r"(?:^|;)\s*FREQ\s*=\s*([A-Za-z]*)", text, re.IGNORECASE)
    if not freq:
        raise ValueError("not a valid RFC 5545 RRULE: FREQ is required, e.g. FREQ=YEARLY")
    if freq.group(1).upper() not in _RRULE_FREQS:
        raise ValueError(f"not a valid RFC 5545 RRULE: FREQ must be {', '.join(_RRULE_FREQS)}")
    start = datetime(2000, 1, 1, tzinfo=UTC)
    try:
        with warnings.catch_warnings():  # dateutil warns about unknown time zone names in UNTIL
            warnings.simplefilter("ignore")
            rule = rrulestr(text, dtstart=start)
        if not isinstance(rule, rrule):
            raise ValueError("not a single rule")
        if getattr(rule, "_interval", 1) < 1:
            raise ValueError("INTERVAL must be 1 or more")
        # Whether it can occur at all, looked for in the last 20 years of the calendar: dateutil
        # only stops at year 9999, so this bounds the scan (UNTIL and COUNT do not bound it).
        late = datetime(9980, 1, 1, tzinfo=UTC)
        probe = rule.replace(dtstart=late, until=None, count=None)
        if probe.after(late, inc=True) is None:
            raise ValueError("it never occurs (check BYMONTH, BYMONTHDAY, BYDAY)")
    except ValueError as exc:
        why = str(exc)
        if "unpack" in why:
            why = "expected NAME=VALUE parts separated by ';', e.g. FREQ=YEARLY;BYMONTH=11"
        raise ValueError(f"not a valid RFC 5545 RRULE: {why}") from None
    except Exception:  # dateutil also raises TypeError, IndexError, OverflowError
        raise ValueError("not a valid RFC 5545 RRULE: a value is out of range") from None


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
            raise ValueError("ends must be after effective")
        dates = [entry.date for entry in self.timeline]
        if any(b <= a for a, b in pairwise(dates)):
            raise ValueError("timeline dates must be strictly ascending")
        if self.timeline and self.status != self.timeline[-1].status:
            raise ValueError(
                f"status {self.status!r} differs from the timeline's last entry ({self.timeline[-1].status!r}); "
                "give the same, or leave status out"
            )
        if self.routes is not None and self.kind != "duty_change":
            raise ValueError("routes applies only to kind duty_change")
        return self

    @property
    def p(self) -> float:
        return self.probability if self.probability is not None else DEFAULT_PROBABILITY[self.status]


class EventCatalog(Strict):
    events: list[Event] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> EventCatalog:
        seen: set[str] = set()
        for e in self.events:
            if e.id in seen:
                raise ValueError(f"event id {e.id!r} is used twice; ids must be unique")
            seen.add(e.id)
        return self


# ---------------------------------------------------------------------------------------------
# riskmon.toml


class Thresholds(Strict):
    warn: Annotated[float, Field(ge=0, le=100)] = 40.0
    crit: Annotated[float, Field(ge=0, le=100)] = 70.0
    runway_warn_weeks: Weeks = 12.0
    runway_crit_weeks: Weeks = 4.0
    shock_warn: Share = 0.2
    shock_crit: Share = 0.5
    concentration_warn: Share = 0.6
    shortfall_warn: Share = 0.2
    """Probability that cash runs short within the forecast that makes it WARNING."""
    shortfall_crit: Share = 0.5

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.crit < self.warn:
            raise ValueError("crit must be at least warn")
        if self.runway_crit_weeks > self.runway_warn_weeks:
            raise ValueError("runway_crit_weeks must be at most runway_warn_weeks")
        if self.shock_crit < self.shock_warn:
            raise ValueError("shock_crit must be at least shock_warn")
        if self.shortfall_crit < self.shortfall_warn:
            raise ValueError("shortfall_crit must be at least shortfall_warn")
        return self


class ModelSettings(Strict):
    horizon_months: Annotated[float, Field(gt=0, le=60)] = 3.0
    """Months it takes to rebuild a lost channel."""
    recovery_rate: Share = 0.6
    """Share of stranded stock's value you get back by selling it elsewhere."""
    off_platform_stranded: Share = 0.25
    """Share of the stranding that stock in your own or a third-party warehouse still suffers."""
    draws: Annotated[int, Field(ge=100, le=1_000_000)] = 2000
    """Monte Carlo draws when more than 10 uncertain events must be combined."""
    forecast_weeks: Annotated[int, Field(ge=4, le=104)] = 13
    """Weeks of the cash forecast."""


class HistorySettings(Strict):
    full_days: Days = 2.0
    hourly_days: Days = 60.0
    max_days: Annotated[float, Field(gt=0, le=MAX_DAYS)] = 1095.0


MAX_DURATION_DAYS = 3650


def _duration_in_range(text: str) -> str:
    if parse_duration(text) > MAX_DURATION_DAYS * 86400:
        raise ValueError(f"{text.strip()!r} is too long: durations go up to {MAX_DURATION_DAYS}d (ten years)")
    return text


Duration = Annotated[str, Field(pattern=r"^\s*\d+(\.\d+)?\s*(s|m|h|d|w)\s*$"), AfterValidator(_duration_in_range)]


class FeedSettings(Strict):
    name: Id
    type: Literal["file", "http", "rss"]
    url: str | None = None
    path: str | None = None
    every: Duration = "15m"
    timeout: Annotated[float, Field(gt=0, le=300)] = 10.0
    max_bytes: Annotated[int, Field(gt=0)] = 2_000_000
    required: bool = False
    max_age: Duration = "1d"
    trust: bool = True
    headers: dict[Name, Name] = Field(default_factory=dict)
    """Header name -> name of the environment variable holding its value."""
    keywords: dict[Platform, list[str]] = Field(default_factory=dict)
    """rss only: platform -> words that tag a headline with that platform."""

    @model_validator(mode="after")
    def _where(self) -> FeedSettings:
        if self.type == "file" and not (self.path or self.url):
            raise ValueError("a file feed needs path")
        if self.type in ("http", "rss") and not self.url:
            raise ValueError(f"an {self.type} feed needs url")
        return self


AlertTrigger = Literal["level_change", "critical_event", "overdue_step"]
CheckState = Literal["OK", "WARNING", "CRITICAL", "UNKNOWN"]
ALERT_TRIGGERS: tuple[AlertTrigger, ...] = ("level_change", "critical_event", "overdue_step")
DEFAULT_FAIL_ON: tuple[CheckState, ...] = ("CRITICAL", "UNKNOWN")


class AlertSettings(Strict):
    name: Name = ""
    type: Literal["webhook", "command", "desktop", "healthchecks", "alertmanager", "apprise"]
    url: str | None = None
    payload: Literal["json", "slack", "discord"] = "json"
    argv: list[str] = Field(default_factory=list)
    on: list[AlertTrigger] = Field(default_factory=lambda: list(ALERT_TRIGGERS))
    renotify: Duration | None = None
    fail_on: list[CheckState] = Field(default_factory=lambda: list(DEFAULT_FAIL_ON))
    headers: dict[Name, Name] = Field(default_factory=dict)
    urls_env: list[Name] = Field(default_factory=list)
    """apprise: environment variables holding the service URLs (secrets stay out of this file)."""

    @model_validator(mode="after")
    def _needs(self) -> AlertSettings:
        if self.type in ("webhook", "healthchecks", "alertmanager") and not self.url:
            raise ValueError(f"{'an' if self.type[0] == 'a' else 'a'} {self.type} alert needs url")
        if self.type == "apprise" and not self.urls_env:
            raise ValueError('an apprise alert needs urls_env, e.g. urls_env = ["RISKMON_DINGTALK_URL"]')
        if self.type == "command" and not self.argv:
            raise ValueError('a command alert needs argv, e.g. argv = ["/usr/local/bin/notify", "--json"]')
        return self


class ExportSettings(Strict):
    prometheus_textfile: str | None = None
    """Path of a .prom file for node_exporter's textfile collector, rewritten after each reassess."""
    profile: Name | None = None
    """The `profile` label of this config's Prometheus series and Alertmanager alerts; default: the
    config directory's name."""


class Settings(Strict):
    thresholds: Thresholds = Field(default_factory=Thresholds)
    model: ModelSettings = Field(default_factory=ModelSettings)
    history: HistorySettings = Field(default_factory=HistorySettings)
    feeds: list[FeedSettings] = Field(default_factory=list)
    alerts: list[AlertSettings] = Field(default_factory=list)
    export: ExportSettings = Field(default_factory=ExportSettings)

    @model_validator(mode="after")
    def _unique_feeds(self) -> Settings:
        names = [f.name for f in self.feeds]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"feed name {sorted(dup)[0]!r} is used twice")
        return self


# ---------------------------------------------------------------------------------------------
# playbooks.toml


PLACEHOLDERS: tuple[str, ...] = (
    # about the event (for a standing rule: the platform and channels its condition is about)
    "event",
    "platform",
    "platforms",
    "region",
    "effective",
    "channels",
    "other_channels",
    "stock",
    "payouts",
    "cash_frozen",
    "loss",
    "expected_loss",
    "shock",
    "hit_share",
    # about the business
    "business",
    "own_store",
    "top_platform",
    "top_dependence",
    "runway_weeks",
    "hold_days",
    "hold_platform",
    "buffer",
    "link_share",
    "link_platform",
    "virtual_channels",
)
"""Names a playbook text may use as {name}; riskmon fills them in for this seller."""

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _check_placeholders(text: str) -> str:
    import difflib

    for name in _PLACEHOLDER.findall(text):
        if name not in PLACEHOLDERS:
            close = difflib.get_close_matches(name, PLACEHOLDERS, n=1)
            hint = f"did you mean {{{close[0]}}}?" if close else f"known: {', '.join(PLACEHOLDERS)}"
            raise ValueError(f"unknown placeholder {{{name}}}; {hint}")
    return text


PlaybookText = Annotated[str, AfterValidator(_check_placeholders)]


def _check_event_patterns(patterns: list[str]) -> list[str]:
    """Event ids, or an id prefix followed by "*" (no other wildcards: a pattern, not an expression)."""
    for pattern in patterns:
        stem = pattern.removesuffix("*")
        if not stem:
            raise ValueError('"*" alone matches every event: leave the condition out instead')
        if "*" in stem or not _ID.match(stem):
            raise ValueError(f'{pattern!r}: give an event id, or the start of one followed by * ("chinese-new-year-*")')
    return patterns


EventPatterns = Annotated[list[str], AfterValidator(_check_event_patterns)]


class Requires(Strict):
    """Facts of the business a rule or step needs (README, "Playbooks": which channels count)."""

    own_store: bool | None = None
    """true: you have an own-store channel; false: you have none."""
    platforms: Platforms | None = None
    """You sell on one of these platforms."""
    channel_kinds: list[ChannelKind] | None = None
    """A channel the event hits is of one of these kinds."""
    warehouse: list[Warehouse] | None = None
    """A channel the event hits ships from one of these warehouses."""
    supply_route: list[SupplyRoute] | None = None
    """A channel the event hits gets its goods by one of these routes."""
    regions: Regions | None = None
    """The event reaches one of your channels in one of these regions."""


class PlaybookStep(Strict):
    id: Id
    text: Annotated[PlaybookText, Field(min_length=1)]
    due_days: Annotated[int, Field(ge=-3650, le=3650)] = 0
    """Days relative to the event's effective date (negative = before), or to now for standing rules."""
    why: PlaybookText = ""
    requires: Requires | None = None
    """The step shows only where these facts hold; steps sharing an id are variants, first fit wins."""


class PlaybookRule(Strict):
    """One rule: conditions are typed fields (no expressions), all given ones must hold."""

    id: Id
    title: Annotated[PlaybookText, Field(min_length=1)]
    why: PlaybookText = ""
    requires: Requires | None = None
    """Facts of the business the rule needs, for event and standing rules alike."""
    # Event rules: match an assessed event.
    kinds: list[EventKind] | None = None
    events: EventPatterns | None = None
    """Event ids the rule is for; "chinese-new-year-*" matches every id starting so."""
    not_events: EventPatterns | None = None
    """Event ids the rule is not for (the same patterns)."""
    platforms: Platforms | None = None
    regions: Regions | None = None
    statuses: list[Status] | None = None
    min_probability: Share | None = None
    """Unset: 0.1, so a resolved, cancelled or remote event gets no playbook."""
    min_score: Annotated[float, Field(ge=0, le=100)] | None = None
    min_shock: Share | None = None
    min_hit_share: Share | None = None
    """Share of all orders on the channels the event hits."""
    min_duty_delta: Annotated[float, Field(ge=-1.0, le=100.0)] | None = None
    """The event's duty_delta is at least this (0.01: duties rise)."""
    starts_within_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    """The event (its next occurrence) starts within this many days, or has started."""
    exposed_only: bool = True
    """Match only events that reach one of your channels (directly or through a traffic link);
    false also matches events on platforms you do not sell on (a tool you use shutting down)."""
    # Standing rules: match the business as it stands, not an event.
    top_dependence_gte: Share | None = None
    runway_weeks_lt: Weeks | None = None
    payout_hold_days_gte: Days | None = None
    no_own_store: bool | None = None
    link_share_gte: Share | None = None
    """Share of all orders that arrive through traffic links."""
    virtual_warehouse: bool | None = None
    steps: list[PlaybookStep] = Field(min_length=1)

    @property
    def standing(self) -> bool:
        return any(
            v is not None
            for v in (
                self.top_dependence_gte,
                self.runway_weeks_lt,
                self.payout_hold_days_gte,
                self.no_own_store,
                self.link_share_gte,
                self.virtual_warehouse,
            )
        )

    @model_validator(mode="after")
    def _one_sort(self) -> PlaybookRule:
        event_conds = (
            self.kinds,
            self.events,
            self.not_events,
            self.platforms,
            self.regions,
            self.statuses,
            self.min_probability,
            self.min_score,
            self.min_shock,
            self.min_hit_share,
            self.min_duty_delta,
            self.starts_within_days,
        )
        if self.standing and any(v is not None for v in event_conds):
            raise ValueError(
                "a rule matches either events (kinds, platforms, ...) or the business as it stands "
                "(top_dependence_gte, runway_weeks_lt, ...), not both"
            )
        _check_variants(self.steps)
        return self


def _check_variants(steps: list[PlaybookStep]) -> None:
    """Steps sharing an id are variants of one step: each but the last needs `requires`, or the
    ones after it could never show."""
    open_ended: set[str] = set()
    for s in steps:
        if s.id in open_ended:
            raise ValueError(
                f"step id {s.id!r} is used twice in this rule, and the earlier one has no `requires`: "
                "give the earlier variant a `requires`, or another id"
            )
        if s.requires is None or not s.requires.model_fields_set:
            open_ended.add(s.id)


class PlaybookFile(Strict):
    replace_bundled: bool = False
    """true drops the bundled rules; otherwise your rules add to them and override them by id."""
    rules: list[PlaybookRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> PlaybookFile:
        seen: set[str] = set()
        for r in self.rules:
            if r.id in seen:
                raise ValueError(f"rule id {r.id!r} is used twice; ids must be unique")
            seen.add(r.id)
        return self


# ---------------------------------------------------------------------------------------------
# To the core's plain dataclasses


_CORE_TYPES: dict[str, type] = {
    "Commitment": core.Commitment,
    "Business": core.Business,
    "TrafficLink": core.TrafficLink,
    "Channel": core.Channel,
    "Profile": core.Profile,
    "Impact": core.Impact,
    "Deadline": core.Deadline,
    "TimelineEntry": core.TimelineEntry,
    "Event": core.Event,
    "Thresholds": core_settings.Thresholds,
    "ModelSettings": core_settings.ModelSettings,
    "HistorySettings": core_settings.HistorySettings,
    "FeedSettings": core_settings.FeedSettings,
    "AlertSettings": core_settings.AlertSettings,
    "ExportSettings": core_settings.ExportSettings,
    "Settings": core_settings.Settings,
    "Requires": core_rules.Requires,
    "PlaybookStep": core_rules.PlaybookStep,
    "PlaybookRule": core_rules.PlaybookRule,
    "PlaybookFile": core_rules.PlaybookFile,
}


def to_core(value: Any) -> Any:
    """A validated model as the core's frozen dataclass of the same name (lists become tuples),
    so nothing past the edge depends on pydantic."""
    import dataclasses

    if isinstance(value, BaseModel):
        target = _CORE_TYPES[type(value).__name__]
        names = [f.name for f in dataclasses.fields(target)]
        return target(**{name: to_core(getattr(value, name)) for name in names})
    if isinstance(value, list):
        return tuple(to_core(v) for v in value)
    if isinstance(value, dict):
        return {k: to_core(v) for k, v in value.items()}
    return value


def revalidate(obj: Any) -> Any:
    """A core object checked again against every rule of the config files (after a what-if
    changed it): back to its model, validated, and to the core again. ValueError says why not,
    as `field: message`."""

    from pydantic import ValidationError

    model = globals()[type(obj).__name__]
    try:
        return to_core(model.model_validate(_plain(obj)))
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in err.get("loc", ()))
        text = _bound_text(err) or str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        raise ValueError(f"{where}: {text}" if where else text) from None


def _plain(value: Any) -> Any:
    """A core dataclass as the data its model reads (tuples as lists)."""
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _bound_text(err: Any) -> str:
    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    bound = {k: f"{v:g}" if isinstance(v, float) else str(v) for k, v in ctx.items()}
    return {
        "greater_than_equal": f"must be {bound.get('ge')} or more",
        "less_than_equal": f"must be {bound.get('le')} or less",
        "greater_than": f"must be more than {bound.get('gt')}",
        "less_than": f"must be less than {bound.get('lt')}",
    }.get(kind, "")
