"""The bundled event catalog (config/events.toml): well-formed, sourced, and faithful when replayed.

A seller replaying the catalog with `--now` must see what could be known on that day. The seed
stories of issue 13 are replayed here for small made-up sellers: the Jakarta seller the week
before TikTok Shop Indonesia stopped, the US store fed by TikTok links when Storefront's end was
announced, the US parcel seller when de minimis ended for Chinese goods, and today's view of the US
TikTok ban.

The numbers come from one place, `assess_at`: for now the v2 reference model (tests/reference_v2.py,
which reads the TOML dicts as they are); once the engine reads v2 events, point `assess_at` at the
engine's JSON report (`check --format json` carries the same fields) and nothing else changes.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from riskmon.sources.config.starter import bundled_catalog_text
from tests.reference_v2 import reference_assess
from tests.support import validated

CONFIG_DIR = Path(__file__).resolve().parents[1] / "config"
STATUSES = {"rumored", "announced", "confirmed", "in_effect", "paused", "resolved", "cancelled"}
WIB = timezone(timedelta(hours=7))
TODAY = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@cache
def catalog_text() -> str:
    return (CONFIG_DIR / "events.toml").read_text(encoding="utf-8")


def catalog() -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = tomllib.loads(catalog_text())["events"]
    return events


def assess_at(exposure: dict[str, Any], when: datetime) -> dict[str, Any]:
    """The v2 report (the fields of `check --format json`) for `exposure` against the bundled
    catalog, as of `when`, with the default settings, from the engine; each event's `channels`
    as ids in exposure order and `rules` as rule -> level, like the reference reports them."""
    from riskmon.core.engine import assess
    from riskmon.present.formats import assessment_to_dict

    profile = validated("Profile", exposure)
    doc = assessment_to_dict(assess(profile, [validated("Event", e) for e in catalog()], when))
    order = [c.id for c in profile.channels]
    for e in doc["events"]:
        e["channels"] = sorted((c["id"] for c in e["channels"]), key=order.index)
    doc["rules"] = {r["rule"]: r["level"] for r in doc["rules"]}
    return doc


def test_the_engine_and_the_reference_agree_on_the_catalog() -> None:
    """The replays below read the engine; the independent reference gives the same figures."""
    exposure = {
        "business": {"name": "x", "monthly_revenue": 100_000, "gross_margin": 0.4, "cash_on_hand": 50_000},
        "channels": [
            {"id": "tiktok-us", "platform": "tiktok", "regions": ["US"], "order_share": 0.5, "supply_route": "parcel"},
            {"id": "tiktok-id", "platform": "tiktok", "regions": ["ID"], "order_share": 0.3, "inventory_value": 9e4},
        ],
    }
    for when in (
        datetime(2023, 9, 28, tzinfo=UTC),
        datetime(2025, 4, 15, tzinfo=UTC),
        datetime(2026, 12, 7, tzinfo=UTC),
    ):
        mine, theirs = assess_at(exposure, when), reference_assess(exposure, catalog(), {}, when)
        assert mine["expected_loss"] == pytest.approx(theirs["expected_loss"])
        assert mine["score"] == pytest.approx(theirs["score"])
        assert {e["id"]: e["status"] for e in mine["events"]} == {e["id"]: e["status"] for e in theirs["events"]}


def listed(report: dict[str, Any], event_id: str) -> dict[str, Any] | None:
    """The event's entry in the report, or None when it is left out (not public yet, or over)."""
    return next((e for e in report["events"] if e["id"] == event_id), None)


