"""A reader that leaves early (`riskmon report | head`): every command ends quietly, no traceback.

Run as a shell runs it: riskmon in a subprocess whose stdout is a real pipe, its reading end
closed before riskmon writes (or, for output larger than the pipe's buffer, after a few bytes, as
`head -c 300` does). Both with Python's output buffered and with PYTHONUNBUFFERED=1: buffered output
fails in the final flush, unbuffered output in the write itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fleet_support import NOW as FLEET_NOW
from tests.fleet_support import make_fleet
from tests.support import SELLER_EXPOSURE, write_config

NOW = "2026-11-21T12:00:00Z"
DEMO = ["--offline", "--now", NOW]
READER_LEFT = 141  # 128 + SIGPIPE


@pytest.fixture(params=["buffered", "unbuffered"])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("PYTHONUNBUFFERED", "RISKMON_DEBUG")}
    if request.param == "unbuffered":
        base["PYTHONUNBUFFERED"] = "1"
    return {**base, "NO_COLOR": "1", "RISKMON_DATA": str(tmp_path / "data"), "XDG_CACHE_HOME": str(tmp_path / "c")}


def riskmon(*args: str) -> list[str]:
    return [sys.executable, "-m", "riskmon", *args]


def reader_gone(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `argv` with stdout a pipe whose reading end is already closed."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(argv, stdout=write_end, stderr=subprocess.PIPE, text=True, env=env, timeout=120)
    finally:
        os.close(write_end)


def assert_quiet(r: subprocess.CompletedProcess[str]) -> None:
    """Nothing on stderr but riskmon's own notes: no traceback, no 'Exception ignored', no
    internal error."""
    for sign in ("Traceback", "Exception ignored", "BrokenPipe", "Errno", "internal error"):
        assert sign not in r.stderr, r.stderr


@pytest.mark.parametrize(
    "args",
    [["report", *DEMO], ["events", "list", *DEMO], ["history", "--now", NOW], ["--help"], ["check", "--help"]],
    ids=["report", "events-list", "history", "help", "check-help"],
)
def test_a_command_whose_reader_left_exits_141_quietly(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(riskmon("check", "--offline"), env=env, capture_output=True, check=False)  # some history
    r = reader_gone(riskmon(*args), env)
    assert_quiet(r)
    # argparse itself swallows a failed write of --help when unbuffered, and exits 0
    unbuffered_help = "--help" in args and env.get("PYTHONUNBUFFERED")
    assert r.returncode == (0 if unbuffered_help else READER_LEFT)


@pytest.mark.parametrize("fmt", ["json", "text", "nagios", "prometheus"])
def test_check_whose_reader_left_still_exits_with_its_level(fmt: str, env: dict[str, str], tmp_path: Path) -> None:
    """The level is the answer of a Nagios plugin: `riskmon check | head -1` under `set -o
    pipefail` still sees WARNING, not a broken pipe."""
    cfg = write_config(tmp_path, exposure=SELLER_EXPOSURE.format(cash=10_000_000, share=0.65))
    argv = riskmon("check", "-f", fmt, "--config", str(cfg), "--no-history", "--now", NOW)
    assert subprocess.run(argv, env=env, capture_output=True, text=True, check=False).returncode == 1
    r = reader_gone(argv, env)
    assert_quiet(r)
    assert r.returncode == 1


def test_check_failing_when_its_reader_left_is_still_unknown(env: dict[str, str], tmp_path: Path) -> None:
    r = reader_gone(riskmon("check", "-f", "json", "--config", str(tmp_path / "none")), env)
    assert_quiet(r)
    assert r.returncode == 3


def test_check_json_into_head_c_300(env: dict[str, str]) -> None:
    """The JSON document is larger than a pipe's buffer: the write fails part-way, as `| head -c 300`."""
    argv = riskmon("check", "-f", "json", "--no-history", *DEMO)
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as p:
        assert p.stdout is not None and p.stderr is not None
        head = p.stdout.read(300)
        p.stdout.close()
        err = p.stderr.read()
    assert head.startswith("{")
    assert_quiet(subprocess.CompletedProcess(argv, p.returncode, "", err))
    assert p.returncode in (0, 1, 2)


def test_fleet_check_whose_reader_left_still_exits_with_the_worst_level(env: dict[str, str], tmp_path: Path) -> None:
    fleet = make_fleet(tmp_path / "fleet", 3)
    argv = riskmon("fleet", "check", str(fleet), "-f", "json", "--no-history", "--offline", "--now", FLEET_NOW)
    worst = subprocess.run(argv, env=env, capture_output=True, text=True, check=False).returncode
    assert worst in (1, 2)
    r = reader_gone(argv, env)
    assert_quiet(r)
    assert r.returncode == worst
