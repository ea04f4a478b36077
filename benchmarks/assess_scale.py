"""assess() on a generated 200-channel, 5,000-event profile. Target: <= 50 ms per call.

Run: .venv/bin/python benchmarks/assess_scale.py
Prints the median and p95 of repeated calls (the profile and events are built once, outside the
timing: validation is config loading's cost, not the engine's).

The profile is shaped like a large real seller's: a channel is one platform's store in one market
(75%), a few serve a block of markets (15%) or the whole world (10%); 10% get part of their orders
through another platform's traffic links. Events name one or two platforms and one to three
markets, 10% are worldwide, 30% have an end date and 2% recur.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from riskmon.core.engine import assess
from riskmon.core.model import Business, Channel, Event, Profile, TrafficLink

PLATFORMS = ["tiktok", "amazon", "etsy", "temu", "lazada", "shopee", "ebay", "walmart", "instagram", "youtube"]
KINDS = ["ban", "shop_closure", "link_cutoff", "account_suspension", "fee_change", "payout_hold", "season"]
STATUSES = ["rumored", "announced", "confirmed", "in_effect", "paused"]
REGIONS = ["US", "GB", "DE", "FR", "ID", "MY", "TH", "VN", "PH", "SG", "IN", "BR", "MX", "JP"]


def build(seed: int = 7) -> tuple[Profile, list[Event], datetime]:
    rnd = random.Random(seed)
    now = datetime(2026, 11, 21, tzinfo=UTC)
    channels = []
    for i in range(200):
        links = [TrafficLink(via=rnd.choice(PLATFORMS), share=0.1)] if rnd.random() < 0.1 else []
        shape = rnd.random()
        regions = [rnd.choice(REGIONS)] if shape < 0.75 else rnd.sample(REGIONS, 3) if shape < 0.9 else ["*"]
        channels.append(
            Channel(
                id=f"c{i}",
                platform=rnd.choice([*PLATFORMS, "shopify"]),
                kind=rnd.choice(["marketplace", "social_shop", "own_store", "other"]),
                regions=regions,
                order_share=1 / 200,
                inventory_value=rnd.uniform(0, 50_000),
                pending_payouts=rnd.uniform(0, 10_000),
                deposit=rnd.uniform(0, 2_000),
                traffic=links,
            )
        )
    profile = Profile(
        business=Business(
            name="Bench", monthly_revenue=2e6, gross_margin=0.35, monthly_fixed_costs=5e5, cash_on_hand=1e6
        ),
        channels=channels,
    )
    events = []
    for i in range(5000):
        eff = now + timedelta(days=rnd.uniform(-200, 400))
        recurs = "FREQ=YEARLY" if rnd.random() < 0.02 else ""
        events.append(
            Event(
                id=f"e{i}",
                title=f"event {i}",
                kind=rnd.choice(KINDS),
                platforms=rnd.sample(PLATFORMS, rnd.randint(1, 2)),
                regions=rnd.sample(REGIONS, rnd.randint(1, 3)) if rnd.random() < 0.9 else ["*"],
                status=rnd.choice(STATUSES),
                effective=eff,
                ends=eff + timedelta(days=rnd.uniform(5, 120)) if rnd.random() < 0.3 else None,
                recurs=recurs,
            )
        )
    return profile, events, now


def main() -> None:
    profile, events, now = build()
    assess(profile, events, now)  # warm caches (RRULE parsing is cached per rule)
    times = []
    for _ in range(30):
        t0 = time.perf_counter()
        a = assess(profile, events, now)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    print(f"assess(): 200 channels, 5000 events ({len(a.events)} counted, {len(a.expired)} expired)")
    print(
        f"  median {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95) - 1]:.1f} ms  (target <= 50 ms)"
    )


if __name__ == "__main__":
    main()