def utc(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def is_example(event: dict[str, Any]) -> bool:
    return bool(event["id"].startswith("example-"))


# ---------------------------------------------------------------------------------------------
# The file itself


def test_every_real_event_is_sourced_and_explained() -> None:
    real = [e for e in catalog() if not is_example(e)]
    assert len(real) >= 20
    for e in real:
        assert e["sources"], e["id"]
        assert all(s.startswith(("https://", "http://")) for s in e["sources"]), e["id"]
        assert len(e["summary"]) > 200, e["id"]
    ids = [e["id"] for e in catalog()]
    assert len(ids) == len(set(ids))


def test_timelines_ascend_and_end_on_the_status() -> None:
    with_timeline = [e for e in catalog() if e.get("timeline")]
    assert len(with_timeline) >= 18
    for e in with_timeline:
        dates = [utc(entry["date"]) for entry in e["timeline"]]
        assert all(a < b for a, b in pairwise(dates)), e["id"]
        assert {entry["status"] for entry in e["timeline"]} <= STATUSES, e["id"]
        assert e["status"] == e["timeline"][-1]["status"], e["id"]
        assert all(0 <= entry.get("probability", 0) <= 1 for entry in e["timeline"]), e["id"]
        # Known before (or when) it took effect: no replay sees an effect before it was public.
        assert dates[0] <= utc(e["effective"]), e["id"]


def test_every_one_off_event_that_changed_status_has_a_timeline() -> None:
    for e in catalog():
        if is_example(e) or e.get("recurs") or e["kind"] == "season":
            continue
        assert e.get("timeline"), e["id"]


def test_examples_are_labelled_and_left_out_of_the_starter() -> None:
    examples = [e for e in catalog() if is_example(e)]
    assert len(examples) == 3
    assert all(e["title"].startswith("Example: ") and e["status"] == "rumored" for e in examples)
    assert not any(e["title"].startswith("Example") for e in catalog() if not is_example(e))
    starter_ids = [e["id"] for e in tomllib.loads(bundled_catalog_text(catalog_text()))["events"]]
    assert starter_ids == [e["id"] for e in catalog() if not is_example(e)]


def test_duty_changes_hit_parcels_sent_to_us_buyers_on_every_platform() -> None:
    duties = [e for e in catalog() if e["kind"] == "duty_change"]
    assert len(duties) == 7
    for e in duties:
        assert (e["routes"], e["platforms"], e["regions"]) == (["parcel"], ["*"], ["US"]), e["id"]
        assert e["impact"]["duty_delta"] >= 0, e["id"]


def test_chinese_new_year_is_a_supplier_closure_around_each_new_year() -> None:
    new_years = {2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6), 2028: date(2028, 1, 26)}
    for year, day in new_years.items():
        (e,) = [e for e in catalog() if e["id"] == f"chinese-new-year-{year}"]
        assert (e["kind"], e["platforms"], e["regions"]) == ("season", ["*"], ["*"])
        assert e["effective"].date() == day - timedelta(days=14)
        assert e["ends"].date() == day + timedelta(days=21)
        assert "order early" in e["summary"].lower() and "not a peak-sales window" in e["summary"]


def test_black_friday_ends_with_cyber_monday_in_pacific_time() -> None:
    (e,) = [e for e in catalog() if e["id"] == "black-friday"]
    ends = e["ends"]
    assert (ends.date(), ends.hour, ends.minute, ends.utcoffset()) == (date(2019, 12, 2), 23, 59, timedelta(hours=-8))
    assert e["effective"].date() == date(2019, 11, 29)  # the Friday after Thanksgiving 2019


# ---------------------------------------------------------------------------------------------
# (a) Jakarta, 2023: TikTok Shop Indonesia stops on 4 October at 17:00 WIB


JAKARTA = {
    "business": {
        "name": "Batik Sekar",
        "currency": "IDR",
        "monthly_revenue": 450_000_000,
        "gross_margin": 0.4,
        "monthly_fixed_costs": 90_000_000,
        "cash_on_hand": 200_000_000,
    },
    "channels": [
        {
            "id": "tiktok-id",
            "platform": "tiktok",
            "kind": "social_shop",
            "regions": ["ID"],
            "order_share": 0.65,
            "inventory_value": 150_000_000,
            "pending_payouts": 60_000_000,
            "warehouse": "own",
        },
        {"id": "shopee-id", "platform": "shopee", "kind": "marketplace", "regions": ["ID"], "order_share": 0.25},
    ],
}
INDONESIA = "id-tiktok-shop-closure-2023"


def test_jakarta_seller_is_critical_the_week_before_the_stop() -> None:
    report = assess_at(JAKARTA, datetime(2023, 9, 28, 10, 0, tzinfo=WIB))
    shop = listed(report, INDONESIA)
    assert shop is not None
    assert shop["status"] == "confirmed" and shop["probability"] == 0.9
    assert 6 < shop["days_until"] < 7
    assert shop["channels"] == ["tiktok-id"] and shop["expected_loss"] > 0
    assert report["level"] == "CRITICAL" and report["rules"]["shock"] == "CRITICAL"


def test_jakarta_seller_sees_the_shop_shut_the_day_after() -> None:
    report = assess_at(JAKARTA, datetime(2023, 10, 5, 10, 0, tzinfo=WIB))
    shop = listed(report, INDONESIA)
    assert shop is not None
    assert (shop["status"], shop["probability"]) == ("in_effect", 1.0) and shop["days_until"] < 0
    assert report["level"] == "CRITICAL"


