"""Snapshot recording: what each cycle writes to history.

At most one snapshot per minute of assessment time; an event change in between goes to the event
log at once. A history that cannot be written is logged once and reported in the update
(`history_error`) until it can be written again; it never stops the loop.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskmon.errors import reason_of
from riskmon.i18n import _
from riskmon.live.threads import in_thread
from riskmon.store.snapshots import event_records, snapshot_of

if TYPE_CHECKING:
    from riskmon.sources.config.load import Config
    from riskmon.store.history import HistoryStore
    from riskmon.usecases.evaluate import Evaluation

# The monitor's logger: these lines have always been the monitor's, and logs are filtered by it.
log = logging.getLogger("riskmon.live.monitor")


def history_store(db_path: Path, cfg: Config) -> HistoryStore:
    """The history file with the config's retention (imported here: `daemon --once` and the
    TUI's first paint pay for tinydb only when history is used)."""
    from riskmon.store.history import HistoryStore

    return HistoryStore(db_path, cfg.settings.history)


class SnapshotRecorder:
    """Writes each cycle's assessment to history."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.error: str | None = None
        self._snapshot_minute: datetime | None = None

    async def record(self, ev: Evaluation, changed: bool) -> list[dict[str, Any]]:
        """A snapshot when a new minute began (or the clock went back), else the event log when
        something `changed`; returns the event-log entries history wrote."""
        now = ev.assessment.now
        minute = now.replace(second=0, microsecond=0)
        last = self._snapshot_minute
        snapshot = last is None or minute > last or now < last
        if not snapshot and not changed:
            return []
        try:
            entries = await in_thread(self._write, ev, snapshot)
        except Exception as exc:
            self._set_error(_("history not recorded: {reason}").format(reason=reason_of(exc)))
            return []
        if snapshot:
            self._snapshot_minute = minute
        self._set_error(None)
        return entries

    def _write(self, ev: Evaluation, snapshot: bool) -> list[dict[str, Any]]:
        store = history_store(self.db_path, ev.config)
        a = ev.assessment
        if snapshot:
            out = store.record_check(snapshot_of(a), event_records(a))
        else:
            out = store.record_events(a.now, event_records(a))
        for moved in store.recovered:
            log.warning(_("history file was unreadable; moved aside to {path}").format(path=moved))
        return out

    def _set_error(self, error: str | None) -> None:
        if error != self.error:
            if error:
                log.warning("%s", error)
            elif self.error:
                log.info(_("history recorded again"))
        self.error = error
