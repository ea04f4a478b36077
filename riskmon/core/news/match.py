"""Drafts against what is already known: an existing event to update, or another draft to merge.

A draft matches an existing event when the kinds are the same or compatible (a ban and a shop
closure, a shop closure and a service shutdown), a platform and a region overlap ("*" overlaps
everything) and its date (effective, else the publication date) lies within `window_days` of the
event's effective date, end, a timeline date or, for a recurring event, an occurrence — or, for a
draft that reports a pause, an end or a cancellation, up to a year after them. The match
proposes an update instead of a duplicate: a timeline entry when the status moves on, a new
effective date or end when the article gives an exact one that differs, deadlines not yet there.

Two drafts are about the same change under the same test between themselves. Merged, they keep
the surest extraction's confidence, the most advanced status (STATUS_RANK) — except that a
`paused` reported later than every more advanced status wins, as the newest news — the dates of
the draft that gave that status, the union of platforms, regions, deadlines and sources, a
timeline of how the status moved from article to article, and for each field the earliest
evidence of the value kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from riskmon.core.model import ANY, DEFAULT_PROBABILITY, STATUS_RANK, Deadline, Event, Impact, TimelineEntry
from riskmon.core.news.draft import Draft, Evidence, unique_ids
from riskmon.core.news.kinds import LATER, compatible
from riskmon.core.reach import overlaps
from riskmon.core.record import fields, record, replace
from riskmon.core.timing import occurrence

WINDOW_DAYS = 45
LATER_WINDOW_DAYS = 365
"""A pause, an end or a cancellation can be reported long after the change: up to this many
days after the event's dates."""


@record(slots=True)
class Match:
    """An existing event a draft is about, and the update the draft proposes to it."""

    event_id: str
    timeline: TimelineEntry | None = None
    """A new entry: the status moved on (dated by the article, else the draft's date)."""
    effective: datetime | None = None
    """A new effective date, when the article gives an exact one that differs."""
    ends: datetime | None = None
    deadlines: tuple[Deadline, ...] = ()
    """Deadlines the event does not have yet."""
    gap_days: float = 0.0

    @property
    def changes(self) -> bool:
        """Whether accepting the draft would change the event (else it is a duplicate)."""
        return bool(self.timeline or self.effective or self.ends or self.deadlines)


def match(draft: Draft, existing: Sequence[Event], window_days: float = WINDOW_DAYS) -> Match | None:
    """The existing event the draft is about (same kind first, then the nearest date, then the
    most platforms in common), with the update it proposes; None for a new event."""
    best: tuple[tuple[int, float, int], Event, float] | None = None
    window = timedelta(days=window_days)
    for event in existing:
        if not (compatible(draft.kind, event.kind) and _overlap(draft, event)):
            continue
        gap = _gap(draft, event, window)
        if gap is None:
            continue
        shared = len(set(draft.platforms) & set(event.platforms))
        key = (0 if draft.kind == event.kind else 1, gap, -shared)
        if best is None or key < best[0]:
            best = (key, event, gap)
    if best is None:
        return None
    return _proposal(draft, best[1], best[2])


def _overlap(a: Draft, event: Event) -> bool:
    return overlaps(a.platforms, event.platforms) and overlaps(a.regions, event.regions)


def _when(draft: Draft) -> datetime | None:
    return draft.effective or draft.published


def _gap(draft: Draft, event: Event, window: timedelta) -> float | None:
    """Days between the draft's date and the nearest date of the event, if within the window
    (for a pause, an end or a cancellation: up to LATER_WINDOW_DAYS after the event's dates)."""
    when = _when(draft)
    if when is None:
        return 0.0  # nothing to compare: platform, region and kind decide
    dates = [event.effective, *(t.date for t in event.timeline)]
    if event.ends is not None:
        dates.append(event.ends)
    if event.recurs:
        found = occurrence(event, when - window, window.days)
        if found is not None:
            dates.append(found[0])
    gap = min(abs((when - d).total_seconds()) for d in dates) / 86400.0
    if gap <= window.total_seconds() / 86400.0:
        return gap
    later = draft.status in LATER and min(dates) <= when <= max(dates) + timedelta(days=LATER_WINDOW_DAYS)
    return gap if later else None


def _current(event: Event) -> str:
    return event.timeline[-1].status if event.timeline else event.status


def _proposal(draft: Draft, event: Event, gap: float) -> Match:
    entry = None
    current = _current(event)
    if draft.status != current and _moves_on(current, draft.status):
        date = draft.published or draft.effective or event.effective
        entry = TimelineEntry(date, draft.status)
    effective = None
    exact = draft.precision in ("time", "day")
    if (
        draft.effective is not None
        and exact
        and draft.status not in LATER
        and not event.recurs
        and draft.effective != event.effective
    ):
        effective = draft.effective
    ends = draft.ends if draft.ends is not None and draft.ends != event.ends and not event.recurs else None
    if draft.status == "resolved" and draft.effective is not None and not event.recurs:
        # a reopening's date is when the change ended
        ends = draft.effective if draft.effective != event.ends and draft.effective > event.effective else ends
    known = {d.date for d in event.deadlines}
    deadlines = tuple(d for d in draft.deadlines if d.date not in known)
    return Match(event.id, entry, effective, ends, deadlines, round(gap, 3))


