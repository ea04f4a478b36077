"""History store: round trips, event-log diffing, steps, alerts, corruption recovery, retention."""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from riskmon.core.settings import HistorySettings
from riskmon.errors import Level, RiskmonError
from riskmon.store.history import HistoryStore, parse_since
from riskmon.store.records import encode_snapshot
from riskmon.store.retention import Policy, iso, plan

T = datetime(2026, 11, 21, 12, 30, tzinfo=UTC)


def snap(at: datetime, level: str = "OK", score: float = 10.0, **kw: Any) -> dict[str, Any]:
    events = kw.pop("events", {"us-ban": {"score": score / 2, "expected_loss": 1234.5}})
    return {
        "at": at,
        "level": level,
        "score": score,
        "runway_weeks": kw.pop("runway_weeks", 11.5),
        "top_platform": kw.pop("top_platform", "tiktok"),
        "top_dependence": kw.pop("top_dependence", 0.45),
        "hhi": kw.pop("hhi", 0.3125),
        "expected_loss": kw.pop("expected_loss", 1234.5),
        "events": events,
        **kw,
    }


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "history.json"


@pytest.fixture
def store(db: Path) -> HistoryStore:
    return HistoryStore(db)


def times(store: HistoryStore) -> list[datetime]:
    return [s["at"] for s in store.snapshots()]


# ---------------------------------------------------------------------------------------------
# Snapshots


def test_round_trip_keeps_every_field(store: HistoryStore, db: Path) -> None:
    events = {
        "us-ban": {"score": 42.126, "expected_loss": 98765.43},
        "id-closure": {"score": 0.0, "expected_loss": 0.0},
    }
    store.append_snapshot(snap(T, "CRITICAL", 71.234, events=events, expected_loss=98765.43))
    (got,) = store.snapshots()
    assert got == {
        "at": T,
        "level": "CRITICAL",
        "score": 71.23,
        "runway_weeks": 11.5,
        "top_platform": "tiktok",
        "top_dependence": 0.45,
        "hhi": 0.3125,
        "expected_loss": 98765.43,
        "events": {
            "us-ban": {"score": 42.13, "expected_loss": 98765.43},
            "id-closure": {"score": 0.0, "expected_loss": 0.0},
        },
        "samples": 1,
        "score_max": 71.23,
        "score_min": 71.23,
    }
    assert got["at"].tzinfo is not None
    # On disk: plain JSON, ISO-8601 UTC strings, event ids stored once.
    raw = json.loads(db.read_text())
    (rec,) = raw["snapshots"].values()
    assert rec["t"] == "2026-11-21T12:30:00+00:00"
    assert raw["meta"]["1"]["ids"] == ["us-ban", "id-closure"]
    assert raw["meta"]["1"]["schema"] == 1


def test_optional_values_and_odd_inputs(store: HistoryStore) -> None:
    other_tz = T.astimezone(__import__("datetime").timezone(timedelta(hours=7)))
    store.append_snapshot(
        snap(other_tz, Level.WARNING, 50, runway_weeks=None, top_platform=None, events={}, expected_loss=None)
    )
    store.append_snapshot(snap(T + timedelta(minutes=5), runway_weeks=float("inf"), hhi=float("nan")))
    first, second = store.snapshots()
    assert first["at"] == T and first["at"].utcoffset() == timedelta(0)
    assert first["level"] == "WARNING"
    assert first["runway_weeks"] is None and first["top_platform"] is None and first["events"] == {}
    assert first["expected_loss"] == 0.0  # sum over (no) events
    assert second["runway_weeks"] is None and second["hhi"] == 0.0


def test_expected_loss_defaults_to_sum_over_events(store: HistoryStore) -> None:
    events = {"a": {"score": 1, "expected_loss": 100.25}, "b": {"score": 2, "expected_loss": 50}}
    store.append_snapshot(snap(T, events=events, expected_loss=None))
    assert store.snapshots()[0]["expected_loss"] == 150.25


@pytest.mark.parametrize(
    "bad",
    [
        {"at": datetime(2026, 11, 21, 12, 0)},  # naive
        {"level": "PANIC"},
        {"score": float("nan")},
        {"score": None},
        {"at": "yesterday"},
    ],
)
def test_bad_snapshot_is_refused_and_writes_nothing(store: HistoryStore, db: Path, bad: dict[str, Any]) -> None:
    store.append_snapshot(snap(T))
    before = db.read_bytes()
    with pytest.raises(ValueError):
        store.append_snapshot({**snap(T + timedelta(minutes=5)), **bad})
    assert db.read_bytes() == before


def test_snapshots_sorted_and_filtered(store: HistoryStore) -> None:
    for minutes in (10, 0, 5, 20, 15):  # out of order, as a replay with --now might do
        store.append_snapshot(snap(T + timedelta(minutes=minutes), score=minutes))
    assert times(store) == [T + timedelta(minutes=m) for m in (0, 5, 10, 15, 20)]
    got = store.snapshots(since=T + timedelta(minutes=5), until=T + timedelta(minutes=15))
    assert [s["score"] for s in got] == [5, 10, 15]  # both ends inclusive
    assert store.last_snapshot()["score"] == 20  # type: ignore[index]


