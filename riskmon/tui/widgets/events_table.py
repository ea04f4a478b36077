"""The events timeline: in effect and upcoming, by title (the id last), sortable and filterable;
new/changed rows marked. Events that reach none of the seller's channels ($0 to them) are grouped
at the bottom, dimmed, and `u` hides them: they are context, not risk."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.events import Resize
from textual.widgets.data_table import RowKey

from riskmon.i18n import N_, _, data
from riskmon.textsafe import clean
from riskmon.tui import viewdata, words
from riskmon.tui.messages import EventHighlighted, OpenEvent
from riskmon.tui.viewdata import EVENT_COLUMNS, Changes, Column
from riskmon.tui.widgets.table import SortableTable, fit_columns
from riskmon.tui.words import cut as cut

if TYPE_CHECKING:
    from riskmon.core.engine import Assessment, EventAssessment

STATUS_STYLE = {"in_effect": "bold", "confirmed": "bold", "resolved": "dim", "cancelled": "dim"}
COLUMNS: tuple[Column, ...] = (
    Column("new", ""),
    Column("title", N_("Event")),
    *(c for c in EVENT_COLUMNS if c.key not in ("event", "title")),
    Column("event", N_("Id")),
)
"""Titles first: a seller knows an event by what it says, not by its slug."""
WIDTHS = {"new": 1, "title": 30, "when": 9, "status": 9, "p": 4, "score": 7, "loss": 10, "event": 24}
"""Room each column needs; a title gets at least its 30 and whatever is left over (cut to fit)."""
DROP_FIRST = ("event", "p", "score", "status")
"""Where the table is too narrow for all columns, these go, in this order: titles stay readable."""
MIN_TITLE = 12


def fitting(width: int) -> frozenset[str]:
    """The columns shown at `width`."""
    return fit_columns([c.key for c in COLUMNS], WIDTHS, DROP_FIRST, width)


def room_for_title(keys: list[str] | frozenset[str], width: int) -> int:
    others = sum(WIDTHS.get(k, 0) + 2 for k in keys if k != "title")
    return width - others - 4  # the title's padding and the scrollbar


def reaches_none(e: EventAssessment) -> bool:
    """The event hits none of the seller's channels: nothing lost, nothing late, for them."""
    return not e.channels


def event_id(row_key: RowKey | None) -> str | None:
    """The event of a highlighted or selected row. Textual types the key as always there, but a
    message still queued while a refresh or the filter rebuilt the rows comes with None."""
    value = None if row_key is None else row_key.value
    return None if value is None else str(value)


class EventsTable(SortableTable):
    DEFAULT_CSS = """
    EventsTable { height: 1fr; min-height: 5; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", N_("Details")),
        Binding("u", "toggle_unreached", N_("Unreached")),
        Binding("E", "screen.edit_event", N_("Edit event")),
        Binding("c", "screen.edit_channel", N_("Edit channel")),
    ]
    COLUMNS: ClassVar[tuple[Column, ...]] = COLUMNS
    """The unlabeled first column marks new (●) and changed (◆) events; sorted by it, they come first."""
    WIDTHS: ClassVar[Mapping[str, int]] = WIDTHS
    DROP_ORDER: ClassVar[tuple[str, ...]] = DROP_FIRST
    DEFAULT_SORT: ClassVar[str] = "score"
    FALLBACK_SORTS: ClassVar[tuple[str, ...]] = ("loss", "when")

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.assessment: Assessment | None = None
        self.changes = Changes()
        self.query_text = ""
        self.shown: list[EventAssessment] = []
        self.hide_unreached = False
        """`u`: events that reach none of the seller's channels are left out (else listed last)."""

    def show(self, a: Assessment, changes: Changes | None = None) -> None:
        self.assessment = a
        if changes is not None:
            self.changes = changes
        self.rebuild()

    def set_filter(self, text: str) -> None:
        self.query_text = text
        self.rebuild()

    def title_room(self) -> int:
        """How wide a title may be so that every other shown column still fits."""
        return max(MIN_TITLE, room_for_title(self.fit, self.size.width))

    def rebuild(self) -> None:
        a = self.assessment
        if a is None:
            return
        matching = viewdata.filter_events(a.events, self.query_text)
        ranked = viewdata.sort_events(matching, self.sort_state, self.changes)
        reached = [e for e in ranked if not reaches_none(e)]
        unreached = [e for e in ranked if reaches_none(e)]
        self.shown = reached + ([] if self.hide_unreached else unreached)
        self.border_title = self.title_text(len(a.events), len(matching), len(unreached))
        room = self.title_room()
        self.replace_rows([(e.id, self.cells(e, a, room)) for e in self.shown])
        self.post_message(EventHighlighted(self.current_key))

    def title_text(self, total: int, matching: int, unreached: int) -> str:
        """'Events · 3 of 14 match "tik" · 2 reach none of your channels (last; u hides)'."""
        if self.query_text:
            head = _("Events · {n} of {total} match {query}").format(
                n=matching, total=total, query=repr(self.query_text)
            )
        else:
            head = _("Events · {total}").format(total=total)
        parts = [head]
        if unreached:
            where = _("hidden; u shows") if self.hide_unreached else _("dimmed, last; u hides")
            parts.append(_("{n} reach none of your channels ({where})").format(n=unreached, where=where))
        return " · ".join(parts)

    def cells(self, e: EventAssessment, a: Assessment, room: int) -> dict[str, Text]:
        mark = "●" if e.id in self.changes.new else "◆" if e.id in self.changes.changed else ""
        style = "bold" if mark else "dim" if reaches_none(e) else ""
        return {
            "new": Text(mark, style="bold yellow" if mark else ""),
            "title": Text(cut(clean(data(e.event.title)), room), style=style),
            "when": Text(words.countdown(e.days_until), justify="right"),
            "status": Text(words.status(clean(e.status)), style=STATUS_STYLE.get(e.status, "")),
            "p": Text(viewdata.pct(e.probability), justify="right"),
            "score": Text(f"{e.score:.1f}", justify="right", style="bold" if e.score >= 10 else ""),
            "loss": Text(viewdata.money(e.expected_loss, a.profile.business.currency), justify="right"),
            "event": Text(cut(clean(e.id), WIDTHS["event"]), style="dim"),
        }

    def on_resize(self, event: Resize) -> None:
        super().on_resize(event)
        if self.assessment is not None:
            self.rebuild()  # titles cut to the new width

    def action_toggle_unreached(self) -> None:
        self.hide_unreached = not self.hide_unreached
        self.rebuild()

    def on_data_table_row_highlighted(self, event: SortableTable.RowHighlighted) -> None:
        event.stop()
        self.post_message(EventHighlighted(event_id(event.row_key)))

    def on_data_table_row_selected(self, event: SortableTable.RowSelected) -> None:
        event.stop()
        key = event_id(event.row_key)
        if key is not None:
            self.post_message(OpenEvent(key))

    def action_open(self) -> None:
        key = self.current_key
        if key is not None:
            self.post_message(OpenEvent(key))
