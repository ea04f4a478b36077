"""The risk model, version 2: exposure + events + now -> Assessment.

`assess()` is pure: no I/O, no clock, no globals. Every shell (the dashboard, `check`, the daemon,
reports, what-if) calls it and only presents what it returns. The formulas are DESIGN.md's "The
risk model, version 2" and the README's "How the numbers are computed"; they stay in step.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Protocol

from riskmon.core import distribution as dist
from riskmon.core.dates import DATE_MAX, DATE_MIN
from riskmon.core.forecast import CashBook, CashPair, ChannelCash, OneOff, balances, lowest, runway, week_of
from riskmon.core.forecast import weeks_with_midpoint_in as weeks_in
from riskmon.core.impact import KindImpact, resolve_impact
from riskmon.core.levels import Level
from riskmon.core.model import Channel, Event, Profile
from riskmon.core.outcomes import SetEvaluator, compile_sets
from riskmon.core.reach import ChannelIndex, Reach
from riskmon.core.results import (
    Assessment,
    ChannelExposure,
    ChannelHit,
    Concentration,
    EventAssessment,
    Forecast,
    RuleResult,
)
from riskmon.core.settings import EngineSettings, ModelSettings, Thresholds

__all__ = [
    "Assessment",
    "ChannelExposure",
    "ChannelHit",
    "Concentration",
    "EventAssessment",
    "Forecast",
    "RuleResult",
    "assess",
]
from riskmon.core.rules import cash_rule, concentration, concentration_rule, score_rule, shock_rule
from riskmon.core.timing import Standing, Window, status_at, urgency, window
from riskmon.core.union import ChannelBook, Pair, channel_losses, total_loss

WEEKS_PER_MONTH = 52.0 / 12.0
# Beyond this many uncertain events reaching one channel or week, remembered tables rarely hit
# and the Monte Carlo draws are evaluated all at once with numpy instead.
REMEMBERED_BITS_MAX = 16
OFF_PLATFORM_WAREHOUSES = ("own", "third_party")


class SettingsLike(Protocol):
    @property
    def thresholds(self) -> Thresholds: ...

    @property
    def model(self) -> ModelSettings: ...


def score_of(money: float, capacity: float) -> float:
    """100 x (1 - exp(-money / capacity)): smooth, never saturating before the money is large
    against what the business can absorb; 100 with no capacity and money at stake."""
    if money <= 0.0:
        return 0.0
    if capacity <= 0.0:
        return 100.0
    return 100.0 * -math.expm1(-money / capacity)


@dataclass(frozen=True, slots=True)
class _Seller:
    """The business's numbers every event reads."""

    profile: Profile
    model: ModelSettings
    m: float
    g: float
    capacity: float
    horizon_days: float

    @classmethod
    def of(cls, profile: Profile, model: ModelSettings) -> _Seller:
        biz = profile.business
        capacity = biz.cash_on_hand + biz.monthly_revenue * biz.gross_margin
        return cls(profile, model, biz.monthly_revenue, biz.gross_margin, capacity, 30.0 * model.horizon_months)

    def margin(self, c: Channel) -> float:
        return self.g if c.contribution_margin is None else c.contribution_margin

    def weekly_revenue(self, c: Channel) -> float:
        return self.m * c.order_share / WEEKS_PER_MONTH


@dataclass(slots=True)
class _Terms:
    """An event's money, summed over the channels it reaches (before probability)."""

    revenue_lost: float = 0.0
    profit: float = 0.0
    fee: float = 0.0
    duty: float = 0.0
    stock: float = 0.0
    deposit: float = 0.0
    frozen: float = 0.0
    payouts_frozen: float = 0.0
    hold: float = 0.0
    hit_share: float = 0.0
    removes_orders: bool = False

    @property
    def loss(self) -> float:
        return self.profit + max(0.0, self.fee) + max(0.0, self.duty) + self.stock + self.deposit

    @property
    def has_effect(self) -> bool:
        moves = self.loss or self.fee or self.duty or self.frozen
        return bool(moves) or self.removes_orders


