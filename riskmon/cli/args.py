"""What every command's arguments share: the parser that never exits 2, the common options, and
the argparse `type=` functions that turn text into checked values (an instant, seconds).

A bad value is a usage error ("bad arguments: argument --now: ..."), UNKNOWN (3) for `check`, raised while
parsing, so no command module checks its own options or imports back from cli/main.py.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from datetime import datetime

from riskmon.core.hints import TYPE_CHECKING
from riskmon.errors import RiskmonError
from riskmon.i18n import _, is_english

if TYPE_CHECKING:
    from typing import Any

MAX_TIMEOUT = 86400.0
"""-t is at most a day: a check is run by cron or a monitoring system every few minutes."""


class UsageError(RiskmonError):
    pass


def bad_arguments(detail: str) -> str:
    """The frame of every usage error, 'bad arguments: <detail>', in the active language (after
    `RISKMON UNKNOWN - ` for `check`: that status line's own words stay English)."""
    from riskmon.i18n import _

    return _("bad arguments: {detail}").format(detail=detail)


def terminal_columns() -> int:
    """The width help is wrapped to, found as `shutil.get_terminal_size()` finds it ($COLUMNS, else
    stdout's terminal, else 80) without importing shutil, which argparse does for every parser it
    builds and which pulls in bz2 and lzma: a few ms of every `riskmon check`."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    stdout = sys.__stdout__
    try:
        return os.get_terminal_size(stdout.fileno()).columns or 80 if stdout is not None else 80
    except (AttributeError, ValueError, OSError):
        return 80


class HelpFormatter(argparse.HelpFormatter):
    """argparse's, given the width (argparse's own default: the terminal's, less 2)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None):
        super().__init__(prog, indent_increment, max_help_position, terminal_columns() - 2 if width is None else width)


class RawDescriptionHelpFormatter(HelpFormatter, argparse.RawDescriptionHelpFormatter):
    """argparse's RawDescriptionHelpFormatter (descriptions and epilogs as written), given the width."""


WIDE_HELP_POSITION = 6


class WideHelpFormatter(argparse.RawTextHelpFormatter):
    """Help in a language written in wide characters (Chinese), where argparse, which measures
    text in characters, would misplace it: a Chinese character takes two cells.

    Every option's help goes on its own line below the option, at one indent (beside an option
    whose value is named in Chinese, `--config 目录`, it would start a cell or two off its column),
    in the lines `help_lines` wrapped it to, by cells. The usage line is wrapped at three quarters
    of the terminal: its option names are ASCII, a few of its value names Chinese."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None):
        columns = terminal_columns() - 2 if width is None else width
        super().__init__(prog, indent_increment, WIDE_HELP_POSITION, columns * 3 // 4)


def help_lines(text: str) -> str:
    """An option's or a command's help as the active language's formatter wants it: as it is
    (argparse wraps it) in English, wrapped to the terminal by cells in Chinese."""
    if is_english():
        return text
    from riskmon.cli.argwords import wrap_cells

    return "\n".join(wrap_cells(text, terminal_columns() - 2 - WIDE_HELP_POSITION))


def localized(text: str) -> str:
    """argparse's help or usage text with its headings in the active language (riskmon.cli.argwords,
    imported only for a language other than English)."""
    if is_english():
        return text
    from riskmon.cli.argwords import help_text

    return help_text(text)


class Parser(argparse.ArgumentParser):
    """argparse exits 2 on bad arguments; 2 means CRITICAL to a monitoring system, so raise instead.

    It also keeps what it was given, `options` and `subcommands`, so that shell completion and
    the man page (riskmon.cli.completion, riskmon.cli.man) are generated from the parser itself
    without reading argparse's private attributes.

    And it speaks the active language: its own -h line, argparse's headings and error sentences
    (riskmon.cli.argwords), help laid out for wide characters (WideHelpFormatter); all of it only
    when the language is not English, which is argparse's own output unchanged."""

    options: list[argparse.Action]
    """Every argument added, in order (-h first)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if is_english():
            kwargs.setdefault("formatter_class", HelpFormatter)
        else:
            kwargs["formatter_class"] = WideHelpFormatter
        add_help, kwargs["add_help"] = kwargs.get("add_help", True), False
        super().__init__(*args, **kwargs)
        if add_help:
            help_option(self)

    def error(self, message: str) -> None:  # type: ignore[override]
        if not is_english():
            from riskmon.cli.argwords import error_message

            message = error_message(message)
        raise UsageError(bad_arguments(message), self.format_usage())

    def format_usage(self) -> str:
        return localized(super().format_usage())

    def format_help(self) -> str:
        return localized(super().format_help())

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        if isinstance(kwargs.get("help"), str) and kwargs["help"] != argparse.SUPPRESS:
            kwargs["help"] = help_lines(kwargs["help"])
        action = super().add_argument(*args, **kwargs)
        # argparse's __init__ adds -h before our attributes exist: hence setdefault.
        self.__dict__.setdefault("options", []).append(action)
        return action

    def add_subparsers(self, **kwargs: Any) -> Any:
        action = super().add_subparsers(**kwargs)
        self.subcommands = action
        return action


def help_option(p: argparse.ArgumentParser) -> None:
    """-h/--help as argparse adds it, with its line in the active language (argparse's own is in
    gettext's global domain, not riskmon's)."""
    p.add_argument("-h", "--help", action="help", help=_("show this help message and exit"))


def version_option(p: argparse.ArgumentParser) -> None:
    from riskmon import __version__

    p.add_argument(
        "-V",
        "--version",
        action="version",
        version=f"riskmon {__version__}",
        help=_("show program's version number and exit"),
    )


def actions(p: argparse.ArgumentParser, dest: str, *, required: bool = False) -> Any:
    """A command's actions (`config init`, `events show`): their parsers are `nested`."""
    return p.add_subparsers(dest=dest, metavar=_("ACTION"), parser_class=Parser, required=required)


