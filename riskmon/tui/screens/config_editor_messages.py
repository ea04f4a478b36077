"""The messages the config editor's workers send back to it (opened, checked, saved, draft kept)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.message import Message

from riskmon.errors import Problem


@dataclass
class Opened(Message):
    name: str
    text: str | None
    """The file on disk; None when it does not exist (it is created on save)."""
    draft: str | None
    error: str | None = None


@dataclass
class Checked(Message):
    generation: int
    problems: list[Problem]


@dataclass
class Saved(Message):
    name: str
    text: str
    error: Exception | None = None


@dataclass
class DraftKept(Message):
    path: Path | None
    error: str | None = None
    leave: bool = False
    """Close the editor once the draft is safe (it stays open when the draft could not be kept)."""