def test_empty_and_missing_history(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "nowhere" / "yet" / "history.json")
    assert store.snapshots() == [] and store.last_snapshot() is None
    assert store.event_log() == [] and store.steps() == {} and store.alerts() == []
    assert not (tmp_path / "nowhere").exists()  # reading creates nothing
    store.append_snapshot(snap(T))  # writing creates the directories
    assert len(store.snapshots()) == 1


def test_empty_file_is_an_empty_history_not_corruption(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"")
    store = HistoryStore(db)
    assert store.snapshots() == []
    store.append_snapshot(snap(T))
    assert store.recovered == [] and len(store.snapshots()) == 1


# ---------------------------------------------------------------------------------------------
# Event log


def ev(eid: str = "us-ban", **kw: Any) -> dict[str, Any]:
    base = {
        "id": eid,
        "title": f"Title of {eid}",
        "status": "announced",
        "probability": 0.6,
        "effective": datetime(2027, 1, 19, tzinfo=UTC),
        "ends": None,
    }
    return {**base, **kw}


def test_event_log_diffing(store: HistoryStore) -> None:
    first = store.record_events(T, [ev("a"), ev("b", status="rumored", probability=0.25)])
    assert [(e["event_id"], e["change"]) for e in first] == [("a", "first_seen"), ("b", "first_seen")]
    assert first[0]["old"] is None
    assert first[0]["new"] == {
        "status": "announced",
        "probability": 0.6,
        "effective": "2027-01-19T00:00:00+00:00",
        "ends": None,
    }
    assert first[0]["at"] == T and first[0]["title"] == "Title of a"

    # No change: no entries (an ISO string or another offset for the same instant is no change).
    same = [
        ev("a", effective="2027-01-19"),
        ev("b", status="rumored", probability=0.25, effective="2027-01-19T07:00:00+07:00"),
    ]
    assert store.record_events(T + timedelta(hours=1), same) == []

    t2 = T + timedelta(hours=2)
    changed = store.record_events(
        t2,
        [
            ev("a", status="confirmed", probability=0.9),
            ev("b", status="rumored", probability=0.25, ends=date(2027, 4, 5)),
        ],
    )
    assert [(e["event_id"], e["change"], e["old"], e["new"]) for e in changed] == [
        ("a", "status", "announced", "confirmed"),
        ("a", "probability", 0.6, 0.9),
        ("b", "ends", None, "2027-04-05T00:00:00+00:00"),
    ]
    moved = store.record_events(
        t2 + timedelta(hours=1), [ev("a", status="confirmed", probability=0.9, effective=date(2027, 1, 20))]
    )
    assert [(e["change"], e["old"], e["new"]) for e in moved] == [
        ("effective", "2027-01-19T00:00:00+00:00", "2027-01-20T00:00:00+00:00")
    ]
    # A title change alone is no entry, but later entries carry the new title.
    assert (
        store.record_events(
            t2 + timedelta(hours=2),
            [ev("a", title="New", status="confirmed", probability=0.9, effective=date(2027, 1, 20))],
        )
        == []
    )
    # An event missing from one check is not "removed" (its feed may be down) nor new again.
    assert (
        store.record_events(
            t2 + timedelta(hours=3), [ev("b", status="rumored", probability=0.25, ends=date(2027, 4, 5))]
        )
        == []
    )
    assert (
        store.record_events(
            t2 + timedelta(hours=4),
            [ev("a", title="New", status="in_effect", probability=0.9, effective=date(2027, 1, 20))],
        )[0]["title"]
        == "New"
    )

    log = store.event_log()
    assert len(log) == 2 + 3 + 1 + 1
    assert [e["at"] for e in log] == sorted(e["at"] for e in log)
    assert [e["change"] for e in store.event_log(event_id="b")] == ["first_seen", "ends"]
    assert len(store.event_log(since=t2)) == 5


def test_record_check_is_one_transaction(store: HistoryStore, monkeypatch: pytest.MonkeyPatch) -> None:
    import riskmon.store.lockedjson as lj

    replaced: list[Any] = []
    real = os.replace
    monkeypatch.setattr(lj.os, "replace", lambda a, b: (replaced.append(b), real(a, b)))
    entries = store.record_check(snap(T), [ev("a")])
    assert len(replaced) == 1
    assert [e["change"] for e in entries] == ["first_seen"] and entries[0]["at"] == T
    assert len(store.snapshots()) == 1 and len(store.event_log()) == 1
    assert store.record_check(snap(T + timedelta(minutes=5)), [ev("a")]) == []
    assert len(replaced) == 2
    # The check's own variant reads the checklist under the same lock, still one write.
    store.set_step("a", "s1", True, T)
    entries, steps = store.record_check_with_steps(snap(T + timedelta(minutes=10)), [ev("a")])
    assert entries == [] and steps == {("a", "s1"): {"done": True, "at": T}}
    assert len(replaced) == 4  # set_step, then the check


