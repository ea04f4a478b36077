"""Reassessment: requests coalesced into cycles, and what changed in the events between cycles.

A reassess is asked for every minute and after every poll or reload that changed something.
Requests that arrive while one runs are coalesced into one more run, whose reason lists them all.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any

from riskmon.i18n import _
from riskmon.present.text import reasons
from riskmon.store.snapshots import diff_events, event_records

if TYPE_CHECKING:
    from riskmon.usecases.evaluate import Evaluation

# The monitor's logger: these lines have always been the monitor's, and logs are filtered by it.
log = logging.getLogger("riskmon.live.monitor")

Spawn = Callable[[Coroutine[Any, Any, None]], "asyncio.Task[None]"]


class Requests:
    """Reassess requests: `want(reason)` runs `cycle(reasons)` soon, once for any number of
    requests made before it starts."""

    def __init__(
        self, cycle: Callable[[str], Coroutine[Any, Any, object]], spawn: Spawn, stopped: Callable[[], bool]
    ) -> None:
        self._cycle = cycle
        self._spawn = spawn
        self._stopped = stopped
        self._dirty = False
        self._reasons: list[str] = []
        self.task: asyncio.Task[None] | None = None
        """The run in progress (or the last one)."""

    def want(self, reason: str) -> None:
        if self._stopped():
            return
        self._reasons.append(reason)
        self._dirty = True
        if self.task is None or self.task.done():
            self.task = self._spawn(self._loop())

    async def _loop(self) -> None:
        while self._dirty and not self._stopped():
            self._dirty = False
            reasons, self._reasons = self._reasons, []
            try:
                await self._cycle(", ".join(dict.fromkeys(reasons)) or "tick")
            except Exception:
                log.exception("reassess failed")


class EventChanges:
    """Which events are new or changed since the previous cycle."""

    def __init__(self) -> None:
        self._states: dict[str, dict[str, Any]] | None = None

    def step(self, ev: Evaluation) -> tuple[frozenset[str], dict[str, tuple[str, ...]], dict[str, str]]:
        """New event ids, changed ones (id -> one line per change), and every event's title."""
        records = event_records(ev.assessment)
        new, changed = diff_events(self._states, records)
        self._states = {str(r["id"]): r for r in records}
        return new, dict(changed), {str(r["id"]): str(r["title"]) for r in records}


def log_assessment(
    prev: Evaluation | None, ev: Evaluation, new: frozenset[str], changed: Mapping[str, tuple[str, ...]]
) -> None:
    """A change of level, new and changed events and feed failures at INFO/WARNING."""
    a = ev.assessment
    if prev is None or prev.assessment.level != a.level:
        was = _(" (was {level})").format(level=prev.assessment.level.name) if prev is not None else ""
        said = _("level {level}{was}, score {score}/100: {reasons}")
        log.info(said.format(level=a.level.name, was=was, score=f"{a.score:.0f}", reasons=_("; ").join(reasons(a))))
    else:
        log.debug("level %s, score %.1f/100", a.level.name, a.score)
    for eid in sorted(new):
        log.info(_("new event {id}").format(id=eid))
    for eid, lines in sorted(changed.items()):
        log.info(_("event {id} changed: {changes}").format(id=eid, changes="; ".join(lines)))
    if ev.feed_failure:
        log.warning("%s", ev.feed_failure)
