"""Small forms for structured edits from the dashboard, without a text editor.

`c` edits the highlighted channel's numbers, `E` the highlighted event's status, probability and
dates, `n` adds an event. Inputs are checked as you type (the same reading of the text as
`configedit.form_value`, so what passes here is what gets written); saving goes through
`configedit` in a thread worker: edited with tomlkit (comments, order and formatting kept),
validated as `riskmon check` reads the files, written atomically. A problem the save finds is
shown next to its field; nothing reaches disk unless it is valid.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Input, Label, Select, Static

from riskmon.errors import ConfigError, Problem
from riskmon.paths import ConfigLocation
from riskmon.textsafe import clean
from riskmon.tui.messages import ConfigSaved

if TYPE_CHECKING:
    from textual.app import App

    from riskmon.core.model import Channel, Event

DEMO_HINT = (
    "the bundled demo config is read-only: run `riskmon config init DIR`, then `riskmon --config DIR` "
    "(or export RISKMON_CONFIG=DIR) and edit that"
)

NO_DATA = "No assessment yet: still loading, or the config is invalid (e opens the config editor)."

Kind = Literal["share", "money", "days", "date", "text", "id", "list", "regions", "choice"]
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
_REGION = re.compile(r"^(\*|[A-Za-z]{2})$")


# ---------------------------------------------------------------------------------------------
# Fields and their checks


@dataclass(frozen=True)
class FormField:
    name: str
    """The config field (`order_share`, `effective`, ...): also the Input's id."""
    label: str
    kind: Kind
    value: str = ""
    placeholder: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()
    taken: frozenset[str] = field(default_factory=frozenset)
    """For an id: the ids already in use."""


