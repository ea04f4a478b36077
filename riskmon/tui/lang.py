"""The dashboard in the active language (riskmon.i18n): key descriptions, Textual's own palette
commands, and a switch of language once the config's `[ui] language` is read.

Class attributes (BINDINGS, column labels) are evaluated at import, before riskmon.toml is read,
so they hold the English message ids (`N_`) and are translated where they are shown: the footer,
the help panel and the palette read a screen's `active_bindings`, which `Translated` translates.
In English nothing is looked up (riskmon.i18n imports no gettext then).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from textual.app import SystemCommand
from textual.binding import ActiveBinding, Binding

from riskmon.i18n import N_, _, is_english

SYSTEM_COMMANDS = frozenset(
    (
        N_("Theme"),
        N_("Change the current theme"),
        N_("Quit"),
        N_("Quit the application as soon as possible"),
        N_("Keys"),
        N_("Hide the keys and widget help panel"),
        N_("Show help for the focused widget and a summary of available keys"),
        N_("Minimize"),
        N_("Minimize the widget and restore to normal size"),
        N_("Maximize"),
        N_("Maximize the focused widget"),
        N_("Screenshot"),
        N_("Save an SVG 'screenshot' of the current screen"),
        N_("palette"),  # the footer's ctrl+p
    )
)
"""Textual's own palette commands (App.get_system_commands), by their English wording."""


def binding(b: Binding) -> Binding:
    """`b` with its description (and its group's) in the active language."""
    group = b.group
    if group is not None:
        group = Binding.Group(_(group.description), compact=group.compact)
    return replace(b, description=_(b.description), tooltip=_(b.tooltip) if b.tooltip else "", group=group)


def bindings(found: dict[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    if is_english():
        return found
    return {
        key: ActiveBinding(a.node, binding(a.binding), a.enabled, _(a.tooltip) if a.tooltip else "")
        for key, a in found.items()
    }


def system_commands(commands: Iterable[SystemCommand]) -> Iterable[SystemCommand]:
    """Textual's palette commands in the active language (names it does not know stay)."""
    for c in commands:
        if is_english() or c.title not in SYSTEM_COMMANDS:
            yield c
        else:
            yield SystemCommand(_(c.title), _(c.help) if c.help in SYSTEM_COMMANDS else c.help, c.callback, c.discover)


class Translated:
    """Put before Screen in a screen's bases: its keys show in the active language (BINDINGS
    hold the English ids)."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return bindings(super().active_bindings)  # type: ignore[misc]
