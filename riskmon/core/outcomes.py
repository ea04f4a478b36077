"""L(S) and the cash forecast for many sets S of events, fast.

The distribution needs the loss and the weekly cash of up to 1,024 sets (exact) or thousands of
random ones (Monte Carlo). Only the uncertain events change from one set to the next, so
everything the fixed events decide is worked out once here: each channel's time is cut into
segments by every window's ends, and a segment keeps its length, the product of (1 - f) over the
fixed events active then, and the *mask* (a bit per uncertain event) of the uncertain events
active then. Segments with the same mask are added together. For a set S (a mask of uncertain
events that happen) a channel's contribution lost is then

    coef x sum over masks m of (length_m - weighted_m x prod of (1 - f_u) over u in m & S)

and the same holds for the fee windows and the 13 forecast mid-points. With at most 10 uncertain
events the products for every subset are tabulated per channel; beyond that, numpy evaluates all
draws at once (`sample`), imported only then.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from riskmon.core.forecast import CashBook, ChannelCash
from riskmon.core.record import record
from riskmon.core.union import ChannelBook, product_of

Masked = dict[int, list[float]]
"""mask -> [length, length x fixed product] summed over the segments with that mask."""


@record(frozen=False, slots=True)
class _FeeTerm:
    bit: int
    """0 for a fixed event (always counted), else its uncertain event's bit."""
    scale: float
    """rate_e x M s_c / 30."""
    recaptured_days: float
    """r_c x h_e: the part of sigma the event cannot remove."""
    masked: Masked
    """Over the event's window: (1 - r_c) x the product, by mask."""


@record(frozen=False, slots=True)
class _LossChannel:
    coef: float
    """M s_c (1 - r_c) cm_c / 30."""
    factors: list[float]
    """1 - f_c(u) for each uncertain event u (1 where u does not reach the channel)."""
    masked: Masked
    fees: list[_FeeTerm]
    stock: list[tuple[float, int]]
    """(value, bit) in decreasing value: the largest whose event happens counts."""
    deposit: list[tuple[float, int]]


@record(frozen=False, slots=True)
class _CashChannel:
    weekly_revenue: float
    margin: float
    recapture: float
    factors: list[float]
    kept: list[tuple[float, int]]
    """Per week: (prod of (1 - f) over fixed events active at the mid-point, mask of uncertain)."""
    fees: list[tuple[float, list[tuple[int, float]]]]
    """Per week: (fee rate of fixed events, [(bit, rate)] of uncertain ones)."""


@record(frozen=False, slots=True)
class Compiled:
    n: int
    fixed_loss: float
    """The part of L(S) that no uncertain event changes."""
    losses: list[_LossChannel]
    cash_on_hand: float
    steady: list[float]
    """Each week's flow that no uncertain event changes."""
    cash: list[_CashChannel]
    one_offs: list[tuple[int, int, float]]
    """(bit, week, amount) of uncertain events."""


def compile_sets(
    books: Sequence[ChannelBook], cash: CashBook, fixed: Sequence[int], uncertain: Sequence[int]
) -> Compiled:
    """Everything L(S) and the forecast need, with the fixed events folded in."""
    bits = {event: 1 << k for k, event in enumerate(uncertain)}
    fixed_set = set(fixed)
    out = Compiled(len(uncertain), 0.0, [], cash.cash_on_hand, list(cash.steady), [], [])
    for book in books:
        _compile_loss(out, book, bits, fixed_set)
    for ch in cash.channels:
        _compile_cash(out, ch, bits, fixed_set, cash.weeks)
    for one in cash.one_offs:
        if one.event in fixed_set:
            out.steady[one.week] += one.amount
        elif one.event in bits:
            out.one_offs.append((bits[one.event], one.week, one.amount))
    return out


