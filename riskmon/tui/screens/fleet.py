"""The fleet overview (`riskmon --fleet DIR`): every profile's row, live; `enter` opens a profile's
dashboard, `esc` comes back.

`FleetApp` is the dashboard app with a `FleetMonitor` (riskmon.live.fleet) as its live source,
started in Textual's loop. The overview redraws at most twice a second from the monitor's rows
(a pass over a thousand profiles reports a thousand times). A profile's dashboard is the usual
one, fed by the fleet's updates for that profile, so it shows exactly what its row says (the
shared events and feeds included): the app's usual wiring shows it, and its history, what-if and
config editor work on that profile's files and history.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.events import Mount, Unmount
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from riskmon.i18n import N_, _
from riskmon.present.fleet import SEVERITY, FleetRow, cells, headline, sorted_rows, worst
from riskmon.tui.app import QUIT_DRAIN, RiskmonApp, keep_logs_off_the_terminal
from riskmon.tui.lang import Translated
from riskmon.tui.screens.dashboard import DashboardScreen
from riskmon.tui.source import Loaded
from riskmon.tui.viewdata import Column
from riskmon.tui.widgets.header import ErrorBanner
from riskmon.tui.widgets.status_line import StatusLine
from riskmon.tui.widgets.table import ListRow, ListTable

if TYPE_CHECKING:
    from riskmon.live.fleet import FleetMonitor, FleetUpdate

LEVEL_STYLE = {"OK": "green", "WARNING": "bold yellow", "CRITICAL": "bold red", "UNKNOWN": "bold magenta"}
FLEET_COLUMNS: tuple[Column, ...] = (
    Column("profile", N_("Profile")),
    Column("level", N_("Level")),
    Column("score", N_("Score"), True),
    Column("cash", N_("Lowest cash"), True),
    Column("shortfall", N_("Shortfall"), True),
    Column("reason", N_("Top reason"), sortable=False),
)
PROFILE_ACTIONS = frozenset({"history", "config_editor", "what_if", "config_path"})
"""App actions about the profile shown: off on the overview."""
REDRAW_EVERY = 0.5
"""Seconds between redraws of the overview while profiles are being reassessed."""


def fleet_row(row: FleetRow) -> ListRow:
    """A profile's row as the table shows and sorts it (cells are Text: names come from disk)."""
    pairs = zip(FLEET_COLUMNS, cells(row), strict=True)
    shown = {c.key: Text(v, justify="right" if c.numeric else "left") for c, v in pairs}
    shown["level"] = Text(row.level, style=LEVEL_STYLE[row.level])
    values = {"level": -SEVERITY[row.level], "score": row.score, "cash": row.cash_low, "shortfall": row.shortfall}
    return ListRow(row.profile, shown, values)


class FleetTable(ListTable):
    DEFAULT_CSS = """
    FleetTable { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(FLEET_COLUMNS, id=id)


class FleetScreen(Translated, Screen[None]):
    """Every profile of the fleet: sorted by state (CRITICAL, UNKNOWN, WARNING, OK), then score."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "open", N_("Open profile"))]
    DEFAULT_CSS = """
    FleetScreen #summary { height: 1; padding: 0 1; text-style: bold; }
    """

    def __init__(self) -> None:
        super().__init__(id="fleet")
        self.dirty = True
        self.shown = 0
        """Redraws done (tests wait on it)."""

    @property
    def fapp(self) -> FleetApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(_("Loading the fleet…"), id="summary", markup=False)
        yield ErrorBanner(id="banner")
        yield FleetTable(id="profiles")
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(FleetTable).focus()
        self.set_interval(REDRAW_EVERY, self.redraw)

    def redraw(self) -> None:
        """Draw the rows again if the fleet reported anything since the last redraw."""
        fleet = self.fapp.fleet
        if not self.dirty or fleet is None or not self.is_current:
            return
        self.dirty = False
        rows = fleet.rows()
        self.query_one(FleetTable).show([fleet_row(r) for r in sorted_rows(rows)])
        state = worst(r.level for r in rows)
        self.query_one("#summary", Static).update(Text(f"{state} - {headline(rows)}", style=LEVEL_STYLE[state]))
        parts = [str(fleet.path), _("reassessing…") if fleet.busy else _("up to date"), _("enter: open a profile")]
        if fleet.fleet_error:
            parts.append(_("fleet.toml invalid: {why}").format(why=fleet.fleet_error))
        self.query_one(StatusLine).show(_("{n} profile(s)").format(n=len(rows)), bool(fleet.fleet_error), parts)
        self.shown += 1

    def on_screen_resume(self) -> None:
        self.dirty = True
        self.redraw()

    def show_error(self, title: str, lines: list[str]) -> None:
        self.query_one(ErrorBanner).show(title, lines)
        self.query_one("#summary", Static).update(Text(title))

    def action_open(self) -> None:
        key = self.query_one(FleetTable).current_key
        if key is not None:
            self.fapp.open_profile(key)

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()


