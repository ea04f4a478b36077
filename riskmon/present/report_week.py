"""The review's week: how far ahead and back the weekly report looks, and the steps that fall in
it. Shared by the Markdown report (its "This week") and the JSON report (`this_week`)."""

from __future__ import annotations

from datetime import timedelta

from riskmon.core.playbooks import Item, Plan

WEEK = timedelta(days=7)
RECENT = timedelta(days=30)
""""This week" lists steps overdue by up to this much; older ones stay in the full checklist."""


def this_week(p: Plan) -> tuple[list[Item], int]:
    """Open steps due within the next 7 days or overdue by up to 30, by due date; and how many
    open steps are overdue by longer (they stay in the checklist, but would bury this week's)."""
    start, end = p.now - RECENT, p.now + WEEK
    due = [i for i in p.items() if not i.step.done and i.step.due <= end]
    recent = [i for i in due if i.step.due >= start]
    return recent, len(due) - len(recent)
