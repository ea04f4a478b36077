"""History: snapshots, the event log, playbook step progress and alerts sent, in one TinyDB file.

Risk is a trend: a seller wants to see the score climb before a deadline and what changed since
yesterday. The TUI, a daemon and cron'd checks all write here at the same time, so every method
is one locked, atomic transaction (riskmon.store.lockedjson: flock, read, operate, temp file + fsync +
os.replace); an unreadable file is moved aside as `<name>.corrupt-<time>` and a fresh history
starts (`HistoryStore.recovered` names the moved files). Growth is bounded like a round-robin
database (riskmon.store.retention): full resolution for `full_days`, hourly to `hourly_days`, daily to
`max_days`, applied as part of append at most once per COMPACT_EVERY of snapshot time. The
compact stored form of a snapshot is in riskmon.store.records.

Tables: `snapshots` (full resolution, the newest `full_days`), `downsampled` (older snapshots, one
per hour or day: it changes only when compaction runs, so an append does not re-encode it),
`event_log` (`{"at", "event_id", "title", "change", "old", "new"}`), `steps`
(`{"event_id", "step_id", "done", "at"}`), `alerts` (`{"at", "channel", "trigger", "key",
"level", "ok", "error"}`) and `meta` (document 1: `schema`, `ids` — event ids that snapshots
index —, `states` — the last known state per event id, for diffing —, `newest` — the newest
snapshot time —, `compacted` — `newest` at the last compaction — and `businesses` — the names
of the businesses recorded, which snapshots and log entries refer to by index `b`: one file keeps
each business's series apart, see riskmon.store.business).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinydb import Query, TinyDB
from tinydb.table import Document

from riskmon.errors import RiskmonError
from riskmon.store.business import belongs, business_in, index_of, known_index, name_of, state_key
from riskmon.store.lockedjson import CorruptFile, LockedJSONFile, Tables
from riskmon.store.records import (
    EVENT_FIELDS,
    decode_entry,
    decode_snapshot,
    decode_snapshots,
    encode_snapshot,
    event_state,
    stamp,
    summary,
    to_utc,
    with_counts,
)
from riskmon.store.retention import Policy, is_canonical, iso, plan, prune_log
from riskmon.store.snapshots import changed_fields

if TYPE_CHECKING:
    from riskmon.core.settings import HistorySettings

LOGGER = "riskmon.store.history"  # logging itself is imported only to warn: `check` starts cold


def _warn(msg: str, *args: object) -> None:
    import logging

    logging.getLogger(LOGGER).warning(msg, *args)


SCHEMA = 1
EVENT_LOG_KEEP = 5000  # newest event-log entries kept (on top of the max_days cut)
ALERTS_KEEP = 2000  # newest alerts kept (on top of the max_days cut)
# Compaction rewrites the downsampled table: every 4 hours of snapshot time is 1 append in 48 at
# 5-minute checks, so the appends that pay for it stay out of the p95.
COMPACT_EVERY = timedelta(hours=4)
FULL, DOWN = "snapshots", "downsampled"  # full-resolution snapshots; merged / older ones
LOCK_TIMEOUT = 10.0  # seconds


TABLES = (FULL, DOWN, "event_log", "steps", "alerts", "meta")
# How every history riskmon writes begins (whitespace aside): a table of ours, then its documents
# object opening on a document id or closing empty. Plain TinyDB writes the same shape.
_OURS = re.compile(rb'\{"(?:' + b"|".join(t.encode() for t in TABLES) + rb')":\{(?:"\d|\}|$)')
_HEADS = tuple(b'{"' + t.encode() + b'":{' for t in TABLES)


def looks_like_history(raw: bytes) -> bool:
    """Whether an unparsable file is recognisably a riskmon history, so that recovery may move it
    aside: it starts like one (see _OURS), or it is cut short before getting that far (`{`,
    `{"snaps`). A TOML config, another program's JSON or random bytes are not."""
    head = re.sub(rb"\s+", b"", raw[:256])
    return bool(_OURS.match(head)) or (head != b"" and any(h.startswith(head) for h in _HEADS))


def _check(data: Tables) -> None:
    meta = data.get("meta", {}).get("1")
    if meta is None:
        return
    schema = meta.get("schema", SCHEMA)
    if (
        not isinstance(schema, int)
        or not isinstance(meta.get("ids", []), list)
        or not isinstance(meta.get("states", {}), dict)
        or not isinstance(meta.get("businesses", []), list)
    ):
        raise CorruptFile("its meta table is malformed")
    if schema > SCHEMA:
        raise RiskmonError(
            f"history file was written by a newer riskmon (schema {schema}; this one reads "
            f"{SCHEMA}): upgrade riskmon, or use --db to keep a separate history"
        )


