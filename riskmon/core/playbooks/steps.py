"""Steps: which of a matched rule's steps apply, when each is due, and what history says is done.

A matched rule first yields `Draft`s (a step dated for one checklist key); `plan` then merges the
drafts that are one step (the same id and words under several events) and ticks them, which
makes `Step`s and `Suggestion`s.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from riskmon.core.playbook_rules import DEFAULT_MIN_PROBABILITY, PlaybookRule, PlaybookStep
from riskmon.core.playbooks.context import VERBATIM, Context
from riskmon.core.playbooks.facts import Business, Reached, exposed, fits
from riskmon.core.playbooks.match import match_event, match_standing, standing_weight
from riskmon.core.results import Assessment, EventAssessment
from riskmon.core.said import Said

STANDING = "standing:"
"""Checklist keys of standing suggestions are "standing:<rule id>"; events use their own id."""
DEADLINES_RULE = "deadlines"
"""The rule id under which an event's own `deadlines` appear in its checklist."""

Progress = Mapping[tuple[str, str], Mapping[str, Any]]
"""(checklist key, step id) -> {"done": bool, "at": datetime}, as `HistoryStore.steps()` returns."""


class Step(NamedTuple):
    id: str
    due: datetime
    due_days: int
    overdue: bool
    """Not done and its due moment has passed."""
    done: bool
    done_at: datetime | None
    template: str
    why_template: str = ""
    ctx: Context = VERBATIM
    keys: tuple[str, ...] = ()
    """Every checklist key this step shows under, most important first: the same step id with
    the same words under two events is one step, ticked once."""

    @property
    def text(self) -> str:
        """Filled in for this seller and cleaned of control characters."""
        return self.ctx.fill(self.template)

    @property
    def why(self) -> str:
        return self.ctx.fill(self.why_template)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "why": self.why,
            "due": self.due.date().isoformat(),
            "due_at": self.due.isoformat(),
            "due_days": self.due_days,
            "overdue": self.overdue,
            "done": self.done,
            "done_at": None if self.done_at is None else self.done_at.isoformat(),
            "keys": list(self.keys),
        }


class Suggestion(NamedTuple):
    """One matched rule for one event (or for the business as it stands), with dated steps."""

    key: str
    """The checklist key: the event id, or "standing:<rule id>"."""
    rule_id: str
    because: tuple[str, ...]
    """Why the rule matched, one fact per condition."""
    weight: float
    """The event's score; for a standing suggestion see STANDING_WEIGHT."""
    steps: tuple[Step, ...]
    """Earliest due first."""
    event: EventAssessment | None = None
    title_template: str = ""
    why_template: str = ""
    ctx: Context = VERBATIM

    @property
    def title(self) -> str:
        return self.ctx.fill(self.title_template)

    @property
    def why(self) -> str:
        return self.ctx.fill(self.why_template)

    @property
    def standing(self) -> bool:
        return self.event is None

    @property
    def label(self) -> str:
        """How actions name where a step comes from: the event id, or the standing rule's id."""
        return self.key.removeprefix(STANDING)

    @property
    def next_due(self) -> datetime | None:
        return next((s.due for s in self.steps if not s.done), None)

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"key": self.key} if self.standing else {}
        doc.update(
            id=self.rule_id,
            title=self.title,
            why=self.why,
            because=list(self.because),
            weight=self.weight,
            steps=[s.to_dict() for s in self.steps],
        )
        return doc


# ---------------------------------------------------------------------------------------------
# Ticks


class Ticks:
    """What history says about the steps of one checklist key."""

    __slots__ = ("_e", "_key", "_progress", "_since", "_since_known")

    def __init__(self, progress: Progress, key: str, e: EventAssessment | None = None) -> None:
        self._progress, self._key, self._e = progress, key, e
        self._since: datetime | None = None
        self._since_known = e is None or not e.event.recurs

    def record(self, step_id: str) -> tuple[datetime, bool] | None:
        """(When the step was last ticked or unticked, whether done), or None. For a recurring
        event a mark made before the previous occurrence started belongs to that occurrence."""
        rec = self._progress.get((self._key, step_id))
        if not rec:
            return None
        at = rec.get("at")
        if not isinstance(at, datetime):
            return None
        since = self._previous_start()
        return None if since is not None and at < since else (at, bool(rec.get("done")))

    def _previous_start(self) -> datetime | None:
        if not self._since_known and self._e is not None:
            from riskmon.core.timing import previous_start

            ev = self._e.event
            self._since = previous_start(ev.recurs, ev.effective, self._e.effective)
            self._since_known = True
        return self._since


