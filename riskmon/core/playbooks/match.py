"""Matching: which rules fit an assessed event, or the business as it stands, and why.

Each matcher returns the facts that made the rule match (one per condition given), or None.
Cheap tests first, and no text until it matched: this runs for every event and every rule that
names its kind (or no kind).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from riskmon.core.levels import Level
from riskmon.core.model import ANY
from riskmon.core.playbook_rules import PlaybookRule
from riskmon.core.playbooks.context import pct
from riskmon.core.playbooks.facts import Business, Reached, describe, exposed, fits, reach_regions, region_text
from riskmon.core.results import Assessment, EventAssessment
from riskmon.core.said import Said

STANDING_WEIGHT = 25.0
"""A standing suggestion ranks like an event scoring this much (the warn/crit threshold instead
when the level rule it answers, runway or concentration, raised WARNING/CRITICAL)."""


def id_matches(event_id: str, patterns: Sequence[str]) -> bool:
    """`event_id` is one of `patterns`, or starts with one that ends in "*"."""
    return any(event_id == p or (p.endswith("*") and event_id.startswith(p[:-1])) for p in patterns)


def _passes_thresholds(rule: PlaybookRule, e: EventAssessment) -> bool:
    ev = e.event
    if rule.kinds is not None and ev.kind not in rule.kinds:
        return False
    if rule.events is not None and not id_matches(ev.id, rule.events):
        return False
    if rule.not_events is not None and id_matches(ev.id, rule.not_events):
        return False
    if rule.statuses is not None and e.status not in rule.statuses:
        return False
    if e.probability < rule.least_probability:
        return False
    if rule.min_score is not None and e.score < rule.min_score:
        return False
    if rule.min_shock is not None and e.shock < rule.min_shock:
        return False
    if rule.min_hit_share is not None and e.hit_share < rule.min_hit_share:
        return False
    if rule.min_duty_delta is not None and e.impact.duty_delta < rule.min_duty_delta:
        return False
    return rule.starts_within_days is None or e.days_until <= rule.starts_within_days


def match_event(rule: PlaybookRule, e: EventAssessment, biz: Business, reached: Reached) -> list[str] | None:
    """The facts that make event rule `rule` match event `e` (one per condition given), or None."""
    if rule.standing or (rule.exposed_only and not exposed(e)) or not _passes_thresholds(rule, e):
        return None
    ev = e.event
    on: list[str] = []
    if rule.platforms is not None:
        on = [p for p in ev.platforms if p in rule.platforms or ANY in rule.platforms or p == ANY]
        if not on:
            return None
    reach: list[str] = []
    if rule.regions is not None:
        reach = reach_regions(e, biz.channels)
        if not (ANY in rule.regions or ANY in reach or set(rule.regions) & set(reach)):
            return None
    if not fits(rule.requires, reached, biz):
        return None
    because = _event_because(rule, e, on, reach) + describe(rule.requires)
    return because or [Said("any event that reaches you") if rule.exposed_only else Said("any event")]


_Because = Callable[[PlaybookRule, EventAssessment, list[str], list[str]], str]

_BECAUSE: tuple[tuple[str, _Because], ...] = (
    ("kinds", lambda r, e, on, reach: Said("kind {a}", a=e.event.kind)),
    ("events", lambda r, e, on, reach: Said("event {a}", a=e.id)),
    ("platforms", lambda r, e, on, reach: Said("on {a}", a=", ".join(on))),
    ("regions", lambda r, e, on, reach: Said("in {a}", a=region_text(reach))),
    ("statuses", lambda r, e, on, reach: Said("status {a}", a=e.status)),
    (
        "min_probability",
        lambda r, e, on, reach: Said("probability {a} >= {b}", a=pct(e.probability), b=pct(r.min_probability or 0.0)),
    ),
    ("min_score", lambda r, e, on, reach: Said("score {a} >= {b}", a=f"{e.score:.0f}", b=f"{r.min_score:g}")),
    (
        "min_shock",
        lambda r, e, on, reach: Said("removes {a} of orders (>= {b})", a=pct(e.shock), b=pct(r.min_shock or 0.0)),
    ),
    (
        "min_hit_share",
        lambda r, e, on, reach: Said(
            "{a} of orders on the channels it hits (>= {b})", a=pct(e.hit_share), b=pct(r.min_hit_share or 0.0)
        ),
    ),
    (
        "min_duty_delta",
        lambda r, e, on, reach: Said(
            "duty {a} (>= {b})", a=f"{e.impact.duty_delta:+.0%}", b=f"{r.min_duty_delta:+.0%}"
        ),
    ),
    (
        "starts_within_days",
        lambda r, e, on, reach: Said(
            "starts in {a} days (<= {b})", a=f"{max(0.0, e.days_until):.0f}", b=r.starts_within_days
        ),
    ),
)
"""One fact per event condition, in the order the file lists them: (the rule's field, what it says
when given). A table, not a function, so a match costs a lookup per condition, not a closure."""


def _event_because(rule: PlaybookRule, e: EventAssessment, on: list[str], reach: list[str]) -> list[str]:
    return [say(rule, e, on, reach) for field, say in _BECAUSE if getattr(rule, field) is not None]


def match_standing(rule: PlaybookRule, a: Assessment, biz: Business) -> tuple[list[str], str | None] | None:
    """(The facts that make standing `rule` match, the platform it is about), or None."""
    if not rule.standing or not fits(rule.requires, Reached.of_business(biz), biz):
        return None
    because: list[str] = []
    platform: str | None = None
    for test in (_dependence, _runway, _hold, _own_store, _links, _virtual):
        found = test(rule, a, biz)
        if found is False:
            return None
        if found is not None:
            fact, about = found
            because.append(fact)
            platform = platform or about
    return because + describe(rule.requires), platform or a.concentration.top_platform


_Found = tuple[str, str | None] | Literal[False] | None
"""A standing test's answer: None (not asked), False (fails), or (the fact, the platform it is about)."""


