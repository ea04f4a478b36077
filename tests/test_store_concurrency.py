"""History store under concurrent writers, readers and SIGKILL: nothing lost, nothing corrupted."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tinydb import TinyDB

from riskmon.errors import RiskmonError
from riskmon.store.history import HistoryStore

ROOT = Path(__file__).resolve().parents[1]
BASE = datetime(2026, 11, 21, tzinfo=UTC)

PRELUDE = textwrap.dedent(
    """
    import sys, time
    from datetime import datetime, timedelta, UTC
    from pathlib import Path
    from riskmon.store.history import HistoryStore

    BASE = datetime(2026, 11, 21, tzinfo=UTC)

    def snap(at, k):
        events = {f"event-{i:02d}-platform": {"score": (k * 7 + i) % 100, "expected_loss": k * 10.5 + i}
                  for i in range(20)}
        return {"at": at, "level": ("OK", "WARNING", "CRITICAL")[k % 3], "score": k % 100,
                "runway_weeks": 10.0, "top_platform": "tiktok", "top_dependence": 0.5, "hhi": 0.3,
                "expected_loss": k * 1.5, "events": events}
    """
)


def python(code: str, *args: object, **kw: object) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", PRELUDE + textwrap.dedent(code), *map(str, args)],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kw,  # type: ignore[arg-type]
    )


def loads_cleanly(db: Path) -> dict:
    """The file parses as JSON and opens with TinyDB's own JSONStorage."""
    data = json.loads(db.read_bytes())
    tiny = TinyDB(db, access_mode="r")
    try:
        assert set(tiny.tables()) >= {"snapshots", "meta"}
    finally:
        tiny.close()
    return data


def test_four_processes_fifty_writes_each_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "history.json"
    go = tmp_path / "go"
    writer = """
        path, proc, go = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
        store = HistoryStore(Path(path))
        deadline = time.monotonic() + 30
        while not go.exists() and time.monotonic() < deadline:  # start together
            time.sleep(0.001)
        for j in range(50):
            at = BASE + timedelta(seconds=proc * 1000 + j)
            events = [{"id": f"proc-{proc}", "title": "t", "status": "confirmed",
                       "probability": j / 100, "effective": "2026-12-01"}]
            store.record_check(snap(at, j), events)
        print("done", flush=True)
    """
    procs = [python(writer, db, p, go) for p in range(4)]
    time.sleep(0.3)
    go.touch()
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert out.strip() == "done"

    data = loads_cleanly(db)
    assert len(data["snapshots"]) == 200
    store = HistoryStore(db)
    got = {s["at"] for s in store.snapshots()}
    assert got == {BASE + timedelta(seconds=p * 1000 + j) for p in range(4) for j in range(50)}
    # The event diff of every check is there too: first_seen + 49 probability changes each.
    log = store.event_log()
    assert len(log) == 200
    for p in range(4):
        mine = store.event_log(event_id=f"proc-{p}")
        assert [e["change"] for e in mine] == ["first_seen"] + ["probability"] * 49
    assert store.recovered == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["go", "history.json", "history.json.lock"]


def test_threads_sharing_one_store_and_separate_stores(tmp_path: Path) -> None:
    db = tmp_path / "history.json"
    shared = HistoryStore(db)
    errors: list[BaseException] = []

    def work(n: int, own: bool) -> None:
        store = HistoryStore(db) if own else shared
        try:
            for j in range(15):
                at = BASE + timedelta(seconds=n * 100 + j)
                store.append_snapshot({"at": at, "level": "OK", "score": j, "events": {}})
                store.set_step(f"e{n}", f"s{j}", True, at)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n, n % 2 == 0)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(shared.snapshots()) == 60 and len(shared.steps()) == 60


def test_readers_never_see_a_partial_file(tmp_path: Path) -> None:
    db = tmp_path / "history.json"
    writer = """
        path, proc = sys.argv[1], int(sys.argv[2])
        store = HistoryStore(Path(path))
        for j in range(60):
            store.append_snapshot(snap(BASE + timedelta(seconds=proc * 1000 + j), j))
    """
    procs = [python(writer, db, p) for p in range(2)]
    reader = HistoryStore(db)
    seen: list[int] = []
    while any(p.poll() is None for p in procs):
        seen.append(len(reader.snapshots()))
    for p in procs:
        assert p.wait(timeout=60) == 0, p.stderr.read() if p.stderr else ""
    assert seen == sorted(seen)  # never goes back: no lost or half-read write
    assert reader.recovered == []
    assert len(reader.snapshots()) == 120


def test_sigkill_at_random_moments_never_leaves_an_unreadable_file(tmp_path: Path) -> None:
    db = tmp_path / "history.json"
    # A file of realistic size, so that a kill often lands inside a write.
    seed = HistoryStore(db)
    for k in range(150):
        seed.append_snapshot(
            {
                "at": BASE - timedelta(hours=20) + timedelta(minutes=k),
                "level": "OK",
                "score": 1.0,
                "events": {f"event-{i:02d}-platform": {"score": 1.0, "expected_loss": 2.0} for i in range(20)},
            }
        )
    child = """
        path, start = sys.argv[1], int(sys.argv[2])
        store = HistoryStore(Path(path))
        print("ready", flush=True)
        k = start
        while True:
            store.record_check(snap(BASE + timedelta(minutes=k), k),
                               [{"id": "ev", "title": "t", "status": "confirmed", "probability": (k % 10) / 10}])
            print(k, flush=True)  # only after the write is complete
            k += 1
    """
    rng = random.Random(20261121)
    completed: set[int] = set()
    start = 0
    for _round in range(10):
        proc = python(child, db, start)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        done = {int(line) for line in out.split()}
        completed |= done
        start = max(completed | {start}) + 2

        loads_cleanly(db)  # whatever the moment of the kill
        store = HistoryStore(db)
        got = {s["at"] for s in store.snapshots()}
        missing = {k for k in completed if BASE + timedelta(minutes=k) not in got}
        assert not missing, f"completed writes lost after a kill: {sorted(missing)}"
        assert store.recovered == []
    assert len(completed) > 10  # the kills did land among writes
    assert not [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    # Temp files of killed writers are swept by the next writer.
    HistoryStore(db).append_snapshot({"at": BASE + timedelta(days=1), "level": "OK", "score": 0})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.json", "history.json.lock"]


def test_a_stuck_lock_holder_is_an_error_not_a_hang(tmp_path: Path) -> None:
    db = tmp_path / "history.json"
    HistoryStore(db).append_snapshot({"at": BASE, "level": "OK", "score": 0})
    holder = """
        import fcntl, os
        fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
        fcntl.flock(fd, fcntl.LOCK_EX)
        print("locked", flush=True)
        time.sleep(30)
    """
    proc = python(holder, str(db) + ".lock")
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        store = HistoryStore(db, lock_timeout=0.3)
        started = time.monotonic()
        with pytest.raises(RiskmonError, match="is busy") as err:
            store.append_snapshot({"at": BASE + timedelta(minutes=1), "level": "OK", "score": 0})
        assert str(db) in err.value.message
        with pytest.raises(RiskmonError, match="is busy"):
            store.snapshots()
        assert time.monotonic() - started < 5
    finally:
        proc.kill()
        proc.communicate()
    assert len(store.snapshots()) == 1  # the same object works again once the lock is free
