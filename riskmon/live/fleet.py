"""The fleet's live loop: every profile of a fleet directory on one APScheduler scheduler.

One `FleetMonitor` owns one `AsyncIOScheduler` (riskmon.live.jobs) and keeps every profile live:

- `poll:fleet:<feed>` — each shared feed (fleet.toml) at its `every`, once for the whole fleet; a
  poll that changed something marks every profile using the feed for reassessment.
  `poll:profile/<name>:<feed>` — a profile's own feeds (its riskmon.toml), for that profile alone.
- `reload` — every `RELOAD_EVERY` s: fleet.toml (and its shared events file), the profile
  directories (added and removed ones) and each profile's config files. A changed profile is
  reloaded and reassessed alone; an invalid edit keeps its last good config, as the daemon does.
  A changed fleet.toml reassesses every profile; an invalid one keeps the last good one.
- `reassess` — every `TICK` s, every profile (countdowns move with time).
- `alertmanager` — every `PUSH_EVERY` s: firing alerts re-posted when due (riskmon.live.alertmanager).

Reassessments run one profile at a time, in arrival order, each coalescing the requests made for
it meanwhile: the work of a tick over a thousand profiles is spread, never a thousand threads. A
profile's cycle is the daemon's: assess (thread) -> its history file (`<data>/history/<name>.json`)
-> its Prometheus samples -> its alerts. After each pass over the waiting profiles the fleet's
textfile is written and Alertmanager is told what changed. `/metrics` renders the samples of
every profile (riskmon.present.prometheus), cached until one changes.

As in the daemon, outputs (history, alerts, textfile) wait until the feeds a profile uses have been
polled once since start (or a minute has passed), and a replay (`--now`) records and sends nothing.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC

from riskmon.live.fleet_members import PRIME_AFTER as PRIME_AFTER
from riskmon.live.fleet_members import SHARED as SHARED
from riskmon.live.fleet_members import FleetUpdate as FleetUpdate
from riskmon.live.fleet_members import Member as Member
from riskmon.live.fleet_members import SharedFeeds as SharedFeeds
from riskmon.live.fleet_members import log as log
from riskmon.live.fleet_profiles import FleetProfiles
from riskmon.live.threads import in_thread
from riskmon.sources.fleet import Fleet, load_fleet

RELOAD_EVERY = 5.0
"""Seconds between looks at the fleet directory and every profile's config files."""
TICK = 300.0
"""Seconds between reassessments of every profile when nothing changes: at most one history
snapshot per profile this often (cron'd checks every 5 minutes write as many)."""
PUSH_EVERY = 15.0
"""Seconds between looks at which Alertmanager alerts are due a re-post."""


class FleetMonitor(FleetProfiles):
    """Every profile of a fleet directory, live. See the module doc.

    Call `load()` (raises ConfigError when fleet.toml is invalid or the directory is missing),
    then `start()` inside a running asyncio loop, and `aclose()` to end it. `run_once()` does one
    of everything without the scheduler (tests, benchmarks).
    """

    # -- public API ----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._jobs is not None and not self._stopped

    @property
    def busy(self) -> bool:
        """Profiles are waiting for (or in) a reassessment."""
        return bool(self._dirty) or (self._worker is not None and not self._worker.done())

    async def load(self) -> Fleet:
        """Read fleet.toml and every profile now; raise ConfigError when fleet.toml is invalid or
        the fleet directory is missing (a profile's invalid config is that profile's UNKNOWN)."""
        fleet = await in_thread(load_fleet, self.path)
        for note in fleet.notes:
            log.warning("%s", note)
        await self._apply_fleet(fleet)
        await self._sync_profiles(force=True)
        return fleet

    def start(self) -> None:
        """Start the scheduler in the running loop; `load()` first."""
        loop = asyncio.get_running_loop()
        if self._jobs is not None:
            raise RuntimeError("FleetMonitor.start() called twice")
        from apscheduler.triggers.interval import IntervalTrigger

        from riskmon.live.jobs import Jobs

        self._started_at = time.monotonic()
        self._jobs = jobs = Jobs(
            loop, reload=self._reload_job, reload_every=RELOAD_EVERY, reassess=self._tick, reassess_every=TICK
        )
        jobs.scheduler.add_job(
            self._push_job, IntervalTrigger(seconds=PUSH_EVERY, timezone=UTC), id="alertmanager", name="alertmanager"
        )
        jobs.schedule_polls(list(self.shared.feeds.values()), self._poll_shared, SHARED)
        for m in self.members.values():
            jobs.schedule_polls(list(m.polls.feeds.values()), self._poller(m.name), m.group)
        self._want_all("startup")

    def stop(self) -> None:
        self._stopped = True
        jobs, self._jobs = self._jobs, None
        if jobs is not None:
            jobs.shutdown()

    async def aclose(self, timeout: float = 5.0) -> None:
        """`stop()`, then wait up to `timeout` s for the profile in progress."""
        self.stop()
        await asyncio.sleep(0)  # let the scheduler's shutdown callback run
        await self._tasks.drain(timeout)

    async def run_once(self) -> list[Member]:
        """Load (or reload) everything, poll every feed once, reassess every profile, write the
        textfile and tell Alertmanager: one of everything, in order."""
        if self.fleet is None:
            await self.load()
        else:
            await self._reload(force=True)
        await self._poll_everything(force=False)
        self._prime_all("run once")
        self._want_all("once")
        if self._worker is not None:
            await self._worker
        return [self.members[n] for n in sorted(self.members)]

    def refresh_now(self) -> asyncio.Task[None]:
        """Re-read every config, poll every feed now and reassess every profile (SIGHUP, `r`)."""
        return self._spawn(self._refresh())

    def refresh_profile(self, name: str) -> asyncio.Task[None]:
        """Re-read one profile's config, poll its own feeds now and reassess it (the dashboard's `r`)."""
        return self._spawn(self._refresh_one(name))

    async def _refresh_one(self, name: str) -> None:
        m = self.members.get(name)
        if m is None:
            return
        await self._load_member(m, force=True)
        await asyncio.gather(*(m.polls.poll(n, force=True, wait=True) for n in list(m.polls.feeds)))
        self._want(name, "refresh")
        if self._worker is not None:
            await asyncio.shield(self._worker)

    # -- feeds and refreshes -------------------------------------------------------------------

    def _prime_all(self, why: str) -> None:
        self.shared.prime(why)
        for m in self.members.values():
            m.polls.prime(why)

    async def _poll_everything(self, *, force: bool) -> None:
        polls = [self.shared.poll(n, force=force, wait=True) for n in list(self.shared.feeds)]
        for m in self.members.values():
            polls.extend(m.polls.poll(n, force=force, wait=True) for n in list(m.polls.feeds))
        await asyncio.gather(*polls)

    async def _refresh(self) -> None:
        await self._reload(force=True)
        await self._poll_everything(force=True)
        self._want_all("refresh")
        if self._worker is not None:
            await asyncio.shield(self._worker)

    # -- reassessment --------------------------------------------------------------------------

    async def _tick(self) -> None:
        self._want_all("tick")

    async def _push_job(self) -> None:
        if not self.replay:
            await in_thread(self.pusher.flush)
