"""The loss of events together, per channel, with nothing counted twice.

For a set of events S, a channel's loss L_c(S) is (DESIGN.md, "The business: events together"):
- contribution lost: M s_c (1 - r_c) cm_c / 30 x the integral over time of
  1 - prod over events of S active then of (1 - f_c(e));
- stock and deposit: the largest term any event of S causes the channel;
- fees and duties: for each e of S hitting c, rate_e x M s_c / 30 x the integral over e's window
  of sigma_c(t) = r_c + (1 - r_c) x prod over events of S active then of (1 - f_c(e')).

Every function here takes a *weight* per event instead of a set: weight 1 or 0 gives L_c(S)
(e in S or not); the probabilities p_e give the closed-form expectation E[L_c(S)] (each product
of (1 - f) becomes one of (1 - p f), a "largest of" becomes sum_i a_i p_i prod_{j<i} (1 - p_j));
p_e x urgency_e gives the score's U. One code path, three uses.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from riskmon.core.record import field, record


@record(slots=True)
class Pair:
    """What one event does to one channel (before probability)."""

    event: int
    """The event's position in the assessed list (its weight's index)."""
    start: float
    end: float
    """The damage window, in days from now: [start, end)."""
    fraction: float
    """f_c(e): the fraction of the channel's orders the event removes."""
    hit: bool
    """The event hits the channel itself (not only its links)."""
    stock: float = 0.0
    """The stock written down if it happens: I_c x stranded_c x (1 - recovery_rate)."""
    deposit: float = 0.0
    """The deposit forfeited: D_c x deposit_lost."""
    rate: float = 0.0
    """rate_e: the fee and duty increase per unit of revenue still sold (0 unless hit)."""


@record(frozen=False, slots=True)
class ChannelBook:
    """One channel's coefficients and the events that reach it."""

    index: int
    contribution_per_day: float
    """M s_c (1 - r_c) cm_c / 30: contribution lost per day of all its orders gone."""
    revenue_per_day: float
    """M s_c / 30."""
    recapture: float
    pairs: list[Pair] = field(default_factory=list)


Segment = tuple[float, float, float]
"""(t0, t1, P): on [t0, t1) the product of (1 - w f) over the events active then is P."""


def product_segments(spans: Sequence[tuple[float, float, float]]) -> list[Segment]:
    """The piecewise-constant product prod (1 - x) over the spans (start, end, x) active at each
    instant, as segments covering every instant at least one span is active.

    The active factors are kept as a multiset and multiplied out per segment (each distinct
    factor raised to its count): no division ever undoes a factor, so a factor near 0 (x = 1 -
    1e-16) cannot blow up, and a factor of exactly 0 (x = 1) is a plain zero."""
    starts: dict[float, list[float]] = {}
    ends: dict[float, list[float]] = {}
    for start, end, x in spans:
        starts.setdefault(start, []).append(1.0 - x if x < 1.0 else 0.0)
        ends.setdefault(end, []).append(1.0 - x if x < 1.0 else 0.0)
    points = sorted(starts.keys() | ends.keys())
    segments: list[Segment] = []
    active: dict[float, int] = {}
    for i, t in enumerate(points):
        for factor in ends.get(t, ()):
            left = active[factor] - 1
            if left:
                active[factor] = left
            else:
                del active[factor]
        for factor in starts.get(t, ()):
            active[factor] = active.get(factor, 0) + 1
        if active and i + 1 < len(points):
            segments.append((t, points[i + 1], product_of(active)))
    return segments


def product_of(active: dict[float, int]) -> float:
    """The product of a multiset of factors (factor -> how many times)."""
    out = 1.0
    for factor, count in active.items():
        out *= factor if count == 1 else factor**count
    return out


def largest_of(values: Sequence[tuple[float, float]]) -> float:
    """E[the largest value among those that happen] for (value, weight) pairs in event order:
    sum_i a_i w_i prod_{j<i} (1 - w_j), values in decreasing order (ties keep event order).
    With weights 0/1 it is the plain maximum of the values with weight 1."""
    total, none_yet = 0.0, 1.0
    for value, weight in sorted(values, key=lambda vw: -vw[0]):
        if value <= 0.0:
            break
        total += value * weight * none_yet
        none_yet *= 1.0 - weight
    return total


@record(slots=True)
class ChannelLoss:
    contribution: float
    stock: float
    deposit: float
    fees: float

    @property
    def total(self) -> float:
        return self.contribution + self.stock + self.deposit + self.fees


ZERO = ChannelLoss(0.0, 0.0, 0.0, 0.0)


def channel_loss(book: ChannelBook, weights: Sequence[float]) -> ChannelLoss:
    """L_c for one channel under `weights` (see the module's docstring)."""
    pairs = [pr for pr in book.pairs if weights[pr.event] > 0.0]
    if not pairs:
        return ZERO
    segments = product_segments([(pr.start, pr.end, weights[pr.event] * pr.fraction) for pr in pairs])
    lost_days = sum((t1 - t0) * (1.0 - product) for t0, t1, product in segments)
    stock = largest_of([(pr.stock, weights[pr.event]) for pr in pairs if pr.hit])
    deposit = largest_of([(pr.deposit, weights[pr.event]) for pr in pairs if pr.hit])
    fees = 0.0
    if any(pr.rate > 0.0 for pr in pairs):
        starts = [s[0] for s in segments]
        for pr in pairs:
            if pr.rate > 0.0:
                fees += weights[pr.event] * pr.rate * _still_sold_days(book, pr, weights, segments, starts)
        fees *= book.revenue_per_day
    return ChannelLoss(book.contribution_per_day * lost_days, stock, deposit, fees)


def _still_sold_days(
    book: ChannelBook, pr: Pair, weights: Sequence[float], segments: list[Segment], starts: list[float]
) -> float:
    """The integral over e's window of sigma_c(t) = r + (1 - r)(1 - f_e) prod_{e' != e}(1 - w f),
    in days: the orders that still happen while e applies, with e itself among what happens."""
    r = book.recapture
    x = weights[pr.event] * pr.fraction
    if x >= 1.0 or pr.fraction >= 1.0:
        return r * (pr.end - pr.start)  # e removes every order it could: only recaptured ones remain
    scale = (1.0 - pr.fraction) / (1.0 - x)
    others = 0.0
    i = bisect.bisect_left(starts, pr.start)
    while i < len(segments) and segments[i][0] < pr.end:
        t0, t1, product = segments[i]
        others += (t1 - t0) * product
        i += 1
    return r * (pr.end - pr.start) + (1.0 - r) * scale * others


def channel_losses(books: Sequence[ChannelBook], weights: Sequence[float]) -> list[ChannelLoss]:
    return [channel_loss(book, weights) for book in books]


def total_loss(books: Sequence[ChannelBook], weights: Sequence[float]) -> float:
    return sum(channel_loss(book, weights).total for book in books)
