"""The first alert is not lost: a fresh install that is already CRITICAL announces it once, from
OK, whichever riskmon processes run (a daemon, `daemon --once` from cron), in any order or at the
same time; and a daemon with no alert channel says so once. Processes against a local webhook
(127.0.0.1, tests/servers.py); waits are on conditions, and one that times out shows the daemon's
state and log."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests import support
from tests.servers import LocalServer, respond, static
from tests.support import SHOP_EXPOSURE, hook_posts
from tests.test_daemon import daemon, env, run, wait_on

pytestmark = pytest.mark.usefixtures("no_proxy")

# 60% of orders on TikTok and a confirmed ban there in five days: CRITICAL from the first look.
EXPOSURE = SHOP_EXPOSURE.replace("order_share = 0.3", "order_share = 0.6").replace(
    "order_share = 0.7", "order_share = 0.4"
)
NO_HOOK_WARNING = "no alert channel in "


def events() -> str:
    soon = (datetime.now(UTC).date() + timedelta(days=5)).isoformat()
    return (
        '[[events]]\nid = "us-ban"\ntitle = "US ban"\nkind = "ban"\nplatforms = ["tiktok"]\n'
        f'regions = ["US"]\nstatus = "confirmed"\neffective = {soon}\n'
    )


def slow_hook(h: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """A webhook that takes its time, so that processes racing to announce overlap."""
    stop.wait(0.5)
    respond(h, 200, b"ok", "text/plain")


class Install:
    """A fresh install: config, an empty data dir; `hook` True adds a webhook (and a healthchecks
    channel, pinged after the alerts of a cycle: the sign that a process has decided them)."""

    def __init__(self, tmp_path: Path, server: LocalServer, *, hook: bool = True, slow: bool = False) -> None:
        self.tmp = tmp_path
        riskmon = ""
        if hook:
            url = server.route("/hook", slow_hook if slow else static("ok", 200, "text/plain"))
            server.route("/hc/fail", static("OK", 200))  # CRITICAL pings /fail
            riskmon = (
                f'[[alerts]]\nname = "hook"\ntype = "webhook"\nurl = "{url}"\n\n'
                f'[[alerts]]\nname = "hc"\ntype = "healthchecks"\nurl = "{server.route("/hc", static("OK", 200))}"\n'
            )
        self.cfg = support.write_config(tmp_path, exposure=EXPOSURE, events=events(), riskmon=riskmon or None)

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "riskmon", "daemon", *args, "--config", str(self.cfg), "--db", str(self.db)]

    @property
    def db(self) -> Path:
        return self.tmp / "h.json"  # where tests.test_daemon's `daemon` keeps history

    def once(self) -> subprocess.CompletedProcess[str]:
        return run(self.tmp, "daemon", "--once", "--config", str(self.cfg), "--db", str(self.db))

    def start_once(self) -> subprocess.Popen[str]:
        pipe = subprocess.PIPE
        return subprocess.Popen(self.argv("--once"), stdout=pipe, stderr=pipe, text=True, env=env(self.tmp))

    def daemon(self) -> AbstractContextManager[tuple[subprocess.Popen[bytes], Path]]:
        return daemon(self.tmp, self.cfg)


def titles(server: LocalServer) -> list[str]:
    return [p["title"] for p in hook_posts(server)]


def test_daemon_once_on_a_fresh_install_already_critical_announces_it_once(tmp_path: Path, server: LocalServer) -> None:
    install = Install(tmp_path, server)
    r = install.once()
    assert r.returncode == 2 and r.stdout.startswith("RISKMON CRITICAL - "), r.stdout + r.stderr
    assert titles(server) == ["riskmon: OK -> CRITICAL"]
    assert hook_posts(server)[0]["level"] == "CRITICAL" and hook_posts(server)[0]["trigger"] == "level_change"
    for _ in range(2):  # the next cron runs: the level persists, nothing more to say
        r = install.once()
        assert r.returncode == 2, r.stdout + r.stderr
    assert len(hook_posts(server)) == 1
    assert NO_HOOK_WARNING not in r.stderr


def test_a_fresh_daemon_killed_after_its_first_alert_is_not_repeated_by_the_next_process(
    tmp_path: Path, server: LocalServer
) -> None:
    install = Install(tmp_path, server)
    with install.daemon() as (proc, log):
        wait_on(proc, log, lambda: len(hook_posts(server)) >= 1, timeout=30)
        proc.kill()  # at once, not a clean stop: the alert was recorded before it went out
        proc.wait(10)
    assert titles(server) == ["riskmon: OK -> CRITICAL"]
    r = install.once()
    assert r.returncode == 2, r.stdout + r.stderr
    assert len(hook_posts(server)) == 1, "a second process does not announce it again"


def test_processes_starting_together_announce_the_first_level_once(tmp_path: Path, server: LocalServer) -> None:
    install = Install(tmp_path, server, slow=True)
    with install.daemon() as (proc, log):
        crons = [install.start_once() for _ in range(2)]
        for cron in crons:
            out, err = cron.communicate(timeout=60)
            assert cron.returncode == 2, out + err
        wait_on(proc, log, lambda: len(server.hits("/hc/fail")) >= 3, timeout=30)  # all three decided
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0, log.read_text()
    assert titles(server) == ["riskmon: OK -> CRITICAL"]
    assert "Traceback" not in log.read_text()


def test_a_daemon_without_an_alert_channel_says_so_once(tmp_path: Path, server: LocalServer) -> None:
    feed = server.route("/feed", static('{"events": []}'))
    install = Install(tmp_path, server, hook=False)
    riskmon = install.cfg / "riskmon.toml"
    riskmon.write_text(f'[[feeds]]\nname = "agency"\ntype = "http"\nurl = "{feed}"\nevery = "1s"\n')
    with install.daemon() as (proc, log):
        wait_on(proc, log, lambda: "daemon started" in log.read_text(), timeout=30)
        polls = len(server.hits("/feed"))
        wait_on(proc, log, lambda: len(server.hits("/feed")) >= polls + 2, timeout=30)  # it keeps running
        riskmon.write_text(riskmon.read_text().replace('every = "1s"', 'every = "2s"'))
        wait_on(proc, log, lambda: "config reloaded" in log.read_text(), timeout=30)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    text = log.read_text()
    (line,) = [ln for ln in text.splitlines() if NO_HOOK_WARNING in ln]
    assert " WARNING riskmon.daemon: " in line and str(riskmon) in line
    r = install.once()
    assert r.returncode == 2 and r.stderr.count(NO_HOOK_WARNING) == 1, r.stderr
