"""Playbooks: what to do about each event and about the business as it stands, and by when.

Rules are data (`playbooks.toml`, validated as `playbook_rules.PlaybookRule`): the bundled set
plus the user's file, merged by id (`effective_rules`). `plan()` matches them against an
Assessment (`match`: event conditions, standing conditions and the business facts a rule or a
step `requires`), fills their `{placeholders}` in for this seller (`context`), dates every step
relative to the event's effective date, never before it was public, or to `now` for standing
rules (`steps`), merges a step that several events share into one, ticks the steps history says
are done (`plan`) and ranks the open ones as next actions (`actions`).

Pure, like the engine: no clock, no I/O; the bundled rules are read by the caller
(`riskmon.sources.config.load.bundled_playbooks`). It is on `riskmon check`'s cold-start path,
so nothing heavy is imported here.
"""

from riskmon.core.playbook_rules import DEFAULT_MIN_PROBABILITY
from riskmon.core.playbooks.actions import (
    ACTIONS,
    FOLD_DAYS,
    MIN_WEIGHT,
    SOON_DAYS,
    Action,
    Item,
    Overdue,
)
from riskmon.core.playbooks.context import fill
from riskmon.core.playbooks.facts import display, exposed, fits
from riskmon.core.playbooks.match import STANDING_WEIGHT, match_event, match_standing
from riskmon.core.playbooks.plan import Plan, effective_rules, plan
from riskmon.core.playbooks.steps import DEADLINES_RULE, STANDING, Progress, Step, Suggestion

__all__ = [
    "ACTIONS",
    "DEADLINES_RULE",
    "DEFAULT_MIN_PROBABILITY",
    "FOLD_DAYS",
    "MIN_WEIGHT",
    "SOON_DAYS",
    "STANDING",
    "STANDING_WEIGHT",
    "Action",
    "Item",
    "Overdue",
    "Plan",
    "Progress",
    "Step",
    "Suggestion",
    "display",
    "effective_rules",
    "exposed",
    "fill",
    "fits",
    "match_event",
    "match_standing",
    "plan",
]
