"""What a seller sees at a glance, read off the screen at 80x24, 120x35, 160x50 and 200x60: the
header's figures, the events by title, the next actions in full, the footer's keys.

Each test reads the rendered screen (Textual's screenshot, as text: `support.screen_lines`), not
widget state: a figure that is scrolled away or cut off fails."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from riskmon.core.engine import assess
from riskmon.present.text import money
from riskmon.sources.config.load import load_config
from riskmon.tui.app import RiskmonApp, create_app
from tests.support import row_keys, screen_lines, screen_text, wait_for, widget_text
from tests.test_tui_app import write_config
from tests.tui_support import dashboard_ready


def support_config(root: Path, exposure: str) -> Path:
    from tests import support
    from tests.test_tui_app import EVENTS

    return support.write_config(root, exposure=exposure, events=EVENTS)


NOW = datetime(2025, 1, 10, tzinfo=UTC)
SIZES = [(80, 24), (120, 35), (160, 50), (200, 60)]


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RISKMON_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("RISKMON_CONFIG", raising=False)
    monkeypatch.delenv("RISKMON_DB", raising=False)


def make(tmp_path: Path) -> tuple[RiskmonApp, Any]:
    cfg = write_config(tmp_path)
    config = load_config(cfg)
    return create_app(cfg, tmp_path / "history.json", NOW), assess(
        config.profile, list(config.events), NOW, config.settings
    )


async def ready(pilot: Pilot[Any]) -> None:
    await dashboard_ready(pilot, 20)


HEADER_ROWS = 3
"""Level, score, business and the money in two rows, then the top reason: at every width."""


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_the_header_says_level_score_and_money_at_every_size(tmp_path: Path, size: tuple[int, int]) -> None:
    from riskmon.present.text import chance, runway_phrase

    app, a = make(tmp_path)
    cur = a.profile.business.currency
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        text = screen_text(app)
        rows = screen_lines(app)[:HEADER_ROWS]
    head = " ".join(" ".join(rows).split())
    week = a.forecast.week_starts[a.cash_low_week]
    for figure in (
        a.level.name,
        f"score {a.score:.0f}/100",
        a.profile.business.name,
        f"loss {money(a.expected_loss, cur)}",  # "expected loss" or "exp. loss": the label shortens
        f"lowest {money(a.cash_low, cur)}",
        f"{week:%Y-%m-%d}",
        f"shortfall {chance(a.cash_shortfall_probability)}" if size[0] < 120 else "shortfall chance",
        runway_phrase(a),  # check's words for the runway
        f"Why: {a.reasons[0]}",
    ):
        assert figure in head, f"{figure!r} not in the header's {HEADER_ROWS} rows at {size}:\n{text}"
    assert "no burn" not in text
    assert rows[1].strip() and rows[2].strip().startswith("Why:")  # nothing wrapped into a 4th row
    if size[0] >= 120:  # room for the spread of the loss and the long labels
        assert f"P50 {money(a.loss_p50, cur)}, P95 {money(a.loss_p95, cur)}" in head
        assert f"expected loss {money(a.expected_loss, cur)} lost" in head


async def test_a_business_whose_cash_lasts_reads_as_check_says_it(tmp_path: Path) -> None:
    """No burn: the header says what `check` says ("cash does not run out in 13 weeks"), with the
    forecast's lowest point, in the rows of an 80-column header."""
    from tests.test_tui_app import EXPOSURE

    cfg = support_config(tmp_path, EXPOSURE.replace("monthly_fixed_costs = 90000", "monthly_fixed_costs = 1000"))
    config = load_config(cfg)
    a = assess(config.profile, list(config.events), NOW, config.settings)
    assert a.runway_weeks is None
    app = create_app(cfg, tmp_path / "history.json", NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        head = " ".join(" ".join(screen_lines(app)[:HEADER_ROWS]).split())
    assert f"cash does not run out in {len(a.forecast.week_starts)} weeks" in head, head
    assert money(a.cash_low, a.profile.business.currency) in head


async def test_words_a_paused_event_past_its_date_and_checkboxes_without_colour(tmp_path: Path) -> None:
    from tests.test_tui_app import EVENTS

    cfg = write_config(tmp_path, events=EVENTS.replace('status = "confirmed"', 'status = "paused"'))
    app = create_app(cfg, tmp_path / "history.json", datetime(2025, 1, 29, tzinfo=UTC))
    async with app.run_test(size=(160, 50)) as pilot:
        await ready(pilot)
        row = next(
            line for line in screen_lines(app) if "US divest-or-ban law takes effect" in line and "╭" not in line
        )
        assert "10 d ago" in row and "paused" in row and "in effect" not in row, row
        steps = app.screen.query_one("#pb-steps")
        assert "[ ]" in screen_text(app) and "[x]" not in screen_text(app)
        assert "d overdue" in screen_text(app)  # the ban's deadline (2025-01-18) has passed
        steps.focus()
        await pilot.press("space")
        await wait_for(pilot, lambda: "[x]" in screen_text(app))
        await pilot.press("escape", "v", "enter")
        await wait_for(pilot, lambda: app.screen.id == "event-detail")
        await pilot.pause()
        text = screen_text(app)
        assert "paused" in text and "effective date passed 10 d ago" in text
        assert "passed 11 d ago" in text  # the deadline


ELSEWHERE = """
[[events]]
id = "lazada-points"
title = "Lazada penalty points deactivate shops in Indonesia"
kind = "account_suspension"
platforms = ["lazada"]
regions = ["ID"]
status = "confirmed"
effective = 2025-01-20
"""

TIMELINE = """effective = 2025-01-19
timeline = [
  { date = 2024-04-24, status = "announced", probability = 0.6 },
  { date = 2025-01-05, status = "confirmed" },
]
"""


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_events_lead_with_titles_and_unreached_ones_go_last(tmp_path: Path, size: tuple[int, int]) -> None:
    from tests.test_tui_app import EVENTS

    app = create_app(write_config(tmp_path, events=EVENTS + ELSEWHERE), tmp_path / "history.json", NOW)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        text = screen_text(app)
        assert "US divest-or-ban law takes" in text and "1 reach none of your channels" in text, text
        row = next(line for line in screen_lines(app) if "US divest-or-ban law takes" in line)
        assert "us-tiktok-ban" not in row or size[0] >= 160  # the id is secondary: shown where there is room
        assert row_keys(app.screen.query_one("#events", DataTable))[-1] == "lazada-points"  # unreached last
        app.screen.query_one("#events").focus()
        await pilot.press("u")
        await wait_for(pilot, lambda: "Lazada penalty" not in screen_text(app))
        assert "u shows" in screen_text(app) and "US divest-or-ban" in screen_text(app)


async def test_detail_splits_lost_from_late_and_lists_the_timeline(tmp_path: Path) -> None:
    from tests.test_tui_app import EVENTS

    events = EVENTS.replace("effective = 2025-01-19\n", TIMELINE, 1)
    app = create_app(write_config(tmp_path, events=events), tmp_path / "history.json", NOW)
    async with app.run_test(size=(120, 35)) as pilot:
        await ready(pilot)
        a = app.loaded.evaluation.assessment  # type: ignore[union-attr]
        e = a.event("us-tiktok-ban")
        app.screen.query_one("#events").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.id == "event-detail")
        await pilot.pause()
        text = screen_text(app)
    cur = a.profile.business.currency
    assert f"lost: {money(e.loss, cur)} if it happens; expected {money(e.expected_loss, cur)}" in text
    assert f"late: {money(e.cash_frozen, cur)} of cash held back" in text
    assert "  2024-04-24  announced, 60%" in text and "▶ 2025-01-05  confirmed" in text


