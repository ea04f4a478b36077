"""Alerts pushed to Prometheus Alertmanager's v2 API: the state machine (fires, re-posts while
firing, resolves old labels on a change of severity, resolves on OK, retries after a failure) and
a real Alertmanager on localhost fed by a fleet daemon and by a single-profile daemon: labels,
annotations, grouping, resolution, all read back through Alertmanager's own API."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from riskmon.live.alert_channels import DeliveryResult
from riskmon.live.alertmanager import AlertmanagerPush, AmAlert, level_alert
from riskmon.sources.config.schema import AlertSettings
from tests.fleet_support import Proc, alertmanager, env, fleet_daemon, get_json, riskmon
from tests.waiting import wait_until

pytestmark = pytest.mark.usefixtures("no_proxy")


def channel(url: str = "http://am.invalid:9093", renotify: str | None = None) -> AlertSettings:
    return AlertSettings.model_validate({"type": "alertmanager", "url": url, "renotify": renotify})


class Recorder:
    """Stands in for Alertmanager: every post's body; `fail` makes posts fail."""

    def __init__(self) -> None:
        self.posts: list[list[dict[str, Any]]] = []
        self.fail = False

    def __call__(self, ch: Any, alerts: list[dict[str, Any]]) -> DeliveryResult:
        self.posts.append(alerts)
        if self.fail:
            return DeliveryResult(True, None, False, "HTTP 503: unavailable", 1)
        return DeliveryResult(True, None, True, None, 1)


def alert(level: str, profile: str = "acme") -> AmAlert:
    made = level_alert(
        level,
        {"profile": profile, "team": "eu"},
        summary=f"{profile} is {level}",
        reasons=["score 80 >= critical 70", "runway 3 wk < 4"],
        next_action="Move stock out of the TikTok warehouse",
        runbook="riskmon check -v",
    )
    assert made is not None
    return made


def ended(doc: dict[str, Any]) -> bool:
    return datetime.fromisoformat(doc["endsAt"].replace("Z", "+00:00")) <= datetime.now(UTC)


def test_fires_changes_severity_and_resolves() -> None:
    post = Recorder()
    push = AlertmanagerPush(post)
    ch = [channel()]
    push.set(ch, "acme", alert("WARNING"))
    push.flush()
    (fired,) = post.posts[-1]
    assert fired["labels"] == {"alertname": "RiskmonRisk", "profile": "acme", "team": "eu", "severity": "warning"}
    assert fired["annotations"]["summary"] == "acme is WARNING"
    assert fired["annotations"]["description"] == "score 80 >= critical 70\nrunway 3 wk < 4"
    assert fired["annotations"]["next_action"] == "Move stock out of the TikTok warehouse"
    assert not ended(fired) and fired["startsAt"].endswith("Z")
    assert push.flush() == [], "nothing changed and no re-post is due"

    push.set(ch, "acme", alert("CRITICAL"))
    push.flush()
    by_severity = {a["labels"]["severity"]: a for a in post.posts[-1]}
    assert ended(by_severity["warning"]) and not ended(by_severity["critical"]), "old labels resolved, new fire"
    assert by_severity["warning"]["startsAt"] == fired["startsAt"]

    push.set(ch, "acme", None)
    push.flush()
    (resolved,) = post.posts[-1]
    assert resolved["labels"]["severity"] == "critical" and ended(resolved)
    count = len(post.posts)
    assert push.flush(force=True) == [] and len(post.posts) == count, "nothing fires: nothing to say"


def test_firing_alerts_are_reposted_every_renotify() -> None:
    post = Recorder()
    push = AlertmanagerPush(post)
    push.set([channel(renotify="1s")], "acme", alert("CRITICAL"))
    push.flush()
    first = post.posts[-1][0]
    ends = datetime.fromisoformat(first["endsAt"].replace("Z", "+00:00"))
    assert timedelta(seconds=3) < ends - datetime.now(UTC) <= timedelta(seconds=4), "endsAt: four re-posts ahead"
    wait_until(lambda: push.flush(), timeout=5)
    assert len(post.posts) == 2 and post.posts[-1][0]["startsAt"] == first["startsAt"]


