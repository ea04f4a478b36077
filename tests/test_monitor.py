"""The Monitor: scheduler wiring, polls, reload, history, alerts and the textfile, in process.

Servers are local (127.0.0.1, tests/servers.py); the clock is injected except where the
scheduler itself is under test. Waits are on conditions (tests/waiting.py), never fixed sleeps;
a wait that times out shows what it waited for and the exceptions the monitor's workers logged.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

import riskmon.live.alert_channels
import riskmon.live.config_watch
import riskmon.live.monitor as monitor_mod
import riskmon.live.notifier
from riskmon.errors import ConfigError
from riskmon.live.monitor import Monitor, MonitorUpdate
from riskmon.store.history import HistoryStore

try:
    from tests.servers import respond, static
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    from servers import respond, static  # type: ignore[no-redef]
from tests import support, waiting
from tests.support import SHOP_EXPOSURE as EXPOSURE
from tests.support import ban, hook_posts

NOW = datetime(2025, 1, 10, 12, 0, tzinfo=UTC)
PROMTOOL = shutil.which("promtool") or ("/usr/bin/promtool" if Path("/usr/bin/promtool").exists() else None)


def feed_body(*events: dict[str, Any]) -> bytes:
    return json.dumps({"events": list(events)}).encode()


def write_config(
    d: Path,
    *,
    feed_url: str | None = None,
    every: str = "1m",
    hook_url: str | None = None,
    renotify: str | None = None,
    textfile: Path | None = None,
    playbooks: str = "replace_bundled = true\n",
    feed_timeout: float = 5.0,
) -> Path:
    parts = []
    if feed_url:
        parts.append(
            f'[[feeds]]\nname = "agency"\ntype = "http"\nurl = "{feed_url}"\nevery = "{every}"\n'
            f"timeout = {feed_timeout}\n"
        )
    if hook_url:
        parts.append(f'[[alerts]]\nname = "hook"\ntype = "webhook"\nurl = "{hook_url}"\n')
        if renotify:
            parts.append(f'renotify = "{renotify}"\n')
    if textfile:
        parts.append(f'[export]\nprometheus_textfile = "{textfile}"\n')
    return support.write_config(d.parent, name=d.name, exposure=EXPOSURE, playbooks=playbooks, riskmon="\n".join(parts))


class Clock:
    def __init__(self, t: datetime = NOW) -> None:
        self.t = t

    def __call__(self) -> datetime:
        return self.t

    def advance(self, **kw: float) -> None:
        self.t += timedelta(**kw)


class Feed:
    """A feed whose body the test changes; `mode` "ok", "broken" (HTTP 500) or "hang"."""

    def __init__(self, *events: dict[str, Any]) -> None:
        self.body = feed_body(*events)
        self.mode = "ok"
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()

    def __call__(self, h: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        with self._lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            if self.mode == "hang":
                stop.wait(1.5)
                respond(h, 200, self.body)
            elif self.mode == "broken":
                respond(h, 500, b"oops", "text/plain")
            else:
                respond(h, 200, self.body)
        finally:
            with self._lock:
                self.active -= 1


pytestmark = pytest.mark.usefixtures("no_proxy")

WORKER_ERRORS = waiting.WorkerErrors()
"""What the monitor's workers logged as errors in the running test: a wait that times out shows it."""


@pytest.fixture(autouse=True)
def _worker_errors() -> Iterator[None]:
    with waiting.worker_errors(WORKER_ERRORS):
        yield


async def until(cond: Callable[[], object], timeout: float = 10.0) -> None:
    await waiting.until(cond, timeout, context=lambda: WORKER_ERRORS)


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(riskmon.live.alert_channels, "BACKOFF", 0.01)


def make(tmp_path: Path, clock: Callable[[], datetime] | None = None, **kw: Any) -> Monitor:
    return Monitor(tmp_path / "cfg", tmp_path / "history.json", clock or Clock(), cache_dir=tmp_path / "cache", **kw)


# ---------------------------------------------------------------------------------------------
# run_once: every job once, in order


