"""Pure helpers behind the dashboard: sorting, filtering, "what changed", labels (the chart
series are in riskmon.tui.chart_series, re-exported here).

No Textual here and no arithmetic on the risk model: every number comes from `engine.assess()`
(or from history snapshots the engine's numbers were written to). This module only picks,
orders, compares and formats them, so widgets stay dumb and the tests can check it directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from riskmon.i18n import N_, _, is_english
from riskmon.store.snapshots import _fmt  # one formatting of change values: check's, the Monitor's
from riskmon.textsafe import clean
from riskmon.tui.chart_series import RANGES as RANGES
from riskmon.tui.chart_series import Series as Series
from riskmon.tui.chart_series import dependence_bars as dependence_bars
from riskmon.tui.chart_series import event_series as event_series
from riskmon.tui.chart_series import score_series as score_series
from riskmon.tui.chart_series import with_current as with_current

if TYPE_CHECKING:
    from riskmon.core.engine import Assessment, ChannelExposure, EventAssessment
    from riskmon.present.explain import Term

# riskmon.core.engine/model (pydantic) load in the first refresh's worker thread, not before the first
# paint: the helpers below import what they need when first called.


def money(x: float, currency: str) -> str:
    """The text formats' money (riskmon.present.text.money)."""
    from riskmon.present.text import money as _money

    return _money(x, currency)


def when(days_until: float) -> str:
    from riskmon.present.text import when as _when

    return _when(days_until)


def _status_rank(status: str) -> int:
    from riskmon.core.model import STATUS_RANK

    return STATUS_RANK.get(status, 0)


# ---------------------------------------------------------------------------------------------
# Formatting (the text formats' helpers, plus a few the tables need)


def pct(x: float | None, digits: int = 0) -> str:
    return "—" if x is None else f"{x:.{digits}%}"


def countdown(days_until: float) -> str:
    """'in 12 d', 'in 5 h', 'in effect' (the same words `check` prints)."""
    return when(days_until)


def runway(weeks: float | None) -> str:
    return _("no burn") if weeks is None else _("{n} wk").format(n=f"{weeks:.1f}")


def regions(codes: Sequence[str]) -> str:
    return ",".join(clean(c) for c in codes)


# ---------------------------------------------------------------------------------------------
# Sorting


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    """The English message id (`N_`): `_()` where the header is drawn."""
    numeric: bool = False
    sortable: bool = True
    """False: `s` skips the column and a click on its header does nothing."""


EXPOSURE_COLUMNS: tuple[Column, ...] = (
    Column("channel", N_("Channel")),
    Column("platform", N_("Platform")),
    Column("regions", N_("Regions")),
    Column("orders", N_("Orders"), True),
    Column("revenue", N_("Revenue/mo"), True),
    Column("inventory", N_("Inventory"), True),
    Column("payouts", N_("Payouts held"), True),
    Column("deposit", N_("Deposit"), True),
    Column("dependence", N_("Dependence"), True),
    Column("risk", N_("Risk share"), True),
)

EVENT_COLUMNS: tuple[Column, ...] = (
    Column("event", N_("Event")),
    Column("when", N_("When"), True),
    Column("status", N_("Status")),
    Column("p", "P", True),
    Column("score", N_("Score"), True),
    Column("loss", N_("Exp. loss"), True),
    Column("title", N_("Title")),
)

_EXPOSURE_KEYS: dict[str, Callable[[ChannelExposure], Any]] = {
    "channel": lambda x: x.channel.id,
    "platform": lambda x: (x.channel.platform, x.channel.id),
    "regions": lambda x: (",".join(x.channel.regions), x.channel.id),
    "orders": lambda x: x.channel.order_share,
    "revenue": lambda x: x.revenue_monthly,
    "inventory": lambda x: x.channel.inventory_value,
    "payouts": lambda x: x.channel.pending_payouts,
    "deposit": lambda x: x.channel.deposit,
    "dependence": lambda x: -1.0 if x.dependence is None else x.dependence,
    "risk": lambda x: x.risk_share,
}

_EVENT_KEYS: dict[str, Callable[[EventAssessment], Any]] = {
    "event": lambda e: e.id,
    "when": lambda e: e.days_until,
    "status": lambda e: (_status_rank(e.event.status), e.id),
    "p": lambda e: e.probability,
    "score": lambda e: e.score,
    "loss": lambda e: e.expected_loss,
    "title": lambda e: clean(e.event.title).casefold(),
}

# Numbers read best largest first, times newest first; names and countdowns smallest first.
_DESCENDING_FIRST = {
    *("orders", "revenue", "inventory", "payouts", "deposit", "dependence", "risk", "p", "score", "loss"),
    *("share", "baseline", "scenario", "change", "at"),
}

AS_GIVEN = ""
"""The sort key of a table shown in the order its rows came in (newest first, largest change
first...), until a column is chosen."""