def test_a_failed_post_is_kept_and_tried_again() -> None:
    post = Recorder()
    push = AlertmanagerPush(post)
    post.fail = True
    push.set([channel()], "acme", alert("WARNING"))
    (failed,) = push.flush()
    assert not failed.result.ok and push.flush() == [], "backing off"
    post.fail = False
    (ok,) = push.flush(force=True) or [None]  # type: ignore[list-item]
    assert ok is None or ok.result.ok
    assert push.firing() == {"http://am.invalid:9093/api/v2/alerts": [alert("WARNING").labels]}


def test_a_profile_whose_channel_went_away_resolves_there() -> None:
    post = Recorder()
    push = AlertmanagerPush(post)
    push.set([channel("http://a.invalid")], "acme", alert("WARNING"))
    push.flush()
    push.set([channel("http://b.invalid")], "acme", alert("WARNING"))
    push.flush()
    bodies = {json.dumps(b, sort_keys=True) for b in post.posts[-2:]}
    assert len(bodies) == 2
    assert push.firing()["http://a.invalid/api/v2/alerts"] == []


# ---------------------------------------------------------------------------------------------
# A real Alertmanager

CALM = """\
[business]
name = "Calm Shop"
monthly_revenue = 100000
gross_margin = 0.4
monthly_fixed_costs = 10000
cash_on_hand = 900000

[[channels]]
id = "shop"
platform = "shopify"
kind = "own_store"
order_share = 1.0
"""


def tiktok_seller(share: float, name: str) -> str:
    return f"""\
[business]
name = "{name}"
monthly_revenue = 100000
gross_margin = 0.4
monthly_fixed_costs = 10000
cash_on_hand = 900000

[[channels]]
id = "tiktok"
platform = "tiktok"
kind = "social_shop"
regions = ["US"]
order_share = {share}

[[channels]]
id = "shop"
platform = "shopify"
kind = "own_store"
order_share = {round(0.95 - share, 2)}
"""


def ban_soon() -> str:
    soon = date.today() + timedelta(days=5)
    return f"""\
[[events]]
id = "us-ban"
title = "US ban"
kind = "ban"
platforms = ["tiktok"]
regions = ["US"]
status = "confirmed"
effective = {soon.isoformat()}
"""


def am_alerts(url: str) -> list[dict[str, Any]]:
    return list(get_json(f"{url}/api/v2/alerts") or [])


def by_profile(url: str) -> dict[str, dict[str, Any]]:
    return {a["labels"]["profile"]: a for a in am_alerts(url)}


def write_profile(fleet: Path, name: str, exposure: str) -> None:
    d = fleet / name
    d.mkdir(parents=True, exist_ok=True)
    (d / "exposure.toml").write_text(exposure)
    (d / "events.toml").write_text(ban_soon())


