"""What `assess()` returns: the assessment of the business and of each event, with every term.

Money comes in two kinds that are never added together: *loss* (money gone for good) and *cash
timing* (money that arrives late or leaves early). Every figure here is unrounded; presenters
round.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta

from riskmon.core.hints import overload
from riskmon.core.impact import KindImpact
from riskmon.core.levels import Level
from riskmon.core.model import Channel, Event, Profile, TimelineEntry, TrafficLink
from riskmon.core.record import field, record
from riskmon.core.settings import EngineSettings, Thresholds

MODEL_VERSION = 2


@record(slots=True)
class ChannelHit:
    """How one event reaches one channel, and what that costs (before probability)."""

    channel: Channel
    direct: bool
    """The event hits the channel itself (platform, region, warehouse and route match), as opposed
    to only cutting its traffic links."""
    cut: tuple[TrafficLink, ...]
    """The channel's traffic links the event cuts."""
    fraction: float
    """f_c: the fraction of this channel's orders the event removes (capped at 1)."""
    lost_share: float
    """s_c x f_c: the share of ALL orders this channel loses."""
    loss: float
    """This channel's part of the event's loss (profit at risk, fee and duty increases, stock,
    deposit)."""
    cash_frozen: float
    """This channel's part of the event's cash frozen (late, not lost)."""

    @property
    def channel_id(self) -> str:
        return self.channel.id

    @property
    def platform(self) -> str:
        return self.channel.platform

    @property
    def links(self) -> tuple[str, ...]:
        return tuple(f"{link.via}/{link.feature} {link.share:.0%}" for link in self.cut)

    @property
    def why(self) -> str:
        c = self.channel
        reasons = []
        if self.direct:
            reasons.append(f"sells on {c.platform}")
        reasons.extend(f"{link.share:.0%} of its orders come via {link.via} {link.feature}" for link in self.cut)
        return "; ".join(reasons)


HitRow = tuple[Channel, bool, tuple[TrafficLink, ...], float, float, float, float]
"""A ChannelHit's fields, in order."""


class Hits(Sequence[ChannelHit]):
    """An event's channel hits, most orders lost first, made into `ChannelHit`s on first use: a
    large profile has tens of thousands of (event, channel) pairs and a reader looks at a few
    events. It reads as the tuple of those hits: equal to it, hashed and pickled as it."""

    __slots__ = ("_count", "_hits", "_rows")

    def __init__(self, rows: list[HitRow] | Callable[[], list[HitRow]], count: int | None = None) -> None:
        """`rows`, or a function making them on first use (the large path keeps its pairs as
        arrays; then `count` says how many there are)."""
        self._rows = rows
        self._count = len(rows) if isinstance(rows, list) else count or 0
        self._hits: tuple[ChannelHit, ...] | None = None

    def as_tuple(self) -> tuple[ChannelHit, ...]:
        if self._hits is None:
            rows = self._rows if isinstance(self._rows, list) else self._rows()
            self._hits = tuple(ChannelHit(*row) for row in sorted(rows, key=_most_lost_first))
            self._rows = []  # the hits hold everything now; a function may hold large arrays
        return self._hits

    @overload
    def __getitem__(self, i: int) -> ChannelHit: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[ChannelHit, ...]: ...

    def __getitem__(self, i: int | slice) -> ChannelHit | tuple[ChannelHit, ...]:
        return self.as_tuple()[i]

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[ChannelHit]:
        return iter(self.as_tuple())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Hits):
            other = other.as_tuple()
        return self.as_tuple() == other if isinstance(other, tuple) else NotImplemented

    def __hash__(self) -> int:
        return hash(self.as_tuple())

    def __repr__(self) -> str:
        return repr(self.as_tuple())

    def __reduce__(self) -> tuple[type[tuple[ChannelHit, ...]], tuple[tuple[ChannelHit, ...]]]:
        return (tuple, (self.as_tuple(),))


def _most_lost_first(row: HitRow) -> float:
    return -row[4]


