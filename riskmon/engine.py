"""The risk model: exposure + events + now -> Assessment.

`assess()` is pure: no I/O, no clock, no globals. The TUI, `check`, `daemon`, reports and what-if
all call it and only present what it returns, so every number riskmon shows is computed here, once.
The formulas are documented in the README ("How the score is computed") and must stay in step.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from riskmon.errors import Level
from riskmon.model import Channel, Event, Impact, ModelSettings, Profile, Settings, Thresholds

if TYPE_CHECKING:
    from dateutil.rrule import rrule, rruleset

DAY = 86400.0
SHOCK_WINDOW_DAYS = 30.0
URGENCY_FULL_DAYS = 14.0
URGENCY_HALF_LIFE_DAYS = 60.0
ANY = "*"


@dataclass(frozen=True, slots=True)
class KindImpact:
    """The resolved impact of an event: its kind's defaults with its [impact] overrides applied."""

    orders_lost: float = 0.0
    traffic_lost: float = 0.0
    traffic_features: tuple[str, ...] = (ANY,)
    payouts_frozen: float = 0.0
    inventory_stranded: float = 0.0
    deposit_lost: float = 0.0
    fee_delta: float = 0.0
    extra_hold_days: float = 0.0

    def cuts(self, feature: str) -> bool:
        return self.traffic_lost > 0 and (ANY in self.traffic_features or feature in self.traffic_features)


KIND_DEFAULTS: dict[str, KindImpact] = {
    "ban": KindImpact(1.0, 1.0, (ANY,), 0.5, 1.0, 1.0),
    "shop_closure": KindImpact(1.0, 0.0, (ANY,), 0.5, 1.0, 0.0),
    "link_cutoff": KindImpact(0.0, 1.0, ("external_link",)),
    "account_suspension": KindImpact(1.0, 0.0, (ANY,), 1.0, 1.0, 1.0),
    "fee_change": KindImpact(),
    "payout_hold": KindImpact(),
    "service_shutdown": KindImpact(),
    "season": KindImpact(),
}


def resolve_impact(event: Event) -> KindImpact:
    base = KIND_DEFAULTS[event.kind]
    o: Impact = event.impact
    return KindImpact(
        orders_lost=base.orders_lost if o.orders_lost is None else o.orders_lost,
        traffic_lost=base.traffic_lost if o.traffic_lost is None else o.traffic_lost,
        traffic_features=base.traffic_features if o.traffic_features is None else tuple(o.traffic_features),
        payouts_frozen=base.payouts_frozen if o.payouts_frozen is None else o.payouts_frozen,
        inventory_stranded=base.inventory_stranded if o.inventory_stranded is None else o.inventory_stranded,
        deposit_lost=base.deposit_lost if o.deposit_lost is None else o.deposit_lost,
        fee_delta=base.fee_delta if o.fee_delta is None else o.fee_delta,
        extra_hold_days=base.extra_hold_days if o.extra_hold_days is None else o.extra_hold_days,
    )


# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True, slots=True)
class ChannelHit:
    """How one event reaches one channel, and what that costs (before probability)."""

    channel_id: str
    platform: str
    direct: bool
    """The channel's own platform is hit (as opposed to only its traffic links)."""
    links: tuple[str, ...]
    """Platforms of the traffic links that are cut, as "tiktok/external_link 30%"."""
    lost_share: float
    """Share of ALL orders this channel loses: min(1, orders_lost + cut links) x order_share."""
    loss: float
    """This channel's part of the event's loss."""
    why: str


@dataclass(frozen=True, slots=True)
class EventAssessment:
    event: Event
    effective: datetime
    """The occurrence being assessed (the next or current one for a recurring event)."""
    ends: datetime | None
    probability: float
    days_until: float
    urgency: float
    horizon_months: float
    impact: KindImpact
    channels: tuple[ChannelHit, ...]
    revenue_lost_monthly: float
    profit_at_risk: float
    fee_cost: float
    cash_frozen: float
    inventory_loss: float
    deposit_loss: float
    loss: float
    expected_loss: float
    score: float
    shock: float

    @property
    def id(self) -> str:
        return self.event.id

    @property
    def in_effect(self) -> bool:
        return self.days_until <= 0

    @property
    def hit_share(self) -> float:
        """Share of all orders on channels whose own platform the event hits."""
        return sum(h.lost_share for h in self.channels if h.direct)

    @property
    def deadlines(self) -> list[tuple[datetime, str]]:
        """Deadlines of this occurrence (shifted with the occurrence for a recurring event)."""
        shift = self.effective - self.event.effective
        return sorted((d.date + shift, d.what) for d in self.event.deadlines)


