"""The events timeline: in effect and upcoming, sortable and filterable; new/changed rows marked."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets.data_table import RowKey

from riskmon.textsafe import clean
from riskmon.tui import viewdata
from riskmon.tui.messages import EventHighlighted, OpenEvent
from riskmon.tui.viewdata import EVENT_COLUMNS, Changes, Column
from riskmon.tui.widgets.table import SortableTable

if TYPE_CHECKING:
    from riskmon.core.engine import Assessment, EventAssessment

STATUS_STYLE = {"in_effect": "bold", "confirmed": "bold", "resolved": "dim", "cancelled": "dim"}


def event_id(row_key: RowKey | None) -> str | None:
    """The event of a highlighted or selected row. Textual types the key as always there, but a
    message still queued while a refresh or the filter rebuilt the rows comes with None."""
    value = None if row_key is None else row_key.value
    return None if value is None else str(value)


class EventsTable(SortableTable):
    DEFAULT_CSS = """
    EventsTable { height: 1fr; min-height: 5; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "open", "Details")]
    COLUMNS: ClassVar[tuple[Column, ...]] = (Column("new", ""), *EVENT_COLUMNS)
    """The unlabeled first column marks new (●) and changed (◆) events; sorted by it, they come first."""
    COMPACT: ClassVar[frozenset[str] | None] = frozenset({"new", "event", "when", "score", "loss"})
    DEFAULT_SORT: ClassVar[str] = "score"

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.assessment: Assessment | None = None
        self.changes = Changes()
        self.query_text = ""
        self.shown: list[EventAssessment] = []

    def show(self, a: Assessment, changes: Changes | None = None) -> None:
        self.assessment = a
        if changes is not None:
            self.changes = changes
        self.rebuild()

    def set_filter(self, text: str) -> None:
        self.query_text = text
        self.rebuild()

    def rebuild(self) -> None:
        a = self.assessment
        if a is None:
            return
        cur = a.profile.business.currency
        events = viewdata.filter_events(a.events, self.query_text)
        self.shown = viewdata.sort_events(events, self.sort_state, self.changes)
        rows = []
        for e in self.shown:
            mark = "●" if e.id in self.changes.new else "◆" if e.id in self.changes.changed else ""
            rows.append(
                (
                    e.id,
                    {
                        "new": Text(mark, style="bold yellow" if mark else ""),
                        "event": Text(clean(e.id), style="bold" if mark else ""),
                        "when": Text(viewdata.countdown(e.days_until), justify="right"),
                        "status": Text(clean(e.event.status), style=STATUS_STYLE.get(e.event.status, "")),
                        "p": Text(viewdata.pct(e.probability), justify="right"),
                        "score": Text(f"{e.score:.1f}", justify="right", style="bold" if e.score >= 10 else ""),
                        "loss": Text(viewdata.money(e.expected_loss, cur), justify="right"),
                        "title": Text(clean(e.event.title), style="bold" if mark else ""),
                    },
                )
            )
        self.replace_rows(rows)
        self.post_message(EventHighlighted(self.current_key))

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
