"""The live loop shared by the TUI and the daemon: one `Monitor` owning an APScheduler 3.11
`AsyncIOScheduler` (riskmon.live.jobs).

Jobs (all on the asyncio loop; every blocking call runs in a thread, riskmon.live.threads):

- `poll:<feed>` — one per feed, at the feed's `every`. A poll never overlaps another poll of the
  same feed (`max_instances=1` for the scheduled ones, a per-feed lock for `refresh_now`/`run_once`).
  A poll whose result differs from the previous one asks for a reassess (riskmon.live.feed_polls).
- `reassess` — every minute, and after every poll or reload that changed something. Requests that
  arrive while one runs are coalesced into one more run (riskmon.live.reassess). A reassess is one
  *cycle*: assess (thread) → history snapshot (riskmon.live.recorder) → Prometheus textfile
  (riskmon.live.exporters) → `on_update` → alerts and heartbeats (riskmon.live.notifier).
- `reload` — every 2 s: stat the config files; when one changed, load and validate them. An
  invalid edit keeps the last good config running and is reported (riskmon.live.config_watch).

Outputs start once the monitor is *primed*: every feed has been polled once since start (or a
minute has passed). Until then the TUI gets updates from the feeds' cached copies, but nothing is
written to history, the textfile or alert channels, so a cold cache is never mistaken for a change.

The time source is injected (`now_fn`): every assessment, snapshot and alert uses it. Feed fetch
times are wall-clock times: they are `now_fn` too, except in a replay. A replay (`replay=True`:
`now_fn` returns the instant given with --now) records nothing: no history, no feed cache, no
textfile, no alert or heartbeat. The scheduler's own timers always use the wall clock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from riskmon.errors import RiskmonError
from riskmon.live.config_watch import ConfigWatcher
from riskmon.live.exporters import TextfileExporter, prometheus_text
from riskmon.live.feed_polls import FeedPolls
from riskmon.live.notifier import Notifier
from riskmon.live.reassess import EventChanges, Requests, log_assessment
from riskmon.live.recorder import SnapshotRecorder
from riskmon.live.tasks import Tasks
from riskmon.live.threads import in_thread
from riskmon.live.updates import Delivery, MonitorUpdate
from riskmon.paths import ConfigLocation, resolve_config_dir, resolve_db_path
from riskmon.sources.config.load import Config
from riskmon.sources.feeds.feeds import FeedResult
from riskmon.usecases.evaluate import Evaluation, evaluate_results

if TYPE_CHECKING:
    from collections import deque

    from riskmon.core.settings import FeedSettings
    from riskmon.live.jobs import Jobs

__all__ = ["Delivery", "Monitor", "MonitorUpdate"]

log = logging.getLogger("riskmon.live.monitor")

T = TypeVar("T")

REASSESS_EVERY = 60.0
"""Seconds between reassessments when nothing changes (countdowns and urgency move with time)."""
RELOAD_EVERY = 2.0
"""Seconds between looks at the config files' modification times."""
DRAIN_TIMEOUT = 5.0
"""Seconds `aclose` waits for a cycle in progress (history, alerts) before giving up on it."""


