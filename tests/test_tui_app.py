"""The dashboard driven through App.run_test(): navigation, sorting, filtering, the detail numbers,
playbook steps, theme, config reload, hanging feeds and hostile titles."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from riskmon.config import load_config
from riskmon.engine import assess
from riskmon.textreport import money
from riskmon.tui.app import RiskmonApp, create_app
from riskmon.tui.source import Loaded, RefreshSource, StepView

NOW = datetime(2025, 1, 10, tzinfo=UTC)
HOSTILE = "[@click=app.quit]x[/] \x1b[31mred\x1b[0m [b]bold[/b]"

EXPOSURE = """\
[business]
name = "Harbor Home & Pet"
currency = "USD"
monthly_revenue = 400000
gross_margin = 0.35
monthly_fixed_costs = 90000
cash_on_hand = 150000

[[channels]]
id = "tiktok-us"
platform = "tiktok"
kind = "social_shop"
regions = ["US"]
order_share = 0.55
inventory_value = 420000
pending_payouts = 65000
deposit = 5000

[[channels]]
id = "amazon-us"
platform = "amazon"
regions = ["US"]
order_share = 0.2
inventory_value = 90000
pending_payouts = 30000

[[channels]]
id = "shop"
platform = "shopify"
kind = "own_store"
regions = ["US"]
order_share = 0.25
traffic = [{ via = "tiktok", feature = "external_link", share = 0.30 }]
"""

EVENTS = """\
[[events]]
id = "us-tiktok-ban"
title = "US divest-or-ban law takes effect"
kind = "ban"
platforms = ["tiktok"]
regions = ["US"]
status = "confirmed"
effective = 2025-01-19
deadlines = [{ date = 2025-01-18, what = "Export follower list and content" }]
sources = ["https://example.org/ban"]

[[events]]
id = "amazon-fee"
title = "Amazon referral fee +2 points"
kind = "fee_change"
platforms = ["amazon"]
status = "announced"
effective = 2025-02-15
impact = { fee_delta = 0.02 }

[[events]]
id = "link-cutoff"
title = "Outbound links end"
kind = "link_cutoff"
platforms = ["tiktok"]
regions = ["US"]
status = "rumored"
effective = 2025-03-01
"""


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Feed caches and history go to the test's own directory."""
    monkeypatch.setenv("RISKMON_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("RISKMON_CONFIG", raising=False)
    monkeypatch.delenv("RISKMON_DB", raising=False)


def write_config(root: Path, events: str = EVENTS, riskmon: str = "") -> Path:
    cfg = root / "cfg"
    cfg.mkdir(exist_ok=True)
    (cfg / "exposure.toml").write_text(EXPOSURE)
    (cfg / "events.toml").write_text(events)
    if riskmon:
        (cfg / "riskmon.toml").write_text(riskmon)
    return cfg


async def wait_for(pilot: Pilot[Any], cond: Callable[[], object], timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.05)


async def on_screen(pilot: Pilot[Any], screen_id: str) -> None:
    """Wait until `screen_id` is showing and composed (pushing a screen mounts it a bit later)."""
    app = pilot.app
    await wait_for(pilot, lambda: app.screen.id == screen_id and app.screen.is_mounted and app.screen.children)
    await pilot.pause()


def make(tmp_path: Path, **kw: Any) -> RiskmonApp:
    cfg = kw.pop("cfg", None) or write_config(tmp_path)
    return create_app(cfg, tmp_path / "history.json", kw.pop("now", NOW), **kw)


def cell(table: DataTable[Any], row: str, col: str) -> str:
    return str(table.get_cell(row, col).plain)


def row_keys(table: DataTable[Any]) -> list[str]:
    return [str(table.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(table.row_count)]


async def test_dashboard_shows_the_assessment_and_navigates(tmp_path: Path) -> None:
    app = make(tmp_path)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.loaded is not None)
        await pilot.pause()
        a = app.loaded.evaluation.assessment  # type: ignore[union-attr]
        assert a.level.name == "CRITICAL"
        header = str(app.screen.query_one("#headline").render())
        assert f"score {a.score:.0f}/100" in header and "Harbor Home & Pet" in header
        assert str(app.screen.query_one("#level").render()).strip() == "CRITICAL"
        events = app.screen.query_one("#events", DataTable)
        assert events.has_focus
        assert row_keys(events)[0] == "us-tiktok-ban"
        assert cell(events, "us-tiktok-ban", "when") == "in 9 d"
        await pilot.press("j")
        assert events.cursor_row == 1
        await pilot.press("k", "down")
        assert events.cursor_row == 1
        key = row_keys(events)[1]
        await pilot.press("enter")
        await on_screen(pilot, "event-detail")
        assert key in str(app.screen.query_one("#detail-title").render())
        await pilot.press("escape")
        await on_screen(pilot, "dashboard")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        await pilot.press("escape")
        await pilot.press("h")
        await on_screen(pilot, "history")
        await pilot.press("1")
        await wait_for(pilot, lambda: app.screen.range_key == "7d")  # type: ignore[attr-defined]
        await pilot.press("escape")
        await on_screen(pilot, "dashboard")


async def test_sorting_and_filtering_events(tmp_path: Path) -> None:
    app = make(tmp_path)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.loaded is not None)
        events = app.screen.query_one("#events", DataTable)
        a = app.loaded.evaluation.assessment  # type: ignore[union-attr]
        by_score = [e.id for e in sorted(a.events, key=lambda e: -e.score)]
        assert row_keys(events) == by_score
        # Click the "When" header: soonest first; click again: latest first.
        app.screen.query_one("#events", DataTable).sort_by("when")  # type: ignore[attr-defined]
        await pilot.pause()
        soonest = [e.id for e in sorted(a.events, key=lambda e: e.days_until)]
        assert row_keys(events) == soonest
        await pilot.press("S")
        assert row_keys(events) == soonest[::-1]
        await pilot.press("s")  # next column: status
        assert events.sort_state.key == "status"  # type: ignore[attr-defined]
        # Filter with /
        await pilot.press("slash")
        await pilot.press(*"amazon")
        await pilot.pause()
        assert row_keys(events) == ["amazon-fee"]
        await pilot.press("enter")
        assert events.has_focus
        await pilot.press("escape")
        await pilot.pause()
        assert len(row_keys(events)) == 3
        # The exposure table sorts by its numbers.
        exposure = app.screen.query_one("#exposure", DataTable)
        exposure.sort_by("inventory")  # type: ignore[attr-defined]
        await pilot.pause()
        assert row_keys(exposure) == ["tiktok-us", "amazon-us", "shop"]


