"""The playbook for the selected event: its steps with due dates, as a checklist.

`space` (or a click) toggles a step; the app saves it to history in a worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import SelectionList, Static
from textual.widgets.selection_list import Selection

from riskmon.textsafe import clean
from riskmon.tui import viewdata
from riskmon.tui.source import StepView

if TYPE_CHECKING:
    from riskmon.engine import EventAssessment


class StepList(SelectionList[int]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]


def due_text(due: datetime | None, now: datetime, done: bool = False) -> str:
    """'by 01-05 (in 3 d)', 'by 01-05 (overdue)'; the date first, as a long step text gets cut."""
    if due is None:
        return ""
    days = (due - now).total_seconds() / 86400.0
    rel = "done" if done else "overdue" if days < 0 else viewdata.countdown(days)
    return f"by {due:%Y-%m-%d} ({rel})"


class PlaybookPanel(Vertical):
    """Title line + the step checklist for one event."""

    DEFAULT_CSS = """
    PlaybookPanel { height: 1fr; min-height: 4; border: round $primary 50%; border-title-color: $text; }
    PlaybookPanel:focus-within { border: round $primary; }
    PlaybookPanel #pb-title { height: auto; color: $text-muted; }
    PlaybookPanel StepList { height: 1fr; border: none; padding: 0; background: transparent; }
    """

    @dataclass
    class StepToggled(Message):
        event_id: str
        step_id: str
        done: bool

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.event_id: str | None = None
        self.steps: list[StepView] = []
        self._loading = False

    def compose(self) -> ComposeResult:
        yield Static(Content("Select an event to see its playbook."), id="pb-title")
        yield StepList(id="pb-steps")

    def on_mount(self) -> None:
        self.border_title = "Playbook"

    def show(self, e: EventAssessment | None, steps: list[StepView], now: datetime) -> None:
        title = self.query_one("#pb-title", Static)
        lst = self.query_one(StepList)
        keep = lst.highlighted if e is not None and e.id == self.event_id else None
        self.event_id = e.id if e is not None else None
        self.steps = list(steps) if e is not None else []
        self._loading = True
        try:
            lst.clear_options()
            if e is None:
                title.update(Content("Select an event to see its playbook."))
                return
            self.border_title = Content(f"Playbook · {clean(e.id)}")
            if not steps:
                title.update(Content("No playbook rule matches this event."))
                return
            rules = list(dict.fromkeys(clean(s.rule_title) for s in steps if s.rule_title))
            done = sum(1 for s in self.steps if s.done)
            more = f" (+{len(rules) - 1} more)" if len(rules) > 1 else ""
            head = (rules[0] if rules else "Playbook") + more
            title.update(Content.assemble((head, "bold"), f"\n{done}/{len(self.steps)} steps done"))
            for i, s in enumerate(self.steps):
                overdue = s.due is not None and s.due < now and not s.done
                when = due_text(s.due, now, s.done)
                prompt = Content.assemble((when, "bold" if overdue else "dim"), " " if when else "", clean(s.text))
                lst.add_option(Selection(prompt, i, s.done))
            lst.highlighted = keep if keep is not None and keep < lst.option_count else 0
        finally:
            self._loading = False

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled[int]) -> None:
        event.stop()
        index = event.selection.value
        if self._loading or self.event_id is None or not 0 <= index < len(self.steps):
            return
        done = index in event.selection_list.selected
        self.post_message(self.StepToggled(self.event_id, self.steps[index].step_id, done))
