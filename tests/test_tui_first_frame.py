"""The dashboard's first frame: the header, the exposure and the timeline; the filter, the next
actions, the playbook and the charts a refresh later, in slots that keep their place. A key
pressed before its pane is there acts once it is."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from riskmon.tui.screens.dashboard import DashboardScreen
from riskmon.tui.widgets.next_actions import NextActions
from riskmon.tui.widgets.playbook_panel import PlaybookPanel
from tests.support import screen_text, wait_for
from tests.test_tui_app import make
from tests.tui_support import running

pytestmark = pytest.mark.usefixtures("isolated_env")

NOW = datetime(2025, 1, 10, tzinfo=UTC)


def hold_the_rest(monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """The panes after the first frame wait until the returned event is set (in a worker, so the
    screen keeps handling keys and refreshes meanwhile)."""
    gate = asyncio.Event()
    rest = DashboardScreen._mount_rest

    async def held(self: DashboardScreen) -> None:
        async def later() -> None:
            await gate.wait()
            await rest(self)

        self.run_worker(later(), group="test-gate")

    monkeypatch.setattr(DashboardScreen, "_mount_rest", held)
    return gate


@pytest.mark.parametrize("size", [(80, 24), (140, 45), (200, 60)], ids=["80x24", "140x45", "200x60"])
async def test_the_first_frame_has_the_level_and_the_panes_after_it_take_their_slots(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    gate = hold_the_rest(monkeypatch)
    app = make(tmp_path)
    async with running(app, size=size) as pilot:
        await wait_for(pilot, lambda: app.first_paint is not None)
        await pilot.pause()
        dash: Any = app.dashboard
        a = app.loaded.evaluation.assessment if app.loaded else None
        assert a is not None
        text = screen_text(app)
        assert a.level.name in text and f"score {a.score:.0f}/100" in text
        assert not dash.complete and not dash.query(NextActions) and not dash.query(PlaybookPanel)
        badge = dash.query_one("#level")
        assert [c for c in badge.classes if c.startswith("-")] == [f"-{a.level.name.lower()}"]
        assert "Next actions" in text  # the slot's title (the playbook's shows where there is room)
        slots = {name: dash.query_one(f"#{name}-slot").region for name in ("actions", "playbook")}
        gate.set()
        await wait_for(pilot, lambda: dash.complete)
        await pilot.pause()
        assert dash.query_one("#actions", NextActions).region == slots["actions"]
        assert dash.query_one("#playbook", PlaybookPanel).region == slots["playbook"]
        assert not dash.query("#actions-slot") and not dash.query("#playbook-slot")
        shown = dash.query_one("#na-list").option_count
        assert app.loaded is not None and shown >= len(app.loaded.actions) > 0  # filled once mounted


@pytest.mark.parametrize(
    ("key", "focused"),
    [("a", "na-list"), ("p", "pb-steps"), ("slash", "filter")],
)
async def test_a_key_pressed_before_its_pane_is_mounted_acts_once_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str, focused: str
) -> None:
    gate = hold_the_rest(monkeypatch)
    app = make(tmp_path)
    async with running(app, size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.first_paint is not None)
        await pilot.press(key)  # nothing to focus yet: not lost, not a crash
        assert app.is_running and app.focused is not None and app.focused.id == "events"
        gate.set()
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == focused)
        if key == "slash":
            assert app.dashboard.query_one("#filter", Input).has_class("-shown")


async def test_quitting_during_the_first_frame_ends_cleanly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = hold_the_rest(monkeypatch)
    app = make(tmp_path)
    async with running(app, size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.first_paint is not None)
        await pilot.press("q")
        gate.set()  # the panes arrive while the app closes: nothing to mount into, no error
        await wait_for(pilot, lambda: not app.is_running)
    assert app.return_code in (0, None)


async def test_the_demo_badge_and_level_are_in_the_header_built_from_a_head_start() -> None:
    from riskmon.tui.app import create_app
    from riskmon.tui.source import HeadStart

    head_start = HeadStart(None, NOW)
    head_start.result()  # ready before the app mounts, as usual from the CLI
    app = create_app(None, None, NOW, head_start)
    async with running(app, size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.first_paint is not None)
        await pilot.pause()
        a = app.loaded.evaluation.assessment if app.loaded else None
        assert a is not None
        header = app.dashboard.query_one("#header")
        assert header.has_class("-demo") and header.query_one("#level").has_class(f"-{a.level.name.lower()}")
        text = screen_text(app)
        assert "DEMO" in text and f"score {a.score:.0f}/100" in text


async def test_without_a_head_start_the_other_panes_wait_for_the_frame_with_the_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first frame is then the empty dashboard; mounting the other panes right after it would
    delay the frame with the level, so they come after that one."""
    from riskmon.tui.source import ViewSource

    gate = threading.Event()
    first = ViewSource.first

    def late(location: Any, now: Any) -> Any:
        gate.wait(20)
        return first(location, now)

    monkeypatch.setattr(ViewSource, "first", staticmethod(late))
    app = make(tmp_path)
    async with running(app, size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: "loading" in screen_text(app))  # the empty dashboard is drawn
        await pilot.pause()
        dash: Any = app.dashboard
        assert not dash.complete and dash.query("#actions-slot")
        gate.set()
        await wait_for(pilot, lambda: dash.complete)
        assert app.first_paint is not None and dash.query(NextActions)


async def test_a_head_start_finishing_as_the_app_mounts_is_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """The thread shares the CPU with Textual's start: still working when the app mounts, it is
    given HEAD_START_WAIT to finish, so the first frame is the one with the data (not an empty
    dashboard, then the data from a worker)."""
    from riskmon.tui import app_live
    from riskmon.tui.app import create_app
    from riskmon.tui.source import HeadStart, ViewSource

    first = ViewSource.first

    def slow(location: Any, now: Any) -> Any:
        threading.Event().wait(0.1)
        return first(location, now)

    monkeypatch.setattr(ViewSource, "first", staticmethod(slow))
    workers: list[str] = []
    monkeypatch.setattr(app_live.LiveApp, "_first_load", lambda self: workers.append("first load"))
    head_start = HeadStart(None, NOW)
    assert not head_start.wait(0)
    app = create_app(None, None, NOW, head_start)
    async with running(app, size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.first_paint is not None)
        assert workers == [], "taken as the app mounted"
        assert "loading" not in screen_text(app)
        assert "score" in screen_text(app)


async def test_the_first_frame_is_drawn_after_textuals_start_up_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual drops a frame drawn while a batch is open (its start-up is one: compose, mount and
    the app's on_mount). The dashboard is pushed after it, so its first frame, the one with the
    data, is the one written to the terminal; pushed from on_mount, it was rendered and dropped,
    and the screen stayed blank until the next panes' refresh (~250 ms)."""
    from textual.app import App

    from riskmon.tui.app import create_app
    from riskmon.tui.source import HeadStart

    frames: list[tuple[str | None, int]] = []
    display = App._display

    def spy(self: Any, screen: Any, renderable: Any) -> None:
        if renderable is not None:
            frames.append((screen.id, self._batch_count))
        display(self, screen, renderable)

    monkeypatch.setattr(App, "_display", spy)
    head_start = HeadStart(None, NOW)
    head_start.result()
    app = create_app(None, None, NOW, head_start)
    async with running(app, size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.first_paint is not None and app.dashboard.complete)
    dashboard = [batch for screen, batch in frames if screen == "dashboard"]
    assert dashboard, frames
    assert dashboard[0] == 0, f"the dashboard's first frame was drawn inside a batch: {frames}"
