"""RSS items into the news review queue: the live monitor's hook after each feed poll.

Each RSS item the poll brought that the previous result of that feed did not have (all of them
on the first poll of a process) is read as an article — its title on the first line, its summary
after — dated by the item (else the poll's time), and its drafts are matched against the catalog
and queued (riskmon.usecases.news.take_in: the whole poll in one queue transaction). An item
added before is recognised by the queue (same text) and adds nothing, so restarts do not repeat
drafts; a change the seller rejected stays rejected.

Never in a replay (`--now`: nothing is recorded), never for other feed types, and never an
exception into the monitor: a failure (an unwritable data dir, a bad news.toml) is logged once per
distinct reason and the next poll tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from riskmon.i18n import _
from riskmon.paths import ConfigLocation
from riskmon.sources.config.load import Config
from riskmon.sources.feeds.feeds import FeedResult, Headline

log = logging.getLogger("riskmon.live.news_intake")
_last_error: dict[str, str] = {}


def new_items(old: FeedResult | None, new: FeedResult) -> list[Headline]:
    """The headlines of `new` that `old` (the feed's previous result) did not have."""
    seen = {(h.link, h.title, h.summary) for h in old.headlines} if old is not None else set()
    return [h for h in new.headlines if (h.link, h.title, h.summary) not in seen]


def take_in(
    location: ConfigLocation,
    config: Config | None,
    old: FeedResult | None,
    new: FeedResult,
    *,
    replay: bool,
    now: datetime | None = None,
) -> int:
    """Queue the drafts of the poll's new RSS items; the number of drafts queued or merged. Runs
    in a thread (extraction is CPU work); never raises."""
    if replay or new.status.type != "rss" or config is None:
        return 0
    items = new_items(old, new)
    if not items:
        return 0
    try:
        return _take_in(location, config, items, now or datetime.now(UTC))
    except Exception as exc:  # the monitor must go on; say why once, not on every poll
        from riskmon.errors import reason_of

        reason = reason_of(exc)
        if _last_error.get(new.status.name) != reason:
            _last_error[new.status.name] = reason
            log.warning(_("feed {name}: news drafts not queued: {reason}").format(name=new.status.name, reason=reason))
        return 0


def _take_in(location: ConfigLocation, config: Config, items: Sequence[Headline], now: datetime) -> int:
    from riskmon.sources.news import core_events
    from riskmon.store.news_queue import MERGED, NEW
    from riskmon.usecases.news import ArticleIn, take_in

    articles = [ArticleIn(f"{h.title}\n{h.summary}".strip(), h.published or now, h.link or None) for h in items]
    made = take_in(location, articles, events=core_events(config.events), now=now)
    queued = sum(m.outcome in (NEW, MERGED) for m in made)
    if queued:
        log.info(
            _("news: {drafts} draft(s) from {items} new item(s) queued for review").format(
                drafts=queued, items=len(items)
            )
        )
    _last_error.pop(items[0].feed, None)
    return queued
