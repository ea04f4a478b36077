"""Score over time with the level bands and per-event lines (7 d / 30 d / 1 y), the event change
log, and the news: RSS headlines from the feeds (shown as typed, never as markup)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static, Tab, Tabs

from riskmon.tui import viewdata
from riskmon.tui.source import Loaded
from riskmon.tui.widgets.charts import ScoreChart, ScoreData
from riskmon.tui.widgets.table import TextTable

if TYPE_CHECKING:
    from riskmon.tui.app import RiskmonApp

RANGE_TABS = {"r7d": "7d", "r30d": "30d", "r1y": "1y"}


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
    HistoryScreen #news-title { height: 1; text-style: bold; color: $primary; padding: 0 1; }
    HistoryScreen #news { height: 1fr; min-height: 3; }
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
        yield TextTable(id="log", cursor_type="row", zebra_stripes=True)
        yield Static("News", id="news-title")
        yield TextTable(id="news", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        log = self.query_one("#log", TextTable)
        for label, key in (("When (UTC)", "at"), ("Event", "event"), ("Change", "change"), ("Detail", "detail")):
            log.add_column(label, key=key)
        news = self.query_one("#news", TextTable)
        for label, key in (
            ("Published", "at"),
            ("Feed", "feed"),
            ("Platforms", "platforms"),
            ("Headline", "title"),
            ("Link", "link"),
        ):
            news.add_column(label, key=key)
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
        log = self.query_one("#log", TextTable)
        log.clear()
        start = a.now - span
        entries = [e for e in loaded.event_log if e.get("at") is None or e["at"] >= start]
        for entry in reversed(entries[-500:]):
            log.add_row(*(Text(x) for x in viewdata.log_line(entry)))
        if not entries:
            log.add_row(Text("—"), Text("no changes recorded in this range"), Text(""), Text(""))
        self._show_news(loaded)

    def _show_news(self, loaded: Loaded) -> None:
        news = self.query_one("#news", TextTable)
        rows = viewdata.news_rows(loaded.evaluation.headlines)
        feeds = [f for f in loaded.evaluation.feeds if f.get("type") == "rss"]
        self.query_one("#news-title", Static).update(
            Text(
                f"News: {len(rows)} headline{'s' if len(rows) != 1 else ''} from {len(feeds)} RSS feed"
                f"{'s' if len(feeds) != 1 else ''} (news only: headlines never change the score)"
            )
        )
        news.clear()
        for r in rows:
            news.add_row(Text(r.when), Text(r.feed), Text(r.platforms), Text(r.title), Text(r.link))
        if not rows:
            hint = "no headlines yet" if feeds else 'no RSS feed configured (a feed with type = "rss" in riskmon.toml)'
            news.add_row(Text("—"), Text(""), Text(""), Text(hint), Text(""))

    def action_range(self, key: str) -> None:
        self.query_one(Tabs).active = f"r{key}"

    @on(Tabs.TabActivated, "#range")
    def _tab(self, event: Tabs.TabActivated) -> None:
        key = RANGE_TABS.get(str(event.tab.id), "30d")
        if key != self.range_key:
            self.range_key = key
            self.show(self.loaded)
