"""The command palette (ctrl+p): every screen and action — refresh, history, help, config editor,
what-if, news review, add/edit an event, edit a channel, filter, the panes, theme, config path —
and every event to open.

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
from riskmon.tui import words

if TYPE_CHECKING:
    from riskmon.tui.app import RiskmonApp


COMMANDS = (
    ("Refresh now", "app", "refresh", "poll feeds, re-read config, reassess (r)"),
    ("Toggle theme", "app", "toggle_theme", "switch between the dark and light theme (t)"),
    ("Open history", "app", "history", "score over time and the event change log (h)"),
    ("Show config path", "app", "config_path", "which config directory is in use, and why"),
    ("Help", "app", "help", "keys and what the numbers mean (?)"),
    ("Edit config", "app", "config_editor", "the TOML files, validated as you type (e)"),
    ("What-if", "app", "what_if", "try changes and a stress test beside the real numbers (w)"),
    ("News review", "app", "news", "draft events from articles and RSS: accept or reject (N)"),
    ("Add event", "dashboard", "new_event", "a new event in events.toml, validated as you type (n)"),
    ("Edit event", "dashboard", "edit_event", "the highlighted event (E)"),
    ("Edit channel", "dashboard", "edit_channel", "the highlighted channel (c)"),
    ("Filter events", "dashboard", "filter", "show the events whose words match (/)"),
    ("Show or hide unreached events", "dashboard", "toggle_unreached", "events that reach none of your channels (u)"),
    ("Focus events", "dashboard", "focus_events", "the events table (v)"),
    ("Focus next actions", "dashboard", "focus_actions", "every event's steps, the most urgent first (a)"),
    ("Focus exposure", "dashboard", "focus_exposure", "the exposure table (x)"),
    ("Focus playbook", "dashboard", "focus_playbook", "the selected event's steps and their checkboxes (p)"),
)
"""Every screen and action: (name, whose action — the app's or the dashboard's —, action, help)."""


class RiskmonCommands(Provider):
    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app: RiskmonApp = self.app  # type: ignore[assignment]
        owners = {"app": app, "dashboard": getattr(app, "dashboard", None)}
        out: list[tuple[str, Callable[[], object], str]] = [
            (name, getattr(owners[owner], f"action_{action}"), help_text)
            for name, owner, action, help_text in COMMANDS
            if owners[owner] is not None
        ]
        loaded = app.loaded
        if loaded is not None:
            for e in loaded.evaluation.assessment.events:
                out.append(
                    (
                        f"Open event: {clean(e.id)} — {clean(e.event.title)}",
                        partial(app.open_event, e.id),
                        f"score {e.score:.1f}, {words.status(e.status)}",
                    )
                )
        return out

    async def discover(self) -> Hits:
        for text, callback, help_text in self._commands():
            yield DiscoveryHit(Content(text), callback, text=text, help=escape(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, callback, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, Content(text), callback, text=text, help=escape(help_text))
