"""The next actions on the dashboard, read off the rendered screen at 80x24, 120x35, 160x50 and
200x60: the first three actions (as the core ranks them across every event) with their whole
text and dates, the highlighted one's why and event; ticking one from there (history, the last
toggle winning); the long-overdue backlog folded, and unfolded with space.

The expected actions come from the core's ranking (`Plan.next_actions`), never from the TUI's
own data, and the screen is read as text (`support.screen_lines`): a cut or hidden line fails."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from riskmon.core.playbooks import Item, Overdue
from riskmon.sources.config.load import load_config
from riskmon.store.history import HistoryStore
from riskmon.tui.app import RiskmonApp, create_app
from riskmon.tui.widgets.next_actions import NextActions
from riskmon.usecases.evaluate import evaluate
from tests.support import screen_lines, screen_text, wait_for
from tests.test_tui_app import write_config
from tests.tui_support import dashboard_ready

NOW = datetime(2025, 1, 10, tzinfo=UTC)
SIZES = [(80, 24), (120, 35), (160, 50), (200, 60)]


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RISKMON_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("RISKMON_CONFIG", raising=False)
    monkeypatch.delenv("RISKMON_DB", raising=False)


def words(text: str) -> str:
    return " ".join(text.split())


def ranked(cfg: Path, now: datetime) -> list[Item | Overdue]:
    """The core's next actions for this config, as `riskmon playbook` ranks them."""
    return evaluate(load_config(cfg), now, offline=True, replay=True).plan.next_actions(None)


async def ready(pilot: Pilot[Any]) -> None:
    await dashboard_ready(pilot, 20)


SCROLLBAR = "▁▂▃▄▅▆▇█"


def pane(app: RiskmonApp) -> str:
    """The next actions pane as read: its rows joined (wrapped text reads as one), without its
    border, the list's focus bar and its scrollbar."""
    r = app.screen.query_one("#actions").region
    cut = [row[r.x : r.x + r.width].strip(" │╭╮╰╯─") for row in screen_lines(app)[r.y : r.bottom]]
    rows = [row.rstrip(SCROLLBAR).removeprefix("▌") for row in cut]
    return words(" ".join(rows))


