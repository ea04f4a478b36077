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

from riskmon.i18n import N_, _, data
from riskmon.textsafe import clean
from riskmon.tui import words

if TYPE_CHECKING:
    from riskmon.tui.app import RiskmonApp


COMMANDS = (
    (N_("Refresh now"), "app", "refresh", N_("poll feeds, re-read config, reassess (r)")),
    (N_("Toggle theme"), "app", "toggle_theme", N_("switch between the dark and light theme (t)")),
    (N_("Open history"), "app", "history", N_("score over time and the event change log (h)")),
    (N_("Show config path"), "app", "config_path", N_("which config directory is in use, and why")),
    (N_("Help"), "app", "help", N_("keys and what the numbers mean (?)")),
    (N_("Edit config"), "app", "config_editor", N_("the TOML files, validated as you type (e)")),
    (N_("What-if"), "app", "what_if", N_("try changes and a stress test beside the real numbers (w)")),
    (N_("News review"), "app", "news", N_("draft events from articles and RSS: accept or reject (N)")),
    (N_("Add event"), "dashboard", "new_event", N_("a new event in events.toml, validated as you type (n)")),
    (N_("Edit event"), "dashboard", "edit_event", N_("the highlighted event (E)")),
    (N_("Edit channel"), "dashboard", "edit_channel", N_("the highlighted channel (c)")),
    (N_("Filter events"), "dashboard", "filter", N_("show the events whose words match (/)")),
    (
        N_("Show or hide unreached events"),
        "dashboard",
        "toggle_unreached",
        N_("events that reach none of your channels (u)"),
    ),
    (N_("Focus events"), "dashboard", "focus_events", N_("the events table (v)")),
    (N_("Focus next actions"), "dashboard", "focus_actions", N_("every event's steps, the most urgent first (a)")),
    (N_("Focus exposure"), "dashboard", "focus_exposure", N_("the exposure table (x)")),
    (N_("Focus playbook"), "dashboard", "focus_playbook", N_("the selected event's steps and their checkboxes (p)")),
)
"""Every screen and action: (name, whose action — the app's or the dashboard's —, action, help)."""


class RiskmonCommands(Provider):
    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app: RiskmonApp = self.app  # type: ignore[assignment]
        owners = {"app": app, "dashboard": getattr(app, "dashboard", None)}
        out: list[tuple[str, Callable[[], object], str]] = [
            (_(name), getattr(owners[owner], f"action_{action}"), _(help_text))
            for name, owner, action, help_text in COMMANDS
            if owners[owner] is not None
        ]
        loaded = app.loaded
        if loaded is not None:
            for e in loaded.evaluation.assessment.events:
                out.append(
                    (
                        _("Open event: {event} — {title}").format(event=clean(e.id), title=clean(data(e.event.title))),
                        partial(app.open_event, e.id),
                        _("score {score}, {status}").format(score=f"{e.score:.1f}", status=words.status(e.status)),
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
