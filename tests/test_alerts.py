"""Alerts (derivation, dedupe, delivery against a local webhook receiver) and the .prom writer."""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from riskmon.core.settings import AlertSettings
from riskmon.live.alert_channels import dispatch, heartbeat, payload_for
from riskmon.live.alert_rules import Alert, Told, alerts_for, channel_id, due_alerts, news_alerts
from riskmon.live.exporters import write_textfile
from tests.support import validated

try:
    from tests.servers import hang, local_server, sequence, static
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    from servers import hang, local_server, sequence, static  # type: ignore[no-redef]

NOW = datetime(2025, 1, 17, 15, 0, tzinfo=UTC)


pytestmark = pytest.mark.usefixtures("no_proxy")


def assessment(level: str = "CRITICAL", **kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "level": level,
        "exit_code": {"OK": 0, "WARNING": 1, "CRITICAL": 2}.get(level, 3),
        "score": 74.2,
        "reasons": ["score 74 >= 70", "runway 3.1 weeks < 4"],
        "thresholds": {"warn": 40, "crit": 70, "shock_warn": 0.2, "shock_crit": 0.5},
        "events": [
            {
                "id": "us-ban",
                "title": "US ban",
                "score": 71.0,
                "shock": 0.35,
                "probability": 0.9,
                "expected_loss": 120000.0,
            },
            {
                "id": "id-closure",
                "title": "Indonesia",
                "score": 12.0,
                "shock": 0.6,
                "probability": 0.5,
                "expected_loss": 1000.0,
            },
            {
                "id": "fee",
                "title": "Fee change",
                "score": 30.0,
                "shock": 0.6,
                "probability": 0.4,
                "expected_loss": 1000.0,
            },
        ],
        "now": NOW.isoformat(),
    }
    return base | kw


def channel(**kw: Any) -> AlertSettings:
    return validated("AlertSettings", {"type": "webhook", "url": "http://127.0.0.1:9/x"} | kw)


def alert(**kw: Any) -> Alert:
    fields: dict[str, Any] = {
        "trigger": "critical_event",
        "key": "event:us-ban",
        "title": "riskmon: new critical event: US ban",
        "message": "New event us-ban",
        "level": "CRITICAL",
        "at": NOW,
        "data": assessment(),
    } | kw
    return Alert(**fields)


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


# ---------------------------------------------------------------------------------------------
# alerts_for (pure)


def test_level_change_is_an_edge_alert():
    got = alerts_for("WARNING", assessment(), NOW, {"us-ban", "id-closure", "fee"}, [])
    assert len(got) == 1
    a = got[0]
    assert (a.trigger, a.key, a.level, a.edge, a.at) == ("level_change", "level:CRITICAL", "CRITICAL", True, NOW)
    assert a.title == "riskmon: WARNING -> CRITICAL"
    assert a.message.splitlines() == ["Risk level CRITICAL, score 74/100.", "score 74 >= 70", "runway 3.1 weeks < 4"]
    assert a.data["level"] == "CRITICAL"


def test_persisting_level_gives_a_reminder_and_ok_gives_nothing():
    known = {"us-ban", "id-closure", "fee"}
    (reminder,) = alerts_for("CRITICAL", assessment(), NOW, known, [])
    assert reminder.key == "level:CRITICAL" and not reminder.edge and reminder.title == "riskmon: still CRITICAL"
    assert alerts_for("OK", assessment("OK", reasons=[]), NOW, known, []) == []
    (first,) = alerts_for(None, assessment(), NOW, known, [])  # nothing announced yet: from OK
    assert first.edge and first.title == "riskmon: OK -> CRITICAL"
    (recovery,) = alerts_for("CRITICAL", assessment("OK"), NOW, known, [])
    assert recovery.edge and recovery.key == "level:OK"


def test_new_critical_events_by_score_or_shock():
    got = news_alerts(assessment(), NOW, set(), [])
    assert [a.key for a in got] == ["event:us-ban", "event:id-closure"]  # fee: p 0.4 < 0.5
    assert "score 71 >= 70" in got[0].message and "expected loss 120,000" in got[0].message
    assert "removes 60% of orders" in got[1].message
    assert all(a.trigger == "critical_event" and not a.edge for a in got)
    assert alerts_for("CRITICAL", assessment(), NOW, {"us-ban", "id-closure"}, [])[1:] == []