class _Assessor:
    """Assesses each event and records what it does to each channel for the union and the
    forecast, then puts the business together."""

    def __init__(self, profile: Profile, settings: SettingsLike, now: datetime) -> None:
        self.now = now
        self.settings = settings
        self.seller = _Seller.of(profile, settings.model)
        self.index = ChannelIndex(profile.channels)
        self.books = [
            ChannelBook(i, self._contribution_per_day(c), self.seller.m * c.order_share / 30.0, c.recapture)
            for i, c in enumerate(profile.channels)
        ]
        self.cash = [
            ChannelCash(self.seller.weekly_revenue(c), self.seller.margin(c), c.recapture) for c in profile.channels
        ]
        self.facts = [self._facts(c) for c in profile.channels]
        self.one_offs: list[OneOff] = []
        self.assessed: list[EventAssessment] = []
        self.effects: list[bool] = []
        self.expired: list[Event] = []

    def _facts(self, c: Channel) -> tuple[Channel, float, float, float, float, float]:
        """A channel's numbers every event reads: (channel, its monthly revenue M s, cm, r, its
        daily revenue, the stock an event stranding everything writes down)."""
        s = self.seller
        keep = s.model.off_platform_stranded if c.warehouse in OFF_PLATFORM_WAREHOUSES else 1.0
        written_down = c.inventory_value * keep * (1.0 - s.model.recovery_rate)
        return c, s.m * c.order_share, s.margin(c), c.recapture, s.weekly_revenue(c) / 7.0, written_down

    def _contribution_per_day(self, c: Channel) -> float:
        return self.seller.m * c.order_share * (1.0 - c.recapture) * self.seller.margin(c) / 30.0

    # -- one event ---------------------------------------------------------------------------

    def add(self, event: Event) -> None:
        standing = status_at(event, self.now)
        if standing is None:
            return  # not public yet at `now`: not shown, not counted
        w = window(event, self.now, self.seller.horizon_days)
        if w is None:
            self.expired.append(event)
            return
        impact = resolve_impact(event)
        reach = self.index.reach(event, impact)
        position = len(self.assessed)
        terms, hits = self._terms(position, w, impact, reach)
        self._one_offs(position, w, impact, terms)
        self.assessed.append(self._assessment(event, standing, w, impact, terms, hits))
        self.effects.append(terms.has_effect)

    def _terms(
        self, position: int, w: Window, impact: KindImpact, reach: Sequence[Reach]
    ) -> tuple[_Terms, list[ChannelHit]]:
        """The event's money on each channel it reaches, summed, and what the union and the
        forecast need of it (kept per channel). The formulas are the README's table."""
        s = self.seller
        t = _Terms()
        hits = []
        months = w.length / 30.0
        weeks = s.model.forecast_weeks
        damage_weeks = weeks_in(w.start, w.end, weeks)
        rate, cash_rate = impact.cost_rate(s.g), impact.cash_rate(s.g)
        fee_weeks = weeks_in(w.start, math.inf if w.ends_day is None else w.ends_day, weeks) if cash_rate else range(0)
        fee_delta, duty_delta = impact.fee_delta, impact.duty_delta * (1.0 - s.g)
        stranded, deposit_lost = impact.inventory_stranded, impact.deposit_lost
        payouts_frozen, hold_days = impact.payouts_frozen, impact.extra_hold_days
        for r in reach:
            c, revenue, cm, rc, daily, stock_kept = self.facts[r.index]
            f = r.fraction
            lost = revenue * f
            profit = lost * (1.0 - rc) * cm * months
            fee = duty = stock = deposit = frozen = 0.0
            if r.direct:
                still_sold = revenue * (1.0 - (1.0 - rc) * f) * months
                fee = fee_delta * still_sold
                duty = duty_delta * still_sold
                stock = stranded * stock_kept
                deposit = c.deposit * deposit_lost
                payouts = c.pending_payouts * payouts_frozen
                frozen = payouts + daily * hold_days
                t.payouts_frozen += payouts
                t.hold += daily * hold_days
                t.hit_share += c.order_share
            t.revenue_lost += lost
            t.profit += profit
            t.fee += fee
            t.duty += duty
            t.stock += stock
            t.deposit += deposit
            t.frozen += frozen
            if f > 0.0 and rc < 1.0:
                t.removes_orders = True
            loss = profit + (fee if fee > 0.0 else 0.0) + (duty if duty > 0.0 else 0.0) + stock + deposit
            hits.append(ChannelHit(c, r.direct, r.cut, f, c.order_share * f, loss, frozen))
            direct_rate, direct_cash = (rate, cash_rate) if r.direct else (0.0, 0.0)
            self.books[r.index].pairs.append(Pair(position, w.start, w.end, f, r.direct, stock, deposit, direct_rate))
            cash_weeks = fee_weeks if r.direct else range(0)
            self.cash[r.index].pairs.append(CashPair(position, damage_weeks, f, cash_weeks, direct_cash))
        hits.sort(key=lambda h: -h.lost_share)
        return t, hits

    def _one_offs(self, position: int, w: Window, impact: KindImpact, t: _Terms) -> None:
        """Cash an event moves once: only for events not yet in effect (the payouts of one in
        effect are already in the pending figures)."""
        if w.days_until < 0:
            return
        weeks = self.seller.model.forecast_weeks
        moves = [
            (w.days_until, -(t.payouts_frozen + t.hold)),
            (w.days_until + impact.freeze_days, t.payouts_frozen),
        ]
        if w.ends_day is not None:
            moves.append((w.ends_day, t.hold))
        for day, amount in moves:
            k = week_of(day, weeks)
            if amount and k is not None:
                self.one_offs.append(OneOff(position, k, amount))

    def _assessment(
        self, event: Event, standing: Standing, w: Window, impact: KindImpact, t: _Terms, hits: list[ChannelHit]
    ) -> EventAssessment:
        p = standing.probability
        u = urgency(w.days_until)
        expected = p * t.loss
        return EventAssessment(
            event=event,
            status=standing.status,
            probability=p,
            timeline_entry=standing.entry,
            effective=w.effective,
            ends=w.ends,
            start=self.now + timedelta(days=w.start),
            h_days=w.length,
            days_until=w.days_until,
            urgency=u,
            impact=impact,
            revenue_lost_monthly=t.revenue_lost,
            shock=t.revenue_lost / self.seller.m if self.seller.m > 0 else 0.0,
            profit_at_risk=t.profit,
            fee_cost=t.fee,
            duty_cost=t.duty,
            inventory_loss=t.stock,
            deposit_loss=t.deposit,
            loss=t.loss,
            expected_loss=expected,
            cash_frozen=t.frozen,
            score=score_of(expected * u, self.seller.capacity),
            hit_share=t.hit_share,
            channels=tuple(hits),
        )

    # -- the business ----------------------------------------------------------------------------

    def cash_book(self) -> CashBook:
        s = self.seller
        biz = s.profile.business
        weeks = s.model.forecast_weeks
        uncovered = max(0.0, 1.0 - sum(c.order_share for c in s.profile.channels))
        steady = [s.m * uncovered / WEEKS_PER_MONTH * s.g - biz.monthly_fixed_costs / WEEKS_PER_MONTH] * weeks
        for commitment in biz.commitments:
            k = week_of((commitment.date - self.now).total_seconds() / 86400.0, weeks)
            if k is not None:
                steady[k] -= commitment.amount
        return CashBook(weeks, biz.cash_on_hand, tuple(steady), tuple(self.cash), tuple(self.one_offs))

    def seed_text(self) -> str:
        counted = [(e.id, e.event.kind, e.probability, e.start.isoformat(), e.h_days) for e in self.assessed]
        return repr((self.now.isoformat(), self.seller.profile, self.settings.model, counted))