class Monitor:
    """Feeds, assessment, history, alerts and exporters on one schedule. See the module doc.

    Construct anywhere; call `start()` inside a running asyncio loop (Textual's `on_mount`, or
    `asyncio.run` for the daemon) and `stop()`/`aclose()` to end it. `run_once()` does one of
    everything in order without the scheduler (`daemon --once`, tests).
    """

    def __init__(
        self,
        config_dir: ConfigLocation | str | Path | None,
        db_path: str | Path | None,
        now_fn: Callable[[], datetime],
        offline: bool = False,
        on_update: Callable[[MonitorUpdate], None] | None = None,
        *,
        cache_dir: Path | None = None,
        replay: bool = False,
    ) -> None:
        self.location = config_dir if isinstance(config_dir, ConfigLocation) else resolve_config_dir(config_dir)
        self.db_path = resolve_db_path(db_path, self.location)
        self.now_fn = now_fn
        self.offline = offline
        self.on_update = on_update
        self.replay = replay
        """`now_fn` is a fixed --now: record nothing (history, feed cache, textfile), send nothing."""
        self.poll_clock: Callable[[], datetime] = (lambda: datetime.now(UTC)) if replay else now_fn
        """When a feed is polled: the wall clock, also in a replay (a test's clock otherwise)."""
        self.cache_dir = cache_dir
        """Where feeds' last good copies live; None: the shared default, so checks and the daemon
        share one cache."""
        self.config: Config | None = None
        self.evaluation: Evaluation | None = None
        self.last_update: MonitorUpdate | None = None
        self._init_parts()

    def _init_parts(self) -> None:
        self._jobs: Jobs | None = None
        self._stopped = False
        self._tasks = Tasks(log, "monitor")
        self._reload_lock = asyncio.Lock()
        self._cycle_lock = asyncio.Lock()
        self._alert_task: asyncio.Task[Any] | None = None
        self._watcher = ConfigWatcher(self.location)
        self._polls = FeedPolls(
            cache_dir=self.cache_dir,
            offline=self.offline,
            replay=self.replay,
            clock=self.poll_clock,
            stopped=lambda: self._stopped,
            spawn=self._spawn,
        )
        self._requests = Requests(self._cycle, self._spawn, lambda: self._stopped)
        self._changes = EventChanges()
        self._recorder = SnapshotRecorder(self.db_path)
        self._exporter = TextfileExporter()
        self._notifier = Notifier(self.db_path)

    # -- public API ----------------------------------------------------------------------------

    @property
    def primed(self) -> bool:
        return self._polls.primed

    @property
    def running(self) -> bool:
        return self._jobs is not None and not self._stopped

    @property
    def config_error(self) -> str | None:
        """The config on disk is invalid (the message): the last good one is still in use."""
        return self._watcher.error

    @property
    def problems(self) -> tuple[str, ...]:
        """Every problem found in the config on disk, as `file:line: field: message`."""
        return self._watcher.problems

    @property
    def results(self) -> dict[str, FeedResult]:
        """Feed name -> its latest poll (or cached copy)."""
        return self._polls.results

    @property
    def deliveries(self) -> deque[Delivery]:
        """Every notification tried (alerts and heartbeats), newest last; the last 200."""
        return self._notifier.deliveries

    async def load(self) -> Config:
        """Load the config now (in a thread); raise ConfigError when it is invalid.

        Optional before `start()` (the daemon calls it to fail fast on a bad config); `start()`
        loads it itself otherwise and reports a bad one in an update.
        """
        if self.config is not None:
            return self.config
        cfg = await self._watcher.load()
        await self._apply_config(cfg)
        return cfg

    def start(self) -> None:
        """Create and start the scheduler. Must be called from a coroutine or callback of a running
        asyncio loop (Textual's `on_mount`, or `asyncio.run` for the daemon)."""
        loop = asyncio.get_running_loop()
        if self._jobs is not None:
            raise RuntimeError("Monitor.start() called twice")
        from riskmon.live.jobs import Jobs  # APScheduler: only when the scheduler runs

        self._jobs = Jobs(
            loop, reload=self._reload_job, reload_every=RELOAD_EVERY, reassess=self._tick, reassess_every=REASSESS_EVERY
        )
        if self.config is None:
            self._spawn(self._reload(force=True, reason="startup"))
        else:
            self._schedule_polls(list(self._polls.feeds.values()))
            self._requests.want("startup")

    def stop(self) -> None:
        """Stop the scheduler (wait=False); a cycle in progress finishes on its own."""
        self._stopped = True
        jobs, self._jobs = self._jobs, None
        if jobs is not None:
            jobs.shutdown()

    async def aclose(self, timeout: float = DRAIN_TIMEOUT) -> None:
        """`stop()`, then wait up to `timeout` s for a cycle in progress (history, alerts)."""
        self.stop()
        await asyncio.sleep(0)  # let the scheduler's shutdown callback run
        await self._tasks.drain(timeout)

    async def run_once(self) -> Evaluation:
        """Every job once, in order: load/reload config, poll every feed (cached copies that are
        fresh enough are used, as by `check`), reassess, history, textfile, alerts, heartbeats.
        Raises ConfigError when there is no valid config."""
        if self.config is None:
            await self.load()
        else:
            await self._reload(force=False, reason="once")
        await asyncio.gather(*(self._polls.poll(name, wait=True) for name in list(self._polls.feeds)))
        self._polls.prime("run once")
        await self._cycle("once")
        if self._alert_task is not None:
            await self._alert_task
        assert self.evaluation is not None
        return self.evaluation

    def refresh_now(self) -> asyncio.Task[Any]:
        """Re-read changed config, poll every feed now (bypassing freshness) and reassess: the
        TUI's `r`. Returns at once; await the task to know when it is done."""
        return self._spawn(self._refresh())

    def next_polls(self) -> dict[str, datetime | None]:
        """Feed name -> when its next scheduled poll is due (None when not scheduled)."""
        jobs = self._jobs
        return {name: jobs.next_poll(name) if jobs is not None else None for name in self._polls.feeds}

    def prometheus_text(self, ev: Evaluation) -> str:
        """The textfile's content: `check --format prometheus` plus whether the config is valid."""
        return prometheus_text(ev, config_ok=self.config_error is None)

    # -- tasks ---------------------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        return self._tasks.spawn(coro)

    def _emit(self, update: MonitorUpdate) -> None:
        self.last_update = update
        if self.on_update is None:
            return
        try:
            self.on_update(update)
        except Exception:  # a broken listener must not stop the monitor
            log.exception("on_update callback failed")

    # -- config and feeds ----------------------------------------------------------------------

    async def _reload_job(self) -> None:
        await self._reload(force=False, reason="reload")

    async def _reload(self, *, force: bool, reason: str) -> None:
        async with self._reload_lock:
            try:
                cfg = await self._watcher.look(self.config, force=force)
            except RiskmonError:
                if self.config is None:
                    self._emit(self._make_update("config", None))
                else:  # reassess: the update, the textfile (riskmon_config_ok 0) and heartbeats say so
                    self._requests.want("config")
                return
            if cfg is not None:
                await self._apply_config(cfg)
                self._requests.want(reason)

    async def _apply_config(self, cfg: Config) -> None:
        self.config = cfg
        gone, added = self._polls.replace(cfg)
        for name in gone:
            if self._jobs is not None:
                self._jobs.unschedule(name)
        if added:
            await self._polls.load_cached(cfg, added)
            self._schedule_polls(added)
        self._polls.prime_if_nothing_awaited("no feeds to wait for")

    def _schedule_polls(self, feeds: list[FeedSettings]) -> None:
        if self._jobs is not None and not self._stopped:
            self._jobs.schedule_polls(feeds, self._poll_job)

    async def _poll_job(self, name: str) -> None:
        if await self._polls.poll(name):
            self._requests.want(f"poll:{name}")

    async def _refresh(self) -> None:
        await self._reload(force=False, reason="refresh")
        await asyncio.gather(*(self._polls.poll(name, force=True) for name in list(self._polls.feeds)))
        self._requests.want("refresh")
        if self._requests.task is not None:
            await asyncio.shield(self._requests.task)

    # -- reassess ------------------------------------------------------------------------------

    async def _tick(self) -> None:
        self._polls.prime("a minute passed")
        self._requests.want("tick")

    async def _cycle(self, reason: str) -> MonitorUpdate | None:
        async with self._cycle_lock:
            cfg = self.config
            if cfg is None:
                return None
            results = [self.results[f.name] for f in cfg.settings.feeds if f.name in self.results]
            ev = await in_thread(evaluate_results, cfg, results, self.now_fn())
            new, changed, titles = self._changes.step(ev)
            prev, self.evaluation = self.evaluation, ev
            log_assessment(prev, ev, new, changed)
            entries = await self._outputs(ev, bool(new or changed))
            update = self._make_update(reason, ev, new=new, changed=changed, titles=titles, entries=entries)
            self._emit(update)
            if not self.replay and ((self.primed and not self._stopped) or reason == "once"):
                self._alert_task = self._spawn(self._notifier.notify(ev, config_broken=self.config_error is not None))
            return update

    async def _outputs(self, ev: Evaluation, changed: bool) -> list[dict[str, Any]]:
        """History and the textfile, once primed and never in a replay; the event-log entries
        history wrote."""
        if not self.primed or self.replay:
            return []
        await self._notifier.read_baseline(ev)  # before our first snapshot moves it
        entries = await self._recorder.record(ev, changed)
        if ev.config.settings.export.prometheus_textfile:
            await self._exporter.export(ev, config_ok=self.config_error is None)
        return entries

    def _make_update(
        self,
        reason: str,
        ev: Evaluation | None,
        *,
        new: frozenset[str] = frozenset(),
        changed: Mapping[str, tuple[str, ...]] | None = None,
        titles: Mapping[str, str] | None = None,
        entries: list[dict[str, Any]] | None = None,
    ) -> MonitorUpdate:
        return MonitorUpdate(
            at=ev.assessment.now if ev is not None else self.now_fn(),
            reason=reason,
            evaluation=ev,
            new_events=new,
            changed_events=dict(changed or {}),
            titles=dict(titles or {}),
            log_entries=tuple(entries or ()),
            config_error=self.config_error,
            problems=self.problems,
            feeds=tuple(ev.feeds) if ev is not None else (),
            next_polls=self.next_polls(),
            history_error=self._recorder.error,
            export_error=self._exporter.error,
            primed=self.primed,
        )