@dataclass(frozen=True)
class Sort:
    key: str
    reverse: bool

    @classmethod
    def default_for(cls, key: str) -> Sort:
        return cls(key, key in _DESCENDING_FIRST)

    def toggled(self, key: str) -> Sort:
        """Clicking the sorted column flips it; another column starts in its natural order."""
        return Sort(key, not self.reverse) if key == self.key else Sort.default_for(key)

    def arrow(self, key: str) -> str:
        return ("▼" if self.reverse else "▲") if key == self.key else ""


def next_column(columns: Sequence[Column], current: str) -> str:
    """The sortable column after `current`, round and round (`current` itself when it is the
    only one; AS_GIVEN when none is sortable)."""
    keys = [c.key for c in columns if c.sortable]
    if not keys:
        return AS_GIVEN
    return keys[(keys.index(current) + 1) % len(keys)] if current in keys else keys[0]


def sort_channels(rows: Iterable[ChannelExposure], sort: Sort) -> list[ChannelExposure]:
    key = _EXPOSURE_KEYS[sort.key]
    return sorted(rows, key=key, reverse=sort.reverse)


def news_rank(e: EventAssessment, changes: Changes) -> int:
    """New events first, then changed ones, then the rest (the timeline's unlabeled first column)."""
    return 0 if e.id in changes.new else 1 if e.id in changes.changed else 2


def sort_events(rows: Iterable[EventAssessment], sort: Sort, changes: Changes | None = None) -> list[EventAssessment]:
    seen = changes or Changes()
    key = (lambda e: news_rank(e, seen)) if sort.key == "new" else _EVENT_KEYS[sort.key]
    # Ties keep the engine's order (highest score first), whatever the direction.
    ranked = list(rows)
    order = {e.id: i for i, e in enumerate(ranked)}
    ranked.sort(key=lambda e: order[e.id])
    return sorted(ranked, key=key, reverse=sort.reverse)


T = TypeVar("T")


def sort_values(rows: Sequence[T], value: Callable[[T], Any], sort: Sort) -> list[T]:
    """`rows` by each one's value for the sort's column (AS_GIVEN: as they came, reversed by
    `S`). Ties keep the incoming order; rows without a value (None) go last either way."""
    if sort.key == AS_GIVEN:
        return list(reversed(rows)) if sort.reverse else list(rows)
    present = [r for r in rows if value(r) is not None]
    missing = [r for r in rows if value(r) is None]
    return sorted(present, key=value, reverse=sort.reverse) + missing


# ---------------------------------------------------------------------------------------------
# Filtering


def event_haystack(e: EventAssessment) -> str:
    ev = e.event
    parts = [ev.id, ev.title, ev.kind, ev.status, *ev.platforms, *ev.regions, countdown(e.days_until)]
    return clean(" ".join(parts)).casefold()


def event_matches(e: EventAssessment, query: str) -> bool:
    """Every word of the query appears in the event's id, title, kind, status, platforms or regions."""
    words = clean(query).casefold().split()
    hay = event_haystack(e)
    return all(w in hay for w in words)


def filter_events(rows: Iterable[EventAssessment], query: str) -> list[EventAssessment]:
    return [e for e in rows if event_matches(e, query)] if query.strip() else list(rows)


# ---------------------------------------------------------------------------------------------
# What changed


