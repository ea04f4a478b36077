"""The v2 reference model (tests/reference_v2.py) against hand-computed cases, and its properties.

No riskmon import: this checks the oracle itself. The hand cases share one small business whose
numbers are easy to redo on paper:

  M = 5200 a month, so M × 12 ÷ 52 = 1200 of revenue a week; g = 0.5; F = 1300 a month, 300 a week;
  C = 1000; capacity = C + M g = 3600; horizon 3 months = 90 days.
  "tt":   tiktok, social_shop, US, s = 0.5  (R = 600/week), I = 1000, P = 700, D = 100, platform warehouse.
  "shop": shopify, own_store, US, s = 0.25 (R = 300/week), I = 400, own warehouse;
          40% of its orders arrive via TikTok external links.
  The uncovered 25% is the implicit channel (R = 300/week, cm = g).
  now = 2025-01-01 00:00 UTC; day n means now + n days.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reference_v2 import (
    Outcome,
    enumerated_expected_loss,
    event_loss,
    expected_largest,
    expected_union_loss,
    is_uncertain,
    loss_outcomes,
    monte_carlo_tolerance,
    probability,
    quantile,
    quantile_agrees,
    read_profile,
    reference_assess,
    resolve_events,
    shortfall_probability,
    union_loss,
)

NOW = datetime(2025, 1, 1, tzinfo=UTC)
CAPACITY = 3600.0


def day(n: float) -> datetime:
    return NOW + timedelta(days=n)


def business(**over: Any) -> dict[str, Any]:
    return {
        "monthly_revenue": 5200.0,
        "gross_margin": 0.5,
        "monthly_fixed_costs": 1300.0,
        "cash_on_hand": 1000.0,
    } | over


def tiktok(**over: Any) -> dict[str, Any]:
    return {
        "id": "tt",
        "platform": "tiktok",
        "kind": "social_shop",
        "regions": ["US"],
        "order_share": 0.5,
        "inventory_value": 1000.0,
        "pending_payouts": 700.0,
        "deposit": 100.0,
        "warehouse": "platform",
    } | over


def shop(**over: Any) -> dict[str, Any]:
    return {
        "id": "shop",
        "platform": "shopify",
        "kind": "own_store",
        "regions": ["US"],
        "order_share": 0.25,
        "inventory_value": 400.0,
        "warehouse": "own",
        "traffic": [{"via": "tiktok", "feature": "external_link", "share": 0.4}],
    } | over


def ban(**over: Any) -> dict[str, Any]:
    return {
        "id": "ban",
        "kind": "ban",
        "platforms": ["tiktok"],
        "regions": ["US"],
        "status": "in_effect",
        "effective": day(10),
    } | over


def assess(
    channels: list[dict[str, Any]],
    events: list[dict[str, Any]],
    now: datetime = NOW,
    biz: dict[str, Any] | None = None,
    **sections: dict[str, Any],
) -> dict[str, Any]:
    exposure = {"business": biz or business(), "channels": channels}
    return reference_assess(exposure, events, sections, now)


def only_event(result: dict[str, Any]) -> dict[str, Any]:
    assert len(result["events"]) == 1
    return result["events"][0]


def approx_list(values: Sequence[float]) -> Any:
    return pytest.approx(values, rel=1e-12, abs=1e-9)


# ----------------------------------------------------------------------------------------------
# One event's terms
# ----------------------------------------------------------------------------------------------


def test_a_ban_hand_computed_term_by_term() -> None:
    e = only_event(assess([tiktok(), shop()], [ban()]))
    # tt hit (f = 1); shop's TikTok link cut (f = 0.4 × 1.0).
    assert e["channels"] == ["tt", "shop"]
    assert e["revenue_lost_monthly"] == pytest.approx(5200 * (0.5 * 1 + 0.25 * 0.4))  # 3120
    assert e["shock"] == pytest.approx(0.6)
    # Σ M s f (1 − r) cm × 90 ÷ 30 = 5200 × (0.25 + 0.05) × 3
    assert e["profit_at_risk"] == pytest.approx(4680)
    assert e["inventory_loss"] == pytest.approx(1000 * 1.0 * 0.4)  # platform warehouse: whole
    assert e["deposit_loss"] == pytest.approx(100)
    assert e["loss"] == pytest.approx(5180)
    assert e["cash_frozen"] == pytest.approx(350)  # 700 × 0.5: late, not lost
    assert e["fee_cost"] == 0 and e["duty_cost"] == 0
    assert e["days_until"] == pytest.approx(10) and e["urgency"] == 1
    assert e["h_days"] == pytest.approx(90)
    assert e["expected_loss"] == pytest.approx(5180)
    assert e["score"] == pytest.approx(100 * (1 - math.exp(-5180 / CAPACITY)))


@pytest.mark.parametrize(
    ("days_until", "urgency"),
    [(14, 1.0), (74, 0.5), (134, 0.25), (-5, 1.0)],
)
def test_urgency_halves_every_60_days_after_14(days_until: float, urgency: float) -> None:
    e = only_event(assess([tiktok()], [ban(effective=day(days_until))]))
    assert e["urgency"] == pytest.approx(urgency)
    assert e["score"] == pytest.approx(100 * (1 - math.exp(-e["expected_loss"] * urgency / CAPACITY)))


def test_window_with_ends_and_an_event_in_effect() -> None:
    # In effect since day −31, ends day 30: start = now, h = min(90, 30) = 30 days.
    e = only_event(assess([tiktok()], [ban(effective=day(-31), ends=day(30))]))
    assert e["days_until"] == pytest.approx(-31)
    assert e["h_days"] == pytest.approx(30)
    assert e["profit_at_risk"] == pytest.approx(5200 * 0.5 * 0.5 * 1)  # one month of tt's contribution


def test_an_event_whose_ends_has_passed_is_left_out() -> None:
    assert assess([tiktok()], [ban(effective=day(-40), ends=day(0))])["events"] == []


def test_contribution_margin_and_recapture() -> None:
    e = only_event(assess([tiktok(contribution_margin=0.2, recapture=0.25)], [ban()]))
    assert e["profit_at_risk"] == pytest.approx(5200 * 0.5 * 1 * 0.75 * 0.2 * 3)  # 1170
    assert e["shock"] == pytest.approx(0.5)  # gross, before recapture


@pytest.mark.parametrize(
    ("warehouse", "stranded"),
    [("platform", 1.0), ("virtual", 1.0), ("none", 1.0), ("own", 0.25), ("third_party", 0.25)],
)
def test_stock_the_seller_controls_is_stranded_at_a_markdown(warehouse: str, stranded: float) -> None:
    e = only_event(assess([tiktok(warehouse=warehouse)], [ban()]))
    assert e["inventory_loss"] == pytest.approx(1000 * stranded * 0.4)


def test_off_platform_stranded_and_recovery_rate_come_from_settings() -> None:
    result = assess([tiktok(warehouse="own")], [ban()], model={"off_platform_stranded": 0.5, "recovery_rate": 0.1})
    assert only_event(result)["inventory_loss"] == pytest.approx(1000 * 0.5 * 0.9)


def test_fee_cost_is_due_on_the_orders_that_still_happen() -> None:
    fee = {"id": "fee", "kind": "fee_change", "platforms": ["tiktok"], "status": "in_effect", "effective": NOW}
    e = only_event(assess([tiktok()], [fee | {"impact": {"fee_delta": 0.1}}]))
    assert e["fee_cost"] == pytest.approx(0.1 * 5200 * 0.5 * 1 * 3)  # 780
    assert e["loss"] == pytest.approx(780)
    # Half the orders lost, half of those won back: σ = 1 − 0.5 × 0.5 = 0.75.
    e = only_event(assess([tiktok(recapture=0.5)], [fee | {"impact": {"fee_delta": 0.1, "orders_lost": 0.5}}]))
    assert e["fee_cost"] == pytest.approx(0.1 * 5200 * 0.5 * 0.75 * 3)
    # A saving is reported, never a loss.
    e = only_event(assess([tiktok()], [fee | {"impact": {"fee_delta": -0.1}}]))
    assert e["fee_cost"] == pytest.approx(-780)
    assert e["loss"] == 0


def test_duty_change_hits_only_channels_on_its_routes() -> None:
    duty = {"id": "dm", "kind": "duty_change", "platforms": ["*"], "status": "confirmed", "probability": 1.0}
    duty |= {"effective": NOW, "impact": {"duty_delta": 0.3}}
    local = only_event(assess([tiktok()], [duty]))  # supply_route defaults to local
    assert local["channels"] == [] and local["loss"] == 0
    parcel = only_event(assess([tiktok(supply_route="parcel")], [duty]))
    assert parcel["duty_cost"] == pytest.approx(0.3 * 0.5 * 5200 * 0.5 * 3)  # duty on goods' cost: 1170
    assert parcel["loss"] == pytest.approx(1170)
    bulk_only = only_event(assess([tiktok(supply_route="parcel")], [duty | {"routes": ["bulk"]}]))
    assert bulk_only["channels"] == []


def test_warehouses_restrict_hits_but_not_links() -> None:
    e = only_event(assess([tiktok(), shop()], [ban(warehouses=["virtual"])]))
    assert e["channels"] == ["shop"]
    assert e["revenue_lost_monthly"] == pytest.approx(5200 * 0.25 * 0.4)
    assert e["inventory_loss"] == 0 and e["deposit_loss"] == 0 and e["cash_frozen"] == 0


def test_an_empty_warehouses_list_hits_no_channel() -> None:
    e = only_event(assess([tiktok(), shop()], [ban(warehouses=[])]))
    assert e["channels"] == ["shop"]  # its link is still cut
    assert e["inventory_loss"] == 0


def test_platform_star_hits_own_stores_too() -> None:
    e = only_event(assess([tiktok(), shop()], [ban(platforms=["*"])]))
    assert e["channels"] == ["tt", "shop"]
    # shop is hit (f = min(1, 1 + 0.4) = 1) and its own-warehouse stock is stranded at 0.25.
    assert e["revenue_lost_monthly"] == pytest.approx(5200 * 0.75)
    assert e["inventory_loss"] == pytest.approx(1000 * 0.4 + 400 * 0.25 * 0.4)


def test_regions_must_overlap() -> None:
    assert only_event(assess([tiktok(), shop()], [ban(regions=["ID"])]))["channels"] == []
    assert only_event(assess([tiktok(regions=["*"])], [ban(regions=["ID"])]))["channels"] == ["tt"]


def test_link_features_each_kind_cuts() -> None:
    links = [
        {"via": "tiktok", "feature": "external_link", "share": 0.4},
        {"via": "tiktok", "feature": "live", "share": 0.2},
    ]
    channels = [shop(traffic=links)]

    def lost(event: dict[str, Any]) -> float:
        return float(only_event(assess(channels, [event]))["revenue_lost_monthly"])

    assert lost(ban()) == pytest.approx(5200 * 0.25 * 0.6)  # any feature
    assert lost(ban(kind="link_cutoff")) == pytest.approx(5200 * 0.25 * 0.4)  # external_link only
    assert lost(ban(kind="fee_change")) == 0  # cuts no link
    fee_cutting = ban(kind="fee_change", impact={"traffic_lost": 0.5, "traffic_features": ["live"]})
    assert lost(fee_cutting) == pytest.approx(5200 * 0.25 * 0.2 * 0.5)
    assert lost(ban(kind="fee_change", impact={"traffic_lost": 0.5})) == pytest.approx(5200 * 0.25 * 0.6 * 0.5)


def test_the_fraction_removed_is_capped_at_one() -> None:
    links = [
        {"via": "tiktok", "feature": "external_link", "share": 0.7},
        {"via": "tiktok", "feature": "live", "share": 0.6},
    ]
    e = only_event(assess([shop(traffic=links)], [ban()]))
    assert e["revenue_lost_monthly"] == pytest.approx(5200 * 0.25)  # min(1, 1.3)


# ----------------------------------------------------------------------------------------------
# Status as of now and recurring events
# ----------------------------------------------------------------------------------------------


TIMELINE = [
    {"date": date(2024, 12, 1), "status": "rumored"},
    {"date": date(2025, 1, 10), "status": "confirmed"},
]


@pytest.mark.parametrize(
    ("now", "status", "p"),
    [
        (datetime(2025, 1, 1, tzinfo=UTC), "rumored", 0.25),  # not the last entry: its status default
        (datetime(2025, 1, 10, tzinfo=UTC), "confirmed", 0.8),  # the last entry: the event's probability
        (datetime(2025, 3, 1, tzinfo=UTC), "confirmed", 0.8),
    ],
)
def test_timeline_entry_in_force(now: datetime, status: str, p: float) -> None:
    e = only_event(assess([tiktok()], [ban(timeline=TIMELINE, probability=0.8, status="confirmed")], now=now))
    assert (e["status"], e["probability"]) == (status, p)


def test_timeline_entry_probability_wins_and_before_public_the_event_is_left_out() -> None:
    timeline = [TIMELINE[0] | {"probability": 0.3}, TIMELINE[1]]
    assert only_event(assess([tiktok()], [ban(timeline=timeline)]))["probability"] == 0.3
    last_default = only_event(assess([tiktok()], [ban(timeline=TIMELINE)], now=datetime(2025, 2, 1, tzinfo=UTC)))
    assert last_default["probability"] == 0.9
    assert assess([tiktok()], [ban(timeline=TIMELINE)], now=datetime(2024, 11, 30, tzinfo=UTC))["events"] == []


def test_without_timeline_status_and_probability_hold() -> None:
    assert only_event(assess([tiktok()], [ban(status="paused")]))["probability"] == 0.5
    assert only_event(assess([tiktok()], [ban(status="paused", probability=0.7)]))["probability"] == 0.7
    assert only_event(assess([tiktok()], [ban(status="resolved")]))["expected_loss"] == 0


YEARLY = "FREQ=YEARLY;BYMONTH=11;BYMONTHDAY=25"


def at(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, tzinfo=UTC)


def test_recurring_occurrence_in_force_with_ends() -> None:
    event = ban(effective=date(2020, 11, 25), ends=date(2020, 12, 5), recurs=YEARLY)
    e = only_event(assess([tiktok()], [event], now=at(2024, 11, 30)))
    assert e["days_until"] == pytest.approx(-5)  # the 2024-11-25 occurrence
    assert e["h_days"] == pytest.approx(5)  # to its end, 2024-12-05
    e = only_event(assess([tiktok()], [event], now=at(2024, 12, 10)))
    assert e["days_until"] == pytest.approx((at(2025, 11, 25) - at(2024, 12, 10)).days)


def test_recurring_occurrence_without_ends_lasts_h_days() -> None:
    event = ban(effective=date(2020, 11, 25), recurs=YEARLY)
    e = only_event(assess([tiktok()], [event], now=at(2025, 1, 10)))
    assert e["days_until"] == pytest.approx(-46)  # 2024-11-25 + 90 days = 2025-02-23 > now
    assert e["h_days"] == pytest.approx(44)


def test_recurring_rule_exhausted_and_dtstart_that_does_not_match() -> None:
    exhausted = ban(effective=date(2020, 11, 25), ends=date(2020, 12, 5), recurs=YEARLY + ";COUNT=2")
    assert assess([tiktok()], [exhausted], now=at(2023, 1, 1))["events"] == []
    for until in ("UNTIL=20221231", "UNTIL=20221231T000000Z"):  # a floating UNTIL is read as UTC
        ended = ban(effective=date(2020, 11, 25), ends=date(2020, 12, 5), recurs=f"{YEARLY};{until}")
        assert only_event(assess([tiktok()], [ended], now=at(2022, 1, 1)))["days_until"] == pytest.approx(328)
        assert assess([tiktok()], [ended], now=at(2023, 1, 1))["events"] == []
    off_rule = ban(effective=date(2020, 11, 20), ends=date(2020, 11, 30), recurs=YEARLY)
    assert only_event(assess([tiktok()], [off_rule], now=at(2020, 11, 1)))["days_until"] == pytest.approx(24)


# ----------------------------------------------------------------------------------------------
# Events together
# ----------------------------------------------------------------------------------------------


def half_closure(event_id: str, start: float, end: float, **over: Any) -> dict[str, Any]:
    """Removes half of tt's orders over [start, end) days and nothing else."""
    impact = {"orders_lost": 0.5, "inventory_stranded": 0.0, "payouts_frozen": 0.0}
    return ban(id=event_id, kind="shop_closure", effective=day(start), ends=day(end), impact=impact) | over