@dataclass(frozen=True, slots=True)
class Concentration:
    hhi: float
    top_platform: str | None
    top_dependence: float
    dependence: dict[str, float]
    """Third-party platform -> share of orders that depend on it (own channels plus links)."""


@dataclass(frozen=True, slots=True)
class RuleResult:
    rule: str  # score | runway | shock | concentration
    level: Level
    reason: str


@dataclass(frozen=True, slots=True)
class ChannelExposure:
    channel: Channel
    revenue_monthly: float
    dependence: float | None
    """Dependence on this channel's platform; None for the seller's own store."""
    expected_loss: float
    risk_share: float
    """This channel's share of the total expected loss over all events."""


@dataclass(frozen=True, slots=True)
class Assessment:
    now: datetime
    profile: Profile
    settings: Settings
    level: Level
    score: float
    rules: tuple[RuleResult, ...]
    runway_weeks: float | None
    stressed_lost_share: float
    capacity: float
    concentration: Concentration
    events: tuple[EventAssessment, ...]
    """Events that count now, highest score first."""
    expired: tuple[Event, ...]
    """Events whose window has passed; kept so a UI can show them as history."""
    channels: tuple[ChannelExposure, ...] = field(default=())

    @property
    def thresholds(self) -> Thresholds:
        return self.settings.thresholds

    @property
    def reasons(self) -> list[str]:
        """One line per rule that raised the level, worst first; one OK line when none did."""
        raised = sorted((r for r in self.rules if r.level > Level.OK), key=lambda r: -r.level)
        return [r.reason for r in raised] or [r.reason for r in self.rules if r.rule == "score"]

    @property
    def expected_loss(self) -> float:
        return sum(e.expected_loss for e in self.events)

    def event(self, event_id: str) -> EventAssessment | None:
        return next((e for e in self.events if e.id == event_id), None)


# ---------------------------------------------------------------------------------------------
# Time


@lru_cache(maxsize=4096)
def _rule(recurs: str, dtstart: datetime) -> rrule | rruleset:
    from dateutil.rrule import rrulestr

    return rrulestr(recurs.removeprefix("RRULE:"), dtstart=dtstart)


def occurrence(event: Event, now: datetime) -> tuple[datetime, datetime | None] | None:
    """The (effective, ends) that counts at `now`, or None when the event no longer counts.

    A one-off event counts until its `ends` passes. A recurring one counts in the window that
    covers now, else at its next occurrence; an exhausted rule no longer counts.
    """
    if not event.recurs:
        if event.ends is not None and event.ends <= now:
            return None
        return event.effective, event.ends
    rule = _rule(event.recurs, event.effective)
    length: timedelta | None = event.ends - event.effective if event.ends else None
    if length is not None:
        start = rule.before(now, inc=True)
        if start is not None and start + length > now:
            return start, start + length
    start = rule.after(now, inc=True)
    if start is None:
        return None
    return start, (start + length if length is not None else None)


def urgency(days_until: float) -> float:
    if days_until <= URGENCY_FULL_DAYS:
        return 1.0
    return float(0.5 ** ((days_until - URGENCY_FULL_DAYS) / URGENCY_HALF_LIFE_DAYS))


# ---------------------------------------------------------------------------------------------
# The model


def overlaps(a: list[str], b: list[str]) -> bool:
    return ANY in a or ANY in b or not set(a).isdisjoint(b)


def own_platforms(profile: Profile) -> set[str]:
    return {c.platform for c in profile.channels if c.kind == "own_store"}


def concentration(profile: Profile) -> Concentration:
    on: dict[str, float] = defaultdict(float)
    for c in profile.channels:
        on[c.platform] += c.order_share
    hhi = sum(s * s for s in on.values())
    own = own_platforms(profile)
    dependence: dict[str, float] = {p: s for p, s in on.items() if p not in own}
    for c in profile.channels:
        for link in c.traffic:
            if link.via in own or link.via == c.platform:
                continue
            dependence[link.via] = dependence.get(link.via, 0.0) + c.order_share * link.share
    if not dependence:
        return Concentration(hhi, None, 0.0, {})
    top = min(dependence, key=lambda p: (-dependence[p], p))
    return Concentration(hhi, top, dependence[top], dict(sorted(dependence.items(), key=lambda kv: -kv[1])))


@dataclass(slots=True)
class _Index:
    """Channels by platform and traffic links by platform, so an event touches only its channels."""

    by_platform: dict[str, list[Channel]]
    by_via: dict[str, list[Channel]]

    @classmethod
    def build(cls, profile: Profile) -> _Index:
        by_platform: dict[str, list[Channel]] = defaultdict(list)
        by_via: dict[str, list[Channel]] = defaultdict(list)
        for c in profile.channels:
            by_platform[c.platform].append(c)
            for via in {link.via for link in c.traffic}:
                by_via[via].append(c)
        return cls(by_platform, by_via)

    def touched(self, platforms: list[str]) -> list[Channel]:
        seen: dict[str, Channel] = {}
        for p in platforms:
            for c in self.by_platform.get(p, ()):
                seen[c.id] = c
            for c in self.by_via.get(p, ()):
                seen[c.id] = c
        return list(seen.values())


