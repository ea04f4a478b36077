"""Small forms for structured edits from the dashboard, without a text editor.

`c` edits the highlighted channel's numbers, `E` the highlighted event's status, probability and
dates, `n` adds an event. Inputs are checked as you type (the same reading of the text as
`configedit.form_value`, so what passes here is what gets written); saving goes through
`configedit` in a thread worker: edited with tomlkit (comments, order and formatting kept),
validated as `riskmon check` reads the files, written atomically. A problem the save finds is
shown next to its field; nothing reaches disk unless it is valid.

The fields and their checks are in form_fields.py, the form every one of these builds on in
edit_form.py; this module has the three forms and opening them, and re-exports the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.widgets import Input, Select

from riskmon.i18n import N_, _, data
from riskmon.paths import ConfigLocation
from riskmon.present.words import channel_kind_word, status_word
from riskmon.textsafe import clean

if TYPE_CHECKING:
    from textual.app import App

    from riskmon.core.model import Channel, Event
from riskmon.tui.screens.edit_form import EditForm as EditForm
from riskmon.tui.screens.edit_form import FormDone as FormDone
from riskmon.tui.screens.form_fields import DEMO_HINT as DEMO_HINT
from riskmon.tui.screens.form_fields import NO_DATA as NO_DATA
from riskmon.tui.screens.form_fields import FieldCheck as FieldCheck
from riskmon.tui.screens.form_fields import FormField as FormField
from riskmon.tui.screens.form_fields import Kind as Kind
from riskmon.tui.screens.form_fields import check_value as check_value
from riskmon.tui.screens.form_fields import date_text as date_text
from riskmon.tui.screens.form_fields import differs as differs
from riskmon.tui.screens.form_fields import number_text as number_text
from riskmon.tui.screens.form_fields import where_problem as where_problem

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
        ("order_share", N_("order share (0–1)"), "share", True),
        ("inventory_value", N_("inventory value"), "money", False),
        ("pending_payouts", N_("pending payouts"), "money", False),
        ("deposit", N_("deposit"), "money", False),
        ("payout_hold_days", N_("payout hold (days)"), "days", False),
    )
    """Field name, its label (an English id: EditForm shows it translated), kind, required."""

    def __init__(self, location: ConfigLocation, channel: Channel, currency: str = "USD") -> None:
        self.channel = channel
        fields = [
            FormField(name, label, kind, number_text(getattr(channel, name)), required=required)
            for name, label, kind, required in self.FIELDS
        ]
        super().__init__(
            location,
            _("Edit channel {id}").format(id=channel.id),
            _("{platform}, {kind} · exposure.toml · money in {currency}").format(
                platform=channel.platform, kind=channel_kind_word(channel.kind), currency=currency
            ),
            fields,
        )

    def edits(self, values: Mapping[str, str]) -> list[Any]:
        from riskmon.sources.config.edit import channel_edit, form_value
        from riskmon.sources.config.schema import Channel

        out = []
        for name, *_rest in self.FIELDS:
            new = form_value(self.TABLE, name, values[name])
            if differs(getattr(self.channel, name), new, _default(Channel, name)):
                out.append(channel_edit(self.channel.id, name, new))
        return out

    def write(self, values: Mapping[str, str]) -> list[Path]:
        from riskmon.sources.config.edit import apply_edits

        edits = self.edits(values)
        return apply_edits(self.location, edits) if edits else []

    def saved_text(self) -> str:
        return _("Saved channel {id} in exposure.toml.").format(id=self.channel.id)


class EventForm(EditForm):
    """An event's status, probability and dates in events.toml."""

    TABLE: ClassVar[str] = "events"
    NAMES: ClassVar[tuple[str, ...]] = ("status", "probability", "effective", "ends")

    def __init__(self, location: ConfigLocation, event: Event) -> None:
        from riskmon.core.model import STATUSES

        self.event = event
        fields = [
            FormField("status", N_("status"), "choice", event.status, choices=STATUSES),
            FormField(
                "probability",
                N_("probability (0–1)"),
                "share",
                number_text(event.probability),
                _prob_hint(event.status),
            ),
            FormField("effective", N_("effective"), "date", date_text(event.effective), required=True),
            FormField("ends", N_("ends"), "date", date_text(event.ends), _("empty: no end")),
        ]
        title = _("Edit event {id}").format(id=event.id)
        super().__init__(location, title, _("{title} · events.toml").format(title=data(event.title)), fields)

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
        return _("Saved event {id} in events.toml.").format(id=self.event.id)


