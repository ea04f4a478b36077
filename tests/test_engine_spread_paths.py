"""Which way the Monte Carlo goes for a profile with few (event, channel) pairs: remembered tables
in pure Python, or numpy's draws. Many channels sharing weeks with 14 uncertain events made the
tables miss on nearly every draw (2.7 s for 200 channels x 100 events); such profiles sample with
numpy, and their figures still agree with the reference implementation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import riskmon.core.spread as spread
from riskmon.core.engine import assess
from tests import reference_v2 as ref
from tests.support import validated

NOW = datetime(2025, 1, 10, tzinfo=UTC)


def exposure(channels: int) -> dict[str, Any]:
    business = {"name": "B", "monthly_revenue": 400_000, "gross_margin": 0.4, "monthly_fixed_costs": 150_000}
    shops = [
        {"id": f"c{i}", "platform": "tiktok", "order_share": 0.8 / channels, "regions": ["US"], "inventory_value": 2e3}
        for i in range(channels)
    ]
    return {"business": {**business, "cash_on_hand": 60_000}, "channels": shops}


def rumored(kind: str, i: int, days: float, **extra: Any) -> dict[str, Any]:
    """Uncertain event number i of `kind` on every TikTok US shop, starting `days` from NOW."""
    base = {"id": f"{kind}{i}", "title": "t", "kind": kind, "platforms": ["tiktok"], "regions": ["US"]}
    return (
        base
        | {"status": "rumored", "probability": 0.2 + 0.05 * (i % 4), "effective": NOW + timedelta(days=days)}
        | extra
    )


def fee_rises(n: int) -> list[dict[str, Any]]:
    """n uncertain fee changes on every channel, one starting every 3 days: up to n bits a week.
    Each rise is its own size, so the losses of different sets differ (no atom of probability
    for a quantile to sit on)."""
    return [rumored("fee_change", i, 3 * i, impact={"fee_delta": 0.01 + 0.0013 * i}) for i in range(n)]


def bans_apart(n: int) -> list[dict[str, Any]]:
    """n uncertain two-week bans, three weeks apart: at most one reaches any week."""
    return [rumored("ban", i, 21 * i, ends=NOW + timedelta(days=21 * i + 14)) for i in range(n)]


def counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    built: list[int] = []
    tables = spread.SetEvaluator

    def evaluator(compiled: Any) -> Any:
        built.append(1)
        return tables(compiled)

    monkeypatch.setattr(spread, "SetEvaluator", evaluator)
    return built


def test_many_channels_in_the_same_weeks_sample_with_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    built = counting(monkeypatch)
    profile = validated("Profile", exposure(40))
    a = assess(profile, [validated("Event", e) for e in fee_rises(14)], NOW)
    assert a.distribution == "monte_carlo"
    assert built == []  # 14 bits a week over 40 channels: ~1M terms by tables


def test_a_week_s_flow_counts_every_reached_channel(monkeypatch: pytest.MonkeyPatch) -> None:
    """14 bans on one shop share weeks; 200 other shops meet one ban, in another week. A week's
    flow sums every shop an uncertain event reaches, so the tables would redo 201 shops for each
    of ~1,900 sets of the 14 bits (a review measured 13 s): numpy."""
    built = counting(monkeypatch)
    x = exposure(1)
    x["channels"] += [
        {"id": f"a{i}", "platform": "amazon", "order_share": 0.1 / 200, "regions": ["DE"]} for i in range(200)
    ]
    events = [rumored("ban", i, 40 + 2 * i, ends=NOW + timedelta(days=80)) for i in range(14)]
    events.append(rumored("ban", 99, 1, platforms=["amazon"], regions=["DE"], ends=NOW + timedelta(days=6)))
    a = assess(validated("Profile", x), [validated("Event", e) for e in events], NOW)
    assert a.distribution == "monte_carlo"
    assert built == []


def test_uncertain_events_apart_keep_the_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """12 bits reach the one channel's loss (2,000 draws x 12 pairs), one bit any week."""
    built = counting(monkeypatch)
    profile = validated("Profile", exposure(1))
    a = assess(profile, [validated("Event", e) for e in bans_apart(12)], NOW)
    assert a.distribution == "monte_carlo"
    assert built == [1]


def test_the_numpy_draws_agree_with_the_reference_statistically() -> None:
    x, events = exposure(10), fee_rises(14)
    a = assess(validated("Profile", x), [validated("Event", e) for e in events], NOW)
    r = ref.reference_assess(x, events, {}, NOW)
    assert a.distribution == r["distribution"] == "monte_carlo"
    assert a.expected_loss == pytest.approx(r["expected_loss"])
    p = r["cash_shortfall_probability"]
    assert abs(a.cash_shortfall_probability - p) <= ref.monte_carlo_tolerance(p, 2000, 2000)
    profile = ref.read_profile(x, {})
    _, outcomes = ref.loss_outcomes(profile, ref.resolve_events(events, profile, NOW), NOW, seed=1)
    for q, value in ((0.5, a.loss_p50), (0.95, a.loss_p95)):
        assert ref.quantile_agrees(outcomes, value, q, ref.monte_carlo_tolerance(q, 2000, 2000))