@dataclass(frozen=True)
class Changes:
    """Events that are new or changed since the previous assessment (or the last run)."""

    new: frozenset[str] = frozenset()
    changed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Event id -> one line per change ("status announced → confirmed")."""
    titles: Mapping[str, str] = field(default_factory=dict)

    @property
    def ids(self) -> frozenset[str]:
        return self.new | frozenset(self.changed)

    def __bool__(self) -> bool:
        return bool(self.new or self.changed)

    def lines(self) -> list[str]:
        from riskmon.present.changes import change_line

        out = [_("new: {title}").format(title=self.title(i)) for i in sorted(self.new)]
        for i in sorted(self.changed):
            out.append(
                _("{title}: {changes}").format(
                    title=self.title(i), changes=_("; ").join(change_line(x) for x in self.changed[i])
                )
            )
        return out

    def title(self, event_id: str) -> str:
        from riskmon.i18n import data

        return clean(data(self.titles.get(event_id, event_id)))

    def merged(self, other: Changes) -> Changes:
        changed = {k: tuple(v) for k, v in self.changed.items()}
        for k, v in other.changed.items():
            changed[k] = changed.get(k, ()) + tuple(x for x in v if x not in changed.get(k, ()))
        return Changes(self.new | other.new, changed, {**self.titles, **other.titles})

    def only(self, keep: Iterable[str]) -> Changes:
        """These changes restricted to the event ids in `keep` (highlights that have not expired)."""
        ids = frozenset(keep)
        return Changes(
            self.new & ids,
            {k: v for k, v in self.changed.items() if k in ids},
            {k: v for k, v in self.titles.items() if k in ids},
        )


def changes_from_log(entries: Iterable[Mapping[str, Any]], *, first_run: bool) -> Changes:
    """Changes from history's event-log entries (what `record_check` returns).

    On the very first run against an empty history every event is "first seen"; that is not
    news, so nothing is highlighted then.
    """
    new: set[str] = set()
    changed: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    for entry in entries:
        eid = str(entry.get("event_id", ""))
        titles[eid] = str(entry.get("title") or eid)
        change = str(entry.get("change", ""))
        if change == "first_seen":
            if not first_run:
                new.add(eid)
            continue
        old, new_value = entry.get("old"), entry.get("new")
        changed.setdefault(eid, []).append(f"{change} {_fmt(change, old)} → {_fmt(change, new_value)}")
    return Changes(frozenset(new), {k: tuple(v) for k, v in changed.items()}, titles)


def log_line(entry: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """(when, event, change, old → new) for the change log table, all cleaned."""
    at = entry.get("at")
    stamp = f"{at:%Y-%m-%d %H:%M}" if isinstance(at, datetime) else clean(at)
    change = str(entry.get("change", ""))
    if change == "first_seen":
        detail = _("first seen")
        new = entry.get("new")
        if isinstance(new, Mapping):
            status, p = _fmt("status", new.get("status")), _fmt("probability", new.get("probability"))
            detail += f" ({status}, {p})"
    else:
        detail = f"{_fmt(change, entry.get('old'))} → {_fmt(change, entry.get('new'))}"
    return stamp, clean(entry.get("event_id", "")), clean(change), detail


# ---------------------------------------------------------------------------------------------
# The status line and the news list


def duration(seconds: float) -> str:
    """'42 s', '14 min', '3 h', '2 d' (rounded down, never negative)."""
    s = max(0, int(seconds))
    if s < 120:
        return _("{n} s").format(n=s)
    if s < 7200:
        return _("{n} min").format(n=s // 60)
    if s < 172800:
        return _("{n} h").format(n=s // 3600)
    return _("{n} d").format(n=s // 86400)


def next_poll(next_polls: Mapping[str, datetime | None], now: datetime) -> str | None:
    """'next poll in 42 s (news)': the soonest scheduled feed poll, or None when none is scheduled."""
    due = sorted((at, name) for name, at in next_polls.items() if at is not None)
    if not due:
        return None
    at, name = due[0]
    more = f" +{len(due) - 1}" if len(due) > 1 and due[1][0] == at else ""
    return _("next poll in {time} ({feed})").format(time=duration((at - now).total_seconds()), feed=clean(name) + more)


@dataclass(frozen=True)
class NewsRow:
    """One RSS headline as the news table shows it: every field cleaned, one line each."""

    when: str
    feed: str
    platforms: str
    title: str
    link: str


def _published(h: Mapping[str, Any]) -> datetime | None:
    raw = h.get("published")
    if isinstance(raw, datetime):
        return raw
    try:
        return datetime.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def news_rows(headlines: Iterable[Mapping[str, Any]], limit: int = 200) -> list[NewsRow]:
    """`Evaluation.headlines` newest first (undated last), duplicates across feeds dropped."""
    seen: set[tuple[str, str]] = set()
    dated: list[tuple[datetime | None, NewsRow]] = []
    for h in headlines:
        title, link = clean(h.get("title") or ""), clean(h.get("link") or "")
        if not (title or link) or (title, link) in seen:
            continue
        seen.add((title, link))
        at = _published(h)
        when = f"{at:%Y-%m-%d %H:%M}" if at is not None else "—"
        platforms = ",".join(clean(p) for p in h.get("platforms") or ())
        dated.append((at, NewsRow(when, clean(h.get("feed") or ""), platforms, title or link, link)))
    dated.sort(key=lambda r: (r[0] is None, -(r[0].timestamp() if r[0] is not None else 0.0)))
    return [row for _, row in dated[:limit]]


# ---------------------------------------------------------------------------------------------
# The event breakdown: every term with the inputs it was computed from, as riskmon.present.explain
# words it (the same lines `check -vv` prints)


def folded_summary(action: Any) -> str:
    """A folded backlog's line: 'overdue by more than 30 days: cross-post, announce-move'."""
    if is_english():
        return str(action.summary)  # the core's own words
    from riskmon.core.playbooks.actions import FOLD_DAYS
    from riskmon.present.words import keys_text

    steps = keys_text([i.step.id for i in action.items])
    return _("overdue by more than {days} days: {steps}").format(days=FOLD_DAYS, steps=steps)


def breakdown_rows(e: EventAssessment, a: Assessment) -> list[Term]:
    from riskmon.present.explain import explain

    return list(explain(e, a).terms)