def check_value(table: str, f: FormField, text: str) -> str | None:
    """Why `text` is not a good value for the field (None: it is). Reads the text the way the
    save will (`configedit.form_value`); the save validates everything again."""
    from riskmon.sources.config.edit import form_value
    from riskmon.sources.config.schema import to_utc

    raw = text.strip()
    if not raw:
        return "required" if f.required else None
    value = form_value(table, f.name, raw)
    if f.kind in ("share", "money", "days"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "not a number" + (" (a share: 0.35)" if f.kind == "share" else "")
        if value != value or value in (float("inf"), float("-inf")):
            return "must be a finite number"
        if value < 0:
            return "must be 0 or more"
        if f.kind == "share" and value > 1:
            return "a share: at most 1 (0.35 = 35%)"
        return None
    if f.kind == "date":
        try:
            out = to_utc(value)
        except ValueError:
            out = None
        return None if isinstance(out, datetime) else "a date like 2025-03-01 or 2025-03-01T17:00:00+07:00"
    if f.kind == "id":
        if not _ID.match(raw):
            return "letters, digits and - _ . : (no spaces)"
        return f"{raw!r} is already used" if raw in f.taken else None
    if f.kind in ("list", "regions"):
        items = value if isinstance(value, list) else []
        if not items:
            return "at least one, separated by commas"
        if f.kind == "regions":
            bad = [str(r) for r in items if not _REGION.match(str(r).strip())]
            if bad:
                return f"{', '.join(bad)}: two-letter codes like US, or *"
        return None
    return None


class FieldCheck(Validator):
    def __init__(self, table: str, f: FormField) -> None:
        super().__init__()
        self.table = table
        self.form_field = f

    def validate(self, value: str) -> ValidationResult:
        why = check_value(self.table, self.form_field, value)
        return self.success() if why is None else self.failure(why)


def number_text(x: float | None) -> str:
    """0.35 -> '0.35', 120000.0 -> '120000', None -> ''."""
    if x is None:
        return ""
    from riskmon.core.scenario import format_value

    return format_value(float(x))


def date_text(d: datetime | None) -> str:
    if d is None:
        return ""
    from riskmon.core.scenario import format_value

    return format_value(d)


def differs(current: Any, new: Any, default: Any = None) -> bool:
    """Would writing `new` (None: remove the key) change the value the model reads?"""
    from riskmon.sources.config.schema import to_utc

    if new is None:
        new = default
    if isinstance(current, datetime) or isinstance(new, datetime):
        try:
            return bool(to_utc(new) != to_utc(current)) if new is not None and current is not None else new != current
        except ValueError:
            return True
    if isinstance(current, int | float) and isinstance(new, int | float) and not isinstance(new, bool):
        return float(current) != float(new)
    return bool(current != new)


def where_problem(p: Problem, names: Iterable[str]) -> str | None:
    """Which form field a problem belongs to (None: the form as a whole)."""
    names = list(names)
    key = p.field.rsplit(".", 1)[-1].split("[", 1)[0] if p.field else ""
    if key in names:
        return key
    for name in names:  # "channels: order_share over all channels adds up to 1.2"
        if name in p.message:
            return name
    return None


# ---------------------------------------------------------------------------------------------
# The form


@dataclass
class FormDone(Message):
    paths: list[Path] | None
    error: Exception | None = None


class EditForm(ModalScreen[bool]):
    """Fields in rows, each with its error line; ctrl+s / enter / Save writes in a worker."""

    TABLE: ClassVar[str] = "events"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Save", priority=True),
    ]

    DEFAULT_CSS = """
    EditForm { align: center middle; }
    EditForm #form-box { width: 76; max-width: 100%; height: auto; max-height: 100%;
                         border: round $primary; background: $surface; padding: 0 1; }
    EditForm #form-title { text-style: bold; }
    EditForm #form-sub { color: $text-muted; }
    EditForm #form-fields { height: auto; max-height: 24; margin: 1 0 0 0; }
    EditForm .form-row { height: 1; }
    EditForm .form-label { width: 22; color: $text-muted; }
    /* The field being typed in shows without colour too: its label in reverse video. */
    EditForm .form-row:focus-within .form-label { color: $text; text-style: bold reverse; }
    EditForm .form-row Input:focus { background: $accent 30%; }
    EditForm .form-row Input, EditForm .form-row Select { width: 1fr; }
    EditForm .form-error { height: auto; margin: 0 0 0 22; color: $text-error; display: none; }
    EditForm .form-error.-shown { display: block; }
    EditForm #form-problems { height: auto; color: $text-error; display: none; margin: 1 0 0 0; }
    EditForm #form-problems.-shown { display: block; }
    EditForm #form-buttons { height: 1; margin: 1 0 0 0; }
    EditForm #form-buttons Button { margin: 0 1 0 0; }
    EditForm #form-buttons Static { width: 1fr; color: $text-muted; }
    """

    def __init__(self, location: ConfigLocation, title: str, subtitle: str, fields: Sequence[FormField]) -> None:
        super().__init__()
        self.location = location
        self.title_text = title
        self.subtitle = subtitle
        self.fields = list(fields)
        self.saving = False

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Static(Content(clean(self.title_text)), id="form-title")
            yield Static(Content(clean(self.subtitle)), id="form-sub")
            with VerticalScroll(id="form-fields"):
                for f in self.fields:
                    with Horizontal(classes="form-row"):
                        yield Label(Content(f.label + (" *" if f.required else "")), classes="form-label")
                        if f.kind == "choice":
                            yield Select(
                                [(Content(c), c) for c in f.choices],
                                value=f.value,
                                allow_blank=False,
                                compact=True,
                                id=f"f-{f.name}",
                            )
                        else:
                            yield Input(
                                f.value,
                                placeholder=f.placeholder,
                                validators=[FieldCheck(self.TABLE, f)],
                                validate_on=["changed", "submitted"],
                                compact=True,
                                id=f"f-{f.name}",
                            )
                    yield Static("", classes="form-error", id=f"err-{f.name}")
            yield Static("", id="form-problems")
            with Horizontal(id="form-buttons"):
                yield Button("Save", variant="primary", id="form-save", compact=True)
                yield Button("Cancel", id="form-cancel", compact=True)
                yield Static(Content("ctrl+s save · esc cancel"))

    def on_mount(self) -> None:
        first = self.fields[0].name if self.fields else None
        if first:
            self.query_one(f"#f-{first}").focus()

    # -- values and errors --------------------------------------------------------------------

    def values(self) -> dict[str, str]:
        """Field name -> the text (or choice) in the form now."""
        out: dict[str, str] = {}
        for f in self.fields:
            widget = self.query_one(f"#f-{f.name}")
            if isinstance(widget, Select):
                out[f.name] = str(widget.value) if isinstance(widget.value, str) else ""
            elif isinstance(widget, Input):
                out[f.name] = widget.value
        return out

    def set_error(self, name: str, text: str | None) -> None:
        box = self.query_one(f"#err-{name}", Static)
        box.update(Content(clean(text or "")))
        box.set_class(bool(text), "-shown")

    def error_of(self, name: str) -> str:
        return str(self.query_one(f"#err-{name}", Static).render())

    def _general(self, lines: list[str]) -> None:
        box = self.query_one("#form-problems", Static)
        box.update(Content("\n".join(clean(line) for line in lines)))
        box.set_class(bool(lines), "-shown")

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("f-")
        if name and event.validation_result is not None:
            self.set_error(
                name, None if event.validation_result.is_valid else event.validation_result.failures[0].description
            )

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    @on(Button.Pressed, "#form-save")
    def _save_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_submit()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_cancel(self) -> None:
        if not self.saving:
            self.dismiss(False)

    # -- saving -------------------------------------------------------------------------------

    def action_submit(self) -> None:
        if self.saving:
            return
        values = self.values()
        first_bad = None
        for f in self.fields:
            if f.kind == "choice":
                continue
            why = check_value(self.TABLE, f, values[f.name])
            self.set_error(f.name, why)
            if why and first_bad is None:
                first_bad = f.name
        self._general([])
        if first_bad is not None:
            self.query_one(f"#f-{first_bad}").focus()
            return
        self.saving = True
        self.query_one("#form-save", Button).disabled = True
        self._write(values)

    @work(thread=True, exclusive=True, group="form", exit_on_error=False)
    def _write(self, values: dict[str, str]) -> None:
        try:
            paths = self.write(values)
        except Exception as exc:
            self.post_message(FormDone(None, exc))
            return
        self.post_message(FormDone(paths))

    def write(self, values: Mapping[str, str]) -> list[Path]:  # pragma: no cover - overridden
        """Write the form (runs in a thread worker); [] when nothing changed."""
        raise NotImplementedError

    def saved_text(self) -> str:
        return "Saved."

    @on(FormDone)
    def _done(self, message: FormDone) -> None:
        self.saving = False
        self.query_one("#form-save", Button).disabled = False
        err = message.error
        if err is None:
            if message.paths:
                self.app.post_message(ConfigSaved(list(message.paths)))
                self.notify(self.saved_text(), title="Config", markup=False, timeout=4)
            else:
                self.notify("No changes: nothing was written.", markup=False, timeout=3)
            self.dismiss(True)
            return
        if isinstance(err, ConfigError):
            self.show_problems(err.problems)
        else:
            self._general([f"Not saved: {type(err).__name__}: {err}"])

    def show_problems(self, problems: Sequence[Problem]) -> None:
        names = [f.name for f in self.fields]
        per: dict[str, list[str]] = {}
        general: list[str] = []
        for p in problems:
            name = where_problem(p, names)
            if name is None:
                where = Path(p.file).name + (f":{p.line}" if p.line else "")
                general.append(f"{where}: {p.field + ': ' if p.field else ''}{p.message}")
            else:
                per.setdefault(name, []).append(p.message)
        for name in names:
            self.set_error(name, "; ".join(per.get(name, [])) or None)
        self._general(["Not saved: " + general[0], *general[1:]] if general else [])
        if per:
            self.query_one(f"#f-{next(n for n in names if n in per)}").focus()


