"""Reference tables shared by `--help`, the man page (riskmon.cli.man) and the README: exit codes,
environment variables and the Nagios range syntax. One place, so they cannot disagree.

The texts are marked with N_(): the man page shows them as they are (in English, as the man page
always is), `--help` in the active language (`section`)."""

from __future__ import annotations

from collections.abc import Sequence

from riskmon.i18n import N_, _

EXIT_CODES: tuple[tuple[str, str], ...] = (
    ("0", N_("OK (check, daemon --once); done or valid (other commands)")),
    ("1", N_("WARNING; invalid or refused (config validate, config edit, what-if --apply ...)")),
    ("2", "CRITICAL"),  # a Nagios level: the same in every language
    ("3", N_("UNKNOWN: riskmon itself failed (bad arguments, invalid config, unreadable files, timeout)")),
    ("70", N_("the dashboard crashed (the report is in the user data dir)")),
)

ENVIRONMENT: tuple[tuple[str, str], ...] = (
    ("RISKMON_CONFIG", N_("config directory when --config is not given")),
    ("RISKMON_DATA", N_("data directory: history, feed cache, news queue (default: the user data dir)")),
    ("RISKMON_DB", N_("history file when --db is not given")),
    ("RISKMON_DEBUG", N_("1: show tracebacks of internal errors")),
    ("NO_COLOR", N_("set: no colour in text output")),
    ("VISUAL, EDITOR", N_("the editor of `config edit`")),
    ("JOURNAL_STREAM", N_("set by systemd: daemon log lines carry journald priorities, no timestamps")),
    ("NOTIFY_SOCKET", N_("set by systemd (Type=notify): the daemon reports READY, STATUS, STOPPING")),
    ("WATCHDOG_USEC", N_("set by systemd (WatchdogSec=): the daemon pings the watchdog at half of it")),
)

RANGES: tuple[tuple[str, str], ...] = (
    ("10", N_("alert when the value is below 0 or above 10 (a plain N means 0:N)")),
    ("10:", N_("alert when below 10")),
    ("~:10", N_("alert when above 10")),
    ("10:20", N_("alert when below 10 or above 20")),
    ("@10:20", N_("alert when from 10 to 20, both included")),
)
RANGES_TITLE = N_("ranges (-w, -c, --runway-*, --shortfall-*), as in the Monitoring Plugins guidelines")
RANGES_NOTE = (
    N_("-w 40 warns ABOVE 40, where riskmon.toml's warn = 40 warns AT 40 or above (that is -w @40:)."),
    N_("A range starting with a minus sign needs =: --runway-warning=-1:8."),
)


def section(title: str, rows: Sequence[tuple[str, str]], notes: Sequence[str] = ()) -> str:
    """One block of a --help epilog, in the active language: a title line, the rows aligned (their
    keys are codes and names, shown as they are), then the notes."""
    width = max(len(key) for key, _text in rows)
    lines = _lines(_("{title}:").format(title=_(title)), 0)
    for key, text in rows:
        first, *more = _lines(_(text), 4 + width)
        lines += [f"  {key:<{width}}  {first}", *(" " * (4 + width) + line for line in more)]
    lines += [f"  {line}" for note in notes for line in _lines(_(note), 2)]
    return "\n".join(lines) + "\n"


def _lines(text: str, indent: int) -> list[str]:
    """One line in English, as ever; in Chinese, wrapped by cells to what the terminal leaves."""
    from riskmon.i18n import is_english

    if is_english():
        return [text]
    from riskmon.cli.args import terminal_columns
    from riskmon.cli.argwords import wrap_cells

    return wrap_cells(text, terminal_columns() - 2 - indent) or [""]


EXIT_CODES_TITLE = N_("exit codes")
ENVIRONMENT_TITLE = N_("environment")


def help_epilog() -> str:
    """Every command's --help ends with the exit codes and the environment variables."""
    return section(EXIT_CODES_TITLE, EXIT_CODES) + "\n" + section(ENVIRONMENT_TITLE, ENVIRONMENT)


def check_epilog() -> str:
    """`check --help`: the range syntax first."""
    return section(RANGES_TITLE, RANGES, RANGES_NOTE) + "\n" + help_epilog()
