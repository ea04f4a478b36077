"""The playbook for the selected event: its steps with due dates, as a checklist.

`space` (or a click) toggles a step; the app saves it to history in a worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import SelectionList, Static
from textual.widgets.selection_list import Selection

from riskmon.engine import EventAssessment
from riskmon.textsafe import clean
from riskmon.tui import viewdata
from riskmon.tui.source import StepView


class StepList(SelectionList[str]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]


def due_text(due: datetime | None, now: datetime) -> str:
    if due is None:
        return ""
    days = (due - now).total_seconds() / 86400.0
    rel = "overdue" if days < 0 else "due " + viewdata.countdown(days)
    return f"{due:%Y-%m-%d} ({rel})"


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
        self._loading = True
        try:
            lst.clear_options()
            if e is None:
                title.update(Content("Select an event to see its playbook."))
                return
            self.border_title = f"Playbook · {clean(e.id)}"
            if not steps:
                title.update(Content("No playbook rule matches this event."))
                return
            rules = list(dict.fromkeys(clean(s.rule_title) for s in steps if s.rule_title))
            title.update(Content(" / ".join(rules)))
            for s in steps:
                prompt = Content.assemble(clean(s.text), ("  " + due_text(s.due, now), "dim") if s.due else "")
                if s.due is not None and s.due < now and not s.done:
                    prompt = prompt.stylize("bold")
                lst.add_option(Selection(prompt, s.step_id, s.done))
            lst.highlighted = keep if keep is not None and keep < lst.option_count else 0
        finally:
            self._loading = False

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled[str]) -> None:
        event.stop()
        if self._loading or self.event_id is None:
            return
        step_id = event.selection.value
        done = step_id in event.selection_list.selected
        self.post_message(self.StepToggled(self.event_id, step_id, done))
