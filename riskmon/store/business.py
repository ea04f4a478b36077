"""History per business: which business each snapshot and event-log entry came from.

One history file may hold several businesses (a second config with `--config`, an agency's
sellers): their series must not mix in a chart, and an event seen by one is not news to the
other. The business is its name in exposure.toml (`[business] name`), what `riskmon history`
shows; records refer to it by its index in the meta document's `businesses` list (`b`), so a
year of snapshots does not repeat the name 100,000 times. Records written before riskmon kept
businesses apart carry no `b`: they belong to every business (nothing tells whose they were).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

BUSINESSES = "businesses"
"""The meta document's list of business names; a record's `b` is an index into it."""


def index_of(meta: dict[str, Any], name: str | None) -> int | None:
    """The index of business `name`, added to the meta document if new (None: no business)."""
    if not name:
        return None
    names: list[str] = meta.setdefault(BUSINESSES, [])
    if name not in names:
        names.append(name)
    return names.index(name)


def known_index(meta: Mapping[str, Any], name: str | None) -> int | None:
    """The index of business `name` for a read; -1 when the file has never seen it."""
    if name is None:
        return None
    names = meta.get(BUSINESSES) or []
    return names.index(name) if name in names else -1


def belongs(rec: Mapping[str, Any], index: int | None) -> bool:
    """Whether a record is the business's (index None: any business; no `b`: everyone's)."""
    return index is None or "b" not in rec or rec.get("b") == index


def name_of(rec: Mapping[str, Any], names: Sequence[str]) -> str | None:
    b = rec.get("b")
    return names[b] if isinstance(b, int) and 0 <= b < len(names) else None


def state_key(event_id: str, index: int | None) -> str:
    """Where the last known state of an event is kept: per business (event ids cannot hold '/')."""
    return event_id if index is None else f"{index}/{event_id}"


def business_in(snap: Mapping[str, Any] | None, events: Sequence[Mapping[str, Any]]) -> str | None:
    """The business a write is for: the snapshot's, else the event records' (`event_records`)."""
    if snap is not None and snap.get("business"):
        return str(snap["business"])
    return next((str(e["business"]) for e in events if e.get("business")), None)
