"""The union of events and the cash forecast for a large profile, as numpy arrays.

The same figures as `union.py` (the readable spec) and `forecast.py`, computed over every
(event, channel) pair of the `PairTable` at once rather than channel by channel. numpy is imported
by the caller only for large profiles (see engine.ARRAYS_MIN_PAIRS), so a seller-sized `check`
never loads it.

The union: each pair that removes orders or charges fees cuts its channel's time at its window's
start and end. Sorted by (channel, time), a running sum of log(1 - w f) (and a running count of
factors that are exactly 0, w f = 1) gives the product of (1 - w f) on every segment between two
consecutive cuts: the work is a sort and a few passes over the cuts, not a product per segment.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from riskmon.core.forecast import CashBook
from riskmon.core.pairs import PairTable

if TYPE_CHECKING:
    from numpy.typing import NDArray

    Floats = NDArray[np.float64]
    Ints = NDArray[np.int64]


def grouped_cumsum(values: Floats, group: Ints) -> Floats:
    """The running sum of `values` restarting at each group (rows sorted by group)."""
    running = np.concatenate([[0.0], np.cumsum(values)])
    first = np.searchsorted(group, group, side="left")
    out: Floats = running[1:] - running[first]
    return out


def exclusive_products(log_factors: Floats, zeros: Ints, group: Ints) -> Floats:
    """Per row, the product of the factors of the rows before it in its group (rows sorted by
    group): exp of the running log, or 0 once a factor of exactly 0 came before."""
    logs = grouped_cumsum(log_factors, group) - log_factors
    killed = grouped_cumsum(zeros.astype(float), group) - zeros
    out: Floats = np.where(killed > 0.5, 0.0, np.exp(logs))
    return out


def column(table: PairTable, name: str, dtype: type[np.generic]) -> Any:
    """One column of the pair table as an array: the one kept when it was made as an array."""
    found = table.arrays.get(name)
    return np.asarray(getattr(table, name) if found is None else found, dtype=dtype)


class PairArrays:
    """The pair table as arrays, with the channels' time cut and sorted once; every weighting
    (probabilities, probability x urgency, the scenarios) reuses the same order."""

    def __init__(
        self, table: PairTable, contribution: Sequence[float], revenue: Sequence[float], recapture: Sequence[float]
    ) -> None:
        self.channels = len(contribution)
        self.contribution = np.asarray(contribution, dtype=float)
        self.revenue = np.asarray(revenue, dtype=float)
        self.recapture = np.asarray(recapture, dtype=float)
        self.channel = column(table, "channel", np.int64)
        self.event = column(table, "event", np.int64)
        self.fraction = column(table, "fraction", np.float64)
        self.hit = column(table, "hit", np.bool_)
        self.stock = column(table, "stock", np.float64)
        self.deposit = column(table, "deposit", np.float64)
        spans = table.spans
        self.start = np.array([s.start for s in spans], dtype=float)[self.event]
        self.end = np.array([s.end for s in spans], dtype=float)[self.event]
        self.rate = np.array([s.rate for s in spans], dtype=float)[self.event] * self.hit
        self._cut_time()

    def _cut_time(self) -> None:
        """Sort the starts and ends of the timed pairs by (channel, time)."""
        self.timed = np.flatnonzero((self.fraction > 0.0) | (self.rate > 0.0))
        n = len(self.timed)
        times = np.concatenate([self.start[self.timed], self.end[self.timed]])
        group = np.concatenate([self.channel[self.timed], self.channel[self.timed]])
        order = np.lexsort((times, group))
        self.cut_sign = np.where(order < n, 1.0, -1.0)
        self.cut_pair = self.timed[order % n] if n else order
        self.cut_channel = group[order]
        sorted_times = times[order]
        same = self.cut_channel[1:] == self.cut_channel[:-1]
        self.segment_days = np.append(np.where(same, np.diff(sorted_times), 0.0), 0.0) if n else np.zeros(0)
        where = np.empty(2 * n, dtype=np.int64)
        where[order] = np.arange(2 * n)
        self.start_cut, self.end_cut = where[:n], where[n:]

    def products(self, weights: Floats) -> Floats:
        """Per segment (after each cut), the product of (1 - w f) over the pairs active then."""
        x = weights[self.event[self.cut_pair]] * self.fraction[self.cut_pair]
        zero = x >= 1.0
        log_factor = np.log1p(-np.where(zero, 0.0, x))
        logs = grouped_cumsum(self.cut_sign * log_factor, self.cut_channel)
        zeros = grouped_cumsum(self.cut_sign * zero, self.cut_channel)
        out: Floats = np.where(zeros > 0.5, 0.0, np.exp(logs))
        return out

    def channel_losses(self, weights: Sequence[float]) -> Floats:
        """E[L_c] under `weights` for every channel (union.channel_loss, all at once)."""
        w = np.asarray(weights, dtype=float)
        product = self.products(w)
        lost_days = np.bincount(self.cut_channel, self.segment_days * (1.0 - product), self.channels)
        out: Floats = self.contribution * lost_days + self._fees(w, product)
        return out + self._largest(w, self.stock) + self._largest(w, self.deposit)

    def _fees(self, w: Floats, product: Floats) -> Floats:
        """sum over fee pairs of w rate M s / 30 x the days of orders still sold in the window."""
        k = np.flatnonzero((self.rate[self.timed] > 0.0) & (w[self.event[self.timed]] > 0.0))
        pair = self.timed[k]
        c, f = self.channel[pair], self.fraction[pair]
        x = w[self.event[pair]] * f
        running = np.concatenate([[0.0], np.cumsum(self.segment_days * product)])
        others = running[self.end_cut[k]] - running[self.start_cut[k]]
        whole = (x >= 1.0) | (f >= 1.0)
        scale = np.where(whole, 0.0, (1.0 - f) / np.where(whole, 1.0, 1.0 - x))
        r = self.recapture[c]
        days = r * (self.end[pair] - self.start[pair]) + (1.0 - r) * scale * others
        value = w[self.event[pair]] * self.rate[pair] * days * self.revenue[c]
        out: Floats = np.bincount(c, value, self.channels).astype(float)
        return out

    def _largest(self, w: Floats, values: Floats) -> Floats:
        """E[the largest value whose event happens], per channel (union.largest_of)."""
        rows = np.flatnonzero(self.hit & (values > 0.0) & (w[self.event] > 0.0))
        rows = rows[np.lexsort((self.event[rows], -values[rows], self.channel[rows]))]
        weight, group = w[self.event[rows]], self.channel[rows]
        zero = weight >= 1.0
        none_before = exclusive_products(np.log1p(-np.where(zero, 0.0, weight)), zero.astype(np.int64), group)
        out: Floats = np.bincount(group, values[rows] * weight * none_before, self.channels).astype(float)
        return out


def scenario_balances(book: CashBook, pairs: PairTable, happens: Sequence[Sequence[bool]]) -> list[list[float]]:
    """forecast.balances for several sets of events at once (one list of `happens` each)."""
    weeks = PairWeeks(pairs)
    out = []
    for row in happens:
        on = np.asarray(row, dtype=bool)
        kept, fee = weeks.grid(on[weeks.event], len(book.channels), book.weeks)
        flows = np.asarray(book.steady, dtype=float) + week_flows(book, kept, fee)
        for one in book.one_offs:
            flows[one.week] += on[one.event] * one.amount
        out.append(list(book.cash_on_hand + np.cumsum(flows)))
    return out


def week_flows(book: CashBook, kept: Floats, fee: Floats) -> Floats:
    """Each week's flow of the channels: sum of R (r + (1 - r) kept) (cm - fee)."""
    revenue, margin, r = (
        np.array([getattr(x, name) for x in book.channels]) for name in ("weekly_revenue", "margin", "recapture")
    )
    flows = revenue[:, None] * (1.0 - (1.0 - r[:, None]) * (1.0 - kept)) * (margin[:, None] - fee)
    out: Floats = flows.sum(axis=0)
    return out


