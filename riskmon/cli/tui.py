"""`riskmon` (no command) / `riskmon tui`: the live dashboard.

Textual is imported here, inside run(), and in riskmon/tui/ only: `riskmon check` never loads it.
"""

from __future__ import annotations

import argparse
from datetime import datetime

from riskmon.cli import collector


def configure(p: argparse.ArgumentParser) -> None:
    """No options of its own: --config, --db and --now."""


def run(args: argparse.Namespace) -> int:
    from riskmon.tui.source import HeadStart  # no Textual

    now = getattr(args, "now", None)
    if getattr(args, "fleet", None):
        return _fleet(args.fleet, now)
    config_dir = getattr(args, "config", None)
    # The first screenful (pydantic, the engine, config, the first assessment) in a thread while
    # Textual is imported and starts: it is usually ready for the first frame.
    head_start = HeadStart(config_dir, now)
    from riskmon.tui.app import create_app
    from riskmon.tui.crash import run_dashboard

    app = create_app(config_dir, getattr(args, "db", None), now, head_start)
    collector.freeze()  # Textual and riskmon are imported: their objects need no more scans
    app.first_drawn.append(collector.restore)  # the usual collector once the first frame is out
    # 0 when quit; after a crash the terminal is restored, the traceback logged, one line printed.
    return run_dashboard(app)


def _fleet(fleet_dir: str, now: datetime | None) -> int:
    """`riskmon --fleet DIR`: the fleet overview; history in the fleet's data dir (as `fleet daemon`)."""
    from pathlib import Path

    from riskmon.tui.crash import run_dashboard
    from riskmon.tui.screens.fleet import create_fleet_app
    from riskmon.usecases.fleet import data_dir

    path = Path(fleet_dir).expanduser()
    collector.settled()
    return run_dashboard(create_fleet_app(path, data_dir(path), now))
