"""The dashboard app's live half: whose data it shows, the Monitor (or a fleet profile) feeding
it, and the screen data built from each update in a thread. RiskmonApp (riskmon.tui.app) builds on
it with its bindings, actions, screens and playbook steps."""

from __future__ import annotations

import asyncio
import importlib
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from textual import on, work
from textual.app import App

from riskmon.i18n import N_, _, language
from riskmon.paths import resolve_config_dir, resolve_db_path
from riskmon.textsafe import clean
from riskmon.tui import viewdata
from riskmon.tui.messages import DataLoaded, LoadFailed, MonitorUpdated
from riskmon.tui.screens.dashboard import FILTER_PLACEHOLDER, DashboardScreen
from riskmon.tui.source import HeadStart, Loaded, ViewSource, ticked

if TYPE_CHECKING:
    from collections.abc import Callable

    from riskmon.live.monitor import MonitorUpdate
    from riskmon.paths import ConfigLocation

DARK, LIGHT = "textual-dark", "textual-light"

INVALID = N_("Config is invalid")
INVALID_KEPT = N_("Config is invalid: showing the last good state")
HIGHLIGHT_SECONDS = 600.0
"""How long a new or changed event stays marked in the timeline."""
HEAD_START_WAIT = 0.3
"""Seconds the app waits as it mounts for the head start (~70 ms of CPU, shared with Textual's start
until then): one frame with the data instead of an empty one and a full one (~100 ms each)."""
QUIT_DRAIN = 0.25
"""Seconds quitting waits for a Monitor cycle in progress (a history write); a hanging feed or
alert channel is abandoned (its thread is a daemon)."""
LIVE_MODULES = (
    "riskmon.live.monitor",
    "riskmon.live.jobs",
    "apscheduler.schedulers.asyncio",
    "apscheduler.triggers.interval",
    "riskmon.core.playbooks",
    "riskmon.store.history",
)
"""Imported in a thread before the Monitor starts, so the UI loop never pays for them."""


class LiveSource(Protocol):
    """What the app asks of its live source: the Monitor, or one profile of a fleet's."""

    @property
    def running(self) -> bool: ...

    def refresh_now(self) -> asyncio.Task[Any]: ...

    def next_polls(self) -> dict[str, datetime | None]: ...

    def stop(self) -> None: ...

    async def aclose(self, timeout: float = ...) -> None: ...


def _import_live() -> None:
    for name in LIVE_MODULES:
        importlib.import_module(name)


