"""assess() on the bundled demo, on 20 channels x 50 events, 200 x 100 and 200 x 5,000 (Monte Carlo).

Targets (issue 12): the demo <= 5 ms, 200 x 5,000 <= 150 ms, with the forecast and the
distributions. Run: .venv/bin/python benchmarks/assess_scale.py [--quick]

Each profile is built and validated once, outside the timing (validation is config loading's
cost, not the engine's). Prints the median and the best of repeated calls, in wall time and in
CPU time of this process (CPU time is what other work on the machine disturbs least).

The generated profiles are shaped like a large seller's: a channel is one platform's store in
one market (75%), a few serve a block of markets (15%) or the whole world (10%); 10% get part of
their orders through another platform's links; 20% ship parcels; events name one or two
platforms and one to three markets, 10% worldwide, 30% have an end date, 2% recur, statuses
spread over rumored ... paused, so most are uncertain.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from riskmon.core.engine import assess
from riskmon.core.model import Business, Channel, Event, Impact, Profile, TrafficLink

PLATFORMS = ["tiktok", "amazon", "etsy", "temu", "lazada", "shopee", "ebay", "walmart", "instagram", "youtube"]
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
STATUSES = ["rumored", "announced", "confirmed", "in_effect", "paused"]
REGIONS = ["US", "GB", "DE", "FR", "ID", "MY", "TH", "VN", "PH", "SG", "IN", "BR", "MX", "JP"]
NOW = datetime(2026, 11, 21, tzinfo=UTC)


def build(channels: int, events: int, seed: int = 7) -> tuple[Profile, list[Event]]:
    rnd = random.Random(seed)
    chans = []
    for i in range(channels):
        links = (TrafficLink(rnd.choice(PLATFORMS), 0.1),) if rnd.random() < 0.1 else ()
        shape = rnd.random()
        regions = (rnd.choice(REGIONS),) if shape < 0.75 else tuple(rnd.sample(REGIONS, 3)) if shape < 0.9 else ("*",)
        chans.append(
            Channel(
                f"c{i}",
                rnd.choice([*PLATFORMS, "shopify"]),
                1 / channels,
                kind=rnd.choice(["marketplace", "social_shop", "own_store", "other"]),
                regions=regions,
                inventory_value=rnd.uniform(0, 50_000),
                pending_payouts=rnd.uniform(0, 10_000),
                deposit=rnd.uniform(0, 2_000),
                traffic=links,
                warehouse=rnd.choice(["own", "platform", "third_party", "none"]),
                supply_route="parcel" if rnd.random() < 0.2 else "local",
            )
        )
    business = Business("Bench", 2e6, 0.35, monthly_fixed_costs=5e5, cash_on_hand=1e6)
    out = []
    for i in range(events):
        effective = NOW + timedelta(days=rnd.uniform(-200, 400))
        kind = rnd.choice(KINDS)
        out.append(
            Event(
                f"e{i}",
                f"event {i}",
                kind,
                tuple(rnd.sample(PLATFORMS, rnd.randint(1, 2))),
                effective,
                rnd.choice(STATUSES),
                regions=tuple(rnd.sample(REGIONS, rnd.randint(1, 3))) if rnd.random() < 0.9 else ("*",),
                ends=effective + timedelta(days=rnd.uniform(5, 120)) if rnd.random() < 0.3 else None,
                recurs="FREQ=YEARLY" if rnd.random() < 0.02 else "",
                impact=Impact(duty_delta=0.3) if kind == "duty_change" else Impact(),
            )
        )
    return Profile(business, tuple(chans)), out


def demo() -> tuple[Profile, list[Event]]:
    from riskmon.paths import ConfigLocation, bundled_config_dir
    from riskmon.sources.config.load import load_config

    cfg = load_config(ConfigLocation(bundled_config_dir(), "bundled demo"))
    return cfg.profile, list(cfg.events)


def measure(name: str, profile: Profile, events: list[Event], runs: int, target_ms: float | None) -> None:
    assess(profile, events, NOW)  # warm caches (RRULE parsing is cached per rule)
    wall, cpu = [], []
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        a = assess(profile, events, NOW)
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    goal = f"  (target <= {target_ms:g} ms)" if target_ms else ""
    print(
        f"{name:<26} median {statistics.median(wall):8.1f} ms wall, {statistics.median(cpu):8.1f} ms CPU;"
        f" best {min(wall):8.1f} ms  [{a.distribution}, {len(a.events)} events]{goal}"
    )


def main() -> None:
    quick = "--quick" in sys.argv
    measure("bundled demo", *demo(), runs=50, target_ms=5)
    measure("20 channels x 50 events", *build(20, 50), runs=20, target_ms=None)
    # Under 2,000 pairs but 14 uncertain events in one week over ~90 shops: the Monte Carlo's
    # choice between remembered tables and numpy (core/spread.py) shows here.
    measure("200 channels x 100 events", *build(200, 100), runs=10, target_ms=None)
    measure("200 channels x 5,000 events", *build(200, 5000), runs=3 if quick else 7, target_ms=150)


if __name__ == "__main__":
    main()
