"""The dashboard in a real terminal (tmux): start, read the screen, press keys, quit cleanly."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from riskmon.tui import viewdata
from riskmon.tui.viewdata import Column, Sort

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

    def screen(self, joined: bool = False) -> str:
        """The pane's text; `joined`: a line the terminal wrapped is one line again."""
        flags = ("-p", "-J") if joined else ("-p",)
        out = subprocess.run(self.tmux("capture-pane", *flags, "-t", self.name), capture_output=True, text=True)
        return out.stdout

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        return self.wait_for_all(text, timeout=timeout)

    def wait_for_all(self, *texts: str, timeout: float = 20.0) -> str:
        """The first screen showing every one of `texts` at once (the panes fill in separately)."""
        end = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if all(text in screen for text in texts):
                return screen
            if time.monotonic() > end:
                missing = [text for text in texts if text not in screen]
                raise AssertionError(f"{missing!r} not on screen after {timeout} s:\n{screen}")
            time.sleep(0.1)

    def keys(self, *keys: str) -> None:
        for key in keys:  # one at a time: ESC followed quickly by a key would read as alt+key
            subprocess.run(self.tmux("send-keys", "-t", self.name, key), check=True)
            time.sleep(0.3)

    def click(self, x: int, y: int) -> None:
        """A left click at column x, row y (0-based, as in screen()): the xterm SGR mouse report a
        terminal sends, typed into the pane."""
        for end in ("M", "m"):  # press, release
            report = f"\x1b[<0;{x + 1};{y + 1}{end}"
            subprocess.run(self.tmux("send-keys", "-t", self.name, "-l", report), check=True)
        time.sleep(0.3)

    def line_with(self, *words: str) -> tuple[int, str]:
        """The first line of the screen showing every word, and its row."""
        for y, line in enumerate(self.screen().splitlines()):
            if all(w in line for w in words):
                return y, line
        raise AssertionError(f"no line with {words} on screen:\n{self.screen()}")

    def exited(self) -> str:
        """The screen once the command has ended (its exit status is printed after it)."""
        return self.wait_for("RISKMON-EXIT=", timeout=40)  # a loaded machine: shutting down can be slow


