"""The dashboard driven through App.run_test(): navigation, sorting, filtering, the detail numbers,
playbook steps (event and standing), theme, the Monitor's live updates (config reload, new and
changed events, hanging feeds, quitting), news headlines and hostile titles."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, SelectionList

from riskmon.core.engine import assess
from riskmon.present.text import money
from riskmon.sources.config.load import load_config
from riskmon.tui.app import RiskmonApp, create_app
from riskmon.tui.widgets.playbook_panel import PlaybookPanel
from tests import support
from tests.support import cell, row_keys, wait_for
from tests.tui_support import dashboard_ready

try:
    from tests.servers import hang, local_server, static
except ImportError:  # pragma: no cover - run from tests/
    from servers import hang, local_server, static  # type: ignore[no-redef]

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
    """Feed caches and history go to the test's own directory; config edits are seen at once."""
    monkeypatch.setenv("RISKMON_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("RISKMON_CONFIG", raising=False)
    monkeypatch.delenv("RISKMON_DB", raising=False)
    monkeypatch.setattr("riskmon.live.monitor.RELOAD_EVERY", 0.2)


def write_config(root: Path, events: str = EVENTS, riskmon: str = "") -> Path:
    return support.write_config(root, exposure=EXPOSURE, events=events, riskmon=riskmon or None)


async def on_screen(pilot: Pilot[Any], screen_id: str) -> None:
    """Wait until `screen_id` is showing and composed (pushing a screen mounts it a bit later)."""
    app = pilot.app
    await wait_for(pilot, lambda: app.screen.id == screen_id and app.screen.is_mounted and app.screen.children)
    await pilot.pause()


def make(tmp_path: Path, **kw: Any) -> RiskmonApp:
    cfg = kw.pop("cfg", None) or write_config(tmp_path)
    return create_app(cfg, tmp_path / "history.json", kw.pop("now", NOW), **kw)


def toasts(app: RiskmonApp) -> list[tuple[str, str]]:
    """(title, message) of every notification the app raises from now on."""
    return support.spy_notify(app, lambda title, message: (title, message))


async def loaded_with_history(pilot: Pilot[Any]) -> None:
    await dashboard_ready(pilot, 10)


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


async def test_toggling_event_and_standing_steps_persists(tmp_path: Path) -> None:
    from riskmon.store.history import HistoryStore

    db = tmp_path / "history.json"
    app = make(tmp_path)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded_with_history(pilot)
        loaded = app.loaded
        assert loaded is not None
        steps = loaded.playbooks["us-tiktok-ban"]
        await pilot.press("p")
        lst = app.screen.query_one("#pb-steps")
        assert lst.has_focus and lst.option_count == len(steps)  # type: ignore[attr-defined]
        await pilot.press("j", "space")
        key = ("us-tiktok-ban", steps[1].step_id)
        await wait_for(pilot, lambda: HistoryStore(db).steps().get(key, {}).get("done"))
        await pilot.press("space")
        await wait_for(pilot, lambda: HistoryStore(db).steps()[key]["done"] is False)
        # The standing suggestions (concentration: TikTok carries 62% of orders) under their own heading,
        # saved under the key `riskmon playbook done` takes.
        assert loaded.standing == ("standing:concentration-under-half",)
        title = str(app.screen.query_one("#pb-standing-title").render())
        assert "Standing" in title and "Bring TikTok under half of your orders" in title and "0/4 done" in title
        standing = app.screen.query_one("#pb-standing")
        assert standing.option_count == 4  # type: ignore[attr-defined]
        standing.focus()
        await pilot.press("space")
        first = loaded.playbooks["standing:concentration-under-half"][0].step_id
        skey = ("standing:concentration-under-half", first)
        await wait_for(pilot, lambda: HistoryStore(db).steps().get(skey, {}).get("done"))
        await wait_for(pilot, lambda: "1/4 done" in str(app.screen.query_one("#pb-standing-title").render()))


async def test_the_cursor_stays_on_the_ticked_step_when_the_list_is_re_ranked(tmp_path: Path) -> None:
    from riskmon.store.history import HistoryStore

    db = tmp_path / "history.json"
    app = make(tmp_path)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded_with_history(pilot)
        await pilot.press("p")
        panel = app.screen.query_one("#playbook", PlaybookPanel)
        lst = app.screen.query_one("#pb-steps", SelectionList)
        ticked = panel.steps[lst.highlighted or 0]
        await pilot.press("space")
        await wait_for(pilot, lambda: HistoryStore(db).steps().get((ticked.key, ticked.step_id), {}).get("done"))
        before = app.loaded
        app.action_refresh()  # a load ranks the done step lower
        await wait_for(pilot, lambda: app.loaded is not before)
        await pilot.pause()
        assert [s.step_id for s in panel.steps].index(ticked.step_id) != 0  # it did move
        assert panel.steps[lst.highlighted or 0].step_id == ticked.step_id  # and the cursor with it
        await pilot.press("space")  # so space unticks it, not the step that took its place
        await wait_for(pilot, lambda: HistoryStore(db).steps()[(ticked.key, ticked.step_id)]["done"] is False)
        assert sum(1 for v in HistoryStore(db).steps().values() if v["done"]) == 0


async def test_tick_then_untick_ends_unticked_whichever_write_runs_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from riskmon.store.history import HistoryStore
    from riskmon.tui.source import ViewSource

    real = ViewSource.set_step
    calls: list[bool] = []

    def first_one_slow(self: ViewSource, key: str, step_id: str, done: bool, now: datetime) -> None:
        calls.append(done)
        if len(calls) == 1:
            time.sleep(0.4)  # the tick's thread is descheduled before it reaches history
        real(self, key, step_id, done, now)

    monkeypatch.setattr(ViewSource, "set_step", first_one_slow)
    db = tmp_path / "history.json"
    app = make(tmp_path)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded_with_history(pilot)
        await pilot.press("p")
        panel = app.screen.query_one("#playbook", PlaybookPanel)
        lst = app.screen.query_one("#pb-steps", SelectionList)
        step = panel.steps[lst.highlighted or 0]
        await pilot.press("space", "space")
        await wait_for(pilot, lambda: len(calls) == 2)
        await pilot.pause(0.6)
        assert HistoryStore(db).steps().get((step.key, step.step_id), {}).get("done") is not True


async def test_standing_playbook_shows_without_a_selected_event(tmp_path: Path) -> None:
    app = make(tmp_path)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded_with_history(pilot)
        await pilot.press("slash", *"nothing-matches", "enter")
        await pilot.pause()
        panel = app.screen.query_one("#playbook")
        assert "Select an event" in str(panel.query_one("#pb-title").render())
        assert not panel.query_one("#pb-steps").display
        assert panel.query_one("#pb-standing").option_count == 4  # type: ignore[attr-defined]
        await pilot.press("p")
        assert panel.query_one("#pb-standing").has_focus


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
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded_with_history(pilot)
        seen = toasts(app)
        assert app.monitor is not None and app.monitor.running
        score = app.loaded.evaluation.assessment.score  # type: ignore[union-attr]
        banner = app.screen.query_one("#banner")
        (cfg / "exposure.toml").write_text(EXPOSURE.replace("gross_margin = 0.35", "gross_margn = 0.35"))
        await wait_for(pilot, lambda: banner.has_class("-shown"))
        text = str(banner.render())
        assert "Config is invalid: showing the last good state" in text
        assert "exposure.toml" in text and "gross_margn" in text
        assert f"score {score:.0f}/100" in str(app.screen.query_one("#headline").render())
        assert app.screen.query_one("#events", DataTable).row_count == 3
        assert any("exposure.toml" in message for _, message in seen)
        # Further updates (a refresh) keep the numbers and the banner.
        await pilot.press("r")
        await wait_for(pilot, lambda: app.loaded is not None and "refresh" in app.loaded.update.reason.split(", "))
        await pilot.pause()
        assert banner.has_class("-shown")
        assert f"score {score:.0f}/100" in str(app.screen.query_one("#headline").render())
        # Fixing the file reloads it and clears the banner.
        await asyncio.sleep(0.05)
        (cfg / "exposure.toml").write_text(EXPOSURE.replace("order_share = 0.2\n", "order_share = 0.1\n"))
        await wait_for(pilot, lambda: not banner.has_class("-shown"))
        await wait_for(pilot, lambda: app.loaded.evaluation.config.profile.channels[1].order_share == 0.1)  # type: ignore[union-attr]
        assert ("Config", "Config reloaded from disk.") in seen


async def test_invalid_config_at_start_shows_the_banner(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    (cfg / "exposure.toml").write_text(EXPOSURE.replace("gross_margin = 0.35", "gross_margn = 0.35"))
    app = make(tmp_path, cfg=cfg)
    seen = toasts(app)
    async with app.run_test(size=(140, 45)) as pilot:
        banner = app.screen.query_one("#banner")
        await wait_for(pilot, lambda: banner.has_class("-shown"))
        assert "Config is invalid" in str(banner.render()) and "gross_margn" in str(banner.render())
        await wait_for(pilot, lambda: app.last_update is not None and app.last_update.config_error)
        await pilot.pause(0.3)
        assert app.loaded is None
        assert [title for title, _ in seen] == ["Config is invalid"]  # the first load and the Monitor agree
        (cfg / "exposure.toml").write_text(EXPOSURE)
        await wait_for(pilot, lambda: app.loaded is not None and not banner.has_class("-shown"))
        assert ("Config", "Config reloaded from disk.") in seen


async def test_a_new_or_changed_event_shows_a_toast_and_a_highlight(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    app = make(tmp_path, cfg=cfg)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded_with_history(pilot)
        seen = toasts(app)
        events = app.screen.query_one("#events", DataTable)
        assert cell(events, "amazon-fee", "new") == ""
        added = """
[[events]]
id = "etsy-fee"
title = "Etsy fee up"
kind = "fee_change"
platforms = ["etsy"]
status = "announced"
effective = 2025-02-01
"""
        (cfg / "events.toml").write_text(EVENTS.replace('status = "announced"', 'status = "confirmed"') + added)
        await wait_for(pilot, lambda: "etsy-fee" in row_keys(events))
        await pilot.pause()
        assert cell(events, "etsy-fee", "new") == "●"
        assert cell(events, "amazon-fee", "new") == "◆"
        assert cell(events, "us-tiktok-ban", "new") == ""
        await wait_for(pilot, lambda: any(title == "Events changed" for title, _ in seen))
        message = next(m for title, m in seen if title == "Events changed")
        assert "new: Etsy fee up" in message and "status announced → confirmed" in message
        # The marks stay through the next reassessment.
        await pilot.press("r")
        await wait_for(pilot, lambda: app.loaded is not None and "refresh" in app.loaded.update.reason.split(", "))
        await pilot.pause()
        assert cell(events, "etsy-fee", "new") == "●"


async def test_changes_since_the_last_run_come_from_history(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    app = make(tmp_path, cfg=cfg, now=None)  # the wall clock: history is recorded
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.last_update is not None and app.last_update.primed)
        await loaded_with_history(pilot)
    assert (tmp_path / "history.json").exists()
    (cfg / "events.toml").write_text(EVENTS.replace('status = "rumored"', 'status = "announced"'))
    app = make(tmp_path, cfg=cfg, now=None)
    seen = toasts(app)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: any(title == "Since the last run" for title, _ in seen))
        await wait_for(pilot, lambda: app.loaded is not None and "link-cutoff" in app.loaded.changes.changed)
        await pilot.pause()
        events = app.screen.query_one("#events", DataTable)
        assert cell(events, "link-cutoff", "new") == "◆"


async def test_a_hanging_feed_does_not_block_keys_or_quitting(tmp_path: Path) -> None:
    with local_server() as server:
        url = server.route("/events.json", hang)
        feeds = f'[[feeds]]\nname = "slow"\ntype = "http"\nurl = "{url}"\nevery = "1m"\ntimeout = 20\n'
        cfg = write_config(tmp_path, riskmon=feeds)
        app = make(tmp_path, cfg=cfg)
        async with app.run_test(size=(140, 45)) as pilot:
            await wait_for(pilot, lambda: app.loaded is not None)
            await wait_for(pilot, lambda: server.hits("/events.json"))  # the Monitor's poll is hanging
            await pilot.pause()
            assert app.monitor is not None and not app.monitor.primed
            assert "first poll under way" in app.status_parts()
            started = time.monotonic()
            events = app.screen.query_one("#events", DataTable)
            await pilot.press("j")
            await pilot.press("t")
            assert events.cursor_row == 1
            assert app.current_theme.dark is False
            await pilot.press("r")  # a refresh meanwhile: the feed's poll under way is not doubled
            # Far under the feed's 20 s timeout: nothing waited for it (a loose bound, not a speed target).
            assert time.monotonic() - started < 8.0
            await pilot.press("h")
            await on_screen(pilot, "history")
            await pilot.press("escape")
            await on_screen(pilot, "dashboard")
            assert len(server.hits("/events.json")) == 1
            status = str(app.screen.query_one("#status").render())
            assert "next poll in" in status and "(slow)" in status
            await pilot.press("q")
            quit_at = time.monotonic()
        assert time.monotonic() - quit_at < 8.0  # not the feed's 20 s timeout
        assert app.monitor is not None and not app.monitor.running


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Seller news</title><link>https://news.example/</link>
<item><title>TikTok Shop to stop orders in Indonesia</title><link>https://news.example/1</link>
<pubDate>Wed, 04 Oct 2023 10:00:00 GMT</pubDate></item>
<item><title>[@click=app.quit]Bytedance[/] news \x1b[31m&lt;b&gt;x&lt;/b&gt;</title><link>https://news.example/2</link>
<pubDate>Thu, 05 Oct 2023 10:00:00 GMT</pubDate></item>
</channel></rss>"""


def with_news(root: Path, server: Any) -> Path:
    """The config with an RSS feed served by `server` (tests.servers): RSS's two headlines."""
    url = server.route("/rss", static(RSS.encode(), content_type="application/rss+xml"))
    feeds = f'[[feeds]]\nname = "news"\ntype = "rss"\nurl = "{url}"\nkeywords = {{ tiktok = ["tiktok"] }}\n'
    return write_config(root, riskmon=feeds)


async def test_news_headlines_on_the_history_screen(tmp_path: Path) -> None:
    with local_server() as server:
        app = make(tmp_path, cfg=with_news(tmp_path, server))
        async with app.run_test(size=(140, 45)) as pilot:
            await wait_for(pilot, lambda: app.loaded is not None and len(app.loaded.evaluation.headlines) == 2)
            await pilot.pause()
            assert "2 headlines (h)" in str(app.screen.query_one("#status").render())
            await pilot.press("h")
            await on_screen(pilot, "history")
            news = app.screen.query_one("#news", DataTable)
            titles = [str(news.get_row_at(i)[3].plain) for i in range(news.row_count)]
            assert titles == ["[@click=app.quit]Bytedance[/] news x", "TikTok Shop to stop orders in Indonesia"]
            assert str(news.get_row_at(1)[2].plain) == "tiktok"
            assert "News: 2 headlines from 1 RSS feed" in str(app.screen.query_one("#news-title").render())
            await pilot.click("#news", offset=(60, 1))
            await pilot.pause()
            assert app.is_running


async def test_hostile_titles_are_shown_as_typed_and_do_nothing(tmp_path: Path) -> None:
    toml_title = HOSTILE.replace("\x1b", "\\u001b")
    events = EVENTS.replace('title = "Outbound links end"', f'title = "{toml_title}"')
    cfg = write_config(tmp_path, events=events)
    app = make(tmp_path, cfg=cfg)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.loaded is not None)
        table = app.screen.query_one("#events", DataTable)
        shown = cell(table, "link-cutoff", "title")
        typed = "[@click=app.quit]x[/] red [b]bold[/b]"
        assert shown == typed or (shown.endswith("…") and typed.startswith(shown[:-1]))  # cut to fit
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
