"""The app: bindings, screens and wiring. Data comes from a RefreshSource in thread workers."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.worker import get_current_worker

from riskmon.textsafe import clean
from riskmon.tui.commands import RiskmonCommands
from riskmon.tui.messages import DataLoaded, LoadFailed, OpenEvent, StepSaved
from riskmon.tui.screens.dashboard import DashboardScreen
from riskmon.tui.source import Loaded, RefreshSource
from riskmon.tui.widgets.playbook_panel import PlaybookPanel

DARK, LIGHT = "textual-dark", "textual-light"


class RiskmonApp(App[int]):
    TITLE = "riskmon"
    CSS_PATH = "theme.tcss"
    COMMANDS: ClassVar = App.COMMANDS | {RiskmonCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("r", "refresh", "Refresh"),
        Binding("h", "history", "History"),
        Binding("t", "toggle_theme", "Theme"),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]

    def __init__(self, source: RefreshSource, *, poll_every: float | None = None, watch_config: bool = True) -> None:
        super().__init__()
        self.source = source
        self.poll_every = source.poll_every if poll_every is None else poll_every
        self.watch_config = watch_config
        self.loaded: Loaded | None = None
        self.last_error: Exception | None = None
        self.refreshing = False
        self._again: tuple[bool, bool] | None = None
        self._initial = True
        self._ticked: dict[tuple[str, str], bool] = {}
        """Steps toggled on screen whose save a refresh may not have seen yet."""
        self._next_poll = 0.0
        self._updated: float | None = None
        self.first_paint: float | None = None
        """Seconds from app start to the first dashboard drawn with data (benchmarks read it)."""
        self._started = time.perf_counter()
        self.theme = DARK

    # -- start-up and scheduling -------------------------------------------------------------

    def on_mount(self) -> None:
        self.dashboard = DashboardScreen()
        self.push_screen(self.dashboard)
        # A fast first paint (feeds' cached copies, no history file), then a full refresh at once.
        self.refreshing = True
        self._load(True, True, False)
        self._schedule()

    def _schedule(self) -> None:
        """The refresh schedule. The Monitor, when it lands, replaces this with its scheduler."""
        self._next_poll = time.monotonic() + self.poll_every
        self.set_interval(self.poll_every, self.action_refresh, name="poll")
        if self.watch_config:
            self.set_interval(self.source.config_check_every, self._watch_config, name="config-watch")

    def _watch_config(self) -> None:
        if not self.refreshing:
            self._check_config()

    @work(thread=True, exclusive=True, group="config-watch", exit_on_error=False)
    def _check_config(self) -> None:
        if self.source.config_changed():
            self.call_from_thread(self.refresh_data, False, True)

    # -- refreshing --------------------------------------------------------------------------

    def refresh_data(self, offline: bool = False, reload: bool = False) -> None:
        """Start a refresh in a thread worker; never two at once (a request meanwhile runs after)."""
        if self.refreshing:
            prev = self._again or (True, False)
            self._again = (prev[0] and offline, prev[1] or reload)
            return
        self.refreshing = True
        self._load(offline, reload)

    @work(thread=True, group="refresh", exit_on_error=False)
    def _load(self, offline: bool, reload: bool, history: bool = True) -> None:
        worker = get_current_worker()
        try:
            loaded = self.source.load(offline=offline, reload=reload, history=history)
        except Exception as exc:  # every failure is shown; the last good state stays on screen
            if not worker.is_cancelled:
                self.post_message(LoadFailed(exc))
            return
        if not worker.is_cancelled:
            self.post_message(DataLoaded(loaded))

    def _refresh_done(self) -> None:
        self.refreshing = False
        again, self._again = self._again, None
        if self._initial:
            # After the first paint: history, and the feeds polled for real.
            self._initial = False
            self.refresh_data(offline=False, reload=False)
        elif again is not None:
            self.refresh_data(*again)

    def _apply_ticks(self, loaded: Loaded) -> None:
        """A refresh that started before a step was saved must not untick it on screen."""
        for (event_id, step_id), done in list(self._ticked.items()):
            if loaded.with_history and bool(loaded.steps.get((event_id, step_id), {}).get("done")) == done:
                del self._ticked[(event_id, step_id)]
                continue
            steps = loaded.playbooks.get(event_id, [])
            loaded.playbooks[event_id] = [replace(s, done=done) if s.step_id == step_id else s for s in steps]

    @on(DataLoaded)
    def _data_loaded(self, message: DataLoaded) -> None:
        loaded = message.loaded
        self._apply_ticks(loaded)
        previous = self.loaded
        self.loaded = loaded
        recovered = self.last_error is not None
        self.last_error = None
        self._updated = time.monotonic()
        self.dashboard.clear_error()
        self.dashboard.receive(loaded)
        for screen in self.screen_stack:
            if screen.id == "history":
                screen.receive(loaded)  # type: ignore[attr-defined]
        if self.first_paint is None:
            self.first_paint = time.perf_counter() - self._started
        if loaded.changes:
            lines = loaded.changes.lines()
            more = f"\n… and {len(lines) - 5} more" if len(lines) > 5 else ""
            title = "Since the last run" if previous is None else "Events changed"
            self.notify("\n".join(lines[:5]) + more, title=title, severity="warning", markup=False, timeout=10)
        if loaded.reloaded and previous is not None:
            self.notify("Config reloaded from disk.", title="Config", markup=False, timeout=4)
        elif recovered:
            self.notify("Refreshed.", markup=False, timeout=3)
        self._refresh_done()

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.last_error = message.error
        from riskmon.errors import ConfigError

        if isinstance(message.error, ConfigError):
            title = "Config is invalid: showing the last good state" if self.loaded else "Config is invalid"
        else:
            title = "Refresh failed: showing the last good state" if self.loaded else "Could not load"
        self.dashboard.show_error(title, message.problems)
        self.notify(clean(message.problems[0]), title=title, severity="error", markup=False, timeout=8)
        self._refresh_done()

    def status_parts(self) -> list[str]:
        """Status-line facts the app knows: data age, the next poll, a fixed --now."""
        parts = []
        if self.refreshing:
            parts.append("refreshing…")
        elif self._updated is not None:
            parts.append(f"updated {time.monotonic() - self._updated:.0f} s ago")
        left = self._next_poll - time.monotonic()
        while left < 0 and self.poll_every > 0:
            self._next_poll += self.poll_every
            left = self._next_poll - time.monotonic()
        parts.append(f"next poll in {left:.0f} s")
        if self.source.fixed_now is not None:
            parts.append(f"fixed time {self.source.fixed_now:%Y-%m-%d %H:%M} UTC")
        return parts

    # -- actions -----------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self._next_poll = time.monotonic() + self.poll_every
        self.refresh_data(offline=False, reload=False)

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK

    # Screens other than the dashboard are imported when first opened: a faster first paint.

    def action_help(self) -> None:
        from riskmon.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_history(self) -> None:
        from riskmon.tui.screens.history import HistoryScreen

        if self.loaded is None or isinstance(self.screen, HistoryScreen):
            return
        self.push_screen(HistoryScreen(self.loaded))

    def action_config_path(self) -> None:
        loc = self.source.location
        self.notify(f"{loc.path}\n({loc.source})", title="Config directory", markup=False, timeout=10)

    def open_event(self, event_id: str) -> None:
        if self.loaded is None:
            return
        a = self.loaded.evaluation.assessment
        e = a.event(event_id)
        if e is None:
            self.notify(f"No event {clean(event_id)} in the current assessment.", markup=False, severity="warning")
            return
        from riskmon.tui.screens.event_detail import EventDetailScreen

        self.push_screen(EventDetailScreen(e, a))

    @on(OpenEvent)
    def _open_event(self, message: OpenEvent) -> None:
        self.open_event(message.event_id)

    # -- playbook steps ----------------------------------------------------------------------

    @on(PlaybookPanel.StepToggled)
    def _step_toggled(self, message: PlaybookPanel.StepToggled) -> None:
        self._ticked[(message.event_id, message.step_id)] = message.done
        if self.loaded is not None:
            self._apply_ticks(self.loaded)
        self._save_step(message.event_id, message.step_id, message.done)

    @work(thread=True, group="steps", exit_on_error=False)
    def _save_step(self, event_id: str, step_id: str, done: bool) -> None:
        try:
            self.source.set_step(event_id, step_id, done)
        except Exception as exc:
            self.post_message(StepSaved(event_id, step_id, done, error=str(exc)))
            return
        self.post_message(StepSaved(event_id, step_id, done))

    @on(StepSaved)
    def _step_saved(self, message: StepSaved) -> None:
        if message.error:
            self.notify(f"Could not save the step: {clean(message.error)}", severity="error", markup=False)


def create_app(
    config_dir: str | Path | None = None,
    db_path: str | Path | None = None,
    now: datetime | None = None,
    *,
    source: RefreshSource | None = None,
    poll_every: float | None = None,
    watch_config: bool = True,
) -> RiskmonApp:
    """The dashboard for a config dir and history file, as of `now` (None: the wall clock)."""
    return RiskmonApp(
        source or RefreshSource(config_dir, db_path, now), poll_every=poll_every, watch_config=watch_config
    )
