"""The risk model: exposure + events + now -> Assessment.

`assess()` is pure: no I/O, no clock, no globals. The TUI, `check`, `daemon`, reports and what-if
all call it and only present what it returns, so every number riskmon shows is computed here, once.
The formulas are documented in the README ("How the score is computed") and must stay in step.
"""

from __future__ import annotations

import gc
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property, lru_cache
from operator import attrgetter
from typing import TYPE_CHECKING, NamedTuple

from riskmon.errors import Level
from riskmon.sources.config.schema import (
    Channel,
    Event,
    Impact,
    ModelSettings,
    Profile,
    Settings,
    Thresholds,
    TrafficLink,
    in_date_range,
)

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


_new_object = object.__new__
_set_attribute = object.__setattr__


def _new_event_assessment(fields: dict[str, object]) -> EventAssessment:
    """An EventAssessment from its fields, in declaration order, without the generated __init__.

    A frozen dataclass's __init__ sets each of its 20 fields through object.__setattr__, ~4.5 us an
    event here: ~20 ms of assess() on benchmarks/assess_scale.py. The instance is the same as the
    one __init__ makes (the fields live in its __dict__, in the same order), so equality, repr,
    dataclasses.replace/asdict and the cached `channels` behave the same;
    tests/test_engine_reference.py checks that.
    """
    ea: EventAssessment = _new_object(EventAssessment)
    _set_attribute(ea, "__dict__", fields)
    return ea


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
    length: timedelta | None = event.ends - event.effective if event.ends else None
    last, start = _around(_rule(event.recurs, event.effective), now)
    if length is not None and last is not None and last + length > now:
        return last, last + length
    if start is None:
        return None
    return start, (start + length if length is not None else None)


def _around(rule: rrule | rruleset, now: datetime) -> tuple[datetime | None, datetime | None]:
    """The rule's last occurrence at or before `now` and its first at or after it.

    What `rule.before(now, inc=True)` and `rule.after(now, inc=True)` return, in one walk
    through the occurrences instead of two (each walk starts again at the rule's start).
    """
    last = first = None
    for start in rule:
        if start >= now and first is None:
            first = start
        if start > now:
            break
        last = start
    return last, first


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


class _Hit:
    """What an event on one platform in some regions reaches: groups of alike channels, with the
    sums of their numbers, and the channels with traffic links whose regions overlap (`linked`:
    on that platform; `via`: linked through it).

    Events on the same platform in the same regions reach the same channels, so this is worked out
    once per (platform, regions) and shared. Their coefficients (as in _Group) are added here once
    per event and handed down to the groups once per assessment (`_Index.settle`).
    """

    __slots__ = ("a", "b", "c", "d", "deposit", "groups", "inventory", "linked", "pending", "share", "via", "worst")

    def __init__(self, groups: list[_Group], linked: Sequence[_Chan], via: Sequence[_Chan]) -> None:
        self.groups = groups
        self.linked = linked
        self.via = via
        share = pending = inventory = deposit = 0.0
        for g in groups:
            share += g.share
            pending += g.pending
            inventory += g.inventory
            deposit += g.deposit
        self.share, self.pending, self.inventory, self.deposit = share, pending, inventory, deposit
        self.a = self.b = self.c = self.d = self.worst = 0.0


class _Accumulators:
    """Per-channel totals gathered while events are assessed, so no second pass is needed."""

    def __init__(self, n: int, runway_window_days: float) -> None:
        self.expected = [0.0] * n
        self.worst_lost = [0.0] * n
        self.runway_window_days = runway_window_days


