"""Why an event costs what it costs: every term of its money with the inputs it came from.

One place computes the explanation lines that `riskmon check -vv`, `riskmon events show` and the
dashboard's event detail print, so they cannot disagree. The numbers are the engine's
(`EventAssessment`); this module only names them and puts the config values they were computed
from beside them, in the words of the README's "How the numbers are computed".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from riskmon.core.model import Channel
from riskmon.core.money import money
from riskmon.core.results import Assessment, ChannelHit, EventAssessment
from riskmon.present.text import when
from riskmon.textsafe import clean

OFF_PLATFORM_WAREHOUSES = ("own", "third_party")
"""Stock in these warehouses can be sold elsewhere at a markdown (the engine's rule)."""
MAX_CHANNELS_NAMED = 4
"""An input list names this many channels, then "+N more"."""


@dataclass(frozen=True)
class Term:
    """One term of an event's money: its name, its value as shown, and what it was computed from."""

    term: str
    value: str
    inputs: str


@dataclass(frozen=True)
class Explanation:
    """One event, explained. `lines()` is the text form (`check -vv`, `events show`); `terms` are
    the rows of the dashboard's loss breakdown."""

    event_id: str
    title: str
    occurrence: str
    """'effective 2025-03-17 00:00 UTC (in 14 d), ban, confirmed'."""
    terms: tuple[Term, ...]
    hits: tuple[str, ...]
    """One line per channel the event reaches, most orders lost first."""

    def term(self, name: str) -> Term:
        return next(t for t in self.terms if t.term == name)

    def lines(self) -> list[str]:
        """The explanation as indented text: the header, the money terms, the channels reached."""
        width = max(len(t.term) for t in self.terms)
        lines = [f"{clean(self.event_id)}: {self.title}", f"  {self.occurrence}"]
        lines += [f"  {t.term:<{width}}  {t.value:>14}  {t.inputs}" for t in self.terms]
        lines += [f"  {h}" for h in self.hits] or ["  hits none of your channels"]
        return lines


def explain(e: EventAssessment, a: Assessment) -> Explanation:
    """The explanation of one of `a`'s events."""
    ends = f", ends {e.ends:%Y-%m-%d %H:%M} UTC" if e.ends else ""
    occurrence = f"effective {e.effective:%Y-%m-%d %H:%M} UTC ({when(e.days_until)}){ends}, {e.event.kind}, {e.status}"
    return Explanation(e.id, clean(e.event.title), occurrence, tuple(_terms(e, a)), tuple(_hits(e, a)))


def explain_all(a: Assessment) -> dict[str, Explanation]:
    """Every counted event of `a`, by id, in the assessment's order."""
    return {e.id: explain(e, a) for e in a.events}


# ---------------------------------------------------------------------------------------------
# The terms


def _named(hits: Sequence[ChannelHit], part: Callable[[ChannelHit], str], empty: str) -> str:
    parts = [part(h) for h in hits[:MAX_CHANNELS_NAMED]]
    more = f"; +{len(hits) - MAX_CHANNELS_NAMED} more" if len(hits) > MAX_CHANNELS_NAMED else ""
    return "; ".join(parts) + more if parts else empty


def _terms(e: EventAssessment, a: Assessment) -> list[Term]:
    return [*_money_terms(e, a), *_chance_terms(e, a)]


def _money_terms(e: EventAssessment, a: Assessment) -> list[Term]:
    biz, imp = a.profile.business, e.impact
    m = lambda x: money(x, biz.currency)  # noqa: E731
    still_sold = f"revenue still sold on the hit channels over {e.horizon_months:.2f} mo"
    duty = f"duty change {imp.duty_delta:+.1%} × goods' cost (1 − margin {biz.gross_margin:.0%}) × {still_sold}"
    return [
        Term("revenue lost / month", m(e.revenue_lost_monthly), f"{e.shock:.1%} of orders × {m(biz.monthly_revenue)}"),
        Term("profit at risk", m(e.profit_at_risk), _profit_inputs(e, a)),
        Term("fee cost", m(e.fee_cost) + _saving(e.fee_cost), f"fee change {imp.fee_delta:+.1%} × {still_sold}"),
        Term("duty cost", m(e.duty_cost) + _saving(e.duty_cost), duty),
        Term("inventory loss", m(e.inventory_loss), _stock_inputs(e, a)),
        Term("deposit loss", m(e.deposit_loss), _direct(e, lambda c: f"{m(c.deposit)} × {imp.deposit_lost:.0%}")),
        Term("loss", m(e.loss), "profit at risk + fee cost and duty cost (if > 0) + inventory + deposit"),
        Term("cash frozen", m(e.cash_frozen), _frozen_inputs(e, a)),
    ]


NONE_HIT = "no channel on the event's platforms"


def _direct(e: EventAssessment, part: Callable[[Channel], str]) -> str:
    """`part` of each channel the event hits itself (not only through its links)."""
    direct = [h for h in e.channels if h.direct]
    return _named(direct, lambda h: f"{clean(h.channel_id)} {part(h.channel)}", NONE_HIT)


def _profit_inputs(e: EventAssessment, a: Assessment) -> str:
    g = a.profile.business.gross_margin

    def lost(h: ChannelHit) -> str:
        c = h.channel
        cm = c.contribution_margin if c.contribution_margin is not None else g
        return f"{clean(c.id)} {c.order_share:.0%} × f {h.fraction:.0%} × (1 − r {c.recapture:.0%}) × cm {cm:.0%}"

    revenue = money(a.profile.business.monthly_revenue, a.profile.business.currency)
    return f"{_named(e.channels, lost, NONE_HIT)}, of {revenue} a month × {e.horizon_months:.2f} mo"


def _stock_inputs(e: EventAssessment, a: Assessment) -> str:
    model, cur = a.settings.model, a.profile.business.currency

    def stock(c: Channel) -> str:
        off = f" × {model.off_platform_stranded:.0%} off-platform" if c.warehouse in OFF_PLATFORM_WAREHOUSES else ""
        return f"{money(c.inventory_value, cur)} × {e.impact.inventory_stranded:.0%} stranded{off}"

    return f"{_direct(e, stock)} × (1 − recovery {model.recovery_rate:.0%})"


def _frozen_inputs(e: EventAssessment, a: Assessment) -> str:
    imp, cur = e.impact, a.profile.business.currency
    payouts = _direct(e, lambda c: f"payouts {money(c.pending_payouts, cur)} × {imp.payouts_frozen:.0%}")
    hold = f" + {imp.extra_hold_days:g} extra hold days of revenue" if imp.extra_hold_days else ""
    return f"{payouts}{hold} (late money, never part of the loss)"


def _saving(x: float) -> str:
    return "  (a saving, not counted)" if x < 0 else ""


def _chance_terms(e: EventAssessment, a: Assessment) -> list[Term]:
    m = lambda x: money(x, a.profile.business.currency)  # noqa: E731
    return [
        Term("probability", f"{e.probability:.2f}", _probability_source(e)),
        Term("expected loss", m(e.expected_loss), "probability × loss"),
        Term("urgency", f"{e.urgency:.3f}", f"{when(e.days_until)}: 1 within 14 d, then halves every 60 d"),
        Term(
            "score",
            f"{e.score:.2f}",
            f"100 × (1 − e^(−expected loss × urgency ÷ capacity {m(a.capacity)})); "
            "capacity = cash + a month of gross profit",
        ),
    ]


def _probability_source(e: EventAssessment) -> str:
    """Where p comes from, by the rule of `riskmon.core.timing.status_at`."""
    entry, ev = e.timeline_entry, e.event
    dated = f" (timeline entry of {entry.date:%Y-%m-%d})" if entry is not None else ""
    if entry is not None and entry.probability is not None:
        return f"status {e.status}{dated}, the entry's probability"
    if ev.probability is not None and (entry is None or entry is ev.timeline[-1]):
        return f"status {e.status}{dated}, probability set in the event"
    return f"status {e.status}{dated}, its default probability"


def _hits(e: EventAssessment, a: Assessment) -> list[str]:
    m = lambda x: money(x, a.profile.business.currency)  # noqa: E731
    return [
        f"hits {clean(h.channel_id)}: {h.lost_share:.1%} of orders, {m(h.loss)} lost, {m(h.cash_frozen)} late "
        f"({clean(h.why)})"
        for h in e.channels
    ]
