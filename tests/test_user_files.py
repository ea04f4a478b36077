"""Files at user paths that are not what they seem: a dangling symlink, a named pipe, a link to
/dev/zero, a huge file. Each is a clean error naming the file, never "absent", a hang or a crash."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from riskmon.sources.feeds.feeds import poll_feed
from tests.support import WHATIF_EVENTS, WHATIF_EXPOSURE, validated, write_config

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX file kinds")

NOW = "2025-01-10T00:00:00Z"
TEN_MB = 10 * 1024 * 1024


def riskmon(tmp_path: Path, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RISKMON_CONFIG", "RISKMON_DB")}
    env.update({"NO_COLOR": "1", "RISKMON_DATA": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "xdg")})
    return subprocess.run(
        [sys.executable, "-m", "riskmon", *args], capture_output=True, text=True, env=env, timeout=timeout
    )


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    return write_config(tmp_path, exposure=WHATIF_EXPOSURE, events=WHATIF_EVENTS)


def make(kind: str, path: Path) -> str:
    """Put a `kind` of thing at `path`; return what riskmon must say about it."""
    path.unlink(missing_ok=True)
    if kind == "dangling":
        path.symlink_to(path.with_name("moved-away.toml"))
        return "cannot read: a broken symbolic link (its target " + str(path.with_name("moved-away.toml"))
    if kind == "fifo":
        os.mkfifo(path)
        return "cannot read: a named pipe (FIFO), not a regular file"
    if kind == "dev-zero":
        path.symlink_to("/dev/zero")
        return "cannot read: a device, not a regular file"
    if kind == "directory":
        path.mkdir()
        return "cannot read: a directory, not a file"
    assert kind == "huge"
    with path.open("wb") as f:  # sparse: costs no disk
        f.truncate(TEN_MB + 1)
    return f"cannot read: too large: {TEN_MB + 1} bytes, more than the 10 MB riskmon reads"


KINDS = ["dangling", "fifo", "dev-zero", "directory", "huge"]


def test_the_config_is_wanted_as_it_is(cfg: Path, tmp_path: Path) -> None:
    """The baseline the tests below break: valid and CRITICAL (without its events it is OK)."""
    assert riskmon(tmp_path, "check", "--config", str(cfg), "--now", NOW, "--no-history").returncode == 2


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", ["events.toml", "riskmon.toml", "exposure.toml"])
def test_an_unreadable_config_file_is_an_error_naming_it(cfg: Path, tmp_path: Path, name: str, kind: str) -> None:
    said = make(kind, cfg / name)
    where = f"{cfg / name}: {said}"
    validate = riskmon(tmp_path, "config", "validate", "--config", str(cfg))
    assert validate.returncode == 1 and where in validate.stdout + validate.stderr
    check = riskmon(tmp_path, "check", "--config", str(cfg), "--now", NOW, "--no-history", "-t", "10")
    assert check.returncode == 3, check.stdout + check.stderr
    assert check.stdout.startswith(f"RISKMON UNKNOWN - {where}")


def test_only_a_missing_file_means_defaults(cfg: Path, tmp_path: Path) -> None:
    (cfg / "events.toml").unlink()
    r = riskmon(tmp_path, "config", "validate", "--config", str(cfg))
    assert r.returncode == 0 and "0 events" in r.stdout


def test_a_dangling_exposure_in_the_user_dir_is_not_swapped_for_the_demo(tmp_path: Path) -> None:
    user = tmp_path / "xdg" / "riskmon"
    user.mkdir(parents=True)
    said = make("dangling", user / "exposure.toml")
    r = riskmon(tmp_path, "check", "--now", NOW, "--no-history")
    assert r.returncode == 3 and r.stdout.startswith(f"RISKMON UNKNOWN - {user / 'exposure.toml'}: {said}")


def test_config_path_does_not_call_an_unreadable_file_missing(cfg: Path, tmp_path: Path) -> None:
    make("dangling", cfg / "riskmon.toml")
    make("fifo", cfg / "events.toml")
    out = riskmon(tmp_path, "config", "path", "--config", str(cfg)).stdout
    assert re.search(r"riskmon\.toml +UNREADABLE: a broken symbolic link", out), out
    assert re.search(r"events\.toml +UNREADABLE: a named pipe \(FIFO\), not a regular file", out), out
    assert not re.search(r"(riskmon|events)\.toml +missing", out, re.IGNORECASE), out


def test_config_edit_refuses_to_start_from_an_unreadable_file(cfg: Path, tmp_path: Path) -> None:
    said = make("fifo", cfg / "events.toml")
    r = riskmon(tmp_path, "config", "edit", "events", "--config", str(cfg), timeout=30)
    assert r.returncode != 0 and f"{cfg / 'events.toml'}: {said}" in r.stderr
    assert (cfg / "events.toml").is_fifo()


@pytest.mark.parametrize("kind", ["fifo", "dangling", "dev-zero"])
def test_a_scenario_that_is_not_a_file(cfg: Path, tmp_path: Path, kind: str) -> None:
    (cfg / "scenarios").mkdir()
    said = make(kind, cfg / "scenarios" / "plan.toml").removeprefix("cannot read: ")
    r = riskmon(tmp_path, "what-if", "--config", str(cfg), "--now", NOW, "--scenario", "plan")
    assert r.returncode == 3 and f"{cfg / 'scenarios' / 'plan.toml'}: cannot read: {said}" in r.stderr


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_file_feed_that_is_not_a_file(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "feed.json"
    said = make(kind, path).removeprefix("cannot read: ")
    feed = validated("FeedSettings", {"name": "local", "type": "file", "path": str(path)})
    r = poll_feed(feed, datetime(2025, 1, 10, tzinfo=UTC), cache_dir=tmp_path / "cache", force=True)
    assert r.status.error == f"cannot read {path}: {said}" and r.events == ()


# ---------------------------------------------------------------------------------------------
# --db PATH: read-only commands change nothing; recovery moves only what is recognisably history

READ_ONLY = [["history"], ["history", "changes"], ["playbook"], ["report"], ["check", "--no-history"], ["events"]]


def tree(root: Path) -> dict[str, bytes | str]:
    """Every entry under `root`: a file's bytes, a link's target, a directory's kind."""
    out: dict[str, bytes | str] = {}
    for p in sorted(root.rglob("*")):
        key = str(p.relative_to(root))
        out[key] = os.readlink(p) if p.is_symlink() else p.read_bytes() if p.is_file() else "dir"
    return out


