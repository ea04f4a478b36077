"""Playbooks: what to do about each event and about the business as it stands, and by when.

Rules are data (`playbooks.toml`, validated as `model.PlaybookRule`): the bundled set plus the
user's file, merged by id (`effective_rules`). `plan()` matches them against an Assessment, fills
their `{placeholders}` in for this seller, dates every step (relative to the event's effective
date, or to `now` for standing rules), ticks the steps history says are done and ranks them.

Pure, like the engine: no clock, no I/O; the bundled rules are read by the caller
(`riskmon.sources.config.load.bundled_playbooks`) and
bundled `playbooks.toml` once per process. It is on `riskmon check`'s cold-start path, so nothing
heavy is imported here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import islice
from typing import Any, NamedTuple

from riskmon.core.engine import Assessment, EventAssessment
from riskmon.core.model import ANY, EVENT_KINDS, Channel, Profile
from riskmon.core.money import money
from riskmon.core.playbook_rules import PlaybookFile, PlaybookRule
from riskmon.core.timing import urgency
from riskmon.errors import Level
from riskmon.textsafe import clean

STANDING = "standing:"
"""Checklist keys of standing suggestions are "standing:<rule id>"; events use their own id."""
STANDING_WEIGHT = 25.0
"""A standing suggestion ranks like an event scoring this much (the warn/crit threshold instead
when the level rule it answers, runway or concentration, raised WARNING/CRITICAL)."""
DEADLINES_RULE = "deadlines"
"""The rule id under which an event's own `deadlines` appear in its checklist."""
ACTIONS = 5
"""How many actions `check -v` lists."""
MIN_WEIGHT = 0.01
"""The weight of a step of an event that scores 0 (a season, a fee saving): it still ranks, last."""

Progress = Mapping[tuple[str, str], Mapping[str, Any]]
"""(checklist key, step id) -> {"done": bool, "at": datetime}, as `HistoryStore.steps()` returns."""

_DISPLAY = {
    "tiktok": "TikTok",
    "youtube": "YouTube",
    "ebay": "eBay",
    "woocommerce": "WooCommerce",
    "aliexpress": "AliExpress",
    "bigcommerce": "BigCommerce",
}


@lru_cache(maxsize=1024)
def display(platform: str) -> str:
    """'tiktok' -> 'TikTok', 'shopee' -> 'Shopee': platform ids as people write them (and safe
    to show: a platform id is only lower-cased text from a config file or a feed)."""
    return clean(_DISPLAY.get(platform, platform[:1].upper() + platform[1:]))


# ---------------------------------------------------------------------------------------------
# Rules: bundled + the user's


def effective_rules(user: PlaybookFile | None, bundled: Sequence[PlaybookRule]) -> list[PlaybookRule]:
    """The rules in force: the bundled ones, each replaced by the user's rule of the same id, then
    the user's new rules; only the user's when `replace_bundled = true`."""
    user = user or PlaybookFile()
    if user.replace_bundled:
        return list(user.rules)
    base = bundled
    mine = {r.id: r for r in user.rules}
    merged = [mine.get(r.id, r) for r in base]
    taken = {r.id for r in base}
    merged.extend(r for r in user.rules if r.id not in taken)
    return merged


