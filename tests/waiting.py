"""Waiting on a condition, never for a fixed time.

`wait_until` (threads, processes) and `until` (inside an asyncio loop) poll a condition until it
holds and return its value. When it does not hold in time they fail the test saying what they
waited for (the condition's source), what it last returned, and `context()`: what the code under
test was doing, e.g. the exceptions its workers logged (`WorkerErrors`) or a daemon's log.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import logging
import subprocess
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

T = TypeVar("T")

Context = Callable[[], object]


class WaitTimeout(AssertionError):
    """A condition did not hold in time."""


def describe(cond: Callable[[], object]) -> str:
    """The condition's source (the lambda expression), or its name."""
    try:
        source = " ".join(inspect.getsource(cond).split())
    except (OSError, TypeError):
        return getattr(cond, "__qualname__", repr(cond))
    start = source.find("lambda")
    if start < 0:
        return getattr(cond, "__qualname__", source)
    text = source[start:]
    for end in range(len(text), 0, -1):  # the longest prefix that is the lambda alone
        try:
            if isinstance(ast.parse(text[:end], mode="eval").body, ast.Lambda):
                return text[:end]
        except SyntaxError:
            continue
    return text


class _Wait(Generic[T]):
    """One wait: `done()` is True once `cond()` holds (then `value` is what it returned), and
    raises WaitTimeout once `timeout` seconds have passed without."""

    def __init__(self, cond: Callable[[], T], timeout: float, context: Context | None) -> None:
        self.cond, self.timeout, self.context = cond, timeout, context
        self.end = time.monotonic() + timeout
        self.value: T | Exception | None = None

    def done(self) -> bool:
        try:
            self.value = self.cond()
        except Exception as exc:  # e.g. a file not written yet: keep waiting, show it on timeout
            self.value = exc
        if self.value and not isinstance(self.value, Exception):
            return True
        if time.monotonic() >= self.end:
            raise self._failure()
        return False

    def _failure(self) -> WaitTimeout:
        lines = [f"waited {self.timeout:g} s for: {describe(self.cond)}", f"it last returned: {self.value!r}"]
        if self.context is not None:
            try:
                shown = str(self.context())
            except Exception as exc:  # the context is best effort; the timeout is the failure
                shown = f"(context unavailable: {exc!r})"
            lines.append(shown.rstrip() or "(context: empty)")
        return WaitTimeout("\n".join(lines))

    def result(self) -> T:
        assert self.value is not None and not isinstance(self.value, Exception)
        return self.value


def wait_until(
    cond: Callable[[], T], timeout: float = 15.0, *, context: Context | None = None, interval: float = 0.02
) -> T:
    """Poll `cond()` (in this thread) until it is truthy; return that value."""
    wait = _Wait(cond, timeout, context)
    while not wait.done():
        time.sleep(interval)
    return wait.result()


async def until(
    cond: Callable[[], T], timeout: float = 10.0, *, context: Context | None = None, interval: float = 0.02
) -> T:
    """Let the loop run until `cond()` is truthy; return that value."""
    wait = _Wait(cond, timeout, context)
    while not wait.done():
        await asyncio.sleep(interval)
    return wait.result()


class WorkerErrors(logging.Handler):
    """Errors riskmon logged while a test ran (a failed task, poll, cycle or alert stage), with
    their tracebacks: the context a timed-out wait shows."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __str__(self) -> str:
        if not self.records:
            return "no worker logged an error"
        out = []
        for r in self.records:
            out.append(f"{r.levelname} {r.name}: {r.getMessage()}")
            if r.exc_info and r.exc_info[1] is not None:
                out.append("".join(traceback.format_exception(r.exc_info[1])).rstrip())
        return "worker errors:\n" + "\n".join(out)


@contextmanager
def worker_errors(handler: WorkerErrors | None = None, logger: str = "riskmon") -> Iterator[WorkerErrors]:
    """Collect the errors logged under `logger` for the duration (in `handler`, emptied first)."""
    handler = handler or WorkerErrors()
    handler.records.clear()
    log = logging.getLogger(logger)
    log.addHandler(handler)
    try:
        yield handler
    finally:
        log.removeHandler(handler)


def process_state(proc: subprocess.Popen[Any], log_text: str) -> str:
    """A child process's exit status (if it exited) and its log: the context of a wait on it."""
    code = proc.poll()
    status = "still running" if code is None else f"exited with status {code}"
    return f"process {status}; its log:\n{log_text}" if log_text else f"process {status}; its log is empty"