def test_overlapping_windows_are_not_counted_twice() -> None:
    # tt loses 5200 × 0.5 × 0.5 = 1300 of contribution per month it is fully shut.
    # [0,15): 0.5; [15,30): 1 − 0.5² = 0.75; [30,45): 0.5 → 26.25 days → 1300 × 26.25 ÷ 30 = 1137.5.
    result = assess([tiktok()], [half_closure("a", 0, 30), half_closure("b", 15, 45)])
    assert [e["loss"] for e in result["events"]] == pytest.approx([650, 650])
    assert result["expected_loss"] == pytest.approx(1137.5)


def test_overlapping_windows_in_expectation() -> None:
    # With p = 0.5 each: [0,15) 0.25, [15,30) 1 − 0.75² = 0.4375, [30,45) 0.25 → 14.0625 days.
    events = [half_closure("a", 0, 30, probability=0.5), half_closure("b", 15, 45, probability=0.5)]
    result = assess([tiktok()], events)
    assert result["expected_loss"] == pytest.approx(1300 * 14.0625 / 30)  # 609.375
    # = 0.25 × 0 + 0.25 × 650 + 0.25 × 650 + 0.25 × 1137.5
    assert result["expected_loss"] == pytest.approx(0.25 * (650 + 650 + 1137.5))


