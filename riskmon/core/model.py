"""The domain, as plain frozen records (riskmon.core.record): the business and its channels, events, settings.

These are what the engine computes with. They hold values that were already validated at the
edge (`riskmon.sources.config` reads the TOML files with pydantic and converts to these), so
nothing here validates or parses: the core stays free of pydantic and starts fast. Times are
timezone-aware UTC datetimes.
"""

from __future__ import annotations

from datetime import datetime

from riskmon.core.record import field, record

CHANNEL_KINDS = ("marketplace", "social_shop", "own_store", "other")
EVENT_KINDS = (
    "ban",
    "shop_closure",
    "link_cutoff",
    "account_suspension",
    "fee_change",
    "payout_hold",
    "service_shutdown",
    "season",
    "duty_change",
)
STATUSES = ("rumored", "announced", "confirmed", "in_effect", "paused", "resolved", "cancelled")
WAREHOUSES = ("own", "platform", "third_party", "virtual", "none")
SUPPLY_ROUTES = ("parcel", "bulk", "local")
DUTY_ROUTES_DEFAULT = ("parcel", "bulk")
ANY = "*"

DEFAULT_PROBABILITY: dict[str, float] = {
    "rumored": 0.25,
    "announced": 0.6,
    "confirmed": 0.9,
    "in_effect": 1.0,
    "paused": 0.5,
    "resolved": 0.0,
    "cancelled": 0.0,
}

# How far along an event is; picks a winner when two sources disagree.
STATUS_RANK: dict[str, int] = {
    "rumored": 0,
    "announced": 1,
    "paused": 2,
    "confirmed": 3,
    "in_effect": 4,
    "resolved": 5,
    "cancelled": 5,
}


# ---------------------------------------------------------------------------------------------
# exposure.toml


@record(slots=True)
class Commitment:
    """A payment already promised: a purchase order for peak stock, a loan instalment, a tax bill."""

    date: datetime
    amount: float
    what: str


@record(slots=True)
class Business:
    """The seller: monthly sales and margin, fixed costs, cash and payments already promised."""

    name: str
    monthly_revenue: float
    """M: gross sales per month over all channels (> 0)."""
    gross_margin: float
    """g: share of revenue kept after cost of goods."""
    currency: str = "USD"
    monthly_fixed_costs: float = 0.0
    """F: what is paid each month whatever is sold."""
    cash_on_hand: float = 0.0
    """C: cash that can be used today."""
    commitments: tuple[Commitment, ...] = ()


@record(slots=True)
class TrafficLink:
    """Orders of a channel that arrive through another platform (TikTok bio links to the own store)."""

    via: str
    """The platform this traffic comes through (e.g. TikTok bio links)."""
    share: float
    """Share of this channel's orders that arrive this way."""
    feature: str = "external_link"


@record(slots=True)
class Channel:
    """One place the seller sells (a marketplace, a social shop, the own store) and what it holds."""

    id: str
    platform: str
    order_share: float
    """s_c: share of ALL orders."""
    kind: str = "marketplace"
    regions: tuple[str, ...] = (ANY,)
    inventory_value: float = 0.0
    pending_payouts: float = 0.0
    deposit: float = 0.0
    payout_hold_days: float = 0.0
    warehouse: str = "none"
    traffic: tuple[TrafficLink, ...] = ()
    contribution_margin: float | None = None
    """cm_c: left per unit of revenue after goods, fees, fulfilment and ads; None: the gross margin."""
    recapture: float = 0.0
    """r_c: share of this channel's lost orders won back on the other channels."""
    supply_route: str = "local"
    """How its goods enter the buyer's country: parcel | bulk | local."""


@record(slots=True)
class Profile:
    """exposure.toml: the business and its channels."""

    business: Business
    channels: tuple[Channel, ...] = ()


# ---------------------------------------------------------------------------------------------
# events.toml


@record(slots=True)
class Impact:
    """Overrides of an event kind's default impact; None keeps the kind's value."""

    orders_lost: float | None = None
    traffic_lost: float | None = None
    traffic_features: tuple[str, ...] | None = None
    payouts_frozen: float | None = None
    inventory_stranded: float | None = None
    deposit_lost: float | None = None
    fee_delta: float | None = None
    extra_hold_days: float | None = None
    duty_delta: float | None = None
    freeze_days: float | None = None

    @property
    def is_empty(self) -> bool:
        return self == _NO_IMPACT


_NO_IMPACT = Impact()


@record(slots=True)
class Deadline:
    """Something to do by a date before an event (export the follower list)."""

    date: datetime
    what: str


@record(slots=True)
class TimelineEntry:
    """From `date` on, the event had this status (and probability, when given)."""

    date: datetime
    status: str
    probability: float | None = None


@record(slots=True)
class Event:
    """A policy event from events.toml or a feed: what, where, when, how likely, its impact."""

    id: str
    title: str
    kind: str
    platforms: tuple[str, ...]
    effective: datetime
    status: str
    """The status without a timeline; with one, the last entry's."""
    regions: tuple[str, ...] = (ANY,)
    probability: float | None = None
    ends: datetime | None = None
    deadlines: tuple[Deadline, ...] = ()
    sources: tuple[str, ...] = ()
    recurs: str = ""
    """RFC 5545 RRULE with `effective` as DTSTART; "" for a one-off event."""
    impact: Impact = field(default_factory=Impact)
    summary: str = ""
    timeline: tuple[TimelineEntry, ...] = ()
    warehouses: tuple[str, ...] | None = None
    """Only channels whose warehouse is listed are hit (None: any warehouse)."""
    routes: tuple[str, ...] | None = None
    """duty_change only: the supply routes it hits (None: parcel and bulk)."""
    updated: datetime | None = None
    """When a feed last changed this event; the newest wins when sources disagree."""
    source: str = "catalog"
    """Which feed the event came from."""

    @property
    def p(self) -> float:
        """The probability without a timeline: the given one, else the status's default."""
        return self.probability if self.probability is not None else DEFAULT_PROBABILITY[self.status]

    @property
    def public_since(self) -> datetime | None:
        """The first date the event was known (its first timeline entry), if it has a timeline."""
        return self.timeline[0].date if self.timeline else None
