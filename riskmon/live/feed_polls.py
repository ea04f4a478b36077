"""Feed polling state: each feed's latest result, one poll at a time per feed, and priming.

A poll whose result differs from the previous one (or a feed's first since start) asks the
monitor for a reassess. The monitor is *primed* once every feed has been polled since start (or
a minute has passed, see the monitor's tick): until then its outputs stay off, so a cold cache is
never mistaken for a change.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from riskmon.core.settings import FeedSettings
from riskmon.i18n import _
from riskmon.live.threads import in_thread
from riskmon.sources.config.load import Config
from riskmon.sources.feeds.feeds import FeedResult, poll_feed


class _Feeds(Protocol):
    @property
    def feeds(self) -> Sequence[FeedSettings]: ...


class FeedSource(Protocol):
    """Where feeds are configured: a `Config` (its riskmon.toml), or a fleet's shared feeds."""

    @property
    def path(self) -> Path:
        """The directory relative feed paths start from."""
        ...

    @property
    def settings(self) -> _Feeds: ...


# The monitor's logger: these lines have always been the monitor's, and logs are filtered by it.
log = logging.getLogger("riskmon.live.monitor")


def _feed_state(r: FeedResult) -> tuple[Any, ...]:
    s = r.status
    return (s.ok, s.stale, s.error, tuple(s.skipped), s.trust, r.events, r.headlines)


def log_poll(old: FeedResult | None, new: FeedResult) -> None:
    """A feed's change of state at INFO/WARNING (a feed that stays ok only at DEBUG)."""
    s = new.status
    was_ok = old is not None and old.status.ok
    if s.ok:
        how = _("from its fresh cached copy") if s.from_cache else _("fetched")
        if not was_ok:
            said = _("feed {name}: ok ({how}), {events} event(s), {headlines} headline(s)")
            log.info(said.format(name=s.name, how=how, events=s.events, headlines=s.headlines))
        else:
            log.debug("feed %s: ok (%s), %d event(s)", s.name, how, s.events)
        return
    if old is None or old.status.error != s.error or was_ok:
        when = s.last_success.strftime("%Y-%m-%d %H:%M UTC") if s.last_success else None
        using = _("using the copy from {when}").format(when=when) if when else _("no copy to fall back on")
        log.warning(_("feed {name}: {error} ({using})").format(name=s.name, error=s.error, using=using))


class FeedPolls:
    """The configured feeds and their latest results."""

    def __init__(
        self,
        *,
        cache_dir: Path | None,
        offline: bool,
        replay: bool,
        clock: Callable[[], datetime],
        stopped: Callable[[], bool],
        spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]] | None = None,
    ) -> None:
        self.cache_dir = cache_dir
        self.offline = offline
        self.replay = replay
        self.clock = clock
        """When a feed is polled (the wall clock in a replay)."""
        self.stopped = stopped
        self.spawn = spawn or asyncio.ensure_future
        """Starts background work the owner drains when it stops (the news intake)."""
        self.feeds: dict[str, FeedSettings] = {}
        self.results: dict[str, FeedResult] = {}
        self.primed = False
        self._config: FeedSource | None = None
        self._awaiting: set[str] = set()
        self._polled: set[str] = set()
        """Feeds polled for real since they were configured (not only read from the cache)."""
        self._locks: dict[str, asyncio.Lock] = {}

    def replace(self, cfg: FeedSource) -> tuple[list[str], list[FeedSettings]]:
        """Take the feeds of a new config; returns the names of those gone or changed (their
        results dropped) and the feeds new or changed (to load and schedule)."""
        old, new = self.feeds, {f.name: f for f in cfg.settings.feeds}
        self._config, self.feeds = cfg, new
        gone = [name for name, feed in old.items() if new.get(name) != feed]
        for name in gone:
            self.results.pop(name, None)
            self._awaiting.discard(name)
            self._polled.discard(name)
        return gone, [f for name, f in new.items() if old.get(name) != f]

    async def load_cached(self, cfg: FeedSource, added: list[FeedSettings]) -> None:
        """The last good copies of `added`, so that the first assessment has every feed's events;
        until primed, each is awaited (polled for real) before outputs start."""
        cached = await in_thread(self._cached, cfg, added, self.clock())
        for feed, result in zip(added, cached, strict=True):
            if self.feeds.get(feed.name) == feed:
                self.results.setdefault(feed.name, result)
        if not self.primed:
            self._awaiting.update(f.name for f in added)

    def _cached(self, cfg: FeedSource, feeds: list[FeedSettings], now: datetime) -> list[FeedResult]:
        return [
            poll_feed(f, now, cache_dir=self.cache_dir, base_dir=cfg.path, offline=True, replay=self.replay)
            for f in feeds
        ]

    def prime(self, why: str) -> None:
        """Outputs on from now: every feed was polled, or the monitor waited long enough."""
        if not self.primed:
            self.primed = True
            self._awaiting.clear()
            log.debug("primed (%s): history, textfile and alerts active", why)

    def prime_if_nothing_awaited(self, why: str) -> None:
        if not self.primed and not self._awaiting:
            self.prime(why)

    async def poll(self, name: str, *, force: bool = False, wait: bool = False) -> bool:
        """Poll one feed (in a thread); True when its result changed. Never two at once per feed:
        with `wait` False a poll already under way makes this one a no-op."""
        lock = self._locks.setdefault(name, asyncio.Lock())
        if lock.locked() and not wait:
            return False
        async with lock:
            feed, cfg = self.feeds.get(name), self._config
            if feed is None or cfg is None or (self.stopped() and not wait):
                return False
            try:
                result = await in_thread(
                    poll_feed,
                    feed,
                    self.clock(),
                    cache_dir=self.cache_dir,
                    base_dir=cfg.path,
                    offline=self.offline,
                    force=force,
                    replay=self.replay,
                )
            except Exception:  # poll_feed turns feed trouble into status.error; this is a bug
                log.exception("feed %s: poll failed", name)
                return False
            if self.feeds.get(name) != feed:
                return False  # the config changed while we polled
            old = self.results.get(name)
            changed = self._took(name, result)
            self._intake(cfg, old, result)
            return changed

    def _intake(self, cfg: FeedSource, old: FeedResult | None, result: FeedResult) -> None:
        """New RSS items into the news review queue, in the background: building the news lexicon
        the first time takes a while, and a poll's answer must not wait for it. A fleet's shared
        feeds have no review queue of their own (a queue is a config directory's)."""
        from riskmon.live import news_intake

        if not isinstance(cfg, Config):
            return
        self.spawn(in_thread(news_intake.take_in, cfg.location, cfg, old, result, replay=self.replay))

    def _took(self, name: str, result: FeedResult) -> bool:
        old = self.results.get(name)
        self.results[name] = result
        # The copy read from the cache at start carries the same error as a first poll that fails
        # the same way: compared with it, a feed broken from the start would never be reported.
        reported = old if name in self._polled or result.status.ok else None
        self._polled.add(name)
        log_poll(reported, result)
        first = name in self._awaiting
        self._awaiting.discard(name)
        self.prime_if_nothing_awaited("every feed polled")
        return first or old is None or _feed_state(old) != _feed_state(result)
