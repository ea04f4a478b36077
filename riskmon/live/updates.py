"""What the monitor reports: one `MonitorUpdate` per cycle, one `Delivery` per notification tried."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from riskmon.live.alert_channels import DeliveryResult
    from riskmon.usecases.evaluate import Evaluation


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
