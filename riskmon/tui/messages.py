"""Typed messages: workers post them, the app and screens react. Nothing here does work."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from riskmon.errors import ConfigError
from riskmon.tui.source import Loaded


@dataclass
class DataLoaded(Message):
    """A refresh finished: a new evaluation (and history) to show."""

    loaded: Loaded


@dataclass
class LoadFailed(Message):
    """A refresh failed; the last good state stays on screen under an error banner."""

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
class OpenEvent(Message):
    """Show the detail screen for an event."""

    event_id: str


@dataclass
class EventHighlighted(Message):
    """The cursor moved onto an event in the timeline."""

    event_id: str | None