# ---------------------------------------------------------------------------------------------
# Facts the texts and conditions use


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _channel_names(channels: Sequence[Channel], empty: str, limit: int = 3, total: int | None = None) -> str:
    """'TikTok (tiktok-us), Amazon (amazon-us) and your Shopify store (shop)'; a list of more
    than `limit` (or `total`, when `channels` holds only the first few) ends in 'and 12 more'."""
    total = len(channels) if total is None else total
    names = []
    for c in channels[:limit]:
        name = display(c.platform)
        name = f"your {name} store" if c.kind == "own_store" else name
        names.append(name if c.id == c.platform else f"{name} ({c.id})")
    if total > limit:
        names.append(f"{total - limit} more")
    if not names:
        return empty
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class _Business(NamedTuple):
    """What standing rules test and texts mention about the business as it stands."""

    channels: dict[str, Channel]
    with_orders: int
    """How many channels have orders."""
    own_store: str
    has_own_store: bool
    hold_days: float
    hold_channel: Channel | None
    buffer: float
    link_share: float
    link_platform: str | None
    virtual: tuple[Channel, ...]

    @classmethod
    def of(cls, profile: Profile) -> _Business:
        own = [c for c in profile.channels if c.kind == "own_store"]
        own_names = sorted({display(c.platform) for c in own})
        holding = [c for c in profile.channels if c.payout_hold_days > 0]
        hold = max(holding, key=lambda c: (c.payout_hold_days, c.order_share), default=None)
        hold_days = hold.payout_hold_days if hold else 0.0
        biz = profile.business
        monthly_costs = biz.monthly_fixed_costs + biz.monthly_revenue * (1.0 - biz.gross_margin)
        via: dict[str, float] = {}
        for c in profile.channels:
            for link in c.traffic:
                via[link.via] = via.get(link.via, 0.0) + c.order_share * link.share
        return cls(
            channels={c.id: c for c in profile.channels},
            with_orders=sum(1 for c in profile.channels if c.order_share > 0),
            own_store=f"your {' / '.join(own_names)} store" if own_names else "your own store",
            has_own_store=bool(own),
            hold_days=hold_days,
            hold_channel=hold,
            buffer=monthly_costs * hold_days / 30.0,
            link_share=sum(via.values()),
            link_platform=min(via, key=lambda p: (-via[p], p)) if via else None,
            virtual=tuple(c for c in profile.channels if c.warehouse == "virtual"),
        )


_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")


@lru_cache(maxsize=4096)
def _template(text: str) -> str:
    return clean(text)


def fill(text: str, names: Mapping[str, str]) -> str:
    """Replace {name} with its value (values are safe to show); anything else in braces stays
    as written."""
    return _PLACEHOLDER.sub(lambda m: names.get(m.group(1), m.group(0)), _template(text))


class _Context:
    """What one suggestion's texts are filled in from: an event (or the platform a standing
    condition is about) and the business. Computed the first time a text is read, so matching
    thousands of events costs no text work for the ones nobody looks at."""

    __slots__ = ("_a", "_biz", "_event", "_names", "_platform")

    def __init__(
        self, a: Assessment, biz: _Business, event: EventAssessment | None = None, platform: str | None = None
    ) -> None:
        self._a, self._biz, self._event, self._platform = a, biz, event, platform
        self._names: dict[str, str] | None = None

    def fill(self, text: str) -> str:
        return fill(text, self.names) if "{" in text else _template(text)

    @property
    def names(self) -> dict[str, str]:
        """The values of the {placeholders} (model.PLACEHOLDERS)."""
        if self._names is None:
            self._names = self._compute()
        return self._names

    def _compute(self) -> dict[str, str]:
        a, biz, e = self._a, self._biz, self._event
        cur = a.profile.business.currency
        conc = a.concentration
        if e is not None:
            platform = _primary_platform(e)
            hit = [biz.channels[h.channel_id] for h in e.channels if h.direct and h.channel_id in biz.channels]
            hit = hit or [biz.channels[h.channel_id] for h in e.channels if h.channel_id in biz.channels]
            region = _region_text(_reach_regions(e, biz.channels))
        else:
            platform = self._platform
            hit = [c for c in a.profile.channels if c.platform == platform]
            region = _region_text(sorted({r for c in hit for r in c.regions})) if hit else "every region"
        hit_ids = {c.id for c in hit}
        others = list(islice((c for c in a.profile.channels if c.id not in hit_ids and c.order_share > 0), 3))
        n_others = biz.with_orders - sum(1 for c in hit if c.order_share > 0)
        names = {
            "business": clean(a.profile.business.name),
            "platform": display(platform) if platform else "the platform",
            "platforms": display(platform) if platform else "the platform",
            "region": region,
            "event": "this",
            "effective": f"{a.now:%Y-%m-%d}",
            "channels": _channel_names(hit, "these channels"),
            "other_channels": _channel_names(others, "another channel", total=n_others),
            "stock": money(sum(c.inventory_value for c in hit), cur),
            "payouts": money(sum(c.pending_payouts for c in hit), cur),
            "cash_frozen": money(0.0, cur),
            "loss": money(0.0, cur),
            "expected_loss": money(0.0, cur),
            "shock": _pct(0.0),
            "hit_share": _pct(sum(c.order_share for c in hit)),
            "own_store": biz.own_store,
            "top_platform": display(conc.top_platform) if conc.top_platform else "your top platform",
            "top_dependence": _pct(conc.top_dependence),
            "runway_weeks": "unlimited" if a.runway_weeks is None else f"{a.runway_weeks:.1f}",
            "hold_days": f"{biz.hold_days:g}",
            "hold_platform": display(biz.hold_channel.platform) if biz.hold_channel else "the platform",
            "buffer": money(biz.buffer, cur),
            "link_share": _pct(biz.link_share),
            "link_platform": display(biz.link_platform) if biz.link_platform else "another platform",
            "virtual_channels": _channel_names(biz.virtual, "no channel"),
        }
        if e is not None:
            names.update(
                event=clean(e.event.title),
                platforms=", ".join(display(p) for p in e.event.platforms),
                effective=f"{e.effective:%Y-%m-%d}",
                cash_frozen=money(e.cash_frozen, cur),
                loss=money(e.loss, cur),
                expected_loss=money(e.expected_loss, cur),
                shock=_pct(e.shock),
            )
        return names


