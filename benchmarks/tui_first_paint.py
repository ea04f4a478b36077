"""Time to first paint of the dashboard with the bundled demo config, against a Textual
hello-world app started the same way. Targets: < 1 s; <= 1.5x the hello-world app (issue 11).

Run: .venv/bin/python benchmarks/tui_first_paint.py [--compare DIR] [--runs N]

`--compare DIR`: also launch the `riskmon` of another checkout (DIR on PYTHONPATH, same
interpreter and packages) in the same rounds, e.g. main exported with `git archive`: a before and
after measured under the same load.

Real terminal (tmux, when installed): `riskmon` is started as a fresh process in a detached tmux
session and the screen is read every 10 ms until the header shows the level badge and the score,
i.e. the dashboard is drawn with data: the Monitor's first update (config, the feeds' cached
copies, assess), before history is read. Reported: median and worst of RUNS launches, process start
included. The baseline is HELLO below: a Textual app with a header and one line of text, no
riskmon import, launched in the same tmux the same way, timed until its text is on screen;
launches alternate between the two so load and caches hit both alike. Without tmux, the
in-process figure only: `App.first_paint` (app start -> first dashboard drawn with data) from a
headless run. riskmon's bytecode is compiled first, as installing a wheel does (an editable
checkout run with PYTHONDONTWRITEBYTECODE would otherwise compile every edited module every run).
"""

from __future__ import annotations

import asyncio
import compileall
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import NamedTuple

RUNS = 10
TMUX = ["tmux", "-L", "riskmon-bench"]
"""A tmux server of its own: the figures never share a server (or its environment) with anyone."""
PAINTED = re.compile(r"(OK|WARNING|CRITICAL)\s+score \d+/100")
HELLO = """
from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class Hello(App[None]):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("OK  score 0/100")
        yield Footer()


Hello().run()
"""
"""The baseline: the least a Textual app on this screen does (a header, a line, a footer)."""


class Launch(NamedTuple):
    first: float
    """Seconds to the first screen content."""
    painted: float
    """Seconds to the dashboard with data (the hello world: its text)."""
    cpu: float
    """The process's CPU seconds (user + system, all threads), less moved by the load than the
    wall time: read just before the screen read that first showed it, so after the read before,
    which did not; off from the moment it was drawn by at most the CPU of one poll (10 ms ticks)."""


def _program_pid(session: str) -> int | None:
    """The program's process: the only child of the shell tmux runs the command line in."""
    shell = subprocess.run(
        [*TMUX, "display-message", "-p", "-t", session, "#{pane_pid}"], capture_output=True, text=True
    ).stdout.strip()
    try:
        children = Path(f"/proc/{shell}/task/{shell}/children").read_text().split()
    except (OSError, ValueError):
        return None
    return int(children[0]) if children else None


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def tmux_once(data_dir: str, program: str = "-m riskmon", checkout: str | None = None) -> Launch:
    """One launch in a fresh tmux session; `checkout`: the riskmon of that directory instead of this one."""
    name = f"riskmon-bench-{uuid.uuid4().hex[:8]}"
    argv = f"'{sys.executable}' {program}; sleep 5"
    env = {**os.environ, "RISKMON_DATA": data_dir, "TERM": "xterm-256color"}
    env.pop("RISKMON_CONFIG", None)
    if checkout is not None:
        env["PYTHONPATH"] = checkout
    # A session's environment is the tmux server's, not this client's: what differs per launch
    # (a checkout's PYTHONPATH) is passed with -e. It starts in the data dir: in this checkout's
    # directory, `-m riskmon` would import this checkout whatever PYTHONPATH says (sys.path[0]).
    pass_env = [f"-e{key}={env[key]}" for key in ("RISKMON_DATA", "TERM", "PYTHONPATH") if key in env]
    where = ["-c", data_dir]
    t0 = time.perf_counter()
    subprocess.run(
        [*TMUX, "new-session", "-d", "-s", name, "-x", "140", "-y", "45", *where, *pass_env, argv], check=True, env=env
    )
    first: float | None = None
    pid: int | None = None
    try:
        while True:
            pid = pid or _program_pid(name)
            cpu = _cpu_seconds(pid) if pid else float("nan")  # read before the screen, see Launch.cpu
            screen = subprocess.run([*TMUX, "capture-pane", "-p", "-t", name], capture_output=True, text=True).stdout
            if first is None and screen.strip():
                first = time.perf_counter() - t0
            if PAINTED.search(screen):
                return Launch(first or 0.0, time.perf_counter() - t0, cpu)
            if time.perf_counter() - t0 > 20:
                raise SystemExit(f"no dashboard after 20 s:\n{screen}")
            time.sleep(0.01)
    finally:
        subprocess.run([*TMUX, "send-keys", "-t", name, "q"], capture_output=True)
        time.sleep(0.2)
        subprocess.run([*TMUX, "kill-session", "-t", name], capture_output=True)