def test_overdue_steps():
    steps = [
        {
            "event_id": "us-ban",
            "step_id": "export",
            "text": "Export followers",
            "due": datetime(2025, 1, 15, tzinfo=UTC),
        }
    ]
    (a,) = news_alerts(assessment(), NOW, {"us-ban", "id-closure"}, steps)
    assert a.trigger == "overdue_step" and a.key == "step:us-ban:export"
    assert a.title == "riskmon: overdue: Export followers"
    assert a.message == "Playbook step overdue since 2025-01-15 00:00 UTC for us-ban: Export followers"


def test_untrusted_text_in_alerts_is_cleaned():
    data = assessment(events=[{"id": "x", "title": "\x1b]0;pwned\x07[b]Ban[/b]\x1b[31m", "score": 99}])
    (a,) = news_alerts(data, NOW, set(), [])
    assert "\x1b" not in a.title and "\x07" not in a.title and a.title.endswith("[b]Ban[/b]")


# ---------------------------------------------------------------------------------------------
# What a channel was told, and what is due on it (pure)


def test_a_channel_never_told_anything_starts_from_ok():
    told = Told()
    (first,) = due_alerts(channel(), told, assessment("WARNING"), [], NOW)
    assert first.edge and first.title == "riskmon: OK -> WARNING"
    assert due_alerts(channel(), told, assessment("OK", reasons=[]), [], NOW) == [], "OK to OK is no news"
    assert due_alerts(channel(on=["critical_event"]), told, assessment("WARNING"), [], NOW) == []


def test_what_history_says_a_channel_was_told_decides_what_is_due():
    records = [
        {"trigger": "level_change", "key": "level:WARNING", "level": "WARNING", "at": NOW - timedelta(hours=3)},
        {"trigger": "critical_event", "key": "event:us-ban", "level": "CRITICAL", "at": NOW - timedelta(hours=2)},
        {"trigger": "level_change", "key": "level:CRITICAL", "level": "CRITICAL", "at": NOW - timedelta(hours=2)},
    ]
    told = Told.from_records(records)
    assert told.level == "CRITICAL" and told.sent["event:us-ban"] == NOW - timedelta(hours=2)
    news = news_alerts(assessment(), NOW, set(), [])  # us-ban and id-closure look new to this process
    due = due_alerts(channel(), told, assessment(), news, NOW)
    assert [a.key for a in due] == ["event:id-closure"], "the level and us-ban were announced already"
    hourly = due_alerts(channel(renotify="1h"), told, assessment(), news, NOW)
    assert [(a.key, a.title) for a in hourly][:2] == [
        ("level:CRITICAL", "riskmon: still CRITICAL"),
        ("event:us-ban", "riskmon: new critical event: US ban"),
    ]
    (recovery,) = due_alerts(channel(), told, assessment("OK", reasons=[]), [], NOW)
    assert recovery.edge and recovery.title == "riskmon: CRITICAL -> OK"
    told.learn(recovery.trigger, recovery.key, recovery.level, NOW)
    assert told.level == "OK" and due_alerts(channel(), told, assessment("OK", reasons=[]), [], NOW) == []


# ---------------------------------------------------------------------------------------------
# dispatch: on, dedupe, renotify


def test_trigger_not_enabled_is_skipped():
    r = dispatch(alert(), channel(on=["level_change"]), last_sent=None, now=NOW)
    assert (r.sent, r.ok, r.attempts) == (False, True, 0)
    assert r.skipped_reason == "critical_event is not in this channel's `on`"


