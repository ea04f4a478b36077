"""Exposure per channel: what each platform carries and its share of the risk."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from riskmon.i18n import N_, _
from riskmon.textsafe import clean
from riskmon.tui import viewdata
from riskmon.tui.viewdata import EXPOSURE_COLUMNS, Column
from riskmon.tui.widgets.table import SortableTable

if TYPE_CHECKING:
    from riskmon.core.engine import Assessment


class ExposureTable(SortableTable):
    DEFAULT_CSS = """
    ExposureTable { height: auto; max-height: 12; }
    """
    COLUMNS: ClassVar[tuple[Column, ...]] = EXPOSURE_COLUMNS
    WIDTHS: ClassVar[Mapping[str, int]] = {
        "channel": 16,
        "platform": 10,
        "regions": 11,
        "orders": 8,
        "revenue": 12,
        "inventory": 11,
        "payouts": 14,
        "deposit": 9,
        "dependence": 12,
        "risk": 14,
    }
    DROP_ORDER: ClassVar[tuple[str, ...]] = ("deposit", "regions", "platform", "inventory", "payouts")
    """What goes first on a narrow table; orders, revenue, dependence and risk share stay."""
    DEFAULT_SORT: ClassVar[str] = "risk"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "screen.edit_channel", N_("Edit channel")),
        Binding("E", "screen.edit_event", N_("Edit event"), show=False),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.assessment: Assessment | None = None

    def show(self, a: Assessment) -> None:
        self.assessment = a
        self.rebuild()

    def rebuild(self) -> None:
        a = self.assessment
        if a is None:
            return
        cur = a.profile.business.currency
        rows = []
        for x in viewdata.sort_channels(a.channels, self.sort_state):
            c = x.channel
            risk_style = "bold" if x.risk_share >= 0.5 else ""
            rows.append(
                (
                    c.id,
                    {
                        "channel": Text(clean(c.id)),
                        "platform": Text(clean(c.platform)),
                        "regions": Text(viewdata.regions(c.regions)),
                        "orders": Text(viewdata.pct(c.order_share), justify="right"),
                        "revenue": Text(viewdata.money(x.revenue_monthly, cur), justify="right"),
                        "inventory": Text(viewdata.money(c.inventory_value, cur), justify="right"),
                        "payouts": Text(viewdata.money(c.pending_payouts, cur), justify="right"),
                        "deposit": Text(viewdata.money(c.deposit, cur), justify="right"),
                        "dependence": Text(
                            _("own") if x.dependence is None else viewdata.pct(x.dependence), justify="right"
                        ),
                        "risk": Text(viewdata.pct(x.risk_share), justify="right", style=risk_style),
                    },
                )
            )
        self.replace_rows(rows)