# ---------------------------------------------------------------------------------------------
# Steps and alerts


def test_steps_done_and_undone(store: HistoryStore) -> None:
    store.set_step("us-ban", "export-followers", True, T)
    store.set_step("us-ban", "open-own-store", True, T + timedelta(minutes=1))
    store.set_step("us-ban", "export-followers", False, T + timedelta(minutes=2))
    assert store.steps() == {
        ("us-ban", "export-followers"): {"done": False, "at": T + timedelta(minutes=2)},
        ("us-ban", "open-own-store"): {"done": True, "at": T + timedelta(minutes=1)},
    }


def test_alerts_and_last_alert(store: HistoryStore) -> None:
    def alert(minutes: int, key: str, ok: bool = True, **kw: Any) -> dict[str, Any]:
        return {
            "at": T + timedelta(minutes=minutes),
            "channel": "slack",
            "trigger": "level_change",
            "key": key,
            "level": "CRITICAL",
            "ok": ok,
            "error": None if ok else "HTTP 500",
            **kw,
        }

    store.record_alert(alert(0, "level:CRITICAL"))
    store.record_alert(alert(10, "level:CRITICAL", ok=False))
    store.record_alert(alert(5, "event:us-ban", level=Level.WARNING))
    got = store.alerts()
    assert [a["at"] for a in got] == [T, T + timedelta(minutes=5), T + timedelta(minutes=10)]
    assert got[1]["level"] == "WARNING"
    assert got[0] == {
        "at": T,
        "channel": "slack",
        "trigger": "level_change",
        "key": "level:CRITICAL",
        "level": "CRITICAL",
        "ok": True,
        "error": None,
    }
    assert len(store.alerts(since=T + timedelta(minutes=5))) == 2
    last = store.last_alert("level:CRITICAL")
    assert last is not None and last["error"] == "HTTP 500"
    ok = store.last_alert("level:CRITICAL", ok_only=True)
    assert ok is not None and ok["at"] == T
    assert store.last_alert("nope") is None


# ---------------------------------------------------------------------------------------------
# Corruption, I/O errors, atomicity


GOOD = None


def corrupt_names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if ".corrupt-" in p.name)


