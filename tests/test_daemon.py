"""`riskmon daemon` as a process: a local feed server changed, broken and fixed under it, a local
webhook receiver counting alerts, the textfile checked by promtool, stopped by SIGTERM/SIGINT.

127.0.0.1 only (tests/servers.py). Waits are on conditions (tests/waiting.py), nothing sleeps a fixed
time; a wait that times out shows what it waited for, whether the daemon exited, and its log.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

try:
    from tests.servers import local_server, respond, static
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    from servers import local_server, respond, static  # type: ignore[no-redef]
from tests import support, waiting
from tests.support import SHOP_EXPOSURE as EXPOSURE
from tests.support import hook_posts as posts

PROMTOOL = shutil.which("promtool") or ("/usr/bin/promtool" if Path("/usr/bin/promtool").exists() else None)


def ban() -> dict[str, Any]:
    """A confirmed ban on TikTok US in five days: removes 30% of orders, so WARNING."""
    soon = datetime.now(UTC).date() + timedelta(days=5)
    return support.ban(effective=soon.isoformat())


class Feed:
    def __init__(self) -> None:
        self.body = b'{"events": []}'
        self.mode = "ok"

    def set(self, *events: dict[str, Any]) -> None:
        self.body = json.dumps({"events": list(events)}).encode()

    def __call__(self, h: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        if self.mode == "broken":
            respond(h, 500, b"oops", "text/plain")
        else:
            respond(h, 200, self.body)


def wait_on(proc: subprocess.Popen[bytes], log: Path, cond: Callable[[], object], timeout: float = 15.0) -> None:
    """Wait until `cond()` holds while the daemon `proc` runs; on timeout show its state and `log`."""
    waiting.wait_until(cond, timeout, context=lambda: waiting.process_state(proc, read(log)), interval=0.05)


def env(tmp_path: Path) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    out.update({"RISKMON_DATA": str(tmp_path / "data"), "NO_COLOR": "1"})
    out.pop("RISKMON_CONFIG", None)
    out.pop("RISKMON_DB", None)
    return out


def write_config(
    d: Path,
    *,
    feed_url: str | None = None,
    hook_url: str | None = None,
    prom: Path | None = None,
    every: str = "1s",
) -> Path:
    parts = []
    if feed_url:
        parts.append(
            f'[[feeds]]\nname = "agency"\ntype = "http"\nurl = "{feed_url}"\nevery = "{every}"\ntimeout = 10\n'
        )
    if hook_url:
        parts.append(f'[[alerts]]\nname = "hook"\ntype = "webhook"\nurl = "{hook_url}"\n')
    if prom:
        parts.append(f'[export]\nprometheus_textfile = "{prom}"\n')
    return support.write_config(
        d.parent, name=d.name, exposure=EXPOSURE, playbooks="replace_bundled = true\n", riskmon="\n".join(parts)
    )


@contextmanager
def daemon(
    tmp_path: Path, cfg: Path, *extra: str, more_env: dict[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    log = tmp_path / "daemon.log"
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "riskmon", "daemon", "--config", str(cfg), "--db", str(tmp_path / "h.json"), *extra],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=env(tmp_path) | (more_env or {}),
        )
        try:
            yield proc, log
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)


def run(tmp_path: Path, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "riskmon", *args], capture_output=True, text=True, env=env(tmp_path), timeout=timeout
    )


def read(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


pytestmark = pytest.mark.usefixtures("no_proxy")


def test_daemon_alerts_once_per_level_change_and_stops_on_sigterm(tmp_path: Path) -> None:
    with local_server() as server:
        feed = Feed()
        prom = tmp_path / "textfile" / "riskmon.prom"
        cfg = write_config(
            tmp_path / "cfg",
            feed_url=server.route("/feed", feed),
            hook_url=server.route("/hook", static("ok", 200, "text/plain")),
            prom=prom,
        )
        with daemon(tmp_path, cfg) as (proc, log):
            wait_on(proc, log, lambda: 'riskmon_level{profile="cfg"} 0\n' in read(prom))
            assert posts(server) == [], "starting is not a level change"

            feed.set(ban())  # OK -> WARNING
            wait_on(proc, log, lambda: len(posts(server)) >= 1)
            first = posts(server)[0]
            assert first["trigger"] == "level_change" and first["title"] == "riskmon: OK -> WARNING"
            wait_on(proc, log, lambda: 'riskmon_level{profile="cfg"} 1\n' in read(prom))
            polled = len(server.hits("/feed"))
            wait_on(proc, log, lambda: len(server.hits("/feed")) >= polled + 2)  # two more polls
            assert len(posts(server)) == 1, "the level persists: no second alert"

            # A cron'd check alongside, sharing history and the feed cache.
            r = run(tmp_path, "check", "--config", str(cfg), "--db", str(tmp_path / "h.json"), "-t", "20", "-f", "json")
            assert r.returncode == 1, r.stdout + r.stderr
            assert [e["id"] for e in json.loads(r.stdout)["events"]] == ["us-ban"]

            feed.mode = "broken"  # the cached events stay in force; the error is reported
            wait_on(proc, log, lambda: 'riskmon_feed_up{profile="cfg",feed="agency"} 0' in read(prom))
            assert 'riskmon_level{profile="cfg"} 1\n' in read(prom)
            r = run(tmp_path, "check", "--config", str(cfg), "--db", str(tmp_path / "h.json"), "-t", "20", "-f", "json")
            doc = json.loads(r.stdout)
            assert r.returncode == 1 and doc["events"][0]["id"] == "us-ban"
            assert doc["feeds"][0]["ok"] is False and "500" in doc["feeds"][0]["error"]

            # An invalid edit keeps the last good config running and says so.
            exposure = cfg / "exposure.toml"
            exposure.write_text(EXPOSURE + "\nbroken = \n")
            wait_on(proc, log, lambda: 'riskmon_config_ok{profile="cfg"} 0\n' in read(prom))
            assert "config invalid (keeping the last good config)" in read(log)
            exposure.write_text(EXPOSURE)
            wait_on(proc, log, lambda: 'riskmon_config_ok{profile="cfg"} 1\n' in read(prom))

            feed.mode = "ok"
            feed.set()  # WARNING -> OK
            wait_on(proc, log, lambda: len(posts(server)) >= 2)
            assert posts(server)[1]["title"] == "riskmon: WARNING -> OK"
            wait_on(proc, log, lambda: 'riskmon_level{profile="cfg"} 0\n' in read(prom))

            if PROMTOOL:
                r2 = subprocess.run([PROMTOOL, "check", "metrics"], input=prom.read_bytes(), capture_output=True)
                assert r2.returncode == 0, r2.stdout + r2.stderr

            proc.send_signal(signal.SIGTERM)
            assert proc.wait(10) == 0, read(log)
        text = read(log)
        assert "SIGTERM received: stopping" in text and text.rstrip().endswith("stopped")
        assert "Traceback" not in text
        assert len(posts(server)) == 2


def test_daemon_stops_on_sigint(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "cfg")
    with daemon(tmp_path, cfg) as (proc, log):
        wait_on(proc, log, lambda: "daemon started" in read(log))
        proc.send_signal(signal.SIGINT)
        assert proc.wait(10) == 0
    assert "Traceback" not in read(log)


def test_daemon_with_an_invalid_config_exits_3(tmp_path: Path) -> None:
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "exposure.toml").write_text("[business]\nname = \n")
    r = run(tmp_path, "daemon", "--config", str(cfg), "--db", str(tmp_path / "h.json"))
    assert r.returncode == 3
    assert "exposure.toml:2" in r.stderr and "Traceback" not in r.stderr
    r = run(tmp_path, "daemon", "--once", "--config", str(cfg), "--db", str(tmp_path / "h.json"))
    assert r.returncode == 3 and r.stdout.startswith("RISKMON UNKNOWN - ") and r.stdout.count("\n") == 1


def test_daemon_once_runs_every_job_and_exits_with_the_level(tmp_path: Path) -> None:
    with local_server() as server:
        feed = Feed()
        prom = tmp_path / "riskmon.prom"
        cfg = write_config(
            tmp_path / "cfg",
            feed_url=server.route("/feed", feed),
            hook_url=server.route("/hook", static("ok", 200, "text/plain")),
            prom=prom,
            every="0s",
        )

        def once() -> subprocess.CompletedProcess[str]:
            # The feed is due at every look: every run polls, as a timer's runs minutes apart would.
            return run(tmp_path, "daemon", "--once", "--config", str(cfg), "--db", str(tmp_path / "h.json"))

        r = once()
        assert r.returncode == 0, r.stdout + r.stderr
        assert r.stdout.startswith("RISKMON OK - ") and 'riskmon_level{profile="cfg"} 0\n' in read(prom)
        assert posts(server) == [], "OK is where every channel starts: nothing to announce"

        feed.set(ban())
        r = once()
        assert r.returncode == 1, r.stdout + r.stderr
        assert r.stdout.startswith("RISKMON WARNING - ") and 'riskmon_level{profile="cfg"} 1\n' in read(prom)
        assert [p["title"] for p in posts(server)] == ["riskmon: OK -> WARNING"], "history carries the level"

        r = once()
        assert r.returncode == 1 and len(posts(server)) == 1
        assert len(server.hits("/feed")) == 3


def test_daemon_once_on_the_demo_says_so(tmp_path: Path) -> None:
    """The bundled demo is named in the daemon's one-line answer and its textfile, as in check's."""
    env = {**os.environ, "RISKMON_DATA": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    env.pop("RISKMON_CONFIG", None)
    env.pop("RISKMON_DB", None)
    r = subprocess.run(
        [sys.executable, "-m", "riskmon", "daemon", "--once", "--offline", "--log-level", "error"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode in (0, 1, 2), r.stderr
    assert "[demo config]" in r.stdout.splitlines()[0]
