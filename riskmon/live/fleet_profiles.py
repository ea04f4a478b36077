"""The fleet and its profiles on disk: fleet.toml (re)loaded, profile directories added, removed and
reloaded, and the shared and per-profile feed polls scheduled for them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from riskmon.errors import RiskmonError
from riskmon.i18n import _
from riskmon.live.config_watch import ConfigWatcher
from riskmon.live.fleet_cycles import FleetCycles
from riskmon.live.fleet_members import PRIME_AFTER, SHARED, Member, SharedFeeds, _FeedList, _scan, log
from riskmon.live.notifier import Notifier
from riskmon.live.recorder import SnapshotRecorder
from riskmon.live.threads import in_thread
from riskmon.paths import ConfigLocation
from riskmon.sources.fleet import Fleet, fleet_mtimes, load_fleet
from riskmon.usecases.fleet import SOURCE, feed_cache, history_path


class FleetProfiles(FleetCycles):
    """fleet.toml, the profile directories and their feeds (see riskmon.live.fleet)."""

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
            log.info(_("fleet.toml reloaded: reassessing every profile"))
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
                    log.info(_("profile {name} added").format(name=name))
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
        log.info(_("profile {name} removed").format(name=name))
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
                log.warning(_("fleet.toml invalid (keeping the last good one): {message}").format(message=exc.message))
                for line in exc.details.splitlines()[1:]:
                    log.warning("  %s", line)
            self.fleet_error, self._fleet_bad = exc.message, mtimes
            return
        if self.fleet_error is not None:
            log.info(_("fleet.toml is valid again; using it"))
        self.fleet_error, self._fleet_bad = None, None
        for note in new.notes:
            log.warning("%s", note)
        await self._apply_fleet(new)

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
