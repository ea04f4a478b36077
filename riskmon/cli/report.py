"""`riskmon report --format md|csv|json [--output FILE]`: the weekly review, to read or forward."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from riskmon.errors import RiskmonError
from riskmon.i18n import _


def configure(p: argparse.ArgumentParser) -> None:
    from riskmon.cli.args import offline
    from riskmon.i18n import _

    p.add_argument("--format", "-f", choices=("md", "csv", "json"), default="md")
    p.add_argument("--output", "-o", metavar=_("FILE"), help=_("write to FILE (atomically) instead of stdout"))
    offline(p)


def run(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from riskmon.present.report import render
    from riskmon.usecases.evaluate import evaluate
    from riskmon.usecases.plan import load_progress

    now = args.now or datetime.now(UTC)
    ev = evaluate(args.config, now, offline=getattr(args, "offline", False), budget=20.0, replay=bool(args.now))
    from riskmon.i18n import follow_config

    follow_config(ev.config.settings.ui.language)
    ev = ev.with_progress(load_progress(getattr(args, "db", None), ev.config.location))
    text = render(
        getattr(args, "format", "md"), ev.assessment, ev.plan, feeds=ev.feeds, demo=ev.config.location.is_demo
    )
    output = getattr(args, "output", None)
    if not output or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return 0
    from riskmon.fileio import atomic_write_bytes

    path = Path(output).expanduser()
    try:
        atomic_write_bytes(path, text.encode("utf-8"))
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise RiskmonError(_("cannot write the report to {path}: {reason}").format(path=path, reason=reason)) from None
    print(_("report written to {path}").format(path=path), file=sys.stderr)
    return 0