def test_expected_largest_of() -> None:
    assert expected_largest([(60, 0.5), (100, 0.5)]) == pytest.approx(100 * 0.5 + 60 * 0.5 * 0.5)
    assert expected_largest([(100, 1.0), (60, 0.5)]) == pytest.approx(100)
    assert expected_largest([]) == 0


def stock_only(event_id: str, stranded: float, p: float, platform: str = "tiktok", **over: Any) -> dict[str, Any]:
    """Strands `stranded` of the hit channels' stock; nothing else."""
    impact = {"orders_lost": 0.0, "inventory_stranded": stranded, "payouts_frozen": 0.0} | over
    return ban(id=event_id, kind="shop_closure", platforms=[platform], status="confirmed", probability=p, impact=impact)


def test_the_same_stock_is_stranded_once() -> None:
    # 400 (whole stock, after 60% recovery) with p 0.5, 200 (half) with p 0.5: E = 400 × .5 + 200 × .5 × .5.
    events = [stock_only("half", 0.5, 0.5), stock_only("whole", 1.0, 0.5)]
    result = assess([tiktok()], events)
    assert result["expected_loss"] == pytest.approx(250)
    # L(S): {} 0, {half} 200, {whole} 400, {both} 400 (not 600): P(L <= 200) = 0.5, P(L <= 400) = 1.
    assert (result["loss_p50"], result["loss_p95"]) == (pytest.approx(200), pytest.approx(400))
    profile = read_profile({"business": business(), "channels": [tiktok()]}, {})
    assert union_loss(profile, resolve_events(events, profile, NOW)) == pytest.approx(400)


