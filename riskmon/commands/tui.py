"""`riskmon` (no command) / `riskmon tui`: the live dashboard.

Textual is imported here, inside run(), and in riskmon/tui/ only: `riskmon check` never loads it.
"""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from riskmon.cli import parse_now

    now = parse_now(args.now) if getattr(args, "now", None) else None
    from riskmon.tui.app import create_app

    app = create_app(getattr(args, "config", None), getattr(args, "db", None), now)
    result = app.run()
    return int(result or 0)
