"""What `riskmon check` skips at start-up gives the same answers as what it skips: the parser built
for the named command only, the user directories found without platformdirs, help wrapped
without shutil, the deadline outside the main thread."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import platformdirs
import pytest

from riskmon import paths
from riskmon.cli.check import deadline
from riskmon.cli.parser import build_parser, parse_args

NOW = "2025-01-10T00:00:00Z"


@pytest.mark.parametrize(
    "argv",
    [
        ["check"],
        ["check", "-f", "json", "--no-history", "-w", "30", "--now", NOW],
        ["--config", "/cfg", "check", "--offline"],
        ["--config=/cfg", "--now", NOW, "check", "-t", "5"],
        ["--db", "check", "events", "list"],  # an option's value that is a command's name
        ["--conf", "/cfg", "check"],  # abbreviated: argparse decides
        ["history", "--config", "/cfg"],
        ["config", "path"],
        ["what-if", "--stress"],
        [],
    ],
)
def test_the_command_line_parses_as_with_every_command_built(argv: list[str]) -> None:
    whole = build_parser().parse_args(argv)
    assert vars(parse_args(argv)) == vars(whole)


ENVS = [
    {"HOME": "/home/ann"},
    {"HOME": "/home/ann/", "XDG_CONFIG_HOME": "/x/conf", "XDG_DATA_HOME": "/x/data", "XDG_CACHE_HOME": "/x/cache/"},
    {"HOME": "/home/ann", "XDG_CONFIG_HOME": "", "XDG_CACHE_HOME": "  "},
    {"HOME": "/home/ann", "XDG_CONFIG_HOME": "relative/conf", "XDG_DATA_HOME": "rel", "XDG_CACHE_HOME": "rel"},
]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the shortcut is for Linux only")
@pytest.mark.parametrize("env", ENVS)
def test_user_dirs_are_platformdirs_own(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "RISKMON_DATA"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert paths.user_config_dir() == platformdirs.user_config_path("riskmon", appauthor=False)
    assert paths.user_data_dir() == platformdirs.user_data_path("riskmon", appauthor=False)
    assert paths.user_cache_dir() == platformdirs.user_cache_path("riskmon", appauthor=False)


def test_help_is_wrapped_to_columns(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "50", "RISKMON_DATA": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "riskmon", "check", "--help"], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and "--no-history" in r.stdout
    options = r.stdout.split("options:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(options) > 10
    # (argparse never breaks an option's own spelling; the epilog is printed as written)
    assert max(len(line) for line in options if not line.startswith("  -")) <= 50


def test_a_deadline_outside_the_main_thread_is_no_deadline() -> None:
    done: list[bool] = []

    def worker() -> None:
        with deadline(0.01):
            done.append(True)

    t = threading.Thread(target=worker)
    t.start()
    t.join(10)
    assert done == [True]