@contextmanager
def terminal(
    tmp_path: Path, riskmon: str = "", size: tuple[int, int] = (120, 40), program: tuple[str, ...] = ("-m", "riskmon")
) -> Iterator[tuple[Term, list[str]]]:
    """The dashboard (or `program`, given riskmon's arguments) in a tmux pane of `size`."""
    t = Term(f"riskmon-test-{uuid.uuid4().hex[:8]}")
    cfg = _config(tmp_path, riskmon)
    argv = [
        sys.executable,
        *program,
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
    env.pop("RISKMON_DEBUG", None)  # a crash prints one line, not the traceback
    subprocess.run(
        t.tmux("new-session", "-d", "-s", t.name, "-x", str(size[0]), "-y", str(size[1]), command),
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


# ---------------------------------------------------------------------------------------------
# Every sort of every table, every screen; a crash


def until(cond: Callable[[], bool], what: str, t: Term, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"{what} not on screen after {timeout} s:\n{t.screen()}")
        time.sleep(0.1)


def shows_sort(line: str, columns: tuple[Column, ...], sort: Sort) -> bool:
    """Whether a header line shows `sort`: the one arrow beside its column's label (none when
    the table keeps its given order, or the column is scrolled out of view)."""
    arrows = line.count("▲") + line.count("▼")
    col = next((c for c in columns if c.key == sort.key), None)
    if col is None or (col.label and col.label not in line):
        return arrows == 0
    arrow = "▼" if sort.reverse else "▲"
    mark = f"{arrow} {col.label}" if col.numeric else f"{col.label} {arrow}" if col.label else f"│ {arrow} "
    return arrows == 1 and mark in line


def walk_sorts(t: Term, words: tuple[str, ...], columns: tuple[Column, ...], sort: Sort) -> Sort:
    """`s` past the last column, then `S`, then a click on every header label in view (twice on
    each), reading the header line after each; the sort the table ends with."""

    def expect(s: Sort) -> None:
        until(lambda: shows_sort(t.line_with(*words)[1], columns, s), f"the sort {s} in {words}", t)

    keys = [c.key for c in columns]
    for _ in range(len(keys) + 2):
        t.keys("s")
        sort = Sort.default_for(viewdata.next_column(columns, sort.key))
        expect(sort)
    t.keys("S")
    sort = sort.toggled(sort.key)
    expect(sort)
    for col in columns:
        y, line = t.line_with(*words)
        if not col.label or col.label not in line:
            continue  # the unlabeled column is walked by `s`; a scrolled-off one cannot be clicked
        for _ in range(2):
            t.click(t.line_with(*words)[1].index(col.label), y)
            sort = sort.toggled(col.key)
            expect(sort)
    return sort


def test_every_sort_of_every_table_and_every_screen_in_a_real_terminal(tmp_path: Path) -> None:
    from riskmon.tui.screens.event_detail import CHANNEL_COLUMNS
    from riskmon.tui.screens.history import LOG_COLUMNS, NEWS_COLUMNS
    from riskmon.tui.screens.whatif import DELTA_COLUMNS
    from riskmon.tui.widgets.events_table import EventsTable, fitting
    from riskmon.tui.widgets.exposure_table import ExposureTable

    given = Sort.default_for(viewdata.AS_GIVEN)
    with terminal(tmp_path, size=(140, 45)) as (t, _):
        t.wait_for("CRITICAL")
        # The timeline (its first, unlabeled column included: the KeyError of issue 10) and exposure.
        # At 140 columns the timeline leaves out the id column (titles first): `s` walks the others.
        shown = tuple(c for c in EventsTable.COLUMNS if c.key in fitting(140 * 2 // 3))
        walk_sorts(t, ("Event", "When", "Status"), shown, Sort.default_for("score"))
        t.click(2, t.line_with("Event", "When", "Status")[0])  # the unlabeled new/changed column
        until(lambda: "│ ▲ " in t.line_with("Event", "When", "Status")[1], "the new column sorted", t)
        t.keys("x")
        walk_sorts(t, ("Channel", "Platform", "Regions"), ExposureTable.COLUMNS, Sort.default_for("risk"))
        # An event's details: the channels it hits sort; the breakdown keeps its order.
        t.keys("v", "Enter")
        t.wait_for("Loss breakdown")
        t.keys("s", "S")
        t.keys("Tab")
        walk_sorts(t, ("Channel", "Hit by"), CHANNEL_COLUMNS, given)
        y, line = t.line_with("Term", "Value", "From")
        t.click(line.index("Value"), y)
        assert "▲" not in t.line_with("Term", "Value", "From")[1]
        t.keys("Escape", "h")
        t.wait_for("Event change log")
        walk_sorts(t, ("When (UTC)", "Change", "Detail"), LOG_COLUMNS, given)
        t.keys("Tab")
        walk_sorts(t, ("Published", "Headline"), NEWS_COLUMNS, given)
        t.keys("Escape", "w")
        t.wait_for("Expected loss per event")

        def first_row() -> tuple[int, int, str]:
            y, line = t.line_with("Event", "Baseline", "Scenario")
            x = line.index("Event")
            return x, y + 1, t.screen().splitlines()[y + 1][x:]

        until(lambda: "$" in first_row()[2], "the what-if rows", t)  # the note above them is written first
        t.click(first_row()[0] + 4, first_row()[1])  # focus the table
        walk_sorts(t, ("Event", "Baseline", "Scenario"), DELTA_COLUMNS, given)
        t.keys("Escape")
        t.wait_for("Exposure per channel")
        # The other screens, with the keys a user tries first.
        for opener, shown in (("?", "riskmon — keys"), ("c", "Save")):
            t.keys(opener)
            t.wait_for(shown)
            t.keys("s", "S", "j", "k", "Escape")
            # A modal dims the dashboard rather than hiding it: wait for the modal to go.
            until(lambda gone=shown: gone not in t.screen(), f"{shown!r} gone", t)
        t.keys("e")  # the editor: keys are text; leaving asks, and discarding leaves
        t.wait_for("valid")
        t.keys("s", "S", "Escape")
        t.wait_for("Leave the editor?")
        t.keys("Right", "Enter")
        t.wait_for("Exposure per channel")
        for opener, shown in (("E", "Save"), ("n", "Save"), ("C-p", "Search for commands")):
            t.keys(opener)
            t.wait_for(shown)
            t.keys("Escape")
            until(lambda gone=shown: gone not in t.screen(), f"{shown!r} gone", t)
        t.keys("q")
        end = t.exited()
        assert "RISKMON-EXIT=0" in end
        assert "Traceback" not in end


def test_keys_typed_right_after_q_open_nothing_while_it_quits(tmp_path: Path) -> None:
    """`qw` typed at once: `w` used to open what-if on an app already closing (exit 70)."""
    with terminal(tmp_path) as (t, _):
        t.wait_for("CRITICAL")
        subprocess.run(t.tmux("send-keys", "-t", t.name, "-l", "qwhen?"), check=True)
        end = t.exited()
        assert "RISKMON-EXIT=0" in end and "crashed" not in end


CRASHING = """\
import sys
from pathlib import Path

import riskmon.tui.app as tui_app
from riskmon.cli.main import main


class CrashingApp(tui_app.RiskmonApp):
    CSS_PATH = str(Path(tui_app.__file__).parent / "theme.tcss")
    BINDINGS = [*tui_app.RiskmonApp.BINDINGS, ("z", "crash", "Crash")]

    def action_crash(self) -> None:
        raise RuntimeError("forced crash in a key's handler")


tui_app.create_app = lambda *args: CrashingApp(*args)
sys.exit(main(sys.argv[1:]))
"""


def test_a_crash_restores_the_terminal_logs_the_traceback_and_exits_70(tmp_path: Path) -> None:
    """`riskmon` as users start it, with one bug: the key `z` raises. The terminal comes back, one
    line names the log file, the traceback is in the file (0600), the exit status is 70."""
    script = tmp_path / "crashing.py"
    script.write_text(CRASHING)
    with terminal(tmp_path, size=(140, 45), program=(str(script),)) as (t, _):
        t.wait_for("CRITICAL", timeout=40)
        t.keys("z")
        assert "RISKMON-EXIT=70" in t.exited()
        logs = sorted((tmp_path / "data" / "logs").glob("crash-*.log"))
        assert len(logs) == 1
        screen = t.screen(joined=True)
        lines = [line.rstrip() for line in screen.splitlines() if line.strip()]
        assert lines == [  # nothing else on the terminal
            f"riskmon: the dashboard crashed (a bug in riskmon); the traceback is in {logs[0]}",
            "RISKMON-EXIT=70",
        ]
        text = logs[0].read_text(encoding="utf-8")
        assert "Traceback" in text and "RuntimeError: forced crash in a key's handler" in text
        assert stat.S_IMODE(logs[0].stat().st_mode) == 0o600


def next_three(tmp_path: Path) -> list[tuple[str, str]]:
    """(due date with how long overdue, whole text) of the core's first three next actions for
    the terminal's config, as `riskmon playbook` ranks them."""
    from datetime import UTC, datetime

    from riskmon.core.playbooks import Item
    from riskmon.sources.config.load import load_config
    from riskmon.tui import words
    from riskmon.usecases.evaluate import evaluate

    now = datetime(2025, 1, 10, tzinfo=UTC)
    ranked = evaluate(load_config(tmp_path / "cfg"), now, offline=True, replay=True).plan.next_actions(3)
    return [(words.due(x.step.due, now), x.step.text) for x in ranked if isinstance(x, Item)]


def left_column(screen: str) -> str:
    """The screen's left column of panes as one line of words: each row up to the pane's right
    border (the side column's text is not mixed in), without the scrollbar or the focus bar."""
    rows = []
    for line in screen.splitlines():
        if line.startswith("│") and "│" in line[1:]:
            line = line[1 : line.index("│", 1)]
        rows.append(line.rstrip().rstrip("▁▂▃▄▅▆▇█").removeprefix("▌"))
    return " ".join(" ".join(rows).split())


@pytest.mark.parametrize("size", [(80, 24), (160, 50)], ids=["80x24", "160x50"])
def test_a_real_screen_answers_how_much_how_soon_what_now(tmp_path: Path, size: tuple[int, int]) -> None:
    """Read as a seller opening it once a day: the level, the money, the cash gap, the events by
    title and the next three actions with their dates, without a key; every key of the focused
    pane in the footer; space on a next action ticks it."""
    with terminal(tmp_path, size=size) as (t, _):
        # The header, the events, the next actions and the footer fill in on their own refreshes:
        # wait for each one's data (a loaded machine showed the actions before the header's level).
        screen = t.wait_for_all(
            "Why:", "Next actions · ", "CRITICAL", "US divest-or-ban law takes", "⏎ Details", timeout=40
        )
        joined = " ".join(screen.split())
        for seen in ("CRITICAL", "score 75/100", "loss $401,547", "shortfall", "runway 15.5 wk", "lowest $22,238"):
            assert seen in joined, screen
        assert "US divest-or-ban law takes" in screen and "in 9 d" in screen
        assert "⏎ Details" in screen and "u Unreached" in screen and "c Edit channel" in screen, screen
        actions = next_three(tmp_path)
        assert len(actions) == 3
        for due, text in actions:  # whole, wrapped over the pane's rows
            assert f"[ ] {due} {' '.join(text.split())}" in left_column(screen), screen
        assert "For: US divest-or-ban law takes effect" in screen  # the highlighted one's event
        if size == (160, 50):  # the charts come on a later refresh than the panes: waited for too
            screen = t.wait_for_all("Cash, next 13 weeks", "● baseline", timeout=40)
            assert "? Help" in screen
        t.keys("a")
        t.wait_for("space Tick")  # the next actions' keys, now that they have the focus
        t.keys("Space")
        t.wait_for("1 done")
        day = actions[0][0].split(",")[0]
        assert f"[x] {day}, done {' '.join(actions[0][1].split())}" in left_column(t.screen())
        t.keys("p")
        t.wait_for("Playbook · US divest-or-ban")
        t.keys("q")
        assert "RISKMON-EXIT=0" in t.exited()