_SINCE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def _alert_doc(alert: Mapping[str, Any]) -> dict[str, Any]:
    """An alert as stored: only the known keys, in canonical form."""
    error = alert.get("error")
    level = alert.get("level")
    return {
        "at": stamp(alert.get("at")),
        "channel": str(alert.get("channel") or ""),
        "trigger": str(alert.get("trigger") or ""),
        "key": str(alert.get("key") or ""),
        "level": None if level is None else str(getattr(level, "name", level)),
        "ok": bool(alert.get("ok", True)),
        "error": None if error is None else str(error),
    }


def _entry(rec: Mapping[str, Any], businesses: Sequence[str]) -> dict[str, Any]:
    """An event-log record as the API gives it: its `business` by name, not by index (no
    `business` when none was recorded)."""
    out = decode_entry(rec)
    out.pop("b", None)
    name = name_of(rec, businesses)
    if name is not None:
        out["business"] = name
    return out


def parse_since(text: str, now: datetime) -> datetime:
    """'30m', '12h', '7d', '2w' before `now`, or an ISO date (00:00 UTC) or date-time."""
    m = _SINCE.match(text or "")
    if m:
        return to_utc(now) - timedelta(seconds=float(m.group(1)) * _UNIT[m.group(2).lower()])
    try:
        return to_utc(text)
    except (ValueError, IndexError):
        raise ValueError(
            f"{text!r} is neither a duration (like 30m, 12h, 7d, 2w) nor an ISO date or date-time "
            "(like 2026-11-01 or 2026-11-01T09:30:00+00:00)"
        ) from None


