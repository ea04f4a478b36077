"""The live loop shared by the TUI and the daemon: one `Monitor` owning an APScheduler 3.11
`AsyncIOScheduler`.

Jobs (all on the asyncio loop; every blocking call runs in a thread, see `_in_thread`):

- `poll:<feed>` — one per feed, at the feed's `every`. A poll never overlaps another poll of the
  same feed (`max_instances=1` for the scheduled ones, a per-feed lock for `refresh_now`/`run_once`).
  A poll whose result differs from the previous one asks for a reassess.
- `reassess` — every minute, and after every poll or reload that changed something. Requests that
  arrive while one runs are coalesced into one more run. A reassess is one *cycle*:
  assess (thread) → history snapshot (at most one per minute of assessment time; event changes
  in between go to the event log) → Prometheus textfile → `on_update` → alerts and heartbeats.
- `reload` — every 2 s: stat the config files; when one changed, load and validate them (thread).
  An invalid edit keeps the last good config running and is reported (log, `MonitorUpdate.
  config_error` and `problems`, `riskmon_config_ok 0`); the same broken files are not re-read
  until they change again.

Outputs start once the monitor is *primed*: every feed has been polled once since start (or a
minute has passed). Until then the TUI gets updates from the feeds' cached copies, but nothing is
written to history, the textfile or alert channels, so a cold cache is never mistaken for a change.

Alerts (riskmon.live.alerts): a level change, a new event that is critical on its own, a playbook step
whose due moment passes between two assessments. What each channel has been told lives in
history (`alerts`): the level last announced there — OK when nothing was, so a first assessment
that is already CRITICAL is announced — and every alert delivered. Alerts due on a channel are
claimed in history (recorded as sent, in the transaction that reads what was sent) before they
go out, so the dashboard, a daemon and `daemon --once` from cron, started in any order, send each
piece of news once, and `renotify` holds across restarts. After a restart, new events and overdue
steps are counted from the last snapshot. The alerts due on one channel in one cycle go out as one
message (a level change leads), so a change that also brings a critical event notifies once. A
failing channel is retried with backoff (inside `dispatch`, then 30 s, 60 s, ... up to 15 min
between cycles), its undelivered alerts kept and its claims marked failed; it is logged and never
stops the loop.

The time source is injected (`now_fn`): every assessment, snapshot and alert uses it. Feed fetch
times are wall-clock times: they are `now_fn` too, except in a replay. A replay (`replay=True`:
`now_fn` returns the instant given with --now) records nothing: no history, no feed cache, no
textfile, no alert or heartbeat. The scheduler's own timers always use the wall clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from riskmon.errors import ConfigError, RiskmonError, reason_of
from riskmon.live import news_intake
from riskmon.live.alerts import Alert, DeliveryResult, Told, channel_id, dispatch, due_alerts, heartbeat, news_alerts
from riskmon.paths import ConfigLocation, resolve_config_dir, resolve_db_path
from riskmon.sources.config.load import Config, current_mtimes, load_config
from riskmon.sources.config.schema import AlertSettings, FeedSettings, parse_duration
from riskmon.sources.feeds.feeds import FeedResult, poll_feed
from riskmon.store.snapshots import diff_events, event_records, snapshot_of
from riskmon.usecases.evaluate import Evaluation, evaluate_results

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from riskmon.store.history import HistoryStore

log = logging.getLogger("riskmon.live.monitor")

T = TypeVar("T")

REASSESS_EVERY = 60.0
"""Seconds between reassessments when nothing changes (countdowns and urgency move with time)."""
RELOAD_EVERY = 2.0
"""Seconds between looks at the config files' modification times."""
MISFIRE_GRACE = 30
"""Seconds a housekeeping run (reload, reassess) may start late and still run; see `start`."""
HEARTBEAT_EVERY = 60.0
"""Seconds between healthchecks pings while the level they report stays the same."""
CHANNEL_BACKOFF = 30.0
"""Seconds a failing alert channel is left alone after its first failure; doubled per failure."""
CHANNEL_BACKOFF_MAX = 900.0
OVERDUE_LOOKBACK = timedelta(days=7)
"""After a restart, steps that fell overdue at most this long ago (and after the last snapshot)
are still alerted; older ones are shown by the TUI and `check -v`, not notified."""
DRAIN_TIMEOUT = 5.0
"""Seconds `aclose` waits for a cycle in progress (history, alerts) before giving up on it."""