class _Literal(_Context):
    """For texts that are data, not templates (an event's deadlines): cleaned, never filled."""

    def __init__(self) -> None:
        pass

    def fill(self, text: str) -> str:
        return clean(text)


_LITERAL = _Literal()


# ---------------------------------------------------------------------------------------------
# Results


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
    ctx: _Context = _LITERAL

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
    ctx: _Context = _LITERAL

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


class Item(NamedTuple):
    """One step of the checklist, with the suggestion it belongs to."""

    suggestion: Suggestion
    step: Step
    priority: float
    """Weight x urgency of the due date (1 when due within 14 days or overdue)."""

    @property
    def key(self) -> str:
        return self.suggestion.key

    def line(self) -> str:
        """'by 2025-01-05: Open a TikTok Shop ... (us-link-cutoff)'."""
        s = self.step
        if s.done:
            head = "done" + (f" {s.done_at:%Y-%m-%d}" if s.done_at else "")
        elif s.overdue:
            head = f"overdue since {s.due:%Y-%m-%d}"
        else:
            head = f"by {s.due:%Y-%m-%d}"
        return f"{head}: {s.text} ({self.suggestion.label})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "rule": self.suggestion.rule_id,
            "title": self.suggestion.title,
            "priority": self.priority,
            **self.step.to_dict(),
        }