@pytest.mark.parametrize(
    ("when", "status"),
    [
        (datetime(2023, 9, 20, tzinfo=WIB), None),  # before the minister's announcement
        (datetime(2023, 9, 25, 12, 0, tzinfo=WIB), "announced"),
        (datetime(2023, 10, 4, 16, 59, tzinfo=WIB), "confirmed"),  # a minute before the stop
        (datetime(2023, 12, 11, 12, 0, tzinfo=WIB), "resolved"),  # the Tokopedia deal is announced
        (datetime(2023, 12, 12, 0, 1, tzinfo=WIB), None),  # shopping is back: the window has ended
    ],
)
def test_indonesia_timeline_replays(when: datetime, status: str | None) -> None:
    shop = listed(assess_at(JAKARTA, when), INDONESIA)
    assert (shop and shop["status"]) == status


# ---------------------------------------------------------------------------------------------
# (b) A US clothing store fed by TikTok links, August-September 2023


CLOTHING = {
    "business": {
        "name": "Loom & Thread",
        "currency": "USD",
        "monthly_revenue": 120_000,
        "gross_margin": 0.5,
        "monthly_fixed_costs": 30_000,
        "cash_on_hand": 40_000,
    },
    "channels": [
        {
            "id": "shop",
            "platform": "shopify",
            "kind": "own_store",
            "regions": ["US"],
            "order_share": 0.7,
            "warehouse": "own",
            "traffic": [{"via": "tiktok", "feature": "external_link", "share": 0.30}],
        },
        {"id": "amazon-us", "platform": "amazon", "kind": "marketplace", "regions": ["US"], "order_share": 0.3},
    ],
}
STOREFRONT = "tiktok-storefront-end-2023"
LINK_RUMOR = "tiktok-outbound-link-ban-rumor-2023"


@pytest.mark.parametrize("when", [datetime(2023, 8, 28, 15, tzinfo=UTC), datetime(2023, 9, 5, 15, tzinfo=UTC)])
def test_us_store_sees_the_link_exposure_when_storefront_end_is_announced(when: datetime) -> None:
    report = assess_at(CLOTHING, when)
    storefront = listed(report, STOREFRONT)
    assert storefront is not None
    assert storefront["status"] == "announced" and storefront["channels"] == ["shop"]
    assert storefront["score"] > 0 and storefront["expected_loss"] > 0
    rumor = listed(report, LINK_RUMOR)
    assert rumor is not None and rumor["status"] == "rumored" and rumor["channels"] == ["shop"]
    assert report["score"] > 0


def test_us_store_before_the_news_and_after_the_cut() -> None:
    before = assess_at(CLOTHING, datetime(2023, 8, 20, tzinfo=UTC))
    assert listed(before, STOREFRONT) is None and listed(before, LINK_RUMOR) is None
    after = assess_at(CLOTHING, datetime(2023, 9, 13, tzinfo=UTC))
    assert (listed(after, STOREFRONT) or {}).get("status") == "in_effect"
    assert (listed(after, LINK_RUMOR) or {}).get("status") == "cancelled"
    assert (listed(after, LINK_RUMOR) or {}).get("expected_loss") == 0
    later = assess_at(CLOTHING, datetime(2024, 3, 1, tzinfo=UTC))
    assert listed(later, STOREFRONT) is None  # links still working now are not Storefront's


# ---------------------------------------------------------------------------------------------
# (c) A US seller shipping parcels from abroad, 2025-2026


def parcel_seller(route: str = "parcel") -> dict[str, Any]:
    return {
        "business": {
            "name": "Paw Parcel",
            "currency": "USD",
            "monthly_revenue": 80_000,
            "gross_margin": 0.45,
            "monthly_fixed_costs": 15_000,
            "cash_on_hand": 30_000,
        },
        "channels": [
            {
                "id": "tiktok-us",
                "platform": "tiktok",
                "kind": "social_shop",
                "regions": ["US"],
                "order_share": 0.6,
                "supply_route": route,
            },
            {
                "id": "etsy",
                "platform": "etsy",
                "kind": "marketplace",
                "regions": ["US"],
                "order_share": 0.4,
                "supply_route": route,
            },
        ],
    }


CN_DE_MINIMIS = "us-de-minimis-end-cn-hk-2025"


