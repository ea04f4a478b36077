"""The fleet's profiles, one `Member` each (its config watcher, feed polls, history recorder and
notifier), what the fleet monitor reports (`FleetUpdate`), and the helpers of a profile's cycle.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskmon.errors import RiskmonError
from riskmon.i18n import _
from riskmon.live.config_watch import ConfigWatcher
from riskmon.live.feed_polls import FeedPolls
from riskmon.live.notifier import Notifier
from riskmon.live.reassess import EventChanges
from riskmon.live.recorder import SnapshotRecorder
from riskmon.live.updates import MonitorUpdate
from riskmon.present.fleet import FleetRow, row_of, waiting_row
from riskmon.present.text import reasons
from riskmon.sources.config.load import current_mtimes
from riskmon.sources.fleet import profile_dirs

if TYPE_CHECKING:
    from riskmon.sources.config.load import Config
    from riskmon.sources.feeds.feeds import FeedResult
    from riskmon.usecases.evaluate import Evaluation


log = logging.getLogger("riskmon.live.fleet")
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
            return waiting_row(self.name, self.error.message if self.error else None)
        if self.watcher.error is not None:
            return row_of(self.name, ev.assessment, "UNKNOWN", self.watcher.error)
        if ev.feed_failure:
            return row_of(self.name, ev.assessment, "UNKNOWN", ev.feed_failure)
        return row_of(self.name, ev.assessment)


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
        was = _(" (was {level})").format(level=prev.assessment.level.name)
        said = _("level {level}{was}, score {score}/100: {reasons}")
        why = _("; ").join(reasons(a))
        log.info(f"{name}: " + said.format(level=a.level.name, was=was, score=f"{a.score:.0f}", reasons=why))
    if prev is not None:
        for eid in sorted(new):
            log.info(f"{name}: " + _("new event {id}").format(id=eid))
        for eid, lines in sorted(changed.items()):
            log.info(f"{name}: " + _("event {id} changed: {changes}").format(id=eid, changes="; ".join(lines)))
    if ev.feed_failure and (prev is None or prev.feed_failure != ev.feed_failure):
        log.warning("%s: %s", name, ev.feed_failure)
