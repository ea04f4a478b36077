"""The edits a user makes to the config, as values: set one field (`FieldEdit`), append to a list field
(`AppendEdit`), add a timeline entry (`TimelineEdit`), and which file and table each one is about.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from riskmon.core.record import record
from riskmon.errors import ConfigError

# Which table of which file holds what, and the model that validates one entry of it.
_TABLES: dict[str, tuple[str, str, bool]] = {
    # table -> (file, model class name in riskmon.sources.config.schema, is an array of tables keyed by id)
    "business": ("exposure.toml", "Business", False),
    "channels": ("exposure.toml", "Channel", True),
    "events": ("events.toml", "Event", True),
    "thresholds": ("riskmon.toml", "Thresholds", False),
    "model": ("riskmon.toml", "ModelSettings", False),
    "history": ("riskmon.toml", "HistorySettings", False),
    "export": ("riskmon.toml", "ExportSettings", False),
}


class ConflictError(ConfigError):
    """The file changed on disk after it was read; nothing was written."""


@record
class FieldEdit:
    """Set one field of one table (or of one item of an array of tables, by id); None removes it."""

    table: str
    """business, channels, events, thresholds, model, history or export."""
    item_id: str | None
    """The `id` of the channel or event; None for a plain table."""
    field: str
    value: Any

    @property
    def file(self) -> str:
        return _TABLES[self.table][0] if self.table in _TABLES else "?"

    @property
    def where(self) -> str:
        item = f"[{self.item_id}]" if self.item_id is not None else ""
        return f"{self.table}{item}.{self.field}"


@record
class AppendEdit(FieldEdit):
    """Append `value` to the list field of an item of an array of tables (by id), unless an equal
    value is there already; the list is created when the item has none. A value is compared as
    TOML reads it (a date and the same date written differently are equal)."""


TIMELINE_START = date(1900, 1, 1)
"""The date of the first entry of a timeline started from an event's plain `status`: "since
always", so that a replay before the new entry shows exactly what the event said before."""


@record
class TimelineEdit:
    """A new entry in an event's `timeline`: from `date` on, the event has `status`.

    Kept as the schema reads a timeline (dates strictly ascending; `status`, when given, equal to
    the last entry's; the event's `probability` belonging to the last entry):
    - an event without a timeline gets one: its current status (and probability) from
      TIMELINE_START, then the new entry; the event's `probability` moves into the first entry;
    - a later entry is appended; the event's `probability`, if any, moves into the entry that was
      last (where it applied);
    - an entry on a date the timeline has replaces that entry's status; an earlier one is inserted
      in date order;
    - the event's `status`, when the file gives one, becomes the last entry's."""

    item_id: str
    date: datetime
    status: str
    probability: float | None = None
    table: str = "events"
    field: str = "timeline"

    @property
    def file(self) -> str:
        return "events.toml"

    @property
    def where(self) -> str:
        return f"events[{self.item_id}].timeline"


Edit = FieldEdit | AppendEdit | TimelineEdit


def channel_edit(channel_id: str, field: str, value: Any) -> FieldEdit:
    return FieldEdit("channels", channel_id, field, value)


def event_edit(event_id: str, field: str, value: Any) -> FieldEdit:
    return FieldEdit("events", event_id, field, value)


def business_edit(field: str, value: Any) -> FieldEdit:
    return FieldEdit("business", None, field, value)
