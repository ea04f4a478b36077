"""The fast engine against a plain reading of the risk model (DESIGN, "The risk model").

riskmon/engine.py groups alike channels, shares work between alike events, builds per-channel hits
only when asked and makes EventAssessments without their generated __init__. Here the same numbers
come from a deliberately naive version, one channel and one event at a time, on random profiles
with every feature the model has (traffic links, impact overrides, recurring events, regions,
duplicate platforms and ids). Exact equality with the previous engine was checked when the fast
one was written (benchmarks/README.md, "Engine"); these tests keep the two readings in step.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmon.core.engine_v1 import (
    ANY,
    DAY,
    EventAssessment,
    _around,
    _rule,
    assess,
    resolve_impact,
    urgency,
)
from riskmon.sources.config.schema import (
    Business,
    Channel,
    Deadline,
    Event,
    Impact,
    ModelSettings,
    Profile,
    Settings,
    TrafficLink,
)

PLATFORMS = ["tiktok", "amazon", "etsy", "shopify", "ebay"]
REGIONS = ["US", "GB", "DE", "ID"]
KINDS = [
    "ban",
    "shop_closure",
    "link_cutoff",
    "account_suspension",
    "fee_change",
    "payout_hold",
    "service_shutdown",
    "season",
]
FEATURES = ["external_link", "live", "ads"]
STATUSES = ["rumored", "announced", "confirmed", "in_effect", "paused", "resolved", "cancelled"]
RULES = [
    "FREQ=YEARLY",
    "FREQ=MONTHLY;INTERVAL=2",
    "FREQ=WEEKLY;COUNT=5",
    "FREQ=YEARLY;BYMONTH=11;BYMONTHDAY=27",
    "FREQ=DAILY;UNTIL=20261201T000000Z",
    "FREQ=MONTHLY;COUNT=3",
]
NOW = datetime(2026, 11, 21, 13, 7, 11, tzinfo=UTC)


def random_case(rnd: random.Random) -> tuple[Profile, list[Event], datetime, Settings]:
    """A small profile and events using every feature of the model, including exact ties."""
    n = rnd.randint(0, 10)
    weights = [rnd.choice([0.0, rnd.random()]) for _ in range(n)]
    total = sum(weights) or 1.0
    scale = rnd.choice([1.0, 0.6])
    channels = []
    for i in range(n):
        links, left = [], 1.0
        for _ in range(rnd.choice([0, 0, 1, 2])):
            s = round(rnd.uniform(0, left), 3)
            left -= s
            links.append(TrafficLink(via=rnd.choice(PLATFORMS), feature=rnd.choice(FEATURES), share=s))
        channels.append(
            Channel(
                id=f"c{i}",
                platform=rnd.choice(PLATFORMS),
                kind=rnd.choice(["marketplace", "own_store"]),
                regions=rnd.choice([["*"], rnd.sample(REGIONS, rnd.randint(1, 3))]),
                order_share=weights[i] / total * scale * 0.999,
                inventory_value=rnd.choice([0.0, rnd.uniform(0, 1e5)]),
                pending_payouts=rnd.uniform(0, 1e4),
                deposit=rnd.choice([0.0, rnd.uniform(0, 3e3)]),
                traffic=links,
            )
        )
    business = Business(
        name="B",
        monthly_revenue=rnd.choice([0.0, rnd.uniform(1e3, 1e6)]),
        gross_margin=rnd.random(),
        monthly_fixed_costs=rnd.uniform(0, 5e5),
        cash_on_hand=rnd.choice([0.0, rnd.uniform(0, 1e6)]),
    )
    now = NOW + timedelta(seconds=rnd.randint(-(10**7), 10**7))
    events = []
    for i in range(rnd.randint(0, 15)):
        effective = now if rnd.random() < 0.1 else now + timedelta(seconds=rnd.randint(-400 * 86400, 400 * 86400))
        overrides: dict[str, Any] = {}
        for name in ("orders_lost", "traffic_lost", "payouts_frozen", "inventory_stranded", "deposit_lost"):
            if rnd.random() < 0.2:
                overrides[name] = rnd.choice([0.0, 1.0, rnd.random()])
        if rnd.random() < 0.2:
            overrides["fee_delta"] = rnd.uniform(-1, 1)
        if rnd.random() < 0.2:
            overrides["extra_hold_days"] = rnd.uniform(0, 60)
        if rnd.random() < 0.2:
            overrides["traffic_features"] = rnd.choice([["*"], ["live"], ["external_link", "ads"]])
        events.append(
            Event(
                id=rnd.choice([f"e{i}", "same"]),
                title="t",
                kind=rnd.choice(KINDS),
                platforms=[rnd.choice(PLATFORMS) for _ in range(rnd.randint(1, 3))],
                regions=rnd.choice([["*"], rnd.sample(REGIONS, rnd.randint(1, 3))]),
                status=rnd.choice(STATUSES),
                probability=rnd.choice([None, None, rnd.random(), 0.5, 1.0]),
                effective=effective,
                ends=effective + timedelta(seconds=rnd.randint(1, 200 * 86400)) if rnd.random() < 0.4 else None,
                recurs=rnd.choice(RULES) if rnd.random() < 0.15 else "",
                impact=Impact(**overrides),
                deadlines=[Deadline(date=effective - timedelta(days=3), what="x")] if rnd.random() < 0.2 else [],
            )
        )
    model = ModelSettings(horizon_months=rnd.choice([3.0, rnd.uniform(0.1, 12)]), recovery_rate=rnd.random())
    return Profile(business=business, channels=channels), events, now, Settings(model=model)


# ---------------------------------------------------------------------------------------------
# The naive reading


def naive_occurrence(event: Event, now: datetime) -> tuple[datetime, datetime | None] | None:
    if not event.recurs:
        return None if event.ends is not None and event.ends <= now else (event.effective, event.ends)
    rule = rrulestr(event.recurs, dtstart=event.effective)
    length = event.ends - event.effective if event.ends else None
    if length is not None:
        start = rule.before(now, inc=True)
        if start is not None and start + length > now:
            return start, start + length
    start = rule.after(now, inc=True)
    if start is None:
        return None
    return start, (start + length if length is not None else None)


def overlap(a: list[str], b: list[str]) -> bool:
    return ANY in a or ANY in b or bool(set(a) & set(b))


def naive(profile: Profile, events: list[Event], now: datetime, s: Settings) -> dict[str, Any]:
    """Every number of the assessment, computed channel by channel and event by event."""
    biz, model = profile.business, s.model
    m, g = biz.monthly_revenue, biz.gross_margin
    capacity = biz.cash_on_hand + m * g
    expected_by_channel = [0.0] * len(profile.channels)
    worst_lost = [0.0] * len(profile.channels)
    out: list[dict[str, Any]] = []
    for e in events:
        occ = naive_occurrence(e, now)
        if occ is None:
            continue
        effective, ends = occ
        horizon = model.horizon_months
        if ends is not None:
            horizon = min(horizon, (ends - effective).total_seconds() / DAY / 30.0)
        imp = resolve_impact(e)
        platforms = set(e.platforms)
        fee = imp.fee_delta * m * horizon
        hold = m * imp.extra_hold_days / 30.0
        inv = imp.inventory_stranded * (1 - model.recovery_rate)
        days_until = (effective - now).total_seconds() / DAY
        counts_for_runway = e.p >= 0.5 and days_until <= model.horizon_months * 30
        hits: dict[str, tuple[bool, tuple[TrafficLink, ...], float, float]] = {}
        sums = dict.fromkeys(("lost", "share", "pending", "inventory", "deposit"), 0.0)
        for i, c in enumerate(profile.channels):
            if not overlap(e.regions, c.regions):
                continue
            direct = c.platform in platforms
            cut = tuple(
                link for link in c.traffic if imp.traffic_lost > 0 and link.via in platforms and imp.cuts(link.feature)
            )
            if not direct and not cut:
                continue
            lost = min(1.0, (imp.orders_lost if direct else 0.0) + sum(x.share for x in cut) * imp.traffic_lost)
            lost *= c.order_share
            loss = m * g * horizon * lost
            if direct:
                loss += (max(0.0, fee) + hold) * c.order_share + c.pending_payouts * imp.payouts_frozen
                loss += c.inventory_value * inv + c.deposit * imp.deposit_lost
                for key, value in (
                    ("share", c.order_share),
                    ("pending", c.pending_payouts),
                    ("inventory", c.inventory_value),
                    ("deposit", c.deposit),
                ):
                    sums[key] += value
            sums["lost"] += lost
            hits[c.id] = (direct, cut, lost, loss)
            expected_by_channel[i] += e.p * loss
            if counts_for_runway:
                worst_lost[i] = max(worst_lost[i], lost)
        profit = m * g * horizon * sums["lost"]
        fee_cost = fee * sums["share"]
        cash = sums["pending"] * imp.payouts_frozen + hold * sums["share"]
        loss = profit + max(0.0, fee_cost) + cash + sums["inventory"] * inv + sums["deposit"] * imp.deposit_lost
        u = urgency(days_until)
        exp = e.p * loss
        score = 100 * min(1.0, exp * u / capacity) if capacity > 0 else (100.0 if exp * u > 0 else 0.0)
        out.append(
            {
                "event": e,
                "effective": effective,
                "ends": ends,
                "probability": e.p,
                "days_until": days_until,
                "urgency": u,
                "horizon_months": horizon,
                "impact": imp,
                "revenue_lost_monthly": m * sums["lost"],
                "profit_at_risk": profit,
                "fee_cost": fee_cost,
                "cash_frozen": cash,
                "inventory_loss": sums["inventory"] * inv,
                "deposit_loss": sums["deposit"] * imp.deposit_lost,
                "loss": loss,
                "expected_loss": exp,
                "score": score,
                "shock": sums["lost"] if m > 0 else 0.0,
                "hit_share": sums["share"],
                "hits": hits,
            }
        )
    return {
        "events": out,
        "channels": expected_by_channel,
        "stressed": min(1.0, sum(worst_lost)),
        "score": 100 * (1 - math.prod(1 - e["score"] / 100 for e in out)),
    }


def close(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    return bool(a == b)


# ---------------------------------------------------------------------------------------------
# Tests


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_assessment_matches_the_naive_reading(seed: int) -> None:
    profile, events, now, s = random_case(random.Random(seed))
    a = assess(profile, events, now, s)
    want = naive(profile, events, now, s)
    by_event = {id(w["event"]): w for w in want["events"]}
    assert sorted(map(id, (e.event for e in a.events))) == sorted(by_event)
    assert [id(e) for e in a.expired] == [id(e) for e in events if id(e) not in by_event]
    for ea in a.events:
        w = by_event[id(ea.event)]
        for f in dataclasses.fields(EventAssessment):
            if f.name != "hits_factory":
                assert close(getattr(ea, f.name), w[f.name]), (f.name, getattr(ea, f.name), w[f.name])
        got = {h.channel_id: h for h in ea.channels}
        assert got.keys() == w["hits"].keys()
        for cid, (direct, cut, lost, loss) in w["hits"].items():
            h = got[cid]
            assert (h.direct, h.cut) == (direct, cut)
            assert close(h.lost_share, lost) and close(h.loss, loss)
        assert all(x.lost_share >= y.lost_share for x, y in itertools.pairwise(ea.channels))
    for exposure, expected in zip(a.channels, want["channels"], strict=True):
        assert close(exposure.expected_loss, expected)
    assert close(a.stressed_lost_share, want["stressed"])
    assert close(a.score, want["score"])


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_events_are_ranked_by_score_then_loss_then_date_then_id_and_ties_keep_their_order(seed: int) -> None:
    rnd = random.Random(seed)
    profile, events, now, s = random_case(rnd)
    events += [e.model_copy() for e in rnd.sample(events, min(3, len(events)))]  # exact ties
    a = assess(profile, events, now, s)
    by_event = {id(e.event): e for e in a.events}
    in_input_order = [by_event[id(e)] for e in events if id(e) in by_event]
    want = sorted(in_input_order, key=lambda e: (-e.score, -e.expected_loss, e.days_until, e.id))
    assert [id(e) for e in a.events] == [id(e) for e in want]


@settings(max_examples=300, deadline=None)
@given(
    rule=st.sampled_from(RULES),
    start=st.integers(-800, 400),
    now=st.integers(-400, 400),
    exact=st.booleans(),
)
def test_one_walk_finds_what_before_and_after_find(rule: str, start: int, now: int, exact: bool) -> None:
    dtstart = NOW + timedelta(days=start, seconds=start * 37)
    at = dtstart if exact else NOW + timedelta(days=now)
    r = _rule(rule, dtstart)
    assert _around(r, at) == (r.before(at, inc=True), r.after(at, inc=True))


def test_event_assessments_are_the_same_as_their_dataclass_makes_them() -> None:
    profile, events, now, s = random_case(random.Random(3))
    a = assess(profile, events, now, s)
    assert a.events
    names = [f.name for f in dataclasses.fields(EventAssessment)]
    for ea in a.events:
        assert list(vars(ea)) == names  # the fields, in their order, and nothing else
        made = dataclasses.replace(ea)  # through the generated __init__
        assert list(vars(made)) == names
        assert made == ea and repr(made) == repr(ea)
        assert made.channels == ea.channels
        assert dataclasses.asdict(ea).keys() == {f.name for f in dataclasses.fields(EventAssessment)}
        with pytest.raises(dataclasses.FrozenInstanceError):
            ea.score = 1.0  # type: ignore[misc]
    assert a.events[0].channels is a.events[0].channels  # cached