async def test_run_once_polls_assesses_records_and_exports(tmp_path: Path, server: Any) -> None:
    feed = Feed(ban())
    prom = tmp_path / "prom" / "riskmon.prom"
    write_config(tmp_path / "cfg", feed_url=server.route("/feed", feed), textfile=prom)
    updates: list[MonitorUpdate] = []
    m = make(tmp_path, on_update=updates.append)
    ev = await m.run_once()
    assert ev.assessment.level.name == "WARNING"
    assert [e.id for e in ev.events] == ["us-ban"]
    assert ev.feeds[0]["ok"] is True
    assert len(server.hits("/feed")) == 1
    assert updates and updates[-1].primed and updates[-1].evaluation is ev
    snaps = HistoryStore(tmp_path / "history.json").snapshots()
    assert [s["level"] for s in snaps] == ["WARNING"]
    text = prom.read_text()
    assert 'riskmon_level{profile="cfg"} 1\n' in text and 'riskmon_feed_up{profile="cfg",feed="agency"} 1' in text
    assert 'riskmon_config_ok{profile="cfg"} 1\n' in text
    assert not list(prom.parent.glob(".*.tmp")), "temp files are renamed into place"
    if PROMTOOL:
        r = subprocess.run([PROMTOOL, "check", "metrics"], input=prom.read_bytes(), capture_output=True)
        assert r.returncode == 0, r.stdout + r.stderr


async def test_run_once_bad_config_raises(tmp_path: Path) -> None:
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "exposure.toml").write_text("[business]\nname = 1\n")
    with pytest.raises(ConfigError) as info:
        await make(tmp_path).run_once()
    assert "exposure.toml" in str(info.value)


async def test_feed_failure_keeps_cached_events(tmp_path: Path, server: Any) -> None:
    feed = Feed(ban())
    write_config(tmp_path / "cfg", feed_url=server.route("/feed", feed))
    clock = Clock()
    m = make(tmp_path, clock)
    await m.run_once()
    feed.mode = "broken"
    clock.advance(minutes=2)
    ev = await m.run_once()
    assert [e.id for e in ev.events] == ["us-ban"], "the last good copy still counts"
    assert ev.feeds[0]["ok"] is False and "500" in ev.feeds[0]["error"]
    assert ev.assessment.level.name == "WARNING"


# ---------------------------------------------------------------------------------------------
# Alerts


async def test_one_alert_per_level_change_and_none_after_restart(tmp_path: Path, server: Any) -> None:
    feed = Feed()
    hook = server.route("/hook", static("ok", 200, "text/plain"))
    write_config(tmp_path / "cfg", feed_url=server.route("/feed", feed), hook_url=hook)
    clock = Clock()
    m = make(tmp_path, clock)
    assert (await m.run_once()).assessment.level.name == "OK"
    assert hook_posts(server) == [], "the first assessment is the baseline, not a change"

    feed.body = feed_body(ban())
    clock.advance(minutes=2)
    assert (await m.run_once()).assessment.level.name == "WARNING"
    posts = hook_posts(server)
    assert len(posts) == 1
    assert posts[0]["trigger"] == "level_change" and posts[0]["title"].startswith("riskmon: OK -> WARNING")
    assert posts[0]["assessment"]["level"] == "WARNING"

    for _ in range(2):  # the level persists: no renotify configured, so nothing more
        clock.advance(minutes=2)
        await m.run_once()
    assert len(hook_posts(server)) == 1

    # A restart at the same level: history says WARNING was notified.
    clock.advance(minutes=2)
    m2 = make(tmp_path, clock)
    await m2.run_once()
    assert len(hook_posts(server)) == 1

    feed.body = feed_body()
    clock.advance(minutes=2)
    assert (await m2.run_once()).assessment.level.name == "OK"
    posts = hook_posts(server)
    assert len(posts) == 2 and posts[1]["title"].startswith("riskmon: WARNING -> OK")
    recorded = HistoryStore(tmp_path / "history.json").alerts()
    assert [(r["key"], r["ok"]) for r in recorded] == [("level:WARNING", True), ("level:OK", True)]