def nested(sub: Any, name: str, help_: str, *, lang: bool = True) -> Parser:
    """An action of a command (`config init`), its help also its description (--help, man) and
    the common options after it (`riskmon config init --config DIR`). `lang=False`: the action
    has a --lang of its own (`news add --lang zh`, the article's language); the text's language
    is then given before the command (`riskmon --lang zh-CN news add ...`)."""
    parser: Parser = sub.add_parser(name, help=help_lines(help_), description=help_lines(help_))
    common(parser, top=False, lang=lang)
    return parser


def common(p: argparse.ArgumentParser, *, top: bool, lang: bool = True) -> None:
    """--config, --db and --now, on the top-level parser and again on every command's (where they
    are left out of the namespace unless given, so `riskmon --now X check` keeps X)."""
    d = None if top else argparse.SUPPRESS
    p.add_argument(
        "--config", metavar=_("DIR"), default=d, help=_("config directory (default: see `riskmon config path`)")
    )
    p.add_argument(
        "--db", metavar=_("PATH"), default=d, help=_("history file (default: $RISKMON_DB or the user data dir)")
    )
    p.add_argument(
        "--now",
        metavar=_("ISO"),
        type=instant,
        default=d,
        help=_("assess as of this instant (replay, tests); default: now"),
    )
    if lang:
        p.add_argument(
            "--lang",
            dest="ui_lang",
            metavar=_("LANG"),
            type=language_tag,
            default=d,
            help=_("language of the text: en or zh-CN (default: [ui] language in riskmon.toml, else LC_ALL/LANG)"),
        )


def language_tag(text: str) -> str:
    """--lang: a language riskmon speaks, in any spelling riskmon.i18n understands (zh_CN.UTF-8,
    zh-CN, zh)."""
    from riskmon.errors import did_you_mean
    from riskmon.i18n import LANGUAGES, normalize

    tag = normalize(text)
    if tag is None:
        hint = did_you_mean(text.strip(), LANGUAGES, " — ")
        message = _("unknown language {text}; riskmon speaks {languages}")
        raise argparse.ArgumentTypeError(message.format(text=repr(text), languages=", ".join(LANGUAGES)) + hint)
    return tag


def instant(text: str) -> datetime:
    """--now, --published: an ISO date or date-time within the supported dates, as aware UTC; no
    offset means UTC. The reasons are the config's sentences, in the reader's language (the core's
    own are English: it never translates)."""
    from riskmon.core.dates import in_date_range, parse_iso, to_utc

    if not text.strip():
        raise argparse.ArgumentTypeError(_("is empty; give a value or leave the option out"))
    parsed = parse_iso(text)
    if parsed is None:
        hint = _("use 2025-01-19 or 2025-01-19T17:00:00+07:00")
        message = _("not a date or date-time: {value} ({hint})").format(value=repr(text), hint=hint)
        raise argparse.ArgumentTypeError(message)
    try:
        value = to_utc(parsed)
    except ValueError:  # before year 1 once moved to UTC
        raise argparse.ArgumentTypeError(_outside_dates(parsed.isoformat())) from None
    try:
        return in_date_range(value)
    except ValueError:
        raise argparse.ArgumentTypeError(_outside_dates(value.date().isoformat())) from None


def _outside_dates(day: str) -> str:
    from riskmon.core.dates import MAX_YEAR, MIN_YEAR

    sentence = _("{date} is outside the supported dates (years {low} to {high})")
    return sentence.format(date=day, low=MIN_YEAR, high=MAX_YEAR)


def number(text: str) -> float:
    """A finite number."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a number: {text}").format(text=repr(text))) from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(_("must be a finite number, not {text}").format(text=repr(text)))
    return value


def seconds(text: str) -> float:
    """-t: more than 0 and at most MAX_TIMEOUT seconds (the alarm timer takes nothing else)."""
    value = number(text)
    if not 0 < value <= MAX_TIMEOUT:
        message = _("must be more than 0 and at most {limit} seconds, not {text}")
        raise argparse.ArgumentTypeError(message.format(limit=f"{MAX_TIMEOUT:g}", text=repr(text)))
    return value


def offline(p: argparse.ArgumentParser, default: object = False) -> None:
    """--offline, as every command that assesses takes it."""
    p.add_argument(
        "--offline", action="store_true", default=default, help=_("do not poll feeds; use their cached copies")
    )
