"""The asyncio tasks a live loop starts: their failures logged, waited for when it closes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

from riskmon.i18n import _

T = TypeVar("T")


class Tasks:
    """Tasks started on the running loop by one monitor (the daemon's, or a fleet's)."""

    def __init__(self, log: logging.Logger, what: str) -> None:
        self._log = log
        self._what = what
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            self._log.error("%s task failed: %s", self._what, exc, exc_info=exc)

    async def drain(self, timeout: float) -> None:
        """Wait up to `timeout` s for the tasks still running; cancel those that are not done then."""
        pending = [t for t in self._tasks if not t.done()]
        if not pending:
            return
        _done, not_done = await asyncio.wait(pending, timeout=timeout)
        for task in not_done:
            task.cancel()
        if not_done:
            self._log.warning(
                _("stopped with {count} task(s) unfinished (a hanging feed or alert channel)").format(
                    count=len(not_done)
                )
            )
