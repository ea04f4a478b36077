"""Scheduler wiring: the monitor's APScheduler 3.11 `AsyncIOScheduler` and its jobs.

- `poll:<feed>` — one per feed, at the feed's `every`;
- `reassess` — every minute (countdowns and urgency move with time);
- `reload` — every couple of seconds: a look at the config files.

Jobs run on the asyncio loop the scheduler was started in; their blocking work runs in threads.
The scheduler's timers always use the wall clock. Imported only when a monitor starts: `daemon
--once` never pays for APScheduler.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from riskmon.core.settings import FeedSettings, parse_duration

Job = Callable[..., Coroutine[Any, Any, None]]

MISFIRE_GRACE = 30
"""Seconds a housekeeping run (reload, reassess) may start late and still run; see `Jobs`."""


def _poll_id(name: str, group: str) -> str:
    return f"poll:{group}:{name}" if group else f"poll:{name}"


class Jobs:
    """The scheduler, started at once in the running loop `loop`, with the reload and reassess
    jobs; feed polls are added and removed as the config changes."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        reload: Job,
        reload_every: float,
        reassess: Job,
        reassess_every: float,
    ) -> None:
        # APScheduler's defaults are strict (misfire_grace_time 1 s): a run that starts more than a
        # second late, e.g. on a loaded 2-core box or after a laptop resumed, would be dropped.
        # - coalesce: a backlog of missed runs (suspend, stall) collapses into one run;
        # - max_instances=1: a job never overlaps itself (a slow feed skips a beat instead);
        # - misfire_grace_time=30 s for housekeeping (reload every 2 s, reassess every minute): a
        #   run later than that is pointless, the next one is never far off. Feed polls get their
        #   own interval as grace (see schedule_polls): with coalescing the one catch-up run is at
        #   most one interval old, so after a resume every feed is polled at once, not an interval
        #   later.
        self.scheduler = AsyncIOScheduler(
            event_loop=loop,
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE},
        )
        self.scheduler.add_job(reload, IntervalTrigger(seconds=reload_every, timezone=UTC), id="reload", name="reload")
        self.scheduler.add_job(
            reassess, IntervalTrigger(seconds=reassess_every, timezone=UTC), id="reassess", name="reassess"
        )
        self.scheduler.start()

    def schedule_polls(self, feeds: list[FeedSettings], poll: Job, group: str = "") -> None:
        """`poll(name)` for each feed at its `every`, the first run now (replacing a feed's old job).
        `group` keeps apart feeds of the same name from different configs (a fleet's profiles)."""
        start = datetime.now(UTC)
        for feed in feeds:
            every = max(1.0, parse_duration(feed.every))
            self.scheduler.add_job(
                poll,
                IntervalTrigger(seconds=every, timezone=UTC),
                args=[feed.name],
                id=_poll_id(feed.name, group),
                name=f"poll {feed.name}",
                next_run_time=start,
                misfire_grace_time=max(MISFIRE_GRACE, int(every)),
                replace_existing=True,
            )

    def unschedule(self, name: str, group: str = "") -> None:
        with contextlib.suppress(JobLookupError):
            self.scheduler.remove_job(_poll_id(name, group))

    def next_poll(self, name: str, group: str = "") -> datetime | None:
        """When the feed's next scheduled poll is due (None when not scheduled)."""
        job = self.scheduler.get_job(_poll_id(name, group))
        return getattr(job, "next_run_time", None) if job is not None else None

    def shutdown(self) -> None:
        """Stop the scheduler (wait=False: a job in progress finishes on its own)."""
        if self.scheduler.running:
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                self.scheduler.shutdown(wait=False)
