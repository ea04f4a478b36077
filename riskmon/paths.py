"""Where riskmon finds its config, its data and its bundled defaults, and why.

Config lookup order: --config DIR, $RISKMON_CONFIG, the user config dir (if it exists), else the
bundled demo config. History lives in the user data dir unless --db or $RISKMON_DB says otherwise;
the bundled demo's in a file of its own there, so that trying the demo never mixes a fictional
seller into the user's history.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from riskmon.core.record import record

APP = "riskmon"
CONFIG_FILES = ("riskmon.toml", "exposure.toml", "events.toml", "playbooks.toml")


def bundled_config_dir() -> Path:
    """The demo config shipped with the package (wheel) or sitting in the source tree."""
    here = Path(__file__).resolve().parent
    packaged = here / "_bundled_config"
    if packaged.is_dir():
        return packaged
    return here.parent / "config"


def templates_dir() -> Path:
    """The commented starter files `riskmon config init` writes (riskmon/templates/)."""
    return Path(__file__).resolve().parent / "templates"


def user_config_dir() -> Path:
    found = plain_xdg_dir("config")
    if found is not None:
        return found
    from platformdirs import user_config_path

    return user_config_path(APP, appauthor=False)


def user_data_dir() -> Path:
    env = os.environ.get("RISKMON_DATA")
    if env:
        return Path(env).expanduser()
    found = plain_xdg_dir("data")
    if found is not None:
        return found
    from platformdirs import user_data_path

    return user_data_path(APP, appauthor=False)


def user_cache_dir() -> Path:
    found = plain_xdg_dir("cache")
    if found is not None:
        return found
    from platformdirs import user_cache_path

    return user_cache_path(APP, appauthor=False)


_XDG = {
    "config": ("XDG_CONFIG_HOME", "~/.config"),
    "data": ("XDG_DATA_HOME", "~/.local/share"),
    "cache": ("XDG_CACHE_HOME", "~/.cache"),
}


def plain_xdg_dir(kind: str) -> Path | None:
    """platformdirs' user directory of `kind` on Linux, where its answer is plain: $XDG_*_HOME when
    it is an absolute path, else the default under an absolute $HOME (every platformdirs 4.x says
    so). Anything else (another OS, a relative value, no home) is None: ask platformdirs, which
    importing costs every `riskmon check` ~10 ms (it imports tempfile, and that shutil)."""
    if not sys.platform.startswith("linux"):
        return None
    variable, default = _XDG[kind]
    value = os.environ.get(variable, "")
    if os.path.isabs(value):
        return Path(value, APP)
    if value.strip() or not os.path.isabs(os.environ.get("HOME", "")):
        return None
    return Path(os.path.expanduser(default), APP)


@record
class ConfigLocation:
    """A config directory and how it was found (`source`)."""

    path: Path
    source: str  # "--config", "$RISKMON_CONFIG", "user config dir", "bundled demo"

    @property
    def is_demo(self) -> bool:
        return self.source == "bundled demo"


def resolve_config_dir(cli_value: str | os.PathLike[str] | None = None) -> ConfigLocation:
    if cli_value:
        return ConfigLocation(Path(cli_value).expanduser(), "--config")
    env = os.environ.get("RISKMON_CONFIG")
    if env:
        return ConfigLocation(Path(env).expanduser(), "$RISKMON_CONFIG")
    user = user_config_dir()
    # Any entry counts: a dangling or unreadable exposure.toml is reported, not swapped for the demo.
    if os.path.lexists(user / "exposure.toml"):
        return ConfigLocation(user, "user config dir")
    return ConfigLocation(bundled_config_dir(), "bundled demo")


DEMO_HISTORY = "demo-history.json"
"""The bundled demo's history file (in the user data dir), never the user's own."""


def resolve_db_path(cli_value: str | os.PathLike[str] | None = None, location: ConfigLocation | None = None) -> Path:
    """--db, else $RISKMON_DB, else the user data dir's history.json (demo-history.json when
    `location` is the bundled demo: the demo records nothing into the user's history)."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get("RISKMON_DB")
    if env:
        return Path(env).expanduser()
    return user_data_dir() / (DEMO_HISTORY if location is not None and location.is_demo else "history.json")


def cache_dir() -> Path:
    """Last good copies of feeds live next to history so that they survive restarts."""
    return user_data_dir() / "feeds"