def _hits(
    event: Event, impact: KindImpact, index: _Index, m: float, g: float, horizon: float, recovery: float
) -> tuple[list[ChannelHit], float, float, float, float, float, float]:
    """Per-channel hits and the event's money terms (revenue lost monthly, profit at risk, ...)."""
    platforms = set(event.platforms)
    hits: list[ChannelHit] = []
    revenue_lost = profit = fee = cash = inventory = deposit = 0.0
    for c in index.touched(event.platforms):
        if not overlaps(c.regions, event.regions):
            continue
        direct = c.platform in platforms
        cut = [link for link in c.traffic if link.via in platforms and impact.cuts(link.feature)]
        link_lost = sum(link.share for link in cut) * impact.traffic_lost
        if not direct and not cut:
            continue
        lost_share = min(1.0, (impact.orders_lost if direct else 0.0) + link_lost) * c.order_share
        c_profit = m * lost_share * g * horizon
        c_fee = c_cash = c_inv = c_dep = 0.0
        if direct:
            c_fee = impact.fee_delta * m * c.order_share * horizon
            c_cash = c.pending_payouts * impact.payouts_frozen + m * c.order_share * impact.extra_hold_days / 30.0
            c_inv = c.inventory_value * impact.inventory_stranded * (1.0 - recovery)
            c_dep = c.deposit * impact.deposit_lost
        revenue_lost += m * lost_share
        profit += c_profit
        fee += c_fee
        cash += c_cash
        inventory += c_inv
        deposit += c_dep
        reasons = []
        if direct:
            reasons.append(f"sells on {c.platform}")
        reasons.extend(f"{link.share:.0%} of its orders come via {link.via} {link.feature}" for link in cut)
        hits.append(
            ChannelHit(
                channel_id=c.id,
                platform=c.platform,
                direct=direct,
                links=tuple(f"{link.via}/{link.feature} {link.share:.0%}" for link in cut),
                lost_share=lost_share,
                loss=c_profit + max(0.0, c_fee) + c_cash + c_inv + c_dep,
                why="; ".join(reasons),
            )
        )
    return hits, revenue_lost, profit, fee, cash, inventory, deposit


def assess_event(
    event: Event, now: datetime, profile: Profile, model: ModelSettings, capacity: float, index: _Index | None = None
) -> EventAssessment | None:
    """Assess one event at `now`; None when its window has passed."""
    occ = occurrence(event, now)
    if occ is None:
        return None
    effective, ends = occ
    biz = profile.business
    m, g = biz.monthly_revenue, biz.gross_margin
    horizon = model.horizon_months
    if ends is not None:
        horizon = min(horizon, (ends - effective).total_seconds() / DAY / 30.0)
    impact = resolve_impact(event)
    hits, revenue_lost, profit, fee, cash, inventory, deposit = _hits(
        event, impact, index or _Index.build(profile), m, g, horizon, model.recovery_rate
    )
    loss = profit + max(0.0, fee) + cash + inventory + deposit
    p = event.p
    expected = p * loss
    days_until = (effective - now).total_seconds() / DAY
    u = urgency(days_until)
    if capacity > 0:
        score = 100.0 * min(1.0, expected * u / capacity)
    else:
        score = 100.0 if expected * u > 0 else 0.0
    return EventAssessment(
        event=event,
        effective=effective,
        ends=ends,
        probability=p,
        days_until=days_until,
        urgency=u,
        horizon_months=horizon,
        impact=impact,
        channels=tuple(hits),
        revenue_lost_monthly=revenue_lost,
        profit_at_risk=profit,
        fee_cost=fee,
        cash_frozen=cash,
        inventory_loss=inventory,
        deposit_loss=deposit,
        loss=loss,
        expected_loss=expected,
        score=score,
        shock=revenue_lost / m if m > 0 else 0.0,
    )


def stressed_runway(
    profile: Profile, events: list[EventAssessment], horizon_months: float
) -> tuple[float | None, float]:
    """Weeks of cash left if the likely, near events all happen; None when cash does not burn."""
    window = horizon_months * 30.0
    worst: dict[str, float] = defaultdict(float)
    for e in events:
        if e.probability >= 0.5 and e.days_until <= window:
            for h in e.channels:
                worst[h.channel_id] = max(worst[h.channel_id], h.lost_share)
    lost = min(1.0, sum(worst.values()))
    biz = profile.business
    burn = biz.monthly_fixed_costs - biz.monthly_revenue * (1.0 - lost) * biz.gross_margin
    if burn <= 0:
        return None, lost
    return biz.cash_on_hand / burn * 52.0 / 12.0, lost


