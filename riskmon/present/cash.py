"""Cash timing, as the outputs show it: when an event's late money leaves and comes back, and what
moves each week of the forecast besides trading (commitments, one-offs).

The engine folds these into its forecast balances; the presenters need them apart, with dates, to
say *why* a week moves. They are read from the Assessment with the README's rules ("The 13-week
cash forecast"): one-offs exist only for events not yet in effect; what gets frozen leaves in the
week holding `effective`, frozen payouts come back in the week holding effective + `freeze_days`,
extra hold in the week holding `ends` (never without one); a commitment counts in the week holding
its date, one dated before now as paid. tests/test_present_v2.py holds them to the forecast.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from riskmon.core.engine import Assessment, EventAssessment
from riskmon.core.forecast import week_of
from riskmon.core.record import record
from riskmon.core.timing import days_between
from riskmon.i18n import _, data
from riskmon.textsafe import clean

LIKELY_P = 0.5
"""The likely scenario: every event with p >= 0.5 happens (the stress one: every event with p > 0)."""


@record(slots=True)
class CashMove:
    """Late money of one event: `amount` leaves at `leaves` and comes back at `back`."""

    what: str
    """"payouts frozen" or "extra hold"."""
    amount: float
    leaves: datetime | None
    """None for an event already in effect: the money is already in the pending payouts the
    config gives, so the forecast does not move it again."""
    back: datetime | None
    """None when it does not come back (extra hold without an `ends`), or already in effect."""


def cash_moves(e: EventAssessment) -> list[CashMove]:
    """The event's late money (cash_frozen) split into frozen payouts and extra hold, with when
    each leaves and comes back. Empty when it freezes nothing."""
    payouts = sum(h.channel.pending_payouts * e.impact.payouts_frozen for h in e.channels if h.direct)
    # The hold part is the rest of cash_frozen: the engine's own sum, not a second formula.
    hold = e.cash_frozen - payouts if e.impact.extra_hold_days else 0.0
    pending = e.days_until >= 0
    leaves = e.effective if pending else None
    moves = []
    if payouts > 0:
        back = e.effective + timedelta(days=e.impact.freeze_days) if pending else None
        moves.append(CashMove("payouts frozen", payouts, leaves, back))
    if hold > 0:
        moves.append(CashMove("extra hold", hold, leaves, e.ends if pending else None))
    return moves


def happens_likely(e: EventAssessment) -> bool:
    return e.probability >= LIKELY_P


def happens_stress(e: EventAssessment) -> bool:
    return e.probability > 0.0


def one_offs(a: Assessment, happens: Callable[[EventAssessment], bool]) -> list[float]:
    """Per forecast week, the late money that leaves (negative) and comes back (positive) when
    the events `happens` picks happen."""
    weeks = len(a.forecast.week_starts)
    out = [0.0] * weeks
    for e in a.events:
        if not happens(e):
            continue
        for m in cash_moves(e):
            for when, amount in ((m.leaves, -m.amount), (m.back, m.amount)):
                k = week_of_date(a, when)
                if k is not None:
                    out[k] += amount
    return out


def commitments(a: Assessment) -> list[float]:
    """Per forecast week, the payments already promised that fall due in it, as cash flows
    (negative: money leaves)."""
    weeks = len(a.forecast.week_starts)
    out = [0.0] * weeks
    for c in a.profile.business.commitments:
        k = week_of_date(a, c.date)
        if k is not None:
            out[k] -= c.amount
    return out


def week_of_date(a: Assessment, when: datetime | None) -> int | None:
    """The forecast week holding `when`, or None outside the forecast."""
    return None if when is None else week_of(days_between(a.now, when), len(a.forecast.week_starts))


@record(slots=True)
class WeekRow:
    """One week of the forecast, with what moves in it besides trading."""

    week: int
    starts: datetime
    baseline: float
    likely: float
    stress: float
    commitments: float
    """Promised payments due this week, as a flow (negative; every scenario pays them)."""
    one_offs_likely: float
    """Late money leaving (-) or coming back (+) if the likely events happen."""
    one_offs_stress: float


def week_rows(a: Assessment) -> list[WeekRow]:
    f = a.forecast
    due = commitments(a)
    likely, stress = one_offs(a, happens_likely), one_offs(a, happens_stress)
    return [
        WeekRow(k, f.week_starts[k], f.baseline[k], f.likely[k], f.stress[k], due[k], likely[k], stress[k])
        for k in range(len(f.week_starts))
    ]


def runway_date(a: Assessment) -> datetime | None:
    """When cash runs out if the likely events happen, or None."""
    return None if a.runway_weeks is None else a.now + timedelta(weeks=a.runway_weeks)


def lowest_week_start(a: Assessment) -> datetime:
    return a.forecast.week_starts[a.cash_low_week]


def notes_by_week(a: Assessment) -> Sequence[list[str]]:
    """What a reader should notice in each week: commitments due, where the likely balance is
    lowest, and the week cash runs out."""
    weeks = len(a.forecast.week_starts)
    notes: list[list[str]] = [[] for _week in range(weeks)]
    for c in a.profile.business.commitments:
        k = week_of_date(a, c.date)
        if k is not None:
            notes[k].append(_("pay {what}").format(what=clean(data(c.what))))
    out_k = week_of_date(a, runway_date(a))
    if out_k is not None:
        notes[out_k].append(_("cash runs out (likely)"))
    notes[a.cash_low_week].append(_("lowest (likely)"))
    return notes
