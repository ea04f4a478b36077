"""Every event's reach and terms for a large profile, worked out for all events at once
(core/events_arrays.py, core/reach_arrays.py), against the readable loop (core/reach.py,
core/terms.py) on random profiles: every figure must be the SAME float, not merely close —
each pair's terms are the same operations in the same order, and each event's sums add its
pairs in reach order — so the assessment is the one the loop gives, bit for bit.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskmon.core.engine as engine
import riskmon.core.together as together
from riskmon.core.engine import _Assessor, assess
from riskmon.core.events_arrays import add_events
from riskmon.core.model import (
    EVENT_KINDS,
    STATUSES,
    SUPPLY_ROUTES,
    WAREHOUSES,
    Business,
    Channel,
    Event,
    Impact,
    Profile,
    TimelineEntry,
    TrafficLink,
)
from riskmon.core.settings import EngineSettings

NOW = datetime(2026, 11, 21, tzinfo=UTC)
PLATFORMS = ["tiktok", "amazon", "etsy", "temu", "shopify"]
REGIONS = ["US", "GB", "ID", "*"]
FEATURES = ["external_link", "live", "video"]


def some(rnd: random.Random, pool: list[str], most: int) -> tuple[str, ...]:
    return tuple(rnd.sample(pool, rnd.randint(1, most)))


def channel(rnd: random.Random, i: int, n: int) -> Channel:
    links = tuple(
        TrafficLink(rnd.choice([*PLATFORMS, "*"]), rnd.uniform(0.05, 0.6), rnd.choice(FEATURES))
        for _ in range(rnd.choice([0, 0, 1, 2, 3]))
    )
    return Channel(
        f"c{i}",
        rnd.choice(PLATFORMS),
        0.9 / n,
        regions=some(rnd, REGIONS, 2),
        inventory_value=rnd.choice([0.0, rnd.uniform(0, 50_000)]),
        pending_payouts=rnd.uniform(0, 10_000),
        deposit=rnd.choice([0.0, rnd.uniform(0, 2_000)]),
        traffic=links,
        warehouse=rnd.choice(WAREHOUSES),
        recapture=rnd.choice([0.0, 1.0, rnd.uniform(0, 1)]),
        contribution_margin=rnd.choice([None, rnd.uniform(0.05, 0.5)]),
        supply_route=rnd.choice(SUPPLY_ROUTES),
    )


def impact(rnd: random.Random, kind: str) -> Impact:
    maybe = rnd.random() < 0.5
    return Impact(
        orders_lost=rnd.choice([None, rnd.uniform(0, 1)]) if maybe else None,
        traffic_lost=rnd.choice([None, 0.0, rnd.uniform(0, 1)]) if maybe else None,
        traffic_features=rnd.choice([None, some(rnd, [*FEATURES, "*"], 2)]) if maybe else None,
        fee_delta=rnd.choice([None, rnd.uniform(-0.05, 0.1)]),
        duty_delta=rnd.choice([0.3, -0.1]) if kind == "duty_change" else None,
        extra_hold_days=rnd.choice([None, rnd.uniform(0, 30)]),
    )


def event(rnd: random.Random, i: int) -> Event:
    effective = NOW + timedelta(days=rnd.uniform(-200, 300))
    kind = rnd.choice(EVENT_KINDS)
    public = effective - timedelta(days=rnd.uniform(-30, 60))
    timeline = (TimelineEntry(public, "rumored"),) if rnd.random() < 0.1 else ()
    return Event(
        f"e{i}",
        f"event {i}",
        kind,
        ("*",) if rnd.random() < 0.1 else some(rnd, [*PLATFORMS, "walmart"], 2),
        effective,
        rnd.choice(STATUSES),
        regions=some(rnd, [*REGIONS, "DE"], 3),
        ends=effective + timedelta(days=rnd.uniform(5, 120)) if rnd.random() < 0.3 else None,
        recurs="FREQ=YEARLY" if rnd.random() < 0.05 else "",
        impact=impact(rnd, kind),
        timeline=timeline,
        warehouses=some(rnd, list(WAREHOUSES), 2) if rnd.random() < 0.2 else None,
        routes=some(rnd, list(SUPPLY_ROUTES), 2) if rnd.random() < 0.3 else None,
    )


def random_profile(seed: int, channels: int, events: int) -> tuple[Profile, list[Event]]:
    rnd = random.Random(seed)
    chans = tuple(channel(rnd, i, channels) for i in range(channels))
    business = Business("B", 2e5, 0.35, monthly_fixed_costs=6e4, cash_on_hand=rnd.uniform(0, 2e5))
    return Profile(business, chans), [event(rnd, i) for i in range(events)]


def both(seed: int, channels: int, events: int) -> tuple[_Assessor, _Assessor]:
    profile, evs = random_profile(seed, channels, events)
    loop, arrays = _Assessor(profile, EngineSettings(), NOW), _Assessor(profile, EngineSettings(), NOW)
    for e in evs:
        loop.add(e)
    add_events(arrays, evs)
    return loop, arrays


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 12), st.integers(0, 40))
def test_all_events_at_once_give_the_loops_figures_exactly(seed: int, channels: int, events: int) -> None:
    loop, arrays = both(seed, channels, events)
    assert arrays.expired == loop.expired
    assert arrays.effects == loop.effects
    assert arrays.one_offs == loop.one_offs
    assert arrays.table == loop.table  # every pair's channel, fraction, hit, stock, deposit; the spans
    for got, want in zip(arrays.assessed, loop.assessed, strict=True):
        assert got == want  # every field, the channel hits (made from the arrays on first read) too
        assert [h.why for h in got.channels] == [h.why for h in want.channels]


def test_a_large_profile_takes_the_events_arrays_path_with_the_same_assessment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    profile, evs = random_profile(11, 40, 500)
    assert len(evs) * len(profile.channels) >= together.EVENTS_ARRAYS_MIN_CELLS
    large = assess(profile, evs, NOW)
    monkeypatch.setattr(engine, "EVENTS_ARRAYS_MIN_CELLS", 10**9)
    plain = assess(profile, evs, NOW)
    assert large == plain
    assert large.distribution == "monte_carlo" and len(large.events) > 100