def test_fees_union_only_on_orders_that_still_happen() -> None:
    # Fee +0.1 on tt from now, p = 1 (alone: 0.1 × 5200 × 0.5 × 3 = 780).
    # A ban of tt's orders from day 30, p = 0.5: [30,120), f = 1, nothing else.
    # Fee term: 0.1 × 2600 × (30 + 60 × 0.5) ÷ 30 = 520; ban: 0.5 × 1300 × 3 = 1950.
    fee = {"id": "fee", "kind": "fee_change", "platforms": ["tiktok"], "status": "in_effect", "effective": NOW}
    fee |= {"impact": {"fee_delta": 0.1}}
    cut = ban(effective=day(30), status="paused", impact={"inventory_stranded": 0, "deposit_lost": 0})
    result = assess([tiktok()], [fee, cut])
    assert result["expected_loss"] == pytest.approx(520 + 1950)
    # = 0.5 × (780 + 0) + 0.5 × (260 + 3900): the ban removes the fee on what it removes.
    assert result["expected_loss"] == pytest.approx(0.5 * 780 + 0.5 * (260 + 3900))


def test_the_score_weights_each_event_by_its_urgency() -> None:
    # Two stock events on different channels: U = Σ p × urgency × loss; 100 × (1 − exp(−U ÷ capacity)).
    amazon = tiktok(id="amz", platform="amazon", inventory_value=250.0)
    near = stock_only("near", 1.0, 0.5)  # 400, day 10: urgency 1
    far = stock_only("far", 1.0, 0.5, platform="amazon") | {"effective": day(74)}  # 100, urgency 0.5
    result = assess([tiktok(), amazon], [near, far])
    assert result["expected_loss"] == pytest.approx(0.5 * 400 + 0.5 * 100)
    assert result["score"] == pytest.approx(100 * (1 - math.exp(-(0.5 * 400 + 0.25 * 100) / CAPACITY)))


