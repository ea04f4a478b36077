"""The v2 risk model through `assess()`, term by term, against numbers computed by hand.

Each case is small enough to redo on paper; the comment above each assert shows the sum.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from riskmon.core.engine import assess
from riskmon.core.levels import Level
from riskmon.core.model import (
    Business,
    Channel,
    Commitment,
    Event,
    Impact,
    Profile,
    TimelineEntry,
    TrafficLink,
)
from riskmon.core.settings import EngineSettings, ModelSettings

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def day(n: float) -> datetime:
    return NOW + timedelta(days=n)


def seller(*channels: Channel, cash: float = 100_000.0, fixed: float = 0.0, commitments=()) -> Profile:
    biz = Business(
        "Test",
        monthly_revenue=100_000.0,
        gross_margin=0.4,
        monthly_fixed_costs=fixed,
        cash_on_hand=cash,
        commitments=tuple(commitments),
    )
    return Profile(biz, tuple(channels))


def event(id: str = "e", kind: str = "ban", start: float = 30.0, **kw) -> Event:
    kw.setdefault("status", "confirmed")
    return Event(id, id.upper(), kind, kw.pop("platforms", ("tiktok",)), day(start), **kw)


TT = Channel("tt", "tiktok", 0.5, inventory_value=10_000.0, pending_payouts=4_000.0, deposit=1_000.0)


def test_one_ban_splits_loss_from_cash_timing() -> None:
    a = assess(seller(TT), [event(probability=0.8)], NOW)
    e = a.events[0]
    # 90-day window (horizon 3 months); f = 1 on half of all orders; cm = g = 0.4
    assert e.h_days == 90.0
    assert e.revenue_lost_monthly == pytest.approx(50_000.0)
    assert e.profit_at_risk == pytest.approx(100_000 * 0.5 * 1 * 0.4 * 3)  # 60,000
    assert e.inventory_loss == pytest.approx(10_000 * 1.0 * (1 - 0.6))  # stock on the platform: 4,000
    assert e.deposit_loss == pytest.approx(1_000.0)
    assert e.loss == pytest.approx(65_000.0)
    # Payouts frozen are late, not lost: 4,000 x 0.5, never in the loss.
    assert e.cash_frozen == pytest.approx(2_000.0)
    assert e.expected_loss == pytest.approx(0.8 * 65_000)
    # One event alone: the business's expected loss is the event's.
    assert a.expected_loss == pytest.approx(e.expected_loss)


def test_stock_you_control_is_mostly_saved() -> None:
    own = Channel("tt", "tiktok", 0.5, inventory_value=10_000.0, warehouse="third_party")
    e = assess(seller(own), [event()], NOW).events[0]
    # stranded 1.0 x off_platform_stranded 0.25; recovery 0.6
    assert e.inventory_loss == pytest.approx(10_000 * 0.25 * 0.4)


def test_two_overlapping_events_never_count_the_same_stock_twice() -> None:
    ban = event("ban", probability=1.0)
    suspension = event("susp", kind="account_suspension", start=30.0, probability=1.0)
    a = assess(seller(TT), [ban, suspension], NOW)
    assert sum(e.loss for e in a.events) == pytest.approx(2 * 65_000)
    # Together: one 90-day loss of the channel, the stock once, the deposit once.
    assert a.expected_loss == pytest.approx(65_000.0)


def test_partly_overlapping_windows_integrate_the_union() -> None:
    first = event("a", start=0.0, probability=0.5)
    second = event("b", start=45.0, probability=0.5)
    ch = Channel("tt", "tiktok", 0.5)
    a = assess(seller(ch), [first, second], NOW)
    per_day = 100_000 * 0.5 * 0.4 / 30
    # days 0-45: 0.5; 45-90: 1 - 0.5 x 0.5 = 0.75; 90-135: 0.5
    assert a.expected_loss == pytest.approx(per_day * (45 * 0.5 + 45 * 0.75 + 45 * 0.5))


def test_contribution_margin_and_recapture() -> None:
    ch = Channel("tt", "tiktok", 0.5, contribution_margin=0.2, recapture=0.25)
    e = assess(seller(ch), [event()], NOW).events[0]
    assert e.profit_at_risk == pytest.approx(100_000 * 0.5 * 0.75 * 0.2 * 3)


def test_duty_change_hits_parcel_routes_only_and_is_due_on_goods_cost() -> None:
    parcel = Channel("p", "amazon", 0.3, supply_route="parcel")
    local = Channel("l", "amazon", 0.3)
    duty = event("duty", kind="duty_change", platforms=("*",), impact=Impact(duty_delta=0.5), status="in_effect")
    e = assess(seller(parcel, local), [duty], NOW).events[0]
    assert [h.channel_id for h in e.channels] == ["p"]
    # 0.5 x (1 - 0.4) x 100,000 x 0.3 x 3 months
    assert e.duty_cost == pytest.approx(27_000.0)
    assert e.loss == pytest.approx(27_000.0)


def test_fees_are_due_only_on_orders_that_still_happen() -> None:
    ch = Channel("tt", "tiktok", 0.5)
    fee = event("fee", kind="fee_change", start=0.0, impact=Impact(fee_delta=0.1), probability=1.0)
    ban = event("ban", start=0.0, probability=0.5)
    a = assess(seller(ch), [fee, ban], NOW)
    per_day = 100_000 * 0.5 / 30
    # fee: 0.1 x revenue still sold; the ban removes it with p 0.5 -> half the orders remain on average
    fee_part = 0.1 * per_day * 90 * 0.5
    contribution = per_day * 0.4 * 90 * 0.5
    assert a.expected_loss == pytest.approx(fee_part + contribution)


def test_a_saving_is_reported_but_never_offsets_a_loss() -> None:
    ch = Channel("tt", "tiktok", 0.5)
    cut = event("cut", kind="fee_change", impact=Impact(fee_delta=-0.02), probability=1.0)
    e = assess(seller(ch), [cut], NOW).events[0]
    assert e.fee_cost == pytest.approx(-0.02 * 50_000 * 3)
    assert e.loss == 0.0 and e.score == 0.0


def test_warehouses_restrict_hits_not_links() -> None:
    virtual = Channel("v", "tiktok", 0.3, warehouse="virtual")
    real = Channel("r", "tiktok", 0.3, warehouse="third_party")
    shop = Channel("s", "shopify", 0.3, kind="own_store", traffic=(TrafficLink("tiktok", 0.5),))
    crackdown = event("vw", kind="ban", warehouses=("virtual",))
    e = assess(seller(virtual, real, shop), [crackdown], NOW).events[0]
    assert {h.channel_id: h.fraction for h in e.channels} == {"v": 1.0, "s": 0.5}


def test_timeline_gives_the_status_in_force_and_hides_what_was_not_public() -> None:
    timeline = (TimelineEntry(day(-10), "rumored"), TimelineEntry(day(5), "confirmed"))
    ev = event(timeline=timeline, status="confirmed")
    assert assess(seller(TT), [ev], day(-20)).events == ()
    early = assess(seller(TT), [ev], NOW).events[0]
    assert (early.status, early.probability) == ("rumored", 0.25)
    late = assess(seller(TT), [ev], day(6)).events[0]
    assert (late.status, late.probability) == ("confirmed", 0.9)


def test_score_is_smooth_and_one_event_scores_as_itself() -> None:
    a = assess(seller(TT), [event(start=5.0, probability=0.8)], NOW)
    e = a.events[0]
    capacity = 100_000 + 100_000 * 0.4
    assert e.score == pytest.approx(100 * (1 - math.exp(-0.8 * 65_000 / capacity)))
    assert a.score == pytest.approx(e.score)


def test_forecast_commitment_and_one_offs_land_in_their_weeks() -> None:
    ch = Channel("tt", "tiktok", 1.0, pending_payouts=10_000.0)
    po = Commitment(day(8), 50_000.0, "PO")
    ban = event(start=15.0, probability=1.0, impact=Impact(freeze_days=21.0))
    a = assess(seller(ch, cash=60_000.0, fixed=30_000.0, commitments=[po]), [ban], NOW)
    weekly_profit = 100_000 * 12 / 52 * 0.4
    fixed = 30_000 * 12 / 52
    steady = weekly_profit - fixed
    base = a.forecast.baseline
    assert base[0] == pytest.approx(60_000 + steady)
    assert base[1] == pytest.approx(60_000 + 2 * steady - 50_000)
    likely = a.forecast.likely
    # week 2 holds day 15: orders stop from its mid-point (17.5), 5,000 frozen leaves; back in week 5 (day 36)
    assert likely[2] - likely[1] == pytest.approx(-fixed - 5_000)
    assert likely[5] - likely[4] == pytest.approx(-fixed + 5_000)
    assert a.cash_low_week == a.forecast.likely.index(min(a.forecast.likely))


def test_runway_interpolates_inside_the_week_cash_crosses_zero() -> None:
    a = assess(seller(Channel("tt", "tiktok", 1.0), cash=10_000.0, fixed=200_000.0), [], NOW)
    flow = 100_000 * 12 / 52 * 0.4 - 200_000 * 12 / 52
    assert a.runway_weeks == pytest.approx(10_000 / -flow)
    assert a.level == Level.CRITICAL


def test_runway_beyond_the_forecast_extrapolates_the_last_four_weeks() -> None:
    a = assess(seller(Channel("tt", "tiktok", 1.0), cash=1_000_000.0, fixed=110_000.0), [], NOW)
    flow = (100_000 * 0.4 - 110_000) * 12 / 52
    cash_12 = 1_000_000 + 13 * flow
    assert a.runway_weeks == pytest.approx(min(104.0, 13 + cash_12 / -flow))


def test_exact_distribution_of_two_events() -> None:
    ch = Channel("tt", "tiktok", 0.5)
    a = assess(seller(ch), [event("a", start=0.0, probability=0.5), event("b", start=200.0, probability=0.2)], NOW)
    one = 100_000 * 0.5 * 0.4 * 3
    # outcomes: 0 (0.4), a (0.4), b (0.1), a+b (0.1) -> P(L<=0) = 0.4, P(L<=one) = 0.9
    assert a.distribution == "exact"
    assert a.loss_p50 == pytest.approx(one)
    assert a.loss_p95 == pytest.approx(2 * one)


def test_monte_carlo_is_seeded_by_the_inputs() -> None:
    ch = Channel("tt", "tiktok", 0.5)
    events = [event(f"e{i}", start=10.0 * i, probability=0.3) for i in range(12)]
    settings = EngineSettings(model=ModelSettings(draws=300))
    first = assess(seller(ch), events, NOW, settings)
    second = assess(seller(ch), events, NOW, settings)
    assert first.distribution == "monte_carlo"
    assert (first.loss_p50, first.loss_p95, first.cash_shortfall_probability) == (
        second.loss_p50,
        second.loss_p95,
        second.cash_shortfall_probability,
    )