class ProfileDashboard(DashboardScreen):
    """A profile's dashboard inside the fleet: `esc` (with no filter open) goes back to the fleet."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "clear_filter", N_("Back to the fleet"))]

    def __init__(self, profile: str, path: Path) -> None:
        super().__init__()
        self.profile = profile
        self.path = path

    def receive(self, loaded: Loaded) -> None:
        # A load for the profile shown before this one may still arrive: it is not this one's.
        if loaded.evaluation.config.location.path == self.path:
            super().receive(loaded)

    def action_clear_filter(self) -> None:
        if self.filter_open:
            super().action_clear_filter()
        else:
            self.fapp.close_profile()

    @property
    def fapp(self) -> FleetApp:
        return self.app  # type: ignore[return-value]


class ProfileSource:
    """One profile of a running fleet, as the app's live source (`LiveSource`)."""

    def __init__(self, fleet: FleetMonitor, name: str) -> None:
        self.fleet = fleet
        self.name = name

    @property
    def running(self) -> bool:
        return self.fleet.running

    def refresh_now(self) -> asyncio.Task[Any]:
        return self.fleet.refresh_profile(self.name)

    def next_polls(self) -> dict[str, datetime | None]:
        return self.fleet.next_polls(self.name)

    def stop(self) -> None:
        """Closing a profile leaves the fleet running."""

    async def aclose(self, timeout: float = QUIT_DRAIN) -> None:
        """As `stop`: the fleet app closes the fleet."""


class FleetApp(RiskmonApp):
    """The dashboard app over a fleet: the overview first, a profile's dashboard on `enter`."""

    CSS_PATH = str(Path(__file__).resolve().parent.parent / "theme.tcss")  # the dashboard's, beside app.py

    def __init__(self, fleet_dir: str | Path, data: Path, now: datetime | None = None) -> None:
        super().__init__(None, None, now)
        self.fleet_dir = Path(fleet_dir).expanduser()
        self.data = data
        self.fleet: FleetMonitor | None = None
        self.current: str | None = None
        """The profile whose dashboard is open."""
        self._monitor_started = True  # the fleet is the live source: no Monitor of a config dir
        self.overview = FleetScreen()

    def on_mount(self, event: Mount | None = None) -> None:
        if event is not None:
            event.prevent_default()  # not the dashboard app's mount: no dashboard of a config dir
        self.push_screen(self.overview)
        self.run_worker(self._start_fleet(), name="fleet-start", group="monitor", exit_on_error=False)

    async def _start_fleet(self) -> None:
        from riskmon.live.fleet import FleetMonitor

        fleet = FleetMonitor(
            self.fleet_dir, self.data, self.now, replay=self.fixed_now is not None, on_update=self._from_fleet
        )
        try:
            await fleet.load()
            fleet.start()  # in Textual's loop: the scheduler's jobs run here, their work in threads
        except Exception as exc:
            await fleet.aclose(timeout=QUIT_DRAIN)
            message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
            problems = [str(p) for p in getattr(exc, "problems", ())] or [message]
            self.overview.show_error(_("The fleet cannot be loaded"), problems)
            return
        self.fleet = fleet
        self.overview.dirty = True

    def _from_fleet(self, update: FleetUpdate) -> None:
        """The fleet's callback (on the loop thread): mark the overview, hand the open profile's
        update to the dashboard's usual wiring."""
        self.overview.dirty = True
        if update.profile is not None and update.profile == self.current and update.update is not None:
            self._from_monitor(update.update)

    def open_profile(self, name: str) -> None:
        if self.current is not None:
            return
        fleet = self.fleet
        member = fleet.members.get(name) if fleet is not None else None
        if fleet is None or member is None:
            return
        update = member.update
        if update is None or update.evaluation is None:
            why = member.error.message if member.error is not None else _("not assessed yet")
            self.notify(f"{name}: {why}", title=_("No dashboard for this profile"), severity="warning", markup=False)
            return
        from riskmon.usecases.fleet import history_path

        self.show_config(update.evaluation.config.location, history_path(self.data, name))
        self.current = name
        self.monitor = ProfileSource(fleet, name)
        self.dashboard = ProfileDashboard(name, member.path)
        self.push_screen(self.dashboard)
        self._load_view(update)

    def close_profile(self) -> None:
        if self.current is None:
            return
        self.current = None
        self.monitor = None
        self.loaded = None
        self.run_worker(self._back_to_overview(), group="screens")

    async def _back_to_overview(self) -> None:
        while self.screen is not self.overview and len(self.screen_stack) > 1:
            await self.pop_screen()

    def action_refresh(self) -> None:
        if self.current is not None:
            super().action_refresh()
        elif self.fleet is not None and self.fleet.running:
            self.fleet.refresh_now()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Actions about one profile (history, config, what-if) only once one is open."""
        if action in PROFILE_ACTIONS and self.current is None:
            return False
        return super().check_action(action, parameters)

    def _stop_monitor(self) -> None:
        if self.fleet is not None:
            self.fleet.stop()

    async def on_unmount(self, event: Unmount | None = None) -> None:
        if event is not None:
            event.prevent_default()
        if self.fleet is not None:
            await self.fleet.aclose(timeout=QUIT_DRAIN)


def create_fleet_app(fleet_dir: str | Path, data: Path, now: datetime | None = None) -> FleetApp:
    keep_logs_off_the_terminal()
    return FleetApp(fleet_dir, data, now)
