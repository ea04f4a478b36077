"""The messages the news screen's workers send back (the queue loaded, a draft decided, a
proposal ready), a failure as the lines the screens show, a draft's state in words, and what tells
that a file the screen watches changed."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from riskmon.errors import ConfigError, reason_of
from riskmon.i18n import N_, _
from riskmon.textsafe import clean

if TYPE_CHECKING:
    from riskmon.store.news_queue import Entry
    from riskmon.usecases.news import Accepted, Proposal, Review

STATES = {"pending": N_("pending"), "accepted": N_("accepted"), "rejected": N_("rejected"), "edited": N_("edited")}
"""A draft's state (and what was done to it) in words: the queue keeps the English ids."""


def state_word(state: str) -> str:
    return _(STATES[state]) if state in STATES else state


@dataclass
class QueueLoaded(Message):
    """A load finished: `review` None when nothing changed (or it failed: `error`)."""

    seq: int
    review: Review | None
    stamp: tuple[object, ...]
    error: str | None = None


@dataclass
class Decided(Message):
    """An accept or reject finished (`error` set when it did not happen)."""

    entry_id: str
    verb: str
    accepted: Accepted | None = None
    error: Exception | None = None


@dataclass
class ProposalReady(Message):
    entry: Entry | None
    proposal: Proposal | None
    error: Exception | None = None


def problem_lines(exc: BaseException) -> list[str]:
    """Every problem of a ConfigError (or the one reason of anything else), one line each."""
    if isinstance(exc, ConfigError) and exc.problems:
        return [clean(str(p)) for p in exc.problems]
    return [clean(reason_of(exc))]


def file_stamp(*paths: os.PathLike[str]) -> tuple[object, ...]:
    """What tells a file changed: (mtime, size, inode) of each, None for a missing one."""
    out: list[object] = []
    for p in paths:
        try:
            st = os.stat(p)
        except OSError:
            out.append(None)
            continue
        out.append((st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(out)
