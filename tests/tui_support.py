"""Running a Textual app in a test so that a wait that times out says why: the exceptions its
workers raised.

A failed worker (one with `exit_on_error=False`, as the dashboard's are) leaves the app running
and its worker list (Textual drops finished workers), so a test that waits for the screen to fill
would only see "condition not met". `running(app)` records every worker that ends in ERROR
(through `run_test`'s public `message_hook`), and `tests.support.wait_for` puts those exceptions,
with their tracebacks, into its failure.
"""

from __future__ import annotations

import traceback
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App
    from textual.message import Message
    from textual.pilot import Pilot


class WorkerFailures:
    """The workers of one app that ended in ERROR, in order, with their exceptions."""

    def __init__(self) -> None:
        self.failed: list[tuple[str, BaseException]] = []

    def __call__(self, message: Message) -> None:
        from textual.worker import Worker, WorkerState

        if isinstance(message, Worker.StateChanged) and message.state == WorkerState.ERROR:
            error = message.worker.error
            if error is not None:
                self.failed.append((f"{message.worker.name or 'worker'} (group {message.worker.group})", error))

    def __str__(self) -> str:
        if not self.failed:
            return "no worker failed"
        parts = [
            f"worker {name} failed:\n" + "".join(traceback.format_exception(exc)).rstrip() for name, exc in self.failed
        ]
        return "\n".join(parts)


_FAILURES: weakref.WeakKeyDictionary[Any, WorkerFailures] = weakref.WeakKeyDictionary()


def worker_failures(app: App[Any]) -> str:
    """What `running(app)` recorded of its failed workers (nothing known without it)."""
    found = _FAILURES.get(app)
    return (
        str(found) if found is not None else "(worker errors not recorded: run the app with tests.tui_support.running)"
    )


@asynccontextmanager
async def running(app: App[Any], **options: Any) -> AsyncIterator[Pilot[Any]]:
    """`app.run_test(**options)`, recording its failed workers for `wait_for`'s failure."""
    failures = WorkerFailures()
    _FAILURES[app] = failures
    async with app.run_test(message_hook=failures, **options) as pilot:
        yield pilot


async def dashboard_ready(pilot: Pilot[Any], timeout: float = 30.0) -> None:
    """The dashboard as a person sees it once it settles: the assessment loaded with history, and
    every pane mounted (the next actions, the playbook and the filter come a refresh after the
    first frame: riskmon.tui.screens.dashboard)."""
    from tests.support import wait_for

    app: Any = pilot.app
    await wait_for(pilot, lambda: app.loaded is not None and app.loaded.with_history, timeout)
    await wait_for(pilot, lambda: getattr(app.screen, "complete", True), timeout)
    await pilot.pause()