async def test_header_click_sorts(tmp_path: Path) -> None:
    app = make(tmp_path)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.loaded is not None)
        events = app.screen.query_one("#events", DataTable)
        events.post_message(DataTable.HeaderSelected(events, events.columns["p"].key, 4, events.columns["p"].label))  # type: ignore[index]
        await pilot.pause()
        assert events.sort_state.key == "p"  # type: ignore[attr-defined]


async def test_detail_numbers_equal_assess(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    config = load_config(cfg)
    expected = assess(config.profile, list(config.events), NOW, config.settings)
    app = make(tmp_path, cfg=cfg)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.loaded is not None)
        for e in expected.events:
            app.open_event(e.id)
            await on_screen(pilot, "event-detail")
            await pilot.pause()
            bt = app.screen.query_one("#breakdown", DataTable)
            m = lambda x: money(x, "USD")  # noqa: E731
            assert cell(bt, "profit at risk", "value") == m(e.profit_at_risk)
            assert cell(bt, "fee cost", "value").startswith(m(e.fee_cost))
            assert cell(bt, "cash frozen", "value") == m(e.cash_frozen)
            assert cell(bt, "inventory loss", "value") == m(e.inventory_loss)
            assert cell(bt, "deposit loss", "value") == m(e.deposit_loss)
            assert cell(bt, "loss", "value") == m(e.loss)
            assert cell(bt, "expected loss", "value") == m(e.expected_loss)
            assert cell(bt, "probability", "value") == f"{e.probability:.2f}"
            assert cell(bt, "urgency", "value") == f"{e.urgency:.3f}"
            assert cell(bt, "score", "value") == f"{e.score:.2f}"
            ct = app.screen.query_one("#channels", DataTable)
            for h in e.channels:
                assert cell(ct, h.channel_id, "loss") == m(h.loss)
            await pilot.press("escape")
            await on_screen(pilot, "dashboard")


class StepsSource(RefreshSource):
    """Adds a fixed playbook so the checklist can be tested on its own."""

    def load(self, *, offline: bool = False, reload: bool = False, history: bool = True) -> Loaded:
        loaded = super().load(offline=offline, reload=reload, history=history)
        done = {k for k, v in loaded.steps.items() if v["done"]}
        steps = [
            StepView("r", "Before a ban", s, f"step {s}", NOW, ("us-tiktok-ban", s) in done) for s in ("a", "b")
        ]
        loaded.playbooks["us-tiktok-ban"] = steps
        return loaded


