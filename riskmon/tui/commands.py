"""The command palette (ctrl+p): refresh, open an event, theme, history, config path, help.

Event titles come from feeds, so every prompt is a Content object (never markup) and help text
is escaped: Textual parses a plain str prompt or help as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape

from riskmon.textsafe import clean

if TYPE_CHECKING:
    from riskmon.tui.app import RiskmonApp


class RiskmonCommands(Provider):
    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app: RiskmonApp = self.app  # type: ignore[assignment]
        out: list[tuple[str, Callable[[], object], str]] = [
            ("Refresh now", app.action_refresh, "poll feeds, re-read config, reassess (r)"),
            ("Toggle theme", app.action_toggle_theme, "switch between the dark and light theme (t)"),
            ("Open history", app.action_history, "score over time and the event change log (h)"),
            ("Show config path", app.action_config_path, "which config directory is in use, and why"),
            ("Help", app.action_help, "keys and what the numbers mean (?)"),
            ("Edit config", app.action_config_editor, "the TOML files, validated as you type (e)"),
            ("What-if", app.action_what_if, "try changes and a stress test beside the real numbers (w)"),
            ("News review", app.action_news, "draft events from articles and RSS: accept or reject (N)"),
        ]
        loaded = app.loaded
        if loaded is not None:
            for e in loaded.evaluation.assessment.events:
                out.append(
                    (
                        f"Open event: {clean(e.id)} — {clean(e.event.title)}",
                        partial(app.open_event, e.id),
                        f"score {e.score:.1f}, {e.event.status}",
                    )
                )
        return out

    async def discover(self) -> Hits:
        for text, callback, help_text in self._commands()[:5]:
            yield DiscoveryHit(Content(text), callback, text=text, help=escape(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, callback, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, Content(text), callback, text=text, help=escape(help_text))