# ---------------------------------------------------------------------------------------------
# Drafts: steps dated for one key, before merging and ticking


class Draft(NamedTuple):
    id: str
    due: datetime
    due_days: int
    template: str
    why: str
    ctx: Context
    ticks: Ticks


class Match(NamedTuple):
    """A rule matched for one checklist key, with its steps as drafts."""

    key: str
    rule_id: str
    because: tuple[str, ...]
    weight: float
    drafts: tuple[Draft, ...]
    event: EventAssessment | None
    title: str
    why: str
    ctx: Context


def after_public(e: EventAssessment, due: datetime) -> datetime:
    """`due`, but never before the day after the event was public (its first timeline date):
    nobody could act on it before they knew."""
    public = e.event.public_since
    return due if public is None else max(due, public + timedelta(days=1))


def event_due(e: EventAssessment, days: float) -> datetime:
    """`days` after the occurrence's start, and after the event was public."""
    return after_public(e, e.effective + timedelta(days=days))


def _applicable(
    steps: Sequence[PlaybookStep], reached: Reached, biz: Business, seen: set[str]
) -> Iterator[PlaybookStep]:
    """The steps that apply: one per id (the first variant whose `requires` holds), none already
    given by an earlier rule of this key."""
    taken: set[str] = set()
    for s in steps:
        if s.id in seen or s.id in taken or not fits(s.requires, reached, biz):
            continue
        taken.add(s.id)
        yield s
    seen.update(taken)


def event_matches(
    a: Assessment, e: EventAssessment, rules: Sequence[PlaybookRule], biz: Business, progress: Progress
) -> list[Match]:
    """The rules that match event `e`, each with its applicable steps dated, then its deadlines."""
    ctx: Context | None = None
    ticks = Ticks(progress, e.id, e)
    reached = Reached.of_event(e, biz)
    seen: set[str] = set()
    out: list[Match] = []
    for rule in rules:
        because = match_event(rule, e, biz, reached)
        if because is None:
            continue
        ctx = ctx or Context(a, biz, e)
        drafts = tuple(
            Draft(s.id, event_due(e, s.due_days), s.due_days, s.text, s.why, ctx, ticks)
            for s in _applicable(rule.steps, reached, biz, seen)
        )
        if drafts:
            out.append(Match(e.id, rule.id, tuple(because), e.score, drafts, e, rule.title, rule.why, ctx))
    # A season reaches every seller on paper (every platform, everywhere): whether its dates are
    # yours (goods from China? how soon?) is for its rules to say, so its deadlines follow them.
    reaches = exposed(e) and e.event.kind != "season"
    deadlines = _deadlines(e, seen, ticks) if out or reaches else None
    if deadlines is not None:
        out.append(deadlines)
    return out


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].rstrip("-") or "step"


def _deadlines(e: EventAssessment, seen: set[str], ticks: Ticks) -> Match | None:
    """The event's own deadlines as a checklist of their own (when it is likely enough to act on)."""
    if not e.event.deadlines or e.probability < DEFAULT_MIN_PROBABILITY:
        return None
    drafts = []
    for when, what in e.deadlines:
        sid = base = f"deadline-{_slug(what)}"
        n = 2
        while sid in seen:
            sid, n = f"{base}-{n}", n + 1
        seen.add(sid)
        days = round((when - e.effective).total_seconds() / 86400.0)
        drafts.append(Draft(sid, after_public(e, when), days, what, "", VERBATIM, ticks))
    return Match(
        e.id,
        DEADLINES_RULE,
        (Said("the event lists deadlines"),),
        e.score,
        tuple(drafts),
        e,
        "Deadlines set for this event",
        "Dates announced with the event.",
        VERBATIM,
    )


def standing_matches(
    a: Assessment, rules: Sequence[PlaybookRule], biz: Business, progress: Progress, now: datetime
) -> list[Match]:
    """The standing rules that match the business, with steps dated from `now`."""
    reached = Reached.of_business(biz)
    out: list[Match] = []
    for rule in rules:
        matched = match_standing(rule, a, biz)
        if matched is None:
            continue
        because, platform = matched
        ctx = Context(a, biz, platform=platform)
        key = STANDING + rule.id
        ticks = Ticks(progress, key)
        drafts = tuple(
            Draft(s.id, now + timedelta(days=s.due_days), s.due_days, s.text, s.why, ctx, ticks)
            for s in _applicable(rule.steps, reached, biz, set())
        )
        if drafts:
            weight = standing_weight(rule, a)
            out.append(Match(key, rule.id, tuple(because), weight, drafts, None, rule.title, rule.why, ctx))
    return out
