"""The playbook panel: the selected event's steps with due dates, then the standing suggestions
(concentration, runway, payout-hold buffer, no own store, links, warehouse), each as a checklist.
Under them, the highlighted step in full: its whole text, why, and the event it is for (a list
line is cut to the panel's width).

`space` (or a click) toggles a step; the app saves it to history in a worker, under the step's
checklist key: the event id, or "standing:<rule id>" (as `riskmon playbook done` takes it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.events import DescendantBlur, DescendantFocus
from textual.strip import Strip
from textual.widgets import OptionList, SelectionList, Static
from textual.widgets.selection_list import Selection

from riskmon.i18n import N_, _, data
from riskmon.textsafe import clean
from riskmon.tui import words
from riskmon.tui.breaking import BreakingStatic, breakable
from riskmon.tui.messages import StepToggled
from riskmon.tui.source import StepView
from riskmon.tui.widgets.table import JK_BINDINGS

if TYPE_CHECKING:
    from riskmon.core.engine import EventAssessment


StepId = tuple[str, str]
"""(checklist key, step id): a step, whatever its place in the list after a re-rank."""


def _step_id(s: StepView) -> StepId:
    return (s.key, s.step_id)


TICKED, OPEN = "[x]", "[ ]"
"""The checkboxes: they read right without colour (SelectionList's own toggle is one glyph, ticked
or not, told apart by colour only)."""
PICK = N_("Select an event to see its playbook.")
NO_STANDING = N_("Standing: nothing to do about the business as it stands.")
TOGGLE_CELLS = 3
"""Cells of SelectionList's own toggle at the start of each line, replaced by ours."""


class StepList(SelectionList[StepId]):
    """A checklist whose options carry their step, not a position: a load re-ranks the steps (a
    ticked one moves down), and a position would then name another step."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *JK_BINDINGS,
        Binding("space", "select", N_("Tick")),
        Binding("E", "screen.edit_event", N_("Edit event")),
    ]

    def render_line(self, y: int) -> Strip:
        """SelectionList's line with its toggle drawn as `[x]` or `[ ]`."""
        line = super().render_line(y)
        index = self.scroll_offset.y + y
        if not 0 <= index < self.option_count or line.cell_length <= TOGGLE_CELLS:
            return line
        rest = line.crop(TOGGLE_CELLS)
        ticked = self.get_option_at_index(index).value in self.selected
        base = next(iter(rest)).style or Style()
        box = Segment(TICKED if ticked else OPEN, base + Style(bold=ticked, meta={"option": index}))
        return Strip([box, *rest], line.cell_length)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """A highlight still queued when a refresh refilled the list (sorting the timeline moves
        between events with and without steps) can name an option that is gone; SelectionList
        would look it up and fail, ending the app. Such a stale one is dropped."""
        if not 0 <= event.option_index < self.option_count:
            event.prevent_default()
            event.stop()


def due_text(due: datetime | None, now: datetime, done: bool = False) -> str:
    """'by 2025-01-05, in 3 d', 'by 2025-01-05, 9 d overdue', 'by 2025-01-05, done'."""
    return "" if due is None else _("by {due}").format(due=words.due(due, now, done))