def snapshot_of_the_file(directory: Path) -> dict[str, bytes]:
    """Every file under `directory` and its bytes: what "nothing moved or written" compares."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("truncate", id="truncated"),
        pytest.param(b'{"snaps', id="cut-in-the-first-name"),
        pytest.param(b"{", id="one-brace"),
        pytest.param(b'{"snapshots":{"1":{"t": oops}}}', id="hand-edited-into-invalid-json"),
        pytest.param(b'{"meta": {"1": {"schema": 1, "ids": "oops"}}}', id="bad-meta"),
    ],
)
def test_a_broken_history_is_moved_aside_by_a_writer_only(
    db: Path, content: Any, caplog: pytest.LogCaptureFixture
) -> None:
    HistoryStore(db).append_snapshot(snap(T))
    original = db.read_bytes()
    bad = original[: len(original) // 2] if content == "truncate" else content
    db.write_bytes(bad)
    db.with_name(db.name + ".lock").unlink()
    before = snapshot_of_the_file(db.parent)

    store = HistoryStore(db)
    with pytest.raises(RiskmonError, match="moves it aside") as err:
        store.snapshots()  # a read never moves or writes anything, not even a lock file
    assert str(db) in err.value.message
    assert snapshot_of_the_file(db.parent) == before and store.recovered == []

    with caplog.at_level(logging.WARNING, logger="riskmon.store.history"):
        store.append_snapshot(snap(T + timedelta(minutes=5)))
    assert len(store.recovered) == 1
    moved = store.recovered[0]
    assert re.fullmatch(r"history\.json\.corrupt-\d{8}T\d{6}Z", moved.name)
    assert moved.parent == db.parent and moved.read_bytes() == bad  # nothing else is lost
    assert "could not be read" in caplog.text and str(moved) in caplog.text
    assert times(store) == [T + timedelta(minutes=5)]  # a fresh history works
    assert json.loads(db.read_text())["snapshots"]
    assert corrupt_names(db.parent) == [moved.name]


NOT_HISTORY = [
    pytest.param(b"this is not json \x00\xff", id="not-json"),
    pytest.param(b"[1, 2, 3]", id="json-list"),
    pytest.param(b'"just a string"', id="json-string"),
    pytest.param(b'{"snapshots": [1, 2]}', id="table-not-object"),
    pytest.param(b'{"name": "my-app", "version": "1.0"}', id="another-programs-json"),
    pytest.param(b'{"meta": {"count": 3}, "data": []}', id="json-with-a-meta-key"),
    pytest.param(b'[business]\nname = "Test"\n', id="a-toml-config"),
    pytest.param(b"\x00" * 64, id="nul-bytes"),
]


@pytest.mark.parametrize("content", NOT_HISTORY)
def test_a_file_that_is_not_history_is_never_moved_or_written(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "cfg" / "exposure.toml"
    path.parent.mkdir()
    path.write_bytes(content)
    path.chmod(0o640)
    before = snapshot_of_the_file(tmp_path)
    store = HistoryStore(path)
    for op in (store.snapshots, store.steps, lambda: store.append_snapshot(snap(T))):
        with pytest.raises(RiskmonError, match="is not a riskmon history file") as err:
            op()
        assert str(path) in err.value.message and "leaves it alone" in err.value.message
    assert path.read_bytes() == content and path.stat().st_mode & 0o777 == 0o640
    after = snapshot_of_the_file(tmp_path)
    assert {k: v for k, v in after.items() if not k.endswith(".lock")} == before  # a writer's lock, nothing else
    assert store.recovered == [] and corrupt_names(path.parent) == []


def test_a_broken_history_behind_a_symlink_is_never_moved(tmp_path: Path) -> None:
    real = tmp_path / "real" / "history.json"
    HistoryStore(real).append_snapshot(snap(T))
    real.write_bytes(b'{"snapshots":{"1":')  # ours, truncated
    link = tmp_path / "link.json"
    link.symlink_to(real)
    with pytest.raises(RiskmonError, match="does not move files through a link") as err:
        HistoryStore(link).append_snapshot(snap(T + timedelta(minutes=5)))
    assert str(real) in err.value.message
    assert link.is_symlink() and real.read_bytes() == b'{"snapshots":{"1":' and corrupt_names(real.parent) == []


@pytest.mark.parametrize("kind", ["dangling", "fifo", "directory", "dev-null"])
def test_a_db_path_that_is_not_a_file_is_a_clean_error(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "history.json"
    if kind == "dangling":
        path.symlink_to(tmp_path / "elsewhere" / "history.json")
        said = "a broken symbolic link"
    elif kind == "fifo":
        os.mkfifo(path)
        said = "a named pipe (FIFO), not a regular file"
    elif kind == "directory":
        path.mkdir()
        said = "a directory, not a file"
    else:
        path.symlink_to(os.devnull)
        said = "a device, not a regular file"
    for op in (lambda s: s.snapshots(), lambda s: s.append_snapshot(snap(T))):
        with pytest.raises(RiskmonError) as err:
            op(HistoryStore(path))
        assert f"cannot read history file {path}: {said}" in err.value.message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.json"]  # nothing created, nothing moved


def test_two_recoveries_in_the_same_second_keep_both_files(db: Path) -> None:
    db.parent.mkdir(parents=True)
    store = HistoryStore(db)
    db.write_bytes(b"{")
    store.append_snapshot(snap(T))
    db.write_bytes(b'{"snapshots":{"1":')
    store.append_snapshot(snap(T))
    assert len(store.recovered) == 2 and len(set(store.recovered)) == 2
    assert sorted(p.read_bytes() for p in store.recovered) == [b"{", b'{"snapshots":{"1":']


def test_bad_record_is_skipped_not_the_whole_file(
    store: HistoryStore, db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for k in range(3):
        store.append_snapshot(snap(T + timedelta(minutes=k)))
    raw = json.loads(db.read_text())
    first = next(iter(raw["snapshots"]))
    raw["snapshots"][first]["v"] = "garbage|x|y|z|1:2"
    db.write_text(json.dumps(raw))
    with caplog.at_level(logging.WARNING, logger="riskmon.store.history"):
        assert len(store.snapshots()) == 2
    assert "skipped 1 unreadable" in caplog.text
    assert store.recovered == []


def test_newer_schema_is_left_alone(db: Path) -> None:
    db.parent.mkdir(parents=True)
    content = b'{"meta": {"1": {"schema": 99, "ids": [], "states": {}}}}'
    db.write_bytes(content)
    with pytest.raises(RiskmonError, match="newer riskmon") as err:
        HistoryStore(db).append_snapshot(snap(T))
    assert str(db) in err.value.message
    assert db.read_bytes() == content and corrupt_names(db.parent) == []


def test_io_errors_are_riskmon_errors_naming_the_path(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    store = HistoryStore(blocker / "history.json")
    with pytest.raises(RiskmonError) as err:
        store.append_snapshot(snap(T))
    assert str(blocker / "history.json") in err.value.message and "\n" not in err.value.message

    folder = tmp_path / "folder.json"
    folder.mkdir()
    for op in (lambda s: s.snapshots(), lambda s: s.append_snapshot(snap(T))):
        with pytest.raises(RiskmonError) as err:
            op(HistoryStore(folder))
        assert str(folder) in err.value.message
    assert folder.is_dir() and corrupt_names(tmp_path) == []


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores permissions")
def test_permission_denied_is_not_corruption(db: Path) -> None:
    HistoryStore(db).append_snapshot(snap(T))
    db.chmod(0o000)
    try:
        with pytest.raises(RiskmonError, match="cannot read history file"):
            HistoryStore(db).snapshots()
    finally:
        db.chmod(0o600)
    assert corrupt_names(db.parent) == []


def test_permissions_kept_symlinks_followed_temp_files_swept(tmp_path: Path) -> None:
    real = tmp_path / "real" / "history.json"
    HistoryStore(real).append_snapshot(snap(T))
    assert real.stat().st_mode & 0o777 == 0o600  # private by default
    real.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    stale = real.parent / ".history.json.4242-deadbeef.tmp"
    stale.write_text("half a write")
    HistoryStore(link).append_snapshot(snap(T + timedelta(minutes=5)))
    assert link.is_symlink() and len(HistoryStore(real).snapshots()) == 2
    assert real.stat().st_mode & 0o777 == 0o640
    assert not stale.exists()
    assert sorted(p.name for p in real.parent.iterdir()) == ["history.json", "history.json.lock"]


def test_settings_are_nested_sensibly() -> None:
    p = Policy.from_settings(HistorySettings(full_days=10, hourly_days=5, max_days=3))
    assert (p.full_days, p.hourly_days, p.max_days) == (10, 10, 10)
    assert Policy.from_settings(None) == Policy(2, 60, 1095) == Policy.from_settings(HistorySettings())


# ---------------------------------------------------------------------------------------------
# Retention


def test_full_resolution_boundary_is_exactly_full_days(store: HistoryStore) -> None:
    edge = T - timedelta(days=2)  # 2026-11-19 12:30, exactly two days before the newest
    store.append_snapshot(snap(T))
    store.append_snapshot(snap(edge, score=1))
    store.append_snapshot(snap(edge - timedelta(minutes=5), score=2))
    store.append_snapshot(snap(edge - timedelta(minutes=10), "CRITICAL", score=3))
    store.compact()
    # 12:20 and 12:25 are older than two days: one per hour, the CRITICAL kept. 12:30 is exactly
    # two days old: still full resolution, so not merged into its hour.
    got = store.snapshots()
    assert [(s["at"], s["level"], s["samples"]) for s in got] == [
        (edge - timedelta(minutes=10), "CRITICAL", 2),
        (edge, "OK", 1),
        (T, "OK", 1),
    ]
    # One second later it is older than two days and joins its hour's bucket.
    store.append_snapshot(snap(T + timedelta(seconds=1)))
    store.compact()
    got = store.snapshots()
    assert [(s["at"], s["samples"], s["score_max"], s["score_min"]) for s in got[:1]] == [
        (edge - timedelta(minutes=10), 3, 3, 1)
    ]
    assert len(got) == 3


def test_hourly_boundary_is_exactly_hourly_days(store: HistoryStore) -> None:
    edge = T - timedelta(days=60)  # 2026-09-22 12:30
    store.append_snapshot(snap(T))
    for minutes, level in ((0, "OK"), (20, "WARNING"), (120, "OK"), (600, "OK")):
        store.append_snapshot(snap(edge - timedelta(minutes=minutes), level, score=50 - minutes / 100))
    store.compact()
    got = store.snapshots(until=T - timedelta(days=50))
    # Older than 60 days (12:10, 10:30 and 02:30 that day): one per day, the WARNING kept.
    # Exactly 60 days (12:30): still hourly, on its own.
    assert [(s["at"], s["level"], s["samples"]) for s in got] == [
        (edge - timedelta(minutes=20), "WARNING", 3),
        (edge, "OK", 1),
    ]
    store.append_snapshot(snap(T + timedelta(seconds=1)))
    store.compact()
    (day,) = store.snapshots(until=T - timedelta(days=50))
    assert (day["at"], day["level"]) == (edge - timedelta(minutes=20), "WARNING")
    assert (day["samples"], day["score_max"], day["score_min"]) == (4, 50, 44)


def test_nothing_older_than_max_days(store: HistoryStore) -> None:
    edge = T - timedelta(days=1095)
    store.append_snapshot(snap(T))
    store.append_snapshot(snap(edge, score=1))  # exactly three years: kept
    store.append_snapshot(snap(edge - timedelta(seconds=1), score=2))  # older: dropped at once
    assert times(store) == [edge, T]
    store.append_snapshot(snap(T + timedelta(seconds=1)))
    assert store.compact() == {"merged": 0, "dropped": 1, "pruned": 0}
    assert times(store) == [T, T + timedelta(seconds=1)]


def test_worst_level_survives_downsampling_with_its_own_numbers(store: HistoryStore) -> None:
    hour = (T - timedelta(days=3)).replace(minute=0)
    rows = [(0, "OK", 90.0), (10, "CRITICAL", 30.0), (20, "WARNING", 60.0), (30, "CRITICAL", 20.0)]
    for minutes, level, score in rows:
        events = {"us-ban": {"score": score, "expected_loss": minutes * 1000.0}}
        store.append_snapshot(snap(hour + timedelta(minutes=minutes), level, score, events=events))
    store.append_snapshot(snap(T))
    store.compact()
    rep = store.snapshots()[0]
    assert rep["at"] == hour + timedelta(minutes=10)  # the worst: CRITICAL, then highest score
    assert (rep["level"], rep["score"], rep["events"]["us-ban"]) == (
        "CRITICAL",
        30.0,
        {"score": 30.0, "expected_loss": 10000.0},
    )
    assert (rep["samples"], rep["score_max"], rep["score_min"]) == (4, 90.0, 20.0)


def test_custom_settings(db: Path) -> None:
    store = HistoryStore(db, HistorySettings(full_days=0, hourly_days=1, max_days=2))
    for minutes in range(0, 60 * 72, 30):
        store.append_snapshot(snap(T - timedelta(minutes=minutes)))
    store.compact()
    got = times(store)
    assert got[0] >= T - timedelta(days=2)
    hourly = [t for t in got if T - timedelta(days=1) <= t < T]  # T itself: "full" for 0 days
    assert len(hourly) == len({t.replace(minute=0) for t in hourly})
    assert len(got) < 2 * 24 + 2


def test_compaction_is_amortised_and_cheap_appends_reuse_the_downsampled_table(
    store: HistoryStore, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import riskmon.store.history as st
    import riskmon.store.lockedjson as lj

    calls: list[datetime] = []
    real = st.plan
    monkeypatch.setattr(st, "plan", lambda recs, now, *args: (calls.append(now), real(recs, now, *args))[1])
    start = (T - timedelta(days=3)).replace(minute=0)
    for k in range(12 * 12):  # 12 hours of 5-minute snapshots, 3 days ago
        store.append_snapshot(snap(start + timedelta(minutes=5 * k), score=k % 7))
    assert calls == [start + timedelta(hours=h) for h in (0, 4, 8)]  # once per COMPACT_EVERY
    store.append_snapshot(snap(T))  # three days later: everything above is downsampled
    assert len(calls) == 4
    got = store.snapshots()
    assert len(got) == 12 + 1 and sum(s["samples"] for s in got) == 12 * 12 + 1
    raw = json.loads(db.read_text())
    assert len(raw["snapshots"]) == 1 and len(raw["downsampled"]) == 12

    # An append between compactions leaves the downsampled table's text as it was.
    encoded: list[Any] = []
    real_dumps = lj.json.dumps
    monkeypatch.setattr(lj.json, "dumps", lambda obj, **kw: (encoded.append(obj), real_dumps(obj, **kw))[1])
    before = db.read_text().split("\n")
    store.append_snapshot(snap(T + timedelta(minutes=5)))
    after = db.read_text().split("\n")
    assert [line for line in before if line.startswith('"downsampled"')] == [
        line for line in after if line.startswith('"downsampled"')
    ]
    assert not any(isinstance(obj, dict) and len(obj) == 12 for obj in encoded)

    # A snapshot landing in the downsampled past (a replay with --now) is compacted at once.
    store.append_snapshot(snap(start + timedelta(minutes=1)))
    assert len(calls) == 5 and len(store.snapshots(until=start + timedelta(minutes=59))) == 1


def test_event_log_and_alerts_are_bounded_too(store: HistoryStore, monkeypatch: pytest.MonkeyPatch) -> None:
    import riskmon.store.history as st

    monkeypatch.setattr(st, "EVENT_LOG_KEEP", 5)
    old = T - timedelta(days=1100)
    store.record_events(old, [ev("gone")])
    store.record_alert({"at": old, "key": "k"})
    for k in range(8):
        store.record_events(T + timedelta(minutes=k), [ev("a", probability=k / 10)])
    store.append_snapshot(snap(T))
    store.compact()
    log = store.event_log()
    assert len(log) == 5 and log[-1]["new"] == 0.7
    assert store.alerts() == []
    assert store.record_events(T + timedelta(hours=1), [ev("gone")])[0]["change"] == "first_seen"


def test_hourly_compaction_keeps_the_policy() -> None:
    """Compacting every hour (as append does) keeps one record per hour / day in the coarser
    tiers, each the worst of its bucket and counting every snapshot it stands for."""
    policy = Policy(full_days=0.5, hourly_days=3, max_days=10)
    levels = ["OK", "OK", "WARNING", "OK", "CRITICAL", "OK", "OK"]
    start = datetime(2026, 1, 1, 0, 2, tzinfo=UTC)
    originals: list[dict[str, Any]] = []
    recs: dict[int, dict[str, Any]] = {}
    for k in range(15 * 288):
        now = start + timedelta(minutes=5 * k)
        rec = {"t": iso(now), "l": levels[(k * 7919) % 7], "s": float((k * 31) % 97)}
        originals.append(rec)
        recs[k] = dict(rec)
        if k % 12 == 0 or k == 15 * 288 - 1:
            todo = plan(recs, now, policy)
            for doc_id, (n, hi, lo) in todo.update.items():
                recs[doc_id].update(n=n, hi=hi, lo=lo)
            for doc_id in todo.remove:
                del recs[doc_id]
    full, hourly, oldest = policy.cuts(now)
    kept = list(recs.values())
    assert min(r["t"] for r in kept) >= oldest
    for cut_lo, cut_hi, width in ((oldest, hourly, 10), (hourly, full, 13)):
        tier = [r for r in kept if cut_lo <= r["t"] < cut_hi]
        keys = [r["t"][:width] for r in tier]
        assert len(keys) == len(set(keys))  # one per day / hour
        for r in tier:
            key = r["t"][:width]
            bucket = [o for o in originals if o["t"][:width] == key]
            if bucket[0]["t"] < cut_lo or bucket[-1]["t"] >= cut_hi:
                continue  # a bucket straddling a tier boundary
            worst = max(bucket, key=lambda o: (["OK", "WARNING", "CRITICAL"].index(o["l"]), o["s"], o["t"]))
            assert (r["t"], r["l"], r["s"]) == (worst["t"], worst["l"], worst["s"])
            assert (r["n"], r["hi"], r["lo"]) == (len(bucket), max(o["s"] for o in bucket), min(o["s"] for o in bucket))
    assert all("n" not in r for r in kept if r["t"] >= full)
    assert len(kept) <= (144 + 1) + (60 + 1) + (7 + 1)


def test_a_year_of_five_minute_snapshots_stays_small() -> None:
    """The retention math bounds the count; the compact form bounds the size (the benchmark
    measures the real file: benchmarks/history_growth.py)."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    n = 365 * 288
    records = {k: {"t": iso(start + timedelta(minutes=5 * k)), "l": "OK", "s": 1.0} for k in range(n)}
    end = start + timedelta(minutes=5 * (n - 1))
    todo = plan(records, end, Policy())
    kept = n - len(todo.remove)
    assert kept <= (2 * 288 + 1) + (58 * 24 + 1) + (365 - 60 + 1)
    big = {
        f"platform-{i:02d}-event-with-a-long-id-2026": {"score": 99.99, "expected_loss": 12345678.99} for i in range(20)
    }
    one = len(
        json.dumps(
            encode_snapshot(snap(end, "CRITICAL", 99.99, events=big, expected_loss=1e9), []), separators=(",", ":")
        )
    )
    assert kept * (one + 20) < 5_000_000


