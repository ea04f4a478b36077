"""The risk model, version 2: exposure + events + now -> Assessment.

`assess()` is pure: no I/O, no clock, no globals. Every shell (the dashboard, `check`, the daemon,
reports, what-if) calls it and only presents what it returns. The formulas are DESIGN.md's "The
risk model, version 2" and the README's "How the numbers are computed"; they stay in step.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from operator import attrgetter

from riskmon.core import distribution as dist
from riskmon.core.dates import DATE_MAX, DATE_MIN
from riskmon.core.forecast import CashBook, ChannelCash, OneOff, lowest, runway, week_of
from riskmon.core.hints import TYPE_CHECKING
from riskmon.core.impact import KindImpact, resolve_impact
from riskmon.core.levels import Level
from riskmon.core.model import Event, Profile
from riskmon.core.pairs import PairTable
from riskmon.core.reach import ChannelIndex
from riskmon.core.results import (
    Assessment,
    ChannelExposure,
    ChannelHit,
    Concentration,
    EventAssessment,
    Forecast,
    Hits,
    RuleResult,
)
from riskmon.core.rules import cash_rule, concentration, concentration_rule, score_rule, shock_rule
from riskmon.core.settings import EngineSettings, ModelSettings, Thresholds
from riskmon.core.terms import WEEKS_PER_MONTH, Seller, Terms, event_terms
from riskmon.core.timing import Standing, Window, status_at, urgency, window
from riskmon.core.together import EVENTS_ARRAYS_MIN_CELLS, together
from riskmon.core.union import ChannelBook

if TYPE_CHECKING:
    from typing import Protocol

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


if TYPE_CHECKING:  # annotations only (riskmon.core.hints)

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


class _Assessor:
    """Assesses each event and records what it does to each channel for the union and the
    forecast, then puts the business together."""

    def __init__(self, profile: Profile, settings: SettingsLike, now: datetime) -> None:
        self.now = now
        self.settings = settings
        self.seller = Seller.of(profile, settings.model)
        self.index = ChannelIndex(profile.channels)
        self.facts = [self.seller.facts(c) for c in profile.channels]
        self.table = PairTable()
        self.one_offs: list[OneOff] = []
        self.assessed: list[EventAssessment] = []
        self.effects: list[bool] = []
        self.expired: list[Event] = []

    def books(self) -> tuple[list[ChannelBook], list[ChannelCash]]:
        """Each channel's book for the union and its cash for the forecast, from the pair table."""
        m = self.seller.m
        books = [
            ChannelBook(
                i, x.revenue * (1.0 - x.recapture) * x.margin / 30.0, m * x.channel.order_share / 30.0, x.recapture
            )
            for i, x in enumerate(self.facts)
        ]
        cash = self.channel_cash()
        self.table.fill(books, cash)
        return books, cash

    def channel_cash(self) -> list[ChannelCash]:
        """Each channel's weekly revenue, margin and recapture for the forecast (no pairs yet)."""
        s = self.seller
        return [ChannelCash(s.weekly_revenue(c), s.margin(c), c.recapture) for c in s.profile.channels]

    def draws(self) -> int:
        return self.seller.model.draws

    # -- one event ---------------------------------------------------------------------------

    def add(self, event: Event) -> None:
        found = self.counts(event)
        if found is None:
            return
        standing, w, impact = found
        reach = self.index.reach(event, impact)
        terms, hits = event_terms(self.seller, self.facts, self.table, w, impact, reach)
        self.record(event, standing, w, impact, terms, hits)

    def counts(self, event: Event) -> tuple[Standing, Window, KindImpact] | None:
        """The event's standing, window and impact when it counts at `now`; an expired event is
        kept as history."""
        standing = status_at(event, self.now)
        if standing is None:
            return None  # not public yet at `now`: not shown, not counted
        w = window(event, self.now, self.seller.horizon_days)
        if w is None:
            self.expired.append(event)
            return None
        return standing, w, resolve_impact(event)

    def record(self, event: Event, standing: Standing, w: Window, impact: KindImpact, terms: Terms, hits: Hits) -> None:
        """The event assessed, once its pairs are in the table under the next position."""
        self._one_offs(len(self.assessed), w, impact, terms)
        self.assessed.append(self._assessment(event, standing, w, impact, terms, hits))
        self.effects.append(terms.has_effect)

    def _one_offs(self, position: int, w: Window, impact: KindImpact, t: Terms) -> None:
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
        self, event: Event, standing: Standing, w: Window, impact: KindImpact, t: Terms, hits: Hits
    ) -> EventAssessment:
        p = standing.probability
        u = urgency(w.days_until)
        loss = t.loss  # a property: worked out once
        expected = p * loss
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
            loss=loss,
            expected_loss=expected,
            cash_frozen=t.frozen,
            score=score_of(expected * u, self.seller.capacity),
            hit_share=t.hit_share,
            channels=hits,
        )

    # -- the business ----------------------------------------------------------------------------

    def cash_book(self, cash: Sequence[ChannelCash]) -> CashBook:
        s = self.seller
        biz = s.profile.business
        weeks = s.model.forecast_weeks
        uncovered = max(0.0, 1.0 - sum(c.order_share for c in s.profile.channels))
        steady = [s.m * uncovered / WEEKS_PER_MONTH * s.g - biz.monthly_fixed_costs / WEEKS_PER_MONTH] * weeks
        for commitment in biz.commitments:
            k = week_of((commitment.date - self.now).total_seconds() / 86400.0, weeks)
            if k is not None:
                steady[k] -= commitment.amount
        return CashBook(weeks, biz.cash_on_hand, tuple(steady), tuple(cash), tuple(self.one_offs))

    def seed_text(self) -> str:
        counted = [(e.id, e.event.kind, e.probability, e.start.isoformat(), e.h_days) for e in self.assessed]
        return repr((self.now.isoformat(), self.seller.profile, self.settings.model, counted))