async def headless_once() -> float:
    from riskmon.tui.app import create_app

    app = create_app(None, None, None)
    async with app.run_test(size=(140, 45)) as pilot:
        while app.first_paint is None:
            await pilot.pause(0.01)
        first = app.first_paint
        while app.loaded is None or not app.loaded.with_history:  # let the history load finish
            await pilot.pause(0.05)
        return first


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.0f} ms, worst {max(values) * 1000:.0f} ms"


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _rounds(data: str, hello: str, compare: str | None, rounds: int) -> tuple[list[Launch], list[Launch], list[Launch]]:
    """`rounds` rounds of one launch each, alternating: riskmon, hello world, the other checkout's."""
    tmux_once(data)  # warm the OS file cache
    tmux_once(data, hello)
    if compare is not None:
        tmux_once(data, checkout=compare)
    runs, base, other = [], [], []
    for _ in range(rounds):
        runs.append(tmux_once(data))
        base.append(tmux_once(data, hello))
        if compare is not None:
            other.append(tmux_once(data, checkout=compare))
    return runs, base, other


def _report(label: str, launches: list[Launch], base: list[Launch]) -> None:
    """Wall and CPU medians, and their ratios to the hello world's."""
    wall = statistics.median(x.painted for x in launches) / statistics.median(x.painted for x in base)
    cpu = statistics.median(x.cpu for x in launches) / statistics.median(x.cpu for x in base)
    print(f"  {label}: {_ms([x.painted for x in launches])}; CPU {_ms([x.cpu for x in launches])}")
    print(f"  {' ' * len(label)}  ratio to the hello world (median/median): wall {wall:.2f}x, CPU {cpu:.2f}x")


def main() -> None:
    import riskmon

    compare = sys.argv[sys.argv.index("--compare") + 1] if "--compare" in sys.argv else None
    rounds = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else RUNS
    compileall.compile_dir(os.path.dirname(riskmon.__file__), quiet=1)
    if compare is not None:
        compileall.compile_dir(os.path.join(compare, "riskmon"), quiet=1)
    with tempfile.TemporaryDirectory() as data:
        os.environ["RISKMON_DATA"] = data
        inproc = [asyncio.run(headless_once()) for _ in range(3)]
        print(f"in-process (app start -> dashboard with data): median {statistics.median(inproc) * 1000:.0f} ms")
        if shutil.which("tmux") is None:
            print("tmux not installed: no real-terminal figure")
            return
        # One idle session keeps the tmux server up between launches: no server start in the figures,
        # and no race with a server that is shutting down after the previous launch's session ended.
        anchor = f"riskmon-bench-anchor-{uuid.uuid4().hex[:8]}"
        subprocess.run([*TMUX, "new-session", "-d", "-s", anchor, "sleep 600"], check=True)
        hello = os.path.join(data, "hello.py")
        with open(hello, "w", encoding="utf-8") as f:
            f.write(HELLO)
        print(f"before: {_load()}")
        try:
            runs, base, other = _rounds(data, hello, compare, rounds)
        finally:
            subprocess.run([*TMUX, "kill-session", "-t", anchor], capture_output=True)
        print(f"after:  {_load()}")
        print(f"real terminal, {rounds} rounds (process start included; target: < 1000 ms and <= 1.5x):")
        print(f"  riskmon, first screen content: {_ms([x.first for x in runs])}")
        _report("riskmon, level and score", runs, base)
        if compare is not None:
            _report(f"{compare}, level and score", other, base)
        print(f"  Textual hello world, same way: {_ms([x.painted for x in base])}; CPU {_ms([x.cpu for x in base])}")


if __name__ == "__main__":
    main()