@pytest.mark.parametrize("command", READ_ONLY, ids=" ".join)
@pytest.mark.parametrize("db", ["config-file", "broken-history"])
def test_read_only_commands_never_move_or_write_the_db(cfg: Path, tmp_path: Path, command: list[str], db: str) -> None:
    if db == "config-file":
        path = cfg / "exposure.toml"
    else:
        path = tmp_path / "data" / "history.json"
        path.parent.mkdir()
        path.write_bytes(b'{"snapshots":{"1":{"t":')  # riskmon's, cut short
    before = tree(tmp_path)
    r = riskmon(tmp_path, *command, "--config", str(cfg), "--db", str(path), "--now", NOW)
    assert "Traceback" not in r.stderr and r.returncode in (0, 1, 2, 3), r.stderr
    assert tree(tmp_path) == before


def test_check_records_no_history_into_a_file_that_is_not_history(cfg: Path, tmp_path: Path) -> None:
    before = tree(tmp_path)
    path = cfg / "exposure.toml"
    # A live check (a replay with --now writes no history at all, so it would not try).
    r = riskmon(tmp_path, "check", "--config", str(cfg), "--db", str(path))
    assert r.returncode in (0, 1, 2)  # the check itself goes on
    assert f"history not recorded: {path} is not a riskmon history file" in r.stderr
    after = tree(tmp_path)
    assert after.pop("cfg/exposure.toml.lock") == b""  # the writer's lock file, nothing else
    assert after == before


def test_check_moves_a_broken_history_aside_and_starts_afresh(cfg: Path, tmp_path: Path) -> None:
    path = tmp_path / "data" / "history.json"
    path.parent.mkdir()
    path.write_bytes(b'{"snapshots":{"1":{"t":')
    r = riskmon(tmp_path, "check", "--config", str(cfg), "--db", str(path))  # live: a writer
    assert r.returncode in (0, 1, 2) and "history file was unreadable; moved aside to" in r.stderr
    (moved,) = path.parent.glob("history.json.corrupt-*")
    assert moved.read_bytes() == b'{"snapshots":{"1":{"t":'
    assert riskmon(tmp_path, "history", "--db", str(path), "--now", NOW, "-f", "json").returncode == 0
