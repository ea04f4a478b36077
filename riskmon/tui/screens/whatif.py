"""`w`: what-if. Change events and channels on the left, see baseline and scenario side by side.

The numbers are `riskmon what-if`'s, from the same use case, `riskmon.usecases.whatif.run`: the
overrides applied to validated copies of the profile and events (the same rules as the config),
both sides assessed with the same events (catalog plus feeds), settings and `now`, and the delta.
Nothing is written unless asked: `ctrl+s` saves the scenario as `scenarios/NAME.toml` in the config
directory (the CLI's `--scenario NAME` reads it), and "Apply to config" writes the changes into
exposure.toml / events.toml through `configedit` after a confirmation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, DataTable, Footer, Input, Label, OptionList, Select, Static, Switch
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from riskmon.core.scenario import Delta, EventDelta, Override, Scenario, ScenarioError
from riskmon.errors import Level, reason_of
from riskmon.present.whatif import change_value, signed, signed_money
from riskmon.textsafe import clean
from riskmon.tui.messages import ConfigSaved
from riskmon.tui.screens.forms import DEMO_HINT, date_text, differs, number_text
from riskmon.tui.viewdata import Column
from riskmon.tui.widgets.choice import Choice, ChoiceScreen
from riskmon.tui.widgets.table import ListRow, ListTable
from riskmon.usecases.whatif import Outcome

if TYPE_CHECKING:
    from riskmon.core.model import Channel, Event
    from riskmon.usecases.evaluate import Evaluation

DELTA_COLUMNS = (
    Column("event", "Event"),
    Column("baseline", "Baseline", True),
    Column("scenario", "Scenario", True),
    Column("change", "Change", True),
)
"""Expected loss per event; shown largest change first until sorted by a column."""
RECOMPUTE_DELAY = 0.25
"""Seconds after the last change before the scenario is assessed again."""
NARROW = 110
EVENT_INPUTS: tuple[str, ...] = ("probability", "effective")
CHANNEL_INPUTS: tuple[str, ...] = ("order_share", "inventory_value", "pending_payouts")
FORM_FIELDS = {"event": ("status", *EVENT_INPUTS), "channel": CHANNEL_INPUTS}
_SHARES = {"probability", "order_share"}
STRESS_OFF = "stress off (ctrl+t: every event happens now, probability 1)"
STRESS_ON = "STRESS ON: every event happens now, probability 1 (values below apply on top)"
LEVEL_STYLE = {Level.OK: "bold green", Level.WARNING: "bold yellow", Level.CRITICAL: "bold red"}


# ---------------------------------------------------------------------------------------------
# Pure: the numbers (no Textual state)


def field_text(obj: Event | Channel, name: str) -> str:
    """What an input shows for the config's value (empty probability: the status default)."""
    value = getattr(obj, name)
    if name in ("effective", "ends"):
        return short_date(value)
    if name == "status":
        return str(value)
    return number_text(value)


def short_date(d: datetime | None) -> str:
    """2025-01-19 (midnight UTC), 2023-10-04 10:00 (UTC), or the full ISO time with seconds."""
    if d is None:
        return ""
    utc = d.astimezone(UTC)
    if utc.time() == time(0, 0):
        return utc.date().isoformat()
    if utc.second == 0 and utc.microsecond == 0:
        return f"{utc:%Y-%m-%d %H:%M}"
    return date_text(utc)


def parse_field(kind: str, ident: str, name: str, text: str, base: Event | Channel | None) -> Override | None:
    """The override an input's text means; None when it equals the config's value.

    Raises ScenarioError (naming `ID.FIELD`) for text that is not a value of the field."""
    from riskmon.core import scenario as sc

    target = f"{ident}.{name}"
    raw = text.strip()
    value: Any = None if (name == "probability" and raw == "") else sc.coerce_value(target, name, raw)
    if isinstance(value, float):
        if name in _SHARES and not 0.0 <= value <= 1.0:
            raise ScenarioError(f"{target}: a share between 0 and 1 (0.35 or 35%)")
        if value < 0:
            raise ScenarioError(f"{target}: must be 0 or more")
    if base is not None and not differs(getattr(base, name), value):
        return None
    return Override(kind, ident, name, value)  # type: ignore[arg-type]


