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
import logging
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from riskmon.errors import RiskmonError
from riskmon.live.alertmanager import AlertmanagerPush, level_alert
from riskmon.live.config_watch import ConfigWatcher
from riskmon.live.exporters import TextfileExporter, textfile_path
from riskmon.live.feed_polls import FeedPolls
from riskmon.live.notifier import Notifier
from riskmon.live.reassess import EventChanges
from riskmon.live.recorder import SnapshotRecorder
from riskmon.live.tasks import Tasks
from riskmon.live.threads import in_thread
from riskmon.live.updates import MonitorUpdate
from riskmon.paths import ConfigLocation
from riskmon.present.fleet import FleetRow, row_of, summary
from riskmon.present.prometheus import Samples, profile_samples, render, unknown_samples
from riskmon.sources.config.load import current_mtimes
from riskmon.sources.fleet import Fleet, fleet_mtimes, load_fleet, profile_dirs
from riskmon.usecases.fleet import SOURCE, feed_cache, history_path, profile_results

if TYPE_CHECKING:
    from riskmon.live.jobs import Jobs
    from riskmon.sources.config.load import Config
    from riskmon.sources.feeds.feeds import FeedResult
    from riskmon.usecases.evaluate import Evaluation

log = logging.getLogger("riskmon.live.fleet")

T = TypeVar("T")

RELOAD_EVERY = 5.0
"""Seconds between looks at the fleet directory and every profile's config files."""
TICK = 300.0
"""Seconds between reassessments of every profile when nothing changes: at most one history
snapshot per profile this often (cron'd checks every 5 minutes write as many)."""
PUSH_EVERY = 15.0
"""Seconds between looks at which Alertmanager alerts are due a re-post."""
PRIME_AFTER = 60.0
"""Seconds after start after which outputs begin even if a feed has not answered yet."""
SHARED = "fleet"
"""The job group of the shared feeds (a profile's own feeds: "profile/<name>")."""


@dataclass(frozen=True)
class _FeedList:
    feeds: tuple[Any, ...]


@dataclass(frozen=True)
class SharedFeeds:
    """fleet.toml's feeds, as a `FeedSource` (relative paths start at the fleet directory)."""

    path: Path
    settings: _FeedList


@dataclass(frozen=True)
class FleetUpdate:
    """What the fleet monitor reports after a profile's cycle (`profile` and its `update`), or a
    change of the fleet itself (profiles added or removed, fleet.toml reloaded: `profile` None)."""

    at: datetime
    profile: str | None
    update: MonitorUpdate | None = None


@dataclass
class Member:
    """One profile, live."""

    name: str
    path: Path
    labels: dict[str, str]
    watcher: ConfigWatcher
    polls: FeedPolls
    recorder: SnapshotRecorder
    notifier: Notifier
    changes: EventChanges = field(default_factory=EventChanges)
    config: Config | None = None
    """The profile's own config as last loaded and valid (without the shared events)."""
    evaluation: Evaluation | None = None
    update: MonitorUpdate | None = None
    error: RiskmonError | None = None
    """Why the profile has never been assessed (its config was never valid)."""
    seen_mtimes: dict[str, float] | None = None
    added_at: float = field(default_factory=time.monotonic)
    notified: bool = False
    """Alerts were looked at once for it (so a removed channel's alerts are resolved)."""

    @property
    def group(self) -> str:
        return f"profile/{self.name}"

    def row(self) -> FleetRow:
        """The profile's row: UNKNOWN with the config problem while its files are invalid."""
        ev = self.evaluation
        if ev is None:
            return FleetRow(self.name, "UNKNOWN", reason=self.error.message if self.error else "not assessed yet")
        if self.watcher.error is not None:
            return row_of(self.name, ev.assessment, "UNKNOWN", self.watcher.error)
        if ev.feed_failure:
            return row_of(self.name, ev.assessment, "UNKNOWN", ev.feed_failure)
        return row_of(self.name, ev.assessment)


