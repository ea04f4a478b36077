"""The risk model: exposure + events + now -> Assessment.

`assess()` is pure: no I/O, no clock, no globals. The TUI, `check`, `daemon`, reports and what-if
all call it and only present what it returns, so every number riskmon shows is computed here, once.
The formulas are documented in the README ("How the score is computed") and must stay in step.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property, lru_cache, partial
from typing import TYPE_CHECKING, NamedTuple

from riskmon.errors import Level
from riskmon.model import Channel, Event, Impact, ModelSettings, Profile, Settings, Thresholds, TrafficLink

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
    if not o.model_fields_set:
        return base
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


class ChannelHit(NamedTuple):
    """How one event reaches one channel, and what that costs (before probability)."""

    channel: Channel
    direct: bool
    """The channel's own platform is hit (as opposed to only its traffic links)."""
    cut: tuple[TrafficLink, ...]
    """The channel's traffic links that the event cuts."""
    lost_share: float
    """Share of ALL orders this channel loses: min(1, orders_lost + cut links) x order_share."""
    loss: float
    """This channel's part of the event's loss."""

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
        reasons = [f"sells on {self.channel.platform}"] if self.direct else []
        reasons.extend(f"{link.share:.0%} of its orders come via {link.via} {link.feature}" for link in self.cut)
        return "; ".join(reasons)


@dataclass(frozen=True)
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
    hit_share: float
    """Share of all orders on channels whose own platform the event hits."""
    hits_factory: Callable[[], tuple[ChannelHit, ...]] = field(repr=False, compare=False)

    @cached_property
    def channels(self) -> tuple[ChannelHit, ...]:
        """The channels the event reaches, most orders lost first."""
        return self.hits_factory()

    @property
    def id(self) -> str:
        return self.event.id

    @property
    def in_effect(self) -> bool:
        return self.days_until <= 0

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


class _Chan(NamedTuple):
    """A channel's numbers, unpacked once per assessment for the hot loop."""

    pos: int
    channel: Channel
    platform: str
    share: float
    pending: float
    inventory: float
    deposit: float
    regions: frozenset[str] | None  # None: every region
    links: tuple[TrafficLink, ...]


class _Group:
    """Channels on one platform, in the same regions, without traffic links.

    An event treats them alike (each loses `orders_lost` of its share), so their money terms are
    sums of their numbers and the event costs one step per group instead of one per channel. What
    each channel owes to the totals (expected loss, worst lost share) is kept as coefficients and
    multiplied out once at the end.
    """

    __slots__ = ("a", "b", "c", "chans", "d", "deposit", "inventory", "pending", "regions", "share", "worst")

    def __init__(self, regions: frozenset[str] | None) -> None:
        self.regions = regions
        self.chans: list[_Chan] = []
        self.share = self.pending = self.inventory = self.deposit = 0.0
        self.a = self.b = self.c = self.d = self.worst = 0.0

    def add(self, ch: _Chan) -> None:
        self.chans.append(ch)
        self.share += ch.share
        self.pending += ch.pending
        self.inventory += ch.inventory
        self.deposit += ch.deposit


class _Hit(_Group):
    """The union of the groups one (platform, regions) reaches, with their sums.

    Events on the same platform in the same regions reach the same groups: their coefficients
    are added here once per event and handed down to the groups once per assessment (`settle`).
    """

    __slots__ = ("groups",)

    def __init__(self, groups: list[_Group]) -> None:
        super().__init__(None)
        self.groups = groups
        for g in groups:
            self.chans.extend(g.chans)
            self.share += g.share
            self.pending += g.pending
            self.inventory += g.inventory
            self.deposit += g.deposit


class _Accumulators:
    """Per-channel totals gathered while events are assessed, so no second pass is needed."""

    def __init__(self, n: int, runway_window_days: float) -> None:
        self.expected = [0.0] * n
        self.worst_lost = [0.0] * n
        self.runway_window_days = runway_window_days