class HistoryStore:
    """The history file. Every method is one locked open → operate → close, so an instance may
    be shared between threads and any number of processes may use the same file."""

    def __init__(
        self,
        path: Path,
        settings: HistorySettings | None = None,
        *,
        lock_timeout: float = LOCK_TIMEOUT,
    ) -> None:
        self.path = Path(path).expanduser()
        self.policy = Policy.from_settings(settings)
        self._file = LockedJSONFile(
            self.path,
            what="history file",
            check=_check,
            ours=looks_like_history,
            lock_timeout=lock_timeout,
            logger=LOGGER,
        )

    @property
    def recovered(self) -> list[Path]:
        """Unreadable files moved aside during this object's life (tell the user)."""
        return self._file.recovered

    @contextmanager
    def _open(self, write: bool) -> Iterator[TinyDB]:
        try:
            with self._file.transaction(write) as tx:
                yield TinyDB(storage=lambda: tx)
        except RiskmonError as exc:
            if str(self.path) in exc.message:
                raise
            raise RiskmonError(f"{self.path}: {exc.message}", exc.details) from None

    # -- inside a transaction ----------------------------------------------------------------

    @staticmethod
    def _raw(db: TinyDB, table: str) -> dict[str, dict[str, Any]]:
        """A table's stored documents, for scans that need no Document objects. Read only."""
        data = db.storage.read() or {}
        return data.get(table, {})

    @staticmethod
    def _meta(db: TinyDB) -> dict[str, Any]:
        """A copy of the meta document to change and _save_meta (stored documents are never
        changed in place: see riskmon.store.lockedjson)."""
        doc = db.table("meta").get(doc_id=1)
        meta = dict(doc) if isinstance(doc, Mapping) else {}
        meta.setdefault("schema", SCHEMA)
        meta["ids"] = list(meta.get("ids", []))
        meta["businesses"] = [str(b) for b in meta.get("businesses", [])]
        meta["states"] = {k: dict(v) for k, v in meta.get("states", {}).items() if isinstance(v, Mapping)}
        return meta

    @staticmethod
    def _save_meta(db: TinyDB, meta: dict[str, Any]) -> None:
        db.table("meta").upsert(Document(meta, doc_id=1))

    @staticmethod
    def _insert(db: TinyDB, name: str, docs: Sequence[Mapping[str, Any]]) -> list[int]:
        """Insert with ids counted on from the last one: TinyDB would scan every id for the
        largest, on every insert, and ids only grow here. Returns the new documents' ids."""
        raw = HistoryStore._raw(db, name)
        last = next(reversed(raw), "0")
        doc_id = int(last) + 1 if last.isdigit() else 1
        if any(str(doc_id + k) in raw for k in range(len(docs))):  # edited by hand
            doc_id = max(map(int, raw), default=0) + 1
        return db.table(name).insert_multiple(Document(doc, doc_id=doc_id + k) for k, doc in enumerate(docs))

    def _append(self, db: TinyDB, snap: Mapping[str, Any], meta: dict[str, Any]) -> None:
        rec = encode_snapshot(snap, meta["ids"])
        b = index_of(meta, snap.get("business"))
        if b is not None:
            rec["b"] = b
        self._insert(db, FULL, [rec])
        t: str = rec["t"]
        newest = meta.get("newest")
        if not is_canonical(newest) or t > newest:
            meta["newest"] = newest = t
        now = datetime.fromisoformat(newest)
        last = meta.get("compacted")
        # Compaction scans every record: do it once per COMPACT_EVERY of snapshot time, or at
        # once when a snapshot lands in the already downsampled past (a replay with --now).
        if (
            not is_canonical(last)
            or last > newest
            or t < self.policy.cuts(now)[0]
            or now - datetime.fromisoformat(last) >= COMPACT_EVERY
        ):
            self._compact(db, meta, now)

    def _compact(self, db: TinyDB, meta: dict[str, Any], now: datetime) -> dict[str, int]:
        """Apply the retention policy as of `now`: merge into the downsampled table whatever is
        older than full resolution, drop what is older than max_days, prune the logs."""
        cut_full, _, oldest = self.policy.cuts(now)
        records = {(FULL, int(k)): v for k, v in self._raw(db, FULL).items()}
        records.update({(DOWN, int(k)): v for k, v in self._raw(db, DOWN).items()})
        todo = plan(records, now, self.policy, summary)
        gone = set(todo.remove)
        moving = [
            key
            for key, rec in records.items()
            if key[0] == FULL and key not in gone and is_canonical(rec.get("t")) and rec["t"] < cut_full
        ]
        moved = []
        for key in moving:
            rec = dict(records[key])
            if key in todo.update:
                rec.update(with_counts(rec, *todo.update[key]))
            moved.append(rec)
        # Kept records are in distinct buckets, so their business and time tell them apart.
        fields = {
            (records[key].get("b"), records[key]["t"]): with_counts(records[key], *counts)
            for key, counts in todo.update.items()
            if key[0] == DOWN
        }
        drop_full = [key[1] for key in todo.remove if key[0] == FULL] + [key[1] for key in moving]
        drop_down = [key[1] for key in todo.remove if key[0] == DOWN]
        if drop_full:
            db.table(FULL).remove(doc_ids=drop_full)
        if fields:
            ids = [key[1] for key in todo.update if key[0] == DOWN]
            db.table(DOWN).update(lambda doc: doc.update(fields[(doc.get("b"), doc["t"])]), doc_ids=ids)
        if drop_down:
            db.table(DOWN).remove(doc_ids=drop_down)
        if moved:
            self._insert(db, DOWN, moved)
        pruned = 0
        for name, keep in (("event_log", EVENT_LOG_KEEP), ("alerts", ALERTS_KEEP)):
            logged = {int(k): v for k, v in self._raw(db, name).items()}
            drop = prune_log(logged, oldest, keep)
            if drop:
                db.table(name).remove(doc_ids=drop)
                pruned += len(drop)
        states = meta["states"]
        for eid in [e for e, s in states.items() if str(s.get("seen", oldest)) < oldest]:
            del states[eid]
        meta["compacted"] = iso(now)
        return {"merged": todo.merged, "dropped": todo.dropped, "pruned": pruned}

    @staticmethod
    def _diff(
        db: TinyDB, at: str, events: Sequence[Mapping[str, Any]], meta: dict[str, Any], business: str | None
    ) -> list[dict[str, Any]]:
        """Log what changed since the business's last known state of each event (an event one
        business has seen is still news to another; a recurring event's roll is no change)."""
        states: dict[str, dict[str, Any]] = meta["states"]
        entries: list[dict[str, Any]] = []
        b = index_of(meta, business)
        whose = {} if b is None else {"b": b}

        def entry(eid: str, title: str, change: str, old: Any, new: Any) -> None:
            entries.append(
                {"at": at, "event_id": eid, "title": title, "change": change, "old": old, "new": new, **whose}
            )

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
            HistoryStore._insert(db, "event_log", entries)
        return [_entry(e, meta["businesses"]) for e in entries]

    # -- snapshots ---------------------------------------------------------------------------

    def append_snapshot(self, snap: dict[str, Any]) -> None:
        with self._open(write=True) as db:
            meta = self._meta(db)
            self._append(db, snap, meta)
            self._save_meta(db, meta)

    def record_check(self, snap: dict[str, Any], events: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """append_snapshot + record_events(snap["at"], events) in one transaction (one lock,
        one write). Returns the new event-log entries."""
        return self.record_check_with_steps(snap, events)[0]

    def record_check_with_steps(
        self, snap: dict[str, Any], events: Sequence[Mapping[str, Any]]
    ) -> tuple[list[dict[str, Any]], dict[tuple[str, str], dict[str, Any]]]:
        """`record_check`, plus the checklist as `steps()` gives it, under the same lock: what a
        cron'd `riskmon check` does, opening the file once."""
        at = stamp(snap.get("at"))
        with self._open(write=True) as db:
            meta = self._meta(db)
            self._append(db, snap, meta)
            entries = self._diff(db, at, events, meta, business_in(snap, events))
            self._save_meta(db, meta)
            steps = self._steps(db)
        return entries, steps

    def snapshots(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        events: bool = True,
        business: str | None = None,
    ) -> list[dict[str, Any]]:
        """Snapshots with since <= at <= until, oldest first (shape of append_snapshot's input,
        plus `samples`, `score_max`, `score_min`: how many snapshots a downsampled one stands
        for and the range of their scores; 1 and its own score for a full-resolution one).
        events=False leaves out the per-event numbers (no "events" key), which is most of the
        decoding: for charts of the overall score, level, runway or loss.

        `business` (its name): only that business's snapshots, and those recorded before history
        kept businesses apart. Each snapshot names its `business` (no key: none recorded)."""
        lo = None if since is None else stamp(since, "since")
        hi = None if until is None else stamp(until, "until")
        with self._open(write=False) as db:
            raw = [*self._raw(db, DOWN).values(), *self._raw(db, FULL).values()]
            meta = self._meta(db)
        ids, b = meta["ids"], known_index(meta, business)
        raw = [rec for rec in raw if belongs(rec, b)]
        picked = []
        bad = 0
        for rec in raw:
            t = rec.get("t")
            if not is_canonical(t):  # edited by hand: accept any ISO time
                try:
                    t = iso(to_utc(t))
                except (ValueError, TypeError, IndexError):
                    bad += 1
                    continue
                rec = {**rec, "t": t}
            if (lo is None or t >= lo) and (hi is None or t <= hi):
                picked.append(rec)
        out, skipped = self._decode_by_business(picked, ids, events, meta["businesses"])
        if bad + skipped:
            _warn("history file %s: skipped %d unreadable snapshot(s)", self.path, bad + skipped)
        out.sort(key=lambda s: s["at"])
        return out

    @staticmethod
    def _decode_by_business(
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

    def last_snapshot(self, business: str | None = None) -> dict[str, Any] | None:
        """The newest snapshot (of `business`, as in `snapshots`)."""
        with self._open(write=False) as db:
            raw = [*self._raw(db, DOWN).values(), *self._raw(db, FULL).values()]
            meta = self._meta(db)
        b = known_index(meta, business)
        timed = [r for r in raw if is_canonical(r.get("t")) and belongs(r, b)]
        for rec in sorted(timed, key=lambda r: r["t"], reverse=True):
            try:
                snap = decode_snapshot(rec, meta["ids"])
                name = name_of(rec, meta["businesses"])
                return snap if name is None else {**snap, "business": name}
            except (ValueError, TypeError, KeyError, AttributeError, IndexError):
                continue
        return None

    def compact(self, now: datetime | None = None) -> dict[str, int]:
        """Apply the retention policy now (append does it at most once per hour of snapshot
        time). `now` defaults to the newest snapshot. Returns counts: merged, dropped, pruned."""
        with self._open(write=True) as db:
            meta = self._meta(db)
            newest = meta.get("newest")
            if now is None and not is_canonical(newest):
                return {"merged": 0, "dropped": 0, "pruned": 0}
            when = to_utc(now) if now is not None else datetime.fromisoformat(str(newest))
            counts = self._compact(db, meta, when)
            self._save_meta(db, meta)
        return counts

    # -- event log ---------------------------------------------------------------------------

    def record_events(self, at: datetime, events: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Compare `events` (each {"id", "title", "status", "probability", "effective", "ends"})
        with the last known state per id and log one entry per change: "first_seen" (old None,
        new {"status", "probability", "effective", "ends"}), or "status", "probability",
        "effective", "ends" with old and new values (times as ISO strings). Returns the new
        entries. Events missing from `events` are not "removed": a feed may be down."""
        when = stamp(at)
        with self._open(write=True) as db:
            meta = self._meta(db)
            entries = self._diff(db, when, events, meta, business_in(None, events))
            if entries or events:
                self._save_meta(db, meta)
        return entries

    def event_log(
        self, since: datetime | None = None, event_id: str | None = None, *, business: str | None = None
    ) -> list[dict[str, Any]]:
        """Event-log entries, oldest first (of `business`, as in `snapshots`), each with the
        name of its `business`."""
        start = None if since is None else stamp(since, "since")
        with self._open(write=False) as db:
            raw = list(self._raw(db, "event_log").values())
            meta = self._meta(db)
        b = known_index(meta, business)
        out = [
            _entry(r, meta["businesses"])
            for r in raw
            if is_canonical(r.get("at"))
            and (start is None or r["at"] >= start)
            and (event_id is None or r.get("event_id") == event_id)
            and belongs(r, b)
        ]
        out.sort(key=lambda e: e["at"])  # stable: insertion order within one check
        return out

    # -- playbook steps ----------------------------------------------------------------------

    def set_step(self, event_id: str, step_id: str, done: bool, at: datetime) -> None:
        doc = {"event_id": str(event_id), "step_id": str(step_id), "done": bool(done), "at": stamp(at)}
        q = Query()
        with self._open(write=True) as db:
            db.table("steps").upsert(doc, (q.event_id == doc["event_id"]) & (q.step_id == doc["step_id"]))

    def steps(self) -> dict[tuple[str, str], dict[str, Any]]:
        """(event_id, step_id) -> {"done": bool, "at": when it was last ticked or unticked}."""
        with self._open(write=False) as db:
            return self._steps(db)

    @classmethod
    def _steps(cls, db: TinyDB) -> dict[tuple[str, str], dict[str, Any]]:
        raw = list(cls._raw(db, "steps").values())
        return {
            (str(r["event_id"]), str(r["step_id"])): decode_entry({"done": bool(r.get("done")), "at": r["at"]})
            for r in raw
            if "event_id" in r and "step_id" in r and is_canonical(r.get("at"))
        }

    # -- alerts ------------------------------------------------------------------------------

    def record_alert(self, alert: dict[str, Any]) -> None:
        """{"at", "channel", "trigger", "key", "level", "ok", "error"}; only these keys are kept."""
        with self._open(write=True) as db:
            self._insert(db, "alerts", [_alert_doc(alert)])

    def claim_alerts(
        self, channel: str, decide: Callable[[list[dict[str, Any]]], Sequence[Mapping[str, Any]]]
    ) -> list[int]:
        """Record alerts as sent on `channel` before they are sent, in the transaction that reads
        what was sent there, so that two processes never both send one piece of news.

        `decide` gets the channel's alerts that count as sent (`ok`, oldest first; a claim counts
        from the moment it is recorded) and returns the alerts to record, as for `record_alert`.
        Returns their ids: `settle_alerts` marks them failed if the delivery fails."""
        with self._open(write=True) as db:
            raw = self._raw(db, "alerts").values()
            mine = [r for r in raw if r.get("channel") == channel and r.get("ok") and is_canonical(r.get("at"))]
            told = sorted((decode_entry(r) for r in mine), key=lambda a: a["at"])
            docs = [_alert_doc(a) for a in decide(told)]
            return self._insert(db, "alerts", docs) if docs else []

    def settle_alerts(self, ids: Sequence[int], *, ok: bool, error: str | None) -> None:
        """The delivery of claimed alerts (`claim_alerts`) ended: `ok`, or failed with `error`."""
        with self._open(write=True) as db:
            known = self._raw(db, "alerts")
            present = [i for i in ids if str(i) in known]  # cut by retention in between: nothing to mark
            if present:
                db.table("alerts").update({"ok": bool(ok), "error": error}, doc_ids=present)

    def alerts(self, since: datetime | None = None) -> list[dict[str, Any]]:
        start = None if since is None else stamp(since, "since")
        with self._open(write=False) as db:
            raw = list(self._raw(db, "alerts").values())
        out = [decode_entry(r) for r in raw if is_canonical(r.get("at")) and (start is None or r["at"] >= start)]
        out.sort(key=lambda a: a["at"])
        return out

    def last_alert(self, key: str, *, ok_only: bool = False) -> dict[str, Any] | None:
        """The most recent alert with this key (with ok_only, the most recent one that was sent
        successfully), for dedupe and renotify."""
        with self._open(write=False) as db:
            raw = list(self._raw(db, "alerts").values())
        best: Mapping[str, Any] | None = None
        for r in raw:  # insertion order: a later record wins a tie
            wanted = r.get("key") == key and is_canonical(r.get("at")) and (r.get("ok") or not ok_only)
            if wanted and (best is None or r["at"] >= best["at"]):
                best = r
        return None if best is None else decode_entry(best)