# ---------------------------------------------------------------------------------------------
# parse_since


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", T - timedelta(days=7)),
        ("12h", T - timedelta(hours=12)),
        ("30m", T - timedelta(minutes=30)),
        ("2w", T - timedelta(weeks=2)),
        (" 1.5D ", T - timedelta(days=1.5)),
        ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-01T09:30:00+02:00", datetime(2026, 11, 1, 7, 30, tzinfo=UTC)),
        ("2026-11-01T09:30:00Z", datetime(2026, 11, 1, 9, 30, tzinfo=UTC)),
        ("2026-11-01T09:30", datetime(2026, 11, 1, 9, 30, tzinfo=UTC)),
    ],
)
def test_parse_since(text: str, expected: datetime) -> None:
    got = parse_since(text, T)
    assert got == expected and got.tzinfo is not None


@pytest.mark.parametrize("text", ["", "7", "7x", "-7d", "yesterday", "2026-13-01", "d7"])
def test_parse_since_rejects_clearly(text: str) -> None:
    with pytest.raises(ValueError, match=r"neither a duration \(like 30m, 12h, 7d, 2w\) nor an ISO date"):
        parse_since(text, T)


# ---------------------------------------------------------------------------------------------
# The file layer: one table per line, untouched tables written back as they were read


def test_random_transactions_match_a_plain_model(tmp_path: Path) -> None:
    import random

    from tinydb import Query, TinyDB

    from riskmon.store.lockedjson import LockedJSONFile

    rng = random.Random(7)
    path = tmp_path / "db.json"
    f = LockedJSONFile(path)
    model: dict[str, dict[str, Any]] = {}
    for step in range(300):
        name = rng.choice(["a", "b", "c", "nested"])
        with f.transaction(write=True) as tx:
            db = TinyDB(storage=lambda: tx)
            table = db.table(name)
            op = rng.random()
            docs = model.setdefault(name, {})
            if op < 0.4 or not docs:
                doc_id = table.insert({"x": step, "s": f"v{step}", "d": {"k": [step]}})
                docs[str(doc_id)] = {"x": step, "s": f"v{step}", "d": {"k": [step]}}
            elif op < 0.6:
                victim = rng.choice(list(docs))
                table.update({"x": -step, "d": {"k": []}}, doc_ids=[int(victim)])
                docs[victim].update({"x": -step, "d": {"k": []}})
            elif op < 0.75:
                victim = rng.choice(list(docs))
                table.remove(doc_ids=[int(victim)])
                del docs[victim]
            elif op < 0.85:
                table.upsert({"s": "up", "x": 0}, Query().x == 0)
                hits = [k for k, d in docs.items() if d["x"] == 0]
                for k in hits:
                    docs[k].update({"s": "up", "x": 0})
                if not hits:
                    docs[str(max(map(int, docs), default=0) + 1)] = {"s": "up", "x": 0}
            else:
                pass  # a transaction that reads only
        on_disk = json.loads(path.read_text())
        assert {k: v for k, v in on_disk.items() if v or k in model} == {k: v for k, v in model.items() if k in on_disk}
        assert all(on_disk.get(k, {}) == v for k, v in model.items())
    assert len(path.read_text().split("\n")) == len(json.loads(path.read_text()))  # one table per line


