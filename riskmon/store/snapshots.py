"""An assessment in history's terms: the snapshot `HistoryStore` keeps, the event states it diffs,
and one-line summaries of what changed.

Used by `check` (history of cron'd checks), the Monitor (daemon and TUI) and the TUI's charts, so
that all of them write the same shape. Pure and light: on `check`'s cold-start path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from riskmon.textsafe import clean

if TYPE_CHECKING:
    from riskmon.core.engine import Assessment

EVENT_FIELDS = ("status", "probability", "effective", "ends")


def snapshot_of(a: Assessment) -> dict[str, Any]:
    """The engine's numbers in the shape `HistoryStore.append_snapshot/record_check` takes."""
    conc = a.concentration
    return {
        "at": a.now,
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
    """The event states history diffs (`record_check`'s second argument)."""
    return [
        {
            "id": e.id,
            "title": clean(e.event.title),
            "status": e.event.status,
            "probability": e.probability,
            "effective": e.effective,
            "ends": e.ends,
        }
        for e in a.events
    ]


def _fmt(name: str, value: Any) -> str:
    if value is None:
        return "none"
    if name == "probability" and isinstance(value, int | float):
        return f"{value:.0%}"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d}"
    text = clean(value)
    return text[:10] if name in ("effective", "ends") and len(text) >= 10 and text[4:5] == "-" else text


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
        lines = tuple(
            f"{k} {_fmt(k, old.get(k))} → {_fmt(k, rec.get(k))}" for k in EVENT_FIELDS if old.get(k) != rec.get(k)
        )
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
                detail = f" ({_fmt('status', new.get('status'))}, {_fmt('probability', new.get('probability'))})"
            summary = f"new event {eid}: {title}{detail}"
        else:
            old, new_value = _fmt(change, entry.get("old")), _fmt(change, entry.get("new"))
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
