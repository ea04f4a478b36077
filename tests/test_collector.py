"""The garbage collector while a command starts (riskmon.cli.collector): fewer passes during a
check, a frozen start-up before the dashboard's first frame, and the caller's collector back
after main() returns."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from riskmon.cli.main import main

CHECK = ["check", "--offline", "--no-history", "--now", "2026-11-21T12:00:00Z", "-f", "json"]


def run_python(code: str, tmp_path: Path, lines: int = 1) -> list[str]:
    env = {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": f"{tmp_path}/cache", "RISKMON_DATA": f"{tmp_path}/data"}
    r = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, timeout=120
    )
    assert r.returncode == 0, r.stderr
    return r.stdout.strip().splitlines()[-lines:]


@pytest.mark.usefixtures("isolated_env")
def test_main_gives_the_callers_thresholds_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    before = gc.get_threshold()
    assert main(CHECK) == 0
    assert gc.get_threshold() == before
    assert main(["check", "--no-such-option"]) == 3, "a usage error: restored all the same"
    assert gc.get_threshold() == before


def test_a_check_runs_few_young_collections(tmp_path: Path) -> None:
    """Python's default (a young collection every 700 allocations) made ~25 passes over objects
    that live until exit; a check now makes at most a couple, cache hit or miss."""
    code = f"""
        import gc, sys
        passes = []
        gc.callbacks.append(lambda phase, info: phase == "start" and passes.append(info["generation"]))
        from riskmon.cli.main import main
        before = len(passes)  # the interpreter's start and the entry point's imports: not main's
        sys.stdout = open("/dev/null", "w")
        code = main({CHECK!r})
        sys.stdout = sys.__stdout__
        print(code, len(passes) - before)
    """
    miss = run_python(code, tmp_path)[0].split()
    hit = run_python(code, tmp_path)[0].split()
    assert miss[0] == hit[0] == "0"
    assert int(hit[1]) <= 2, f"{hit[1]} collections during a cache-hit check"
    assert int(miss[1]) <= 5, f"{miss[1]} collections during a cache-miss check (pydantic builds its validators)"


def test_the_dashboard_starts_with_a_frozen_start_up(tmp_path: Path) -> None:
    """What Textual and riskmon import is frozen before the app starts (no full collection walks
    it while the dashboard draws); the start-up thresholds hold until the first frame is drawn,
    then the usual ones return."""
    code = """
        import gc
        import riskmon.tui.crash as crash
        from riskmon.cli import collector

        def run(app):
            print(gc.get_freeze_count() > 10_000, gc.get_threshold()[0] == collector.STARTUP_YOUNG)
            for action in app.first_drawn:  # what the app runs once its first frame is drawn
                action()
            print(gc.get_threshold()[0])
            return 0

        crash.run_dashboard = run
        from riskmon.cli.main import main
        main(["--now", "2026-11-21T12:00:00Z"])
    """
    out = run_python(code, tmp_path, lines=2)
    assert out[0] == "True True"
    assert int(out[1]) == gc.get_threshold()[0]


@pytest.mark.usefixtures("isolated_env")
async def test_the_app_runs_first_drawn_once_its_first_frame_is_out() -> None:
    from riskmon.tui.app import create_app
    from tests.support import wait_for
    from tests.tui_support import running

    app = create_app(None, None, None)
    ran: list[bool] = []
    app.first_drawn.append(lambda: ran.append(app.first_paint is not None))
    async with running(app, size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: ran)
    assert ran == [True]
