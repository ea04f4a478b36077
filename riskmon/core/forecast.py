"""The weekly cash forecast: end-of-week balances for W weeks, for a set of events assumed to
happen, and the runway read from it.

Week k (0 ... W-1) is [now + 7k days, now + 7k + 7 days); its mid-point t_k = now + 7k + 3.5 d.
flow_k = sum over channels of R_c (1 - lost_c(t_k)) (cm_c - fee_c(t_k)) - weekly fixed costs
- commitments dated in week k + one-offs in week k, where R_c = M s_c 12 / 52 (the orders not
covered by any channel count as one more channel with cm = g, never hit); cash_k = C + the flows
of weeks 0 ... k. One-offs, only for events whose `effective` is at or after now (the payouts of
an event already in effect are already in the pending figures): what gets frozen leaves in the
week holding `effective`, frozen payouts come back in the week holding effective + freeze_days,
extra hold comes back in the week holding `ends` (never without one).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from riskmon.core.record import field, record

WEEK_DAYS = 7.0
MID_WEEK_DAYS = 3.5
RUNWAY_CAP_WEEKS = 104.0


@record(slots=True)
class CashPair:
    """What one event does to one channel's weekly cash (before it is known to happen)."""

    event: int
    weeks: range
    """The weeks whose mid-point lies in the damage window [start, start + h)."""
    fraction: float
    """f_c(e)."""
    fee_weeks: range
    """The weeks whose mid-point lies in [start, ends) (for ever without `ends`): fees and duties
    last until the event ends, not just the horizon. Empty unless the event hits the channel."""
    cash_rate: float
    """fee_delta + duty_delta x (1 - g): savings count here."""


@record(frozen=False, slots=True)
class ChannelCash:
    weekly_revenue: float
    """R_c = M s_c 12 / 52."""
    margin: float
    """cm_c."""
    recapture: float
    pairs: list[CashPair] = field(default_factory=list)


@record(slots=True)
class OneOff:
    """Money an event moves in one week: negative leaves, positive comes back."""

    event: int
    week: int
    amount: float


@record(slots=True)
class CashBook:
    """Everything the forecast needs, worked out once per assessment."""

    weeks: int
    cash_on_hand: float
    steady: tuple[float, ...]
    """Each week's flow with no event: implicit channel's contribution, fixed costs, commitments."""
    channels: tuple[ChannelCash, ...]
    one_offs: tuple[OneOff, ...]


def week_of(day: float, weeks: int) -> int | None:
    """The week holding an instant `day` days from now, or None outside the W weeks."""
    if day < 0:
        return None
    k = math.floor(day / WEEK_DAYS)
    return k if k < weeks else None


def weeks_with_midpoint_in(start: float, end: float, weeks: int) -> range:
    """The weeks k whose mid-point 7k + 3.5 lies in [start, end)."""
    lo = max(0, math.ceil((start - MID_WEEK_DAYS) / WEEK_DAYS))
    hi = weeks if math.isinf(end) else min(weeks, math.ceil((end - MID_WEEK_DAYS) / WEEK_DAYS))
    return range(lo, max(lo, hi))


def balances(book: CashBook, happens: Sequence[bool]) -> list[float]:
    """cash_0 ... cash_{W-1} when the events marked in `happens` happen and no other."""
    flows = list(book.steady)
    for ch in book.channels:
        kept = [1.0] * book.weeks  # prod of (1 - f) over events happening, per week
        fee = [0.0] * book.weeks
        for pr in ch.pairs:
            if not happens[pr.event]:
                continue
            if pr.fraction > 0.0:
                for k in pr.weeks:
                    kept[k] *= 1.0 - pr.fraction
            for k in pr.fee_weeks:
                fee[k] += pr.cash_rate
        r, margin, revenue = ch.recapture, ch.margin, ch.weekly_revenue
        for k in range(book.weeks):
            lost = (1.0 - r) * (1.0 - kept[k])
            flows[k] += revenue * (1.0 - lost) * (margin - fee[k])
    for one in book.one_offs:
        if happens[one.event]:
            flows[one.week] += one.amount
    cash, out = book.cash_on_hand, []
    for flow in flows:
        cash += flow
        out.append(cash)
    return out


def runway(cash: Sequence[float], cash_on_hand: float) -> float | None:
    """Weeks until cash runs out: within the forecast, interpolated inside the week it crosses
    zero; past it, at the mean flow of the last 4 weeks (capped at 104 weeks); None when cash
    does not run down."""
    previous = cash_on_hand
    for k, balance in enumerate(cash):
        if balance < 0:
            return k + previous / (previous - balance)
        previous = balance
    tail = [cash[k] - (cash[k - 1] if k > 0 else cash_on_hand) for k in range(max(0, len(cash) - 4), len(cash))]
    mean = sum(tail) / len(tail) if tail else 0.0
    if mean < 0:
        return min(RUNWAY_CAP_WEEKS, len(cash) + cash[-1] / -mean)
    return None


def lowest(cash: Sequence[float]) -> tuple[float, int]:
    """The lowest balance and the first week it is reached."""
    low = min(cash)
    return low, cash.index(low)
