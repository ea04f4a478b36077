"""The event changes riskmon records, in the active language: the lines the Monitor and history
write ("status announced → confirmed", riskmon.store.snapshots) and the change log's cells.

The store writes them in English, for the logs and the JSON; they are translated where they are
shown. In English every function returns its text as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from riskmon.core.hints import TYPE_CHECKING
from riskmon.i18n import N_, _, data, is_english
from riskmon.present.words import status_word
from riskmon.store.snapshots import fmt_value
from riskmon.textsafe import clean

if TYPE_CHECKING:
    from typing import Any

FIELDS = {
    "status": N_("status"),
    "probability": N_("probability"),
    "effective": N_("effective"),
    "ends": N_("ends"),
    "first_seen": N_("first seen"),
}
"""What changed (an event's tracked field, or its first sighting), by the id the store writes."""
ARROW = " → "
_FIRST_SEEN_STATUS = r"\((\w+), "


def field_word(name: str) -> str:
    """What changed, as the change log's column says it (English: the id as recorded)."""
    return name if is_english() or name not in FIELDS else _(FIELDS[name])


def value_word(name: str, text: str) -> str:
    """A recorded value ('announced', 'none', '60%', '2025-01-19') as it reads."""
    if text == "none":
        return _("none")
    return status_word(text) if name == "status" else text


def change_detail(name: str, detail: str) -> str:
    """The change log's 'old → new' (or 'first seen (announced, 60%)') of field `name`."""
    if is_english():
        return detail
    if name == "first_seen":
        return re.sub(_FIRST_SEEN_STATUS, lambda m: f"({status_word(m[1])}, ", detail, count=1)
    old, arrow, new = detail.partition(ARROW)
    if not arrow or name not in FIELDS:
        return detail
    return f"{value_word(name, old)}{ARROW}{value_word(name, new)}"


def change_line(line: str) -> str:
    """'status announced → confirmed' as the Monitor writes it, in the active language; a line
    of another shape as it is."""
    if is_english():
        return line
    name, _space, rest = line.partition(" ")
    if name not in FIELDS or ARROW not in rest:
        return line
    return f"{field_word(name)} {change_detail(name, rest)}"


def summary_line(entry: Mapping[str, Any]) -> str:
    """One change `check -v` lists (an entry of `change_summaries`), in the active language.

    English: the store's `summary` as it is (the JSON keeps it too). Otherwise it is rebuilt from
    the entry's fields, since the summary is English prose that cannot be translated whole.
    """
    summary = clean(entry.get("summary", ""))
    if is_english():
        return summary
    eid = clean(entry.get("event_id", ""))
    change = str(entry.get("change", ""))
    if change == "first_seen":
        return _first_seen_line(eid, entry)
    if change not in FIELDS:
        return summary
    old, new = fmt_value(change, entry.get("old")), fmt_value(change, entry.get("new"))
    line = f"{field_word(change)} {value_word(change, old)}{ARROW}{value_word(change, new)}"
    return _("{event}: {change}").format(event=eid, change=line)


def _first_seen_line(eid: str, entry: Mapping[str, Any]) -> str:
    """'us-x: <title> (first seen, confirmed, 100%)': the title as the bundled data reads."""
    title = clean(data(str(entry.get("title") or eid)))
    new = entry.get("new")
    if not isinstance(new, Mapping):
        return _("new event {id}: {title}").format(id=eid, title=title)
    status = value_word("status", fmt_value("status", new.get("status")))
    chance = fmt_value("probability", new.get("probability"))
    return _("new event {id}: {title} ({status}, {chance})").format(id=eid, title=title, status=status, chance=chance)