def _compile_loss(out: Compiled, book: ChannelBook, bits: dict[int, int], fixed: set[int]) -> None:
    pairs = [pr for pr in book.pairs if pr.event in fixed or pr.event in bits]
    if not pairs:
        return
    factors = [1.0] * out.n
    spans = []
    for pr in pairs:
        bit = bits.get(pr.event, 0)
        if bit:
            factors[bit.bit_length() - 1] = 1.0 - pr.fraction
        spans.append((pr.start, pr.end, pr.fraction, bit))
    segments = _masked_segments(spans)
    r = book.recapture
    fees = [
        _FeeTerm(
            bits.get(pr.event, 0),
            pr.rate * book.revenue_per_day,
            r * (pr.end - pr.start),
            _masked(segments, pr.start, pr.end, 1.0 - r),
        )
        for pr in pairs
        if pr.rate > 0.0
    ]
    stock = _ranked([(pr.stock, bits.get(pr.event, 0)) for pr in pairs if pr.hit and pr.stock > 0.0])
    deposit = _ranked([(pr.deposit, bits.get(pr.event, 0)) for pr in pairs if pr.hit and pr.deposit > 0.0])
    channel = _LossChannel(book.contribution_per_day, factors, _masked(segments), fees, stock, deposit)
    if not any(bits.get(pr.event) for pr in pairs):
        out.fixed_loss += channel_loss_of(channel, 0, lambda m: 1.0)  # nothing uncertain reaches it
        return
    out.losses.append(channel)


def _ranked(values: list[tuple[float, int]]) -> list[tuple[float, int]]:
    """Largest first, ties in event order; values after the first fixed one can never count."""
    ranked = []
    for value, bit in sorted(values, key=lambda vb: -vb[0]):
        ranked.append((value, bit))
        if bit == 0:
            break
    return ranked


def _masked_segments(spans: list[tuple[float, float, float, int]]) -> list[tuple[float, float, float, int]]:
    """(t0, t1, fixed product, mask) for every instant some span is active. Fixed factors are
    kept as a multiset and multiplied out per segment (see union.product_segments)."""
    changes: dict[float, list[tuple[bool, float, int]]] = {}
    for start, end, f, bit in spans:
        factor = 1.0 - f if f < 1.0 else 0.0
        changes.setdefault(start, []).append((True, factor, bit))
        changes.setdefault(end, []).append((False, factor, bit))
    points = sorted(changes)
    segments = []
    fixed: dict[float, int] = {}
    mask, active = 0, 0
    for i, t in enumerate(points):
        for starts, factor, bit in sorted(changes[t], key=lambda c: c[0]):  # ends first
            active += 1 if starts else -1
            if bit:
                mask = mask | bit if starts else mask & ~bit
            elif starts:
                fixed[factor] = fixed.get(factor, 0) + 1
            else:
                fixed[factor] -= 1
                if not fixed[factor]:
                    del fixed[factor]
        if active and i + 1 < len(points):
            segments.append((t, points[i + 1], product_of(fixed), mask))
    return segments


def _masked(
    segments: list[tuple[float, float, float, int]], lo: float = -1e300, hi: float = 1e300, scale: float = 1.0
) -> Masked:
    out: Masked = {}
    for t0, t1, product, mask in segments:
        if t1 <= lo or t0 >= hi:
            continue
        length = min(t1, hi) - max(t0, lo)
        acc = out.setdefault(mask, [0.0, 0.0])
        acc[0] += length
        acc[1] += length * product * scale
    return out


def _compile_cash(out: Compiled, ch: ChannelCash, bits: dict[int, int], fixed: set[int], weeks: int) -> None:
    factors = [1.0] * out.n
    kept_fixed = [1.0] * weeks
    kept_mask = [0] * weeks
    fee_fixed = [0.0] * weeks
    fee_unc: list[list[tuple[int, float]]] = [[] for _ in range(weeks)]
    uncertain_reach = False
    for pr in ch.pairs:
        bit = bits.get(pr.event, 0)
        if not bit and pr.event not in fixed:
            continue
        if bit:
            factors[bit.bit_length() - 1] = 1.0 - pr.fraction
        for k in pr.weeks:
            if bit:
                kept_mask[k] |= bit
                uncertain_reach = uncertain_reach or pr.fraction > 0.0
            else:
                kept_fixed[k] *= 1.0 - pr.fraction
        for k in pr.fee_weeks:
            if bit:
                fee_unc[k].append((bit, pr.cash_rate))
                uncertain_reach = True
            else:
                fee_fixed[k] += pr.cash_rate
    channel = _CashChannel(
        ch.weekly_revenue,
        ch.margin,
        ch.recapture,
        factors,
        list(zip(kept_fixed, kept_mask, strict=True)),
        list(zip(fee_fixed, fee_unc, strict=True)),
    )
    if not uncertain_reach:
        for k in range(weeks):
            out.steady[k] += _week_flow(channel, k, 0, lambda m: 1.0)
        return
    out.cash.append(channel)