# ---------------------------------------------------------------------------------------------
# The three forms


def _default(model: Any, name: str) -> Any:
    info = model.model_fields.get(name)
    if info is None or info.is_required():
        return None
    return info.get_default(call_default_factory=True)


class ChannelForm(EditForm):
    """A channel's numbers in exposure.toml."""

    TABLE: ClassVar[str] = "channels"
    FIELDS: ClassVar[tuple[tuple[str, str, Kind, bool], ...]] = (
        ("order_share", "order share (0–1)", "share", True),
        ("inventory_value", "inventory value", "money", False),
        ("pending_payouts", "pending payouts", "money", False),
        ("deposit", "deposit", "money", False),
        ("payout_hold_days", "payout hold (days)", "days", False),
    )

    def __init__(self, location: ConfigLocation, channel: Channel, currency: str = "USD") -> None:
        self.channel = channel
        fields = [
            FormField(name, label, kind, number_text(getattr(channel, name)), required=required)
            for name, label, kind, required in self.FIELDS
        ]
        super().__init__(
            location,
            f"Edit channel {channel.id}",
            f"{channel.platform}, {channel.kind} · exposure.toml · money in {currency}",
            fields,
        )

    def edits(self, values: Mapping[str, str]) -> list[Any]:
        from riskmon.sources.config.edit import channel_edit, form_value
        from riskmon.sources.config.schema import Channel

        out = []
        for name, *_ in self.FIELDS:
            new = form_value(self.TABLE, name, values[name])
            if differs(getattr(self.channel, name), new, _default(Channel, name)):
                out.append(channel_edit(self.channel.id, name, new))
        return out

    def write(self, values: Mapping[str, str]) -> list[Path]:
        from riskmon.sources.config.edit import apply_edits

        edits = self.edits(values)
        return apply_edits(self.location, edits) if edits else []

    def saved_text(self) -> str:
        return f"Saved channel {self.channel.id} in exposure.toml."


