"""The playbook for one assessment: rules matched, steps merged across events, ticked, ranked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from riskmon.core.model import EVENT_KINDS
from riskmon.core.playbook_rules import PlaybookFile, PlaybookRule
from riskmon.core.playbooks.actions import ACTIONS, Action, Item, long_overdue, priority, rank
from riskmon.core.playbooks.facts import Business
from riskmon.core.playbooks.steps import Draft, Match, Progress, Step, Suggestion, event_matches, standing_matches
from riskmon.core.results import Assessment


def effective_rules(user: PlaybookFile | None, bundled: Sequence[PlaybookRule]) -> list[PlaybookRule]:
    """The rules in force: the bundled ones, each replaced by the user's rule of the same id, then
    the user's new rules; only the user's when `replace_bundled = true`."""
    user = user or PlaybookFile()
    if user.replace_bundled:
        return list(user.rules)
    mine = {r.id: r for r in user.rules}
    merged = [mine.get(r.id, r) for r in bundled]
    taken = {r.id for r in bundled}
    merged.extend(r for r in user.rules if r.id not in taken)
    return merged


# ---------------------------------------------------------------------------------------------
# One step under several events


_Member = tuple[int, int]
"""(index of the match, index of the draft in it)."""


def _identities(matches: Sequence[Match]) -> dict[_Member, tuple[str, ...]]:
    """What makes drafts one step: the same id and the same words. Words are compared only for
    ids that more than one key has, so a step of one event costs no text."""
    keys_of: dict[str, set[str]] = {}
    for m in matches:
        for d in m.drafts:
            keys_of.setdefault(d.id, set()).add(m.key)
    out: dict[_Member, tuple[str, ...]] = {}
    for mi, m in enumerate(matches):
        for di, d in enumerate(m.drafts):
            shared = len(keys_of[d.id]) > 1
            out[mi, di] = ("words", d.id, d.ctx.fill(d.template)) if shared else ("key", d.id, m.key)
    return out


def _latest(drafts: Sequence[Draft]) -> tuple[datetime, bool] | None:
    """The newest mark on any copy of a step: ticking it under one event ticks it everywhere."""
    marks = [r for d in drafts if (r := d.ticks.record(d.id)) is not None]
    return max(marks, key=lambda r: r[0], default=None)


def _steps(matches: Sequence[Match], now: datetime) -> dict[_Member, Step]:
    groups: dict[tuple[str, ...], list[_Member]] = {}
    for member, identity in _identities(matches).items():
        groups.setdefault(identity, []).append(member)
    out: dict[_Member, Step] = {}
    for members in groups.values():
        by_weight = sorted(members, key=lambda m: -matches[m[0]].weight)
        keys = tuple(dict.fromkeys(matches[mi].key for mi, _ in by_weight))
        mark = _latest([matches[mi].drafts[di] for mi, di in members])
        done_at = mark[0] if mark is not None and mark[1] else None
        for mi, di in members:
            d = matches[mi].drafts[di]
            overdue = done_at is None and d.due < now
            out[mi, di] = Step(
                d.id, d.due, d.due_days, overdue, done_at is not None, done_at, d.template, d.why, d.ctx, keys
            )
    return out


def _suggestions(matches: Sequence[Match], now: datetime) -> list[Suggestion]:
    steps = _steps(matches, now)
    out = []
    for mi, m in enumerate(matches):
        mine = sorted((steps[mi, di] for di in range(len(m.drafts))), key=lambda s: s.due)
        out.append(Suggestion(m.key, m.rule_id, m.because, m.weight, tuple(mine), m.event, m.title, m.why, m.ctx))
    return out


def _rank(suggestions: list[Suggestion], now: datetime) -> tuple[Suggestion, ...]:
    """Within one key: the rule with the earliest open step first (all done: last); a stable
    sort, so ties keep the order of the rules."""
    return tuple(sorted(suggestions, key=lambda s: (s.next_due is None, s.next_due or now)))


# ---------------------------------------------------------------------------------------------
# The plan


class Plan:
    """The playbook for one assessment: suggestions per event and for the business as it stands.

    Worked out the first time anything is asked: whether a step is done, and which events show
    it, depends on every event that has the same step."""

    def __init__(self, a: Assessment, rules: Sequence[PlaybookRule], progress: Progress, now: datetime) -> None:
        self.now = now
        self.assessment = a
        self._rules = rules
        self._progress = progress
        self._events: dict[str, tuple[Suggestion, ...]] | None = None
        self._standing: tuple[Suggestion, ...] = ()

    def _build(self) -> dict[str, tuple[Suggestion, ...]]:
        if self._events is not None:
            return self._events
        a, biz, progress = self.assessment, Business.of(self.assessment.profile), self._progress
        event_rules = [r for r in self._rules if not r.standing]
        by_kind = {k: [r for r in event_rules if r.kinds is None or k in r.kinds] for k in EVENT_KINDS}
        matches = standing_matches(a, [r for r in self._rules if r.standing], biz, progress, self.now)
        for e in a.events:
            matches.extend(event_matches(a, e, by_kind.get(e.event.kind, ()), biz, progress))
        grouped: dict[str, list[Suggestion]] = {e.id: [] for e in a.events}
        standing: list[Suggestion] = []
        for s in _suggestions(matches, self.now):
            (standing if s.standing else grouped[s.key]).append(s)
        self._standing = _rank(standing, self.now)
        self._events = {key: _rank(ss, self.now) for key, ss in grouped.items()}
        return self._events

    @property
    def events(self) -> dict[str, tuple[Suggestion, ...]]:
        """Event id -> its suggestions, best first, for every assessed event in the assessment's
        order (highest score first); an event no rule matches has none."""
        return dict(self._build())

    @property
    def standing(self) -> tuple[Suggestion, ...]:
        """The suggestions about the business as it stands, best first."""
        self._build()
        return self._standing

    def for_event(self, event_id: str) -> tuple[Suggestion, ...]:
        """The suggestions for one assessed event, best first; () for an unknown id."""
        return self._build().get(event_id, ())

    def suggestions(self, key: str | None = None) -> list[Suggestion]:
        """Every suggestion (events by score, then standing), or those of one checklist key."""
        if key is not None:
            return list(self.for_event(key)) or [s for s in self.standing if s.key == key]
        return [s for ss in self._build().values() for s in ss] + list(self.standing)

    def items(self, key: str | None = None) -> list[Item]:
        """The checklist, ordered by due date (then the more important first). One key's: each
        of its steps; all keys': a step that several events share once, at its earliest due."""
        found = self._items(key)
        return sorted(found, key=lambda i: (i.step.due, -i.priority))

    def next_actions(self, limit: int | None = ACTIONS) -> list[Action]:
        """Open steps, the most urgent (earliest due) first; steps overdue for more than 30 days
        folded into one line per event, after those due within 30 days (actions.rank)."""
        ranked = rank(self._items(None), self.now)
        return ranked if limit is None else ranked[:limit]

    def checklist(self, *, hide_done: bool = False) -> list[Action]:
        """Every step once, as `riskmon playbook` lists them: the next actions, then (unless
        `hide_done`) the done steps by due date."""
        done = [] if hide_done else [i for i in self.items() if i.step.done]
        return [*self.next_actions(None), *done]

    def actions(self, limit: int | None = ACTIONS) -> list[Item]:
        """The open steps of `next_actions`, without the folded backlog."""
        found = [x for x in self.next_actions(None) if isinstance(x, Item)]
        return found if limit is None else found[:limit]

    def action_lines(self, limit: int | None = ACTIONS) -> list[str]:
        return [x.line() for x in self.next_actions(limit)]

    def playbooks_json(self) -> dict[str, list[dict[str, Any]]]:
        """For `assessment_to_dict(playbooks=...)`: event id -> its ranked suggestions."""
        return {eid: [s.to_dict() for s in ss] for eid, ss in self._build().items()}

    def standing_json(self) -> list[dict[str, Any]]:
        return [s.to_dict() for s in self.standing]

    def _items(self, key: str | None) -> list[Item]:
        copies = [(s, step) for s in self.suggestions(key) for step in s.steps]
        if key is not None:
            return [Item(s, step, priority(s.weight, step.due, self.now)) for s, step in copies]
        # One item per step: its earliest copy that is not long overdue (a step months late for
        # a ban that took effect is still worth doing before next month's closure, and belongs
        # with it, not in the ban's folded backlog), as important as its most important copy.
        # A step is named by its id and its first key: one key has one step of an id, so no two
        # steps share both (and hashing every copy's whole tuple of keys would cost keys x copies).
        best: dict[tuple[str, str], tuple[tuple[bool, datetime, float], Suggestion, Step]] = {}
        weight: dict[tuple[str, str], float] = {}
        for s, step in copies:
            group = (step.id, step.keys[0] if step.keys else s.key)
            weight[group] = max(weight.get(group, s.weight), s.weight)
            rank_key = (long_overdue(step, self.now), step.due, -s.weight)
            held = best.get(group)
            if held is None or rank_key < held[0]:
                best[group] = (rank_key, s, step)
        return [Item(s, step, priority(weight[g], step.due, self.now)) for g, (_, s, step) in best.items()]


def plan(
    a: Assessment,
    rules: Sequence[PlaybookRule],
    *,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> Plan:
    """Match `rules` against assessment `a` and date every step as of `now` (default `a.now`).

    `progress` is `HistoryStore.steps()`: (checklist key, step id) -> {"done", "at"}."""
    return Plan(a, rules, progress or {}, now or a.now)
