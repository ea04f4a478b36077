"""Command-line entry point: argument parsing and dispatch, nothing else.

Every command lives in its own module of `riskmon/cli/` and is imported only when chosen, so `riskmon check`
never pays for the TUI's imports. One error handler turns riskmon's own failures into a one-line
message and exit code 3 (UNKNOWN) — a one-line JSON document for `check --format json` — and
tracebacks are shown only with RISKMON_DEBUG=1.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from riskmon import __version__
from riskmon.cli.check_ranges import add_range_options
from riskmon.cli.reference import CHECK_EPILOG, HELP_EPILOG
from riskmon.errors import ExitCode, Problem, RiskmonError


class UsageError(RiskmonError):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on bad arguments; 2 means CRITICAL to a monitoring system, so raise instead.

    It also keeps what it was given, `options` and `subcommands`, so that shell completion and
    the man page (riskmon.cli.completion, riskmon.cli.man) are generated from the parser itself
    without reading argparse's private attributes."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"bad arguments: {message}", self.format_usage())

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action = super().add_argument(*args, **kwargs)
        # argparse's __init__ adds -h before our attributes exist: hence setdefault.
        self.__dict__.setdefault("options", []).append(action)
        return action

    def add_subparsers(self, **kwargs: Any) -> Any:
        action = super().add_subparsers(**kwargs)
        self.subcommands = action
        return action


MAX_TIMEOUT = 86400.0
"""-t is at most a day: a check is run by cron or a monitoring system every few minutes."""


def parse_now(text: str | None, option: str = "--now") -> datetime:
    """--now (or another date `option`): an ISO date or date-time within the supported dates; no
    offset means UTC. Absent: the wall clock."""
    if text is None:
        return datetime.now(UTC)
    from riskmon.sources.config.schema import in_date_range, to_utc

    try:
        value = to_utc(text)
        if not isinstance(value, datetime):
            raise ValueError(f"not a date or date-time: {text!r}")
        return in_date_range(value)
    except ValueError as exc:
        raise UsageError(f"bad arguments: {option}: {exc}") from None


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, not {text!r}")
    return value


def seconds(text: str) -> float:
    """-t: more than 0 and at most MAX_TIMEOUT seconds (the alarm timer takes nothing else)."""
    value = _number(text)
    if not 0 < value <= MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most {MAX_TIMEOUT:g} seconds, not {text!r}")
    return value


def _common(p: argparse.ArgumentParser, *, top: bool) -> None:
    d = None if top else argparse.SUPPRESS
    p.add_argument("--config", metavar="DIR", default=d, help="config directory (default: see `riskmon config path`)")
    p.add_argument("--db", metavar="PATH", default=d, help="history file (default: $RISKMON_DB or the user data dir)")
    p.add_argument("--now", metavar="ISO", default=d, help="assess as of this instant (replay, tests); default: now")


def _nested(sub: Any, name: str, help_: str) -> argparse.ArgumentParser:
    """A subcommand of a subcommand (`config init`), its help also its description (--help, man)."""
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_, description=help_)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="riskmon",
        description="Platform risk monitor for multi-platform sellers. Without a command, opens the dashboard.",
        epilog=HELP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-V", "--version", action="version", version=f"riskmon {__version__}")
    _common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_, formatter_class=argparse.RawDescriptionHelpFormatter)
        _common(p, top=False)
        return p

    add("tui", "open the live dashboard (the default)")

    check = add("check", "one assessment with Nagios-style exit codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)")
    check.epilog = CHECK_EPILOG + HELP_EPILOG
    check.add_argument("-V", "--version", action="version", version=f"riskmon {__version__}")
    check.add_argument("--format", "-f", choices=("text", "json", "nagios", "prometheus"), default="text")
    add_range_options(check)
    check.add_argument(
        "-t",
        "--timeout",
        type=seconds,
        default=30.0,
        metavar="SECONDS",
        help="give up after (default 30, at most 86400)",
    )
    check.add_argument("-v", "--verbose", action="count", default=0, help="more detail; repeat up to -vvv")
    check.add_argument("--no-history", action="store_true", help="do not record this check in history")
    check.add_argument("--offline", action="store_true", help="do not poll feeds; use their cached copies")

    daemon = add("daemon", "the live loop without a screen: poll feeds, record history, alert, write the textfile")
    daemon.add_argument("--once", action="store_true", help="run every job once and exit with check's exit code")
    daemon.add_argument("--offline", action="store_true", help="do not poll feeds; use their cached copies")
    daemon.add_argument(
        "--log-level", choices=("debug", "info", "warning", "error"), default="info", help="stderr log level"
    )

    events = add("events", "list policy events, or show one")
    ev_sub = events.add_subparsers(dest="events_command", metavar="ACTION", parser_class=_Parser)
    ev_list = _nested(ev_sub, "list", "events sorted by urgency")
    ev_show = _nested(ev_sub, "show", "one event with its loss breakdown")
    ev_show.add_argument("event_id", metavar="ID")
    for nested in (ev_list, ev_show):
        _common(nested, top=False)
    for ep in (events, ev_list, ev_show):
        ep.add_argument("--format", "-f", choices=("table", "json"), default=argparse.SUPPRESS)
        ep.add_argument("--all", action="store_true", default=argparse.SUPPRESS, help="include expired events")
        ep.add_argument("--offline", action="store_true", default=argparse.SUPPRESS, help="do not poll feeds")

    config = add("config", "where the config is, validate it, write a starter set, edit it")
    cfg_sub = config.add_subparsers(dest="config_command", metavar="ACTION", parser_class=_Parser, required=True)
    _nested(cfg_sub, "path", "which config directory and files are in use, and why")
    _nested(cfg_sub, "validate", "check every config file; exit 0 valid, 1 invalid")
    init = _nested(cfg_sub, "init", "write a commented starter set (refuses to overwrite)")
    init.add_argument("target", nargs="?", metavar="DIR")
    init.add_argument("--force", action="store_true", help="overwrite existing files")
    schema = _nested(cfg_sub, "schema", "write JSON Schemas of the four files, for editors (taplo)")
    schema.add_argument("--output", "-o", metavar="DIR", help="where (default: schemas/ in the config directory)")
    edit = _nested(cfg_sub, "edit", "edit a config file in $VISUAL/$EDITOR; saved only if it validates")
    edit.add_argument(
        "file",
        nargs="?",
        default="exposure",
        metavar="FILE",
        help="exposure (default), events, playbooks, riskmon, or a file name like events.toml",
    )
    for cp in cfg_sub.choices.values():
        _common(cp, top=False)

    history = add("history", "score and level over time, or the event change log")
    hist_sub = history.add_subparsers(dest="history_command", metavar="ACTION", parser_class=_Parser)
    hist_changes = _nested(hist_sub, "changes", "every change of an event's status, probability or dates")
    _common(hist_changes, top=False)
    for hp in (history, hist_changes):
        hp.add_argument("--since", metavar="7d|ISO", default=argparse.SUPPRESS, help="from (30m, 12h, 7d, 2w, a date)")
    history.add_argument("--format", "-f", choices=("table", "json", "plot"), default="table")
    hist_changes.add_argument("--format", "-f", choices=("table", "json"), default=argparse.SUPPRESS)

    playbook = add("playbook", "what to do, by when: the checklist for one event or all; mark steps done")
    playbook.add_argument(
        "target",
        nargs="*",
        metavar="EVENT_ID",
        help="an event id or standing rule (default: all); or: done EVENT STEP | undo EVENT STEP",
    )
    playbook.add_argument("--format", "-f", choices=("text", "json"), default="text")
    playbook.add_argument("--open", action="store_true", help="hide steps already done")
    playbook.add_argument("--offline", action="store_true", help="do not poll feeds; use their cached copies")

    report = add("report", "a weekly review to forward: level, exposure, events, the checklist with due dates")
    report.add_argument("--format", "-f", choices=("md", "csv", "json"), default="md")
    report.add_argument("--output", "-o", metavar="FILE", help="write to FILE (atomically) instead of stdout")
    report.add_argument("--offline", action="store_true", help="do not poll feeds; use their cached copies")

    news = add("news", "draft events from trade-press articles: add one, review the queue, accept or reject")
    news_sub = news.add_subparsers(dest="news_command", metavar="ACTION", parser_class=_Parser)
    news_add = news_sub.add_parser("add", help="read an article (FILE, - for stdin, or a URL) and queue its drafts")
    news_add.add_argument("source", metavar="FILE|-|URL")
    news_add.add_argument("--published", metavar="DATE", help="the article's date (default: the page's, else now)")
    news_add.add_argument("--lang", choices=("zh", "en"), help="the article's language (default: detected)")
    news_list = news_sub.add_parser("list", help="the drafts waiting for review (the default)")
    news_accept = news_sub.add_parser("accept", help="write a draft into events.toml (validated first)")
    news_accept.add_argument("draft_id", metavar="ID")
    news_accept.add_argument("--edit", action="store_true", help="edit the draft in $VISUAL/$EDITOR first")
    news_sub.add_parser("reject", help="reject a draft (remembered)").add_argument("draft_id", metavar="ID")
    for action in news_sub.choices.values():
        _common(action, top=False)
    for with_format in (news, news_add, news_list):
        with_format.add_argument("--format", "-f", choices=("text", "json"), default=argparse.SUPPRESS)
    for listing in (news, news_list):
        listing.add_argument("--all", action="store_true", default=argparse.SUPPRESS, help="also accepted and rejected")

    whatif = add("what-if", "try a scenario (change numbers, or --stress): baseline and scenario side by side")
    whatif.add_argument(
        "--set",
        "-s",
        action="append",
        default=[],
        metavar="ID.FIELD=VALUE",
        help="e.g. us-ban.probability=0.9, us-ban.status=confirmed, tiktok-us.order_share=0.2, "
        "business.cash_on_hand=80000 (repeatable)",
    )
    whatif.add_argument("--stress", action="store_true", help="every event happens now with probability 1")
    whatif.add_argument("--scenario", metavar="NAME", help="start from the saved scenario scenarios/NAME.toml")
    whatif.add_argument("--save", metavar="NAME", help="save the scenario as scenarios/NAME.toml in the config dir")
    whatif.add_argument("--apply", metavar="NAME", help="write a saved scenario into the config files (with --yes)")
    whatif.add_argument("--yes", "-y", action="store_true", help="with --apply: really write the files")
    whatif.add_argument("--list", action="store_true", help="list the saved scenarios")
    whatif.add_argument("--format", "-f", choices=("text", "json"), default="text")
    whatif.add_argument("--offline", action="store_true", help="do not poll feeds; use their cached copies")
    completion = add("completion", "print a shell completion script (bash, zsh or fish) to install")
    completion.add_argument("shell", choices=("bash", "zsh", "fish"), help="the shell")
    add("man", "print the manual page (roff): riskmon man > riskmon.1 && man -l riskmon.1")
    return parser


Handler = Callable[[argparse.Namespace], int]


def _handler(args: argparse.Namespace) -> Handler:
    command = args.command or "tui"
    if command == "check":
        from riskmon.cli.check import run as run_check

        return run_check
    if command == "daemon":
        from riskmon.cli.daemon import run as run_daemon

        return run_daemon
    if command == "history":
        from riskmon.cli.history import run as run_history

        return run_history
    if command == "events":
        from riskmon.cli.events import run as run_events

        return run_events
    if command == "config":
        from riskmon.cli.config import run as run_config

        return run_config
    if command == "playbook":
        from riskmon.cli.playbook import run as run_playbook

        return run_playbook
    if command == "report":
        from riskmon.cli.report import run as run_report

        return run_report
    if command == "completion":
        from riskmon.cli.completion import run as run_completion

        return run_completion
    if command == "man":
        from riskmon.cli.man import run as run_man

        return run_man
    if command == "what-if":
        from riskmon.cli.whatif import run as run_whatif

        return run_whatif
    if command == "news":
        from riskmon.cli.news import run as run_news

        return run_news
    from riskmon.cli.tui import run as run_tui

    return run_tui


def _no_empty_paths(args: argparse.Namespace) -> None:
    """`--config ""` (an empty Nagios macro, an unset shell variable) is a mistake, not "use the
    default": the default may be the bundled demo, a fictional seller with a plausible answer."""
    for name in ("config", "db", "now"):
        value = getattr(args, name, None)
        if value is not None and not str(value).strip():
            raise UsageError(f"bad arguments: --{name} is empty; give a value or leave the option out")


