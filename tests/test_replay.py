"""A replay (`--now`) looks at another instant and records nothing: no history, no feed cache, no
textfile, no alert. Feed fetch times stay wall-clock times, and a feed that fails during a replay
is reported failing. Each command runs as a process against a local feed server and webhook
(127.0.0.1, tests/servers.py); the dashboard through `App.run_test()`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from tests import support
from tests.servers import LocalServer, respond, static
from tests.support import SHOP_EXPOSURE as EXPOSURE
from tests.support import hook_posts

PAST, FUTURE = "2025-01-17", "2030-01-01T12:00:00+00:00"

pytestmark = pytest.mark.usefixtures("no_proxy")


def day(offset: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


class Feed:
    """A feed serving a ban in five days (WARNING), or HTTP 500 when `broken`."""

    def __init__(self) -> None:
        self.broken = False

    def __call__(self, h: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        if self.broken:
            respond(h, 500, b"oops", "text/plain")
        else:
            respond(h, 200, json.dumps({"events": [support.ban(effective=day(5))]}).encode())


class Setup:
    """A config with a feed, a webhook and a textfile; data (history, feed cache) under tmp."""

    def __init__(self, tmp_path: Path, server: LocalServer, *, required: bool = False) -> None:
        self.feed = Feed()
        self.data = tmp_path / "data"
        self.prom = tmp_path / "prom" / "riskmon.prom"
        self.db = self.data / "history.json"
        self.server = server
        riskmon = (
            f'[[feeds]]\nname = "agency"\ntype = "http"\nurl = "{server.route("/feed", self.feed)}"\n'
            f'every = "0s"\ntimeout = 5\nrequired = {str(required).lower()}\n\n'
            f'[[alerts]]\nname = "hook"\ntype = "webhook"\nurl = "{server.route("/hook", static("ok", 200))}"\n\n'
            f'[export]\nprometheus_textfile = "{self.prom}"\n'
        )
        self.cfg = support.write_config(tmp_path, exposure=EXPOSURE, playbooks="", riskmon=riskmon)
        self.env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        self.env |= {"RISKMON_DATA": str(self.data), "NO_COLOR": "1"}
        for name in ("RISKMON_CONFIG", "RISKMON_DB"):
            self.env.pop(name, None)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "riskmon", *args, "--config", str(self.cfg), "--db", str(self.db)]
        return subprocess.run(argv, capture_output=True, text=True, env=self.env, timeout=60)

    def check(self, *args: str) -> dict[str, Any]:
        r = self.run("check", "-f", "json", *args)
        assert r.stdout.startswith("{"), r.stdout + r.stderr
        doc: dict[str, Any] = json.loads(r.stdout)
        return doc

    def files(self) -> dict[str, bytes]:
        """Every file riskmon may write, with its bytes: history, its lock, the feed cache, the textfile."""
        roots = [self.data, self.prom.parent]
        return {str(p): p.read_bytes() for root in roots if root.exists() for p in root.rglob("*") if p.is_file()}

    def cached(self) -> dict[str, Any]:
        (path,) = (self.data / "feeds").glob("*.json")
        doc: dict[str, Any] = json.loads(path.read_text())
        return doc


REPLAYS = [
    ("check",),
    ("check", "-f", "json"),
    ("check", "-f", "prometheus"),
    ("daemon", "--once"),
    ("report",),
    ("report", "-f", "json"),
    ("events", "list"),
    ("playbook",),
    ("what-if", "--stress"),
]


def replay_everything(s: Setup) -> None:
    for now in (PAST, FUTURE):
        for args in REPLAYS:
            r = s.run(*args, "--now", now)
            assert r.returncode in (0, 1, 2), f"{args} --now {now}: {r.stdout}{r.stderr}"
            assert "Traceback" not in r.stderr


def test_replays_on_a_fresh_install_write_nothing(tmp_path: Path, server: LocalServer) -> None:
    s = Setup(tmp_path, server)
    replay_everything(s)
    assert s.files() == {}, "no history, lock, feed cache or textfile"
    assert hook_posts(server) == [], "no alert"
    assert len(server.hits("/feed")) >= len(REPLAYS), "replays do fetch: they just keep nothing"


def test_replays_leave_history_cache_textfile_and_alert_state_byte_for_byte(
    tmp_path: Path, server: LocalServer
) -> None:
    s = Setup(tmp_path, server)
    r = s.run("daemon", "--once")  # live: records a snapshot, caches the feed, writes the textfile
    assert r.returncode == 1, r.stdout + r.stderr
    assert [p["title"] for p in hook_posts(server)] == ["riskmon: OK -> WARNING"]
    before = s.files()
    assert {Path(p).name for p in before} >= {"history.json", "agency.json", "riskmon.prom"}

    replay_everything(s)
    s.feed.broken = True  # a failing feed during a replay changes nothing either
    replay_everything(s)

    assert s.files() == before
    assert len(hook_posts(server)) == 1


def test_a_feed_failing_in_a_replay_is_failing_and_fetch_times_stay_wall_clock(
    tmp_path: Path, server: LocalServer
) -> None:
    s = Setup(tmp_path, server)
    start = datetime.now(UTC)
    live = s.check()["feeds"][0]
    success = datetime.fromisoformat(live["last_success"])
    assert live["ok"] and start <= success <= datetime.now(UTC)
    assert s.cached()["last_success"] == live["last_success"]
    saved = s.files()

    s.feed.broken = True
    for now in (PAST, FUTURE):
        doc = s.check("--now", now)
        (feed,) = doc["feeds"]
        assert feed["ok"] is False and feed["error"].startswith("HTTP 500"), feed
        assert feed["last_success"] == live["last_success"], "the real success, not --now"
        assert feed["stale"] is False, "a copy fetched a moment ago is fresh, whatever instant is replayed"
        assert [e["id"] for e in doc["events"]] == ["us-ban"], "the last good copy still counts"
        assert s.files() == saved

    s.feed.broken = False
    (feed,) = s.check("--now", FUTURE)["feeds"]
    fetched = datetime.fromisoformat(feed["last_success"])
    assert feed["ok"] and success < fetched <= datetime.now(UTC), "fetched now, not in 2030"
    assert s.files() == saved, "and not kept"

    s.feed.broken = True
    (feed,) = s.check()["feeds"]  # live again: the cache's success is the real one
    assert feed["ok"] is False and feed["last_success"] == live["last_success"] and feed["stale"] is False
    assert s.cached()["last_success"] == live["last_success"] and s.cached()["last_error"].startswith("HTTP 500")


def test_a_success_dated_in_the_future_does_not_keep_a_failing_feed_fresh(tmp_path: Path, server: LocalServer) -> None:
    """Older riskmon versions stamped the cache with a replay's --now; such a stamp is no evidence
    that a required feed is fresh, live or in a replay: staleness is judged on the wall clock."""
    from riskmon.sources.feeds.fetch import CacheEntry, cache_path, save_cache

    s = Setup(tmp_path, server, required=True)
    stamped = datetime(2030, 1, 1, tzinfo=UTC)
    body = json.dumps({"events": [support.ban(effective=day(5))]}).encode()
    entry = CacheEntry(server.url("/feed"), body, "application/json", None, None, stamped, stamped)
    save_cache(cache_path(s.data / "feeds", "agency"), entry)
    s.feed.broken = True
    for args in ((), ("--now", FUTURE)):
        r = s.run("check", *args)
        assert r.returncode == 3, r.stdout + r.stderr
        assert r.stdout.startswith("RISKMON UNKNOWN - required feed 'agency' is stale"), r.stdout


def test_marking_a_step_in_a_replay_records_it_at_the_real_time(tmp_path: Path, server: LocalServer) -> None:
    s = Setup(tmp_path, server)
    start = datetime.now(UTC)
    r = s.run("playbook", "done", "us-ban", "cross-post", "--now", PAST)
    assert r.returncode == 0 and r.stdout.startswith("done: "), r.stdout + r.stderr
    r = s.run("playbook", "us-ban", "-f", "json", "--now", PAST)
    (step,) = [i for i in json.loads(r.stdout)["items"] if i["id"] == "cross-post"]
    assert step["done"] is True
    assert start <= datetime.fromisoformat(step["done_at"]) <= datetime.now(UTC), "marked now, not on --now"
    from riskmon.store.history import HistoryStore

    assert HistoryStore(s.db).snapshots() == [], "the replays around it recorded nothing"


async def test_the_dashboard_replaying_records_and_sends_nothing(
    tmp_path: Path, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from riskmon.tui.app import create_app

    s = Setup(tmp_path, server)
    monkeypatch.setenv("RISKMON_DATA", str(s.data))
    app = create_app(s.cfg, s.db, datetime(2025, 1, 17, tzinfo=UTC))
    async with app.run_test(size=(140, 45)) as pilot:
        await support.wait_for(pilot, lambda: app.last_update is not None and app.last_update.primed)
        update = app.last_update
        assert update is not None and update.evaluation is not None
        assert update.feeds[0]["ok"] is True and [e.id for e in update.evaluation.events] == ["us-ban"]
        assert update.evaluation.assessment.now == datetime(2025, 1, 17, tzinfo=UTC)
    assert len(server.hits("/feed")) >= 1
    assert s.files() == {} and hook_posts(server) == []
