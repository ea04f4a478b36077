"""Facts of the business that playbook rules test and texts mention, where an event reaches it,
and the typed `requires` conditions read against them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import NamedTuple

from riskmon.core.model import ANY, Channel, Profile
from riskmon.core.playbook_rules import Requires
from riskmon.core.results import EventAssessment
from riskmon.core.said import Said
from riskmon.textsafe import clean

_DISPLAY = {
    "tiktok": "TikTok",
    "youtube": "YouTube",
    "ebay": "eBay",
    "woocommerce": "WooCommerce",
    "aliexpress": "AliExpress",
    "bigcommerce": "BigCommerce",
}


@lru_cache(maxsize=1024)
def display(platform: str) -> str:
    """'tiktok' -> 'TikTok', 'shopee' -> 'Shopee': platform ids as people write them (and safe
    to show: a platform id is only lower-cased text from a config file or a feed)."""
    return clean(_DISPLAY.get(platform, platform[:1].upper() + platform[1:]))


def exposed(e: EventAssessment) -> bool:
    """The event reaches the seller: it hits a channel with orders, or cuts traffic that brings some."""
    return e.hit_share > 0 or e.revenue_lost_monthly > 0


class Business(NamedTuple):
    """What rules test and texts mention about the business as it stands."""

    channels: dict[str, Channel]
    with_orders: int
    """How many channels have orders."""
    own_store: str
    has_own_store: bool
    hold_days: float
    hold_channel: Channel | None
    buffer: float
    link_share: float
    link_platform: str | None
    virtual: tuple[Channel, ...]
    platforms: frozenset[str]

    @classmethod
    def of(cls, profile: Profile) -> Business:
        own = [c for c in profile.channels if c.kind == "own_store"]
        own_names = sorted({display(c.platform) for c in own})
        holding = [c for c in profile.channels if c.payout_hold_days > 0]
        hold = max(holding, key=lambda c: (c.payout_hold_days, c.order_share), default=None)
        hold_days = hold.payout_hold_days if hold else 0.0
        biz = profile.business
        monthly_costs = biz.monthly_fixed_costs + biz.monthly_revenue * (1.0 - biz.gross_margin)
        via: dict[str, float] = {}
        for c in profile.channels:
            for link in c.traffic:
                via[link.via] = via.get(link.via, 0.0) + c.order_share * link.share
        return cls(
            channels={c.id: c for c in profile.channels},
            with_orders=sum(1 for c in profile.channels if c.order_share > 0),
            own_store=f"your {' / '.join(own_names)} store" if own_names else "your own store",
            has_own_store=bool(own),
            hold_days=hold_days,
            hold_channel=hold,
            buffer=monthly_costs * hold_days / 30.0,
            link_share=sum(via.values()),
            link_platform=min(via, key=lambda p: (-via[p], p)) if via else None,
            virtual=tuple(c for c in profile.channels if c.warehouse == "virtual"),
            platforms=frozenset(c.platform for c in profile.channels),
        )


# ---------------------------------------------------------------------------------------------
# Where an event reaches the seller


def narrow(channel_regions: Iterable[str], event_regions: Sequence[str]) -> frozenset[str]:
    """Where an event limited to `event_regions` reaches a channel selling in `channel_regions`."""
    mine = frozenset(channel_regions)
    if ANY in mine:
        return frozenset(event_regions)
    if ANY in event_regions:
        return mine
    return mine & frozenset(event_regions)


def reach_regions(e: EventAssessment, chans: Mapping[str, Channel]) -> list[str]:
    """Where the event reaches the seller: its regions narrowed to those of the channels it hits."""
    ev_regions = list(e.event.regions)
    out: set[str] = set()
    for h in e.channels:
        c = chans.get(h.channel_id)
        out.update(narrow(c.regions if c is not None else (ANY,), ev_regions))
    return sorted(out) or ev_regions


def region_text(regions: Sequence[str]) -> str:
    return "every region" if ANY in regions else ", ".join(regions)


def primary_platform(e: EventAssessment) -> str | None:
    """The event's platform that reaches the seller: a hit channel's own, else a cut link's."""
    platforms = list(e.event.platforms)
    direct = {h.platform for h in e.channels if h.direct}
    for p in platforms:
        if p in direct:
            return p
    vias = {link.via for h in e.channels for link in h.cut}
    return next((p for p in platforms if p in vias), platforms[0] if platforms else None)


class Reached(NamedTuple):
    """The channels whose facts a `requires` reads (see `Requires`)."""

    hit: tuple[Channel, ...]
    """For channel_kinds, warehouse and supply_route: the channels hit directly (if none, those
    whose links are cut; if none, every channel)."""
    regions: tuple[frozenset[str], ...]
    """For regions: per channel reached, where the event reaches it."""

    @classmethod
    def of_event(cls, e: EventAssessment, biz: Business) -> Reached:
        reached = [h for h in e.channels if h.channel_id in biz.channels]
        if not reached:
            return cls.of_business(biz)
        direct = [h.channel for h in reached if h.direct] or [h.channel for h in reached]
        ev_regions = list(e.event.regions)
        return cls(tuple(direct), tuple(narrow(h.channel.regions, ev_regions) for h in reached))

    @classmethod
    def of_business(cls, biz: Business) -> Reached:
        chans = tuple(biz.channels.values())
        return cls(chans, tuple(frozenset(c.regions) for c in chans))


# ---------------------------------------------------------------------------------------------
# requires


def _in_regions(wanted: Sequence[str], reached: Reached) -> bool:
    """A channel names one of `wanted` where the event reaches it; "*" wanted: any channel. A
    channel selling everywhere does not name a region unless the event narrows it to one."""
    if ANY in wanted:
        return bool(reached.regions)
    return any(not regions.isdisjoint(wanted) for regions in reached.regions)


def fits(req: Requires | None, reached: Reached, biz: Business) -> bool:
    """Every fact `req` gives holds for this business (None: no requirement)."""
    if req is None:
        return True
    if req.own_store is not None and req.own_store != biz.has_own_store:
        return False
    if req.platforms is not None and not (ANY in req.platforms or biz.platforms.intersection(req.platforms)):
        return False
    if req.channel_kinds is not None and not any(c.kind in req.channel_kinds for c in reached.hit):
        return False
    if req.warehouse is not None and not any(c.warehouse in req.warehouse for c in reached.hit):
        return False
    if req.supply_route is not None and not any(c.supply_route in req.supply_route for c in reached.hit):
        return False
    return req.regions is None or _in_regions(req.regions, reached)


def describe(req: Requires | None) -> list[str]:
    """The facts of `req`, one short line each, for a suggestion's "because"."""
    if req is None:
        return []
    out: list[str] = []
    if req.own_store is not None:
        out.append(Said("you have an own store") if req.own_store else Said("you have no own store"))
    for template, values in (
        ("you sell on {a}", req.platforms),
        ("channel kind {a}", req.channel_kinds),
        ("warehouse {a}", req.warehouse),
        ("supply route {a}", req.supply_route),
        ("in {a}", req.regions),
    ):
        if values is not None:
            out.append(Said(template, a=", ".join(values)))
    return out