# ---------------------------------------------------------------------------------------------
# Blocking work in threads


def _settle(fut: asyncio.Future[Any], value: Any, exc: BaseException | None) -> None:
    if fut.done():
        return
    if exc is not None:
        fut.set_exception(exc)
    else:
        fut.set_result(value)


async def _in_thread(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run `fn` in a new daemon thread and await its result.

    Not `asyncio.to_thread`: the default executor's threads are joined when the loop (and the
    interpreter) shuts down, so one feed hanging for its full timeout would hold up a SIGTERM.
    A daemon thread is simply abandoned; everything we write goes through temp file + rename, so
    an abandoned write leaves the old file intact.
    """
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[T] = loop.create_future()

    def work() -> None:
        value: Any = None
        error: BaseException | None = None
        try:
            value = fn(*args, **kwargs)
        except BaseException as exc:  # handed to the awaiting task
            error = exc
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
            loop.call_soon_threadsafe(_settle, fut, value, error)

    threading.Thread(target=work, name=f"riskmon-{getattr(fn, '__name__', 'work')}", daemon=True).start()
    return await fut


# ---------------------------------------------------------------------------------------------
# What the monitor reports


@dataclass(frozen=True)
class MonitorUpdate:
    """One cycle's result (or a config problem), delivered to `on_update` on the loop thread."""

    at: datetime
    reason: str
    """What caused it: "startup", "poll:<feed>", "reload", "tick", "refresh", "once", "config"."""
    evaluation: Evaluation | None
    """The latest assessment (None only when no config was ever valid)."""
    new_events: frozenset[str] = frozenset()
    changed_events: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Event id -> one line per change ("status announced → confirmed"), since the previous cycle."""
    titles: Mapping[str, str] = field(default_factory=dict)
    log_entries: tuple[dict[str, Any], ...] = ()
    """Event-log entries history recorded in this cycle (what changed since the last snapshot)."""
    config_error: str | None = None
    """The config on disk is invalid: the last good one is still in use."""
    problems: tuple[str, ...] = ()
    """Every problem found, as `file:line: field: message`."""
    feeds: tuple[dict[str, Any], ...] = ()
    """Each feed's status (as `check --format json` `feeds[]`)."""
    next_polls: Mapping[str, datetime | None] = field(default_factory=dict)
    history_error: str | None = None
    export_error: str | None = None
    primed: bool = False
    """Every feed has been polled since start: history, textfile and alerts are active."""

    @property
    def changes(self) -> frozenset[str]:
        """Ids of the events that are new or changed since the previous cycle."""
        return self.new_events | frozenset(self.changed_events)


@dataclass(frozen=True)
class Delivery:
    """One attempt to notify one channel (kept in `Monitor.deliveries`, newest last)."""

    at: datetime
    channel: str
    keys: tuple[str, ...]
    title: str
    result: DeliveryResult


@dataclass
class _Channel:
    failures: int = 0
    retry_at: float | None = None
    """time.monotonic() before which the channel is left alone."""
    pending: list[Alert] = field(default_factory=list)
    """Alerts not delivered yet (the channel failed), tried again with the next cycle's."""
    last_beat: float | None = None
    last_beat_level: str | None = None


@dataclass(frozen=True)
class _Baseline:
    """Where alerting starts after a (re)start, from history."""

    known_ids: frozenset[str]
    since: datetime
    told: dict[str, Told]
    """Channel id -> what it has been told (a channel missing here: nothing, so OK)."""


def _feed_state(r: FeedResult) -> tuple[Any, ...]:
    s = r.status
    return (s.ok, s.stale, s.error, tuple(s.skipped), s.trust, r.events, r.headlines)


