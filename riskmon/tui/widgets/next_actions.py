"""The next actions: every event's open steps (and the standing suggestions'), ranked by the core
(`Plan.checklist`: the most urgent first, steps overdue for more than 30 days folded into one
line per event, done steps last). Each line is the step's whole text, wrapped, with its due date
(how long overdue); under the list, the highlighted one's why and what it is for.

`space` (or enter, or a click) ticks a step as the playbook's checklist does: the app saves it to
history under the step's checklist key, the last toggle winning. On a folded line it unfolds the
backlog's steps (each tickable) or folds them again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.events import Resize
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from riskmon.i18n import N_, _
from riskmon.tui import words
from riskmon.tui.breaking import BreakingStatic, breakable
from riskmon.tui.messages import StepToggled
from riskmon.tui.source import ActionView, ticked
from riskmon.tui.widgets.table import JK_BINDINGS

TICKED, OPEN = "[x]", "[ ]"
"""As the playbook's checklist draws them: readable without colour."""
FOLDED, UNFOLDED = "[+]", "[-]"
"""A folded backlog: space shows its steps under it, or hides them."""
LABELS_FROM = 100
"""From this width on, each line ends with what it is for (the event id); narrower, the line
under the list says it for the highlighted one."""


@dataclass(frozen=True)
class Row:
    """One line of the list: an action, or a folded backlog's step shown under it."""

    action: ActionView
    member: bool = False
    """A step of an unfolded backlog (indented under it)."""
    unfolded: bool = False
    """A backlog whose steps are shown under it."""

    @property
    def ident(self) -> tuple[str, str, bool]:
        """What the cursor stays on across a refill: the step, or the backlog of a key."""
        return (self.action.key, self.action.step_id, bool(self.action.folded))


def rows(actions: Sequence[ActionView], unfolded: set[str]) -> list[Row]:
    """The list's lines: each action; under an unfolded backlog, its steps."""
    out: list[Row] = []
    for a in actions:
        out.append(Row(a, unfolded=a.key in unfolded))
        if a.folded and a.key in unfolded:
            out.extend(Row(m, member=True) for m in a.folded)
    return out


def prompt(row: Row, now: datetime, labels: bool = True) -> Content:
    """'[ ] 2025-01-12, in 2 d  Download your TikTok data …  · us-tiktok-ban', whole, to wrap;
    `labels`: end with what it is for (where the width leaves room)."""
    a = row.action
    label = ("" if row.member or not labels else f"  · {a.label}", "dim")
    if a.folded:
        box = UNFOLDED if row.unfolded else FOLDED
        head = f"{words.steps(len(a.folded))} {a.text}"
        return breakable(Content.assemble((f"{box} ", "bold"), (words.due(a.due, now), "bold"), "  ", head, label))
    late = a.due < now and not a.done
    return breakable(
        Content.assemble(
            "    " if row.member else "",
            (f"{TICKED if a.done else OPEN} ", "bold" if a.done else ""),
            (words.due(a.due, now, a.done), "bold" if late else "dim"),
            "  ",
            a.text,
            label,
        )
    )


def detail(row: Row | None) -> Content:
    """The highlighted line's why and what it is for (its text and date are in the list)."""
    if row is None:
        return Content("")
    a = row.action
    why = _(words.FOLDED_WHY) if a.folded else (a.why or _(words.NO_WHY))
    return breakable(Content.assemble((_("Why: "), "bold"), why, "\n", (_("For: "), "bold"), a.whose))


class ActionList(OptionList):
    """The ranked actions, one option per line of `rows`, each wrapped to its whole text."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *JK_BINDINGS,
        Binding("space", "select", N_("Tick / unfold")),
    ]


class NextActions(Vertical):
    """The next actions pane: the ranked list and the highlighted action's why and event."""

    DEFAULT_CSS = """
    NextActions { height: 1fr; border: round $primary 50%; border-title-color: $text; }
    NextActions:focus-within { border: round $primary; }
    NextActions ActionList { height: 1fr; min-height: 3; border: none; padding: 0; background: transparent; }
    NextActions ActionList:focus { border: none; border-left: outer $primary; }
    NextActions ActionList { scrollbar-size-vertical: 1; scrollbar-gutter: stable; }
    NextActions #na-detail { height: auto; border-top: solid $primary 30%; }
    NextActions #na-detail.-empty { display: none; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.actions: list[ActionView] = []
        self.rows: list[Row] = []
        self.unfolded: set[str] = set()
        self.now: datetime | None = None
        self.labels = True

    def compose(self) -> ComposeResult:
        yield ActionList(id="na-list")
        yield BreakingStatic(Content(""), id="na-detail", classes="-empty")

    def on_mount(self) -> None:
        self.border_title = _(words.NEXT_ACTIONS)

    def focus_list(self) -> None:
        self.query_one(ActionList).focus()

    @property
    def highlighted(self) -> Row | None:
        lst = self.query_one(ActionList)
        i = lst.highlighted
        return self.rows[i] if i is not None and 0 <= i < len(self.rows) else None

    def show(self, actions: Sequence[ActionView], now: datetime) -> None:
        """Refill, the cursor on the same step wherever it now is (else at the same place)."""
        lst = self.query_one(ActionList)
        at = self.highlighted
        place = lst.highlighted or 0
        self.actions, self.now = list(actions), now
        self.unfolded &= {a.key for a in actions if a.folded}
        self.rows = rows(self.actions, self.unfolded)
        lst.clear_options()
        self.labels = self.size.width >= LABELS_FROM
        lst.add_options(Option(prompt(r, now, self.labels)) for r in self.rows)
        if self.rows:
            lst.highlighted = self._cursor(at, place)
        steps = [m for a in self.actions for m in (a.folded or (a,))]
        self.border_title = Content(
            words.next_actions_title(sum(not m.done for m in steps), sum(m.done for m in steps))
        )
        self._show_detail()

    def _cursor(self, at: Row | None, place: int) -> int:
        """The step the cursor was on, wherever the ranking moved it; but a step that was ticked
        (or unticked) moves away from under the cursor, which stays put for the next one."""
        for i, row in enumerate(self.rows):
            if at is not None and row.ident == at.ident and row.action.done == at.action.done:
                return i
        return min(place, len(self.rows) - 1)

    def on_resize(self, event: Resize) -> None:
        if self.now is not None and (event.size.width >= LABELS_FROM) != self.labels:
            self.show(self.actions, self.now)

    def _show_detail(self) -> None:
        row = self.highlighted
        box = self.query_one("#na-detail", Static)
        box.set_class(row is None, "-empty")
        box.update(detail(row))

    @on(OptionList.OptionHighlighted, "#na-list")
    def _moved(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._show_detail()

    @on(OptionList.OptionSelected, "#na-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        """space, enter or a click: tick the step, or (un)fold a backlog."""
        event.stop()
        row = self.highlighted
        if row is None or self.now is None:
            return
        a = row.action
        if a.folded:
            self.unfolded ^= {a.key}
            self.show(self.actions, self.now)
            return
        done = not a.done
        self.show(ticked(a.step, done, self.actions), self.now)
        self.post_message(StepToggled(a.key, a.step_id, done))