def seen(app: RiskmonApp, text: str) -> bool:
    """Whether `text` (wrapped anywhere) is on the screen inside the next actions pane."""
    return words(text) in pane(app)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_the_next_three_actions_and_the_highlighted_ones_why_are_on_screen(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    cfg = write_config(tmp_path)
    first = ranked(cfg, NOW)[:3]
    assert all(isinstance(x, Item) for x in first)
    app = create_app(cfg, tmp_path / "history.json", NOW)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        text = pane(app)
        for x in first:
            assert isinstance(x, Item)
            days = (NOW - x.step.due).days
            assert words(x.step.text) in text, f"{x.step.text!r} not in full at {size}:\n{screen_text(app)}"
            assert f"{x.step.due:%Y-%m-%d}, {days} d overdue" in text, f"no date for {x.step.id} at {size}"
        top = first[0]
        assert isinstance(top, Item)
        # The highlighted (first) action: its why (the step's, else its rule's) and its event, in full.
        why = top.step.why or top.suggestion.why
        assert f"Why: {words(why)}" in text, screen_text(app)
        assert "For: US divest-or-ban law takes effect" in text
        # Nothing else on screen is cut while the pane is shown: the pane is never scrolled sideways
        # and the header keeps to its three rows.
        assert "Next actions · " in screen_text(app)


async def test_the_highlighted_action_follows_the_cursor_with_its_why(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    actions = [x for x in ranked(cfg, NOW) if isinstance(x, Item)]
    app = create_app(cfg, tmp_path / "history.json", NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: "space Tick" in screen_lines(app)[-1])
        for x in actions[1:4]:
            await pilot.press("j")
            await pilot.pause()
            why = x.step.why or x.suggestion.why
            await wait_for(pilot, lambda x=x, why=why: seen(app, x.step.text) and seen(app, f"Why: {why}"))
        # A standing suggestion's step names the suggestion it is for.
        standing = next(i for i, x in enumerate(actions) if x.suggestion.standing)
        for _ in range(standing - 3):
            await pilot.press("j")
        x = actions[standing]
        await wait_for(pilot, lambda: seen(app, x.step.text) and seen(app, f"For: {x.suggestion.title}"))


async def test_space_on_a_next_action_ticks_it_in_history_and_the_last_toggle_wins(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    db = tmp_path / "history.json"
    top = ranked(cfg, NOW)[0]
    assert isinstance(top, Item)
    step = (top.key, top.step.id)
    app = create_app(cfg, db, NOW)

    def done() -> bool | None:
        rec = HistoryStore(db).steps().get(step) if db.exists() else None
        return None if rec is None else bool(rec["done"])

    async with app.run_test(size=(120, 35)) as pilot:
        await ready(pilot)
        await pilot.press("a", "space")
        await wait_for(pilot, lambda: done() is True, 20)
        await wait_for(pilot, lambda: "[x]" in pane(app) and "1 done" in screen_text(app))
        # The same step in the event's checklist shows ticked too.
        panel = app.screen.query_one("#playbook")
        assert any(s.done for s in panel.steps if s.step_id == top.step.id)  # type: ignore[attr-defined]
        # Untick, tick, untick at once: the last one is what history keeps.
        await pilot.press("space", "space", "space")
        await wait_for(pilot, lambda: done() is False, 20)
        await app.workers.wait_for_complete()
        assert done() is False
        assert "[x]" not in pane(app)
    # A fresh start reads it back from history: still open, and first again.
    again = create_app(cfg, db, NOW)
    async with again.run_test(size=(120, 35)) as pilot:
        await ready(pilot)
        assert words(f"[ ] {top.step.due:%Y-%m-%d}") in pane(again)


async def test_a_ticked_action_stays_ticked_after_a_reload_and_goes_last(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    db = tmp_path / "history.json"
    top = ranked(cfg, NOW)[0]
    assert isinstance(top, Item)
    HistoryStore(db).set_step(top.key, top.step.id, True, NOW)
    app = create_app(cfg, db, NOW)
    async with app.run_test(size=(200, 60)) as pilot:
        await ready(pilot)
        widget = app.screen.query_one(NextActions)
        assert widget.actions[-1].step_id == top.step.id and widget.actions[-1].done  # done steps go last
        second = ranked(cfg, NOW)[1]
        assert isinstance(second, Item)
        body = pane(app).split(" · 1 done ", 1)[1]  # after the pane's title
        assert body.startswith(words(f"[ ] {second.step.due:%Y-%m-%d}, 21 d overdue {second.step.text}"))


async def test_steps_long_overdue_are_folded_and_space_unfolds_them(tmp_path: Path) -> None:
    later = datetime(2025, 2, 20, tzinfo=UTC)  # the ban's December steps are over 30 days late
    cfg = write_config(tmp_path)
    folded = next(x for x in ranked(cfg, later) if isinstance(x, Overdue))
    app = create_app(cfg, tmp_path / "history.json", later)
    async with app.run_test(size=(160, 50)) as pilot:
        await ready(pilot)
        widget = app.screen.query_one(NextActions)
        await pilot.press("a")
        for _ in range(len(widget.rows)):  # down to the folded line (after this month's steps)
            row = widget.highlighted
            if row is not None and row.action.folded:
                break
            await pilot.press("j")
        days = (later - folded.since).days
        line = f"[+] {folded.since:%Y-%m-%d}, {days} d overdue {len(folded.items)} steps {folded.summary}"
        await wait_for(pilot, lambda: words(line) in pane(app))
        assert "Why: Steps overdue for more than 30 days are folded" in pane(app)
        assert "For: US divest-or-ban law takes effect" in pane(app)
        await pilot.press("space")
        await wait_for(pilot, lambda: "[-]" in pane(app))
        oldest = folded.items[0].step
        await pilot.press("j")
        await wait_for(pilot, lambda: seen(app, f"[ ] {oldest.due:%Y-%m-%d}, {(later - oldest.due).days} d overdue"))
        await pilot.press("space")  # a step of the backlog ticks like any other
        await wait_for(pilot, lambda: (folded.key, oldest.id) in HistoryStore(tmp_path / "history.json").steps(), 20)
