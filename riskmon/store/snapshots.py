"""An assessment in history's terms: the snapshot `HistoryStore` keeps, the event states it diffs,
and one-line summaries of what changed.

Used by `check` (history of cron'd checks), the Monitor (daemon and TUI) and the TUI's charts, so
that all of them write the same shape. Pure and light: on `check`'s cold-start path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from riskmon.core.hints import TYPE_CHECKING
from riskmon.textsafe import clean

if TYPE_CHECKING:
    from typing import Any

    from riskmon.core.engine import Assessment

EVENT_FIELDS = ("status", "probability", "effective", "ends")


def business_of(a: Assessment) -> str:
    """The business an assessment is of, as history names it (`HistoryStore.snapshots(business=)`)."""
    return clean(a.profile.business.name)


def snapshot_of(a: Assessment) -> dict[str, Any]:
    """The engine's numbers in the shape `HistoryStore.append_snapshot/record_check` takes,
    with the business they belong to: history keeps each business's series apart."""
    conc = a.concentration
    return {
        "at": a.now,
        "business": business_of(a),
        "level": a.level.name,
        "score": a.score,
        "runway_weeks": a.runway_weeks,
        "top_platform": conc.top_platform,
        "top_dependence": conc.top_dependence,
        "hhi": conc.hhi,
        "expected_loss": a.expected_loss,
        "events": {e.id: {"score": e.score, "expected_loss": e.expected_loss} for e in a.events},
    }


def event_records(a: Assessment) -> list[dict[str, Any]]:
    """The event states history diffs (`record_check`'s second argument): the status and
    probability in force at `now`, whether the event recurs (its dates roll on), and the
    business whose assessment it is (each business's event states are diffed apart)."""
    business = business_of(a)
    return [
        {
            "business": business,
            "id": e.id,
            "title": clean(e.event.title),
            "status": e.status,
            "probability": e.probability,
            "effective": e.effective,
            "ends": e.ends,
            "recurs": bool(e.event.recurs),
        }
        for e in a.events
    ]


def rolled(record: Mapping[str, Any], old: Mapping[str, Any], name: str) -> bool:
    """A recurring event's dates moving on to its next occurrence: not a change of the event.
    (Moving a recurring event's dates back, or a one-off event's at all, is one.)"""
    if name not in ("effective", "ends") or not record.get("recurs"):
        return False
    before, after = old.get("effective"), record.get("effective")
    if isinstance(before, datetime) and isinstance(after, datetime):
        return after > before
    return isinstance(before, str) and isinstance(after, str) and after > before


def changed_fields(record: Mapping[str, Any], old: Mapping[str, Any]) -> list[str]:
    """The tracked fields whose value differs, a recurring event's roll left out."""
    return [k for k in EVENT_FIELDS if old.get(k) != record.get(k) and not rolled(record, old, k)]


def fmt_value(name: str, value: Any) -> str:
    """A tracked field's value as the change log says it: 60%, 2025-01-19, none."""
    if value is None:
        return "none"
    if name == "probability" and isinstance(value, int | float):
        return f"{value:.0%}"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d}"
    text = clean(value)
    return text[:10] if name in ("effective", "ends") and len(text) >= 10 and text[4:5] == "-" else text


_fmt = fmt_value  # the old name, still imported by riskmon.tui.viewdata (being moved by another branch)


def diff_events(
    previous: Mapping[str, Mapping[str, Any]] | None, records: Iterable[Mapping[str, Any]]
) -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """(new ids, id -> change lines) between two `event_records` lists keyed by id.

    `previous` None (the first assessment) means nothing is new: there is nothing to compare with.
    """
    if previous is None:
        return frozenset(), {}
    new: set[str] = set()
    changed: dict[str, tuple[str, ...]] = {}
    for rec in records:
        eid = str(rec["id"])
        old = previous.get(eid)
        if old is None:
            new.add(eid)
            continue
        lines = tuple(f"{k} {fmt_value(k, old.get(k))} → {fmt_value(k, rec.get(k))}" for k in changed_fields(rec, old))
        if lines:
            changed[eid] = lines
    return frozenset(new), changed


def change_summaries(entries: Iterable[Mapping[str, Any]], *, first_run: bool = False) -> list[dict[str, Any]]:
    """History's event-log entries (what `record_check` returns) with a human `summary` each.

    On the first run against an empty history every event is "first seen"; that is not news, so
    those entries are left out then.
    """
    out: list[dict[str, Any]] = []
    for entry in entries:
        change = str(entry.get("change", ""))
        if change == "first_seen" and first_run:
            continue
        eid = clean(entry.get("event_id", ""))
        title = clean(entry.get("title") or eid)
        if change == "first_seen":
            new = entry.get("new")
            detail = ""
            if isinstance(new, Mapping):
                status, chance = (
                    fmt_value("status", new.get("status")),
                    fmt_value("probability", new.get("probability")),
                )
                detail = f" ({status}, {chance})"
            summary = f"new event {eid}: {title}{detail}"
        else:
            old, new_value = fmt_value(change, entry.get("old")), fmt_value(change, entry.get("new"))
            summary = f"{eid}: {change} {old} → {new_value}"
        at = entry.get("at")
        out.append(
            {
                "at": at.isoformat() if isinstance(at, datetime) else at,
                "event_id": entry.get("event_id"),
                "title": title,
                "change": change,
                "old": entry.get("old"),
                "new": entry.get("new"),
                "summary": summary,
            }
        )
    return out