# ---------------------------------------------------------------------------------------------
# The monitor


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
        self.db_path = resolve_db_path(db_path)
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
        self.config_error: str | None = None
        self.problems: tuple[str, ...] = ()
        self.evaluation: Evaluation | None = None
        self.last_update: MonitorUpdate | None = None
        self.results: dict[str, FeedResult] = {}
        self.deliveries: deque[Delivery] = deque(maxlen=200)

        self._scheduler: AsyncIOScheduler | None = None
        self._stopped = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._feeds: dict[str, FeedSettings] = {}
        self._awaiting: set[str] = set()
        self._primed = False
        self._bad_mtimes: dict[str, float] | None = None
        self._poll_locks: dict[str, asyncio.Lock] = {}
        self._reload_lock = asyncio.Lock()
        self._cycle_lock = asyncio.Lock()
        self._alert_lock = asyncio.Lock()
        self._dirty = False
        self._reasons: list[str] = []
        self._reassess_task: asyncio.Task[Any] | None = None
        self._alert_task: asyncio.Task[Any] | None = None
        self._states: dict[str, dict[str, Any]] | None = None
        self._snapshot_minute: datetime | None = None
        self._baseline: _Baseline | None = None
        self._history_error: str | None = None
        self._export_error: str | None = None
        # Alert state: touched only inside the alert stage (one at a time, in a thread).
        self._alerting = False
        self._known_ids: set[str] = set()
        self._alert_since: datetime | None = None
        self._told: dict[str, Told] = {}
        """Channel id -> what it has been told, as this process last read it from history."""
        self._channels: dict[str, _Channel] = {}

    # -- public API ----------------------------------------------------------------------------

    @property
    def primed(self) -> bool:
        return self._primed

    @property
    def running(self) -> bool:
        return self._scheduler is not None and not self._stopped

    async def load(self) -> Config:
        """Load the config now (in a thread); raise ConfigError when it is invalid.

        Optional before `start()` (the daemon calls it to fail fast on a bad config); `start()`
        loads it itself otherwise and reports a bad one in an update.
        """
        if self.config is not None:
            return self.config
        cfg = await _in_thread(load_config, self.location)
        await self._apply_config(cfg)
        return cfg

    def start(self) -> None:
        """Create and start the scheduler. Must be called from a coroutine or callback of a running
        asyncio loop (Textual's `on_mount`, or `asyncio.run` for the daemon)."""
        loop = asyncio.get_running_loop()
        if self._scheduler is not None:
            raise RuntimeError("Monitor.start() called twice")
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        # APScheduler's defaults are strict (misfire_grace_time 1 s): a run that starts more than a
        # second late, e.g. on a loaded 2-core box or after a laptop resumed, would be dropped.
        # - coalesce: a backlog of missed runs (suspend, stall) collapses into one run;
        # - max_instances=1: a job never overlaps itself (a slow feed skips a beat instead);
        # - misfire_grace_time=30 s for housekeeping (reload every 2 s, reassess every minute): a
        #   run later than that is pointless, the next one is never far off. Feed polls get their
        #   own interval as grace (see _schedule_polls): with coalescing the one catch-up run is at
        #   most one interval old, so after a resume every feed is polled at once, not an interval
        #   later.
        self._scheduler = AsyncIOScheduler(
            event_loop=loop,
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE},
        )
        self._scheduler.add_job(
            self._reload_job, IntervalTrigger(seconds=RELOAD_EVERY, timezone=UTC), id="reload", name="reload"
        )
        self._scheduler.add_job(
            self._tick, IntervalTrigger(seconds=REASSESS_EVERY, timezone=UTC), id="reassess", name="reassess"
        )
        self._scheduler.start()
        if self.config is None:
            self._spawn(self._reload(force=True, reason="startup"))
        else:
            self._schedule_polls(list(self._feeds.values()))
            self._want_reassess("startup")

    def stop(self) -> None:
        """Stop the scheduler (wait=False); a cycle in progress finishes on its own."""
        self._stopped = True
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None and scheduler.running:
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                scheduler.shutdown(wait=False)

    async def aclose(self, timeout: float = DRAIN_TIMEOUT) -> None:
        """`stop()`, then wait up to `timeout` s for a cycle in progress (history, alerts)."""
        self.stop()
        await asyncio.sleep(0)  # let the scheduler's shutdown callback run
        pending = [t for t in self._tasks if not t.done()]
        if not pending:
            return
        _done, not_done = await asyncio.wait(pending, timeout=timeout)
        for task in not_done:
            task.cancel()
        if not_done:
            log.warning("stopped with %d task(s) unfinished (a hanging feed or alert channel)", len(not_done))

    async def run_once(self) -> Evaluation:
        """Every job once, in order: load/reload config, poll every feed (cached copies that are
        fresh enough are used, as by `check`), reassess, history, textfile, alerts, heartbeats.
        Raises ConfigError when there is no valid config."""
        if self.config is None:
            await self.load()
        else:
            await self._reload(force=False, reason="once")
        await asyncio.gather(*(self._poll(name, wait=True) for name in list(self._feeds)))
        self._prime("run once")
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
        out: dict[str, datetime | None] = {}
        for name in self._feeds:
            job = self._scheduler.get_job(f"poll:{name}") if self._scheduler is not None else None
            out[name] = getattr(job, "next_run_time", None) if job is not None else None
        return out

    # -- tasks ---------------------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error("monitor task failed: %s", exc, exc_info=exc)

    def _emit(self, update: MonitorUpdate) -> None:
        self.last_update = update
        if self.on_update is None:
            return
        try:
            self.on_update(update)
        except Exception:  # a broken listener must not stop the monitor
            log.exception("on_update callback failed")

    # -- config --------------------------------------------------------------------------------

    async def _reload_job(self) -> None:
        await self._reload(force=False, reason="reload")

    async def _reload(self, *, force: bool, reason: str) -> None:
        async with self._reload_lock:
            try:
                mtimes = await _in_thread(current_mtimes, self.location.path)
            except OSError:
                mtimes = {}
            if not force:
                if self._bad_mtimes is not None:
                    if mtimes == self._bad_mtimes:
                        return  # the same broken files: wait for the next edit
                elif self.config is None or mtimes == self.config.mtimes:
                    return
            try:
                cfg = await _in_thread(load_config, self.location)
            except RiskmonError as exc:
                self._config_failed(exc, mtimes)
                return
            if self.config_error is not None:
                log.info("config in %s is valid again; using it", self.location.path)
            elif self.config is not None:
                log.info("config reloaded from %s", self.location.path)
            self._bad_mtimes = None
            self.config_error = None
            self.problems = ()
            await self._apply_config(cfg)
            self._want_reassess(reason)

    def _config_failed(self, exc: RiskmonError, mtimes: dict[str, float]) -> None:
        self._bad_mtimes = mtimes
        problems = tuple(str(p) for p in exc.problems) if isinstance(exc, ConfigError) else (exc.message,)
        if exc.message != self.config_error or problems != self.problems:
            keeping = "keeping the last good config" if self.config is not None else "no valid config yet"
            log.warning("config invalid (%s): %s", keeping, exc.message)
            for line in problems[1:] if len(problems) > 1 else ():
                log.warning("  %s", line)
        self.config_error = exc.message
        self.problems = problems
        if self.config is None:
            self._emit(self._make_update("config", None))
        else:  # reassess: the update, the textfile (riskmon_config_ok 0) and heartbeats say so
            self._want_reassess("config")

    async def _apply_config(self, cfg: Config) -> None:
        old = self._feeds
        new = {f.name: f for f in cfg.settings.feeds}
        self.config = cfg
        self._feeds = new
        for name, feed in old.items():
            if new.get(name) != feed:
                self.results.pop(name, None)
                self._awaiting.discard(name)
                self._unschedule(name)
        added = [f for name, f in new.items() if old.get(name) != f]
        if added:
            # The last good copies, so that the first assessment has every feed's events.
            cached = await _in_thread(self._cached, cfg, added, self.poll_clock())
            for feed, result in zip(added, cached, strict=True):
                if self._feeds.get(feed.name) == feed:
                    self.results.setdefault(feed.name, result)
            if not self._primed:
                self._awaiting.update(f.name for f in added)
            self._schedule_polls(added)
        if not self._primed and not self._awaiting:
            self._prime("no feeds to wait for")

    def _cached(self, cfg: Config, feeds: list[FeedSettings], now: datetime) -> list[FeedResult]:
        return [
            poll_feed(f, now, cache_dir=self.cache_dir, base_dir=cfg.path, offline=True, replay=self.replay)
            for f in feeds
        ]

    # -- feeds ---------------------------------------------------------------------------------

    def _schedule_polls(self, feeds: list[FeedSettings]) -> None:
        if self._scheduler is None or self._stopped:
            return
        from apscheduler.triggers.interval import IntervalTrigger

        start = datetime.now(UTC)
        for feed in feeds:
            every = max(1.0, parse_duration(feed.every))
            self._scheduler.add_job(
                self._poll_job,
                IntervalTrigger(seconds=every, timezone=UTC),
                args=[feed.name],
                id=f"poll:{feed.name}",
                name=f"poll {feed.name}",
                next_run_time=start,
                misfire_grace_time=max(MISFIRE_GRACE, int(every)),
                replace_existing=True,
            )

    def _unschedule(self, name: str) -> None:
        if self._scheduler is None:
            return
        from apscheduler.jobstores.base import JobLookupError

        with contextlib.suppress(JobLookupError):
            self._scheduler.remove_job(f"poll:{name}")

    async def _poll_job(self, name: str) -> None:
        if await self._poll(name):
            self._want_reassess(f"poll:{name}")

    async def _poll(self, name: str, *, force: bool = False, wait: bool = False) -> bool:
        """Poll one feed (in a thread); True when its result changed. Never two at once per feed:
        with `wait` False a poll already under way makes this one a no-op."""
        lock = self._poll_locks.setdefault(name, asyncio.Lock())
        if lock.locked() and not wait:
            return False
        async with lock:
            feed, cfg = self._feeds.get(name), self.config
            if feed is None or cfg is None or (self._stopped and not wait):
                return False
            try:
                result = await _in_thread(
                    poll_feed,
                    feed,
                    self.poll_clock(),
                    cache_dir=self.cache_dir,
                    base_dir=cfg.path,
                    offline=self.offline,
                    force=force,
                    replay=self.replay,
                )
            except Exception:  # poll_feed turns feed trouble into status.error; this is a bug
                log.exception("feed %s: poll failed", name)
                return False
            if self._feeds.get(name) != feed:
                return False  # the config changed while we polled
            old = self.results.get(name)
            self.results[name] = result
            self._log_poll(old, result)
            self._spawn(_in_thread(news_intake.take_in, self.location, cfg, old, result, replay=self.replay))
            first = name in self._awaiting
            self._awaiting.discard(name)
            if not self._primed and not self._awaiting:
                self._prime("every feed polled")
            return first or old is None or _feed_state(old) != _feed_state(result)

    @staticmethod
    def _log_poll(old: FeedResult | None, new: FeedResult) -> None:
        s = new.status
        was_ok = old is not None and old.status.ok
        if s.ok:
            how = "from its fresh cached copy" if s.from_cache else "fetched"
            if not was_ok:
                log.info("feed %s: ok (%s), %d event(s), %d headline(s)", s.name, how, s.events, s.headlines)
            else:
                log.debug("feed %s: ok (%s), %d event(s)", s.name, how, s.events)
            return
        if old is None or old.status.error != s.error or was_ok:
            when = s.last_success.strftime("%Y-%m-%d %H:%M UTC") if s.last_success else None
            using = f"using the copy from {when}" if when else "no copy to fall back on"
            log.warning("feed %s: %s (%s)", s.name, s.error, using)

    async def _refresh(self) -> None:
        await self._reload(force=False, reason="refresh")
        await asyncio.gather(*(self._poll(name, force=True) for name in list(self._feeds)))
        self._want_reassess("refresh")
        if self._reassess_task is not None:
            await asyncio.shield(self._reassess_task)

    def _prime(self, why: str) -> None:
        if not self._primed:
            self._primed = True
            self._awaiting.clear()
            log.debug("primed (%s): history, textfile and alerts active", why)

    # -- reassess ------------------------------------------------------------------------------

    async def _tick(self) -> None:
        if not self._primed:
            self._prime("a minute passed")
        self._want_reassess("tick")

    def _want_reassess(self, reason: str) -> None:
        if self._stopped:
            return
        self._reasons.append(reason)
        self._dirty = True
        if self._reassess_task is None or self._reassess_task.done():
            self._reassess_task = self._spawn(self._reassess_loop())

    async def _reassess_loop(self) -> None:
        while self._dirty and not self._stopped:
            self._dirty = False
            reasons, self._reasons = self._reasons, []
            try:
                await self._cycle(", ".join(dict.fromkeys(reasons)) or "tick")
            except Exception:
                log.exception("reassess failed")

    async def _cycle(self, reason: str) -> MonitorUpdate | None:
        async with self._cycle_lock:
            cfg = self.config
            if cfg is None:
                return None
            now = self.now_fn()
            results = [self.results[f.name] for f in cfg.settings.feeds if f.name in self.results]
            ev = await _in_thread(evaluate_results, cfg, results, now)
            a = ev.assessment
            records = event_records(a)
            new, changed = diff_events(self._states, records)
            self._states = {str(r["id"]): r for r in records}
            prev = self.evaluation
            self.evaluation = ev
            self._log_assessment(prev, ev, new, changed)

            entries: list[dict[str, Any]] = []
            if self._primed and not self.replay:
                if self._baseline is None:
                    self._baseline = await _in_thread(self._read_baseline, ev)
                entries = await self._record(ev, bool(new or changed))
                if cfg.settings.export.prometheus_textfile:
                    await self._export(ev)
            update = self._make_update(
                reason,
                ev,
                new=new,
                changed=changed,
                titles={str(r["id"]): str(r["title"]) for r in records},
                entries=entries,
            )
            self._emit(update)
            if not self.replay and ((self._primed and not self._stopped) or reason == "once"):
                self._alert_task = self._spawn(self._alert_stage(ev))
            return update

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
            history_error=self._history_error,
            export_error=self._export_error,
            primed=self._primed,
        )

    @staticmethod
    def _log_assessment(
        prev: Evaluation | None, ev: Evaluation, new: frozenset[str], changed: Mapping[str, tuple[str, ...]]
    ) -> None:
        a = ev.assessment
        if prev is None or prev.assessment.level != a.level:
            was = f" (was {prev.assessment.level.name})" if prev is not None else ""
            log.info("level %s%s, score %.0f/100: %s", a.level.name, was, a.score, "; ".join(a.reasons))
        else:
            log.debug("level %s, score %.1f/100", a.level.name, a.score)
        for eid in sorted(new):
            log.info("new event %s", eid)
        for eid, lines in sorted(changed.items()):
            log.info("event %s changed: %s", eid, "; ".join(lines))
        if ev.feed_failure:
            log.warning("%s", ev.feed_failure)

    # -- history -------------------------------------------------------------------------------

    def _store(self, cfg: Config) -> HistoryStore:
        from riskmon.store.history import HistoryStore

        return HistoryStore(self.db_path, cfg.settings.history)

    async def _record(self, ev: Evaluation, changed: bool) -> list[dict[str, Any]]:
        now = ev.assessment.now
        minute = now.replace(second=0, microsecond=0)
        # At most one snapshot per minute of assessment time; a change in between still goes to
        # the event log at once.
        snapshot = self._snapshot_minute is None or minute > self._snapshot_minute or now < self._snapshot_minute
        if not snapshot and not changed:
            return []

        def work() -> list[dict[str, Any]]:
            store = self._store(ev.config)
            a = ev.assessment
            if snapshot:
                out = store.record_check(snapshot_of(a), event_records(a))
            else:
                out = store.record_events(now, event_records(a))
            for moved in store.recovered:
                log.warning("history file was unreadable; moved aside to %s", moved)
            return out

        try:
            entries = await _in_thread(work)
        except Exception as exc:
            self._set_history_error(f"history not recorded: {reason_of(exc)}")
            return []
        if snapshot:
            self._snapshot_minute = minute
        self._set_history_error(None)
        return entries

    def _set_history_error(self, error: str | None) -> None:
        if error != self._history_error:
            if error:
                log.warning("%s", error)
            elif self._history_error:
                log.info("history recorded again")
        self._history_error = error

    def _read_baseline(self, ev: Evaluation) -> _Baseline:
        """Where alerting starts: the events of the last snapshot (news is counted from there)
        and what each channel has been told, from history. A first run has neither."""
        now = ev.assessment.now
        ids = frozenset(e.id for e in ev.assessment.events)
        fresh = _Baseline(ids, now, {})
        if not self.db_path.exists():
            return fresh
        try:
            store = self._store(ev.config)
            last = store.last_snapshot()
            records = store.alerts()
        except Exception as exc:
            log.warning("history unreadable, alerting starts afresh: %s", reason_of(exc))
            return fresh
        by_channel: dict[str, list[dict[str, Any]]] = {}
        for r in records:  # oldest first
            if r.get("ok"):
                by_channel.setdefault(str(r.get("channel")), []).append(r)
        told = {cid: Told.from_records(rs) for cid, rs in by_channel.items()}
        if last is None:
            return _Baseline(ids, now, told)
        since = min(now, max(last["at"], now - OVERDUE_LOOKBACK))
        return _Baseline(frozenset(last["events"]), since, told)

    # -- exporters -----------------------------------------------------------------------------

    def _textfile_path(self, cfg: Config) -> Path | None:
        raw = cfg.settings.export.prometheus_textfile
        if not raw:
            return None
        path = Path(raw).expanduser()
        return path if path.is_absolute() else cfg.path / path

    def prometheus_text(self, ev: Evaluation) -> str:
        """The textfile's content: `check --format prometheus` plus whether the config is valid."""
        from riskmon.present.formats import prometheus

        ok = 0 if self.config_error else 1
        return prometheus(ev.assessment, feeds=ev.feeds, demo=ev.config.location.is_demo) + (
            "# HELP riskmon_config_ok 1 when the config files on disk are valid; 0 when the monitor "
            "runs on the last good config.\n"
            "# TYPE riskmon_config_ok gauge\n"
            f"riskmon_config_ok {ok}\n"
        )

    async def _export(self, ev: Evaluation) -> None:
        path = self._textfile_path(ev.config)
        if path is None:
            return
        from riskmon.fileio import write_textfile

        text = self.prometheus_text(ev)
        try:
            await _in_thread(write_textfile, path, text)
        except Exception as exc:
            error = f"textfile {path} not written: {reason_of(exc)}"
            if error != self._export_error:
                log.warning("%s", error)
            self._export_error = error
            return
        if self._export_error:
            log.info("textfile %s written again", path)
        self._export_error = None

    # -- alerts --------------------------------------------------------------------------------

    async def _alert_stage(self, ev: Evaluation) -> None:
        async with self._alert_lock:  # FIFO: cycles are notified in the order they ran
            try:
                await _in_thread(self._alerts_sync, ev)
            except Exception:
                log.exception("alerts failed")

    def _alerts_sync(self, ev: Evaluation) -> None:
        cfg, a = ev.config, ev.assessment
        now = a.now
        if not self._alerting:
            base = self._baseline or _Baseline(frozenset(e.id for e in a.events), now, {})
            self._known_ids = set(base.known_ids)
            self._alert_since = base.since
            self._told = dict(base.told)
            self._alerting = True
        channels = [(channel_id(c, i), c) for i, c in enumerate(cfg.settings.alerts)]
        senders = [(cid, c) for cid, c in channels if c.type != "healthchecks"]
        if senders:
            from riskmon.present.formats import assessment_to_dict

            since = self._alert_since or now
            doc = assessment_to_dict(a, feeds=ev.feeds)
            news = news_alerts(doc, now, set(self._known_ids), self._overdue(ev, since, now))
            for cid, channel in senders:
                self._deliver(ev, cid, channel, doc, news, now)
        self._known_ids.update(e.id for e in a.events)
        if self._alert_since is None or now > self._alert_since:
            self._alert_since = now
        for cid, channel in channels:
            if channel.type == "healthchecks":
                self._beat(ev, cid, channel, now)

    def _overdue(self, ev: Evaluation, since: datetime, now: datetime) -> list[dict[str, Any]]:
        """Playbook steps whose due moment passed in (since, now] and that are not done."""
        try:
            from riskmon.core.playbooks import effective_rules, plan
        except ImportError:  # pragma: no cover - playbooks ship with riskmon
            return []

        def falling(progress: Mapping[tuple[str, str], Mapping[str, Any]]) -> list[Any]:
            p = plan(ev.assessment, effective_rules(ev.config.playbooks), progress=progress, now=now)
            return [i for i in p.items() if i.step.overdue and not i.step.done and since < i.step.due <= now]

        try:
            items = falling({})
            if items and self.db_path.exists():  # only then is it worth reading what is done
                try:
                    progress = self._store(ev.config).steps()
                except Exception as exc:
                    log.warning("history unreadable, step progress unknown: %s", reason_of(exc))
                else:
                    items = falling(progress)
        except Exception as exc:  # a playbook problem must not stop alerting
            log.warning("playbooks: %s", reason_of(exc))
            return []
        return [{"event_id": i.key, "step_id": i.step.id, "text": i.step.text, "due": i.step.due} for i in items]

    def _deliver(
        self,
        ev: Evaluation,
        cid: str,
        channel: AlertSettings,
        doc: dict[str, Any],
        news: list[Alert],
        now: datetime,
    ) -> None:
        """Send what is due on one channel as one message. What this process knows the channel
        was told decides whether to look at all; the claim in history decides what goes out."""
        state = self._channels.setdefault(cid, _Channel())
        candidates = [*state.pending, *news]  # level news is worked out afresh every cycle
        due = due_alerts(channel, self._told.setdefault(cid, Told()), doc, candidates, now)
        if not due:
            state.pending = []
            return
        if state.retry_at is not None and time.monotonic() < state.retry_at:
            state.pending = _kept(due)
            log.debug("alert channel %s: backing off; %d alert(s) kept", cid, len(due))
            return
        ids: list[int] | None = None
        claimed = self._claim(ev, cid, channel, doc, candidates, now)
        if claimed is not None:
            fresh, ids = claimed
            for gone in {al.key for al in due} - {al.key for al in fresh}:
                log.info("alert %s via %s: already sent by another riskmon process", gone, cid)
            due = fresh
            if not due:
                state.pending = []
                return
        alert = _combine(due)
        result = dispatch(alert, channel, last_sent=None, now=now)
        self.deliveries.append(Delivery(now, cid, tuple(al.key for al in due), alert.title, result))
        if result.delivered:
            state.failures, state.retry_at, state.pending = 0, None, []
            told = self._told[cid]
            for al in due:
                told.learn(al.trigger, al.key, al.level, now)
            log.info("alert sent via %s: %s", cid, alert.title)
            return
        if ids:
            self._settle(ev, ids, result)
        if result.sent:
            state.failures += 1
            delay = min(CHANNEL_BACKOFF_MAX, CHANNEL_BACKOFF * 2 ** (state.failures - 1))
            state.retry_at = time.monotonic() + delay
            state.pending = _kept(due)
            log.warning(
                "alert channel %s failed (%s); %d alert(s) kept, next try in %.0f s or later",
                cid,
                result.error,
                len(due),
                delay,
            )
        else:
            state.pending = []
            log.debug("alert channel %s: skipped: %s", cid, result.skipped_reason)

    def _claim(
        self,
        ev: Evaluation,
        cid: str,
        channel: AlertSettings,
        doc: dict[str, Any],
        candidates: list[Alert],
        now: datetime,
    ) -> tuple[list[Alert], list[int]] | None:
        """Record in history, as sent, the alerts still due on `cid` by what history says it was
        told by any riskmon process; in one transaction, so no two processes send the same news.
        Returns them with their record ids; None when history cannot be used (then this process's
        own knowledge decides, and the send is not recorded)."""
        picked: list[Alert] = []

        def decide(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
            told = self._told[cid] = Told.from_records(records)
            picked[:] = due_alerts(channel, told, doc, candidates, now)
            return [
                {"at": now, "channel": cid, "trigger": al.trigger, "key": al.key, "level": al.level, "ok": True}
                for al in picked
            ]

        try:
            ids = self._store(ev.config).claim_alerts(cid, decide)
        except Exception as exc:
            log.warning(
                "history unusable, alerts via %s are sent without looking at what other riskmon processes "
                "sent, and not recorded (they may be sent again): %s",
                cid,
                reason_of(exc),
            )
            return None
        return picked, ids

    def _settle(self, ev: Evaluation, ids: list[int], result: DeliveryResult) -> None:
        """Claimed alerts that were not delivered: history says so, and they are due again."""
        try:
            self._store(ev.config).settle_alerts(ids, ok=False, error=result.error or result.skipped_reason)
        except Exception as exc:
            log.warning("failed alert not marked in history (no process retries it until it is): %s", reason_of(exc))

    def _beat(self, ev: Evaluation, cid: str, channel: AlertSettings, now: datetime) -> None:
        state = self._channels.setdefault(cid, _Channel())
        level = "UNKNOWN" if ev.feed_failure or self.config_error else ev.assessment.level.name
        mono = time.monotonic()
        if state.retry_at is not None and mono < state.retry_at:
            return
        if level == state.last_beat_level and state.last_beat is not None and mono - state.last_beat < HEARTBEAT_EVERY:
            return
        result = heartbeat(channel, level, now)
        self.deliveries.append(Delivery(now, cid, ("heartbeat",), f"heartbeat {level}", result))
        if result.ok:
            state.failures, state.retry_at = 0, None
            state.last_beat, state.last_beat_level = mono, level
        else:
            state.failures += 1
            state.retry_at = mono + min(CHANNEL_BACKOFF_MAX, CHANNEL_BACKOFF * 2 ** (state.failures - 1))


def _kept(alerts: list[Alert]) -> list[Alert]:
    """What a channel keeps for its next try: level news is worked out again then (the level
    may have moved on), everything else is kept."""
    return [al for al in alerts if al.trigger != "level_change"]


def _combine(alerts: list[Alert]) -> Alert:
    """Several alerts due on one channel in one cycle, as one message led by the first."""
    if len(alerts) == 1:
        return alerts[0]
    lead = alerts[0]
    return Alert(
        lead.trigger,
        lead.key,
        f"{lead.title} (+{len(alerts) - 1} more)",
        "\n\n".join(al.message for al in alerts),
        lead.level,
        lead.at,
        lead.data,
        edge=any(al.edge for al in alerts),
    )
