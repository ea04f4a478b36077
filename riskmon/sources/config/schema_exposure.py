"""exposure.toml's models: the business, its commitments and its channels.
Imported from riskmon.sources.config.schema."""

from __future__ import annotations

from pydantic import (
    Field,
    model_validator,
)

from riskmon.i18n import _
from riskmon.sources.config.checks import FieldProblem, check_unique_ids, order_share_total
from riskmon.sources.config.schema_types import (
    ChannelKind,
    Days,
    Id,
    Money,
    Name,
    Platform,
    Regions,
    Share,
    Strict,
    SupplyRoute,
    UtcDateTime,
    Warehouse,
)

# ---------------------------------------------------------------------------------------------
# exposure.toml


class Commitment(Strict):
    date: UtcDateTime
    amount: Money
    what: str = Field(min_length=1)


class Business(Strict):
    name: str = Field(min_length=1)
    """Shown in the TUI header and reports."""
    currency: Name = "USD"
    """ISO 4217 code; amounts everywhere are in this currency."""
    monthly_revenue: Money
    """Gross sales per month over all channels (M in the model)."""
    gross_margin: Share
    """Share of revenue kept after cost of goods (g in the model)."""
    monthly_fixed_costs: Money = 0.0
    """Rent, wages, software: what you pay each month whatever you sell."""
    cash_on_hand: Money = 0.0
    """Cash you can use today."""
    commitments: list[Commitment] = Field(default_factory=list)
    """Payments already promised (a purchase order, a loan instalment, a tax bill); one dated
    before now is taken as paid."""


class TrafficLink(Strict):
    via: Platform
    """The platform this traffic comes through (e.g. tiktok bio links)."""
    feature: Name = "external_link"
    """Which platform feature carries it: external_link, live, ads, search..."""
    share: Share
    """Share of this channel's orders that arrive this way."""


class Channel(Strict):
    id: Id
    platform: Platform
    kind: ChannelKind = "marketplace"
    regions: Regions = Field(default_factory=lambda: ["*"])
    order_share: Share
    inventory_value: Money = 0.0
    pending_payouts: Money = 0.0
    deposit: Money = 0.0
    payout_hold_days: Days = 0.0
    """Days the platform holds money after delivery (payout cycle plus reserve)."""
    warehouse: Warehouse = "none"
    """Where the stock for this channel sits; "virtual" overseas warehouses get shops suspended."""
    traffic: list[TrafficLink] = Field(default_factory=list)
    contribution_margin: Share | None = None
    """Left per unit of this channel's revenue after goods, platform fees, fulfilment and ads;
    unset: the business's gross_margin."""
    recapture: Share = 0.0
    """Share of this channel's lost orders you expect to win back on your other channels."""
    supply_route: SupplyRoute = "local"
    """How its goods reach the buyer's country: parcel (cross-border parcels), bulk (container
    imports into a warehouse) or local (bought in the country)."""

    @model_validator(mode="after")
    def _links_fit(self) -> Channel:
        total = sum(link.share for link in self.traffic)
        if total > 1.0 + 1e-9:
            message = _(
                "traffic shares add up to {total}; they are shares of this channel's orders and must total at most 1"
            )
            raise FieldProblem(message.format(total=f"{total:.2f}"), ("traffic",))
        return self


class Profile(Strict):
    business: Business
    channels: list[Channel] = Field(default_factory=list)

    @model_validator(mode="after")
    def _cross_checks(self) -> Profile:
        check_unique_ids(self.channels, "channel")
        total = sum(c.order_share for c in self.channels)
        if total > 1.0 + 1e-9:
            raise FieldProblem(order_share_total(total), ("channels",))
        return self