class EventForm(EditForm):
    """An event's status, probability and dates in events.toml."""

    TABLE: ClassVar[str] = "events"
    NAMES: ClassVar[tuple[str, ...]] = ("status", "probability", "effective", "ends")

    def __init__(self, location: ConfigLocation, event: Event) -> None:
        from riskmon.core.model import STATUSES

        self.event = event
        fields = [
            FormField("status", "status", "choice", event.status, choices=STATUSES),
            FormField(
                "probability", "probability (0–1)", "share", number_text(event.probability), _prob_hint(event.status)
            ),
            FormField("effective", "effective", "date", date_text(event.effective), required=True),
            FormField("ends", "ends", "date", date_text(event.ends), "empty: no end"),
        ]
        super().__init__(location, f"Edit event {event.id}", f"{event.title} · events.toml", fields)

    @on(Select.Changed, "#f-status")
    def _status_changed(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, str):
            self.query_one("#f-probability", Input).placeholder = _prob_hint(event.value)

    def edits(self, values: Mapping[str, str]) -> list[Any]:
        from riskmon.sources.config.edit import event_edit, form_value

        out = []
        for name in self.NAMES:
            new = form_value(self.TABLE, name, values[name])
            if differs(getattr(self.event, name), new):
                out.append(event_edit(self.event.id, name, new))
        return out

    def write(self, values: Mapping[str, str]) -> list[Path]:
        from riskmon.sources.config.edit import apply_edits

        edits = self.edits(values)
        return apply_edits(self.location, edits) if edits else []

    def saved_text(self) -> str:
        return f"Saved event {self.event.id} in events.toml."


def _prob_hint(status: str) -> str:
    from riskmon.core.model import DEFAULT_PROBABILITY

    p = DEFAULT_PROBABILITY.get(status)
    return f"empty: {p:g}, the default for {status}" if p is not None else "empty: the status default"