def level_change(delta: Delta) -> str:
    n = delta.level_change
    return "same" if n == 0 else f"{n:+d} ({'worse' if n > 0 else 'better'})"


def change_rows(outcome: Outcome, events: Iterable[Event]) -> list[str]:
    """'tiktok-us.order_share: 0.35 -> 0.2' (the words of `riskmon what-if`)."""
    by_id = {e.id: e for e in events}
    return [
        f"{c.target}: {change_value(c, c.old, by_id)} -> {change_value(c, c.new, by_id)}"
        + (" (moved with effective)" if c.implied else "")
        for c in outcome.changes
    ]


def delta_row(e: EventDelta, currency: str) -> ListRow:
    """One event's expected loss in the baseline and the scenario ("—": it does not count there)."""
    from riskmon.present.text import money

    changed = abs(e.change) >= 0.5
    cells = {
        "event": Text(clean(e.id), style="bold" if changed else ""),
        "baseline": Text("—" if e.baseline is None else money(e.baseline, currency), justify="right"),
        "scenario": Text("—" if e.scenario is None else money(e.scenario, currency), justify="right"),
        "change": Text(signed_money(e.change, currency), justify="right", style="bold" if changed else ""),
    }
    return ListRow(e.id, cells, {"baseline": e.baseline, "scenario": e.scenario, "change": e.change})


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
            [(Content(s), s) for s in STATUSES],
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


def _head_row(first: str, *labels: str, events: bool = False) -> Horizontal:
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


# ---------------------------------------------------------------------------------------------
# The screen


class WhatIfScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back"),
        Binding("q", "close", "Back", show=False),
        Binding("ctrl+t", "toggle_stress", "Stress"),
        Binding("ctrl+s", "save", "Save scenario", priority=True),
        Binding("ctrl+o", "open", "Open scenario"),
        Binding("ctrl+g", "apply", "Apply to config"),
        Binding("ctrl+r", "reset", "Reset"),
    ]

    DEFAULT_CSS = """
    WhatIfScreen { layout: vertical; }
    WhatIfScreen #wi-head { height: auto; max-height: 2; background: $boost; padding: 0 1; }
    WhatIfScreen #wi-events-form, WhatIfScreen #wi-channels-form { height: auto; }
    WhatIfScreen #wi-body { height: 1fr; }
    WhatIfScreen .pane { border: round $primary 50%; border-title-color: $text; }
    WhatIfScreen .pane:focus-within { border: round $primary; }
    WhatIfScreen #wi-form { width: 70; padding: 0 1; }
    WhatIfScreen #wi-side { width: 1fr; }
    WhatIfScreen #wi-results { height: 1fr; padding: 0 1; }
    WhatIfScreen #wi-scenarios { height: auto; padding: 0 1; }
    WhatIfScreen .wi-row { height: 1; }
    WhatIfScreen .wi-colhead { color: $text-muted; }
    WhatIfScreen .wi-section { text-style: bold; color: $primary; margin: 1 0 0 0; }
    WhatIfScreen .wi-id { width: 23; margin: 0 1 0 0; text-wrap: nowrap; text-overflow: ellipsis; }
    WhatIfScreen .wi-col { width: 14; }
    WhatIfScreen .wi-status { width: 13; margin: 0 1 0 0; }
    WhatIfScreen OverrideInput { width: 13; margin: 0 1 0 0; }
    WhatIfScreen OverrideInput.wi-probability { width: 9; }
    WhatIfScreen OverrideInput.wi-effective { width: 17; }
    WhatIfScreen .wi-colhead .wi-col { width: 14; }
    WhatIfScreen .wi-colhead.-events .wi-col.-c2 { width: 10; }
    WhatIfScreen #wi-stress-row { height: 1; }
    WhatIfScreen #wi-stress-row Label { width: 1fr; margin: 0 0 0 1; }
    WhatIfScreen #wi-stress { width: auto; height: 1; border: none; padding: 0; }
    WhatIfScreen #wi-loss-title { color: $text-muted; }
    WhatIfScreen #wi-extra { height: auto; color: $text-muted; margin: 1 0 0 0; display: none; }
    WhatIfScreen #wi-extra.-shown { display: block; }
    WhatIfScreen #wi-note { height: auto; margin: 1 0; }
    WhatIfScreen #wi-note.-bad { color: $text-error; }
    WhatIfScreen DataTable { height: auto; }
    WhatIfScreen #wi-controls { height: 1; }
    WhatIfScreen #wi-name { width: 1fr; margin: 0 1 0 0; }
    WhatIfScreen #wi-controls Button { margin: 0 1 0 0; }
    WhatIfScreen #wi-saved { height: auto; max-height: 6; margin: 1 0 0 0; border: none; padding: 0; }
    WhatIfScreen.-narrow #wi-body { layout: vertical; }
    WhatIfScreen.-narrow #wi-form { width: 1fr; height: 1fr; }
    WhatIfScreen.-narrow #wi-side { height: 1fr; }
    WhatIfScreen.-narrow .wi-id { width: 23; }
    WhatIfScreen.-short #wi-head { max-height: 1; }
    WhatIfScreen.-short #wi-saved { max-height: 2; margin: 0; }
    WhatIfScreen.-short .wi-section { margin: 0; }
    """

    def __init__(self, evaluation: Evaluation) -> None:
        super().__init__(id="what-if")
        self.evaluation = evaluation
        self.outcome: Outcome | None = None
        """The last scenario computed from valid values (what the tables show)."""
        self.error: str | None = None
        """Why the values on screen give no scenario now (None: `outcome` is current)."""
        self.extras: tuple[Override, ...] = ()
        """Overrides of a loaded scenario that the form has no field for."""
        self.description = ""
        self.pending = True
        """A recompute is scheduled or running."""
        self._generation = 0
        self._timer: Timer | None = None
        self._writing = 0
        """Scenario saves and config applies on their way to disk: their answer (written, or why
        not) comes to this screen, so it stays open until they are done."""
        self._index()

    def _index(self) -> None:
        ev = self.evaluation
        self.events_by_id = {e.id: e for e in ev.events}
        self.channels_by_id = {c.id: c for c in ev.config.profile.channels}

    def _ordered_events(self) -> list[Event]:
        """The events that count, highest score first, then the rest (expired ones)."""
        counted = [e.id for e in self.evaluation.assessment.events]
        rest = [e.id for e in self.evaluation.events if e.id not in set(counted)]
        return [self.events_by_id[i] for i in [*counted, *rest] if i in self.events_by_id]

    @property
    def location(self) -> Any:
        return self.evaluation.config.location

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="wi-head")
        with Horizontal(id="wi-body"):
            with VerticalScroll(id="wi-form", classes="pane"):
                with Horizontal(id="wi-stress-row"):
                    yield Switch(False, id="wi-stress")
                    yield Label(Content(STRESS_OFF), id="wi-stress-label")
                yield Static(Content("Events"), classes="wi-section")
                yield _head_row("event", "status", "prob.", "effective", events=True)
                with Vertical(id="wi-events-form"):
                    for i, e in enumerate(self._ordered_events()):
                        yield EventRow(i, e)
                yield Static(Content("Channels"), classes="wi-section")
                yield _head_row("channel", "order share", "inventory", "payouts held")
                with Vertical(id="wi-channels-form"):
                    for i, c in enumerate(self.evaluation.config.profile.channels):
                        yield ChannelRow(i, c)
                yield Static(id="wi-extra")
            with Vertical(id="wi-side"):
                with VerticalScroll(id="wi-results", classes="pane"):
                    yield DataTable(id="wi-summary", cursor_type="none", zebra_stripes=True)
                    yield Static(id="wi-note")
                    yield Static(Content("Expected loss per event"), id="wi-loss-title")
                    yield ListTable(DELTA_COLUMNS, id="wi-events")
                with Vertical(id="wi-scenarios", classes="pane"):
                    with Horizontal(id="wi-controls"):
                        yield Input(placeholder="scenario name", id="wi-name", compact=True)
                        yield Button("Save", id="wi-save", compact=True)
                        yield Button("Apply to config…", id="wi-apply", compact=True, variant="warning")
                        yield Button("Reset", id="wi-reset", compact=True)
                    yield OptionList(id="wi-saved")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#wi-form").border_title = "Change (empty probability: the status default)"
        self.query_one("#wi-results").border_title = "Baseline vs scenario"
        self.query_one("#wi-scenarios").border_title = "Scenarios (scenarios/NAME.toml; enter loads)"
        summary = self.query_one("#wi-summary", DataTable)
        summary.add_column("", key="what")
        for key, label in (("baseline", "Baseline"), ("scenario", "Scenario"), ("change", "Change")):
            summary.add_column(Text(label, justify="right"), key=key)
        self._layout(self.app.size.width, self.app.size.height)
        self._head()
        self._list_scenarios()
        self.set_interval(0.5, self._follow_app)
        self.recompute_now()

    def on_resize(self, event: Resize) -> None:
        self._layout(event.size.width, event.size.height)

    def _layout(self, width: int, height: int) -> None:
        self.set_class(width < NARROW, "-narrow")
        self.set_class(height < 30, "-short")

    def _head(self) -> None:
        a = self.evaluation.assessment
        loc = self.evaluation.config.location
        text = (
            f"What-if for {clean(a.profile.business.name)}, as of {a.now:%Y-%m-%d %H:%M} UTC. "
            f"Baseline: the config in {clean(loc.path)}. Nothing is written unless you save (ctrl+s) or apply (ctrl+g)."
        )
        self.query_one("#wi-head", Static).update(Content(text))

    # -- reading the form ---------------------------------------------------------------------

    def input_for(self, target: str) -> OverrideInput | StatusSelect | None:
        """The widget that edits `ID.FIELD` (tests and scenario loading use it)."""
        for w in self.query(OverrideInput):
            if w.target == target:
                return w
        for s in self.query(StatusSelect):
            if s.target == target:
                return s
        return None

    @property
    def stress(self) -> bool:
        return self.query_one("#wi-stress", Switch).value

    def form_overrides(self) -> tuple[tuple[Override, ...], list[str]]:
        """The overrides the form means (a loaded scenario's extras first), and the values that
        are not values (each 'ID.FIELD: why')."""
        from riskmon.core.scenario import merge_overrides

        found: list[Override] = []
        errors: list[str] = []
        for row in self.query(EventRow):
            base = self.events_by_id.get(row.event.id)
            select = row.query_one(StatusSelect)
            if isinstance(select.value, str) and (base is None or select.value != base.status):
                found.append(Override("event", row.event.id, "status", select.value))
            for box in row.query(OverrideInput):
                self._read(box, base, found, errors)
        for crow in self.query(ChannelRow):
            cbase = self.channels_by_id.get(crow.channel.id)
            for box in crow.query(OverrideInput):
                self._read(box, cbase, found, errors)
        return merge_overrides(self.extras, found), errors

    @staticmethod
    def _read(box: OverrideInput, base: Any, found: list[Override], errors: list[str]) -> None:
        try:
            o = parse_field(box.target_kind, box.ident, box.field, box.value, base)
        except ScenarioError as exc:
            errors.append(exc.message)
            return
        if o is not None:
            found.append(o)

    # -- recomputing --------------------------------------------------------------------------

    @on(Switch.Changed, "#wi-stress")
    def _stress_label(self, event: Switch.Changed) -> None:
        self.query_one("#wi-stress-label", Label).update(Content(STRESS_ON if event.value else STRESS_OFF))

    @on(Input.Changed, "OverrideInput")
    @on(Select.Changed, "StatusSelect")
    @on(Switch.Changed, "#wi-stress")
    def _form_changed(self) -> None:
        self.schedule()

    def schedule(self) -> None:
        self.pending = True
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(RECOMPUTE_DELAY, self.recompute_now)

    def recompute_now(self) -> None:
        self._timer = None
        self._generation += 1
        overrides, errors = self.form_overrides()
        if errors:
            self.pending = False
            self._show_error("Fix the values marked red: " + "; ".join(errors))
            return
        self.pending = True
        self._compute(self._generation, self.evaluation, overrides, self.stress)

    @work(thread=True, exclusive=True, group="whatif", exit_on_error=False)
    def _compute(self, generation: int, evaluation: Evaluation, overrides: tuple[Override, ...], stress: bool) -> None:
        try:
            from riskmon.usecases import whatif

            outcome = whatif.run(evaluation, overrides, stress)
        except Exception as exc:
            self.post_message(Computed(generation, None, reason_of(exc)))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(Computed(generation, outcome))

    @on(Computed)
    def _computed(self, message: Computed) -> None:
        if message.generation != self._generation:
            return
        self.pending = self._timer is not None
        if message.outcome is None:
            self._show_error(message.error or "no scenario")
            return
        self.error = None
        self.outcome = message.outcome
        self._show(message.outcome)

    def _show_error(self, text: str) -> None:
        self.error = text
        note = self.query_one("#wi-note", Static)
        last = " (the tables show the last valid scenario)" if self.outcome is not None else ""
        note.update(Content(clean(text) + last))
        note.add_class("-bad")

    def _show(self, o: Outcome) -> None:
        from riskmon.present.text import money, runway_text

        base, scen, d = o.baseline, o.scenario, o.delta
        cur = base.profile.business.currency
        summary = self.query_one("#wi-summary", DataTable)
        summary.clear()
        if d.runway_weeks is not None:
            runway_change = signed(d.runway_weeks, ".1f", " wk")
        else:
            runway_change = "same" if base.runway_weeks == scen.runway_weeks else "—"

        def right(text: str, style: str = "") -> Text:
            return Text(text, justify="right", style=style)

        def change(text: str) -> Text:
            return right(text, "" if text in ("same", "0", "—") else "bold")

        rows: list[tuple[str, Text, Text, Text]] = [
            (
                "level",
                right(base.level.name, LEVEL_STYLE[base.level]),
                right(scen.level.name, LEVEL_STYLE[scen.level]),
                change(level_change(d)),
            ),
            ("score", right(f"{base.score:.1f}"), right(f"{scen.score:.1f}"), change(signed(d.score, ".1f"))),
            (
                "runway",
                right(runway_text(base.runway_weeks)),
                right(runway_text(scen.runway_weeks)),
                change(runway_change),
            ),
            (
                "expected loss",
                right(money(base.expected_loss, cur)),
                right(money(scen.expected_loss, cur)),
                change(signed_money(d.expected_loss, cur)),
            ),
        ]
        for key, b, s, c in rows:
            summary.add_row(Text(key), b, s, c, key=key)
        self.query_one("#wi-events", ListTable).show([delta_row(e, cur) for e in d.events])
        lines = []
        if o.stress:
            lines.append("stress: every event happens now with probability 1 (its window keeps its length)")
        lines.extend(change_rows(o, self.evaluation.events))
        if not o.changes and not o.stress:
            lines.append("no changes yet: edit a value on the left (the scenario equals the baseline)")
        lines.append("scenario: " + "; ".join(clean(r) for r in scen.reasons))
        note = self.query_one("#wi-note", Static)
        note.update(Content("\n".join(clean(line) for line in lines)))
        note.remove_class("-bad")

    # -- following the app's refreshes --------------------------------------------------------

    def _follow_app(self) -> None:
        loaded = getattr(self.app, "loaded", None)
        if loaded is not None and loaded.evaluation is not self.evaluation:
            self.rebase(loaded.evaluation)

    def rebase(self, evaluation: Evaluation) -> None:
        """A new baseline (a refresh, a save): values left as they were follow the config; values
        you changed stay."""
        old_events, old_channels = self.events_by_id, self.channels_by_id
        self.evaluation = evaluation
        self._index()
        self._head()
        # The rows stay in their order while the same events and channels are there (a score
        # that moves must not reorder the form under the cursor).
        same = {e.id for e in evaluation.events} == {r.event.id for r in self.query(EventRow)} and [
            c.id for c in evaluation.config.profile.channels
        ] == [r.channel.id for r in self.query(ChannelRow)]
        if not same:
            self.call_later(self._rebuild, self._touched(old_events, old_channels))
            return
        with self.prevent(Input.Changed, Select.Changed):
            for row in self.query(EventRow):
                old, new = old_events.get(row.event.id), self.events_by_id[row.event.id]
                row.event = new
                select = row.query_one(StatusSelect)
                if old is not None and select.value == old.status:
                    select.value = new.status
                for box in row.query(OverrideInput):
                    if old is not None and box.value == field_text(old, box.field):
                        _set(box, field_text(new, box.field))
            for crow in self.query(ChannelRow):
                cold, cnew = old_channels.get(crow.channel.id), self.channels_by_id[crow.channel.id]
                crow.channel = cnew
                for box in crow.query(OverrideInput):
                    if cold is not None and box.value == field_text(cold, box.field):
                        _set(box, field_text(cnew, box.field))
        self.schedule()

    def _touched(self, old_events: Mapping[str, Event], old_channels: Mapping[str, Channel]) -> dict[str, str]:
        out: dict[str, str] = {}
        for row in self.query(EventRow):
            old = old_events.get(row.event.id)
            select = row.query_one(StatusSelect)
            if old is not None and isinstance(select.value, str) and select.value != old.status:
                out[select.target] = select.value
            for box in row.query(OverrideInput):
                if old is None or box.value != field_text(old, box.field):
                    out[box.target] = box.value
        for crow in self.query(ChannelRow):
            cold = old_channels.get(crow.channel.id)
            for box in crow.query(OverrideInput):
                if cold is None or box.value != field_text(cold, box.field):
                    out[box.target] = box.value
        return out

    async def _rebuild(self, touched: dict[str, str]) -> None:
        events_box = self.query_one("#wi-events-form", Vertical)
        channels_box = self.query_one("#wi-channels-form", Vertical)
        await events_box.remove_children()
        await channels_box.remove_children()
        await events_box.mount_all([EventRow(i, e) for i, e in enumerate(self._ordered_events())])
        await channels_box.mount_all([ChannelRow(i, c) for i, c in enumerate(self.evaluation.config.profile.channels)])
        self.set_values(touched)
        self.schedule()

    def set_values(self, values: Mapping[str, str]) -> list[str]:
        """Put `ID.FIELD` -> text into the form; returns the targets it has no field for."""
        missing = []
        for target, text in values.items():
            w = self.input_for(target)
            if w is None:
                missing.append(target)
            elif isinstance(w, OverrideInput):
                _set(w, text)
            else:
                w.value = text
        return missing

    # -- actions ------------------------------------------------------------------------------

    def action_close(self) -> None:
        if self._writing:
            self.notify("Still writing: leave once it is done.", title="What-if", markup=False, timeout=3)
            return
        self.app.pop_screen()

    def action_toggle_stress(self) -> None:
        switch = self.query_one("#wi-stress", Switch)
        switch.value = not switch.value

    def action_reset(self) -> None:
        """Every value back to the config's; stress off; a loaded scenario's extras dropped."""
        self.extras = ()
        self.description = ""
        self._extras_note()
        for row in self.query(EventRow):
            base = self.events_by_id.get(row.event.id)
            if base is None:
                continue
            row.query_one(StatusSelect).value = base.status
            for box in row.query(OverrideInput):
                _set(box, field_text(base, box.field))
        for crow in self.query(ChannelRow):
            cbase = self.channels_by_id.get(crow.channel.id)
            if cbase is None:
                continue
            for box in crow.query(OverrideInput):
                _set(box, field_text(cbase, box.field))
        self.query_one("#wi-stress", Switch).value = False
        self.schedule()

    @on(Button.Pressed, "#wi-reset")
    def _reset_pressed(self) -> None:
        self.action_reset()

    def _extras_note(self) -> None:
        box = self.query_one("#wi-extra", Static)
        if self.extras:
            box.update(Content("Also from the scenario: " + ", ".join(clean(str(o)) for o in self.extras)))
        box.set_class(bool(self.extras), "-shown")

    # -- saved scenarios ----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="list", exit_on_error=False)
    def _list_scenarios(self) -> None:
        from riskmon.sources.scenarios import list_scenarios

        names = list_scenarios(self.evaluation.config.path)
        if not get_current_worker().is_cancelled:  # a newer listing was asked for: it answers
            self.post_message(ScenarioList(names))

    @on(ScenarioList)
    def _listed(self, message: ScenarioList) -> None:
        box = self.query_one("#wi-saved", OptionList)
        box.clear_options()
        if not message.names:
            box.add_option(Option(Content("no saved scenarios yet: name one above and press ctrl+s"), disabled=True))
        box.add_options([Option(Content(n), id=n) for n in message.names])

    def action_open(self) -> None:
        self.query_one("#wi-saved", OptionList).focus()

    def action_save(self) -> None:
        from riskmon.sources.scenarios import check_name

        name_box = self.query_one("#wi-name", Input)
        name = name_box.value.strip()
        if not name:
            self.notify("Name the scenario first (letters, digits, - _ .), then ctrl+s.", markup=False, timeout=4)
            name_box.focus()
            return
        try:
            name = check_name(name)
        except ScenarioError as exc:
            self.notify(clean(exc.message), severity="error", markup=False)
            name_box.focus()
            return
        if self.location.is_demo:
            self.notify(DEMO_HINT, title="Not saved", severity="warning", markup=False, timeout=10)
            return
        overrides, errors = self.form_overrides()
        if errors or (self.error and not self.pending):
            self.notify(
                "Fix the scenario first: " + clean(self.error or "; ".join(errors)), severity="error", markup=False
            )
            return
        scenario = Scenario(
            name=name,
            overrides=overrides,
            stress=self.stress,
            created=self.evaluation.assessment.now,
            description=self.description,
        )
        saved = [o.id for o in self.query_one("#wi-saved", OptionList).options if o.id]
        if name in saved:

            def chosen(choice: str | None) -> None:
                if choice == "replace":
                    self._writing += 1
                    self._save_scenario(self.evaluation.config.path, scenario)

            self.app.push_screen(
                ChoiceScreen(
                    f"Replace the saved scenario {name}?",
                    [f"scenarios/{name}.toml already exists."],
                    [Choice("replace", "Replace", "warning"), Choice("cancel", "Cancel", "primary")],
                    focus="cancel",
                ),
                chosen,
            )
            return
        self._writing += 1
        self._save_scenario(self.evaluation.config.path, scenario)

    @on(Button.Pressed, "#wi-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Input.Submitted, "#wi-name")
    def _name_submitted(self) -> None:
        self.action_save()

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def _save_scenario(self, config_dir: Path, scenario: Scenario) -> None:
        from riskmon.sources.scenarios import save_scenario

        try:
            path = save_scenario(config_dir, scenario)
        except Exception as exc:
            self.post_message(ScenarioSaved(scenario.name, None, reason_of(exc)))
            return
        self.post_message(ScenarioSaved(scenario.name, path))

    @on(ScenarioSaved)
    def _saved(self, message: ScenarioSaved) -> None:
        self._writing -= 1
        if message.path is None:
            self.notify(f"Scenario not saved: {clean(message.error)}", severity="error", markup=False)
            return
        self.notify(
            f"Saved {message.path}; `riskmon what-if --scenario {message.name}` runs it too.", markup=False, timeout=6
        )
        self._list_scenarios()

    @on(OptionList.OptionSelected, "#wi-saved")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_id:
            self.load(event.option_id)

    def load(self, name: str) -> None:
        """Read scenarios/NAME.toml (in a worker) and put it into the form."""
        self._load_scenario(self.evaluation.config.path, name)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load_scenario(self, config_dir: Path, name: str) -> None:
        from riskmon.sources.scenarios import load_scenario

        try:
            loaded = ScenarioLoaded(load_scenario(config_dir, name))
        except Exception as exc:
            loaded = ScenarioLoaded(None, reason_of(exc))
        # A cancelled thread still runs to the end: a slow load of A finishing after B was chosen
        # must not put A into the form.
        if not get_current_worker().is_cancelled:
            self.post_message(loaded)

    @on(ScenarioLoaded)
    def _loaded(self, message: ScenarioLoaded) -> None:
        s = message.scenario
        if s is None:
            self.notify(f"Cannot load: {clean(message.error)}", severity="error", markup=False)
            return
        self.action_reset()
        values: dict[str, str] = {}
        extras: list[Override] = []
        for o in s.overrides:
            if o.field in FORM_FIELDS.get(o.target_kind, ()) and self.input_for(o.target) is not None:
                values[o.target] = "" if o.value is None else _text(o.value)
            else:
                extras.append(o)
        self.set_values(values)
        self.extras = tuple(extras)
        self.description = s.description
        self._extras_note()
        self.query_one("#wi-stress", Switch).value = s.stress
        self.query_one("#wi-name", Input).value = s.name
        self.schedule()
        self.notify(f"Loaded scenario {clean(s.name)}.", markup=False, timeout=3)

    # -- applying to the config ---------------------------------------------------------------

    @on(Button.Pressed, "#wi-apply")
    def _apply_pressed(self) -> None:
        self.action_apply()

    def action_apply(self) -> None:
        """Write the scenario's changes into exposure.toml / events.toml, after a confirmation."""
        from riskmon.sources.config import edit as configedit
        from riskmon.usecases.whatif import config_changes

        if self.location.is_demo:
            self.notify(DEMO_HINT, title="Read-only", severity="warning", markup=False, timeout=10)
            return
        if self.stress:
            self.notify(
                "Stress is a test, not a change to your config: switch it off (ctrl+t) to apply the other values.",
                severity="warning",
                markup=False,
                timeout=8,
            )
            return
        overrides, errors = self.form_overrides()
        if errors:
            self.notify("Fix the values marked red first.", severity="error", markup=False)
            return
        cfg = self.evaluation.config
        try:
            changes = config_changes(cfg, overrides)  # the rules, before any file is touched
        except ScenarioError as exc:
            self.notify(
                f"{clean(exc.message)} (only events in events.toml can be written; events from feeds cannot)",
                severity="error",
                markup=False,
                timeout=10,
            )
            return
        if not changes:
            self.notify("Nothing to apply: the values equal your config's.", markup=False, timeout=4)
            return
        edits = configedit.edits_from_changes(changes)
        base = cfg.location.path
        by_id = {e.id: e for e in cfg.events}
        lines = [
            f"{edit.file}: {edit.where}: {change_value(c, c.old, by_id)} -> {change_value(c, c.new, by_id)}"
            + (" (moved with effective)" if c.implied else "")
            for c, edit in zip(changes, edits, strict=True)
        ]

        def chosen(choice: str | None) -> None:
            if choice == "apply":
                self._writing += 1
                self._apply(cfg.location, edits)

        self.app.push_screen(
            ChoiceScreen(
                f"Write {len(changes)} change{'s' if len(changes) != 1 else ''} into your config in {base}?",
                [*lines, "", "Comments and formatting are kept; the files are validated before anything is written."],
                [Choice("apply", "Apply to config", "warning"), Choice("cancel", "Cancel", "primary")],
                focus="cancel",
            ),
            chosen,
        )

    @work(thread=True, exclusive=True, group="apply", exit_on_error=False)
    def _apply(self, location: Any, edits: list[Any]) -> None:
        from riskmon.sources.config import edit as configedit

        try:
            paths = configedit.apply_edits(location, edits)
        except Exception as exc:
            self.post_message(Applied(None, reason_of(exc)))
            return
        self.post_message(Applied(paths))

    @on(Applied)
    def _applied(self, message: Applied) -> None:
        self._writing -= 1
        if message.paths is None:
            self.notify(f"Not applied: {clean(message.error)}", severity="error", markup=False, timeout=10)
            return
        self.notify("Wrote " + ", ".join(str(p) for p in message.paths), title="Config", markup=False, timeout=6)
        self.app.post_message(ConfigSaved(list(message.paths)))


def _text(value: Any) -> str:
    from riskmon.core.scenario import format_value

    return format_value(value)


def _set(box: Input, text: str) -> None:
    """Set an input's text with the cursor at its end (as if typed)."""
    box.value = text
    box.cursor_position = len(text)
