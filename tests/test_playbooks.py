"""Playbooks: matching, due dates, ranking, merging with the bundled set, validation, and the
`playbook` command with its done/undo checklist."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from riskmon.cli.main import main
from riskmon.core import playbooks as pb
from riskmon.core.engine import assess
from riskmon.core.model import EVENT_KINDS, Business, Channel, Event, Profile
from riskmon.core.playbook_rules import PlaybookRule
from riskmon.core.record import replace
from riskmon.errors import ConfigError
from riskmon.paths import bundled_config_dir
from riskmon.sources.config.load import bundled_playbooks, find_problems_in_text, load_config
from tests.support import SELLER_EXPOSURE, validated, write_config

NOW = datetime(2025, 1, 2, tzinfo=UTC)
BUNDLED = bundled_config_dir() / "playbooks.toml"


def biz(**kw: Any) -> Business:
    data: dict[str, Any] = dict(
        name="Test Seller", monthly_revenue=100_000, gross_margin=0.4, monthly_fixed_costs=30_000, cash_on_hand=60_000
    )
    data.update(kw)
    return validated("Business", data)


def ch(id: str, platform: str, share: float, **kw: Any) -> Channel:
    return validated("Channel", {"id": id, "platform": platform, "order_share": share, "regions": ["US"], **kw})


def ev(id: str, kind: str, effective: str = "2025-02-01", platforms: tuple[str, ...] = ("tiktok",), **kw: Any) -> Event:
    data: dict[str, Any] = {
        "id": id,
        "title": id.replace("-", " "),
        "kind": kind,
        "platforms": list(platforms),
        "regions": ["US"],
        "status": "confirmed",
        "effective": effective,
    }
    data.update(kw)
    return validated("Event", data)


def rule(**kw: Any) -> PlaybookRule:
    data: dict[str, Any] = {"id": "r", "title": "T", "steps": [{"id": "s", "text": "do it", "due_days": -7}]}
    data.update(kw)
    return validated("PlaybookRule", data)


def seller(*channels: Channel, **business: Any) -> Profile:
    return Profile(business=biz(**business), channels=list(channels))


def link_seller() -> Profile:
    """A clothing seller: its own store gets 30% of its orders through TikTok bio links."""
    return seller(
        ch("tiktok-us", "tiktok", 0.2, kind="social_shop"),
        ch("shop", "shopify", 0.6, kind="own_store", traffic=[{"via": "tiktok", "share": 0.3}]),
        ch("amazon-us", "amazon", 0.2),
    )


def ban_seller() -> Profile:
    """The pet-supplies seller: 80% of orders on TikTok, $1M of stock tied to it."""
    return seller(
        ch("tiktok-us", "tiktok", 0.8, kind="social_shop", inventory_value=1_000_000, pending_payouts=80_000),
        ch("shop", "shopify", 0.2, kind="own_store"),
        monthly_revenue=250_000,
        gross_margin=0.35,
        monthly_fixed_costs=76_000,
        cash_on_hand=50_000,
    )


def bundled_plan(profile: Profile, events: list[Event], now: datetime = NOW, **kw: Any) -> pb.Plan:
    return pb.plan(assess(profile, events, now), pb.effective_rules(None, bundled_playbooks()), **kw)


def steps_of(p: pb.Plan, key: str) -> dict[str, pb.Step]:
    return {s.id: s for sg in p.suggestions(key) for s in sg.steps}


# ---------------------------------------------------------------------------------------------
# The bundled set


def test_bundled_file_validates_like_a_user_file() -> None:
    assert find_problems_in_text(str(BUNDLED), BUNDLED.read_text(encoding="utf-8")) == []
    rules = bundled_playbooks()
    assert len(rules) == len(tomllib.loads(BUNDLED.read_text(encoding="utf-8"))["rules"])


def test_bundled_rules_cover_every_kind_and_every_standing_condition() -> None:
    rules = bundled_playbooks()
    for kind in EVENT_KINDS:
        assert any(r.kinds and kind in r.kinds for r in rules), f"no bundled rule for {kind}"
    for cond in (
        "top_dependence_gte",
        "runway_weeks_lt",
        "payout_hold_days_gte",
        "no_own_store",
        "link_share_gte",
        "virtual_warehouse",
    ):
        assert any(getattr(r, cond) is not None for r in rules), f"no bundled rule on {cond}"


def test_bundled_rules_explain_themselves_and_step_ids_are_unique() -> None:
    rules = bundled_playbooks()
    # Within a rule, steps sharing an id are variants of one step (the first that fits shows).
    ids = [i for r in rules for i in {s.id for s in r.steps}]
    assert len(ids) == len(set(ids)), "a step id used by two bundled rules would share its done mark"
    for r in rules:
        assert len(r.why) > 60, r.id
        for s in r.steps:
            assert s.text[0].isupper() and s.text.endswith("."), (r.id, s.id)


def test_bundled_rules_load_once() -> None:
    assert bundled_playbooks() is bundled_playbooks()


def test_importing_playbooks_stays_light() -> None:
    code = (
        "import sys, riskmon.core.playbooks; print(sorted(m for m in ('textual', 'tomlkit', 'httpx', 'plotext', "
        "'apscheduler', 'tinydb') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ---------------------------------------------------------------------------------------------
# The seed scenarios


def test_link_cutoff_suggests_an_in_app_shop_before_the_cutoff() -> None:
    cutoff = ev("us-link-cutoff", "link_cutoff", "2025-03-01")
    p = bundled_plan(link_seller(), [cutoff])
    rules = [s.rule_id for s in p.for_event("us-link-cutoff")]
    assert {"link-cutoff-in-app-shop", "two-legs", "own-the-customer-list"} <= set(rules)
    step = steps_of(p, "us-link-cutoff")["open-in-app-shop"]
    assert step.due == datetime(2025, 1, 30, tzinfo=UTC) < cutoff.effective
    # The seller already has a TikTok Shop channel: the variant for an existing shop shows.
    assert "TikTok Shop is approved to sell in US" in step.text and "in-app shop" in step.why
    assert not step.overdue and not step.done
    legs = steps_of(p, "us-link-cutoff")
    assert "your Shopify store" in legs["package-insert-cards"].text
    assert legs["hook-product"].due < cutoff.effective


def test_ban_on_most_orders_suggests_moving_audience_and_stock_with_dates() -> None:
    ban = ev("us-ban", "ban", "2025-01-19")
    p = bundled_plan(ban_seller(), [ban])
    by_rule = {s.rule_id: s for s in p.for_event("us-ban")}
    assert {"ban-move-audience", "stock-out-of-reach", "pull-payouts", "big-shock-cash-plan"} <= set(by_rule)
    audience = {s.id: s for s in by_rule["ban-move-audience"].steps}
    assert audience["announce-move"].due == datetime(2025, 1, 5, tzinfo=UTC)
    assert "Instagram" in audience["announce-move"].text and "2025-01-19" in audience["announce-move"].text
    stock = {s.id: s for s in by_rule["stock-out-of-reach"].steps}
    sell_down = stock["sell-down-stock"].text
    assert "$1,000,000" in sell_down and "your Shopify store (shop)" in sell_down
    assert stock["stop-inbound-stock"].due == datetime(2024, 12, 20, tzinfo=UTC)
    assert stock["stop-inbound-stock"].overdue  # 30 days before a ban 17 days away
    assert "($80,000 pending now)" in {s.id: s for s in by_rule["pull-payouts"].steps}["pledge-payouts"].text
    # The most urgent action is one of the ban's overdue steps, dated.
    assert p.action_lines()[0].startswith("overdue since 2024-12-20: ")
    assert p.action_lines()[0].endswith("(us-ban)")


def test_sixty_percent_on_one_marketplace_gets_a_standing_concentration_suggestion() -> None:
    profile = seller(
        ch("amazon-us", "amazon", 0.6), ch("etsy", "etsy", 0.2), ch("shop", "shopify", 0.2, kind="own_store")
    )
    p = bundled_plan(profile, [])
    (conc,) = [s for s in p.standing if s.rule_id == "concentration-under-half"]
    assert conc.key == "standing:concentration-under-half"
    assert conc.title == "Bring Amazon under half of your orders"
    assert conc.because == ("amazon carries 60% of orders (>= 50%)",)
    first = conc.steps[0]
    assert first.due == NOW + timedelta(days=7) and "60%" in first.text
    assert conc.weight == 40.0  # the concentration rule raised WARNING (>= 60%): ranks like a warning score
    assert any(line.endswith("(concentration-under-half)") for line in p.action_lines())


def test_event_kind_without_a_rule_breaks_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    only = validated(
        "PlaybookFile",
        {
            "replace_bundled": True,
            "rules": [
                {"id": "fees", "title": "Fees", "kinds": ["fee_change"], "steps": [{"id": "x", "text": "Reprice."}]}
            ],
        },
    )
    events = [ev("us-ban", "ban", "2025-01-19"), ev("bf", "season", "2025-11-28")]
    p = pb.plan(assess(ban_seller(), events, NOW), pb.effective_rules(only, bundled_playbooks()))
    assert p.for_event("us-ban") == () and p.for_event("bf") == ()
    assert p.events == {"us-ban": (), "bf": ()} and p.action_lines() == [] and p.items() == []
    cfg = make_config(tmp_path, playbooks="replace_bundled = true\n")
    assert (
        main(
            [
                "check",
                "--config",
                str(cfg),
                "--db",
                str(tmp_path / "h.json"),
                "--now",
                "2025-01-10",
                "--no-history",
                "-f",
                "json",
            ]
        )
        == 2
    )
    doc = json.loads(capsys.readouterr().out)
    # No rule left: only the event's own deadlines make its checklist.
    assert [r["id"] for r in doc["events"][0]["playbook"]] == ["deadlines"] and doc["standing"] == []


# ---------------------------------------------------------------------------------------------
# Matching


def plan_with(rules: list[PlaybookRule], profile: Profile, events: list[Event], now: datetime = NOW) -> pb.Plan:
    return pb.plan(assess(profile, events, now), rules)


@pytest.mark.parametrize(
    ("conditions", "matches"),
    [
        ({}, True),
        ({"kinds": ["ban"]}, True),
        ({"kinds": ["link_cutoff", "fee_change"]}, False),
        ({"platforms": ["tiktok"]}, True),
        ({"platforms": ["amazon"]}, False),
        ({"regions": ["US"]}, True),
        ({"regions": ["ID"]}, False),
        ({"statuses": ["confirmed", "in_effect"]}, True),
        ({"statuses": ["rumored"]}, False),
        ({"min_probability": 0.9}, True),
        ({"min_probability": 0.95}, False),
        ({"min_score": 50}, True),
        ({"min_score": 99.0}, False),  # the score is smooth: 98, not saturated at 100
        ({"min_shock": 0.8}, True),
        ({"min_shock": 0.81}, False),
        ({"min_hit_share": 0.8}, True),
        ({"min_hit_share": 0.9}, False),
        ({"kinds": ["ban"], "platforms": ["tiktok"], "min_shock": 0.5, "statuses": ["rumored"]}, False),
    ],
)
def test_event_conditions_all_must_hold(conditions: dict[str, Any], matches: bool) -> None:
    p = plan_with([rule(**conditions)], ban_seller(), [ev("us-ban", "ban", "2025-01-19")])
    assert bool(p.for_event("us-ban")) is matches


def test_because_names_each_condition() -> None:
    r = rule(
        kinds=["ban"],
        platforms=["tiktok"],
        regions=["US"],
        statuses=["confirmed"],
        min_probability=0.5,
        min_shock=0.3,
        min_hit_share=0.5,
        min_score=10,
    )
    (s,) = plan_with([r], ban_seller(), [ev("us-ban", "ban", "2025-01-19")]).for_event("us-ban")
    assert s.because == (
        "kind ban",
        "on tiktok",
        "in US",
        "status confirmed",
        "probability 90% >= 50%",
        "score 98 >= 10",
        "removes 80% of orders (>= 30%)",
        "80% of orders on the channels it hits (>= 50%)",
    )


def test_region_is_where_the_event_reaches_you() -> None:
    """A worldwide ban reaches a US-only seller in the US: an Indonesia-only rule stays quiet."""
    worldwide = ev("ban", "ban", regions=["*"])
    indonesia = rule(id="id-only", regions=["ID"])
    assert plan_with([indonesia], ban_seller(), [worldwide]).for_event("ban") == ()
    everywhere = seller(ch("tiktok", "tiktok", 0.8, regions=["*"]))
    (s,) = plan_with([indonesia], everywhere, [ev("ban", "ban", regions=["ID", "MY"])]).for_event("ban")
    assert s.because == ("in ID, MY",)


def test_events_that_miss_your_channels_get_no_playbook_unless_asked() -> None:
    elsewhere = ev("lazada-suspension", "account_suspension", platforms=("lazada",))
    p = plan_with([rule(id="any"), rule(id="wide", exposed_only=False)], ban_seller(), [elsewhere])
    assert [s.rule_id for s in p.for_event("lazada-suspension")] == ["wide"]
    assert p.for_event("lazada-suspension")[0].because == ("any event",)


def test_events_with_no_loss_still_reach_their_channels() -> None:
    """A season or a fee change costs nothing by default but does hit the channels it names."""
    events = [ev("bf", "season", "2025-03-28"), ev("fees", "fee_change", platforms=("shopify",))]
    p = bundled_plan(ban_seller(), events)
    assert [s.rule_id for s in p.for_event("bf")] == ["peak-season-hedge"]
    # A season more than 120 days off gets its playbook later, when buying for it starts.
    later = bundled_plan(ban_seller(), [ev("bf", "season", "2025-11-28")])
    assert later.for_event("bf") == ()
    assert [s.rule_id for s in p.for_event("fees")] == ["fee-change-reprice"]


@pytest.mark.parametrize(
    ("conditions", "profile_kw", "matches", "because"),
    [
        ({"runway_weeks_lt": 12}, {}, True, "runway 6.1 weeks if likely events happen (< 12)"),
        ({"runway_weeks_lt": 3}, {}, False, None),
        ({"payout_hold_days_gte": 7}, {"hold": 10}, True, "tiktok-us holds payouts 10 days (>= 7)"),
        ({"payout_hold_days_gte": 11}, {"hold": 10}, False, None),
        ({"no_own_store": True}, {"own": False}, True, "no own store"),
        ({"no_own_store": True}, {}, False, None),
        ({"no_own_store": False}, {}, True, "has an own store"),
        ({"link_share_gte": 0.06}, {"links": 0.3}, True, "6% of orders arrive through links (>= 6%)"),
        ({"link_share_gte": 0.1}, {"links": 0.3}, False, None),
        ({"virtual_warehouse": True}, {"virtual": True}, True, "tiktok-us ship from a virtual warehouse"),
        ({"virtual_warehouse": True}, {}, False, None),
        ({"virtual_warehouse": False}, {}, True, "no virtual warehouse"),
        ({"top_dependence_gte": 0.8, "runway_weeks_lt": 12}, {}, True, None),
        ({"top_dependence_gte": 0.8, "no_own_store": True}, {}, False, None),
    ],
)
def test_standing_conditions(
    conditions: dict[str, Any], profile_kw: dict[str, Any], matches: bool, because: str | None
) -> None:
    tiktok_kw: dict[str, Any] = {"kind": "social_shop", "payout_hold_days": profile_kw.get("hold", 0)}
    if profile_kw.get("virtual"):
        tiktok_kw["warehouse"] = "virtual"
    shop_kw: dict[str, Any] = {"kind": "own_store" if profile_kw.get("own", True) else "marketplace"}
    if "links" in profile_kw:
        shop_kw["traffic"] = [{"via": "tiktok", "share": profile_kw["links"]}]
    profile = seller(
        ch("tiktok-us", "tiktok", 0.8, **tiktok_kw),
        ch("shop", "shopify", 0.2, **shop_kw),
        monthly_revenue=250_000,
        gross_margin=0.35,
        monthly_fixed_costs=76_000,
        cash_on_hand=50_000,
    )
    p = plan_with([rule(id="c", **conditions)], profile, [ev("us-ban", "ban", "2025-01-19")])
    assert bool(p.standing) is matches
    if because:
        assert because in p.standing[0].because


def test_placeholders_are_filled_for_this_seller_and_titles_cleaned() -> None:
    r = rule(
        title="{platform} on {effective}",
        why="{event}",
        steps=[
            {
                "id": "s",
                "text": (
                    "{stock} {payouts} {channels} / {other_channels} / {own_store} / {shock} {hit_share} {region} "
                    "{top_platform} {top_dependence} {business}"
                ),
            }
        ],
    )
    hostile = ev("us-ban", "ban", "2025-01-19", title="Ban\x1b[31m now\x07")
    (s,) = plan_with([r], ban_seller(), [hostile]).for_event("us-ban")
    assert s.title == "TikTok on 2025-01-19"
    assert s.why == "Ban now"
    assert s.steps[0].text == (
        "$1,000,000 $80,000 TikTok (tiktok-us) / your Shopify store (shop) / your Shopify store / 80% 80% US "
        "TikTok 80% Test Seller"
    )


def test_unknown_placeholder_is_a_validation_error() -> None:
    with pytest.raises(ValueError, match=r"unknown placeholder \{platfrom\}; did you mean \{platform\}"):
        rule(steps=[{"id": "s", "text": "Open a {platfrom} shop"}])


def test_long_channel_lists_are_cut() -> None:
    channels = [ch(f"c{i}", "amazon", 0.01) for i in range(8)]
    r = rule(steps=[{"id": "s", "text": "{other_channels}"}])
    profile = seller(ch("tiktok-us", "tiktok", 0.5), *channels)
    (s,) = plan_with([r], profile, [ev("ban", "ban")]).for_event("ban")
    assert s.steps[0].text == "Amazon (c0), Amazon (c1), Amazon (c2) and 5 more"


# ---------------------------------------------------------------------------------------------
# Due dates, overdue, done


def test_due_dates_count_from_the_effective_date_and_overdue_from_now() -> None:
    r = rule(
        steps=[
            {"id": "before", "text": "a", "due_days": -14},
            {"id": "on", "text": "b", "due_days": 0},
            {"id": "after", "text": "c", "due_days": 3},
        ]
    )
    effective = datetime(2025, 1, 10, 10, 0, tzinfo=UTC)
    p = plan_with([r], ban_seller(), [ev("ban", "ban", effective.isoformat())], now=datetime(2025, 1, 10, tzinfo=UTC))
    steps = steps_of(p, "ban")
    assert steps["before"].due == effective - timedelta(days=14) and steps["before"].overdue
    assert steps["on"].due == effective and not steps["on"].overdue
    assert steps["after"].to_dict()["due"] == "2025-01-13" and steps["after"].to_dict()["due_days"] == 3


def test_a_recurring_event_dates_its_next_occurrence_and_forgets_last_years_ticks() -> None:
    rule_text = "FREQ=YEARLY;BYMONTH=11;BYDAY=FR;BYMONTHDAY=23,24,25,26,27,28,29"
    bf = ev("bf", "season", "2023-11-24", ends="2023-11-28", recurs=rule_text)  # each window lasts 4 days
    r = rule(steps=[{"id": "s", "text": "Hedge.", "due_days": -30}])
    now = datetime(2025, 1, 2, tzinfo=UTC)
    last_year = {("bf", "s"): {"done": True, "at": datetime(2024, 10, 20, tzinfo=UTC)}}
    this_year = {("bf", "s"): {"done": True, "at": datetime(2024, 12, 5, tzinfo=UTC)}}
    a = assess(ban_seller(), [bf], now)
    step = pb.plan(a, [r], progress=last_year).for_event("bf")[0].steps[0]
    assert step.due == datetime(2025, 10, 29, tzinfo=UTC) and not step.done
    assert pb.plan(a, [r], progress=this_year).for_event("bf")[0].steps[0].done


def test_done_steps_are_ticked_not_overdue_and_leave_the_actions() -> None:
    ban = ev("us-ban", "ban", "2025-01-19")
    at = datetime(2025, 1, 1, 9, tzinfo=UTC)
    progress = {
        ("us-ban", "stop-inbound-stock"): {"done": True, "at": at},
        ("us-ban", "cross-post"): {"done": False, "at": at},
    }
    p = bundled_plan(ban_seller(), [ban], progress=progress)
    steps = steps_of(p, "us-ban")
    assert steps["stop-inbound-stock"].done and not steps["stop-inbound-stock"].overdue
    assert steps["stop-inbound-stock"].to_dict()["done_at"] == at.isoformat()
    assert not steps["cross-post"].done and steps["cross-post"].overdue
    assert all("Stop sending stock" not in line for line in p.action_lines(limit=None))


def test_standing_steps_count_from_now() -> None:
    p = plan_with(
        [rule(runway_weeks_lt=12, steps=[{"id": "s", "text": "x", "due_days": 14}])],
        ban_seller(),
        [ev("us-ban", "ban", "2025-01-19")],
    )
    assert p.standing[0].steps[0].due == NOW + timedelta(days=14)


def test_event_deadlines_join_the_checklist() -> None:
    ban = ev(
        "us-ban",
        "ban",
        "2025-01-19",
        deadlines=[
            {"date": "2025-01-18", "what": "Export follower list"},
            {"date": "2025-01-17", "what": "Export follower list!"},
        ],
    )
    p = plan_with([], ban_seller(), [ban])
    (s,) = p.for_event("us-ban")
    assert s.rule_id == pb.DEADLINES_RULE
    assert [(x.id, x.due.day) for x in s.steps] == [
        ("deadline-export-follower-list", 17),
        ("deadline-export-follower-list-2", 18),
    ]


# ---------------------------------------------------------------------------------------------
# Ranking


def test_events_rank_by_score_and_rules_by_their_first_open_step() -> None:
    late = rule(id="late", steps=[{"id": "l", "text": "x", "due_days": -1}])
    early = rule(id="early", steps=[{"id": "e", "text": "x", "due_days": -20}])
    events = [ev("small", "fee_change", platforms=("shopify",)), ev("us-ban", "ban", "2025-01-19")]
    p = plan_with([late, early], ban_seller(), events)
    assert list(p.events) == ["us-ban", "small"]
    assert [s.rule_id for s in p.for_event("us-ban")] == ["early", "late"]
    done = pb.plan(p.assessment, [late, early], progress={("us-ban", "e"): {"done": True, "at": NOW}})
    assert [s.rule_id for s in done.for_event("us-ban")] == ["late", "early"]


def test_a_step_id_shared_by_two_rules_is_one_action() -> None:
    a = rule(id="a", steps=[{"id": "export", "text": "Export A."}])
    b = rule(id="b", steps=[{"id": "export", "text": "Export B."}, {"id": "other", "text": "Other."}])
    p = plan_with([a, b], ban_seller(), [ev("us-ban", "ban")])
    assert [(s.rule_id, [x.id for x in s.steps]) for s in p.for_event("us-ban")] == [
        ("a", ["export"]),
        ("b", ["other"]),
    ]


def test_actions_weigh_score_by_the_urgency_of_the_due_date() -> None:
    soon_small = ev("fees", "fee_change", "2025-01-05", platforms=("shopify",), impact={"fee_delta": 0.05})
    far_big = ev("us-ban", "ban", "2025-09-01")
    r = rule(steps=[{"id": "s", "text": "Act on {event}.", "due_days": 0}])  # two steps: their words differ
    p = plan_with([r], ban_seller(), [soon_small, far_big])
    ban, fees = p.assessment.event("us-ban"), p.assessment.event("fees")
    assert ban is not None and fees is not None and ban.score > fees.score
    items = p.actions()
    assert [i.key for i in items] == ["fees", "us-ban"]  # due in 3 days beats due in 8 months
    assert items[0].priority == pytest.approx(fees.score)
    assert items[0].line() == "by 2025-01-05: Act on fees. (fees)"


def test_one_step_under_thousands_of_events_is_one_action() -> None:
    events = [
        ev(f"e{i}", "fee_change", "2025-01-10", platforms=("shopify",), impact={"fee_delta": 0.001 * (i % 50)})
        for i in range(2000)
    ]
    p = plan_with([rule(steps=[{"id": "s", "text": "Check fees.", "due_days": 0}])], ban_seller(), events)
    # The same step in the same words under 2000 events is one action, named by its top events.
    [action] = p.next_actions()
    assert isinstance(action, pb.Item) and len(action.keys) == 2000
    assert action.line().endswith(" and 1997 more)")


# ---------------------------------------------------------------------------------------------
# Overrides and merging


def test_user_rules_override_bundled_by_id_and_add_new_ones() -> None:
    bundled = bundled_playbooks()
    mine = validated(
        "PlaybookFile",
        {
            "rules": [
                {
                    "id": "two-legs",
                    "title": "My two legs",
                    "kinds": ["link_cutoff"],
                    "steps": [{"id": "x", "text": "Mine."}],
                },
                {"id": "my-rule", "title": "Mine", "kinds": ["fee_change"], "steps": [{"id": "y", "text": "Mine."}]},
            ]
        },
    )
    merged = pb.effective_rules(mine, bundled_playbooks())
    ids = [r.id for r in merged]
    assert ids == [r.id for r in bundled] + ["my-rule"]
    assert merged[ids.index("two-legs")].title == "My two legs"
    assert [r.id for r in pb.effective_rules(replace(mine, **{"replace_bundled": True}), bundled_playbooks())] == [
        "two-legs",
        "my-rule",
    ]
    assert pb.effective_rules(None, bundled_playbooks()) == list(bundled)


def test_override_changes_the_suggestion() -> None:
    mine = validated(
        "PlaybookFile",
        {
            "rules": [
                {
                    "id": "link-cutoff-in-app-shop",
                    "title": "Ours",
                    "kinds": ["link_cutoff"],
                    "steps": [{"id": "ours", "text": "Open the shop {platform}.", "due_days": -60}],
                },
            ]
        },
    )
    p = pb.plan(
        assess(link_seller(), [ev("cut", "link_cutoff", "2025-03-01")], NOW),
        pb.effective_rules(mine, bundled_playbooks()),
    )
    ours = next(s for s in p.for_event("cut") if s.rule_id == "link-cutoff-in-app-shop")
    assert ours.title == "Ours" and [x.text for x in ours.steps] == ["Open the shop TikTok."]
    assert "open-in-app-shop" not in steps_of(p, "cut")


# ---------------------------------------------------------------------------------------------
# Validation of the user's playbooks.toml: file:line problems, through config loading


EXPOSURE = SELLER_EXPOSURE.format(cash=60000, share=0.6)

EVENTS = """
[[events]]
id = "us-ban"
title = "US ban"
kind = "ban"
platforms = ["tiktok"]
regions = ["US"]
status = "confirmed"
effective = 2025-01-19
deadlines = [{ date = 2025-01-18, what = "Export follower list" }]
"""


def make_config(tmp_path: Path, playbooks: str | None = None) -> Path:
    return write_config(
        tmp_path,
        exposure=EXPOSURE,
        events=EVENTS,
        playbooks=textwrap.dedent(playbooks) if playbooks is not None else None,
    )


def playbook_problems(d: Path) -> tuple[str, str]:
    """The problems loading config directory `d` finds, one a line, and its playbooks.toml path."""
    with pytest.raises(ConfigError) as info:
        load_config(d)
    return "\n".join(str(p) for p in info.value.problems), str(d / "playbooks.toml")


def test_user_playbook_errors_are_file_line_problems(tmp_path: Path) -> None:
    d = make_config(
        tmp_path,
        """\
        [[rules]]
        id = "mine"
        title = "Mine"
        kinds = ["bann"]
        min_scor = 10

        [[rules.steps]]
        id = "s"
        text = "Open a {platfrom} shop"
        due_days = "soon"

        [[rules]]
        id = "both"
        title = "Both"
        kinds = ["ban"]
        top_dependence_gte = 0.5
        steps = [{ id = "a", text = "x" }, { id = "a", text = "y" }]
        """,
    )
    text, where = playbook_problems(d)
    assert f"{where}:4: rules[mine].kinds[0]:" in text and "'ban'" in text
    assert f"{where}:5: rules[mine].min_scor:" in text and "min_score" in text
    assert f"{where}:9: rules[mine].steps[s].text: unknown placeholder {{platfrom}}; did you mean {{platform}}?" in text
    assert f"{where}:10: rules[mine].steps[s].due_days:" in text
    assert "rules[both]" in text and "not both" in text


def test_a_valid_user_file_loads_and_merges(tmp_path: Path) -> None:
    cfg = load_config(
        make_config(
            tmp_path,
            """\
        [[rules]]
        id = "mine"
        title = "Call the bank about {platform}"
        kinds = ["ban"]
        steps = [{ id = "call-bank", text = "Call the bank.", due_days = -3 }]
        """,
        )
    )
    rules = pb.effective_rules(cfg.playbooks, bundled_playbooks())
    assert rules[-1].id == "mine" and len(rules) == len(bundled_playbooks()) + 1


# ---------------------------------------------------------------------------------------------
# JSON from check, and the playbook command


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("RISKMON_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("NO_COLOR", "1")
    return ["--config", str(make_config(tmp_path)), "--db", str(tmp_path / "history.json"), "--now", "2025-01-10"]


def test_check_json_carries_playbooks_and_standing(env: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = cli(capsys, "check", *env, "--no-history", "-f", "json")
    doc = json.loads(out)
    (event,) = doc["events"]
    ids = [r["id"] for r in event["playbook"]]
    assert "ban-move-audience" in ids and "stock-out-of-reach" in ids and "deadlines" in ids
    step = event["playbook"][0]["steps"][0]
    assert set(step) >= {"id", "text", "due", "overdue", "done"} and step["overdue"] is True
    assert {s["id"] for s in doc["standing"]} >= {"concentration-under-half"}
    assert doc["standing"][0]["key"].startswith("standing:")


def test_check_verbose_and_nagios_name_the_next_action(env: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = cli(capsys, "check", *env, "--no-history", "-v")
    assert "next actions:" in out and "(us-ban)" in out
    _, out, _ = cli(capsys, "check", *env, "--no-history", "-f", "nagios")
    first = out.splitlines()[0]
    assert "; next: overdue since 2024-12-20: " in first and "(us-ban) | 'score'=" in first


def test_playbook_lists_all_by_due_date(env: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "playbook", *env)
    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith("[ ]")]
    dues = [line.split()[2] for line in rows]
    assert dues == sorted(dues) and len(rows) > 10
    assert any("concentration-under-half" in line for line in rows)
    assert "overdue" in rows[0]


def test_playbook_for_one_event_and_json(env: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "playbook", *env, "us-ban")
    assert code == 0 and out.startswith("us-ban: US ban")
    assert "why:" in out and "matched: kind ban" in out
    code, out, _ = cli(capsys, "playbook", *env, "us-ban", "-f", "json")
    doc = json.loads(out)
    assert doc["key"] == "us-ban" and {i["key"] for i in doc["items"]} == {"us-ban"}
    assert [i["due"] for i in doc["items"]] == sorted(i["due"] for i in doc["items"])


def test_done_and_undo_tick_the_checklist(env: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "playbook", *env, "done", "us-ban", "cross-post")
    assert code == 0 and out.startswith("done: Post every TikTok video")
    code, out, _ = cli(capsys, "playbook", *env, "done", "concentration-under-half", "set-dependence-target")
    assert code == 0
    _, out, _ = cli(capsys, "playbook", *env, "-f", "json")
    done = {(i["key"], i["id"]) for i in json.loads(out)["items"] if i["done"]}
    assert done == {("us-ban", "cross-post"), ("standing:concentration-under-half", "set-dependence-target")}
    _, out, _ = cli(capsys, "check", *env, "--no-history", "-f", "json")
    steps = {s["id"]: s for r in json.loads(out)["events"][0]["playbook"] for s in r["steps"]}
    assert steps["cross-post"]["done"] is True and steps["cross-post"]["overdue"] is False
    # A recorded check reads the checklist in the same visit to the history file.
    _, out, _ = cli(capsys, "check", *env, "-f", "json")
    steps = {s["id"]: s for r in json.loads(out)["events"][0]["playbook"] for s in r["steps"]}
    assert steps["cross-post"]["done"] is True and steps["stop-inbound-stock"]["done"] is False
    _, out, _ = cli(capsys, "playbook", *env, "us-ban")
    assert any(line.startswith("[x]") and "cross-post" in line for line in out.splitlines())
    _, out, _ = cli(capsys, "playbook", *env, "--open")
    assert "[x]" not in out
    code, out, _ = cli(capsys, "playbook", *env, "undo", "us-ban", "cross-post")
    assert code == 0 and out.startswith("not done any more:")
    _, out, _ = cli(capsys, "playbook", *env, "-f", "json")
    assert {(i["key"], i["id"]) for i in json.loads(out)["items"] if i["done"]} == {
        ("standing:concentration-under-half", "set-dependence-target")
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["done", "us-bna", "cross-post"], "no event or standing suggestion 'us-bna'; did you mean 'us-ban'?"),
        (
            ["done", "us-ban", "cross-pots"],
            "no step 'cross-pots' in the checklist of 'us-ban'; did you mean 'cross-post'?",
        ),
        (["done", "concentration-under-hlf", "x"], "did you mean 'concentration-under-half'?"),
        (["done", "us-ban"], "usage: riskmon playbook done EVENT STEP"),
        (["us-ban", "extra"], "give one EVENT_ID"),
        (["nothing-like-it"], "`riskmon playbook` lists what has a checklist"),
    ],
)
def test_unknown_ids_are_clear_errors(
    env: list[str], capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = cli(capsys, "playbook", *env, *args)
    assert code == 3 and out == ""
    assert message in err and "Traceback" not in err