async def test_a_dashboard_beside_the_daemon_does_not_announce_a_change_twice(tmp_path: Path, server: Any) -> None:
    """Two monitors on one config and history (the dashboard and the daemon): one message per change."""
    feed = Feed()
    hook = server.route("/hook", static("ok", 200, "text/plain"))
    write_config(tmp_path / "cfg", feed_url=server.route("/feed", feed), hook_url=hook)
    clock = Clock()
    daemon, dashboard = make(tmp_path, clock), make(tmp_path, clock)
    await daemon.run_once()
    await dashboard.run_once()
    assert hook_posts(server) == []

    feed.body = feed_body(ban())
    clock.advance(minutes=1)
    assert (await daemon.run_once()).assessment.level.name == "WARNING"
    clock.advance(seconds=20)
    assert (await dashboard.run_once()).assessment.level.name == "WARNING"
    assert [p["title"][:28] for p in hook_posts(server)] == ["riskmon: OK -> WARNING"[:28]]

    feed.body = feed_body()
    clock.advance(minutes=1)
    assert (await dashboard.run_once()).assessment.level.name == "OK"  # this time the dashboard is first
    clock.advance(seconds=20)
    assert (await daemon.run_once()).assessment.level.name == "OK"
    titles = [p["title"] for p in hook_posts(server)]
    assert len(titles) == 2 and titles[1].startswith("riskmon: WARNING -> OK")

    feed.body = feed_body(ban())  # a later change of the same kind is news again
    clock.advance(minutes=1)
    await daemon.run_once()
    clock.advance(seconds=20)
    await dashboard.run_once()
    assert len(hook_posts(server)) == 3


