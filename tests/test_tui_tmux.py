"""The dashboard in a real terminal (tmux): start, read the screen, press keys, quit cleanly."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

HOSTILE = "[@click=app.quit]x[/] [b]bold[/b]"


def _config(root: Path, riskmon: str = "") -> Path:
    from tests.test_tui_app import EVENTS, write_config  # the same critical seller

    return write_config(root, events=EVENTS.replace("Outbound links end", HOSTILE), riskmon=riskmon)


class Term:
    def __init__(self, name: str) -> None:
        self.name = name

    def tmux(self, *args: str) -> list[str]:
        """A tmux command on this terminal's own server: a server of its own is started with the
        test's environment (a shared one would keep its own), and nobody else's tmux can touch it."""
        return ["tmux", "-L", self.name, *args]

    def screen(self) -> str:
        out = subprocess.run(self.tmux("capture-pane", "-p", "-t", self.name), capture_output=True, text=True)
        return out.stdout

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        end = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text in screen:
                return screen
            if time.monotonic() > end:
                raise AssertionError(f"{text!r} not on screen after {timeout} s:\n{screen}")
            time.sleep(0.1)

    def keys(self, *keys: str) -> None:
        for key in keys:  # one at a time: ESC followed quickly by a key would read as alt+key
            subprocess.run(self.tmux("send-keys", "-t", self.name, key), check=True)
            time.sleep(0.3)


@contextmanager
def terminal(tmp_path: Path, riskmon: str = "") -> Iterator[tuple[Term, list[str]]]:
    t = Term(f"riskmon-test-{uuid.uuid4().hex[:8]}")
    cfg = _config(tmp_path, riskmon)
    argv = [
        sys.executable,
        "-m",
        "riskmon",
        "--config",
        str(cfg),
        "--db",
        str(tmp_path / "h.json"),
        "--now",
        "2025-01-10",
    ]
    command = " ".join(f"'{a}'" for a in argv) + "; echo RISKMON-EXIT=$?; sleep 30"
    env = {**os.environ, "RISKMON_DATA": str(tmp_path / "data"), "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    subprocess.run(
        t.tmux("new-session", "-d", "-s", t.name, "-x", "120", "-y", "40", command),
        check=True,
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        yield t, argv
    finally:
        subprocess.run(t.tmux("kill-server"), capture_output=True)


@pytest.fixture
def term(tmp_path: Path) -> Iterator[tuple[Term, list[str]]]:
    with terminal(tmp_path) as t:
        yield t


def test_real_terminal_start_read_navigate_quit(term: tuple[Term, list[str]]) -> None:
    t, _ = term
    screen = t.wait_for("CRITICAL")
    assert re.search(r"score \d+/100", screen) and "CRITICAL" in screen
    assert "us-tiktok-ban" in screen and "in 9 d" in screen
    assert "Harbor Home & Pet" in screen
    # The top event's breakdown.
    t.keys("Enter")
    detail = t.wait_for("Loss breakdown")
    assert "$262,500" in detail  # profit at risk of the US ban for this seller
    assert "inventory loss" in detail
    t.keys("Escape")
    t.wait_for("Exposure per channel")
    # The second event has a hostile title: printed as typed, not a link, not bold markup.
    t.keys("j", "Enter")
    detail = t.wait_for("Loss breakdown")
    assert f"link-cutoff — {HOSTILE}" in detail
    t.keys("Escape", "q")
    end = t.wait_for("RISKMON-EXIT=")
    assert "RISKMON-EXIT=0" in end
    assert "Traceback" not in end


def test_quitting_with_a_hanging_feed_is_instant_and_quiet(tmp_path: Path) -> None:
    """The Monitor polls a feed that never answers: keys work, `q` exits at once with 0, and
    nothing is printed on the terminal afterwards (no traceback of the abandoned poll)."""
    from tests.servers import hang, local_server

    with local_server() as server:
        url = server.route("/events.json", hang)
        feeds = f'[[feeds]]\nname = "slow"\ntype = "http"\nurl = "{url}"\ntimeout = 20\n'
        with terminal(tmp_path, feeds) as (t, _):
            t.wait_for("CRITICAL")
            end = time.monotonic() + 10
            while not server.hits("/events.json") and time.monotonic() < end:
                time.sleep(0.05)
            assert server.hits("/events.json"), "the Monitor never polled the feed"
            screen = t.wait_for("first poll under way")
            assert "slow" in screen
            t.keys("h")
            t.wait_for("Event change log")
            t.keys("Escape")
            t.wait_for("Exposure per channel")
            started = time.monotonic()
            t.keys("q")
            out = t.wait_for("RISKMON-EXIT=", timeout=10)
            assert time.monotonic() - started < 8.0  # not the feed's 20 s timeout (a loose bound)
            assert "RISKMON-EXIT=0" in out
            assert "Traceback" not in out and "CancelledError" not in out and "raised an exception" not in out
