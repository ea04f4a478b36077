"""The large-profile path (numpy arrays, core/arrays.py and core/sampling.py) against the readable
per-channel path (core/union.py, core/forecast.py) on random profiles small enough for both.

The closed-form union, the three forecast scenarios and, draw by draw, the Monte Carlo's loss and
lowest cash must agree within float tolerance: the arrays compute the same formulas in another
order (sums of logarithms for products), nothing else.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from riskmon.core.arrays import PairArrays, scenario_balances
from riskmon.core.engine import _Assessor, assess
from riskmon.core.forecast import balances
from riskmon.core.model import Business, Channel, Event, Impact, Profile, TrafficLink
from riskmon.core.sampling import Draws, cash_lows, losses
from riskmon.core.settings import EngineSettings
from riskmon.core.union import channel_loss

NOW = datetime(2026, 11, 21, tzinfo=UTC)
PLATFORMS = ["tiktok", "amazon", "etsy", "temu"]
KINDS = ["ban", "shop_closure", "link_cutoff", "account_suspension", "fee_change", "payout_hold", "duty_change"]
STATUSES = ["rumored", "announced", "confirmed", "in_effect", "paused", "resolved"]


def random_profile(seed: int, channels: int, events: int) -> tuple[Profile, list[Event]]:
    """A profile shaped like benchmarks/assess_scale.py's, with fractions, fees and recapture."""
    rnd = random.Random(seed)
    chans = tuple(
        Channel(
            f"c{i}",
            rnd.choice([*PLATFORMS, "shopify"]),
            0.9 / channels,
            regions=(rnd.choice(["US", "GB"]),) if rnd.random() < 0.7 else ("*",),
            inventory_value=rnd.choice([0.0, rnd.uniform(0, 50_000)]),
            pending_payouts=rnd.uniform(0, 10_000),
            deposit=rnd.choice([0.0, rnd.uniform(0, 2_000)]),
            traffic=(TrafficLink(rnd.choice(PLATFORMS), rnd.uniform(0.05, 0.6)),) if rnd.random() < 0.4 else (),
            warehouse=rnd.choice(["own", "platform", "none"]),
            recapture=rnd.choice([0.0, 0.0, rnd.uniform(0, 1)]),
            supply_route=rnd.choice(["parcel", "local"]),
        )
        for i in range(channels)
    )
    out = []
    for i in range(events):
        effective = NOW + timedelta(days=rnd.uniform(-60, 120))
        kind = rnd.choice(KINDS)
        impact = Impact(
            orders_lost=rnd.choice([None, rnd.uniform(0, 1)]),
            fee_delta=rnd.choice([None, rnd.uniform(-0.05, 0.1)]),
            duty_delta=0.3 if kind == "duty_change" else None,
        )
        out.append(
            Event(
                f"e{i}",
                f"event {i}",
                kind,
                tuple(rnd.sample(PLATFORMS, rnd.randint(1, 2))),
                effective,
                rnd.choice(STATUSES),
                regions=(rnd.choice(["US", "GB", "*"]),),
                ends=effective + timedelta(days=rnd.uniform(5, 120)) if rnd.random() < 0.4 else None,
                impact=impact,
            )
        )
    business = Business("B", 2e5, 0.35, monthly_fixed_costs=6e4, cash_on_hand=rnd.uniform(0, 2e5))
    return Profile(business, chans), out


def assessed(seed: int, channels: int, events: int) -> _Assessor:
    profile, evs = random_profile(seed, channels, events)
    run = _Assessor(profile, EngineSettings(), NOW)
    for e in evs:
        run.add(e)
    return run


def arrays_of(run: _Assessor) -> PairArrays:
    x = run.facts
    contribution = [f.revenue * (1.0 - f.recapture) * f.margin / 30.0 for f in x]
    return PairArrays(run.table, contribution, [f.revenue / 30.0 for f in x], [f.recapture for f in x])


sizes = given(st.integers(0, 10**6), st.integers(1, 8), st.integers(1, 30))


@settings(max_examples=80, deadline=None)
@sizes
def test_the_union_in_arrays_equals_the_per_channel_union(seed: int, channels: int, events: int) -> None:
    run = assessed(seed, channels, events)
    books, _ = run.books()
    p = [e.probability for e in run.assessed]
    q = [e.probability * e.urgency for e in run.assessed]
    for weights in (p, q, [1.0] * len(p)):
        plain = [channel_loss(b, weights).total for b in books]
        assert arrays_of(run).channel_losses(weights).tolist() == pytest.approx(plain, rel=1e-9, abs=1e-6)


@settings(max_examples=80, deadline=None)
@sizes
def test_the_forecast_in_arrays_equals_the_per_channel_forecast(seed: int, channels: int, events: int) -> None:
    run = assessed(seed, channels, events)
    _, cash = run.books()
    book = run.cash_book(cash)
    p = [e.probability for e in run.assessed]
    scenarios = [[False] * len(p), [x >= 0.5 for x in p], [x > 0.0 for x in p]]
    for got, happens in zip(scenario_balances(book, run.table, scenarios), scenarios, strict=True):
        assert got == pytest.approx(balances(book, happens), rel=1e-9, abs=1e-6)


@settings(max_examples=60, deadline=None)
@sizes
@example(981, 1, 13)  # an event removing every order over no day of the horizon: no cells at all
def test_each_monte_carlo_draw_equals_the_plain_loss_and_cash(seed: int, channels: int, events: int) -> None:
    run = assessed(seed, channels, events)
    books, cash = run.books()
    book = run.cash_book(cash)
    p = [e.probability for e in run.assessed]
    fixed = [i for i, x in enumerate(p) if x >= 1.0]
    uncertain = [i for i, x in enumerate(p) if 0.0 < x < 1.0 and run.effects[i]]
    happens = np.random.default_rng(seed).random((len(uncertain), 37)) < 0.5
    d = Draws(len(p), fixed, uncertain, happens)
    got_loss, got_low = losses(arrays_of(run), d), cash_lows(run.table, book, d)
    for k in range(happens.shape[1]):
        weights = [0.0] * len(p)
        for i in fixed:
            weights[i] = 1.0
        for row, i in enumerate(uncertain):
            weights[i] = float(happens[row, k])
        plain = sum(channel_loss(b, weights).total for b in books)
        assert got_loss[k] == pytest.approx(plain, rel=1e-9, abs=1e-6)
        assert got_low[k] == pytest.approx(min(balances(book, [w > 0.0 for w in weights])), rel=1e-9, abs=1e-6)


def test_a_large_profile_takes_the_arrays_path_and_agrees_with_the_plain_one(monkeypatch: pytest.MonkeyPatch) -> None:
    import riskmon.core.together as together

    profile, evs = random_profile(7, 40, 120)
    large = assess(profile, evs, NOW)
    monkeypatch.setattr(together, "ARRAYS_MIN_PAIRS", 10**9)
    plain = assess(profile, evs, NOW)
    assert large.distribution == "monte_carlo"
    assert large.expected_loss == pytest.approx(plain.expected_loss, rel=1e-9)
    assert large.score == pytest.approx(plain.score, rel=1e-9)
    for a, b in ((large.forecast.likely, plain.forecast.likely), (large.forecast.stress, plain.forecast.stress)):
        assert a == pytest.approx(b, rel=1e-9)
    assert [c.expected_loss for c in large.channels] == pytest.approx(
        [c.expected_loss for c in plain.channels], rel=1e-9
    )