def test_dedupe_and_renotify(server):
    url = server.route("/hook", static(""))
    once = channel(url=url)
    r = dispatch(alert(), once, last_sent=NOW - timedelta(days=30), now=NOW)
    assert not r.sent and r.skipped_reason is not None and r.skipped_reason.startswith("already sent at")
    hourly = channel(url=url, renotify="1h")
    r = dispatch(alert(), hourly, last_sent=NOW - timedelta(minutes=30), now=NOW)
    assert not r.sent and r.skipped_reason is not None and "renotify at 2025-01-17T15:30:00" in r.skipped_reason
    assert server.hits("/hook") == []
    r = dispatch(alert(), hourly, last_sent=NOW - timedelta(minutes=61), now=NOW)
    assert r.delivered and r.attempts == 1
    r = dispatch(alert(), once, last_sent=None, now=NOW)
    assert r.delivered
    # A level change is news: delivered whatever last_sent says.
    r = dispatch(alert(trigger="level_change", key="level:CRITICAL", edge=True), once, last_sent=NOW, now=NOW)
    assert r.delivered
    assert len(server.hits("/hook")) == 3


# ---------------------------------------------------------------------------------------------
# Webhooks against a local receiver


def test_webhook_json_payload(server, monkeypatch):
    url = server.route("/hook", static(""))
    monkeypatch.setenv("RISKMON_TEST_HOOK_TOKEN", "t0ken")
    r = dispatch(alert(), channel(url=url, headers={"X-Token": "RISKMON_TEST_HOOK_TOKEN"}), last_sent=None, now=NOW)
    assert r.delivered and r.error is None
    (req,) = server.hits("/hook")
    assert req.method == "POST" and req.headers["Content-Type"] == "application/json"
    assert req.headers["X-Token"] == "t0ken"
    body = json.loads(req.body)
    assert set(body) == {"trigger", "key", "title", "message", "level", "at", "assessment"}
    assert body["key"] == "event:us-ban" and body["at"] == NOW.isoformat()
    assert body["assessment"]["events"][0]["id"] == "us-ban"


def test_webhook_missing_header_variable_is_not_retried(server, monkeypatch):
    url = server.route("/hook", static(""))
    monkeypatch.delenv("RISKMON_NOPE", raising=False)
    r = dispatch(
        alert(), channel(url=url, headers={"Authorization": "RISKMON_NOPE"}), last_sent=None, now=NOW, sleep=Sleeps()
    )
    assert (
        not r.ok and r.attempts == 1 and r.error == "header Authorization: environment variable RISKMON_NOPE is not set"
    )
    assert server.hits("/hook") == []


def test_webhook_slack_payload_escapes_pings(server):
    url = server.route("/slack", static("ok", content_type="text/plain"))
    a = alert(title="New <!channel> ban & more", message="see <https://x|x>")
    assert dispatch(a, channel(url=url, payload="slack"), last_sent=None, now=NOW).delivered
    body = json.loads(server.hits("/slack")[0].body)
    assert body == {"text": "*New &lt;!channel&gt; ban &amp; more*\nsee &lt;https://x|x&gt;"}


def test_webhook_discord_payload_is_capped(server):
    url = server.route("/discord", static("", status=204))
    a = alert(message="x" * 5000)
    assert dispatch(a, channel(url=url, payload="discord"), last_sent=None, now=NOW).delivered
    body = json.loads(server.hits("/discord")[0].body)
    assert set(body) == {"content", "allowed_mentions"} and body["allowed_mentions"] == {"parse": []}
    assert len(body["content"]) == 2000 and body["content"].startswith("**riskmon: new critical event: US ban**\n")


def test_payload_shapes_without_network():
    a = alert()
    assert payload_for(a, "json")["assessment"] is a.data
    assert payload_for(a, "slack")["text"].startswith("*riskmon")
    assert payload_for(a, "discord")["content"].startswith("**riskmon")


def test_retries_with_backoff_then_success(server):
    fail = static('{"error":"busy"}', status=500)
    url = server.route("/flaky", sequence(fail, fail, static("")))
    sleeps = Sleeps()
    r = dispatch(alert(), channel(url=url), last_sent=None, now=NOW, sleep=sleeps)
    assert r.delivered and r.attempts == 3 and r.error is None
    assert sleeps.calls == [0.5, 1.0]
    assert len(server.hits("/flaky")) == 3


