"""The main screen: header, exposure, events timeline, playbook, charts, status line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import DescendantFocus, Resize
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from riskmon.i18n import N_, _
from riskmon.tui import viewdata
from riskmon.tui.lang import Translated
from riskmon.tui.messages import EventHighlighted
from riskmon.tui.screens.dashboard_css import DASHBOARD_CSS, size_classes
from riskmon.tui.screens.dashboard_slots import fill_slots
from riskmon.tui.source import Loaded
from riskmon.tui.widgets.chart_data import CashData, ScoreData
from riskmon.tui.widgets.events_table import EventsTable
from riskmon.tui.widgets.exposure_table import ExposureTable
from riskmon.tui.widgets.header import ErrorBanner, RiskHeader
from riskmon.tui.widgets.next_actions import NextActions
from riskmon.tui.widgets.playbook_panel import PlaybookPanel
from riskmon.tui.widgets.status_line import StatusLine, feed_health
from riskmon.tui.words import NEXT_ACTIONS

if TYPE_CHECKING:
    from riskmon.core.engine import Assessment
    from riskmon.tui.app import RiskmonApp
    from riskmon.tui.widgets.charts import CashChart, ScoreChart

PANES = Binding.Group(N_("Panes"))
"""`v` `a` `x` `p` in the footer as one item: they move between the panes."""
CHART_DAYS = 30.0
FILTER_PLACEHOLDER = N_("filter events: words in id, title, kind, status, platform…")
PLAYBOOK = N_("Playbook")


class DashboardScreen(Translated, Screen[None]):
    AUTO_FOCUS = "#events"
    """What has the focus when the screen is shown: the timeline (Textual's default is the first
    focusable widget, the exposure table, which a short screen hides)."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", N_("Filter"), key_display="/"),
        Binding("escape", "clear_filter", N_("Clear filter"), show=False),
        Binding("v", "focus_events", N_("Events"), group=PANES),
        Binding("a", "focus_actions", N_("Next actions"), group=PANES),
        Binding("x", "focus_exposure", N_("Exposure"), group=PANES),
        Binding("p", "focus_playbook", N_("Playbook"), group=PANES),
        Binding("e", "app.config_editor", N_("Config")),
        Binding("w", "app.what_if", N_("What-if")),
        Binding("n", "new_event", N_("New event")),
        # The focused table's own `c`/`E` come first; these answer anywhere else.
        Binding("c", "edit_channel", N_("Edit channel"), show=False),
        Binding("E", "edit_event", N_("Edit event"), show=False),
    ]

    DEFAULT_CSS = DASHBOARD_CSS

    def __init__(self) -> None:
        super().__init__(id="dashboard")
        self.loaded: Loaded | None = None
        self._pending: Loaded | None = None
        self._pending_error: tuple[str, list[str]] | None = None
        self._ready = False
        """Composed and mounted: data that arrives earlier waits (a fast first refresh can)."""
        self.selected: str | None = None
        self._charts: tuple[ScoreData, CashData] | None = None
        """What the charts show: kept until they are mounted (after the first frame)."""
        self._chart_widgets: tuple[ScoreChart, CashChart] | None = None
        self._rest_waits = False
        """The second step waits for the first frame with data (or an error) to be drawn."""
        self._deferred: list[Callable[[], object]] | None = []
        """Keys' actions waiting for the panes mounted after the first frame (None: all mounted)."""

    @property
    def rapp(self) -> RiskmonApp:
        return self.app  # type: ignore[return-value]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The forms and the filter open nothing once the app is quitting (RiskmonApp.check_action)."""
        return not self.rapp.quitting

    def compose(self) -> ComposeResult:
        # The size classes before the children exist: they are styled once, not again on mount
        # (a class on the screen restyles every widget under it).
        self.update_classes(size_classes(*self.app.size))
        first = self._pending  # the app's head start, when it was ready before this compose
        if first is None:
            yield RiskHeader(id="header")
        else:
            demo = first.evaluation.config.location.is_demo
            yield RiskHeader(id="header", level=first.evaluation.assessment.level, demo=demo)
        yield ErrorBanner(id="banner")
        yield ExposureTable(id="exposure", classes="pane")
        with Horizontal(id="body"):
            with Vertical(id="main"):
                yield Static(id="filter-slot")
                yield EventsTable(id="events", classes="pane")
                # The filter, next actions, playbook and charts come after the first frame
                # (_mount_rest), in these slots: same place, size, border and title.
                yield Static(id="actions-slot", classes="pane")
            with Vertical(id="side"):
                yield Static(id="playbook-slot", classes="pane")
                yield Static(id="cash-slot", classes="pane chart cash")
                yield Static(id="score-slot", classes="pane chart score")
        yield StatusLine(id="status")
        yield Static(id="footer-slot")  # the Footer (the focused pane's keys first), after the first frame

    def on_mount(self) -> None:
        self.query_one("#exposure").border_title = _("Exposure per channel")
        self.query_one("#events").border_title = _("Events")
        self.query_one("#actions-slot").border_title = _(NEXT_ACTIONS)
        self.query_one("#playbook-slot").border_title = _(PLAYBOOK)
        self.set_interval(1.0, self.tick)
        self.query_one(EventsTable).focus()
        self._layout(self.app.size.width, self.app.size.height)
        self._ready = True
        if self._pending_error is not None:
            self.show_error(*self._pending_error)
        self.on_screen_resume()
        self.call_after_refresh(self._mount_rest)

    def _rest_after_this_frame(self) -> None:
        """The data (or the error) is drawn in the next frame: the second step after it."""
        if self._rest_waits:
            self._rest_waits = False
            self.call_after_refresh(self._mount_rest)

    @property
    def complete(self) -> bool:
        """Every pane is mounted (the second step after the first frame is done)."""
        return self._deferred is None

    def when_complete(self, action: Callable[[], object]) -> None:
        """Now, or once every pane is mounted: a key pressed during the first frame acts then."""
        if self._deferred is not None:
            self._deferred.append(action)
        else:
            action()

    async def _mount_rest(self) -> None:
        """The panes and footer the first frame did without, in their slots; charts (~30 ms imports) later."""
        if self.closing:
            return
        if self.loaded is None and self._pending_error is None:
            self._rest_waits = True  # the data is on its way: its frame first, as light as it can be
            return
        filter_box = Input(placeholder=_(FILTER_PLACEHOLDER), id="filter")
        panes = [("#filter-slot", filter_box), ("#actions-slot", NextActions(id="actions")), ("#footer-slot", Footer())]
        if not await fill_slots(self, [*panes, ("#playbook-slot", PlaybookPanel(id="playbook"))]):
            return
        if self.closing or not self.query(PlaybookPanel):  # the app closed around the mount
            return
        self.refresh_bindings()  # the footer lists keys when bindings are published: once more for it
        deferred, self._deferred = self._deferred or [], None
        self.show_steps()
        for action in deferred:
            action()
        self.call_after_refresh(self._mount_charts)

    async def _mount_charts(self) -> None:
        if self.closing:
            return
        from riskmon.tui.widgets.charts import CashChart, ScoreChart

        score = ScoreChart(id="score-chart", classes="pane chart score")
        cash = CashChart(id="cash-chart", classes="pane chart cash")
        if not await fill_slots(self, [("#cash-slot", cash), ("#score-slot", score)]):
            return
        self._chart_widgets = (score, cash)
        self._show_charts()

    def _show_charts(self) -> None:
        if self._charts is not None and self._chart_widgets is not None:
            self._chart_widgets[0].show(self._charts[0])
            self._chart_widgets[1].show(self._charts[1])

    def on_resize(self, event: Resize) -> None:
        self._layout(event.size.width, event.size.height)

    def _layout(self, width: int, height: int) -> None:
        self.update_classes(size_classes(width, height))  # one restyle, only if a class changed
        self._focus_shown()

    def _focus_shown(self) -> None:
        """The exposure table hidden on a short screen must not keep the focus (its keys would be
        in the footer and `c` would act on an unseen row): the events table takes it."""
        hidden = self.has_class("-compact") and not self.has_class("-show-exposure")
        if hidden and isinstance(self.focused, ExposureTable):
            self.query_one(EventsTable).focus()

    # -- data ---------------------------------------------------------------------------------

    def receive(self, loaded: Loaded) -> None:
        """New data; drawn now if this screen is showing, else when it is shown again."""
        if self._ready and self.is_current:
            self.show(loaded)
        else:
            self._pending = loaded

    def on_screen_resume(self) -> None:
        if self._ready and self._pending is not None:
            loaded, self._pending = self._pending, None
            self.show(loaded)

    def show(self, loaded: Loaded) -> None:
        if not self.query(RiskHeader):  # the app is closing
            return
        self.loaded = loaded
        ev = loaded.evaluation
        a: Assessment = ev.assessment
        self.query_one(RiskHeader).show(a, ev.config.location)
        self.query_one(ExposureTable).show(a)
        self.query_one(EventsTable).show(a, loaded.changes)
        self.show_steps()
        history = viewdata.with_current(loaded.snapshots, a)
        score = ScoreData(
            score=viewdata.score_series(history, a.now, timedelta(days=CHART_DAYS)),
            warn=a.thresholds.warn,
            crit=a.thresholds.crit,
            span_days=CHART_DAYS,
            title=_("Score, last {n} days").format(n=f"{CHART_DAYS:.0f}"),
            now=a.now,
        )
        f = a.forecast
        self._charts = (score, CashData(f.week_starts, f.baseline, f.likely, f.stress, a.profile.business.currency))
        self._show_charts()
        self._focus_shown()
        self.tick()
        self._rest_after_this_frame()

    def show_error(self, title: str, lines: list[str]) -> None:
        self._pending_error = (title, lines)
        for banner in self.query(ErrorBanner):  # none while the app is closing
            banner.show(title, lines)
        self._rest_after_this_frame()

    def clear_error(self) -> None:
        self._pending_error = None
        for banner in self.query(ErrorBanner):
            banner.clear()

    def tick(self) -> None:
        """Refresh the status line (feed health, data age, next poll); skipped while hidden."""
        if not self.is_current or self.loaded is None:
            return
        ev = self.loaded.evaluation
        text, bad = feed_health(ev.feeds)
        parts = [*self.rapp.status_parts(), _("config {source}").format(source=_(ev.config.location.source))]
        if ev.headlines:
            parts.append(f"{len(ev.headlines)} headline{'s' if len(ev.headlines) != 1 else ''} (h)")
        if self.loaded.history_error:
            parts.append(self.loaded.history_error)
        self.query_one(StatusLine).show(text, bad, parts)

    # -- selection and playbook ---------------------------------------------------------------

    @property
    def closing(self) -> bool:
        """The app is shutting down: messages still queued here find the widgets gone."""
        return not self.app.is_running

    @on(EventHighlighted)
    def _highlighted(self, message: EventHighlighted) -> None:
        if self.closing:
            return
        if message.event_id != self.selected:
            self.selected = message.event_id
            self._show_playbook()

    def show_steps(self) -> None:
        """The checklists and the next actions as `loaded` has them (also after a tick: a step
        ticked in one shows ticked in the other)."""
        if not self.complete:
            return  # _mount_rest shows them
        self._show_playbook()
        actions = self.query(NextActions)  # none while the app closes around a late mount
        if self.loaded is not None and actions:
            actions.first().show(self.loaded.actions, self.loaded.evaluation.assessment.now)

    def _show_playbook(self) -> None:
        if self.loaded is None or not self.complete:
            return
        a = self.loaded.evaluation.assessment
        e = a.event(self.selected) if self.selected else None
        pb = self.loaded.playbooks
        steps = pb.get(e.id, []) if e is not None else []
        standing = [step for key in self.loaded.standing for step in pb.get(key, [])]
        for panel in self.query(PlaybookPanel):  # none while the app closes around a late mount
            panel.show(e, steps, a.now, standing)

    # -- filter -------------------------------------------------------------------------------

    def action_filter(self) -> None:
        self.when_complete(self._open_filter)

    def _open_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("-shown")
        box.focus()

    @property
    def filter_open(self) -> bool:
        """The filter box is shown or holds words (before it is mounted: neither)."""
        return any(box.has_class("-shown") or box.value for box in self.query("#filter").results(Input))

    def action_clear_filter(self) -> None:
        if self.filter_open:
            box = self.query_one("#filter", Input)
            box.value = ""
            box.remove_class("-shown")
            self.query_one(EventsTable).set_filter("")
            self.query_one(EventsTable).focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if not self.closing:
            self.query_one(EventsTable).set_filter(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        if self.closing:
            return
        if not event.value:
            self.query_one("#filter").remove_class("-shown")
        self.query_one(EventsTable).focus()

    # -- structured edits (riskmon.tui.screens.forms) ------------------------------------------

    def action_edit_channel(self) -> None:
        """The highlighted channel, or the channel the highlighted event hits hardest; elsewhere, say how."""
        from riskmon.tui.screens.forms import open_channel_form

        key = self.channel_in_focus()
        if key is None:
            self.notify(
                _("c edits a channel: press x for the exposure table, pick a row, then c."), title=_("Edit channel")
            )
            return
        open_channel_form(self.app, key)

    def channel_in_focus(self) -> str | None:
        focused, a = self.focused, self.loaded.evaluation.assessment if self.loaded else None
        if isinstance(focused, ExposureTable):
            return focused.current_key
        if isinstance(focused, EventsTable) and a is not None and focused.current_key:
            e = a.event(focused.current_key)
            hits = sorted(e.channels, key=lambda h: -h.loss) if e is not None else []
            return hits[0].channel_id if hits else None
        return None

    def action_edit_event(self) -> None:
        """The highlighted event, or the event of the playbook in focus; elsewhere, say how."""
        from riskmon.tui.screens.forms import open_event_form

        focused = self.focused
        key = None
        if isinstance(focused, EventsTable):
            key = focused.current_key
        elif focused is not None and focused.id == "pb-steps":
            key = self.query_one(PlaybookPanel).event_id
        if key is None:
            self.notify(_("E edits an event: press v for the events table, pick a row, then E."), title=_("Edit event"))
            return
        open_event_form(self.app, key)

    def action_new_event(self) -> None:
        from riskmon.tui.screens.forms import open_new_event_form

        open_new_event_form(self.app)

    def action_toggle_unreached(self) -> None:
        self.query_one(EventsTable).action_toggle_unreached()

    def action_focus_events(self) -> None:
        self.query_one(EventsTable).focus()

    def action_focus_exposure(self) -> None:
        self.add_class("-show-exposure")  # hidden on a short screen until asked for
        self.query_one(ExposureTable).focus()

    def action_focus_playbook(self) -> None:
        self.when_complete(lambda: self.query_one(PlaybookPanel).focus_steps())

    def action_focus_actions(self) -> None:
        self.when_complete(lambda: self.query_one(NextActions).focus_list())

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        """Where the playbook shares the next actions' place, it shows while it has the focus."""
        if isinstance(event.widget.parent, PlaybookPanel):
            self.add_class("-show-playbook")
        elif isinstance(event.widget.parent, NextActions):
            self.remove_class("-show-playbook")
