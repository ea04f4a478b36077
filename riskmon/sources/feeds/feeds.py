"""Feeds: event catalogs and news from files and URLs, parsed, cached and merged.

Three kinds of feed, configured as `[[feeds]]` in riskmon.toml (see README, "Feeds"):
- `file`: a TOML or JSON events file (a local path, or an http(s) URL such as a team's catalog);
- `http`: a JSON document `{"events": [...]}` with the events.toml schema;
- `rss`: RSS/Atom items shown as headlines, tagged with platforms by configured keywords.
  Headlines are news, not events: they never enter the risk model.

A feed problem never raises: it becomes `FeedStatus.error` and the last good copy (cached under
the data dir) is used instead. Each event is validated on its own; an invalid one is skipped with
a reason and the rest of the feed still counts. Events from an untrusted feed are capped at
`rumored`. Fetching and the cache live in `feedfetch`.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

from riskmon.core.model import STATUS_RANK, Event
from riskmon.core.record import replace
from riskmon.core.settings import FeedSettings, parse_duration
from riskmon.i18n import _
from riskmon.sources.feeds.fetch import (
    CacheEntry,
    Expect,
    Fetched,
    FetchError,
    cache_path,
    env_headers,
    fetch,
    load_cache,
    save_cache,
    short,
)
from riskmon.sources.feeds.parsing import _parse
from riskmon.sources.feeds.parsing import cap_untrusted as cap_untrusted
from riskmon.sources.feeds.parsing import events_from_data as events_from_data
from riskmon.sources.feeds.parsing import parse_events_body as parse_events_body
from riskmon.sources.feeds.parsing import parse_headlines as parse_headlines
from riskmon.sources.feeds.results import MAX_HEADLINES as MAX_HEADLINES
from riskmon.sources.feeds.results import SUMMARY_MAX as SUMMARY_MAX
from riskmon.sources.feeds.results import Conflict as Conflict
from riskmon.sources.feeds.results import FeedResult as FeedResult
from riskmon.sources.feeds.results import FeedStatus as FeedStatus
from riskmon.sources.feeds.results import Headline as Headline
from riskmon.sources.feeds.results import ParseError as ParseError

log = logging.getLogger("riskmon.sources.feeds.feeds")
# A poll whose last attempt is younger than this share of `every` is served from the cache, so a
# cron'd `check` every 5 minutes does not hit a feed configured `every = "1h"` twelve times an hour.
FRESH_FRACTION = 0.9
CLOCK_SLACK = timedelta(minutes=5)
"""How far in the future a cached success may be dated (the clock stepped back) and still count."""


# ---------------------------------------------------------------------------------------------
# Polling


def _local_path(feed: FeedSettings, base_dir: Path | None) -> Path | None:
    """The local file of a file feed (path, or a file:// url); None if it is fetched over HTTP."""
    if feed.type != "file":
        return None
    if feed.path:
        where = Path(feed.path).expanduser()
    elif feed.url and feed.url.lower().startswith("file:"):
        where = Path(unquote(urlparse(feed.url).path))
    else:
        return None
    if not where.is_absolute() and base_dir is not None:
        where = Path(base_dir) / where
    return where


def _read_local(path: Path, max_bytes: int) -> bytes:
    from riskmon.userfile import read_bytes

    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FetchError(
                _("{name} is {size} bytes, more than max_bytes ({max_bytes})").format(
                    name=path.name, size=size, max_bytes=max_bytes
                )
            )
        return read_bytes(path, max_bytes)[0]  # a regular file only: a FIFO must not hang `check`
    except FileNotFoundError:
        raise FetchError(_("file not found: {path}").format(path=path)) from None
    except OSError as exc:
        raise FetchError(
            short(_("cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc))
        ) from None


def poll_feed(
    feed: FeedSettings,
    now: datetime,
    *,
    cache_dir: Path | None = None,
    base_dir: Path | None = None,
    offline: bool = False,
    deadline: float | None = None,
    force: bool = False,
    replay: bool = False,
) -> FeedResult:
    """Poll one feed at `now`; never raises for feed problems (they go into status.error).

    `now` is when the poll happens: the wall clock (a test's clock), never the instant a replay
    looks at. Fetch times in the cache and in the status are this time, and `stale` is judged
    against it. `deadline` is a `time.monotonic()` instant the poll must finish by. `offline`
    serves HTTP feeds from the cache only (local files are still read). Unless `force`, a feed
    whose last attempt is younger than 90% of its `every` is served from the cache as well.
    `replay` (a command run with --now) reads the cache and never writes it; having left no trace
    of its own, it always fetches (unless `offline`), so a feed failing now is reported failing.
    """
    try:
        return _poll(feed, now, cache_dir, base_dir, offline, deadline, force or replay, not replay)
    except Exception as exc:  # a bug must not take the whole check down with it
        log.exception("feed %s: unexpected error", feed.name)
        return _result(feed, now, None, None, error=short(f"internal error: {exc!r}"))


_Parsed = tuple[list[Event], list[Headline], list[str]]


def _result(
    feed: FeedSettings,
    now: datetime,
    entry: CacheEntry | None,
    parsed: _Parsed | None,
    *,
    error: str | None,
    source: str = "",
) -> FeedResult:
    """Build the result; with `parsed` None the data comes from `entry` (the cached copy)."""
    from_cache = False
    if parsed is None and entry is not None and entry.body is not None:
        try:
            parsed, from_cache = _parse(feed, entry.body, entry.content_type, source), True
        except (ParseError, FetchError) as exc:
            unusable = _("cached copy unusable: {reason}").format(reason=exc)
            error = f"{error}; {unusable}" if error else unusable
    elif parsed is None and error is None:
        error = _("no cached copy")
    events, headlines, skipped = parsed or ([], [], [])
    last = entry.last_success if entry else None
    # A success dated after the poll (a cache stamped by an older riskmon replaying the future)
    # proves nothing about now: stale, until a real success replaces it.
    age = now - last if last is not None else None
    stale = age is None or not -CLOCK_SLACK <= age <= timedelta(seconds=parse_duration(feed.max_age))
    status = FeedStatus(
        name=feed.name,
        type=feed.type,
        ok=error is None,
        stale=stale,
        last_success=last,
        error=error,
        events=len(events),
        skipped=skipped,
        required=feed.required,
        from_cache=from_cache,
        trust=feed.trust,
        headlines=len(headlines),
    )
    return FeedResult(status, tuple(events), tuple(headlines))


_EXPECT: dict[str, Expect] = {"rss": "feed", "http": "json", "file": "events"}


def _poll(
    feed: FeedSettings,
    now: datetime,
    cache_dir: Path | None,
    base_dir: Path | None,
    offline: bool,
    deadline: float | None,
    force: bool,
    save: bool,
) -> FeedResult:
    if cache_dir is None:
        from riskmon.paths import cache_dir as default_cache_dir

        cache_dir = default_cache_dir()
    local = _local_path(feed, base_dir)
    source = str(local) if local is not None else str(feed.url)
    where = cache_path(cache_dir, feed.name)
    cached = load_cache(where, source)

    if local is None:  # served from the cache without fetching: offline, or polled recently
        age = now - cached.last_attempt if cached and cached.last_attempt else None
        fresh = age is not None and timedelta(0) <= age < FRESH_FRACTION * timedelta(seconds=parse_duration(feed.every))
        if offline or (fresh and not force):
            error = cached.last_error if cached else _("offline and no cached copy")
            return _result(feed, now, cached, None, error=error, source=source)
    try:
        got = _fetch(feed, local, cached, deadline)
        if got.not_modified and cached is not None:  # 304: the cached copy is still current
            entry = replace(cached, last_success=now, last_attempt=now, last_error=None)
            _keep(where, entry, save)
            return _result(feed, now, entry, None, error=None, source=source)
        parsed = _parse(feed, got.body, got.content_type, source)
    except (FetchError, ParseError) as exc:
        error = str(exc)
        _keep(where, replace(cached or CacheEntry(source), last_attempt=now, last_error=error), save)
        log.info("feed %s: %s", feed.name, error)
        return _result(feed, now, cached, None, error=error, source=source)
    entry = CacheEntry(source, got.body, got.content_type, got.etag, got.last_modified, now, now)
    _keep(where, entry, save)
    return _result(feed, now, entry, parsed, error=None, source=source)


def _fetch(feed: FeedSettings, local: Path | None, cached: CacheEntry | None, deadline: float | None) -> Fetched:
    """The feed's body: the local file's, or fetched within what is left of the check's budget,
    conditionally (etag, last-modified) when there is a cached copy."""
    if local is not None:
        return Fetched(False, body=_read_local(local, feed.max_bytes))
    timeout = feed.timeout
    if deadline is not None:
        timeout = min(timeout, deadline - time.monotonic())
        if timeout <= 0.05:
            raise FetchError("no time left in the check's budget to fetch")
    has_copy = cached is not None and cached.body is not None
    return fetch(
        str(feed.url),
        timeout=timeout,
        max_bytes=feed.max_bytes,
        expect=_EXPECT[feed.type],
        headers=env_headers(feed.headers),
        etag=cached.etag if cached and has_copy else None,
        last_modified=cached.last_modified if cached and has_copy else None,
    )


def _keep(where: Path, entry: CacheEntry, save: bool) -> None:
    """Write the cache entry, unless this poll is a replay's: a replay leaves the cache as it was."""
    if save:
        save_cache(where, entry)


def poll_all(
    feeds: list[FeedSettings],
    now: datetime,
    *,
    cache_dir: Path | None = None,
    base_dir: Path | None = None,
    offline: bool = False,
    budget: float | None = None,
    force: bool = False,
    replay: bool = False,
) -> list[FeedResult]:
    """Poll every feed concurrently (daemon threads); the whole thing ends within `budget` s.

    Results are in the order of `feeds`. A feed that has not answered in time is served from its
    cache with an error saying so. `now` and `replay` as for `poll_feed`.
    """
    deadline = time.monotonic() + budget if budget is not None else None
    results: dict[int, FeedResult] = {}

    def work(i: int, feed: FeedSettings) -> None:
        results[i] = poll_feed(
            feed,
            now,
            cache_dir=cache_dir,
            base_dir=base_dir,
            offline=offline,
            deadline=deadline,
            force=force,
            replay=replay,
        )

    threads = [
        threading.Thread(target=work, args=(i, f), name=f"riskmon-feed-{f.name}", daemon=True)
        for i, f in enumerate(feeds)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(None if deadline is None else max(0.0, deadline + 0.3 - time.monotonic()))
    out = []
    for i, feed in enumerate(feeds):
        if i in results:
            out.append(results[i])
            continue
        late = poll_feed(feed, now, cache_dir=cache_dir, base_dir=base_dir, offline=True, replay=replay)
        error = _("not polled within the {seconds}s budget").format(seconds=f"{budget:g}")
        out.append(replace(late, status=replace(late.status, ok=False, error=error)))
    return out


# ---------------------------------------------------------------------------------------------
# Merging and the required-feed rule


def _beats(new: Event, old: Event, trusted: dict[str, bool]) -> tuple[bool, str]:
    """Does `new` (a later source) replace `old`? And why (for the conflict report)."""
    new_trust, old_trust = trusted.get(new.source, True), trusted.get(old.source, True)
    if new_trust != old_trust:
        return new_trust, "a trusted source wins over an untrusted one"
    if new.updated is not None and old.updated is not None and new.updated != old.updated:
        newer = new.updated > old.updated
        a, b = (new, old) if newer else (old, new)
        return newer, f"newer updated ({a.updated.isoformat()} > {b.updated.isoformat()})"  # type: ignore[union-attr]
    rank_new, rank_old = STATUS_RANK[new.status], STATUS_RANK[old.status]
    if rank_new != rank_old:
        a, b = (new, old) if rank_new > rank_old else (old, new)
        return rank_new > rank_old, f"more advanced status ({a.status} > {b.status})"
    return False, "same updated and status; the first source is kept"


def merge_events(catalog: list[Event], results: list[FeedResult]) -> tuple[list[Event], list[Conflict]]:
    """One event per id over the catalog and every feed; each disagreement is reported.

    The newest `updated` wins; if equal or missing on either side, the more advanced status
    (STATUS_RANK); on a tie the earlier source (the catalog first, then feeds in order). A trusted
    source always wins over an untrusted one. Copies that agree on everything are not conflicts.
    """
    trusted = {r.status.name: r.status.trust for r in results}
    trusted["catalog"] = True
    merged: dict[str, Event] = {}
    conflicts: list[Conflict] = []
    candidates = [*catalog, *(e for r in results for e in r.events)]
    for event in candidates:
        old = merged.get(event.id)
        if old is None:
            merged[event.id] = event
            continue
        if replace(old, source=event.source) == event:  # copies that agree on everything
            continue
        wins, reason = _beats(event, old, trusted)
        winner, loser = (event, old) if wins else (old, event)
        conflicts.append(Conflict(event.id, winner.source, loser.source, reason))
        merged[event.id] = winner
    return list(merged.values()), conflicts


def required_failure(statuses: list[FeedStatus]) -> str | None:
    """One line when a required feed is stale or was never fetched (check is then UNKNOWN)."""
    problems = []
    for s in statuses:
        if not s.required or not s.stale:
            continue
        why = f": {s.error}" if s.error else ""
        if s.last_success is None:
            problems.append(f"required feed {s.name!r} has never been fetched{why}")
        else:
            when = s.last_success.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
            problems.append(f"required feed {s.name!r} is stale (last success {when}){why}")
    if not problems:
        return None
    more = len(problems) - 1
    return problems[0] + (f" (and {more} more required feed{'s' if more > 1 else ''})" if more else "")
