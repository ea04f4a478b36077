"""`riskmon man`: the manual page, in roff, generated from the argparse parser.

    riskmon man > riskmon.1 && man -l riskmon.1
    riskmon man | sudo tee /usr/local/share/man/man1/riskmon.1 >/dev/null

Every command with its options comes from the parser (riskmon.cli.completion.command_tree), the
exit codes, environment and ranges from riskmon.cli.reference, as `--help` shows them.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date
from typing import Any

from riskmon.cli.completion import Command, Option, command_tree
from riskmon.cli.reference import ENVIRONMENT, EXIT_CODES, RANGES, RANGES_NOTE, RANGES_TITLE

SEE_ALSO = "systemd.service(5), systemd-analyze(1), crontab(5); riskmon's README for the config files."


def esc(text: str) -> str:
    """Text for roff: backslashes and hyphens escaped, no line starting a request."""
    out = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + out if out.startswith((".", "'")) else out


def _flags(o: Option) -> str:
    flags = ", ".join(f"\\fB{esc(f)}\\fR" for f in o.flags)
    if not o.takes_value:
        return flags
    value = "|".join(o.choices) if o.choices else o.metavar
    return f"{flags} \\fI{esc(value)}\\fR"


def _tagged(rows: Sequence[tuple[str, str]]) -> list[str]:
    return [line for key, text in rows for line in (".TP", f"\\fB{esc(key)}\\fR", esc(text))]


def _command(c: Command, top: Command) -> list[str]:
    lines = [f'.SS "{esc(c.name)}"'] if c is not top else []
    if c.help and c is not top:
        lines.append(esc(c.help))
    shared = {o.flags for o in top.options}
    for o in c.options:
        if (c is not top and o.flags in shared) or o.flags in (("-h", "--help"),):
            continue  # --config, --db, --now: said once under OPTIONS
        lines += [".TP", _flags(o), esc(o.help or "")]
    for p in c.positionals:
        if p.choices:
            lines += [".TP", f"\\fI{esc('|'.join(p.choices))}\\fR", esc(p.help or "")]
    return lines


def page(parser: Any, today: date | None = None) -> str:
    from riskmon import __version__

    tree = command_tree(parser)
    when = (today or date.today()).isoformat()
    lines = [
        f'.TH RISKMON 1 "{when}" "riskmon {esc(__version__)}" "User Commands"',
        ".SH NAME",
        "riskmon \\- platform risk monitor for multi\\-platform online sellers",
        ".SH SYNOPSIS",
        ".B riskmon",
        "[\\fIOPTIONS\\fR] [\\fICOMMAND\\fR [\\fIARGS\\fR]]",
        ".SH DESCRIPTION",
        esc(tree.help),
        "\\fBriskmon check\\fR is a Nagios/Icinga plugin; \\fBriskmon daemon\\fR runs under systemd.",
        ".SH OPTIONS",
        *_command(tree, tree),
        ".SH COMMANDS",
    ]
    for c in tree.walk():
        if c is not tree:
            lines += _command(c, tree)
    lines += [".SH EXIT STATUS", *_tagged(EXIT_CODES)]
    lines += [".SH ENVIRONMENT", *_tagged(ENVIRONMENT)]
    lines += [".SH RANGES", esc(RANGES_TITLE[0].upper() + RANGES_TITLE[1:]) + ":", *_tagged(RANGES)]
    lines += [".PP", *(esc(note) for note in RANGES_NOTE)]
    lines += [".SH SEE ALSO", esc(SEE_ALSO)]
    return "\n".join(lines) + "\n"


def configure(p: argparse.ArgumentParser) -> None:
    """No options of its own."""


def run(args: argparse.Namespace) -> int:
    from riskmon.cli.parser import build_parser
    from riskmon.i18n import english

    with english():  # the man page is English whatever the language (README, "Language")
        parser = build_parser()
    print(page(parser), end="")
    return 0