class Plan:
    """The playbook for one assessment: suggestions per event and for the business as it stands.

    An event's suggestions are worked out the first time they are asked for: `actions()` walks
    the events by score and stops at the first one whose score cannot beat the actions found, so
    a check on thousands of events pays only for what it shows."""

    def __init__(self, a: Assessment, rules: Sequence[PlaybookRule], progress: Progress, now: datetime) -> None:
        self.now = now
        self.assessment = a
        self._progress = progress
        self._biz = _Business.of(a.profile)
        event_rules = [r for r in rules if not r.standing]
        self._by_kind = {k: [r for r in event_rules if r.kinds is None or k in r.kinds] for k in EVENT_KINDS}
        self._index: dict[str, EventAssessment] | None = None
        self._cache: dict[str, tuple[Suggestion, ...]] = {}
        self.standing: tuple[Suggestion, ...] = _standing_suggestions(
            a, [r for r in rules if r.standing], self._biz, progress, now
        )

    def for_event(self, event_id: str) -> tuple[Suggestion, ...]:
        """The suggestions for one assessed event, best first; () for an unknown id."""
        if self._index is None:
            self._index = {e.id: e for e in self.assessment.events}
        e = self._index.get(event_id)
        return () if e is None else self._for(e)

    @property
    def events(self) -> dict[str, tuple[Suggestion, ...]]:
        """Event id -> its suggestions, best first, for every assessed event in the assessment's
        order (highest score first); an event no rule matches has none."""
        return {e.id: self._for(e) for e in self.assessment.events}

    def suggestions(self, key: str | None = None) -> list[Suggestion]:
        """Every suggestion (events by score, then standing), or those of one checklist key."""
        if key is not None:
            return list(self.for_event(key)) or [s for s in self.standing if s.key == key]
        return [s for ss in self.events.values() for s in ss] + list(self.standing)

    def items(self, key: str | None = None) -> list[Item]:
        """The checklist, ordered by due date (then the more important first)."""
        return sorted(self._items(self.suggestions(key)), key=lambda i: (i.step.due, -i.priority))

    def actions(self, limit: int | None = ACTIONS) -> list[Item]:
        """Open steps, most urgent first: weight x urgency of the due date, then the earliest due."""

        def rank(i: Item) -> tuple[float, datetime]:
            return -i.priority, i.step.due

        found = [i for i in self._items(self.standing) if not i.step.done]
        for e in self.assessment.events:  # highest score first; a step's priority is at most it
            if limit is not None and len(found) >= limit:
                found.sort(key=rank)
                del found[limit:]
                if max(e.score, MIN_WEIGHT) < found[-1].priority:
                    break
            found.extend(i for i in self._items(self._for(e)) if not i.step.done)
        found.sort(key=rank)
        return found if limit is None else found[:limit]

    def action_lines(self, limit: int | None = ACTIONS) -> list[str]:
        return [i.line() for i in self.actions(limit)]

    def playbooks_json(self) -> dict[str, list[dict[str, Any]]]:
        """For `assessment_to_dict(playbooks=...)`: event id -> its ranked suggestions."""
        return {eid: [s.to_dict() for s in ss] for eid, ss in self.events.items()}

    def standing_json(self) -> list[dict[str, Any]]:
        return [s.to_dict() for s in self.standing]

    def _for(self, e: EventAssessment) -> tuple[Suggestion, ...]:
        out = self._cache.get(e.id)
        if out is None:
            rules = self._by_kind.get(e.event.kind, ())
            out = self._cache[e.id] = _event_suggestions(self.assessment, e, rules, self._biz, self._progress, self.now)
        return out

    def _items(self, suggestions: Iterable[Suggestion]) -> Iterator[Item]:
        now = self.now
        for s in suggestions:
            weight = max(s.weight, MIN_WEIGHT)
            for step in s.steps:
                yield Item(s, step, weight * urgency((step.due - now).total_seconds() / 86400.0))


# ---------------------------------------------------------------------------------------------
# Matching


def exposed(e: EventAssessment) -> bool:
    """The event reaches the seller: it hits a channel with orders, or cuts traffic that brings some."""
    return e.hit_share > 0 or e.revenue_lost_monthly > 0


def _reach_regions(e: EventAssessment, chans: Mapping[str, Channel]) -> list[str]:
    """Where the event reaches the seller: its regions narrowed to those of the channels it hits."""
    ev_regions = list(e.event.regions)
    out: set[str] = set()
    for h in e.channels:
        c = chans.get(h.channel_id)
        regions = list(c.regions) if c is not None else [ANY]
        if ANY in regions:
            out.update(ev_regions)
        elif ANY in ev_regions:
            out.update(regions)
        else:
            out.update(set(regions) & set(ev_regions))
    return sorted(out) or ev_regions


def _region_text(regions: Sequence[str]) -> str:
    return "every region" if ANY in regions else ", ".join(regions)


def match_event(rule: PlaybookRule, e: EventAssessment, chans: Mapping[str, Channel]) -> list[str] | None:
    """The facts that make `rule` match event `e` (one per condition given), or None.

    Cheap tests first, and no text until it matched: this runs for every event and every rule
    that names its kind (or no kind)."""
    ev = e.event
    if (rule.exposed_only and not exposed(e)) or rule.standing:
        return None
    if rule.kinds is not None and ev.kind not in rule.kinds:
        return None
    if rule.statuses is not None and ev.status not in rule.statuses:
        return None
    if rule.min_probability is not None and e.probability < rule.min_probability:
        return None
    if rule.min_score is not None and e.score < rule.min_score:
        return None
    if rule.min_shock is not None and e.shock < rule.min_shock:
        return None
    on: list[str] = []
    if rule.platforms is not None:
        on = [p for p in ev.platforms if p in rule.platforms or ANY in rule.platforms or p == ANY]
        if not on:
            return None
    if rule.min_hit_share is not None and e.hit_share < rule.min_hit_share:
        return None
    reach: list[str] = []
    if rule.regions is not None:
        reach = _reach_regions(e, chans)
        if not (ANY in rule.regions or ANY in reach or set(rule.regions) & set(reach)):
            return None
    because = []
    if rule.kinds is not None:
        because.append(f"kind {ev.kind}")
    if rule.platforms is not None:
        because.append("on " + ", ".join(on))
    if rule.regions is not None:
        because.append("in " + _region_text(reach))
    if rule.statuses is not None:
        because.append(f"status {ev.status}")
    if rule.min_probability is not None:
        because.append(f"probability {_pct(e.probability)} >= {_pct(rule.min_probability)}")
    if rule.min_score is not None:
        because.append(f"score {e.score:.0f} >= {rule.min_score:g}")
    if rule.min_shock is not None:
        because.append(f"removes {_pct(e.shock)} of orders (>= {_pct(rule.min_shock)})")
    if rule.min_hit_share is not None:
        because.append(f"{_pct(e.hit_share)} of orders on the channels it hits (>= {_pct(rule.min_hit_share)})")
    return because or ["any event that reaches you" if rule.exposed_only else "any event"]


