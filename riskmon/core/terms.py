"""One event's money on each channel it reaches: the per-event terms of the risk model.

The formulas are the README's table (DESIGN.md, "One event e"): profit at risk, fee and duty on
the orders that still happen, stranded stock, the deposit, cash frozen. Each pair (event,
channel) is also written to the `PairTable` the union, the forecast and the distribution read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from riskmon.core.forecast import weeks_with_midpoint_in as weeks_in
from riskmon.core.impact import KindImpact
from riskmon.core.model import Channel, Profile
from riskmon.core.pairs import PairTable, Span
from riskmon.core.reach import Reach
from riskmon.core.record import record
from riskmon.core.results import HitRow, Hits
from riskmon.core.settings import ModelSettings
from riskmon.core.timing import Window

WEEKS_PER_MONTH = 52.0 / 12.0
OFF_PLATFORM_WAREHOUSES = ("own", "third_party")


@record(slots=True)
class Facts:
    """A channel's numbers every event reads."""

    channel: Channel
    revenue: float
    """M s_c: its monthly revenue."""
    margin: float
    """cm_c."""
    recapture: float
    """r_c."""
    daily: float
    """d_c = R_c / 7: its daily revenue."""
    written_down: float
    """I_c x (off_platform_stranded when it controls the stock, else 1) x (1 - recovery_rate): the
    stock an event stranding everything writes down."""


@record(slots=True)
class Seller:
    """The business's numbers every event reads."""

    profile: Profile
    model: ModelSettings
    m: float
    g: float
    capacity: float
    horizon_days: float

    @classmethod
    def of(cls, profile: Profile, model: ModelSettings) -> Seller:
        biz = profile.business
        capacity = biz.cash_on_hand + biz.monthly_revenue * biz.gross_margin
        return cls(profile, model, biz.monthly_revenue, biz.gross_margin, capacity, 30.0 * model.horizon_months)

    def margin(self, c: Channel) -> float:
        return self.g if c.contribution_margin is None else c.contribution_margin

    def weekly_revenue(self, c: Channel) -> float:
        return self.m * c.order_share / WEEKS_PER_MONTH

    def facts(self, c: Channel) -> Facts:
        keep = self.model.off_platform_stranded if c.warehouse in OFF_PLATFORM_WAREHOUSES else 1.0
        written_down = c.inventory_value * keep * (1.0 - self.model.recovery_rate)
        return Facts(c, self.m * c.order_share, self.margin(c), c.recapture, self.weekly_revenue(c) / 7.0, written_down)


@record(slots=True)
class Terms:
    """An event's money, summed over the channels it reaches (before probability)."""

    revenue_lost: float = 0.0
    profit: float = 0.0
    fee: float = 0.0
    duty: float = 0.0
    stock: float = 0.0
    deposit: float = 0.0
    frozen: float = 0.0
    payouts_frozen: float = 0.0
    hold: float = 0.0
    hit_share: float = 0.0
    removes_orders: bool = False

    @property
    def loss(self) -> float:
        return self.profit + max(0.0, self.fee) + max(0.0, self.duty) + self.stock + self.deposit

    @property
    def has_effect(self) -> bool:
        moves = self.loss or self.fee or self.duty or self.frozen
        return bool(moves) or self.removes_orders


def span_of(seller: Seller, w: Window, impact: KindImpact) -> Span:
    """The event's window in days and in forecast weeks, and its fee and duty rates."""
    weeks = seller.model.forecast_weeks
    cash_rate = impact.cash_rate(seller.g)
    ends = math.inf if w.ends_day is None else w.ends_day
    fee_weeks = weeks_in(w.start, ends, weeks) if cash_rate else range(0)
    return Span(w.start, w.end, impact.cost_rate(seller.g), cash_rate, weeks_in(w.start, w.end, weeks), fee_weeks)


def event_terms(
    seller: Seller, facts: Sequence[Facts], table: PairTable, w: Window, impact: KindImpact, reach: Sequence[Reach]
) -> tuple[Terms, Hits]:
    """The event's money on each channel it reaches, summed, with each channel's part; every pair
    is added to `table` under the event's position (the table's next span). One tight loop: a
    large profile has tens of thousands of pairs (sums in reach order, as the README's table)."""
    table.spans.append(span_of(seller, w, impact))
    months = w.length / 30.0
    fee_delta, duty_delta = impact.fee_delta, impact.duty_delta * (1.0 - seller.g)
    stranded, deposit_lost = impact.inventory_stranded, impact.deposit_lost
    payouts_frozen, hold_days = impact.payouts_frozen, impact.extra_hold_days
    lost_sum = profit_sum = fee_sum = duty_sum = stock_sum = deposit_sum = 0.0
    payouts_sum = hold_sum = frozen_sum = hit_share = 0.0
    removes = False
    hits: list[HitRow] = []
    pairs = []
    for r in reach:
        x, f = facts[r.position], r.fraction
        lost = x.revenue * f
        profit = lost * (1.0 - x.recapture) * x.margin * months
        lost_sum, profit_sum = lost_sum + lost, profit_sum + profit
        removes = removes or (f > 0.0 and x.recapture < 1.0)
        if r.direct:
            c = x.channel
            still_sold = x.revenue * (1.0 - (1.0 - x.recapture) * f) * months
            fee, duty = fee_delta * still_sold, duty_delta * still_sold
            stock, deposit = stranded * x.written_down, c.deposit * deposit_lost
            payouts, hold = c.pending_payouts * payouts_frozen, x.daily * hold_days
            fee_sum, duty_sum, stock_sum, deposit_sum = (
                fee_sum + fee,
                duty_sum + duty,
                stock_sum + stock,
                deposit_sum + deposit,
            )
            payouts_sum, hold_sum, hit_share = payouts_sum + payouts, hold_sum + hold, hit_share + c.order_share
            frozen = payouts + hold
            frozen_sum += frozen
            loss = profit + (fee if fee > 0.0 else 0.0) + (duty if duty > 0.0 else 0.0) + stock + deposit
            hits.append((c, True, r.cut, f, c.order_share * f, loss, frozen))
            pairs.append((r.position, f, True, stock, deposit))
        else:
            hits.append((x.channel, False, r.cut, f, x.channel.order_share * f, profit, 0.0))
            pairs.append((r.position, f, False, 0.0, 0.0))
    table.add_event(pairs)
    sums = (lost_sum, profit_sum, fee_sum, duty_sum, stock_sum, deposit_sum, frozen_sum, payouts_sum, hold_sum)
    return Terms(*sums, hit_share, removes), Hits(hits)