class FleetMonitor:
    """Every profile of a fleet directory, live. See the module doc.

    Call `load()` (raises ConfigError when fleet.toml is invalid or the directory is missing),
    then `start()` inside a running asyncio loop, and `aclose()` to end it. `run_once()` does one
    of everything without the scheduler (tests, benchmarks).
    """

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

    # -- public API ----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._jobs is not None and not self._stopped

    @property
    def busy(self) -> bool:
        """Profiles are waiting for (or in) a reassessment."""
        return bool(self._dirty) or (self._worker is not None and not self._worker.done())

    def rows(self) -> list[FleetRow]:
        """Every profile's row, in name order."""
        return [self.members[name].row() for name in sorted(self.members)]

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

    # -- the fleet and its profiles ------------------------------------------------------------

    async def _apply_fleet(self, fleet: Fleet) -> None:
        old, self.fleet = self.fleet, fleet
        gone, added = self.shared.replace(SharedFeeds(fleet.path, _FeedList(fleet.feeds)))
        for name in gone:
            if self._jobs is not None:
                self._jobs.unschedule(name, SHARED)
        if added:
            await self.shared.load_cached(SharedFeeds(fleet.path, _FeedList(fleet.feeds)), added)
            if self._jobs is not None:
                self._jobs.schedule_polls(added, self._poll_shared, SHARED)
        self.shared.prime_if_nothing_awaited("no shared feeds to wait for")
        for m in self.members.values():
            self._label(m, fleet)
        if old is not None:
            log.info("fleet.toml reloaded: reassessing every profile")
            self._want_all("fleet")

    def _label(self, m: Member, fleet: Fleet) -> None:
        m.labels = fleet.profile_labels(m.name)
        m.notifier.labels = m.labels
        m.notifier.extra_channels = fleet.alerts_for(m.name)

    def _member(self, name: str, path: Path) -> Member:
        db = history_path(self.data, name)
        m = Member(
            name=name,
            path=path,
            labels={"profile": name},
            watcher=ConfigWatcher(ConfigLocation(path, SOURCE)),
            polls=self._polls(feed_cache(self.data, name)),
            recorder=SnapshotRecorder(db),
            notifier=Notifier(db, labels={"profile": name}, pusher=self.pusher),
        )
        if self.fleet is not None:
            self._label(m, self.fleet)
        return m

    async def _sync_profiles(self, *, force: bool) -> None:
        """Profiles added, removed or edited on disk since the last look."""
        found = await in_thread(_scan, self.path, list(self.members))
        dirs, mtimes = found
        for name in [n for n in self.members if n not in dirs]:
            self._remove(name)
        for name, path in dirs.items():
            if name not in self.members:
                self.members[name] = self._member(name, path)
                if self._jobs is not None:
                    log.info("profile %s added", name)
                self._emit(None)
            m = self.members[name]
            now_mtimes = mtimes.get(name)
            if force or m.seen_mtimes is None or now_mtimes != m.seen_mtimes:
                m.seen_mtimes = now_mtimes
                await self._load_member(m, force=m.config is None and m.error is None)

    def _remove(self, name: str) -> None:
        m = self.members.pop(name)
        if self._jobs is not None:
            for feed in m.polls.feeds:
                self._jobs.unschedule(feed, m.group)
        self._dirty.pop(name, None)
        self.pusher.set((), name, None)  # its alerts resolve
        self._set_samples(name, None)
        log.info("profile %s removed", name)
        self._emit(None)

    async def _load_member(self, m: Member, *, force: bool) -> None:
        try:
            cfg = await m.watcher.look(m.config, force=force)
        except RiskmonError as exc:
            if m.config is None:
                m.error = exc
            self._want(m.name, "config")
            return
        if cfg is None:
            return
        reloaded = m.config is not None or m.error is not None
        m.config, m.error = cfg, None
        gone, added = m.polls.replace(cfg)
        for feed in gone:
            if self._jobs is not None:
                self._jobs.unschedule(feed, m.group)
        if added:
            await m.polls.load_cached(cfg, added)
            if self._jobs is not None:
                self._jobs.schedule_polls(added, self._poller(m.name), m.group)
        m.polls.prime_if_nothing_awaited("no feeds of its own")
        self._want(m.name, "reload" if reloaded else "startup")

    async def _reload_job(self) -> None:
        # Outputs wait for a feed's first poll, but not for ever: a hanging feed must not keep a
        # profile's history and alerts off (a profile added later gets its own minute).
        mono = time.monotonic()
        if not self.shared.primed and mono - self._started_at >= PRIME_AFTER:
            self.shared.prime("a minute passed")
        for m in self.members.values():
            if not m.polls.primed and mono - m.added_at >= PRIME_AFTER:
                m.polls.prime("a minute passed")
        await self._reload(force=False)

    async def _reload(self, *, force: bool) -> None:
        async with self._reload_lock:
            await self._reload_fleet(force=force)
            await self._sync_profiles(force=force)

    async def _reload_fleet(self, *, force: bool) -> None:
        fleet = self.fleet
        events_file = fleet.events_file if fleet is not None else None
        mtimes = await in_thread(fleet_mtimes, self.path, events_file)
        if not force and (mtimes == self._fleet_bad or (fleet is not None and mtimes == fleet.mtimes)):
            return
        try:
            new = await in_thread(load_fleet, self.path)
        except RiskmonError as exc:
            if exc.message != self.fleet_error:
                log.warning("fleet.toml invalid (keeping the last good one): %s", exc.message)
                for line in exc.details.splitlines()[1:]:
                    log.warning("  %s", line)
            self.fleet_error, self._fleet_bad = exc.message, mtimes
            return
        if self.fleet_error is not None:
            log.info("fleet.toml is valid again; using it")
        self.fleet_error, self._fleet_bad = None, None
        for note in new.notes:
            log.warning("%s", note)
        await self._apply_fleet(new)

    def _prime_all(self, why: str) -> None:
        self.shared.prime(why)
        for m in self.members.values():
            m.polls.prime(why)

    # -- feeds ---------------------------------------------------------------------------------

    async def _poll_shared(self, name: str) -> None:
        if await self.shared.poll(name):
            for m in self.members.values():
                if m.config is None or name not in {f.name for f in m.config.settings.feeds}:
                    self._want(m.name, f"poll:{name}")

    def _poller(self, profile: str) -> Callable[[str], Coroutine[Any, Any, None]]:
        async def poll(name: str) -> None:
            m = self.members.get(profile)
            if m is not None and await m.polls.poll(name):
                self._want(profile, f"poll:{name}")

        return poll

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

    def _want_all(self, reason: str) -> None:
        for name in sorted(self.members):
            self._want(name, reason)

    def _want(self, name: str, reason: str) -> None:
        """Reassess profile `name` soon; requests made before it starts are one reassessment."""
        if self._stopped:
            return
        self._dirty.setdefault(name, []).append(reason)
        if self._worker is None or self._worker.done():
            self._worker = self._spawn(self._work())

    async def _work(self) -> None:
        while self._dirty and not self._stopped:
            name = next(iter(self._dirty))
            reasons = self._dirty.pop(name)
            m = self.members.get(name)
            if m is not None:
                try:
                    await self._cycle(m, ", ".join(dict.fromkeys(reasons)))
                except Exception:
                    log.exception("profile %s: reassess failed", name)
            if not self._dirty:
                await self._after_pass()

    async def _cycle(self, m: Member, reason: str) -> None:
        fleet, cfg = self.fleet, m.config
        if cfg is None or fleet is None:
            await self._cycle_unknown(m)
            return
        own = [f.name for f in cfg.settings.feeds]
        results = profile_results(_results(self.shared), _results(m.polls), own)
        ev = await in_thread(_evaluate, fleet.with_shared_events(cfg), results, self.now_fn())
        if self.members.get(m.name) is not m:
            return  # removed on disk meanwhile
        new, changed, titles = m.changes.step(ev)
        prev, m.evaluation = m.evaluation, ev
        _log_change(m.name, prev, ev, new, changed)
        outputs = self.shared.primed and m.polls.primed and not self.replay
        entries: list[dict[str, Any]] = []
        if outputs:
            await m.notifier.read_baseline(ev)
            entries = await m.recorder.record(ev, bool(new or changed))
        config_ok = m.watcher.error is None
        samples = profile_samples(ev.assessment, m.labels, feeds=ev.feeds, config_ok=config_ok)
        self._set_samples(m.name, samples)
        own_textfile = textfile_path(cfg)
        if outputs and own_textfile is not None:  # as its own daemon would write it
            await self.exporter.write(own_textfile, render([samples]))
        m.update = MonitorUpdate(
            at=ev.assessment.now,
            reason=reason,
            evaluation=ev,
            new_events=new,
            changed_events=dict(changed),
            titles=dict(titles),
            log_entries=tuple(entries),
            config_error=m.watcher.error,
            problems=m.watcher.problems,
            feeds=tuple(ev.feeds),
            next_polls=self.next_polls(m.name),
            history_error=m.recorder.error,
            export_error=self.exporter.error,
            primed=self.shared.primed and m.polls.primed,
        )
        self._emit(m.name, m.update)
        channels = [*cfg.settings.alerts, *m.notifier.extra_channels]
        if outputs and (channels or m.notified):
            m.notified = True
            await m.notifier.notify(ev, config_broken=not config_ok)

    async def _cycle_unknown(self, m: Member) -> None:
        """A profile without a valid config: UNKNOWN in its row, its samples and, through the
        fleet's routes, Alertmanager."""
        self._set_samples(m.name, unknown_samples(m.labels, config_ok=m.error is None))
        self._emit(m.name, None)
        if self.replay or self.fleet is None:
            return
        problems = m.watcher.problems or ((m.error.message,) if m.error else ())
        alert = level_alert(
            "UNKNOWN",
            m.labels,
            summary=f"{m.name}: cannot be assessed",
            reasons=problems[:5],
            next_action=f"fix the config: riskmon config validate --config {m.path}",
            runbook=f"riskmon config validate --config {m.path}",
        )
        self.pusher.set(self.fleet.alerts_for(m.name), m.name, alert)

    async def _after_pass(self) -> None:
        """After the waiting profiles were reassessed: the textfile, Alertmanager, the counts."""
        self.passes += 1
        if self.passes == 1:
            counts = summary(r.level for r in self.rows())
            log.info(
                "fleet %s: %d profile(s): %s",
                self.path,
                len(self.members),
                ", ".join(f"{n} {k}" for k, n in counts.items() if n) or "none",
            )
        fleet = self.fleet
        if fleet is not None and fleet.textfile is not None and not self.replay:
            text = await in_thread(self.metrics_text)
            await self.exporter.write(fleet.textfile, text)
        if not self.replay:
            await in_thread(self.pusher.flush)
        self._emit(None)

    def _set_samples(self, name: str, samples: Samples | None) -> None:
        with self._samples_lock:
            if samples is None:
                self._samples.pop(name, None)
            else:
                self._samples[name] = samples
            self._version += 1
            self._rendered = None


