"""One event, explained: what is lost apart from what is only late (cash timing), its timeline,
sources, deadlines, which channels it hits and why, the loss breakdown.

The numbers are the engine's, formatted like `riskmon check -v -v` / `riskmon events show ID`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from riskmon.textsafe import clean
from riskmon.tui import viewdata, words
from riskmon.tui.viewdata import Column
from riskmon.tui.widgets.table import ListRow, ListTable, TextTable

if TYPE_CHECKING:
    from riskmon.core.engine import Assessment, ChannelHit, EventAssessment


CHANNEL_COLUMNS = (
    Column("channel", "Channel"),
    Column("platform", "Platform"),
    Column("regions", "Regions"),
    Column("how", "Hit by"),
    Column("share", "Orders lost", True),
    Column("loss", "Lost", True),
    Column("late", "Late", True),
    Column("why", "Why"),
)


def channel_row(h: ChannelHit, regions: str, currency: str) -> ListRow:
    """A channel the event hits: how (platform, traffic links), the orders and money it loses, why."""
    how = ("platform" if h.direct else "") + (
        (" + " if h.direct else "") + "link " + ", ".join(clean(x) for x in h.links) if h.links else ""
    )
    cells = {
        "channel": Text(clean(h.channel_id)),
        "platform": Text(clean(h.platform)),
        "regions": Text(regions),
        "how": Text(how),
        "share": Text(viewdata.pct(h.lost_share, 1), justify="right"),
        "loss": Text(viewdata.money(h.loss, currency), justify="right"),
        "late": Text(viewdata.money(h.cash_frozen, currency), justify="right"),
        "why": Text(clean(h.why)),
    }
    return ListRow(h.channel_id, cells, {"share": h.lost_share, "loss": h.loss, "late": h.cash_frozen})


def money_lines(e: EventAssessment, currency: str) -> list[str]:
    """Loss and cash timing said apart: money gone for good, and money that only comes late."""
    money = viewdata.money
    return [
        f"{words.LOST}: {money(e.loss, currency)} if it happens; expected {money(e.expected_loss, currency)} "
        f"at {e.probability:.0%} (score {e.score:.1f}), removes {e.shock:.1%} of orders",
        f"{words.LATE}: {money(e.cash_frozen, currency)} of cash held back or paid early if it happens "
        "(cash timing, in the forecast, never in the loss)",
    ]


def timeline_lines(e: EventAssessment) -> list[str]:
    """The event's dated statuses, oldest first, the one in force at `now` marked."""
    out = []
    for entry in e.event.timeline:
        mark = "▶" if entry == e.timeline_entry else " "
        p = "" if entry.probability is None else f", {entry.probability:.0%}"
        out.append(f"{mark} {entry.date:%Y-%m-%d}  {words.status(clean(entry.status))}{p}")
    return out or ["no dated statuses: the status is as the event says"]


class EventDetailScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("backspace", "app.pop_screen", "Back", show=False),
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
    ]

    DEFAULT_CSS = """
    EventDetailScreen { layout: vertical; }
    EventDetailScreen #detail { padding: 0 1; }
    EventDetailScreen .title { text-style: bold; background: $boost; padding: 0 1; }
    EventDetailScreen .section { text-style: bold; color: $primary; margin: 1 0 0 0; }
    EventDetailScreen .facts { height: auto; }
    EventDetailScreen .detail-table { height: auto; max-height: 16; margin: 0 0 1 0; }
    """

    def __init__(self, event: EventAssessment, assessment: Assessment) -> None:
        super().__init__(id="event-detail")
        self.event = event
        self.assessment = assessment

    def compose(self) -> ComposeResult:
        e, a = self.event, self.assessment
        ev = e.event
        cur = a.profile.business.currency
        with VerticalScroll(id="detail"):
            yield Static(Content(f"{clean(ev.id)} — {clean(ev.title)}"), classes="title", id="detail-title")
            ends = f", ends {e.ends:%Y-%m-%d %H:%M} UTC" if e.ends else ""
            recurs = f", recurs {clean(ev.recurs)}" if ev.recurs else ""
            facts = [
                f"{ev.kind}, {words.status(clean(e.status))}, probability {e.probability:.0%}; from {clean(ev.source)}",
                f"effective {e.effective:%Y-%m-%d %H:%M} UTC ({words.date_passed(e.days_until)}){ends}{recurs}",
                f"platforms {', '.join(clean(p) for p in ev.platforms)}; regions {viewdata.regions(ev.regions)}",
                *money_lines(e, cur),
            ]
            if ev.summary:
                facts.append(clean(ev.summary))
            yield Static(Content("\n".join(facts)), classes="facts", id="facts")

            yield Static(Content("Timeline"), classes="section")
            yield Static(Content("\n".join(timeline_lines(e))), classes="facts", id="timeline")

            yield Static(Content("Loss breakdown"), classes="section")
            # The terms in the order they are derived (each from the ones above): not sortable.
            yield TextTable(id="breakdown", classes="detail-table", cursor_type="row", zebra_stripes=True)

            yield Static(Content("Channels hit"), classes="section")
            yield ListTable(CHANNEL_COLUMNS, id="channels", classes="detail-table")

            yield Static(Content("Deadlines"), classes="section")
            deadlines = [
                f"{d:%Y-%m-%d %H:%M} UTC  {words.deadline(words.days_between(d, a.now)):>15}  {clean(w)}"
                for d, w in e.deadlines
            ]
            yield Static(Content("\n".join(deadlines) or "none"), classes="facts", id="deadlines")

            yield Static(Content("Sources"), classes="section")
            yield Static(Content("\n".join(clean(s) for s in ev.sources) or "none"), classes="facts", id="sources")
        yield Footer()

    def on_mount(self) -> None:
        e, a = self.event, self.assessment
        cur = a.profile.business.currency
        bt = self.query_one("#breakdown", TextTable)
        bt.add_column("Term", key="term")
        bt.add_column(Text("Value", justify="right"), key="value")
        bt.add_column("From", key="inputs")
        for row in viewdata.breakdown_rows(e, a):
            bt.add_row(Text(row.term), Text(row.value, justify="right"), Text(row.inputs), key=row.term)
        regions = {c.id: viewdata.regions(c.regions) for c in a.profile.channels}
        rows = [channel_row(h, regions.get(h.channel_id, ""), cur) for h in e.channels]
        if not e.channels:
            rows = [ListRow("none", {"channel": Text("none of your channels")})]
        self.query_one("#channels", ListTable).show(rows)
        bt.focus()

    def action_scroll_down(self) -> None:
        self.query_one("#detail", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#detail", VerticalScroll).scroll_up()