def _prompt(s: StepView, now: datetime, label: str = "") -> Content:
    overdue = s.due is not None and s.due < now and not s.done
    when = due_text(s.due, now, s.done)
    return breakable(
        Content.assemble(
            (when, "bold" if overdue else "dim"), " " if when else "", clean(s.text), (label, "dim") if label else ""
        )
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
    PlaybookPanel StepList { height: 1fr; min-height: 2; border: none; padding: 0; background: transparent; }
    PlaybookPanel #pb-standing { height: auto; max-height: 4; }
    PlaybookPanel.-on-standing #pb-standing { height: 1fr; max-height: 100%; }
    PlaybookPanel StepList:focus { border: none; border-left: outer $primary; }
    PlaybookPanel StepList.-empty { display: none; }
    PlaybookPanel #pb-detail { height: auto; max-height: 8; border-top: solid $primary 30%; }
    PlaybookPanel #pb-detail.-empty { display: none; }
    """

    StepToggled = StepToggled

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.event_id: str | None = None
        self.steps: list[StepView] = []
        self.standing: list[StepView] = []
        self.event_title = ""
        self.now: datetime | None = None
        self._loading = False

    def compose(self) -> ComposeResult:
        yield BreakingStatic(Content(_(PICK)), id="pb-title")
        yield StepList(id="pb-steps", classes="-empty")
        yield BreakingStatic(Content(_(NO_STANDING)), id="pb-standing-title")
        yield StepList(id="pb-standing", classes="-empty")
        yield BreakingStatic(Content(""), id="pb-detail", classes="-empty")

    def on_mount(self) -> None:
        self.border_title = _("Playbook")

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
        if isinstance(event.widget, StepList):
            self._show_detail(event.widget)

    def on_descendant_blur(self, event: DescendantBlur) -> None:
        if event.widget.id == "pb-standing":
            self.remove_class("-on-standing")

    def show(
        self, e: EventAssessment | None, steps: list[StepView], now: datetime, standing: Sequence[StepView] = ()
    ) -> None:
        lst = self.query_one("#pb-steps", StepList)
        keep = _highlighted(lst) if e is not None and e.id == self.event_id else None
        self.event_id = e.id if e is not None else None
        self.event_title = clean(data(e.event.title)) if e is not None else ""
        self.now = now
        self.steps = list(steps) if e is not None else []
        self._loading = True
        try:
            _fill(lst, self.steps, now, keep)
            playbook = _("Playbook")
            self.border_title = Content(f"{playbook} · {self.event_title}") if e is not None else playbook
            self._event_title()
            sl = self.query_one("#pb-standing", StepList)
            self.standing = list(standing)
            _fill(sl, self.standing, now, _highlighted(sl), labels=len({s.key for s in standing}) > 1)
            self._standing_title()
        finally:
            self._loading = False
        self._show_detail(sl if sl.has_focus or not lst.option_count else lst)

    def _show_detail(self, lst: StepList) -> None:
        """The highlighted step of `lst` in full under the lists: text, due, why, its event."""
        detail = self.query_one("#pb-detail", Static)
        at = _highlighted(lst)
        steps = self.standing if lst.id == "pb-standing" else self.steps
        step = next((s for s in steps if _step_id(s) == at), None)
        detail.set_class(step is None, "-empty")
        if step is None:
            detail.update(Content(""))
            return
        whose = (
            self.event_title
            if lst.id == "pb-steps"
            else _("the business as it stands ({rule})").format(rule=clean(step.rule_title))
        )
        lines: list[str | tuple[str, str]] = [(clean(step.text), "bold")]
        if step.due is not None and self.now is not None:
            lines += ["\n", _("Due {due}").format(due=words.due(step.due, self.now, step.done))]
        if step.why:
            lines += ["\n", (_("Why: "), "bold"), clean(step.why)]
        lines += ["\n", (_("For: "), "bold"), whose]
        detail.update(breakable(Content.assemble(*lines)))

    def on_selection_list_selection_highlighted(self, event: SelectionList.SelectionHighlighted[StepId]) -> None:
        event.stop()
        # A refill highlights in both lists; the detail follows the one being read.
        if isinstance(event.selection_list, StepList) and event.selection_list.has_focus:
            self._show_detail(event.selection_list)

    def _event_title(self) -> None:
        title = self.query_one("#pb-title", Static)
        if self.event_id is None:
            title.update(Content(_(PICK)))
        elif not self.steps:
            title.update(Content(_("No playbook rule matches this event.")))
        else:
            rules = list(dict.fromkeys(clean(s.rule_title) for s in self.steps if s.rule_title))
            done = sum(1 for s in self.steps if s.done)
            more = f" ({words.more_playbooks(len(rules) - 1)})" if len(rules) > 1 else ""
            head = (rules[0] if rules else _("Playbook")) + more
            done_n = _(" · {done}/{n} done").format(done=done, n=len(self.steps))
            title.update(breakable(Content.assemble((head, "bold"), done_n)))

    def _standing_title(self) -> None:
        head = self.query_one("#pb-standing-title", Static)
        standing = self.standing
        if not standing:
            head.update(Content(_(NO_STANDING)))
            return
        rules = list(dict.fromkeys(s.key for s in standing))
        done = sum(1 for s in standing if s.done)
        what = clean(standing[0].rule_title) if len(rules) == 1 else _("{n} suggestions").format(n=len(rules))
        done_text = _(" · {done}/{n} done").format(done=done, n=len(standing))
        head.update(breakable(Content.assemble((_("Standing"), "bold"), f" · {what}{done_text}")))

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
