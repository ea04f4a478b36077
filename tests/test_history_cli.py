"""`riskmon history` through the CLI, fed by real `riskmon check` runs (some in parallel).

A check with --now is a replay and records nothing, so a history spread over past days is written
the way a check writes it (its evaluation, recorded with the store's `record_check_with_steps`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.test_cli import make_config


def rm(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "riskmon", *args], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    return make_config(tmp_path)


def checks(cfg: Path, db: Path, count: int) -> None:
    for _ in range(count):
        r = rm("check", "--config", str(cfg), "--db", str(db), "--offline")
        assert r.returncode in (0, 1, 2), r.stdout + r.stderr


def recorded_as_of(cfg: Path, db: Path, stamps: list[str]) -> None:
    """What a check at each of `stamps` records (a check records only at the present)."""
    from riskmon.store.history import HistoryStore
    from riskmon.store.records import to_utc
    from riskmon.store.snapshots import event_records, snapshot_of
    from riskmon.usecases.evaluate import evaluate

    store = HistoryStore(db)
    for stamp in stamps:
        a = evaluate(str(cfg), to_utc(stamp), offline=True).assessment
        store.record_check_with_steps(snapshot_of(a), event_records(a))


def test_parallel_checks_lose_no_snapshot(cfg: Path, tmp_path: Path) -> None:
    db = tmp_path / "h.json"
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: checks(cfg, db, 5), range(4)))
    r = rm("history", "--db", str(db), "-f", "json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)["snapshots"]
    assert len({row["at"] for row in rows}) == len(rows) == 20
    for row in rows:
        assert {"at", "score", "level"} <= set(row)
    json.loads(db.read_text())  # the file itself is whole JSON


def test_since_table_plot_and_changes(cfg: Path, tmp_path: Path) -> None:
    db = tmp_path / "h.json"
    recorded_as_of(cfg, db, ["2025-01-08T00:00:00Z", "2025-01-09T00:00:00Z", "2025-01-10T00:00:00Z"])
    events = (cfg / "events.toml").read_text().replace('status = "confirmed"', 'status = "in_effect"')
    (cfg / "events.toml").write_text(events)
    recorded_as_of(cfg, db, ["2025-01-10T06:00:00Z"])

    rows = json.loads(
        rm("history", "--db", str(db), "--now", "2025-01-10T12:00Z", "--since", "1d", "-f", "json").stdout
    )["snapshots"]
    assert [r["at"][:13] for r in rows] == ["2025-01-10T00", "2025-01-10T06"]
    table = rm("history", "--db", str(db), "--now", "2025-01-10T12:00Z")
    assert table.stdout.splitlines()[0].startswith("AT (UTC)") and len(table.stdout.splitlines()) == 5
    plot = rm("history", "--db", str(db), "--now", "2025-01-10T12:00Z", "-f", "plot")
    assert plot.returncode == 0 and "riskmon score" in plot.stdout and "\x1b" not in plot.stdout
    log = rm("history", "changes", "--db", str(db), "--since", "2025-01-10T01:00Z", "--now", "2025-01-11")
    assert "us-ban  status: confirmed -> in_effect" in log.stdout


def test_history_errors_are_one_line(tmp_path: Path) -> None:
    r = rm("history", "--db", str(tmp_path / "none.json"))
    assert r.returncode == 3 and "no history yet" in r.stderr
    r = rm("history", "--db", str(tmp_path / "none.json"), "--since", "last tuesday")
    assert r.returncode == 3 and "--since" in r.stderr and "Traceback" not in r.stderr