def test_persistent_failure_is_reported_not_raised(server, caplog):
    url = server.route("/down", static("down for maintenance", status=503, content_type="text/plain"))
    sleeps = Sleeps()
    r = dispatch(alert(), channel(url=url, name="ops"), last_sent=None, now=NOW, sleep=sleeps)
    assert r.sent and not r.ok and not r.delivered and r.attempts == 3
    assert r.error == "HTTP 503: down for maintenance"
    assert sleeps.calls == [0.5, 1.0]
    assert any("ops" in rec.getMessage() and "failed after 3" in rec.getMessage() for rec in caplog.records)


def test_client_errors_are_not_retried(server):
    url = server.route("/gone", static("no such hook", status=404, content_type="text/plain"))
    r = dispatch(alert(), channel(url=url), last_sent=None, now=NOW, sleep=Sleeps())
    assert not r.ok and r.attempts == 1 and r.error is not None and r.error.startswith("HTTP 404")


def test_redirects_are_not_followed(server, monkeypatch):
    monkeypatch.setenv("RISKMON_TEST_HOOK_TOKEN", "t0ken")
    secret = {"X-Token": "RISKMON_TEST_HOOK_TOKEN"}
    with local_server() as elsewhere:  # another origin, which must never see the token
        target = elsewhere.route("/hook", static("ok", content_type="text/plain"))
        url = server.route("/moved", static("", status=301, headers={"Location": target}))
        r = dispatch(alert(), channel(url=url, headers=secret), last_sent=None, now=NOW, sleep=Sleeps())
        hc = validated("AlertSettings", {"type": "healthchecks", "url": url, "headers": secret})
        beat = heartbeat(hc, "OK", NOW, sleep=Sleeps())
    assert not r.ok and r.attempts == 1 and not beat.ok
    assert r.error == f"HTTP 301: redirect to {target} not followed; configure the final URL"
    assert server.hits("/moved")[0].headers["X-Token"] == "t0ken" and elsewhere.requests == []


def test_unreachable_and_hanging_receivers(server):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = dispatch(alert(), channel(url=f"http://127.0.0.1:{port}/x"), last_sent=None, now=NOW, sleep=Sleeps())
    assert not r.ok and r.attempts == 3 and r.error is not None and r.error.startswith("ConnectError")
    url = server.route("/hang", hang)
    t0 = time.monotonic()
    r = dispatch(alert(), channel(url=url), last_sent=None, now=NOW, sleep=Sleeps(), timeout=0.3, attempts=2)
    assert not r.ok and r.error == "timed out after 0.3s" and r.attempts == 2
    assert time.monotonic() - t0 < 2.0


# ---------------------------------------------------------------------------------------------
# Commands and desktop notifications

RECEIVER = """
import json, os, sys
data = json.load(sys.stdin)
with open(sys.argv[1], "w") as fh:
    json.dump({"data": data, "trigger": os.environ["RISKMON_TRIGGER"], "level": os.environ["RISKMON_LEVEL"],
               "title": os.environ["RISKMON_TITLE"]}, fh)
"""


def test_command_gets_assessment_on_stdin(tmp_path):
    script = tmp_path / "receiver.py"
    script.write_text(RECEIVER)
    out = tmp_path / "got.json"
    ch = AlertSettings(type="command", argv=[sys.executable, str(script), str(out)])
    r = dispatch(alert(), ch, last_sent=None, now=NOW)
    assert r.delivered, r.error
    got = json.loads(out.read_text())
    assert got["data"] == json.loads(json.dumps(assessment()))
    assert (got["trigger"], got["level"]) == ("critical_event", "CRITICAL")
    assert got["title"] == "riskmon: new critical event: US ban"


def test_command_failure_reports_last_stderr_line(tmp_path):
    code = (
        "import sys; sys.stdin.read(); print('first', file=sys.stderr); "
        "print('boom: bad token', file=sys.stderr); sys.exit(4)"
    )
    ch = AlertSettings(type="command", argv=[sys.executable, "-c", code])
    sleeps = Sleeps()
    r = dispatch(alert(), ch, last_sent=None, now=NOW, sleep=sleeps)
    assert not r.ok and r.error == "exit status 4: boom: bad token" and r.attempts == 3
    assert sleeps.calls == [0.5, 1.0]