def _prob_hint(status: str) -> str:
    from riskmon.core.model import DEFAULT_PROBABILITY

    p = DEFAULT_PROBABILITY.get(status)
    if p is None:
        return _("empty: the status default")
    return _("empty: {p}, the default for {status}").format(p=f"{p:g}", status=status_word(status))


class NewEventForm(EditForm):
    """A new [[events]] table appended to events.toml."""

    TABLE: ClassVar[str] = "events"

    def __init__(self, location: ConfigLocation, taken: Iterable[str], today: datetime) -> None:
        from riskmon.core.model import EVENT_KINDS, STATUSES

        fields = [
            FormField(
                "id",
                "id",
                "id",
                placeholder=_("e.g. {id}").format(id="us-tiktok-ban-2025"),
                required=True,
                taken=frozenset(taken),
            ),
            FormField("title", N_("title"), "text", placeholder=_("what happens"), required=True),
            FormField("kind", N_("kind"), "choice", "ban", choices=EVENT_KINDS),
            FormField("platforms", N_("platforms"), "list", placeholder="tiktok, amazon", required=True),
            FormField("regions", N_("regions"), "regions", placeholder=_("empty: * (everywhere); or US, CA")),
            FormField("status", N_("status"), "choice", "rumored", choices=STATUSES),
            FormField("probability", N_("probability (0–1)"), "share", placeholder=_prob_hint("rumored")),
            FormField("effective", N_("effective"), "date", today.date().isoformat(), required=True),
            FormField("ends", N_("ends"), "date", placeholder=_("empty: no end")),
            FormField("sources", N_("sources"), "list", placeholder=_("https://… (comma-separated)")),
        ]
        subtitle = _("appended to events.toml as a new [[events]] table")
        super().__init__(location, _("New event"), subtitle, fields)
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
        return _("Added event {id} to events.toml.").format(id=self.event_id)


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
        app.notify(_(NO_DATA), markup=False, timeout=5)
        return None
    if loc.is_demo:
        app.notify(_(DEMO_HINT), title=_("Read-only"), severity="warning", markup=False, timeout=10)
        return None
    return loc


def open_channel_form(app: App[Any], channel_id: str | None) -> None:
    loc = _editable(app)
    if loc is None:
        return
    cfg = app.loaded.evaluation.config  # type: ignore[attr-defined]
    channel = next((c for c in cfg.profile.channels if c.id == channel_id), None)
    if channel is None:
        app.notify(_("Highlight a channel in the exposure table first (x focuses it)."), markup=False, timeout=4)
        return
    app.push_screen(ChannelForm(loc, channel, cfg.profile.business.currency))


def open_event_form(app: App[Any], event_id: str | None) -> None:
    loc = _editable(app)
    if loc is None:
        return
    ev = app.loaded.evaluation  # type: ignore[attr-defined]
    if not event_id:
        app.notify(_("Highlight an event in the timeline first."), markup=False, timeout=4)
        return
    event = next((e for e in ev.config.events if e.id == event_id), None)
    if event is None:
        shown = next((e for e in ev.events if e.id == event_id), None)
        source = clean(shown.source) if shown is not None else _("a feed")
        app.notify(
            _(
                "{id} comes from {source}, not from events.toml, so it cannot be edited here; "
                "try a change in what-if (w) instead."
            ).format(id=clean(event_id), source=source),
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
