"""Monte Carlo draws of L(S) and of the cash shortfall, all draws at once, with numpy.

Used when there are too many uncertain events to enumerate and to remember (see spread.py); numpy
is imported only then, so the headless check on a profile of ordinary size never loads it.

What the fixed events decide is worked out once: the product of (1 - f) of the fixed events on
every segment of a channel's time (`PairArrays.products` with the fixed events' weight 1), and on
every (week, channel) cell of the forecast. Only *live* segments and cells, where an uncertain
event is active and no fixed event already removed every order, change from draw to draw. There,
a draw's product is the fixed one times the factors of the uncertain events that happen:
- an event removing every order (f = 1) zeroes it: which draws that happens in is the OR of the
  events' "happens" bits, packed 64 draws a word, so it costs a few bytes per (event, segment);
- a fraction (0 < f < 1) multiplies it: a sum of log(1 - f) over those events, per draw, made
  per pair rather than per cell (`range_sums`: added at a window's first cell, taken off after
  its last, one running sum down the cells).
Fees, duties, the largest stock and deposit terms and the one-off cash moves follow from the same
products and bits. At 2,000 draws the arrays are tens of MB: they are written once and in place
where possible, and products avoid BLAS's threads (see `_weighted_rows`).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from riskmon.core.arrays import PairArrays, PairWeeks, grouped_cumsum, week_flows
from riskmon.core.forecast import CashBook
from riskmon.core.pairs import PairTable

if TYPE_CHECKING:
    from numpy.typing import NDArray

    Floats = NDArray[np.float64]
    Ints = NDArray[np.int64]
    Words = NDArray[np.uint64]

NEVER, ALWAYS = -2, -1
"""An event's row in the draws: its uncertain index, or one of these."""