def match_standing(rule: PlaybookRule, a: Assessment, biz: _Business) -> tuple[list[str], str | None] | None:
    """(The facts that make standing `rule` match, the platform it is about), or None."""
    if not rule.standing:
        return None
    conc = a.concentration
    because: list[str] = []
    platform: str | None = None
    if rule.top_dependence_gte is not None:
        if conc.top_platform is None or conc.top_dependence < rule.top_dependence_gte:
            return None
        because.append(
            f"{conc.top_platform} carries {_pct(conc.top_dependence)} of orders (>= {_pct(rule.top_dependence_gte)})"
        )
        platform = platform or conc.top_platform
    if rule.runway_weeks_lt is not None:
        if a.runway_weeks is None or a.runway_weeks >= rule.runway_weeks_lt:
            return None
        because.append(f"runway {a.runway_weeks:.1f} weeks if likely events happen (< {rule.runway_weeks_lt:g})")
    if rule.payout_hold_days_gte is not None:
        if biz.hold_channel is None or biz.hold_days < rule.payout_hold_days_gte:
            return None
        because.append(f"{biz.hold_channel.id} holds payouts {biz.hold_days:g} days (>= {rule.payout_hold_days_gte:g})")
        platform = platform or biz.hold_channel.platform
    if rule.no_own_store is not None:
        if biz.has_own_store == rule.no_own_store:
            return None
        because.append("no own store" if rule.no_own_store else "has an own store")
    if rule.link_share_gte is not None:
        if biz.link_share < rule.link_share_gte:
            return None
        because.append(f"{_pct(biz.link_share)} of orders arrive through links (>= {_pct(rule.link_share_gte)})")
        platform = platform or biz.link_platform
    if rule.virtual_warehouse is not None:
        if bool(biz.virtual) != rule.virtual_warehouse:
            return None
        because.append(
            f"{', '.join(c.id for c in biz.virtual)} ship from a virtual warehouse"
            if biz.virtual
            else "no virtual warehouse"
        )
        platform = platform or (biz.virtual[0].platform if biz.virtual else None)
    return because, platform or conc.top_platform


def _standing_weight(rule: PlaybookRule, a: Assessment) -> float:
    levels = {r.rule: r.level for r in a.rules}
    level = Level.OK
    if rule.runway_weeks_lt is not None:
        level = max(level, levels.get("runway", Level.OK))
    if rule.top_dependence_gte is not None:
        level = max(level, levels.get("concentration", Level.OK))
    t = a.thresholds
    return {Level.CRITICAL: t.crit, Level.WARNING: t.warn}.get(level, STANDING_WEIGHT)


def _primary_platform(e: EventAssessment) -> str | None:
    """The event's platform that reaches the seller: a hit channel's own, else a cut link's."""
    platforms = list(e.event.platforms)
    direct = {h.platform for h in e.channels if h.direct}
    for p in platforms:
        if p in direct:
            return p
    vias = {link.via for h in e.channels for link in h.cut}
    return next((p for p in platforms if p in vias), platforms[0] if platforms else None)


# ---------------------------------------------------------------------------------------------
# Dating and ticking steps


