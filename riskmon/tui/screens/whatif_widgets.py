"""The what-if screen's widgets (the form's inputs and rows) and the messages its workers send."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label, Select

from riskmon.core.scenario import Scenario, ScenarioError
from riskmon.present.words import status_word
from riskmon.textsafe import clean
from riskmon.tui.screens.whatif_fields import CHANNEL_INPUTS, field_text, parse_field
from riskmon.usecases.whatif import Outcome

if TYPE_CHECKING:
    from riskmon.core.model import Channel, Event

# ---------------------------------------------------------------------------------------------
# Widgets of the form


class ValueCheck(Validator):
    def __init__(self, kind: str, ident: str, name: str) -> None:
        super().__init__()
        self.kind, self.ident, self.name = kind, ident, name

    def validate(self, value: str) -> ValidationResult:
        try:
            parse_field(self.kind, self.ident, self.name, value, None)
        except ScenarioError as exc:
            return self.failure(exc.message)
        return self.success()


class OverrideInput(Input):
    """One overridable number or date of an event or channel."""

    def __init__(self, kind: str, ident: str, name: str, text: str, *, placeholder: str = "", id: str) -> None:
        super().__init__(
            text,
            placeholder=placeholder,
            validators=[ValueCheck(kind, ident, name)],
            validate_on=["changed"],
            compact=True,
            id=id,
            classes=f"wi-{name}",
        )
        self.target_kind = kind
        self.ident = ident
        self.field = name

    @property
    def target(self) -> str:
        return f"{self.ident}.{self.field}"


class StatusSelect(Select[str]):
    def __init__(self, ident: str, status: str, *, id: str) -> None:
        from riskmon.core.model import STATUSES

        super().__init__(
            [(Content(status_word(s)), s) for s in STATUSES],
            value=status,
            allow_blank=False,
            compact=True,
            id=id,
            classes="wi-status",
        )
        self.ident = ident

    @property
    def target(self) -> str:
        return f"{self.ident}.status"


def _prob_placeholder(status: str) -> str:
    from riskmon.core.model import DEFAULT_PROBABILITY

    p = DEFAULT_PROBABILITY.get(status)
    return f"{p:g}" if p is not None else ""


class EventRow(Horizontal):
    def __init__(self, index: int, event: Event) -> None:
        super().__init__(classes="wi-row")
        self.index = index
        self.event = event

    def compose(self) -> ComposeResult:
        e, i = self.event, self.index
        label = Label(Content(clean(e.id)), classes="wi-id")
        label.tooltip = Content(clean(e.title))
        yield label
        yield StatusSelect(e.id, e.status, id=f"ev-{i}-status")
        yield OverrideInput(
            "event",
            e.id,
            "probability",
            field_text(e, "probability"),
            placeholder=_prob_placeholder(e.status),
            id=f"ev-{i}-probability",
        )
        yield OverrideInput("event", e.id, "effective", field_text(e, "effective"), id=f"ev-{i}-effective")

    @on(Select.Changed)
    def _status(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.query_one(OverrideInput).placeholder = _prob_placeholder(event.value)


class ChannelRow(Horizontal):
    def __init__(self, index: int, channel: Channel) -> None:
        super().__init__(classes="wi-row")
        self.index = index
        self.channel = channel

    def compose(self) -> ComposeResult:
        c, i = self.channel, self.index
        yield Label(Content(clean(c.id)), classes="wi-id")
        for name in CHANNEL_INPUTS:
            yield OverrideInput("channel", c.id, name, field_text(c, name), id=f"ch-{i}-{name}")


def head_row(first: str, *labels: str, events: bool = False) -> Horizontal:
    return Horizontal(
        Label(Content(first), classes="wi-id"),
        *(Label(Content(label), classes=f"wi-col -c{i}") for i, label in enumerate(labels, start=1)),
        classes="wi-row wi-colhead" + (" -events" if events else ""),
    )


# ---------------------------------------------------------------------------------------------
# Messages from the workers


@dataclass
class Computed(Message):
    generation: int
    outcome: Outcome | None
    error: str | None = None


@dataclass
class ScenarioSaved(Message):
    name: str
    path: Path | None
    error: str | None = None


@dataclass
class ScenarioLoaded(Message):
    scenario: Scenario | None
    error: str | None = None


@dataclass
class ScenarioList(Message):
    names: list[str]


@dataclass
class Applied(Message):
    paths: list[Path] | None
    error: str | None = None


def set_text(box: Input, text: str) -> None:
    """Set an input's text with the cursor at its end (as if typed)."""
    box.value = text
    box.cursor_position = len(text)
