"""The command line's parser: which commands there are, and the parser built from them.

Each command's module defines its own arguments (`configure(parser)`) and runs it (`run(args)`);
it is imported only when its command is chosen, so `riskmon check` never pays for the TUI's or
another command's imports. `build_parser()` builds them all, for `--help`, shell completion and
the man page (riskmon.cli.completion, riskmon.cli.man).
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Iterable, Sequence

from riskmon.cli.args import Parser, RawDescriptionHelpFormatter, common, help_lines, help_option, version_option
from riskmon.core.hints import TYPE_CHECKING
from riskmon.i18n import N_, _

if TYPE_CHECKING:
    from typing import Any

COMMANDS: dict[str, tuple[str, str]] = {
    "tui": ("riskmon.cli.tui", N_("open the live dashboard (the default)")),
    "check": (
        "riskmon.cli.check",
        N_("one assessment with Nagios-style exit codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)"),
    ),
    "daemon": (
        "riskmon.cli.daemon",
        N_("the live loop without a screen: poll feeds, record history, alert, write the textfile"),
    ),
    "events": ("riskmon.cli.events", N_("list policy events, or show one")),
    "config": ("riskmon.cli.config", N_("where the config is, validate it, write a starter set, edit it")),
    "history": ("riskmon.cli.history", N_("score and level over time, or the event change log")),
    "playbook": (
        "riskmon.cli.playbook",
        N_("what to do, by when: the checklist for one event or all; mark steps done"),
    ),
    "report": (
        "riskmon.cli.report",
        N_("a weekly review to forward: level, exposure, events, the checklist with due dates"),
    ),
    "news": (
        "riskmon.cli.news",
        N_("draft events from trade-press articles: add one, review the queue, accept or reject"),
    ),
    "what-if": (
        "riskmon.cli.whatif",
        N_("try a scenario (change numbers, or --stress): baseline and scenario side by side"),
    ),
    "fleet": (
        "riskmon.cli.fleet",
        N_("many sellers in one process: check them all, or keep them live (Prometheus, Alertmanager)"),
    ),
    "completion": ("riskmon.cli.completion", N_("print a shell completion script (bash, zsh or fish) to install")),
    "man": ("riskmon.cli.man", N_("print the manual page (roff): riskmon man > riskmon.1 && man -l riskmon.1")),
}
"""Command -> (the module that defines its arguments, `configure(parser)`, and runs it, `run(args)`;
its one-line help, translated where shown)."""

DEFAULT_COMMAND = "tui"


def command_module(command: str) -> Any:
    return importlib.import_module(COMMANDS[command][0])


def _skeleton(only: Iterable[str] | None = None) -> tuple[Parser, dict[str, Parser]]:
    """The top-level parser with one empty parser per command (its arguments come later), or per
    command of `only`."""
    from riskmon.cli.reference import help_epilog

    parser = Parser(
        prog="riskmon",
        description=help_lines(
            _("Platform risk monitor for multi-platform sellers. Without a command, opens the dashboard.")
        ),
        epilog=help_epilog(),
        formatter_class=RawDescriptionHelpFormatter,
    )
    version_option(parser)
    common(parser, top=True)
    parser.add_argument(
        "--fleet", metavar=_("DIR"), help=_("open the fleet overview of a fleet directory (see `fleet`)")
    )
    parser.add_subparsers(dest="command", metavar=_("COMMAND"), parser_class=Parser)
    return parser, _add_commands(parser, COMMANDS if only is None else only)


def _add_commands(parser: Parser, names: Iterable[str]) -> dict[str, Parser]:
    return {
        name: parser.subcommands.add_parser(
            name,
            help=help_lines(_(COMMANDS[name][1])),
            description=help_lines(_(COMMANDS[name][1])),
            add_help=False,
            formatter_class=RawDescriptionHelpFormatter,
        )
        for name in names
    }


def _configure(command: str, p: argparse.ArgumentParser) -> None:
    help_option(p)
    common(p, top=False)
    command_module(command).configure(p)


def build_parser(commands: Iterable[str] | None = None) -> Parser:
    """The whole parser: every command's arguments (or only those of `commands`)."""
    parser, parsers = _skeleton()
    for name in COMMANDS if commands is None else commands:
        _configure(name, parsers[name])
    return parser


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Find the command first, then parse with only that command's arguments: `check` imports no
    other command's module.

    The usual command line (`riskmon check ...`, `riskmon --config DIR check ...`) names its
    command plainly, and then only that command's parser is built (a cron job's `check` does not
    build thirteen others). Anything else (--help, an abbreviated option, no command) is read by
    argparse itself with every command, so an option's value is never taken for a command."""
    parser = _skeleton(only=())[0]
    command = plain_command(argv, parser)
    parsers = _add_commands(parser, COMMANDS if command is None else [command])
    if command is None:
        command = parser.parse_known_args(argv)[0].command or DEFAULT_COMMAND
    _configure(command, parsers[command])
    return parser.parse_args(argv)


def plain_command(argv: Sequence[str], parser: Parser) -> str | None:
    """The command of `argv` when only options of `parser` that take a value, spelt out in full,
    come before it (`--config DIR`, `--now=ISO`); else None, for argparse to decide."""
    valued = {s for action in parser.options if action.nargs != 0 for s in action.option_strings}
    args = iter(argv)
    for arg in args:
        if arg in valued:
            next(args, None)
        elif not (arg.startswith("--") and arg.partition("=")[0] in valued):
            return arg if arg in COMMANDS else None
    return None
