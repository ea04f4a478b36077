"""Command-line entry point: argument parsing and dispatch, nothing else.

Every command lives in its own module of `riskmon/cli/` and is imported only when chosen, so `riskmon check`
never pays for the TUI's imports. One error handler turns riskmon's own failures into a one-line
message and exit code 3 (UNKNOWN) — a one-line JSON document for `check --format json` — and
tracebacks are shown only with RISKMON_DEBUG=1.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from riskmon import __version__
from riskmon.cli.args import Parser, UsageError, common
from riskmon.errors import ExitCode, Problem, RiskmonError

COMMANDS: dict[str, tuple[str, str]] = {
    "tui": ("riskmon.cli.tui", "open the live dashboard (the default)"),
    "check": (
        "riskmon.cli.check",
        "one assessment with Nagios-style exit codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)",
    ),
    "daemon": (
        "riskmon.cli.daemon",
        "the live loop without a screen: poll feeds, record history, alert, write the textfile",
    ),
    "events": ("riskmon.cli.events", "list policy events, or show one"),
    "config": ("riskmon.cli.config", "where the config is, validate it, write a starter set, edit it"),
    "history": ("riskmon.cli.history", "score and level over time, or the event change log"),
    "playbook": (
        "riskmon.cli.playbook",
        "what to do, by when: the checklist for one event or all; mark steps done",
    ),
    "report": (
        "riskmon.cli.report",
        "a weekly review to forward: level, exposure, events, the checklist with due dates",
    ),
    "news": (
        "riskmon.cli.news",
        "draft events from trade-press articles: add one, review the queue, accept or reject",
    ),
    "what-if": (
        "riskmon.cli.whatif",
        "try a scenario (change numbers, or --stress): baseline and scenario side by side",
    ),
}
"""Command -> (the module that defines its arguments, `configure(parser)`, and runs it, `run(args)`;
its one-line help). A module is imported only when its command is chosen (or for `build_parser()`)."""

DEFAULT_COMMAND = "tui"

Handler = Callable[[argparse.Namespace], int]


def _module(command: str) -> Any:
    return importlib.import_module(COMMANDS[command][0])


def _skeleton() -> tuple[Parser, dict[str, Parser]]:
    """The top-level parser with one empty parser per command (its arguments come later)."""
    parser = Parser(
        prog="riskmon",
        description="Platform risk monitor for multi-platform sellers. Without a command, opens the dashboard.",
    )
    parser.add_argument("--version", action="version", version=f"riskmon {__version__}")
    common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    commands = {name: sub.add_parser(name, help=h, description=h, add_help=False) for name, (_, h) in COMMANDS.items()}
    return parser, commands


def _configure(command: str, p: argparse.ArgumentParser) -> None:
    p.add_argument("-h", "--help", action="help", help="show this help message and exit")
    common(p, top=False)
    _module(command).configure(p)


def build_parser(commands: Iterable[str] | None = None) -> Parser:
    """The whole parser: every command's arguments (or only those of `commands`)."""
    parser, parsers = _skeleton()
    for name in COMMANDS if commands is None else commands:
        _configure(name, parsers[name])
    return parser


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Find the command first (argparse itself, so an option's value is never taken for a command),
    then parse with only that command's arguments: `check` imports no other command's module."""
    parser, parsers = _skeleton()
    first, _ = parser.parse_known_args(argv)
    command = first.command or DEFAULT_COMMAND
    _configure(command, parsers[command])
    return parser.parse_args(argv)


def _no_empty_paths(args: argparse.Namespace) -> None:
    """`--config ""` (an empty Nagios macro, an unset shell variable) is a mistake, not "use the
    default": the default may be the bundled demo, a fictional seller with a plausible answer."""
    for name in ("config", "db"):
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
        args = parse_args(argv)
        command, fmt = args.command, getattr(args, "format", None)
        _no_empty_paths(args)
        handler: Handler = _module(args.command or DEFAULT_COMMAND).run
        return handler(args)
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
