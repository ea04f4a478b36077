"""News to draft events, end to end: articles in, drafts queued, a seller's accept or reject out.

The pieces: the extractor and matcher (riskmon.core.news), the lexicon and the catalog
(riskmon.sources.news), the queue (riskmon.store.news_queue) and the validated, comment-keeping
config edits (riskmon.sources.config.edit). `riskmon news`, the dashboard's News screen and the
live monitor's RSS intake all go through here, so they queue, match and write alike.

- `take_in`: each article's drafts, matched against the catalog. A draft about an event the
  catalog already has, that proposes no change to it, is not queued (`KNOWN`); the others go into
  the queue in one transaction (new, merged into a pending draft, or already seen / rejected).
- `propose`: what accepting a draft writes: a new `[[events]]` table, or for a draft that matches
  an event, the update (a timeline entry, a new effective date or end, deadlines and sources it
  does not have yet).
- `accept`: writes the proposal through the edit path (`add_event` / `apply_edits`), which
  validates the whole directory first and writes nothing when anything is wrong (a ConfigError
  listing every problem); only then is the draft marked accepted.
- `proposal_text` / `proposal_from_text`: the proposal as a small TOML document to edit first.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskmon.core.model import STATUSES, Deadline, Event, TimelineEntry
from riskmon.core.news import Draft, Match, extract, match
from riskmon.core.news.text import mask
from riskmon.core.record import field, record
from riskmon.errors import ConfigError, Problem, RiskmonError, reason_of
from riskmon.paths import ConfigLocation, user_data_dir
from riskmon.store.news_queue import Article, Entry, NewsQueue

if TYPE_CHECKING:
    from riskmon.core.news import Lexicon
    from riskmon.sources.config.edit import Edit

KNOWN = "known"
"""A draft the catalog already says: not queued."""
UPDATE_KEYS = ("event", "timeline", "effective", "ends", "deadlines", "sources")


def queue_of(location: ConfigLocation) -> NewsQueue:
    """The review queue of this config dir (in the data dir)."""
    return NewsQueue(location.path, user_data_dir())


def catalog(location: ConfigLocation) -> list[Event]:
    """The config dir's events, as the matcher reads them; ConfigError when the config is invalid."""
    from riskmon.sources.config.load import load_config
    from riskmon.sources.news import core_events

    return core_events(load_config(location).events)


# ---------------------------------------------------------------------------------------------
# Articles in


@record
class ArticleIn:
    text: str
    published: datetime | None = None
    url: str | None = None


@record
class Made:
    """A draft an article gave: its id is the queue entry's (its own when not queued), `match`
    the event it would update, `outcome` what the queue did (riskmon.store.news_queue) or KNOWN."""

    draft: Draft
    match: Match | None
    outcome: str


def take_in(
    location: ConfigLocation,
    articles: Sequence[ArticleIn],
    *,
    events: Sequence[Event],
    now: datetime,
    lang: str | None = None,
    lexicon: Lexicon | None = None,
) -> list[Made]:
    """Extract, match and queue: every draft of every article, in order."""
    if lexicon is None:
        from riskmon.sources.news import load_lexicon

        lexicon = load_lexicon(location.path)
    made: list[tuple[Draft, Match | None]] = []
    batch = []
    for a in articles:
        drafts = extract(a.text, published=a.published, url=a.url, lang=lang, lexicon=lexicon)
        found = [(d, match(d, events)) for d in drafts]
        made.extend(found)
        queued = [d for d, m in found if m is None or m.changes]
        if queued:
            # Kept inert and the same length (evidence offsets stay valid) for the review screen.
            batch.append((queued, Article.of(mask(a.text), a.url, a.published)))
    added = iter(queue_of(location).add(batch, now) if batch else [])
    out = []
    for d, m in made:
        if m is not None and not m.changes:
            out.append(Made(d, m, KNOWN))
            continue
        queued_as = next(added)
        out.append(Made(_with_id(d, queued_as.entry_id), m, queued_as.outcome))
    return out


def _with_id(d: Draft, new_id: str) -> Draft:
    from riskmon.core.record import replace

    return replace(d, id=new_id)


# ---------------------------------------------------------------------------------------------
# The queue for review


@record
class Review:
    """The queue with what each pending draft would update (`matches`); `error` says why the
    matches are unknown (an invalid config)."""

    entries: list[Entry]
    matches: dict[str, Match | None] = field(default_factory=dict)
    error: str | None = None


def review(location: ConfigLocation) -> Review:
    entries = queue_of(location).entries()
    try:
        events = catalog(location)
    except RiskmonError as exc:
        return Review(entries, {}, reason_of(exc))
    return Review(entries, {e.id: match(e.draft, events) for e in entries if e.state == "pending"})


def reject(location: ConfigLocation, entry_id: str, now: datetime) -> Entry:
    return queue_of(location).decide(entry_id, "rejected", now)


