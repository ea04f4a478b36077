"""Parsing a feed's body: an events document (JSON or TOML, validated like events.toml, untrusted text
capped) or an RSS/Atom feed's headlines.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from riskmon.core.model import DEFAULT_PROBABILITY, Event
from riskmon.core.record import replace
from riskmon.core.settings import FeedSettings
from riskmon.sources.feeds.fetch import (
    check_kind,
    short,
)
from riskmon.sources.feeds.results import (
    MAX_HEADLINES,
    SUMMARY_MAX,
    Headline,
    ParseError,
)
from riskmon.textsafe import clean

# ---------------------------------------------------------------------------------------------
# Parsing


def _loc(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _clean_raw(raw: dict[str, Any], name: str) -> dict[str, Any]:
    """Strip escapes/control characters from the free-text fields; set `source`."""
    out = dict(raw)
    for key in ("title", "summary"):
        if isinstance(out.get(key), str):
            out[key] = clean(out[key], single_line=(key == "title"))
    if isinstance(out.get("deadlines"), list):
        out["deadlines"] = [
            {**d, "what": clean(d["what"])} if isinstance(d, dict) and isinstance(d.get("what"), str) else d
            for d in out["deadlines"]
        ]
    if isinstance(out.get("sources"), list):
        out["sources"] = [clean(s) if isinstance(s, str) else s for s in out["sources"]]
    out["source"] = name
    return out


def _reason(error: Any) -> str:
    """One pydantic error as `field: message`; an integer too long to read says so."""
    from riskmon.docparse import DIGITS_KEY, digits_of_marker
    from riskmon.sources.config.problems import refine

    loc, msg = list(refine(tuple(error["loc"]), error)), str(error["msg"])  # a table's check: its field
    digits = digits_of_marker(error.get("input"))
    if loc and loc[-1] == DIGITS_KEY and isinstance(error.get("input"), int):
        loc, digits = loc[:-1], error["input"]
    if digits is not None:
        msg = f"a number of {digits} digits is too long"
    return f"{_loc(loc)}: {msg}" if loc else msg


_UNCAPPED = ("rumored", "resolved", "cancelled")


def cap_untrusted(event: Event) -> Event:
    """An untrusted source may report a rumour, nothing firmer: its status, and every status of
    its timeline, at most `rumored` (resolved and cancelled stand) and no probability above."""
    cap = DEFAULT_PROBABILITY["rumored"]

    def status(s: str) -> str:
        return s if s in _UNCAPPED else "rumored"

    def probability(p: float | None) -> float | None:
        return p if p is None or p <= cap else cap

    timeline = tuple(
        replace(t, status=status(t.status), probability=probability(t.probability)) for t in event.timeline
    )
    capped = replace(event, status=status(event.status), probability=probability(event.probability), timeline=timeline)
    return event if capped == event else capped


def events_from_data(feed: FeedSettings, data: object) -> tuple[list[Event], list[str]]:
    """Validate each event of a parsed `{"events": [...]}` document on its own."""
    from pydantic import ValidationError

    from riskmon.sources.config.schema import Event as EventModel
    from riskmon.sources.config.schema import to_core

    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise ParseError('expected a document with an "events" list, like events.toml')
    events: list[Event] = []
    skipped: list[str] = []
    first_at: dict[str, int] = {}
    for i, raw in enumerate(data["events"]):
        ident = raw.get("id") if isinstance(raw, dict) else None
        where = f"{feed.name}: event[{i}]" + (f" (id {short(ident, 60)!r})" if isinstance(ident, str) else " (no id)")
        if not isinstance(raw, dict):
            skipped.append(f"{where}: not a table/object")
            continue
        try:
            event = to_core(EventModel.model_validate(_clean_raw(raw, feed.name)))
        except ValidationError as exc:
            errors = exc.errors()
            parts = [_reason(e) for e in errors[:3]]
            more = f" (+{len(errors) - 3} more)" if len(errors) > 3 else ""
            skipped.append(short(f"{where}: {'; '.join(parts)}{more}", 500))
            continue
        if event.id in first_at:
            skipped.append(f"{where}: id used twice in this feed; event[{first_at[event.id]}] kept")
            continue
        first_at[event.id] = i
        events.append(event if feed.trust else cap_untrusted(event))
    return events, skipped


def _events_format(hint: str, content_type: str, body: bytes) -> str:
    hint = hint.lower().split("?", 1)[0]
    if hint.endswith(".toml"):
        return "toml"
    if hint.endswith(".json"):
        return "json"
    if "json" in content_type.lower():
        return "json"
    if "toml" in content_type.lower():
        return "toml"
    return "json" if body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else "toml"


def parse_events_body(
    feed: FeedSettings, body: bytes, content_type: str = "", hint: str = ""
) -> tuple[list[Event], list[str]]:
    fmt = "json" if feed.type == "http" else _events_format(hint, content_type, body)
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8 text (byte {exc.start})") from None
    if fmt == "json":
        from riskmon.docparse import json_loads

        try:
            data = json_loads(text)
        except json.JSONDecodeError as exc:
            raise ParseError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
        except RecursionError:
            raise ParseError("invalid JSON: nested too deeply") from None
    else:
        import tomllib

        from riskmon.docparse import toml_loads

        try:
            data = toml_loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ParseError(short(f"invalid TOML: {exc}")) from None
        except RecursionError:
            raise ParseError("invalid TOML: arrays or tables nested too deeply") from None
    return events_from_data(feed, data)


_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def _text(value: object) -> str:
    return clean(_TAG.sub(" ", value)) if isinstance(value, str) else ""


def _tagger(keywords: Mapping[str, Sequence[str]]) -> Callable[[str], tuple[str, ...]]:
    """Text -> the platforms whose keywords it holds, in the order the config lists them. Matched
    as the news lexicon matches names (riskmon.core.news.lexicon.PhraseMatcher): a CJK neighbour
    is a word boundary, so `TikTok外链关闭` is about TikTok; any case, plurals too."""
    from riskmon.core.news.lexicon import PhraseMatcher
    from riskmon.core.news.text import lower_same_length

    order = [p.strip().lower() for p in keywords]
    table: dict[str, tuple[str, ...]] = {}
    for platform, words in keywords.items():
        for word in (w.strip().lower() for w in words):  # lower: every keyword ignores case
            if word:
                table[word] = (*table.get(word, ()), platform.strip().lower())
    matcher = PhraseMatcher(table)

    def tags(text: str) -> tuple[str, ...]:
        found = {p for hit in matcher.find(text, lower_same_length(text)) for p in hit.value}
        return tuple(p for p in dict.fromkeys(order) if p in found)

    return tags


def parse_headlines(feed: FeedSettings, body: bytes, content_type: str = "") -> list[Headline]:
    """RSS/Atom items -> headlines, newest first, tagged with platforms by keyword."""
    import feedparser

    if b"<" not in body[:4096]:
        raise ParseError("not an RSS/Atom feed (no XML)")
    # Bytes, never str: feedparser treats a string as a URL or file name to open.
    parsed = feedparser.parse(body, response_headers={"content-type": content_type or "application/xml"})
    if not parsed.entries and not parsed.feed and parsed.get("bozo"):
        raise ParseError(short(f"not an RSS/Atom feed: {parsed.get('bozo_exception', 'unreadable')}"))
    if not parsed.get("version") and not parsed.entries:
        raise ParseError("not an RSS/Atom feed")
    tags = _tagger(feed.keywords)
    out: list[Headline] = []
    for entry in parsed.entries:
        title = _text(entry.get("title"))
        link = clean(entry.get("link") or "")
        if not link.lower().startswith(("http://", "https://")):
            link = ""
        if not title and not link:
            continue
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = datetime.fromtimestamp(calendar.timegm(stamp), UTC) if stamp else None
        summary = _text(entry.get("summary"))[:SUMMARY_MAX]
        out.append(Headline(feed.name, title or link, link, published, tags(f"{title} {summary}"), summary))
    out.sort(key=lambda h: h.published or datetime.min.replace(tzinfo=UTC), reverse=True)
    return out[:MAX_HEADLINES]


def _parse(
    feed: FeedSettings, body: bytes, content_type: str, hint: str
) -> tuple[list[Event], list[Headline], list[str]]:
    if feed.type == "rss":
        check_kind(body, content_type, "feed")
        return [], parse_headlines(feed, body, content_type), []
    check_kind(body, content_type, "json" if feed.type == "http" else "events")
    events, skipped = parse_events_body(feed, body, content_type, hint)
    return events, [], skipped