@pytest.mark.parametrize(
    "layout",
    ["tinydb", "pretty", "misleading-lines"],
)
def test_other_layouts_are_read_and_rewritten_whole(tmp_path: Path, layout: str) -> None:
    from tinydb import TinyDB

    from riskmon.store.lockedjson import LockedJSONFile

    path = tmp_path / "db.json"
    data = {"a": {"1": {"x": "y"}, "2": {"n": 1}}, "b": {"1": {"z": [1, 2]}}}
    if layout == "tinydb":
        plain = TinyDB(path)  # TinyDB's own JSONStorage
        plain.table("a").insert_multiple([{"x": "y"}, {"n": 1}])
        plain.table("b").insert({"z": [1, 2]})
        plain.close()
    elif layout == "pretty":
        path.write_text(json.dumps(data, indent=2))
    else:  # newlines where a careless split would cut a table in two
        path.write_text('{"a":{"1":{"x":"y"},\n"2":{"n":1}},\n"b":{"1":{"z":[1,2]}}}')
    assert json.loads(path.read_text()) == data
    f = LockedJSONFile(path)
    with f.transaction(write=True) as tx:
        assert tx.data == data
        TinyDB(storage=lambda: tx).table("b").insert({"new": True})
    assert json.loads(path.read_text()) == {**data, "b": {"1": {"z": [1, 2]}, "2": {"new": True}}}
    assert f.recovered == []
    with TinyDB(path) as plain:  # and TinyDB itself still reads it
        assert plain.table("b").all()[-1] == {"new": True}