# ---------------------------------------------------------------------------------------------
# One set S (a mask of the uncertain events that happen)


def channel_loss_of(ch: _LossChannel, s: int, prod: Callable[[int], float]) -> float:
    """L_c(S); `prod(m)` is the product of the factors of the events in mask m."""
    lost = sum(length - weighted * prod(m & s) for m, (length, weighted) in ch.masked.items())
    total = ch.coef * lost
    for fee in ch.fees:
        if fee.bit == 0 or fee.bit & s:
            total += fee.scale * (fee.recaptured_days + sum(w * prod(m & s) for m, (_, w) in fee.masked.items()))
    total += _largest(ch.stock, s) + _largest(ch.deposit, s)
    return total


def _largest(ranked: list[tuple[float, int]], s: int) -> float:
    for value, bit in ranked:
        if bit == 0 or bit & s:
            return value
    return 0.0


def _product_of(factors: list[float]) -> Callable[[int], float]:
    """m -> the product of factors[u] over the bits u of m."""

    def product(m: int) -> float:
        out = 1.0
        while m:
            low = m & -m
            out *= factors[low.bit_length() - 1]
            m ^= low
        return out

    return product


def _loss_bits(ch: _LossChannel) -> int:
    relevant = 0
    for m in ch.masked:
        relevant |= m
    for fee in ch.fees:
        relevant |= fee.bit
        for m in fee.masked:
            relevant |= m
    for _, bit in (*ch.stock, *ch.deposit):
        relevant |= bit
    return relevant


def _week_flow(ch: _CashChannel, k: int, s: int, prod: Callable[[int], float]) -> float:
    fixed_kept, mask = ch.kept[k]
    fee_fixed, fee_unc = ch.fees[k]
    kept = fixed_kept * prod(mask & s) if mask else fixed_kept
    fee = fee_fixed + sum(rate for bit, rate in fee_unc if bit & s)
    return ch.weekly_revenue * (ch.recapture + (1.0 - ch.recapture) * kept) * (ch.margin - fee)


class SetEvaluator:
    """L(S) and whether cash goes below zero in some week, for a mask S of uncertain events.

    A channel's loss depends only on the bits of S that reach it, and a week's flow only on the
    bits active at its mid-point: each is computed once per distinct value of those bits and
    remembered. Enumerating all 2^n sets fills the tables; Monte Carlo draws mostly look up.
    """

    def __init__(self, c: Compiled) -> None:
        self.c = c
        self.losses: list[tuple[int, dict[int, float]]] = [(_loss_bits(ch), {}) for ch in c.losses]
        self.loss_products = [_product_of(ch.factors) for ch in c.losses]
        self.cash_products = [_product_of(cc.factors) for cc in c.cash]
        self.weeks: list[tuple[int, dict[int, float]]] = [(self._week_bits(k), {}) for k in range(len(c.steady))]

    @property
    def widest(self) -> int:
        """The most uncertain events any one channel's loss or week's flow depends on."""
        return max((relevant.bit_count() for relevant, _ in (*self.losses, *self.weeks)), default=0)

    def _week_bits(self, k: int) -> int:
        relevant = 0
        for cc in self.c.cash:
            relevant |= cc.kept[k][1]
            for bit, _ in cc.fees[k][1]:
                relevant |= bit
        for bit, week, _ in self.c.one_offs:
            if week == k:
                relevant |= bit
        return relevant

    def __call__(self, s: int) -> tuple[float, bool]:
        c = self.c
        loss = c.fixed_loss
        for i, (relevant, table) in enumerate(self.losses):
            m = s & relevant
            value = table.get(m)
            if value is None:
                value = table[m] = channel_loss_of(c.losses[i], m, self.loss_products[i])
            loss += value
        cash = c.cash_on_hand
        for k, (relevant, table) in enumerate(self.weeks):
            m = s & relevant
            flow = table.get(m)
            if flow is None:
                flow = table[m] = self._flow(k, m)
            cash += flow
            if cash < 0.0:
                return loss, True
        return loss, False

    def _flow(self, k: int, s: int) -> float:
        c = self.c
        flow = c.steady[k] + sum(
            _week_flow(cc, k, s, prod) for cc, prod in zip(c.cash, self.cash_products, strict=True)
        )
        return flow + sum(amount for bit, week, amount in c.one_offs if week == k and bit & s)
