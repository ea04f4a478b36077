"""Why an event costs what it costs: every term of its money with the inputs it came from.

One place computes the explanation lines that `riskmon check -vv`, `riskmon events show` and the
dashboard's event detail print, so they cannot disagree. The numbers are the engine's
(`EventAssessment`); this module only names them and puts the config values they were computed
from beside them, in the words of the README's "How the numbers are computed".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from riskmon.core.model import Channel
from riskmon.core.record import record
from riskmon.core.results import Assessment, ChannelHit, EventAssessment
from riskmon.i18n import N_, _, data, day
from riskmon.present.text import cell_width, late_header, late_moves, ljust, money, rjust, when
from riskmon.present.words import channel_why, kind_word, status_word
from riskmon.textsafe import clean

OFF_PLATFORM_WAREHOUSES = ("own", "third_party")
"""Stock in these warehouses can be sold elsewhere at a markdown (the engine's rule)."""
MAX_CHANNELS_NAMED = 4
"""An input list names this many channels, then "+N more"."""


@record
class Term:
    """One term of an event's money: its name, its value as shown, and what it was computed from."""

    term: str
    """Its English name, the key the outputs look terms up by (`Explanation.term`)."""
    value: str
    inputs: str

    @property
    def label(self) -> str:
        """The name as shown, in the active language."""
        return _(TERM_NAMES.get(self.term, self.term))


TERM_NAMES = {
    name: name
    for name in (
        N_("revenue lost / month"),
        N_("profit at risk"),
        N_("fee cost"),
        N_("duty cost"),
        N_("inventory loss"),
        N_("deposit loss"),
        N_("loss"),
        N_("cash frozen"),
        N_("probability"),
        N_("expected loss"),
        N_("urgency"),
        N_("score"),
    )
}
"""The terms' names, marked for translation (the late money's parts are named by move_word)."""


LATE_TERMS = ("cash frozen",)
"""Cash timing: money that comes back, shown apart from what is lost and never added to it."""
CHANCE_TERMS = ("probability", "expected loss", "urgency", "score")


@record
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
    late: str = ""
    """The line that opens the event's late money, with its total (riskmon.present.text.late_header)."""
    moves: tuple[Term, ...] = ()
    """The late money by part: how much, and when it leaves and comes back."""

    def term(self, name: str) -> Term:
        return next(t for t in self.terms if t.term == name)

    def lines(self) -> list[str]:
        """The explanation as indented text: the header, what is lost if it happens, apart from
        what is only late, then the chance terms and the channels reached."""
        width = max(cell_width(t.label) for t in (*self.terms, *self.moves))

        def row(t: Term, indent: str) -> str:
            # Values line up whatever the indent: the name column shrinks by what the indent adds.
            return f"{indent}{ljust(t.label, width + 4 - len(indent))}  {rjust(t.value, 14)}  {t.inputs}"

        lost = [t for t in self.terms if t.term not in LATE_TERMS + CHANCE_TERMS]
        late = [t for t in self.terms if t.term in LATE_TERMS]
        chance = [t for t in self.terms if t.term in CHANCE_TERMS]
        lines = [f"{clean(self.event_id)}: {self.title}", f"  {self.occurrence}"]
        lines += ["  " + _("lost if it happens (money gone for good):"), *(row(t, "    ") for t in lost)]
        if self.late:
            lines.append(self.late)
        if self.moves:
            lines += [row(t, "    ") for t in (*late, *self.moves)]
        lines += [row(t, "  ") for t in chance]
        lines += [f"  {h}" for h in self.hits] or ["  " + _("hits none of your channels")]
        return lines


def explain(e: EventAssessment, a: Assessment) -> Explanation:
    """The explanation of one of `a`'s events."""
    ends = _(", ends {when} UTC").format(when=f"{e.ends:%Y-%m-%d %H:%M}") if e.ends else ""
    occurrence = _("effective {when} UTC ({days}){ends}, {kind}, {status}").format(
        when=f"{e.effective:%Y-%m-%d %H:%M}",
        days=when(e.days_until),
        ends=ends,
        kind=kind_word(e.event.kind),
        status=status_word(e.status),
    )
    cur = a.profile.business.currency
    moves = tuple(Term(what, money(amount, cur), timing) for what, amount, timing in late_moves(e, a))
    terms, hits = tuple(_terms(e, a)), tuple(_hits(e, a))
    return Explanation(e.id, clean(data(e.event.title)), occurrence, terms, hits, late_header(e, cur), moves)


def explain_all(a: Assessment) -> dict[str, Explanation]:
    """Every counted event of `a`, by id, in the assessment's order."""
    return {e.id: explain(e, a) for e in a.events}


# ---------------------------------------------------------------------------------------------
# The terms


def _named(hits: Sequence[ChannelHit], part: Callable[[ChannelHit], str], empty: str) -> str:
    parts = [part(h) for h in hits[:MAX_CHANNELS_NAMED]]
    more = _("; +{n} more").format(n=len(hits) - MAX_CHANNELS_NAMED) if len(hits) > MAX_CHANNELS_NAMED else ""
    return _("; ").join(parts) + more if parts else empty


def _terms(e: EventAssessment, a: Assessment) -> list[Term]:
    return [*_money_terms(e, a), *_chance_terms(e, a)]


def _money_terms(e: EventAssessment, a: Assessment) -> list[Term]:
    biz, imp = a.profile.business, e.impact
    m = lambda x: money(x, biz.currency)  # noqa: E731
    still_sold = _("revenue still sold on the hit channels over {n} mo").format(n=f"{e.horizon_months:.2f}")
    duty = _("duty change {delta} × goods' cost (1 − margin {margin}) × {still_sold}").format(
        delta=f"{imp.duty_delta:+.1%}", margin=f"{biz.gross_margin:.0%}", still_sold=still_sold
    )
    lost_orders = _("{share} of orders × {revenue}").format(share=f"{e.shock:.1%}", revenue=m(biz.monthly_revenue))
    fee = _("fee change {delta} × {still_sold}").format(delta=f"{imp.fee_delta:+.1%}", still_sold=still_sold)
    return [
        Term("revenue lost / month", m(e.revenue_lost_monthly), lost_orders),
        Term("profit at risk", m(e.profit_at_risk), _profit_inputs(e, a)),
        Term("fee cost", m(e.fee_cost) + _saving(e.fee_cost), fee),
        Term("duty cost", m(e.duty_cost) + _saving(e.duty_cost), duty),
        Term("inventory loss", m(e.inventory_loss), _stock_inputs(e, a)),
        Term("deposit loss", m(e.deposit_loss), _direct(e, lambda c: f"{m(c.deposit)} × {imp.deposit_lost:.0%}")),
        Term("loss", m(e.loss), _("profit at risk + fee cost and duty cost (if > 0) + inventory + deposit")),
        Term("cash frozen", m(e.cash_frozen), _frozen_inputs(e, a)),
    ]


NONE_HIT = N_("no channel on the event's platforms")


def _direct(e: EventAssessment, part: Callable[[Channel], str]) -> str:
    """`part` of each channel the event hits itself (not only through its links)."""
    direct = [h for h in e.channels if h.direct]
    return _named(direct, lambda h: f"{clean(h.channel_id)} {part(h.channel)}", _(NONE_HIT))


def _profit_inputs(e: EventAssessment, a: Assessment) -> str:
    g = a.profile.business.gross_margin

    def lost(h: ChannelHit) -> str:
        c = h.channel
        cm = c.contribution_margin if c.contribution_margin is not None else g
        return f"{clean(c.id)} {c.order_share:.0%} × f {h.fraction:.0%} × (1 − r {c.recapture:.0%}) × cm {cm:.0%}"

    revenue = money(a.profile.business.monthly_revenue, a.profile.business.currency)
    return _("{channels}, of {revenue} a month × {n} mo").format(
        channels=_named(e.channels, lost, _(NONE_HIT)), revenue=revenue, n=f"{e.horizon_months:.2f}"
    )


def _stock_inputs(e: EventAssessment, a: Assessment) -> str:
    model, cur = a.settings.model, a.profile.business.currency

    def stock(c: Channel) -> str:
        off = ""
        if c.warehouse in OFF_PLATFORM_WAREHOUSES:
            off = _(" × {share} off-platform").format(share=f"{model.off_platform_stranded:.0%}")
        return _("{stock} × {share} stranded{off}").format(
            stock=money(c.inventory_value, cur), share=f"{e.impact.inventory_stranded:.0%}", off=off
        )

    return _("{stock} × (1 − recovery {rate})").format(stock=_direct(e, stock), rate=f"{model.recovery_rate:.0%}")


def _frozen_inputs(e: EventAssessment, a: Assessment) -> str:
    imp, cur = e.impact, a.profile.business.currency
    payouts = _direct(
        e,
        lambda c: _("payouts {amount} × {share}").format(
            amount=money(c.pending_payouts, cur), share=f"{imp.payouts_frozen:.0%}"
        ),
    )
    hold = _(" + {n} extra hold days of revenue").format(n=f"{imp.extra_hold_days:g}") if imp.extra_hold_days else ""
    return _("{payouts}{hold} (late money, never part of the loss)").format(payouts=payouts, hold=hold)


def _saving(x: float) -> str:
    return "  " + _("(a saving, not counted)") if x < 0 else ""


def _chance_terms(e: EventAssessment, a: Assessment) -> list[Term]:
    m = lambda x: money(x, a.profile.business.currency)  # noqa: E731
    return [
        Term("probability", f"{e.probability:.2f}", _probability_source(e)),
        Term("expected loss", m(e.expected_loss), _("probability × loss")),
        Term(
            "urgency",
            f"{e.urgency:.3f}",
            _("{when}: 1 within 14 d, then halves every 60 d").format(when=when(e.days_until)),
        ),
        Term(
            "score",
            f"{e.score:.2f}",
            _(
                "100 × (1 − e^(−expected loss × urgency ÷ capacity {capacity})); "
                "capacity = cash + a month of gross profit"
            ).format(capacity=m(a.capacity)),
        ),
    ]


def _probability_source(e: EventAssessment) -> str:
    """Where p comes from, by the rule of `riskmon.core.timing.status_at`."""
    entry, ev = e.timeline_entry, e.event
    dated = _(" (timeline entry of {date})").format(date=day(entry.date)) if entry is not None else ""
    status = status_word(e.status)
    if entry is not None and entry.probability is not None:
        return _("status {status}{dated}, the entry's probability").format(status=status, dated=dated)
    if ev.probability is not None and (entry is None or entry is ev.timeline[-1]):
        return _("status {status}{dated}, probability set in the event").format(status=status, dated=dated)
    return _("status {status}{dated}, its default probability").format(status=status, dated=dated)


def _hits(e: EventAssessment, a: Assessment) -> list[str]:
    m = lambda x: money(x, a.profile.business.currency)  # noqa: E731
    return [
        _("hits {channel}: {share} of orders, {lost} lost, {late} late ({why})").format(
            channel=clean(h.channel_id),
            share=f"{h.lost_share:.1%}",
            lost=m(h.loss),
            late=m(h.cash_frozen),
            why=clean(channel_why(h)),
        )
        for h in e.channels
    ]
