"""`riskmon` (no command) / `riskmon tui`: the live dashboard.

Textual is imported here, inside run(), and in riskmon/tui/ only: `riskmon check` never loads it.
"""

from __future__ import annotations

import argparse


def configure(p: argparse.ArgumentParser) -> None:
    """No options of its own: --config, --db and --now."""


def run(args: argparse.Namespace) -> int:
    from riskmon.tui.source import HeadStart  # no Textual

    now = getattr(args, "now", None)
    config_dir = getattr(args, "config", None)
    # The first screenful (pydantic, the engine, config, the first assessment) in a thread while
    # Textual is imported and starts: it is usually ready for the first frame.
    head_start = HeadStart(config_dir, now)
    from riskmon.tui.app import create_app
    from riskmon.tui.crash import run_dashboard

    app = create_app(config_dir, getattr(args, "db", None), now, head_start)
    # 0 when quit; after a crash the terminal is restored, the traceback logged, one line printed.
    return run_dashboard(app)
