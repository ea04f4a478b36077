"""Monte Carlo draws of L(S) and of the cash shortfall, all draws at once, with numpy.

Used for large profiles only (too many uncertain events reach one channel or one week for the
remembered tables of `outcomes.SetEvaluator` to help): numpy is imported here and nowhere else,
so the headless check on a profile of ordinary size never loads it.

Per channel, time is cut into segments at every window's ends. An uncertain event u that reaches
the channel is active over a run of consecutive segments [a_u, b_u); in a draw where it happens it
multiplies the product of (1 - f) there by (1 - f_u). Summed as logarithms over a difference
array, one cumulative sum gives every segment's product for every draw at once: the work grows
with (segments + events) x draws, not with their product. A factor of 0 (f = 1) is counted
rather than logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from riskmon.core.forecast import CashBook
from riskmon.core.union import ChannelBook

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


def sample(
    books: Sequence[ChannelBook],
    cash: CashBook,
    fixed: Sequence[int],
    uncertain: Sequence[int],
    probabilities: Sequence[float],
    draws: int,
    seed: int,
) -> tuple[list[float], list[bool]]:
    """L(S) and "cash goes below zero" for `draws` random sets S (each uncertain event happens
    independently with its probability; fixed events always)."""
    import numpy as np

    rng = np.random.Generator(np.random.PCG64(seed))
    happens = rng.random((draws, len(uncertain))) < np.asarray(probabilities)
    column = {event: k for k, event in enumerate(uncertain)}
    fixed_set = set(fixed)
    losses = np.zeros(draws)
    for book in books:
        losses += _channel_losses(np, book, happens, column, fixed_set)
    flows = np.tile(np.asarray(cash.steady, dtype=float), (draws, 1))
    for ch in cash.channels:
        flows += _channel_flows(np, ch, cash.weeks, happens, column, fixed_set)
    for one in cash.one_offs:
        if one.event in fixed_set:
            flows[:, one.week] += one.amount
        elif one.event in column:
            flows[:, one.week] += happens[:, column[one.event]] * one.amount
    balances = cash.cash_on_hand + np.cumsum(flows, axis=1)
    lowest = balances.min(axis=1)
    return [float(x) for x in losses], [bool(x < 0.0) for x in lowest]


def _channel_losses(
    np: Any, book: ChannelBook, happens: NDArray[np.bool_], column: dict[int, int], fixed: set[int]
) -> NDArray[np.float64]:
    draws = happens.shape[0]
    pairs = [pr for pr in book.pairs if pr.event in fixed or pr.event in column]
    if not pairs:
        return np.zeros(draws)
    # Only what removes orders, or charges fees over a window, needs the time cut at its ends.
    timed = [pr for pr in pairs if pr.fraction > 0.0 or pr.rate > 0.0]
    points = sorted({t for pr in timed for t in (pr.start, pr.end)})
    where = {t: i for i, t in enumerate(points)}
    if len(points) < 2:
        total = np.zeros(draws)
        weighted = np.zeros((draws, 0))
    else:
        weighted = _still_sold(np, [pr for pr in timed if pr.fraction > 0.0], points, where, happens, column, fixed)
        lengths = np.diff(np.asarray(points))
        # Where no event is active the product is 1 and the segment adds nothing.
        total = book.contribution_per_day * (lengths.sum() - weighted.sum(axis=1))
    total += _fees(np, book, pairs, weighted, where, happens, column)
    total += _largest(np, [(pr.stock, pr.event) for pr in pairs if pr.hit], draws, happens, column)
    total += _largest(np, [(pr.deposit, pr.event) for pr in pairs if pr.hit], draws, happens, column)
    return total


def _still_sold(
    np: Any,
    pairs: Sequence[Any],
    points: list[float],
    where: dict[float, int],
    happens: NDArray[np.bool_],
    column: dict[int, int],
    fixed: set[int],
) -> NDArray[np.float64]:
    """Per draw and segment, the days of orders still sold: the segment's length x the product
    of (1 - f) over the events that happen and are active then (draws x segments)."""
    draws, segments = happens.shape[0], len(points) - 1
    lengths = np.diff(np.asarray(points))
    # Segment-major (segments x draws): each event's step is a contiguous row. Removals of all
    # orders (f = 1) are counted in small integers; other fractions are summed as logarithms.
    fractional = any(pr.fraction < 1.0 for pr in pairs)
    fixed_log = np.zeros(segments + 1)
    fixed_kills = np.zeros(segments + 1, dtype=np.int32)
    kill_delta = np.zeros((segments + 1, draws), dtype=np.int16)
    log_delta = np.zeros((segments + 1, draws)) if fractional else None
    for pr in pairs:
        a, b = where[pr.start], where[pr.end]
        if pr.event in fixed:
            if pr.fraction >= 1.0:
                fixed_kills[a] += 1
                fixed_kills[b] -= 1
            else:
                fixed_log[a] += np.log1p(-pr.fraction)
                fixed_log[b] -= np.log1p(-pr.fraction)
            continue
        x = happens[:, column[pr.event]]
        if pr.fraction >= 1.0:
            kill_delta[a] += x
            kill_delta[b] -= x
        else:
            assert log_delta is not None
            step = x * np.log1p(-pr.fraction)
            log_delta[a] += step
            log_delta[b] -= step
    alive = (np.cumsum(kill_delta[:segments], axis=0) + np.cumsum(fixed_kills)[:segments, None]) == 0
    weighted = alive * lengths[:, None]
    if log_delta is not None or fixed_log.any():
        log_product = np.cumsum(fixed_log)[:segments, None]
        if log_delta is not None:
            log_product = log_product + np.cumsum(log_delta[:segments], axis=0)
        weighted = weighted * np.exp(log_product)
    return weighted.T


def _fees(
    np: Any,
    book: ChannelBook,
    pairs: Sequence[Any],
    weighted: NDArray[np.float64],
    where: dict[float, int],
    happens: NDArray[np.bool_],
    column: dict[int, int],
) -> NDArray[np.float64] | float:
    """sum over fee events that happen of rate x M s / 30 x the days of orders still sold in their
    window (recaptured orders always are)."""
    fee_pairs = [pr for pr in pairs if pr.rate > 0.0]
    if not fee_pairs:
        return 0.0
    running = np.concatenate([np.zeros((weighted.shape[0], 1)), np.cumsum(weighted, axis=1)], axis=1)
    r = book.recapture
    total = np.zeros(weighted.shape[0])
    for pr in fee_pairs:
        a, b = where[pr.start], where[pr.end]
        still_sold = r * (pr.end - pr.start) + (1.0 - r) * (running[:, b] - running[:, a])
        value = pr.rate * book.revenue_per_day * still_sold
        total += value * happens[:, column[pr.event]] if pr.event in column else value
    return total


def _largest(
    np: Any, values: Sequence[tuple[float, int]], draws: int, happens: NDArray[np.bool_], column: dict[int, int]
) -> NDArray[np.float64] | float:
    """Per draw, the largest value whose event happens (fixed events always do)."""
    total = np.zeros(draws)
    found = np.zeros(draws, dtype=bool)
    for value, event in sorted(values, key=lambda ve: -ve[0]):
        if value <= 0.0:
            break
        if event not in column:  # fixed: it counts wherever nothing larger happened
            total[~found] = value
            return total
        take = happens[:, column[event]] & ~found
        total[take] = value
        found |= take
    return total


def _channel_flows(
    np: Any, ch: Any, weeks: int, happens: NDArray[np.bool_], column: dict[int, int], fixed: set[int]
) -> NDArray[np.float64]:
    """Per draw, the channel's weekly flows: R (r + (1 - r) kept) (cm - fee), where kept and fee
    come from the events that happen and are in force at each week's mid-point."""
    draws = happens.shape[0]
    log_kept = np.zeros((draws, weeks))
    killed = np.zeros((draws, weeks), dtype=bool)
    fee = np.zeros((draws, weeks))
    for pr in ch.pairs:
        if pr.event not in fixed and pr.event not in column:
            continue
        x = np.ones(draws, dtype=bool) if pr.event in fixed else happens[:, column[pr.event]]
        span = slice(pr.weeks.start, pr.weeks.stop)
        if pr.fraction >= 1.0:
            killed[:, span] |= x[:, None]
        elif pr.fraction > 0.0:
            log_kept[:, span] += (x * np.log1p(-pr.fraction))[:, None]
        if pr.cash_rate:
            fee[:, slice(pr.fee_weeks.start, pr.fee_weeks.stop)] += (x * pr.cash_rate)[:, None]
    kept = np.exp(log_kept) * ~killed
    flows: NDArray[np.float64] = ch.weekly_revenue * (ch.recapture + (1.0 - ch.recapture) * kept) * (ch.margin - fee)
    return flows