class _Index:
    """Where an event can land: groups of alike channels by platform and region, linked channels."""

    def __init__(self, profile: Profile) -> None:
        self.chans = [
            _Chan(i, c, c.platform, c.order_share, c.pending_payouts, c.inventory_value, c.deposit,
                  None if ANY in c.regions else frozenset(c.regions), tuple(c.traffic))
            for i, c in enumerate(profile.channels)
        ]
        groups: dict[tuple[str, frozenset[str] | None], _Group] = {}
        self.linked: dict[str, list[_Chan]] = defaultdict(list)  # platform -> its channels with links
        self.by_via: dict[str, list[_Chan]] = defaultdict(list)
        for ch in self.chans:
            if ch.links:
                self.linked[ch.platform].append(ch)
                for via in dict.fromkeys(link.via for link in ch.links):
                    self.by_via[via].append(ch)
            else:
                groups.setdefault((ch.platform, ch.regions), _Group(ch.regions)).add(ch)
        self.groups = list(groups.values())
        self._hit_cache: dict[tuple[str, frozenset[str] | None], _Hit] = {}
        self.everywhere: dict[str, list[_Group]] = defaultdict(list)  # platform -> groups in every region
        self.by_region: dict[str, dict[str, list[_Group]]] = defaultdict(lambda: defaultdict(list))
        self.on_platform: dict[str, list[_Group]] = defaultdict(list)
        for (platform, regions), g in groups.items():
            self.on_platform[platform].append(g)
            if regions is None:
                self.everywhere[platform].append(g)
            else:
                for r in regions:
                    self.by_region[platform][r].append(g)

    def hit(self, platform: str, regions: frozenset[str] | None) -> _Hit:
        """The groups an event on `platform` in `regions` reaches; events alike share one."""
        key = (platform, regions)
        found = self._hit_cache.get(key)
        if found is None:
            found = self._hit_cache[key] = _Hit(self._groups_hit(platform, regions))
        return found

    def _groups_hit(self, platform: str, regions: frozenset[str] | None) -> list[_Group]:
        if regions is None:
            return self.on_platform.get(platform, [])
        found = list(self.everywhere.get(platform, ()))
        by_r = self.by_region.get(platform)
        if by_r:
            seen: set[int] = set()
            for r in regions:
                for g in by_r.get(r, ()):
                    if id(g) not in seen:
                        seen.add(id(g))
                        found.append(g)
        return found

    def settle(self, acc: _Accumulators) -> None:
        """Multiply the coefficients out: from each hit to its groups, from groups to channels."""
        for hit in self._hit_cache.values():
            for g in hit.groups:
                g.a += hit.a
                g.b += hit.b
                g.c += hit.c
                g.d += hit.d
                if hit.worst > g.worst:
                    g.worst = hit.worst
        for g in self.groups:
            for ch in g.chans:
                acc.expected[ch.pos] += ch.share * g.a + ch.pending * g.b + ch.inventory * g.c + ch.deposit * g.d
                acc.worst_lost[ch.pos] = max(acc.worst_lost[ch.pos], g.worst * ch.share)


def _reached(ch: _Chan, regions: frozenset[str] | None) -> bool:
    return regions is None or ch.regions is None or not ch.regions.isdisjoint(regions)


def _channel_loss(ch: _Chan, direct: bool, lost: float, k: _Coefficients) -> float:
    loss = k.mgh * lost
    if direct:
        loss += (k.fee_pos + k.hold) * ch.share + ch.pending * k.pf + ch.inventory * k.inv + ch.deposit * k.dl
    return loss


class _Sums:
    __slots__ = ("deposit", "inventory", "lost", "pending", "share")

    def __init__(self) -> None:
        self.lost = self.share = self.pending = self.inventory = self.deposit = 0.0


def _cut(ch: _Chan, pset: frozenset[str], impact: KindImpact) -> tuple[TrafficLink, ...]:
    return tuple(link for link in ch.links if link.via in pset and impact.cuts(link.feature))


def _reach(
    event: Event, impact: KindImpact, index: _Index, k: _Coefficients, acc: _Accumulators | None, weight: float,
    in_runway: bool,
) -> tuple[_Sums, list[_Group], list[ChannelHit]]:
    """Which channels the event reaches, the sums its money terms are made of, and each part's share."""
    pset = frozenset(event.platforms)
    rset = None if ANY in event.regions else frozenset(event.regions)
    ol, tl = impact.orders_lost, impact.traffic_lost
    sums = _Sums()
    platforms = list(dict.fromkeys(event.platforms))  # a platform named twice is still one platform
    hits = [index.hit(p, rset) for p in platforms]
    singles: list[ChannelHit] = []
    if acc is not None:
        unit = (k.mgh * ol + k.fee_pos + k.hold) * weight  # expected loss per unit of order share
        b, c, d = weight * k.pf, weight * k.inv, weight * k.dl
        worst = ol if in_runway else 0.0
    for h in hits:
        sums.share += h.share
        sums.pending += h.pending
        sums.inventory += h.inventory
        sums.deposit += h.deposit
        if acc is not None:
            h.a += unit
            h.b += b
            h.c += c
            h.d += d
            if worst > h.worst:
                h.worst = worst
    sums.lost = ol * sums.share
    candidates = [(ch, True) for p in platforms for ch in index.linked.get(p, ())]
    if tl > 0:
        seen: set[int] = set()
        for p in platforms:
            for ch in index.by_via.get(p, ()):
                if ch.platform not in pset and ch.pos not in seen:
                    seen.add(ch.pos)
                    candidates.append((ch, False))
    for ch, direct in candidates:
        if not _reached(ch, rset):
            continue
        cut = _cut(ch, pset, impact) if tl > 0 else ()
        if not direct and not cut:
            continue
        f = (ol if direct else 0.0) + sum(link.share for link in cut) * tl
        lost = min(1.0, f) * ch.share
        sums.lost += lost
        if direct:
            sums.share += ch.share
            sums.pending += ch.pending
            sums.inventory += ch.inventory
            sums.deposit += ch.deposit
        loss = _channel_loss(ch, direct, lost, k)
        singles.append(ChannelHit(ch.channel, direct, cut, lost, loss))
        if acc is not None:
            acc.expected[ch.pos] += weight * loss
            if in_runway and lost > acc.worst_lost[ch.pos]:
                acc.worst_lost[ch.pos] = lost
    return sums, list(hits), singles