class _Index:
    """Where an event can land: groups of alike channels by platform and region, linked channels.

    Built for one assessment: its hits carry that assessment's running totals.
    """

    def __init__(self, profile: Profile) -> None:
        self.chans = [
            _Chan(
                i,
                c,
                c.platform,
                c.order_share,
                c.pending_payouts,
                c.inventory_value,
                c.deposit,
                None if ANY in c.regions else frozenset(c.regions),
                tuple(c.traffic),
            )
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
        self.hits: dict[tuple[str, frozenset[str] | None], _Hit] = {}
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
        """What an event on `platform` in `regions` reaches; events alike share one."""
        key = (platform, regions)
        found = self.hits.get(key)
        if found is None:
            linked, via = self.linked.get(platform, ()), self.by_via.get(platform, ())
            if regions is None:
                found = _Hit(self.on_platform.get(platform, []), linked, via)
            else:
                found = _Hit(self._groups_in(platform, regions), _in(linked, regions), _in(via, regions))
            self.hits[key] = found
        return found

    def _groups_in(self, platform: str, regions: frozenset[str]) -> list[_Group]:
        """The platform's groups in every region, then those in `regions`, region by region in
        sorted order (a group in several of them comes once, at the first)."""
        found = list(self.everywhere.get(platform, ()))
        by_r = self.by_region.get(platform)
        if by_r:
            seen: set[_Group] = set()  # groups hash by identity
            # Sorted, not the set's order: that changes with PYTHONHASHSEED from one process to the
            # next, and the groups' shares are summed in this order, to the last bit.
            for r in sorted(regions):
                for g in by_r.get(r, ()):
                    if g not in seen:
                        seen.add(g)
                        found.append(g)
        return found

    def settle(self, acc: _Accumulators) -> None:
        """Multiply the coefficients out: from each hit to its groups, from groups to channels."""
        for hit in self.hits.values():
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


def _in(chans: Sequence[_Chan], regions: frozenset[str]) -> Sequence[_Chan]:
    """The channels that sell in one of `regions` (an empty tuple when none does)."""
    if not chans:
        return ()
    return [ch for ch in chans if ch.regions is None or not ch.regions.isdisjoint(regions)] or ()


_Singles = list[Channel | bool | tuple[TrafficLink, ...] | float]
"""The ChannelHits of an event's channels with traffic links, made when asked for: their fields
(channel, direct, cut, lost_share, loss) one after the other in one flat list, not a tuple each, so
that the collector has one object per event to walk instead of one per channel."""
_HIT_FIELDS = len(ChannelHit._fields)


class _LazyHits(NamedTuple):
    """An event's hits_factory: what it takes to list the channels it reaches, and what each loses.

    Most callers only want an event's totals, so the per-channel hits are built only when someone
    asks (EventAssessment.channels). One tuple per event: it is also the event's per-unit costs
    (multiply by a channel's numbers to get its part of the loss).
    """

    hits: list[_Hit]
    singles: _Singles | tuple[()]
    ol: float  # orders_lost
    mgh: float  # profit lost per unit of order share: M x g x horizon
    fee_pos: float  # fee cost per unit of order share, when it is a cost
    hold: float  # cash held per unit of order share: M x extra_hold_days / 30
    pf: float  # payouts_frozen
    inv: float  # inventory_stranded x (1 - recovery_rate)
    dl: float  # deposit_lost

    def __call__(self) -> tuple[ChannelHit, ...]:
        """Per-channel hits of the event, most orders lost first (ties in profile order)."""
        ol = self.ol
        out = [
            ChannelHit(ch.channel, True, (), ol * ch.share, _channel_loss(ch, True, ol * ch.share, self))
            for h in self.hits
            for g in h.groups
            for ch in g.chans
        ]
        singles = self.singles
        out.extend(ChannelHit._make(singles[i : i + _HIT_FIELDS]) for i in range(0, len(singles), _HIT_FIELDS))
        order = {id(h.channel): i for i, h in enumerate(out)}
        return tuple(sorted(out, key=lambda h: (-h.lost_share, -h.loss, order[id(h.channel)])))


def _channel_loss(ch: _Chan, direct: bool, lost: float, k: _LazyHits) -> float:
    loss = k.mgh * lost
    if direct:
        loss += (k.fee_pos + k.hold) * ch.share + ch.pending * k.pf + ch.inventory * k.inv + ch.deposit * k.dl
    return loss


class _Terms(NamedTuple):
    """The parts of an event's costs that depend only on its impact, worked out once per impact."""

    impact: KindImpact
    ol: float  # orders_lost
    tl: float  # traffic_lost
    fee_m: float  # fee_delta x M (times the horizon: the fee cost per unit of order share)
    hold: float  # M x extra_hold_days / 30
    pf: float  # payouts_frozen
    inv: float  # inventory_stranded x (1 - recovery_rate)
    dl: float  # deposit_lost


class _Assessor:
    """Assesses the events of one assess() call, one by one.

    Holds what the call's events share (the business's numbers, the impact terms of each kind,
    the index of channels with its running totals), so an event costs little more than its own
    arithmetic. It lives for one call: nothing is kept between calls.

    The arithmetic follows the formulas (README, DESIGN "The risk model") operation for operation
    and in the same order as the engine before it (per-event objects, one call per event): floats
    are added left to right, and a sum reordered would change last digits, which the numbers'
    contract does not allow. So the per-(platform, regions) totals are kept as they were, and
    channels with traffic links are still added one by one.
    """

    def __init__(
        self, profile: Profile, model: ModelSettings, capacity: float, now: datetime, index: _Index, acc: _Accumulators
    ) -> None:
        biz = profile.business
        self.m = biz.monthly_revenue
        self.mg = biz.monthly_revenue * biz.gross_margin  # `M x g x horizon` multiplies in this order
        self.horizon = model.horizon_months
        self.keep = 1.0 - model.recovery_rate
        self.capacity = capacity
        self.now = now
        self.index = index
        self.acc = acc
        self._by_kind: dict[str, _Terms] = {}

    def terms(self, event: Event) -> _Terms:
        """The event's impact terms; one for all the events of a kind that override nothing."""
        if event.impact.model_fields_set:
            return self._terms(resolve_impact(event))
        found = self._by_kind.get(event.kind)
        if found is None:
            found = self._by_kind[event.kind] = self._terms(KIND_DEFAULTS[event.kind])
        return found

    def _terms(self, impact: KindImpact) -> _Terms:
        m = self.m
        return _Terms(
            impact,
            impact.orders_lost,
            impact.traffic_lost,
            impact.fee_delta * m,
            m * impact.extra_hold_days / 30.0,
            impact.payouts_frozen,
            impact.inventory_stranded * self.keep,
            impact.deposit_lost,
        )

    def run(self, events: Iterable[Event]) -> tuple[list[EventAssessment], list[Event]]:
        """Assess each event: those that count, in the given order, and those whose window passed.

        One loop with everything it reads in local variables, and function calls only for what is
        rare (a recurring event, an impact seen first, a (platform, regions) seen first, channels
        with traffic links): it runs once per event, and a Python call or attribute lookup costs
        about as much as the arithmetic of an event.
        """
        assessed: list[EventAssessment] = []
        expired: list[Event] = []
        now, mg, m, capacity = self.now, self.mg, self.m, self.capacity
        horizon_months, window = self.horizon, self.acc.runway_window_days
        kind_terms = self._by_kind.get
        known_hit, hit = self.index.hits.get, self.index.hit
        for event in events:
            # When: the occurrence that counts (see occurrence(); a one-off event inline).
            ends = event.ends
            if event.recurs:
                occ = occurrence(event, now)
                if occ is None:
                    expired.append(event)
                    continue
                effective, ends = occ
            elif ends is not None and ends <= now:
                expired.append(event)
                continue
            else:
                effective = event.effective
            terms = None if event.impact.model_fields_set else kind_terms(event.kind)
            if terms is None:
                terms = self.terms(event)
            impact, ol, tl, fee_m, hold, pf, inv, dl = terms
            horizon = horizon_months
            if ends is not None:
                days = (ends - effective).total_seconds() / DAY / 30.0
                if days < horizon:  # min(horizon, days), as the formula says, without the call
                    horizon = days
            fee = fee_m * horizon
            mgh = mg * horizon
            fee_pos = fee if fee > 0.0 else 0.0  # max(0, fee)
            p = event.p
            days_until = (effective - now).total_seconds() / DAY
            in_runway = p >= 0.5 and days_until <= window

            # Where: the groups of channels it reaches, their sums, and their running totals.
            regions = event.regions
            rset = None if ANY in regions else frozenset(regions)
            platforms = event.platforms
            if len(platforms) > 1:
                platforms = list(dict.fromkeys(platforms))  # a platform named twice is still one platform
            unit = (mgh * ol + fee_pos + hold) * p  # expected loss per unit of order share
            b, c, d = p * pf, p * inv, p * dl
            worst = ol if in_runway else 0.0
            # An event that costs nothing (a fee change, a season...) leaves the totals as they are:
            # they are sums of non-negative terms, to which adding zero changes no bit.
            costs = unit or b or c or d or worst
            share = pending = inventory = deposit = 0.0
            hits: list[_Hit] = []
            linked = False
            for platform in platforms:
                h = known_hit((platform, rset)) or hit(platform, rset)
                hits.append(h)
                share += h.share
                pending += h.pending
                inventory += h.inventory
                deposit += h.deposit
                if costs:
                    h.a += unit
                    h.b += b
                    h.c += c
                    h.d += d
                    if worst > h.worst:
                        h.worst = worst
                if h.linked or (h.via and tl > 0):
                    linked = True
            lost = ol * share
            if linked:
                k = _LazyHits(hits, [], ol, mgh, fee_pos, hold, pf, inv, dl)
                lost, share, pending, inventory, deposit = self._reach_linked(
                    k, platforms, terms, p, in_runway, lost, share, pending, inventory, deposit
                )
            else:
                k = _LazyHits(hits, (), ol, mgh, fee_pos, hold, pf, inv, dl)

            # How much: the money terms, the expected loss and the score.
            profit = mgh * lost
            fee_cost = fee * share
            cash = pending * pf + hold * share
            inventory_loss = inventory * inv
            deposit_loss = deposit * dl
            loss = profit + (fee_cost if fee_cost > 0.0 else 0.0) + cash + inventory_loss + deposit_loss
            expected = p * loss
            u = 1.0 if days_until <= URGENCY_FULL_DAYS else urgency(days_until)
            if capacity > 0:
                share_of_capacity = expected * u / capacity
                score = 100.0 * (share_of_capacity if share_of_capacity < 1.0 else 1.0)
            else:
                score = 100.0 if expected * u > 0 else 0.0
            assessed.append(
                _new_event_assessment(
                    {
                        "event": event,
                        "effective": effective,
                        "ends": ends,
                        "probability": p,
                        "days_until": days_until,
                        "urgency": u,
                        "horizon_months": horizon,
                        "impact": impact,
                        "revenue_lost_monthly": m * lost,
                        "profit_at_risk": profit,
                        "fee_cost": fee_cost,
                        "cash_frozen": cash,
                        "inventory_loss": inventory_loss,
                        "deposit_loss": deposit_loss,
                        "loss": loss,
                        "expected_loss": expected,
                        "score": score,
                        "shock": lost if m > 0 else 0.0,
                        "hit_share": share,
                        "hits_factory": k,
                    }
                )
            )
        return assessed, expired

    def _reach_linked(
        self,
        k: _LazyHits,
        platforms: list[str],
        t: _Terms,
        p: float,
        in_runway: bool,
        lost: float,
        share: float,
        pending: float,
        inventory: float,
        deposit: float,
    ) -> tuple[float, float, float, float, float]:
        """Add the channels with traffic links that the event reaches, one by one, to the sums.

        First those on the event's platforms (`direct`: they lose orders_lost plus their cut
        links), then, when the event cuts traffic, those elsewhere whose links run through its
        platforms (each once: they lose only their cut links). The loss terms are _channel_loss's,
        written out.
        """
        _, ol, tl, _, hold, pf, inv, dl = t
        cuts = t.impact.cuts if tl > 0 else None
        mgh, fee_hold = k.mgh, k.fee_pos + hold
        expected, worst_lost = self.acc.expected, self.acc.worst_lost
        singles = k.singles
        assert isinstance(singles, list)
        for h in k.hits:
            for pos, channel, _, ch_share, ch_pending, ch_inventory, ch_deposit, _, links in h.linked:
                cut = _cut(links, platforms, cuts) if cuts else ()
                f = ol + (sum(link.share for link in cut) if cut else 0) * tl
                ch_lost = (f if f < 1.0 else 1.0) * ch_share  # min(1, f) x order share
                lost += ch_lost
                share += ch_share
                pending += ch_pending
                inventory += ch_inventory
                deposit += ch_deposit
                loss = mgh * ch_lost
                loss += fee_hold * ch_share + ch_pending * pf + ch_inventory * inv + ch_deposit * dl
                singles += (channel, True, cut, ch_lost, loss)
                expected[pos] += p * loss
                if in_runway and ch_lost > worst_lost[pos]:
                    worst_lost[pos] = ch_lost
        if cuts is None:
            return lost, share, pending, inventory, deposit
        seen: set[int] = set()
        for h in k.hits:
            for pos, channel, platform, ch_share, _, _, _, _, links in h.via:
                if platform in platforms or pos in seen:
                    continue
                seen.add(pos)
                cut = _cut(links, platforms, cuts)
                if not cut:
                    continue
                f = 0.0 + sum(link.share for link in cut) * tl
                ch_lost = (f if f < 1.0 else 1.0) * ch_share
                lost += ch_lost
                loss = mgh * ch_lost
                singles += (channel, False, cut, ch_lost, loss)
                expected[pos] += p * loss
                if in_runway and ch_lost > worst_lost[pos]:
                    worst_lost[pos] = ch_lost
        return lost, share, pending, inventory, deposit


def _cut(links: tuple[TrafficLink, ...], platforms: list[str], cuts: Callable[[str], bool]) -> tuple[TrafficLink, ...]:
    """The links through the event's platforms that it cuts."""
    return tuple(link for link in links if link.via in platforms and cuts(link.feature))


def assess_event(
    event: Event, now: datetime, profile: Profile, model: ModelSettings, capacity: float
) -> EventAssessment | None:
    """Assess one event at `now`; None when its window has passed."""
    acc = _Accumulators(len(profile.channels), model.horizon_months * 30.0)
    assessed, _ = _Assessor(profile, model, capacity, now, _Index(profile), acc).run([event])
    return assessed[0] if assessed else None


def runway_from(profile: Profile, lost: float) -> float | None:
    """Weeks of cash if `lost` (a share of all orders) disappears; None when cash does not burn."""
    biz = profile.business
    burn = biz.monthly_fixed_costs - biz.monthly_revenue * (1.0 - lost) * biz.gross_margin
    if burn <= 0:
        return None
    weeks = biz.cash_on_hand / burn * 52.0 / 12.0
    # A burn of a few subnormal cents makes the quotient overflow: cash that lasts longer than a
    # float can count does not run down, as far as anyone can tell.
    return weeks if math.isfinite(weeks) else None


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
    # The dates validation accepts (model.DATE_MIN..DATE_MAX) are the ones the engine handles.
    in_date_range(now)
    with _collector_paused():
        return _assess(profile, events, now, settings or Settings())


def _assess(profile: Profile, events: list[Event] | tuple[Event, ...], now: datetime, settings: Settings) -> Assessment:
    biz = profile.business
    capacity = biz.cash_on_hand + biz.monthly_revenue * biz.gross_margin
    index = _Index(profile)
    # Stressed runway: events with p >= 0.5 in effect or due within the horizon (README).
    acc = _Accumulators(len(profile.channels), settings.model.horizon_months * 30.0)
    assessed, expired = _Assessor(profile, settings.model, capacity, now, index, acc).run(events)
    _rank(assessed)

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


def _rank(assessed: list[EventAssessment]) -> None:
    """Highest score first, then the larger expected loss, the sooner, and by id; ties keep their order.

    That is a sort by (-score, -expected_loss, days_until, id), done as stable sorts by one key
    each, least significant first, whose keys are read in C (attrgetter) rather than by a Python
    function called once per event. The id only decides between events due at the same instant;
    when there are none (the usual case) that sort, by strings, is skipped.
    """
    days_until = attrgetter("days_until")
    if len(set(map(days_until, assessed))) < len(assessed):
        assessed.sort(key=attrgetter("event.id"))
    assessed.sort(key=days_until)
    assessed.sort(key=attrgetter("expected_loss"), reverse=True)  # reverse=True keeps ties' order
    assessed.sort(key=attrgetter("score"), reverse=True)