def test_command_is_not_run_through_a_shell(tmp_path):
    marker = tmp_path / "pwned"
    ch = AlertSettings(type="command", argv=[f"true; touch {marker}"])
    r = dispatch(alert(), ch, last_sent=None, now=NOW, sleep=Sleeps())
    assert not r.ok and r.attempts == 1 and r.error is not None and r.error.startswith("command not found")
    assert not marker.exists()


def test_command_timeout(tmp_path):
    ch = AlertSettings(type="command", argv=[sys.executable, "-c", "import time; time.sleep(5)"])
    t0 = time.monotonic()
    r = dispatch(alert(), ch, last_sent=None, now=NOW, sleep=Sleeps(), timeout=0.3, attempts=1)
    assert not r.ok and r.error == "timed out after 0.3s" and time.monotonic() - t0 < 3


def test_desktop_without_notify_send(monkeypatch):
    monkeypatch.setattr("riskmon.live.alert_channels.shutil.which", lambda name: None)
    r = dispatch(alert(), AlertSettings(type="desktop"), last_sent=None, now=NOW, sleep=Sleeps())
    assert (r.sent, r.ok, r.error, r.attempts) == (True, False, "notify-send not found", 1)


def test_desktop_with_fake_notify_send(tmp_path, monkeypatch):
    log = tmp_path / "argv.json"
    fake = tmp_path / "bin" / "notify-send"
    fake.parent.mkdir()
    fake.write_text(f"#!{sys.executable}\nimport json, sys\njson.dump(sys.argv[1:], open({str(log)!r}, 'w'))\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    r = dispatch(alert(message="a < b & c"), AlertSettings(type="desktop"), last_sent=None, now=NOW)
    assert r.delivered, r.error
    assert json.loads(log.read_text()) == [
        "--app-name=riskmon",
        "--urgency=critical",
        "--",
        "riskmon: new critical event: US ban",
        "a &lt; b &amp; c",
    ]


# ---------------------------------------------------------------------------------------------
# healthchecks heartbeats


def test_healthchecks_heartbeat(server):
    server.route("/ping/abc", static("OK", content_type="text/plain"))
    server.route("/ping/abc/fail", static("OK", content_type="text/plain"))
    ch = AlertSettings(type="healthchecks", url=server.url("/ping/abc"), fail_on=["CRITICAL", "UNKNOWN"])
    assert heartbeat(ch, "WARNING", NOW).delivered
    assert heartbeat(ch, "CRITICAL", NOW).delivered
    assert [r.path for r in server.requests] == ["/ping/abc", "/ping/abc/fail"]
    assert server.requests[1].body == b"riskmon CRITICAL at 2025-01-17T15:00:00+00:00"
    # Heartbeats are not alerts.
    r = dispatch(alert(), ch, last_sent=None, now=NOW)
    assert not r.sent and r.skipped_reason == "healthchecks channels get heartbeats, not alerts"
    assert heartbeat(channel(), "OK", NOW).skipped_reason == "not a healthchecks channel"


def test_healthchecks_failure_never_raises(server):
    url = server.route("/hc", static("", status=500))
    r = heartbeat(AlertSettings(type="healthchecks", url=url), "OK", NOW, sleep=Sleeps())
    assert not r.ok and r.attempts == 3 and r.error is not None and r.error.startswith("HTTP 500")


def test_channel_id():
    assert channel_id(AlertSettings(type="desktop"), 2) == "desktop#2"
    assert channel_id(AlertSettings(type="desktop", name="laptop"), 2) == "laptop"


# ---------------------------------------------------------------------------------------------
# Prometheus textfile


def test_write_textfile_atomic(tmp_path):
    target = tmp_path / "textfile" / "riskmon.prom"
    write_textfile(target, "riskmon_score 42")
    assert target.read_text() == "riskmon_score 42\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    write_textfile(target, "riskmon_score 43\n")
    assert target.read_text() == "riskmon_score 43\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["riskmon.prom"]


def test_write_textfile_failure_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / "riskmon.prom"
    write_textfile(target, "riskmon_score 1\n")

    def broken(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("riskmon.fileio.os.replace", broken)
    with pytest.raises(OSError):
        write_textfile(target, "riskmon_score 2\n")
    assert target.read_text() == "riskmon_score 1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["riskmon.prom"]