# ---------------------------------------------------------------------------------------------
# Accepting


@record
class Proposal:
    """What accepting a draft writes: `new_event` (an events.toml table) or an update of the
    event `event_id`."""

    event_id: str
    new_event: Mapping[str, Any] | None = None
    timeline: TimelineEntry | None = None
    effective: datetime | None = None
    ends: datetime | None = None
    deadlines: tuple[Deadline, ...] = ()
    sources: tuple[str, ...] = ()

    def edits(self) -> list[Edit]:
        """An update as config edits (empty for a new event, or an update that changes nothing)."""
        from riskmon.sources.config.edit import AppendEdit, TimelineEdit, event_edit

        if self.new_event is not None:
            return []
        out: list[Edit] = []
        if self.timeline is not None:
            t = self.timeline
            out.append(TimelineEdit(self.event_id, t.date, t.status, t.probability))
        if self.effective is not None:
            out.append(event_edit(self.event_id, "effective", self.effective))
        if self.ends is not None:
            out.append(event_edit(self.event_id, "ends", self.ends))
        out += [
            AppendEdit("events", self.event_id, "deadlines", {"date": d.date, "what": d.what}) for d in self.deadlines
        ]
        out += [AppendEdit("events", self.event_id, "sources", s) for s in self.sources]
        return out

    def lines(self) -> list[str]:
        """What it would write, for people."""
        if self.new_event is not None:
            return [f"add event {self.event_id!r} to events.toml"]
        t = self.timeline
        out = [f"timeline: {t.status} from {_day(t.date)}"] if t is not None else []
        out += [f"{name}: {_day(when)}" for name, when in (("effective", self.effective), ("ends", self.ends)) if when]
        out += [f"deadline {_day(d.date)}: {d.what}" for d in self.deadlines]
        out += [f"source: {s}" for s in self.sources]
        return out or ["nothing new: the event already says this"]


def _day(when: datetime) -> str:
    utc = when.astimezone(UTC)
    return utc.date().isoformat() if utc.time().isoformat() == "00:00:00" else utc.strftime("%Y-%m-%d %H:%M UTC")


def propose(draft: Draft, found: Match | None, events: Sequence[Event]) -> Proposal:
    """The new event a draft is, or the update it proposes to the event it matches."""
    if found is None:
        taken = {e.id for e in events}
        new_id, n = draft.id, 2
        while new_id in taken:
            new_id, n = f"{draft.id}-{n}", n + 1
        try:
            table = draft.to_toml(new_id)
        except ValueError as exc:
            raise ConfigError([Problem("news draft", None, draft.id, str(exc))]) from None
        return Proposal(new_id, new_event=table)
    event = next(e for e in events if e.id == found.event_id)
    return Proposal(
        found.event_id,
        timeline=found.timeline,
        effective=found.effective,
        ends=found.ends,
        deadlines=found.deadlines,
        sources=tuple(s for s in draft.sources if s not in event.sources),
    )


@record
class Accepted:
    entry: Entry
    proposal: Proposal
    path: Path | None
    """events.toml, or None when there was nothing to change."""


def proposal_for(location: ConfigLocation, entry_id: str) -> tuple[Entry, Proposal]:
    """The pending draft and what accepting it would write now (against the current catalog)."""
    entry = queue_of(location).pending(entry_id)
    events = catalog(location)
    return entry, propose(entry.draft, match(entry.draft, events), events)


def accept(location: ConfigLocation, entry_id: str, now: datetime, *, proposal: Proposal | None = None) -> Accepted:
    """Write the draft (or the edited `proposal`) into events.toml, then mark it accepted.
    ConfigError (every problem) and nothing written when the result would not be valid."""
    from riskmon.sources.config.edit import add_event, apply_edits, config_dir_of

    config_dir_of(location)  # the bundled demo is read-only: say so before anything else
    entry, proposed = proposal_for(location, entry_id)
    p = proposal or proposed
    path: Path | None = None
    if p.new_event is not None:
        path = add_event(location, p.new_event)
    elif p.edits():
        path = apply_edits(location, p.edits())[0]
    queue_of(location).decide(entry.id, "accepted", now, p.event_id)
    return Accepted(entry, p, path)


# ---------------------------------------------------------------------------------------------
# A proposal as text to edit


