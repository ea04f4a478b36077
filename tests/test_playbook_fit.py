"""Playbooks that fit this seller: typed `requires`, step variants, the default minimum
probability, the public-date floor, one step under several events, the folded backlog, the
bundled Chinese New Year and duty-change rules, and a fresh `config init` on day one."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from riskmon.core import playbooks as pb
from riskmon.sources.config.load import bundled_playbooks
from tests.support import write_config
from tests.test_playbooks import (
    EVENTS,
    EXPOSURE,
    NOW,
    bundled_plan,
    ch,
    ev,
    make_config,
    plan_with,
    playbook_problems,
    rule,
    seller,
    steps_of,
)

RELEASE = "2026-12-07"


def parcel_seller(**kw: Any) -> Any:
    """A US seller shipping TikTok Shop orders as parcels from a platform warehouse, with an own store."""
    tiktok = {"kind": "social_shop", "warehouse": "platform", "supply_route": "parcel"} | kw
    return seller(ch("tiktok-us", "tiktok", 0.6, **tiktok), ch("shop", "shopify", 0.4, kind="own_store"))


def jakarta_seller(own_store: bool = False) -> Any:
    """65% of orders on TikTok Shop Indonesia, the rest on Shopee."""
    chans = [
        ch("tiktok-id", "tiktok", 0.65, kind="social_shop", regions=["ID"]),
        ch("shopee-id", "shopee", 0.35, regions=["ID"]),
    ]
    if own_store:
        chans.append(ch("shop", "shopify", 0.0, kind="own_store", regions=["ID"]))
    return seller(*chans, currency="IDR")


# ---------------------------------------------------------------------------------------------
# requires


@pytest.mark.parametrize(
    ("requires", "fits"),
    [
        ({"own_store": True}, True),
        ({"own_store": False}, False),
        ({"platforms": ["shopify"]}, True),
        ({"platforms": ["amazon"]}, False),
        ({"channel_kinds": ["social_shop"]}, True),
        ({"channel_kinds": ["marketplace"]}, False),  # the ban hits the TikTok Shop, not a marketplace
        ({"channel_kinds": ["own_store"]}, False),  # the own store is only reached through links
        ({"warehouse": ["platform", "none"]}, True),
        ({"warehouse": ["virtual"]}, False),
        ({"supply_route": ["parcel"]}, True),
        ({"supply_route": ["bulk", "local"]}, False),
        ({"regions": ["US"]}, True),
        ({"regions": ["ID"]}, False),
        ({"own_store": True, "warehouse": ["platform"], "regions": ["US"]}, True),
        ({"own_store": True, "warehouse": ["own"]}, False),  # every fact must hold
    ],
)
def test_requires_on_a_rule_reads_the_channels_the_event_hits(requires: dict[str, Any], fits: bool) -> None:
    p = plan_with([rule(requires=requires)], parcel_seller(), [ev("us-ban", "ban")])
    assert bool(p.for_event("us-ban")) is fits
    if fits:
        (s,) = p.for_event("us-ban")
        assert s.because[-1] != "any event that reaches you", "the facts that made it fit are named"


def test_requires_on_a_step_hides_only_that_step() -> None:
    steps = [
        {"id": "always", "text": "Always."},
        {"id": "own", "text": "Own store.", "requires": {"own_store": True}},
        {"id": "virtual", "text": "Virtual.", "requires": {"warehouse": ["virtual"]}},
    ]
    p = plan_with([rule(steps=steps)], parcel_seller(), [ev("us-ban", "ban")])
    assert set(steps_of(p, "us-ban")) == {"always", "own"}


def test_step_variants_the_first_that_fits_shows() -> None:
    steps = [
        {"id": "list", "text": "WhatsApp.", "requires": {"regions": ["ID"]}},
        {"id": "list", "text": "Email."},
    ]
    r = rule(steps=steps)
    us = plan_with([r], parcel_seller(), [ev("us-ban", "ban")])
    jkt = plan_with([r], jakarta_seller(), [ev("id-stop", "shop_closure", regions=["ID"])])
    assert steps_of(us, "us-ban")["list"].text == "Email."
    assert steps_of(jkt, "id-stop")["list"].text == "WhatsApp."


def test_indonesian_sellers_keep_their_customer_list_on_whatsapp() -> None:
    stop = ev("id-tiktok-shop-stop", "shop_closure", "2023-10-04", regions=["ID"])
    steps = steps_of(bundled_plan(jakarta_seller(), [stop], now=datetime(2023, 9, 28, tzinfo=UTC)), stop.id)
    assert "WhatsApp" in steps["email-capture"].text and "WhatsApp" in steps["welcome-email"].text
    assert not any("email" in s.text.lower() for s in steps.values() if s.id != "email-capture")
    us = steps_of(bundled_plan(parcel_seller(), [ev("us-ban", "ban")]), "us-ban")
    assert "email" in us["email-capture"].text and "WhatsApp" not in us["email-capture"].text


def test_bundled_steps_that_name_an_own_store_require_one() -> None:
    for r in bundled_playbooks():
        for s in r.steps:
            needs = (r.requires and r.requires.own_store) or (s.requires and s.requires.own_store) or r.no_own_store
            assert needs or not re.search(r"\{own_store\}|own store", s.text), (r.id, s.id)


def test_standing_steps_speak_whatsapp_in_indonesia() -> None:
    jkt = steps_of(bundled_plan(jakarta_seller(), []), "standing:open-own-store")
    assert "WhatsApp" in jkt["start-email-list"].text
    us = steps_of(bundled_plan(seller(ch("amazon-us", "amazon", 1.0)), []), "standing:open-own-store")
    assert "emails" in us["start-email-list"].text


def test_a_ban_reaching_you_only_through_links_leaves_stock_and_payouts_alone() -> None:
    """A US clothing store with 43% of its orders from TikTok links, and no TikTok Shop."""
    links_only = seller(ch("shop", "shopify", 1.0, kind="own_store", traffic=[{"via": "tiktok", "share": 0.43}]))
    p = bundled_plan(links_only, [ev("us-ban", "ban")])
    rules = {s.rule_id for s in p.for_event("us-ban")}
    assert "ban-move-audience" in rules and not rules & {"stock-out-of-reach", "pull-payouts"}
    assert all("stops selling" not in s.text for s in steps_of(p, "us-ban").values())
    shop = {s.rule_id for s in bundled_plan(parcel_seller(), [ev("us-ban", "ban")]).for_event("us-ban")}
    assert {"stock-out-of-reach", "pull-payouts"} <= shop


def test_steps_for_an_own_store_need_one() -> None:
    """A seller without an own store is not told to pin "search for your own store"."""
    cut = ev("cut", "link_cutoff", "2025-03-01")
    without = steps_of(bundled_plan(jakarta_seller(), [ev("cut", "link_cutoff", "2025-03-01", regions=["ID"])]), "cut")
    assert "pin-where-to-buy" not in without and "hook-product" not in without
    assert all("own store" not in s.text for s in without.values())
    link_seller = seller(
        ch("tiktok-us", "tiktok", 0.2, kind="social_shop"),
        ch("shop", "shopify", 0.8, kind="own_store", traffic=[{"via": "tiktok", "share": 0.3}]),
    )
    assert "pin-where-to-buy" in steps_of(bundled_plan(link_seller, [cut]), "cut")


def test_bad_requires_are_file_line_problems_with_a_suggestion(tmp_path: Path) -> None:
    d = make_config(
        tmp_path,
        """\
        [[rules]]
        id = "mine"
        title = "Mine"
        requires = { warehous = ["platform"] }

        [[rules.steps]]
        id = "s"
        text = "Do it."
        requires = { supply_route = ["parcels"], channel_kinds = ["social"] }

        [[rules.steps]]
        id = "t"
        text = "Do it."
        requires = { regions = ["Indonesia"] }
        """,
    )
    text, where = playbook_problems(d)
    assert f"{where}:4: rules[mine].requires.warehous:" in text and "did you mean 'warehouse'" in text
    assert f"{where}:9: rules[mine].steps[s].requires.supply_route[0]:" in text and "'parcel'" in text
    assert f"{where}:9: rules[mine].steps[s].requires.channel_kinds[0]:" in text and "'social_shop'" in text
    assert f"{where}:14: rules[mine].steps[t].requires.regions: 'INDONESIA': use ISO 3166-1" in text


# ---------------------------------------------------------------------------------------------
# Probability and dates


def test_an_unlikely_event_gets_no_playbook_unless_a_rule_asks() -> None:
    remote = ev("rumour", "ban", status="rumored", probability=0.05)
    assert plan_with([rule()], parcel_seller(), [remote]).for_event("rumour") == ()
    assert plan_with([rule(min_probability=0.01)], parcel_seller(), [remote]).for_event("rumour") != ()
    assert pb.DEFAULT_MIN_PROBABILITY == 0.1


def test_a_step_is_never_due_before_the_event_was_public() -> None:
    """Announced on 1 January for 19 January: a step 30 days before is due on 2 January."""
    timeline = [{"date": "2025-01-01", "status": "announced"}]
    late_news = ev("us-ban", "ban", "2025-01-19", timeline=timeline, status="announced")
    r = rule(
        steps=[{"id": "early", "text": "Early.", "due_days": -30}, {"id": "late", "text": "Late.", "due_days": -7}]
    )
    steps = steps_of(plan_with([r], parcel_seller(), [late_news], now=datetime(2025, 1, 3, tzinfo=UTC)), "us-ban")
    assert steps["early"].due == datetime(2025, 1, 2, tzinfo=UTC) and steps["early"].overdue
    assert steps["late"].due == datetime(2025, 1, 12, tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# One step under several events; the next actions


def test_the_same_step_under_two_events_is_one_step() -> None:
    r = rule(steps=[{"id": "export", "text": "Export your {platform} customers.", "due_days": -7}])
    both = [ev("us-ban", "ban", "2025-02-01"), ev("us-closure", "shop_closure", "2025-03-01")]
    p = plan_with([r], parcel_seller(), both)
    (item,) = p.items()
    assert item.keys == ("us-ban", "us-closure") and item.step.due == datetime(2025, 1, 25, tzinfo=UTC)
    assert item.line() == "by 2025-01-25: Export your TikTok customers. (us-ban, us-closure)"
    # Ticked under one event, done under both.
    p = pb.plan(p.assessment, [r], progress={("us-closure", "export"): {"done": True, "at": NOW}})
    assert all(s.done for sg in p.suggestions() for s in sg.steps) and p.next_actions() == []


def test_next_actions_put_this_month_first_and_fold_the_old_backlog() -> None:
    old = ev("old-ban", "ban", "2024-06-01", status="in_effect")
    soon = ev("fees", "fee_change", "2025-01-12", platforms=("shopify",), impact={"fee_delta": 0.05})
    r = rule(steps=[{"id": f"s{d}", "text": f"Step {{event}} {d}.", "due_days": -d} for d in (30, 14, 0)])
    p = plan_with([r], parcel_seller(), [old, soon])
    actions = p.next_actions(None)
    # The fee's steps, one of them 20 days overdue, come before the ban's seven-month-old backlog.
    assert [type(a).__name__ for a in actions] == ["Item", "Item", "Item", "Overdue"]
    assert [a.step.id for a in actions if isinstance(a, pb.Item)] == ["s30", "s14", "s0"]
    folded = actions[3]
    assert isinstance(folded, pb.Overdue) and [i.step.id for i in folded.items] == ["s30", "s14", "s0"]
    assert folded.line() == "3 steps overdue by more than 30 days for old-ban: s30, s14, s0"
    assert p.action_lines(2) == [
        "overdue since 2024-12-13: Step fees 30. (fees)",
        "overdue since 2024-12-29: Step fees 14. (fees)",
    ]


# ---------------------------------------------------------------------------------------------
# The bundled rules for Chinese New Year and duty changes on parcels


def test_chinese_new_year_says_order_early_and_ship_before_the_factories_close() -> None:
    order_by = [{"date": "2026-12-26", "what": "Place orders with Chinese suppliers"}]
    cny = ev("chinese-new-year-2027", "season", "2027-01-23", platforms=("*",), regions=["*"], deadlines=order_by)
    now = datetime(2026, 12, 7, tzinfo=UTC)
    steps = steps_of(bundled_plan(parcel_seller(supply_route="bulk"), [cny], now=now), cny.id)
    assert {"cny-order-early", "cny-ship-before-close"} <= set(steps)
    assert steps["cny-order-early"].text.startswith("Order early")
    assert steps["cny-ship-before-close"].text.startswith("Ship before the factories close")
    assert not any(
        s.rule_id == "peak-season-hedge" for s in bundled_plan(parcel_seller(), [cny], now=now).suggestions()
    )
    assert "deadline-place-orders-with-chinese-suppliers" in steps
    # Goods bought locally do not wait for Chinese factories, and a closure a year off is not yet news.
    local = seller(ch("amazon-us", "amazon", 1.0, supply_route="local"))
    assert bundled_plan(local, [cny], now=now).for_event(cny.id) == ()
    year_before = bundled_plan(parcel_seller(supply_route="bulk"), [cny], now=now - timedelta(days=365))
    assert year_before.for_event(cny.id) == ()


def test_a_duty_change_on_parcels_says_move_stock_reprice_and_check_landed_cost() -> None:
    duty = ev("us-de-minimis", "duty_change", "2025-05-02", routes=["parcel"], impact={"duty_delta": 0.3})
    now = datetime(2025, 4, 2, tzinfo=UTC)
    plan = bundled_plan(parcel_seller(), [duty], now=now)
    steps = steps_of(plan, duty.id)
    assert [
        s.id
        for s in sorted(steps.values(), key=lambda s: s.due)
        if s.id in {"landed-cost", "bulk-or-overseas-warehouse", "reprice-landed"}
    ] == ["landed-cost", "bulk-or-overseas-warehouse", "reprice-landed"]
    assert "bulk import or a real overseas warehouse" in steps["bulk-or-overseas-warehouse"].text
    # A seller importing in bulk is not told to stop shipping parcels.
    bulk = bundled_plan(parcel_seller(supply_route="bulk"), [duty], now=now)
    assert "bulk-or-overseas-warehouse" not in steps_of(bulk, duty.id)


# ---------------------------------------------------------------------------------------------
# Day one: a fresh `config init`, as a new user reads it


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "riskmon", *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


OVERDUE_DAYS = re.compile(r"overdue (\d+) d")


@pytest.mark.parametrize("now", [None, RELEASE], ids=["today", "release"])
def test_a_fresh_config_init_shows_a_short_current_checklist(tmp_path: Path, now: str | None) -> None:
    env = {**os.environ, "RISKMON_DATA": str(tmp_path / "data"), "NO_COLOR": "1", "COLUMNS": "200"}
    cfg = tmp_path / "cfg"
    assert _run("config", "init", str(cfg), env=env).returncode == 0
    common = ["--config", str(cfg), "--db", str(tmp_path / "history.json"), "--offline"]
    common += ["--now", now] if now else []
    r = _run("playbook", *common, env=env)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    head = re.match(r"Playbook for .*: (\d+) open steps?, (\d+) overdue", lines[0])
    assert head is not None, lines[0]
    assert 1 <= int(head[1]) <= 12, r.stdout
    screen = lines[:24]
    late = [int(n) for line in screen for n in OVERDUE_DAYS.findall(line)]
    assert all(n <= 30 for n in late), r.stdout
    assert "overdue by more than" not in "\n".join(screen)

    r = _run("check", *common, "--no-history", "-v", env=env)
    assert r.returncode in (0, 1, 2), r.stdout + r.stderr
    actions = r.stdout.split("next actions:\n", 1)[1].splitlines()
    assert actions and all(a.startswith("  - ") for a in actions[:5]), r.stdout
    today = datetime.fromisoformat(now).replace(tzinfo=UTC) if now else datetime.now(UTC)
    for since in re.findall(r"overdue since (\d{4}-\d{2}-\d{2})", "\n".join(actions)):
        assert datetime.fromisoformat(since).replace(tzinfo=UTC) >= today - timedelta(days=31), r.stdout
    assert "overdue by more than" not in r.stdout


CLOSURE = """
[[events]]
id = "us-closure"
title = "US shop closure"
kind = "shop_closure"
platforms = ["tiktok"]
regions = ["US"]
status = "confirmed"
effective = 2025-06-01
"""


def test_a_shared_step_is_listed_once_ticked_once_and_an_old_backlog_folds(tmp_path: Path) -> None:
    env = {**os.environ, "RISKMON_DATA": str(tmp_path / "data"), "NO_COLOR": "1"}
    cfg = write_config(tmp_path, exposure=EXPOSURE, events=EVENTS + CLOSURE)  # the ban of test_playbooks
    common = ["--config", str(cfg), "--db", str(tmp_path / "history.json"), "--now", "2025-04-01"]
    r = _run("playbook", *common, env=env)
    assert r.returncode == 0, r.stderr
    rows = [line for line in r.stdout.splitlines() if line.startswith("[")]
    shared = [line for line in rows if " export-customers " in line]
    assert len(shared) == 1 and "us-ban, us-closure" in shared[0], r.stdout
    # The ban took effect in January: its steps are months overdue and fold into one line, after
    # the steps due this month; the closure's come later (and with them the shared step).
    folded = next(i for i, line in enumerate(rows) if "overdue by more than 30 days" in line)
    assert " us-ban " in rows[folded] and "export-customers" not in rows[folded]
    assert all(re.search(r" in \d+ d ", line) for line in rows[:folded]) and folded < rows.index(shared[0])
    r = _run("check", *common, "--no-history", "-v", env=env)
    assert "steps overdue by more than 30 days for us-ban: " in r.stdout, r.stdout
    actions = json.loads(_run("playbook", *common, "-f", "json", env=env).stdout)["next_actions"]
    folded = [a for a in actions if a.get("folded")]
    assert [a["key"] for a in folded] == ["us-ban"] and "cross-post" in folded[0]["steps"]

    assert _run("playbook", *common, "done", "us-closure", "export-customers", env=env).returncode == 0
    r = _run("playbook", *common, "-f", "json", env=env)
    items = [i for i in json.loads(r.stdout)["items"] if i["id"] == "export-customers"]
    assert len(items) == 1 and items[0]["done"] and items[0]["keys"] == ["us-ban", "us-closure"]