def _level_of(value: float, warn: float, crit: float) -> Level:
    return Level.CRITICAL if value >= crit else Level.WARNING if value >= warn else Level.OK


def judge(
    score: float,
    runway: float | None,
    events: list[EventAssessment],
    conc: Concentration,
    t: Thresholds,
) -> tuple[RuleResult, ...]:
    """The four level rules, each with a one-line reason."""
    s_level = _level_of(score, t.warn, t.crit)
    bound = {Level.CRITICAL: f">= critical {t.crit:g}", Level.WARNING: f">= warning {t.warn:g}"}
    s_reason = f"score {score:.0f} {bound.get(s_level, f'below warning {t.warn:g}')}"

    if runway is None:
        r_level, r_reason = Level.OK, "runway: cash does not run down even if likely events happen"
    else:
        r_level = (
            Level.CRITICAL
            if runway < t.runway_crit_weeks
            else Level.WARNING
            if runway < t.runway_warn_weeks
            else Level.OK
        )
        limit = {Level.CRITICAL: t.runway_crit_weeks, Level.WARNING: t.runway_warn_weeks}.get(r_level)
        r_reason = f"runway {runway:.1f} weeks if likely events happen" + (
            f" (< {limit:g})" if limit is not None else ""
        )

    near = [e for e in events if e.probability >= 0.5 and e.days_until <= SHOCK_WINDOW_DAYS]
    worst = max(near, key=lambda e: (e.shock, e.probability), default=None)
    if worst is None or worst.shock < t.shock_warn:
        k_level, k_reason = Level.OK, "no likely event within 30 days removes a large share of orders"
    else:
        k_level = _level_of(worst.shock, t.shock_warn, t.shock_crit)
        when = "in effect" if worst.in_effect else f"in {worst.days_until:.0f} d"
        k_reason = f"{worst.id} ({when}) would remove {worst.shock:.0%} of orders"

    c_level = Level.WARNING if conc.top_dependence >= t.concentration_warn else Level.OK
    if conc.top_platform is None:
        c_reason = "no third-party platform"
    else:
        c_reason = f"{conc.top_platform} carries {conc.top_dependence:.0%} of orders" + (
            f" (>= {t.concentration_warn:.0%})" if c_level else ""
        )
    return (
        RuleResult("score", s_level, s_reason),
        RuleResult("runway", r_level, r_reason),
        RuleResult("shock", k_level, k_reason),
        RuleResult("concentration", c_level, c_reason),
    )


def _channel_exposure(
    profile: Profile, events: list[EventAssessment], conc: Concentration
) -> tuple[ChannelExposure, ...]:
    expected: dict[str, float] = defaultdict(float)
    for e in events:
        for h in e.channels:
            expected[h.channel_id] += e.probability * h.loss
    total = sum(expected.values())
    m = profile.business.monthly_revenue
    return tuple(
        ChannelExposure(
            channel=c,
            revenue_monthly=m * c.order_share,
            dependence=conc.dependence.get(c.platform),
            expected_loss=expected[c.id],
            risk_share=expected[c.id] / total if total > 0 else 0.0,
        )
        for c in profile.channels
    )


def assess(
    profile: Profile, events: list[Event] | tuple[Event, ...], now: datetime, settings: Settings | None = None
) -> Assessment:
    """Assess `profile` against `events` as of `now` (an aware datetime)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    settings = settings or Settings()
    biz = profile.business
    capacity = biz.cash_on_hand + biz.monthly_revenue * biz.gross_margin
    index = _Index.build(profile)
    assessed: list[EventAssessment] = []
    expired: list[Event] = []
    for event in events:
        ea = assess_event(event, now, profile, settings.model, capacity, index)
        if ea is None:
            expired.append(event)
        else:
            assessed.append(ea)
    assessed.sort(key=lambda e: (-e.score, -e.expected_loss, e.days_until, e.id))

    survive = 1.0
    for e in assessed:
        survive *= 1.0 - e.score / 100.0
    score = 100.0 * (1.0 - survive)
    conc = concentration(profile)
    runway, lost = stressed_runway(profile, assessed, settings.model.horizon_months)
    rules = judge(score, runway, assessed, conc, settings.thresholds)
    return Assessment(
        now=now,
        profile=profile,
        settings=settings,
        level=max(r.level for r in rules),
        score=score,
        rules=rules,
        runway_weeks=runway,
        stressed_lost_share=lost,
        capacity=capacity,
        concentration=conc,
        events=tuple(assessed),
        expired=tuple(expired),
        channels=_channel_exposure(profile, assessed, conc),
    )