def test_without_its_lock_a_file_is_read_but_never_moved_or_written(db: Path) -> None:
    HistoryStore(db).append_snapshot(snap(T))
    lock = db.with_name(db.name + ".lock")
    lock.unlink()
    lock.mkdir()  # the lock cannot be opened
    store = HistoryStore(db)
    assert len(store.snapshots()) == 1  # writers replace the file atomically: reading is safe
    with pytest.raises(RiskmonError, match="history file"):
        store.append_snapshot(snap(T + timedelta(minutes=5)))
    db.write_bytes(b'{"snapshots":{"1":')
    with pytest.raises(RiskmonError, match="moves it aside"):
        store.snapshots()  # a read never recovers
    with pytest.raises(RiskmonError, match="cannot create history file"):
        store.append_snapshot(snap(T + timedelta(minutes=5)))  # and a writer needs the lock to
    assert db.read_bytes() == b'{"snapshots":{"1":' and store.recovered == []


def test_documents_out_of_id_order_do_not_clash(store: HistoryStore, db: Path) -> None:
    store.record_alert({"at": T, "key": "a"})
    raw = json.loads(db.read_text())
    raw["alerts"] = {"7": {**raw["alerts"]["1"], "key": "b"}, "1": raw["alerts"]["1"]}  # edited by hand
    db.write_text(json.dumps(raw))
    for k in range(8):
        store.record_alert({"at": T + timedelta(minutes=k), "key": f"k{k}"})
    assert len(store.alerts()) == 10


