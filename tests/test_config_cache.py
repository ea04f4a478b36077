"""The validated-config cache, through `riskmon check` in a subprocess: a repeated check on
unchanged files imports no pydantic; any change to a file, and any damage to the cache, gives
the answer the files give."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from riskmon.sources.config import cache
from tests.support import SHOP_EXPOSURE, ban, events_toml, write_config

NOW = "2025-01-10T12:00:00Z"


def check(tmp_path: Path, cfg: Path, *extra: str, importtime: bool = False) -> subprocess.CompletedProcess[str]:
    """`riskmon check` with its own cache and data dirs; with `importtime`, stderr lists every
    module imported (python -X importtime)."""
    env = {
        **os.environ,
        "NO_COLOR": "1",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "RISKMON_DATA": str(tmp_path / "data"),
    }
    flags = ["-X", "importtime"] if importtime else []
    argv = [sys.executable, *flags, "-m", "riskmon", "check", "--config", str(cfg), "--now", NOW, "--no-history"]
    return subprocess.run([*argv, *extra], capture_output=True, text=True, env=env, timeout=60)


def imports_pydantic(r: subprocess.CompletedProcess[str]) -> bool:
    return any(line.rsplit("|", 1)[-1].strip().startswith("pydantic") for line in r.stderr.splitlines())


def config(tmp_path: Path) -> Path:
    """A confirmed ban on 30% of the orders, five days out: WARNING."""
    return write_config(tmp_path, exposure=SHOP_EXPOSURE, events=events_toml(ban(effective="2025-01-15")))


def entries(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "riskmon" / "config").glob("*.pickle"))


def config_entry(tmp_path: Path, cfg: Path) -> Path:
    return tmp_path / "cache" / "riskmon" / "config" / cache.slot_for("config", os.path.abspath(cfg))


def test_the_tui_and_the_monitor_import_no_pydantic() -> None:
    """The dashboard and the single-profile daemon take their config from the cache too: none of
    their modules may import the schema at load time (alertmanager once did, for a duration
    parser, and that put ~100 ms of pydantic into every TUI start)."""
    code = (
        "import sys, riskmon.tui.app, riskmon.live.monitor, riskmon.live.tasks, riskmon.live.notifier\n"
        "print(sorted(m for m in sys.modules if m.startswith(('pydantic', 'riskmon.sources.config.schema'))))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


@pytest.mark.parametrize("fmt", ["text", "nagios"])
def test_a_repeated_check_loads_the_config_without_pydantic(tmp_path: Path, fmt: str) -> None:
    cfg = config(tmp_path)
    first = check(tmp_path, cfg, "-f", fmt, importtime=True)
    assert first.returncode == 1, first.stdout + first.stderr
    assert imports_pydantic(first), "a miss validates the files"
    assert entries(tmp_path), "and stores what it validated"
    assert all(e.stat().st_mode & 0o777 == 0o600 for e in entries(tmp_path)), "readable by the user only"
    assert not list(entries(tmp_path)[0].parent.glob(".*")), "no temp file left"

    again = check(tmp_path, cfg, "-f", fmt, importtime=True)
    assert again.returncode == 1 and again.stdout == first.stdout
    assert not imports_pydantic(again), "a hit (nagios: with the bundled playbooks too) needs no pydantic"


def test_an_edit_of_the_same_size_and_mtime_is_seen(tmp_path: Path) -> None:
    """The content hash, not only the stat: a same-length edit with the old mtime is a miss."""
    cfg = config(tmp_path)
    assert check(tmp_path, cfg).returncode == 1
    exposure = cfg / "exposure.toml"
    st = exposure.stat()
    edited = (
        exposure.read_text()
        .replace("order_share = 0.3", "order_share = 0.0")
        .replace("order_share = 0.7", "order_share = 1.0")
    )
    assert len(edited) == len(exposure.read_text())
    exposure.write_text(edited)
    os.utime(exposure, ns=(st.st_atime_ns, st.st_mtime_ns))
    r = check(tmp_path, cfg, importtime=True)
    assert r.returncode == 0, r.stdout  # TikTok sells nothing now: the ban costs nothing
    assert imports_pydantic(r)


def test_a_broken_edit_is_reported_not_served_from_the_cache(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    assert check(tmp_path, cfg).returncode == 1
    (cfg / "exposure.toml").write_text(SHOP_EXPOSURE.replace("order_share = 0.7", "order_share = 7"))
    r = check(tmp_path, cfg)
    assert r.returncode == 3 and "exposure.toml:" in r.stdout and "order_share" in r.stdout


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b[: len(b) // 2], id="truncated"),
        pytest.param(lambda b: b[:-40] + bytes(40), id="payload zeroed"),
        pytest.param(lambda b: b"not a cache at all", id="garbage"),
        pytest.param(lambda b: b"", id="empty"),
    ],
)
def test_a_damaged_cache_is_ignored_and_rewritten(tmp_path: Path, damage: object) -> None:
    cfg = config(tmp_path)
    first = check(tmp_path, cfg)
    (entry,) = entries(tmp_path)
    good = entry.read_bytes()
    entry.write_bytes(damage(good))  # type: ignore[operator]

    r = check(tmp_path, cfg, importtime=True)
    assert (r.returncode, r.stdout) == (first.returncode, first.stdout)
    assert imports_pydantic(r), "validated again"
    assert entry.read_bytes() != damage(good)  # type: ignore[operator]
    assert not imports_pydantic(check(tmp_path, cfg, importtime=True)), "and the rewritten entry serves"


class _Marker:
    """Unpickling this would create a directory: what a forged cache entry could do if trusted."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.mkdir, (str(self.path),)


