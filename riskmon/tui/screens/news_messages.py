"""The messages the news screen's workers send back (the queue loaded, a draft decided, a
proposal ready), and a failure as the lines the screens show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from riskmon.errors import ConfigError, reason_of
from riskmon.textsafe import clean

if TYPE_CHECKING:
    from riskmon.store.news_queue import Entry
    from riskmon.usecases.news import Accepted, Proposal, Review


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
