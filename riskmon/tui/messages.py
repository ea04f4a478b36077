"""Typed messages: workers post them, the app and screens react. Nothing here does work."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

from riskmon.errors import ConfigError
from riskmon.tui.source import Loaded

if TYPE_CHECKING:
    from riskmon.live.monitor import MonitorUpdate


@dataclass
class MonitorUpdated(Message):
    """The Monitor finished a cycle (or found the config invalid); posted from its `on_update`."""

    update: MonitorUpdate


@dataclass
class DataLoaded(Message):
    """An update's screen data is ready: the evaluation, history and checklists to show."""

    loaded: Loaded


@dataclass
class LoadFailed(Message):
    """Loading failed (the Monitor could not start, history or playbooks broke, or no config was
    ever valid); the last good state stays on screen under an error banner."""

    error: Exception

    @property
    def problems(self) -> list[str]:
        if isinstance(self.error, ConfigError) and self.error.problems:
            return [str(p) for p in self.error.problems]
        return [getattr(self.error, "message", None) or f"{type(self.error).__name__}: {self.error}"]


@dataclass
class StepSaved(Message):
    """A playbook step's checkbox was written to history (or failed to be)."""

    event_id: str
    step_id: str
    done: bool
    error: str | None = None


@dataclass
class StepToggled(Message):
    """A playbook step was ticked or unticked on screen (the checklist or the next actions); the
    app saves it to history."""

    key: str
    """The checklist key: the event id or "standing:<rule id>"."""
    step_id: str
    done: bool


@dataclass
class OpenEvent(Message):
    """Show the detail screen for an event."""

    event_id: str


@dataclass
class EventHighlighted(Message):
    """The cursor moved onto an event in the timeline."""

    event_id: str | None


@dataclass
class ConfigSaved(Message):
    """Config files were written from the TUI (editor, form, what-if apply): reload and reassess."""

    paths: list[Path]