def _dependence(rule: PlaybookRule, a: Assessment, biz: Business) -> _Found:
    if rule.top_dependence_gte is None:
        return None
    conc = a.concentration
    if conc.top_platform is None or conc.top_dependence < rule.top_dependence_gte:
        return False
    fact = Said(
        "{a} carries {b} of orders (>= {c})",
        a=conc.top_platform,
        b=pct(conc.top_dependence),
        c=pct(rule.top_dependence_gte),
    )
    return fact, conc.top_platform


def _runway(rule: PlaybookRule, a: Assessment, biz: Business) -> _Found:
    if rule.runway_weeks_lt is None:
        return None
    if a.runway_weeks is None or a.runway_weeks >= rule.runway_weeks_lt:
        return False
    return Said(
        "runway {a} weeks if likely events happen (< {b})", a=f"{a.runway_weeks:.1f}", b=f"{rule.runway_weeks_lt:g}"
    ), None


def _hold(rule: PlaybookRule, a: Assessment, biz: Business) -> _Found:
    if rule.payout_hold_days_gte is None:
        return None
    if biz.hold_channel is None or biz.hold_days < rule.payout_hold_days_gte:
        return False
    fact = Said(
        "{a} holds payouts {b} days (>= {c})",
        a=biz.hold_channel.id,
        b=f"{biz.hold_days:g}",
        c=f"{rule.payout_hold_days_gte:g}",
    )
    return fact, biz.hold_channel.platform


def _own_store(rule: PlaybookRule, a: Assessment, biz: Business) -> _Found:
    if rule.no_own_store is None:
        return None
    if biz.has_own_store == rule.no_own_store:
        return False
    return (Said("no own store") if rule.no_own_store else Said("has an own store")), None


def _links(rule: PlaybookRule, a: Assessment, biz: Business) -> _Found:
    if rule.link_share_gte is None:
        return None
    if biz.link_share < rule.link_share_gte:
        return False
    links = Said("{a} of orders arrive through links (>= {b})", a=pct(biz.link_share), b=pct(rule.link_share_gte))
    return links, biz.link_platform


def _virtual(rule: PlaybookRule, a: Assessment, biz: Business) -> _Found:
    if rule.virtual_warehouse is None:
        return None
    if bool(biz.virtual) != rule.virtual_warehouse:
        return False
    if not biz.virtual:
        return Said("no virtual warehouse"), None
    return Said("{a} ship from a virtual warehouse", a=", ".join(c.id for c in biz.virtual)), biz.virtual[0].platform


def standing_weight(rule: PlaybookRule, a: Assessment) -> float:
    levels = {r.rule: r.level for r in a.rules}
    level = Level.OK
    if rule.runway_weeks_lt is not None:
        level = max(level, levels.get("runway", Level.OK))
    if rule.top_dependence_gte is not None:
        level = max(level, levels.get("concentration", Level.OK))
    t = a.thresholds
    return {Level.CRITICAL: t.crit, Level.WARNING: t.warn}.get(level, STANDING_WEIGHT)