class Draws:
    """Which uncertain events happen in each draw: `happens` (events x draws) and the same packed
    as bits, 8 draws a byte; `row[e]` is event e's row, ALWAYS (p = 1) or NEVER (p = 0 or no
    effect)."""

    def __init__(self, events: int, fixed: Sequence[int], uncertain: Sequence[int], happens: NDArray[np.bool_]) -> None:
        self.count = happens.shape[1]
        self.happens = happens
        # Padded to whole 64-bit words: an OR or AND of two rows is then one operation per 64
        # draws. The last row is all ones: indexed by ALWAYS (-1), a fixed event happens always.
        packed = np.packbits(happens, axis=1).reshape(len(happens), -(-self.count // 8))
        padded = np.zeros((len(happens) + 1, -(-packed.shape[1] // 8) * 8), dtype=np.uint8)
        padded[:-1, : packed.shape[1]] = packed
        padded[-1] = 255
        self.bits: Words = padded.view(np.uint64)
        self.words: Words = np.ascontiguousarray(self.bits.T)
        """`bits` word by word: row w holds every event's w-th word (see `_or_by_cell`)."""
        self.row = np.full(events, NEVER, dtype=np.int64)
        self.row[np.asarray(fixed, dtype=np.int64)] = ALWAYS
        self.row[np.asarray(uncertain, dtype=np.int64)] = np.arange(len(uncertain))

    def unpack(self, words: Words) -> NDArray[np.uint8]:
        """Rows of packed bits back to one 0 or 1 per draw."""
        return np.unpackbits(np.ascontiguousarray(words).view(np.uint8), axis=1, count=self.count)

    def occurs(self, rows: Ints) -> Floats:
        """1.0 where each row's event happens (rows x draws); fixed events always."""
        out = np.ones((len(rows), self.count))
        some = rows >= 0
        out[some] = self.happens[rows[some]]
        return out


def sample(
    arrays: PairArrays,
    table: PairTable,
    cash: CashBook,
    fixed: Sequence[int],
    uncertain: Sequence[int],
    probabilities: Sequence[float],
    draws: int,
    seed: int,
) -> tuple[Floats, NDArray[np.bool_]]:
    """L(S) and "cash goes below zero" for `draws` random sets S (each uncertain event happens
    independently with its probability; fixed events always)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    happens = rng.random((len(uncertain), draws)) < np.asarray(probabilities, dtype=float)[:, None]
    d = Draws(len(table.spans), fixed, uncertain, happens)
    lowest = cash_lows(table, cash, d)
    return losses(arrays, d), lowest < 0.0


def losses(arrays: PairArrays, d: Draws) -> Floats:
    """L(S) per draw."""
    a = arrays
    fixed = a.products((d.row[np.arange(len(d.row))] == ALWAYS).astype(float))
    coef = a.contribution[a.cut_channel] * a.segment_days
    total = np.full(d.count, float(np.sum(coef * (1.0 - fixed))))
    k = np.flatnonzero((d.row[a.event[a.timed]] >= 0) & (a.fraction[a.timed] > 0.0))
    covered = np.cumsum(
        np.bincount(a.start_cut[k], minlength=len(fixed) + 1) - np.bincount(a.end_cut[k], minlength=len(fixed) + 1)
    )
    live = (a.segment_days > 0.0) & (fixed > 0.0) & (covered[:-1] > 0)
    number = np.concatenate([[0], np.cumsum(live)])
    pair = a.timed[k]
    lo, hi = number[a.start_cut[k]], number[a.end_cut[k]]
    q = cell_factors(int(number[-1]), lo, hi, d.row[a.event[pair]], a.fraction[pair], d)
    weight = (coef * fixed)[live]
    total -= _weighted_rows(weight, q) - weight.sum()
    total += _fees(a, d, fixed, live, number, q)
    return total + _largest(a, d, a.stock) + _largest(a, d, a.deposit)


def _weighted_rows(weight: Floats, rows: NDArray[np.float64] | NDArray[np.uint8]) -> Floats:
    """weight @ rows without BLAS: OpenBLAS runs a matrix-vector product of more than ~9,000
    numbers on all its threads, which then spin waiting for the next one; on a busy machine that
    costs more CPU than the product (einsum's own loop is single-threaded)."""
    out: Floats = np.einsum("i,ij->j", weight, rows)
    return out


def _incidences(lo: Ints, hi: Ints, owner: Ints) -> tuple[Ints, Ints]:
    """(cell, owner) for every cell in [lo, hi) of every owner."""
    counts = np.maximum(hi - lo, 0)
    offsets = np.cumsum(counts) - counts
    step = np.arange(int(counts.sum())) - np.repeat(offsets, counts)
    return np.repeat(lo, counts) + step, np.repeat(owner, counts)


def cell_factors(
    cells: int, lo: Ints, hi: Ints, rows: Ints, fraction: Floats, d: Draws, place: Ints | None = None
) -> Floats:
    """Per cell and draw, the product of (1 - f) over the uncertain events (rows) that happen,
    each acting on the cells [lo, hi) of its pair; cell i is row place[i] of the result (row i
    without `place`)."""
    place = np.arange(cells) if place is None else place
    # Each row is written once (fresh memory costs more than the arithmetic at this size).
    out = np.empty((cells, d.count))
    untouched = np.ones(cells, dtype=bool)
    zero = fraction >= 1.0
    if zero.any():
        cell, owner = _incidences(lo[zero], hi[zero], rows[zero])
        killed_cells, ored = _or_by_cell(cell, owner, d.words)
        out[place[killed_cells]] = d.unpack(~ored)  # 1 where no event removing every order happens
        untouched[place[killed_cells]] = False
    out[untouched] = 1.0
    part = np.flatnonzero(~zero & (fraction > 0.0) & (hi > lo))
    if len(part):
        at, segment, logs = range_segments(
            lo[part], hi[part], np.log1p(-fraction[part])[:, None] * d.happens[rows[part]]
        )
        np.exp(logs, out=logs)
        rows_at = place[at]
        bounds = np.flatnonzero(np.r_[True, segment[1:] != segment[:-1], True]).tolist()
        for s, e in pairwise(bounds):
            out[rows_at[s:e]] *= logs[segment[s]]
    return out


def range_sums(lo: Ints, hi: Ints, values: Floats) -> tuple[Ints, Floats]:
    """Per cell some range [lo, hi) covers, the sum of the rows of `values` whose range holds it:
    (those cells, their sums); `range_segments`, each cell given its segment's sums."""
    at, segment, sums = range_segments(lo, hi, values)
    return at, sums[segment]


def range_segments(lo: Ints, hi: Ints, values: Floats) -> tuple[Ints, Ints, Floats]:
    """The cells some range [lo, hi) covers, each one's segment, and per segment the sum of the
    rows of `values` whose range holds it. A segment is a run of covered cells no range starts
    or ends inside (numbered as covered cells, skipping the rest): each row is added where its
    range starts and taken off where it ends, and one running sum down the segments does the
    rest, so the work is per range, not per cell of it; every cell of a segment has the same
    sum, the float a running sum down the cells would give (it adds only zeros inside one)."""
    n = int(hi.max())
    covered = np.cumsum(np.bincount(lo, minlength=n + 1) - np.bincount(hi, minlength=n + 1))[:n] > 0
    number = np.concatenate([[0], np.cumsum(covered)])
    first, after = number[lo], number[hi]
    cuts = np.unique(np.concatenate([first, after]))
    steps = np.zeros((len(cuts), values.shape[1]))
    at, sums = _sum_by_cell(np.searchsorted(cuts, first), values)
    steps[at] += sums
    at, sums = _sum_by_cell(np.searchsorted(cuts, after), values)
    steps[at] -= sums
    np.cumsum(steps, axis=0, out=steps)
    segment = np.searchsorted(cuts, np.arange(int(number[-1])), side="right") - 1
    return np.flatnonzero(covered), segment, steps


def _sum_by_cell(cell: Ints, values: Floats) -> tuple[Ints, Floats]:
    """The rows of `values` added up by cell, in row order: (the cells, their sums). Rank by rank
    (each cell's first rows, then the second ones ...): a cell has a few rows, and numpy's
    reduceat down the rows of a 2-D array is several times slower than these row additions."""
    if not len(cell):
        return cell, values[:0]
    order = np.argsort(cell, kind="stable")
    c = cell[order]
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    counts = np.diff(np.r_[starts, len(c)])
    out = values[order[starts]]
    for j in range(1, int(counts.max())):
        more = np.flatnonzero(counts > j)
        out[more] += values[order[starts[more] + j]]
    return c[starts], out


def _or_by_cell(cell: Ints, owner: Ints, words: Words) -> tuple[Ints, Words]:
    """The rows `owner` of the packed bits or-ed by cell: (the cells, their bits); none for no
    cells (every range empty: an event that removes every order over no day of the horizon).
    Word by word (`words` is the bits transposed): a 1-D reduceat is fast, a 2-D one down the
    rows is not, and the rows gathered would be tens of MB."""
    if not len(cell):  # reduceat needs at least one start
        return cell, np.zeros((0, len(words)), dtype=np.uint64)
    order = np.argsort(cell, kind="stable")
    c = cell[order]
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    who = owner[order]
    ored = np.empty((len(starts), len(words)), dtype=np.uint64)
    for w, word in enumerate(words):
        ored[:, w] = np.bitwise_or.reduceat(word[who], starts)
    return c[starts], ored


def _fees(a: PairArrays, d: Draws, fixed: Floats, live: NDArray[np.bool_], number: Ints, q: Floats) -> Floats:
    """Per draw, sum over fee pairs that happen of rate x M s / 30 x the days of orders still
    sold in their window (their own factor included: in a draw where e happens, x = f)."""
    k = np.flatnonzero((a.rate[a.timed] > 0.0) & (d.row[a.event[a.timed]] != NEVER))
    if not len(k):
        return np.zeros(d.count)
    pair = a.timed[k]
    c, f = a.channel[pair], a.fraction[pair]
    run = np.concatenate([[0.0], np.cumsum(a.segment_days * fixed)])
    r = a.recapture[c]
    keeps = np.where(f < 1.0, 1.0 - r, 0.0)
    scale = a.rate[pair] * a.revenue[c]
    steady = scale * (r * (a.end[pair] - a.start[pair]) + keeps * (run[a.end_cut[k]] - run[a.start_cut[k]]))
    rows = d.row[a.event[pair]]
    out = np.full(d.count, float(steady[rows == ALWAYS].sum()))
    out += _by_event(rows, steady, d)
    lo, hi = number[a.start_cut[k]], number[a.end_cut[k]]
    moving = np.flatnonzero(hi > lo)
    if len(moving):
        out += _varying_fees(
            q, (a.segment_days * fixed)[live], lo[moving], hi[moving], (scale * keeps)[moving], rows[moving], d
        )
    return out


def _varying_fees(q: Floats, weight: Floats, lo: Ints, hi: Ints, scale: Floats, rows: Ints, d: Draws) -> Floats:
    """Per draw, sum over the fee pairs (rows) that happen of scale x the sum over their cells
    [lo, hi) of weight x (q - 1): summed cell by cell, with each cell's total scale of the pairs
    over it (range_sums), rather than pair by pair."""
    at, over = range_sums(lo, hi, scale[:, None] * d.occurs(rows))
    over *= weight[at][:, None]
    here = q if len(at) == len(q) else q[at]
    out: Floats = np.einsum("ij,ij->j", here, over) - over.sum(axis=0)
    return out


def _by_event(rows: Ints, values: Floats, d: Draws) -> Floats:
    """Per draw, the sum of `values` over the uncertain events (rows) that happen in it."""
    per_event: Floats = np.bincount(rows[rows >= 0], values[rows >= 0], minlength=len(d.happens)).astype(float)
    used = np.flatnonzero(per_event)
    out: Floats = _weighted_rows(per_event[used], d.happens[used].view(np.uint8))
    return out


def _largest(a: PairArrays, d: Draws, values: Floats) -> Floats:
    """Per draw, sum over channels of the largest value whose event happens (ties: event order).
    Equal values of a channel form one group, which counts when any of its events happens and no
    larger group did; groups after one holding a fixed event can never count."""
    total = np.zeros(d.count)
    rows = np.flatnonzero(a.hit & (values > 0.0) & (d.row[a.event] != NEVER))
    if not len(rows):
        return total
    rows = rows[np.lexsort((a.event[rows], -values[rows], a.channel[rows]))]
    ch, v, who = a.channel[rows], values[rows], d.row[a.event[rows]]
    always = (who == ALWAYS).astype(float)
    keep = grouped_cumsum(always, ch) - always < 0.5
    ch, v, who = ch[keep], v[keep], who[keep]
    new_channel = np.r_[True, ch[1:] != ch[:-1]]
    start = np.flatnonzero(new_channel | np.r_[True, v[1:] != v[:-1]])
    level = grouped_cumsum(np.ones(len(start)), ch[start]) - 1.0
    ored = np.bitwise_or.reduceat(d.bits[who], start, axis=0)
    found = np.zeros((a.channels, d.bits.shape[1]), dtype=np.uint64)
    for j in range(int(level.max()) + 1):
        g = np.flatnonzero(level == j)
        gc = ch[start[g]]
        take = ored[g] & ~found[gc]
        found[gc] |= take
        total += _weighted_rows(v[start[g]], d.unpack(take))
    return total


def cash_lows(table: PairTable, book: CashBook, d: Draws) -> Floats:
    """Per draw, the lowest end-of-week balance. A (week, channel) cell moves from draw to draw
    only where an uncertain event removes orders or charges a fee; the rest is worked out once."""
    p = PairWeeks(table)
    channels, weeks, rows = len(book.channels), book.weeks, d.row[p.event]
    kept, fee = p.grid(rows == ALWAYS, channels, weeks)
    flows = np.repeat((np.asarray(book.steady, dtype=float) + week_flows(book, kept, fee))[:, None], d.count, axis=1)
    # Cells are numbered channel by channel (channel x weeks + week), so that a pair's weeks are
    # a run of consecutive cells, and then only the cells some uncertain event acts on are kept.
    moves = np.flatnonzero((rows >= 0) & (p.fraction > 0.0) & (p.hi > p.lo))
    charges = np.flatnonzero((rows >= 0) & (p.rate != 0.0) & (p.fee_hi > p.fee_lo))
    first = p.channel * weeks
    lo = np.concatenate([first[moves] + p.lo[moves], first[charges] + p.fee_lo[charges]])
    hi = np.concatenate([first[moves] + p.hi[moves], first[charges] + p.fee_hi[charges]])
    size = channels * weeks
    covered = np.cumsum(np.bincount(lo, minlength=size + 1) - np.bincount(hi, minlength=size + 1))[:size] > 0
    cells, number = np.flatnonzero(covered), np.concatenate([[0], np.cumsum(covered)])
    if len(cells):
        # The factors' rows are the cells in week order, so that each week's are one block.
        order = np.argsort(cells % weeks, kind="stable")
        place = np.empty(len(cells), dtype=np.int64)
        place[order] = np.arange(len(cells))
        lo, hi, m = number[lo], number[hi], len(moves)
        q = cell_factors(len(cells), lo[:m], hi[:m], rows[moves], p.fraction[moves], d, place)
        at, extra = np.zeros(0, dtype=np.int64), np.zeros((0, d.count))
        if len(charges):
            at, extra = range_sums(lo[m:], hi[m:], p.rate[charges][:, None] * d.happens[rows[charges]])
        flows += _cell_changes(book, kept, fee, cells[order], q, place[at], extra)
    for one in book.one_offs:
        who = d.row[one.event]
        if who != NEVER:
            flows[one.week] += one.amount * (d.happens[who] if who >= 0 else 1.0)
    lowest: Floats = (book.cash_on_hand + np.cumsum(flows, axis=0)).min(axis=0)
    return lowest


def _cell_changes(book: CashBook, kept: Floats, fee: Floats, cells: Ints, q: Floats, at: Ints, extra: Floats) -> Floats:
    """Per week and draw, how the live cells' flows R (r + (1 - r) kept q) (cm - fee - extra)
    differ from the fixed events' R (r + (1 - r) kept) (cm - fee); `cells` (the rows of q) are
    in week order, and `extra` (the uncertain events' fee rates) is non-zero only on the rows
    `at`. A week's cells are one block of q: one small matrix-vector product each (one product
    of weeks x cells by q would start BLAS's threads, which cost more than they save here)."""
    weeks = book.weeks
    c, k = cells // weeks, cells % weeks
    revenue, margin, r = (
        np.array([getattr(x, name) for x in book.channels])[c] for name in ("weekly_revenue", "margin", "recapture")
    )
    net = margin - fee[c, k]
    sold = revenue * (1.0 - r) * kept[c, k]
    changes = np.zeros((weeks, q.shape[1]))
    _by_week(changes, k, sold * net, q)
    changes -= np.bincount(k, sold * net, minlength=weeks)[:, None]
    if len(at):
        o = np.argsort(at, kind="stable")
        rows, fees = at[o], extra[o]
        fees *= sold[rows][:, None] * q[rows] + (revenue * r)[rows][:, None]
        _by_week(changes, k[rows], np.full(len(rows), -1.0), fees)
    return changes


def _by_week(into: Floats, week: Ints, weight: Floats, values: Floats) -> None:
    """Add weight @ values of each week's rows (rows sorted by week) to its row of `into`."""
    bounds = np.searchsorted(week, np.arange(len(into) + 1))
    for j in range(len(into)):
        s, e = bounds[j], bounds[j + 1]
        if e > s:
            into[j] += _weighted_rows(weight[s:e], values[s:e])