class PairWeeks:
    """The pairs as the forecast reads them: each pair's channel, event, fraction, the weeks of its
    damage window [lo, hi), the weeks its fee or duty applies [fee_lo, fee_hi) and that rate."""

    def __init__(self, pairs: PairTable) -> None:
        self.channel = column(pairs, "channel", np.int64)
        self.event = column(pairs, "event", np.int64)
        self.fraction = column(pairs, "fraction", np.float64)
        hit = column(pairs, "hit", np.bool_)
        spans = pairs.spans
        bounds = np.array(
            [[s.weeks.start, s.weeks.stop, s.fee_weeks.start, s.fee_weeks.stop] for s in spans], dtype=np.int64
        )
        self.lo, self.hi, self.fee_lo, self.fee_hi = bounds.reshape(-1, 4)[self.event].T
        self.rate = np.array([s.cash_rate for s in spans] or [0.0], dtype=float)[self.event] * hit

    def grid(self, on: NDArray[np.bool_], channels: int, weeks: int) -> tuple[Floats, Floats]:
        """(kept, fee) per channel and week when the pairs marked `on` happen: the product of
        (1 - f) over those active at the week's mid-point, and the sum of their fee rates."""
        zero = self.fraction >= 1.0
        log_kept = np.log1p(-np.where(zero, 0.0, self.fraction))
        logs, zeros, fee = (np.zeros((channels, weeks + 1)) for _ in range(3))
        _steps(logs, self.channel, self.lo, self.hi, np.where(on, log_kept, 0.0))
        _steps(zeros, self.channel, self.lo, self.hi, (on & zero).astype(float))
        _steps(fee, self.channel, self.fee_lo, self.fee_hi, np.where(on, self.rate, 0.0))
        kept = np.where(np.cumsum(zeros, axis=1) > 0.5, 0.0, np.exp(np.cumsum(logs, axis=1)))
        return kept[:, :weeks], np.cumsum(fee, axis=1)[:, :weeks]


def _steps(grid: Floats, channel: Ints, lo: Ints, hi: Ints, value: Floats) -> None:
    """Add `value` to weeks [lo, hi) of each pair's channel, as steps a cumulative sum undoes."""
    keep = (hi > lo) & (value != 0.0)
    np.add.at(grid, (channel[keep], lo[keep]), value[keep])
    np.add.at(grid, (channel[keep], hi[keep]), -value[keep])
