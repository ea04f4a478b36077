"""What an event of each kind does to a channel it hits, with an event's overrides applied.

The defaults are the kinds table of the README ("Event kinds and their default impact").
"""

from __future__ import annotations

from riskmon.core.model import ANY, Event
from riskmon.core.record import record


@record(slots=True)
class KindImpact:
    """The resolved impact of an event: its kind's defaults with its [impact] overrides applied."""

    orders_lost: float = 0.0
    traffic_lost: float = 0.0
    traffic_features: tuple[str, ...] = (ANY,)
    payouts_frozen: float = 0.0
    inventory_stranded: float = 0.0
    deposit_lost: float = 0.0
    fee_delta: float = 0.0
    extra_hold_days: float = 0.0
    duty_delta: float = 0.0
    freeze_days: float = 0.0

    def cuts(self, feature: str) -> bool:
        """Whether a traffic link carried by `feature` is cut."""
        return self.traffic_lost > 0 and (ANY in self.traffic_features or feature in self.traffic_features)

    def cost_rate(self, gross_margin: float) -> float:
        """rate_e = max(0, fee_delta) + max(0, duty_delta) x (1 - g): what each unit of revenue
        still sold costs extra, counting only increases."""
        return max(0.0, self.fee_delta) + max(0.0, self.duty_delta) * (1.0 - gross_margin)

    def cash_rate(self, gross_margin: float) -> float:
        """fee_delta + duty_delta x (1 - g): the same, with savings, for the cash forecast."""
        return self.fee_delta + self.duty_delta * (1.0 - gross_margin)


# freeze_days: how long frozen payouts stay frozen; 90 days where a shop is lost, else 0.
KIND_DEFAULTS: dict[str, KindImpact] = {
    "ban": KindImpact(1.0, 1.0, (ANY,), 0.5, 1.0, 1.0, freeze_days=90.0),
    "shop_closure": KindImpact(1.0, 0.0, (ANY,), 0.5, 1.0, 0.0, freeze_days=90.0),
    "link_cutoff": KindImpact(0.0, 1.0, ("external_link",)),
    "account_suspension": KindImpact(1.0, 0.0, (ANY,), 1.0, 1.0, 1.0, freeze_days=90.0),
    "fee_change": KindImpact(),
    "payout_hold": KindImpact(),
    "service_shutdown": KindImpact(),
    "season": KindImpact(),
    "duty_change": KindImpact(),
}


def resolve_impact(event: Event) -> KindImpact:
    """The kind's defaults, each replaced by the event's override where it gives one."""
    base = KIND_DEFAULTS[event.kind]
    o = event.impact
    if o.is_empty:
        return base
    features = base.traffic_features if o.traffic_features is None else o.traffic_features
    if o.traffic_features is None and o.traffic_lost and not base.traffic_lost:
        features = (ANY,)  # a kind that cuts no link, told to: every feature unless told which
    return KindImpact(
        orders_lost=_pick(o.orders_lost, base.orders_lost),
        traffic_lost=_pick(o.traffic_lost, base.traffic_lost),
        traffic_features=tuple(features),
        payouts_frozen=_pick(o.payouts_frozen, base.payouts_frozen),
        inventory_stranded=_pick(o.inventory_stranded, base.inventory_stranded),
        deposit_lost=_pick(o.deposit_lost, base.deposit_lost),
        fee_delta=_pick(o.fee_delta, base.fee_delta),
        extra_hold_days=_pick(o.extra_hold_days, base.extra_hold_days),
        duty_delta=_pick(o.duty_delta, base.duty_delta),
        freeze_days=_pick(o.freeze_days, base.freeze_days),
    )


def _pick(override: float | None, default: float) -> float:
    return default if override is None else float(override)
