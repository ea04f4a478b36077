"""Read and validate a config directory; report every problem as `file:line: field: message`.

A config directory holds up to four TOML files (see README, "Config reference"); only
exposure.toml is required. `load_config` reads them with the stdlib `tomllib` (this is on the
cold-start path of `riskmon check`, so nothing heavy is imported here), validates each one with
its pydantic model and either returns a `Config` or raises one `ConfigError` listing every
problem in every file. Problems name the file as the user knows it, the line (found by
`tomlpos`, since tomllib keeps no positions) and the field in the user's terms
(`channels[tiktok-us].order_share`), with pydantic's messages rewritten to read naturally.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskmon.core.model import Event, Profile
from riskmon.core.playbook_rules import PlaybookFile, PlaybookRule
from riskmon.core.settings import Settings
from riskmon.errors import ConfigError, Problem
from riskmon.paths import CONFIG_FILES, ConfigLocation, resolve_config_dir
from riskmon.sources.config.files import Read as Read
from riskmon.sources.config.files import _check_dir, read_file
from riskmon.sources.config.files import _read as _read
from riskmon.sources.config.messages import unwrap_annotation as unwrap_annotation
from riskmon.sources.config.problems import _problems_from as _problems_from
from riskmon.sources.config.syntax import _syntax_problem as _syntax_problem

if TYPE_CHECKING:
    from pydantic import BaseModel

# Which model validates which file.
FILE_MODELS: dict[str, str] = {
    "riskmon.toml": "Settings",
    "exposure.toml": "Profile",
    "events.toml": "EventCatalog",
    "playbooks.toml": "PlaybookFile",
}
REQUIRED_FILE = "exposure.toml"

# What a missing file means, for `config path` and the docs.
MISSING_MEANS: dict[str, str] = {
    "riskmon.toml": "default settings: thresholds, model constants, no feeds, no alerts",
    "exposure.toml": "required: riskmon cannot assess without your business and channels",
    "events.toml": "no local events (feeds may still add some)",
    "playbooks.toml": "the bundled playbooks only",
}


@dataclass(frozen=True)
class Config:
    """A validated config directory, as the core's plain types."""

    location: ConfigLocation
    files: dict[str, Path | None]
    """Each of the four file names -> its path if it exists, else None."""
    settings: Settings
    profile: Profile
    events: tuple[Event, ...]
    playbooks: PlaybookFile
    """The user's playbooks.toml; PlaybookFile() when there is none."""
    mtimes: dict[str, float]
    """File name -> modification time, for the files that exist (reload detection)."""

    @property
    def path(self) -> Path:
        return self.location.path

    def changed(self) -> bool:
        """True when a file was edited, added or removed since this config was loaded."""
        return current_mtimes(self.location.path) != self.mtimes


def current_mtimes(directory: Path) -> dict[str, float]:
    """File name -> mtime for the config files that exist in `directory` now."""
    out: dict[str, float] = {}
    for name in CONFIG_FILES:
        try:
            out[name] = (directory / name).stat().st_mtime
        except OSError:
            continue
    return out


def _location(location: ConfigLocation | Path | str | None) -> ConfigLocation:
    if isinstance(location, ConfigLocation):
        return location
    return resolve_config_dir(location)


def load_config(location: ConfigLocation | Path | str | None = None) -> Config:
    """Read and validate the config directory; raise ConfigError with every problem found.

    `location`: a resolved ConfigLocation, or a directory (as --config would give it), or None
    for the lookup order (--config, $RISKMON_CONFIG, user config dir, bundled demo).

    Files read exactly as they were validated before come from the validated-config cache
    (riskmon.sources.config.cache) without parsing or pydantic; anything else is validated.
    """
    loc = _location(location)
    base = loc.path
    _check_dir(loc)
    reads = {name: read_file(base / name) for name in CONFIG_FILES}
    files = {name: base / name if r.found else None for name, r in reads.items()}
    mtimes = {name: r.st.st_mtime for name, r in reads.items() if r.st is not None}
    slot, fingerprint = _cache_key(base, reads)
    found = _from_cache(slot, fingerprint) if fingerprint else None
    if found is None:
        found = _validate(base, reads)
        if fingerprint:
            from riskmon.sources.config import cache

            cache.store(slot, fingerprint, found)
    settings, profile, events, playbooks = found
    return Config(loc, files, settings, profile, events, playbooks, mtimes)


Validated = tuple[Settings, Profile, tuple[Event, ...], PlaybookFile]


def _validate(base: Path, reads: dict[str, Read]) -> Validated:
    """Parse and validate what was read: the core's objects, or ConfigError with every problem."""
    problems: list[Problem] = []
    parsed: dict[str, Any] = {}
    for name, r in reads.items():
        display = str(base / name)
        if not r.found and name == REQUIRED_FILE:
            problems.append(
                Problem(
                    display,
                    None,
                    "",
                    f"file not found in {base}: a config directory needs at least exposure.toml "
                    f"(write a starter set with: riskmon config init {base})",
                )
            )
        problems.extend(r.problems)
        if r.text is None:
            continue
        obj, file_problems = parse_text(display, r.text, name=name)
        problems.extend(file_problems)
        parsed[name] = obj
    if problems:
        raise ConfigError(problems)

    from riskmon.sources.config.schema import to_core

    catalog = parsed.get("events.toml")
    settings = parsed.get("riskmon.toml")
    playbooks = parsed.get("playbooks.toml")
    return (
        to_core(settings) if settings is not None else Settings(),
        to_core(parsed["exposure.toml"]),
        to_core(catalog.events) if catalog is not None else (),
        to_core(playbooks) if playbooks is not None else PlaybookFile(),
    )


