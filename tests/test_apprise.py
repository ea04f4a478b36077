"""Alerts through apprise (`type = "apprise"`, the `riskmon[notify]` extra), delivered to a local
HTTP receiver through apprise's JSON target (`json://127.0.0.1:PORT/path`): the service URL comes
from an environment variable, failures are retried and logged and never stop the daemon, and
`check` never imports apprise."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from riskmon.live.alert_channels import dispatch
from riskmon.live.alert_rules import Alert
from riskmon.sources.config.schema import AlertSettings
from tests import support
from tests.servers import LocalServer, local_server, sequence, static
from tests.test_daemon import env as daemon_env

pytest.importorskip("apprise")

NOW = datetime(2025, 1, 17, 15, 0, tzinfo=UTC)
VAR = "RISKMON_TEST_APPRISE_URL"

pytestmark = pytest.mark.usefixtures("no_proxy")


def json_target(server: LocalServer, path: str) -> str:
    """apprise's JSON service: POSTs {"title", "message", "type", ...} to http://host:port/path."""
    return server.url(path).replace("http://", "json://", 1)


def posted(server: LocalServer, path: str) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in server.hits(path) if r.method == "POST"]


def alert(level: str = "CRITICAL") -> Alert:
    return Alert("level_change", "level", f"riskmon: OK -> {level}", "score 74 >= 70\nrunway 3.1 weeks", level, NOW, {})


