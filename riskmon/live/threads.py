"""Blocking work off the asyncio loop, in threads that never hold up a shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def _settle(fut: asyncio.Future[Any], value: Any, exc: BaseException | None) -> None:
    if fut.done():
        return
    if exc is not None:
        fut.set_exception(exc)
    else:
        fut.set_result(value)


async def in_thread(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run `fn` in a new daemon thread and await its result.

    Not `asyncio.to_thread`: the default executor's threads are joined when the loop (and the
    interpreter) shuts down, so one feed hanging for its full timeout would hold up a SIGTERM.
    A daemon thread is simply abandoned; everything we write goes through temp file + rename, so
    an abandoned write leaves the old file intact.
    """
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[T] = loop.create_future()

    def work() -> None:
        value: Any = None
        error: BaseException | None = None
        try:
            value = fn(*args, **kwargs)
        except BaseException as exc:  # handed to the awaiting task
            error = exc
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
            loop.call_soon_threadsafe(_settle, fut, value, error)

    threading.Thread(target=work, name=f"riskmon-{getattr(fn, '__name__', 'work')}", daemon=True).start()
    return await fut
