"""`riskmon` (no command) / `riskmon tui`: the live dashboard.

Textual is imported here, inside run(), and in riskmon/tui/ only: `riskmon check` never loads it.
"""

from __future__ import annotations

import argparse
import threading


def _prewarm() -> None:
    """Import the model (pydantic), engine and config readers while Textual starts up, so the
    first refresh does not pay for them after the frame is drawn."""
    try:
        import riskmon.config
        import riskmon.pipeline
        import riskmon.playbooks  # noqa: F401
    except Exception:  # the refresh reports any real problem
        pass


def run(args: argparse.Namespace) -> int:
    from riskmon.cli import parse_now

    now = parse_now(args.now) if getattr(args, "now", None) else None
    threading.Thread(target=_prewarm, name="riskmon-prewarm", daemon=True).start()
    from riskmon.tui.app import create_app

    app = create_app(getattr(args, "config", None), getattr(args, "db", None), now)
    result = app.run()
    return int(result or 0)