def test_capacity_zero() -> None:
    broke = business(gross_margin=0.0, cash_on_hand=0.0)
    assert assess([tiktok()], [ban()], biz=broke)["score"] == 100
    assert only_event(assess([tiktok()], [ban()], biz=broke))["score"] == 100
    assert assess([tiktok()], [ban(status="cancelled")], biz=broke)["score"] == 0


# ----------------------------------------------------------------------------------------------
# The cash forecast and runway
# ----------------------------------------------------------------------------------------------

# Without events each week earns 600 × 0.5 + 300 × 0.5 + 300 × 0.5 − 300 = 300.
BASELINE = [1000 + 300 * (k + 1) for k in range(13)]


def test_baseline_and_a_ban_in_the_likely_forecast() -> None:
    # Ban from day 10 (week 1): each week from week 1 earns 0 (tt) + 300 × 0.6 × 0.5 (shop) + 150 − 300 = −60;
    # week 1 also freezes 700 × 0.5 = 350, released on day 100 (week 14: outside the 13 weeks).
    result = assess([tiktok(), shop()], [ban()])
    forecast = result["cash_forecast"]
    assert forecast["baseline"] == approx_list(BASELINE)
    likely = [1300.0] + [890.0 - 60 * j for j in range(12)]
    assert forecast["likely"] == approx_list(likely)
    assert forecast["stress"] == approx_list(likely)
    assert (result["cash_low"], result["cash_low_week"]) == (pytest.approx(230), 12)
    assert result["runway_weeks"] == pytest.approx(13 + 230 / 60)  # extrapolated from the last 4 weeks
    assert result["cash_shortfall_probability"] == 0


def test_a_commitment_in_week_2_and_the_runway() -> None:
    commitments = [
        {"date": day(20), "amount": 500.0, "what": "PO"},
        {"date": day(-1), "amount": 9999.0, "what": "paid already"},
        {"date": day(91), "amount": 9999.0, "what": "after week 12"},
    ]
    result = assess([tiktok(), shop()], [ban()], biz=business(commitments=commitments))
    likely = [1300.0, 890.0] + [330.0 - 60 * j for j in range(11)]
    assert result["cash_forecast"]["likely"] == approx_list(likely)
    assert result["cash_forecast"]["baseline"][2] == pytest.approx(BASELINE[2] - 500)
    # First negative: week 8 (−30) after 30: 8 + 30 ÷ 60.
    assert result["runway_weeks"] == pytest.approx(8.5)
    assert (result["cash_low"], result["cash_low_week"]) == (pytest.approx(-270), 12)
    assert result["cash_shortfall_probability"] == 1  # the ban is certain: fixed, always in S
    assert result["rules"]["cash"] == "CRITICAL"  # shortfall 1 >= 0.5 (the runway alone: WARNING)


def test_runway_none_when_cash_does_not_run_down() -> None:
    assert assess([tiktok()], [])["runway_weeks"] is None


def test_runway_is_capped_at_104_weeks() -> None:
    # All orders on tt: weekly contribution 1200 × 0.5 = 600; fixed costs 601 a week: flow −1,
    # cash_12 = 987, so 13 + 987 ÷ 1 = 1000 weeks, capped at 104.
    result = assess([tiktok(order_share=1.0)], [], biz=business(monthly_fixed_costs=601 * 52 / 12))
    assert result["cash_forecast"]["baseline"][-1] == pytest.approx(1000 - 13)
    assert result["runway_weeks"] == 104


def test_an_event_in_effect_moves_no_payouts() -> None:
    result = assess([tiktok(), shop()], [ban(effective=day(-5))])
    # In effect from now: every week −60; nothing frozen now (already in pending payouts).
    assert result["cash_forecast"]["likely"] == approx_list([1000 - 60.0 * (k + 1) for k in range(13)])


def test_frozen_payouts_return_after_freeze_days() -> None:
    result = assess(
        [tiktok()], [stock_only("hold", 0.0, 1.0, payouts_frozen=0.5, freeze_days=14) | {"effective": day(10)}]
    )
    flows = weekly_flows_of(result["cash_forecast"]["likely"])
    # −350 on day 10 (week 1), +350 on day 24 (week 3).
    assert flows == approx_list([300, -50, 300, 650] + [300] * 9)


def test_extra_hold_days_return_at_ends() -> None:
    hold = {"id": "hold", "kind": "payout_hold", "platforms": ["tiktok"], "status": "confirmed", "probability": 1.0}
    hold |= {"effective": day(10), "ends": day(40), "impact": {"extra_hold_days": 7}}
    result = assess([tiktok()], [hold])
    assert only_event(result)["cash_frozen"] == pytest.approx(600)  # 7 days of 600/7
    assert only_event(result)["loss"] == 0
    flows = weekly_flows_of(result["cash_forecast"]["likely"])
    assert flows == approx_list([300, -300, 300, 300, 300, 900] + [300] * 7)  # held on day 10, back on day 40


