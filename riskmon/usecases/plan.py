"""The playbook plan: the one place that matches the playbook rules in force against an
assessment. `check`, `playbook`, `report`, the daemon's overdue-step alerts and the dashboard all
get their checklists here (through `Evaluation.plan` or `build_plan`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from riskmon.core.engine import Assessment
    from riskmon.core.playbooks import Plan, Progress
    from riskmon.paths import ConfigLocation
    from riskmon.sources.config.load import Config


def build_plan(
    config: Config, assessment: Assessment, progress: Progress | None = None, now: datetime | None = None
) -> Plan:
    """The config's playbook rules merged with the bundled ones, matched against `assessment`,
    every step dated as of `now` (default: the assessment's) and ticked as `progress` (history's
    done steps) says."""
    from riskmon.core.playbooks import plan
    from riskmon.sources.config.load import playbook_rules

    return plan(assessment, playbook_rules(config), progress=progress or {}, now=now)


def load_progress(
    db: str | None, location: ConfigLocation | None = None, lock_timeout: float | None = None
) -> Progress:
    """Which steps history says are done; nothing when there is no history file yet. `location`:
    the config the checklist is for (the bundled demo's ticks live in its own history file)."""
    from riskmon.paths import resolve_db_path

    path = resolve_db_path(db, location)
    if not path.exists():
        return {}
    from riskmon.store.history import LOCK_TIMEOUT, HistoryStore

    return HistoryStore(path, lock_timeout=LOCK_TIMEOUT if lock_timeout is None else lock_timeout).steps()
