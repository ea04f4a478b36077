"""The news review queue: draft events waiting for a seller's yes or no, one file per config dir.

Drafts come from `riskmon news add`, from the live monitor's RSS polling and from the dashboard,
possibly all at once, so the queue is a `LockedJSONFile` (riskmon.store.lockedjson): every change
is one transaction under an exclusive flock that reads the whole file, changes it and replaces it
atomically. Nothing is lost when several processes add at the same time, and a reader sees the old
file or the new one.

The file lives in the data dir, `<data>/news/<16 hex digits of the config dir's path hash>.json`,
so each config dir (each seller) has its own queue. Its tables (TinyDB's shape, so that jq and the
recovery of a corrupt file work as for history): `meta` (document 1: `version`, `config`, the
config dir it belongs to) and `entries`, one document per draft:

    {"id": "tiktok-link_cutoff-2024-08-31", "state": "pending" | "accepted" | "rejected",
     "added": ISO, "updated": ISO, "decided": ISO | null, "event": the event id written | null,
     "digests": [sha256 of each article text the draft was read from],
     "articles": [{"text", "url", "published", "digest"}],   (pending entries only)
     "draft": the Draft, every field (see `draft_to_doc`)}

Ids are given once, from the draft's own (platform, kind, date), made unique in the queue, and
never change: a later article about the same change is merged into the entry (core `merge`), which
keeps its id. A rejected entry is remembered: the same article again, or another one about the
same change that reports no more advanced status, adds nothing. An accepted entry is kept, marked,
with the id of the event it wrote. Bounded: at most MAX_PENDING pending entries (the least recently
updated go first), MAX_DECIDED decided ones, MAX_ARTICLES articles of at most ARTICLE_MAX_CHARS
characters per entry.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from riskmon.core.model import STATUS_RANK
from riskmon.core.news import Draft, merge, same_change
from riskmon.core.record import record, replace
from riskmon.errors import RiskmonError
from riskmon.store.draft_docs import _is_list, _iso, _Reader, draft_from_doc, draft_to_doc
from riskmon.store.lockedjson import CorruptFile, LockedJSONFile, Tables, Transaction

VERSION = 1
MAX_PENDING = 300
MAX_DECIDED = 1000
MAX_ARTICLES = 5
ARTICLE_MAX_CHARS = 20_000
MAX_DIGESTS = 50
LOCK_TIMEOUT = 10.0
STATES = ("pending", "accepted", "rejected")

NEW, MERGED, SEEN, REJECTED = "new", "merged", "seen", "rejected"
"""What adding a draft did: a new entry; merged into a pending one; that article was already
there; it is about a change the seller rejected."""

_OURS = re.compile(rb'^\s*\{\s*"(?:meta|entries)"\s*:\s*\{')


class QueueError(RiskmonError):
    """No such draft, or it was already decided: "nothing to do" (exit 1), not a failure."""


@record(slots=True)
class Article:
    """The text a draft was read from (inert: see `riskmon.core.news.text.mask`), cut to
    ARTICLE_MAX_CHARS; `digest` is of the whole text."""

    text: str
    url: str | None = None
    published: datetime | None = None
    digest: str = ""

    @staticmethod
    def of(text: str, url: str | None = None, published: datetime | None = None) -> Article:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        return Article(text[:ARTICLE_MAX_CHARS], url, published, digest)


@record(slots=True)
class Entry:
    id: str
    state: str
    draft: Draft
    added: datetime
    updated: datetime
    articles: tuple[Article, ...] = ()
    digests: tuple[str, ...] = ()
    decided: datetime | None = None
    event_id: str | None = None
    """For an accepted entry: the event it added or updated."""


@record(slots=True)
class Added:
    """One draft handed to `NewsQueue.add`: what became of it and the entry it is in."""

    draft: Draft
    outcome: str
    entry_id: str


def queue_path(config_dir: Path | str, data_dir: Path) -> Path:
    """The queue file of a config dir: one per directory, named by a hash of its real path."""
    try:
        real = os.path.realpath(Path(config_dir).expanduser())
    except OSError:
        real = str(Path(config_dir).expanduser().absolute())
    digest = hashlib.sha256(real.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return data_dir / "news" / f"{digest}.json"


def looks_like_queue(raw: bytes) -> bool:
    """Whether an unreadable file is recognisably a queue (so recovery may move it aside): it
    starts like one, or it was cut short before getting that far."""
    head = raw.lstrip()
    return bool(_OURS.match(raw)) or head in (b"", b"{") or b'{"meta":{'.startswith(head[:9])


class NewsQueue:
    """The review queue of one config dir. Every method is one locked transaction."""

    def __init__(self, config_dir: Path | str, data_dir: Path, *, lock_timeout: float = LOCK_TIMEOUT) -> None:
        self.config_dir = Path(config_dir).expanduser()
        self.path = queue_path(self.config_dir, data_dir)
        self._file = LockedJSONFile(
            self.path,
            what="news queue",
            check=self._decode,
            ours=looks_like_queue,
            lock_timeout=lock_timeout,
            logger="riskmon.store.news_queue",
            recovers="the next draft added (riskmon news add, an RSS poll)",
        )
        self._decoded: tuple[Tables, list[Entry]] | None = None

    def entries(self) -> list[Entry]:
        """Every entry, oldest first (a missing file is an empty queue)."""
        with self._open(write=False) as (_tx, entries):
            return entries

    def get(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries() if e.id == entry_id), None)

    def add(self, batch: Sequence[tuple[Sequence[Draft], Article]], now: datetime) -> list[Added]:
        """Queue the drafts of each article (see the module docstring for merging and what is
        remembered); one transaction for the whole batch."""
        with self._open(write=True) as (tx, entries):
            out = []
            for drafts, article in batch:
                for d in drafts:
                    outcome, entry_id = _add_one(entries, d, article, now)
                    out.append(Added(d, outcome, entry_id))
            if any(a.outcome in (NEW, MERGED) for a in out):
                self._save(tx, _bounded(entries))
            return out

    def decide(self, entry_id: str, state: str, now: datetime, event_id: str | None = None) -> Entry:
        """Mark a pending entry accepted or rejected; QueueError if it is not pending."""
        if state not in ("accepted", "rejected"):
            raise ValueError(f"not a decision: {state!r}")
        with self._open(write=True) as (tx, entries):
            i = _index(entries, entry_id)
            entry = entries[i]
            if entry.state != "pending":
                raise QueueError(already(entry))
            entries[i] = replace(entry, state=state, decided=now, updated=now, event_id=event_id, articles=())
            self._save(tx, _bounded(entries))
            return entries[i]

    def pending(self, entry_id: str) -> Entry:
        """The pending entry with this id; QueueError (naming the ids there are) otherwise."""
        entries = self.entries()
        entry = entries[_index(entries, entry_id)]
        if entry.state != "pending":
            raise QueueError(already(entry))
        return entry

    # -- the file ----------------------------------------------------------------------------

    @contextmanager
    def _open(self, write: bool) -> Iterator[tuple[Transaction, list[Entry]]]:
        with self._file.transaction(write) as tx:
            data = tx.read()
            decoded, self._decoded = self._decoded, None
            entries = list(decoded[1]) if decoded is not None and decoded[0] is data else _decode(data)
            yield tx, entries

    def _decode(self, data: Tables) -> None:
        """The `check` hook of the locked file: every entry must decode, else the file is not
        usable (a CorruptFile); the entries are kept for the transaction that reads them."""
        self._decoded = (data, _decode(data))

    def _save(self, tx: Transaction, entries: list[Entry]) -> None:
        meta = {"1": {"version": VERSION, "config": str(self.config_dir)}}
        tx.write({"meta": meta, "entries": {str(i): entry_to_doc(e) for i, e in enumerate(entries, 1)}})


def already(entry: Entry) -> str:
    from riskmon.i18n import _

    if entry.state == "accepted":
        if entry.event_id:
            return _("draft {id} was already accepted into event {event}").format(
                id=repr(entry.id), event=repr(entry.event_id)
            )
        return _("draft {id} was already accepted").format(id=repr(entry.id))
    return _("draft {id} was rejected; it stays rejected").format(id=repr(entry.id))


def _index(entries: list[Entry], entry_id: str) -> int:
    for i, e in enumerate(entries):
        if e.id == entry_id:
            return i
    from riskmon.errors import did_you_mean
    from riskmon.i18n import _

    pending = [e.id for e in entries if e.state == "pending"]
    hint = did_you_mean(entry_id, [e.id for e in entries]) or (
        "; "
        + (_("pending: {ids}").format(ids=", ".join(pending[:10])) if pending else _("the queue has no pending drafts"))
    )
    raise QueueError(_("no draft {id} in the news queue{hint}").format(id=repr(entry_id), hint=hint))


# ---------------------------------------------------------------------------------------------
# Adding


def _add_one(entries: list[Entry], d: Draft, article: Article, now: datetime) -> tuple[str, str]:
    for e in entries:
        if article.digest in e.digests and same_change(e.draft, d):
            return (REJECTED if e.state == "rejected" else SEEN), e.id
    for e in entries:
        if e.state == "rejected" and same_change(e.draft, d) and STATUS_RANK[d.status] <= STATUS_RANK[e.draft.status]:
            return REJECTED, e.id
    group = [i for i, e in enumerate(entries) if e.state == "pending" and same_change(e.draft, d)]
    if group:
        merged = merge([*(entries[i].draft for i in group), d])
        if len(merged) == 1:
            first = entries[group[0]]
            articles = [a for i in group for a in entries[i].articles]
            digests = [x for i in group for x in entries[i].digests]
            entries[group[0]] = replace(
                first,
                draft=replace(merged[0], id=first.id),
                updated=now,
                articles=_last(_unique_articles([*articles, article]), MAX_ARTICLES),
                digests=_last(tuple(dict.fromkeys([*digests, article.digest])), MAX_DIGESTS),
            )
            for i in reversed(group[1:]):
                del entries[i]
            return MERGED, first.id
    new_id = _unique_id(d.id, {e.id for e in entries})
    entries.append(Entry(new_id, "pending", replace(d, id=new_id), now, now, (article,), (article.digest,), None, None))
    return NEW, new_id


def _unique_articles(articles: list[Article]) -> tuple[Article, ...]:
    return tuple({a.digest: a for a in articles}.values())


def _last(items: tuple[Any, ...], n: int) -> tuple[Any, ...]:
    return items[-n:]


def _unique_id(base: str, taken: set[str]) -> str:
    new, n = base, 2
    while new in taken:
        new, n = f"{base}-{n}", n + 1
    return new


def _bounded(entries: list[Entry]) -> list[Entry]:
    """At most MAX_PENDING pending and MAX_DECIDED decided entries: the least recently updated
    of each go."""
    pending = sorted((e for e in entries if e.state == "pending"), key=lambda e: e.updated)
    decided = sorted((e for e in entries if e.state != "pending"), key=lambda e: e.updated)
    keep = {id(e) for e in pending[-MAX_PENDING:]} | {id(e) for e in decided[-MAX_DECIDED:]}
    return [e for e in entries if id(e) in keep]


def entry_to_doc(e: Entry) -> dict[str, Any]:
    return {
        "id": e.id,
        "state": e.state,
        "added": _iso(e.added),
        "updated": _iso(e.updated),
        "decided": _iso(e.decided),
        "event": e.event_id,
        "digests": list(e.digests),
        "articles": [
            {"text": a.text, "url": a.url, "published": _iso(a.published), "digest": a.digest} for a in e.articles
        ],
        "draft": draft_to_doc(e.draft),
    }


def _article(doc: Any, where: str) -> Article:
    r = _Reader(doc, where)
    url = r.get("url", lambda v: v is None or isinstance(v, str), "text or null", None)
    return Article(r.text("text"), url, r.time("published", None), r.text("digest", ""))


def entry_from_doc(doc: Any) -> Entry:
    r = _Reader(doc, "entry")
    entry_id = r.text("id")
    r.where = f"entry {entry_id[:80]!r}"
    added = r.time("added")
    assert added is not None
    articles = r.get("articles", _is_list, "a list", [])
    return Entry(
        id=entry_id,
        state=r.choice("state", STATES),
        draft=draft_from_doc(r.doc.get("draft"), entry_id, f"{r.where}: draft"),
        added=added,
        updated=r.time("updated", None) or added,
        articles=tuple(_article(a, f"{r.where}: articles") for a in articles),
        digests=r.texts("digests") if "digests" in r.doc else (),
        decided=r.time("decided", None),
        event_id=r.get("event", lambda v: v is None or isinstance(v, str), "text or null", None),
    )


def _decode(data: Tables | None) -> list[Entry]:
    """The entries of a parsed file, in order; CorruptFile when one does not decode."""
    data = data or {}
    unknown = set(data) - {"meta", "entries"}
    if unknown:
        raise CorruptFile(f"unknown table {sorted(unknown)[0]!r}")
    table = data.get("entries", {})
    return [entry_from_doc(table[k]) for k in sorted(table, key=int)]
