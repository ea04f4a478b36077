"""Next actions: the open steps ranked by when they are due, long-overdue ones folded.

The most urgent first: by due date (overdue by up to FOLD_DAYS, then due this week, and so on),
the more important first on the same day (weight x urgency of the due date). Steps overdue for
more than FOLD_DAYS fold into one line per event, placed after the steps due within SOON_DAYS,
so that this week's steps are not buried under a two-year-old backlog; later steps come last.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from riskmon.core.playbooks.steps import STANDING, Step, Suggestion
from riskmon.core.timing import urgency

ACTIONS = 5
"""How many actions `check -v` lists."""
MIN_WEIGHT = 0.01
"""The weight of a step of an event that scores 0 (a season, a fee saving): it still ranks, last."""
SOON_DAYS = 30
"""Steps due within this many days come before the folded backlog; later ones after it."""
FOLD_DAYS = 30
"""Steps overdue for more than this many days fold into one line per event."""
LABELS = 3
"""How many checklist keys an action names before "and N more"."""


def label_of(key: str) -> str:
    return key.removeprefix(STANDING)


def labels(keys: Sequence[str]) -> str:
    """'us-ban', 'us-ban, link-cutoff', 'a, b, c and 4 more'."""
    shown = [label_of(k) for k in keys[:LABELS]]
    if len(keys) > LABELS:
        return ", ".join(shown) + f" and {len(keys) - LABELS} more"
    return ", ".join(shown)


def priority(weight: float, due: datetime, now: datetime) -> float:
    """Weight x urgency of the due date (1 when due within 14 days or overdue)."""
    return max(weight, MIN_WEIGHT) * urgency((due - now).total_seconds() / 86400.0)


class Item(NamedTuple):
    """One step of the checklist, with the suggestion it belongs to."""

    suggestion: Suggestion
    step: Step
    priority: float
    """Weight x urgency of the due date (1 when due within 14 days or overdue)."""

    @property
    def key(self) -> str:
        return self.suggestion.key

    @property
    def keys(self) -> tuple[str, ...]:
        """Every checklist key the step shows under (one step shared by several events)."""
        return self.step.keys or (self.key,)

    @property
    def label(self) -> str:
        return labels(self.keys)

    def line(self) -> str:
        """'by 2025-01-05: Open a TikTok Shop ... (us-link-cutoff)'."""
        s = self.step
        if s.done:
            head = "done" + (f" {s.done_at:%Y-%m-%d}" if s.done_at else "")
        elif s.overdue:
            head = f"overdue since {s.due:%Y-%m-%d}"
        else:
            head = f"by {s.due:%Y-%m-%d}"
        return f"{head}: {s.text} ({self.label})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "rule": self.suggestion.rule_id,
            "title": self.suggestion.title,
            "priority": self.priority,
            **self.step.to_dict(),
        }


class Overdue(NamedTuple):
    """The steps of one checklist key overdue for more than FOLD_DAYS, as one action."""

    items: tuple[Item, ...]
    """Oldest first."""

    @property
    def key(self) -> str:
        return self.items[0].key

    @property
    def priority(self) -> float:
        return max(i.priority for i in self.items)

    @property
    def since(self) -> datetime:
        return self.items[0].step.due

    @property
    def label(self) -> str:
        return label_of(self.key)

    @property
    def listed(self) -> str:
        """'cross-post, announce-move, download-content and 2 more'."""
        n = len(self.items)
        ids = ", ".join(i.step.id for i in self.items[:LABELS])
        return ids + (f" and {n - LABELS} more" if n > LABELS else "")

    @property
    def summary(self) -> str:
        return f"overdue by more than {FOLD_DAYS} days: {self.listed}"

    def line(self) -> str:
        """'3 steps overdue by more than 30 days for us-ban: cross-post, announce-move, ...'."""
        n = len(self.items)
        steps = "1 step" if n == 1 else f"{n} steps"
        return f"{steps} overdue by more than {FOLD_DAYS} days for {self.label}: {self.listed}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "folded": True,
            "since": self.since.isoformat(),
            "steps": [i.step.id for i in self.items],
            "line": self.line(),
        }


Action = Item | Overdue


def long_overdue(step: Step, now: datetime) -> bool:
    return not step.done and step.due < now - timedelta(days=FOLD_DAYS)


def _when(item: Item, now: datetime) -> int:
    """0: due now or soon, 2: later (1 is the folded backlog's)."""
    return 0 if item.step.due <= now + timedelta(days=SOON_DAYS) else 2


def rank(items: Iterable[Item], now: datetime) -> list[Action]:
    """Open `items` (one per step) as next actions: due now and soon, the folded backlog, later."""
    fresh: list[Item] = []
    backlog: dict[str, list[Item]] = {}
    for i in items:
        if i.step.done:
            continue
        if long_overdue(i.step, now):
            backlog.setdefault(i.key, []).append(i)
        else:
            fresh.append(i)
    ranked: list[tuple[tuple[int, datetime, float], Action]] = [
        ((_when(i, now), i.step.due, -i.priority), i) for i in fresh
    ]
    for group in backlog.values():
        folded = Overdue(tuple(sorted(group, key=lambda i: i.step.due)))
        ranked.append(((1, folded.since, -folded.priority), folded))
    ranked.sort(key=lambda pair: pair[0])
    return [action for _, action in ranked]
