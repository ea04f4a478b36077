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

from riskmon.i18n import N_, _, data, day
from riskmon.present.cells import rjust
from riskmon.textsafe import clean
from riskmon.tui import viewdata, words
from riskmon.tui.breaking import BreakingStatic, breakable
from riskmon.tui.lang import Translated
from riskmon.tui.viewdata import Column
from riskmon.tui.widgets.table import ListRow, ListTable, TextTable

if TYPE_CHECKING:
    from riskmon.core.engine import Assessment, ChannelHit, EventAssessment


CHANNEL_COLUMNS = (
    Column("channel", N_("Channel")),
    Column("platform", N_("Platform")),
    Column("regions", N_("Regions")),
    Column("how", N_("Hit by")),
    Column("share", N_("Orders lost"), True),
    Column("loss", N_("Lost"), True),
    Column("late", N_("Late"), True),
    Column("why", N_("Why")),
)


def channel_row(h: ChannelHit, regions: str, currency: str) -> ListRow:
    """A channel the event hits: how (platform, traffic links), the orders and money it loses, why."""
    from riskmon.present.words import channel_why

    how = (_("platform") if h.direct else "") + (
        (" + " if h.direct else "") + _("link ") + ", ".join(clean(x) for x in h.links) if h.links else ""
    )
    cells = {
        "channel": Text(clean(h.channel_id)),
        "platform": Text(clean(h.platform)),
        "regions": Text(regions),
        "how": Text(how),
        "share": Text(viewdata.pct(h.lost_share, 1), justify="right"),
        "loss": Text(viewdata.money(h.loss, currency), justify="right"),
        "late": Text(viewdata.money(h.cash_frozen, currency), justify="right"),
        "why": Text(clean(channel_why(h))),
    }
    return ListRow(h.channel_id, cells, {"share": h.lost_share, "loss": h.loss, "late": h.cash_frozen})


def money_lines(e: EventAssessment, currency: str) -> list[str]:
    """Loss and cash timing said apart: money gone for good, and money that only comes late."""
    money = viewdata.money
    lost = _("{lost}: {loss} if it happens; expected {expected} at {p} (score {score}), removes {shock} of orders")
    late = _(
        "{late}: {amount} of cash held back or paid early if it happens "
        "(cash timing, in the forecast, never in the loss)"
    )
    return [
        lost.format(
            lost=_(words.LOST),
            loss=money(e.loss, currency),
            expected=money(e.expected_loss, currency),
            p=f"{e.probability:.0%}",
            score=f"{e.score:.1f}",
            shock=f"{e.shock:.1%}",
        ),
        late.format(late=_(words.LATE), amount=money(e.cash_frozen, currency)),
    ]


def timeline_lines(e: EventAssessment) -> list[str]:
    """The event's dated statuses, oldest first, the one in force at `now` marked."""
    out = []
    for entry in e.event.timeline:
        mark = "▶" if entry == e.timeline_entry else " "
        status = words.status(clean(entry.status))
        if entry.probability is not None:
            status = _("{status}, {p}").format(status=status, p=f"{entry.probability:.0%}")
        out.append(f"{mark} {day(entry.date)}  {status}")
    return out or [_("no dated statuses: the status is as the event says")]


def facts_lines(e: EventAssessment, currency: str) -> list[str]:
    """What the event is, when, where, and its money (lost apart from late)."""
    from riskmon.present.words import kind_word

    ev = e.event
    ends = _(", ends {time} UTC").format(time=f"{e.ends:%Y-%m-%d %H:%M}") if e.ends else ""
    recurs = _(", recurs {when}").format(when=clean(ev.recurs)) if ev.recurs else ""
    facts = [
        _("{kind}, {status}, probability {p}; from {source}").format(
            kind=kind_word(ev.kind),
            status=words.status(clean(e.status)),
            p=f"{e.probability:.0%}",
            source=words.source(clean(ev.source)),
        ),
        _("effective {time} UTC ({when}){ends}{recurs}").format(
            time=f"{e.effective:%Y-%m-%d %H:%M}", when=words.date_passed(e.days_until), ends=ends, recurs=recurs
        ),
        _("platforms {platforms}; regions {regions}").format(
            platforms=", ".join(words.platform(clean(p)) for p in ev.platforms), regions=viewdata.regions(ev.regions)
        ),
        *money_lines(e, currency),
    ]
    if ev.summary:
        facts.append(clean(data(ev.summary)))
    return facts


class EventDetailScreen(Translated, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", N_("Back")),
        Binding("backspace", "app.pop_screen", N_("Back"), show=False),
        Binding("j", "scroll_down", N_("Down"), show=False),
        Binding("k", "scroll_up", N_("Up"), show=False),
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
            yield Static(Content(f"{clean(ev.id)} — {clean(data(ev.title))}"), classes="title", id="detail-title")
            yield BreakingStatic(breakable("\n".join(facts_lines(e, cur))), classes="facts", id="facts")

            yield Static(Content(_("Timeline")), classes="section")
            yield Static(Content("\n".join(timeline_lines(e))), classes="facts", id="timeline")

            yield Static(Content(_("Loss breakdown")), classes="section")
            # The terms in the order they are derived (each from the ones above): not sortable.
            yield TextTable(id="breakdown", classes="detail-table", cursor_type="row", zebra_stripes=True)

            yield Static(Content(_("Channels hit")), classes="section")
            yield ListTable(CHANNEL_COLUMNS, id="channels", classes="detail-table")

            yield Static(Content(_("Deadlines")), classes="section")
            deadlines = [
                f"{d:%Y-%m-%d %H:%M} UTC  {rjust(words.deadline(words.days_between(d, a.now)), 15)}  {clean(data(w))}"
                for d, w in e.deadlines
            ]
            yield BreakingStatic(breakable("\n".join(deadlines) or _("none")), classes="facts", id="deadlines")

            yield Static(Content(_("Sources")), classes="section")
            yield Static(Content("\n".join(clean(s) for s in ev.sources) or _("none")), classes="facts", id="sources")
        yield Footer()

    def on_mount(self) -> None:
        e, a = self.event, self.assessment
        cur = a.profile.business.currency
        bt = self.query_one("#breakdown", TextTable)
        bt.add_column(_("Term"), key="term")
        bt.add_column(Text(_("Value"), justify="right"), key="value")
        bt.add_column(_("From"), key="inputs")
        for row in viewdata.breakdown_rows(e, a):
            bt.add_row(Text(row.label), Text(row.value, justify="right"), Text(row.inputs), key=row.term)
        regions = {c.id: viewdata.regions(c.regions) for c in a.profile.channels}
        rows = [channel_row(h, regions.get(h.channel_id, ""), cur) for h in e.channels]
        if not e.channels:
            rows = [ListRow("none", {"channel": Text(_("none of your channels"))})]
        self.query_one("#channels", ListTable).show(rows)
        bt.focus()

    def action_scroll_down(self) -> None:
        self.query_one("#detail", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#detail", VerticalScroll).scroll_up()