@pytest.mark.parametrize(
    ("kind", "impact", "flow", "term", "cost"),
    [
        ("fee_change", {"fee_delta": 0.1}, 240, "fee_cost", 260),
        ("fee_change", {"fee_delta": -0.1}, 360, "fee_cost", -260),
        ("duty_change", {"duty_delta": 0.2}, 240, "duty_cost", 260),
    ],
)
def test_a_fee_or_duty_change_lasts_until_its_ends_not_the_horizon(
    kind: str, impact: dict[str, float], flow: float, term: str, cost: float
) -> None:
    # Horizon 1 month; the change has no `ends`, so it applies in all 13 weeks. tt earns
    # 600 × (0.5 − change) a week, where a duty of 0.2 on goods costing half the price is 0.1;
    # shop and the uncovered orders earn 150 each: 600 × 0.4 + 150 + 150 − 300 = 240 (360 for −0.1).
    # The loss term counts one month only: 0.1 × 5200 × 0.5 × 30 ÷ 30 = 260 (duty: 0.2 × 0.5 × 2600).
    change = {"id": "chg", "kind": kind, "platforms": ["tiktok"], "status": "in_effect", "effective": NOW}
    channels = [tiktok(supply_route="parcel"), shop(traffic=[])]
    result = assess(channels, [change | {"impact": impact}], model={"horizon_months": 1})
    assert result["cash_forecast"]["likely"] == approx_list([1000 + flow * (k + 1) for k in range(13)])
    assert only_event(result)["h_days"] == pytest.approx(30)
    assert only_event(result)[term] == pytest.approx(cost)


def weekly_flows_of(cash: list[float], start: float = 1000.0) -> list[float]:
    """flow_k = cash_k − cash_{k−1}, cash_{−1} = C."""
    return [b - a for a, b in pairwise([start, *cash])]


def test_forecast_weeks_setting() -> None:
    assert len(assess([tiktok()], [], model={"forecast_weeks": 5})["cash_forecast"]["baseline"]) == 5


# ----------------------------------------------------------------------------------------------
# The distribution
# ----------------------------------------------------------------------------------------------


def test_exact_quantiles_and_shortfall() -> None:
    # tt's stock (400 lost) with p 0.5, freezing all 700 of its payouts on day 10; amazon's stock
    # (100 lost) with p 0.2. L: 0 (.4), 100 (.1), 400 (.4), 500 (.1) → p50 = 100, p95 = 500.
    # Cash 0: week 0 ends at 300; the freeze takes week 1 to −100 → shortfall whenever tt's event happens.
    amazon = tiktok(id="amz", platform="amazon", inventory_value=250.0, order_share=0.25, pending_payouts=0.0)
    events = [stock_only("tt", 1.0, 0.5, payouts_frozen=1.0), stock_only("amz", 1.0, 0.2, platform="amazon")]
    result = assess([tiktok(), amazon], events, biz=business(cash_on_hand=0.0))
    assert result["distribution"] == "exact"
    assert result["expected_loss"] == pytest.approx(0.5 * 400 + 0.2 * 100)
    assert (result["loss_p50"], result["loss_p95"]) == (pytest.approx(100), pytest.approx(500))
    assert result["cash_shortfall_probability"] == pytest.approx(0.5)
    assert result["runway_weeks"] == pytest.approx(1 + 300 / 400)  # likely includes the p = 0.5 event
    assert result["rules"]["cash"] == "CRITICAL"


def uncertain_flags(channel: dict[str, Any], events: list[dict[str, Any]]) -> list[bool]:
    profile = read_profile({"business": business(), "channels": [channel]}, {})
    return [is_uncertain(profile, e) for e in resolve_events(events, profile, NOW)]


def test_uncertain_events() -> None:
    season = ban(kind="season", status="paused")
    saving = ban(kind="fee_change", status="paused", impact={"fee_delta": -0.1})
    certain = ban(status="in_effect")
    impossible = ban(status="cancelled")
    assert uncertain_flags(tiktok(), [season, saving, certain, impossible]) == [False, True, False, False]
    # Orders lost and nothing else (no stock, payouts, deposit): uncertain unless fully recaptured,
    # even when the lost orders carry no contribution (their revenue still moves the forecast).
    orders_only = ban(kind="shop_closure", status="paused", impact={"inventory_stranded": 0, "payouts_frozen": 0})
    assert uncertain_flags(tiktok(contribution_margin=0.0), [orders_only]) == [True]
    assert uncertain_flags(tiktok(recapture=1.0), [orders_only]) == [False]


def eleven_freezes(p: float = 0.3) -> list[dict[str, Any]]:
    """11 uncertain events on tt, each freezing 160 of payouts on day 10 and stranding a different
    share of its stock. With cash 0, week 1 ends at 600 − 160 n: below zero when n >= 4 happen."""
    return [stock_only(f"e{i}", (i + 1) / 11, p, payouts_frozen=160 / 700) | {"effective": day(10)} for i in range(11)]


