"""`riskmon fleet daemon` in a subprocess: /metrics over HTTP, profiles added, removed and edited on
disk picked up live, an invalid edit keeping the last good config, fleet.toml reloaded, the shared
feed polled once for every profile, history per profile, the fleet's textfile; and the
FleetMonitor's run_once in process."""

from __future__ import annotations

import json
import re
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from riskmon.live.fleet import FleetMonitor
from riskmon.store.history import HistoryStore
from tests.fleet_support import (
    BROKEN,
    EVENTS,
    Proc,
    env,
    exposure,
    fleet_daemon,
    free_port,
    get,
    make_fleet,
    profile_name,
)
from tests.servers import local_server, static

pytestmark = pytest.mark.usefixtures("no_proxy")


def metrics(port: int) -> str:
    status, body = get(f"http://127.0.0.1:{port}/metrics")
    return body if status == 200 else ""


def level(text: str, profile: str) -> str | None:
    m = re.search(rf'^riskmon_level\{{profile="{re.escape(profile)}"[^}}]*\}} (\d)$', text, re.M)
    return m.group(1) if m else None


def profiles(text: str) -> set[str]:
    return set(re.findall(r'^riskmon_level\{profile="([^"]+)"', text, re.M))


def test_profiles_added_removed_and_edited_on_disk_are_picked_up_live(tmp_path: Path) -> None:
    fleet = make_fleet(tmp_path / "fleet", 3)
    port = free_port()
    data = tmp_path / "fleetdata"
    with fleet_daemon(tmp_path, fleet, "--listen", f"127.0.0.1:{port}") as d:
        d.wait_for(lambda: profiles(metrics(port)) == {profile_name(i) for i in range(3)})
        status, _ = get(f"http://127.0.0.1:{port}/nothing")
        assert status == 404
        first = metrics(port)

        # A new seller: its own series appear; nobody else's change.
        new = fleet / "newcomer"
        new.mkdir()
        (new / "events.toml").write_text(EVENTS)
        (new / "exposure.toml").write_text(exposure(99))
        d.wait_for(lambda: "newcomer" in profiles(metrics(port)))

        # An edit: one seller's cash runs out; its level goes up.
        cfg = fleet / profile_name(0) / "exposure.toml"
        broke = re.sub(r"cash_on_hand = \d+", "cash_on_hand = 0", exposure(0))
        cfg.write_text(re.sub(r"monthly_fixed_costs = \d+", "monthly_fixed_costs = 900000", broke))
        d.wait_for(lambda: level(metrics(port), profile_name(0)) == "2")
        assert level(first, profile_name(1)) == level(metrics(port), profile_name(1)), "the others unchanged"

        # An invalid edit keeps the last good config running and says so.
        cfg.write_text(BROKEN["range"])
        d.wait_for(lambda: f'riskmon_config_ok{{profile="{profile_name(0)}"}} 0' in metrics(port))
        assert level(metrics(port), profile_name(0)) == "2", "the last good config is still assessed"
        d.wait_for(lambda: "business.monthly_revenue: must be 0 or more" in d.text())

        # A profile removed: its series go.
        (fleet / profile_name(2) / "exposure.toml").unlink()
        d.wait_for(lambda: profile_name(2) not in profiles(metrics(port)))

        # fleet.toml edited: labels appear on that profile's series.
        (fleet / "fleet.toml").write_text('[profiles.newcomer]\nlabels = { client = "nc", team = "apac" }\n')
        d.wait_for(lambda: 'riskmon_level{profile="newcomer",client="nc",team="apac"}' in metrics(port))
        # ...and an invalid fleet.toml keeps the last good one.
        (fleet / "fleet.toml").write_text('[profiles.newcomer]\nlabels = { Bad-Name = "x" }\n')
        d.wait_for(lambda: "fleet.toml invalid (keeping the last good one)" in d.text())
        assert 'client="nc"' in metrics(port)
    assert d.proc.returncode == 0, d.text()
    for name in (profile_name(0), profile_name(1), "newcomer"):
        assert HistoryStore(data / "history" / f"{name}.json").snapshots(), name