def test_a_forged_entry_cannot_run_code_or_change_the_answer(tmp_path: Path) -> None:
    """An entry with the right fingerprint and checksum whose pickle calls os.mkdir: refused."""
    cfg = config(tmp_path)
    first = check(tmp_path, cfg)
    entry = config_entry(tmp_path, cfg)
    header = entry.read_bytes().partition(b"\n\n")[0].split(b"\n")
    marker = tmp_path / "pwned"
    body = pickle.dumps((_Marker(marker), None, (), None))
    entry.write_bytes(header[0] + b"\n" + header[1] + b"\n" + cache.checksum(body).encode() + b"\n\n" + body)

    r = check(tmp_path, cfg)
    assert (r.returncode, r.stdout) == (first.returncode, first.stdout)
    assert not marker.exists()


def test_an_entry_that_is_a_fifo_or_a_symlink_is_not_followed(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    first = check(tmp_path, cfg)
    entry = config_entry(tmp_path, cfg)
    entry.unlink()
    os.mkfifo(entry)
    r = check(tmp_path, cfg, "-t", "20")
    assert (r.returncode, r.stdout) == (first.returncode, first.stdout), "no hang on the FIFO"
    assert entry.is_file() and not entry.is_symlink(), "replaced by a real entry"

    elsewhere = tmp_path / "elsewhere.pickle"
    elsewhere.write_bytes(entry.read_bytes())
    entry.unlink()
    entry.symlink_to(elsewhere)
    r = check(tmp_path, cfg, importtime=True)
    assert (r.returncode, r.stdout) == (first.returncode, first.stdout)
    assert imports_pydantic(r), "the link was not read"
    assert not entry.is_symlink(), "replaced by a real entry"


def test_no_usable_cache_dir_is_no_failure(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("a file where the cache dir would be\n")
    cfg = config(tmp_path)
    first, again = check(tmp_path, cfg), check(tmp_path, cfg)
    assert first.returncode == again.returncode == 1 and first.stdout == again.stdout
    assert first.stderr == again.stderr == ""


def test_an_edit_of_one_file_validates_that_file_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One entry per directory, one part per file: the unchanged files come from the cache, and an
    entry left by other code (another riskmon version) is a miss for every file."""
    from riskmon.sources.config import load

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cfg = write_config(tmp_path, exposure=SHOP_EXPOSURE, events=events_toml(ban()), riskmon="[thresholds]\nwarn = 30\n")
    validated: list[str] = []
    parse_text = load.parse_text

    def spy(filename: str, text: str, *, name: str | None = None) -> Any:
        validated.append(name or Path(filename).name)
        return parse_text(filename, text, name=name)

    monkeypatch.setattr(load, "parse_text", spy)
    first = load.load_config(cfg)
    assert sorted(validated) == ["events.toml", "exposure.toml", "riskmon.toml"]

    validated.clear()
    (cfg / "events.toml").write_text(events_toml(ban(), {**ban(), "id": "second-ban"}))
    edited = load.load_config(cfg)
    assert validated == ["events.toml"]
    assert [e.id for e in edited.events] == [first.events[0].id, "second-ban"]
    assert (edited.profile, edited.settings) == (first.profile, first.settings)

    validated.clear()
    assert load.load_config(cfg).events == edited.events and validated == []

    monkeypatch.setattr(cache, "code_key", lambda: "another riskmon")
    assert load.load_config(cfg).events == edited.events
    assert sorted(validated) == ["events.toml", "exposure.toml", "riskmon.toml"]


SPY_PLUGIN = """\
import os
from pathlib import Path


class Spy:
    def new_schema_validator(self, *args, **kwargs):
        Path(os.environ["SPY_MARKER"]).write_text("loaded")
        return None, None, None


plugin = Spy()
"""


def test_validation_loads_no_pydantic_plugin(tmp_path: Path) -> None:
    """Finding plugins reads every installed distribution's entry points, on the first validation
    of a check after an edit; riskmon uses none, so it looks for none (unless the user says)."""
    site = tmp_path / "site"
    info = site / "spy_plugin-1.0.dist-info"
    info.mkdir(parents=True)
    (site / "spy_plugin.py").write_text(SPY_PLUGIN)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: spy-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[pydantic]\nspy = spy_plugin:plugin\n")
    marker = tmp_path / "marker"
    env = {**os.environ, "PYTHONPATH": str(site), "SPY_MARKER": str(marker), "XDG_CACHE_HOME": str(tmp_path / "c")}
    env.pop("PYDANTIC_DISABLE_PLUGINS", None)
    model = "import pydantic\nclass M(pydantic.BaseModel):\n    x: int\nM(x=1)\n"
    subprocess.run([sys.executable, "-c", model], env=env, check=True)
    assert marker.exists(), "the spy plugin is installed: pydantic loads it"
    marker.unlink()

    cfg = config(tmp_path)
    argv = [sys.executable, "-m", "riskmon", "check", "--config", str(cfg), "--now", NOW, "--no-history"]
    r = subprocess.run(argv, env=env, capture_output=True, text=True)
    assert r.returncode == 1, r.stdout + r.stderr
    assert not marker.exists()


def test_the_oldest_entries_go_and_the_directory_is_not_listed_for_every_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "MAX_ENTRIES", 5)
    listed: list[str] = []
    scandir = os.scandir

    def spy(path: Any) -> Any:
        if str(path).startswith(str(tmp_path)):
            listed.append(str(path))
        return scandir(path)

    monkeypatch.setattr(cache.os, "scandir", spy)
    for i in range(5):
        cache.store(f"entry-{i}.pickle", cache.code_key(), ("part", i))
        os.utime(cache.cache_root() / f"entry-{i}.pickle", ns=(i + 1, i + 1))
    assert len(listed) == 1, "listed at the first write only"
    for i in range(5, 8):
        cache.store(f"entry-{i}.pickle", cache.code_key(), ("part", i))
    names = sorted(e.name for e in entries(tmp_path))
    assert names == [f"entry-{i}.pickle" for i in (3, 4, 5, 6, 7)], "the most recently written"
    assert cache.load("entry-7.pickle", cache.code_key()) == ("part", 7)
