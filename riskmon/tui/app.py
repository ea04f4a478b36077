"""The app: bindings, screens and wiring.

The live source is the Monitor (riskmon.live.monitor): it starts on mount, inside Textual's loop, and
runs on its own schedule there (feed polls, config reloads, reassessments; every blocking call in
a thread). Its `on_update` posts a `MonitorUpdated`; a thread worker reads history and matches the
playbooks for it (`ViewSource.load`) and posts `DataLoaded`, which the screens draw.

For a fast first paint, the first screenful comes before the Monitor (and APScheduler) are even
imported: config and the feeds' cached copies, assessed in a thread (`ViewSource.first`; from the
CLI a `HeadStart` begins it before Textual is imported). The Monitor starts once it is drawn.

The live source and the screen data are LiveApp's (riskmon.tui.app_live); RiskmonApp adds the
bindings, actions, screens and playbook steps.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.logging import TextualHandler
from textual.screen import Screen

from riskmon.i18n import N_, _
from riskmon.textsafe import clean
from riskmon.tui.app_live import DARK, LIGHT, LiveApp
from riskmon.tui.app_live import HIGHLIGHT_SECONDS as HIGHLIGHT_SECONDS
from riskmon.tui.app_live import LIVE_MODULES as LIVE_MODULES
from riskmon.tui.app_live import QUIT_DRAIN as QUIT_DRAIN
from riskmon.tui.app_live import LiveSource as LiveSource
from riskmon.tui.commands import RiskmonCommands
from riskmon.tui.lang import system_commands
from riskmon.tui.messages import ConfigSaved, OpenEvent, StepSaved, StepToggled
from riskmon.tui.source import HeadStart

SCREEN_NAMES = {
    "history": N_("History"),
    "config-editor": N_("The config editor"),
    "what-if": N_("What-if"),
    "event-detail": N_("An event's details"),
}
"""The screens that can be open once at a time (by id), as a note names them."""
CONFIG_SOURCES = (N_("user config dir"), N_("bundled demo"))
"""Where the config directory came from (riskmon.paths.ConfigLocation.source), as words."""


class RiskmonApp(LiveApp):
    TITLE = "riskmon"
    CSS_PATH = "theme.tcss"
    COMMANDS: ClassVar = App.COMMANDS | {RiskmonCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", N_("Quit")),
        Binding("r", "refresh", N_("Refresh"), show=False),  # in help and the palette: the footer keeps
        Binding("h", "history", N_("History")),  # room for the focused pane's keys, q and ?
        Binding("t", "toggle_theme", N_("Theme"), show=False),
        Binding("N", "news", N_("News"), show=False),
        Binding("question_mark", "help", N_("Help"), key_display="?"),
    ]

    # -- actions -----------------------------------------------------------------------------

    def action_refresh(self) -> None:
        """Re-read changed config, poll every feed now, reassess (`r`); one at a time."""
        if self.monitor is None or not self.monitor.running:
            return
        if self._refresh_task is None or self._refresh_task.done():
            self._refresh_task = self.monitor.refresh_now()
        self.dashboard.tick()

    async def action_quit(self) -> None:
        self.quitting = True
        self._stop_monitor()  # no new polls or cycles while the app closes
        self.exit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Once quitting, only quitting: a key typed right after `q` (`qw`) would open a screen
        while the app closes, and its mount would find its widgets gone."""
        return action == "quit" or not self.quitting

    @on(ConfigSaved)
    def _config_saved(self, message: ConfigSaved) -> None:
        self.action_refresh()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own commands (theme, quit, keys, screenshot) in the active language."""
        return system_commands(super().get_system_commands(screen))

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK

    # Screens other than the dashboard are imported when first opened: a faster first paint.

    def action_help(self) -> None:
        from riskmon.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def _open(self, screen_id: str, make: Callable[[], Screen[Any]]) -> None:
        """Open a screen unless it is open already: on top, it stays. Further down the stack, a
        second one cannot be (Textual needs screen ids unique), and going back to it could drop
        what the screens above it hold (an unsaved edit): a note says where it is."""
        if self.screen.id == screen_id:
            return
        if any(s.id == screen_id for s in self.screen_stack):
            name = _(SCREEN_NAMES[screen_id]) if screen_id in SCREEN_NAMES else screen_id
            note = _("{name} is already open, under this screen: esc goes back to it.").format(name=name)
            self.notify(note, markup=False, timeout=5)
            return
        self.push_screen(make())

    def action_history(self) -> None:
        from riskmon.tui.screens.history import HistoryScreen

        loaded = self.loaded
        if loaded is not None:
            self._open("history", lambda: HistoryScreen(loaded))

    def action_config_editor(self) -> None:
        from riskmon.tui.screens.config_editor import ConfigEditorScreen

        loc = self.loaded.evaluation.config.location if self.loaded is not None else self.location
        self._open("config-editor", lambda: ConfigEditorScreen(loc))

    def action_what_if(self) -> None:
        from riskmon.tui.screens.whatif import WhatIfScreen

        loaded = self.loaded
        if loaded is None:
            from riskmon.tui.screens.forms import NO_DATA

            self.notify(_(NO_DATA), markup=False, timeout=5)
        else:
            self._open("what-if", lambda: WhatIfScreen(loaded.evaluation))

    def action_news(self) -> None:
        from riskmon.tui.screens.news import NewsScreen

        if not isinstance(self.screen, NewsScreen):
            self.push_screen(NewsScreen(self.location))

    def action_config_path(self) -> None:
        loc = self.location
        self.notify(f"{loc.path}\n({_(loc.source)})", title=_("Config directory"), markup=False, timeout=10)

    def open_event(self, event_id: str) -> None:
        if self.loaded is None or self.quitting:
            return
        a = self.loaded.evaluation.assessment
        e = a.event(event_id)
        if e is None:
            note = _("No event {event} in the current assessment.").format(event=clean(event_id))
            self.notify(note, markup=False, severity="warning")
            return
        from riskmon.tui.screens.event_detail import EventDetailScreen

        def make() -> Screen[Any]:
            return EventDetailScreen(e, a)

        current = self.screen
        if isinstance(current, EventDetailScreen) and current.event.id != event_id:
            # Another event from the palette: this one's details replace the ones on top.
            self.run_worker(self._replace_top(make), group="screens")
        else:
            self._open("event-detail", make)

    async def _replace_top(self, make: Callable[[], Screen[Any]]) -> None:
        await self.pop_screen()  # gone from the app before a screen with its id comes in
        self.push_screen(make())

    @on(OpenEvent)
    def _open_event(self, message: OpenEvent) -> None:
        self.open_event(message.event_id)

    # -- playbook steps ----------------------------------------------------------------------

    @on(StepToggled)
    def _step_toggled(self, message: StepToggled) -> None:
        self._ticked[(message.key, message.step_id)] = message.done
        if self.loaded is not None:
            self._apply_ticks(self.loaded)
            self.dashboard.show_steps()
        step = (message.key, message.step_id)
        toggle = self._step_toggles[step] = self._step_toggles.get(step, 0) + 1
        self._save_step(message.key, message.step_id, message.done, toggle)

    @work(thread=True, group="steps", exit_on_error=False)
    def _save_step(self, key: str, step_id: str, done: bool, toggle: int) -> None:
        """Write one toggle. Workers run in any order (tick then untick quickly: the untick's
        thread may reach history first), so the step's newest toggle wins, whatever wrote last."""
        step = (key, step_id)
        try:
            with self._step_lock:
                if self._step_written.get(step, 0) > toggle:
                    return  # a later toggle of this step is on disk already
                # When you ticked it, also in a replay (--now): an act of yours, not the replay's.
                self.view.set_step(key, step_id, done, datetime.now(UTC))
                self._step_written[step] = toggle
        except Exception as exc:
            self.post_message(StepSaved(key, step_id, done, error=str(exc)))
            return
        self.post_message(StepSaved(key, step_id, done))

    @on(StepSaved)
    def _step_saved(self, message: StepSaved) -> None:
        if message.error:
            note = _("Could not save the step: {error}").format(error=clean(message.error))
            self.notify(note, severity="error", markup=False)


def keep_logs_off_the_terminal() -> None:
    """Log records go to Textual's console (`textual console`), never onto the screen or onto the
    terminal after exit (the Monitor's warnings about a feed; APScheduler reporting a hanging
    poll cancelled at exit). What matters is on screen: the status line, the banner, toasts.
    Only when nobody configured logging (tests capture it themselves)."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(TextualHandler(stderr=False, stdout=False))


def create_app(
    config_dir: str | Path | None = None,
    db_path: str | Path | None = None,
    now: datetime | None = None,
    head_start: HeadStart | None = None,
) -> RiskmonApp:
    """The dashboard for a config dir and history file, as of `now` (None: the wall clock);
    `head_start`: its first screenful, already being computed (used if for the same config dir
    and `now`)."""
    keep_logs_off_the_terminal()
    return RiskmonApp(config_dir, db_path, now, head_start)
