"""The dashboard never dies on a key, and when it does die (a bug) it says where the traceback is.

A crash is forced through a real message handler of a subclassed app (every crash the tests and
tmux runs found is fixed): the terminal is Textual's headless one here, a real one in
tests/test_tui_tmux.py.
"""

from __future__ import annotations

import os
import stat
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual import on
from textual.widgets import DataTable

import riskmon.tui.app as tui_app
from riskmon.tui import crash
from riskmon.tui.app import RiskmonApp
from riskmon.tui.messages import DataLoaded
from riskmon.tui.screens.event_detail import EventDetailScreen
from riskmon.tui.widgets.playbook_panel import PlaybookPanel
from tests.support import wait_for
from tests.test_tui_app import NOW, make, on_screen, toasts, write_config
from tests.test_tui_app import _data_dir as _data_dir  # autouse: the test's own data dir, fast reloads

BOOM = "forced crash in a message handler"


class CrashingApp(RiskmonApp):
    """The dashboard with one bug: drawing the first data raises."""

    CSS_PATH = str(Path(tui_app.__file__).parent / "theme.tcss")  # a relative one would be next to this file

    @on(DataLoaded)
    def _boom(self, message: DataLoaded) -> None:
        raise RuntimeError(BOOM)


class QuittingApp(RiskmonApp):
    """The dashboard quitting as soon as it has drawn its data."""

    CSS_PATH = CrashingApp.CSS_PATH

    @on(DataLoaded)
    def _quit(self, message: DataLoaded) -> None:
        self.exit()


def crash_logs(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "data" / "logs").glob("crash-*.log"))


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


async def test_a_step_highlight_still_queued_when_the_playbook_is_emptied_is_dropped(tmp_path: Path) -> None:
    """Sorting the timeline moves between events with and without steps: the playbook is filled
    (its first step highlighted, a message on its way) and emptied before that message arrives.
    SelectionList looked the step up and ended the app (OptionDoesNotExist)."""
    app = make(tmp_path)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.loaded is not None)
        loaded = app.loaded
        assert loaded is not None
        a = loaded.evaluation.assessment
        steps = loaded.playbooks["us-tiktok-ban"]
        assert steps
        await wait_for(pilot, lambda: app.screen.query(PlaybookPanel))  # it comes after the first frame
        panel = app.screen.query_one(PlaybookPanel)
        panel.show(a.event("us-tiktok-ban"), steps, a.now)
        panel.show(None, [], a.now)
        await pilot.pause()
        assert app.is_running
        await pilot.press("s", "s", "j", "s")  # and the real thing, for good measure
        assert app.is_running


async def test_a_row_message_without_a_row_key_is_no_event(tmp_path: Path) -> None:
    """A highlight or selection still queued while a refresh or the filter rebuilt the timeline
    comes from Textual with no row key (found by random keys: `.value` of None ended the app)."""
    app = make(tmp_path)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.loaded is not None)
        events = app.screen.query_one("#events", DataTable)
        events.post_message(DataTable.RowHighlighted(events, 0, None))  # type: ignore[arg-type]
        events.post_message(DataTable.RowSelected(events, 0, None))  # type: ignore[arg-type]
        await pilot.pause()
        assert app.is_running and app.screen.id == "dashboard"


# ---------------------------------------------------------------------------------------------
# A crash


def run_headless(tmp_path: Path, app_class: type[RiskmonApp]) -> int:
    return crash.run_dashboard(app_class(write_config(tmp_path), tmp_path / "history.json", NOW), headless=True)


def test_a_crash_logs_the_traceback_privately_and_exits_70(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run_headless(tmp_path, CrashingApp)
    assert code == crash.EXIT_CRASHED == 70
    err = capsys.readouterr().err
    [log] = crash_logs(tmp_path)
    assert err == f"riskmon: the dashboard crashed (a bug in riskmon); the traceback is in {log}\n"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and f"RuntimeError: {BOOM}" in text and "_boom" in text


def test_with_riskmon_debug_the_traceback_follows_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RISKMON_DEBUG", "1")
    assert run_headless(tmp_path, CrashingApp) == crash.EXIT_CRASHED
    first, *rest = capsys.readouterr().err.splitlines()
    assert first.startswith("riskmon: the dashboard crashed (a bug in riskmon); the traceback is in ")
    assert f"RuntimeError: {BOOM}" in "\n".join(rest)


def test_quitting_is_exit_0_with_nothing_printed_or_logged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_headless(tmp_path, QuittingApp) == 0
    assert capsys.readouterr().err == ""
    assert crash_logs(tmp_path) == []


# ---------------------------------------------------------------------------------------------
# The log file


def test_crash_logs_never_overwrite_and_fall_back_to_the_temp_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = datetime(2025, 1, 10, 12, 0, 0, tzinfo=UTC)
    first, second = crash.write_crash_log("one", at), crash.write_crash_log("two", at)
    assert first.name == "crash-20250110T120000Z.log" and second.name == "crash-20250110T120000Z-2.log"
    assert (first.read_text(), second.read_text()) == ("one", "two")
    assert first.parent == tmp_path / "data" / "logs"
    assert stat.S_IMODE(first.parent.stat().st_mode) == 0o700
    # A symlink where the next name would be is not followed, nor written through.
    target = tmp_path / "precious.txt"
    target.write_text("keep")
    os.symlink(target, first.parent / "crash-20250110T120000Z-3.log")
    third = crash.write_crash_log("three", at)
    assert third.name == "crash-20250110T120000Z-4.log" and target.read_text() == "keep"
    # No usable data dir (a file in the way): the system's temporary directory.
    blocked = tmp_path / "blocked"
    blocked.write_text("")
    monkeypatch.setenv("RISKMON_DATA", str(blocked))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # where mkstemp writes
    fallback = crash.write_crash_log("four", at)
    assert fallback.parent == tmp_path / "tmp" and fallback.read_text() == "four"
    assert stat.S_IMODE(fallback.stat().st_mode) == 0o600