async def test_the_highlighted_step_is_shown_in_full_with_its_event(tmp_path: Path) -> None:
    app, _ = make(tmp_path)
    async with app.run_test(size=(120, 35)) as pilot:
        await ready(pilot)
        panel = app.screen.query_one("#playbook")
        steps = panel.steps  # type: ignore[attr-defined]
        assert steps, "the top event has a playbook"
        await pilot.press("p")
        await pilot.press("j")
        await pilot.pause()
        text = widget_text(app, "#playbook")
    second = steps[1]
    assert " ".join(second.text.split()) in text  # the whole text, wrapped, not cut
    assert "For: US divest-or-ban law takes effect" in text


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_charts_are_readable_or_absent(tmp_path: Path, size: tuple[int, int]) -> None:
    app, a = make(tmp_path)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        text = screen_text(app)
        weeks = a.forecast.week_starts
        if size[1] < 45:  # no room for 8 rows of chart beside the actions: no chart at all
            assert "Cash, next" not in text and "Score, last" not in text
            return
        cash = app.screen.query_one("#cash-chart").region
        assert cash.height >= 8 + 2
        assert "● baseline  ◆ likely  ▲ stress  ─ zero" in text
        assert f"{weeks[0]:%m-%d}" in text and "Cash, next 13 weeks" in text
        assert ("Score, last 30 days" in text) == (size[1] >= 58)
        if size[1] >= 58:
            assert f"{NOW:%m-%d}" in widget_text(app, "#score-chart") and "● score" in text


