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

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinydb import Query, TinyDB

from riskmon.errors import RiskmonError
from riskmon.store.business import belongs, business_in, index_of, known_index, name_of
from riskmon.store.history_docs import DOWN, FULL, alert_doc, check_meta, log_entry
from riskmon.store.history_docs import SCHEMA as SCHEMA
from riskmon.store.history_docs import TABLES as TABLES
from riskmon.store.history_docs import looks_like_history as looks_like_history
from riskmon.store.history_docs import parse_since as parse_since
from riskmon.store.history_tables import (
    decode_by_business,
    diff_events,
    insert,
    read_meta,
    save_meta,
    steps_of,
    table_docs,
)
from riskmon.store.lockedjson import LockedJSONFile
from riskmon.store.records import decode_entry, decode_snapshot, encode_snapshot, stamp, summary, to_utc, with_counts
from riskmon.store.retention import Policy, is_canonical, iso, plan, prune_log

if TYPE_CHECKING:
    from riskmon.core.settings import HistorySettings

LOGGER = "riskmon.store.history"  # logging itself is imported only to warn: `check` starts cold


def _warn(msg: str, *args: object) -> None:
    import logging

    logging.getLogger(LOGGER).warning(msg, *args)


EVENT_LOG_KEEP = 5000  # newest event-log entries kept (on top of the max_days cut)
ALERTS_KEEP = 2000  # newest alerts kept (on top of the max_days cut)
# Compaction rewrites the downsampled table: every 4 hours of snapshot time is 1 append in 48 at
# 5-minute checks, so the appends that pay for it stay out of the p95.
COMPACT_EVERY = timedelta(hours=4)
LOCK_TIMEOUT = 10.0  # seconds


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
            check=check_meta,
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

    def _append(self, db: TinyDB, snap: Mapping[str, Any], meta: dict[str, Any]) -> None:
        rec = encode_snapshot(snap, meta["ids"])
        b = index_of(meta, snap.get("business"))
        if b is not None:
            rec["b"] = b
        insert(db, FULL, [rec])
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
        records = {(FULL, int(k)): v for k, v in table_docs(db, FULL).items()}
        records.update({(DOWN, int(k)): v for k, v in table_docs(db, DOWN).items()})
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
            insert(db, DOWN, moved)
        pruned = 0
        for name, keep in (("event_log", EVENT_LOG_KEEP), ("alerts", ALERTS_KEEP)):
            logged = {int(k): v for k, v in table_docs(db, name).items()}
            drop = prune_log(logged, oldest, keep)
            if drop:
                db.table(name).remove(doc_ids=drop)
                pruned += len(drop)
        states = meta["states"]
        for eid in [e for e, s in states.items() if str(s.get("seen", oldest)) < oldest]:
            del states[eid]
        meta["compacted"] = iso(now)
        return {"merged": todo.merged, "dropped": todo.dropped, "pruned": pruned}

    # -- snapshots ---------------------------------------------------------------------------

    def append_snapshot(self, snap: dict[str, Any]) -> None:
        with self._open(write=True) as db:
            meta = read_meta(db)
            self._append(db, snap, meta)
            save_meta(db, meta)

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
            meta = read_meta(db)
            self._append(db, snap, meta)
            entries = diff_events(db, at, events, meta, business_in(snap, events))
            save_meta(db, meta)
            steps = steps_of(db)
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
            raw = [*table_docs(db, DOWN).values(), *table_docs(db, FULL).values()]
            meta = read_meta(db)
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
        out, skipped = decode_by_business(picked, ids, events, meta["businesses"])
        if bad + skipped:
            _warn("history file %s: skipped %d unreadable snapshot(s)", self.path, bad + skipped)
        out.sort(key=lambda s: s["at"])
        return out

    def last_snapshot(self, business: str | None = None) -> dict[str, Any] | None:
        """The newest snapshot (of `business`, as in `snapshots`)."""
        with self._open(write=False) as db:
            raw = [*table_docs(db, DOWN).values(), *table_docs(db, FULL).values()]
            meta = read_meta(db)
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
            meta = read_meta(db)
            newest = meta.get("newest")
            if now is None and not is_canonical(newest):
                return {"merged": 0, "dropped": 0, "pruned": 0}
            when = to_utc(now) if now is not None else datetime.fromisoformat(str(newest))
            counts = self._compact(db, meta, when)
            save_meta(db, meta)
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
            meta = read_meta(db)
            entries = diff_events(db, when, events, meta, business_in(None, events))
            if entries or events:
                save_meta(db, meta)
        return entries

    def event_log(
        self, since: datetime | None = None, event_id: str | None = None, *, business: str | None = None
    ) -> list[dict[str, Any]]:
        """Event-log entries, oldest first (of `business`, as in `snapshots`), each with the
        name of its `business`."""
        start = None if since is None else stamp(since, "since")
        with self._open(write=False) as db:
            raw = list(table_docs(db, "event_log").values())
            meta = read_meta(db)
        b = known_index(meta, business)
        out = [
            log_entry(r, meta["businesses"])
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
            return steps_of(db)

    # -- alerts ------------------------------------------------------------------------------

    def record_alert(self, alert: dict[str, Any]) -> None:
        """{"at", "channel", "trigger", "key", "level", "ok", "error"}; only these keys are kept."""
        with self._open(write=True) as db:
            insert(db, "alerts", [alert_doc(alert)])

    def claim_alerts(
        self, channel: str, decide: Callable[[list[dict[str, Any]]], Sequence[Mapping[str, Any]]]
    ) -> list[int]:
        """Record alerts as sent on `channel` before they are sent, in the transaction that reads
        what was sent there, so that two processes never both send one piece of news.

        `decide` gets the channel's alerts that count as sent (`ok`, oldest first; a claim counts
        from the moment it is recorded) and returns the alerts to record, as for `record_alert`.
        Returns their ids: `settle_alerts` marks them failed if the delivery fails."""
        with self._open(write=True) as db:
            raw = table_docs(db, "alerts").values()
            mine = [r for r in raw if r.get("channel") == channel and r.get("ok") and is_canonical(r.get("at"))]
            told = sorted((decode_entry(r) for r in mine), key=lambda a: a["at"])
            docs = [alert_doc(a) for a in decide(told)]
            return insert(db, "alerts", docs) if docs else []

    def settle_alerts(self, ids: Sequence[int], *, ok: bool, error: str | None) -> None:
        """The delivery of claimed alerts (`claim_alerts`) ended: `ok`, or failed with `error`."""
        with self._open(write=True) as db:
            known = table_docs(db, "alerts")
            present = [i for i in ids if str(i) in known]  # cut by retention in between: nothing to mark
            if present:
                db.table("alerts").update({"ok": bool(ok), "error": error}, doc_ids=present)

    def alerts(self, since: datetime | None = None) -> list[dict[str, Any]]:
        start = None if since is None else stamp(since, "since")
        with self._open(write=False) as db:
            raw = list(table_docs(db, "alerts").values())
        out = [decode_entry(r) for r in raw if is_canonical(r.get("at")) and (start is None or r["at"] >= start)]
        out.sort(key=lambda a: a["at"])
        return out

    def last_alert(self, key: str, *, ok_only: bool = False) -> dict[str, Any] | None:
        """The most recent alert with this key (with ok_only, the most recent one that was sent
        successfully), for dedupe and renotify."""
        with self._open(write=False) as db:
            raw = list(table_docs(db, "alerts").values())
        best: Mapping[str, Any] | None = None
        for r in raw:  # insertion order: a later record wins a tie
            wanted = r.get("key") == key and is_canonical(r.get("at")) and (r.get("ok") or not ok_only)
            if wanted and (best is None or r["at"] >= best["at"]):
                best = r
        return None if best is None else decode_entry(best)