class _Ticks:
    """Which steps history says are done, for one checklist key."""

    __slots__ = ("_e", "_key", "_progress", "_since", "_since_known")

    def __init__(self, progress: Progress, key: str, e: EventAssessment | None = None) -> None:
        self._progress, self._key, self._e = progress, key, e
        self._since: datetime | None = None
        self._since_known = e is None or not e.event.recurs

    def done_at(self, step_id: str) -> datetime | None:
        """When the step was marked done, or None. For a recurring event a mark made before the
        previous occurrence started belongs to that occurrence, not to this one."""
        rec = self._progress.get((self._key, step_id))
        if not rec or not rec.get("done"):
            return None
        at = rec.get("at")
        if not isinstance(at, datetime):
            return None
        since = self._previous_start()
        return None if since is not None and at < since else at

    def _previous_start(self) -> datetime | None:
        if not self._since_known and self._e is not None:
            from dateutil.rrule import rrulestr

            ev = self._e.event
            self._since = rrulestr(ev.recurs.removeprefix("RRULE:"), dtstart=ev.effective).before(self._e.effective)
            self._since_known = True
        return self._since


def _step(
    sid: str, due: datetime, due_days: int, text: str, why: str, ctx: _Context, ticks: _Ticks, now: datetime
) -> Step:
    done_at = ticks.done_at(sid)
    return Step(sid, due, due_days, done_at is None and due < now, done_at is not None, done_at, text, why, ctx)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].rstrip("-") or "step"


def _rank(suggestions: list[Suggestion], now: datetime) -> tuple[Suggestion, ...]:
    """Within one event: the rule with the earliest open step first (all done: last); a stable
    sort, so ties keep the order of the rules."""
    return tuple(sorted(suggestions, key=lambda s: (s.next_due is None, s.next_due or now)))


def _event_suggestions(
    a: Assessment,
    e: EventAssessment,
    rules: Sequence[PlaybookRule],
    biz: _Business,
    progress: Progress,
    now: datetime,
) -> tuple[Suggestion, ...]:
    ctx: _Context | None = None
    ticks = _Ticks(progress, e.id, e)
    seen: set[str] = set()
    out: list[Suggestion] = []
    for rule in rules:
        because = match_event(rule, e, biz.channels)
        if because is None:
            continue
        ctx = ctx or _Context(a, biz, e)
        steps = [
            _step(s.id, e.effective + timedelta(days=s.due_days), s.due_days, s.text, s.why, ctx, ticks, now)
            for s in rule.steps
            if s.id not in seen
        ]
        if not steps:
            continue
        seen.update(s.id for s in steps)
        steps.sort(key=lambda s: s.due)
        out.append(Suggestion(e.id, rule.id, tuple(because), e.score, tuple(steps), e, rule.title, rule.why, ctx))
    if e.event.deadlines and (out or exposed(e)):
        steps = []
        for when, what in e.deadlines:
            sid = base = f"deadline-{_slug(what)}"
            n = 2
            while sid in seen:
                sid, n = f"{base}-{n}", n + 1
            seen.add(sid)
            days = round((when - e.effective).total_seconds() / 86400.0)
            steps.append(_step(sid, when, days, what, "", _LITERAL, ticks, now))
        out.append(
            Suggestion(
                e.id,
                DEADLINES_RULE,
                ("the event lists deadlines",),
                e.score,
                tuple(steps),
                e,
                "Deadlines set for this event",
                "Dates announced with the event.",
                _LITERAL,
            )
        )
    return _rank(out, now)


def _standing_suggestions(
    a: Assessment, rules: Sequence[PlaybookRule], biz: _Business, progress: Progress, now: datetime
) -> tuple[Suggestion, ...]:
    out: list[Suggestion] = []
    for rule in rules:
        matched = match_standing(rule, a, biz)
        if matched is None:
            continue
        because, platform = matched
        ctx = _Context(a, biz, platform=platform)
        key = STANDING + rule.id
        ticks = _Ticks(progress, key)
        steps = sorted(
            (
                _step(s.id, now + timedelta(days=s.due_days), s.due_days, s.text, s.why, ctx, ticks, now)
                for s in rule.steps
            ),
            key=lambda s: s.due,
        )
        out.append(
            Suggestion(
                key, rule.id, tuple(because), _standing_weight(rule, a), tuple(steps), None, rule.title, rule.why, ctx
            )
        )
    return _rank(out, now)


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
