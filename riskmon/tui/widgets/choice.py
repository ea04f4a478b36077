"""A small modal question with a few buttons: "unsaved changes?", "write these changes?".

The body is untrusted text (file names, field values from configs): it is cleaned and shown as
`Content`, never parsed as markup. The screen returns the id of the button pressed, or None for
`esc`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from riskmon.i18n import N_
from riskmon.textsafe import clean
from riskmon.tui.lang import Translated

Variant = Literal["default", "primary", "success", "warning", "error"]


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    variant: Variant = "default"


class _Body(VerticalScroll):
    """The question's text: a focus stop only when there is something to scroll. Otherwise tab,
    left and right would land on it, where enter does nothing and no button looks focused."""

    def allow_focus(self) -> bool:
        return self.max_scroll_y > 0


class ChoiceScreen(Translated, ModalScreen[str | None]):
    """Ask one question; dismiss with the chosen button's id (None: cancelled with esc)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("left", "app.focus_previous", N_("Previous"), show=False),
        Binding("right", "app.focus_next", N_("Next"), show=False),
    ]

    DEFAULT_CSS = """
    ChoiceScreen { align: center middle; }
    ChoiceScreen #choice-box { width: 80; max-width: 100%; height: auto; max-height: 100%;
                               border: round $warning; background: $surface; padding: 0 1; }
    ChoiceScreen #choice-title { text-style: bold; height: auto; }
    ChoiceScreen #choice-body { height: auto; max-height: 14; margin: 1 0 0 0; }
    ChoiceScreen #choice-body Static { height: auto; }
    ChoiceScreen #choice-buttons { height: auto; margin: 1 0 0 0; }
    ChoiceScreen #choice-buttons Button { margin: 0 1 0 0; }
    """

    def __init__(self, title: str, body: Sequence[str], choices: Sequence[Choice], *, focus: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.body = list(body)
        self.choices = list(choices)
        self.focus_id = focus

    def compose(self) -> ComposeResult:
        with Vertical(id="choice-box"):
            yield Static(Content(clean(self.title_text)), id="choice-title")
            if self.body:
                with _Body(id="choice-body"):
                    yield Static(Content("\n".join(clean(line) for line in self.body)), id="choice-text")
            with Horizontal(id="choice-buttons"):
                for c in self.choices:
                    yield Button(Content(c.label), id=f"choice-{c.id}", variant=c.variant, compact=True)

    def on_mount(self) -> None:
        target = self.focus_id or (self.choices[-1].id if self.choices else None)
        if target is not None:
            self.query_one(f"#choice-{target}", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss((event.button.id or "").removeprefix("choice-"))

    def action_cancel(self) -> None:
        self.dismiss(None)