def assess(
    profile: Profile, events: Sequence[Event], now: datetime, settings: SettingsLike | None = None
) -> Assessment:
    """Assess `profile` against `events` as of `now` (an aware datetime)."""
    _check_now(now)
    settings = settings or EngineSettings()
    run = _Assessor(profile, settings, now)
    _add_events(run, events)
    events_out = run.assessed
    both = together(run)
    expected_by_channel = both.expected_by_channel
    expected = sum(expected_by_channel)
    score = score_of(both.weighted, run.seller.capacity)
    forecast = Forecast(
        week_starts=tuple(now + timedelta(days=7 * k) for k in range(both.book.weeks)),
        baseline=tuple(both.baseline),
        likely=tuple(both.likely),
        stress=tuple(both.stress),
    )
    cash_low, cash_low_week = lowest(forecast.likely)
    weeks_left = runway(forecast.likely, both.book.cash_on_hand)
    spread = both.spread

    conc = concentration(profile)
    rules = _rules(score, weeks_left, spread, events_out, conc, settings.thresholds)
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


def _add_events(run: _Assessor, events: Sequence[Event]) -> None:
    """Each event one by one; for a large profile all at once, by numpy arrays (the same figures,
    tests/test_engine_events_arrays.py), numpy being imported only then."""
    if len(events) > dist.EXACT_MAX_UNCERTAIN and len(events) * len(run.facts) >= EVENTS_ARRAYS_MIN_CELLS:
        from riskmon.core.events_arrays import add_events

        add_events(run, events)
    else:
        for event in events:
            run.add(event)


def _check_now(now: datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not DATE_MIN <= now <= DATE_MAX:
        raise ValueError(f"now is outside the supported dates (years {DATE_MIN.year} to {DATE_MAX.year})")


def _rules(
    score: float,
    weeks_left: float | None,
    spread: dist.Distribution,
    events: Sequence[EventAssessment],
    conc: Concentration,
    t: Thresholds,
) -> tuple[RuleResult, ...]:
    """The four rules, in the order the Assessment lists them: score, cash, shock, concentration."""
    return (
        score_rule(score, t),
        cash_rule(weeks_left, spread.shortfall_probability, t),
        shock_rule(events, t),
        concentration_rule(conc, t),
    )


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
