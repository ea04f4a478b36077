"""Charts via textual-plotext. Each widget keeps a copy of its data and replots it on every
render, so a resize redraws from that copy; nothing touches plotext's global figure."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.app import RenderResult
from textual_plotext import PlotextPlot

from riskmon.tui.viewdata import Series

# Plotext colour names, distinguishable in light and dark themes alike.
LINE_COLOURS = ("cyan", "magenta", "green", "orange", "blue", "red")


@dataclass(frozen=True)
class ScoreData:
    score: Series
    warn: float
    crit: float
    events: list[Series] = field(default_factory=list)
    span_days: float = 30.0
    title: str = "Score"


class ReplayPlot(PlotextPlot):
    """A PlotextPlot that draws from stored data in `replay()` each time it renders."""

    DEFAULT_CSS = """
    ReplayPlot { height: 1fr; min-height: 6; }
    """

    def replay(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def render(self) -> RenderResult:
        self.plt.clear_figure()
        if self.size.width < 10 or self.size.height < 4:
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
        self.refresh()

    def replay(self) -> None:
        plt, d = self.plt, self.data
        plt.title(d.title if d else "Score")
        if d is None:
            return
        lo = -d.span_days
        plt.xlim(lo, 0.0)
        plt.ylim(0, 100)
        plt.yticks([0, d.warn, d.crit, 100])  # the level bands, labelled
        plt.hline(d.crit, "red")
        plt.hline(d.warn, "orange")
        for i, s in enumerate(d.events):
            if s.x:
                plt.plot(list(s.x), list(s.y), label=s.label[:24], color=LINE_COLOURS[(i + 1) % len(LINE_COLOURS)])
        if d.score.x:
            marker = "hd" if len(d.score.x) > 1 else "o"
            plt.plot(list(d.score.x), list(d.score.y), label="score", color=LINE_COLOURS[0], marker=marker)
        plt.xlabel("days ago")


class DependenceChart(ReplayPlot):
    """Share of orders that depends on each third-party platform."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.names: list[str] = []
        self.values: list[float] = []
        self.warn = 0.6

    def show(self, names: list[str], values: list[float], warn: float) -> None:
        self.names, self.values, self.warn = list(names), list(values), warn
        self.refresh()

    def replay(self) -> None:
        plt = self.plt
        # plotext drops a title wider than the plot area (the bar labels take ~10 columns).
        long = "Dependence per platform (% of orders)"
        plt.title(long if self.size.width >= len(long) + 14 else "Dependence, % of orders")
        if not self.names:
            return
        pct = [round(v * 100, 1) for v in self.values]
        plt.bar(self.names[:8], pct[:8], orientation="horizontal", width=0.4, color="cyan")
        plt.xlim(0, 100)
        plt.vline(self.warn * 100, "orange")