def channel(*names: str) -> AlertSettings:
    return AlertSettings.model_validate({"type": "apprise", "name": "team", "urls_env": list(names or [VAR])})


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_delivers_title_and_body_to_every_url_of_every_variable(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.route("/a", static("ok", content_type="text/plain"))
    server.route("/b", static("ok", content_type="text/plain"))
    server.route("/c", static("ok", content_type="text/plain"))
    monkeypatch.setenv(VAR, f"{json_target(server, '/a')}, {json_target(server, '/b')}")
    monkeypatch.setenv("RISKMON_TEST_APPRISE_2", json_target(server, "/c"))
    r = dispatch(alert(), channel(VAR, "RISKMON_TEST_APPRISE_2"), last_sent=None, now=NOW, sleep=Sleeps())
    assert r.delivered and r.attempts == 1, r
    for path in ("/a", "/b", "/c"):
        [body] = posted(server, path)
        assert body["title"] == "riskmon: OK -> CRITICAL"
        assert body["message"] == "score 74 >= 70\nrunway 3.1 weeks"
        assert body["type"] == "failure", "CRITICAL is apprise's failure type"


def test_a_failing_target_is_retried_and_logged(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fail = static("busy", status=503, content_type="text/plain")
    server.route("/flaky", sequence(fail, fail, static("ok", content_type="text/plain")))
    monkeypatch.setenv(VAR, json_target(server, "/flaky"))
    sleeps = Sleeps()
    r = dispatch(alert("WARNING"), channel(), last_sent=None, now=NOW, sleep=sleeps)
    assert r.delivered and r.attempts == 3 and sleeps == [0.5, 1.0]
    assert posted(server, "/flaky")[-1]["type"] == "warning"

    server.route("/down", static("down", status=500, content_type="text/plain"))
    monkeypatch.setenv(VAR, json_target(server, "/down"))
    r = dispatch(alert(), channel(), last_sent=None, now=NOW, sleep=Sleeps())
    assert r.sent and not r.ok and r.attempts == 3
    assert r.error is not None and r.error.startswith("apprise: ")
    assert any("team" in rec.getMessage() and "failed after 3" in rec.getMessage() for rec in caplog.records)


def test_a_missing_or_unknown_url_is_not_retried_and_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(VAR, raising=False)
    r = dispatch(alert(), channel(), last_sent=None, now=NOW, sleep=Sleeps())
    assert not r.ok and r.attempts == 1
    assert r.error == f"environment variable {VAR} is not set (it should hold the apprise URL)"
    monkeypatch.setenv(VAR, "nosuchservice://s3cret-token@host")
    r = dispatch(alert(), channel(), last_sent=None, now=NOW, sleep=Sleeps())
    assert not r.ok and r.attempts == 1 and r.error is not None and f"${VAR} holds no URL apprise knows" in r.error
    assert "s3cret" not in r.error


def test_an_apprise_channel_needs_urls_env(tmp_path: Path) -> None:
    cfg = support.write_config(
        tmp_path, exposure=support.SHOP_EXPOSURE, riskmon='[[alerts]]\ntype = "apprise"\nurl = "json://x"\n'
    )
    r = subprocess.run(
        [sys.executable, "-m", "riskmon", "config", "validate", "--config", str(cfg)], capture_output=True, text=True
    )
    assert r.returncode == 1 and "an apprise alert needs urls_env" in r.stdout, r.stdout


RISKMON_TOML = f"""
[[alerts]]
name = "team"
type = "apprise"
urls_env = ["{VAR}"]
"""


def once(tmp_path: Path, cfg: Path, url: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "riskmon", "daemon", "--once", "--config", str(cfg), "--db", str(tmp_path / "h.json")]
    env = daemon_env(tmp_path) | {VAR: url}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)


def test_the_daemon_alerts_through_apprise_and_survives_a_broken_target(tmp_path: Path) -> None:
    ban = support.ban(effective="2025-01-19", status="in_effect")  # 30% of orders: WARNING
    cfg = support.write_config(
        tmp_path, exposure=support.SHOP_EXPOSURE, events=support.events_toml(ban), riskmon=RISKMON_TOML
    )
    with local_server() as server:
        server.route("/down", static("down", status=500, content_type="text/plain"))
        r = once(tmp_path, cfg, json_target(server, "/down"))
        assert r.returncode == 1 and r.stdout.startswith("RISKMON WARNING - "), r.stdout + r.stderr
        assert "alert channel team failed after 3 attempt(s): apprise: " in r.stderr
        assert "Traceback" not in r.stderr and len(server.hits("/down")) == 3

        server.route("/hook", static("ok", content_type="text/plain"))
        r = once(tmp_path, cfg, json_target(server, "/hook"))
        assert r.returncode == 1, r.stdout + r.stderr
        [body] = posted(server, "/hook")
        assert body["title"] == "riskmon: OK -> WARNING" and "us-ban" in body["message"]
        r = once(tmp_path, cfg, json_target(server, "/hook"))
        assert len(posted(server, "/hook")) == 1, "riskmon's own dedupe: the level did not change"


def test_check_never_imports_apprise(tmp_path: Path) -> None:
    cfg = support.write_config(tmp_path, exposure=support.SHOP_EXPOSURE, riskmon=RISKMON_TOML)
    code = textwrap.dedent(f"""
        import sys
        from riskmon.cli.main import main
        rc = main(["check", "--config", {str(cfg)!r}, "--no-history", "--offline", "-f", "json"])
        loaded = sorted(m for m in sys.modules if m.split(".")[0] == "apprise")
        print("LOADED", loaded, file=sys.stderr)
        sys.exit(99 if loaded else rc)
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=daemon_env(tmp_path))
    assert r.returncode == 0, r.stderr[-2000:]
    assert "LOADED []" in r.stderr


def test_a_chinese_seller_reads_the_alert_in_chinese_and_machines_get_english(tmp_path: Path) -> None:
    """In zh-CN, what apprise delivers (DingTalk, WeCom, Feishu... are read by people) is Chinese,
    reasons included; a JSON webhook, which receivers' rules read, keeps the English title."""
    ban = support.ban(effective="2025-01-19", status="in_effect")  # 30% of orders: WARNING
    with local_server() as server:
        server.route("/chat", static("ok", content_type="text/plain"))
        server.route("/hook", static("ok", content_type="text/plain"))
        hook = f'[[alerts]]\nname = "rules"\ntype = "webhook"\nurl = "{server.url("/hook")}"\n'
        cfg = support.write_config(
            tmp_path, exposure=support.SHOP_EXPOSURE, events=support.events_toml(ban), riskmon=RISKMON_TOML + hook
        )
        cmd = [sys.executable, "-m", "riskmon", "daemon", "--once", "--config", str(cfg)]
        cmd += ["--db", str(tmp_path / "h.json")]
        env = daemon_env(tmp_path) | {VAR: json_target(server, "/chat"), "LANG": "zh_CN.UTF-8"}
        env = {k: v for k, v in env.items() if k not in ("LC_ALL", "LC_MESSAGES")}
        r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
        assert r.returncode == 1, r.stdout + r.stderr
        [chat] = posted(server, "/chat")
        assert chat["title"] == "riskmon：OK → WARNING", chat
        assert chat["message"].startswith("风险等级 WARNING，风险分 "), chat
        assert "会砍掉 30% 的订单" in chat["message"].splitlines()[1], chat  # the rule's reason, in Chinese
        [machine] = posted(server, "/hook")
        assert machine["title"] == "riskmon: OK -> WARNING", machine
        assert machine["message"].startswith("Risk level WARNING, score "), machine
