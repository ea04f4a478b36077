"""The Nagios range options of `check` (-w/-c, --runway-*, --shortfall-*): declared and read here,
without the range code. A check run without one (cron's usual line) never imports it
(riskmon.core.ranges and the messages it carries: ~3 ms of every start); riskmon.cli.check_ranges
applies the ranges when one is given."""

from __future__ import annotations

import argparse

from riskmon.core.hints import TYPE_CHECKING
from riskmon.i18n import N_, _

if TYPE_CHECKING:
    from typing import Any

Flags = tuple[tuple[str, ...], tuple[str, ...]]
"""A measure's warning and critical options' flags; the first is named in reasons, the last gives
the argparse destination."""

OPTIONS: dict[str, tuple[str, Flags]] = {
    "score": (N_("score (0-100)"), (("-w", "--warning"), ("-c", "--critical"))),
    "runway_weeks": (
        N_("runway in weeks (no cash burn: infinite)"),
        (("--runway-warning",), ("--runway-critical",)),
    ),
    "shortfall_probability": (
        N_("probability (0-1) that cash runs short"),
        (("--shortfall-warning",), ("--shortfall-critical",)),
    ),
}
"""Measure name (also the perfdata label) -> what --help says it is (an N_() id), its flags."""


def add_range_options(p: argparse.ArgumentParser) -> None:
    """-w/-c and the runway and shortfall options, with the guidelines' syntax in their help."""
    for what, options in OPTIONS.values():
        for flags, level in zip(options, ("WARNING", "CRITICAL"), strict=True):
            p.add_argument(
                *flags,
                dest=dest(flags),
                type=range_arg,
                metavar=_("RANGE"),
                help=_("{level} when the {what} is outside RANGE (Nagios range syntax, see below)").format(
                    level=level, what=_(what)
                ),
            )


def dest(flags: tuple[str, ...]) -> str:
    return flags[-1].lstrip("-").replace("-", "_")


def range_arg(text: str) -> Any:
    """argparse type for a range option (a riskmon.core.ranges.Range): a bad range is a usage
    error (UNKNOWN)."""
    from riskmon.core.ranges import RangeError, parse_range
    from riskmon.present.ranges import range_said

    try:
        return parse_range(text)
    except RangeError as exc:
        raise argparse.ArgumentTypeError(range_said(exc)) from None


def asked_ranges(args: argparse.Namespace) -> dict[str, tuple[Any, Any]]:
    """Measure name -> the warning and critical ranges given on the command line (None: not
    given); only the measures with one given."""
    asked: dict[str, tuple[Any, Any]] = {}
    for name, (_what, options) in OPTIONS.items():
        warn, crit = (getattr(args, dest(flags), None) for flags in options)
        if warn is not None or crit is not None:
            asked[name] = (warn, crit)
    return asked