def test_monte_carlo_beyond_ten_uncertain_events_agrees_with_exact() -> None:
    exposure = {"business": business(cash_on_hand=0.0), "channels": [tiktok()]}
    first = reference_assess(exposure, eleven_freezes(), {}, NOW)
    assert first["distribution"] == "monte_carlo"
    assert reference_assess(exposure, eleven_freezes(), {}, NOW) == first  # seeded from the inputs
    profile = read_profile(exposure, {})
    events = resolve_events(eleven_freezes(), profile, NOW)
    kind, exact = loss_outcomes(profile, events, NOW, seed=0, exact_limit=11)
    assert kind == "exact"
    p_short = sum(math.comb(11, n) * 0.3**n * 0.7 ** (11 - n) for n in range(4, 12))
    assert shortfall_probability(exact) == pytest.approx(p_short)
    tolerance = monte_carlo_tolerance(p_short, 2000, 2000)
    assert abs(first["cash_shortfall_probability"] - p_short) <= tolerance
    assert quantile_agrees(exact, first["loss_p50"], 0.5, monte_carlo_tolerance(0.5, 2000, 2000))
    assert quantile_agrees(exact, first["loss_p95"], 0.95, monte_carlo_tolerance(0.95, 2000, 2000))
    assert first["expected_loss"] == pytest.approx(expected_union_loss(profile, events, probability))


def test_events_without_effect_are_not_uncertain() -> None:
    seasons = [ban(id=f"s{i}", kind="season", status="paused") for i in range(11)]
    assert assess([tiktok()], seasons)["distribution"] == "exact"


def test_quantile_tolerance() -> None:
    outcomes = [Outcome(0.5 - 1e-12, 0.0, False), Outcome(0.5 + 1e-12, 10.0, False)]
    assert quantile(outcomes, 0.5) == 0.0  # 0.5 − 1e-12 counts as 0.5


# ----------------------------------------------------------------------------------------------
# Concentration and levels
# ----------------------------------------------------------------------------------------------


def test_concentration_and_hhi() -> None:
    amazon = tiktok(id="amz", platform="amazon", order_share=0.25)
    links = [
        {"via": "tiktok", "feature": "external_link", "share": 0.4},
        {"via": "instagram", "feature": "external_link", "share": 0.2},
    ]
    c = assess([tiktok(), amazon, shop(traffic=links)], [])["concentration"]
    assert c["dependence"] == pytest.approx({"tiktok": 0.5 + 0.25 * 0.4, "amazon": 0.25, "instagram": 0.25 * 0.2})
    assert (c["top_platform"], c["top_dependence"]) == ("tiktok", pytest.approx(0.6))
    assert c["hhi"] == pytest.approx(0.5**2 + 0.25**2)  # shopify is an own store: left out


def test_levels_rule_by_rule() -> None:
    quiet = assess([tiktok(order_share=0.3, inventory_value=0, deposit=0, pending_payouts=0)], [])
    assert quiet["rules"] == {"score": "OK", "cash": "OK", "shock": "OK", "concentration": "OK"}
    assert quiet["level"] == "OK"
    concentrated = assess([tiktok(), shop()], [])
    assert concentrated["rules"]["concentration"] == "WARNING"  # 0.6 >= 0.6
    # The ban: shock 0.6 in 10 days with p 1 → CRITICAL; score 100 (1 − e^(−5180/3600)) = 76.3 → CRITICAL.
    banned = assess([tiktok(), shop()], [ban()])
    assert banned["rules"]["shock"] == "CRITICAL" and banned["rules"]["score"] == "CRITICAL"
    assert banned["level"] == "CRITICAL"
    assert assess([tiktok(), shop()], [ban(status="paused", probability=0.4)])["rules"]["shock"] == "OK"
    assert assess([tiktok(), shop()], [ban(effective=day(31))])["rules"]["shock"] == "OK"
    assert assess([tiktok(), shop()], [ban(effective=day(-100))])["rules"]["shock"] == "CRITICAL"
    assert assess([tiktok()], [ban()])["rules"]["shock"] == "CRITICAL"  # shock 0.5 >= shock_crit 0.5
    assert assess([tiktok(order_share=0.3)], [ban()])["rules"]["shock"] == "WARNING"  # 0.3
    lenient = assess([tiktok(), shop()], [ban()], thresholds={"warn": 80, "crit": 90, "shock_crit": 0.7})
    assert lenient["rules"]["score"] == "OK" and lenient["rules"]["shock"] == "WARNING"


# ----------------------------------------------------------------------------------------------
# Properties of the reference itself
# ----------------------------------------------------------------------------------------------

KINDS = [
    "ban",
    "shop_closure",
    "link_cutoff",
    "account_suspension",
    "fee_change",
    "payout_hold",
    "season",
    "duty_change",
]
PLATFORMS = ["tiktok", "amazon", "shopify"]


