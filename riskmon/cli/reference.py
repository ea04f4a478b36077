"""Reference tables shared by `--help`, the man page (riskmon.cli.man) and the README: exit codes,
environment variables and the Nagios range syntax. One place, so they cannot disagree."""

from __future__ import annotations

from collections.abc import Sequence

EXIT_CODES: tuple[tuple[str, str], ...] = (
    ("0", "OK (check, daemon --once); done or valid (other commands)"),
    ("1", "WARNING; invalid or refused (config validate, config edit, what-if --apply ...)"),
    ("2", "CRITICAL"),
    ("3", "UNKNOWN: riskmon itself failed (bad arguments, invalid config, unreadable files, timeout)"),
    ("70", "the dashboard crashed (the report is in the user data dir)"),
)

ENVIRONMENT: tuple[tuple[str, str], ...] = (
    ("RISKMON_CONFIG", "config directory when --config is not given"),
    ("RISKMON_DATA", "data directory: history, feed cache, news queue (default: the user data dir)"),
    ("RISKMON_DB", "history file when --db is not given"),
    ("RISKMON_DEBUG", "1: show tracebacks of internal errors"),
    ("NO_COLOR", "set: no colour in text output"),
    ("VISUAL, EDITOR", "the editor of `config edit`"),
    ("JOURNAL_STREAM", "set by systemd: daemon log lines carry journald priorities, no timestamps"),
    ("NOTIFY_SOCKET", "set by systemd (Type=notify): the daemon reports READY, STATUS, STOPPING"),
    ("WATCHDOG_USEC", "set by systemd (WatchdogSec=): the daemon pings the watchdog at half of it"),
)

RANGES: tuple[tuple[str, str], ...] = (
    ("10", "alert when the value is below 0 or above 10 (a plain N means 0:N)"),
    ("10:", "alert when below 10"),
    ("~:10", "alert when above 10"),
    ("10:20", "alert when below 10 or above 20"),
    ("@10:20", "alert when from 10 to 20, both included"),
)
RANGES_TITLE = "ranges (-w, -c, --runway-*, --shortfall-*), as in the Monitoring Plugins guidelines"
RANGES_NOTE = (
    "-w 40 warns ABOVE 40, where riskmon.toml's warn = 40 warns AT 40 or above (that is -w @40:).",
    "A range starting with a minus sign needs =: --runway-warning=-1:8.",
)


def section(title: str, rows: Sequence[tuple[str, str]], notes: Sequence[str] = ()) -> str:
    """One block of a --help epilog: a title line, the rows aligned, then the notes."""
    width = max(len(key) for key, _ in rows)
    lines = [f"{title}:", *(f"  {key:<{width}}  {text}" for key, text in rows), *(f"  {n}" for n in notes)]
    return "\n".join(lines) + "\n"


HELP_EPILOG = section("exit codes", EXIT_CODES) + "\n" + section("environment", ENVIRONMENT)
CHECK_EPILOG = section(RANGES_TITLE, RANGES, RANGES_NOTE) + "\n"