async def test_toggling_a_step_persists(tmp_path: Path) -> None:
    HistoryStore = pytest.importorskip("riskmon.store").HistoryStore

    cfg = write_config(tmp_path)
    db = tmp_path / "history.json"
    app = create_app(source=StepsSource(cfg, db, NOW))
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.loaded is not None and app.loaded.with_history and not app.refreshing)
        await pilot.press("p")
        steps = app.screen.query_one("#pb-steps")
        assert steps.has_focus and steps.option_count == 2  # type: ignore[attr-defined]
        await pilot.press("j", "space")
        await wait_for(pilot, lambda: HistoryStore(db).steps().get(("us-tiktok-ban", "b"), {}).get("done"))
        await pilot.press("space")
        await wait_for(pilot, lambda: HistoryStore(db).steps()[("us-tiktok-ban", "b")]["done"] is False)


async def test_theme_switch(tmp_path: Path) -> None:
    app = make(tmp_path)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.loaded is not None)
        dark = app.theme
        await pilot.press("t")
        assert app.theme != dark and app.current_theme.dark is False
        await pilot.press("t")
        assert app.theme == dark


async def test_invalid_config_edit_keeps_the_last_good_state(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    app = make(tmp_path, cfg=cfg)
    app.source.config_check_every = 0.1
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.loaded is not None)
        score = app.loaded.evaluation.assessment.score  # type: ignore[union-attr]
        banner = app.screen.query_one("#banner")
        (cfg / "exposure.toml").write_text(EXPOSURE.replace("gross_margin = 0.35", "gross_margn = 0.35"))
        await wait_for(pilot, lambda: banner.has_class("-shown"))
        text = str(banner.render())
        assert "exposure.toml" in text and "gross_margn" in text
        assert f"score {score:.0f}/100" in str(app.screen.query_one("#headline").render())
        assert app.screen.query_one("#events", DataTable).row_count == 3
        # Fixing the file reloads it and clears the banner.
        await asyncio.sleep(0.05)
        (cfg / "exposure.toml").write_text(EXPOSURE.replace("order_share = 0.2\n", "order_share = 0.1\n"))
        await wait_for(pilot, lambda: not banner.has_class("-shown"))
        assert app.loaded.evaluation.config.profile.channels[1].order_share == 0.1  # type: ignore[union-attr]


async def test_a_hanging_feed_does_not_block_keys(tmp_path: Path) -> None:
    try:
        from tests.servers import hang, local_server
    except ImportError:  # pragma: no cover - run from tests/
        from servers import hang, local_server  # type: ignore[no-redef]

    with local_server() as server:
        url = server.route("/events.json", hang)
        feeds = f'[[feeds]]\nname = "slow"\ntype = "http"\nurl = "{url}"\ntimeout = 20\n'
        cfg = write_config(tmp_path, riskmon=feeds)
        app = make(tmp_path, cfg=cfg)
        async with app.run_test(size=(140, 45)) as pilot:
            await wait_for(pilot, lambda: app.loaded is not None)
            await wait_for(pilot, lambda: app.refreshing)  # the online poll is hanging
            started = time.monotonic()
            events = app.screen.query_one("#events", DataTable)
            await pilot.press("j")
            await pilot.press("t")
            assert events.cursor_row == 1
            assert app.current_theme.dark is False
            await pilot.press("r")  # a refresh asked for meanwhile waits; polls never overlap
            assert app.refreshing
            assert time.monotonic() - started < 2.0


async def test_hostile_titles_are_shown_as_typed_and_do_nothing(tmp_path: Path) -> None:
    toml_title = HOSTILE.replace("\x1b", "\\u001b")
    events = EVENTS.replace('title = "Outbound links end"', f'title = "{toml_title}"')
    cfg = write_config(tmp_path, events=events)
    app = make(tmp_path, cfg=cfg)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.loaded is not None)
        table = app.screen.query_one("#events", DataTable)
        shown = cell(table, "link-cutoff", "title")
        assert shown == "[@click=app.quit]x[/] red [b]bold[/b]"
        # Click on the title cell: nothing happens (no action link was made).
        while table.cursor_row != row_keys(table).index("link-cutoff"):
            await pilot.press("j")
        await pilot.pause()
        app.open_event("link-cutoff")
        await on_screen(pilot, "event-detail")
        title = app.screen.query_one("#detail-title")
        assert "[@click=app.quit]x[/]" in str(title.render())
        await pilot.click("#detail-title", offset=(22, 0))
        await pilot.pause()
        assert app.is_running
        await pilot.press("escape")
        # The command palette shows it as typed too.
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"link")
        await pilot.pause(0.3)
        assert app.is_running
        await pilot.press("escape")