class LiveApp(App[int]):
    """The live source and the data on screen; the app around them is RiskmonApp's."""

    def __init__(
        self,
        config_dir: str | Path | None = None,
        db_path: str | Path | None = None,
        now: datetime | None = None,
        head_start: HeadStart | None = None,
    ) -> None:
        super().__init__()
        self.shown_language = language()
        """The language the screens were built in (`[ui] language` can change it once read)."""
        self.location = resolve_config_dir(config_dir)
        self._head_start = head_start
        """The first screenful, already being computed (the CLI starts it before importing Textual)."""
        self.fixed_now = now
        """`--now`: every assessment is as of this instant, and nothing is recorded or sent."""
        self.monitor: LiveSource | None = None
        self._monitor_started = False
        self.first_paint: float | None = None
        """Seconds from app start to the first dashboard drawn with data (benchmarks read it)."""
        self.first_drawn: list[Callable[[], object]] = []  # run once the first frame with data is drawn
        self._started = time.perf_counter()
        self._building = False
        self._next: MonitorUpdate | None = None
        self._reloaded = False
        self._refresh_task: asyncio.Task[Any] | None = None
        self._step_lock = threading.Lock()
        self._updated: float | None = None
        self.quitting = False
        """`q` was pressed: keys still on their way open nothing (see check_action)."""
        self.theme = DARK
        self.show_config(self.location, resolve_db_path(db_path, self.location))  # the demo's is its own

    def show_config(self, location: ConfigLocation, db_path: Path) -> None:
        """Whose data the dashboard shows: a config directory and its history file. What the app
        knew of another one is forgotten (the fleet overview opens one profile after another)."""
        self.location = location
        self.db_path = db_path
        self.view = ViewSource(self.db_path)
        self.last_update: MonitorUpdate | None = None
        self.loaded: Loaded | None = None
        self._first_run = not self.db_path.exists()
        """No history before this run: events "first seen" now are not news."""
        self._primed_seen = False
        self._failure: tuple[str, list[str]] | None = None
        self._shown_error: tuple[str, tuple[str, ...]] | None = None
        self._news = viewdata.Changes()
        self._news_title = N_("Events changed")
        self._marks = viewdata.Changes()
        self._marked_at: dict[str, float] = {}
        self._ticked: dict[tuple[str, str], bool] = {}
        """Steps toggled on screen whose save a load may not have seen yet."""
        self._step_toggles: dict[tuple[str, str], int] = {}  # how often each step was toggled here
        self._step_written: dict[tuple[str, str], int] = {}  # the toggle last written (under the lock)

    def now(self) -> datetime:
        return self.fixed_now or datetime.now(UTC)

    def _follow_language(self) -> None:
        """The config's `[ui] language` was applied as the data was made (riskmon.tui.source):
        where it changed the language, the words drawn before it are drawn again."""
        if language() == self.shown_language:
            return
        self.shown_language = language()
        from riskmon.tui.widgets.table import SortableTable

        for screen in self.screen_stack:
            for table in screen.query(SortableTable):
                table.columns_changed()  # the headers, in the new language
        from textual.widgets import Input

        # What the dashboard's compose and mount wrote: the rest is drawn with every update.
        self.dashboard.query_one("#exposure").border_title = _("Exposure per channel")
        for box in self.dashboard.query("#filter").results(Input):  # none before it is mounted
            box.placeholder = _(FILTER_PLACEHOLDER)
        self.refresh_bindings()  # the footer's keys

    # -- the Monitor -------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.dashboard = DashboardScreen()
        # Shown once the app's start-up is over, not from inside it: Textual batches its start
        # (compose, mount, this method) and drops a frame drawn within the batch (App._display),
        # so a dashboard pushed here had its first frame, the one with the data, rendered and
        # thrown away, and nothing on screen until the next panes' refresh (~250 ms later).
        self.call_later(self.push_screen, self.dashboard)
        self._building = True  # the first paint; the Monitor starts once it is drawn
        early = self._head_start
        if early is not None and early.wait(HEAD_START_WAIT) and self._takes(early):
            # Computed already (as usual): taken now, before the dashboard is composed, so its
            # first frame has the data: one layout and render instead of an empty one and a full one.
            self._head_start = None
            try:
                self._take(early.result())
            except Exception as exc:  # an invalid config: as from the worker below
                self.post_message(LoadFailed(exc))
        else:
            self._first_load()

    def _takes(self, early: HeadStart) -> bool:
        """The head start is for this app's config dir and `--now`."""
        return early.location == self.location and early.fixed_now == self.fixed_now

    @work(thread=True, group="view", exit_on_error=False)
    def _first_load(self) -> None:
        early, self._head_start = self._head_start, None
        try:
            if early is not None and self._takes(early):
                loaded = early.result()
            else:
                loaded = self.view.first(self.location, self.now())
        except Exception as exc:  # an invalid config: the banner says why; the Monitor watches for a fix
            self.post_message(LoadFailed(exc))
            return
        self.post_message(DataLoaded(loaded))

    @work(name="monitor-start", group="monitor", exit_on_error=False)
    async def _start_monitor(self) -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(None, _import_live)
            from riskmon.live.monitor import Monitor

            monitor = Monitor(
                self.location,
                self.db_path,
                self.now,
                on_update=self._from_monitor,
                replay=self.fixed_now is not None,
            )
            monitor.start()  # in Textual's loop: the scheduler's jobs run here, their work in threads
        except Exception as exc:
            self.post_message(LoadFailed(exc))
            return
        self.monitor = monitor

    def _launch_monitor(self) -> None:
        # A @work method: its coroutine is made when the worker runs. When the app is already
        # exiting (a crash right after the first frame) the worker never runs, and a coroutine
        # made here would end up "never awaited", a warning printed over the restored terminal.
        self._start_monitor()
        for action in self.first_drawn:
            action()

    def _from_monitor(self, update: MonitorUpdate) -> None:
        """The Monitor's callback (on the loop thread, inside its cycle): hand over, return at once."""
        self.post_message(MonitorUpdated(update))

    def _stop_monitor(self) -> None:
        if self.monitor is not None:
            self.monitor.stop()

    async def on_unmount(self) -> None:
        if self.monitor is not None:
            await self.monitor.aclose(timeout=QUIT_DRAIN)

    @on(MonitorUpdated)
    def _monitor_updated(self, message: MonitorUpdated) -> None:
        u = message.update
        self.last_update = u
        self._note_changes(u)
        if u.config_error is None and self._shown_error is not None:
            self._shown_error = None
            self._reloaded = True
        elif u.config_error is None and self.loaded is not None and "reload" in u.reason.split(", "):
            self._reloaded = True
        self._show_banner()
        if u.config_error is not None and (u.config_error, u.problems) != self._shown_error:
            self._shown_error = (u.config_error, u.problems)
            title = _(INVALID_KEPT) if u.evaluation else _(INVALID)
            self.notify(
                clean(u.problems[0] if u.problems else u.config_error),
                title=title,
                severity="error",
                markup=False,
                timeout=8,
            )
        if u.evaluation is not None:
            self._load_view(u)

    def _note_changes(self, u: MonitorUpdate) -> None:
        """New and changed events: in this session (the Monitor's diff) and, with the first
        snapshot recorded, since the last run (history's event log)."""
        first = u.primed and not self._primed_seen
        self._primed_seen = self._primed_seen or u.primed
        changes = viewdata.Changes(u.new_events, dict(u.changed_events), dict(u.titles))
        since_last = viewdata.Changes()
        if u.log_entries:
            since_last = viewdata.changes_from_log(u.log_entries, first_run=self._first_run and first)
            changes = changes.merged(since_last)
        if not changes:
            return
        if first and since_last:
            self._news_title = N_("Since the last run")
        self._news = self._news.merged(changes)
        self._marks = self._marks.merged(changes)
        stamp = time.monotonic()
        for eid in changes.ids:
            self._marked_at[eid] = stamp

    def _current_marks(self) -> viewdata.Changes:
        cutoff = time.monotonic() - HIGHLIGHT_SECONDS
        self._marked_at = {k: t for k, t in self._marked_at.items() if t >= cutoff}
        self._marks = self._marks.only(self._marked_at)
        return self._marks

    def _show_banner(self) -> None:
        u = self.last_update
        if u is not None and u.config_error is not None:
            title = _(INVALID_KEPT) if self.loaded else _(INVALID)
            self.dashboard.show_error(title, list(u.problems) or [u.config_error])
        elif self._failure is not None:
            self.dashboard.show_error(*self._failure)
        else:
            self.dashboard.clear_error()

    # -- screen data -------------------------------------------------------------------------

    def _load_view(self, update: MonitorUpdate) -> None:
        """Build the screen data for an update in a thread worker; one at a time, the newest
        update waiting meanwhile (older ones are skipped)."""
        if self._building:
            self._next = update
            return
        self._building = True
        self._build(update)

    @work(thread=True, group="view", exit_on_error=False)
    def _build(self, update: MonitorUpdate) -> None:
        try:
            loaded = self.view.load(update)
        except Exception as exc:  # every failure is shown; the last good state stays on screen
            self.post_message(LoadFailed(exc))
            return
        self.post_message(DataLoaded(loaded))

    def _view_done(self) -> None:
        self._building = False
        if not self._monitor_started:  # the first paint: the live loop once it is on screen
            self._monitor_started = True
            # After the next refresh: the Monitor's imports and first cycle (threads that compete
            # for the GIL) must not delay drawing the first data.
            self.call_after_refresh(self._launch_monitor)
        update, self._next = self._next, None
        if update is not None and update.evaluation is not None:
            self._load_view(update)

    def _apply_ticks(self, loaded: Loaded) -> None:
        """A load that started before a step was saved must not untick it on screen."""
        for (key, step_id), done in list(self._ticked.items()):
            steps = loaded.playbooks.get(key, [])
            loaded.playbooks[key] = [replace(s, done=done) if s.step_id == step_id else s for s in steps]
            loaded.actions[:] = ticked((key, step_id), done, loaded.actions)
            if loaded.with_history and bool(loaded.steps.get((key, step_id), {}).get("done")) == done:
                del self._ticked[(key, step_id)]  # history has it: later loads need no patch

    @on(DataLoaded)
    def _data_loaded(self, message: DataLoaded) -> None:
        self._take(message.loaded)

    def _take(self, loaded: Loaded) -> None:
        """New screen data: on the dashboard (and the history screen), changes noted."""
        self._apply_ticks(loaded)
        loaded = replace(loaded, changes=self._current_marks())
        self.loaded = loaded
        self._follow_language()
        recovered = self._failure is not None
        self._failure = None
        self._updated = time.monotonic()
        self._show_banner()
        self.dashboard.receive(loaded)
        for screen in self.screen_stack:
            if screen.id == "history":
                screen.receive(loaded)  # type: ignore[attr-defined]
        if self.first_paint is None:
            self.first_paint = time.perf_counter() - self._started
        if self._news:
            lines = self._news.lines()
            more = "\n" + _("… and {n} more").format(n=len(lines) - 5) if len(lines) > 5 else ""
            self.notify(
                "\n".join(lines[:5]) + more, title=_(self._news_title), severity="warning", markup=False, timeout=10
            )
            self._news, self._news_title = viewdata.Changes(), N_("Events changed")
        if self._reloaded:
            self._reloaded = False
            self.notify(_("Config reloaded from disk."), title=_("Config"), markup=False, timeout=4)
        elif recovered:
            self.notify(_("Refreshed."), markup=False, timeout=3)
        self._view_done()

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        from riskmon.errors import ConfigError

        if isinstance(message.error, ConfigError):
            title = _(INVALID_KEPT) if self.loaded else _(INVALID)
            # The Monitor reports the same problems when it starts: one toast for them.
            self._shown_error = (message.error.message, tuple(message.problems))
        else:
            title = _("Refresh failed: showing the last good state") if self.loaded else _("Could not load")
        self._failure = (title, message.problems)
        self._show_banner()
        self.notify(clean(message.problems[0]), title=title, severity="error", markup=False, timeout=8)
        self._view_done()

    def status_parts(self) -> list[str]:
        """Status-line facts the app knows: data age, the next poll, a fixed --now."""
        parts = []
        if self._refresh_task is not None and not self._refresh_task.done():
            parts.append(_("refreshing…"))
        elif self._updated is not None:
            parts.append(_("updated {time} ago").format(time=viewdata.duration(time.monotonic() - self._updated)))
        if self.monitor is None:
            parts.append(_("starting…"))
        else:
            # The scheduler's timers run on the wall clock, also with a fixed --now.
            soonest = viewdata.next_poll(self.monitor.next_polls(), datetime.now(UTC))
            if soonest:
                parts.append(soonest)
            if self.last_update is not None and not self.last_update.primed:
                parts.append(_("first poll under way"))
        if self.fixed_now is not None:
            parts.append(_("fixed time {time} UTC").format(time=f"{self.fixed_now:%Y-%m-%d %H:%M}"))
        return parts
