"""A draft event read from an article, and what it turns into: a core Event, an events.toml
entry, the JSON the review queue shows."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from riskmon.core.model import ANY, DEFAULT_PROBABILITY, Deadline, Event, Impact, TimelineEntry
from riskmon.core.record import field, fields, record, replace

if TYPE_CHECKING:
    from riskmon.core.news.match import Match

FIELDS = ("kind", "platforms", "regions", "effective", "ends", "deadlines", "status", "impact")
"""The fields a draft keeps evidence for."""
TITLE_MAX = 160


@record(slots=True)
class Evidence:
    """The sentence a field was read from: its text (inert: no escapes or control characters)
    and where it is in the article, [start, end) in characters of the text given to `extract`."""

    text: str
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


@record(slots=True)
class Draft:
    """A proposed event. Times are aware UTC datetimes; a date without a time of day is 00:00
    UTC. `effective_offset` and `ends_offset` are the UTC offsets the article gave with a time of
    day (None: a date alone), used to write the times back the way the article said them."""

    id: str
    kind: str
    platforms: tuple[str, ...]
    regions: tuple[str, ...]
    effective: datetime | None
    status: str
    probability: float
    confidence: float
    """How sure the extraction is (0..1): fields found in one sentence, a date, no hedging."""
    evidence: Mapping[str, Evidence] = field(default_factory=dict)
    title: str = ""
    summary: str = ""
    ends: datetime | None = None
    deadlines: tuple[Deadline, ...] = ()
    impact: Impact = field(default_factory=Impact)
    routes: tuple[str, ...] | None = None
    published: datetime | None = None
    sources: tuple[str, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    precision: str = "day"
    """Of `effective`: "time", "day", "approx" (end of a month...), or "none" (no date found)."""
    effective_offset: timedelta | None = None
    ends_offset: timedelta | None = None

    def to_json(self, match: Match | None = None) -> dict[str, Any]:
        """The review queue's view: exactly id, kind, platforms, regions, effective, ends,
        deadlines, status, probability, confidence, evidence (per field) and matches (the id of
        the existing event it would update, or None)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "platforms": list(self.platforms),
            "regions": list(self.regions),
            "effective": _iso(self.effective, self.effective_offset),
            "ends": _iso(self.ends, self.ends_offset),
            "deadlines": [{"date": _iso(d.date, None), "what": d.what} for d in self.deadlines],
            "status": self.status,
            "probability": self.probability,
            "confidence": self.confidence,
            "evidence": {k: v.to_json() for k, v in self.evidence.items()},
            "matches": match.event_id if match is not None else None,
        }

    def to_event(self, id: str | None = None) -> Event:
        """The core Event this draft proposes. Without a date in the article, `effective` is the
        publication date; with neither, ValueError."""
        effective = self.effective or self.published
        if effective is None:
            raise ValueError(f"draft {self.id}: no effective date in the article and no publication date")
        ends = self.ends if self.ends is not None and self.ends > effective else None
        return Event(
            id=id or self.id,
            title=self.title or f"{self.kind} on {', '.join(self.platforms)}",
            kind=self.kind,
            platforms=self.platforms,
            effective=effective,
            status=self.status,
            regions=self.regions,
            ends=ends,
            deadlines=self.deadlines,
            sources=self.sources,
            impact=self.impact,
            summary=self.summary,
            timeline=self.timeline if len(self.timeline) > 1 else (),
            routes=self.routes if self.kind == "duty_change" else None,
        )

    def to_toml(self, id: str | None = None) -> dict[str, Any]:
        """The events.toml entry (one [[events]] table) for this draft, ready for a TOML writer."""
        event = self.to_event(id)
        offset = self.effective_offset if self.effective is not None else None
        return event_mapping(event, offset, self.ends_offset if event.ends is not None else None)


def event_mapping(
    event: Event, effective_offset: timedelta | None = None, ends_offset: timedelta | None = None
) -> dict[str, Any]:
    """An Event as an events.toml table: keys in the documented order, defaults left out. A time
    with an offset is written in that offset; without, 00:00 UTC is written as a date."""
    out: dict[str, Any] = {"id": event.id, "title": event.title, "kind": event.kind}
    out["platforms"] = list(event.platforms)
    if event.regions != (ANY,):
        out["regions"] = list(event.regions)
    out["status"] = event.status
    if event.probability is not None and event.probability != DEFAULT_PROBABILITY[event.status]:
        out["probability"] = event.probability
    out["effective"] = toml_time(event.effective, effective_offset)
    if event.ends is not None:
        out["ends"] = toml_time(event.ends, ends_offset)
    if event.deadlines:
        out["deadlines"] = [{"date": toml_time(d.date), "what": d.what} for d in event.deadlines]
    if event.sources:
        out["sources"] = list(event.sources)
    if event.summary:
        out["summary"] = event.summary
    if event.timeline:
        out["timeline"] = [
            {"date": toml_time(t.date), "status": t.status}
            | ({"probability": t.probability} if t.probability is not None else {})
            for t in event.timeline
        ]
    if event.routes is not None:
        out["routes"] = list(event.routes)
    impact = {f.name: getattr(event.impact, f.name) for f in fields(Impact)}
    impact = {k: list(v) if isinstance(v, tuple) else v for k, v in impact.items() if v is not None}
    if impact:
        out["impact"] = impact
    return out


def toml_time(when: datetime, offset: timedelta | None = None) -> date | datetime:
    """The time in `offset` when one is given; else a date for 00:00 UTC (how events.toml reads
    a bare date) and a UTC time otherwise."""
    if offset is not None:
        return when.astimezone(timezone(offset))
    utc = when.astimezone(UTC)
    if utc.hour == utc.minute == utc.second == utc.microsecond == 0:
        return utc.date()
    return utc


def _iso(when: datetime | None, offset: timedelta | None) -> str | None:
    """ISO 8601 date-time, in the article's offset when it gave one, else in UTC."""
    if when is None:
        return None
    return when.astimezone(timezone(offset) if offset is not None else UTC).isoformat()


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(platforms: tuple[str, ...], kind: str, when: datetime | None, offset: timedelta | None = None) -> str:
    """An event id from platform, kind and date (the article's local date when it gave a time):
    tiktok-link-cutoff-2024-08-31."""
    platform = "all" if not platforms or platforms[0] == ANY else platforms[0]
    zone = timezone(offset) if offset is not None else UTC
    day = when.astimezone(zone).date().isoformat() if when is not None else "undated"
    return _SLUG.sub("-", f"{platform}-{kind}-{day}".lower()).strip("-")


def unique_ids(drafts: list[Draft]) -> list[Draft]:
    """Ids that differ: a repeated id gets the regions, then a number."""
    seen: set[str] = set()
    out = []
    for d in drafts:
        base = slug(d.platforms, d.kind, d.effective or d.published, d.effective_offset if d.effective else None)
        new = base
        if new in seen and d.regions != (ANY,):
            new = f"{base}-{'-'.join(r.lower() for r in d.regions[:3])}"
        n = 2
        while new in seen:
            new, n = f"{base}-{n}", n + 1
        seen.add(new)
        out.append(replace(d, id=new))
    return out
