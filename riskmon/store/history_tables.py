"""The history's tables inside one transaction (a TinyDB over the locked file): raw reads, the
meta document, inserts with ids counted on, the event log's diff and snapshots decoded per
business. Used by riskmon.store.history; every function runs inside its transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tinydb import TinyDB
from tinydb.table import Document

from riskmon.store.business import index_of, name_of, state_key
from riskmon.store.history_docs import SCHEMA, log_entry
from riskmon.store.records import EVENT_FIELDS, decode_entry, decode_snapshots, event_state
from riskmon.store.retention import is_canonical
from riskmon.store.snapshots import changed_fields


def table_docs(db: TinyDB, table: str) -> dict[str, dict[str, Any]]:
    """A table's stored documents, for scans that need no Document objects. Read only."""
    data = db.storage.read() or {}
    return data.get(table, {})


def read_meta(db: TinyDB) -> dict[str, Any]:
    """A copy of the meta document to change and save_meta (stored documents are never
    changed in place: see riskmon.store.lockedjson)."""
    doc = db.table("meta").get(doc_id=1)
    meta = dict(doc) if isinstance(doc, Mapping) else {}
    meta.setdefault("schema", SCHEMA)
    meta["ids"] = list(meta.get("ids", []))
    meta["businesses"] = [str(b) for b in meta.get("businesses", [])]
    meta["states"] = {k: dict(v) for k, v in meta.get("states", {}).items() if isinstance(v, Mapping)}
    return meta


def save_meta(db: TinyDB, meta: dict[str, Any]) -> None:
    db.table("meta").upsert(Document(meta, doc_id=1))


def insert(db: TinyDB, name: str, docs: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert with ids counted on from the last one: TinyDB would scan every id for the
    largest, on every insert, and ids only grow here. Returns the new documents' ids."""
    raw = table_docs(db, name)
    last = next(reversed(raw), "0")
    doc_id = int(last) + 1 if last.isdigit() else 1
    if any(str(doc_id + k) in raw for k in range(len(docs))):  # edited by hand
        doc_id = max(map(int, raw), default=0) + 1
    return db.table(name).insert_multiple(Document(doc, doc_id=doc_id + k) for k, doc in enumerate(docs))


def diff_events(
    db: TinyDB, at: str, events: Sequence[Mapping[str, Any]], meta: dict[str, Any], business: str | None
) -> list[dict[str, Any]]:
    """Log what changed since the business's last known state of each event (an event one
    business has seen is still news to another; a recurring event's roll is no change)."""
    states: dict[str, dict[str, Any]] = meta["states"]
    entries: list[dict[str, Any]] = []
    b = index_of(meta, business)
    whose = {} if b is None else {"b": b}

    def entry(eid: str, title: str, change: str, old: Any, new: Any) -> None:
        entries.append({"at": at, "event_id": eid, "title": title, "change": change, "old": old, "new": new, **whose})

    for ev in events:
        eid = str(ev["id"])
        new = event_state(ev)
        key = state_key(eid, b)
        old = states.get(key)
        if old is None:
            entry(eid, new["title"], "first_seen", None, {k: new[k] for k in EVENT_FIELDS})
        else:
            for k in changed_fields({**new, "recurs": ev.get("recurs")}, old):
                entry(eid, new["title"], k, old.get(k), new[k])
        seen = str((old or {}).get("seen", at))
        states[key] = {**new, "seen": max(at, seen) if is_canonical(seen) else at}
    if entries:
        insert(db, "event_log", entries)
    return [log_entry(e, meta["businesses"]) for e in entries]


def decode_by_business(
    recs: Sequence[Mapping[str, Any]], ids: Sequence[str], events: bool, names: Sequence[str]
) -> tuple[list[dict[str, Any]], int]:
    """decode_snapshots, each snapshot with the name of its business."""
    groups: dict[object, list[Mapping[str, Any]]] = {}
    for rec in recs:
        groups.setdefault(rec.get("b"), []).append(rec)
    out: list[dict[str, Any]] = []
    skipped = 0
    for group in groups.values():
        decoded, bad = decode_snapshots(group, ids, events)
        name = name_of(group[0], names)
        out.extend(decoded if name is None else ({**snap, "business": name} for snap in decoded))
        skipped += bad
    return out, skipped


def steps_of(db: TinyDB) -> dict[tuple[str, str], dict[str, Any]]:
    raw = list(table_docs(db, "steps").values())
    return {
        (str(r["event_id"]), str(r["step_id"])): decode_entry({"done": bool(r.get("done")), "at": r["at"]})
        for r in raw
        if "event_id" in r and "step_id" in r and is_canonical(r.get("at"))
    }
