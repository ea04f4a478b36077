"""What the charts draw, without plotext: the dashboard builds it before its charts are mounted
(riskmon.tui.widgets.charts imports textual-plotext; the dashboard imports it after its first frame)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from riskmon.i18n import N_
from riskmon.tui.viewdata import Series


@dataclass(frozen=True)
class ScoreData:
    score: Series
    warn: float
    crit: float
    events: list[Series] = field(default_factory=list)
    span_days: float = 30.0
    title: str = N_("Score")
    now: datetime | None = None
    """Dates the time axis (None: days ago)."""


@dataclass(frozen=True)
class CashData:
    """The cash forecast as the core gives it (riskmon.core.results.Forecast), copied."""

    week_starts: tuple[datetime, ...]
    baseline: tuple[float, ...]
    likely: tuple[float, ...]
    stress: tuple[float, ...]
    currency: str = "USD"
