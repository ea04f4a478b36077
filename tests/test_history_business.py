"""History per business: each business's series apart in one file, the demo in a file of its own.

Through the CLI in subprocesses (`check`, `daemon --once`, `history`), the dashboard's app and the
store's public API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from riskmon.store.history import HistoryStore
from tests.test_cli import make_config, run

DEMO_NAME = "Harbor Home & Pet"  # config/exposure.toml


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """No user config (so the bundled demo is used), data in tmp, no --db default."""
    env = {"RISKMON_DATA": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for name in ("RISKMON_CONFIG", "RISKMON_DB"):
        monkeypatch.delenv(name, raising=False)
    return env


def test_the_demo_check_and_daemon_record_nothing_into_the_users_history(home: dict[str, str], tmp_path: Path) -> None:
    data = tmp_path / "data"
    r = run("check", "--offline", env=home)
    assert r.returncode in (0, 1, 2), r.stdout + r.stderr
    assert (data / "demo-history.json").exists()
    assert not (data / "history.json").exists()
    d = run("daemon", "--once", "--offline", env=home, timeout=120)
    assert d.returncode in (0, 1, 2), d.stderr
    assert not (data / "history.json").exists()
    rows = json.loads(run("history", "-f", "json", env=home).stdout)["snapshots"]
    assert len(rows) == 2 and {row["business"] for row in rows} == {DEMO_NAME}

    # The user's own config writes the user's history, and `history` for it shows only theirs.
    cfg = make_config(tmp_path)
    assert run("check", "--config", str(cfg), "--offline", env=home).returncode in (0, 1, 2)
    assert (data / "history.json").exists()
    table = run("history", "--config", str(cfg), env=home).stdout.splitlines()
    assert table[0].split()[:4] == ["AT", "(UTC)", "BUSINESS", "LEVEL"]
    assert len(table) == 2 and "Test Seller" in table[1] and DEMO_NAME not in "\n".join(table)


def test_the_dashboard_on_the_demo_uses_the_demo_history(home: dict[str, str]) -> None:
    from riskmon.tui.app import RiskmonApp

    app = RiskmonApp()
    assert app.location.is_demo
    assert app.db_path == Path(home["RISKMON_DATA"]) / "demo-history.json"


def snap(business: str | None, at: datetime, score: float) -> dict[str, object]:
    out: dict[str, object] = {"at": at, "level": "OK", "score": score, "events": {}}
    if business:
        out["business"] = business
    return out


def ev(
    business: str, status: str = "confirmed", effective: str = "2025-03-01", recurs: bool = False
) -> dict[str, object]:
    return {
        "id": "us-ban",
        "title": "US ban",
        "status": status,
        "probability": 0.5,
        "effective": effective,
        "ends": None,
        "recurs": recurs,
        "business": business,
    }


def test_two_businesses_in_one_file_keep_their_series_and_news_apart(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.json")
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    store.append_snapshot(snap(None, t0, 5.0))  # written before businesses were kept apart
    for k in range(3):
        store.append_snapshot(snap("Alpha", t0 + timedelta(minutes=k + 1), 10.0 + k))
        store.append_snapshot(snap("Beta", t0 + timedelta(minutes=k + 1), 80.0 + k))
    alpha = store.snapshots(business="Alpha")
    assert [s["score"] for s in alpha] == [5.0, 10.0, 11.0, 12.0]
    assert [s.get("business") for s in alpha] == [None, "Alpha", "Alpha", "Alpha"]
    assert [s["score"] for s in store.snapshots(business="Beta")][1:] == [80.0, 81.0, 82.0]
    assert len(store.snapshots()) == 7
    assert store.snapshots(business="Gamma") == [store.snapshots()[0]]  # only the unowned one
    assert store.last_snapshot("Alpha")["score"] == 12.0  # type: ignore[index]

    # Downsampling merges within a business, never across: a day later each keeps its own worst.
    store.append_snapshot(snap("Alpha", t0 + timedelta(days=90), 1.0))
    merged = [s for s in store.snapshots() if s["at"] < t0 + timedelta(days=1)]
    assert sorted((s.get("business"), s["score"]) for s in merged if s.get("business")) == [
        ("Alpha", 12.0),
        ("Beta", 82.0),
    ]

    # An event Alpha has seen is still news to Beta; each logs its own changes.
    at = t0 + timedelta(days=91)
    assert [e["change"] for e in store.record_events(at, [ev("Alpha")])] == ["first_seen"]
    assert [e["change"] for e in store.record_events(at, [ev("Beta")])] == ["first_seen"]
    changed = store.record_events(at + timedelta(hours=1), [ev("Alpha", status="in_effect")])
    assert [(e["change"], e["business"]) for e in changed] == [("status", "Alpha")]
    assert [e["change"] for e in store.event_log(business="Beta")] == ["first_seen"]


def test_a_recurring_event_rolling_on_is_not_a_change(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.json")
    at = datetime(2025, 1, 1, tzinfo=UTC)
    store.record_events(at, [ev("A", effective="2025-11-28", recurs=True)])
    assert store.record_events(at + timedelta(days=1), [ev("A", effective="2026-11-27", recurs=True)]) == []
    moved_back = store.record_events(at + timedelta(days=2), [ev("A", effective="2025-11-01", recurs=True)])
    assert [e["change"] for e in moved_back] == ["effective"]
    one_off = store.record_events(at + timedelta(days=3), [ev("A", effective="2026-01-01")])
    assert [e["change"] for e in one_off] == ["effective"]


def test_ticking_a_demo_step_stays_in_the_demo_history(home: dict[str, str], tmp_path: Path) -> None:
    """`playbook done` on the demo marks the demo's checklist, read back by `playbook` on the
    demo, and leaves the user's history alone."""
    data = tmp_path / "data"
    items = json.loads(run("playbook", "-f", "json", "--offline", env=home).stdout)["items"]
    item = next(i for i in items if not i["done"] and not i["key"].startswith("standing:"))
    r = run("playbook", "done", item["key"], item["id"], "--offline", env=home)
    assert r.returncode == 0 and r.stdout.startswith("done: "), r.stdout + r.stderr
    assert not (data / "history.json").exists()
    assert HistoryStore(data / "demo-history.json").steps()[(item["key"], item["id"])]["done"] is True
    again = json.loads(run("playbook", "-f", "json", "--offline", env=home).stdout)["items"]
    assert any(i["key"] == item["key"] and i["id"] == item["id"] and i["done"] for i in again)
