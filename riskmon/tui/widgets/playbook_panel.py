"""The playbook panel: the selected event's steps with due dates, then the standing suggestions
(concentration, runway, payout-hold buffer, no own store, links, warehouse), each as a checklist.

`space` (or a click) toggles a step; the app saves it to history in a worker, under the step's
checklist key: the event id, or "standing:<rule id>" (as `riskmon playbook done` takes it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.events import DescendantBlur, DescendantFocus
from textual.message import Message
from textual.widgets import OptionList, SelectionList, Static
from textual.widgets.selection_list import Selection

from riskmon.textsafe import clean
from riskmon.tui import viewdata
from riskmon.tui.source import StepView
from riskmon.tui.widgets.table import JK_BINDINGS

if TYPE_CHECKING:
    from riskmon.core.engine import EventAssessment


StepId = tuple[str, str]
"""(checklist key, step id): a step, whatever its place in the list after a re-rank."""


def _step_id(s: StepView) -> StepId:
    return (s.key, s.step_id)


class StepList(SelectionList[StepId]):
    """A checklist whose options carry their step, not a position: a load re-ranks the steps (a
    ticked one moves down), and a position would then name another step."""

    BINDINGS: ClassVar[list[BindingType]] = JK_BINDINGS

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """A highlight still queued when a refresh refilled the list (sorting the timeline moves
        between events with and without steps) can name an option that is gone; SelectionList
        would look it up and fail, ending the app. Such a stale one is dropped."""
        if not 0 <= event.option_index < self.option_count:
            event.prevent_default()
            event.stop()


def due_text(due: datetime | None, now: datetime, done: bool = False) -> str:
    """'by 01-05 (in 3 d)', 'by 01-05 (overdue)'; the date first, as a long step text gets cut."""
    if due is None:
        return ""
    days = (due - now).total_seconds() / 86400.0
    rel = "done" if done else "overdue" if days < 0 else viewdata.countdown(days)
    return f"by {due:%Y-%m-%d} ({rel})"


def _prompt(s: StepView, now: datetime, label: str = "") -> Content:
    overdue = s.due is not None and s.due < now and not s.done
    when = due_text(s.due, now, s.done)
    return Content.assemble(
        (when, "bold" if overdue else "dim"), " " if when else "", clean(s.text), (label, "dim") if label else ""
    )


def _highlighted(lst: StepList) -> StepId | None:
    """The step under the cursor."""
    if lst.highlighted is None or not 0 <= lst.highlighted < lst.option_count:
        return None
    return lst.get_option_at_index(lst.highlighted).value


def _fill(lst: StepList, steps: Sequence[StepView], now: datetime, keep: StepId | None, labels: bool = False) -> None:
    """The checklist, the cursor on step `keep` wherever it now is; `labels` names each step's
    rule (when several rules share the list)."""
    lst.clear_options()
    for s in steps:
        label = f" ({clean(s.rule_id)})" if labels else ""
        lst.add_option(Selection(_prompt(s, now, label), _step_id(s), s.done))
    if lst.option_count:
        ids = [_step_id(s) for s in steps]
        lst.highlighted = ids.index(keep) if keep in ids else 0
    lst.set_class(not steps, "-empty")


class PlaybookPanel(Vertical):
    """The selected event's checklist, then the standing checklist (the business as it stands)."""

    DEFAULT_CSS = """
    PlaybookPanel { height: 1fr; min-height: 4; border: round $primary 50%; border-title-color: $text; }
    PlaybookPanel:focus-within { border: round $primary; }
    PlaybookPanel #pb-title, PlaybookPanel #pb-standing-title { height: auto; color: $text-muted; }
    PlaybookPanel #pb-standing-title { border-top: solid $primary 30%; }
    PlaybookPanel StepList { height: 1fr; border: none; padding: 0; background: transparent; }
    PlaybookPanel StepList:focus { border: none; border-left: outer $primary; }
    PlaybookPanel StepList.-empty { display: none; }
    """

    @dataclass
    class StepToggled(Message):
        key: str
        """The checklist key: the event id or "standing:<rule id>"."""
        step_id: str
        done: bool

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.event_id: str | None = None
        self.steps: list[StepView] = []
        self.standing: list[StepView] = []
        self._loading = False

    def compose(self) -> ComposeResult:
        yield Static(Content("Select an event to see its playbook."), id="pb-title")
        yield StepList(id="pb-steps", classes="-empty")
        yield Static(Content("Standing: nothing to do about the business as it stands."), id="pb-standing-title")
        yield StepList(id="pb-standing", classes="-empty")

    def on_mount(self) -> None:
        self.border_title = "Playbook"

    def focus_steps(self) -> None:
        """Focus the event's checklist; when it has focus already (or no steps), the standing one."""
        steps, standing = self.query_one("#pb-steps", StepList), self.query_one("#pb-standing", StepList)
        if standing.option_count and (steps.has_focus or not steps.option_count):
            self.add_class("-on-standing")  # shown now, also where space is short
            standing.focus()
        else:
            steps.focus()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        self.set_class(event.widget.id == "pb-standing", "-on-standing")

    def on_descendant_blur(self, event: DescendantBlur) -> None:
        if event.widget.id == "pb-standing":
            self.remove_class("-on-standing")

    def show(
        self, e: EventAssessment | None, steps: list[StepView], now: datetime, standing: Sequence[StepView] = ()
    ) -> None:
        lst = self.query_one("#pb-steps", StepList)
        keep = _highlighted(lst) if e is not None and e.id == self.event_id else None
        self.event_id = e.id if e is not None else None
        self.steps = list(steps) if e is not None else []
        self._loading = True
        try:
            _fill(lst, self.steps, now, keep)
            self.border_title = Content(f"Playbook · {clean(e.id)}") if e is not None else "Playbook"
            self._event_title()
            sl = self.query_one("#pb-standing", StepList)
            self.standing = list(standing)
            _fill(sl, self.standing, now, _highlighted(sl), labels=len({s.key for s in standing}) > 1)
            self._standing_title()
        finally:
            self._loading = False

    def _event_title(self) -> None:
        title = self.query_one("#pb-title", Static)
        if self.event_id is None:
            title.update(Content("Select an event to see its playbook."))
        elif not self.steps:
            title.update(Content("No playbook rule matches this event."))
        else:
            rules = list(dict.fromkeys(clean(s.rule_title) for s in self.steps if s.rule_title))
            done = sum(1 for s in self.steps if s.done)
            more = f" (+{len(rules) - 1} more)" if len(rules) > 1 else ""
            head = (rules[0] if rules else "Playbook") + more
            title.update(Content.assemble((head, "bold"), f" · {done}/{len(self.steps)} done"))

    def _standing_title(self) -> None:
        head = self.query_one("#pb-standing-title", Static)
        standing = self.standing
        if not standing:
            head.update(Content("Standing: nothing to do about the business as it stands."))
            return
        rules = list(dict.fromkeys(s.key for s in standing))
        done = sum(1 for s in standing if s.done)
        what = clean(standing[0].rule_title) if len(rules) == 1 else f"{len(rules)} suggestions"
        head.update(Content.assemble(("Standing", "bold"), f" · {what} · {done}/{len(standing)} done"))

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled[int]) -> None:
        event.stop()
        toggled = event.selection.value
        steps = self.standing if event.selection_list.id == "pb-standing" else self.steps
        index = next((i for i, s in enumerate(steps) if _step_id(s) == toggled), None)
        if self._loading or index is None:
            return
        done = toggled in event.selection_list.selected
        step = steps[index] = replace(steps[index], done=done)
        self._event_title()
        self._standing_title()
        self.post_message(self.StepToggled(step.key, step.step_id, done))
