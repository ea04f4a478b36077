"""Score over time with the level bands and per-event lines (7 d / 30 d / 1 y), the event change
log, and the news: RSS headlines from the feeds (shown as typed, never as markup)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static, Tab, Tabs

from riskmon.i18n import N_, _, ngettext
from riskmon.present.changes import change_detail, field_word
from riskmon.tui import viewdata
from riskmon.tui.lang import Translated
from riskmon.tui.source import Loaded
from riskmon.tui.viewdata import Column
from riskmon.tui.widgets.charts import ScoreChart, ScoreData
from riskmon.tui.widgets.table import ListRow, ListTable

if TYPE_CHECKING:
    from riskmon.tui.app import RiskmonApp

RANGE_TABS = {"r7d": "7d", "r30d": "30d", "r1y": "1y"}

LOG_COLUMNS = (
    Column("at", N_("When (UTC)")),
    Column("event", N_("Event")),
    Column("change", N_("Change")),
    Column("detail", N_("Detail")),
)
NEWS_COLUMNS = (
    Column("at", N_("Published")),
    Column("feed", N_("Feed")),
    Column("platforms", N_("Platforms")),
    Column("title", N_("Headline")),
    Column("link", N_("Link")),
)


def log_row(key: str, entry: Mapping[str, Any]) -> ListRow:
    """One change-log entry; it sorts by its time (not its text: an odd one would misplace it)."""
    at = entry.get("at")
    stamp, event, change, detail = viewdata.log_line(entry)
    words = (stamp, event, field_word(change), change_detail(change, detail))
    cells = zip((c.key for c in LOG_COLUMNS), words, strict=True)
    return ListRow(key, {k: Text(v) for k, v in cells}, {"at": at.timestamp() if isinstance(at, datetime) else None})


def news_row(key: str, r: viewdata.NewsRow) -> ListRow:
    cells = {"at": r.when, "feed": r.feed, "platforms": r.platforms, "title": r.title, "link": r.link}
    # "YYYY-MM-DD HH:MM" sorts as the time it is; undated headlines last.
    return ListRow(key, {k: Text(v) for k, v in cells.items()}, {"at": None if r.when == "—" else r.when})


def placeholder(columns: tuple[Column, ...], key: str, text: str) -> ListRow:
    """The one row of an empty table: a dash first, `text` under column `key`."""
    cells = {c.key: Text("") for c in columns}
    cells[columns[0].key] = Text("—")
    cells[key] = Text(text)
    return ListRow("none", cells)


class HistoryScreen(Translated, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", N_("Back")),
        Binding("h", "app.pop_screen", N_("Back"), show=False),
        Binding("1", "range('7d')", N_("7 d")),
        Binding("2", "range('30d')", N_("30 d")),
        Binding("3", "range('1y')", N_("1 y")),
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
        yield Tabs(Tab(_("7 days"), id="r7d"), Tab(_("30 days"), id="r30d"), Tab(_("1 year"), id="r1y"), id="range")
        yield ScoreChart(id="history-chart")
        yield Static("", id="history-note")
        yield Static(_("Event change log"), id="log-title")
        yield ListTable(LOG_COLUMNS, id="log")
        yield Static(_("News"), id="news-title")
        yield ListTable(NEWS_COLUMNS, id="news")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Tabs).active = f"r{self.range_key}"
        self.show(self.loaded)
        self.query_one("#log", ListTable).focus()

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
                now=a.now,
                title=_("Score and top events, last {days} days (bands: warning {warn}, critical {crit})").format(
                    days=span.days, warn=f"{a.thresholds.warn:g}", crit=f"{a.thresholds.crit:g}"
                ),
            )
        )
        n = len(viewdata.score_series(history, a.now, span).x)
        note = ngettext("{n} snapshot in range", "{n} snapshots in range", n).format(n=n)
        if loaded.history_error:
            note += f"; {loaded.history_error}"
        self.query_one("#history-note", Static).update(Text(note))
        start = a.now - span
        entries = [e for e in loaded.event_log if e.get("at") is None or e["at"] >= start]
        rows = [log_row(str(i), entry) for i, entry in enumerate(reversed(entries[-500:]))]
        if not entries:
            rows = [placeholder(LOG_COLUMNS, "event", _("no changes recorded in this range"))]
        self.query_one("#log", ListTable).show(rows)
        self._show_news(loaded)

    def _show_news(self, loaded: Loaded) -> None:
        rows = viewdata.news_rows(loaded.evaluation.headlines)
        feeds = [f for f in loaded.evaluation.feeds if f.get("type") == "rss"]
        self.query_one("#news-title", Static).update(
            Text(
                _("News: {headlines} from {feeds} (news only: headlines never change the score)").format(
                    headlines=ngettext("{n} headline", "{n} headlines", len(rows)).format(n=len(rows)),
                    feeds=ngettext("{n} RSS feed", "{n} RSS feeds", len(feeds)).format(n=len(feeds)),
                )
            )
        )
        shown = [news_row(str(i), r) for i, r in enumerate(rows)]
        if not rows:
            hint = (
                _("no headlines yet")
                if feeds
                else _('no RSS feed configured (a feed with type = "rss" in riskmon.toml)')
            )
            shown = [placeholder(NEWS_COLUMNS, "title", hint)]
        self.query_one("#news", ListTable).show(shown)

    def action_range(self, key: str) -> None:
        self.query_one(Tabs).active = f"r{key}"

    @on(Tabs.TabActivated, "#range")
    def _tab(self, event: Tabs.TabActivated) -> None:
        key = RANGE_TABS.get(str(event.tab.id), "30d")
        if key != self.range_key:
            self.range_key = key
            self.show(self.loaded)
