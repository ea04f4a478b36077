"""What a feed poll gives: the headlines, the events, the feed's status (fresh, stale, failing) and
the conflicts found when feeds' events are merged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from riskmon.core.model import Event
from riskmon.core.record import record

MAX_HEADLINES = 100
SUMMARY_MAX = 4000


@record
class Headline:
    feed: str
    title: str
    link: str
    published: datetime | None
    platforms: tuple[str, ...]
    summary: str = ""
    """The item's description as one line of text (at most SUMMARY_MAX characters): what the news
    intake reads besides the title."""

    def to_json(self) -> dict[str, Any]:
        return {
            "feed": self.feed,
            "title": self.title,
            "link": self.link,
            "published": self.published.isoformat() if self.published else None,
            "platforms": list(self.platforms),
        }


@record
class FeedStatus:
    name: str
    type: str
    ok: bool
    """The latest attempt (or the one the cache records, when offline/fresh) succeeded."""
    stale: bool
    """No success within max_age of the poll (or never). Judged on the wall clock, like every feed
    time: during a replay (--now) it says how old the copy in hand is, not how old it was then."""
    last_success: datetime | None
    error: str | None
    events: int
    skipped: list[str]
    required: bool
    from_cache: bool
    """The events/headlines come from the cached copy, not from this poll."""
    trust: bool = True
    headlines: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "ok": self.ok,
            "stale": self.stale,
            "last_success": self.last_success.isoformat() if self.last_success else None,
            "error": self.error,
            "events": self.events,
            "headlines": self.headlines,
            "skipped": list(self.skipped),
            "required": self.required,
            "trust": self.trust,
            "from_cache": self.from_cache,
        }


@record
class FeedResult:
    status: FeedStatus
    events: tuple[Event, ...]
    headlines: tuple[Headline, ...]


@record
class Conflict:
    event_id: str
    winner: str
    loser: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {
            "event_id": self.event_id,
            "winner": self.winner,
            "loser": self.loser,
            "reason": self.reason,
        }


class ParseError(Exception):
    """The document as a whole is unusable (not JSON, no events list, not a feed)."""
