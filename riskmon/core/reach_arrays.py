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
    every = len(vocab) + 1
    # row v: the channels holding value v; then a row of none and a row of every channel
    table = np.zeros((len(vocab) + 2, len(have)), dtype=bool)
    table[every] = True
    for c, values in enumerate(have):
        table[[vocab[v] for v in values], c] = True
    if any_have:
        table[: every + 1, [ANY in values for values in have]] = True
    codes = _codes(vocab, wanted, any_wanted)
    out: Bools = table[codes[:, 0]]
    for j in range(1, codes.shape[1]):
        out |= table[codes[:, j]]
    return out


def _codes(vocab: dict[str, int], wanted: Sequence[tuple[str, ...] | None], any_wanted: bool) -> Ints:
    """(events x most values asked): each event's values as rows of the table `members` builds,
    padded with the row of none; many events ask the same values, so each tuple is coded once."""
    none, every = len(vocab), len(vocab) + 1
    coded: dict[tuple[str, ...] | None, list[int]] = {}
    for asked in wanted:
        if asked not in coded:
            everything = asked is None or (any_wanted and ANY in asked)
            coded[asked] = [every] if everything else [vocab.get(v, none) for v in asked or ()]
    width = max((len(c) for c in coded.values()), default=0) or 1
    rows = np.array([c + [none] * (width - len(c)) for c in coded.values()], dtype=np.intp).reshape(-1, width)
    number = {k: i for i, k in enumerate(coded)}
    out: Ints = rows[np.array([number[asked] for asked in wanted], dtype=np.intp)]
    return out


def hits(channels: Sequence[Channel], events: Sequence[tuple[Event, KindImpact]]) -> Bools:
    """(events x channels): the event hits the channel itself (regions not yet checked)."""
    platforms = [e.platforms for e, _ in events]
    out = members([(c.platform,) for c in channels], platforms, any_have=False, any_wanted=True)
    warehouses = [e.warehouses for e, _ in events]
    if any(w is not None for w in warehouses):
        out &= members([(c.warehouse,) for c in channels], warehouses, False, False)
    routes = [(e.routes or DUTY_ROUTES_DEFAULT) if e.kind == "duty_change" else None for e, _ in events]
    if any(r is not None for r in routes):
        out &= members([(c.supply_route,) for c in channels], routes, False, False)
    return out


def cut_shares(channels: Sequence[Channel], events: Sequence[tuple[Event, KindImpact]]) -> tuple[Bools, Floats]:
    """(events x channels): whether the event cuts any of the channel's links, and the sum of
    the shares it cuts, added link by link in the channel's order (0.0 for a link not cut
    leaves a float sum unchanged). Worked out over the channels that have links only."""
    linked = [i for i, c in enumerate(channels) if c.traffic]
    any_cut = np.zeros((len(events), len(channels)), dtype=bool)
    total = np.zeros((len(events), len(channels)), dtype=float)
    if not linked:
        return any_cut, total
    cuts = np.array([i.traffic_lost > 0 for _, i in events], dtype=bool)[:, None]
    platforms = [e.platforms for e, _ in events]
    features = [i.traffic_features for _, i in events]
    shares = np.zeros((len(events), len(linked)), dtype=float)
    for k in range(max(len(channels[i].traffic) for i in linked)):
        links = [channels[i].traffic[k] if len(channels[i].traffic) > k else None for i in linked]
        via = members([(x.via,) if x else () for x in links], platforms, any_have=False, any_wanted=True)
        feature = members([(x.feature,) if x else () for x in links], features, False, True)
        present = np.array([x is not None for x in links], dtype=bool)[None, :]
        cut = cuts & present & via & feature
        any_cut[:, linked] |= cut
        shares = shares + np.where(cut, np.array([x.share if x else 0.0 for x in links])[None, :], 0.0)
    total[:, linked] = shares
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
