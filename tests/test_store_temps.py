"""Temp files left by writers that died are swept, and a directory shared by many history files
(a fleet's) is listed once, not once per file."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from riskmon.store import temps
from riskmon.store.history import HistoryStore
from tests.test_store import T, snap


def test_many_files_in_one_directory_list_it_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fleet's cycle: every history file (and its lock file) exists, each gets one check."""
    for i in range(50):
        HistoryStore(tmp_path / f"seller-{i}.json").append_snapshot(snap(T))
    listed: list[str] = []
    scandir = os.scandir

    def spy(path: str | os.PathLike[str]) -> object:
        listed.append(str(path))
        return scandir(path)

    monkeypatch.setattr(temps.os, "scandir", spy)
    for i in range(50):
        HistoryStore(tmp_path / f"seller-{i}.json").append_snapshot(snap(T + timedelta(minutes=5)))
    assert len(listed) <= 1  # (none when the listing of the first round is still current)
    assert len(list(tmp_path.glob("*.json"))) == 50 and not list(tmp_path.glob(".*.tmp"))


def test_a_temp_left_after_the_listing_is_still_swept(tmp_path: Path) -> None:
    """Another process's dead writer leaves a temp after this one listed the directory: the
    directory changed, so the next file's sweep lists it again."""
    HistoryStore(tmp_path / "a.json").append_snapshot(snap(T))
    stale = tmp_path / ".b.json.4242-deadbeef.tmp"
    stale.write_text("half a write")
    HistoryStore(tmp_path / "b.json").append_snapshot(snap(T))
    assert not stale.exists()
    left = tmp_path / ".a.json.4343-deadbeef.tmp"
    left.write_text("half a write")
    HistoryStore(tmp_path / "a.json").append_snapshot(snap(T))
    assert not left.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "a.json.lock", "b.json", "b.json.lock"]


def test_another_files_temp_is_left_alone(tmp_path: Path) -> None:
    """Only the file whose lock is held may sweep its temps: another file's may be a live write."""
    other = tmp_path / ".b.json.4242-deadbeef.tmp"
    other.write_text("b's writer, still writing")
    HistoryStore(tmp_path / "a.json").append_snapshot(snap(T))
    assert other.exists()
