"""Words that mean what they say: countdowns, statuses, "lost" and "late", how long ago.

A countdown is about a date; a status is about what is in force. They are said apart: an event
whose effective date has passed is "12 d ago" in the timeline and "paused" or "in effect" by its
status, never "in effect" because of its date. Pure; no Textual.
"""

from __future__ import annotations

from datetime import datetime

STATUS_WORDS = {"in_effect": "in effect"}
"""Statuses as words (the rest read as they are spelt)."""
LOST = "lost"
"""Money gone for good (loss, expected loss)."""
LATE = "late"
"""Cash timing: money that arrives late or leaves early, never part of a loss."""


def days_between(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 86400.0


def span(days: float) -> str:
    """'42 min', '5 h', '12 d', '3 mo' for a number of days, either sign (rounded as `check` does)."""
    d = abs(days)
    if d < 1 / 24:
        return f"{max(1, round(d * 1440))} min"
    if d < 1:
        return f"{round(d * 24)} h"
    if d < 90:
        return f"{round(d)} d"
    return f"{d / 30.44:.0f} mo"


def countdown(days_until: float) -> str:
    """'in 12 d', 'in 5 h', or '12 d ago' once the date has passed (whatever the status)."""
    return f"in {span(days_until)}" if days_until > 0 else f"{span(days_until)} ago"


def date_passed(days_until: float) -> str:
    """'in 12 d' before the date; 'effective date passed 12 d ago' after it."""
    return countdown(days_until) if days_until > 0 else f"effective date passed {span(days_until)} ago"


def deadline(days_until: float) -> str:
    """A deadline: 'in 3 d', or 'passed 3 d ago'."""
    return countdown(days_until) if days_until > 0 else f"passed {span(days_until)} ago"


def status(name: str) -> str:
    """'in effect' for in_effect; every other status as spelt."""
    return STATUS_WORDS.get(name, name.replace("_", " "))


def more(n: int, noun: str, plural: str | None = None) -> str:
    """'+5 more steps', '+1 more rule': a count that says what it counts."""
    word = noun if n == 1 else (plural or noun + "s")
    return f"+{n} more {word}"


def plural(n: int, noun: str, many: str | None = None) -> str:
    """'1 event', '3 events'."""
    return f"{n} {noun if n == 1 else (many or noun + 's')}"


def due(at: datetime, now: datetime, done: bool = False) -> str:
    """A step's due date: '2025-03-10, in 7 d', '2025-03-01, 9 d overdue', '2025-03-01, done'."""
    days = days_between(at, now)
    if done:
        rel = "done"
    elif days < 0:
        rel = f"{span(days)} overdue"
    else:
        rel = "today" if days < 1 else f"in {span(days)}"
    return f"{at:%Y-%m-%d}, {rel}"


NEXT_ACTIONS = "Next actions"
FOLDED_WHY = (
    "Steps overdue for more than 30 days are folded into one line per event, so this week's steps are not "
    "buried under an old backlog: space unfolds them."
)
NO_WHY = "the playbook gives no reason for this step."


def next_actions_title(open_steps: int, done: int) -> str:
    """'Next actions · 21 open · 3 done'."""
    tail = f" · {done} done" if done else ""
    return f"{NEXT_ACTIONS} · {open_steps or 'none'} open{tail}"