def _expand(groups: list[_Group], singles: list[ChannelHit], ol: float, k: _Coefficients) -> tuple[ChannelHit, ...]:
    """Per-channel hits of an event, in profile order; built only when someone looks."""
    hits = [
        ChannelHit(ch.channel, True, (), ol * ch.share, _channel_loss(ch, True, ol * ch.share, k))
        for g in groups
        for ch in g.chans
    ]
    hits.extend(singles)
    order = {id(h.channel): i for i, h in enumerate(hits)}
    return tuple(sorted(hits, key=lambda h: (-h.lost_share, -h.loss, order[id(h.channel)])))


class _Coefficients(NamedTuple):
    """An event's per-unit costs: multiply by a channel's numbers to get its part of the loss."""

    mgh: float  # profit lost per unit of order share: M x g x horizon
    fee_pos: float  # fee cost per unit of order share, when it is a cost
    fee: float
    hold: float  # cash held per unit of order share: M x extra_hold_days / 30
    pf: float
    inv: float
    dl: float


def assess_event(
    event: Event,
    now: datetime,
    profile: Profile,
    model: ModelSettings,
    capacity: float,
    index: _Index | None = None,
    acc: _Accumulators | None = None,
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
    fee = impact.fee_delta * m * horizon
    k = _Coefficients(
        mgh=m * g * horizon,
        fee_pos=max(0.0, fee),
        fee=fee,
        hold=m * impact.extra_hold_days / 30.0,
        pf=impact.payouts_frozen,
        inv=impact.inventory_stranded * (1.0 - model.recovery_rate),
        dl=impact.deposit_lost,
    )
    p = event.p
    days_until = (effective - now).total_seconds() / DAY
    in_runway = acc is not None and p >= 0.5 and days_until <= acc.runway_window_days
    sums, groups, singles = _reach(event, impact, index or _Index(profile), k, acc, p, in_runway)
    s_lost, s_share = sums.lost, sums.share
    s_pending, s_inv, s_dep = sums.pending, sums.inventory, sums.deposit
    profit = k.mgh * s_lost
    fee_cost = k.fee * s_share
    cash = s_pending * k.pf + k.hold * s_share
    inventory = s_inv * k.inv
    deposit = s_dep * k.dl
    loss = profit + max(0.0, fee_cost) + cash + inventory + deposit
    expected = p * loss
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
        revenue_lost_monthly=m * s_lost,
        profit_at_risk=profit,
        fee_cost=fee_cost,
        cash_frozen=cash,
        inventory_loss=inventory,
        deposit_loss=deposit,
        loss=loss,
        expected_loss=expected,
        score=score,
        shock=s_lost if m > 0 else 0.0,
        hit_share=s_share,
        hits_factory=partial(_expand, groups, singles, impact.orders_lost, k),
    )


def runway_from(profile: Profile, lost: float) -> float | None:
    """Weeks of cash if `lost` (a share of all orders) disappears; None when cash does not burn."""
    biz = profile.business
    burn = biz.monthly_fixed_costs - biz.monthly_revenue * (1.0 - lost) * biz.gross_margin
    if burn <= 0:
        return None
    return biz.cash_on_hand / burn * 52.0 / 12.0


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


def _channel_exposure(profile: Profile, expected: list[float], conc: Concentration) -> tuple[ChannelExposure, ...]:
    total = sum(expected)
    m = profile.business.monthly_revenue
    return tuple(
        ChannelExposure(
            channel=c,
            revenue_monthly=m * c.order_share,
            dependence=conc.dependence.get(c.platform),
            expected_loss=expected[i],
            risk_share=expected[i] / total if total > 0 else 0.0,
        )
        for i, c in enumerate(profile.channels)
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector during one assessment.

    An assessment allocates one small object per event and creates no reference cycles, yet with
    thousands of events the collector would walk every validated event again and again (it was
    40% of the time in benchmarks/assess_scale.py). Reference counting still frees everything.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def assess(
    profile: Profile, events: list[Event] | tuple[Event, ...], now: datetime, settings: Settings | None = None
) -> Assessment:
    """Assess `profile` against `events` as of `now` (an aware datetime)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    with _collector_paused():
        return _assess(profile, events, now, settings or Settings())


def _assess(profile: Profile, events: list[Event] | tuple[Event, ...], now: datetime, settings: Settings) -> Assessment:
    biz = profile.business
    capacity = biz.cash_on_hand + biz.monthly_revenue * biz.gross_margin
    index = _Index(profile)
    # Stressed runway: events with p >= 0.5 in effect or due within the horizon (README).
    acc = _Accumulators(len(profile.channels), settings.model.horizon_months * 30.0)
    assessed: list[EventAssessment] = []
    expired: list[Event] = []
    for event in events:
        ea = assess_event(event, now, profile, settings.model, capacity, index, acc)
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
    index.settle(acc)
    lost = min(1.0, sum(acc.worst_lost))
    runway = runway_from(profile, lost)
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
        channels=_channel_exposure(profile, acc.expected, conc),
    )
