"""Every event's terms at once, for a large profile: what `engine._Assessor.add` and
`terms.event_terms` do event by event, as numpy columns over every (event, channel) pair.

The formulas are `terms.py`'s (the readable spec), written in the same order of operations, so
each pair's figures are the same floats; each event's sums are `np.bincount` over its pairs in
reach order, which adds them one by one in that order, as the loop does: the sums are the same
floats too (tests/test_engine_events_arrays.py compares every field). Python is left only what
is one per event: its standing and window, its span, its one-off cash moves and its
`EventAssessment`, whose `ChannelHit`s are made on first read.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Protocol

import numpy as np

from riskmon.core.impact import KindImpact
from riskmon.core.model import ANY, Channel, Event
from riskmon.core.pairs import PairTable
from riskmon.core.reach import cut_links
from riskmon.core.reach_arrays import ReachPairs, reach_pairs
from riskmon.core.results import HitRow, Hits
from riskmon.core.terms import Facts, Seller, Terms, span_of
from riskmon.core.timing import Standing, Window

if TYPE_CHECKING:
    from numpy.typing import NDArray

    Floats = NDArray[np.float64]

Counted = tuple[Event, Standing, Window, KindImpact]


class Assessor(Protocol):
    """The engine's assessor, as far as this module uses it."""

    seller: Seller
    facts: list[Facts]
    table: PairTable

    def counts(self, event: Event) -> tuple[Standing, Window, KindImpact] | None: ...

    def record(
        self, event: Event, standing: Standing, w: Window, impact: KindImpact, terms: Terms, hits: Hits
    ) -> None: ...


def add_events(run: Assessor, events: Sequence[Event]) -> None:
    """Assess `events` in order, as `run.add` would one by one."""
    counted: list[Counted] = []
    for event in events:
        found = run.counts(event)
        if found is not None:
            counted.append((event, *found))
    channels = run.seller.profile.channels
    pairs = reach_pairs(channels, [(e, impact) for e, _, _, impact in counted])
    columns = pair_terms(run.seller, run.facts, [(w, impact) for _, _, w, impact in counted], pairs)
    terms = event_terms(pairs, columns, len(counted))
    bounds = np.searchsorted(pairs.event, np.arange(len(counted) + 1)).tolist()
    hit_columns = (pairs.channel, pairs.direct, pairs.fraction, columns["loss"], columns["frozen"])
    for k, (event, standing, w, impact) in enumerate(counted):
        run.table.spans.append(span_of(run.seller, w, impact))
        a, b = bounds[k], bounds[k + 1]
        hits = Hits(partial(_hit_rows, channels, hit_columns, event, impact, a, b), b - a)
        run.record(event, standing, w, impact, terms[k], hits)
    _fill(run.table, pairs, columns)


def _fill(table: PairTable, pairs: ReachPairs, columns: dict[str, Floats]) -> None:
    """The pairs into the table: as its lists (the readable path reads them) and as arrays."""
    made = {
        "channel": pairs.channel,
        "event": pairs.event,
        "fraction": pairs.fraction,
        "hit": pairs.direct,
        "stock": columns["stock"],
        "deposit": columns["deposit"],
    }
    for name, values in made.items():
        getattr(table, name).extend(values.tolist())
    table.arrays.update(made)


def pair_terms(
    seller: Seller, facts: Sequence[Facts], windows: Sequence[tuple[Window, KindImpact]], pairs: ReachPairs
) -> dict[str, Floats]:
    """Each pair's money, as `terms.event_terms` computes it (0.0 where only links are cut)."""
    ch, ev, hit, f = pairs.channel, pairs.event, pairs.direct, pairs.fraction

    def by_channel(values: list[float]) -> Floats:
        out: Floats = np.array(values, dtype=float)[ch]
        return out

    def by_event(values: list[float]) -> Floats:
        out: Floats = np.array(values, dtype=float)[ev]
        return out

    def direct(values: Floats) -> Floats:
        out: Floats = np.where(hit, values, 0.0)
        return out

    revenue, months = by_channel([x.revenue for x in facts]), by_event([w.length / 30.0 for w, _ in windows])
    kept = by_channel([1.0 - x.recapture for x in facts])
    lost = revenue * f
    profit = lost * kept * by_channel([x.margin for x in facts]) * months
    still_sold = revenue * (1.0 - kept * f) * months
    g = seller.g
    fee = direct(by_event([i.fee_delta for _, i in windows]) * still_sold)
    duty = direct(by_event([i.duty_delta * (1.0 - g) for _, i in windows]) * still_sold)
    stock = direct(by_event([i.inventory_stranded for _, i in windows]) * by_channel([x.written_down for x in facts]))
    deposit = direct(by_channel([x.channel.deposit for x in facts]) * by_event([i.deposit_lost for _, i in windows]))
    payouts = direct(
        by_channel([x.channel.pending_payouts for x in facts]) * by_event([i.payouts_frozen for _, i in windows])
    )
    hold = direct(by_channel([x.daily for x in facts]) * by_event([i.extra_hold_days for _, i in windows]))
    loss = profit + np.where(fee > 0.0, fee, 0.0) + np.where(duty > 0.0, duty, 0.0) + stock + deposit
    removes = ((f > 0.0) & (by_channel([x.recapture for x in facts]) < 1.0)).astype(float)
    share = direct(by_channel([x.channel.order_share for x in facts]))
    return {
        "lost": lost,
        "profit": profit,
        "fee": fee,
        "duty": duty,
        "stock": stock,
        "deposit": deposit,
        "frozen": payouts + hold,
        "payouts": payouts,
        "hold": hold,
        "share": share,
        "removes": removes,
        "loss": loss,
    }


SUMMED = ("lost", "profit", "fee", "duty", "stock", "deposit", "frozen", "payouts", "hold", "share")
"""The columns summed per event, in the order of `Terms`' fields."""


def event_terms(pairs: ReachPairs, columns: dict[str, Floats], events: int) -> list[Terms]:
    """Each event's `Terms`: its sums over its pairs, added in reach order (as the loop adds
    them), and whether it removes any order."""
    sums = np.stack([np.bincount(pairs.event, weights=columns[name], minlength=events) for name in SUMMED], axis=1)
    removes = np.bincount(pairs.event, weights=columns["removes"], minlength=events) > 0.0
    return [
        Terms(lost, profit, fee, duty, stock, deposit, frozen, payouts, hold, share, removes_orders)
        for (lost, profit, fee, duty, stock, deposit, frozen, payouts, hold, share), removes_orders in zip(
            sums.tolist(), removes.tolist(), strict=True
        )
    ]


def _hit_rows(
    channels: Sequence[Channel], columns: tuple[np.ndarray, ...], event: Event, impact: KindImpact, a: int, b: int
) -> list[HitRow]:
    """The event's `ChannelHit` fields, pair by pair, as `terms.event_terms` makes them."""
    everywhere = ANY in event.platforms
    rows: list[HitRow] = []
    for c, direct, f, loss, frozen in zip(*(column[a:b].tolist() for column in columns), strict=True):
        channel = channels[c]
        cut = cut_links(channel, event, impact, everywhere) if channel.traffic else ()
        rows.append((channel, direct, cut, f, channel.order_share * f, loss, frozen))
    return rows