@record(slots=True)
class EventAssessment:
    """One event as assessed at `now`: its status, probability, window, hits and score."""

    event: Event
    status: str
    """The status in force at `now` (from the timeline when there is one)."""
    probability: float
    """p: the probability in force at `now`."""
    timeline_entry: TimelineEntry | None
    effective: datetime
    """The occurrence assessed (a recurring event's current or next one)."""
    ends: datetime | None
    start: datetime
    """max(now, effective): when the damage could begin, seen from now."""
    h_days: float
    """The damage window's length in days: the horizon, or less when the event ends sooner."""
    days_until: float
    urgency: float
    impact: KindImpact
    revenue_lost_monthly: float
    shock: float
    profit_at_risk: float
    fee_cost: float
    """Negative is a saving: reported, never counted against a loss."""
    duty_cost: float
    inventory_loss: float
    deposit_loss: float
    loss: float
    expected_loss: float
    cash_frozen: float
    """Payouts frozen and extra hold: late money, never part of the loss."""
    score: float
    hit_share: float
    """Share of all orders on the channels the event hits directly."""
    channels: Sequence[ChannelHit] = field(default=())
    """The channels it hits or whose links it cuts, most orders lost first (a tuple, or `Hits`:
    the same, built on first use)."""

    @property
    def id(self) -> str:
        return self.event.id

    @property
    def horizon_months(self) -> float:
        return self.h_days / 30.0

    @property
    def date_passed(self) -> bool:
        """The occurrence's start date has passed (whatever the status says)."""
        return self.days_until <= 0

    @property
    def in_effect(self) -> bool:
        """Kept for v1 readers: the start date has passed."""
        return self.date_passed

    @property
    def deadlines(self) -> list[tuple[datetime, str]]:
        """Deadlines of this occurrence (shifted with the occurrence for a recurring event)."""
        shift: timedelta = self.effective - self.event.effective
        return sorted((d.date + shift, d.what) for d in self.event.deadlines)


@record(slots=True)
class Concentration:
    """How much of the business depends on each third-party platform."""

    hhi: float
    """Sum over third-party platforms of (their order share) squared."""
    top_platform: str | None
    top_dependence: float
    dependence: dict[str, float]
    """Third-party platform -> share of orders that depend on it (own channels plus links)."""


@record(slots=True)
class RuleResult:
    """One rule's level and its one-line reason."""

    rule: str  # score | runway | shock | concentration
    level: Level
    reason: str


@record(slots=True)
class ChannelExposure:
    """One channel's revenue, dependence and share of the expected loss."""

    channel: Channel
    revenue_monthly: float
    dependence: float | None
    """Dependence on this channel's platform; None for the seller's own store."""
    expected_loss: float
    """This channel's part of the business's expected loss (the union, nothing counted twice)."""
    risk_share: float


@record(slots=True)
class Forecast:
    """End-of-week cash balances for W weeks from now, under three sets of events."""

    week_starts: tuple[datetime, ...]
    baseline: tuple[float, ...]
    """No event happens."""
    likely: tuple[float, ...]
    """Every event with p >= 0.5 happens."""
    stress: tuple[float, ...]
    """Every event with p > 0 happens."""


@record(slots=True)
class Assessment:
    """What `assess()` returns: the level, its reasons, every event, channel and the forecast."""

    now: datetime
    profile: Profile
    settings: EngineSettings
    level: Level
    score: float
    rules: tuple[RuleResult, ...]
    capacity: float
    concentration: Concentration
    events: tuple[EventAssessment, ...]
    """Events that count now, highest score first."""
    expired: tuple[Event, ...]
    """Events whose window has passed; kept so a UI can show them as history."""
    channels: tuple[ChannelExposure, ...]
    expected_loss: float
    """E[L(S)]: the expected loss of all events together, nothing counted twice."""
    loss_p50: float
    loss_p95: float
    distribution: str
    """"exact" (every set of uncertain events enumerated) or "monte_carlo"."""
    forecast: Forecast
    cash_low: float
    cash_low_week: int
    cash_shortfall_probability: float
    runway_weeks: float | None
    """When cash runs out if the likely events happen; None when it does not run down."""
    model_version: int = MODEL_VERSION

    @property
    def thresholds(self) -> Thresholds:
        return self.settings.thresholds

    @property
    def reasons(self) -> list[str]:
        """One line per rule that raised the level, worst first; one OK line when none did."""
        raised = sorted((r for r in self.rules if r.level > Level.OK), key=lambda r: -r.level)
        return [r.reason for r in raised] or [r.reason for r in self.rules if r.rule == "score"]

    def event(self, event_id: str) -> EventAssessment | None:
        return next((e for e in self.events if e.id == event_id), None)