def test_snapshots_without_event_detail(store: HistoryStore) -> None:
    for k in range(3):
        store.append_snapshot(snap(T + timedelta(minutes=k), score=k, top_platform="odd|name%"))
    full = store.snapshots()
    light = store.snapshots(events=False)
    assert [{k: v for k, v in s.items() if k != "events"} for s in full] == light
    assert all("events" not in s for s in light) and full[0]["top_platform"] == "odd|name%"


def test_fast_and_careful_decoding_agree(store: HistoryStore, db: Path) -> None:
    from riskmon.store.records import decode_snapshot, decode_snapshots

    for k in range(20):
        events = {f"e{i}": {"score": k * i / 7, "expected_loss": k * 1000.0 / (i + 1)} for i in range(k % 5)}
        store.append_snapshot(
            snap(T - timedelta(days=3, minutes=k * 25), ("OK", "WARNING", "CRITICAL")[k % 3], k * 3.3, events=events)
        )
    store.append_snapshot(snap(T))
    store.compact()
    raw = json.loads(db.read_text())
    recs = sorted([*raw["snapshots"].values(), *raw["downsampled"].values()], key=lambda r: r["t"])
    ids = raw["meta"]["1"]["ids"]
    fast, bad = decode_snapshots(recs, ids)
    assert bad == 0 and fast == [decode_snapshot(r, ids) for r in recs]
    assert any(s["samples"] > 1 for s in fast)
