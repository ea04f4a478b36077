"""The fleet monitor's state: its profiles, shared feeds and scheduler, the updates it reports and
the Prometheus samples of every profile, rendered once per change for `/metrics`.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from riskmon.live.alertmanager import AlertmanagerPush
from riskmon.live.exporters import TextfileExporter
from riskmon.live.feed_polls import FeedPolls
from riskmon.live.fleet_members import SHARED, FleetUpdate, Member, log
from riskmon.live.tasks import Tasks
from riskmon.live.updates import MonitorUpdate
from riskmon.present.fleet import FleetRow
from riskmon.present.prometheus import Samples, render
from riskmon.sources.fleet import Fleet
from riskmon.usecases.fleet import feed_cache

if TYPE_CHECKING:
    from riskmon.live.jobs import Jobs

T = TypeVar("T")


class FleetState:
    """What a fleet monitor holds, and the reports every part of it makes (see riskmon.live.fleet)."""

    def __init__(
        self,
        fleet_dir: str | Path,
        data: Path,
        now_fn: Callable[[], datetime],
        *,
        offline: bool = False,
        replay: bool = False,
        on_update: Callable[[FleetUpdate], None] | None = None,
    ) -> None:
        self.path = Path(fleet_dir).expanduser()
        self.data = data
        self.now_fn = now_fn
        self.offline = offline
        self.replay = replay
        self.on_update = on_update
        self.poll_clock: Callable[[], datetime] = (lambda: datetime.now(UTC)) if replay else now_fn
        self.fleet: Fleet | None = None
        self.fleet_error: str | None = None
        """fleet.toml on disk is invalid (the message): the last good one is in use."""
        self.members: dict[str, Member] = {}
        self.pusher = AlertmanagerPush()
        self.shared = self._polls(feed_cache(data))
        self.exporter = TextfileExporter()
        self.passes = 0
        """Passes over the waiting profiles completed (tests and benchmarks wait on it)."""
        self._jobs: Jobs | None = None
        self._stopped = False
        self._started_at = time.monotonic()
        self._tasks = Tasks(log, "fleet")
        self._dirty: dict[str, list[str]] = {}
        self._worker: asyncio.Task[None] | None = None
        self._reload_lock = asyncio.Lock()
        self._fleet_bad: dict[str, float] | None = None
        self._samples: dict[str, Samples] = {}
        self._samples_lock = threading.Lock()
        self._rendered: str | None = None
        self._version = 0

    def _polls(self, cache_dir: Path) -> FeedPolls:
        return FeedPolls(
            cache_dir=cache_dir,
            offline=self.offline,
            replay=self.replay,
            clock=self.poll_clock,
            stopped=lambda: self._stopped,
        )

    def rows(self) -> list[FleetRow]:
        """Every profile's row, in name order."""
        return [self.members[name].row() for name in sorted(self.members)]

    def next_polls(self, name: str) -> dict[str, datetime | None]:
        """Feed name -> its next scheduled poll, for the feeds profile `name` uses."""
        jobs, m = self._jobs, self.members.get(name)
        out: dict[str, datetime | None] = {}
        for feed in self.shared.feeds:
            out[feed] = jobs.next_poll(feed, SHARED) if jobs is not None else None
        for feed in m.polls.feeds if m is not None else ():
            out[feed] = jobs.next_poll(feed, m.group) if jobs is not None and m is not None else None
        return out

    def metrics_text(self) -> str:
        """Every profile's Prometheus samples (thread-safe: `/metrics` calls it from its thread);
        rendered once per change."""
        with self._samples_lock:
            if self._rendered is not None:
                return self._rendered
            version = self._version
            blocks = [self._samples[k] for k in sorted(self._samples)]
        text = render(blocks)
        with self._samples_lock:
            if version == self._version:
                self._rendered = text
        return text

    # -- tasks ---------------------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        return self._tasks.spawn(coro)

    def _emit(self, profile: str | None, update: MonitorUpdate | None = None) -> None:
        if self.on_update is None:
            return
        try:
            self.on_update(FleetUpdate(datetime.now(UTC), profile, update))
        except Exception:  # a broken listener must not stop the fleet
            log.exception("on_update callback failed")

    def _set_samples(self, name: str, samples: Samples | None) -> None:
        with self._samples_lock:
            if samples is None:
                self._samples.pop(name, None)
            else:
                self._samples[name] = samples
            self._version += 1
            self._rendered = None
