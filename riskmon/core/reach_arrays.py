"""Which channels every event reaches, for a large profile: `reach.py`'s rules as boolean
(events x channels) matrices rather than one event at a time.

The rules are the same (reach.py is the spec): a channel is *hit* when its platform is listed
(or the event lists "*"), its regions overlap the event's, its warehouse is among the event's
`warehouses` (when set) and, for a duty change, its supply route among its `routes`; a link is
*cut* when its `via` is listed (or "*"), the regions overlap and the kind cuts its feature.
f_c = min(1, orders_lost x [hit] + sum of cut shares x traffic_lost), the shares added in the
channel's link order, as the readable path adds them, so every fraction is the same float.

Pairs come out event by event and, within an event, in profile order: the order `reach.py`
returns them in, so sums over them (np.bincount adds in input order) are the loop's sums.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from riskmon.core.impact import KindImpact
from riskmon.core.model import ANY, DUTY_ROUTES_DEFAULT, Channel, Event

if TYPE_CHECKING:
    from numpy.typing import NDArray

    Bools = NDArray[np.bool_]
    Floats = NDArray[np.float64]
    Ints = NDArray[np.intp]


class ReachPairs(NamedTuple):
    """Every (event, channel) pair reached, event by event, channels in profile order."""

    event: Ints
    """The event's position among those given."""
    channel: Ints
    direct: Bools
    fraction: Floats


def members(
    have: Sequence[tuple[str, ...]], wanted: Sequence[tuple[str, ...] | None], any_have: bool, any_wanted: bool
) -> Bools:
    """(events x channels): whether channel c's values meet event e's. `wanted[e]` None admits
    every channel; "*" among an event's values admits every channel when `any_wanted`, among a
    channel's when `any_have`; otherwise values are compared literally."""
    vocab: dict[str, int] = {}
    for values in have:
        for v in values:
            vocab.setdefault(v, len(vocab))
    # row v: the channels holding value v; the last row (no value) holds none
    table = np.zeros((len(vocab) + 1, len(have)), dtype=bool)
    for c, values in enumerate(have):
        table[[vocab[v] for v in values], c] = True
    width = max((len(w) for w in wanted if w is not None), default=0) or 1
    codes = np.full((len(wanted), width), len(vocab), dtype=np.intp)
    every = np.zeros(len(wanted), dtype=bool)
    for e, asked in enumerate(wanted):
        if asked is None or (any_wanted and ANY in asked):
            every[e] = True
        else:
            codes[e, : len(asked)] = [vocab.get(v, len(vocab)) for v in asked]
    out: Bools = table[codes[:, 0]]
    for j in range(1, width):
        out |= table[codes[:, j]]
    out |= every[:, None]
    if any_have:
        out |= np.array([ANY in values for values in have], dtype=bool)[None, :]
    return out


def hits(channels: Sequence[Channel], events: Sequence[tuple[Event, KindImpact]]) -> Bools:
    """(events x channels): the event hits the channel itself (regions not yet checked)."""
    platforms = [e.platforms for e, _ in events]
    out = members([(c.platform,) for c in channels], platforms, any_have=False, any_wanted=True)
    out &= members([(c.warehouse,) for c in channels], [e.warehouses for e, _ in events], False, False)
    routes = [(e.routes or DUTY_ROUTES_DEFAULT) if e.kind == "duty_change" else None for e, _ in events]
    out &= members([(c.supply_route,) for c in channels], routes, False, False)
    return out


def cut_shares(channels: Sequence[Channel], events: Sequence[tuple[Event, KindImpact]]) -> tuple[Bools, Floats]:
    """(events x channels): whether the event cuts any of the channel's links, and the sum of
    the shares it cuts, added link by link in the channel's order (0.0 for a link not cut
    leaves a float sum unchanged)."""
    cuts = np.array([i.traffic_lost > 0 for _, i in events], dtype=bool)[:, None]
    platforms = [e.platforms for e, _ in events]
    features = [i.traffic_features for _, i in events]
    any_cut = np.zeros((len(events), len(channels)), dtype=bool)
    total = np.zeros((len(events), len(channels)), dtype=float)
    for k in range(max((len(c.traffic) for c in channels), default=0)):
        links = [c.traffic[k] if len(c.traffic) > k else None for c in channels]
        via = members([(x.via,) if x else () for x in links], platforms, any_have=False, any_wanted=True)
        feature = members([(x.feature,) if x else () for x in links], features, False, True)
        present = np.array([x is not None for x in links], dtype=bool)[None, :]
        cut = cuts & present & via & feature
        any_cut |= cut
        total = total + np.where(cut, np.array([x.share if x else 0.0 for x in links])[None, :], 0.0)
    return any_cut, total


def reach_pairs(channels: Sequence[Channel], events: Sequence[tuple[Event, KindImpact]]) -> ReachPairs:
    """Every pair reached: what `ChannelIndex.reach` returns for each event, as columns."""
    regions = members([c.regions for c in channels], [e.regions for e, _ in events], True, True)
    direct = hits(channels, events)
    any_cut, shares = cut_shares(channels, events)
    event, channel = np.nonzero(regions & (direct | any_cut))
    hit, cut = direct[event, channel], any_cut[event, channel]
    orders_lost = np.array([i.orders_lost for _, i in events], dtype=float)
    traffic_lost = np.array([i.traffic_lost for _, i in events], dtype=float)
    f = np.where(hit, orders_lost[event], 0.0)
    f = np.where(cut, f + shares[event, channel] * traffic_lost[event], f)
    return ReachPairs(event, channel, hit, np.minimum(f, 1.0))