class NewEventForm(EditForm):
    """A new [[events]] table appended to events.toml."""

    TABLE: ClassVar[str] = "events"

    def __init__(self, location: ConfigLocation, taken: Iterable[str], today: datetime) -> None:
        from riskmon.core.model import EVENT_KINDS, STATUSES

        fields = [
            FormField("id", "id", "id", placeholder="e.g. us-tiktok-ban-2025", required=True, taken=frozenset(taken)),
            FormField("title", "title", "text", placeholder="what happens", required=True),
            FormField("kind", "kind", "choice", "ban", choices=EVENT_KINDS),
            FormField("platforms", "platforms", "list", placeholder="tiktok, amazon", required=True),
            FormField("regions", "regions", "regions", placeholder="empty: * (everywhere); or US, CA"),
            FormField("status", "status", "choice", "rumored", choices=STATUSES),
            FormField("probability", "probability (0–1)", "share", placeholder=_prob_hint("rumored")),
            FormField("effective", "effective", "date", today.date().isoformat(), required=True),
            FormField("ends", "ends", "date", placeholder="empty: no end"),
            FormField("sources", "sources", "list", placeholder="https://… (comma-separated)"),
        ]
        super().__init__(location, "New event", "appended to events.toml as a new [[events]] table", fields)
        self.event_id = ""

    @on(Select.Changed, "#f-status")
    def _status_changed(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, str):
            self.query_one("#f-probability", Input).placeholder = _prob_hint(event.value)

    def event_data(self, values: Mapping[str, str]) -> dict[str, Any]:
        from riskmon.sources.config.edit import form_value

        data = {name: form_value(self.TABLE, name, text) for name, text in values.items()}
        if isinstance(data.get("regions"), list):  # written as the config reads them: US, not us
            data["regions"] = [str(r).strip().upper() for r in data["regions"]]
        return {k: v for k, v in data.items() if v is not None}

    def write(self, values: Mapping[str, str]) -> list[Path]:
        from riskmon.sources.config.edit import add_event

        data = self.event_data(values)
        self.event_id = str(data.get("id", ""))
        return [add_event(self.location, data)]

    def saved_text(self) -> str:
        return f"Added event {self.event_id} to events.toml."


# ---------------------------------------------------------------------------------------------
# Opening them from the dashboard


def config_location(app: App[Any]) -> ConfigLocation | None:
    """The config directory the app shows (the loaded one, else the one it was started with)."""
    loaded = getattr(app, "loaded", None)
    if loaded is not None:
        loc: ConfigLocation = loaded.evaluation.config.location
        return loc
    started = getattr(app, "location", None)
    return started if isinstance(started, ConfigLocation) else None


def _editable(app: App[Any]) -> ConfigLocation | None:
    loc = config_location(app)
    if getattr(app, "loaded", None) is None or loc is None:
        app.notify(NO_DATA, markup=False, timeout=5)
        return None
    if loc.is_demo:
        app.notify(DEMO_HINT, title="Read-only", severity="warning", markup=False, timeout=10)
        return None
    return loc


def open_channel_form(app: App[Any], channel_id: str | None) -> None:
    loc = _editable(app)
    if loc is None:
        return
    cfg = app.loaded.evaluation.config  # type: ignore[attr-defined]
    channel = next((c for c in cfg.profile.channels if c.id == channel_id), None)
    if channel is None:
        app.notify("Highlight a channel in the exposure table first (x focuses it).", markup=False, timeout=4)
        return
    app.push_screen(ChannelForm(loc, channel, cfg.profile.business.currency))


def open_event_form(app: App[Any], event_id: str | None) -> None:
    loc = _editable(app)
    if loc is None:
        return
    ev = app.loaded.evaluation  # type: ignore[attr-defined]
    if not event_id:
        app.notify("Highlight an event in the timeline first.", markup=False, timeout=4)
        return
    event = next((e for e in ev.config.events if e.id == event_id), None)
    if event is None:
        shown = next((e for e in ev.events if e.id == event_id), None)
        source = clean(shown.source) if shown is not None else "a feed"
        app.notify(
            f"{clean(event_id)} comes from {source}, not from events.toml, so it cannot be edited here; "
            "try a change in what-if (w) instead.",
            severity="warning",
            markup=False,
            timeout=8,
        )
        return
    app.push_screen(EventForm(loc, event))


def open_new_event_form(app: App[Any]) -> None:
    loc = _editable(app)
    if loc is None:
        return
    ev = app.loaded.evaluation  # type: ignore[attr-defined]
    taken = {e.id for e in ev.config.events} | {e.id for e in ev.events}
    app.push_screen(NewEventForm(loc, taken, ev.assessment.now))
