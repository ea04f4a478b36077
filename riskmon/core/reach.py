"""Which channels an event reaches, and what share of their orders it removes.

A channel is *hit* when its platform is listed (or the event lists "*"), its regions overlap the
event's, its warehouse is among the event's `warehouses` (when set) and, for a duty change, its
supply route is among the event's `routes`. A traffic link of any channel is *cut* when its
`via` is listed (or "*"), the regions overlap and the kind cuts the link's feature; warehouses
and routes restrict hits, not links. f_c = min(1, orders_lost x [hit] + sum of cut shares x
traffic_lost).
"""

from __future__ import annotations

from collections import defaultdict

from riskmon.core.hints import NamedTuple
from riskmon.core.impact import KindImpact
from riskmon.core.model import ANY, DUTY_ROUTES_DEFAULT, Channel, Event, TrafficLink


class Reach(NamedTuple):
    """One channel an event reaches (a named tuple: a large profile makes tens of thousands)."""

    position: int
    """The channel's position in the profile."""
    direct: bool
    cut: tuple[TrafficLink, ...]
    fraction: float
    """f_c, the fraction of the channel's orders removed."""


def overlaps(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return ANY in a or ANY in b or not set(a).isdisjoint(b)


class ChannelIndex:
    """The profile's channels, indexed by platform and by link platform, so that an event looks
    only at the channels it could reach. Built once per assessment; answers are cached for events
    that reach alike (same platforms, regions, warehouses, routes and impact)."""

    def __init__(self, channels: tuple[Channel, ...]) -> None:
        self.channels = channels
        self.by_platform: dict[str, list[int]] = defaultdict(list)
        self.by_via: dict[str, list[int]] = defaultdict(list)
        self.linked = [i for i, c in enumerate(channels) if c.traffic]
        # None: sells everywhere; else the set of its regions (made once, not once per event).
        self.regions: list[frozenset[str] | None] = [
            None if ANY in c.regions else frozenset(c.regions) for c in channels
        ]
        for i, c in enumerate(channels):
            self.by_platform[c.platform].append(i)
            for link in c.traffic:
                if i not in self.by_via[link.via]:
                    self.by_via[link.via].append(i)
        self._cache: dict[tuple[object, ...], tuple[Reach, ...]] = {}
        self._candidates_of: dict[tuple[tuple[str, ...], bool], tuple[int, ...]] = {}

    def reach(self, event: Event, impact: KindImpact) -> tuple[Reach, ...]:
        """The channels `event` reaches, in profile order."""
        routes = (event.routes or DUTY_ROUTES_DEFAULT) if event.kind == "duty_change" else None
        key = (event.platforms, event.regions, event.warehouses, routes, impact)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._reach(event, impact, routes)
        return found

    def _candidates(self, platforms: tuple[str, ...], cuts_links: bool) -> tuple[int, ...]:
        """The channels on `platforms` (and, when links are cut, those with a link via them), in
        profile order; many events name the same platforms, so each answer is kept."""
        key = (platforms, cuts_links)
        found = self._candidates_of.get(key)
        if found is None:
            if ANY in platforms:
                found = tuple(range(len(self.channels)))
            else:
                union: set[int] = set()
                for platform in platforms:
                    union.update(self.by_platform.get(platform, ()))
                    if cuts_links:
                        union.update(self.by_via.get(platform, ()))
                found = tuple(sorted(union))
            self._candidates_of[key] = found
        return found

    def _reach(self, event: Event, impact: KindImpact, routes: tuple[str, ...] | None) -> tuple[Reach, ...]:
        everywhere = ANY in event.platforms
        cuts_links = impact.traffic_lost > 0
        wanted = None if ANY in event.regions else frozenset(event.regions)
        found = []
        for i in self._candidates(event.platforms, cuts_links):
            have = self.regions[i]
            if wanted is not None and have is not None and have.isdisjoint(wanted):
                continue
            c = self.channels[i]
            direct = (everywhere or c.platform in event.platforms) and _admits(event, c, routes)
            cut = cut_links(c, event, impact, everywhere) if cuts_links and c.traffic else ()
            if not direct and not cut:
                continue
            f = impact.orders_lost if direct else 0.0
            if cut:
                f += sum(link.share for link in cut) * impact.traffic_lost
            found.append(Reach(i, direct, cut, min(1.0, f)))
        return tuple(found)


def _admits(event: Event, c: Channel, routes: tuple[str, ...] | None) -> bool:
    """The warehouse and route conditions of a hit (platform and regions already match)."""
    if event.warehouses is not None and c.warehouse not in event.warehouses:
        return False
    return routes is None or c.supply_route in routes


def cut_links(c: Channel, event: Event, impact: KindImpact, everywhere: bool) -> tuple[TrafficLink, ...]:
    if impact.traffic_lost <= 0:
        return ()
    return tuple(
        link for link in c.traffic if (everywhere or link.via in event.platforms) and impact.cuts(link.feature)
    )
