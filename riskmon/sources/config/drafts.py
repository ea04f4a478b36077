"""Drafts and rejected texts beside a config file: an unsaved edit kept as `<file>.draft` until saved or
discarded, and a text the validator refused kept as `<file>.rejected`, with the file's permissions.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from riskmon.sources.config.edit_files import read_text, write_atomic

DRAFT_SUFFIX = ".draft"
REJECTED_SUFFIX = ".rejected"


def draft_path(path: Path | str) -> Path:
    path = Path(path)
    return path.with_name(path.name + DRAFT_SUFFIX)


def rejected_path(path: Path | str) -> Path:
    path = Path(path)
    return path.with_name(path.name + REJECTED_SUFFIX)


def save_rejected(path: Path | str, text: str) -> Path:
    """Keep an edit that was not saved (invalid, or the file changed meanwhile) beside the file as
    `<file>.rejected`, so that nothing the user typed is lost. Returns its path."""
    rejected = rejected_path(path)
    write_atomic(rejected, text, mode=copy_mode(path))
    return rejected


def copy_mode(path: Path | str) -> int:
    """The permissions of a copy of the config file at `path` (draft, rejected edit): the file's
    own, so that a config made private (0600) does not leak through its copies; 0600 when the
    file does not exist yet."""
    import stat

    try:
        return stat.S_IMODE(Path(path).stat().st_mode)
    except OSError:
        return 0o600


def load_draft(path: Path | str) -> str | None:
    """The draft's text, or None when there is none."""
    return read_text(draft_path(path))


def discard_draft(path: Path | str) -> None:
    with contextlib.suppress(FileNotFoundError):
        draft_path(path).unlink()