def read(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


def feeds_up(text: str) -> int:
    return len(re.findall(r'^riskmon_feed_up\{profile="[^"]+",feed="agency"\} 1$', text, re.M))


def test_a_shared_feed_is_polled_once_for_the_whole_fleet(tmp_path: Path) -> None:
    ban = {
        "id": "agency-ban",
        "title": "A ban the agency heard of",
        "kind": "ban",
        "platforms": ["tiktok"],
        "regions": ["*"],
        "status": "confirmed",
        "effective": datetime.now(UTC).date().isoformat(),
    }
    with local_server() as server:
        url = server.route("/feed", static(json.dumps({"events": [ban]}), 200))
        textfile = tmp_path / "textfile" / "fleet.prom"
        fleet = make_fleet(
            tmp_path / "fleet",
            6,
            fleet_toml=f'[[feeds]]\nname = "agency"\ntype = "http"\nurl = "{url}"\nevery = "1h"\n'
            f'[export]\nprometheus_textfile = "{textfile}"\n',
        )
        with fleet_daemon(tmp_path, fleet) as d:
            text = d.wait_for(lambda: feeds_up(read(textfile)) == 6 and read(textfile))
            assert len(re.findall(r'riskmon_event_info\{[^}]*event="agency-ban"', text)) == 6
            assert len(server.hits("/feed")) == 1, "one poll for six profiles"
            d.proc.send_signal(signal.SIGHUP)  # re-read and poll every feed now
            d.wait_for(lambda: len(server.hits("/feed")) == 2)
            d.wait_for(lambda: "SIGHUP received" in d.text())
        assert d.proc.returncode == 0


def test_a_replay_records_and_writes_nothing(tmp_path: Path) -> None:
    textfile = tmp_path / "fleet.prom"
    fleet = make_fleet(tmp_path / "fleet", 2, fleet_toml=f'[export]\nprometheus_textfile = "{textfile}"\n')
    port = free_port()
    with fleet_daemon(tmp_path, fleet, "--listen", f"127.0.0.1:{port}", "--now", "2025-01-10") as d:
        d.wait_for(lambda: len(profiles(metrics(port))) == 2)
        d.wait_for(lambda: "replaying as of 2025-01-10" in d.text())
        assert 'riskmon_assessment_timestamp_seconds{profile="seller-0000"} 1736467200' in metrics(port)
    assert not textfile.exists() and not (tmp_path / "fleetdata" / "history").exists()


def test_bad_listen_and_bad_fleet_toml_fail_at_start(tmp_path: Path) -> None:
    fleet = make_fleet(tmp_path / "fleet", 1)
    p = Proc(
        [sys.executable, "-m", "riskmon", "fleet", "daemon", str(fleet), "--listen", "9464"],
        tmp_path / "a.log",
        env=env(tmp_path),
    )
    assert p.proc.wait(30) == 3 and "give HOST:PORT" in p.text()
    (fleet / "fleet.toml").write_text("[[routes]]\nmatch = 1\n")
    p = Proc([sys.executable, "-m", "riskmon", "fleet", "daemon", str(fleet)], tmp_path / "b.log", env=env(tmp_path))
    assert p.proc.wait(30) == 3 and "fleet.toml:2: routes[0].match" in p.text()
    (fleet / "fleet.toml").unlink()
    port = free_port()
    with fleet_daemon(tmp_path, fleet, "--listen", f"127.0.0.1:{port}") as d:
        d.wait_for(lambda: metrics(port))
        p = Proc(
            [sys.executable, "-m", "riskmon", "fleet", "daemon", str(fleet), "--listen", f"127.0.0.1:{port}"],
            tmp_path / "c.log",
            env=env(tmp_path),
        )
        assert p.proc.wait(30) == 3 and f"cannot listen on 127.0.0.1:{port}" in p.text()


async def test_run_once_assesses_every_profile_with_one_poll_of_each_feed(tmp_path: Path) -> None:
    fleet = make_fleet(tmp_path / "fleet", 4, broken={1: "missing"})
    monitor = FleetMonitor(fleet, tmp_path / "data", lambda: datetime(2025, 1, 10, tzinfo=UTC))
    members = await monitor.run_once()
    rows = {r.profile: r for r in monitor.rows()}
    assert [m.name for m in members] == [profile_name(i) for i in range(4)]
    assert rows[profile_name(1)].level == "UNKNOWN" and "gross_margin" in rows[profile_name(1)].reason
    assert all(rows[profile_name(i)].level != "UNKNOWN" for i in (0, 2, 3))
    text = monitor.metrics_text()
    assert profiles(text) == {profile_name(i) for i in range(4)}
    assert monitor.metrics_text() is text, "rendered once until a profile changes"
    await monitor.aclose()
