"""Score over time with the level bands and per-event lines (7 d / 30 d / 1 y), and the event log."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, Tab, Tabs

from riskmon.tui import viewdata
from riskmon.tui.source import Loaded
from riskmon.tui.widgets.charts import ScoreChart, ScoreData

if TYPE_CHECKING:
    from riskmon.tui.app import RiskmonApp

RANGE_TABS = {"r7d": "7d", "r30d": "30d", "r1y": "1y"}


class LogTable(DataTable[Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]


class HistoryScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("h", "app.pop_screen", "Back", show=False),
        Binding("1", "range('7d')", "7 d"),
        Binding("2", "range('30d')", "30 d"),
        Binding("3", "range('1y')", "1 y"),
    ]

    DEFAULT_CSS = """
    HistoryScreen { layout: vertical; }
    HistoryScreen #range { height: 2; }
    HistoryScreen #history-chart { height: 2fr; min-height: 10; }
    HistoryScreen #log-title { height: 1; text-style: bold; color: $primary; padding: 0 1; }
    HistoryScreen #log { height: 1fr; min-height: 4; }
    HistoryScreen #history-note { height: auto; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, loaded: Loaded, range_key: str = "30d") -> None:
        super().__init__(id="history")
        self.loaded = loaded
        self.range_key = range_key
        self._pending: Loaded | None = None

    @property
    def rapp(self) -> RiskmonApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Tabs(Tab("7 days", id="r7d"), Tab("30 days", id="r30d"), Tab("1 year", id="r1y"), id="range")
        yield ScoreChart(id="history-chart")
        yield Static("", id="history-note")
        yield Static("Event change log", id="log-title")
        yield LogTable(id="log", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        log = self.query_one(LogTable)
        for label, key in (("When (UTC)", "at"), ("Event", "event"), ("Change", "change"), ("Detail", "detail")):
            log.add_column(label, key=key)
        self.query_one(Tabs).active = f"r{self.range_key}"
        self.show(self.loaded)
        log.focus()

    def receive(self, loaded: Loaded) -> None:
        if self.is_current:
            self.show(loaded)
        else:
            self._pending = loaded

    def on_screen_resume(self) -> None:
        if self._pending is not None:
            loaded, self._pending = self._pending, None
            self.show(loaded)

    def show(self, loaded: Loaded) -> None:
        self.loaded = loaded
        a = loaded.evaluation.assessment
        span = viewdata.RANGES[self.range_key]
        history = viewdata.with_current(loaded.snapshots, a)
        self.query_one(ScoreChart).show(
            ScoreData(
                score=viewdata.score_series(history, a.now, span),
                warn=a.thresholds.warn,
                crit=a.thresholds.crit,
                events=viewdata.event_series(history, a.now, span),
                span_days=span.days,
                title=f"Score and top events, last {span.days} days (bands: warning {a.thresholds.warn:g}, "
                f"critical {a.thresholds.crit:g})",
            )
        )
        n = len(viewdata.score_series(history, a.now, span).x)
        note = f"{n} snapshot{'s' if n != 1 else ''} in range"
        if loaded.history_error:
            note += f"; {loaded.history_error}"
        self.query_one("#history-note", Static).update(Text(note))
        log = self.query_one(LogTable)
        log.clear()
        start = a.now - span
        entries = [e for e in loaded.event_log if e.get("at") is None or e["at"] >= start]
        for entry in reversed(entries[-500:]):
            log.add_row(*(Text(x) for x in viewdata.log_line(entry)))
        if not entries:
            log.add_row(Text("—"), Text("no changes recorded in this range"), Text(""), Text(""))

    def action_range(self, key: str) -> None:
        self.query_one(Tabs).active = f"r{key}"

    @on(Tabs.TabActivated, "#range")
    def _tab(self, event: Tabs.TabActivated) -> None:
        key = RANGE_TABS.get(str(event.tab.id), "30d")
        if key != self.range_key:
            self.range_key = key
            self.show(self.loaded)
