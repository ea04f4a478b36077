"""The top of the dashboard, answering "how bad, how much, how soon" at a glance: the level badge,
score and business; the money (expected loss with its P50/P95, the lowest cash in the forecast and
its week, the chance cash runs short, the runway); the top reason for the level in words, then the
others; the demo badge; errors. Every figure is a field of the core's Assessment, formatted here,
never computed here."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import Resize
from textual.widgets import Static

from riskmon.errors import Level
from riskmon.i18n import _, day
from riskmon.paths import ConfigLocation
from riskmon.present.cells import cell_width
from riskmon.textsafe import clean
from riskmon.tui import viewdata
from riskmon.tui.widgets.header_fit import Piece, fit
from riskmon.tui.words import cut

if TYPE_CHECKING:
    from riskmon.core.engine import Assessment

NAME_CUT = 24
"""At the tightest, a longer business name is cut to this many characters."""
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
        mine = LEVEL_CLASS.get(level) if level is not None else None
        self.update_classes({name: name == mine for name in LEVEL_CLASS.values()})  # restyled if changed
        self.update(Content(level.name) if level is not None else "…")


def _figure(label: str, value: str, tail: str = "") -> Content:
    return Content.assemble(label, (value, "bold"), tail)


def _cash(a: Assessment) -> Piece:
    """The runway and the forecast's lowest point, in `check`'s words, then shorter."""
    from riskmon.present.text import cash_phrase, runway_phrase

    low = viewdata.money(a.cash_low, a.profile.business.currency)
    week = day(lowest_week_start(a))
    runway = runway_phrase(a)
    return Piece(
        (
            Content.assemble((cash_phrase(a), "bold")),
            Content.assemble(
                (runway, "bold"), _(" · lowest "), (low, "bold"), _(" in the week of {date}").format(date=week)
            ),
            Content.assemble((runway, "bold"), _(" · lowest "), (low, "bold"), _(" wk of {date}").format(date=week)),
            Content.assemble((runway, "bold"), _(", low "), (low, "bold"), f" {week}"),
        )
    )


def lowest_week_start(a: Assessment) -> datetime:
    from riskmon.present.cash import lowest_week_start as start

    return start(a)


def pieces(a: Assessment) -> list[Piece]:
    """The header's figures in reading order, each with its wordings, longest first. Level,
    score, business, expected loss, shortfall chance and the cash are always there; the as-of
    time, then P50/P95, are left out first when the rows are too few."""
    from riskmon.present.text import chance

    def money(x: float) -> str:
        return viewdata.money(x, a.profile.business.currency)

    loss = money(a.expected_loss)
    name = clean(a.profile.business.name)
    short_name = name if cell_width(name) <= NAME_CUT else cut(name, NAME_CUT)
    shortfall = chance(a.cash_shortfall_probability)
    stamp = f"{a.now:%Y-%m-%d %H:%M}"
    return [
        Piece((Content.assemble((_("score {score}/100").format(score=f"{a.score:.0f}"), "bold")),)),
        Piece((*[Content.assemble((name, "italic"))] * 3, Content.assemble((short_name, "italic")))),
        Piece((Content(_("as of {time} UTC").format(time=stamp)), Content(stamp)), drop=2),
        Piece(
            (_figure(_("expected loss "), loss, _(" lost")), _figure(_("exp. loss "), loss), _figure(_("loss "), loss))
        ),
        Piece(
            (_figure("P50 ", money(a.loss_p50), _(", ")) + _figure("P95 ", money(a.loss_p95)),),
            drop=1,
        ),
        Piece((_figure(_("shortfall chance "), shortfall), _figure(_("shortfall "), shortfall))),
        _cash(a),
    ]


class RiskHeader(Vertical):
    """Level, score, business and the money in two rows, fitted to the width; the top reason for
    the level; the others where the screen is tall."""

    DEFAULT_CSS = """
    RiskHeader { height: auto; background: $boost; padding: 0 1; }
    RiskHeader #top { height: 1; }
    RiskHeader #headline { width: 1fr; padding: 0 1; height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    RiskHeader #demo { width: auto; padding: 0 1; background: $accent; color: $text; text-style: bold; display: none; }
    RiskHeader.-demo #demo { display: block; }
    RiskHeader #figures { height: auto; text-wrap: nowrap; text-overflow: ellipsis; }
    RiskHeader #top-reason { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    RiskHeader #reasons { height: auto; color: $text-muted; }
    RiskHeader #demo-hint { height: 1; color: $text-muted; display: none; }
    RiskHeader.-demo #demo-hint { display: block; }
    """

    def __init__(self, *, id: str | None = None, level: Level | None = None, demo: bool = False) -> None:
        """`level`, `demo`: what the first data will say, when known before the header is built:
        its classes are then in place before it is styled (a class added later restyles it all)."""
        super().__init__(id=id, classes="-demo" if demo else None)
        self.pieces: list[Piece] = []
        self._first_level = level

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            level = self._first_level
            yield LevelBadge("…", id="level", classes=LEVEL_CLASS[level] if level is not None else None)
            yield Static(Content(_("riskmon: loading…")), id="headline")
            yield Static(Content(_("DEMO")), id="demo")
        yield Static(Content(""), id="figures")
        yield Static(Content(""), id="top-reason")
        yield Static(Content(""), id="reasons")
        yield Static(
            Content(_("Demo data. Run `riskmon config init` to write your own config, then restart.")),
            id="demo-hint",
        )

    def show(self, a: Assessment, location: ConfigLocation) -> None:
        self.set_class(location.is_demo, "-demo")
        self.query_one("#level", LevelBadge).show(a.level)
        self.pieces = pieces(a)
        self._fit()
        # Again once the badge's new width ("…" -> "CRITICAL") is laid out: the first fit measured
        # the old one, and the header itself does not resize, so no Resize would refit it.
        self.call_after_refresh(self._fit)
        from riskmon.present.text import reasons

        self.query_one("#demo", Static).update(Content(_("DEMO")))
        self.query_one("#demo-hint", Static).update(
            Content(_("Demo data. Run `riskmon config init` to write your own config, then restart."))
        )
        top, *rest = reasons(a) or [_("no rule raised the level")]
        self.query_one("#top-reason", Static).update(Content.assemble((_("Why: "), "bold"), clean(top)))
        self.query_one("#reasons", Static).update(Content("\n".join(f"• {clean(r)}" for r in rest)))

    def on_resize(self, event: Resize) -> None:
        self._fit()

    def _fit(self) -> None:
        """The figures in two rows: the first beside the level badge (and DEMO), the second under it."""
        if not self.pieces:
            return
        inner = (self.size.width or self.app.size.width) - 2  # padding 0 1
        demo = cell_width(_("DEMO")) + 2 if self.has_class("-demo") else 0  # the badge and its padding
        beside = self.query_one("#level").outer_size.width + 2 + demo
        rows = fit(self.pieces, [max(inner - beside - 1, 10), inner - 1])
        self.query_one("#headline", Static).update(rows[0])
        self.query_one("#figures", Static).update(Content("\n").join(rows[1:]))


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
            body.append(_("… and {n} more").format(n=len(lines) - 6))
        self.update(Content.assemble((clean(title), "bold"), "\n", "\n".join(body)))
        self.add_class("-shown")

    def clear(self) -> None:
        self.remove_class("-shown")
        self.update(Content(""))
