"""What alerting reads from history: where it starts after a (re)start (`Baseline`: the last
snapshot's events and what each channel has been told), the playbook steps that fell overdue since
the last cycle, and the most urgent open step for an Alertmanager alert. A history that cannot be
read is logged and alerting goes on as on a first run (riskmon.live.notifier)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskmon.errors import reason_of
from riskmon.i18n import _
from riskmon.live.alert_rules import Told
from riskmon.live.recorder import history_store
from riskmon.store.snapshots import business_of

if TYPE_CHECKING:
    from riskmon.usecases.evaluate import Evaluation

# The monitor's logger: these lines have always been the monitor's, and logs are filtered by it.
log = logging.getLogger("riskmon.live.monitor")

OVERDUE_LOOKBACK = timedelta(days=7)
"""After a restart, steps that fell overdue at most this long ago (and after the last snapshot)
are still alerted; older ones are shown by the TUI and `check -v`, not notified."""


@dataclass(frozen=True)
class Baseline:
    """Where alerting starts after a (re)start, from history."""

    known_ids: frozenset[str]
    since: datetime
    told: dict[str, Told]
    """Channel id -> what it has been told (a channel missing here: nothing, so OK)."""


def read_baseline(db_path: Path, ev: Evaluation) -> Baseline:
    """Where alerting starts: the events of the last snapshot (news is counted from there) and
    what each channel has been told, from history. A first run has neither."""
    now = ev.assessment.now
    ids = frozenset(e.id for e in ev.assessment.events)
    fresh = Baseline(ids, now, {})
    if not db_path.exists():
        return fresh
    try:
        store = history_store(db_path, ev.config)
        last = store.last_snapshot(business_of(ev.assessment))
        records = store.alerts()
    except Exception as exc:
        log.warning(_("history unreadable, alerting starts afresh: {reason}").format(reason=reason_of(exc)))
        return fresh
    by_channel: dict[str, list[dict[str, Any]]] = {}
    for r in records:  # oldest first
        if r.get("ok"):
            by_channel.setdefault(str(r.get("channel")), []).append(r)
    told = {cid: Told.from_records(rs) for cid, rs in by_channel.items()}
    if last is None:
        return Baseline(ids, now, told)
    since = min(now, max(last["at"], now - OVERDUE_LOOKBACK))
    return Baseline(frozenset(last["events"]), since, told)


def overdue_steps(db_path: Path, ev: Evaluation, since: datetime, now: datetime) -> list[dict[str, Any]]:
    """Playbook steps whose due moment passed in (since, now] and that are not done."""
    from riskmon.usecases.plan import build_plan

    def falling(progress: Mapping[tuple[str, str], Mapping[str, Any]]) -> list[Any]:
        p = build_plan(ev.config, ev.assessment, progress, now=now)
        return [i for i in p.items() if i.step.overdue and not i.step.done and since < i.step.due <= now]

    try:
        items = falling({})
        if items and db_path.exists():  # only then is it worth reading what is done
            try:
                progress = history_store(db_path, ev.config).steps()
            except Exception as exc:
                log.warning(_("history unreadable, step progress unknown: {reason}").format(reason=reason_of(exc)))
            else:
                items = falling(progress)
    except Exception as exc:  # a playbook problem must not stop alerting
        log.warning(_("playbooks: {reason}").format(reason=reason_of(exc)))
        return []
    return [{"event_id": i.key, "step_id": i.step.id, "text": i.step.text, "due": i.step.due} for i in items]


def next_action(db_path: Path, ev: Evaluation) -> str | None:
    """The most urgent open playbook step, as `check -v` lists it (done steps from history)."""
    from riskmon.core.playbooks import plan
    from riskmon.sources.config.load import playbook_rules

    try:
        progress = history_store(db_path, ev.config).steps() if db_path.exists() else {}
    except Exception as exc:
        log.warning(_("history unreadable, step progress unknown: {reason}").format(reason=reason_of(exc)))
        progress = {}
    try:
        lines = plan(ev.assessment, playbook_rules(ev.config), progress=progress).action_lines(1)
    except Exception as exc:  # a playbook problem must not stop alerting
        log.warning(_("playbooks: {reason}").format(reason=reason_of(exc)))
        return None
    return lines[0] if lines else None