PANE_KEYS = ("⏎ Details", "s Sort", "u Unreached", "E Edit event", "c Edit channel")


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_the_footer_shows_every_key_of_the_focused_pane(tmp_path: Path, size: tuple[int, int]) -> None:
    app, _ = make(tmp_path)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        footer = screen_lines(app)[-1]
        for key in PANE_KEYS:
            assert key in footer, footer
        if size[0] >= 160:
            assert all(k in footer for k in ("v a x p Panes", "q Quit", "? Help")), footer
        await pilot.press("p")
        await wait_for(pilot, lambda: "space Tick" in screen_lines(app)[-1])
        assert "E Edit event" in screen_lines(app)[-1]


async def test_c_and_e_act_on_the_highlighted_row_or_say_what_to_do(tmp_path: Path) -> None:
    from riskmon.tui.screens.forms import ChannelForm, EventForm
    from tests.support import spy_notify

    app, a = make(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await ready(pilot)
        said = spy_notify(app, lambda title, message: message)
        await pilot.press("c")  # on the events table: the channel the highlighted event hits hardest
        await wait_for(pilot, lambda: isinstance(app.screen, ChannelForm))
        top = max(a.events[0].channels, key=lambda h: h.loss).channel_id
        assert top in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.id == "dashboard")
        await pilot.press("x", "E")  # on the exposure table: an event is picked elsewhere
        await wait_for(pilot, lambda: said)
        assert "press v for the events table" in said[-1]
        await pilot.press("v", "E")
        await wait_for(pilot, lambda: isinstance(app.screen, EventForm))


async def test_filter_counts_sort_stays_visible_palette_and_dimmed_modals(tmp_path: Path) -> None:
    from riskmon.tui.screens.forms import NewEventForm

    app, a = make(tmp_path)
    async with app.run_test(size=(200, 60)) as pilot:
        await ready(pilot)
        await pilot.press("slash", *"tiktok")
        await wait_for(pilot, lambda: f"Events · 2 of {len(a.events)} match 'tiktok'" in screen_text(app))
        await pilot.press("escape")
        events = app.screen.query_one("#events", DataTable)
        events.sort_by("event")  # the id column: shown only where there is room
        await pilot.pause()
        await pilot.resize_terminal(120, 35)
        await wait_for(pilot, lambda: "event" not in [c.key for c in events.shown_columns])  # type: ignore[attr-defined]
        await pilot.pause()
        header = next(line for line in screen_lines(app) if "When" in line and "Event" in line)
        assert "▲" in header or "▼" in header, header
        await pilot.resize_terminal(200, 60)
        await pilot.press("ctrl+p")
        await pilot.press(*"Add event")
        await wait_for(pilot, lambda: "Add event" in screen_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, NewEventForm))
        assert "Why:" in screen_text(app)  # the dashboard still shows under the form: dimmed, not blanked
