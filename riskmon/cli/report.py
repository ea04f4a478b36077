"""`riskmon report --format md|csv|json [--output FILE]`: the weekly review, to read or forward."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from riskmon.errors import RiskmonError


def run(args: argparse.Namespace) -> int:
    from riskmon.cli.main import parse_now
    from riskmon.cli.playbook import build_plan, load_progress
    from riskmon.present.report import render
    from riskmon.usecases.evaluate import evaluate

    now = parse_now(args.now)
    ev = evaluate(args.config, now, offline=getattr(args, "offline", False), budget=20.0, replay=bool(args.now))
    p = build_plan(ev, load_progress(getattr(args, "db", None)))
    text = render(getattr(args, "format", "md"), ev.assessment, p, feeds=ev.feeds, demo=ev.config.location.is_demo)
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
        raise RiskmonError(f"cannot write the report to {path}: {exc.strerror or type(exc).__name__}") from None
    print(f"report written to {path}", file=sys.stderr)
    return 0
