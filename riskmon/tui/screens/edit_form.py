"""The dashboard forms' base: fields in rows with their errors, checked as you type, written by a
subclass in a thread worker; a problem the save finds is shown next to its field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from riskmon.errors import ConfigError, Problem
from riskmon.i18n import N_, _
from riskmon.paths import ConfigLocation
from riskmon.present.words import kind_word, status_word
from riskmon.textsafe import clean
from riskmon.tui.lang import Translated
from riskmon.tui.messages import ConfigSaved
from riskmon.tui.screens.form_fields import FieldCheck, FormField, check_value, where_problem


def choice_word(field: str, value: str) -> str:
    """A status or an event kind as the form's choice shows it (the value written stays)."""
    return status_word(value) if field == "status" else kind_word(value) if field == "kind" else value


@dataclass
class FormDone(Message):
    paths: list[Path] | None
    error: Exception | None = None


class EditForm(Translated, ModalScreen[bool]):
    """Fields in rows, each with its error line; ctrl+s / enter / Save writes in a worker."""

    TABLE: ClassVar[str] = "events"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("ctrl+s", "submit", N_("Save"), priority=True),
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
                        yield Label(Content(_(f.label) + (" *" if f.required else "")), classes="form-label")
                        if f.kind == "choice":
                            yield Select(
                                [(Content(choice_word(f.name, c)), c) for c in f.choices],
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
                yield Button(_("Save"), variant="primary", id="form-save", compact=True)
                yield Button(_("Cancel"), id="form-cancel", compact=True)
                yield Static(Content(_("ctrl+s save · esc cancel")))

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
        return _("Saved.")

    @on(FormDone)
    def _done(self, message: FormDone) -> None:
        self.saving = False
        self.query_one("#form-save", Button).disabled = False
        err = message.error
        if err is None:
            if message.paths:
                self.app.post_message(ConfigSaved(list(message.paths)))
                self.notify(self.saved_text(), title=_("Config"), markup=False, timeout=4)
            else:
                self.notify(_("No changes: nothing was written."), markup=False, timeout=3)
            self.dismiss(True)
            return
        if isinstance(err, ConfigError):
            self.show_problems(err.problems)
        else:
            self._general([_("Not saved: {why}").format(why=f"{type(err).__name__}: {err}")])

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
        self._general([_("Not saved: {why}").format(why=general[0]), *general[1:]] if general else [])
        if per:
            self.query_one(f"#f-{next(n for n in names if n in per)}").focus()