@st.composite
def channels_st(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(1, 3))
    shares = draw(st.lists(st.floats(0.0, 1.0 / count), min_size=count, max_size=count))
    out = []
    for i, s in enumerate(shares):
        platform = draw(st.sampled_from(PLATFORMS))
        out.append(
            {
                "id": f"c{i}",
                "platform": platform,
                "kind": "own_store" if platform == "shopify" else "marketplace",
                "regions": draw(st.sampled_from([["US"], ["ID"], ["*"], ["US", "ID"]])),
                "order_share": s,
                "inventory_value": draw(st.floats(0, 5000)),
                "pending_payouts": draw(st.floats(0, 3000)),
                "deposit": draw(st.floats(0, 500)),
                "warehouse": draw(st.sampled_from(["own", "platform", "third_party", "virtual", "none"])),
                "contribution_margin": draw(st.floats(0, 1)),
                "recapture": draw(st.floats(0, 1)),
                "supply_route": draw(st.sampled_from(["parcel", "bulk", "local"])),
                "traffic": draw(
                    st.lists(
                        st.fixed_dictionaries(
                            {
                                "via": st.sampled_from(PLATFORMS),
                                "feature": st.sampled_from(["external_link", "live"]),
                                "share": st.floats(0, 0.6),
                            }
                        ),
                        max_size=2,
                    )
                ),
            }
        )
    return out


@st.composite
def event_st(draw: st.DrawFn, index: int) -> dict[str, Any]:
    start = draw(st.integers(-60, 120))
    event: dict[str, Any] = {
        "id": f"e{index}",
        "kind": draw(st.sampled_from(KINDS)),
        "platforms": draw(st.sampled_from([["tiktok"], ["amazon"], ["*"], ["tiktok", "shopify"]])),
        "regions": draw(st.sampled_from([["US"], ["*"], ["ID"]])),
        "status": "confirmed",
        "probability": draw(st.sampled_from([0.0, 0.3, 0.5, 1.0])),
        "effective": day(start + draw(st.sampled_from([0, 0.5]))),
    }
    if draw(st.booleans()):
        event["ends"] = day(max(start, 0) + draw(st.integers(1, 120)))
    impact: dict[str, Any] = {}
    if draw(st.booleans()):
        impact["fee_delta"] = draw(st.floats(-0.2, 0.3))
    if draw(st.booleans()):
        impact["duty_delta"] = draw(st.floats(-0.5, 1.5))
    if draw(st.booleans()):
        impact["orders_lost"] = draw(st.floats(0, 1))
    event["impact"] = impact
    return event


@st.composite
def case_st(draw: st.DrawFn, max_events: int = 4) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    exposure = {
        "business": business(
            cash_on_hand=draw(st.floats(0, 20000)),
            commitments=[{"date": day(draw(st.integers(-10, 100))), "amount": draw(st.floats(0, 5000)), "what": "x"}],
        ),
        "channels": draw(channels_st()),
    }
    count = draw(st.integers(1, max_events))
    return exposure, [draw(event_st(i)) for i in range(count)]


PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(case_st())
def test_closed_form_equals_the_enumeration_mean(case: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
    exposure, raw_events = case
    profile = read_profile(exposure, {})
    events = resolve_events(raw_events, profile, NOW)
    closed = expected_union_loss(profile, events, probability)
    assert closed == pytest.approx(enumerated_expected_loss(profile, events), rel=1e-9, abs=1e-6)


@PROPERTY
@given(case_st())
def test_the_union_never_exceeds_the_sum_of_its_events(case: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
    exposure, raw_events = case
    profile = read_profile(exposure, {})
    events = resolve_events(raw_events, profile, NOW)
    own = sum(event_loss(profile, e) for e in events)
    assert union_loss(profile, events) <= own * (1 + 1e-9) + 1e-6
    result = reference_assess(exposure, raw_events, {}, NOW)
    assert result["expected_loss"] <= sum(e["expected_loss"] for e in result["events"]) * (1 + 1e-9) + 1e-6


@PROPERTY
@given(case_st(max_events=1))
def test_one_event_alone_scores_as_itself(case: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
    exposure, raw_events = case
    result = reference_assess(exposure, raw_events, {}, NOW)
    for e in result["events"]:
        assert result["score"] == pytest.approx(e["score"], rel=1e-9, abs=1e-9)
        assert result["expected_loss"] == pytest.approx(e["expected_loss"], rel=1e-9, abs=1e-6)


@PROPERTY
@given(case_st())
def test_the_baseline_has_no_event_effects(case: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
    exposure, raw_events = case
    baseline = reference_assess(exposure, raw_events, {}, NOW)["cash_forecast"]["baseline"]
    assert baseline == reference_assess(exposure, [], {}, NOW)["cash_forecast"]["baseline"]
    # By hand: every week earns Σ R_c cm_c + R_uncovered g − F/week, less the commitments in it.
    b = exposure["business"]
    weekly = b["monthly_revenue"] * 12 / 52
    shares = [c["order_share"] for c in exposure["channels"]]
    earned = weekly * (
        sum(c["order_share"] * c["contribution_margin"] for c in exposure["channels"])
        + max(0.0, 1 - sum(shares)) * b["gross_margin"]
    )
    flow = earned - b["monthly_fixed_costs"] * 12 / 52
    expected = []
    cash = b["cash_on_hand"]
    for k in range(13):
        cash += flow - sum(c["amount"] for c in b["commitments"] if day(7 * k) <= c["date"] < day(7 * k + 7))
        expected.append(cash)
    assert baseline == pytest.approx(expected, rel=1e-9, abs=1e-6)
