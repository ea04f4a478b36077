"""What each event does to each channel it reaches, kept as columns rather than one object a pair.

The union of events (`union.py`), the cash forecast (`forecast.py`) and the distribution read,
for every (event, channel) pair, the same few numbers: the fraction of orders removed, whether the
channel itself is hit, the stock and deposit it would lose; and, for every event, its damage
window and its fee and duty rates. A large profile has tens of thousands of pairs, so they are
recorded as plain columns while events are assessed; the readable per-channel books of `union.py`
and `forecast.py` are built from them for a profile of ordinary size, and `arrays.py` turns the
same columns into numpy arrays for a large one.
"""

from __future__ import annotations

from riskmon.core.forecast import CashPair, ChannelCash
from riskmon.core.record import field, record
from riskmon.core.union import ChannelBook, Pair


@record(slots=True)
class Span:
    """When one event acts, and what it charges on the orders that still happen."""

    start: float
    end: float
    """The damage window, in days from now: [start, end)."""
    rate: float
    """rate_e = max(0, fee_delta) + max(0, duty_delta) x (1 - g): the loss side (no savings)."""
    cash_rate: float
    """fee_delta + duty_delta x (1 - g): the cash side (savings count)."""
    weeks: range
    """The forecast weeks whose mid-point lies in the damage window."""
    fee_weeks: range
    """The forecast weeks whose mid-point lies in [start, ends) (for ever without `ends`)."""


@record(frozen=False, slots=True)
class PairTable:
    """One row per (event, channel) pair, in the order events were assessed."""

    channel: list[int] = field(default_factory=list)
    event: list[int] = field(default_factory=list)
    fraction: list[float] = field(default_factory=list)
    """f_c(e)."""
    hit: list[bool] = field(default_factory=list)
    """The event hits the channel itself (not only its links)."""
    stock: list[float] = field(default_factory=list)
    deposit: list[float] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    """One per event, by its position."""
    arrays: dict[str, object] = field(default_factory=dict, compare=False, repr=False)
    """The same columns as numpy arrays, by name, when they were made as arrays (a large
    profile's events, core/events_arrays.py), so that `arrays.py` need not convert them back;
    set once every pair is in."""

    def add_event(self, pairs: list[tuple[int, float, bool, float, float]]) -> None:
        """Every pair of the event last added to `spans`: (channel, fraction, hit, stock,
        deposit) each."""
        if not pairs:
            return
        channel, fraction, hit, stock, deposit = zip(*pairs, strict=True)
        self.channel.extend(channel)
        self.event.extend([len(self.spans) - 1] * len(pairs))
        self.fraction.extend(fraction)
        self.hit.extend(hit)
        self.stock.extend(stock)
        self.deposit.extend(deposit)

    def __len__(self) -> int:
        return len(self.channel)

    def fill(self, books: list[ChannelBook], cash: list[ChannelCash]) -> None:
        """Write every pair into its channel's book (the union) and cash (the forecast)."""
        rows = zip(self.channel, self.event, self.fraction, self.hit, self.stock, self.deposit, strict=True)
        for c, e, f, hit, stock, deposit in rows:
            span = self.spans[e]
            rate, cash_rate, fee_weeks = (span.rate, span.cash_rate, span.fee_weeks) if hit else (0.0, 0.0, range(0))
            books[c].pairs.append(Pair(e, span.start, span.end, f, hit, stock, deposit, rate))
            cash[c].pairs.append(CashPair(e, span.weeks, f, fee_weeks, cash_rate))