async def test_monitors_starting_together_already_warning_announce_it_once(tmp_path: Path, server: Any) -> None:
    """A fresh install, already WARNING: the dashboard and the daemon start at once; the claim in
    history lets one of them announce it (the webhook is slow, so their sends would overlap)."""

    def slow_hook(h: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        stop.wait(0.3)
        respond(h, 200, b"ok", "text/plain")

    feed = Feed(ban())
    write_config(tmp_path / "cfg", feed_url=server.route("/feed", feed), hook_url=server.route("/hook", slow_hook))
    clock = Clock()
    daemon, dashboard = make(tmp_path, clock), make(tmp_path, clock)
    levels = await asyncio.gather(daemon.run_once(), dashboard.run_once())
    assert [ev.assessment.level.name for ev in levels] == ["WARNING", "WARNING"]
    assert [p["title"] for p in hook_posts(server)] == ["riskmon: OK -> WARNING"]
    assert len(daemon.deliveries) + len(dashboard.deliveries) == 1
    clock.advance(minutes=2)
    await asyncio.gather(daemon.run_once(), dashboard.run_once())
    assert len(hook_posts(server)) == 1


async def test_level_change_with_a_new_critical_event_is_one_message(tmp_path: Path, server: Any) -> None:
    feed = Feed()
    hook = server.route("/hook", static("ok", 200, "text/plain"))
    write_config(tmp_path / "cfg", feed_url=server.route("/feed", feed), hook_url=hook)
    (tmp_path / "cfg" / "exposure.toml").write_text(EXPOSURE.replace("0.3", "0.6").replace("0.7", "0.4"))
    clock = Clock()
    m = make(tmp_path, clock)
    assert (await m.run_once()).assessment.level.name == "WARNING"  # 60% on one platform
    feed.body = feed_body(ban())  # now 60% of orders: a critical shock and a critical event
    clock.advance(minutes=2)
    ev = await m.run_once()
    assert ev.assessment.level.name == "CRITICAL"
    posts = hook_posts(server)
    assert [p["title"] for p in posts[:1]] == ["riskmon: OK -> WARNING"], "the first level is announced"
    assert len(posts) == 2
    assert posts[1]["trigger"] == "level_change" and "(+1 more)" in posts[1]["title"]
    assert "New event us-ban" in posts[1]["message"]
    keys = sorted(r["key"] for r in HistoryStore(tmp_path / "history.json").alerts())
    assert keys == ["event:us-ban", "level:CRITICAL", "level:WARNING"]


async def test_renotify_reminds_while_the_level_persists(tmp_path: Path, server: Any) -> None:
    feed = Feed()
    hook = server.route("/hook", static("ok", 200, "text/plain"))
    write_config(tmp_path / "cfg", feed_url=server.route("/feed", feed), hook_url=hook, renotify="1h")
    clock = Clock()
    m = make(tmp_path, clock)
    await m.run_once()
    feed.body = feed_body(ban())
    clock.advance(minutes=2)
    await m.run_once()
    clock.advance(minutes=30)
    await m.run_once()
    assert len(hook_posts(server)) == 1
    clock.advance(minutes=31)
    await m.run_once()
    posts = hook_posts(server)
    assert len(posts) == 2 and posts[1]["title"] == "riskmon: still WARNING"


async def test_failing_channel_backs_off_keeps_the_alert_and_delivers_later(
    tmp_path: Path, server: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    feed = Feed()
    state = {"fail": True}

    def hook_handler(h: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        respond(h, 503 if state["fail"] else 200, b"x", "text/plain")

    hook = server.route("/hook", hook_handler)
    write_config(tmp_path / "cfg", feed_url=server.route("/feed", feed), hook_url=hook)
    clock = Clock()
    m = make(tmp_path, clock)
    await m.run_once()
    feed.body = feed_body(ban())
    clock.advance(minutes=2)
    await m.run_once()  # the change: 3 attempts (dispatch's own retries), all fail
    assert len(server.hits("/hook")) == 3
    assert "alert channel hook failed" in caplog.text
    assert m.deliveries[-1].result.ok is False

    clock.advance(minutes=2)
    await m.run_once()  # backing off: not even tried
    assert len(server.hits("/hook")) == 3

    state["fail"] = False
    m._notifier.channels["hook"].retry_at = time.monotonic() - 1  # the backoff has passed
    clock.advance(minutes=2)
    await m.run_once()
    assert len(server.hits("/hook")) == 4
    assert hook_posts(server)[-1]["title"].startswith("riskmon: OK -> WARNING"), "the kept change, not a reminder"
    clock.advance(minutes=2)
    await m.run_once()
    assert len(server.hits("/hook")) == 4


async def test_overdue_step_alerts_once_when_its_due_moment_passes(tmp_path: Path, server: Any) -> None:
    hook = server.route("/hook", static("ok", 200, "text/plain"))
    playbooks = """replace_bundled = true
[[rules]]
id = "ban-prep"
title = "Prepare for the ban"
kinds = ["ban"]

[[rules.steps]]
id = "export-followers"
due_days = -3
text = "Export the follower list"
"""
    write_config(tmp_path / "cfg", hook_url=hook, playbooks=playbooks)
    (tmp_path / "cfg" / "events.toml").write_text(
        '[[events]]\nid = "us-ban"\ntitle = "US ban"\nkind = "ban"\nplatforms = ["tiktok"]\n'
        'regions = ["US"]\nstatus = "confirmed"\neffective = 2025-01-15\n'
    )
    clock = Clock(datetime(2025, 1, 11, 23, 0, tzinfo=UTC))  # due 2025-01-12 00:00
    m = make(tmp_path, clock)
    await m.run_once()
    assert [p["trigger"] for p in hook_posts(server)] == ["level_change"]  # the first WARNING
    clock.advance(hours=2)
    await m.run_once()
    posts = hook_posts(server)
    assert len(posts) == 2 and posts[1]["trigger"] == "overdue_step"
    assert "Export the follower list" in posts[1]["message"]
    clock.advance(hours=2)
    await m.run_once()
    assert len(hook_posts(server)) == 2


# ---------------------------------------------------------------------------------------------
# The scheduler


async def test_started_monitor_polls_reassesses_on_change_and_stops(tmp_path: Path, server: Any) -> None:
    feed = Feed()
    hook = server.route("/hook", static("ok", 200, "text/plain"))
    prom = tmp_path / "riskmon.prom"
    write_config(tmp_path / "cfg", feed_url=server.route("/feed", feed), every="1s", hook_url=hook, textfile=prom)
    updates: list[MonitorUpdate] = []
    soon = datetime.now(UTC).date() + timedelta(days=5)
    m = make(tmp_path, lambda: datetime.now(UTC), on_update=updates.append)
    m.start()
    try:
        await until(lambda: any(u.primed for u in updates))
        assert updates[-1].evaluation is not None and updates[-1].evaluation.assessment.level.name == "OK"
        assert set(updates[-1].next_polls) == {"agency"} and updates[-1].next_polls["agency"] is not None
        await until(prom.exists)

        feed.body = feed_body(ban(soon.isoformat()))
        await until(lambda: "us-ban" in updates[-1].new_events)
        assert updates[-1].evaluation is not None
        assert updates[-1].evaluation.assessment.level.name == "WARNING"
        await until(lambda: len(hook_posts(server)) == 1)
        await until(lambda: 'riskmon_level{profile="cfg"} 1\n' in prom.read_text())

        feed.mode = "broken"  # the cached events stay; the error is reported
        await until(lambda: updates[-1].feeds[0]["ok"] is False)
        assert updates[-1].evaluation is not None and updates[-1].evaluation.assessment.level.name == "WARNING"
        await until(lambda: 'riskmon_feed_up{profile="cfg",feed="agency"} 0' in prom.read_text())
        assert len(hook_posts(server)) == 1
    finally:
        await m.aclose()
    assert not m.running and m.next_polls() == {"agency": None}, "no poll scheduled after stop"
    hits = len(server.hits("/feed"))
    await asyncio.sleep(1.3)  # the scenario: more than one poll interval passes after the stop
    assert len(server.hits("/feed")) == hits, "no polls after stop"


async def test_polls_of_one_feed_never_overlap(tmp_path: Path, server: Any) -> None:
    feed = Feed()
    feed.mode = "hang"  # each answer takes 1.5 s; the feed is due every 1 s
    write_config(tmp_path / "cfg", feed_url=server.route("/feed", feed), every="1s")
    m = make(tmp_path, lambda: datetime.now(UTC))
    m.start()
    try:
        m.refresh_now()  # a forced poll on top of the scheduled ones
        await until(lambda: len(server.hits("/feed")) >= 2, timeout=8)
    finally:
        await m.aclose()
    assert feed.max_active == 1


def spy(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[tuple[Any, ...]]:
    """Record every call of `module.name` (its arguments, whether it returns or raises), calling through."""
    calls: list[tuple[Any, ...]] = []
    real = getattr(module, name)

    def recorded(*args: Any, **kwargs: Any) -> object:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, recorded)
    return calls


async def test_reload_keeps_last_good_config_and_reports_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(monitor_mod, "RELOAD_EVERY", 0.1)
    looks = spy(monkeypatch, riskmon.live.config_watch, "current_mtimes")
    loaded = spy(monkeypatch, riskmon.live.config_watch, "load_config")
    cfg = write_config(tmp_path / "cfg")
    updates: list[MonitorUpdate] = []
    m = make(tmp_path, Clock(), on_update=updates.append)
    m.start()
    try:
        await until(lambda: any(u.evaluation is not None for u in updates))
        good = m.config
        exposure = cfg / "exposure.toml"
        exposure.write_text(EXPOSURE.replace("order_share = 0.3", "order_share = 3"))
        await until(lambda: updates[-1].config_error is not None)
        u = updates[-1]
        assert u.evaluation is not None and m.config is good
        assert any("exposure.toml" in p and "order_share" in p for p in u.problems)
        n, loads, looked = len(updates), len(loaded), len(looks)
        await until(lambda: len(looks) >= looked + 3)  # three more looks at the files
        assert len(loaded) == loads and len(updates) == n, "the same broken files are not re-read"

        exposure.write_text(EXPOSURE.replace("Test Shop", "Renamed Shop"))
        await until(lambda: updates[-1].config_error is None and m.config is not good)
        await until(
            lambda: (
                updates[-1].evaluation is not None
                and updates[-1].evaluation.assessment.profile.business.name == "Renamed Shop"
            )
        )
    finally:
        await m.aclose()


async def test_start_with_invalid_config_reports_then_recovers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(monitor_mod, "RELOAD_EVERY", 0.1)
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "exposure.toml").write_text("[business\n")
    updates: list[MonitorUpdate] = []
    m = make(tmp_path, Clock(), on_update=updates.append)
    m.start()
    try:
        await until(lambda: bool(updates) and updates[-1].config_error is not None)
        assert updates[-1].evaluation is None and "invalid TOML" in updates[-1].config_error
        write_config(cfg)
        await until(lambda: updates[-1].evaluation is not None and updates[-1].config_error is None)
    finally:
        await m.aclose()


async def test_on_update_errors_do_not_stop_the_monitor(tmp_path: Path) -> None:
    write_config(tmp_path / "cfg")
    calls: list[MonitorUpdate] = []

    def boom(u: MonitorUpdate) -> None:
        calls.append(u)
        raise RuntimeError("listener bug")

    m = make(tmp_path, Clock(), on_update=boom)
    await m.run_once()
    ev = await m.run_once()
    assert len(calls) == 2 and ev.assessment.level.name == "OK"


async def test_snapshots_at_most_once_per_minute_changes_logged_at_once(tmp_path: Path, server: Any) -> None:
    feed = Feed(ban(status="announced"))
    write_config(tmp_path / "cfg", feed_url=server.route("/feed", feed), every="1s")
    clock = Clock()
    m = make(tmp_path, clock)
    await m.run_once()
    feed.body = feed_body(ban(status="confirmed"))
    clock.advance(seconds=20)  # same minute: no second snapshot, but the change is logged
    await m.run_once()
    store = HistoryStore(tmp_path / "history.json")
    assert len(store.snapshots()) == 1
    log = [(e["change"], e["new"]) for e in store.event_log(event_id="us-ban")]
    assert ("status", "confirmed") in log and ("probability", 0.9) in log
    assert m.last_update is not None and m.last_update.changed_events == {
        "us-ban": ("status announced → confirmed", "probability 60% → 90%")
    }
    clock.advance(seconds=45)
    await m.run_once()
    assert len(store.snapshots()) == 2


async def test_heartbeat_pings_and_reports_fail(tmp_path: Path, server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(riskmon.live.notifier, "HEARTBEAT_EVERY", 0)
    hc = server.route("/ping/abc", static("OK", 200, "text/plain"))
    server.route("/ping/abc/fail", static("OK", 200, "text/plain"))
    cfg = write_config(tmp_path / "cfg")
    (cfg / "riskmon.toml").write_text(f'[[alerts]]\nname = "hc"\ntype = "healthchecks"\nurl = "{hc}"\n')
    (cfg / "events.toml").write_text(
        '[[events]]\nid = "us-ban"\ntitle = "US ban"\nkind = "ban"\nplatforms = ["tiktok"]\n'
        'regions = ["US"]\nstatus = "confirmed"\neffective = 2025-01-15\n'
    )
    m = make(tmp_path)
    await m.run_once()
    assert [r.path for r in server.requests] == ["/ping/abc"]  # WARNING is not in fail_on
    exposure = cfg / "exposure.toml"
    exposure.write_text("[business\n")  # the daemon runs on its last good config
    later = exposure.stat().st_mtime + 10  # a change whatever the file system's mtime resolution
    os.utime(exposure, (later, later))
    try:
        await m.run_once()
    finally:
        await m.aclose()  # the reassess the broken edit asked for, and its heartbeat
    assert m.config_error is not None and m.evaluation is not None
    assert [r.path for r in server.requests][-1] == "/ping/abc/fail"
    assert m.deliveries[-1].title == "heartbeat UNKNOWN"


async def test_textfile_failure_is_reported_and_the_loop_goes_on(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file, not a directory")
    write_config(tmp_path / "cfg", textfile=tmp_path / "blocker" / "riskmon.prom")
    m = make(tmp_path)
    ev = await m.run_once()
    assert ev.assessment.level.name == "OK"
    assert m.last_update is not None and m.last_update.export_error is not None
    assert "riskmon.prom not written" in m.last_update.export_error
