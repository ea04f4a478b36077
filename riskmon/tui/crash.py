"""When the dashboard crashes: the traceback goes to a private log file, not over the terminal.

Textual catches an exception no handler caught, restores the terminal, sets `App.return_code`
to 1 and prints a rich traceback (with locals: often thousands of lines) on `App.error_console`.
Both are public; we point that console at a buffer, and once `App.run()` has returned (the
terminal is back to normal) write what it got to `<data dir>/logs/crash-<UTC time>.log` (mode
0600, never over an existing file), print one line naming the file and exit with EXIT_CRASHED.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.app import App

from riskmon.paths import user_data_dir

EXIT_CRASHED = 70
"""sysexits' EX_SOFTWARE: riskmon itself failed. Not 3 (UNKNOWN: riskmon could not tell, e.g. a
bad argument or config), so a wrapper script can tell a bug to report from a problem to fix."""
LOG_WIDTH = 200
"""Columns for the rendered traceback: wide enough that no line is cut."""
NAME_TRIES = 100
"""Crash logs written in the same second get -2, -3...; past this many, a temporary file."""


def log_dir() -> Path:
    return user_data_dir() / "logs"


def capture_errors(app: App[Any]) -> io.StringIO:
    """What Textual prints on exit after an unhandled exception, collected instead of printed."""
    buffer = io.StringIO()
    app.error_console = Console(
        file=buffer, width=LOG_WIDTH, color_system=None, force_terminal=False, markup=False, highlight=False
    )
    return buffer


def _create_private(path: Path) -> int:
    """A new file readable by its owner only; fails if anything (a file, a symlink) is there."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)


def _new_log(directory: Path, now: datetime) -> tuple[int, Path]:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    stem = f"crash-{now:%Y%m%dT%H%M%SZ}"
    for n in range(1, NAME_TRIES + 1):
        path = directory / (f"{stem}.log" if n == 1 else f"{stem}-{n}.log")
        try:
            return _create_private(path), path
        except FileExistsError:
            continue
    fd, name = tempfile.mkstemp(prefix=f"{stem}-", suffix=".log", dir=directory)  # mkstemp: 0600
    return fd, Path(name)


def write_crash_log(report: str, now: datetime | None = None) -> Path:
    """`report` in a new private file under the data dir (or, if that cannot be written, the
    system's temporary directory); its path."""
    now = now or datetime.now(UTC)
    try:
        fd, path = _new_log(log_dir(), now)
    except OSError:
        fd, name = tempfile.mkstemp(prefix=f"riskmon-crash-{now:%Y%m%dT%H%M%SZ}-", suffix=".log")
        path = Path(name)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(report)
    return path


def report_crash(report: str) -> int:
    """Save the traceback, say where in one line on stderr (the traceback follows it with
    RISKMON_DEBUG=1, or when it could not be saved) and give the exit code."""
    try:
        where, show = f"the traceback is in {write_crash_log(report)}", bool(os.environ.get("RISKMON_DEBUG"))
    except OSError as exc:  # no data dir and no temp dir: printing it is all that is left
        where, show = f"its traceback could not be saved ({exc}), here it is", True
    print(f"riskmon: the dashboard crashed (a bug in riskmon); {where}", file=sys.stderr, flush=True)
    if show:
        print(report.rstrip(), file=sys.stderr, flush=True)
    return EXIT_CRASHED


def run_dashboard(app: App[Any], *, headless: bool = False) -> int:
    """Run the app until it quits: 0, or after a crash EXIT_CRASHED (the traceback logged).
    `headless`: without a terminal (Textual's headless mode)."""
    errors = capture_errors(app)
    try:
        app.run(headless=headless)
    except Exception:  # raised past Textual's own handler (starting or stopping the driver)
        return report_crash(errors.getvalue() + traceback.format_exc())
    report = errors.getvalue()
    if report or app.return_code:
        return report_crash(report or f"The dashboard exited with return code {app.return_code}.\n")
    return 0
