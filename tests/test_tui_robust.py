"""The dashboard never dies on a key."""

from __future__ import annotations

from pathlib import Path

from riskmon.tui.screens.event_detail import EventDetailScreen
from tests.support import wait_for
from tests.test_tui_app import _data_dir as _data_dir  # autouse: the test's own data dir, fast reloads
from tests.test_tui_app import make, on_screen, toasts

# ---------------------------------------------------------------------------------------------
# Screens that can be open once


async def test_a_screen_already_open_further_down_is_named_not_opened_again(tmp_path: Path) -> None:
    """`h` on what-if, an event from the palette on history, `h` again: a second history screen
    used to end the app (DuplicateIds). Now a note says it is open under this one."""
    app = make(tmp_path)
    seen = toasts(app)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.loaded is not None)
        app.action_what_if()
        await on_screen(pilot, "what-if")
        app.action_history()
        await on_screen(pilot, "history")
        app.open_event("us-tiktok-ban")  # what the palette's "Open event" does
        await on_screen(pilot, "event-detail")
        for again in (app.action_history, app.action_what_if):
            again()
            await pilot.pause()
            assert app.screen.id == "event-detail"
        assert [s.id for s in app.screen_stack][1:] == ["dashboard", "what-if", "history", "event-detail"]
        assert ("", "History is already open, under this screen: esc goes back to it.") in seen
        assert ("", "What-if is already open, under this screen: esc goes back to it.") in seen
        # Another event from the palette replaces the details on top; the same one stays.
        app.open_event("link-cutoff")
        await wait_for(
            pilot, lambda: isinstance(app.screen, EventDetailScreen) and app.screen.event.id == "link-cutoff"
        )
        app.open_event("link-cutoff")
        await pilot.pause()
        assert [s.id for s in app.screen_stack][1:] == ["dashboard", "what-if", "history", "event-detail"]
        await pilot.press("escape", "escape", "escape")
        await on_screen(pilot, "dashboard")
        assert app.is_running
