"""Charts via textual-plotext. Each widget keeps a copy of its data and replots it on every
render, so a resize redraws from that copy; nothing touches plotext's global figure (each widget
has its own `plt`).

Charts worth reading: a chart shorter than MIN_ROWS draws nothing (a two-row chart misleads);
axes are fixed by the data's range, not by what happens to be plotted (a refresh never rescales
the score axis); time axes say dates; each series has its own marker, and the legend is in the
border's subtitle, so it never covers the data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from textual.app import RenderResult
from textual_plotext import PlotextPlot

from riskmon.i18n import N_, _, is_english
from riskmon.tui.widgets.chart_data import CashData, ScoreData
from riskmon.tui.words import cut, short_day

__all__ = ["CashChart", "CashData", "ScoreChart", "ScoreData"]

# Plotext colour names, distinguishable in light and dark themes alike.
LINE_COLOURS = ("cyan", "magenta", "green", "orange", "blue", "red")
MARKERS = ("●", "◆", "▲", "■", "✚", "✖")
"""One marker per series, so that lines tell apart without colour too."""
MIN_ROWS = 8
"""A chart gets at least this many rows of plot, or is not drawn."""
X_TICKS = 5


def date_ticks(now: datetime, lo: float, hi: float, fmt: str = "%m-%d") -> tuple[list[float], list[str]]:
    """X_TICKS evenly spaced positions over [lo, hi] days from `now`, labelled with their dates."""
    step = (hi - lo) / (X_TICKS - 1)
    xs = [lo + k * step for k in range(X_TICKS)]
    return xs, [short_day(now + timedelta(days=x), fmt) for x in xs]


def legend(names: Sequence[str]) -> str:
    """'● score  ◆ us-ban': each series' marker and name, in plotting order."""
    return "  ".join(f"{MARKERS[i % len(MARKERS)]} {_(name)}" for i, name in enumerate(names))


class ReplayPlot(PlotextPlot):
    """A PlotextPlot that draws from stored data in `replay()` each time it renders."""

    DEFAULT_CSS = """
    ReplayPlot { height: 1fr; min-height: 6; }
    """

    def replay(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def render(self) -> RenderResult:
        self.plt.clear_figure()
        if self.size.width < 20 or self.size.height < MIN_ROWS:
            return ""
        self.replay()
        return super().render()


class ScoreChart(ReplayPlot):
    """Score over time with the warning and critical bands, optionally with per-event lines."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.data: ScoreData | None = None

    def show(self, data: ScoreData) -> None:
        self.data = data
        names = [N_("score"), *(cut(s.label, 24, mark="") for s in data.events if s.x)]
        bands = _("warning {warn} / critical {crit}").format(warn=f"{data.warn:g}", crit=f"{data.crit:g}")
        self.border_subtitle = f"{legend(names)}  ─ {bands}"
        if not is_english():  # plotext draws a title by characters: wide ones would shift the plot
            self.border_title = _(data.title)
        self.refresh()

    def replay(self) -> None:
        plt, d = self.plt, self.data
        if is_english():
            plt.title(d.title if d else "Score")
        if d is None:
            return
        lo = -d.span_days
        plt.xlim(lo, 0.0)  # the whole range, whatever the snapshots cover
        plt.ylim(0, 100)
        plt.yticks([0, d.warn, d.crit, 100])  # the level bands, labelled
        if d.now is not None:
            plt.xticks(*date_ticks(d.now, lo, 0.0, "%Y-%m-%d" if d.span_days > 60 else "%m-%d"))
        else:
            plt.xlabel(_("days ago"))
        plt.hline(d.crit, "red")
        plt.hline(d.warn, "orange")
        series = [d.score, *(s for s in d.events if s.x)]
        for i, s in enumerate(series):
            if s.x:
                colour = LINE_COLOURS[i % len(LINE_COLOURS)]
                plt.plot(list(s.x), list(s.y), color=colour, marker=MARKERS[i % len(MARKERS)])


CASH_SERIES = (N_("baseline"), N_("likely"), N_("stress"))
"""No event; events with p >= 0.5; every event with p > 0 (riskmon.core.results.Forecast)."""


ZERO = N_("zero")
"""The zero line's name (a literal `_()` inside an f-string is not found by the extractor)."""


def cash_legend() -> str:
    return f"{legend(CASH_SERIES)}  ─ {_(ZERO)}"


class CashChart(ReplayPlot):
    """The 13-week cash forecast: end-of-week cash for baseline, likely and stress, a zero line,
    weeks as dates. The y axis spans the data and zero, so a shortfall is always in view."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.data: CashData | None = None
        self.border_subtitle = cash_legend()

    def show(self, data: CashData) -> None:
        self.data = data
        self.border_subtitle = cash_legend()
        self.border_title = _("Cash, next {n} weeks ({currency}, end of week)").format(
            n=len(data.week_starts), currency=data.currency
        )
        self.refresh()

    def replay(self) -> None:
        plt, d = self.plt, self.data
        if d is None or not d.week_starts:
            return
        xs = list(range(len(d.week_starts)))
        values = [*d.baseline, *d.likely, *d.stress, 0.0]
        lo, hi = min(values), max(values)
        pad = (hi - lo) * 0.05 or 1.0
        plt.ylim(lo - pad, hi + pad)
        ys = money_ticks(lo, hi)
        plt.yticks(ys, [short_money(y) for y in ys])
        plt.xlim(0, len(xs) - 1)
        every = max(1, len(xs) // (X_TICKS - 1))
        ticks: list[float] = [float(x) for x in xs[::every]]
        plt.xticks(ticks, [short_day(d.week_starts[int(k)]) for k in ticks])
        plt.hline(0.0, "red")
        # Stress first and baseline last: where the lines meet, the calmer one shows.
        for i, series in reversed(list(enumerate((d.baseline, d.likely, d.stress)))):
            plt.plot(xs, list(series), color=LINE_COLOURS[i], marker=MARKERS[i])


def money_ticks(lo: float, hi: float) -> list[float]:
    """Four evenly spaced values over [lo, hi], and zero whenever it is in range."""
    ticks = [lo + k * (hi - lo) / 3 for k in range(4)]
    if lo < 0 < hi:
        ticks = sorted([t for t in ticks if abs(t) > (hi - lo) / 8] + [0.0])
    return ticks


def short_money(x: float) -> str:
    """'-12k', '1.2M', '850': axis labels that fit in a few columns."""
    a = abs(x)
    if a >= 1e6:
        return f"{x / 1e6:.1f}M"
    if a >= 1e3:
        return f"{x / 1e3:.0f}k"
    return f"{x:.0f}"
