"""Command-line entry point: parse (riskmon.cli.parser) and dispatch, nothing else.

Every command lives in its own module of `riskmon/cli/` and is imported only when chosen, so `riskmon check`
never pays for the TUI's imports. One error handler turns riskmon's own failures into a one-line
message and exit code 3 (UNKNOWN) — a one-line JSON document for `check --format json` — and
tracebacks are shown only with RISKMON_DEBUG=1. A reader that leaves early (`riskmon report | head`)
ends any command quietly (riskmon.cli.pipe): exit 141, or `check`'s level.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from riskmon.cli import collector
from riskmon.cli.args import UsageError, bad_arguments
from riskmon.cli.parser import DEFAULT_COMMAND, build_parser, command_module, parse_args
from riskmon.cli.pipe import READER_LEFT, answer, silence
from riskmon.errors import ExitCode, Problem, RiskmonError
from riskmon.i18n import _

__all__ = ["build_parser", "main"]

Handler = Callable[[argparse.Namespace], int]


def _no_empty_paths(args: argparse.Namespace) -> None:
    """`--config ""` (an empty Nagios macro, an unset shell variable) is a mistake, not "use the
    default": the default may be the bundled demo, a fictional seller with a plausible answer."""
    for name in ("config", "db", "fleet"):
        value = getattr(args, name, None)
        if value is not None and not str(value).strip():
            raise UsageError(
                bad_arguments(_("{option} is empty; give a value or leave the option out").format(option=f"--{name}"))
            )


MACHINE_FORMATS = ("nagios", "prometheus")
"""Read by monitoring systems: always English, whatever the language (README, "Language")."""


def asked_option(argv: Sequence[str], long: str, short: str | None = None) -> str | None:
    """The value of the last `long`/`short` option in `argv`, read without argparse: for
    reporting a failure of argument parsing itself in the format and language that were asked
    for."""
    found = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        name, eq, value = arg.partition("=")
        if arg.startswith("--") and len(name) >= 4 and long.startswith(name):
            found = value if eq else (argv[i + 1] if i + 1 < len(argv) else None)
        elif short is not None and arg == short:
            found = argv[i + 1] if i + 1 < len(argv) else None
        elif short is not None and arg.startswith(short) and not arg.startswith("--"):
            found = arg[len(short) :].removeprefix("=")
    return found


def asked_format(argv: Sequence[str]) -> str | None:
    return asked_option(argv, "--format", "-f")


def _speak(lang: str | None, fmt: str | None) -> None:
    """Choose the language: --lang, else the locale variables (riskmon.toml's `[ui] language`
    comes in when a command has read its config); English for the machine formats."""
    from riskmon import i18n

    if lang is not None and i18n.normalize(lang) is None:
        lang = None  # `--lang klingon`: its usage error is told in the environment's language
    i18n.setup(i18n.ENGLISH if fmt in MACHINE_FORMATS else lang)


def _fail(
    command: str | None, message: str, details: str, *, as_json: bool = False, problems: Sequence[Problem] = ()
) -> int:
    """`check`: one line on stdout (what a monitoring system shows) — a JSON document with
    `--format json` — others: stderr. Details: stderr."""
    from riskmon.textsafe import clean

    line = clean(message.splitlines()[0]) if message.strip() else _("unknown error")
    if command == "check" and as_json:
        import json

        doc = {
            "schema": 1,
            "level": "UNKNOWN",
            "exit_code": int(ExitCode.UNKNOWN),
            "error": line,
            "problems": [
                {"file": p.file, "line": p.line, "field": p.field, "message": clean(p.message)} for p in problems
            ],
        }
        answer(json.dumps(doc, ensure_ascii=False, allow_nan=False))
    elif command == "check":
        answer(f"RISKMON UNKNOWN - {line}")
    else:
        print(f"riskmon: {line}", file=sys.stderr, flush=True)
    if details:
        print(details.rstrip(), file=sys.stderr)
    return int(ExitCode.UNKNOWN)


def main(argv: Sequence[str] | None = None) -> int:
    collector.quiet_start()
    try:
        try:
            return _main(list(sys.argv[1:] if argv is None else argv))
        finally:
            collector.restore()
            # Output still buffered (a short listing, --help) meets a closed pipe here, where it is
            # caught, rather than in the interpreter's final flush, which would print a traceback.
            sys.stdout.flush()
    except BrokenPipeError:
        # The reader left (`riskmon report | head`): its choice, not our failure. stderr too: with
        # `2>&1 | head` it is the same pipe.
        silence(sys.stdout, sys.stderr)
        return READER_LEFT


def _main(argv: list[str]) -> int:
    command: str | None = "check" if "check" in argv else None
    fmt = asked_format(argv)
    _speak(asked_option(argv, "--lang"), fmt)  # before parsing: --help and usage errors speak it too
    try:
        args = parse_args(argv)
        command, fmt = args.command, getattr(args, "format", None)
        _speak(getattr(args, "ui_lang", None), fmt)
        _no_empty_paths(args)
        handler: Handler = command_module(args.command or DEFAULT_COMMAND).run
        return handler(args)
    except RiskmonError as exc:
        problems = getattr(exc, "problems", None) or ()
        return _fail(command, exc.message, exc.details, as_json=fmt == "json", problems=problems)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        raise  # main's: not an internal error
    except Exception as exc:  # the one place that catches everything: no traceback for users
        if os.environ.get("RISKMON_DEBUG"):
            raise
        return _fail(
            command,
            _("internal error: {error}").format(error=f"{type(exc).__name__}: {exc}"),
            _("set {variable} to see the traceback").format(variable="RISKMON_DEBUG=1"),
            as_json=fmt == "json",
        )