def assess(
    profile: Profile, events: Sequence[Event], now: datetime, settings: SettingsLike | None = None
) -> Assessment:
    """Assess `profile` against `events` as of `now` (an aware datetime)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not DATE_MIN <= now <= DATE_MAX:
        raise ValueError(f"now is outside the supported dates (years {DATE_MIN.year} to {DATE_MAX.year})")
    settings = settings or EngineSettings()
    run = _Assessor(profile, settings, now)
    for event in events:
        run.add(event)
    events_out = run.assessed
    p = [e.probability for e in events_out]
    q = [e.probability * e.urgency for e in events_out]
    expected_by_channel = [loss.total for loss in channel_losses(run.books, p)]
    expected = sum(expected_by_channel)
    score = score_of(total_loss(run.books, q), run.seller.capacity)

    book = run.cash_book()
    forecast = _forecast(book, events_out, now)
    cash_low, cash_low_week = lowest(forecast.likely)
    weeks_left = runway(forecast.likely, book.cash_on_hand)
    spread = _distribution(run, book, settings.model.draws)

    conc = concentration(profile)
    t = settings.thresholds
    rules = (
        score_rule(score, t),
        cash_rule(weeks_left, spread.shortfall_probability, t),
        shock_rule(events_out, t),
        concentration_rule(conc, t),
    )
    _rank(events_out)
    return Assessment(
        now=now,
        profile=profile,
        settings=settings,  # type: ignore[arg-type]
        level=max((r.level for r in rules), default=Level.OK),
        score=score,
        rules=rules,
        capacity=run.seller.capacity,
        concentration=conc,
        events=tuple(events_out),
        expired=tuple(run.expired),
        channels=_exposures(profile, expected_by_channel, conc),
        expected_loss=expected,
        loss_p50=spread.loss_p50,
        loss_p95=spread.loss_p95,
        distribution=spread.method,
        forecast=forecast,
        cash_low=cash_low,
        cash_low_week=cash_low_week,
        cash_shortfall_probability=spread.shortfall_probability,
        runway_weeks=weeks_left,
    )


def _forecast(book: CashBook, events: Sequence[EventAssessment], now: datetime) -> Forecast:
    likely = [e.probability >= 0.5 for e in events]
    stress = [e.probability > 0.0 for e in events]
    return Forecast(
        week_starts=tuple(now + timedelta(days=7 * k) for k in range(book.weeks)),
        baseline=tuple(balances(book, [False] * len(events))),
        likely=tuple(balances(book, likely)),
        stress=tuple(balances(book, stress)),
    )


def _distribution(run: _Assessor, book: CashBook, draws: int) -> dist.Distribution:
    """P50, P95 and the shortfall probability over the sets of events that may happen."""
    events = run.assessed
    fixed = [i for i, e in enumerate(events) if e.probability >= 1.0]
    uncertain = [i for i, e in enumerate(events) if 0.0 < e.probability < 1.0 and run.effects[i]]
    probabilities = [events[i].probability for i in uncertain]
    if len(uncertain) > dist.EXACT_MAX_UNCERTAIN and _widest(run, set(uncertain)) > REMEMBERED_BITS_MAX:
        from riskmon.core.sampling import sample

        losses, short = sample(run.books, book, fixed, uncertain, probabilities, draws, dist.seed_of(run.seed_text()))
        return dist.summarise(dist.equal_weights(losses, short), "monte_carlo")
    evaluate = SetEvaluator(compile_sets(run.books, book, fixed, uncertain))
    found, method = dist.outcomes(probabilities, evaluate, draws, run.seed_text())
    return dist.summarise(found, method)


def _widest(run: _Assessor, uncertain: set[int]) -> int:
    """The most uncertain events reaching one channel, or active in one week of the forecast: how
    many bits a remembered table would be indexed by (an upper bound, counted without building
    the tables)."""
    per_channel = max((sum(pr.event in uncertain for pr in book.pairs) for book in run.books), default=0)
    per_week: dict[int, set[int]] = {}
    for ch in run.cash:
        for pr in ch.pairs:
            if pr.event in uncertain:
                for k in (*pr.weeks, *pr.fee_weeks):
                    per_week.setdefault(k, set()).add(pr.event)
    return max(per_channel, max((len(v) for v in per_week.values()), default=0))


def _exposures(profile: Profile, expected: list[float], conc: Concentration) -> tuple[ChannelExposure, ...]:
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


def _rank(assessed: list[EventAssessment]) -> None:
    """Highest score first, then the larger expected loss, the sooner, and by id."""
    assessed.sort(key=attrgetter("event.id"))
    assessed.sort(key=attrgetter("days_until"))
    assessed.sort(key=attrgetter("expected_loss"), reverse=True)
    assessed.sort(key=attrgetter("score"), reverse=True)