def asked_format(argv: Sequence[str]) -> str | None:
    """The value of the last --format/-f in `argv`, read without argparse: for reporting a failure
    of argument parsing itself in the format that was asked for."""
    found = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        name, eq, value = arg.partition("=")
        if arg.startswith("--") and len(name) >= 4 and "--format".startswith(name):
            found = value if eq else (argv[i + 1] if i + 1 < len(argv) else None)
        elif arg == "-f":
            found = argv[i + 1] if i + 1 < len(argv) else None
        elif arg.startswith("-f") and not arg.startswith("--"):
            found = arg[2:].removeprefix("=")
    return found


def _fail(
    command: str | None, message: str, details: str, *, as_json: bool = False, problems: Sequence[Problem] = ()
) -> int:
    """`check`: one line on stdout (what a monitoring system shows) — a JSON document with
    `--format json` — others: stderr. Details: stderr."""
    from riskmon.textsafe import clean

    line = clean(message.splitlines()[0]) if message.strip() else "unknown error"
    if command == "check" and as_json:
        import json

        doc = {
            "level": "UNKNOWN",
            "exit_code": int(ExitCode.UNKNOWN),
            "error": line,
            "problems": [
                {"file": p.file, "line": p.line, "field": p.field, "message": clean(p.message)} for p in problems
            ],
        }
        print(json.dumps(doc, ensure_ascii=False, allow_nan=False), flush=True)
    elif command == "check":
        print(f"RISKMON UNKNOWN - {line}", flush=True)
    else:
        print(f"riskmon: {line}", file=sys.stderr, flush=True)
    if details:
        print(details.rstrip(), file=sys.stderr)
    return int(ExitCode.UNKNOWN)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command: str | None = "check" if "check" in argv else None
    fmt = asked_format(argv)
    try:
        args = build_parser().parse_args(argv)
        command, fmt = args.command, getattr(args, "format", None)
        _no_empty_paths(args)
        return _handler(args)(args)
    except RiskmonError as exc:
        problems = getattr(exc, "problems", None) or ()
        return _fail(command, exc.message, exc.details, as_json=fmt == "json", problems=problems)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `riskmon check | head -1`: the reader left; that is not our failure.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # the one place that catches everything: no traceback for users
        if os.environ.get("RISKMON_DEBUG"):
            raise
        return _fail(
            command,
            f"internal error: {type(exc).__name__}: {exc}",
            "set RISKMON_DEBUG=1 to see the traceback",
            as_json=fmt == "json",
        )