def _moves_on(current: str, new: str) -> bool:
    """A status that is news: more advanced, or a later development (paused, resolved,
    cancelled), or back in effect after a pause."""
    return new in LATER or STATUS_RANK[new] > STATUS_RANK[current]


# ---------------------------------------------------------------------------------------------
# Merging drafts


def same_change(a: Draft, b: Draft, window_days: float = WINDOW_DAYS) -> bool:
    """Whether two drafts report the same change (the test `match` applies to an event)."""
    if not (compatible(a.kind, b.kind) and overlaps(a.platforms, b.platforms) and overlaps(a.regions, b.regions)):
        return False
    wa, wb = _when(a), _when(b)
    return wa is None or wb is None or abs((wa - wb).total_seconds()) <= window_days * 86400


def merge(drafts: Sequence[Draft], window_days: float = WINDOW_DAYS) -> list[Draft]:
    """Drafts from several articles, those about the same change merged into one (in the order
    each change was first seen)."""
    groups: list[list[Draft]] = []
    for d in drafts:
        home = [g for g in groups if any(same_change(d, other, window_days) for other in g)]
        if not home:
            groups.append([d])
            continue
        first = home[0]
        first.append(d)
        for g in home[1:]:  # d joins groups that were apart: they become one
            first.extend(g)
            groups.remove(g)
    return unique_ids([_merged(g) if len(g) > 1 else g[0] for g in groups])


def _published_key(d: Draft) -> tuple[int, float]:
    """Earliest publication first; drafts without a date last."""
    return (0, d.published.timestamp()) if d.published is not None else (1, 0.0)


def _lead(group: list[Draft]) -> Draft:
    """The draft whose status the merged draft takes."""
    top = max(group, key=lambda d: (STATUS_RANK[d.status], d.confidence))
    paused = [(d.published, d) for d in group if d.status == "paused" and d.published is not None]
    if paused:
        when, newest = max(paused, key=lambda pd: pd[0])
        advanced = [d for d in group if STATUS_RANK[d.status] > STATUS_RANK["paused"]]
        if all(d.published is not None and d.published < when for d in advanced):
            return newest
    return top


def _merged(group: list[Draft]) -> Draft:
    by_date = sorted(group, key=_published_key)
    lead = _lead(group)
    dated = _dates_from(group, lead)
    effective, ends = dated.effective, dated.ends
    source_of = {
        "effective": next((d for d in by_date if d.effective == effective), dated),
        "ends": next((d for d in by_date if d.ends == ends), dated),
        "status": next((d for d in by_date if d.status == lead.status), lead),
        "kind": next((d for d in by_date if d.kind == lead.kind), lead),
    }
    evidence: dict[str, Evidence] = {}
    for d in reversed(by_date):  # earliest last, so its evidence wins for every field it has
        evidence.update(d.evidence)
    for name, d in source_of.items():
        if name in d.evidence:
            evidence[name] = d.evidence[name]
    deadlines: dict[datetime, Deadline] = {}
    for d in by_date:
        for x in d.deadlines:
            deadlines.setdefault(x.date, x)
    timeline = _timeline(by_date)
    return replace(
        lead,
        platforms=_union(d.platforms for d in [lead, *by_date]),
        regions=_union(d.regions for d in [lead, *by_date]),
        effective=effective,
        ends=ends if ends is None or effective is None or ends > effective else None,
        effective_offset=dated.effective_offset,
        ends_offset=dated.ends_offset,
        precision=dated.precision,
        deadlines=tuple(sorted(deadlines.values(), key=lambda x: x.date)),
        probability=DEFAULT_PROBABILITY[lead.status],
        confidence=max(d.confidence for d in group),
        evidence=evidence,
        impact=_impact(lead, by_date),
        routes=lead.routes or next((d.routes for d in by_date if d.routes), None),
        published=next((d.published for d in by_date if d.published), None),
        sources=_union(d.sources for d in by_date),
        timeline=timeline if timeline and timeline[-1].status == lead.status else (),
        title=dated.title or lead.title,
        summary=dated.summary or lead.summary,
    )


def _dates_from(group: list[Draft], lead: Draft) -> Draft:
    """Whose dates the merged draft keeps: the most advanced draft with a date that is not a
    later development (a pause's date is when it was paused, not when the change takes effect)."""
    firm = [d for d in group if d.effective is not None and d.status not in LATER]
    if firm:
        return max(firm, key=lambda d: (STATUS_RANK[d.status], d.confidence))
    return lead if lead.effective is not None else next((d for d in group if d.effective is not None), lead)


def _union(parts: Iterable[Iterable[str]]) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(x for p in parts for x in p))
    return (ANY,) if ANY in out else out


def _impact(lead: Draft, others: list[Draft]) -> Impact:
    """Every number any draft gives; the lead's where two give one."""
    values = {}
    for d in reversed([lead, *others]):  # the lead's values win
        for name in (f.name for f in fields(Impact)):
            v = getattr(d.impact, name)
            if v is not None:
                values[name] = v
    return Impact(**values)


def _timeline(by_date: list[Draft]) -> tuple[TimelineEntry, ...]:
    """How the status moved, article by article (dated by publication): each entry a step
    forward, or a later development, from the one before."""
    out: list[TimelineEntry] = []
    for d in by_date:
        if d.published is None:
            continue
        if not out or (d.status != out[-1].status and _moves_on(out[-1].status, d.status)):
            out.append(TimelineEntry(d.published, d.status))
    return tuple(out)