def _cache_key(base: Path, reads: dict[str, Read]) -> tuple[str, str | None]:
    """(The cache entry for `base`, the fingerprint of what was read); no fingerprint when a file
    could not be read or exposure.toml is missing: that is reported, never cached."""
    from riskmon.sources.config import cache

    directory = os.path.abspath(base)
    slot = cache.slot_for("config", directory)
    if any(r.problems for r in reads.values()) or not reads[REQUIRED_FILE].found:
        return slot, None
    fp = cache.Fingerprint()
    for name, r in reads.items():
        fp.file(Path(directory, name), r.data, r.st)
    return slot, fp.digest()


def _from_cache(slot: str, fingerprint: str) -> Validated | None:
    """The cached objects, if the entry holds exactly the four kinds a config validates to."""
    from riskmon.sources.config import cache

    found = cache.load(slot, fingerprint)
    if not (isinstance(found, tuple) and len(found) == 4):
        return None
    settings, profile, events, playbooks = found
    ok = isinstance(settings, Settings) and isinstance(profile, Profile) and isinstance(playbooks, PlaybookFile)
    if ok and isinstance(events, tuple) and all(isinstance(e, Event) for e in events):
        return settings, profile, events, playbooks
    return None


def validate_dir(path: ConfigLocation | Path | str | None) -> list[Problem]:
    """Every problem in the config directory; an empty list means it is valid."""
    try:
        load_config(path)
    except ConfigError as exc:
        return list(exc.problems)
    return []


def find_problems_in_text(filename: str, text: str) -> list[Problem]:
    """Validate one file's text by its file name (riskmon.toml, exposure.toml, ...)."""
    return parse_text(filename, text)[1]


def parse_text(filename: str, text: str, *, name: str | None = None) -> tuple[BaseModel | None, list[Problem]]:
    """Parse and validate one file's text; return (the model or None, problems).

    The model used is chosen by `name`, else by the base name of `filename`; problems name
    `filename` as given.
    """
    name = name or Path(filename).name
    model_name = FILE_MODELS.get(name)
    if model_name is None:
        known = ", ".join(CONFIG_FILES)
        return None, [Problem(filename, None, "", f"not a riskmon config file; expected one of: {known}")]
    import tomllib

    from riskmon.docparse import toml_loads

    try:
        data = toml_loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [_syntax_problem(filename, text, exc)]
    except RecursionError:
        return None, [Problem(filename, None, "", "invalid TOML: arrays or tables nested too deeply")]

    from pydantic import ValidationError

    import riskmon.sources.config.schema as model_module

    model: type[BaseModel] = getattr(model_module, model_name)
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, _problems_from(filename, text, data, model, exc.errors(include_url=False))


# ---------------------------------------------------------------------------------------------
# Writing


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file and os.replace (never half a file),
    keeping the file's permissions."""
    from riskmon.fileio import atomic_write_bytes

    atomic_write_bytes(path, text.encode("utf-8"), mode=None)


@lru_cache(maxsize=1)
def bundled_playbooks() -> tuple[PlaybookRule, ...]:
    """The bundled rules (`playbooks.toml` in the bundled config dir), read and validated once,
    exactly as a user's playbooks.toml is (or taken from the validated-config cache)."""
    from riskmon.paths import bundled_config_dir
    from riskmon.sources.config import cache

    path = bundled_config_dir() / "playbooks.toml"
    r = read_file(path)
    if r.text is None:
        why = r.problems[0].message if r.problems else "not found"
        raise ConfigError([Problem(str(path), None, "", f"cannot read the bundled playbooks: {why}")])
    slot, fp = cache.slot_for("bundled playbooks", os.path.abspath(path)), cache.Fingerprint()
    fp.file(Path(os.path.abspath(path)), r.data, r.st)
    found = cache.load(slot, fp.digest())
    if isinstance(found, tuple) and all(isinstance(rule, PlaybookRule) for rule in found):
        return found
    rules = _validate_bundled(path, r.text)
    cache.store(slot, fp.digest(), rules)
    return rules


def _validate_bundled(path: Path, text: str) -> tuple[PlaybookRule, ...]:
    from riskmon.sources.config.schema import PlaybookFile as PlaybookModel
    from riskmon.sources.config.schema import to_core

    found, problems = parse_text(str(path), text, name="playbooks.toml")
    if problems or not isinstance(found, PlaybookModel):
        raise ConfigError(problems or [Problem(str(path), None, "", "not a playbooks file")])
    return tuple(to_core(found.rules))


def playbook_rules(config: Config) -> list[PlaybookRule]:
    """The playbook rules in force for `config`: the bundled ones merged with the user's."""
    from riskmon.core.playbooks import effective_rules

    return effective_rules(config.playbooks, bundled_playbooks())
