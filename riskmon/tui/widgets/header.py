"""The top of the dashboard, answering "how bad, how much, how soon" at a glance: the level badge,
score and business; the money (expected loss with its P50/P95, the lowest cash in the forecast and
its week, the chance cash runs short, the runway); the top reason for the level in words, then the
others; the demo badge; errors. Every figure is a field of the core's Assessment, formatted here,
never computed here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

from riskmon.errors import Level
from riskmon.paths import ConfigLocation
from riskmon.textsafe import clean
from riskmon.tui import viewdata

if TYPE_CHECKING:
    from riskmon.core.engine import Assessment

LEVEL_CLASS = {Level.OK: "-ok", Level.WARNING: "-warning", Level.CRITICAL: "-critical"}


class LevelBadge(Static):
    """OK / WARNING / CRITICAL on the level's colour (theme variables, readable in light and dark)."""

    DEFAULT_CSS = """
    LevelBadge { width: auto; padding: 0 1; text-style: bold; background: $panel; color: $text; }
    LevelBadge.-ok { background: $success; color: $text; }
    LevelBadge.-warning { background: $warning; color: $text; }
    LevelBadge.-critical { background: $error; color: $text; }
    """

    def show(self, level: Level | None) -> None:
        self.remove_class(*LEVEL_CLASS.values())
        if level is None:
            self.update("…")
            return
        self.add_class(LEVEL_CLASS[level])
        self.update(Content(level.name))


def lowest_cash(a: Assessment) -> str:
    """'$-40,000 in the week of 2026-12-14': the forecast's lowest point (likely events) and when."""
    weeks = a.forecast.week_starts
    when = f" in the week of {weeks[a.cash_low_week]:%Y-%m-%d}" if 0 <= a.cash_low_week < len(weeks) else ""
    return viewdata.money(a.cash_low, a.profile.business.currency) + when


def figures(a: Assessment) -> list[tuple[str, str]]:
    """The header's money as (label, value) pairs, in reading order."""
    cur = a.profile.business.currency
    return [
        ("expected loss", f"{viewdata.money(a.expected_loss, cur)} lost"),
        ("P50", viewdata.money(a.loss_p50, cur)),
        ("P95", viewdata.money(a.loss_p95, cur)),
        (f"lowest cash in {len(a.forecast.week_starts)} wk", lowest_cash(a)),
        ("shortfall chance", viewdata.pct(a.cash_shortfall_probability)),
        ("runway", viewdata.runway(a.runway_weeks)),
    ]


class RiskHeader(Vertical):
    """Level, score, business and as-of time; the money; the reasons for the level, top first."""

    DEFAULT_CSS = """
    RiskHeader { height: auto; background: $boost; padding: 0 1; }
    RiskHeader #top { height: 1; }
    RiskHeader #headline { width: 1fr; padding: 0 1; }
    RiskHeader #demo { width: auto; padding: 0 1; background: $accent; color: $text; text-style: bold; display: none; }
    RiskHeader.-demo #demo { display: block; }
    RiskHeader #figures { height: auto; }
    RiskHeader #top-reason { height: auto; }
    RiskHeader #reasons { height: auto; color: $text-muted; }
    RiskHeader #demo-hint { height: 1; color: $text-muted; display: none; }
    RiskHeader.-demo #demo-hint { display: block; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield LevelBadge("…", id="level")
            yield Static(Content("riskmon: loading…"), id="headline")
            yield Static(Content("DEMO"), id="demo")
        yield Static(Content(""), id="figures")
        yield Static(Content(""), id="top-reason")
        yield Static(Content(""), id="reasons")
        yield Static(
            Content("Demo data. Run `riskmon config init` to write your own config, then restart."),
            id="demo-hint",
        )

    def show(self, a: Assessment, location: ConfigLocation) -> None:
        self.set_class(location.is_demo, "-demo")
        self.query_one("#level", LevelBadge).show(a.level)
        head = Content.assemble(
            (f"score {a.score:.0f}/100", "bold"),
            "  ",
            (clean(a.profile.business.name), "italic"),
            f"  as of {a.now:%Y-%m-%d %H:%M} UTC",
        )
        self.query_one("#headline", Static).update(head)
        parts: list[str | tuple[str, str]] = []
        for label, value in figures(a):
            parts += ["  ·  " if parts else "", f"{label} ", (value, "bold")]
        self.query_one("#figures", Static).update(Content.assemble(*parts))
        top, *rest = a.reasons or ["no rule raised the level"]
        self.query_one("#top-reason", Static).update(Content.assemble(("Why: ", "bold"), clean(top)))
        self.query_one("#reasons", Static).update(Content("\n".join(f"• {clean(r)}" for r in rest)))


class ErrorBanner(Static):
    """Shown when the config on disk is invalid (or a refresh failed); the last good state stays."""

    DEFAULT_CSS = """
    ErrorBanner { height: auto; max-height: 8; background: $error 30%; color: $text; padding: 0 1;
                  border-left: thick $error; display: none; }
    ErrorBanner.-shown { display: block; }
    """

    def show(self, title: str, lines: list[str]) -> None:
        body = [clean(x) for x in lines[:6]]
        if len(lines) > 6:
            body.append(f"… and {len(lines) - 6} more")
        self.update(Content.assemble((clean(title), "bold"), "\n", "\n".join(body)))
        self.add_class("-shown")

    def clear(self) -> None:
        self.remove_class("-shown")
        self.update(Content(""))
