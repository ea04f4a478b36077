"""The cyclic garbage collector while a command starts: the process's policy, set by its entry
point (riskmon.cli.main), never by library code.

A start-up allocates what lives until exit (modules, classes, functions, the validated config):
the collector's passes over it free nothing. `riskmon check` on a cached config spent ~7 ms of
its ~150 ms in 25 young and 3 middle collections; the dashboard's first frame waited ~45 ms for
one full collection over Textual's objects. So:

- `quiet_start()`: a young collection every STARTUP_YOUNG allocations instead of 700. Still
  bounded: a command that allocates without end (a daemon that never settles) is collected.
- `settled()`: start-up is over. What exists now is frozen (`gc.freeze()`: never scanned
  again) and the usual thresholds return. `freeze()` alone keeps the start-up thresholds: the
  TUI freezes its imports before the app starts and restores the thresholds once its first frame
  is drawn (~10 ms of young collections fell between the data and the frame). Only the
  long-running commands freeze, in their own process: freezing in a test process would keep
  every earlier test's garbage.
- `restore()`: the thresholds as they were; `main()` calls it whatever happened, so a caller
  of `main()` in its own process (the tests) gets its collector back.
"""

from __future__ import annotations

import gc

STARTUP_YOUNG = 100_000
"""Allocations between young collections during start-up (Python's default: 700)."""

_saved: list[tuple[int, ...]] = []
"""The thresholds quiet_start() replaced, until restore()."""


def quiet_start() -> None:
    if not _saved:
        _saved.append(gc.get_threshold())
        gc.set_threshold(STARTUP_YOUNG, *_saved[0][1:])


def settled() -> None:
    freeze()
    restore()


def freeze() -> None:
    """What exists now is never scanned again; the start-up thresholds stay until restore()."""
    gc.freeze()


def restore() -> None:
    if _saved:
        gc.set_threshold(*_saved.pop())