def test_a_fleet_daemon_fires_groups_and_resolves_in_a_real_alertmanager(tmp_path: Path) -> None:
    with alertmanager(tmp_path) as am:
        fleet = tmp_path / "fleet"
        write_profile(fleet, "crit", tiktok_seller(0.9, "Crit Co"))
        write_profile(fleet, "warn", tiktok_seller(0.3, "Warn Co"))
        write_profile(fleet, "calm", CALM)
        (fleet / "broken").mkdir()
        (fleet / "broken" / "exposure.toml").write_text("[business\n")
        (fleet / "fleet.toml").write_text(
            '[profiles.crit]\nlabels = { team = "eu", client = "crit-co" }\n'
            '[profiles.warn]\nlabels = { team = "eu" }\n'
            '[profiles.broken]\nlabels = { team = "us" }\n'
            f'[[routes]]\n[[routes.alerts]]\ntype = "alertmanager"\nurl = "{am}"\nrenotify = "2s"\n'
        )
        checked = riskmon(tmp_path, "fleet", "check", str(fleet), "-f", "json", "--no-history")
        docs = {p["profile"]: p for p in json.loads(checked.stdout)["profiles"]}
        levels = {name: p["level"] for name, p in docs.items()}
        assert levels == {"crit": "CRITICAL", "warn": "WARNING", "calm": "OK", "broken": "UNKNOWN"}
        with fleet_daemon(tmp_path, fleet) as daemon:
            alerts = daemon.wait_for(lambda: by_profile(am).keys() == {"crit", "warn", "broken"} and by_profile(am))
            assert alerts["crit"]["labels"] == {
                "alertname": "RiskmonRisk",
                "profile": "crit",
                "team": "eu",
                "client": "crit-co",
                "severity": "critical",
            }
            assert alerts["warn"]["labels"]["severity"] == "warning"
            assert alerts["broken"]["labels"] == {
                "alertname": "RiskmonUnknown",
                "profile": "broken",
                "team": "us",
                "severity": "warning",
            }
            notes = alerts["crit"]["annotations"]
            assert notes["summary"] == "crit: Crit Co is CRITICAL, score " + notes["summary"].rsplit("score ", 1)[1]
            assert notes["description"] == notes["reasons"] == "\n".join(docs["crit"]["reasons"])
            assert notes["runbook"].startswith("riskmon check --config ") and notes["next_action"]
            assert "exposure.toml" in alerts["broken"]["annotations"]["description"]
            groups = daemon.wait_for(lambda: _groups(am).get(("RiskmonRisk", "eu")))
            assert sorted(a["labels"]["profile"] for a in groups) == ["crit", "warn"]

            # crit sells off TikTok: OK, its alert resolves; warn grows on TikTok: warning -> critical.
            write_profile(fleet, "crit", CALM)
            write_profile(fleet, "warn", tiktok_seller(0.9, "Warn Co"))
            daemon.wait_for(lambda: "crit" not in by_profile(am))
            daemon.wait_for(lambda: by_profile(am).get("warn", {}).get("labels", {}).get("severity") == "critical")
            assert [a["labels"]["severity"] for a in am_alerts(am) if a["labels"]["profile"] == "warn"] == ["critical"]
            # A profile removed on disk: its alert resolves too.
            for f in (fleet / "broken").iterdir():
                f.unlink()
            (fleet / "broken").rmdir()
            daemon.wait_for(lambda: "broken" not in by_profile(am))
        assert daemon.proc.returncode == 0, daemon.text()


def _groups(url: str) -> dict[tuple[str, str], list[dict[str, Any]]]:
    out = {}
    for g in get_json(f"{url}/api/v2/alerts/groups") or []:
        labels = g.get("labels", {})
        out[(labels.get("alertname", ""), labels.get("team", ""))] = g.get("alerts", [])
    return out


def test_a_single_profile_daemon_fires_and_resolves(tmp_path: Path) -> None:
    with alertmanager(tmp_path) as am:
        cfg = tmp_path / "harbor"
        write_profile(tmp_path, "harbor", tiktok_seller(0.9, "Harbor"))
        (cfg / "riskmon.toml").write_text(f'[[alerts]]\ntype = "alertmanager"\nurl = "{am}"\n')
        daemon = Proc(
            [sys.executable, "-m", "riskmon", "daemon", "--config", str(cfg), "--db", str(tmp_path / "h.json")],
            tmp_path / "single.log",
            env=env(tmp_path),
        )
        try:
            fired = daemon.wait_for(lambda: by_profile(am).get("harbor"))
            assert fired["labels"] == {"alertname": "RiskmonRisk", "profile": "harbor", "severity": "critical"}
            (cfg / "exposure.toml").write_text(CALM)
            daemon.wait_for(lambda: "harbor" not in by_profile(am))
        finally:
            assert daemon.stop() == 0, daemon.text()


def test_an_alertmanager_channel_needs_a_url(tmp_path: Path) -> None:
    cfg = tmp_path / "cfg"
    write_profile(tmp_path, "cfg", CALM)
    (cfg / "riskmon.toml").write_text('[[alerts]]\ntype = "alertmanager"\n')
    r = riskmon(tmp_path, "config", "validate", "--config", str(cfg))
    assert r.returncode == 1 and "riskmon.toml:1: alerts[0].url: an alertmanager alert needs url" in r.stdout + r.stderr
    assert isinstance(r, subprocess.CompletedProcess)