def _results(polls: FeedPolls) -> list[FeedResult]:
    """The latest result of each feed, in the configured order."""
    return [polls.results[name] for name in polls.feeds if name in polls.results]


def _evaluate(cfg: Config, results: list[FeedResult], now: datetime) -> Evaluation:
    from riskmon.usecases.evaluate import evaluate_results

    return evaluate_results(cfg, results, now)


def _scan(fleet_dir: Path, known: list[str]) -> tuple[dict[str, Path], dict[str, dict[str, float]]]:
    """The profile directories, and each one's config files' modification times (one thread,
    one pass: a thousand profiles cost a few thousand stat calls)."""
    dirs = profile_dirs(fleet_dir)
    mtimes: dict[str, dict[str, float]] = {}
    for name, path in dirs.items():
        try:
            mtimes[name] = current_mtimes(path)
        except OSError:
            mtimes[name] = {}
    return dirs, mtimes


def _log_change(
    name: str, prev: Evaluation | None, ev: Evaluation, new: frozenset[str], changed: dict[str, Any]
) -> None:
    """A profile's change of level at INFO (its first level only at DEBUG: the fleet's first pass
    logs the counts); new and changed events at INFO, a failed required feed at WARNING."""
    a = ev.assessment
    if prev is None:
        log.debug("%s: level %s, score %.0f/100", name, a.level.name, a.score)
    elif prev.assessment.level != a.level:
        was = prev.assessment.level.name
        log.info("%s: level %s (was %s), score %.0f/100: %s", name, a.level.name, was, a.score, "; ".join(a.reasons))
    if prev is not None:
        for eid in sorted(new):
            log.info("%s: new event %s", name, eid)
        for eid, lines in sorted(changed.items()):
            log.info("%s: event %s changed: %s", name, eid, "; ".join(lines))
    if ev.feed_failure and (prev is None or prev.feed_failure != ev.feed_failure):
        log.warning("%s: %s", name, ev.feed_failure)
