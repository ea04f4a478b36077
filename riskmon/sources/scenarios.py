"""Saved what-if scenarios: `scenarios/NAME.toml` inside the config directory.

```toml
[scenario]
name = "ban-move-half"
created = 2025-01-10T00:00:00Z
stress = false
description = "the ban is confirmed and half of the TikTok orders move to Amazon"   # optional

[[set]]
target = "us-tiktok-ban-2025.probability"
value = 0.9

[[set]]
target = "tiktok-us.order_share"
value = 0.175
```

Values are TOML numbers, strings (`status`) and dates; `"none"` clears `probability` or `ends`.
The data <-> Scenario mapping is pure (`riskmon.core.scenario`); this module only reads and writes.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from riskmon.core.scenario import Scenario, ScenarioError, scenario_from_data, scenario_to_data
from riskmon.errors import RiskmonError, did_you_mean
from riskmon.i18n import _

SCENARIO_DIR = "scenarios"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_BYTES = 1_000_000
SAVE_ONE = "riskmon what-if --set ... --save NAME"


def check_name(name: str) -> str:
    """A scenario's name (a trailing .toml dropped); no paths: it names a file in scenarios/."""
    stem = name.removesuffix(".toml")
    if not _NAME.match(stem):
        message = _("scenario name {name}: use letters, digits and - _ . (at most 64; no spaces or /)")
        raise ScenarioError(message.format(name=repr(name)))
    return stem


def scenario_dir(config_dir: Path) -> Path:
    return Path(config_dir) / SCENARIO_DIR


def scenario_path(config_dir: Path, name: str) -> Path:
    return scenario_dir(config_dir) / f"{check_name(name)}.toml"


def list_scenarios(config_dir: Path) -> list[str]:
    """Names of the saved scenarios, sorted."""
    try:
        return sorted(p.stem for p in scenario_dir(config_dir).glob("*.toml") if p.is_file() and _NAME.match(p.stem))
    except OSError:
        return []


def load_scenario(config_dir: Path, name: str) -> Scenario:
    """Read `scenarios/NAME.toml`; a missing file is a ScenarioError with a "did you mean"."""
    from riskmon.userfile import read_bytes

    path = scenario_path(config_dir, name)
    try:
        data, _size = read_bytes(path, MAX_BYTES)  # a regular file only: a FIFO there must not hang us
    except FileNotFoundError:
        known = list_scenarios(config_dir)
        close = did_you_mean(check_name(name), known)
        saved = _("; saved: {names}").format(names=", ".join(known))
        hint = close or (saved if known else _("; save one with: {command}").format(command=SAVE_ONE))
        raise ScenarioError(no_scenario(config_dir, name) + hint) from None
    except OSError as exc:
        raise RiskmonError(cannot(_("{path}: cannot read: {reason}"), path, exc)) from None
    try:
        doc = tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ScenarioError(_("{path}: not UTF-8 text").format(path=path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(_("{path}: invalid TOML: {problem}").format(path=path, problem=exc)) from None
    return scenario_from_data(doc, str(path), default_name=check_name(name))


def scenario_text(s: Scenario) -> str:
    import tomlkit

    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"riskmon what-if scenario; try it with: riskmon what-if --scenario {s.name}"))
    doc.add(tomlkit.comment('[[set]] target = "ID.FIELD", value = ...; "none" clears probability or ends'))
    data = scenario_to_data(s)
    head = tomlkit.table()
    for key, value in data["scenario"].items():
        head.add(key, value)
    doc.add("scenario", head)
    sets = tomlkit.aot()
    for entry in data["set"]:
        t = tomlkit.table()
        t.add("target", entry["target"])
        t.add("value", entry["value"])
        sets.append(t)
    if data["set"]:
        doc.add("set", sets)
    return tomlkit.dumps(doc)


def save_scenario(config_dir: Path, s: Scenario) -> Path:
    """Write `scenarios/NAME.toml` atomically (replacing a scenario of the same name)."""
    from riskmon.sources.config.edit import config_dir_of, write_atomic

    base = config_dir_of(config_dir)
    path = scenario_path(base, s.name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RiskmonError(cannot(_("{path}: cannot create: {reason}"), path.parent, exc)) from None
    write_atomic(path, scenario_text(s))
    return path


def delete_scenario(config_dir: Path, name: str) -> None:
    path = scenario_path(config_dir, name)
    try:
        path.unlink()
    except FileNotFoundError:
        raise ScenarioError(no_scenario(config_dir, name)) from None


def no_scenario(config_dir: Path, name: str) -> str:
    return _("no scenario {name} in {dir}").format(name=repr(name), dir=scenario_dir(config_dir))


def cannot(message: str, path: Path, exc: OSError) -> str:
    """`message` (a translated "{path}: cannot ...: {reason}") for an OS error on `path`."""
    return message.format(path=path, reason=exc.strerror or type(exc).__name__)
