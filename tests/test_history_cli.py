"""`riskmon history` through the CLI, fed by real `riskmon check` runs (some in parallel)."""

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


def checks(cfg: Path, db: Path, stamps: list[str]) -> None:
    for stamp in stamps:
        r = rm("check", "--config", str(cfg), "--db", str(db), "--now", stamp, "--offline")
        assert r.returncode in (0, 1, 2), r.stdout + r.stderr


def test_parallel_checks_lose_no_snapshot(cfg: Path, tmp_path: Path) -> None:
    db = tmp_path / "h.json"
    batches = [[f"2025-01-10T{h:02d}:{m:02d}:00Z" for m in range(0, 50, 10)] for h in range(4)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda b: checks(cfg, db, b), batches))
    r = rm("history", "--db", str(db), "--now", "2025-01-11", "-f", "json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)["snapshots"]
    assert sorted(row["at"][:16] for row in rows) == sorted(s[:16].replace("Z", "") for b in batches for s in b)
    for row in rows:
        assert {"at", "score", "level"} <= set(row)
    json.loads(db.read_text())  # the file itself is whole JSON


def test_since_table_plot_and_changes(cfg: Path, tmp_path: Path) -> None:
    db = tmp_path / "h.json"
    checks(cfg, db, ["2025-01-08T00:00:00Z", "2025-01-09T00:00:00Z", "2025-01-10T00:00:00Z"])
    events = (cfg / "events.toml").read_text().replace('status = "confirmed"', 'status = "in_effect"')
    (cfg / "events.toml").write_text(events)
    first = rm("check", "--config", str(cfg), "--db", str(db), "--now", "2025-01-10T06:00:00Z", "-f", "json")
    changes = json.loads(first.stdout)["changes"]
    assert any(c.get("event_id") == "us-ban" and c.get("change") == "status" for c in changes), changes

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