def test_parcel_seller_is_exposed_to_the_end_of_de_minimis_in_april_2025() -> None:
    report = assess_at(parcel_seller(), datetime(2025, 4, 15, 12, tzinfo=UTC))
    duty = listed(report, CN_DE_MINIMIS)
    assert duty is not None
    assert duty["status"] == "confirmed" and duty["channels"] == ["tiktok-us", "etsy"]
    assert duty["duty_cost"] > 0 and duty["expected_loss"] > 0 and duty["score"] > 0
    assert listed(assess_at(parcel_seller(), datetime(2025, 3, 15, tzinfo=UTC)), CN_DE_MINIMIS) is None


def test_bulk_importer_is_not_hit_by_the_parcel_duties() -> None:
    report = assess_at(parcel_seller("bulk"), datetime(2025, 4, 15, 12, tzinfo=UTC))
    duty = listed(report, CN_DE_MINIMIS)
    assert duty is not None and duty["channels"] == [] and duty["duty_cost"] == 0


def duties_in_force(report: dict[str, Any]) -> set[str]:
    """The duty events that cost this seller something and have taken effect."""
    return {e["id"] for e in report["events"] if e["duty_cost"] > 0 and e["probability"] > 0 and e["days_until"] <= 0}


@pytest.mark.parametrize(
    ("when", "in_force"),
    [
        (datetime(2025, 5, 5, tzinfo=UTC), {CN_DE_MINIMIS}),
        (datetime(2025, 6, 1, tzinfo=UTC), {"us-cn-hk-parcel-duty-cut-2025"}),
        (datetime(2025, 10, 1, tzinfo=UTC), {"us-cn-hk-parcel-duty-cut-2025", "us-de-minimis-end-all-2025"}),
        (
            datetime(2026, 3, 1, tzinfo=UTC),
            {"us-section-122-surcharge-2026", "us-de-minimis-suspension-continues-2026"},
        ),
        (TODAY, {"us-de-minimis-suspension-continues-2026"}),
        (datetime(2027, 8, 1, tzinfo=UTC), {"us-de-minimis-statutory-end-2027"}),
    ],
)
def test_parcel_duties_follow_the_rate_regimes(when: datetime, in_force: set[str]) -> None:
    assert duties_in_force(assess_at(parcel_seller(), when)) == in_force


# ---------------------------------------------------------------------------------------------
# (d) The US TikTok ban, from the Supreme Court to today


def us_tiktok_seller() -> dict[str, Any]:
    exposure: dict[str, Any] = tomllib.loads((CONFIG_DIR / "exposure.toml").read_text(encoding="utf-8"))
    return exposure


BAN = "us-tiktok-ban-2025"


@pytest.mark.parametrize(
    ("when", "status", "p"),
    [
        (datetime(2024, 4, 20, tzinfo=UTC), None, None),
        (datetime(2024, 6, 1, tzinfo=UTC), "announced", 0.6),
        (datetime(2025, 1, 18, 12, tzinfo=UTC), "confirmed", 0.9),
        (datetime(2025, 1, 19, 12, tzinfo=UTC), "in_effect", 1.0),
        (datetime(2025, 3, 1, tzinfo=UTC), "paused", 0.5),
        (datetime(2025, 12, 20, tzinfo=UTC), "paused", 0.1),
        (TODAY, "resolved", 0.0),
    ],
)
def test_us_ban_replays(when: datetime, status: str | None, p: float | None) -> None:
    ban = listed(assess_at(us_tiktok_seller(), when), BAN)
    assert (ban and (ban["status"], ban["probability"])) == (status and (status, p))


def test_us_ban_is_the_top_risk_the_day_before_it_takes_effect() -> None:
    report = assess_at(us_tiktok_seller(), datetime(2025, 1, 18, 12, tzinfo=UTC))
    assert max(report["events"], key=lambda e: e["score"])["id"] == BAN
    assert report["level"] != "OK" and report["rules"]["shock"] != "OK"


def test_today_the_us_ban_is_resolved_and_not_a_live_risk() -> None:
    report = assess_at(us_tiktok_seller(), TODAY)
    ban = listed(report, BAN)
    assert ban is not None and ban["status"] == "resolved"
    assert ban["expected_loss"] == 0 and ban["score"] == 0
    top = max(report["events"], key=lambda e: e["score"])
    assert top["id"] != BAN and top["score"] > 0
    assert not any(e["status"] == "paused" for e in report["events"])