def proposal_text(entry: Entry, p: Proposal) -> str:
    """A TOML document of the proposal, with comments saying what it is and how to use it."""
    import tomlkit

    from riskmon.core.news.text import clean
    from riskmon.sources.config.edit import events_text, toml_value

    head = [
        f"# riskmon news: draft {clean(entry.id)}",
        f"# {clean(entry.draft.title)}" if entry.draft.title else "",
        *(f"# source: {clean(s)}" for s in entry.draft.sources[:5]),
    ]
    if p.new_event is not None:
        head.append("# Save and close to add this event to events.toml (checked first); empty the file to cancel.")
        return events_text([p.new_event], "\n".join(x for x in head if x) + "\n")
    head.append(f"# An update of the event {clean(p.event_id)!r} in events.toml: each key is one change")
    head.append("# (timeline: a new entry; deadlines, sources: added). Delete a key to leave that alone;")
    head.append("# empty the file to cancel.")
    doc = tomlkit.document()
    update = tomlkit.table()
    update.append("event", p.event_id)
    if p.timeline is not None:
        t = p.timeline
        entry_value = {"date": t.date, "status": t.status} | ({"probability": t.probability} if t.probability else {})
        update.append("timeline", toml_value(entry_value))
    for key, value in (("effective", p.effective), ("ends", p.ends)):
        if value is not None:
            update.append(key, toml_value(value))
    if p.deadlines:
        update.append("deadlines", toml_value([{"date": d.date, "what": d.what} for d in p.deadlines]))
    if p.sources:
        update.append("sources", toml_value(list(p.sources)))
    doc.append("update", update)
    return "\n".join(x for x in head if x) + "\n\n" + tomlkit.dumps(doc)


class Cancelled(RiskmonError):
    """The edited proposal was emptied: accept nothing."""


def proposal_from_text(text: str, name: str) -> Proposal:
    """An edited proposal back: `[[events]]` with one event, or `[update]`. ConfigError naming
    the line or key for anything that is not one; Cancelled for an empty document."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        from riskmon.sources.config.load import find_problems_in_text

        raise ConfigError(
            find_problems_in_text(name, text) or [Problem(name, None, "", f"invalid TOML: {exc}")]
        ) from None
    if not data:
        raise Cancelled("the draft was emptied: nothing accepted")
    extra = sorted(set(data) - {"events", "update"})
    if extra or len(data) != 1:
        what = f"unknown key {extra[0]!r}" if extra else "give either [[events]] or [update], not both"
        raise ConfigError([Problem(name, None, extra[0] if extra else "", what + "; expected [[events]] or [update]")])
    if "events" in data:
        events = data["events"]
        if not (isinstance(events, list) and len(events) == 1 and isinstance(events[0], dict)):
            raise ConfigError([Problem(name, None, "events", "give exactly one [[events]] table")])
        return Proposal(str(events[0].get("id", "")), new_event=events[0])
    return _update(data["update"], name)


def _update(table: Any, name: str) -> Proposal:
    problems: list[Problem] = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(name, None, f"update.{key}", message))

    if not isinstance(table, dict):
        raise ConfigError([Problem(name, None, "update", "must be a table")])
    for key in sorted(set(table) - set(UPDATE_KEYS)):
        bad(key, f"unknown key; expected one of {', '.join(UPDATE_KEYS)}")
    event_id = table.get("event")
    if not isinstance(event_id, str) or not event_id:
        bad("event", "the id of the event to update is required")
    timeline = _update_timeline(table, bad) if "timeline" in table else None
    dates = {}
    for key in ("effective", "ends"):
        if key in table:
            dates[key] = _when(table[key])
            if dates[key] is None:
                bad(key, "expected a date or date-time")
    deadlines = _update_deadlines(table, bad)
    sources = table.get("sources", [])
    if not (isinstance(sources, list) and all(isinstance(s, str) for s in sources)):
        bad("sources", "expected a list of text")
        sources = []
    if problems:
        raise ConfigError(problems)
    return Proposal(
        str(event_id),
        timeline=timeline,
        effective=dates.get("effective"),
        ends=dates.get("ends"),
        deadlines=tuple(deadlines),
        sources=tuple(sources),
    )


def _update_timeline(table: dict[str, Any], bad: Callable[[str, str], None]) -> TimelineEntry | None:
    """The update's new timeline entry, or None (reported through `bad`) when it is malformed."""
    t = table["timeline"]
    status = t.get("status") if isinstance(t, dict) else None
    when = _when(t.get("date") if isinstance(t, dict) else None)
    prob = t.get("probability") if isinstance(t, dict) else None
    if status not in STATUSES or when is None or not (prob is None or isinstance(prob, int | float)):
        bad("timeline", f"expected {{ date = ..., status = ... }} with a status among {', '.join(STATUSES)}")
        return None
    return TimelineEntry(when, str(status), None if prob is None else float(prob))


def _update_deadlines(table: dict[str, Any], bad: Callable[[str, str], None]) -> list[Deadline]:
    """The update's deadlines, up to the first malformed one (reported through `bad`)."""
    deadlines = []
    for d in table.get("deadlines", []) if isinstance(table.get("deadlines", []), list) else [None]:
        when = _when(d.get("date")) if isinstance(d, dict) else None
        what = d.get("what") if isinstance(d, dict) else None
        if when is None or not isinstance(what, str) or not what.strip():
            bad("deadlines", 'expected a list of { date = ..., what = "..." }')
            break
        deadlines.append(Deadline(when, what))
    return deadlines


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None
